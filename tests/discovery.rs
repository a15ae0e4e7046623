//! Which files a run finds and how it groups them into projects: as Docker Compose groups them,
//! whether the files are found in a directory or named on the command line (as a pre-commit
//! hook names the changed files).

mod common;
use common::{ETCD_NOT_PERSISTED, TempDir, findings};

use serde_json::Value;
use std::path::Path;
use std::process::Command;

struct Run {
    code: i32,
    json: Value,
    stderr: String,
}

fn milvet(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .current_dir(dir)
        .env_clear()
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    Run {
        code: out.status.code().unwrap(),
        json: serde_json::from_str(&stdout).unwrap_or(Value::Null),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn check(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    milvet(dir, &all)
}

fn paths(v: &Value) -> Vec<String> {
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

const OVERRIDE_ADDS_VOLUME: &str =
    "services:\n  etcd:\n    volumes:\n      - ./volumes/etcd:/etcd\n";

#[test]
fn a_named_override_is_checked_with_its_main_file() {
    let t = TempDir::new("disc-override");
    t.file("compose.yaml", ETCD_NOT_PERSISTED)
        .write("compose.override.yaml", OVERRIDE_ADDS_VOLUME);
    // The directory: one project, no finding (the override mounts etcd's data).
    let dir = check(&t.root, &[]);
    assert_eq!(dir.code, 0, "{:#}", dir.json);
    assert_eq!(paths(&dir.json), ["compose.yaml", "compose.override.yaml"]);
    // A pre-commit hook that passes only the changed override: the same verdict.
    for args in [
        &["compose.override.yaml"][..],
        &["compose.yaml"][..],
        &["compose.override.yaml", "compose.yaml"][..],
        &["compose.yaml", "compose.override.yaml", "."][..],
    ] {
        let run = check(&t.root, args);
        assert_eq!(run.code, 0, "{args:?}: {:#}", run.json);
        assert_eq!(
            paths(&run.json),
            ["compose.yaml", "compose.override.yaml"],
            "{args:?}"
        );
    }
    // In a subdirectory, named with its prefix.
    let sub = TempDir::new("disc-override-sub");
    sub.file("deploy/docker-compose.yml", ETCD_NOT_PERSISTED)
        .write("deploy/docker-compose.override.yml", OVERRIDE_ADDS_VOLUME);
    let run = check(&sub.root, &["deploy/docker-compose.override.yml"]);
    assert_eq!(run.code, 0, "{:#}", run.json);
    assert_eq!(
        paths(&run.json),
        [
            "deploy/docker-compose.yml",
            "deploy/docker-compose.override.yml"
        ]
    );
}

#[test]
fn a_named_main_file_without_override_is_alone_and_other_names_stay_alone() {
    let t = TempDir::new("disc-alone");
    t.file("compose.yaml", ETCD_NOT_PERSISTED)
        .write("compose.prod.yaml", OVERRIDE_ADDS_VOLUME);
    // compose.prod.yaml is not an override Docker Compose reads by default.
    let run = check(&t.root, &["compose.yaml"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        findings(&run.json),
        ["compose.yaml:7:30 etcd-data-not-persisted"]
    );
    let run = check(&t.root, &[]);
    assert_eq!(paths(&run.json), ["compose.prod.yaml", "compose.yaml"]);
    // An override whose main file is missing is checked alone.
    let o = TempDir::new("disc-orphan");
    o.write("compose.override.yaml", ETCD_NOT_PERSISTED);
    let run = check(&o.root, &["compose.override.yaml"]);
    assert_eq!(paths(&run.json), ["compose.override.yaml"]);
    assert_eq!(
        findings(&run.json),
        ["compose.override.yaml:7:30 etcd-data-not-persisted"]
    );
}

#[test]
fn directories_are_searched_for_the_names_people_use() {
    let t = TempDir::new("disc-names");
    for f in [
        "milvus-standalone-docker-compose.yml",
        "docker-compose-milvus.yml",
        ".devcontainer/compose.yaml",
        "deploy/my-compose.yaml",
    ] {
        t.write(f, ETCD_NOT_PERSISTED);
    }
    // Still skipped: other hidden directories, other YAML.
    t.write(".git/compose.yaml", "{{{ not yaml");
    t.write("values.yaml", "{{{ not yaml");
    let run = check(&t.root, &[]);
    assert_eq!(run.code, 1, "{:#}", run.json);
    assert_eq!(
        findings(&run.json),
        [
            ".devcontainer/compose.yaml:7:30 etcd-data-not-persisted",
            "deploy/my-compose.yaml:7:30 etcd-data-not-persisted",
            "docker-compose-milvus.yml:7:30 etcd-data-not-persisted",
            "milvus-standalone-docker-compose.yml:7:30 etcd-data-not-persisted",
        ]
    );
}

#[test]
fn finding_no_file_is_an_error_not_a_success() {
    let t = TempDir::new("disc-empty");
    t.write("notes.yaml", "services:\n  web:\n    image: nginx\n");
    for cmd in ["check", "inspect"] {
        let run = milvet(&t.root, &[cmd, "--format", "json"]);
        assert_eq!(run.code, 2, "{cmd}");
        assert!(
            run.stderr
                .contains("milvet: no file to check in the current directory"),
            "{cmd}: {}",
            run.stderr
        );
        let run = milvet(&t.root, &[cmd, "."]);
        assert_eq!(run.code, 2, "{cmd}");
        assert!(
            run.stderr.contains("no file to check in `.`"),
            "{cmd}: {}",
            run.stderr
        );
    }
    // A file named explicitly is always checked, whatever its name.
    let run = check(&t.root, &["notes.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(paths(&run.json), ["notes.yaml"]);
}

#[test]
fn inspect_groups_files_as_check_does() {
    let t = TempDir::new("disc-inspect");
    t.file("compose.yaml", ETCD_NOT_PERSISTED)
        .write("compose.override.yaml", OVERRIDE_ADDS_VOLUME);
    let run = milvet(
        &t.root,
        &["inspect", "--format", "json", "compose.override.yaml"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let projects = run.json["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 1);
    assert_eq!(
        projects[0]["files"],
        serde_json::json!(["compose.yaml", "compose.override.yaml"])
    );
    assert_eq!(
        projects[0]["origins"]["etcd"]["volumes"][0]["mount"],
        "compose.override.yaml:4:9"
    );
}
