//! A YAML document as the value Docker Compose validates against its schema.
//!
//! Compose (compose-go, through Go's yaml.v3) decodes a document into plain values before it
//! validates it. This module does the same, and keeps the YAML node of every value:
//!
//! - plain scalars are typed as yaml.v3 types them (`true`/`True`/`TRUE` are booleans, `null`,
//!   `~` and an empty value are null, Go-style integers and YAML floats are numbers); everything
//!   else, quoted scalars, block scalars, custom-tagged scalars and YAML 1.1 words such as `yes`
//!   and `on` included, is a string;
//! - `<<` merges are resolved and aliases expanded, within [`MAX_VALUES`] values and
//!   [`MAX_DEPTH`] levels;
//! - a value tagged `!reset` is removed, as compose-go removes it before validation;
//! - the strings compose-go casts after interpolation (`cpus`, `privileged`, `ulimits`, ...)
//!   are cast the same way, and a string with a `${...}` interpolation there is of unknown type.
//!
//! Values borrow their text from the tree: expanding an alias copies no string.

use crate::compose::number::{go_parse_float, ram_in_bytes};
use crate::yaml::{NodeId, NodeKind, ScalarStyle, Tree};

/// Most values one document may expand to.
pub(super) const MAX_VALUES: usize = 1_000_000;
/// Deepest nesting of values once aliases are expanded.
pub(super) const MAX_DEPTH: usize = 256;

/// Index of a value in its [`Document`].
pub(super) type InstId = u32;

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Val<'t> {
    Null,
    Bool(bool),
    Num {
        value: f64,
        /// Whether it is an integer (a whole number, as JSON Schema counts them).
        int: bool,
    },
    Str {
        text: &'t str,
        /// Whether it contains a `$VAR` / `${VAR}` interpolation: its final text is not known.
        interpolated: bool,
    },
    /// An interpolated value at a place compose-go casts to a boolean or a number: its type
    /// depends on the environment.
    Unknown,
    Arr(Vec<InstId>),
    Obj(Vec<(&'t str, InstId)>),
}

/// How a value is reached from its parent.
#[derive(Clone, Copy, Debug)]
pub(super) enum Seg<'t> {
    Root,
    Key(&'t str),
    Index(usize),
}

#[derive(Debug)]
pub(super) struct Inst<'t> {
    pub val: Val<'t>,
    /// The node written at this place: the alias, when the value comes through one.
    pub node: NodeId,
    /// The key of the mapping entry that holds the value.
    pub key: Option<NodeId>,
    /// For an entry brought in by a `<<` merge: what is written under `<<`.
    pub via: Option<NodeId>,
    pub parent: Option<InstId>,
    pub seg: Seg<'t>,
}

/// A mapping key that is not a string: compose-go refuses the file ("Non-string key").
#[derive(Debug)]
pub(super) struct BadKey {
    pub key: NodeId,
    /// The mapping value that holds the key.
    pub parent: InstId,
    /// What the key is: "an integer", "a mapping", ...
    pub what: &'static str,
    pub via: Option<NodeId>,
}

/// A `<<` whose value is neither a mapping nor a list of mappings: yaml.v3 refuses it ("map
/// merge requires map or sequence of maps as the value").
#[derive(Debug)]
pub(super) struct BadMerge {
    /// What is written under `<<`.
    pub value: NodeId,
    /// The mapping value that holds the `<<`.
    pub parent: InstId,
}

#[derive(Debug)]
pub(super) struct Document<'t> {
    pub insts: Vec<Inst<'t>>,
    pub bad_keys: Vec<BadKey>,
    pub bad_merges: Vec<BadMerge>,
}

impl<'t> Document<'t> {
    pub fn get(&self, id: InstId) -> &Inst<'t> {
        &self.insts[id as usize]
    }

    /// The value under `key` of the mapping at `id`.
    pub fn child(&self, id: InstId, key: &str) -> Option<InstId> {
        match &self.get(id).val {
            Val::Obj(entries) => entries.iter().find(|(k, _)| *k == key).map(|(_, v)| *v),
            _ => None,
        }
    }

    /// The values of the mapping (its entries' values) or list at `id`.
    pub fn children(&self, id: InstId) -> Vec<InstId> {
        match &self.get(id).val {
            Val::Obj(entries) => entries.iter().map(|(_, v)| *v).collect(),
            Val::Arr(items) => items.clone(),
            _ => Vec::new(),
        }
    }

    /// Call `f` with every value reached from `id` through `steps`: keys, or `[]` for every
    /// item of a list.
    pub fn visit(&self, id: InstId, steps: &[&str], f: &mut impl FnMut(InstId)) {
        let Some((step, rest)) = steps.split_first() else {
            return f(id);
        };
        match *step {
            "[]" => {
                if let Val::Arr(items) = &self.get(id).val {
                    for &i in items {
                        self.visit(i, rest, f);
                    }
                }
            }
            key => {
                if let Some(c) = self.child(id, key) {
                    self.visit(c, rest, f);
                }
            }
        }
    }

    /// The path of a value, `services.etcd.ports[0]`; empty for the document itself.
    pub fn path(&self, id: InstId) -> String {
        let mut segs = Vec::new();
        let mut cur = Some(id);
        while let Some(i) = cur {
            let inst = self.get(i);
            segs.push(inst.seg);
            cur = inst.parent;
        }
        let mut out = String::new();
        for seg in segs.iter().rev() {
            match seg {
                Seg::Root => {}
                Seg::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Seg::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }

    /// Whether the path of a value matches `pattern`, whose parts are keys, `*` (any key or
    /// index) or `[]` (any index).
    #[cfg(test)]
    pub fn path_matches(&self, id: InstId, pattern: &[&str]) -> bool {
        let mut cur = Some(id);
        let mut rest = pattern;
        while let Some(i) = cur {
            let inst = self.get(i);
            let ok = match inst.seg {
                Seg::Root => return rest.is_empty(),
                Seg::Key(k) => rest.last().is_some_and(|p| *p == "*" || *p == k),
                Seg::Index(_) => rest.last().is_some_and(|p| *p == "*" || *p == "[]"),
            };
            if !ok {
                return false;
            }
            rest = &rest[..rest.len() - 1];
            cur = inst.parent;
        }
        rest.is_empty()
    }
}

/// Why a document was not expanded.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Limit {
    /// More than [`MAX_VALUES`] values; `at` is the node being expanded when the limit was hit.
    Values { at: NodeId },
    /// Nested deeper than [`MAX_DEPTH`].
    Depth { at: NodeId },
    /// An alias inside the value of its own anchor: the value never ends.
    Cycle { alias: NodeId },
}

/// Expand the document whose root is `root`.
pub(super) fn build(tree: &Tree, root: NodeId) -> Result<Document<'_>, Limit> {
    build_with(tree, root, &[])
}

/// [`build`], with the values some interpolated strings at cast paths take once their
/// variables are read: `(node, cast, value)`, the node as [`Tree::resolve`] gives it. The
/// other interpolated strings there stay of unknown type.
pub(super) fn build_with<'t>(
    tree: &'t Tree,
    root: NodeId,
    known: &[(NodeId, Cast, Val<'t>)],
) -> Result<Document<'t>, Limit> {
    let mut b = Builder {
        tree,
        known,
        insts: Vec::new(),
        bad_keys: Vec::new(),
        bad_merges: Vec::new(),
        open: Vec::new(),
    };
    // Aliases aside, a document has a value a node at most.
    b.insts.reserve(tree.node_count().min(MAX_VALUES));
    let at = Place {
        depth: 0,
        casts: INTERPOLATION_CASTS,
    };
    b.value(root, None, None, None, Seg::Root, at)?;
    Ok(Document {
        insts: b.insts,
        bad_keys: b.bad_keys,
        bad_merges: b.bad_merges,
    })
}

/// How deep a value is in the document, and the cast paths that lead to it (a set of indices
/// into [`CASTS`]).
#[derive(Clone, Copy)]
struct Place {
    depth: usize,
    casts: u128,
}

impl Place {
    /// The place of a value in this one, through `seg` (a key, or `None` for an item).
    fn under(self, seg: Option<&str>) -> Place {
        Place {
            depth: self.depth + 1,
            casts: if self.casts == 0 {
                0
            } else {
                casts_through(self.casts, self.depth, seg)
            },
        }
    }
}

struct Builder<'t, 'k> {
    tree: &'t Tree,
    known: &'k [(NodeId, Cast, Val<'t>)],
    insts: Vec<Inst<'t>>,
    bad_keys: Vec<BadKey>,
    bad_merges: Vec<BadMerge>,
    /// The collections being built, from the root down.
    open: Vec<NodeId>,
}

impl<'t> Builder<'t, '_> {
    fn value(
        &mut self,
        node: NodeId,
        key: Option<NodeId>,
        via: Option<NodeId>,
        parent: Option<InstId>,
        seg: Seg<'t>,
        at: Place,
    ) -> Result<InstId, Limit> {
        if at.depth > MAX_DEPTH {
            return Err(Limit::Depth { at: node });
        }
        if self.insts.len() >= MAX_VALUES {
            return Err(Limit::Values { at: node });
        }
        let tree = self.tree;
        let target = tree.resolve(node);
        if target != node && self.open.contains(&target) {
            return Err(Limit::Cycle { alias: node });
        }
        let id = self.insts.len() as InstId;
        self.insts.push(Inst {
            val: Val::Null,
            node,
            key,
            via,
            parent,
            seg,
        });
        let n = tree.node(target);
        let collection = matches!(n.kind, NodeKind::Sequence { .. } | NodeKind::Mapping { .. });
        if collection {
            self.open.push(target);
        }
        let val = self.kind(n, target, id, at);
        if collection {
            self.open.pop();
        }
        self.insts[id as usize].val = val?;
        Ok(id)
    }

    /// The value of a node (not an alias) at `id`, at `at` in the document.
    fn kind(
        &mut self,
        n: &'t crate::yaml::Node,
        target: NodeId,
        id: InstId,
        at: Place,
    ) -> Result<Val<'t>, Limit> {
        let tree = self.tree;
        Ok(match &n.kind {
            NodeKind::Scalar { value, style } => {
                let tag = n.tag.as_ref().map(|t| t.text.as_str());
                let v = scalar(value, *style, tag);
                match v {
                    Val::Str { text, interpolated } => {
                        match cast_ending(at.casts, at.depth).map(|i| CASTS[i].1) {
                            Some(cast) if interpolated => self
                                .known
                                .iter()
                                .find(|(n, c, _)| *n == target && *c == cast)
                                .map_or(Val::Unknown, |(_, _, v)| v.clone()),
                            Some(cast) => cast.apply(text).unwrap_or(v),
                            None => v,
                        }
                    }
                    v => v,
                }
            }
            NodeKind::Sequence { items, .. } => {
                let mut out = Vec::with_capacity(items.len());
                let sub = at.under(None);
                for &item in items {
                    if is_reset(tree, item) {
                        continue;
                    }
                    let seg = Seg::Index(out.len());
                    let child = self.value(item, None, None, Some(id), seg, sub);
                    out.push(child?);
                }
                Val::Arr(out)
            }
            NodeKind::Mapping { .. } => {
                for e in tree.merge_entries(target) {
                    if is_reset(tree, e.value) {
                        continue;
                    }
                    let merged = tree.resolve(e.value);
                    let ok = match &tree.node(merged).kind {
                        NodeKind::Mapping { .. } => true,
                        NodeKind::Sequence { items, .. } => {
                            items.iter().all(|&i| tree.is_mapping(i))
                        }
                        _ => false,
                    };
                    if !ok {
                        self.bad_merges.push(BadMerge {
                            value: e.value,
                            parent: id,
                        });
                    }
                }
                let entries = tree.entries(target).unwrap_or(&[]);
                let mut out: Vec<(&'t str, InstId)> = Vec::with_capacity(entries.len());
                let mut index: Option<std::collections::HashMap<&'t str, usize>> = None;
                for e in entries {
                    if is_reset(tree, e.value) {
                        continue;
                    }
                    let k = match string_key(tree, e.key) {
                        Ok(k) => k,
                        Err(what) => {
                            self.bad_keys.push(BadKey {
                                key: e.key,
                                parent: id,
                                what,
                                via: e.merged_via,
                            });
                            continue;
                        }
                    };
                    let seg = Seg::Key(k);
                    let sub = at.under(Some(k));
                    let child =
                        self.value(e.value, Some(e.key), e.merged_via, Some(id), seg, sub)?;
                    // A key written twice (reported by yaml-duplicate-key): the last one wins.
                    if out.len() >= 16 && index.is_none() {
                        index = Some(out.iter().enumerate().map(|(i, (k, _))| (*k, i)).collect());
                    }
                    let at = match &index {
                        Some(ix) => ix.get(k).copied(),
                        None => out.iter().position(|(ok, _)| *ok == k),
                    };
                    match at {
                        Some(i) => out[i].1 = child,
                        None => {
                            if let Some(ix) = &mut index {
                                ix.insert(k, out.len());
                            }
                            out.push((k, child));
                        }
                    }
                }
                Val::Obj(out)
            }
            // `resolve` never returns an alias.
            NodeKind::Alias { .. } => Val::Null,
        })
    }
}

/// Whether a node (through an alias) is tagged `!reset`: compose-go drops it before validation.
fn is_reset(tree: &Tree, node: NodeId) -> bool {
    tree.tag(tree.resolve(node)) == Some("!reset")
}

/// A mapping key as the string Compose sees, or what it is instead of a string.
fn string_key(tree: &Tree, key: NodeId) -> Result<&str, &'static str> {
    let n = tree.node(tree.resolve(key));
    match &n.kind {
        NodeKind::Scalar { value, style } => {
            let tag = n.tag.as_ref().map(|t| t.text.as_str());
            match typed(value, *style, tag, false) {
                Val::Str { text, .. } => Ok(text),
                other => Err(type_name(&other)),
            }
        }
        NodeKind::Sequence { .. } => Err("a list"),
        NodeKind::Mapping { .. } => Err("a mapping"),
        NodeKind::Alias { .. } => Err("an alias"),
    }
}

/// The name of a value's type, with its article, as messages say it.
pub(super) fn type_name(v: &Val<'_>) -> &'static str {
    match v {
        Val::Null => "null",
        Val::Bool(_) => "a boolean",
        Val::Num { int: true, .. } => "an integer",
        Val::Num { .. } => "a number",
        Val::Str { .. } | Val::Unknown => "a string",
        Val::Arr(_) => "a list",
        Val::Obj(_) => "a mapping",
    }
}

/// The scalar at `node` (through an alias) typed as yaml.v3 types it; `None` for a collection.
pub(super) fn yaml_scalar<'t>(tree: &'t Tree, node: NodeId) -> Option<Val<'t>> {
    let n = tree.node(tree.resolve(node));
    match &n.kind {
        NodeKind::Scalar { value, style } => Some(scalar(
            value,
            *style,
            n.tag.as_ref().map(|t| t.text.as_str()),
        )),
        _ => None,
    }
}

/// The text of a scalar that yaml.v3 decodes as a number, without its underscores.
fn number_text(tree: &Tree, node: NodeId) -> Option<String> {
    let n = tree.node(tree.resolve(node));
    match &n.kind {
        NodeKind::Scalar { value, .. } => Some(value.chars().filter(|&c| c != '_').collect()),
        _ => None,
    }
}

/// The integer a scalar that yaml.v3 decodes as a number holds, when it decodes it as a Go
/// `int` (within 64 signed bits); `None` for a float or an unsigned integer beyond them.
pub(super) fn yaml_go_int(tree: &Tree, node: NodeId) -> Option<i64> {
    let p = number_text(tree, node)?;
    let signed = |v: i128| i64::try_from(v).ok();
    if let Some(v) = go_int(&p) {
        return signed(v);
    }
    let prefixed = |prefix: &str, radix: u32| -> Option<i128> {
        if let Some(rest) = p.strip_prefix(prefix) {
            return radix_int(rest, radix, true);
        }
        let rest = p.strip_prefix('-')?.strip_prefix(prefix)?;
        radix_int(rest, radix, false).map(|v| -v)
    };
    prefixed("0b", 2)
        .or_else(|| prefixed("0o", 8))
        .and_then(signed)
}

/// Whether a scalar that yaml.v3 decodes as a number is an integer beyond 64 signed bits (a
/// Go `uint64`).
pub(super) fn yaml_uint64(tree: &Tree, node: NodeId) -> bool {
    number_text(tree, node)
        .and_then(|p| go_int(&p))
        .is_some_and(|v| v > i64::MAX as i128)
}

/// A scalar typed as yaml.v3 decodes it into a Go `interface{}`.
fn scalar<'t>(value: &'t str, style: ScalarStyle, tag: Option<&str>) -> Val<'t> {
    typed(value, style, tag, true)
}

/// [`scalar`], with a string's `interpolated` looked for only when `interpolation` is set (a
/// key's is never read).
fn typed<'t>(
    value: &'t str,
    style: ScalarStyle,
    tag: Option<&str>,
    interpolation: bool,
) -> Val<'t> {
    let string = || Val::Str {
        text: value,
        interpolated: interpolation && interpolates(value),
    };
    match tag {
        // `!!str`, and the same tag written out.
        Some("!!str" | "!<tag:yaml.org,2002:str>") => string(),
        // Another standard tag: yaml.v3 resolves the text (a mismatch is a decode error, not a
        // schema matter).
        Some(t) if t.starts_with("!!") || t.starts_with("!<tag:yaml.org,2002:") => {
            plain_typed(value, interpolation)
        }
        // `!`, `!override` and any custom tag: yaml.v3 cannot resolve it, and keeps the text.
        Some(_) => string(),
        None if style == ScalarStyle::Plain => plain_typed(value, interpolation),
        None => string(),
    }
}

/// Whether yaml.v3 decodes the number `s` (a plain scalar, or one with the standard tag `tag`)
/// as a float: `!!float`, or a number that is not an integer to Go (`2.0`, `1e3`, `.inf`).
fn yaml_float(s: &str, tag: Option<&str>) -> bool {
    if matches!(tag, Some("!!float" | "!<tag:yaml.org,2002:float>")) {
        return true;
    }
    let p: String = s.chars().filter(|&c| c != '_').collect();
    go_int(&p).is_none()
}

/// yaml.v3's `resolve` for an untagged plain scalar.
#[cfg(test)]
fn plain(s: &str) -> Val<'_> {
    plain_typed(s, true)
}

/// [`plain`], with a string's `interpolated` looked for only when `interpolation` is set.
fn plain_typed(s: &str, interpolation: bool) -> Val<'_> {
    let num = |value: f64| Val::Num {
        value,
        int: value.is_finite() && value.fract() == 0.0,
    };
    match s {
        "true" | "True" | "TRUE" => return Val::Bool(true),
        "false" | "False" | "FALSE" => return Val::Bool(false),
        "" | "~" | "null" | "Null" | "NULL" => return Val::Null,
        ".nan" | ".NaN" | ".NAN" => return num(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return num(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return num(f64::NEG_INFINITY),
        _ => {}
    }
    let string = || Val::Str {
        text: s,
        interpolated: interpolation && interpolates(s),
    };
    match s.as_bytes().first() {
        Some(b'.') => match finite_float(s) {
            Some(f) => num(f),
            None => string(),
        },
        Some(b'+' | b'-' | b'0'..=b'9') => {
            // Every number form below is made of these (`9000:9000`, `./data` are not).
            if !s
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'_' | b'.'))
            {
                return string();
            }
            // Underscores are dropped first, then Go's `ParseInt(s, 0, 64)`, `ParseUint`, a
            // YAML-style float, and the `0b`/`0o` forms with a sign after the prefix.
            let p: std::borrow::Cow<'_, str> = if s.contains('_') {
                s.chars().filter(|&c| c != '_').collect::<String>().into()
            } else {
                s.into()
            };
            if let Some(i) = go_int(&p) {
                return num(i as f64);
            }
            if yaml_style_float(&p)
                && let Some(f) = finite_float(&p)
            {
                return num(f);
            }
            let prefixed = |prefix: &str, radix: u32| -> Option<i128> {
                if let Some(rest) = p.strip_prefix(prefix) {
                    return radix_int(rest, radix, true);
                }
                let rest = p.strip_prefix('-')?.strip_prefix(prefix)?;
                radix_int(rest, radix, false).map(|v| -v)
            };
            if let Some(i) = prefixed("0b", 2).or_else(|| prefixed("0o", 8))
                && (i64::MIN as i128..=u64::MAX as i128).contains(&i)
            {
                return num(i as f64);
            }
            string()
        }
        _ => string(),
    }
}

/// A float that Go's `ParseFloat` accepts without a range error, for the texts `plain` gives it
/// (a leading `.`, or a YAML-style decimal float).
fn finite_float(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Go's `strconv.ParseInt(s, 0, 64)`, then `ParseUint(s, 0, 64)`: a sign (ParseInt only), then
/// `0x`, `0o`, `0b`, a leading `0` (octal) or decimal digits, within 64 bits.
fn go_int(s: &str) -> Option<i128> {
    let (neg, signed, body) = match s.as_bytes().first()? {
        b'-' => (true, true, &s[1..]),
        b'+' => (false, true, &s[1..]),
        _ => (false, false, s),
    };
    // The prefix in either case (`to_digit` takes hexadecimal digits in either case).
    let prefix = |p: &str| {
        body.get(..2)
            .filter(|b| b.eq_ignore_ascii_case(p))
            .map(|_| &body[2..])
    };
    let (radix, digits) = if let Some(d) = prefix("0x") {
        (16, d)
    } else if let Some(d) = prefix("0o") {
        (8, d)
    } else if let Some(d) = prefix("0b") {
        (2, d)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    let v = radix_int(digits, radix, false)?;
    let v = if neg { -v } else { v };
    if (i64::MIN as i128..=i64::MAX as i128).contains(&v) || (!signed && v <= u64::MAX as i128) {
        Some(v)
    } else {
        None
    }
}

/// Digits in `radix` (with an optional sign when `sign` is set), at most 128 bits wide.
fn radix_int(s: &str, radix: u32, sign: bool) -> Option<i128> {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') if sign => (true, &s[1..]),
        Some(b'+') if sign => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || digits.len() > 40 {
        return None;
    }
    let mut v: i128 = 0;
    for c in digits.chars() {
        v = v
            .checked_mul(radix as i128)?
            .checked_add(c.to_digit(radix)? as i128)?;
    }
    Some(if neg { -v } else { v })
}

/// yaml.v3's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    } else {
        if !digits(&mut i) {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// Whether Compose's interpolation changes a string: a `$` followed by a name or `{` (`$$` is
/// an escaped `$`).
pub(super) fn interpolates(s: &str) -> bool {
    let b = s.as_bytes();
    // Most strings have no `$`: `contains` looks for one a word at a time.
    if !b.contains(&b'$') {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            match b.get(i + 1) {
                Some(b'$') => i += 2,
                Some(c) if *c == b'{' || *c == b'_' || c.is_ascii_alphabetic() => return true,
                _ => i += 1,
            }
        } else {
            i += 1;
        }
    }
    false
}

/// How compose-go casts the string at a path after interpolation (`interpolateTypeCastMapping`
/// in its loader), or, for the last two, how it decodes the string into its model after
/// validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Cast {
    /// `strconv.Atoi` / `ParseInt(s, 10, 64)`.
    Int,
    /// `strconv.ParseFloat(s, 64)`.
    Float,
    /// `strconv.ParseFloat(s, 32)`.
    Float32,
    /// `true`/`false`, and YAML 1.1's `y`/`yes`/`on`/`n`/`no`/`off`, in any case.
    Bool,
    /// Not a cast: the `cpus` of `deploy.resources` (compose-go's `NanoCPUs`), decoded with
    /// `strconv.ParseFloat(s, 64)`.
    NanoCpus,
    /// Not a cast: the `mode` of a service's secret or config (compose-go's `FileMode`),
    /// decoded with `strconv.ParseInt(s, 8, 64)`.
    FileMode,
    /// Not a cast: a duration (compose-go's `Duration`), decoded with go-str2duration's
    /// `ParseDuration`: Go's `time.ParseDuration` with days (`d`) and weeks (`w`).
    Duration,
    /// Not a cast: a size (compose-go's `UnitBytes`: `mem_limit`, `shm_size`, a tmpfs `size`,
    /// `deploy.resources.*.memory`, ...), decoded with go-units' `RAMInBytes` ([`ram_in_bytes`]).
    Bytes,
    /// Not a cast: an `int64` setting (`deploy.resources.limits.pids`) mapstructure decodes
    /// from a string with `strconv.ParseInt(s, 10, 64)`.
    Int64,
    /// Not a cast: a device request's `count` (compose-go's `DeviceCount`): `all` in any case,
    /// or `strconv.ParseInt(s, 10, 64)`.
    DeviceCount,
}

impl Cast {
    /// The cast value, or `None` when compose-go fails to cast it (a load error of its own, not
    /// a schema matter).
    pub(super) fn apply<'t>(self, s: &str) -> Option<Val<'t>> {
        match self {
            Cast::DeviceCount if s.eq_ignore_ascii_case("all") => Some(Val::Num {
                value: -1.0,
                int: true,
            }),
            Cast::Bytes => ram_in_bytes(s).map(|v| Val::Num {
                value: v as f64,
                int: true,
            }),
            Cast::Int | Cast::Int64 | Cast::DeviceCount => {
                let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let v: i64 = s.parse().ok()?;
                Some(Val::Num {
                    value: v as f64,
                    int: true,
                })
            }
            Cast::Duration => str2duration(s).map(|ns| Val::Num {
                value: ns as f64,
                int: true,
            }),
            Cast::FileMode => {
                let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
                if digits.is_empty() || !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                    return None;
                }
                let v = i64::from_str_radix(s, 8).ok()?;
                Some(Val::Num {
                    value: v as f64,
                    int: true,
                })
            }
            Cast::Float | Cast::Float32 | Cast::NanoCpus => {
                let v = go_parse_float(s)?;
                if matches!(self, Cast::Float32) && v.is_finite() && v.abs() > f32::MAX as f64 {
                    return None;
                }
                Some(Val::Num {
                    value: v,
                    int: v.is_finite() && v.fract() == 0.0,
                })
            }
            Cast::Bool => match s.to_ascii_lowercase().as_str() {
                "true" | "y" | "yes" | "on" => Some(Val::Bool(true)),
                "false" | "n" | "no" | "off" => Some(Val::Bool(false)),
                _ => None,
            },
        }
    }
}

/// go-str2duration's `ParseDuration` (v2.1.0, what compose-go v2.9.1 uses), in nanoseconds:
/// a sign, then `0`, or numbers (`1`, `1.5`, `.5`) each with a unit (`ns`, `us`, `µs`, `μs`,
/// `ms`, `s`, `m`, `h`, `d`, `w`), within 64 bits.
pub(super) fn str2duration(s: &str) -> Option<i64> {
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut d: i64 = 0;
    while !rest.is_empty() {
        let b = rest.as_bytes();
        if !(b[0] == b'.' || b[0].is_ascii_digit()) {
            return None;
        }
        // [0-9]*
        let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let mut v: i64 = 0;
        for &c in &b[..int_len] {
            v = v.checked_mul(10)?.checked_add(i64::from(c - b'0'))?;
        }
        rest = &rest[int_len..];
        // (\.[0-9]*)?
        let (mut f, mut scale, mut post) = (0i64, 1f64, false);
        if let Some(after) = rest.strip_prefix('.') {
            let n = after.bytes().take_while(u8::is_ascii_digit).count();
            let mut overflow = false;
            for c in after.bytes().take(n) {
                if overflow {
                    continue;
                }
                match f
                    .checked_mul(10)
                    .and_then(|x| x.checked_add(i64::from(c - b'0')))
                {
                    Some(y) => {
                        f = y;
                        scale *= 10.0;
                    }
                    None => overflow = true,
                }
            }
            post = n > 0;
            rest = &after[n..];
        }
        if int_len == 0 && !post {
            return None;
        }
        let unit_len = rest
            .bytes()
            .take_while(|c| !(*c == b'.' || c.is_ascii_digit()))
            .count();
        if unit_len == 0 {
            return None;
        }
        let unit: i64 = match &rest[..unit_len] {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "d" => 86_400_000_000_000,
            "w" => 604_800_000_000_000,
            _ => return None,
        };
        rest = &rest[unit_len..];
        if v > i64::MAX / unit {
            return None;
        }
        v *= unit;
        if f > 0 {
            v = v.wrapping_add((f as f64 * (unit as f64 / scale)) as i64);
            if v < 0 {
                return None;
            }
        }
        d = d.checked_add(v)?;
    }
    Some(if neg { -d } else { d })
}

/// compose-go's cast paths (`interpolateTypeCastMapping` in `loader/interpolate.go` of
/// compose-go v2.9.1, the version Docker Compose v2.40.3 uses): `*` is any key, `[]` any list
/// index.
const CASTS: &[(&[&str], Cast)] = &[
    (&["services", "*", "cpu_count"], Cast::Int),
    (&["services", "*", "cpu_percent"], Cast::Float),
    (&["services", "*", "cpu_period"], Cast::Int),
    (&["services", "*", "cpu_quota"], Cast::Int),
    (&["services", "*", "cpu_rt_period"], Cast::Int),
    (&["services", "*", "cpu_rt_runtime"], Cast::Int),
    (&["services", "*", "cpus"], Cast::Float32),
    (&["services", "*", "cpu_shares"], Cast::Int),
    (&["services", "*", "init"], Cast::Bool),
    (&["services", "*", "deploy", "replicas"], Cast::Int),
    (
        &["services", "*", "deploy", "update_config", "parallelism"],
        Cast::Int,
    ),
    (
        &[
            "services",
            "*",
            "deploy",
            "update_config",
            "max_failure_ratio",
        ],
        Cast::Float,
    ),
    (
        &["services", "*", "deploy", "rollback_config", "parallelism"],
        Cast::Int,
    ),
    (
        &[
            "services",
            "*",
            "deploy",
            "rollback_config",
            "max_failure_ratio",
        ],
        Cast::Float,
    ),
    (
        &["services", "*", "deploy", "restart_policy", "max_attempts"],
        Cast::Int,
    ),
    (
        &[
            "services",
            "*",
            "deploy",
            "placement",
            "max_replicas_per_node",
        ],
        Cast::Int,
    ),
    (&["services", "*", "healthcheck", "retries"], Cast::Int),
    (&["services", "*", "healthcheck", "disable"], Cast::Bool),
    (&["services", "*", "oom_kill_disable"], Cast::Bool),
    (&["services", "*", "oom_score_adj"], Cast::Int),
    (&["services", "*", "pids_limit"], Cast::Int),
    (&["services", "*", "ports", "[]", "target"], Cast::Int),
    (&["services", "*", "privileged"], Cast::Bool),
    (&["services", "*", "read_only"], Cast::Bool),
    (&["services", "*", "scale"], Cast::Int),
    (&["services", "*", "stdin_open"], Cast::Bool),
    (&["services", "*", "tty"], Cast::Bool),
    (&["services", "*", "ulimits", "*"], Cast::Int),
    (&["services", "*", "ulimits", "*", "hard"], Cast::Int),
    (&["services", "*", "ulimits", "*", "soft"], Cast::Int),
    (&["services", "*", "volumes", "[]", "read_only"], Cast::Bool),
    (
        &["services", "*", "volumes", "[]", "volume", "nocopy"],
        Cast::Bool,
    ),
    (&["networks", "*", "external"], Cast::Bool),
    (&["networks", "*", "internal"], Cast::Bool),
    (&["networks", "*", "attachable"], Cast::Bool),
    (&["networks", "*", "enable_ipv4"], Cast::Bool),
    (&["networks", "*", "enable_ipv6"], Cast::Bool),
    (&["volumes", "*", "external"], Cast::Bool),
    (&["secrets", "*", "external"], Cast::Bool),
    (&["configs", "*", "external"], Cast::Bool),
    // Not casts (see [`Cast::at_interpolation`]): strings compose-go decodes into numbers.
    (
        &["services", "*", "deploy", "resources", "limits", "cpus"],
        Cast::NanoCpus,
    ),
    (
        &[
            "services",
            "*",
            "deploy",
            "resources",
            "reservations",
            "cpus",
        ],
        Cast::NanoCpus,
    ),
    (&["services", "*", "secrets", "[]", "mode"], Cast::FileMode),
    (
        &["services", "*", "healthcheck", "interval"],
        Cast::Duration,
    ),
    (&["services", "*", "healthcheck", "timeout"], Cast::Duration),
    (
        &["services", "*", "healthcheck", "start_period"],
        Cast::Duration,
    ),
    (
        &["services", "*", "healthcheck", "start_interval"],
        Cast::Duration,
    ),
    (&["services", "*", "stop_grace_period"], Cast::Duration),
    (
        &["services", "*", "deploy", "restart_policy", "delay"],
        Cast::Duration,
    ),
    (
        &["services", "*", "deploy", "restart_policy", "window"],
        Cast::Duration,
    ),
    (
        &["services", "*", "deploy", "update_config", "delay"],
        Cast::Duration,
    ),
    (
        &["services", "*", "deploy", "update_config", "monitor"],
        Cast::Duration,
    ),
    (
        &["services", "*", "deploy", "rollback_config", "delay"],
        Cast::Duration,
    ),
    (
        &["services", "*", "deploy", "rollback_config", "monitor"],
        Cast::Duration,
    ),
    (&["services", "*", "configs", "[]", "mode"], Cast::FileMode),
    (&["services", "*", "mem_limit"], Cast::Bytes),
    (&["services", "*", "mem_reservation"], Cast::Bytes),
    (&["services", "*", "memswap_limit"], Cast::Bytes),
    (&["services", "*", "shm_size"], Cast::Bytes),
    (&["services", "*", "build", "shm_size"], Cast::Bytes),
    (
        &["services", "*", "volumes", "[]", "tmpfs", "size"],
        Cast::Bytes,
    ),
    (
        &["services", "*", "deploy", "resources", "limits", "memory"],
        Cast::Bytes,
    ),
    (
        &[
            "services",
            "*",
            "deploy",
            "resources",
            "reservations",
            "memory",
        ],
        Cast::Bytes,
    ),
    (
        &[
            "services",
            "*",
            "blkio_config",
            "device_read_bps",
            "[]",
            "rate",
        ],
        Cast::Bytes,
    ),
    (
        &[
            "services",
            "*",
            "blkio_config",
            "device_write_bps",
            "[]",
            "rate",
        ],
        Cast::Bytes,
    ),
    (
        &["services", "*", "deploy", "resources", "limits", "pids"],
        Cast::Int64,
    ),
    (
        &[
            "services",
            "*",
            "deploy",
            "resources",
            "reservations",
            "devices",
            "[]",
            "count",
        ],
        Cast::DeviceCount,
    ),
    (&["services", "*", "gpus", "[]", "count"], Cast::DeviceCount),
];

impl Cast {
    /// Whether compose-go casts the string when it interpolates it, before it validates the
    /// file (else it decodes it into its model, after validation).
    pub(super) const fn at_interpolation(self) -> bool {
        !matches!(
            self,
            Cast::NanoCpus
                | Cast::FileMode
                | Cast::Duration
                | Cast::Bytes
                | Cast::Int64
                | Cast::DeviceCount
        )
    }

    /// Whether compose-go keeps the number in a 32-bit float (`cpus`, `cpu_percent`,
    /// `max_failure_ratio`, `deploy.resources.*.cpus`).
    pub(super) fn float32(self) -> bool {
        matches!(self, Cast::Float | Cast::Float32 | Cast::NanoCpus)
    }

    /// What the value must be, in a word.
    pub(super) fn expected_short(self) -> &'static str {
        match self {
            Cast::Int | Cast::Int64 => "an integer",
            Cast::Float | Cast::Float32 | Cast::NanoCpus => "a number",
            Cast::Bool => "a boolean",
            Cast::Bytes => "a size",
            Cast::DeviceCount => "an integer or `all`",
            Cast::FileMode => "an octal number",
            Cast::Duration => "a duration",
        }
    }

    /// What the value must be.
    pub(super) fn expected(self) -> &'static str {
        match self {
            Cast::Int => "an integer",
            Cast::Int64 => "an integer (within 64 bits)",
            Cast::DeviceCount => "an integer (within 64 bits) or `all`",
            Cast::Bytes => {
                "a size (a number of 0 or more, optionally with a unit: `512m`, `1.5g`, `1gb`, \
                 `2GiB`; the units are `b`, `k`, `m`, `g`, `t` and `p`)"
            }
            Cast::Float | Cast::NanoCpus => "a number",
            Cast::FileMode => "an octal number (digits 0 to 7, within 64 bits)",
            Cast::Duration => {
                "a duration (numbers with units: `30s`, `1m30s`, `1.5h`, `2d`; the units are \
                 `ns`, `us`, `ms`, `s`, `m`, `h`, `d` and `w`)"
            }
            Cast::Float32 => "a number (within a 32-bit float)",
            Cast::Bool => {
                "a boolean (`true`, `false`, or YAML 1.1's `yes`, `no`, `on`, `off`, `y`, `n`)"
            }
        }
    }
}

/// A string at a place compose-go casts (see [`CASTS`]).
pub(super) struct CastString<'t> {
    pub node: NodeId,
    pub cast: Cast,
    pub text: &'t str,
    /// A number yaml.v3 decodes as a float (then `text` is the number as written).
    pub float: bool,
    /// `services.etcd.read_only`.
    pub path: String,
}

/// Every value of the document at `root` that yaml.v3 decodes as a string where compose-go
/// casts it, through aliases and `<<` merges. Only the entries some cast path can go through
/// are visited.
pub(super) fn cast_strings<'t>(tree: &'t Tree, root: NodeId, out: &mut Vec<CastString<'t>>) {
    let mut path = Vec::new();
    walk_casts(tree, root, ALL_CASTS, &mut path, out);
}

/// Every cast path, as a set of indices into [`CASTS`].
const ALL_CASTS: u128 = {
    assert!(CASTS.len() <= 128, "the cast paths are a 128-bit set");
    if CASTS.len() == 128 {
        u128::MAX
    } else {
        (1u128 << CASTS.len()) - 1
    }
};

/// The cast paths compose-go casts at interpolation ([`Cast::at_interpolation`]).
const INTERPOLATION_CASTS: u128 = {
    let mut set = 0;
    let mut i = 0;
    while i < CASTS.len() {
        if CASTS[i].1.at_interpolation() {
            set |= 1 << i;
        }
        i += 1;
    }
    set
};

/// Most distinct keys the cast paths have at one depth.
const LEVEL_KEYS: usize = 48;
/// One more than the longest cast path.
const LEVELS: usize = 9;

/// What the cast paths have at one depth: each key they name there with the set of those that
/// name it (in the order of their [`key_word`]), the sets of those with `*` and with `[]`
/// there, and the set of those that end there (sets of indices into [`CASTS`]).
struct Level {
    keys: [(u128, &'static str, u128); LEVEL_KEYS],
    len: usize,
    any: u128,
    items: u128,
    ends: u128,
}

/// [`Level`] of every depth, made when milvet is compiled: following a path through the cast
/// paths costs a few set operations a step, and a comparison with each key that a path still
/// followed names there.
static CAST_LEVELS: [Level; LEVELS] = cast_levels();

const fn cast_levels() -> [Level; LEVELS] {
    const fn same(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }
    const EMPTY: Level = Level {
        keys: [(0, "", 0); LEVEL_KEYS],
        len: 0,
        any: 0,
        items: 0,
        ends: 0,
    };
    let mut levels = [EMPTY; LEVELS];
    let mut i = 0;
    while i < CASTS.len() {
        let (path, bit) = (CASTS[i].0, 1u128 << i);
        assert!(path.len() < LEVELS, "a cast path longer than LEVELS allows");
        levels[path.len()].ends |= bit;
        let mut depth = 0;
        while depth < path.len() {
            let level = &mut levels[depth];
            let seg = path[depth];
            if same(seg, "*") {
                level.any |= bit;
            } else if same(seg, "[]") {
                level.items |= bit;
            } else {
                let mut k = 0;
                while k < level.len && !same(level.keys[k].1, seg) {
                    k += 1;
                }
                if k == level.len {
                    assert!(
                        k < LEVEL_KEYS,
                        "more keys at one depth than LEVEL_KEYS allows"
                    );
                    level.keys[k] = (key_word(seg), seg, 0);
                    level.len += 1;
                }
                level.keys[k].2 |= bit;
            }
            depth += 1;
        }
        i += 1;
    }
    // Each level's keys in the order of their words, for a bisection.
    let mut depth = 0;
    while depth < LEVELS {
        let level = &mut levels[depth];
        let mut k = 1;
        while k < level.len {
            let mut j = k;
            while j > 0 && level.keys[j - 1].0 > level.keys[j].0 {
                let t = level.keys[j - 1];
                level.keys[j - 1] = level.keys[j];
                level.keys[j] = t;
                j -= 1;
            }
            k += 1;
        }
        depth += 1;
    }
    levels
}

/// A key's length and first 8 bytes as one number: keys of different words differ, keys of one
/// word are told apart by their text.
const fn key_word(key: &str) -> u128 {
    let b = key.as_bytes();
    let mut word = (b.len() as u128) << 64;
    let mut i = 0;
    while i < b.len() && i < 8 {
        word |= (b[i] as u128) << (56 - 8 * i);
        i += 1;
    }
    word
}

/// The cast paths of `patterns` (a set of indices into [`CASTS`]) that go on through `seg`
/// (a key, or `None` for an item of a sequence) at `depth`: those with `*` there, those with
/// `[]` for an item, those that name the key.
fn casts_through(patterns: u128, depth: usize, seg: Option<&str>) -> u128 {
    let Some(level) = CAST_LEVELS.get(depth) else {
        return 0;
    };
    let mut sub = patterns & level.any;
    match seg {
        None => sub |= patterns & level.items,
        Some(key) => {
            // A key written `[]` is what the path `[]` names too.
            if key == "[]" {
                sub |= patterns & level.items;
            }
            let keys = &level.keys[..level.len];
            let word = {
                // `key_word`, read a word at a time.
                let b = key.as_bytes();
                let mut head = [0u8; 8];
                let n = b.len().min(8);
                head[..n].copy_from_slice(&b[..n]);
                ((b.len() as u128) << 64) | u128::from(u64::from_be_bytes(head))
            };
            let first = keys.partition_point(|(w, ..)| *w < word);
            for &(w, k, set) in &keys[first..] {
                if w != word {
                    break;
                }
                if k == key {
                    sub |= set & patterns;
                    break;
                }
            }
        }
    }
    sub
}

/// The first of the cast paths `patterns` (a set of indices into [`CASTS`]) that ends at
/// `depth`.
fn cast_ending(patterns: u128, depth: usize) -> Option<usize> {
    let ends = CAST_LEVELS.get(depth).map_or(0, |l| l.ends) & patterns;
    (ends != 0).then(|| ends.trailing_zeros() as usize)
}

/// One step of the path [`walk_casts`] is at: a key, or an index in a sequence.
enum Step<'t> {
    Key(&'t str),
    Index(usize),
}

/// Visit `node`, at `path`, for the cast paths `patterns` (a set of indices into [`CASTS`])
/// that lead to it.
fn walk_casts<'t>(
    tree: &'t Tree,
    node: NodeId,
    patterns: u128,
    path: &mut Vec<Step<'t>>,
    out: &mut Vec<CastString<'t>>,
) {
    let depth = path.len();
    let target = tree.resolve(node);
    let n = tree.node(target);
    match &n.kind {
        NodeKind::Scalar { value, style } => {
            // A scalar ends the walk (`ulimits.nofile` is cast as a whole when it is one, its
            // `soft` and `hard` when it is a mapping).
            let Some(i) = cast_ending(patterns, depth) else {
                return;
            };
            let tag = n.tag.as_ref().map(|t| t.text.as_str());
            let found = match scalar(value, *style, tag) {
                Val::Str { text, .. } => Some((text, false)),
                // `DeviceCount` decodes an integer or a string, not yaml.v3's float64 (`2.0`,
                // `1e3`: "invalid type float64 for device count"; `2.5` is the schema's).
                Val::Num { int: true, .. }
                    if CASTS[i].1 == Cast::DeviceCount && yaml_float(value, tag) =>
                {
                    Some((value.as_str(), true))
                }
                _ => None,
            };
            if let Some((text, float)) = found {
                let mut dotted = String::new();
                for (k, step) in path.iter().enumerate() {
                    if k > 0 {
                        dotted.push('.');
                    }
                    match step {
                        Step::Key(key) => dotted.push_str(key),
                        Step::Index(i) => dotted.push_str(&i.to_string()),
                    }
                }
                out.push(CastString {
                    node,
                    cast: CASTS[i].1,
                    text,
                    float,
                    path: dotted,
                });
            }
        }
        NodeKind::Mapping { .. } => {
            for e in tree.entries(target).unwrap_or(&[]) {
                let Some(key) = tree.scalar(e.key) else {
                    continue;
                };
                let sub = casts_through(patterns, depth, Some(key));
                if sub == 0 || is_reset(tree, e.value) {
                    continue;
                }
                path.push(Step::Key(key));
                walk_casts(tree, e.value, sub, path, out);
                path.pop();
            }
        }
        NodeKind::Sequence { items, .. } => {
            let sub = casts_through(patterns, depth, None);
            if sub == 0 {
                return;
            }
            for (i, &item) in items.iter().enumerate() {
                if is_reset(tree, item) {
                    continue;
                }
                path.push(Step::Index(i));
                walk_casts(tree, item, sub, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The cast compose-go applies at interpolation to a string at a path, if any.
#[cfg(test)]
fn cast_of(path: &[Seg<'_>]) -> Option<Cast> {
    let mut patterns = INTERPOLATION_CASTS;
    for (depth, seg) in path.iter().enumerate() {
        patterns = match seg {
            Seg::Key(k) => casts_through(patterns, depth, Some(k)),
            Seg::Index(_) => casts_through(patterns, depth, None),
            Seg::Root => 0,
        };
    }
    cast_ending(patterns, path.len()).map(|i| CASTS[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each answer is Docker Compose v2.40.3's (`mem_limit: "<s>"`, `config --quiet`).
    #[test]
    fn sizes_decode_as_go_units_ram_in_bytes_decodes_them() {
        for (s, want) in [
            ("1g", Some(1 << 30)),
            ("1GB", Some(1 << 30)),
            ("1KiB", Some(1024)),
            ("1kib", Some(1024)),
            ("1 g", Some(1 << 30)),
            ("1 gb", Some(1 << 30)),
            ("1.5g", Some(3 << 29)),
            (".5g", Some(1 << 29)),
            ("1.g", Some(1 << 30)),
            ("+1g", Some(1 << 30)),
            ("1e3", Some(1000)),
            ("1_000", Some(1000)),
            ("1.5", Some(1)),
            ("1.", Some(1)),
            ("1 ", Some(1)),
            ("1b", Some(1)),
            ("0", Some(0)),
            ("00", Some(0)),
            ("1p", Some(1 << 50)),
            ("0x1p4", Some(16)),
            ("99999999999999999999", Some(i64::MIN)),
            ("abc", None),
            ("12x", None),
            ("", None),
            ("-1", None),
            ("-1g", None),
            (" 1g", None),
            ("1  g", None),
            ("1 1", None),
            ("1e", None),
            ("0x10", None),
            ("1,5g", None),
            ("1ib", None),
            ("1gi", None),
            ("1bb", None),
            ("1gg", None),
            (".", None),
            ("inf", None),
            ("1e400", None),
            ("1__0", None),
        ] {
            assert_eq!(ram_in_bytes(s), want, "{s:?}");
        }
    }

    /// Docker Compose v2.40.3's answers for `deploy.resources.limits.pids` and a device
    /// request's `count`, written as strings.
    #[test]
    fn pids_and_device_counts_decode_as_compose_go_decodes_them() {
        let ok = |c: Cast, s: &str| c.apply(s).is_some();
        for s in ["5", "+5", "-1", "0"] {
            assert!(ok(Cast::Int64, s) && ok(Cast::DeviceCount, s), "{s:?}");
        }
        for s in [
            "abc",
            "5.0",
            " 5",
            "0x5",
            "1_0",
            "",
            "5k",
            "99999999999999999999",
        ] {
            assert!(!ok(Cast::Int64, s) && !ok(Cast::DeviceCount, s), "{s:?}");
        }
        for s in ["all", "ALL", "aLl"] {
            assert!(ok(Cast::DeviceCount, s) && !ok(Cast::Int64, s), "{s:?}");
        }
        assert!(!ok(Cast::DeviceCount, "some"));
    }

    #[test]
    fn cast_of_finds_what_a_scan_of_every_cast_path_finds() {
        let scan = |path: &[Seg<'_>]| {
            CASTS.iter().find_map(|(pattern, cast)| {
                (cast.at_interpolation()
                    && pattern.len() == path.len()
                    && pattern.iter().zip(path).all(|(p, seg)| match seg {
                        Seg::Key(k) => *p == "*" || p == k,
                        Seg::Index(_) => *p == "*" || *p == "[]",
                        Seg::Root => false,
                    }))
                .then_some(*cast)
            })
        };
        let mut paths: Vec<Vec<Seg<'_>>> = Vec::new();
        for (pattern, _) in CASTS {
            for wild in ["etcd", "cpus", "soft", "external"] {
                let concrete = |p: &&'static str| match *p {
                    "*" => Seg::Key(wild),
                    "[]" => Seg::Index(0),
                    k => Seg::Key(k),
                };
                let path: Vec<Seg<'_>> = pattern.iter().map(concrete).collect();
                for cut in 0..=path.len() {
                    let mut p: Vec<Seg<'_>> = path[..cut]
                        .iter()
                        .map(|s| match s {
                            Seg::Key(k) => Seg::Key(k),
                            Seg::Index(i) => Seg::Index(*i),
                            Seg::Root => Seg::Root,
                        })
                        .collect();
                    paths.push(
                        p.iter()
                            .map(|s| match s {
                                Seg::Key(k) => Seg::Key(k),
                                Seg::Index(i) => Seg::Index(*i),
                                Seg::Root => Seg::Root,
                            })
                            .collect(),
                    );
                    p.push(Seg::Key("image"));
                    paths.push(p);
                }
            }
        }
        let mut hits = 0;
        for path in &paths {
            let want = scan(path);
            hits += usize::from(want.is_some());
            assert_eq!(
                cast_of(path).map(|c| c.expected()),
                want.map(|c| c.expected())
            );
        }
        assert!(hits >= CASTS.len(), "{hits} paths are cast");
    }

    /// The cast paths of `patterns` that go on through `seg` at `depth`, as a scan of every
    /// path finds them.
    fn scan_through(patterns: u128, depth: usize, seg: Option<&str>) -> u128 {
        let mut sub = 0;
        for (i, (p, _)) in CASTS.iter().enumerate() {
            if patterns & (1 << i) != 0
                && p.len() > depth
                && match (p[depth], seg) {
                    ("*", _) | ("[]", None) => true,
                    (k, Some(seg)) => k == seg,
                    _ => false,
                }
            {
                sub |= 1 << i;
            }
        }
        sub
    }

    #[test]
    fn the_cast_levels_follow_what_a_scan_of_every_cast_path_finds() {
        let mut keys: Vec<Option<&str>> = vec![None, Some("*"), Some("[]"), Some("etcd")];
        for (p, _) in CASTS {
            keys.extend(p.iter().map(|k| Some(*k)));
        }
        keys.sort();
        keys.dedup();
        let mut steps = 0;
        // Every set of cast paths a path made of those keys leads to.
        let mut seen = std::collections::HashSet::new();
        let mut frontier = vec![(ALL_CASTS, 0), (INTERPOLATION_CASTS, 0)];
        while let Some((patterns, depth)) = frontier.pop() {
            if !seen.insert((patterns, depth)) {
                continue;
            }
            assert_eq!(
                cast_ending(patterns, depth),
                CASTS
                    .iter()
                    .enumerate()
                    .position(|(i, (p, _))| patterns & (1 << i) != 0 && p.len() == depth)
            );
            for seg in &keys {
                let want = scan_through(patterns, depth, *seg);
                assert_eq!(
                    casts_through(patterns, depth, *seg),
                    want,
                    "{depth} {seg:?}"
                );
                steps += 1;
                if want != 0 {
                    frontier.push((want, depth + 1));
                }
            }
        }
        assert!(steps > 5_000, "{steps}");
    }

    fn kind(s: &str) -> String {
        match plain(s) {
            Val::Null => "null".into(),
            Val::Bool(b) => format!("bool {b}"),
            Val::Num { value, int } => format!("{} {value}", if int { "int" } else { "num" }),
            Val::Str { .. } => "str".into(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn plain_scalars_are_typed_as_yaml_v3_types_them() {
        for (s, want) in [
            ("true", "bool true"),
            ("TRUE", "bool true"),
            ("False", "bool false"),
            ("yes", "str"),
            ("on", "str"),
            ("off", "str"),
            ("y", "str"),
            ("", "null"),
            ("~", "null"),
            ("Null", "null"),
            ("nil", "str"),
            ("8080", "int 8080"),
            ("-12", "int -12"),
            ("+7", "int 7"),
            ("1_000", "int 1000"),
            ("0x1F", "int 31"),
            ("0o17", "int 15"),
            ("0b101", "int 5"),
            ("0777", "int 511"),
            ("08", "int 8"),
            ("1.5", "num 1.5"),
            ("1.0", "int 1"),
            (".5", "num 0.5"),
            ("1e3", "int 1000"),
            ("1e999", "str"),
            ("3.8", "num 3.8"),
            ("8080:80", "str"),
            ("2001-12-14", "str"),
            ("12:30", "str"),
            ("1.2.3", "str"),
            ("0x", "str"),
            ("-", "str"),
            ("18446744073709551615", "int 18446744073709552000"),
            ("99999999999999999999", "int 100000000000000000000"),
        ] {
            assert_eq!(kind(s), want, "{s:?}");
        }
        assert!(matches!(plain(".inf"), Val::Num { value, int: false } if value == f64::INFINITY));
        assert!(matches!(plain(".NaN"), Val::Num { value, .. } if value.is_nan()));
    }

    #[test]
    fn quoted_block_and_tagged_scalars() {
        assert!(matches!(
            scalar("5", ScalarStyle::DoubleQuoted, None),
            Val::Str { .. }
        ));
        assert!(matches!(
            scalar("true", ScalarStyle::Literal, None),
            Val::Str { .. }
        ));
        assert!(matches!(
            scalar("5", ScalarStyle::Plain, Some("!!str")),
            Val::Str { .. }
        ));
        assert!(matches!(
            scalar("5", ScalarStyle::DoubleQuoted, Some("!!int")),
            Val::Num { int: true, .. }
        ));
        assert!(matches!(
            scalar("5", ScalarStyle::Plain, Some("!override")),
            Val::Str { .. }
        ));
    }

    #[test]
    fn interpolation_is_detected_and_dollar_escapes_are_not() {
        assert!(interpolates("${A:-x}"));
        assert!(interpolates("a$B"));
        assert!(!interpolates("$$HOME"));
        assert!(!interpolates("cost: 5$"));
        assert!(!interpolates("$1"));
    }

    #[test]
    fn casts_follow_compose_go() {
        assert!(matches!(Cast::Int.apply("-1"), Some(Val::Num { value, .. }) if value == -1.0));
        assert!(Cast::Int.apply("1_0").is_none());
        assert!(Cast::Int.apply("1.5").is_none());
        assert!(matches!(Cast::Bool.apply("Yes"), Some(Val::Bool(true))));
        assert!(Cast::Bool.apply("maybe").is_none());
        assert!(matches!(
            Cast::Float32.apply("0.5"),
            Some(Val::Num { int: false, .. })
        ));
        assert!(Cast::Float32.apply("1e39").is_none());
        assert!(Cast::Float.apply("1e999").is_none());
        assert!(Cast::FileMode.apply("0640").is_some());
        assert!(Cast::FileMode.apply("-1").is_some());
        for bad in ["0o640", "0x1FF", "8", "", " 640", "1_0"] {
            assert!(Cast::FileMode.apply(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn durations_are_parsed_as_compose_go_parses_them() {
        let d = |s: &str| str2duration(s);
        assert_eq!(d("0"), Some(0));
        assert_eq!(d("-0"), Some(0));
        assert_eq!(d("30s"), Some(30_000_000_000));
        assert_eq!(d("1m30s"), Some(90_000_000_000));
        assert_eq!(d("1.5h"), Some(5_400_000_000_000));
        assert_eq!(d(".5s"), Some(500_000_000));
        assert_eq!(d("1.s"), Some(1_000_000_000));
        assert_eq!(d("2d"), Some(172_800_000_000_000));
        assert_eq!(d("1w"), Some(604_800_000_000_000));
        assert_eq!(d("-5s"), Some(-5_000_000_000));
        assert_eq!(d("10\u{b5}s"), Some(10_000));
        for bad in [
            "",
            "10",
            "abc",
            "5 s",
            "1x",
            ".s",
            "s",
            "1h-5m",
            "+",
            "9999999999999999999s",
            "20000w",
        ] {
            assert_eq!(d(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn floats_are_parsed_as_go_parses_them() {
        let f = |s: &str| go_parse_float(s);
        assert_eq!(f("1_0"), Some(10.0));
        assert_eq!(f("1_0.2_5"), Some(10.25));
        assert_eq!(f("0x1p3"), Some(8.0));
        assert_eq!(f("0x1.8p1"), Some(3.0));
        assert_eq!(f("-0X_1p-2"), Some(-0.25));
        assert_eq!(f("+Inf"), Some(f64::INFINITY));
        assert_eq!(f("-infinity"), Some(f64::NEG_INFINITY));
        assert!(f("NaN").is_some_and(f64::is_nan));
        assert_eq!(f(".5"), Some(0.5));
        assert_eq!(f("5."), Some(5.0));
        for bad in [
            "+nan", "0x10", "1__0", "_1", "1_", "1._5", "1e400", "e5", "", "+", "1e", "0x",
        ] {
            assert_eq!(f(bad), None, "{bad:?}");
        }
    }
}
