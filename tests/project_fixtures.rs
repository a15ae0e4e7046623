//! Every fixture project under `testdata/projects/` gives exactly the findings its `expected`
//! file lists, as `file:line:column rule` lines (`#` starts a comment; an empty file means no
//! finding; a line `exit N` asserts the exit status too).
//!
//! The project is checked as `milvet check --format json [args]` in its directory, with a
//! clean environment (`PATH`, `HOME`, and the `NAME=value` lines of its `shell` file), the
//! arguments one a line in its `args` file: the same way the differential test runs
//! `milvet inspect` and Docker Compose on it. `MILVET_BLESS=1` rewrites the `expected` files
//! from what milvet reports (keeping their comments), for reviewing a change of reading.

mod common;

use common::fixture_lines;

use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn projects() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("testdata/projects"))
        .expect("testdata/projects")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// `milvet check --format json` on a fixture project: exit status and findings.
fn check(dir: &Path) -> (i32, Vec<String>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_milvet"));
    cmd.current_dir(dir).env_clear();
    for k in ["PATH", "HOME"] {
        if let Some(v) = std::env::var_os(k) {
            cmd.env(k, v);
        }
    }
    for l in fixture_lines(&dir.join("shell")) {
        if let Some((k, v)) = l.split_once('=') {
            cmd.env(k, v);
        }
    }
    let out = cmd
        .args(["check", "--format", "json"])
        .args(fixture_lines(&dir.join("args")))
        .output()
        .expect("run milvet");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{}: no JSON ({e}): {stdout}{}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), common::findings(&v))
}

#[test]
fn every_fixture_project_gives_its_expected_findings() {
    let bless = std::env::var_os("MILVET_BLESS").is_some_and(|v| v == "1");
    let dirs = projects();
    assert!(dirs.len() >= 60, "only {} fixture projects", dirs.len());
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let expected_path = dir.join("expected");
        assert!(expected_path.is_file(), "{name}: no `expected` file");
        let (code, got) = check(dir);
        let mut want = fixture_lines(&expected_path);
        let want_exit = want
            .iter()
            .position(|l| l.starts_with("exit "))
            .map(|i| want.remove(i));
        if bless {
            let text = std::fs::read_to_string(&expected_path).unwrap_or_default();
            let mut out: Vec<String> = text
                .lines()
                .filter(|l| l.trim_start().starts_with('#'))
                .map(String::from)
                .collect();
            out.push(format!("exit {code}"));
            out.extend(got.iter().cloned());
            std::fs::write(&expected_path, out.join("\n") + "\n").unwrap();
            continue;
        }
        if got != want {
            failures.push(format!(
                "{name}:\n  expected: {want:?}\n  got:      {got:?}"
            ));
        }
        if let Some(e) = want_exit
            && e != format!("exit {code}")
        {
            failures.push(format!("{name}: expected `{e}`, got exit {code}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture projects differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("{} fixture projects checked", dirs.len());
}
