//! `milvet inspect`: the settings milvet believes a project runs, and where each was decided.

mod common;
use common::TempDir;

use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

fn inspect(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .current_dir(dir)
        .env_clear()
        .env("HOME", "/home/user")
        .envs(env.iter().copied())
        .arg("inspect")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn inspect_json(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = inspect(dir, &all, env);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (code, v)
}

const STACK: &str = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      ETCD_AUTO_COMPACTION_MODE: ${MODE:-periodic}
      BARE:
    volumes:
      - ./volumes/etcd:/etcd/
      - type: volume
        source: conf
        target: /conf
        read_only: true
    tmpfs: /run:size=64m
    command: etcd --data-dir /etcd
    healthcheck:
      test: etcdctl endpoint health
      interval: 90s
      retries: 3
    restart: always
  minio:
    image: minio/minio
    command: [\"minio\", \"server\", \"/data\"]
    volumes_from: [\"etcd:ro\"]
    depends_on:
      etcd:
        condition: service_healthy
    deploy:
      restart_policy:
        condition: on-failure
        max_attempts: 5
    profiles: [storage]
    platform: linux/arm64
volumes:
  conf:
";

#[test]
fn json_is_shaped_as_docker_compose_config_with_origins_beside() {
    let t = TempDir::new("inspect-json");
    t.file("compose.yaml", STACK)
        .write(".env", "MODE=revision\n");
    let (code, v) = inspect_json(&t.root, &[], &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["schema"], 1);
    let p = &v["projects"][0];
    assert_eq!(p["files"], json!(["compose.yaml"]));
    assert_eq!(p["read"], json!(["compose.yaml", ".env"]));
    let root = std::fs::canonicalize(&t.root).unwrap();
    let etcd = &p["services"]["etcd"];
    assert_eq!(
        *etcd,
        json!({
            "image": "quay.io/coreos/etcd:v3.5.18",
            "environment": {"ETCD_AUTO_COMPACTION_MODE": "revision", "BARE": null},
            "command": ["etcd", "--data-dir", "/etcd"],
            "volumes": [
                {"type": "bind", "source": format!("{}/volumes/etcd", root.display()), "target": "/etcd"},
                {"type": "volume", "source": "conf", "target": "/conf", "read_only": true}
            ],
            "tmpfs": ["/run:size=64m"],
            "healthcheck": {"test": ["CMD-SHELL", "etcdctl endpoint health"], "interval": "1m30s", "retries": 3},
            "restart": "always"
        })
    );
    let minio = &p["services"]["minio"];
    assert_eq!(
        *minio,
        json!({
            "image": "minio/minio",
            "command": ["minio", "server", "/data"],
            "volumes_from": ["etcd:ro"],
            "depends_on": {"etcd": {"condition": "service_healthy", "required": true}},
            "deploy": {"restart_policy": {"condition": "on-failure", "max_attempts": 5}},
            "profiles": ["storage"],
            "platform": "linux/arm64"
        })
    );
    // Where each value was decided: the `.env` line for the variable, else where it is written.
    let o = &p["origins"]["etcd"];
    assert_eq!(o["environment"]["ETCD_AUTO_COMPACTION_MODE"], ".env:1:6");
    assert_eq!(o["environment"]["BARE"], "compose.yaml:6:7");
    assert_eq!(
        o["command"],
        json!([
            "compose.yaml:14:14",
            "compose.yaml:14:19",
            "compose.yaml:14:30"
        ])
    );
    assert_eq!(o["volumes"][0]["mount"], "compose.yaml:8:9");
    assert_eq!(o["volumes"][0]["target"], "compose.yaml:8:24");
    assert_eq!(o["volumes"][1]["source"], "compose.yaml:10:17");
    assert_eq!(o["tmpfs"], json!(["compose.yaml:13:12"]));
    assert_eq!(o["healthcheck"]["interval"], "compose.yaml:17:17");
    assert_eq!(o["restart"], "compose.yaml:19:14");
    assert_eq!(
        p["origins"]["minio"]["deploy"]["max_attempts"],
        "compose.yaml:30:23"
    );
}

#[test]
fn human_shows_what_the_rules_judge_and_where_it_was_decided() {
    let t = TempDir::new("inspect-human");
    t.file("compose.yaml", STACK)
        .write(".env", "MODE=revision\n");
    let (code, out, _) = inspect(&t.root, &[], &[]);
    assert_eq!(code, 0);
    let expected = "\
project compose.yaml
  etcd (etcd)  compose.yaml:2:3
    data dir             /etcd  (flag at compose.yaml:14:30)
      mount              ./volumes/etcd:/etcd/ (persistent)  (compose.yaml:8:9)
    compaction mode      revision  (`ETCD_AUTO_COMPACTION_MODE` at .env:1:6)
    compaction retention 0  (etcd's default)
    healthcheck          etcdctl endpoint health  (compose.yaml:16:7)
    restart              always  (compose.yaml:19:14)
  minio (MinIO)  compose.yaml:20:3
    serves               /data  (argument at compose.yaml:22:34)
      mount              not mounted by the project: the container's writable layer, or a VOLUME the image declares (an anonymous volume)
    volumes from         etcd:ro  (compose.yaml:23:20)
    healthcheck          none (the image's, if any)
    restart              deploy.restart_policy on-failure  (compose.yaml:29:9)

";
    assert_eq!(out, expected);
}

#[test]
fn a_refused_project_exits_2_and_says_why() {
    let t = TempDir::new("inspect-refused");
    t.write(
        "compose.yaml",
        "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    environment:\n      MODE: ${MODE:?set MODE}\n",
    );
    let (code, v) = inspect_json(&t.root, &[], &[]);
    assert_eq!(code, 2);
    assert_eq!(
        v["projects"][0]["problems"],
        json!([{"message": "required variable `MODE` is missing: set MODE", "at": "compose.yaml:5:13"}])
    );
    // Set in the shell, it is accepted.
    let (code, v) = inspect_json(&t.root, &[], &[("MODE", "x")]);
    assert_eq!(code, 0);
    assert_eq!(
        v["projects"][0]["services"]["etcd"]["environment"]["MODE"],
        "x"
    );
    // A file that cannot be parsed.
    t.write("compose.yaml", "services: [\n");
    let (code, v) = inspect_json(&t.root, &[], &[]);
    assert_eq!(code, 2);
    assert_eq!(v["projects"][0]["errors"][0]["file"], "compose.yaml");
}

#[test]
fn dash_f_and_env_file_name_one_project() {
    let t = TempDir::new("inspect-dash-f");
    t.file("base.yml", STACK)
        .file(
            "prod.yml",
            "services:\n  etcd:\n    restart: unless-stopped\n",
        )
        .write("prod.env", "MODE=revision\n");
    let (code, v) = inspect_json(
        &t.root,
        &["-f", "base.yml", "-f", "prod.yml", "--env-file", "prod.env"],
        &[],
    );
    assert_eq!(code, 0, "{v:#}");
    let p = &v["projects"][0];
    assert_eq!(p["files"], json!(["base.yml", "prod.yml"]));
    assert_eq!(p["services"]["etcd"]["restart"], "unless-stopped");
    assert_eq!(p["origins"]["etcd"]["restart"], "prod.yml:3:14");
    assert_eq!(
        p["origins"]["etcd"]["environment"]["ETCD_AUTO_COMPACTION_MODE"],
        "prod.env:1:6"
    );
}
