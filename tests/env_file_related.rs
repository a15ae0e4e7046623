//! A finding in a service's env file shows, as a related place, the `env_file` entry of the
//! Compose file that names that file (the one of its own service when several share it).

mod common;

use common::{TempDir, findings, related};
use serde_json::Value;
use std::process::Command;

fn check(dir: &std::path::Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .args(["check", "--format", "json"])
        .current_dir(dir)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_finding_in_an_env_file_points_back_at_the_env_file_entry() {
    let t = TempDir::new("envfile-related");
    t.write(
        "compose.yaml",
        "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    env_file:
      - ./common.env
      - ./etcd.env
    volumes:
      - ./volumes/etcd:/etcd
    command: etcd --data-dir /etcd
  etcd2:
    image: quay.io/coreos/etcd:v3.5.18
    env_file: common.env
    volumes:
      - ./volumes/etcd2:/etcd
    command: etcd --data-dir /etcd
",
    );
    t.write("common.env", "ETCD_AUTO_COMPACTION_MODE=revision\n");
    t.write(
        "etcd.env",
        "ETCD_AUTO_COMPACTION_MODE=periodic\nETCD_AUTO_COMPACTION_RETENTION=1000\n",
    );
    let v = check(&t.root);
    assert_eq!(
        findings(&v),
        [
            "compose.yaml:10:3 etcd-compaction-retention",
            "etcd.env:1:27 etcd-compaction-mode"
        ]
    );
    let d = &v["diagnostics"];
    // A finding in the Compose file itself gets none.
    assert_eq!(related(&d[0]), Vec::<String>::new());
    assert_eq!(
        related(&d[1]),
        ["compose.yaml:6:9 env file read by service `etcd` here"]
    );
}
