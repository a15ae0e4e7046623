//! The rule documents in `rules/*.md` are test cases: each one's `## Bad` example must give
//! exactly the findings its `milvet reports:` line lists, and its `## Good` example none.

mod common;

use milvet::check::{Options, check_paths, check_text};
use milvet::discover::FileKind;
use milvet::rules;
use milvet::source::LineIndex;
use std::path::{Path, PathBuf};

const RULES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");

/// A rule document: its id (file name without `.md`) and text.
struct Doc {
    id: String,
    path: PathBuf,
    text: String,
}

fn docs() -> Vec<Doc> {
    let mut docs: Vec<Doc> = std::fs::read_dir(RULES_DIR)
        .expect("rules/ is readable")
        .map(|e| e.expect("rules/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|path| Doc {
            id: path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("UTF-8 file name")
                .to_string(),
            text: std::fs::read_to_string(&path).expect("rule doc is UTF-8"),
            path,
        })
        .collect();
    docs.sort_by(|a, b| a.id.cmp(&b.id));
    docs
}

/// A fenced block found in a document: its info string, body and the line after its closing
/// fence (0-based index into the document's lines).
struct Block {
    info: String,
    body: String,
    end: usize,
}

/// The first fenced block at or after line `from` and before line `until`.
fn fenced_block(lines: &[&str], from: usize, until: usize) -> Option<Block> {
    let open = (from..until).find(|&i| lines[i].starts_with("```"))?;
    let info = lines[open].trim_start_matches('`').trim().to_string();
    let close = (open + 1..until).find(|&i| lines[i].trim_end() == "```")?;
    let mut body = lines[open + 1..close].join("\n");
    body.push('\n');
    Some(Block {
        info,
        body,
        end: close + 1,
    })
}

/// The 0-based index of the line that is exactly `heading`.
fn heading(lines: &[&str], heading: &str) -> Option<usize> {
    lines.iter().position(|l| l.trim_end() == heading)
}

/// The next `## ` heading after line `after`, or the end of the document.
fn section_end(lines: &[&str], after: usize) -> usize {
    (after + 1..lines.len())
        .find(|&i| lines[i].starts_with("## "))
        .unwrap_or(lines.len())
}

/// The items of a `milvet reports:` line: `` `5:34 rule-id`, `6:39 other` `` → the texts
/// between backticks, in order.
fn parse_reports(line: &str) -> Result<Vec<String>, String> {
    let rest = line
        .strip_prefix("milvet reports:")
        .ok_or_else(|| format!("not a `milvet reports:` line: {line:?}"))?;
    let mut items = Vec::new();
    for part in rest.split(',') {
        let part = part.trim();
        let item = part
            .strip_prefix('`')
            .and_then(|p| p.strip_suffix('`'))
            .ok_or_else(|| format!("item {part:?} is not written as `LINE:COL rule-id`"))?;
        let (pos, rule) = item
            .split_once(' ')
            .ok_or_else(|| format!("item {item:?} is not `LINE:COL rule-id`"))?;
        // `LINE:COL`, or `FILE:LINE:COL` for a finding in another file of the example.
        let pos = match pos.rsplitn(3, ':').collect::<Vec<_>>().as_slice() {
            [c, l, _file] => format!("{l}:{c}"),
            _ => pos.to_string(),
        };
        let (l, c) = pos
            .split_once(':')
            .ok_or_else(|| format!("position {pos:?} is not LINE:COL"))?;
        if l.parse::<usize>().is_err() || c.parse::<usize>().is_err() || rule.contains(' ') {
            return Err(format!("item {item:?} is not `LINE:COL rule-id`"));
        }
        items.push(item.to_string());
    }
    if items.is_empty() {
        return Err("`milvet reports:` lists nothing".into());
    }
    Ok(items)
}

/// Every finding of every rule on an example: a Compose text alone (as `line:col rule-id`, in
/// report order), or with the other files of its section (written beside it as
/// `docker-compose.yml`, the directory checked as `milvet check` checks it; a finding in
/// another file is `file:line:col rule-id`).
fn example_findings(block: &Block, extra: &[Block]) -> Result<Vec<String>, String> {
    if extra.is_empty() {
        return findings(&block.body);
    }
    let dir = common::TempDir::new("rule-doc");
    dir.write("docker-compose.yml", &block.body);
    for b in extra {
        let name = b.info.strip_prefix("yaml ").unwrap_or(&b.info).trim();
        dir.write(name, &b.body);
    }
    let reports = check_paths(std::slice::from_ref(&dir.root), &Options::default());
    let mut out = Vec::new();
    for r in &reports {
        if let Some(e) = &r.error {
            return Err(format!(
                "cannot be checked: {}: {}",
                r.path.display(),
                e.message
            ));
        }
        let text = r.text.as_deref().unwrap_or("");
        let lines = LineIndex::new(text);
        let rel = r.path.strip_prefix(&dir.root).unwrap_or(&r.path);
        let name = rel.display().to_string();
        for d in &r.diagnostics {
            let pos = lines.position(text, d.origin.span.start);
            if name == "docker-compose.yml" {
                out.push(format!("{}:{} {}", pos.line, pos.column, d.rule));
            } else {
                out.push(format!("{name}:{}:{} {}", pos.line, pos.column, d.rule));
            }
        }
    }
    Ok(out)
}

/// Every finding of every rule on a Compose text, as `line:col rule-id`, in report order.
fn findings(text: &str) -> Result<Vec<String>, String> {
    let diagnostics = check_text(text, FileKind::Compose, &Options::default())
        .map_err(|(message, offset)| format!("cannot be checked: {message} (offset {offset})"))?;
    let lines = LineIndex::new(text);
    Ok(diagnostics
        .iter()
        .map(|d| {
            let pos = lines.position(text, d.origin.span.start);
            format!("{}:{} {}", pos.line, pos.column, d.rule)
        })
        .collect())
}

/// What a document's sections hold.
struct Parsed {
    bad: Block,
    /// The other files of the bad example: blocks ```` ```yaml PATH ```` after the first.
    bad_files: Vec<Block>,
    /// The items of the `milvet reports:` line after the bad block.
    expected: Vec<String>,
    good: Block,
    good_files: Vec<Block>,
}

/// The blocks after `first` in a section that name a file (```` ```yaml PATH ````).
fn file_blocks(lines: &[&str], first: &Block, end: usize) -> Vec<Block> {
    let mut out = Vec::new();
    let mut from = first.end;
    while let Some(b) = fenced_block(lines, from, end) {
        from = b.end;
        if b.info.starts_with("yaml ") {
            out.push(b);
        }
    }
    out
}

/// Read a document's `## Bad` and `## Good` sections.
fn parse_doc(doc: &Doc) -> Result<Parsed, String> {
    let lines: Vec<&str> = doc.text.lines().collect();
    let yaml_block = |section: &str| -> Result<(Block, usize), String> {
        let at = heading(&lines, section).ok_or_else(|| format!("no `{section}` section"))?;
        let end = section_end(&lines, at);
        let block = fenced_block(&lines, at + 1, end)
            .ok_or_else(|| format!("no fenced block in `{section}`"))?;
        if block.info != "yaml" {
            return Err(format!(
                "the `{section}` block is ```{}, not ```yaml",
                block.info
            ));
        }
        Ok((block, end))
    };
    let (bad, bad_end) = yaml_block("## Bad")?;
    let reports = (bad.end..bad_end)
        .find(|&i| lines[i].starts_with("milvet reports:"))
        .ok_or("no `milvet reports:` line after the `## Bad` block")?;
    let expected = parse_reports(lines[reports])?;
    let bad_files = file_blocks(&lines, &bad, bad_end);
    let (good, good_end) = yaml_block("## Good")?;
    let good_files = file_blocks(&lines, &good, good_end);
    Ok(Parsed {
        bad,
        bad_files,
        expected,
        good,
        good_files,
    })
}

/// Check everything about one document but the positions of its bad example's findings;
/// every problem found is pushed to `problems`.
fn check_doc(doc: &Doc, problems: &mut Vec<String>) {
    let name = doc.path.file_name().unwrap().to_string_lossy().to_string();
    let mut fail = |m: String| problems.push(format!("{name}: {m}"));

    match rules::by_id(&doc.id) {
        None => fail(format!("`{}` is not a registered rule id", doc.id)),
        Some(rule) => {
            if rule.meta().doc != doc.text {
                fail(format!(
                    "the rule `{}` does not embed this file as its doc",
                    doc.id
                ));
            }
        }
    }
    let first = doc.text.lines().next();
    if first != Some(format!("# {}", doc.id).as_str()) {
        fail(format!("the first line is {first:?}, not `# {}`", doc.id));
    }
    let parsed = match parse_doc(doc) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    if !parsed
        .expected
        .iter()
        .any(|item| item.split_once(' ').is_some_and(|(_, r)| r == doc.id))
    {
        fail(format!(
            "the `milvet reports:` line does not list the rule `{}` itself",
            doc.id
        ));
    }
    for item in &parsed.expected {
        let rule = item.split_once(' ').map_or("", |(_, r)| r);
        if rules::by_id(rule).is_none() {
            fail(format!(
                "`milvet reports:` names `{rule}`, which is not a rule id"
            ));
        }
    }
    if let Err(e) = example_findings(&parsed.bad, &parsed.bad_files) {
        fail(format!("the `## Bad` block {e}"));
    }
    match example_findings(&parsed.good, &parsed.good_files) {
        Err(e) => fail(format!("the `## Good` block {e}")),
        Ok(actual) if !actual.is_empty() => fail(format!(
            "the `## Good` block gives {actual:?}, expected nothing"
        )),
        Ok(_) => {}
    }
}

/// The findings of a document's bad example equal its `milvet reports:` line exactly.
fn assert_bad_example(id: &str) {
    let doc = docs()
        .into_iter()
        .find(|d| d.id == id)
        .unwrap_or_else(|| panic!("no rules/{id}.md"));
    let parsed = parse_doc(&doc).unwrap_or_else(|e| panic!("rules/{id}.md: {e}"));
    let actual = example_findings(&parsed.bad, &parsed.bad_files)
        .unwrap_or_else(|e| panic!("rules/{id}.md: {e}"));
    assert_eq!(
        actual, parsed.expected,
        "rules/{id}.md: the `## Bad` block's findings (left) differ from its `milvet reports:` \
         line (right)"
    );
}

/// The documents with a bad-example test below; every `rules/*.md` must be here.
const DOC_TESTS: &[&str] = &[
    "command-not-runnable",
    "compose-schema",
    "conflicting-settings",
    "depends-on-not-healthy",
    "duplicate-container-name",
    "duplicate-mount-target",
    "empty-compose-file",
    "etcd-compaction-mode",
    "etcd-compaction-retention",
    "etcd-config-file-ignores-settings",
    "etcd-data-not-persisted",
    "etcd-env-flag-conflict",
    "etcd-quota-backend-bytes",
    "etcd-unsafe-no-fsync",
    "etcd-version-data-loss",
    "healthcheck-missing",
    "healthcheck-not-runnable",
    "image-tag-unpinned",
    "image-unavailable",
    "include-conflict",
    "invalid-command",
    "invalid-interpolation",
    "invalid-port-spec",
    "invalid-project-name",
    "invalid-volume-spec",
    "milvus-config-not-persisted",
    "milvus-config-unknown-key",
    "milvus-credentials-mismatch",
    "milvus-data-not-persisted",
    "milvus-embedded-etcd-compaction",
    "milvus-embedded-etcd-not-persisted",
    "milvus-endpoint-unreachable",
    "milvus-env-override-noop",
    "milvus-local-storage-not-persisted",
    "milvus-management-port-exposed",
    "milvus-version-data-loss",
    "minio-data-not-persisted",
    "minio-default-credentials",
    "missing-file",
    "missing-image",
    "reference-cycle",
    "restart-policy-missing",
    "secret-without-source",
    "suppression-without-reason",
    "undefined-reference",
    "unknown-service",
    "unset-variable",
    "unused-suppression",
    "woodpecker-minio-too-old",
    "yaml-duplicate-key",
];

#[test]
fn bad_example_milvus_config_not_persisted() {
    assert_bad_example("milvus-config-not-persisted");
}

#[test]
fn bad_example_milvus_config_unknown_key() {
    assert_bad_example("milvus-config-unknown-key");
}

#[test]
fn bad_example_etcd_compaction_mode() {
    assert_bad_example("etcd-compaction-mode");
}

#[test]
fn bad_example_etcd_compaction_retention() {
    assert_bad_example("etcd-compaction-retention");
}

#[test]
fn bad_example_etcd_data_not_persisted() {
    assert_bad_example("etcd-data-not-persisted");
}

#[test]
fn bad_example_invalid_interpolation() {
    assert_bad_example("invalid-interpolation");
}

#[test]
fn bad_example_missing_file() {
    assert_bad_example("missing-file");
}

#[test]
fn bad_example_reference_cycle() {
    assert_bad_example("reference-cycle");
}

#[test]
fn bad_example_unknown_service() {
    assert_bad_example("unknown-service");
}

#[test]
fn bad_example_duplicate_mount_target() {
    assert_bad_example("duplicate-mount-target");
}

#[test]
fn bad_example_duplicate_container_name() {
    assert_bad_example("duplicate-container-name");
}

#[test]
fn bad_example_invalid_port_spec() {
    assert_bad_example("invalid-port-spec");
}

#[test]
fn bad_example_invalid_project_name() {
    assert_bad_example("invalid-project-name");
}

#[test]
fn bad_example_secret_without_source() {
    assert_bad_example("secret-without-source");
}

// `include-conflict` needs a second file: its bad example is the compose.yaml of
// testdata/projects/fidelity-include-conflict, checked as a project in tests/fidelity.rs.

#[test]
fn bad_example_empty_compose_file() {
    assert_bad_example("empty-compose-file");
}

#[test]
fn bad_example_missing_image() {
    assert_bad_example("missing-image");
}

#[test]
fn bad_example_invalid_command() {
    assert_bad_example("invalid-command");
}

#[test]
fn bad_example_invalid_volume_spec() {
    assert_bad_example("invalid-volume-spec");
}

#[test]
fn bad_example_undefined_reference() {
    assert_bad_example("undefined-reference");
}

#[test]
fn bad_example_unset_variable() {
    assert_bad_example("unset-variable");
}

#[test]
fn bad_example_yaml_duplicate_key() {
    assert_bad_example("yaml-duplicate-key");
}

#[test]
fn bad_example_etcd_config_file_ignores_settings() {
    assert_bad_example("etcd-config-file-ignores-settings");
}

#[test]
fn bad_example_etcd_quota_backend_bytes() {
    assert_bad_example("etcd-quota-backend-bytes");
}

#[test]
fn bad_example_depends_on_not_healthy() {
    assert_bad_example("depends-on-not-healthy");
}

#[test]
fn bad_example_command_not_runnable() {
    assert_bad_example("command-not-runnable");
}

#[test]
fn bad_example_etcd_unsafe_no_fsync() {
    assert_bad_example("etcd-unsafe-no-fsync");
}

#[test]
fn bad_example_etcd_env_flag_conflict() {
    assert_bad_example("etcd-env-flag-conflict");
}

#[test]
fn bad_example_milvus_data_not_persisted() {
    assert_bad_example("milvus-data-not-persisted");
}

#[test]
fn bad_example_healthcheck_not_runnable() {
    assert_bad_example("healthcheck-not-runnable");
}

#[test]
fn bad_example_healthcheck_missing() {
    assert_bad_example("healthcheck-missing");
}

#[test]
fn bad_example_restart_policy_missing() {
    assert_bad_example("restart-policy-missing");
}

#[test]
fn bad_example_compose_schema() {
    assert_bad_example("compose-schema");
}

#[test]
fn bad_example_minio_data_not_persisted() {
    assert_bad_example("minio-data-not-persisted");
}

#[test]
fn bad_example_unused_suppression() {
    assert_bad_example("unused-suppression");
}

#[test]
fn bad_example_suppression_without_reason() {
    assert_bad_example("suppression-without-reason");
}

#[test]
fn bad_example_etcd_version_data_loss() {
    assert_bad_example("etcd-version-data-loss");
}

#[test]
fn bad_example_milvus_version_data_loss() {
    assert_bad_example("milvus-version-data-loss");
}

#[test]
fn bad_example_image_tag_unpinned() {
    assert_bad_example("image-tag-unpinned");
}

#[test]
fn bad_example_image_unavailable() {
    assert_bad_example("image-unavailable");
}

#[test]
fn bad_example_milvus_management_port_exposed() {
    assert_bad_example("milvus-management-port-exposed");
}

#[test]
fn bad_example_minio_default_credentials() {
    assert_bad_example("minio-default-credentials");
}

#[test]
fn bad_example_woodpecker_minio_too_old() {
    assert_bad_example("woodpecker-minio-too-old");
}

#[test]
fn bad_example_conflicting_settings() {
    assert_bad_example("conflicting-settings");
}

#[test]
fn every_rule_doc_has_a_bad_example_test() {
    let files: Vec<String> = docs().into_iter().map(|d| d.id).collect();
    let mut tested: Vec<String> = DOC_TESTS.iter().map(|s| s.to_string()).collect();
    tested.sort();
    assert_eq!(
        files, tested,
        "rules/*.md (left) and the documents with a bad_example_* test (right) differ"
    );
}

#[test]
fn every_rule_doc_is_a_registered_rule_with_bad_and_good_examples() {
    let docs = docs();
    assert!(!docs.is_empty(), "no rules/*.md found in {RULES_DIR}");
    let mut problems = Vec::new();
    for doc in &docs {
        check_doc(doc, &mut problems);
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn every_registered_rule_has_a_doc_file() {
    let missing: Vec<&str> = rules::all()
        .iter()
        .map(|r| r.meta().id)
        .filter(|id| !Path::new(RULES_DIR).join(format!("{id}.md")).is_file())
        .collect();
    assert!(
        missing.is_empty(),
        "rules without rules/<id>.md: {missing:?}"
    );
}

#[test]
fn doc_files_and_registered_rules_are_the_same_set() {
    let mut files: Vec<String> = docs().into_iter().map(|d| d.id).collect();
    let mut ids: Vec<String> = rules::all()
        .iter()
        .map(|r| r.meta().id.to_string())
        .collect();
    files.sort();
    ids.sort();
    assert_eq!(files, ids);
}

#[test]
fn reports_line_parser_reads_positions_and_ids() {
    assert_eq!(
        parse_reports(
            "milvet reports: `5:34 etcd-compaction-mode`, `6:39 etcd-compaction-retention`"
        ),
        Ok(vec![
            "5:34 etcd-compaction-mode".to_string(),
            "6:39 etcd-compaction-retention".to_string()
        ])
    );
    assert!(parse_reports("milvet reports: 5:34 etcd-compaction-mode").is_err());
    assert!(parse_reports("milvet reports: `five etcd-compaction-mode`").is_err());
    assert!(parse_reports("milvet reports: ").is_err());
}

#[test]
fn bad_example_milvus_env_override_noop() {
    assert_bad_example("milvus-env-override-noop");
}

#[test]
fn bad_example_milvus_endpoint_unreachable() {
    assert_bad_example("milvus-endpoint-unreachable");
}

#[test]
fn bad_example_milvus_credentials_mismatch() {
    assert_bad_example("milvus-credentials-mismatch");
}

#[test]
fn bad_example_milvus_embedded_etcd_not_persisted() {
    assert_bad_example("milvus-embedded-etcd-not-persisted");
}

#[test]
fn bad_example_milvus_embedded_etcd_compaction() {
    assert_bad_example("milvus-embedded-etcd-compaction");
}

#[test]
fn bad_example_milvus_local_storage_not_persisted() {
    assert_bad_example("milvus-local-storage-not-persisted");
}
