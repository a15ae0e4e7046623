//! Configuration as a user writes it: files found upward from each checked file, `extend`,
//! `--config` and `--isolated`, every key, the command line over the file over the defaults,
//! located errors, `fail-on` and `--exit-zero`, `--statistics`, `--stdin-filename`, and
//! `milvet config --show`.

mod common;
use common::{TempDir, findings, readme_blocks};

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run `milvet args...` in `dir`, with `stdin` as standard input.
fn milvet_with(dir: &Path, args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run milvet");
    // milvet may exit before reading (a refused option): a closed pipe is not a failure.
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    let out = child.wait_with_output().expect("milvet ends");
    Run {
        code: out.status.code().expect("an exit code"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8"),
    }
}

fn milvet(dir: &Path, args: &[&str]) -> Run {
    milvet_with(dir, args, "")
}

/// `milvet check --format json args...` in `dir`: exit code and findings as
/// `file:line:col rule`.
fn check(dir: &Path, args: &[&str]) -> (i32, Vec<String>) {
    let (code, v) = check_json(dir, args);
    (code, findings(&v))
}

fn check_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let run = milvet(dir, &all);
    let v: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
    (run.code, v)
}

/// etcd in `periodic` mode (a warning at 5:35, safe fix) keeping `/etcd` in its writable
/// layer (an error at 7:30, unsafe fix).
const TWO: &str = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      - ETCD_AUTO_COMPACTION_MODE=periodic
      - ETCD_AUTO_COMPACTION_RETENTION=1000
    command: etcd --data-dir /etcd
";

/// Only a warning: a retention of 100 (6:40, below the default 1000).
const LOW_RETENTION: &str = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      - ETCD_AUTO_COMPACTION_MODE=revision
      - ETCD_AUTO_COMPACTION_RETENTION=100
    volumes:
      - ./volumes/etcd:/etcd
    command: etcd --data-dir /etcd
";

const MODE: &str = "etcd-compaction-mode";
const DATA: &str = "etcd-data-not-persisted";

fn two(dir: &str) -> Vec<String> {
    vec![
        format!("{dir}compose.yaml:5:35 {MODE}"),
        format!("{dir}compose.yaml:7:30 {DATA}"),
    ]
}

// ---------------------------------------------------------------------------------------------
// Discovery

#[test]
fn without_a_configuration_every_rule_runs() {
    let t = TempDir::new("cfg-none");
    t.write("compose.yaml", TWO);
    assert_eq!(check(&t.root, &[]), (1, two("")));
}

#[test]
fn the_nearest_file_wins_and_is_not_merged_with_the_ones_above() {
    let t = TempDir::new("cfg-nearest");
    t.file("milvet.toml", format!("ignore = [\"{MODE}\"]\n"))
        .file("sub/milvet.toml", format!("ignore = [\"{DATA}\"]\n"))
        .file("compose.yaml", TWO)
        .file("sub/compose.yaml", TWO)
        .file("sub/deeper/compose.yaml", TWO);
    assert_eq!(
        check(&t.root, &[]),
        (
            1,
            vec![
                format!("compose.yaml:7:30 {DATA}"),
                format!("sub/compose.yaml:5:35 {MODE}"),
                format!("sub/deeper/compose.yaml:5:35 {MODE}"),
            ]
        )
    );
    // Run from the sub-directory, naming a file above: its own configuration applies.
    assert_eq!(
        check(&t.path("sub"), &["../compose.yaml", "compose.yaml"]),
        (
            1,
            vec![
                format!("../compose.yaml:7:30 {DATA}"),
                format!("compose.yaml:5:35 {MODE}")
            ]
        )
    );
}

#[test]
fn in_one_directory_dot_milvet_toml_then_milvet_toml_then_pyproject() {
    let t = TempDir::new("cfg-order");
    t.file("compose.yaml", TWO).file(
        "pyproject.toml",
        format!("[tool.milvet]\nignore = [\"{DATA}\"]\n"),
    );
    assert_eq!(check(&t.root, &[]).1, [format!("compose.yaml:5:35 {MODE}")]);
    t.write("milvet.toml", format!("ignore = [\"{MODE}\"]\n"));
    assert_eq!(check(&t.root, &[]).1, [format!("compose.yaml:7:30 {DATA}")]);
    t.write(".milvet.toml", "select = []\n");
    assert_eq!(check(&t.root, &[]), (0, vec![]));
}

#[test]
fn a_pyproject_without_tool_milvet_is_passed_over() {
    let t = TempDir::new("cfg-pyproject");
    t.file("milvet.toml", format!("ignore = [\"{MODE}\"]\n"))
        .file("app/pyproject.toml", "[tool.black]\nline-length = 100\n")
        .file("app/compose.yaml", TWO);
    assert_eq!(
        check(&t.root, &[]).1,
        [format!("app/compose.yaml:7:30 {DATA}")]
    );
}

#[test]
fn extend_inherits_and_the_extending_file_wins() {
    let t = TempDir::new("cfg-extend");
    t.file(
        "base.toml",
        format!("ignore = [\"{MODE}\"]\nfail-on = \"error\"\n[options]\nmin-retention = 50\n"),
    )
    .file(
        "deploy/milvet.toml",
        format!("extend = \"../base.toml\"\nextend-select = [\"{MODE}\"]\n"),
    )
    .file("deploy/compose.yaml", TWO)
    .file("deploy/low/compose.yaml", LOW_RETENTION);
    // The mode rule is back (extend-select over the base's ignore); the base's
    // min-retention of 50 accepts 100.
    assert_eq!(check(&t.path("deploy"), &[]).1, two(""));
    // fail-on = "error" comes from the base: the warning alone does not fail.
    assert_eq!(check(&t.path("deploy/low"), &[]), (0, vec![]));
}

#[test]
fn an_extend_cycle_is_an_error() {
    let t = TempDir::new("cfg-cycle");
    t.file("a.toml", "extend = \"milvet.toml\"\n")
        .file("milvet.toml", "extend = \"a.toml\"\n")
        .file("compose.yaml", TWO);
    let (code, v) = check_json(&t.root, &[]);
    assert_eq!(code, 2);
    let msg = v["files"][0]["error"]["message"].as_str().unwrap();
    assert!(msg.contains("`extend` leads back to"), "{msg}");
}

#[test]
fn config_names_one_file_for_everything_and_isolated_reads_none() {
    let t = TempDir::new("cfg-explicit");
    t.file("milvet.toml", format!("ignore = [\"{MODE}\"]\n"))
        .file("ci/strict.toml", format!("ignore = [\"{DATA}\"]\n"))
        .file("compose.yaml", TWO);
    assert_eq!(
        check(&t.root, &["--config", "ci/strict.toml"]).1,
        [format!("compose.yaml:5:35 {MODE}")]
    );
    assert_eq!(check(&t.root, &["--isolated"]), (1, two("")));
    let run = milvet(&t.root, &["check", "--config", "x.toml", "--isolated"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    // A --config that does not exist: reported, and nothing is checked.
    let (code, v) = check_json(&t.root, &["--config", "ci/missing.toml"]);
    assert_eq!(code, 2);
    assert_eq!(
        error_of(&v, "ci/missing.toml")["message"],
        "configuration: cannot read: no such file or directory"
    );
    assert_eq!(
        error_of(&v, "compose.yaml")["message"],
        "not checked: its configuration `ci/missing.toml` cannot be used"
    );
}

// ---------------------------------------------------------------------------------------------
// Keys and precedence

#[test]
fn select_extend_select_and_ignore() {
    let t = TempDir::new("cfg-select");
    t.file("compose.yaml", TWO);
    t.write("milvet.toml", format!("select = [\"{DATA}\"]\n"));
    assert_eq!(check(&t.root, &[]).1, [format!("compose.yaml:7:30 {DATA}")]);
    t.write(
        "milvet.toml",
        format!("select = [\"{DATA}\"]\nextend-select = [\"{MODE}\"]\n"),
    );
    assert_eq!(check(&t.root, &[]).1, two(""));
    t.write("milvet.toml", "ignore = [\"all\"]\n");
    assert_eq!(check(&t.root, &[]), (0, vec![]));
}

#[test]
fn the_command_line_wins_over_the_file_which_wins_over_the_defaults() {
    let t = TempDir::new("cfg-precedence");
    t.file("compose.yaml", TWO).file(
        "milvet.toml",
        format!("select = [\"{DATA}\"]\nfail-on = \"error\"\n[severity]\n{MODE} = \"info\"\n"),
    );
    // File over defaults.
    assert_eq!(check(&t.root, &[]).1, [format!("compose.yaml:7:30 {DATA}")]);
    // Command line over file: --select replaces, --ignore removes, --extend-select adds.
    assert_eq!(
        check(&t.root, &["--select", MODE]),
        (0, vec![format!("compose.yaml:5:35 {MODE}")])
    );
    assert_eq!(
        check(&t.root, &["--extend-select", MODE, "--ignore", DATA]),
        (0, vec![format!("compose.yaml:5:35 {MODE}")])
    );
    // The file's severity (info) and fail-on (error): exit 0; --fail-on info makes it 1.
    let (code, v) = check_json(&t.root, &["--select", MODE]);
    assert_eq!(
        (code, v["diagnostics"][0]["severity"].as_str()),
        (0, Some("info"))
    );
    assert_eq!(
        check(&t.root, &["--select", MODE, "--fail-on", "info"]).0,
        1
    );
    // --isolated: the defaults again.
    assert_eq!(check(&t.root, &["--isolated"]), (1, two("")));
}

#[test]
fn unknown_rule_ids_on_the_command_line_are_refused_with_a_suggestion() {
    let t = TempDir::new("cfg-cli-id");
    t.write("compose.yaml", TWO);
    let run = milvet(&t.root, &["check", "--ignore", "etcd-compaction-mod"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "milvet: --ignore: no rule `etcd-compaction-mod`; did you mean `etcd-compaction-mode`?\n"
    );
}

#[test]
fn severity_overrides_change_the_level_and_the_exit_code() {
    let t = TempDir::new("cfg-severity");
    t.file("compose.yaml", LOW_RETENTION).file(
        "milvet.toml",
        "fail-on = \"error\"\n[severity]\netcd-compaction-retention = \"error\"\n",
    );
    let (code, v) = check_json(&t.root, &[]);
    assert_eq!(code, 1);
    assert_eq!(v["diagnostics"][0]["severity"], "error");
    assert_eq!(v["diagnostics"][0]["line"], 6);
}

#[test]
fn per_file_ignores_match_globs_relative_to_the_configuration() {
    let t = TempDir::new("cfg-pfi");
    t.file(
        "milvet.toml",
        format!(
            "[per-file-ignores]\n\"dev/**\" = [\"{DATA}\"]\n\"compose.test.yaml\" = [\"all\"]\n"
        ),
    )
    .file("dev/a/compose.yaml", TWO)
    .file("prod/compose.yaml", TWO)
    .file("prod/compose.test.yaml", TWO)
    .file("prod/dev/compose.yaml", TWO);
    assert_eq!(
        check(&t.root, &[]).1,
        [
            format!("dev/a/compose.yaml:5:35 {MODE}"),
            format!("prod/compose.yaml:5:35 {MODE}"),
            format!("prod/compose.yaml:7:30 {DATA}"),
            format!("prod/dev/compose.yaml:5:35 {MODE}"),
            format!("prod/dev/compose.yaml:7:30 {DATA}"),
        ]
    );
}

#[test]
fn a_finding_in_an_env_file_is_matched_by_that_files_path() {
    let t = TempDir::new("cfg-pfi-env");
    t.file(
        "compose.yaml",
        "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    env_file: etcd.env
    volumes:
      - ./volumes/etcd:/etcd
    command: etcd --data-dir /etcd
",
    )
    .file(
        "etcd.env",
        "ETCD_AUTO_COMPACTION_MODE=periodic\nETCD_AUTO_COMPACTION_RETENTION=1000\n",
    );
    assert_eq!(check(&t.root, &[]).1, [format!("etcd.env:1:27 {MODE}")]);
    t.write(
        "milvet.toml",
        format!("[per-file-ignores]\n\"*.env\" = [\"{MODE}\"]\n"),
    );
    assert_eq!(check(&t.root, &[]), (0, vec![]));
}

#[test]
fn min_retention_from_the_file_and_from_the_command_line() {
    let t = TempDir::new("cfg-retention");
    t.write("compose.yaml", LOW_RETENTION);
    let low = vec!["compose.yaml:6:40 etcd-compaction-retention".to_string()];
    assert_eq!(check(&t.root, &[]), (1, low.clone()));
    t.write("milvet.toml", "[options]\nmin-retention = 100\n");
    assert_eq!(check(&t.root, &[]), (0, vec![]));
    assert_eq!(check(&t.root, &["--min-retention", "101"]), (1, low));
}

#[test]
fn exclude_skips_walked_and_named_files() {
    let t = TempDir::new("cfg-exclude");
    t.file(
        "milvet.toml",
        "exclude = [\"legacy\", \"**/compose.old.yaml\"]\n",
    )
    .file("compose.yaml", TWO)
    .file("legacy/compose.yaml", TWO)
    .file("x/compose.old.yaml", TWO);
    let (code, v) = check_json(&t.root, &[]);
    assert_eq!(code, 1);
    let paths: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["compose.yaml"]);
    let (code, v) = check_json(&t.root, &["legacy/compose.yaml"]);
    assert_eq!((code, v["files"].as_array().unwrap().len()), (0, 0));
}

#[test]
fn format_from_the_file_and_the_command_line() {
    let t = TempDir::new("cfg-format");
    t.file("compose.yaml", TWO)
        .file("milvet.toml", "format = \"json\"\n");
    let run = milvet(&t.root, &["check"]);
    let v: Value = serde_json::from_str(&run.stdout).expect("the configured format is JSON");
    assert_eq!(findings(&v), two(""));
    let run = milvet(&t.root, &["check", "--format", "human", "--color", "never"]);
    assert!(
        run.stdout
            .starts_with("compose.yaml:5:35: warning[etcd-compaction-mode]")
    );
    t.write("milvet.toml", "\nformat = \"yaml\"\n");
    let run = milvet(&t.root, &["check"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("milvet: milvet.toml:2:10: `format` is `yaml`, not one of full, concise, json, sarif, github, junit"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Errors in configuration files

/// The `error` of the report for `path`.
fn error_of<'a>(v: &'a Value, path: &str) -> &'a Value {
    let f = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no {path} in {v}"));
    &f["error"]
}

#[test]
fn an_unknown_key_is_located_with_did_you_mean() {
    let t = TempDir::new("cfg-unknown");
    t.file(
        "milvet.toml",
        "select = [\"all\"]\n\n[severity]\netcd-compaction-mode = \"error\"\n\n[per-file-ignore]\n",
    )
    .file("compose.yaml", TWO)
    .file("sub/compose.yaml", TWO);
    let (code, v) = check_json(&t.root, &[]);
    assert_eq!(code, 2);
    let e = error_of(&v, "milvet.toml");
    assert_eq!(
        e["message"],
        "configuration: unknown key `per-file-ignore`; did you mean `per-file-ignores`?"
    );
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(6), Some(2))
    );
    // Reported once, and the files it covers are not checked.
    let statuses: Vec<(String, String)> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].to_string(), f["status"].to_string()))
        .collect();
    assert_eq!(statuses.len(), 3, "{statuses:?}");
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0);
    let e = error_of(&v, "sub/compose.yaml");
    assert_eq!(
        e["message"],
        "not checked: its configuration `milvet.toml` cannot be used"
    );
}

#[test]
fn a_configuration_file_is_bounded_and_may_not_be_deep() {
    let t = TempDir::new("cfg-hostile");
    t.write("compose.yaml", TWO);
    t.write("milvet.toml", format!("# {}\n", "x".repeat(1024 * 1024)));
    let (code, v) = check_json(&t.root, &[]);
    assert_eq!(code, 2);
    assert_eq!(
        error_of(&v, "milvet.toml")["message"],
        "configuration: the file is 1048579 bytes, more than the limit of 1048576 bytes"
    );
    // Deep nesting is refused by the TOML reader, located, without a crash.
    t.write(
        "milvet.toml",
        format!("x = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000)),
    );
    let (code, v) = check_json(&t.root, &[]);
    assert_eq!(code, 2);
    let e = error_of(&v, "milvet.toml");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("configuration: invalid TOML"),
        "{e}"
    );
}

#[test]
fn bad_values_are_located() {
    let t = TempDir::new("cfg-values");
    t.write("compose.yaml", TWO);
    for (text, message, line, column) in [
        (
            "ignore = [\"etcd-compaction-mod\"]\n",
            "`ignore`: no rule `etcd-compaction-mod`; did you mean `etcd-compaction-mode`?",
            1,
            11,
        ),
        (
            "[severity]\netcd-data-not-persisted = \"fatal\"\n",
            "`severity.etcd-data-not-persisted`: `fatal` is not a level: use `error`, `warning` \
             or `info`",
            2,
            27,
        ),
        (
            "\n[options]\nmin-retention = -1\n",
            "`options.min-retention` must be a whole number, at least 1",
            3,
            17,
        ),
        (
            "select = [1]\n",
            "`select`: rule ids must be strings",
            1,
            11,
        ),
        (
            "exclude = [\"a\", 2]\n",
            "`exclude` items must be strings",
            1,
            17,
        ),
        (
            "fail-on = \"warning\"\nfail-on = \"error\"\n",
            "invalid TOML: duplicate key",
            2,
            1,
        ),
    ] {
        t.write("milvet.toml", text);
        let (code, v) = check_json(&t.root, &[]);
        assert_eq!(code, 2, "{text}");
        let e = error_of(&v, "milvet.toml");
        assert_eq!(e["message"], format!("configuration: {message}"), "{text}");
        assert_eq!(
            (e["line"].as_u64(), e["column"].as_u64()),
            (Some(line), Some(column)),
            "{text}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Exit codes

#[test]
fn fail_on_and_exit_zero_decide_exit_one() {
    let t = TempDir::new("cfg-exit");
    t.write("compose.yaml", LOW_RETENTION);
    assert_eq!(check(&t.root, &[]).0, 1);
    assert_eq!(check(&t.root, &["--fail-on", "warning"]).0, 1);
    assert_eq!(check(&t.root, &["--fail-on", "error"]).0, 0);
    assert_eq!(check(&t.root, &["--exit-zero"]).0, 0);
    t.write("milvet.toml", "fail-on = \"error\"\n");
    assert_eq!(check(&t.root, &[]).0, 0);
    assert_eq!(check(&t.root, &["--fail-on", "info"]).0, 1);
    // Exit 2 stays 2.
    t.write("bad/compose.yaml", "services: [\n");
    assert_eq!(check(&t.root, &["--exit-zero"]).0, 2);
}

#[test]
fn diff_fails_on_a_difference_or_a_remaining_error() {
    let t = TempDir::new("cfg-diff");
    // A safe fix to show (mode) and an unsafe one not applied (data, an error): 1.
    t.write("compose.yaml", TWO);
    assert_eq!(check(&t.root, &["--diff"]).0, 1);
    // Nothing to change, but the error remains: 1.
    t.write("milvet.toml", format!("ignore = [\"{MODE}\"]\n"));
    assert_eq!(check(&t.root, &["--diff"]).0, 1);
    // Nothing to change and only a warning left: 0.
    t.write("compose.yaml", LOW_RETENTION);
    t.write("milvet.toml", "ignore = [\"etcd-compaction-mode\"]\n");
    let (code, f) = check(
        &t.root,
        &["--diff", "--ignore", "etcd-compaction-retention"],
    );
    assert_eq!((code, f), (0, vec![]));
    // With the warning's safe fix there is a difference: 1.
    assert_eq!(check(&t.root, &["--diff"]).0, 1);
}

// ---------------------------------------------------------------------------------------------
// Output options

#[test]
fn statistics_count_findings_per_rule() {
    let t = TempDir::new("cfg-stats");
    t.file("a/compose.yaml", TWO)
        .file("b/compose.yaml", TWO)
        .file("c/compose.yaml", LOW_RETENTION);
    let run = milvet(&t.root, &["check", "--statistics"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "    2  etcd-compaction-mode       warning  2 safe fixes
    2  etcd-data-not-persisted    error    2 unsafe fixes
    1  etcd-compaction-retention  warning  1 safe fix
5 findings in 3 files
"
    );
    let run = milvet(&t.root, &["check", "--statistics", "--format", "json"]);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v[2]["rule"], "etcd-compaction-retention");
    assert_eq!(v[2]["count"], 1);
    assert_eq!(v[1]["unsafe_fixes"], 2);
}

#[test]
fn quiet_prints_the_findings_without_the_summary() {
    let t = TempDir::new("cfg-quiet");
    t.write("compose.yaml", LOW_RETENTION);
    let loud = milvet(&t.root, &["check", "--color", "never"]);
    let quiet = milvet(&t.root, &["check", "--color", "never", "-q"]);
    assert_eq!(quiet.code, 1);
    assert!(
        loud.stdout
            .ends_with("0 errors, 1 warning in 1 file; 1 fixable with --fix\n")
    );
    assert_eq!(
        quiet.stdout,
        loud.stdout
            .strip_suffix("0 errors, 1 warning in 1 file; 1 fixable with --fix\n")
            .unwrap()
    );
    t.write(
        "compose.yaml",
        common::ETCD_NOT_PERSISTED.replace("/etcd\n", "/etcd\n    volumes: [./e:/etcd]\n"),
    );
    let quiet = milvet(&t.root, &["check", "--color", "never", "--quiet"]);
    assert_eq!((quiet.code, quiet.stdout.as_str()), (0, ""));
}

#[test]
fn show_fixes_lists_the_fixes_available_and_applied() {
    let t = TempDir::new("cfg-show-fixes");
    t.write("compose.yaml", TWO);
    let run = milvet(&t.root, &["check", "--color", "never", "--show-fixes"]);
    let tail = &run.stdout[run
        .stdout
        .find("Fixes available:")
        .expect("a fixes section")..];
    let lines: Vec<&str> = tail.lines().collect();
    assert_eq!(lines.len(), 3, "{tail}");
    assert!(lines[1].starts_with(&format!("  compose.yaml:5:35 {MODE} (safe): ")));
    assert!(lines[2].starts_with(&format!("  compose.yaml:7:30 {DATA} (unsafe): mount ")));
    let run = milvet(
        &t.root,
        &["check", "--color", "never", "--show-fixes", "--fix"],
    );
    assert!(
        run.stdout.contains(
            "Fixes applied:\n  compose.yaml: 1 fix\nFixes available:\n  compose.yaml:7:30"
        ),
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// Standard input

#[test]
fn stdin_filename_takes_the_env_override_and_configuration_of_its_directory() {
    let t = TempDir::new("cfg-stdin");
    let text = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      - ETCD_AUTO_COMPACTION_MODE=${MODE}
      - ETCD_AUTO_COMPACTION_RETENTION=1000
    command: etcd --data-dir /etcd
";
    t.file("deploy/.env", "MODE=periodic\n")
        .file(
            "deploy/compose.override.yaml",
            "services:\n  etcd:\n    volumes:\n      - ./volumes/etcd:/etcd\n",
        )
        .file("elsewhere/.env", "MODE=revision\n");
    let run = |name: &str, extra: &[&str]| {
        let mut args = vec!["check", "--format", "json", "--stdin-filename", name];
        args.extend_from_slice(extra);
        args.push("-");
        let r = milvet_with(&t.root, &args, text);
        let v: Value = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("{e}: {} {}", r.stdout, r.stderr));
        (r.code, findings(&v))
    };
    // deploy/.env makes the mode periodic (reported at the .env line), and the override mounts
    // etcd's data.
    assert_eq!(
        run("deploy/compose.yaml", &[]),
        (1, vec![format!("deploy/.env:1:6 {MODE}")])
    );
    // Another directory: its .env says revision, and it has no override.
    assert_eq!(
        run("elsewhere/compose.yaml", &[]),
        (1, vec![format!("elsewhere/compose.yaml:7:30 {DATA}")])
    );
    // The directory's configuration applies too.
    t.write("deploy/milvet.toml", format!("ignore = [\"{MODE}\"]\n"));
    assert_eq!(run("deploy/compose.yaml", &[]), (0, vec![]));
    // The file on disk is not read: there is none.
    assert!(!t.path("deploy/compose.yaml").exists());
    // --diff works on the text; --fix cannot write it back.
    let r = milvet_with(
        &t.root,
        &[
            "check",
            "--fix",
            "--stdin-filename",
            "deploy/compose.yaml",
            "-",
        ],
        text,
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "milvet: --fix cannot write standard input back: use --diff\n"
    );
    let r = milvet_with(
        &t.root,
        &["check", "--stdin-filename", "deploy/compose.yaml"],
        text,
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "milvet: --stdin-filename names the file that `-` stands for: give `-` as the path\n"
    );
    // --diff shows the safe fix of the text, at the name given.
    let literal = text.replace("${MODE}", "periodic");
    let r = milvet_with(
        &t.root,
        &[
            "check",
            "--diff",
            "--isolated",
            "--stdin-filename",
            "deploy/compose.yaml",
            "-",
        ],
        &literal,
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .starts_with("--- deploy/compose.yaml\n+++ deploy/compose.yaml\n"),
        "{}",
        r.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// config --show

#[test]
fn config_show_prints_each_value_with_its_origin_and_reads_back() {
    let t = TempDir::new("cfg-show");
    t.file(
        "milvet.toml",
        format!(
            "ignore = [\"{MODE}\"]\nfail-on = \"error\"\nexclude = [\"legacy\"]\n\n[severity]\nunset-variable = \"error\"\n\n[per-file-ignores]\n\"dev/**\" = [\"{DATA}\"]\n"
        ),
    )
    .file("sub/compose.yaml", TWO);
    let run = milvet(
        &t.root,
        &["config", "--show", "sub", "--min-retention", "5"],
    );
    assert_eq!(run.code, 2, "config --show takes no --min-retention");
    let run = milvet(&t.root, &["config", "--show", "--extend-select", MODE]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    let has = |needle: &str| assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    has("# from milvet.toml\n");
    has("fail-on = \"error\"                                    # milvet.toml:2:11\n");
    has("    \"etcd-compaction-mode\",                          # --extend-select\n");
    has("    \"etcd-data-not-persisted\",                       # default\n");
    has("    \"legacy\",                                        # milvet.toml:3:12\n");
    has("unset-variable = \"error\"                             # milvet.toml:6:18\n");
    has("\"dev/**\" = [\"etcd-data-not-persisted\"]               # milvet.toml:9:1\n");
    has("min-retention = 1000                                 # default\n");
    // The output is a configuration file that gives the same results.
    t.write("shown/milvet.toml", out);
    t.write("shown/compose.yaml", TWO);
    t.write("shown/dev/compose.yaml", TWO);
    assert_eq!(
        check(&t.path("shown"), &[]),
        (
            1,
            vec![
                format!("compose.yaml:5:35 {MODE}"),
                format!("compose.yaml:7:30 {DATA}"),
                format!("dev/compose.yaml:5:35 {MODE}"),
            ]
        )
    );
    // --isolated shows the defaults.
    let run = milvet(&t.root, &["config", "--show", "--isolated"]);
    assert!(
        run.stdout.starts_with("# no configuration file"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("# off:"));
    // A broken file: the located error, exit 2.
    t.write("milvet.toml", "selekt = []\n");
    let run = milvet(&t.root, &["config", "--show"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "milvet: milvet.toml:1:1: unknown key `selekt`; did you mean `select`?\n"
    );
}

// ---------------------------------------------------------------------------------------------
// The README's snippets

#[test]
fn the_readme_sample_configuration_does_what_it_says() {
    let blocks = readme_blocks("Configuration and suppression");
    let (info, sample) = &blocks[0];
    assert_eq!(info, "toml");
    let t = TempDir::new("cfg-readme");
    t.file("milvet.toml", sample)
        .file("compose.yaml", TWO)
        .file("deploy/dev/compose.yaml", TWO)
        .file("legacy/compose.yaml", TWO)
        .file("x/compose.old.yaml", TWO)
        .file(
            "retention/compose.yaml",
            LOW_RETENTION.replace("=100\n", "=1000\n"),
        )
        .file(
            "vars/compose.yaml",
            LOW_RETENTION.replace("=100\n", "=${RETENTION}\n"),
        );
    let (code, v) = check_json(&t.root, &[]);
    // The mode finding is an error (severity), the dev files have no data finding, legacy
    // and compose.old.yaml are excluded, 1000 is below the min-retention of 5000, and the
    // unset variable is not reported (only the retention it leaves missing).
    let retention = "etcd-compaction-retention";
    assert_eq!(
        findings(&v),
        [
            format!("compose.yaml:5:35 {MODE}"),
            format!("compose.yaml:6:40 {retention}"),
            format!("compose.yaml:7:30 {DATA}"),
            format!("deploy/dev/compose.yaml:5:35 {MODE}"),
            format!("deploy/dev/compose.yaml:6:40 {retention}"),
            format!("retention/compose.yaml:6:40 {retention}"),
            format!("vars/compose.yaml:4:5 {retention}"),
        ]
    );
    let levels: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["severity"].as_str().unwrap())
        .collect();
    assert_eq!(
        levels,
        [
            "error", "warning", "error", "error", "warning", "warning", "warning"
        ]
    );
    assert_eq!(code, 1);
    // fail-on = "error": the warning alone does not fail.
    assert_eq!(check(&t.path("retention"), &[]).0, 0);
    // format = "human".
    let run = milvet(&t.root, &["check", "--color", "never"]);
    assert!(
        run.stdout
            .starts_with("compose.yaml:5:35: error[etcd-compaction-mode]")
    );
}

#[test]
fn the_readme_pyproject_and_extend_snippets_do_what_they_say() {
    let blocks = readme_blocks("Configuration and suppression");
    let (info, pyproject) = &blocks[1];
    assert_eq!(info, "toml");
    assert!(pyproject.starts_with("[tool.milvet]\n"));
    let t = TempDir::new("cfg-readme-py");
    t.file("pyproject.toml", pyproject)
        .file("compose.yaml", TWO);
    assert_eq!(
        check(&t.root, &[]),
        (1, vec![format!("compose.yaml:7:30 {DATA}")])
    );
    t.write("compose.yaml", LOW_RETENTION);
    assert_eq!(check(&t.root, &[]), (0, vec![]));

    let (info, extend) = &blocks[2];
    assert_eq!(info, "toml");
    assert!(extend.starts_with("extend = "));
    let t = TempDir::new("cfg-readme-extend");
    t.file("milvet.toml", &blocks[0].1)
        .file("sub/milvet.toml", extend)
        .file(
            "sub/compose.yaml",
            LOW_RETENTION.replace("=100\n", "=${RETENTION}\n"),
        );
    // unset-variable is back; the rest (fail-on) comes from the file above.
    assert_eq!(
        check(&t.path("sub"), &[]),
        (
            0,
            vec![
                "compose.yaml:4:5 etcd-compaction-retention".to_string(),
                "compose.yaml:6:40 unset-variable".to_string(),
            ]
        )
    );
}
