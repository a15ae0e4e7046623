//! The shared corpus of real Compose files and Milvus configurations: every file is checked
//! without a panic and without an error, and the official Milvus release files give exactly
//! the findings `tests/official-expectations.tsv` lists.

use milvet::check::{FileReport, Options, check_file};
use milvet::discover::FileKind;
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");
const EXPECTATIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/official-expectations.tsv"
);

/// The corpus directory, or `None` (after saying so) when it is not there.
fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(CORPUS);
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("corpus tests skipped: {CORPUS} is absent");
        None
    }
}

/// The `*.yml` and `*.yaml` files of a corpus directory, sorted. The directory must exist and
/// hold at least one.
fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no YAML file in {}", dir.display());
    files
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// Check a file through the library, turning a panic into an `Err` naming the file.
fn check(path: &Path, kind: FileKind) -> Result<FileReport, String> {
    catch_unwind(AssertUnwindSafe(|| {
        check_file(path, kind, &Options::default())
    }))
    .map_err(|panic| {
        let what = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("{}: panicked: {what}", path.display())
    })
}

/// Check every YAML file of `subdir` as `kind`; collect panics and error outcomes.
fn check_all(root: &Path, subdir: &str, kind: FileKind, problems: &mut Vec<String>) -> usize {
    let files = yaml_files(&root.join(subdir));
    for path in &files {
        match check(path, kind) {
            Err(e) => problems.push(e),
            Ok(report) => {
                if let Some(e) = &report.error {
                    let at =
                        e.at.map(|(offset, pos)| format!(" at {pos} (offset {offset})"))
                            .unwrap_or_default();
                    problems.push(format!(
                        "{}: cannot be checked{at}: {}",
                        path.display(),
                        e.message
                    ));
                }
            }
        }
    }
    files.len()
}

#[test]
fn every_corpus_compose_file_is_checked_without_error() {
    let Some(root) = corpus() else { return };
    let mut problems = Vec::new();
    let mut count = 0;
    for subdir in ["milvus", "general", "milvus-official"] {
        count += check_all(&root, subdir, FileKind::Compose, &mut problems);
    }
    assert!(
        problems.is_empty(),
        "{} of {count} Compose files failed:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

const MILVUS_CONFIG_EXPECTATIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/milvus-config-expectations.tsv"
);

/// Every Milvus configuration of the corpus is checked without an error, and gives exactly the
/// findings `tests/milvus-config-expectations.tsv` lists (each with why it is right); the
/// official files of `milvus-yaml-official` give none.
#[test]
fn every_corpus_milvus_config_is_checked_without_error_and_as_expected() {
    let Some(root) = corpus() else { return };
    let mut problems = Vec::new();
    let mut actual: BTreeSet<String> = BTreeSet::new();
    let mut files = yaml_files(&root.join("milvus-yaml"));
    let official: Vec<PathBuf> = yaml_files(&root.join("milvus-yaml-official"))
        .into_iter()
        .filter(|p| file_name(p).starts_with("milvus-"))
        .collect();
    files.extend(official.iter().cloned());
    for path in &files {
        match check(path, FileKind::MilvusConfig) {
            Err(e) => problems.push(e),
            Ok(report) => {
                if let Some(e) = &report.error {
                    problems.push(format!(
                        "{}: cannot be checked: {}",
                        path.display(),
                        e.message
                    ));
                }
                let text = report.text.as_deref().unwrap_or("");
                let lines = milvet::source::LineIndex::new(text);
                for d in &report.diagnostics {
                    let pos = lines.position(text, d.origin.span.start);
                    if official.contains(path) {
                        problems.push(format!(
                            "{}:{pos}: an official file gets {} ({})",
                            file_name(path),
                            d.rule,
                            d.message
                        ));
                    }
                    actual.insert(format!("{}\t{pos}\t{}", file_name(path), d.rule));
                }
            }
        }
    }
    let text = std::fs::read_to_string(MILVUS_CONFIG_EXPECTATIONS).expect("read the expectations");
    let expected: BTreeSet<String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.splitn(4, '\t').take(3).collect::<Vec<_>>().join("\t"))
        .collect();
    for missing in expected.difference(&actual) {
        problems.push(format!("expected, not found: {missing}"));
    }
    for extra in actual.difference(&expected) {
        problems.push(format!("found, not expected: {extra}"));
    }
    assert!(
        problems.is_empty(),
        "{} problems over {} Milvus configurations:\n{}",
        problems.len(),
        files.len(),
        problems.join("\n")
    );
}

/// The rows of the expectations table: file name → rule ids. Comment lines start with `#`.
fn expectations() -> Vec<(String, BTreeSet<String>)> {
    let text = std::fs::read_to_string(EXPECTATIONS)
        .unwrap_or_else(|e| panic!("cannot read {EXPECTATIONS}: {e}"));
    assert!(
        text.starts_with('#'),
        "the table must start with a comment explaining its format"
    );
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, line)| {
            let (name, ids) = line.split_once('\t').unwrap_or_else(|| {
                panic!(
                    "official-expectations.tsv line {}: no tab in {line:?}",
                    i + 1
                )
            });
            let ids: BTreeSet<String> = ids
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    let id = s.split(['@', '=']).next().unwrap_or(s);
                    assert!(
                        milvet::rules::by_id(id).is_some(),
                        "official-expectations.tsv line {}: `{s}` is not a rule id",
                        i + 1
                    );
                    s.to_string()
                })
                .collect();
            (name.to_string(), ids)
        })
        .collect()
}

/// A finding as the expectations table writes it: `rule@service`, with `=severity` when the
/// severity is not the rule's default (`healthcheck-not-runnable@minio=warning`).
fn expectation_item(d: &milvet::diagnostic::Diagnostic) -> String {
    let mut item = d.rule.to_string();
    if let Some(s) = &d.service {
        item.push('@');
        item.push_str(s);
    }
    let default = milvet::rules::by_id(d.rule).map(|r| r.meta().severity);
    if default != Some(d.severity) {
        item.push('=');
        item.push_str(&format!("{:?}", d.severity).to_lowercase());
    }
    item
}

#[test]
fn expectations_table_is_sorted_with_one_row_per_file() {
    let rows = expectations();
    let names: Vec<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(names, sorted, "rows must be sorted by file name, each once");
}

#[test]
fn official_release_files_give_exactly_the_expected_rules() {
    let Some(root) = corpus() else { return };
    let expected: BTreeMap<String, BTreeSet<String>> = expectations().into_iter().collect();
    let files: BTreeMap<String, PathBuf> = yaml_files(&root.join("milvus-official"))
        .into_iter()
        .map(|p| (file_name(&p), p))
        .collect();

    let mut problems = Vec::new();
    for name in files.keys().filter(|n| !expected.contains_key(*n)) {
        problems.push(format!(
            "{name}: in milvus-official/ but not in official-expectations.tsv"
        ));
    }
    for name in expected.keys().filter(|n| !files.contains_key(*n)) {
        problems.push(format!(
            "{name}: in official-expectations.tsv but not in milvus-official/"
        ));
    }
    for (name, path) in &files {
        let Some(want) = expected.get(name) else {
            continue;
        };
        let report = match check(path, FileKind::Compose) {
            Ok(r) => r,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        if let Some(e) = report.error.as_ref() {
            problems.push(format!("{name}: cannot be checked: {}", e.message));
            continue;
        }
        let got: BTreeSet<String> = report.diagnostics.iter().map(expectation_item).collect();
        if &got != want {
            let join = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(",");
            problems.push(format!(
                "{name}: expected [{}], milvet reports [{}]",
                join(want),
                join(&got)
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} mismatches with official-expectations.tsv:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
