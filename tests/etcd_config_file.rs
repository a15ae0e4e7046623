//! etcd reading a config file that the project mounts: the seed rules judge the file's
//! settings, at their place in that file, and the rule that says the flags and variables are
//! ignored names what the file sets instead.

mod common;

use common::{TempDir, findings};
use serde_json::Value;
use std::process::Command;

/// `milvet check --format json` in `dir`; the report.
fn check(dir: &TempDir) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .current_dir(&dir.root)
        .args(["check", "--format", "json", "--color", "never", "."])
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

const SEED: &[&str] = &[
    "etcd-data-not-persisted",
    "etcd-compaction-mode",
    "etcd-compaction-retention",
    "etcd-unsafe-no-fsync",
    "etcd-quota-backend-bytes",
    "etcd-config-file-ignores-settings",
];

/// The findings of the seed rules and of `etcd-config-file-ignores-settings`.
fn seed(v: &Value) -> Vec<String> {
    findings(v)
        .into_iter()
        .filter(|f| SEED.iter().any(|r| f.ends_with(&format!(" {r}"))))
        .collect()
}

fn diagnostic<'a>(v: &'a Value, rule: &str) -> &'a Value {
    let all: Vec<&Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == rule)
        .collect();
    assert_eq!(all.len(), 1, "{all:#?}");
    all[0]
}

const MILVUS: &str = "  standalone:
    image: milvusdb/milvus:v2.6.22
    command: [milvus, run, standalone]
    restart: always
    volumes:
      - ./volumes/milvus:/var/lib/milvus
";

#[test]
fn the_mounted_file_is_judged_where_it_is_written() {
    let dir = TempDir::new("etcd-conf");
    dir.file(
        "docker-compose.yml",
        format!(
            "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.25
    command: etcd --config-file /etc/etcd/etcd.yaml
    environment:
      - ETCD_AUTO_COMPACTION_MODE=revision
    volumes:
      - ./etcd.yaml:/etc/etcd/etcd.yaml:ro
{MILVUS}"
        ),
    )
    .file(
        "etcd.yaml",
        "# etcd's own configuration
name: milvus-etcd
data-dir: /etcd-data
auto-compaction-retention: 1000
unsafe-no-fsync: yes
quota-backend-bytes: 0x400000000
",
    );
    let v = check(&dir);
    assert_eq!(
        seed(&v),
        [
            "./docker-compose.yml:4:33 etcd-config-file-ignores-settings",
            // No mode in the file: etcd has no default for it there.
            "etcd.yaml:2:1 etcd-compaction-mode",
            "etcd.yaml:3:11 etcd-data-not-persisted",
            "etcd.yaml:5:18 etcd-unsafe-no-fsync",
            "etcd.yaml:6:22 etcd-quota-backend-bytes",
        ]
    );
    let mode = diagnostic(&v, "etcd-compaction-mode");
    let message = mode["message"].as_str().unwrap();
    assert!(
        message.contains("the retention `1000` compacts nothing"),
        "{message}"
    );
    assert_eq!(mode["related"][0]["file"], "./docker-compose.yml");
    assert_eq!(mode["related"][0]["line"], 8);
    assert_eq!(
        mode["related"][0]["label"],
        "etcd's config file, mounted here"
    );
    // A fix would edit etcd's own file: unavailable, saying what to write.
    assert_eq!(mode["fix"]["applicability"], "unavailable");
    assert!(
        mode["fix"]["description"]
            .as_str()
            .unwrap()
            .starts_with("set `auto-compaction-mode: revision` in etcd's config file `etcd.yaml`"),
        "{}",
        mode["fix"]["description"]
    );
    let data = diagnostic(&v, "etcd-data-not-persisted");
    assert!(
        data["message"]
            .as_str()
            .unwrap()
            .contains("`/etcd-data` (from `data-dir` in etcd's config file)"),
        "{}",
        data["message"]
    );
    // The mount goes in the Compose file, where etcd's data dir is: a fix milvet can verify.
    assert_eq!(data["fix"]["applicability"], "unsafe");
    assert_eq!(data["fix"]["edits"][0]["file"], "./docker-compose.yml");
    let quota = diagnostic(&v, "etcd-quota-backend-bytes");
    assert!(
        quota["message"]
            .as_str()
            .unwrap()
            .contains("17179869184 bytes"),
        "{}",
        quota["message"]
    );
    let ignored = diagnostic(&v, "etcd-config-file-ignores-settings");
    assert_eq!(
        ignored["related"][0]["label"],
        "`ETCD_AUTO_COMPACTION_MODE` is ignored; the config file does not set `auto-compaction-mode`"
    );
    assert_eq!(ignored["related"][1]["file"], "etcd.yaml");
    assert_eq!(ignored["related"][1]["line"], 2);

    // Corrected, the file gives no finding, and the rules that read the command line stay
    // silent: etcd ignores it.
    dir.file(
        "etcd.yaml",
        "name: milvus-etcd
data-dir: /etcd
auto-compaction-mode: revision
auto-compaction-retention: \"1000\"
quota-backend-bytes: 4294967296
",
    );
    dir.file(
        "docker-compose.yml",
        format!(
            "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.25
    command: etcd --config-file /etc/etcd/etcd.yaml
    volumes:
      - ./etcd.yaml:/etc/etcd/etcd.yaml:ro
      - ./volumes/etcd:/etcd
{MILVUS}"
        ),
    );
    assert_eq!(seed(&check(&dir)), Vec::<String>::new());
}

#[test]
fn a_file_that_sets_nothing_uses_etcds_file_defaults() {
    let dir = TempDir::new("etcd-conf-empty");
    dir.file(
        "docker-compose.yml",
        format!(
            "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.25
    environment:
      ETCD_CONFIG_FILE: /etc/etcd/etcd.conf.yml
      ETCD_DATA_DIR: /etcd
    volumes:
      - ./conf:/etc/etcd
      - ./volumes/etcd:/etcd
{MILVUS}"
        ),
    )
    .file("conf/etcd.conf.yml", "name: node1\nlog-level: info\n");
    let v = check(&dir);
    assert_eq!(
        seed(&v),
        [
            "./docker-compose.yml:5:25 etcd-config-file-ignores-settings",
            "conf/etcd.conf.yml:1:1 etcd-compaction-mode",
            "conf/etcd.conf.yml:1:1 etcd-compaction-retention",
            // `node1.etcd` in /var/lib/etcd, the working directory: not mounted.
            "conf/etcd.conf.yml:1:1 etcd-data-not-persisted",
            "conf/etcd.conf.yml:1:1 etcd-quota-backend-bytes",
        ]
    );
    let data = diagnostic(&v, "etcd-data-not-persisted");
    assert!(
        data["message"].as_str().unwrap().contains(
            "`/var/lib/etcd/node1.etcd` (etcd's config file sets no `data-dir`, so etcd uses its \
             default `node1.etcd` in the working directory `/var/lib/etcd`)"
        ),
        "{}",
        data["message"]
    );
    let retention = diagnostic(&v, "etcd-compaction-retention");
    assert!(
        retention["message"]
            .as_str()
            .unwrap()
            .starts_with("etcd's config file sets no `auto-compaction-retention`"),
        "{}",
        retention["message"]
    );
    let ignored = diagnostic(&v, "etcd-config-file-ignores-settings");
    assert_eq!(
        ignored["related"][0]["label"],
        "`ETCD_DATA_DIR` is ignored; the config file does not set `data-dir`"
    );
}

#[test]
fn bitnami_reads_a_mounted_etcd_yaml() {
    let dir = TempDir::new("etcd-conf-bitnami");
    dir.file(
        "docker-compose.yml",
        format!(
            "services:
  etcd:
    image: bitnamilegacy/etcd:3.5.18
    environment:
      ALLOW_NONE_AUTHENTICATION: \"yes\"
    volumes:
      - ./etcd.yaml:/opt/bitnami/etcd/conf/etcd.yaml
      - etcd_data:/bitnami/etcd
{MILVUS}volumes:
  etcd_data:
"
        ),
    )
    .file(
        "etcd.yaml",
        "data-dir: /bitnami/etcd/data
auto-compaction-mode: periodic
auto-compaction-retention: 1h
quota-backend-bytes: 4294967296
",
    );
    assert_eq!(
        seed(&check(&dir)),
        [
            "etcd.yaml:2:23 etcd-compaction-mode",
            "etcd.yaml:3:28 etcd-compaction-retention",
        ]
    );
}

#[test]
fn a_config_file_outside_the_project_still_silences_the_rules() {
    let dir = TempDir::new("etcd-conf-unseen");
    dir.file(
        "docker-compose.yml",
        format!(
            "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.25
    command: etcd --config-file /etc/etcd/etcd.yaml
    volumes:
      - etcd_conf:/etc/etcd
{MILVUS}volumes:
  etcd_conf:
"
        ),
    );
    assert_eq!(seed(&check(&dir)), Vec::<String>::new());
    // A host file that does not exist: Docker mounts an empty directory, etcd finds no file.
    dir.file(
        "docker-compose.yml",
        format!(
            "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.25
    command: etcd --config-file /etc/etcd/etcd.yaml
    volumes:
      - ./missing/etcd.yaml:/etc/etcd/etcd.yaml
{MILVUS}"
        ),
    );
    assert_eq!(seed(&check(&dir)), Vec::<String>::new());
}
