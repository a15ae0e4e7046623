//! Which `.env` files Docker Compose reads when no `--env-file` is given, through the real
//! binary: the `.env` of the directory it runs in and the project directory's (when
//! `COMPOSE_FILE` names files elsewhere), and `COMPOSE_DISABLE_ENV_FILE`, whose refusals are
//! located. (The fixture projects `fidelity-compose-file-*other-directory*` and
//! `fidelity-disable-env-file-*` hold the verdicts Docker Compose agrees with.)

mod common;

use common::TempDir;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const COMPOSE: &str = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      ETCD_AUTO_COMPACTION_MODE: ${MODE:-revision}
      ETCD_AUTO_COMPACTION_RETENTION: ${RETENTION:-1000}
    volumes:
      - ./volumes/etcd:/etcd
    command: etcd --data-dir /etcd
";

/// `milvet <args>` in `dir` with only `PATH`, `HOME` and `shell` in its environment.
fn milvet(dir: &Path, shell: &[(&str, &str)], args: &[&str]) -> (i32, Value) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_milvet"));
    cmd.current_dir(dir).env_clear();
    for k in ["PATH", "HOME"] {
        if let Some(v) = std::env::var_os(k) {
            cmd.env(k, v);
        }
    }
    cmd.envs(shell.iter().copied());
    let out = cmd.args(args).output().expect("run milvet");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}): {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

/// The files `check --format json` could not check: `path line:column message`.
fn errors(v: &Value) -> Vec<String> {
    v["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter(|f| f["status"] == "error")
        .map(|f| {
            let e = &f["error"];
            format!(
                "{} {}:{} {}",
                f["path"].as_str().unwrap_or("?"),
                e["line"],
                e["column"],
                e["message"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

#[test]
fn a_switch_that_is_not_a_go_boolean_in_the_dotenv_is_located() {
    let t = TempDir::new("disable-env-invalid");
    t.file("compose.yaml", COMPOSE)
        .file(".env", "MODE=revision\nCOMPOSE_DISABLE_ENV_FILE=yes\n");
    let (code, v) = milvet(&t.root, &[], &["check", "--format", "json"]);
    assert_eq!(code, 2);
    let errs = errors(&v);
    assert!(
        errs.iter()
            .any(|e| e.starts_with(".env 2:26 `COMPOSE_DISABLE_ENV_FILE` is `yes`")),
        "{errs:?}"
    );
    assert!(v["diagnostics"].as_array().unwrap().is_empty());
}

#[test]
fn a_switch_that_is_not_a_go_boolean_in_the_shell_refuses_the_project() {
    let t = TempDir::new("disable-env-invalid-shell");
    t.file("compose.yaml", COMPOSE)
        .file(".env", "MODE=periodic\n");
    for value in ["", "yes", "on", "2"] {
        let (code, v) = milvet(
            &t.root,
            &[("COMPOSE_DISABLE_ENV_FILE", value)],
            &["check", "--format", "json"],
        );
        assert_eq!(code, 2, "{value:?}");
        let errs = errors(&v);
        let want = format!("compose.yaml null:null `COMPOSE_DISABLE_ENV_FILE={value}` in the");
        assert!(errs.iter().any(|e| e.starts_with(&want)), "{errs:?}");
    }
}

#[test]
fn every_go_boolean_spelling_of_the_switch_is_read() {
    let t = TempDir::new("disable-env-spellings");
    t.file("compose.yaml", COMPOSE)
        .file(".env", "MODE=periodic\n");
    for (value, read) in [
        ("1", false),
        ("t", false),
        ("T", false),
        ("TRUE", false),
        ("true", false),
        ("True", false),
        ("0", true),
        ("f", true),
        ("F", true),
        ("FALSE", true),
        ("false", true),
        ("False", true),
    ] {
        let (code, v) = milvet(
            &t.root,
            &[("COMPOSE_DISABLE_ENV_FILE", value)],
            &["check", "--format", "json"],
        );
        let got = common::findings(&v);
        if read {
            assert_eq!(code, 1, "{value}");
            assert_eq!(got, [".env:1:6 etcd-compaction-mode"], "{value}");
        } else {
            assert_eq!(code, 0, "{value}: {got:?}");
        }
    }
}

#[test]
fn inspect_shows_where_each_dotenv_value_was_read() {
    // Run in the directory whose `.env` names deploy/compose.yaml: that `.env` wins over
    // deploy/.env, whose other values still count.
    let t = TempDir::new("run-dir-dotenv");
    t.file(".env", "COMPOSE_FILE=deploy/compose.yaml\nMODE=periodic\n")
        .file("deploy/.env", "MODE=revision\nRETENTION=5\n")
        .file("deploy/compose.yaml", COMPOSE);
    let (code, v) = milvet(&t.root, &[], &["inspect", "--format", "json"]);
    assert_eq!(code, 0);
    let p = &v["projects"][0];
    let env = &p["services"]["etcd"]["environment"];
    assert_eq!(env["ETCD_AUTO_COMPACTION_MODE"], "periodic");
    assert_eq!(env["ETCD_AUTO_COMPACTION_RETENTION"], "5");
    let origins = &p["origins"]["etcd"]["environment"];
    assert_eq!(origins["ETCD_AUTO_COMPACTION_MODE"], ".env:2:6");
    assert_eq!(
        origins["ETCD_AUTO_COMPACTION_RETENTION"],
        "deploy/.env:2:11"
    );
    // Named with -f, the files are read as `docker compose -f` reads them: only the project
    // directory's `.env`.
    let (_, v) = milvet(
        &t.root,
        &[],
        &["inspect", "--format", "json", "-f", "deploy/compose.yaml"],
    );
    let env = &v["projects"][0]["services"]["etcd"]["environment"];
    assert_eq!(env["ETCD_AUTO_COMPACTION_MODE"], "revision");
}
