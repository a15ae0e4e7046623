//! Hostile input, through the real binary: alias and merge bombs, deep nesting, huge files and
//! lines, bytes that are not text, odd but valid files, unreadable paths, symbolic link loops.
//!
//! Every case runs in a directory of its own, beside a valid Compose file with one known
//! finding, in the same run. Each run must end well within two seconds (asserted under ten, to
//! stay robust on a loaded machine; the time is printed), exit 0, 1 or 2 without a panic,
//! still check the valid file and report its finding, give a located message (or one naming the
//! limit) for a file it cannot check, and leave every file byte for byte as it was. When the
//! binary accepts `--fix --unsafe-fixes`, each case runs again with them, and the hostile input
//! must still be untouched.

mod common;
use common::{ETCD_NOT_PERSISTED, TempDir, findings};

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Helpers

/// The valid file checked beside every hostile one: etcd keeps `/etcd` in its writable layer,
/// one error at 7:30.
const KNOWN: &str = ETCD_NOT_PERSISTED;
const KNOWN_FILE: &str = "known.yml";
const KNOWN_FINDING: &str = "known.yml:7:30 etcd-data-not-persisted";

/// Longest a run may take before the test calls it a hang. This guards against runs that
/// never end (an expansion without a bound, a read that blocks), not against slowness: speed is
/// measured by `bench/`, and a loaded machine running a debug build must not fail here.
const TIME_LIMIT: Duration = Duration::from_secs(120);

/// What a directory holds, recursively, without following symbolic links: each regular file's
/// bytes, each link's target, each directory.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Entry {
    File(Vec<u8>),
    Link(PathBuf),
    Dir,
}

fn snapshot(root: &Path) -> BTreeMap<PathBuf, Entry> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Entry>) {
        for e in std::fs::read_dir(dir).expect("read temp dir") {
            let path = e.expect("dir entry").path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            if meta.file_type().is_symlink() {
                out.insert(rel, Entry::Link(std::fs::read_link(&path).unwrap()));
            } else if meta.is_dir() {
                out.insert(rel, Entry::Dir);
                walk(root, &path, out);
            } else {
                out.insert(rel, Entry::File(std::fs::read(&path).expect("read file")));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Names the differences between two snapshots (not their contents, which may be large).
fn assert_same_tree(
    case: &str,
    before: &BTreeMap<PathBuf, Entry>,
    after: &BTreeMap<PathBuf, Entry>,
) {
    let changed: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| k.display().to_string())
        .collect();
    assert!(
        changed.is_empty(),
        "{case}: files changed, added or removed: {changed:?}"
    );
}

/// What one run gave.
struct Run {
    code: i32,
    json: Value,
    elapsed: Duration,
}

/// Run `milvet args...` in `dir`, timed; assert it exited 0, 1 or 2, did not panic and ended in
/// time. Returns the exit code, stdout and the time taken.
fn run_raw(case: &str, dir: &Path, args: &[&str]) -> (i32, String, Duration) {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run milvet");
    let elapsed = start.elapsed();
    println!("{case}: milvet {} took {elapsed:.3?}", args.join(" "));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("{case}: killed by a signal ({:?}): {stderr}", out.status));
    assert!(
        (0..=2).contains(&code),
        "{case}: exit code {code}\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{case}: panicked:\n{stderr}");
    assert!(
        elapsed < TIME_LIMIT,
        "{case}: took {elapsed:?}, more than {TIME_LIMIT:?}"
    );
    (code, stdout.into_owned(), elapsed)
}

/// [`run_raw`] with a JSON report, which must parse.
fn run(case: &str, dir: &Path, args: &[&str]) -> Run {
    let (code, stdout, elapsed) = run_raw(case, dir, args);
    let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        let head: String = stdout.chars().take(2000).collect();
        panic!("{case}: stdout is not JSON ({e}):\n{head}")
    });
    Run {
        code,
        json,
        elapsed,
    }
}

/// The `files` entry of a report for `path`.
fn file_entry<'a>(case: &str, v: &'a Value, path: &str) -> &'a Value {
    v["files"]
        .as_array()
        .expect("files is an array")
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("{case}: {path} not in files: {}", v["files"]))
}

/// Whether `milvet check` accepts `--fix` and `--unsafe-fixes`, from its help.
fn fix_flags_accepted() -> bool {
    static ACCEPTED: OnceLock<bool> = OnceLock::new();
    *ACCEPTED.get_or_init(|| {
        let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
            .args(["check", "--help"])
            .output()
            .expect("run milvet check --help");
        let help = String::from_utf8_lossy(&out.stdout);
        help.contains("--fix") && help.contains("--unsafe-fixes")
    })
}

/// The files (as the report names them) that have a finding with a fix `--fix
/// --unsafe-fixes` would apply.
fn fixable(v: &Value) -> BTreeSet<String> {
    v["diagnostics"]
        .as_array()
        .expect("diagnostics is an array")
        .iter()
        .filter(|d| matches!(d["fix"]["applicability"].as_str(), Some("safe" | "unsafe")))
        .filter_map(|d| d["file"].as_str().map(str::to_string))
        .collect()
}

/// Run `milvet check --format json <targets> known.yml` in the case's directory (`known.yml` is
/// written there first) and make the assertions every case shares: exit 0, 1 or 2, no panic, in
/// time, the known file checked with its finding, and every file of the directory unchanged.
///
/// Then, when the binary accepts them, the same with `--fix --unsafe-fixes`. A file may change
/// only if the first run reported a fix for it that these flags apply (the known file, or a
/// valid hostile file with findings); every other file, and so every file that could not be
/// checked, must be byte for byte as it was, and a file that changed must check without error.
/// Returns the first run, without fixes.
fn hostile(case: &str, t: &TempDir, targets: &[&str]) -> Run {
    t.write(KNOWN_FILE, KNOWN);
    let before = snapshot(&t.root);
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(targets);
    args.push(KNOWN_FILE);
    let checked = run(case, &t.root, &args);
    assert_eq!(
        file_entry(case, &checked.json, KNOWN_FILE)["status"],
        "checked",
        "{case}: the valid file was not checked"
    );
    assert!(
        findings(&checked.json).contains(&KNOWN_FINDING.to_string()),
        "{case}: the valid file's finding is missing: {:?}",
        findings(&checked.json)
    );
    assert_same_tree(case, &before, &snapshot(&t.root));

    // The human report of the same run: the same exit code, the known finding shown.
    let mut args = vec!["check", "--color", "never"];
    args.extend_from_slice(targets);
    args.push(KNOWN_FILE);
    let (code, human, _) = run_raw(&format!("{case} (human)"), &t.root, &args);
    assert_eq!(code, checked.code, "{case} (human): exit code\n{human}");
    assert!(
        human.contains("known.yml:7:30: error[etcd-data-not-persisted]"),
        "{case} (human): the valid file's finding is missing"
    );
    assert_same_tree(case, &before, &snapshot(&t.root));

    if !fix_flags_accepted() {
        println!("{case}: --fix --unsafe-fixes not run: `milvet check --help` does not offer them");
        return checked;
    }
    let may_change = fixable(&checked.json);
    let mut args = vec!["check", "--fix", "--unsafe-fixes", "--format", "json"];
    args.extend_from_slice(targets);
    args.push(KNOWN_FILE);
    let fix_case = format!("{case} (--fix)");
    let fixed = run(&fix_case, &t.root, &args);
    let known = file_entry(&fix_case, &fixed.json, KNOWN_FILE);
    assert_eq!(
        known["status"], "checked",
        "{fix_case}: the valid file was not checked: {known}"
    );
    let after = snapshot(&t.root);
    let keep = |s: &BTreeMap<PathBuf, Entry>| -> BTreeMap<PathBuf, Entry> {
        s.iter()
            .filter(|(p, _)| !may_change.contains(&p.display().to_string()))
            .map(|(p, e)| (p.clone(), e.clone()))
            .collect()
    };
    assert_same_tree(&fix_case, &keep(&before), &keep(&after));
    let changed: Vec<&str> = may_change
        .iter()
        .map(String::as_str)
        .filter(|p| before.get(Path::new(p)) != after.get(Path::new(p)))
        .collect();
    println!("{fix_case}: fixed {changed:?}; every other file unchanged");
    if !changed.is_empty() {
        let mut args = vec!["check", "--format", "json"];
        args.extend_from_slice(&changed);
        let again = run(&format!("{case} (after --fix)"), &t.root, &args);
        for path in changed {
            assert_eq!(
                file_entry(case, &again.json, path)["status"],
                "checked",
                "{fix_case}: {path} no longer checks: {:#}",
                again.json
            );
        }
    }
    checked
}

/// The error a file could not be checked for: its message and `(line, column)`, if located.
fn error_of(case: &str, r: &Run, path: &str) -> (String, Option<(u64, u64)>) {
    assert_eq!(r.code, 2, "{case}: {:#}", r.json);
    let f = file_entry(case, &r.json, path);
    assert_eq!(f["status"], "error", "{case}: {f}");
    let e = &f["error"];
    let message = e["message"].as_str().expect("error message").to_string();
    let at = match (e["line"].as_u64(), e["column"].as_u64()) {
        (Some(l), Some(c)) => Some((l, c)),
        _ => None,
    };
    (message, at)
}

/// Assert that `path` was checked without an error; returns its findings.
fn checked_ok(case: &str, r: &Run, path: &str) -> Vec<String> {
    let f = file_entry(case, &r.json, path);
    assert_eq!(f["status"], "checked", "{case}: {f}");
    findings(&r.json)
        .into_iter()
        .filter(|d| d.starts_with(&format!("{path}:")))
        .collect()
}

/// The messages of the findings of `rule` in `path`.
fn messages(r: &Run, path: &str, rule: &str) -> Vec<String> {
    r.json["diagnostics"]
        .as_array()
        .expect("diagnostics is an array")
        .iter()
        .filter(|d| d["file"] == path && d["rule"] == rule)
        .map(|d| d["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Assert that the schema check stopped expanding the aliases of `path` at its budget of
/// 1,000,000 values, in one finding at the start of the document, naming the limit.
fn assert_schema_budget(case: &str, r: &Run, path: &str) {
    let schema = messages(r, path, "compose-schema");
    assert!(
        schema.len() == 1 && schema[0].contains("1,000,000"),
        "{case}: {path}: {schema:?}"
    );
    assert!(
        findings(&r.json).contains(&format!("{path}:1:1 compose-schema")),
        "{case}: {:?}",
        findings(&r.json)
    );
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

// ---------------------------------------------------------------------------------------------
// Alias and merge bombs: aliases are never expanded, merges are bounded.

/// Nine levels of ten aliases: expanded, the last one would be 10^8 items.
fn alias_bomb() -> String {
    let mut s = String::from("a0: &a0 [x]\n");
    for i in 1..9 {
        let items = vec![format!("*a{}", i - 1); 10].join(", ");
        s.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    s
}

#[test]
fn alias_bomb_is_checked_without_expanding() {
    // The model never expands aliases; the schema check, which must, stops at its budget.
    let case = "alias bomb";
    let t = TempDir::new("alias-bomb");
    t.write("bomb.yml", alias_bomb());
    let r = hostile(case, &t, &["bomb.yml"]);
    assert_eq!(r.code, 1, "{case}: {:#}", r.json);
    checked_ok(case, &r, "bomb.yml");
    assert_schema_budget(case, &r, "bomb.yml");
}

#[test]
fn alias_bomb_inside_services_is_checked_without_expanding() {
    // The same bomb where the model reads it: a service's command, environment and volumes.
    let case = "alias bomb in a service";
    let t = TempDir::new("alias-bomb-service");
    let mut text = String::from("x-bomb:\n");
    for line in alias_bomb().lines() {
        text.push_str(&format!("  {line}\n"));
    }
    text.push_str(
        "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    command: *a8\n    \
         environment: *a8\n    volumes: *a8\n  minio:\n    image: minio/minio\n    \
         command: [*a8, *a8]\n",
    );
    t.write("compose.yaml", &text);
    let r = hostile(case, &t, &["compose.yaml"]);
    assert_eq!(r.code, 1, "{case}: {:#}", r.json);
    checked_ok(case, &r, "compose.yaml");
    assert_schema_budget(case, &r, "compose.yaml");
}

/// Nine levels of mappings, each merging the level below ten times through `<<`.
fn merge_bomb() -> String {
    let mut s = String::from("m0: &m0 {k0: v}\n");
    for i in 1..9 {
        let refs = vec![format!("*m{}", i - 1); 10].join(", ");
        s.push_str(&format!("m{i}: &m{i} {{<<: [{refs}], k{i}: v}}\n"));
    }
    s
}

/// One anchored mapping of 1,000 keys merged into 200 services: 200,000 entries to visit, more
/// than the budget of 100,000.
fn wide_merge() -> String {
    let keys: Vec<String> = (0..1000).map(|i| format!("k{i}: v")).collect();
    let mut s = format!("x-wide: &w {{{}}}\nservices:\n", keys.join(", "));
    for j in 0..200 {
        s.push_str(&format!("  s{j}: {{<<: *w, image: nginx}}\n"));
    }
    s
}

#[test]
fn merge_bombs_are_resolved_within_the_merge_budget_or_stop_at_it() {
    let case = "merge bomb";
    let t = TempDir::new("merge-bomb");
    t.write("bomb.yml", merge_bomb());
    // The same bomb where the model resolves it: a service built from it.
    let mut text = String::from("x-bomb:\n");
    for line in merge_bomb().lines() {
        text.push_str(&format!("  {line}\n"));
    }
    text.push_str("services:\n  etcd:\n    <<: *m8\n    image: quay.io/coreos/etcd:v3.5.18\n");
    t.write("compose.yaml", &text);
    let wide = wide_merge();
    t.write("wide.yml", &wide);
    let r = hostile(case, &t, &["bomb.yml", "compose.yaml", "wide.yml"]);
    // Ten aliases of one anchor a level are few entries: resolved, within the budget.
    checked_ok(case, &r, "bomb.yml");
    let f = file_entry(case, &r.json, "compose.yaml");
    assert_eq!(f["status"], "checked", "{case}: {f}");
    // The wide merge is stopped at the budget, at one of its `<<: *w`.
    let (message, at) = error_of(case, &r, "wide.yml");
    assert!(
        message.starts_with("limit exceeded: ") && message.contains("<<"),
        "{case}: {message}"
    );
    let (line, column) = at.expect("located");
    let text = wide.lines().nth(line as usize - 1).unwrap_or_default();
    assert!(
        text.contains("<<: *w"),
        "{case}: at {line}:{column}, {text:?}: {message}"
    );
}

#[test]
fn a_mapping_that_merges_itself_is_an_error_not_a_loop() {
    let case = "self merge";
    let t = TempDir::new("self-merge");
    t.write("compose.yaml", "services: &s\n  etcd:\n    <<: *s\n");
    let r = hostile(case, &t, &["compose.yaml"]);
    let f = file_entry(case, &r.json, "compose.yaml");
    assert!(f["status"] == "checked" || f["status"] == "error", "{f}");
}

// ---------------------------------------------------------------------------------------------
// Deep nesting

#[test]
fn block_nesting_100000_deep_stops_at_the_limit() {
    let case = "block nesting";
    let t = TempDir::new("deep-block");
    // `- - - ... x`: block sequences nested on one line; the 129th `-` (byte 256, column 257)
    // opens the 129th collection.
    t.write("deep.yml", format!("{}x\n", "- ".repeat(100_000)));
    let r = hostile(case, &t, &["deep.yml"]);
    let (message, at) = error_of(case, &r, "deep.yml");
    assert!(
        message.starts_with("limit exceeded: collections nest deeper than the limit"),
        "{case}: {message}"
    );
    assert_eq!(at, Some((1, 257)), "{case}: {message}");
}

#[test]
fn block_mapping_nesting_stops_at_the_limit() {
    // Block mappings cannot nest on one line: one key a line, indented one more space each,
    // 1,000 deep (the text grows with the square of the depth).
    let case = "block mapping nesting";
    let t = TempDir::new("deep-map");
    let mut text = String::new();
    for depth in 0..1000 {
        text.push_str(&" ".repeat(depth));
        text.push_str("k:\n");
    }
    t.write("deep.yml", &text);
    let r = hostile(case, &t, &["deep.yml"]);
    let (message, at) = error_of(case, &r, "deep.yml");
    assert!(
        message.starts_with("limit exceeded: collections nest deeper than the limit"),
        "{case}: {message}"
    );
    // The 129th mapping is the value of the key on line 129, and starts on line 130.
    let (line, _) = at.expect("located");
    assert!((128..=130).contains(&line), "{case}: at {at:?}: {message}");
}

#[test]
fn flow_nesting_100000_deep_stops_at_the_limit() {
    let case = "flow nesting";
    let t = TempDir::new("deep-flow");
    t.write(
        "deep.yml",
        format!("{}{}\n", "[".repeat(100_000), "]".repeat(100_000)),
    );
    t.write(
        "deep-map.yml",
        format!("{}{}\n", "{a: ".repeat(100_000), "}".repeat(100_000)),
    );
    let r = hostile(case, &t, &["deep.yml", "deep-map.yml"]);
    let (message, at) = error_of(case, &r, "deep.yml");
    assert!(
        message.starts_with("limit exceeded: collections nest deeper than the limit"),
        "{case}: {message}"
    );
    assert_eq!(at, Some((1, 129)), "{case}: {message}");
    let (message, at) = error_of(case, &r, "deep-map.yml");
    assert!(
        message.starts_with("limit exceeded: collections nest deeper than the limit"),
        "{case}: {message}"
    );
    // The 129th `{` is at byte 4 * 128.
    assert_eq!(at, Some((1, 4 * 128 + 1)), "{case}: {message}");
}

// ---------------------------------------------------------------------------------------------
// Size

#[test]
fn a_50_mb_file_is_refused_by_its_size_without_reading_it() {
    let case = "50 MB file";
    let t = TempDir::new("huge");
    let line = format!("#{}\n", "x".repeat(98));
    t.write("compose.yaml", line.repeat(50 * 1024 * 1024 / 100));
    let r = hostile(case, &t, &["compose.yaml"]);
    let (message, at) = error_of(case, &r, "compose.yaml");
    assert_eq!(
        message, "file is 52428800 bytes, more than the limit of 8388608 bytes",
        "{case}"
    );
    assert_eq!(at, None);
}

#[test]
fn a_1_mb_single_line_is_checked() {
    let case = "1 MB line";
    let t = TempDir::new("long-line");
    // A plain scalar and a flow sequence of 200,000 items, each on one line of about 1 MB.
    t.write(
        "scalar.yml",
        format!("services: {{}}\nx-long: {}\n", "a".repeat(1 << 20)),
    );
    t.write(
        "flow.yml",
        format!("services: {{}}\nx-long: [{}1]\n", "1, ".repeat(200_000)),
    );
    let r = hostile(case, &t, &["scalar.yml", "flow.yml"]);
    assert_eq!(r.code, 1, "{case}: {:#}", r.json);
    assert_eq!(checked_ok(case, &r, "scalar.yml"), Vec::<String>::new());
    assert_eq!(checked_ok(case, &r, "flow.yml"), Vec::<String>::new());
}

/// A finding and an error at the end of a 1 MB line, past column 65,535: located in the JSON
/// report, and shown in the human one.
#[test]
fn a_finding_and_an_error_past_column_65535_are_reported() {
    let case = "past column 65,535";
    let t = TempDir::new("far-column");
    // A whole service on one line, with its finding at the end of it.
    let service = format!(
        "{{services: {{etcd: {{image: quay.io/coreos/etcd:v3.5.18, x-pad: {}, command: \
         etcd --data-dir /etcd}}}}}}\n",
        "b".repeat(1 << 20)
    );
    t.write("service.yml", &service);
    // A stray `]` at column 90,006.
    t.write("broken.yml", format!("x: [{}]]\n", "a, ".repeat(30_000)));
    let r = hostile(case, &t, &["service.yml", "broken.yml"]);
    let found = checked_ok(case, &r, "service.yml");
    let column = service.rfind("/etcd").unwrap() + 1;
    assert!(
        found.contains(&format!("service.yml:1:{column} etcd-data-not-persisted")),
        "{case}: {found:?}"
    );
    let (message, at) = error_of(case, &r, "broken.yml");
    assert!(message.starts_with("invalid YAML: "), "{case}: {message}");
    assert_eq!(at, Some((1, 90_006)), "{case}: {message}");
}

// ---------------------------------------------------------------------------------------------
// Bytes that are not YAML text

#[test]
fn invalid_utf8_is_located() {
    let case = "invalid UTF-8";
    let t = TempDir::new("utf8");
    t.write(
        "compose.yaml",
        b"services:\n  etcd:\n    image: etcd\xfe\xff\n".as_slice(),
    );
    let r = hostile(case, &t, &["compose.yaml"]);
    let (message, at) = error_of(case, &r, "compose.yaml");
    assert!(
        message.starts_with("not valid UTF-8: "),
        "{case}: {message}"
    );
    assert_eq!(at, Some((3, 16)), "{case}: {message}");
}

#[test]
fn a_binary_file_is_located() {
    let case = "binary file";
    let t = TempDir::new("binary");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut bytes: Vec<u8> = (0..64 * 1024).map(|_| (rng.next() >> 56) as u8).collect();
    bytes[0] = 0; // a NUL first
    t.write("compose.yaml", &bytes);
    // Control characters and NUL that are valid UTF-8: not valid YAML.
    t.write(
        "docker-compose.yml",
        b"services:\n  etcd:\0\x01\x02\x7f\n".as_slice(),
    );
    let r = hostile(case, &t, &["compose.yaml", "docker-compose.yml"]);
    let (message, at) = error_of(case, &r, "compose.yaml");
    assert!(
        message.starts_with("not valid UTF-8: "),
        "{case}: {message}"
    );
    assert!(at.is_some(), "{case}: {message}");
    let (message, at) = error_of(case, &r, "docker-compose.yml");
    assert!(message.starts_with("invalid YAML: "), "{case}: {message}");
    assert_eq!(at.map(|(l, _)| l), Some(2), "{case}: {message}");
}

#[test]
fn tabs_as_indentation_are_located() {
    let case = "tabs";
    let t = TempDir::new("tabs");
    t.write(
        "compose.yaml",
        "services:\n\tetcd:\n\t\timage: quay.io/coreos/etcd:v3.5.18\n",
    );
    let r = hostile(case, &t, &["compose.yaml"]);
    let (message, at) = error_of(case, &r, "compose.yaml");
    assert!(message.starts_with("invalid YAML: "), "{case}: {message}");
    assert_eq!(at.map(|(l, _)| l), Some(2), "{case}: {message}");
}

// ---------------------------------------------------------------------------------------------
// Odd but valid files: checked like any other

#[test]
fn an_empty_file_and_a_file_of_comments_are_checked() {
    let case = "empty and comments";
    let t = TempDir::new("empty");
    t.write("compose.yaml", "");
    t.write("comments.yml", "# one\n#two\n   # three\n\n#\n");
    let r = hostile(case, &t, &["compose.yaml", "comments.yml"]);
    assert_eq!(r.code, 1, "{case}: {:#}", r.json);
    // Checked; Docker Compose refuses both as empty.
    assert_eq!(
        checked_ok(case, &r, "compose.yaml"),
        ["compose.yaml:1:1 empty-compose-file"]
    );
    assert_eq!(
        checked_ok(case, &r, "comments.yml"),
        ["comments.yml:1:1 empty-compose-file"]
    );
}

#[test]
fn every_document_of_a_multi_document_file_is_read() {
    // Documents are merged as Docker Compose merges them: the known stack as the second
    // document (its finding on line 9), an empty one (which Docker Compose refuses: reported
    // at its `---`, line 10), and a MinIO service as the fourth (its data path, line 16,
    // column 27).
    let case = "multi-document";
    let t = TempDir::new("multi-doc");
    let text = format!(
        "services: {{}}\n---\n{KNOWN}---\n# nothing\n---\nservices:\n  minio:\n    \
         image: minio/minio:RELEASE.2024-05-28T17-19-04Z\n    command: minio server \
         /minio_data\n...\n"
    );
    t.write("compose.yaml", &text);
    let r = hostile(case, &t, &["compose.yaml"]);
    assert_eq!(r.code, 1, "{case}: {:#}", r.json);
    assert_eq!(
        checked_ok(case, &r, "compose.yaml"),
        [
            "compose.yaml:9:30 etcd-data-not-persisted",
            "compose.yaml:10:1 empty-compose-file",
            "compose.yaml:16:27 minio-data-not-persisted",
        ]
    );
}

#[test]
fn a_byte_order_mark_is_not_a_column() {
    let case = "BOM";
    let t = TempDir::new("bom");
    t.write("compose.yaml", format!("\u{feff}{KNOWN}"));
    let r = hostile(case, &t, &["compose.yaml"]);
    assert_eq!(r.code, 1, "{case}: {:#}", r.json);
    assert_eq!(
        checked_ok(case, &r, "compose.yaml"),
        ["compose.yaml:7:30 etcd-data-not-persisted"]
    );
}

// ---------------------------------------------------------------------------------------------
// Paths

#[test]
fn an_unreadable_file_exits_2_without_a_location() {
    let case = "unreadable";
    let t = TempDir::new("unreadable");
    // Reading /proc/self/mem from its start fails for every user, root included.
    let r = hostile(case, &t, &["/proc/self/mem"]);
    let (message, at) = error_of(case, &r, "/proc/self/mem");
    assert!(message.starts_with("cannot read: "), "{case}: {message}");
    assert_eq!(at, None);
}

#[test]
fn a_directory_symlink_loop_is_not_followed() {
    let case = "symlink loop";
    let t = TempDir::new("loop");
    t.write("tree/a/compose.yaml", KNOWN);
    std::os::unix::fs::symlink("..", t.path("tree/a/b")).expect("symlink");
    std::os::unix::fs::symlink(".", t.path("tree/self")).expect("symlink");
    let r = hostile(case, &t, &["tree"]);
    assert_eq!(r.code, 1, "{case}: {:#}", r.json);
    let paths: Vec<&str> = r.json["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    // Found once, through no link; the valid file comes after it.
    assert_eq!(paths, ["tree/a/compose.yaml", KNOWN_FILE], "{case}");
    assert_eq!(
        checked_ok(case, &r, "tree/a/compose.yaml"),
        ["tree/a/compose.yaml:7:30 etcd-data-not-persisted"]
    );
}

#[test]
fn a_directory_named_like_a_compose_file_is_walked() {
    let case = "directory named compose.yaml";
    let t = TempDir::new("dir-named");
    std::fs::create_dir_all(t.path("compose.yaml")).unwrap();
    std::fs::create_dir_all(t.path("walked/docker-compose.yml")).unwrap();
    t.write("walked/docker-compose.yml/compose.yaml", KNOWN);
    let r = hostile(case, &t, &["compose.yaml", "walked"]);
    let paths: Vec<&str> = r.json["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    // The empty one holds nothing to check; in the walk, the directory is not read as a file.
    assert_eq!(
        paths,
        ["walked/docker-compose.yml/compose.yaml", KNOWN_FILE],
        "{case}"
    );
    assert_eq!(r.code, 1, "{case}: {:#}", r.json);
}

#[test]
fn baseline_the_valid_file_alone() {
    // The time of a run with nothing hostile in it, to compare the others with.
    let t = TempDir::new("baseline");
    let r = hostile("baseline", &t, &[]);
    assert_eq!(r.code, 1);
    assert!(r.elapsed < TIME_LIMIT);
}
