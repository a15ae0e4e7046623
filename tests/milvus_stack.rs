//! The rules that judge a Milvus service against the stack it runs in: exact places, messages
//! and fixed bytes. (The fixture projects `testdata/projects/milvus-stack-*` are also checked by
//! `tests/project_fixtures.rs` and read by Docker Compose in `tests/differential.rs`.)

mod common;

use common::TempDir;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// `milvet <args>` in `dir` with a clean environment: exit status and stdout.
fn milvet(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(args)
        .output()
        .expect("run milvet");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The findings of `rule` as `file:line:col` and message.
fn findings_of(dir: &Path, rule: &str) -> Vec<(String, String, Value)> {
    let (_, out) = milvet(dir, &["check", "--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let mut got = Vec::new();
    for d in v["diagnostics"].as_array().unwrap() {
        if d["rule"] == rule {
            got.push((
                format!(
                    "{}:{}:{}",
                    d["file"].as_str().unwrap().trim_start_matches("./"),
                    d["line"],
                    d["column"]
                ),
                d["message"].as_str().unwrap().to_string(),
                d.clone(),
            ));
        }
    }
    got
}

/// A copy of fixture project `name` in a scratch directory.
fn copy_fixture(name: &str) -> TempDir {
    let t = TempDir::new(name);
    let src = Path::new(ROOT).join("testdata/projects").join(name);
    for e in std::fs::read_dir(&src).unwrap().flatten() {
        if e.path().is_file() {
            t.write(
                e.file_name().to_str().unwrap(),
                std::fs::read(e.path()).unwrap(),
            );
        }
    }
    t
}

#[test]
fn env_noop_places_messages_and_fixes() {
    let t = copy_fixture("milvus-stack-env-noop");
    let got = findings_of(&t.root, "milvus-env-override-noop");
    let places: Vec<&str> = got.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(
        places,
        [
            "compose.yaml:4:3",
            "compose.yaml:5:3",
            "compose.yaml:36:9",
            "compose.yaml:37:9",
            "compose.yaml:38:9",
            "milvus.env:2:1"
        ]
    );
    let msg = |i: usize| got[i].1.as_str();
    assert!(msg(0).starts_with("`MINIO_ACCESS_KEY` on Milvus service `proxy` sets nothing"));
    assert!(
        msg(2).contains("whose variable is `MINIO_ACCESS_KEY_ID`"),
        "{}",
        msg(2)
    );
    assert!(msg(3).contains("`milvus run standalone` sets it to `STANDALONE`"));
    assert!(msg(4).contains("2 GiB quota"));
    // The proxy's DEPLOY_MODE is not reported: only standalone overwrites it.
    assert!(
        !got.iter()
            .any(|(_, m, _)| m.starts_with("`DEPLOY_MODE` on Milvus service `proxy`"))
    );
    // Only the standalone's own list entry is fixable; the merged anchor and the env file are
    // not rewritten.
    let fixable: Vec<&str> = got
        .iter()
        .filter(|(_, _, d)| d["fix"]["applicability"] == "safe")
        .map(|(p, _, _)| p.as_str())
        .collect();
    assert_eq!(fixable, ["compose.yaml:36:9"]);
    let env_file_fix = got[5].2["fix"]["description"].as_str().unwrap();
    assert!(env_file_fix.contains("env file"), "{env_file_fix}");

    let before = t.read("compose.yaml");
    let env_before = t.read("milvus.env");
    let (code, _) = milvet(&t.root, &["check", "--fix"]);
    assert_eq!(code, 1, "warnings remain");
    let want = before.replace(
        "      - MINIO_ACCESS_KEY=${MINIO_USER:-milvus}\n",
        "      - MINIO_ACCESS_KEY_ID=${MINIO_USER:-milvus}\n",
    );
    assert_ne!(want, before);
    assert_eq!(t.read("compose.yaml"), want);
    assert_eq!(t.read("milvus.env"), env_before);
    // A second run has nothing left to fix.
    milvet(&t.root, &["check", "--fix"]);
    assert_eq!(t.read("compose.yaml"), want);
}

/// The Milvus service's environment carries an anchor MinIO aliases: the rename happens in
/// Milvus, and MinIO gets a copy of the environment as it was, so it keeps reading its names.
#[test]
fn env_noop_rename_keeps_a_shared_anchor_for_minio() {
    let t = TempDir::new("env-noop-anchor");
    let text = r#"services:
  standalone:
    image: milvusdb/milvus:v2.4.24
    restart: always
    command: ["milvus", "run", "standalone"]
    environment: &creds
      MINIO_ADDRESS: minio:9000
      MINIO_ACCESS_KEY: admin
      MINIO_SECRET_KEY: "password-1"
    volumes:
      - milvus:/var/lib/milvus
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:9091/healthz"]
  minio:
    image: minio/minio:RELEASE.2024-12-18T13-15-44Z
    restart: always
    command: minio server /data
    environment: *creds
    volumes:
      - minio:/data
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:9000/minio/health/live"]
volumes:
  milvus:
  minio:
"#;
    t.write("compose.yaml", text);
    let got = findings_of(&t.root, "milvus-env-override-noop");
    let places: Vec<&str> = got.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(places, ["compose.yaml:8:7", "compose.yaml:9:7"]);
    let (code, out) = milvet(&t.root, &["check", "--fix"]);
    assert_eq!(code, 0, "{out}");
    let want = text
        .replace(
            "      MINIO_ACCESS_KEY: admin\n      MINIO_SECRET_KEY: \"password-1\"\n",
            "      MINIO_ACCESS_KEY_ID: admin\n      MINIO_SECRET_ACCESS_KEY: \"password-1\"\n",
        )
        .replace(
            "    environment: *creds\n",
            "    environment: {MINIO_ADDRESS: \"minio:9000\", MINIO_ACCESS_KEY: admin, MINIO_SECRET_KEY: \"password-1\"}\n",
        );
    assert_eq!(t.read("compose.yaml"), want);
}

/// A value that is not the MinIO server's credential is not renamed: Milvus works today with
/// its default, and would stop working with that value.
#[test]
fn env_noop_leaves_a_value_that_is_not_minios() {
    let t = TempDir::new("env-noop-other");
    t.write(
        "compose.yaml",
        r#"services:
  standalone:
    image: milvusdb/milvus:v2.4.24
    command: ["milvus", "run", "standalone"]
    environment:
      MINIO_ACCESS_KEY: someone
  minio:
    image: minio/minio:RELEASE.2024-12-18T13-15-44Z
    command: minio server /data
"#,
    );
    let got = findings_of(&t.root, "milvus-env-override-noop");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "compose.yaml:6:7");
    assert_eq!(got[0].2["fix"]["applicability"], "unavailable");
    let why = got[0].2["fix"]["description"].as_str().unwrap();
    assert!(
        why.contains("not MinIO service `minio`'s root user (`MINIO_ROOT_USER`)"),
        "{why}"
    );
}

/// `etcd.endpoints` set in milvus.yaml, overridden by user.yaml, and for the proxy again by
/// the environment: each finding points into the file that decided the value.
#[test]
fn endpoints_are_judged_where_they_are_decided() {
    let dir = Path::new(ROOT).join("testdata/projects/milvus-stack-endpoints");
    let got = findings_of(&dir, "milvus-endpoint-unreachable");
    let places: Vec<&str> = got.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(
        places,
        ["compose.yaml:37:22", "compose.yaml:51:23", "user.yaml:4:5"]
    );
    let (minio, proxy, etcd) = (&got[0].1, &got[1].1, &got[2].1);
    assert!(
        minio.contains("service `minio` answers to `objects` only on networks Milvus service `standalone` is not on"),
        "{minio}"
    );
    assert!(
        proxy.contains("`milvus-etcd:2380` (`ETCD_ENDPOINTS` in the environment)")
            && proxy.contains("listens on port 2379 inside its container")
            && proxy.contains("Use `milvus-etcd:2379`"),
        "{proxy}"
    );
    assert!(
        etcd.contains("`etdc:2379` (`etcd.endpoints` in user.yaml)")
            && etcd.contains("(did you mean `etcd`?)"),
        "{etcd}"
    );
    // milvus.yaml's `localhost:2379` lost to user.yaml: nothing points there.
    assert!(!got.iter().any(|(p, _, _)| p.starts_with("milvus.yaml")));
}

/// `minio.accessKeyID` from milvus.yaml, overridden by user.yaml, and for the datanode again by
/// the environment (from `.env`): only the standalone's differs from MinIO's root user.
#[test]
fn credentials_are_compared_after_every_override() {
    let dir = Path::new(ROOT).join("testdata/projects/milvus-stack-credentials");
    let got = findings_of(&dir, "milvus-credentials-mismatch");
    let places: Vec<&str> = got.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(places, ["user.yaml:2:16"]);
    let m = &got[0].1;
    assert!(
        m.contains("Milvus service `standalone`")
            && m.contains("the access key `second` (`minio.accessKeyID` in user.yaml)")
            && m.contains("MinIO's root user is `milvus` (`MINIO_ROOT_USER`)"),
        "{m}"
    );
    // The secret is never printed.
    assert!(!m.contains("milvus-secret"), "{m}");
    let related = got[0].2["related"].as_array().unwrap();
    assert!(
        related
            .iter()
            .any(|r| r["file"].as_str().unwrap().ends_with(".env")),
        "MinIO's user is decided by `.env`: {related:?}"
    );
}

/// Embedded etcd turned on in milvus.yaml, its data dir moved off the volume by user.yaml, its
/// config file a mounted file of the project that does not compact by revision.
#[test]
fn embedded_etcd_is_judged_through_its_files() {
    let dir = Path::new(ROOT).join("testdata/projects/milvus-stack-embedded-etcd");
    let lost = findings_of(&dir, "milvus-embedded-etcd-not-persisted");
    let places: Vec<&str> = lost.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(places, ["user.yaml:3:10"]);
    let m = &lost[0].1;
    assert!(
        m.contains("(`etcd.use.embed` in milvus.yaml)")
            && m.contains("data dir `/milvus/etcd-data` (from `etcd.data.dir` in user.yaml)"),
        "{m}"
    );
    let fix = &lost[0].2["fix"];
    assert_eq!(fix["applicability"], "unsafe");
    assert!(
        fix["description"]
            .as_str()
            .unwrap()
            .contains("at `/milvus/etcd-data`"),
        "{fix}"
    );
    let compaction = findings_of(&dir, "milvus-embedded-etcd-compaction");
    let places: Vec<&str> = compaction.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(places, ["embedEtcd.yaml:4:23"]);
    assert!(
        compaction[0]
            .1
            .contains("`auto-compaction-mode` is `periodic`")
    );
    // Without ETCD_CONFIG_PATH the finding is about etcd's built-in defaults, at the setting
    // that turned embedded etcd on.
    let t = copy_fixture("milvus-stack-embedded-etcd");
    let compose = t.read("compose.yaml").replace(
        "      ETCD_CONFIG_PATH: /milvus/configs/embedEtcd.yaml\n",
        "",
    );
    t.write("compose.yaml", compose);
    let got = findings_of(&t.root, "milvus-embedded-etcd-compaction");
    let places: Vec<&str> = got.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(places, ["milvus.yaml:3:12"]);
    assert!(
        got[0]
            .1
            .contains("no auto-compaction and a 2 GiB backend quota")
    );
}

/// `rocksmq.path` set in milvus.yaml (on the volume), moved by user.yaml and again by the
/// environment, which wins: the finding is at the variable; `localStorage.path` at user.yaml.
/// `milvus-data-not-persisted` says nothing: `/var/lib/milvus` is mounted.
#[test]
fn local_paths_are_judged_where_they_are_moved() {
    let dir = Path::new(ROOT).join("testdata/projects/milvus-stack-local-storage");
    let got = findings_of(&dir, "milvus-local-storage-not-persisted");
    let places: Vec<&str> = got.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(places, ["compose.yaml:9:21", "user.yaml:4:9"]);
    assert!(
        got[0].1.contains(
            "RocksMQ) in `/rdb-env` (`rocksmq.path` from `ROCKSMQ_PATH` in the environment)"
        ),
        "{}",
        got[0].1
    );
    assert!(
        got[1]
            .1
            .contains("`/local-data` (`localStorage.path` from `localStorage.path` in user.yaml)"),
        "{}",
        got[1].1
    );
    assert_eq!(got[0].2["fix"]["applicability"], "unsafe");
    assert!(findings_of(&dir, "milvus-data-not-persisted").is_empty());
    // The unsafe fixes mount one host directory for each path.
    let t = copy_fixture("milvus-stack-local-storage");
    let before = t.read("compose.yaml");
    let (code, _) = milvet(&t.root, &["check", "--fix", "--unsafe-fixes"]);
    assert_eq!(code, 0);
    let want = before.replace(
        "      - ./user.yaml:/milvus/configs/user.yaml\n",
        "      - ./user.yaml:/milvus/configs/user.yaml\n      - ${DOCKER_VOLUME_DIRECTORY:-.}/volumes/standalone-rocksmq:/rdb-env\n      - ${DOCKER_VOLUME_DIRECTORY:-.}/volumes/standalone-local-storage:/local-data\n",
    );
    assert_eq!(t.read("compose.yaml"), want);
}

/// A seed rule's finding about etcd or MinIO names the Milvus services whose settings point at
/// that server, with the setting as a related place, wherever it was decided (user.yaml here).
#[test]
fn seed_findings_name_the_milvus_that_depends_on_the_server() {
    let t = TempDir::new("dependents");
    t.write(
        "compose.yaml",
        r#"services:
  meta:
    image: quay.io/coreos/etcd:v3.5.25
    command: etcd --listen-client-urls http://0.0.0.0:2379 --advertise-client-urls http://meta:2379
    environment:
      ETCD_AUTO_COMPACTION_MODE: revision
      ETCD_AUTO_COMPACTION_RETENTION: "1000"
  standalone:
    image: milvusdb/milvus:v2.5.27
    command: ["milvus", "run", "standalone"]
    volumes:
      - ./volumes/milvus:/var/lib/milvus
      - ./user.yaml:/milvus/configs/user.yaml
"#,
    );
    t.write("user.yaml", "etcd:\n  endpoints: meta:2379\n");
    let got = findings_of(&t.root, "etcd-data-not-persisted");
    assert_eq!(got.len(), 1);
    let (place, message, d) = &got[0];
    assert_eq!(place, "compose.yaml:3:12");
    assert!(
        message.ends_with(
            "; Milvus service `standalone` (`etcd.endpoints` in user.yaml: `meta:2379`) keeps its \
             metadata here"
        ),
        "{message}"
    );
    let related = d["related"].as_array().unwrap();
    assert!(
        related
            .iter()
            .any(|r| r["file"].as_str().unwrap().ends_with("user.yaml")
                && r["line"] == 2
                && r["label"]
                    .as_str()
                    .unwrap()
                    .starts_with("Milvus service `standalone` uses it")),
        "{related:?}"
    );
}
