//! The Milvus configuration model: what a Milvus service runs with, from the files it mounts
//! and its environment, and where each value was decided.

mod common;

use common::TempDir;
use milvet::compose::{Origin, Source};
use milvet::milvus::{self, ConfigKind, Decided};
use milvet::project::{self, Disk, LoadOptions, Project};
use milvet::source::LineIndex;
use milvet::stack::roles::Stack;

fn load(dir: &TempDir) -> Project {
    project::load(
        &[dir.path("docker-compose.yml")],
        &LoadOptions::default(),
        &Disk,
    )
}

fn sources(p: &Project) -> Vec<Source<'_>> {
    p.files
        .iter()
        .map(|f| Source {
            text: &f.text,
            tree: &f.tree,
            path: &f.path,
        })
        .collect()
}

/// `file:line:col` of an origin, the file as its name alone.
fn at(p: &Project, o: Origin) -> String {
    let f = &p.files[o.file.0 as usize];
    let pos = LineIndex::new(&f.text).position(&f.text, o.span.start);
    format!(
        "{}:{}:{}",
        f.path.file_name().unwrap().to_string_lossy(),
        pos.line,
        pos.column
    )
}

const COMPOSE: &str = "services:
  standalone:
    image: milvusdb/milvus:v2.5.27
    command: [milvus, run, standalone]
    environment:
      ETCD_ENDPOINTS: etcd-a:2379
    volumes:
      - ./milvus.yaml:/milvus/configs/milvus.yaml
      - ./user.yaml:/milvus/configs/user.yaml:ro
";

const MILVUS_YAML: &str = "etcd:
  endpoints:
    - etcd-yaml:2379
  rootPath: from-milvus-yaml
minio:
  address: minio-yaml
  bucketName: bucket-yaml
";

const USER_YAML: &str = "etcd:
  endpoints: [etcd-user:2379]
  rootPath: from-user-yaml
";

#[test]
fn environment_over_user_yaml_over_milvus_yaml_over_default() {
    let dir = TempDir::new("milvus-config");
    dir.file("docker-compose.yml", COMPOSE)
        .file("milvus.yaml", MILVUS_YAML)
        .file("user.yaml", USER_YAML);
    let p = load(&dir);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let model = p.model.as_ref().unwrap();
    let src = sources(&p);
    let stack = Stack::of(model);
    let configs = milvus::configs(model, &src, &stack);
    assert_eq!(configs.len(), 1);
    let c = &configs[0];
    assert_eq!(c.service_name(), Some("standalone"));
    assert_eq!(c.line().name, "2.5");
    assert!(c.choice.assumed.is_none());
    let kinds: Vec<ConfigKind> = c.files.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [ConfigKind::MilvusYaml, ConfigKind::UserYaml]);

    // Set in all three: the environment decides, user.yaml and milvus.yaml are overridden.
    let e = c.etcd_endpoints().unwrap();
    assert_eq!(e.value, "etcd-a:2379");
    assert_eq!(e.as_list(), ["etcd-a:2379"]);
    assert!(matches!(
        e.decided,
        Decided::Env {
            prefixed: false,
            ..
        }
    ));
    assert_eq!(
        at(&p, e.decided.origin().unwrap()),
        "docker-compose.yml:6:23"
    );
    let shadowed: Vec<String> = e
        .shadowed
        .iter()
        .map(|d| at(&p, d.origin().unwrap()))
        .collect();
    assert_eq!(shadowed, ["user.yaml:2:14", "milvus.yaml:3:5"]);
    assert_eq!(e.describe(), "`ETCD_ENDPOINTS` in the environment");

    // In both files: user.yaml decides.
    let r = c.etcd_root_path().unwrap();
    assert_eq!(r.value, "from-user-yaml");
    assert_eq!(at(&p, r.decided.origin().unwrap()), "user.yaml:3:13");
    assert_eq!(r.describe(), "`etcd.rootPath` in user.yaml");

    // Only milvus.yaml.
    let b = c.minio_bucket_name().unwrap();
    assert_eq!(
        (b.value.as_str(), at(&p, b.decided.origin().unwrap())),
        ("bucket-yaml", "milvus.yaml:7:15".into())
    );

    // Nothing: the line's default.
    let s = c.storage_type().unwrap();
    assert_eq!(s.value, "remote");
    assert_eq!(s.decided, Decided::Default { line: "2.5" });
    assert_eq!(c.etcd_use_embed().unwrap().as_bool(), Some(false));
    assert!(c.etcd_config_path().is_none());
    // Any key, in any spelling Milvus accepts.
    assert_eq!(c.value("ETCD.ROOT_PATH").unwrap().value, "from-user-yaml");
    assert!(
        c.data_coord_gc()
            .iter()
            .any(|s| s.key == "dataCoord.gc.interval")
    );
}

// ---------------------------------------------------------------------------------------------
// Through the command line: findings at their file:line:col, discovery and linking, failures.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Run `milvet args...` in `dir` with a clean environment; (exit code, stdout, stderr).
fn milvet(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .expect("run milvet");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = milvet(dir, &all);
    let v = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}\n{stderr}"));
    (code, v)
}

/// The findings of one rule, as `file:line:col`.
fn of_rule(v: &Value, rule: &str) -> Vec<String> {
    common::findings(v)
        .into_iter()
        .filter_map(|f| f.strip_suffix(&format!(" {rule}")).map(str::to_string))
        .collect()
}

/// The `files` of a report as (path, status).
fn files(v: &Value) -> Vec<(String, String)> {
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A standalone Milvus with everything the other rules ask for, and `extra` lines appended to
/// its `volumes` (each `      - ...`); `image` is its image.
fn milvus_compose(image: &str, extra: &str) -> String {
    format!(
        "services:
  standalone:
    image: {image}
    restart: unless-stopped
    command: [\"milvus\", \"run\", \"standalone\"]
    healthcheck:
      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:9091/healthz\"]
    volumes:
      - ./volumes/milvus:/var/lib/milvus
{extra}"
    )
}

#[test]
fn unknown_keys_of_a_mounted_file_are_judged_by_the_image_version() {
    let dir = TempDir::new("unknown-key");
    dir.file(
        "docker-compose.yml",
        milvus_compose(
            "milvusdb/milvus:v2.3.22",
            "      - ./milvus.yaml:/milvus/configs/milvus.yaml\n",
        ),
    )
    // A key of 2.6 in a 2.3 image; a typo; a spelling Milvus accepts (not reported).
    .file(
        "milvus.yaml",
        "woodpecker:\n  storage:\n    type: local\netcd:\n  root_path: by-dev\n  endpointz: [etcd:2379]\n",
    );
    let (code, v) = check_json(&dir.root, &[]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        of_rule(&v, "milvus-config-unknown-key"),
        ["milvus.yaml:1:1", "milvus.yaml:6:3"]
    );
    let msgs: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        msgs[0].contains("`woodpecker` is not a key of Milvus 2.3 (v2.3.22")
            && msgs[0].contains("it is a key of Milvus 2.6, 3.0"),
        "{}",
        msgs[0]
    );
    assert_eq!(
        v["diagnostics"][1]["help"].as_str(),
        Some("did you mean `etcd.endpoints`?")
    );
    // The compose file and the mounted file, each checked once.
    assert_eq!(
        files(&v),
        [
            ("docker-compose.yml".into(), "checked".into()),
            ("milvus.yaml".into(), "checked".into())
        ]
    );
    // `latest` takes the newest release line, 2.6, where `woodpecker` is known.
    dir.file(
        "docker-compose.yml",
        milvus_compose(
            "milvusdb/milvus:latest",
            "      - ./milvus.yaml:/milvus/configs/milvus.yaml\n",
        ),
    );
    let (_, v) = check_json(&dir.root, &[]);
    assert_eq!(
        of_rule(&v, "milvus-config-unknown-key"),
        ["milvus.yaml:6:3"]
    );
    assert!(
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["message"]
                .as_str()
                .unwrap()
                .contains("the tag names no version: the newest release line")),
        "{v:#}"
    );
}

#[test]
fn a_mounted_directory_and_milvusconf_are_followed() {
    let dir = TempDir::new("mounted-dir");
    dir.file(
        "docker-compose.yml",
        milvus_compose(
            "milvusdb/milvus:v2.5.27",
            "      - ./conf:/milvus/configs\n",
        ),
    )
    .file("conf/user.yaml", "minio:\n  bucketNme: b\n");
    let (_, v) = check_json(&dir.root, &[]);
    assert_eq!(
        of_rule(&v, "milvus-config-unknown-key"),
        ["conf/user.yaml:2:3"]
    );
    // `$MILVUSCONF` moves the directory Milvus reads.
    let compose = milvus_compose(
        "milvusdb/milvus:v2.5.27",
        "      - ./conf/user.yaml:/etc/milvus/user.yaml\n    environment:\n      MILVUSCONF: /etc/milvus/\n",
    );
    dir.file("docker-compose.yml", compose);
    let (_, v) = check_json(&dir.root, &[]);
    assert_eq!(
        of_rule(&v, "milvus-config-unknown-key"),
        ["conf/user.yaml:2:3"]
    );
    // Mounted at the image's directory while MILVUSCONF points elsewhere: Milvus does not read
    // it, so it is checked on its own (a note, its version unknown).
    let compose = milvus_compose(
        "milvusdb/milvus:v2.5.27",
        "      - ./conf/user.yaml:/milvus/configs/user.yaml\n    environment:\n      MILVUSCONF: /etc/milvus\n",
    );
    dir.file("docker-compose.yml", compose);
    let (_, v) = check_json(&dir.root, &[]);
    assert_eq!(
        of_rule(&v, "milvus-config-unknown-key"),
        ["conf/user.yaml:2:3"]
    );
    assert_eq!(v["diagnostics"][0]["severity"], "info");
    let (_, v) = check_json(&dir.root, &["docker-compose.yml"]);
    assert_eq!(
        of_rule(&v, "milvus-config-unknown-key"),
        Vec::<String>::new()
    );
}

#[test]
fn a_missing_mounted_file_is_no_file_and_no_finding() {
    let dir = TempDir::new("mounted-missing");
    dir.file(
        "docker-compose.yml",
        milvus_compose(
            "milvusdb/milvus:v2.5.27",
            "      - ./nothing/user.yaml:/milvus/configs/user.yaml\n",
        ),
    );
    let (code, v) = check_json(&dir.root, &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(common::findings(&v), Vec::<String>::new());
}

#[test]
fn an_unreadable_mounted_file_is_a_located_error_and_the_project_is_still_checked() {
    let dir = TempDir::new("mounted-bad");
    // The project has a finding of its own (a typo in the other mounted file).
    dir.file(
        "docker-compose.yml",
        milvus_compose(
            "milvusdb/milvus:v2.5.27",
            "      - ./milvus.yaml:/milvus/configs/milvus.yaml\n      - ./user.yaml:/milvus/configs/user.yaml\n",
        ),
    )
    .file("user.yaml", "etcd:\n  rootPth: x\n");
    std::fs::write(dir.path("milvus.yaml"), b"etcd:\n  rootPath: \xff\n").unwrap();
    let (code, v) = check_json(&dir.root, &["docker-compose.yml"]);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(of_rule(&v, "milvus-config-unknown-key"), ["user.yaml:2:3"]);
    let bad = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "milvus.yaml")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(bad["status"], "error");
    assert_eq!(
        (&bad["error"]["line"], &bad["error"]["column"]),
        (&2.into(), &13.into())
    );
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("not valid UTF-8: byte 0xff at line 2, column 13 cannot start a character (mounted by `standalone` at /milvus/configs/milvus.yaml)"),
        "{bad:#}"
    );
    // Invalid YAML too; the file is left as it was.
    std::fs::write(dir.path("milvus.yaml"), "etcd: [\n").unwrap();
    let (code, v) = check_json(&dir.root, &["docker-compose.yml"]);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(of_rule(&v, "milvus-config-unknown-key"), ["user.yaml:2:3"]);
    assert_eq!(dir.read("milvus.yaml"), "etcd: [\n");
}

#[cfg(unix)]
#[test]
fn a_mounted_fifo_is_not_read() {
    let dir = TempDir::new("mounted-fifo");
    dir.file(
        "docker-compose.yml",
        milvus_compose(
            "milvusdb/milvus:v2.5.27",
            "      - ./user.yaml:/milvus/configs/user.yaml\n",
        ),
    );
    let made = Command::new("mkfifo")
        .arg(dir.path("user.yaml"))
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        println!("SKIPPED: mkfifo is not available");
        return;
    }
    let (code, v) = check_json(&dir.root, &["docker-compose.yml"]);
    assert_eq!(code, 2, "{v:#}");
    let bad = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "user.yaml")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(bad["status"], "error");
}

#[test]
fn a_config_mounted_by_no_service_is_checked_on_its_own() {
    let dir = TempDir::new("lone");
    dir.file(
        "docker-compose.yml",
        milvus_compose(
            "milvusdb/milvus:v2.5.27",
            "      - ./user.yaml:/milvus/configs/user.yaml\n",
        ),
    )
    .file("user.yaml", "etcd:\n  rootPath: x\n")
    .file("other/milvus.yaml", "etcd:\n  rootPth: x\n");
    let (code, v) = check_json(&dir.root, &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        files(&v),
        [
            ("docker-compose.yml".into(), "checked".into()),
            ("other/milvus.yaml".into(), "checked".into())
        ]
    );
    // A file on its own may be of any version: a note.
    assert_eq!(
        of_rule(&v, "milvus-config-unknown-key"),
        ["other/milvus.yaml:2:3"]
    );
    assert_eq!(v["diagnostics"][0]["severity"], "info");
}

#[test]
fn a_kubernetes_manifest_named_milvus_yaml_gets_one_note() {
    let dir = TempDir::new("k8s");
    dir.file(
        "milvus.yaml",
        "apiVersion: milvus.io/v1beta1\nkind: Milvus\nmetadata:\n  name: my-release\nspec:\n  mode: standalone\n",
    )
    .file("helm/milvus.yaml", "cluster:\n  enabled: false\netcd:\n  replicaCount: 1\n");
    let (code, v) = check_json(&dir.root, &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        common::findings(&v),
        [
            "helm/milvus.yaml:1:1 milvus-config-unknown-key",
            "milvus.yaml:1:1 milvus-config-unknown-key"
        ]
    );
    let msg = |i: usize| v["diagnostics"][i]["message"].as_str().unwrap().to_string();
    assert!(
        msg(0).contains("is a Helm chart's values file"),
        "{}",
        msg(0)
    );
    assert!(msg(1).contains("is a Kubernetes manifest"), "{}", msg(1));
}

#[test]
fn config_not_persisted_cases() {
    let dir = TempDir::new("not-persisted");
    // A configs/user.yaml of the project that nothing mounts.
    dir.file(
        "docker-compose.yml",
        milvus_compose("milvusdb/milvus:v2.5.27", ""),
    )
    .file("configs/user.yaml", "common:\n  storageType: remote\n");
    let (code, v) = check_json(&dir.root, &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        of_rule(&v, "milvus-config-not-persisted"),
        ["docker-compose.yml:2:3"]
    );
    assert!(
        v["diagnostics"][0]["help"]
            .as_str()
            .unwrap()
            .contains("`- ./configs/user.yaml:/milvus/configs/user.yaml:ro`"),
        "{v:#}"
    );
    // The configuration directory on an anonymous volume, a tmpfs.
    dir.file(
        "docker-compose.yml",
        milvus_compose("milvusdb/milvus:v2.5.27", "      - /milvus/configs\n"),
    );
    let (_, v) = check_json(&dir.root, &["docker-compose.yml"]);
    assert_eq!(
        of_rule(&v, "milvus-config-not-persisted"),
        ["docker-compose.yml:10:9"]
    );
    dir.file(
        "docker-compose.yml",
        milvus_compose(
            "milvusdb/milvus:v2.5.27",
            "    tmpfs:\n      - /milvus/configs\n",
        ),
    );
    let (_, v) = check_json(&dir.root, &["docker-compose.yml"]);
    assert_eq!(
        of_rule(&v, "milvus-config-not-persisted"),
        ["docker-compose.yml:11:9"]
    );
    // Mounted: nothing to say.
    dir.file(
        "docker-compose.yml",
        milvus_compose(
            "milvusdb/milvus:v2.5.27",
            "      - ./configs/user.yaml:/milvus/configs/user.yaml:ro\n",
        ),
    );
    let (_, v) = check_json(&dir.root, &[]);
    assert_eq!(
        of_rule(&v, "milvus-config-not-persisted"),
        Vec::<String>::new()
    );
}

/// The precedence fixture through `milvet inspect`: each value at the place that decided it,
/// and what it overrides.
#[test]
fn inspect_shows_where_each_milvus_setting_was_decided() {
    let dir = TempDir::new("inspect-milvus");
    dir.file("docker-compose.yml", COMPOSE)
        .file("milvus.yaml", MILVUS_YAML)
        .file("user.yaml", USER_YAML);
    let (code, stdout, stderr) = milvet(&dir.root, &["inspect", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let m = &v["projects"][0]["milvus"]["standalone"];
    assert_eq!(m["line"], "2.5");
    assert_eq!(m["files"][0]["kind"], "milvus.yaml");
    assert_eq!(m["files"][1]["mount"], "docker-compose.yml:9:9");
    let e = &m["settings"]["etcd.endpoints"];
    assert_eq!(e["value"], "etcd-a:2379");
    assert_eq!(e["decided"]["by"], "environment");
    assert_eq!(e["decided"]["variable"], "ETCD_ENDPOINTS");
    assert_eq!(e["decided"]["at"], "docker-compose.yml:6:23");
    let over: Vec<&str> = e["overrides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["at"].as_str().unwrap())
        .collect();
    assert_eq!(over, ["user.yaml:2:14", "milvus.yaml:3:5"]);
    assert_eq!(
        m["settings"]["etcd.rootPath"]["decided"]["at"],
        "user.yaml:3:13"
    );
    assert_eq!(
        m["settings"]["common.storageType"]["decided"]["by"],
        "default"
    );
    let (code, human, _) = milvet(&dir.root, &["inspect"]);
    assert_eq!(code, 0);
    assert!(
        human.contains(
            "    etcd.endpoints       etcd-a:2379  (`ETCD_ENDPOINTS` in the environment at \
             docker-compose.yml:6:23; overrides `etcd.endpoints` in user.yaml at user.yaml:2:14; \
             overrides `etcd.endpoints` in milvus.yaml at milvus.yaml:3:5)\n"
        ),
        "{human}"
    );
    assert!(
        human.contains("    etcd.rootPath        from-user-yaml  (`etcd.rootPath` in user.yaml at user.yaml:3:13; overrides `etcd.rootPath` in milvus.yaml at milvus.yaml:4:13)\n"),
        "{human}"
    );
}

#[test]
fn milvus_conf_prefix_from_2_6_wins_over_the_plain_variable() {
    let text = |image: &str| {
        format!(
            "services:
  standalone:
    image: {image}
    environment:
      MILVUS_CONF_ETCD_ROOTPATH: prefixed
      ETCD_ROOTPATH: plain
"
        )
    };
    for (image, want) in [
        ("milvusdb/milvus:v2.6.18", "prefixed"),
        ("milvusdb/milvus:v2.5.27", "plain"),
    ] {
        let dir = TempDir::new("prefix");
        dir.file("docker-compose.yml", text(image));
        let p = load(&dir);
        let model = p.model.as_ref().unwrap();
        let src = sources(&p);
        let stack = Stack::of(model);
        let c = &milvus::configs(model, &src, &stack)[0];
        assert_eq!(c.etcd_root_path().unwrap().value, want, "{image}");
    }
}

/// A fix in the Compose file leaves a mounted milvus.yaml byte for byte as it was.
#[test]
fn fixing_the_project_never_rewrites_a_mounted_config() {
    let dir = TempDir::new("fix-mounted");
    let compose = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    command: etcd --data-dir /etcd --auto-compaction-mode periodic --auto-compaction-retention 1
    volumes:
      - ./volumes/etcd:/etcd
  standalone:
    image: milvusdb/milvus:v2.5.27
    command: [\"milvus\", \"run\", \"standalone\"]
    volumes:
      - ./volumes/milvus:/var/lib/milvus
      - ./milvus.yaml:/milvus/configs/milvus.yaml
";
    let config = "# kept\netcd:\n  endpoints: [etcd:2379]   # as written\n  rootPth: by-dev\n";
    dir.file("docker-compose.yml", compose)
        .file("milvus.yaml", config);
    let (_, stdout, stderr) = milvet(&dir.root, &["check", "--fix", "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stdout}{stderr}"));
    assert_ne!(dir.read("docker-compose.yml"), compose, "{v:#}");
    assert_eq!(dir.read("milvus.yaml"), config);
    assert_eq!(
        of_rule(&v, "milvus-config-unknown-key"),
        ["milvus.yaml:4:3"]
    );
}

#[test]
fn a_user_yaml_beside_a_compose_file_is_found_when_walking() {
    let dir = TempDir::new("walk-user");
    dir.file(
        "docker-compose.yml",
        milvus_compose("milvusdb/milvus:v2.5.27", ""),
    )
    .file("user.yaml", "etcd:\n  rootPth: x\n")
    // Far from any Compose file or milvus.yaml: not a Milvus file.
    .file("docs/examples/user.yaml", "name: someone\n");
    let (code, v) = check_json(&dir.root, &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        files(&v),
        [
            ("docker-compose.yml".into(), "checked".into()),
            ("user.yaml".into(), "checked".into())
        ]
    );
    assert_eq!(
        common::findings(&v),
        [
            "docker-compose.yml:2:3 milvus-config-not-persisted",
            "user.yaml:2:3 milvus-config-unknown-key"
        ]
    );
    // Once mounted, it is part of the project and checked with the image's version.
    dir.file(
        "docker-compose.yml",
        milvus_compose(
            "milvusdb/milvus:v2.5.27",
            "      - ./user.yaml:/milvus/configs/user.yaml\n",
        ),
    );
    let (code, v) = check_json(&dir.root, &[]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        common::findings(&v),
        ["user.yaml:2:3 milvus-config-unknown-key"]
    );
    assert_eq!(v["diagnostics"][0]["severity"], "warning");
}

/// The Compose files of the corpus that mount a Milvus configuration the corpus also holds,
/// checked with it at the path they mount it from: no error (exit 2), and exactly these
/// findings of the Milvus configuration rules.
#[test]
fn corpus_compose_files_with_their_mounted_configurations() {
    let corpus = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"));
    if !corpus.is_dir() {
        assert!(!common::tools_required(), "{} is absent", corpus.display());
        println!("SKIPPED: {} is absent", corpus.display());
        return;
    }
    // (compose file, the name it mounts, the configuration, the findings there).
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (
            // Milvus v2.6.15 with a milvus.yaml copied from master of 2026-04: master's keys
            // are unknown to 2.6.
            "TheGreatRambler__venddb__docker-compose.yml",
            "milvus.yaml",
            "TheGreatRambler__venddb__milvus.yaml",
            &[
                "milvus.yaml:567:3",
                "milvus.yaml:696:5",
                "milvus.yaml:731:3",
                "milvus.yaml:750:5",
                "milvus.yaml:756:5",
                "milvus.yaml:953:3",
                "milvus.yaml:957:5",
                "milvus.yaml:1021:3",
                "milvus.yaml:1022:3",
                "milvus.yaml:1033:3",
                "milvus.yaml:1043:3",
                "milvus.yaml:1047:3",
                "milvus.yaml:1462:7",
                "milvus.yaml:1489:5",
            ],
        ),
        (
            "amoshouse140-blip__juicefs-milvus__milvus_deploy_standalone_docker-compose.yml",
            "user.yaml",
            "amoshouse140-blip__juicefs-milvus__milvus_deploy_standalone_user.yaml",
            &[],
        ),
        (
            "rubra-ai__rubra@e1472f330__docker-compose.yml",
            "milvus.yaml",
            "rubra-ai__rubra@00b42d041__milvus.yaml",
            &[],
        ),
        (
            "opea-project__GenAIExamples__ChatQnA_docker_compose_intel_cpu_xeon_compose_milvus.yaml",
            "milvus.yaml",
            "opea-project__GenAIComps__comps_third_parties_milvus_deployment_docker_compose_milvus.yaml",
            &[],
        ),
    ];
    for (compose, name, config, expected) in cases {
        let dir = TempDir::new("corpus-mounted");
        dir.file(
            "docker-compose.yml",
            std::fs::read(corpus.join("milvus").join(compose)).unwrap(),
        )
        .file(
            name,
            std::fs::read(corpus.join("milvus-yaml").join(config)).unwrap(),
        );
        let (code, v) = check_json(&dir.root, &["docker-compose.yml"]);
        assert_ne!(code, 2, "{compose}: {v:#}");
        let mut found = of_rule(&v, "milvus-config-unknown-key");
        found.extend(of_rule(&v, "milvus-config-not-persisted"));
        assert_eq!(&found, expected, "{compose}");
        assert!(
            files(&v).iter().any(|(p, s)| p == name && s == "checked") || expected.is_empty(),
            "{compose}: {v:#}"
        );
    }
}

/// Each official milvus.yaml, mounted into a Milvus of its own release, gives no finding of
/// the Milvus configuration rules.
#[test]
fn official_files_mounted_into_their_release_give_no_finding() {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/milvus-yaml-official"
    ));
    if !dir.is_dir() {
        assert!(!common::tools_required(), "{} is absent", dir.display());
        println!("SKIPPED: {} is absent", dir.display());
        return;
    }
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(tag) = name
            .strip_prefix("milvus-")
            .and_then(|n| n.strip_suffix(".yaml"))
        else {
            continue;
        };
        // master is the development line the 3.0 beta is cut from.
        let tag = if tag == "master" { "v3.0-beta" } else { tag };
        let t = TempDir::new("official-mounted");
        t.file(
            "docker-compose.yml",
            milvus_compose(
                &format!("milvusdb/milvus:{tag}"),
                "      - ./milvus.yaml:/milvus/configs/milvus.yaml:ro\n",
            ),
        )
        .file("milvus.yaml", std::fs::read(&path).unwrap());
        let (code, v) = check_json(&t.root, &["docker-compose.yml"]);
        assert_ne!(code, 2, "{name}: {v:#}");
        let mut found = of_rule(&v, "milvus-config-unknown-key");
        found.extend(of_rule(&v, "milvus-config-not-persisted"));
        assert_eq!(found, Vec::<String>::new(), "{name}");
        // And the configuration is read: its line is the tag's.
        let (_, stdout, _) = milvet(&t.root, &["inspect", "--format", "json"]);
        let i: Value = serde_json::from_str(&stdout).unwrap();
        let line = i["projects"][0]["milvus"]["standalone"]["line"]
            .as_str()
            .unwrap()
            .to_string();
        let want = tag
            .trim_start_matches('v')
            .split('.')
            .take(2)
            .collect::<Vec<_>>()
            .join(".");
        let want = want.split('-').next().unwrap().to_string();
        assert_eq!(line, want, "{name}");
        checked += 1;
    }
    assert_eq!(checked, 10, "every official milvus.yaml");
}
