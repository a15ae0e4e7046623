//! `--fix --unsafe-fixes` over every Compose file of `../shared/corpus/`, through the binary, on
//! copies: the fixed file parses and checks, still validates against the Compose schema, keeps
//! every value outside the paths fixes touch and every comment, and a second `--fix` changes
//! nothing. Plus: one invalid file among valid ones stops nothing.

use milvet::check::{Options, check_text};
use milvet::discover::FileKind;
use milvet::yaml::{Limits, NodeId, NodeKind, Tree, parse};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

fn corpus_files() -> Option<Vec<PathBuf>> {
    let root = Path::new(CORPUS);
    if !root.is_dir() {
        println!("corpus fix tests skipped: {CORPUS} is absent");
        return None;
    }
    let mut files = Vec::new();
    for sub in ["milvus-official", "milvus", "general"] {
        for e in std::fs::read_dir(root.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    Some(files)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("milvet-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn milvet(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Every scalar of a document by path (`services.etcd.environment[0]`), aliases and merges
/// followed; keys are paths, values the scalars.
fn flatten(
    tree: &Tree,
    id: NodeId,
    path: String,
    out: &mut BTreeMap<String, String>,
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    let id = tree.resolve(id);
    match &tree.node(id).kind {
        NodeKind::Scalar { value, .. } => {
            out.insert(path, value.clone());
        }
        NodeKind::Sequence { items, .. } => {
            for (i, &item) in items.iter().enumerate() {
                flatten(tree, item, format!("{path}[{i}]"), out, depth + 1);
            }
        }
        NodeKind::Mapping { .. } => {
            for e in tree.entries(id).unwrap_or(&[]) {
                let key = tree.scalar(e.key).unwrap_or("?");
                flatten(tree, e.value, format!("{path}.{key}"), out, depth + 1);
            }
        }
        NodeKind::Alias { .. } => {}
    }
}

fn values(text: &str) -> BTreeMap<String, String> {
    let tree = parse(text, &Limits::default()).unwrap();
    let mut out = BTreeMap::new();
    for (i, doc) in tree.documents.iter().enumerate() {
        if let Some(root) = doc.root {
            flatten(&tree, root, format!("{i}"), &mut out, 0);
        }
    }
    out
}

fn comments(text: &str) -> Vec<String> {
    let tree = parse(text, &Limits::default()).unwrap();
    let mut c: Vec<String> = tree.comments.iter().map(|c| c.text.clone()).collect();
    c.sort();
    c
}

/// Paths fixes may change: a service's environment, volumes, command, image and ports, and the top-level
/// volumes.
fn fixable(path: &str) -> bool {
    let rest = path.split_once('.').map_or("", |(_, r)| r);
    if rest.starts_with("volumes.") || rest == "volumes" {
        return true;
    }
    let mut parts = rest.splitn(3, '.');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some("services"), Some(_), Some(k))
            if ["environment", "volumes", "command", "restart", "healthcheck", "image", "ports",
                "deploy.restart_policy", "depends_on"]
                .iter()
                .any(|f| k.starts_with(f))
    )
}

/// The environment variables of a flattened document, by `service/NAME`.
fn env_vars(values: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (path, value) in values {
        let Some(rest) = path.split_once(".services.").map(|(_, r)| r) else {
            continue;
        };
        let Some((svc, tail)) = rest.split_once(".environment") else {
            continue;
        };
        if let Some(name) = tail.strip_prefix('.') {
            out.insert(format!("{svc}/{name}"), value.clone());
        } else if tail.starts_with('[') {
            let (name, val) = value.split_once('=').unwrap_or((value, ""));
            out.insert(format!("{svc}/{name}"), val.to_string());
        }
    }
    out
}

fn schema_findings(text: &str) -> usize {
    check_text(text, FileKind::Compose, &Options::default())
        .unwrap()
        .iter()
        .filter(|d| d.rule == "compose-schema")
        .count()
}

#[test]
fn fixing_every_corpus_file_is_safe_and_idempotent() {
    let Some(files) = corpus_files() else { return };
    let dir = scratch("fix-corpus");
    let mut copies = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let sub = dir.join(format!("{i:04}"));
        std::fs::create_dir(&sub).unwrap();
        let dest = sub.join("docker-compose.yml");
        // The bytes only: the corpus is read-only, and a read-only file is not fixed.
        std::fs::write(&dest, std::fs::read(f).unwrap()).unwrap();
        copies.push((f.clone(), dest));
    }
    // `--diff` shows what `--fix` then does, and writes nothing.
    let (code, out) = milvet(
        &dir,
        &["check", "--diff", "--unsafe-fixes", "--format", "json", "."],
    );
    assert_eq!(code, 1, "{out}");
    let diff: serde_json::Value = serde_json::from_str(&out).unwrap();
    for (original, copy) in &copies {
        assert_eq!(
            std::fs::read(copy).unwrap(),
            std::fs::read(original).unwrap(),
            "--diff changed {}",
            copy.display()
        );
    }
    let (code, out) = milvet(
        &dir,
        &["check", "--fix", "--unsafe-fixes", "--format", "json", "."],
    );
    assert!(code == 0 || code == 1, "exit {code}: {out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["fixes"]["applied"], diff["fixes"]["applied"]);
    assert_eq!(
        report["fixes"]["files_changed"],
        diff["fixes"]["files_changed"]
    );
    assert!(
        report["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["status"] == "checked"),
        "{out}"
    );
    assert!(report["fixes"]["applied"].as_u64().unwrap() > 0);

    let mut problems = Vec::new();
    let mut changed = 0;
    for (original, copy) in &copies {
        let before = std::fs::read_to_string(original).unwrap();
        let after = std::fs::read_to_string(copy).unwrap();
        if before == after {
            continue;
        }
        changed += 1;
        let name = original.file_name().unwrap().to_string_lossy();
        if let Err(e) = check_text(&after, FileKind::Compose, &Options::default()) {
            problems.push(format!("{name}: fixed text does not check: {e:?}"));
            continue;
        }
        if schema_findings(&after) > schema_findings(&before) {
            problems.push(format!(
                "{name}: the fixed text violates the Compose schema"
            ));
        }
        let (b, a) = (values(&before), values(&after));
        for (path, value) in &b {
            if !fixable(path) && a.get(path) != Some(value) {
                problems.push(format!(
                    "{name}: `{path}` changed from {value:?} to {:?}",
                    a.get(path)
                ));
            }
        }
        let (eb, ea) = (env_vars(&b), env_vars(&a));
        for (var, value) in &eb {
            // `milvus-env-override-noop` renames a variable to the one Milvus reads, with the
            // same value.
            let renamed = var.split_once('/').and_then(|(service, name)| {
                let rename = milvet::stack::milvus::noop_env(name)?.rename.as_ref()?;
                Some(format!("{service}/{rename}"))
            });
            if !var.contains("/ETCD_AUTO_COMPACTION_")
                && ea.get(var) != Some(value)
                && renamed.is_none_or(|r| ea.get(&r) != Some(value))
            {
                problems.push(format!("{name}: variable {var} lost or changed"));
            }
        }
        // Every mount a fix adds has an absolute target, and none is `/`.
        for line in after.lines().filter(|l| !before.contains(*l)) {
            if let Some(spec) = line.trim().strip_prefix("- ")
                && spec.contains("volumes/")
                && let Some((_, target)) = spec.trim_matches('"').rsplit_once(':')
                && (!target.starts_with('/') || target == "/")
            {
                problems.push(format!("{name}: added mount {spec:?} has a bad target"));
            }
        }
        let (cb, ca) = (comments(&before), comments(&after));
        if cb != ca {
            problems.push(format!("{name}: comments differ"));
        }
        for line in before.lines().filter(|l| l.trim_start().starts_with('#')) {
            if !after.contains(line) {
                problems.push(format!("{name}: comment line {line:?} is gone"));
            }
        }
    }
    assert!(changed > 0);
    // A second run changes nothing.
    let snapshot: Vec<Vec<u8>> = copies
        .iter()
        .map(|(_, c)| std::fs::read(c).unwrap())
        .collect();
    let (code, out) = milvet(
        &dir,
        &["check", "--fix", "--unsafe-fixes", "--format", "json", "."],
    );
    assert!(code == 0 || code == 1, "exit {code}: {out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["fixes"]["applied"], 0, "{out}");
    for ((original, copy), bytes) in copies.iter().zip(&snapshot) {
        if std::fs::read(copy).unwrap() != *bytes {
            problems.push(format!("{}: second --fix changed it", original.display()));
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn an_invalid_file_among_valid_ones_stops_nothing() {
    let dir = scratch("fix-mixed");
    let broken = "services:\n  etcd: [unclosed\n";
    let fixable = "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    volumes: [\"./v:/etcd\"]\n    command: etcd --data-dir /etcd\n";
    for d in ["a", "b", "c"] {
        std::fs::create_dir(dir.join(d)).unwrap();
    }
    std::fs::write(dir.join("a/compose.yaml"), fixable).unwrap();
    std::fs::write(dir.join("b/compose.yaml"), broken).unwrap();
    std::fs::write(dir.join("c/compose.yaml"), fixable).unwrap();
    let (code, out) = milvet(&dir, &["check", "--fix", "--format", "json", "."]);
    assert_eq!(code, 2, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let status: Vec<(&str, &str)> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        status,
        [
            ("./a/compose.yaml", "checked"),
            ("./b/compose.yaml", "error"),
            ("./c/compose.yaml", "checked")
        ]
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("b/compose.yaml")).unwrap(),
        broken
    );
    let expected = "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    volumes: [\"./v:/etcd\"]\n    command: etcd --data-dir /etcd\n    environment:\n      - ETCD_AUTO_COMPACTION_MODE=revision\n      - ETCD_AUTO_COMPACTION_RETENTION=1000\n";
    for d in ["a", "c"] {
        assert_eq!(
            std::fs::read_to_string(dir.join(d).join("compose.yaml")).unwrap(),
            expected,
            "{d}"
        );
    }
    assert_eq!(report["fixes"]["applied"], 4);
    std::fs::remove_dir_all(&dir).unwrap();
}
