//! `COMPOSE_FILE` and `COMPOSE_PATH_SEPARATOR` choose a directory's files, as Docker Compose
//! chooses them when it runs there without `-f`: from the shell (for the current directory),
//! else from the directory's `.env`. (The fixture projects `*compose-file*` under
//! `testdata/projects/` compare the projects read with Docker Compose's.)

mod common;

use common::{TempDir, findings};
use milvet::discover::{Environment, units, units_in};
use std::collections::HashMap;
use std::process::Command;

const BASE: &str = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    volumes:
      - ./volumes/etcd:/etcd
    command: etcd --data-dir /etcd
";

const TUNING: &str = "services:
  etcd:
    environment:
      - ETCD_AUTO_COMPACTION_MODE=revision
      - ETCD_AUTO_COMPACTION_RETENTION=1000
";

fn project(tag: &str, dotenv: &str) -> TempDir {
    let t = TempDir::new(tag);
    t.write("base.yaml", BASE);
    t.write("tuning.yaml", TUNING);
    t.write("compose.yaml", BASE);
    t.write(".env", dotenv);
    t
}

fn files(units: &[milvet::discover::Unit]) -> Vec<Vec<String>> {
    units
        .iter()
        .map(|u| {
            u.files
                .iter()
                .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
                .collect()
        })
        .collect()
}

fn milvet(dir: &std::path::Path, args: &[&str], shell: &[(&str, &str)]) -> (i32, Vec<String>) {
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .args(["check", "--format", "json"])
        .args(args)
        .current_dir(dir)
        .env_remove("COMPOSE_FILE")
        .env_remove("COMPOSE_PATH_SEPARATOR")
        .envs(shell.iter().copied())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (out.status.code().unwrap(), findings(&v))
}

#[test]
fn a_walked_directory_is_the_project_its_dotenv_names() {
    let t = project("cf-walk", "COMPOSE_FILE=base.yaml:tuning.yaml\n");
    let (u, _) = units(std::slice::from_ref(&t.root));
    // compose.yaml is not read by Docker Compose there: it is not checked alone either.
    assert_eq!(files(&u), [["base.yaml", "tuning.yaml"]]);
}

#[test]
fn the_separator_comes_from_the_environment_too() {
    let t = project(
        "cf-sep",
        "COMPOSE_PATH_SEPARATOR=;\nCOMPOSE_FILE=base.yaml;tuning.yaml\n",
    );
    let (u, _) = units(std::slice::from_ref(&t.root));
    assert_eq!(files(&u), [["base.yaml", "tuning.yaml"]]);
}

#[test]
fn without_compose_file_the_default_files_are_read() {
    let t = project("cf-none", "TAG=1\n");
    let (u, _) = units(std::slice::from_ref(&t.root));
    // base.yaml and tuning.yaml are not Compose file names: only compose.yaml is found.
    assert_eq!(files(&u), [["compose.yaml"]]);
}

#[test]
fn the_library_reads_no_shell_unless_given_one() {
    let t = project("cf-lib", "");
    let shell = HashMap::from([("COMPOSE_FILE".to_string(), "base.yaml".to_string())]);
    // The shell speaks for the current directory only, so the test runs in the project.
    let here = |f: &dyn Fn() -> Vec<Vec<String>>| {
        let before = std::env::current_dir().unwrap();
        std::env::set_current_dir(&t.root).unwrap();
        let got = f();
        std::env::set_current_dir(before).unwrap();
        got
    };
    assert_eq!(here(&|| files(&units(&[]).0)), [["compose.yaml"]]);
    let env = Environment {
        shell: Some(&shell),
        env_files: &[],
    };
    assert_eq!(here(&|| files(&units_in(&[], &env).0)), [["base.yaml"]]);
    // Another directory's project is not chosen by the shell of this one.
    assert_eq!(
        files(&units_in(std::slice::from_ref(&t.root), &env).0),
        [["compose.yaml"]]
    );
}

#[test]
fn naming_a_listed_file_checks_the_whole_project() {
    // A pre-commit hook names only the file that changed: tuning.yaml is checked with
    // base.yaml, as `docker compose` in that directory reads them.
    let t = project("cf-named", "COMPOSE_FILE=base.yaml:tuning.yaml\n");
    let (u, _) = units(&[t.root.join("tuning.yaml")]);
    assert_eq!(files(&u), [["base.yaml", "tuning.yaml"]]);
    let (code, f) = milvet(&t.root, &["tuning.yaml"], &[]);
    assert_eq!((code, f), (0, Vec::<String>::new()));
    // A file it does not list is checked alone, as `docker compose -f` reads it.
    let (code, f) = milvet(&t.root, &["compose.yaml"], &[]);
    assert_eq!(
        (code, f),
        (
            1,
            vec![
                "compose.yaml:2:3 etcd-compaction-mode".to_string(),
                "compose.yaml:2:3 etcd-compaction-retention".to_string()
            ]
        )
    );
}

#[test]
fn the_cli_passes_the_shell_and_the_env_file() {
    let t = project("cf-cli", "");
    t.write("prod.env", "COMPOSE_FILE=base.yaml:tuning.yaml\n");
    // The shell's COMPOSE_FILE names base.yaml alone: etcd has no compaction settings.
    let (code, f) = milvet(&t.root, &[], &[("COMPOSE_FILE", "base.yaml")]);
    assert_eq!(
        (code, f),
        (
            1,
            vec![
                "base.yaml:2:3 etcd-compaction-mode".to_string(),
                "base.yaml:2:3 etcd-compaction-retention".to_string()
            ]
        )
    );
    // `--env-file` is read instead of `.env`, for COMPOSE_FILE too.
    let (code, f) = milvet(&t.root, &["--env-file", "prod.env"], &[]);
    assert_eq!((code, f), (0, Vec::<String>::new()));
}
