//! `--fix --unsafe-fixes` changes only what its findings are about.
//!
//! Over every Compose file of the shared corpus (when `../shared/corpus` is there) and of
//! `testdata/`, and over structure-aware mutants of them that stress the fixer where it once went
//! wrong (an anchor on etcd's or MinIO's own `environment`, `volumes` or `command`, or on the
//! whole service, aliased or merged by another service; a tag on a null environment or on a
//! value; an environment in flow style; a complex key), fixing as `--fix --unsafe-fixes` does
//! must give a text that:
//! - loads with a YAML 1.2 loader (saphyr), with no tag on a value of another type that the
//!   original did not have;
//! - resolves (aliases expanded, `<<` merged, as Docker Compose reads YAML) to the same
//!   configuration for every service that no applied fix names;
//! - fixes to itself (a second run changes nothing);
//! - for a sample, Docker Compose accepts when it accepted the original.
//!
//! The mutants are deterministic (xorshift64* with fixed seeds); a failing one is written to the
//! temp dir and named with its seed.

mod common;
mod property_check;
use property_check::{named, property};

use milvet::check::{Options, check_text};
use milvet::discover::FileKind;
use milvet::yaml::{self, Limits, NodeId, NodeKind, Tree};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Structure-aware mutants checked, besides every file as it is.
const MUTANTS: u64 = 1000;
/// One case in this many is also given to Docker Compose (slow: a process a call), and every
/// fourth fixed case with a tag mutation (Docker Compose's reader judges tags).
const COMPOSE_EVERY: usize = 40;

// ---------------------------------------------------------------------------------------------
// Inputs

/// Every Compose file of the corpus and of `testdata/`, with its text.
fn inputs() -> Vec<(String, String)> {
    let mut paths = Vec::new();
    let corpus = Path::new(ROOT).join("../shared/corpus");
    if corpus.is_dir() {
        for sub in ["milvus-official", "milvus", "general"] {
            common::compose_files_under(&corpus.join(sub), &mut paths);
        }
    } else {
        println!(
            "{} is absent: the files of testdata/ only",
            corpus.display()
        );
    }
    common::compose_files_under(&Path::new(ROOT).join("testdata"), &mut paths);
    let inputs: Vec<(String, String)> = paths
        .into_iter()
        .filter_map(|p| Some((p.display().to_string(), std::fs::read_to_string(&p).ok()?)))
        .collect();
    assert!(!inputs.is_empty());
    inputs
}

// ---------------------------------------------------------------------------------------------
// Mutations, at the places the parse tree gives

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A service of the file: its key and mapping, and whether it runs etcd or MinIO.
struct Svc {
    key: NodeId,
    node: NodeId,
}

fn column(text: &str, at: usize) -> usize {
    at - text[..at].rfind(['\n', '\r']).map_or(0, |p| p + 1)
}

fn line_end(text: &str, at: usize) -> usize {
    text[at..].find(['\n', '\r']).map_or(text.len(), |p| at + p)
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind(['\n', '\r']).map_or(0, |p| p + 1)
}

/// The block `services` mapping of the first document, and its etcd and MinIO services.
fn services(tree: &Tree) -> Option<(NodeId, Vec<Svc>)> {
    let root = tree.documents.first()?.root?;
    let services = tree.get(root, "services")?;
    if tree.is_alias(services) || tree.in_flow(services) {
        return None;
    }
    let NodeKind::Mapping { entries, .. } = &tree.node(services).kind else {
        return None;
    };
    let svcs = entries
        .iter()
        .filter(|e| tree.is_mapping(e.value) && !tree.is_alias(e.value))
        .filter(|e| {
            !tree.in_flow(e.value) && tree.own_entries(e.value).is_some_and(|x| !x.is_empty())
        })
        .filter(|e| {
            let image = tree
                .get(e.value, "image")
                .and_then(|i| tree.scalar(i))
                .unwrap_or("");
            let name = tree.scalar(e.key).unwrap_or("");
            ["etcd", "minio"]
                .iter()
                .any(|w| image.contains(w) || name.contains(w))
        })
        .map(|e| Svc {
            key: e.key,
            node: e.value,
        })
        .collect::<Vec<_>>();
    (!svcs.is_empty()).then_some((services, svcs))
}

/// Where a new entry of `map` goes (the end of its last entry's line) and its column.
fn entry_place(text: &str, tree: &Tree, map: NodeId) -> Option<(usize, usize)> {
    let entries = tree.own_entries(map)?;
    let first = entries.first()?;
    let last = entries.last()?;
    let end = tree.span(last.value).end.max(tree.span(last.key).end);
    Some((
        line_end(text, end),
        column(text, tree.span(first.key).start),
    ))
}

/// The byte after the `:` that follows a key.
fn after_colon(text: &str, tree: &Tree, key: NodeId) -> Option<usize> {
    let end = tree.span(key).end;
    let rest = &text[end..];
    let colon = rest.find(':')?;
    rest[..colon].trim().is_empty().then_some(end + colon + 1)
}

/// A service that shares an attribute of `svc` through an anchor (`&pN` on it, `*pN` in the new
/// service), appended to `services`.
fn share(text: &str, tree: &Tree, rng: &mut Rng, n: u64) -> Option<(String, &'static str)> {
    let (services, svcs) = services(tree)?;
    let svc = &svcs[rng.below(svcs.len())];
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let (end, col) = entry_place(text, tree, services)?;
    let (_, inner) = entry_place(text, tree, svc.node)?;
    let step = " ".repeat(
        inner
            .saturating_sub(column(text, tree.span(svc.key).start))
            .max(1),
    );
    let pad = " ".repeat(col);
    let name = format!("p{n}");
    let whole = rng.below(4) == 0;
    let (anchored, what, use_site) = if whole {
        (svc.key, "share the whole service", format!("<<: *{name}"))
    } else {
        let attrs: Vec<&str> = ["environment", "volumes", "command"]
            .into_iter()
            .filter(|a| {
                tree.own_entries(svc.node).is_some_and(|es| {
                    es.iter().any(|e| {
                        tree.scalar(e.key) == Some(*a)
                            && !tree.is_alias(e.value)
                            && tree.node(e.value).anchor.is_none()
                    })
                })
            })
            .collect();
        if attrs.is_empty() {
            return None;
        }
        let attr = attrs[rng.below(attrs.len())];
        let entry = tree.entry(svc.node, attr)?;
        let merge = attr == "environment" && tree.is_mapping(entry.value) && rng.below(2) == 0;
        let use_site = if merge {
            format!(
                "{attr}:{eol}{pad}{step}{step}<<: *{name}{eol}{pad}{step}{step}SHARED_TOO: \"1\""
            )
        } else {
            format!("{attr}: *{name}")
        };
        (entry.key, "share an attribute", use_site)
    };
    if tree
        .node(
            tree.parent(anchored)
                .and_then(|p| tree.entry_of(p, anchored))
                .map(|e| e.value)?,
        )
        .anchor
        .is_some()
    {
        return None;
    }
    let colon = after_colon(text, tree, anchored)?;
    // The use site comes after the anchor: at the end of `services`.
    let service =
        format!("{eol}{pad}shared-{n}:{eol}{pad}{step}image: busybox{eol}{pad}{step}{use_site}");
    let mut out = text.to_string();
    out.insert_str(end, &service);
    out.insert_str(colon, &format!(" &{name}"));
    Some((out, what))
}

/// A tag on a null `environment` (the service's own is renamed out of the way) or on a value.
fn tag(text: &str, tree: &Tree, rng: &mut Rng) -> Option<(String, &'static str)> {
    let (_, svcs) = services(tree)?;
    let svc = &svcs[rng.below(svcs.len())];
    let tag = ["!!null", "!!str", "!!int", "!custom", "!!map"][rng.below(5)];
    let mut out = text.to_string();
    if rng.below(3) > 0 {
        let (at, col) = entry_place(text, tree, svc.node)?;
        let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
        out.insert_str(at, &format!("{eol}{}environment: {tag}", " ".repeat(col)));
        if let Some(e) = tree.entry(svc.node, "environment") {
            let k = tree.span(e.key);
            out.replace_range(k.start..k.end, "x-environment");
        }
        return Some((out, "tag a null environment"));
    }
    let env = tree.get(svc.node, "environment")?;
    let values: Vec<NodeId> = match &tree.node(env).kind {
        NodeKind::Mapping { entries, .. } => entries.iter().map(|e| e.value).collect(),
        NodeKind::Sequence { items, .. } => items.clone(),
        _ => return None,
    };
    let v = *values.get(rng.below(values.len()))?;
    if !matches!(tree.node(v).kind, NodeKind::Scalar { .. }) || tree.node(v).tag.is_some() {
        return None;
    }
    let at = tree.span(v).start;
    out.insert_str(
        at,
        if tree.span(v).is_empty() {
            "!!null"
        } else {
            "!!str "
        },
    );
    Some((out, "tag a value"))
}

/// The service's block `environment` (or `volumes`) rewritten in flow style.
fn flow(text: &str, tree: &Tree, rng: &mut Rng) -> Option<(String, &'static str)> {
    let (_, svcs) = services(tree)?;
    let svc = &svcs[rng.below(svcs.len())];
    let attr = ["environment", "volumes"][rng.below(2)];
    let e = tree.entry(svc.node, attr)?;
    if tree.in_flow(e.value) || tree.is_alias(e.value) || tree.node(e.value).anchor.is_some() {
        return None;
    }
    let scalar = |id: NodeId| -> Option<String> {
        if !matches!(tree.node(id).kind, NodeKind::Scalar { .. }) || tree.node(id).tag.is_some() {
            return None;
        }
        if tree.is_null(id) {
            return Some("null".into());
        }
        Some(serde_json::to_string(tree.scalar(id)?).unwrap())
    };
    let flowed = match &tree.node(e.value).kind {
        NodeKind::Mapping { entries, .. } if !entries.is_empty() => {
            let parts: Option<Vec<String>> = entries
                .iter()
                .map(|x| Some(format!("{}: {}", scalar(x.key)?, scalar(x.value)?)))
                .collect();
            format!("{{{}}}", parts?.join(", "))
        }
        NodeKind::Sequence { items, .. } if !items.is_empty() => {
            let parts: Option<Vec<String>> = items.iter().map(|&i| scalar(i)).collect();
            format!("[{}]", parts?.join(", "))
        }
        _ => return None,
    };
    let colon = after_colon(text, tree, e.key)?;
    let mut out = text.to_string();
    out.replace_range(colon..tree.span(e.value).end, &format!(" {flowed}"));
    Some((out, "flow style"))
}

/// A complex key (`? [k]`) as the service environment's first entry.
fn complex_key(text: &str, tree: &Tree, rng: &mut Rng) -> Option<(String, &'static str)> {
    let (_, svcs) = services(tree)?;
    let svc = &svcs[rng.below(svcs.len())];
    let env = tree.get(svc.node, "environment")?;
    if tree.in_flow(env) || tree.is_alias(env) {
        return None;
    }
    let first = tree.own_entries(env)?.first()?;
    let start = tree.span(first.key).start;
    let at = line_start(text, start);
    let pad = " ".repeat(column(text, start));
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut out = text.to_string();
    out.insert_str(at, &format!("{pad}? [k]{eol}{pad}: v{eol}"));
    Some((out, "complex key"))
}

/// Mutant `n`: an input changed by one to three structure-aware edits (re-parsed in between).
fn mutant(inputs: &[(String, String)], n: u64) -> Option<(String, String, Vec<&'static str>)> {
    let mut rng = Rng::new(0x6669_7870_726f ^ n);
    let (name, text) = &inputs[rng.below(inputs.len())];
    let mut text = text.clone();
    let mut done = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let Ok(tree) = yaml::parse(&text, &Limits::default()) else {
            break;
        };
        let edit = match rng.below(6) {
            0 | 1 => share(&text, &tree, &mut rng, n * 4 + done.len() as u64),
            2 => tag(&text, &tree, &mut rng),
            3 => flow(&text, &tree, &mut rng),
            4 => complex_key(&text, &tree, &mut rng),
            _ => share(&text, &tree, &mut rng, n * 4 + done.len() as u64)
                .or_else(|| flow(&text, &tree, &mut rng)),
        };
        if let Some((t, what)) = edit {
            text = t;
            done.push(what);
        }
    }
    (!done.is_empty()).then(|| (name.clone(), text, done))
}

// ---------------------------------------------------------------------------------------------
// The property

/// Whether Docker Compose accepts a text (written to `dir` as `compose.yaml`).
fn compose_accepts(dc: &Path, dir: &Path, text: &str) -> bool {
    std::fs::write(dir.join("compose.yaml"), text).unwrap();
    Command::new(dc)
        .args(["-f", "compose.yaml", "config", "--format", "json"])
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn fixing_changes_only_the_services_its_fixes_name() {
    let options = Options::default();
    let inputs = inputs();
    // Mutants are made mostly of files with something to fix, where the fixer is at work.
    let fixable: Vec<(String, String)> = inputs
        .iter()
        .filter(|(_, t)| {
            check_text(t, FileKind::Compose, &options).is_ok_and(|d| !named(&d).is_empty())
        })
        .cloned()
        .collect();
    let dc = common::tool("docker-compose");
    let scratch = common::TempDir::new("fix-property");
    let start = Instant::now();
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut edits: BTreeMap<&str, usize> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut compose_runs = 0;
    let cases = inputs
        .iter()
        .map(|(n, t)| Some((n.clone(), t.clone(), vec!["as it is"])))
        .chain((0..MUTANTS).map(|n| {
            let bases = if n % 4 == 0 || fixable.is_empty() {
                &inputs
            } else {
                &fixable
            };
            mutant(bases, n)
        }))
        .enumerate();
    for (i, case) in cases {
        let Some((name, text, done)) = case else {
            *outcomes.entry("no mutation applies").or_default() += 1;
            continue;
        };
        for d in &done {
            *edits.entry(d).or_default() += 1;
        }
        let result = property(&text, &options).and_then(|(outcome, fixed)| {
            if let (Some(dc), Some(fixed)) = (&dc, &fixed)
                && (i % COMPOSE_EVERY == 0
                    || (i % 4 == 0 && done.iter().any(|d| d.starts_with("tag"))))
            {
                compose_runs += 1;
                if compose_accepts(dc, &scratch.root, &text)
                    && !compose_accepts(dc, &scratch.root, fixed)
                {
                    return Err(format!(
                        "Docker Compose accepts the original but not the fixed text:\n{fixed}"
                    ));
                }
            }
            Ok(outcome)
        });
        match result {
            Ok(outcome) => *outcomes.entry(outcome).or_default() += 1,
            Err(e) => {
                let saved = std::env::temp_dir().join(format!("milvet-fix-property-{i}.yaml"));
                let _ = std::fs::write(&saved, &text);
                problems.push(format!(
                    "case {i}, {name} ({}), saved as {}: {e}",
                    done.join(", "),
                    saved.display()
                ));
            }
        }
    }
    println!(
        "{} files ({} with fixes) and {MUTANTS} mutants in {:.1?}; {compose_runs} compared with Docker Compose; \
         outcomes {outcomes:?}; mutations {edits:?}",
        inputs.len(),
        fixable.len(),
        start.elapsed()
    );
    assert!(
        outcomes.get("fixed").copied().unwrap_or(0) > 100,
        "too few cases were fixed to say anything: {outcomes:?}"
    );
    assert!(
        problems.is_empty(),
        "{} cases break the property:\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}
