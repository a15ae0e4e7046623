//! Compose as Docker reads it: projects of several files, interpolation from the shell and
//! `.env`, env files, `extends`, `include`, anchors, merge tags and profiles. Each finding is
//! asserted with the file it points into and its exact position.

mod common;
use common::{ETCD_NOT_PERSISTED, TempDir, findings};

use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Run `milvet check --format json args...` in `dir` with `env` as the whole environment.
fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .current_dir(dir)
        .env_clear()
        .envs(env.iter().copied())
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), v)
}

fn run(dir: &Path, args: &[&str]) -> (i32, Value) {
    run_env(dir, args, &[])
}

fn diag<'a>(v: &'a Value, rule: &str) -> &'a Value {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {v:#}"))
}

// ---- override files ------------------------------------------------------------------------

#[test]
fn an_override_that_adds_the_volume_clears_the_finding() {
    let d = TempDir::new("override-adds");
    d.file("compose.yaml", ETCD_NOT_PERSISTED).write(
        "compose.override.yaml",
        "services:\n  etcd:\n    volumes:\n      - ./volumes/etcd:/etcd\n",
    );
    let (code, v) = run(&d.root, &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(findings(&v), Vec::<String>::new());
    let files: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["compose.yaml", "compose.override.yaml"]);
    // Named, the base file is still read with its override, as Docker Compose reads them.
    let (code, v) = run(&d.root, &["compose.yaml"]);
    assert_eq!(code, 0, "{v:#}");
    // Alone (`-f`), it has the finding.
    let (code, v) = run(&d.root, &["-f", "compose.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v), ["compose.yaml:7:30 etcd-data-not-persisted"]);
}

#[test]
fn an_override_that_resets_the_volumes_brings_the_finding_back() {
    let d = TempDir::new("override-reset");
    d.file(
        "docker-compose.yml",
        ETCD_NOT_PERSISTED.replace(
            "    command:",
            "    volumes:\n      - ./volumes/etcd:/etcd\n    command:",
        ),
    )
    .file(
        "docker-compose.override.yml",
        "services:\n  etcd:\n    volumes: !reset []\n",
    );
    let (code, v) = run(&d.root, &[]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        findings(&v),
        ["docker-compose.yml:9:30 etcd-data-not-persisted"]
    );
}

#[test]
fn override_tag_replaces_instead_of_merging() {
    let d = TempDir::new("override-tag");
    d.file(
        "compose.yaml",
        ETCD_NOT_PERSISTED.replace(
            "    command:",
            "    volumes:\n      - ./volumes/etcd:/etcd\n    command:",
        ),
    )
    .file(
        "compose.override.yaml",
        "services:\n  etcd:\n    volumes: !override\n      - ./config:/config\n",
    );
    let (_, v) = run(&d.root, &[]);
    assert_eq!(findings(&v), ["compose.yaml:9:30 etcd-data-not-persisted"]);
}

#[test]
fn explicit_files_are_one_project_in_order() {
    let d = TempDir::new("dash-f");
    d.file("base.yml", ETCD_NOT_PERSISTED).write(
        "prod.yml",
        "services:\n  etcd:\n    environment:\n      - ETCD_AUTO_COMPACTION_MODE=periodic\n    volumes: [\"etcd:/etcd\"]\nvolumes:\n  etcd:\n",
    );
    let (code, v) = run(&d.root, &["-f", "base.yml", "-f", "prod.yml"]);
    assert_eq!(code, 1);
    // The override's value decides, and the finding points into the override.
    assert_eq!(findings(&v), ["prod.yml:4:35 etcd-compaction-mode"]);
    // The other order: the base's value wins.
    let (code, v) = run(&d.root, &["-f", "prod.yml", "-f", "base.yml"]);
    assert_eq!(code, 0, "{v:#}");
}

// ---- interpolation -------------------------------------------------------------------------

const MODE_FROM_VARIABLE: &str = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      ETCD_AUTO_COMPACTION_MODE: ${ETCD_MODE:-revision}
      ETCD_AUTO_COMPACTION_RETENTION: 1000
    volumes: [\"./volumes/etcd:/etcd\"]
    command: etcd --data-dir /etcd
";

#[test]
fn a_default_that_is_right_gives_no_finding() {
    let d = TempDir::new("var-default");
    d.file("compose.yaml", MODE_FROM_VARIABLE);
    let (code, v) = run(&d.root, &[]);
    assert_eq!(code, 0, "{v:#}");
}

#[test]
fn a_dotenv_that_changes_the_value_is_where_the_finding_points() {
    let d = TempDir::new("var-dotenv");
    d.file("compose.yaml", MODE_FROM_VARIABLE)
        .file(".env", "# deployment settings\nETCD_MODE=periodic\n");
    let (code, v) = run(&d.root, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v), [".env:2:11 etcd-compaction-mode"]);
    let m = diag(&v, "etcd-compaction-mode");
    let message = m["message"].as_str().unwrap();
    assert!(
        message.contains("written `${ETCD_MODE:-revision}`: `ETCD_MODE` set in `.env`"),
        "{message}"
    );
    // The fix does not rewrite .env: it says what to set.
    assert_eq!(m["fix"]["applicability"], "unavailable");
    let fix = m["fix"]["description"].as_str().unwrap();
    assert!(fix.contains("set `ETCD_MODE`"), "{fix}");
    // The shell wins over .env.
    let (code, v) = run_env(&d.root, &[], &[("ETCD_MODE", "revision")]);
    assert_eq!(code, 0, "{v:#}");
    // --env-file replaces .env.
    d.file("prod.env", "ETCD_MODE=revision\n");
    let (code, _) = run(&d.root, &["--env-file", "prod.env", "compose.yaml"]);
    assert_eq!(code, 0);
}

#[test]
fn a_value_from_the_shell_points_at_the_reference() {
    let d = TempDir::new("var-shell");
    d.file("compose.yaml", MODE_FROM_VARIABLE);
    let (_, v) = run_env(&d.root, &[], &[("ETCD_MODE", "periodic")]);
    assert_eq!(findings(&v), ["compose.yaml:5:34 etcd-compaction-mode"]);
    let message = diag(&v, "etcd-compaction-mode")["message"]
        .as_str()
        .unwrap();
    assert!(
        message.contains("`ETCD_MODE` set in the shell"),
        "{message}"
    );
}

#[test]
fn dollar_dollar_is_a_literal_dollar() {
    let d = TempDir::new("dollar");
    d.file(
        "compose.yaml",
        "services:\n  minio:\n    image: minio/minio:RELEASE.2024-05-28T17-19-04Z\n    volumes: [\"./m:/data$$x\"]\n    command: minio server /data$$x\n",
    );
    let (code, v) = run(&d.root, &[]);
    assert_eq!(code, 0, "{v:#}");
}

#[test]
fn unset_and_required_variables() {
    let d = TempDir::new("unset");
    d.file(
        "compose.yaml",
        "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    environment:\n      - ETCD_AUTO_COMPACTION_MODE=${MODE:?set the compaction mode}\n      - ETCD_AUTO_COMPACTION_RETENTION=1000\n    volumes:\n      - ${DATA}/etcd:/etcd\n    command: etcd --data-dir /etcd\n",
    );
    let (code, v) = run(&d.root, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&v),
        [
            "compose.yaml:5:35 unset-variable",
            "compose.yaml:8:9 unset-variable"
        ]
    );
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags[0]["severity"], "error");
    assert_eq!(diags[1]["severity"], "warning");
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains("required variable MODE is missing a value: set the compaction mode")
    );
}

// ---- env_file ------------------------------------------------------------------------------

#[test]
fn a_value_from_an_env_file_points_into_it() {
    let d = TempDir::new("env-file");
    d.file(
        "deploy/compose.yaml",
        "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    env_file: etcd.env\n    volumes: [\"./volumes/etcd:/etcd\"]\n    command: etcd --data-dir /etcd\n",
    )
    .file(
        "deploy/etcd.env",
        "ETCD_AUTO_COMPACTION_MODE=revision\nETCD_AUTO_COMPACTION_RETENTION=1h\n",
    );
    let (code, v) = run(&d.root, &["deploy"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&v),
        ["deploy/etcd.env:2:32 etcd-compaction-retention"]
    );
    let r = diag(&v, "etcd-compaction-retention");
    assert_eq!(r["fix"]["applicability"], "unavailable");
    assert!(
        r["fix"]["description"]
            .as_str()
            .unwrap()
            .contains("comes from the env file `deploy/etcd.env`"),
        "{r:#}"
    );
    // `environment` wins over the env file.
    d.file(
        "deploy/compose.yaml",
        "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    env_file: etcd.env\n    environment:\n      ETCD_AUTO_COMPACTION_RETENTION: 1000\n    volumes: [\"./volumes/etcd:/etcd\"]\n    command: etcd --data-dir /etcd\n",
    );
    let (code, v) = run(&d.root, &["deploy"]);
    assert_eq!(code, 0, "{v:#}");
}

#[test]
fn a_missing_env_file_is_a_finding_not_a_crash() {
    let d = TempDir::new("env-file-missing");
    d.file(
        "compose.yaml",
        ETCD_NOT_PERSISTED.replace(
            "    environment:",
            "    env_file:\n      - gone.env\n      - path: optional.env\n        required: false\n    environment:",
        ),
    );
    let (code, v) = run(&d.root, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&v),
        [
            "compose.yaml:5:9 missing-file",
            "compose.yaml:11:30 etcd-data-not-persisted"
        ]
    );
}

// ---- extends and include -------------------------------------------------------------------

#[test]
fn extends_from_another_file() {
    let d = TempDir::new("extends");
    d.file(
        "common/etcd.yaml",
        "services:\n  etcd-base:\n    image: quay.io/coreos/etcd:v3.5.18\n    environment:\n      - ETCD_AUTO_COMPACTION_MODE=periodic\n    command: etcd --data-dir /etcd\n",
    )
    .file(
        "compose.yaml",
        "services:\n  etcd:\n    extends:\n      file: common/etcd.yaml\n      service: etcd-base\n    volumes: [\"./volumes/etcd:/etcd\"]\n",
    );
    let (code, v) = run(&d.root, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&v),
        [
            "compose.yaml:2:3 etcd-compaction-retention",
            "common/etcd.yaml:5:35 etcd-compaction-mode"
        ]
    );
    // Fixed in the extending service; the base, which others may extend, is left alone.
    let base = d.read("common/etcd.yaml");
    let (code, _) = run(&d.root, &["--fix"]);
    assert_eq!(code, 0);
    assert_eq!(d.read("common/etcd.yaml"), base);
    assert_eq!(
        d.read("compose.yaml"),
        "services:\n  etcd:\n    extends:\n      file: common/etcd.yaml\n      service: etcd-base\n    volumes: [\"./volumes/etcd:/etcd\"]\n    environment:\n      - ETCD_AUTO_COMPACTION_RETENTION=1000\n      - ETCD_AUTO_COMPACTION_MODE=revision\n"
    );
    let missing = TempDir::new("extends-missing");
    missing.file(
        "compose.yaml",
        "services:\n  etcd:\n    extends:\n      file: nowhere.yaml\n      service: etcd-base\n",
    );
    let (code, v) = run(&missing.root, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v), ["compose.yaml:4:13 missing-file"]);
}

#[test]
fn include_pulls_in_services_with_their_own_variables() {
    let d = TempDir::new("include");
    d.file(
        "compose.yaml",
        "include:\n  - etcd/compose.yaml\nservices:\n  standalone:\n    image: milvusdb/milvus:v2.6.22\n",
    )
    .file(
        "etcd/compose.yaml",
        "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    environment:\n      - ETCD_AUTO_COMPACTION_MODE=${MODE}\n      - ETCD_AUTO_COMPACTION_RETENTION=1000\n    command: etcd --data-dir /etcd\n",
    )
    .file("etcd/.env", "MODE=revision\n");
    let (code, v) = run(&d.root, &[]);
    assert_eq!(code, 1);
    // The included project's own .env sets MODE; the missing volume remains, neither service
    // has a restart policy or a healthcheck, and etcd's quota is the default. Milvus keeps its
    // default `localhost:2379`, not the included etcd.
    assert_eq!(
        findings(&v),
        [
            "compose.yaml:4:3 healthcheck-missing",
            "compose.yaml:4:3 restart-policy-missing",
            "compose.yaml:5:12 milvus-endpoint-unreachable",
            "etcd/compose.yaml:2:3 healthcheck-missing",
            "etcd/compose.yaml:2:3 restart-policy-missing",
            "etcd/compose.yaml:4:5 etcd-quota-backend-bytes",
            "etcd/compose.yaml:7:30 etcd-data-not-persisted"
        ]
    );
    let message = diag(&v, "etcd-data-not-persisted")["message"]
        .as_str()
        .unwrap();
    assert!(message.contains("every collection's metadata"), "{message}");
}

#[test]
fn include_cycles_are_detected() {
    let d = TempDir::new("include-cycle");
    d.file("compose.yaml", "include:\n  - other.yaml\nservices: {}\n")
        .file("other.yaml", "include:\n  - compose.yaml\nservices: {}\n");
    let (code, v) = run(&d.root, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v), ["other.yaml:2:5 reference-cycle"]);
}

// ---- anchors and profiles ------------------------------------------------------------------

#[test]
fn a_value_through_an_alias_points_at_the_use_and_names_the_anchor() {
    let d = TempDir::new("alias");
    d.file(
        "compose.yaml",
        "x-env: &etcd-env\n  ETCD_AUTO_COMPACTION_MODE: periodic\n  ETCD_AUTO_COMPACTION_RETENTION: 1000\nservices:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    environment: *etcd-env\n    volumes: [\"./v:/etcd\"]\n    command: etcd --data-dir /etcd\n",
    );
    let (_, v) = run(&d.root, &[]);
    assert_eq!(findings(&v), ["compose.yaml:7:18 etcd-compaction-mode"]);
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .current_dir(&d.root)
        .args(["check", "--color", "never"])
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(
        human.contains("written here, in anchor `&etcd-env`"),
        "{human}"
    );
}

#[test]
fn a_merge_list_is_resolved() {
    let d = TempDir::new("merge-list");
    d.file(
        "compose.yaml",
        "x-a: &a\n  image: quay.io/coreos/etcd:v3.5.18\n  command: etcd --data-dir /etcd\nx-b: &b\n  image: redis\n  volumes: [\"./v:/etcd\"]\n  environment: [ETCD_AUTO_COMPACTION_MODE=revision, ETCD_AUTO_COMPACTION_RETENTION=1000]\nservices:\n  etcd:\n    <<: [*a, *b]\n",
    );
    // `a` wins for the image, `b` brings the volume and the environment.
    let (code, v) = run(&d.root, &[]);
    assert_eq!(code, 0, "{v:#}");
    d.file(
        "compose.yaml",
        "x-a: &a\n  image: quay.io/coreos/etcd:v3.5.18\n  command: etcd --data-dir /etcd\nx-b: &b\n  environment: [ETCD_AUTO_COMPACTION_MODE=revision, ETCD_AUTO_COMPACTION_RETENTION=1000]\nservices:\n  etcd:\n    <<: [*a, *b]\n",
    );
    let (_, v) = run(&d.root, &[]);
    // The data dir is written in `a`'s anchor: the finding points at `*a` in the service's
    // merge.
    assert_eq!(findings(&v), ["compose.yaml:8:10 etcd-data-not-persisted"]);
}

#[test]
fn services_behind_a_profile_are_checked_and_named() {
    let d = TempDir::new("profile");
    d.file(
        "compose.yaml",
        ETCD_NOT_PERSISTED.replace("    command:", "    profiles: [ha]\n    command:"),
    );
    let (_, v) = run(&d.root, &[]);
    assert_eq!(findings(&v), ["compose.yaml:8:30 etcd-data-not-persisted"]);
    let message = diag(&v, "etcd-data-not-persisted")["message"]
        .as_str()
        .unwrap();
    assert!(
        message.ends_with("(service `etcd` starts only with the profile `ha`)"),
        "{message}"
    );
}

// ---- fixes on projects ---------------------------------------------------------------------

#[test]
fn a_fix_lands_in_the_file_where_the_value_is_written() {
    let d = TempDir::new("fix-override");
    d.file(
        "compose.yaml",
        "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    environment:\n      - ETCD_AUTO_COMPACTION_RETENTION=1000\n    volumes: [\"./v:/etcd\"]\n    command: etcd --data-dir /etcd\n",
    )
    .file(
        "compose.override.yaml",
        "services:\n  etcd:\n    environment:\n      - ETCD_AUTO_COMPACTION_MODE=periodic # set for testing\n",
    );
    let (code, v) = run(&d.root, &["--fix"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["fixes"]["applied"], 1);
    assert_eq!(
        d.read("compose.override.yaml"),
        "services:\n  etcd:\n    environment:\n      - ETCD_AUTO_COMPACTION_MODE=revision # set for testing\n"
    );
    assert_eq!(
        d.read("compose.yaml"),
        "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    environment:\n      - ETCD_AUTO_COMPACTION_RETENTION=1000\n    volumes: [\"./v:/etcd\"]\n    command: etcd --data-dir /etcd\n"
    );
}

#[test]
fn a_missing_setting_is_added_where_the_service_keeps_its_environment() {
    let d = TempDir::new("fix-add");
    d.file(
        "compose.yaml",
        "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    volumes: [\"./v:/etcd\"]\n    command: etcd --data-dir /etcd\n",
    )
    .file(
        "compose.override.yaml",
        "services:\n  etcd:\n    environment:\n      ETCD_AUTO_COMPACTION_MODE: revision\n",
    );
    let (code, v) = run(&d.root, &["--fix"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        d.read("compose.override.yaml"),
        "services:\n  etcd:\n    environment:\n      ETCD_AUTO_COMPACTION_MODE: revision\n      ETCD_AUTO_COMPACTION_RETENTION: 1000\n"
    );
}
