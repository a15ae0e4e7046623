//! What the fixer tells the user: every applied unsafe fix with its copy-out steps (human and
//! JSON, with --fix and beside the --diff), steps that name the real host path and work from
//! where milvet was run; --diff findings at the places of the file on disk; a file named twice
//! checked once; option values checked.

mod common;

use common::{ETCD_NOT_PERSISTED, TempDir, findings};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn milvet(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_milvet"))
        .args(args)
        .current_dir(dir)
        .env_remove("DOCKER_VOLUME_DIRECTORY")
        .env_remove("COLUMNS")
        .output()
        .expect("run milvet")
}

fn json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let out = milvet(dir, &all);
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).expect("JSON"),
    )
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Human output with wrapped lines joined again.
fn unwrapped(o: &Output) -> String {
    stdout(o).replace("\n    ", " ")
}

#[test]
fn applied_unsafe_fixes_say_what_to_do_with_the_real_host_path_from_here() {
    let t = TempDir::new("fixer-steps");
    t.write("deploy/compose.yaml", ETCD_NOT_PERSISTED);
    t.write("deploy/.env", "DOCKER_VOLUME_DIRECTORY=/srv/milvus\n");
    let steps = "copy it to the host (`/srv/milvus/volumes/etcd`): `cd deploy && mkdir -p \
                 /srv/milvus/volumes/etcd && docker compose cp etcd:/etcd/. \
                 /srv/milvus/volumes/etcd/`";
    // Reported before fixing, the fix already says it.
    let (code, v) = json(&t.root, &["deploy"]);
    assert_eq!(code, 1);
    assert!(
        v["diagnostics"][0]["fix"]["description"]
            .as_str()
            .unwrap()
            .ends_with(steps),
        "{v:#}"
    );
    // Applied: JSON lists it with the file, in full.
    let (code, v) = json(&t.root, &["--fix", "--unsafe-fixes", "deploy"]);
    assert_eq!(code, 0, "{v:#}");
    let applied = &v["files"][0]["applied_fixes"];
    assert_eq!(applied.as_array().unwrap().len(), 1, "{v:#}");
    assert_eq!(applied[0]["rule"], "etcd-data-not-persisted");
    assert_eq!(applied[0]["service"], "etcd");
    assert_eq!(applied[0]["applicability"], "unsafe");
    assert!(applied[0]["description"].as_str().unwrap().ends_with(steps));
    assert!(
        t.read("deploy/compose.yaml")
            .contains("/volumes/etcd:/etcd")
    );
    // Human output, at the time it is applied.
    t.write("deploy/compose.yaml", ETCD_NOT_PERSISTED);
    let out = milvet(
        &t.root,
        &[
            "check",
            "--color",
            "never",
            "--fix",
            "--unsafe-fixes",
            "deploy",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let text = unwrapped(&out);
    assert!(
        text.starts_with(
            "deploy/compose.yaml: applied unsafe fix: you must act too, etcd-data-not-persisted \
             (service `etcd`): mount `${DOCKER_VOLUME_DIRECTORY:-.}/volumes/etcd` at `/etcd`."
        ),
        "{text}"
    );
    assert!(text.contains(steps), "{text}");
}

#[test]
fn a_file_docker_compose_does_not_find_by_name_gets_dash_f() {
    let t = TempDir::new("fixer-dash-f");
    t.write("deploy/milvus-stack.yml", ETCD_NOT_PERSISTED);
    let (_, v) = json(&t.root, &["deploy/milvus-stack.yml"]);
    assert!(
        v["diagnostics"][0]["fix"]["description"]
            .as_str()
            .unwrap()
            .ends_with(
                "`cd deploy && mkdir -p ./volumes/etcd && docker compose -f milvus-stack.yml cp \
                 etcd:/etcd/. ./volumes/etcd/`"
            ),
        "{v:#}"
    );
    // Run from inside the directory, no `cd`.
    let (_, v) = json(&t.path("deploy"), &["milvus-stack.yml"]);
    assert!(
        v["diagnostics"][0]["fix"]["description"]
            .as_str()
            .unwrap()
            .ends_with(
                "`mkdir -p ./volumes/etcd && docker compose -f milvus-stack.yml cp \
                 etcd:/etcd/. ./volumes/etcd/`"
            )
    );
}

#[test]
fn diff_with_unsafe_fixes_shows_the_steps_beside_the_diff_and_writes_nothing() {
    let t = TempDir::new("fixer-diff");
    t.write("compose.yaml", ETCD_NOT_PERSISTED);
    let out = milvet(
        &t.root,
        &[
            "check",
            "--color",
            "never",
            "--diff",
            "--unsafe-fixes",
            "compose.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = unwrapped(&out);
    assert!(
        text.starts_with("--- compose.yaml\n+++ compose.yaml\n"),
        "{text}"
    );
    let diff_end = text
        .find("compose.yaml: would apply unsafe fix")
        .expect("steps");
    assert!(
        text[..diff_end]
            .contains("+    volumes:\n+      - ${DOCKER_VOLUME_DIRECTORY:-.}/volumes/etcd:/etcd\n")
    );
    assert!(
        text[diff_end..].contains(
            "`mkdir -p ./volumes/etcd && docker compose cp etcd:/etcd/. ./volumes/etcd/`"
        )
    );
    assert_eq!(t.read("compose.yaml"), ETCD_NOT_PERSISTED);
    let (_, v) = json(&t.root, &["--diff", "--unsafe-fixes", "compose.yaml"]);
    assert_eq!(v["files"][0]["applied_fixes"][0]["applicability"], "unsafe");
    assert!(
        v["files"][0]["diff"]
            .as_str()
            .unwrap()
            .contains("+    volumes:")
    );
}

/// Compaction settings are inserted above the data directory's finding, which `--diff`
/// without `--unsafe-fixes` leaves.
const SHIFTED: &str = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      - ETCD_SNAPSHOT_COUNT=50000
    command: etcd --data-dir /etcd
";

#[test]
fn diff_reports_remaining_findings_where_they_are_on_disk() {
    let t = TempDir::new("fixer-diff-places");
    t.write("compose.yaml", SHIFTED);
    let (_, plain) = json(&t.root, &["compose.yaml"]);
    assert_eq!(
        findings(&plain),
        [
            "compose.yaml:4:5 etcd-compaction-mode",
            "compose.yaml:4:5 etcd-compaction-retention",
            "compose.yaml:6:30 etcd-data-not-persisted"
        ]
    );
    let (code, diffed) = json(&t.root, &["--diff", "compose.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&diffed),
        ["compose.yaml:6:30 etcd-data-not-persisted"]
    );
    assert_eq!(
        diffed["diagnostics"][0]["offset"],
        plain["diagnostics"][2]["offset"]
    );
    // Its unsafe fix's edit is on the bytes on disk too.
    let edit = &diffed["diagnostics"][0]["fix"]["edits"][0];
    assert_eq!(edit["offset"], SHIFTED.len() - 1);
    let out = milvet(
        &t.root,
        &["check", "--color", "never", "--diff", "compose.yaml"],
    );
    let text = stdout(&out);
    assert!(
        text.contains("compose.yaml:6:30: error[etcd-data-not-persisted]"),
        "{text}"
    );
    assert!(
        text.contains(" 6 │     command: etcd --data-dir /etcd\n"),
        "{text}"
    );
    assert_eq!(t.read("compose.yaml"), SHIFTED);
}

#[test]
fn a_file_named_three_ways_is_checked_once() {
    let t = TempDir::new("fixer-twice");
    t.write("a.yml", ETCD_NOT_PERSISTED);
    let abs = t.path("a.yml").display().to_string();
    let (code, v) = json(&t.root, &["a.yml", "./a.yml", &abs]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v), ["a.yml:7:30 etcd-data-not-persisted"]);
    assert_eq!(v["files"].as_array().unwrap().len(), 1);
    let out = milvet(
        &t.root,
        &["check", "--format", "concise", "a.yml", "./a.yml", &abs],
    );
    assert!(
        stdout(&out)
            .ends_with("1 error, 0 warnings in 1 file; 1 fixable with --fix --unsafe-fixes\n")
    );
}

#[test]
fn option_values_are_checked() {
    let t = TempDir::new("fixer-options");
    t.write("compose.yaml", ETCD_NOT_PERSISTED);
    let out = milvet(&t.root, &["check", "--min-retention", "0", "compose.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("invalid value '0' for '--min-retention <N>'")
    );
    // -j 0 is one thread a CPU: the same report as -j 1.
    let (c0, j0) = json(&t.root, &["-j", "0", "compose.yaml"]);
    let (c1, j1) = json(&t.root, &["-j", "1", "compose.yaml"]);
    assert_eq!((c0, &j0), (c1, &j1));
    // --unsafe-fixes alone changes nothing, and says so.
    let out = milvet(&t.root, &["check", "--unsafe-fixes", "compose.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "milvet: --unsafe-fixes does nothing without --fix or --diff; nothing is changed\n"
    );
    assert_eq!(t.read("compose.yaml"), ETCD_NOT_PERSISTED);
}
