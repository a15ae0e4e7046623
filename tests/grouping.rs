//! Repeated findings of one fault are one finding: a missing file once, with every other place
//! that names it related; an unset variable once a service, with its other reads related.

mod common;

use common::{TempDir, findings, related};
use serde_json::Value;
use std::process::Command;

fn check(dir: &std::path::Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .args(["check", "--format", "json", "compose.yaml"])
        .current_dir(dir)
        .env_remove("DATA")
        .env_remove("TAG")
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn one_missing_file_finding_a_file_with_every_place_that_names_it() {
    let t = TempDir::new("group-missing");
    t.write(
        "compose.yaml",
        "services:
  a:
    image: nginx:1.27
    env_file: ./shared.env
  b:
    image: nginx:1.27
    env_file:
      - ./shared.env
      - ./other.env
",
    );
    let v = check(&t.root);
    assert_eq!(
        findings(&v),
        [
            "compose.yaml:4:15 missing-file",
            "compose.yaml:9:9 missing-file"
        ]
    );
    let d = &v["diagnostics"][0];
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .ends_with("(named in 1 more place)"),
        "{d}"
    );
    assert_eq!(
        related(d),
        ["compose.yaml:8:9 also named here, as env_file"]
    );
    assert_eq!(related(&v["diagnostics"][1]), Vec::<String>::new());
}

#[test]
fn one_unset_variable_finding_a_variable_and_service() {
    let t = TempDir::new("group-unset");
    t.write(
        "compose.yaml",
        "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      ETCD_AUTO_COMPACTION_MODE: revision
      ETCD_AUTO_COMPACTION_RETENTION: \"1000\"
      ETCD_DATA_DIR: /data/${DATA}
    volumes:
      - ./${DATA}:/data/${DATA}
  web:
    image: nginx:1.27
    volumes:
      - ./${DATA}:/srv
",
    );
    let v = check(&t.root);
    assert_eq!(
        findings(&v),
        [
            "compose.yaml:9:11 unset-variable",
            "compose.yaml:13:11 unset-variable"
        ]
    );
    // At its first read among the mounts, then the environment and command line.
    let d = &v["diagnostics"][0];
    assert_eq!(d["service"], "etcd");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("in the source of a mount of service `etcd`")
    );
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .ends_with("(read in 2 more places)"),
        "{d}"
    );
    assert_eq!(
        related(d),
        [
            "compose.yaml:9:25 also read here",
            "compose.yaml:7:28 also read here"
        ]
    );
    assert_eq!(v["diagnostics"][1]["service"], "web");
}

#[test]
fn a_related_place_in_a_file_with_no_finding_of_its_own_is_shown_against_that_file() {
    let t = TempDir::new("group-extends");
    t.write(
        "compose.yaml",
        "services:\n  a:\n    extends:\n      file: base.yml\n      service: b\n  c:\n    image: nginx:1.27\n    env_file: ./missing.env\n",
    );
    t.write(
        "base.yml",
        "services:\n  b:\n    image: nginx:1.27\n    env_file: ./missing.env\n",
    );
    let v = check(&t.root);
    // At the first place by file (the project's own file first), the extended file related.
    assert_eq!(findings(&v), ["compose.yaml:8:15 missing-file"]);
    assert_eq!(
        related(&v["diagnostics"][0]),
        ["base.yml:4:15 also named here, as env_file"]
    );
    let files: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["compose.yaml", "base.yml"]);
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .args(["check", "--color", "never", "compose.yaml"])
        .current_dir(&t.root)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("  ☞ related: `base.yml`\n   ╭─[base.yml:4:15]\n 3 │     image: nginx:1.27\n 4 │     env_file: ./missing.env\n"),
        "{text}"
    );
}
