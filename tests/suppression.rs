//! Suppression comments: `# milvet: ignore[...]` on the line of a finding or the line above,
//! `# milvet: ignore-file[...]`, the same in `.env` and env files; unused and reasonless
//! suppressions, and the fix that removes an unused one, byte for byte.

mod common;
use common::{TempDir, findings, readme_blocks};

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn check_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .args(["check", "--format", "json"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run milvet");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let v: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    (out.status.code().expect("an exit code"), v)
}

/// The findings of `compose.yaml` (and the files it reads) in a fresh directory with `files`.
fn check_files(files: &[(&str, &str)], args: &[&str]) -> (i32, Vec<String>) {
    let t = TempDir::new("suppress");
    for (name, text) in files {
        t.write(name, text);
    }
    let (code, v) = check_json(&t.root, args);
    (code, findings(&v))
}

fn check_one(text: &str) -> Vec<String> {
    check_files(&[("compose.yaml", text)], &[]).1
}

const MODE: &str = "etcd-compaction-mode";
const DATA: &str = "etcd-data-not-persisted";
const UNUSED: &str = "unused-suppression";
const NO_REASON: &str = "suppression-without-reason";

/// `periodic` mode at 5:35 (warning), `/etcd` not persisted at 7:30 (error).
const TWO: &str = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      - ETCD_AUTO_COMPACTION_MODE=periodic
      - ETCD_AUTO_COMPACTION_RETENTION=1000
    command: etcd --data-dir /etcd
";

/// TWO with `comment` added at the end of line `line` (1-based), or, when `line` is 0, as a
/// line of its own before line `before`.
fn with(line: usize, comment: &str) -> String {
    TWO.lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == line {
                format!("{l} {comment}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}

fn above(before: usize, comment: &str) -> String {
    TWO.lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == before {
                format!("{comment}\n{l}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Forms

#[test]
fn a_comment_on_the_line_of_the_finding_silences_it() {
    assert_eq!(
        check_one(&with(
            5,
            "# milvet: ignore[etcd-compaction-mode] periodic on purpose"
        )),
        [format!("compose.yaml:7:30 {DATA}")]
    );
    // Only the rules it names.
    assert_eq!(
        check_one(&with(
            7,
            "# milvet: ignore[etcd-compaction-mode] wrong rule"
        )),
        [
            format!("compose.yaml:5:35 {MODE}"),
            format!("compose.yaml:7:30 {DATA}"),
            format!("compose.yaml:7:53 {UNUSED}"),
        ]
    );
}

#[test]
fn a_comment_on_the_line_above_silences_the_next_line_only() {
    assert_eq!(
        check_one(&above(
            7,
            "    # milvet: ignore[etcd-data-not-persisted] a throw-away stack"
        )),
        [format!("compose.yaml:5:35 {MODE}")]
    );
    // Two lines above: not covered, and reported as unused.
    assert_eq!(
        check_one(&above(
            6,
            "    # milvet: ignore[etcd-data-not-persisted] a throw-away stack"
        )),
        [
            format!("compose.yaml:5:35 {MODE}"),
            format!("compose.yaml:6:22 {UNUSED}"),
            format!("compose.yaml:8:30 {DATA}"),
        ]
    );
    // A comment after content on the line above covers its own line, not the next.
    assert_eq!(
        check_one(&with(
            6,
            "# milvet: ignore[etcd-data-not-persisted] a throw-away stack"
        )),
        [
            format!("compose.yaml:5:35 {MODE}"),
            format!("compose.yaml:6:62 {UNUSED}"),
            format!("compose.yaml:7:30 {DATA}"),
        ]
    );
}

#[test]
fn an_unused_ignore_file_says_so() {
    let t = TempDir::new("suppress-file-unused");
    t.write(
        "compose.yaml",
        format!("{TWO}# milvet: ignore-file[missing-file, {MODE}] a test stack\n"),
    );
    let (_, v) = check_json(&t.root, &[]);
    assert_eq!(
        findings(&v),
        [
            format!("compose.yaml:7:30 {DATA}"),
            format!("compose.yaml:8:23 {UNUSED}")
        ]
    );
    let d = &v["diagnostics"][1];
    assert_eq!(
        d["message"],
        "the suppression of `missing-file` silences nothing: no such finding in this file"
    );
    assert_eq!(d["fix"]["applicability"], "safe");
    assert_eq!(
        d["fix"]["description"],
        "remove `missing-file` from the suppression"
    );
}

#[test]
fn ignore_file_silences_the_rules_anywhere_in_the_file() {
    let text = format!(
        "{TWO}# milvet: ignore-file[etcd-compaction-mode, etcd-data-not-persisted] a test stack\n"
    );
    assert_eq!(check_one(&text), Vec::<String>::new());
    let text = format!("# milvet: ignore-file[{MODE}] a test stack\n{TWO}");
    assert_eq!(check_one(&text), [format!("compose.yaml:8:30 {DATA}")]);
}

/// etcd's settings from the project's `.env`.
const FROM_ENV: &str = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      - ETCD_AUTO_COMPACTION_MODE=${MODE}
      - ETCD_AUTO_COMPACTION_RETENTION=1000
    volumes:
      - ./volumes/etcd:/etcd
    command: etcd --data-dir /etcd
";

#[test]
fn suppressions_in_a_dot_env_file() {
    let run = |env: &str| check_files(&[("compose.yaml", FROM_ENV), (".env", env)], &[]);
    assert_eq!(
        run("MODE=periodic\n"),
        (1, vec![format!(".env:1:6 {MODE}")])
    );
    assert_eq!(
        run("MODE=periodic # milvet: ignore[etcd-compaction-mode] hourly is enough here\n"),
        (0, vec![])
    );
    assert_eq!(
        run("# milvet: ignore[etcd-compaction-mode] hourly is enough here\nMODE=periodic\n"),
        (0, vec![])
    );
    assert_eq!(
        run("X=1\nMODE=periodic\n# milvet: ignore-file[etcd-compaction-mode] hourly\n"),
        (0, vec![])
    );
    // A `#` inside a quoted value, or without a space before it, is not a comment.
    assert_eq!(
        run("MODE=\"periodic\" X=\"# milvet: ignore[etcd-compaction-mode] no\"\n"),
        (1, vec![format!(".env:1:6 {MODE}")])
    );
    assert_eq!(
        run("MODE=periodic#milvet: ignore[etcd-compaction-mode] no\n"),
        (1, vec![format!(".env:1:6 {MODE}")])
    );
    // Unused in a .env: reported there.
    assert_eq!(
        run("MODE=revision # milvet: ignore[etcd-compaction-mode] hourly\n"),
        (1, vec![format!(".env:1:32 {UNUSED}")])
    );
}

#[test]
fn suppressions_in_an_env_file() {
    let compose = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    env_file: etcd.env
    volumes:
      - ./volumes/etcd:/etcd
    command: etcd --data-dir /etcd
";
    let env = "ETCD_AUTO_COMPACTION_MODE=periodic\nETCD_AUTO_COMPACTION_RETENTION=1000\n";
    assert_eq!(
        check_files(&[("compose.yaml", compose), ("etcd.env", env)], &[]),
        (1, vec![format!("etcd.env:1:27 {MODE}")])
    );
    let env = "# milvet: ignore[etcd-compaction-mode] a lab machine\n\
               ETCD_AUTO_COMPACTION_MODE=periodic\nETCD_AUTO_COMPACTION_RETENTION=1000\n";
    assert_eq!(
        check_files(&[("compose.yaml", compose), ("etcd.env", env)], &[]),
        (0, vec![])
    );
}

// ---------------------------------------------------------------------------------------------
// Unused and reasonless suppressions

#[test]
fn a_suppression_without_a_reason_still_silences_and_is_reported() {
    assert_eq!(
        check_one(&with(5, "# milvet: ignore[etcd-compaction-mode]")),
        [
            format!("compose.yaml:5:44 {NO_REASON}"),
            format!("compose.yaml:7:30 {DATA}"),
        ]
    );
    let (_, v) = {
        let t = TempDir::new("suppress-reason");
        t.write(
            "compose.yaml",
            with(5, "# milvet: ignore[etcd-compaction-mode]"),
        );
        check_json(&t.root, &[])
    };
    assert_eq!(v["diagnostics"][0]["severity"], "warning");
    assert_eq!(v["diagnostics"][0]["fix"], Value::Null);
}

#[test]
fn unknown_rule_ids_and_malformed_comments_are_unused() {
    let t = TempDir::new("suppress-unknown");
    t.write(
        "compose.yaml",
        with(5, "# milvet: ignore[etcd-compaction-mod] typo"),
    );
    let (_, v) = check_json(&t.root, &[]);
    assert_eq!(
        findings(&v),
        [
            format!("compose.yaml:5:35 {MODE}"),
            format!("compose.yaml:5:61 {UNUSED}"),
            format!("compose.yaml:7:30 {DATA}"),
        ]
    );
    let msg = v["diagnostics"][1]["message"].as_str().unwrap();
    assert!(
        msg.starts_with(
            "the suppression of `etcd-compaction-mod` silences nothing: no such finding on the \
             line it covers"
        ),
        "{msg}"
    );
    assert!(
        msg.ends_with(
            "(`etcd-compaction-mod` is not a rule id; did you mean `etcd-compaction-mode`?)"
        ),
        "{msg}"
    );
    t.write(
        "compose.yaml",
        with(5, "# milvet: ignroe[etcd-compaction-mode] typo"),
    );
    let (_, v) = check_json(&t.root, &[]);
    assert_eq!(
        findings(&v),
        [
            format!("compose.yaml:5:35 {MODE}"),
            format!("compose.yaml:5:44 {UNUSED}"),
            format!("compose.yaml:7:30 {DATA}"),
        ]
    );
    assert_eq!(v["diagnostics"][1]["fix"], Value::Null);
    // A comment that merely mentions milvet is not a directive.
    assert_eq!(
        check_one(&with(5, "# see the milvet: ignore[x] docs")),
        [
            format!("compose.yaml:5:35 {MODE}"),
            format!("compose.yaml:7:30 {DATA}")
        ]
    );
}

#[test]
fn a_rule_turned_off_by_the_configuration_is_not_reported_unused() {
    let text = above(
        7,
        "    # milvet: ignore[etcd-data-not-persisted] a throw-away stack",
    );
    let text = text.replace(
        "--data-dir /etcd",
        "--data-dir /etcd\n    volumes: [./e:/etcd]",
    );
    let files = [("compose.yaml", text.as_str())];
    assert_eq!(
        check_files(&files, &[]).1,
        [
            format!("compose.yaml:5:35 {MODE}"),
            format!("compose.yaml:7:22 {UNUSED}")
        ]
    );
    assert_eq!(
        check_files(&files, &["--ignore", DATA]).1,
        [format!("compose.yaml:5:35 {MODE}")]
    );
    // The suppression rules obey the configuration too.
    assert_eq!(
        check_files(&files, &["--ignore", UNUSED]).1,
        [format!("compose.yaml:5:35 {MODE}")]
    );
    let (code, v) = {
        let t = TempDir::new("suppress-severity");
        t.write("compose.yaml", &text);
        t.write(
            "milvet.toml",
            "ignore = [\"etcd-compaction-mode\"]\nfail-on = \"error\"\n[severity]\nunused-suppression = \"error\"\n",
        );
        check_json(&t.root, &[])
    };
    assert_eq!(code, 1);
    assert_eq!(findings(&v), [format!("compose.yaml:7:22 {UNUSED}")]);
    assert_eq!(v["diagnostics"][0]["severity"], "error");
}

#[test]
fn suppression_rules_cannot_be_silenced_by_comments() {
    assert_eq!(
        check_one(&with(
            5,
            "# milvet: ignore[etcd-compaction-mode, suppression-without-reason]"
        )),
        [
            format!("compose.yaml:5:44 {NO_REASON}"),
            format!("compose.yaml:5:83 {UNUSED}"),
            format!("compose.yaml:7:30 {DATA}"),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// The fix

/// `--fix` in a directory holding `files`; the exit code and the text of `name` after.
fn fixed(files: &[(&str, &str)], name: &str) -> (i32, String) {
    fixed_n(files, name, 1)
}

/// [`fixed`], when `applied` fixes are expected.
fn fixed_n(files: &[(&str, &str)], name: &str, applied: usize) -> (i32, String) {
    let t = TempDir::new("suppress-fix");
    for (n, text) in files {
        t.write(n, text);
    }
    let (code, v) = check_json(&t.root, &["--fix"]);
    assert_eq!(v["fixes"]["applied"], applied, "{v}");
    (code, t.read(name))
}

#[test]
fn the_fix_removes_a_whole_comment_line() {
    let text = "services:\n  app:\n    # milvet: ignore[missing-file] gone\n    image: alpine:3.20 # keep me\n";
    assert_eq!(
        fixed(&[("compose.yaml", text)], "compose.yaml"),
        (
            0,
            "services:\n  app:\n    image: alpine:3.20 # keep me\n".to_string()
        )
    );
}

#[test]
fn the_fix_removes_an_end_of_line_comment_and_the_blanks_before_it() {
    let text = "services:\r\n  app:\r\n    image: alpine:3.20 \t # milvet: ignore[missing-file] gone\r\n    command: sleep 1\r\n";
    assert_eq!(
        fixed(&[("compose.yaml", text)], "compose.yaml"),
        (
            0,
            "services:\r\n  app:\r\n    image: alpine:3.20\r\n    command: sleep 1\r\n".to_string()
        )
    );
    // At the end of a file with no final newline.
    let text = "services:\n  app:\n    image: alpine:3.20 # milvet: ignore-file[missing-file] gone";
    assert_eq!(
        fixed(&[("compose.yaml", text)], "compose.yaml"),
        (0, "services:\n  app:\n    image: alpine:3.20".to_string())
    );
}

#[test]
fn the_fix_keeps_the_ids_still_in_use() {
    let text = with(
        5,
        "# milvet: ignore[missing-file,etcd-compaction-mode , yaml-duplicate-key] periodic on purpose",
    );
    let want = with(
        5,
        "# milvet: ignore[etcd-compaction-mode] periodic on purpose",
    );
    assert_eq!(fixed(&[("compose.yaml", &text)], "compose.yaml"), (1, want));
}

#[test]
fn the_fix_in_a_dot_env_file() {
    let env = "# the mode\n# milvet: ignore[etcd-compaction-mode] old\nMODE=revision\nX=\"a # b\" # milvet: ignore[unset-variable] old\n";
    assert_eq!(
        fixed_n(&[("compose.yaml", FROM_ENV), (".env", env)], ".env", 2),
        (0, "# the mode\nMODE=revision\nX=\"a # b\"\n".to_string())
    );
}

#[test]
fn fixing_leaves_suppressed_findings_alone() {
    let text = with(
        5,
        "# milvet: ignore[etcd-compaction-mode] periodic on purpose",
    );
    let t = TempDir::new("suppress-fix-others");
    t.write("compose.yaml", &text);
    let (code, v) = check_json(&t.root, &["--fix"]);
    assert_eq!(code, 1);
    assert_eq!(t.read("compose.yaml"), text);
    assert_eq!(findings(&v), [format!("compose.yaml:7:30 {DATA}")]);
}

// ---------------------------------------------------------------------------------------------
// The README's snippets

#[test]
fn the_readme_suppression_snippets_silence_what_they_say() {
    let blocks = readme_blocks("Configuration and suppression");
    let (info, yaml) = &blocks[3];
    assert_eq!(info, "yaml");
    // Every finding the file has is silenced, with reasons: nothing is reported.
    assert_eq!(check_one(yaml), Vec::<String>::new());
    // Without the comments there are three.
    let bare: String = yaml
        .lines()
        .filter(|l| !l.trim_start().starts_with("# milvet:"))
        .map(|l| format!("{}\n", l.split(" # milvet:").next().unwrap()))
        .collect();
    assert_eq!(
        check_one(&bare),
        [
            format!("compose.yaml:5:35 {MODE}"),
            "compose.yaml:6:40 etcd-compaction-retention".to_string(),
            format!("compose.yaml:7:30 {DATA}"),
        ]
    );

    let (info, env) = &blocks[4];
    assert_eq!(info, "sh");
    let compose = FROM_ENV.replace("${MODE}", "${ETCD_MODE}");
    assert_eq!(
        check_files(&[("compose.yaml", &compose), (".env", env)], &[]),
        (0, vec![])
    );
    let bare: String = env.lines().skip(1).map(|l| format!("{l}\n")).collect();
    assert_eq!(
        check_files(&[("compose.yaml", &compose), (".env", &bare)], &[]),
        (1, vec![format!(".env:1:11 {MODE}")])
    );
}
