//! A structure-aware mutator for the `check` and `fix` targets (libFuzzer's
//! `LLVMFuzzerCustomMutator`, through `libfuzzer_sys::fuzz_mutator!`).
//!
//! Byte mutations mostly break YAML before the model or the fixer see it. This mutator parses
//! the input with milvet's own YAML reader (`milvet::yaml::parse`, which gives every node's
//! span, anchor and tag) and edits the text at the places the tree gives, so that most mutants
//! are still YAML, and many still a Compose file with something to fix:
//! - anchors and aliases: an anchor on a service's attribute (`environment`, `volumes`,
//!   `command`, ... of etcd and MinIO first) used by another service, an anchor renamed (with
//!   or without its aliases) or moved to another node, an alias pointed at another anchor;
//! - `<<` merges of an anchored mapping, a list of them, or an inline mapping;
//! - tags: `!!null`, `!!str`, `!!int`, `!!map`, `!reset`, `!override`, custom ones, on a node
//!   or replacing a service's `environment` with a tagged null;
//! - indentation: a block node moved right or left, the whole file re-indented, one line;
//! - flow to block style and back, quoting (plain, single, double, literal block);
//! - complex keys (`? [k]`, `? {a: b}`, an explicit `? key`);
//! - line endings (LF, CRLF, mixed), a byte order mark, document markers;
//! - a service duplicated, an entry deleted, an environment list made a mapping and back, an
//!   entry that matters to etcd, MinIO or Milvus inserted into a service.
//!
//! Some calls (one in [`FALLBACK_ONE_IN`]), and any input that is not UTF-8 or that no
//! mutation applies to, go to libFuzzer's own byte mutator instead. A mutation depends only on
//! the input and the seed libFuzzer gives, so runs are reproducible.
//!
//! The mutator never panics on any input: offsets come from the tree and every splice checks
//! that it falls on character boundaries.

#![allow(dead_code)]

use milvet::yaml::{self, CollectionStyle, Limits, NodeId, NodeKind, Tree};
use std::fmt::Write as _;

/// One call in this many is left to libFuzzer's byte mutator.
pub const FALLBACK_ONE_IN: u64 = 5;

/// A small, seedable generator (splitmix64): the same seed gives the same mutation.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x6d69_6c76_6574_2121)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    pub fn one_in(&mut self, n: u64) -> bool {
        self.next() % n.max(1) == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            items.get(self.below(items.len()))
        }
    }
}

/// The libFuzzer entry: mutate `data[..size]` in place, within `max_size` bytes, and return
/// the new size. `fallback` is libFuzzer's default mutator (`libfuzzer_sys::fuzzer_mutate`).
pub fn mutate(
    data: &mut [u8],
    size: usize,
    max_size: usize,
    seed: u32,
    fallback: fn(&mut [u8], usize, usize) -> usize,
) -> usize {
    let mut rng = Rng::new(u64::from(seed));
    let size = size.min(data.len());
    if rng.one_in(FALLBACK_ONE_IN) {
        return fallback(data, size, max_size);
    }
    let Ok(text) = std::str::from_utf8(&data[..size]) else {
        return fallback(data, size, max_size);
    };
    for _ in 0..4 {
        if let Some((out, _)) = mutate_text(text, &mut rng)
            && out.len() <= max_size.min(data.len())
            && out != text
        {
            let n = out.len();
            data[..n].copy_from_slice(out.as_bytes());
            return n;
        }
    }
    fallback(data, size, max_size)
}

/// libFuzzer's cross-over (`LLVMFuzzerCustomCrossOver`): a service of `b` grafted into the
/// `services` of `a` (re-indented, with `a`'s line endings), or else `a`'s first lines followed
/// by `b`'s last ones. Returns the size written to `out`.
///
/// libFuzzer draws the cross-over as often as the mutator once both are defined; two times in
/// three it gives `a` to [`mutate`] instead, so that grafts stay a sixth of all mutations.
pub fn crossover(
    a: &[u8],
    b: &[u8],
    out: &mut [u8],
    seed: u32,
    fallback: fn(&mut [u8], usize, usize) -> usize,
) -> usize {
    let mut rng = Rng::new(u64::from(seed) ^ 0x0c05_5000);
    if rng.below(3) > 0 {
        let n = a.len().min(out.len());
        out[..n].copy_from_slice(&a[..n]);
        let max = out.len();
        return mutate(out, n, max, seed, fallback);
    }
    let result = match (std::str::from_utf8(a), std::str::from_utf8(b)) {
        (Ok(a), Ok(b)) => graft(a, b, &mut rng).or_else(|| splice_lines(a, b, &mut rng)),
        _ => None,
    };
    let bytes = result.as_ref().map_or(a, |r| r.as_bytes());
    let n = bytes.len().min(out.len());
    out[..n].copy_from_slice(&bytes[..n]);
    n
}

/// A service of `b` added to the `services` of `a`.
fn graft(a: &str, b: &str, rng: &mut Rng) -> Option<String> {
    let ta = yaml::parse(a, &Limits::default()).ok()?;
    let tb = yaml::parse(b, &Limits::default()).ok()?;
    let (va, vb) = (View::new(a, &ta), View::new(b, &tb));
    let into = *rng.pick(&va.services())?;
    let from = vb.pick_service(rng)?;
    if !va.is_block(into.at.map) || !vb.is_block(from.at.map) {
        return None;
    }
    let (end, col) = va.entry_place(into.at.map)?;
    let start = vb.line_start(vb.full_start(from.at.key));
    let stop = vb.line_end(vb.span(from.at.value).1.max(vb.span(from.at.key).1));
    let from_col = vb.column(vb.full_start(from.at.key));
    let mut text = String::new();
    for line in vb.slice(start, stop)?.replace("\r\n", "\n").split('\n') {
        let spaces = line.chars().take_while(|&c| c == ' ').count();
        let keep = spaces.saturating_sub(from_col);
        text.push_str(va.eol);
        text.push_str(&" ".repeat(col + keep));
        text.push_str(&line[spaces..]);
    }
    splice(a, vec![insert(end, text)])
}

/// The first lines of `a` and the last lines of `b`.
fn splice_lines(a: &str, b: &str, rng: &mut Rng) -> Option<String> {
    let la: Vec<&str> = a.split_inclusive('\n').collect();
    let lb: Vec<&str> = b.split_inclusive('\n').collect();
    if la.is_empty() || lb.is_empty() {
        return None;
    }
    let (i, j) = (rng.below(la.len() + 1), rng.below(lb.len()));
    let mut out: String = la[..i].concat();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&lb[j..].concat());
    Some(out)
}

/// One structure-aware mutation of `text`, and its name; `None` when the one drawn does not
/// apply.
pub fn mutate_text(text: &str, rng: &mut Rng) -> Option<(String, &'static str)> {
    // Text-level mutations need no tree.
    let draw = rng.below(100);
    if draw < 4 {
        return line_endings(text, rng).map(|t| (t, "line endings"));
    }
    if draw < 6 {
        return bom(text).map(|t| (t, "byte order mark"));
    }
    if draw < 8 {
        return indent_line(text, rng).map(|t| (t, "indent a line"));
    }
    if draw < 9 {
        return document_markers(text, rng).map(|t| (t, "document markers"));
    }
    let tree = yaml::parse(text, &Limits::default()).ok()?;
    let v = View::new(text, &tree);
    let (edits, name): (Vec<Edit>, &'static str) = match rng.below(23) {
        0..=2 => (share(&v, rng)?, "share through an anchor"),
        3 => (rename_anchor(&v, rng)?, "rename an anchor"),
        4 => (move_anchor(&v, rng)?, "move an anchor"),
        5 => (retarget_alias(&v, rng)?, "retarget an alias"),
        6 | 7 => (merge(&v, rng)?, "merge"),
        8 | 9 => (tag(&v, rng)?, "tag"),
        10 => (reindent_node(&v, rng)?, "indent a node"),
        11 => return reindent_all(text, rng).map(|t| (t, "indent the file")),
        12 => (to_flow(&v, rng)?, "block to flow"),
        13 => (to_block(&v, rng)?, "flow to block"),
        14 => (complex_key(&v, rng)?, "complex key"),
        15 => (quote(&v, rng)?, "quoting"),
        16 => (duplicate_service(&v, rng)?, "duplicate a service"),
        17 => (environment_style(&v, rng)?, "environment list and mapping"),
        18 | 19 => (insert_entry(&v, rng)?, "insert an entry"),
        20 => (delete_entry(&v, rng)?, "delete an entry"),
        21 => (explicit_key(&v, rng)?, "explicit key"),
        _ => (tag_environment(&v, rng)?, "tag an environment"),
    };
    Some((splice(text, edits)?, name))
}

// ---------------------------------------------------------------------------------------------
// Edits

/// Replace `start..end` by `text`.
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

fn insert(at: usize, text: impl Into<String>) -> Edit {
    Edit {
        start: at,
        end: at,
        text: text.into(),
    }
}

fn replace(start: usize, end: usize, text: impl Into<String>) -> Edit {
    Edit {
        start,
        end,
        text: text.into(),
    }
}

/// Apply edits that do not overlap (insertions at one place go in the order given); `None`
/// when they overlap or cut a character.
fn splice(text: &str, mut edits: Vec<Edit>) -> Option<String> {
    if edits.is_empty() {
        return None;
    }
    // Stable: insertions at one byte keep their order once reversed below.
    edits.sort_by_key(|e| (e.start, e.end));
    for pair in edits.windows(2) {
        if pair[0].end > pair[1].start {
            return None;
        }
    }
    let mut out = text.to_string();
    for e in edits.iter().rev() {
        if e.start > e.end
            || e.end > out.len()
            || !out.is_char_boundary(e.start)
            || !out.is_char_boundary(e.end)
        {
            return None;
        }
        out.replace_range(e.start..e.end, &e.text);
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// The view of a parsed text

struct View<'a> {
    text: &'a str,
    tree: &'a Tree,
    eol: &'static str,
}

/// A mapping entry and the mapping it is in.
#[derive(Clone, Copy)]
struct At {
    map: NodeId,
    key: NodeId,
    value: NodeId,
}

/// A service: its entry in `services`, and whether it runs etcd or MinIO (by name or image).
#[derive(Clone, Copy)]
struct Svc {
    at: At,
    stack: bool,
}

impl<'a> View<'a> {
    fn new(text: &'a str, tree: &'a Tree) -> View<'a> {
        let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
        View { text, tree, eol }
    }

    fn span(&self, id: NodeId) -> (usize, usize) {
        let s = self.tree.span(id);
        (s.start.min(self.text.len()), s.end.min(self.text.len()))
    }

    /// Where a node's text begins, its anchor and tag included.
    fn full_start(&self, id: NodeId) -> usize {
        let n = self.tree.node(id);
        let mut start = self.span(id).0;
        if let Some(a) = &n.anchor {
            start = start.min(a.span.start);
        }
        if let Some(t) = &n.tag {
            start = start.min(t.span.start);
        }
        start
    }

    fn slice(&self, start: usize, end: usize) -> Option<&'a str> {
        self.text.get(start..end)
    }

    fn is_block(&self, id: NodeId) -> bool {
        matches!(
            &self.tree.node(id).kind,
            NodeKind::Mapping {
                style: CollectionStyle::Block,
                ..
            } | NodeKind::Sequence {
                style: CollectionStyle::Block,
                ..
            }
        )
    }

    fn is_scalar(&self, id: NodeId) -> bool {
        matches!(self.tree.node(id).kind, NodeKind::Scalar { .. })
    }

    fn line_start(&self, at: usize) -> usize {
        self.text[..at].rfind(['\n', '\r']).map_or(0, |p| p + 1)
    }

    fn line_end(&self, at: usize) -> usize {
        self.text[at..]
            .find(['\n', '\r'])
            .map_or(self.text.len(), |p| at + p)
    }

    /// The column of a byte, in characters (a byte order mark at the start does not count).
    fn column(&self, at: usize) -> usize {
        let ls = self.line_start(at);
        self.text[ls..at]
            .chars()
            .filter(|&c| c != '\u{feff}')
            .count()
    }

    /// The byte after the `:` that follows a key (`None` for a key in another form).
    fn after_colon(&self, key: NodeId) -> Option<usize> {
        let end = self.span(key).1;
        let rest = self.text.get(end..)?;
        let colon = rest.find(':')?;
        let between = &rest[..colon];
        (between.trim().is_empty() || between.trim_start().starts_with(['"', '\'']))
            .then_some(end + colon + 1)
            .filter(|_| !between.contains(['\n', '\r']) || between.trim().is_empty())
    }

    /// Every mapping entry (written, not merged) of every document.
    fn entries(&self) -> Vec<At> {
        let mut out = Vec::new();
        for id in self.tree.node_ids() {
            if let NodeKind::Mapping { entries, .. } = &self.tree.node(id).kind {
                out.extend(entries.iter().map(|e| At {
                    map: id,
                    key: e.key,
                    value: e.value,
                }));
            }
        }
        out
    }

    /// The entries of block mappings whose key is a plain scalar (the common `key: value`).
    fn block_entries(&self) -> Vec<At> {
        self.entries()
            .into_iter()
            .filter(|e| {
                self.is_block(e.map) && self.is_scalar(e.key) && self.after_colon(e.key).is_some()
            })
            .collect()
    }

    /// The services of every document (block `services` mappings).
    fn services(&self) -> Vec<Svc> {
        let mut out = Vec::new();
        for doc in &self.tree.documents {
            let Some(root) = doc.root else { continue };
            let Some(services) = self.tree.get(root, "services") else {
                continue;
            };
            let services = self.tree.resolve(services);
            let NodeKind::Mapping { entries, .. } = &self.tree.node(services).kind else {
                continue;
            };
            for e in entries {
                if self.tree.is_merge_key(e.key) {
                    continue;
                }
                let name = self.tree.scalar(e.key).unwrap_or("");
                let image = self
                    .tree
                    .get(e.value, "image")
                    .and_then(|i| self.tree.scalar(i))
                    .unwrap_or("");
                let stack = ["etcd", "minio", "milvus"]
                    .iter()
                    .any(|w| name.contains(w) || image.contains(w));
                out.push(Svc {
                    at: At {
                        map: services,
                        key: e.key,
                        value: e.value,
                    },
                    stack,
                });
            }
        }
        out
    }

    /// A service, etcd's, MinIO's or Milvus's three times in four when there is one.
    fn pick_service(&self, rng: &mut Rng) -> Option<Svc> {
        let all = self.services();
        let stack: Vec<Svc> = all.iter().copied().filter(|s| s.stack).collect();
        if !stack.is_empty() && rng.below(4) > 0 {
            return rng.pick(&stack).copied();
        }
        rng.pick(&all).copied()
    }

    /// The block entries of a service's own mapping.
    fn attributes(&self, svc: &Svc) -> Vec<At> {
        let m = svc.at.value;
        self.block_entries()
            .into_iter()
            .filter(|e| e.map == m)
            .collect()
    }

    /// An attribute of a service: one of `names` when it has one (three times in four), else
    /// any.
    fn pick_attribute(&self, svc: &Svc, names: &[&str], rng: &mut Rng) -> Option<At> {
        let attrs = self.attributes(svc);
        let preferred: Vec<At> = attrs
            .iter()
            .copied()
            .filter(|e| self.tree.scalar(e.key).is_some_and(|k| names.contains(&k)))
            .collect();
        if !preferred.is_empty() && rng.below(4) > 0 {
            return rng.pick(&preferred).copied();
        }
        rng.pick(&attrs).copied()
    }

    /// Where a new entry of a block mapping goes (the end of its last entry's line), and the
    /// column of its keys.
    fn entry_place(&self, map: NodeId) -> Option<(usize, usize)> {
        if !self.is_block(map) {
            return None;
        }
        let entries = self.tree.own_entries(map)?;
        let first = entries.first()?;
        let last = entries.last()?;
        let end = self.span(last.value).1.max(self.span(last.key).1);
        Some((self.line_end(end), self.column(self.full_start(first.key))))
    }

    /// The step of indentation under a key: the column of its value's first line, less the
    /// key's (2 when that cannot be seen).
    fn step(&self) -> usize {
        for e in self.block_entries() {
            if self.is_block(e.value) {
                let inner = self.column(self.span(e.value).0);
                let outer = self.column(self.span(e.key).0);
                if inner > outer
                    && self.line_start(self.span(e.value).0) != self.line_start(self.span(e.key).0)
                {
                    return inner - outer;
                }
            }
        }
        2
    }

    /// Where to write a property (anchor or tag) for the value of an entry, and whether a
    /// space goes before (after a `:`) or after it (before the value).
    fn property_place(&self, at: &At) -> Option<(usize, bool)> {
        let value = at.value;
        let node = self.tree.node(value);
        if node.anchor.is_some() || node.tag.is_some() {
            // Before the properties already written.
            return Some((self.full_start(value), false));
        }
        if self.is_block(value) || self.span(value).0 == self.span(value).1 {
            return Some((self.after_colon(at.key)?, true));
        }
        Some((self.span(value).0, false))
    }

    fn property_edit(&self, at: &At, property: &str) -> Option<Edit> {
        let (place, after_colon) = self.property_place(at)?;
        Some(if after_colon {
            insert(place, format!(" {property}"))
        } else {
            insert(place, format!("{property} "))
        })
    }

    /// The anchors defined in the text, with their node, in source order.
    fn anchors(&self) -> Vec<(NodeId, String, usize, usize)> {
        self.tree
            .node_ids()
            .filter_map(|id| {
                let a = self.tree.node(id).anchor.as_ref()?;
                Some((id, a.name.clone(), a.span.start, a.span.end))
            })
            .collect()
    }

    fn aliases(&self) -> Vec<(NodeId, NodeId)> {
        self.tree
            .node_ids()
            .filter_map(|id| match &self.tree.node(id).kind {
                NodeKind::Alias { target, .. } => Some((id, *target)),
                _ => None,
            })
            .collect()
    }
}

fn anchor_name(rng: &mut Rng, v: &View) -> String {
    let existing = v.anchors();
    if !existing.is_empty() && rng.one_in(8) {
        // A name used again: the later definition wins for the aliases after it.
        return existing[rng.below(existing.len())].1.clone();
    }
    const NAMES: &[&str] = &["a", "env", "etcd-env", "vols", "cmd", "base", "x", "common"];
    format!("{}{}", NAMES[rng.below(NAMES.len())], rng.below(100))
}

// ---------------------------------------------------------------------------------------------
// Anchors, aliases, merges

/// An anchor on an attribute of a service (etcd's or MinIO's first), and an alias of it in
/// another service after it: replacing that service's attribute, added to it, or in a new
/// service at the end of `services`. An anchor on a whole service is merged instead.
fn share(v: &View, rng: &mut Rng) -> Option<Vec<Edit>> {
    let svc = v.pick_service(rng)?;
    let name = anchor_name(rng, v);
    let whole = rng.one_in(5);
    let anchored = if whole {
        svc.at
    } else {
        v.pick_attribute(
            &svc,
            &[
                "environment",
                "volumes",
                "command",
                "entrypoint",
                "healthcheck",
            ],
            rng,
        )?
    };
    if v.tree.node(anchored.value).anchor.is_some() {
        return None;
    }
    let attr = v.tree.scalar(anchored.key)?.to_string();
    let mut edits = vec![v.property_edit(&anchored, &format!("&{name}"))?];
    let eol = v.eol;
    let step = " ".repeat(v.step());
    // Services written after the anchored node.
    let later: Vec<Svc> = v
        .services()
        .into_iter()
        .filter(|s| v.span(s.at.key).0 > v.span(anchored.value).1 && v.is_block(s.at.value))
        .collect();
    let use_site = rng.below(3);
    if whole || v.tree.is_mapping(anchored.value) && rng.one_in(3) {
        // A merge, in a later service (whole) or in a later service's same attribute.
        let target = rng.pick(&later).copied();
        match (whole, target) {
            (true, Some(t)) => {
                let first = v.tree.own_entries(t.at.value)?.first()?.key;
                let at = v.line_start(v.full_start(first));
                let pad = " ".repeat(v.column(v.full_start(first)));
                edits.push(insert(at, format!("{pad}<<: *{name}{eol}")));
            }
            (false, Some(t)) => {
                let existing = v
                    .attributes(&t)
                    .into_iter()
                    .find(|e| v.tree.scalar(e.key) == Some(attr.as_str()));
                match existing {
                    Some(e) if v.is_block(e.value) && v.tree.is_mapping(e.value) => {
                        let first = v.tree.own_entries(e.value)?.first()?.key;
                        let at = v.line_start(v.full_start(first));
                        let pad = " ".repeat(v.column(v.full_start(first)));
                        edits.push(insert(at, format!("{pad}<<: *{name}{eol}")));
                    }
                    _ => {
                        let (end, col) = v.entry_place(t.at.value)?;
                        let pad = " ".repeat(col);
                        edits.push(insert(
                            end,
                            format!("{eol}{pad}{attr}:{eol}{pad}{step}<<: *{name}{eol}{pad}{step}SHARED: \"1\""),
                        ));
                    }
                }
            }
            (_, None) => {
                let (end, col) = v.entry_place(svc.at.map)?;
                let pad = " ".repeat(col);
                let body = if whole {
                    format!("<<: *{name}{eol}{pad}{step}image: busybox")
                } else {
                    format!(
                        "image: busybox{eol}{pad}{step}{attr}:{eol}{pad}{step}{step}<<: *{name}"
                    )
                };
                edits.push(insert(
                    end,
                    format!("{eol}{pad}shared-{}:{eol}{pad}{step}{body}", rng.below(100)),
                ));
            }
        }
        return Some(edits);
    }
    match (use_site, rng.pick(&later).copied()) {
        (0, Some(t)) => {
            // Replace the later service's own attribute by the alias, or add it.
            let existing = v
                .attributes(&t)
                .into_iter()
                .find(|e| v.tree.scalar(e.key) == Some(attr.as_str()));
            match existing {
                Some(e) => {
                    let colon = v.after_colon(e.key)?;
                    edits.push(replace(colon, v.span(e.value).1, format!(" *{name}")));
                }
                None => {
                    let (end, col) = v.entry_place(t.at.value)?;
                    edits.push(insert(
                        end,
                        format!("{eol}{}{attr}: *{name}", " ".repeat(col)),
                    ));
                }
            }
        }
        (1, Some(t)) => {
            let (end, col) = v.entry_place(t.at.value)?;
            edits.push(insert(
                end,
                format!("{eol}{}{attr}: *{name}", " ".repeat(col)),
            ));
        }
        _ => {
            let (end, col) = v.entry_place(svc.at.map)?;
            let pad = " ".repeat(col);
            edits.push(insert(
                end,
                format!(
                    "{eol}{pad}shared-{}:{eol}{pad}{step}image: busybox{eol}{pad}{step}{attr}: *{name}",
                    rng.below(100)
                ),
            ));
        }
    }
    Some(edits)
}

/// An anchor renamed, with its aliases (three times in four) or without them.
fn rename_anchor(v: &View, rng: &mut Rng) -> Option<Vec<Edit>> {
    let anchors = v.anchors();
    let (node, _, start, end) = rng.pick(&anchors)?.clone();
    let name = anchor_name(rng, v);
    let mut edits = vec![replace(start, end, format!("&{name}"))];
    if rng.below(4) > 0 {
        for (alias, target) in v.aliases() {
            if target == node {
                let (s, e) = v.span(alias);
                edits.push(replace(s, e, format!("*{name}")));
            }
        }
    }
    Some(edits)
}

/// An anchor taken off its node and put on another entry's value (before or after its
/// aliases).
fn move_anchor(v: &View, rng: &mut Rng) -> Option<Vec<Edit>> {
    let anchors = v.anchors();
    let (_, name, start, end) = rng.pick(&anchors)?.clone();
    let candidates: Vec<At> = v
        .block_entries()
        .into_iter()
        .filter(|e| v.tree.node(e.value).anchor.is_none() && !v.tree.is_alias(e.value))
        .collect();
    let to = rng.pick(&candidates)?;
    // The space after the anchor goes with it.
    let end = if v.text[end..].starts_with(' ') {
        end + 1
    } else {
        end
    };
    Some(vec![
        replace(start, end, ""),
        v.property_edit(to, &format!("&{name}"))?,
    ])
}

/// An alias pointed at another anchor (defined before or after it).
fn retarget_alias(v: &View, rng: &mut Rng) -> Option<Vec<Edit>> {
    let aliases = v.aliases();
    let anchors = v.anchors();
    let (alias, _) = *rng.pick(&aliases)?;
    let (_, name, _, _) = rng.pick(&anchors)?;
    let (s, e) = v.span(alias);
    Some(vec![replace(s, e, format!("*{name}"))])
}

/// A `<<` merge into a block mapping: of an anchored mapping written before it (anchored
/// here when none is), of a list of them, or of an inline mapping.
fn merge(v: &View, rng: &mut Rng) -> Option<Vec<Edit>> {
    let maps: Vec<At> = v
        .block_entries()
        .into_iter()
        .filter(|e| v.is_block(e.value) && v.tree.is_mapping(e.value))
        .collect();
    let into = *rng.pick(&maps)?;
    let first = v.tree.own_entries(into.value)?.first()?.key;
    let at = v.line_start(v.full_start(first));
    let pad = " ".repeat(v.column(v.full_start(first)));
    let eol = v.eol;
    let mut edits = Vec::new();
    let anchored_maps: Vec<String> = v
        .anchors()
        .into_iter()
        .filter(|(id, _, s, _)| v.tree.is_mapping(*id) && *s < at)
        .map(|(_, n, _, _)| n)
        .collect();
    let what = match rng.below(4) {
        0 => {
            let k = [
                "ETCD_AUTO_COMPACTION_MODE",
                "MINIO_ACCESS_KEY",
                "image",
                "x",
            ][rng.below(4)];
            format!("{{{k}: merged}}")
        }
        1 if anchored_maps.len() > 1 => {
            let a = rng.pick(&anchored_maps)?;
            let b = rng.pick(&anchored_maps)?;
            format!("[*{a}, *{b}]")
        }
        _ if !anchored_maps.is_empty() => format!("*{}", rng.pick(&anchored_maps)?),
        _ => {
            // Anchor an earlier mapping.
            let earlier: Vec<At> = maps
                .iter()
                .copied()
                .filter(|m| v.span(m.value).1 < at && v.tree.node(m.value).anchor.is_none())
                .collect();
            let src = rng.pick(&earlier)?;
            let name = anchor_name(rng, v);
            edits.push(v.property_edit(src, &format!("&{name}"))?);
            format!("*{name}")
        }
    };
    edits.push(insert(at, format!("{pad}<<: {what}{eol}")));
    Some(edits)
}

// ---------------------------------------------------------------------------------------------
// Tags

const TAGS: &[&str] = &[
    "!!null",
    "!!str",
    "!!int",
    "!!bool",
    "!!float",
    "!!map",
    "!!seq",
    "!!binary",
    "!reset",
    "!override",
    "!custom",
    "!",
    "!<tag:yaml.org,2002:str>",
];

/// A tag added to an entry's value (or a sequence item), or a tag changed or removed.
fn tag(v: &View, rng: &mut Rng) -> Option<Vec<Edit>> {
    let t = TAGS[rng.below(TAGS.len())];
    let tagged: Vec<NodeId> = v
        .tree
        .node_ids()
        .filter(|&id| v.tree.node(id).tag.is_some())
        .collect();
    if !tagged.is_empty() && rng.one_in(4) {
        let id = *rng.pick(&tagged)?;
        let span = v.tree.node(id).tag.as_ref()?.span;
        let new = if rng.one_in(3) {
            String::new()
        } else {
            t.to_string()
        };
        let end = if new.is_empty() && v.text[span.end..].starts_with(' ') {
            span.end + 1
        } else {
            span.end
        };
        return Some(vec![replace(span.start, end, new)]);
    }
    if rng.one_in(3) {
        // A scalar item of a sequence (an environment or volumes list, a command).
        let items: Vec<NodeId> = v
            .tree
            .node_ids()
            .filter(|&id| {
                v.is_scalar(id)
                    && v.tree.node(id).tag.is_none()
                    && v.tree.parent(id).is_some_and(|p| v.tree.is_sequence(p))
                    && v.span(id).0 < v.span(id).1
            })
            .collect();
        let id = *rng.pick(&items)?;
        return Some(vec![insert(v.full_start(id), format!("{t} "))]);
    }
    let entries: Vec<At> = v
        .block_entries()
        .into_iter()
        .filter(|e| v.tree.node(e.value).tag.is_none() && !v.tree.is_alias(e.value))
        .collect();
    // Values of etcd's and MinIO's services first.
    let svcs: Vec<NodeId> = v
        .services()
        .into_iter()
        .filter(|s| s.stack)
        .map(|s| s.at.value)
        .collect();
    let stack: Vec<At> = entries
        .iter()
        .copied()
        .filter(|e| {
            let mut cur = Some(e.map);
            while let Some(c) = cur {
                if svcs.contains(&c) {
                    return true;
                }
                cur = v.tree.parent(c);
            }
            false
        })
        .collect();
    let at = if !stack.is_empty() && rng.below(3) > 0 {
        rng.pick(&stack)?
    } else {
        rng.pick(&entries)?
    };
    Some(vec![v.property_edit(at, t)?])
}

/// A service's `environment` replaced by a tagged null or empty value (`!!null`, `!reset`,
/// `!override {}`...), or added so when it has none.
fn tag_environment(v: &View, rng: &mut Rng) -> Option<Vec<Edit>> {
    let svc = v.pick_service(rng)?;
    let attr = ["environment", "volumes", "command"][rng.below(3)];
    let value = [
        "!!null",
        "!!null ~",
        "!!str",
        "!!int",
        "!reset null",
        "!reset []",
        "!reset {}",
        "!override {}",
        "!override []",
        "!custom",
        "!!map {}",
        "!!seq []",
        "",
        "~",
        "null",
    ][rng.below(15)];
    let existing = v
        .attributes(&svc)
        .into_iter()
        .find(|e| v.tree.scalar(e.key) == Some(attr));
    match existing {
        Some(e) => {
            let colon = v.after_colon(e.key)?;
            let sep = if value.is_empty() { "" } else { " " };
            Some(vec![replace(
                colon,
                v.span(e.value).1.max(colon),
                format!("{sep}{value}"),
            )])
        }
        None => {
            let (end, col) = v.entry_place(svc.at.value)?;
            Some(vec![insert(
                end,
                format!("{}{}{attr}: {value}", v.eol, " ".repeat(col)),
            )])
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Indentation, line endings, BOM, documents

/// Every line of a block node moved right or left by a few spaces.
fn reindent_node(v: &View, rng: &mut Rng) -> Option<Vec<Edit>> {
    let blocks: Vec<NodeId> = v
        .tree
        .node_ids()
        .filter(|&id| v.is_block(id) && v.span(id).0 < v.span(id).1)
        .collect();
    let id = *rng.pick(&blocks)?;
    let (start, end) = (v.line_start(v.full_start(id)), v.span(id).1);
    let first_col = v.column(v.span(id).0);
    // Only when the node starts its line (after its indentation or a `- `).
    let before = &v.text[v.line_start(v.span(id).0)..v.span(id).0];
    if !before.chars().all(|c| c == ' ' || c == '-') {
        return None;
    }
    let shift: isize = [-3, -2, -1, 1, 2, 4][rng.below(6)];
    if shift < 0 && first_col < shift.unsigned_abs() {
        return None;
    }
    let mut edits = Vec::new();
    let mut ls = start;
    while ls < end {
        let le = v.line_end(ls);
        if shift > 0 {
            edits.push(insert(ls, " ".repeat(shift as usize)));
        } else {
            let spaces = v.text[ls..le].chars().take_while(|&c| c == ' ').count();
            let n = spaces.min(shift.unsigned_abs());
            if n > 0 {
                edits.push(replace(ls, ls + n, ""));
            }
        }
        // The next line (CRLF counts once).
        let mut next = le;
        if v.text[next..].starts_with("\r\n") {
            next += 2;
        } else if next < v.text.len() {
            next += 1;
        } else {
            break;
        }
        ls = next;
    }
    Some(edits)
}

/// Every line's leading spaces multiplied by 2 or 3, or halved (rounding up).
fn reindent_all(text: &str, rng: &mut Rng) -> Option<String> {
    let mode = rng.below(3);
    let mut out = String::with_capacity(text.len() * 2);
    for line in text.split_inclusive('\n') {
        let spaces = line.chars().take_while(|&c| c == ' ').count();
        let n = match mode {
            0 => spaces * 2,
            1 => spaces * 3,
            _ => spaces.div_ceil(2),
        };
        out.push_str(&" ".repeat(n));
        out.push_str(&line[spaces..]);
    }
    Some(out)
}

/// One line's indentation changed (a space added or removed, or a tab written in it).
fn indent_line(text: &str, rng: &mut Rng) -> Option<String> {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i < text.len())
        .collect();
    let ls = *rng.pick(&starts)?;
    let mut out = text.to_string();
    match rng.below(4) {
        0 | 1 => out.insert(ls, ' '),
        2 if text[ls..].starts_with(' ') => {
            out.remove(ls);
        }
        _ => out.insert(ls, '\t'),
    }
    Some(out)
}

/// All line endings made CRLF or LF, or each line's chosen at random, or one lone CR.
fn line_endings(text: &str, rng: &mut Rng) -> Option<String> {
    let lf = text.replace("\r\n", "\n");
    Some(match rng.below(4) {
        0 => lf.replace('\n', "\r\n"),
        1 => lf,
        2 => {
            let mut out = String::with_capacity(text.len() + text.len() / 8);
            for line in lf.split_inclusive('\n') {
                if line.ends_with('\n') && rng.one_in(2) {
                    out.push_str(&line[..line.len() - 1]);
                    out.push_str("\r\n");
                } else {
                    out.push_str(line);
                }
            }
            out
        }
        _ => {
            let newlines: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
            let at = *rng.pick(&newlines)?;
            let mut out = text.to_string();
            out.replace_range(at..at + 1, "\r");
            out
        }
    })
}

/// A byte order mark added at the start, or removed.
fn bom(text: &str) -> Option<String> {
    Some(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => format!("\u{feff}{text}"),
    })
}

/// `---` and `...` markers, a `%YAML` directive, or a second document.
fn document_markers(text: &str, rng: &mut Rng) -> Option<String> {
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    Some(match rng.below(5) {
        0 => format!("---{eol}{text}"),
        1 => format!("%YAML 1.2{eol}---{eol}{text}"),
        2 => format!("{text}{eol}...{eol}"),
        3 => format!("{text}{eol}---{eol}{text}"),
        _ => format!("{text}{eol}---{eol}"),
    })
}

// ---------------------------------------------------------------------------------------------
// Style: flow and block, quoting, complex keys

/// A plain scalar that can be written as it is in flow context.
fn flow_safe(s: &str) -> bool {
    !s.is_empty()
        && !s.contains([',', '[', ']', '{', '}', '#', '\n', '\r', '"', '\''])
        && !s.contains(": ")
        && !s.ends_with(':')
        && !s.starts_with(['-', '?', ':', '&', '*', '!', '|', '>', '%', '@', '`', ' '])
        && !s.ends_with(' ')
}

fn json(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// A node written in flow style: its properties, then the flow form of its value.
fn flow_text(v: &View, id: NodeId, depth: usize) -> Option<String> {
    if depth > 20 {
        return None;
    }
    let node = v.tree.node(id);
    let mut out = String::new();
    let mut props: Vec<(usize, usize)> = Vec::new();
    if let Some(a) = &node.anchor {
        props.push((a.span.start, a.span.end));
    }
    if let Some(t) = &node.tag {
        props.push((t.span.start, t.span.end));
    }
    props.sort();
    for (s, e) in props {
        out.push_str(v.slice(s, e)?);
        out.push(' ');
    }
    match &node.kind {
        NodeKind::Scalar { value, .. } => {
            let (s, e) = v.span(id);
            let raw = v.slice(s, e)?;
            if s == e {
                out.push_str(if node.tag.is_some() { "" } else { "null" });
            } else if !raw.contains(['\n', '\r'])
                && (flow_safe(raw) || raw.starts_with('"') || raw.starts_with('\''))
            {
                out.push_str(raw);
            } else {
                out.push_str(&json(value));
            }
        }
        NodeKind::Alias { .. } => {
            let (s, e) = v.span(id);
            out.push_str(v.slice(s, e)?);
        }
        NodeKind::Sequence { items, .. } => {
            out.push('[');
            for (i, &item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&flow_text(v, item, depth + 1)?);
            }
            out.push(']');
        }
        NodeKind::Mapping { entries, .. } => {
            out.push('{');
            for (i, e) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let k = flow_text(v, e.key, depth + 1)?;
                let val = flow_text(v, e.value, depth + 1)?;
                let _ = write!(out, "{k}: {val}");
            }
            out.push('}');
        }
    }
    Some(out.trim_end().to_string())
}

/// A block collection (an entry's value or a sequence item) written in flow style.
fn to_flow(v: &View, rng: &mut Rng) -> Option<Vec<Edit>> {
    let blocks: Vec<NodeId> = v
        .tree
        .node_ids()
        .filter(|&id| v.is_block(id) && v.tree.parent(id).is_some())
        .collect();
    let id = *rng.pick(&blocks)?;
    let flowed = flow_text(v, id, 0)?;
    let start = v.full_start(id);
    let (_, end) = v.span(id);
    // A mapping value written on the key's line; an item stays where it is.
    let parent = v.tree.parent(id)?;
    if v.tree.is_mapping(parent) {
        let e = v.tree.entry_of(parent, id)?;
        if e.value != id {
            return None;
        }
        let colon = v.after_colon(e.key)?;
        return Some(vec![replace(colon, end, format!(" {flowed}"))]);
    }
    Some(vec![replace(start, end, flowed)])
}

/// A flow collection, the value of a block mapping entry, written in block style, one entry
/// or item a line.
fn to_block(v: &View, rng: &mut Rng) -> Option<Vec<Edit>> {
    let flows: Vec<At> = v
        .block_entries()
        .into_iter()
        .filter(|e| {
            !v.is_block(e.value)
                && matches!(
                    v.tree.node(e.value).kind,
                    NodeKind::Mapping { .. } | NodeKind::Sequence { .. }
                )
        })
        .collect();
    let at = *rng.pick(&flows)?;
    let col = v.column(v.full_start(at.key)) + v.step();
    let pad = " ".repeat(col);
    let eol = v.eol;
    let mut body = String::new();
    let one = |id: NodeId| -> Option<String> {
        let (s, e) = v.span(id);
        let raw = v.slice(v.full_start(id), e)?;
        Some(match &v.tree.node(id).kind {
            NodeKind::Scalar { .. } if !raw.contains(['\n', '\r']) => {
                if s == e {
                    raw.trim_end().to_string()
                } else {
                    raw.to_string()
                }
            }
            NodeKind::Scalar { value, .. } => json(value),
            _ => raw.to_string(),
        })
    };
    match &v.tree.node(at.value).kind {
        NodeKind::Mapping { entries, .. } if !entries.is_empty() => {
            for e in entries {
                if !v.is_scalar(e.key) {
                    return None;
                }
                let _ = write!(body, "{eol}{pad}{}: {}", one(e.key)?, one(e.value)?);
            }
        }
        NodeKind::Sequence { items, .. } if !items.is_empty() => {
            for &i in items {
                let _ = write!(body, "{eol}{pad}- {}", one(i)?);
            }
        }
        _ => return None,
    }
    let colon = v.after_colon(at.key)?;
    let node = v.tree.node(at.value);
    let mut props = String::new();
    if let Some(a) = &node.anchor {
        props.push(' ');
        props.push_str(v.slice(a.span.start, a.span.end)?);
    }
    if let Some(t) = &node.tag {
        props.push(' ');
        props.push_str(v.slice(t.span.start, t.span.end)?);
    }
    Some(vec![replace(
        colon,
        v.span(at.value).1,
        format!("{props}{body}"),
    )])
}

/// A scalar requoted: plain to single or double quotes or a literal block, quoted to plain.
fn quote(v: &View, rng: &mut Rng) -> Option<Vec<Edit>> {
    let scalars: Vec<NodeId> = v
        .tree
        .node_ids()
        .filter(|&id| v.is_scalar(id) && v.span(id).0 < v.span(id).1)
        .collect();
    let id = *rng.pick(&scalars)?;
    let NodeKind::Scalar { value, .. } = &v.tree.node(id).kind else {
        return None;
    };
    let (s, e) = v.span(id);
    let raw = v.slice(s, e)?;
    let new = match rng.below(4) {
        0 => format!("'{}'", value.replace('\'', "''")),
        1 => json(value),
        2 if !raw.starts_with(['"', '\'', '|', '>']) => return None,
        2 if flow_safe(value) => value.clone(),
        3 if !v.tree.in_flow(id)
            && !value.starts_with(' ')
            && !value.is_empty()
            && let Some(p) = v.tree.parent(id)
            && v.is_block(p)
            && let Some(en) = v.tree.entry_of(p, id)
            && en.value == id =>
        {
            let pad = " ".repeat(v.column(v.full_start(en.key)) + v.step());
            let indicator = if value.ends_with('\n') { "|" } else { "|-" };
            let mut out = indicator.to_string();
            for line in value.trim_end_matches('\n').split('\n') {
                let _ = write!(out, "{}{pad}{line}", v.eol);
            }
            out
        }
        _ => json(value),
    };
    Some(vec![replace(s, e, new)])
}

/// A complex key before an entry of a block mapping (the environment of etcd or MinIO first).
fn complex_key(v: &View, rng: &mut Rng) -> Option<Vec<Edit>> {
    let mut chosen = None;
    if rng.below(3) > 0
        && let Some(svc) = v.pick_service(rng)
        && let Some(env) = v.pick_attribute(&svc, &["environment", "labels"], rng)
        && v.is_block(env.value)
        && v.tree.is_mapping(env.value)
        && let Some(e) = rng.pick(v.tree.own_entries(env.value)?)
    {
        chosen = Some(At {
            map: env.value,
            key: e.key,
            value: e.value,
        });
    }
    let chosen = match chosen {
        Some(c) => c,
        None => *rng.pick(&v.block_entries())?,
    };
    let start = v.full_start(chosen.key);
    let at = v.line_start(start);
    if v.text[at..start].contains(|c: char| c != ' ') {
        return None;
    }
    let pad = " ".repeat(v.column(start));
    let eol = v.eol;
    let key = [
        format!("? [k]{eol}{pad}: v"),
        format!("? {{a: b}}{eol}{pad}: v"),
        "[x, y]: z".to_string(),
        format!("? |{eol}{pad}  multi{eol}{pad}: line"),
        format!("? - a{eol}{pad}  - b{eol}{pad}: seq"),
        "{n: 1}: m".to_string(),
    ];
    let key = &key[rng.below(key.len())];
    Some(vec![insert(at, format!("{pad}{key}{eol}"))])
}

/// An entry's key written explicitly: `? key` then `: value` on the next line.
fn explicit_key(v: &View, rng: &mut Rng) -> Option<Vec<Edit>> {
    let entries = v.block_entries();
    let e = rng.pick(&entries)?;
    let (ks, ke) = v.span(e.key);
    let start = v.full_start(e.key);
    let colon = v.after_colon(e.key)?;
    let pad = " ".repeat(v.column(start));
    if v.text[v.line_start(start)..start].contains(|c: char| c != ' ') {
        return None;
    }
    let _ = ks;
    Some(vec![
        insert(start, "? "),
        replace(ke, colon, format!("{}{pad}:", v.eol)),
    ])
}

// ---------------------------------------------------------------------------------------------
// Services and entries

/// A service duplicated after itself, under a new name (or, once in eight, the same one).
fn duplicate_service(v: &View, rng: &mut Rng) -> Option<Vec<Edit>> {
    let svc = v.pick_service(rng)?;
    if !v.is_block(svc.at.map) {
        return None;
    }
    let start = v.line_start(v.full_start(svc.at.key));
    let end = v.line_end(v.span(svc.at.value).1.max(v.span(svc.at.key).1));
    let (ks, ke) = v.span(svc.at.key);
    let name = v.slice(ks, ke)?;
    let copy = v.slice(start, end)?;
    let new_name = if rng.one_in(8) {
        name.to_string()
    } else {
        format!("{}-{}", name.trim_matches(['"', '\'']), rng.below(10))
    };
    let copy = format!("{}{new_name}{}", &copy[..ks - start], &copy[ke - start..]);
    Some(vec![insert(end, format!("{}{copy}", v.eol))])
}

/// An entry's lines removed from a block mapping (a service's attribute first).
fn delete_entry(v: &View, rng: &mut Rng) -> Option<Vec<Edit>> {
    let at = match v.pick_service(rng) {
        Some(svc) if rng.below(3) > 0 => rng.pick(&v.attributes(&svc))?.to_owned(),
        _ => *rng.pick(&v.block_entries())?,
    };
    let start = v.line_start(v.full_start(at.key));
    if v.text[start..v.full_start(at.key)].contains(|c: char| c != ' ') {
        return None;
    }
    let mut end = v.line_end(v.span(at.value).1.max(v.span(at.key).1));
    if v.text[end..].starts_with("\r\n") {
        end += 2;
    } else if end < v.text.len() {
        end += 1;
    }
    Some(vec![replace(start, end, "")])
}

/// A block `environment` mapping written as a list of `KEY=value`, or such a list written as
/// a mapping.
fn environment_style(v: &View, rng: &mut Rng) -> Option<Vec<Edit>> {
    let svc = v.pick_service(rng)?;
    let env = v
        .attributes(&svc)
        .into_iter()
        .find(|e| v.tree.scalar(e.key) == Some("environment"))?;
    if !v.is_block(env.value) {
        return None;
    }
    let first = v.span(env.value).0;
    let pad = " ".repeat(v.column(first));
    let eol = v.eol;
    let mut body = String::new();
    match &v.tree.node(env.value).kind {
        NodeKind::Mapping { entries, .. } => {
            for e in entries {
                let k = v.tree.scalar(e.key)?;
                let item = if v.tree.is_null(e.value) {
                    k.to_string()
                } else {
                    format!("{k}={}", v.tree.scalar(e.value)?)
                };
                let item = if flow_safe(&item) && !item.contains(": ") {
                    item
                } else {
                    json(&item)
                };
                let _ = write!(body, "{eol}{pad}- {item}");
            }
        }
        NodeKind::Sequence { items, .. } => {
            for &i in items {
                let s = v.tree.scalar(i)?;
                let (k, val) = match s.split_once('=') {
                    Some((k, val)) => (k, Some(val)),
                    None => (s, None),
                };
                let k = if flow_safe(k) { k.to_string() } else { json(k) };
                match val {
                    Some(val) if flow_safe(val) && rng.one_in(2) => {
                        let _ = write!(body, "{eol}{pad}{k}: {val}");
                    }
                    Some(val) => {
                        let _ = write!(body, "{eol}{pad}{k}: {}", json(val));
                    }
                    None => {
                        let _ = write!(body, "{eol}{pad}{k}:");
                    }
                }
            }
        }
        _ => return None,
    }
    let colon = v.after_colon(env.key)?;
    let node = v.tree.node(env.value);
    let mut props = String::new();
    if let Some(a) = &node.anchor {
        props.push(' ');
        props.push_str(v.slice(a.span.start, a.span.end)?);
    }
    Some(vec![replace(
        colon,
        v.span(env.value).1,
        format!("{props}{body}"),
    )])
}

/// Entries that matter to the rules: images, commands, environments, mounts, health checks
/// of etcd, MinIO and Milvus.
const ENTRIES: &[&str] = &[
    "image: quay.io/coreos/etcd:v3.5.5",
    "image: quay.io/coreos/etcd:v3.5.18",
    "image: bitnami/etcd:3.5",
    "image: minio/minio:RELEASE.2023-03-20T20-16-18Z",
    "image: minio/minio:latest",
    "image: milvusdb/milvus:v2.4.0",
    "image: milvusdb/milvus:v2.5.4",
    "command: etcd -advertise-client-urls=http://127.0.0.1:2379 -listen-client-urls http://0.0.0.0:2379 --data-dir /etcd",
    "command: minio server /minio_data --console-address \":9001\"",
    "command: [\"milvus\", \"run\", \"standalone\"]",
    "command: [\"etcd\", \"--unsafe-no-fsync\", \"--quota-backend-bytes=1\"]",
    "environment:\n- ETCD_AUTO_COMPACTION_MODE=revision\n- ETCD_AUTO_COMPACTION_RETENTION=1000\n- ETCD_QUOTA_BACKEND_BYTES=4294967296",
    "environment:\n  ETCD_AUTO_COMPACTION_MODE: periodic\n  ETCD_AUTO_COMPACTION_RETENTION: 1h",
    "environment:\n  MINIO_ACCESS_KEY: minioadmin\n  MINIO_SECRET_KEY: minioadmin",
    "environment:\n  ETCD_ENDPOINTS: etcd:2379\n  MINIO_ADDRESS: minio:9000",
    "volumes:\n- ./volumes/etcd:/etcd",
    "volumes:\n- minio-data:/minio_data",
    "volumes:\n- type: bind\n  source: ./volumes/milvus\n  target: /var/lib/milvus",
    "healthcheck:\n  test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:9000/minio/health/live\"]\n  interval: 30s",
    "healthcheck:\n  test: [\"CMD\", \"etcdctl\", \"endpoint\", \"health\"]",
    "restart: always",
    "depends_on:\n  etcd:\n    condition: service_healthy",
    "depends_on: [etcd, minio]",
    "ports:\n- \"9091:9091\"\n- 19530:19530",
    "container_name: milvus-etcd",
    "env_file: .env",
    "extends:\n  service: etcd",
];

/// An entry from [`ENTRIES`] added to a service (or replacing the one with its key).
fn insert_entry(v: &View, rng: &mut Rng) -> Option<Vec<Edit>> {
    let svc = v.pick_service(rng)?;
    let entry = ENTRIES[rng.below(ENTRIES.len())];
    let (end, col) = v.entry_place(svc.at.value)?;
    let pad = " ".repeat(col);
    let step = " ".repeat(v.step());
    let eol = v.eol;
    let mut text = String::new();
    for (i, line) in entry.split('\n').enumerate() {
        if i == 0 {
            let _ = write!(text, "{eol}{pad}{line}");
        } else {
            let _ = write!(text, "{eol}{pad}{step}{line}");
        }
    }
    let key = entry.split(':').next()?;
    if let Some(e) = v
        .attributes(&svc)
        .into_iter()
        .find(|e| v.tree.scalar(e.key) == Some(key))
        && rng.below(4) > 0
    {
        // Replace the entry of that key.
        let start = v.line_start(v.full_start(e.key));
        let stop = v.line_end(v.span(e.value).1.max(v.span(e.key).1));
        if v.text[start..v.full_start(e.key)].contains(|c: char| c != ' ') {
            return None;
        }
        return Some(vec![replace(
            start,
            stop,
            text.trim_start_matches(['\r', '\n']).to_string(),
        )]);
    }
    Some(vec![insert(end, text)])
}
