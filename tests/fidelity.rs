//! The project as Docker Compose reads it, through the library: milvet's model of every
//! `testdata/projects/fidelity-*` project is compared, service by service, with what
//! `docker-compose config --format json` prints (environment, command, entrypoint, volumes
//! with those `volumes_from` brings, tmpfs), or, when Docker Compose refuses the project,
//! milvet must report an error for it. (`tests/project_fixtures.rs` checks their `expected`
//! findings; `tests/differential.rs` compares `milvet inspect` on every project.)

mod common;
use common::tool;

use milvet::compose::{MountKind, Service, normalize_path};
use milvet::project::{self, Disk, LoadOptions, Project};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The rules whose findings say that Docker Compose refuses the project.
const REFUSALS: &[&str] = &[
    "compose-schema",
    "conflicting-settings",
    "duplicate-container-name",
    "duplicate-mount-target",
    "empty-compose-file",
    "include-conflict",
    "invalid-command",
    "invalid-interpolation",
    "invalid-port-spec",
    "invalid-project-name",
    "invalid-volume-spec",
    "missing-file",
    "missing-image",
    "reference-cycle",
    "secret-without-source",
    "undefined-reference",
    "unknown-service",
    "unset-variable",
    "yaml-duplicate-key",
];

const PROJECTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/projects");

/// The fixture projects of this file, sorted.
fn projects() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(PROJECTS)
        .expect("testdata/projects")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("fidelity-"))
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no fidelity-* project in {PROJECTS}");
    out
}

/// The extra command-line arguments of a project (its `args` file, split on whitespace).
fn args(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("args"))
        .map(|t| t.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// The shell variables a project is run with (its `shell` file, `NAME=value` lines).
fn shell(dir: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(dir.join("shell"))
        .map(|t| {
            t.lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn expected(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("expected"))
        .unwrap_or_else(|e| panic!("{}: no expected file: {e}", dir.display()))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("exit "))
        .map(str::to_string)
        .collect()
}

/// The files and `--env-file`s of a project as its `args` name them (or the default files of
/// its directory).
fn project_files(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let a = args(dir);
    let mut files = Vec::new();
    let mut env_files = Vec::new();
    let mut i = 0;
    while i < a.len() {
        match a[i].as_str() {
            "-f" | "--file" => files.push(dir.join(&a[i + 1])),
            "--env-file" => env_files.push(dir.join(&a[i + 1])),
            other => panic!("{}: unexpected argument {other}", dir.display()),
        }
        i += 2;
    }
    // The shell's COMPOSE_FILE speaks for the directory Docker Compose runs in (this test
    // runs elsewhere): its files, as `milvet` run in the project's directory reads them.
    let shell: std::collections::HashMap<String, String> = shell(dir).into_iter().collect();
    if files.is_empty()
        && let Some(list) = shell.get("COMPOSE_FILE")
    {
        let sep = shell
            .get("COMPOSE_PATH_SEPARATOR")
            .map_or(":", String::as_str);
        files = list.split(sep).map(|f| dir.join(f)).collect();
    }
    // Likewise its COMPOSE_ENV_FILES, which `milvet` takes for `--env-file`s (comma-separated).
    if env_files.is_empty()
        && let Some(list) = shell.get("COMPOSE_ENV_FILES")
    {
        env_files = list
            .split(',')
            .filter(|f| !f.is_empty())
            .map(|f| dir.join(f))
            .collect();
    }
    if files.is_empty() {
        let (units, _) = milvet::discover::units(&[dir.to_path_buf()]);
        // The project of the directory itself (its files may be in a subdirectory when its
        // `.env` names them).
        files = units
            .iter()
            .find(|u| u.files.iter().all(|f| f.parent() == Some(dir)))
            .or_else(|| units.first())
            .map(|u| u.files.clone())
            .unwrap_or_default();
    }
    (files, env_files)
}

/// A host path as Docker Compose prints it: absolute, normalised.
fn absolute(p: &Path) -> String {
    let p = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap().join(p)
    };
    normalize_path(&p.display().to_string())
}

/// The fields compared, for one service of milvet's model, in `docker compose config` shape.
fn model_fields(project: &Project, s: &Service) -> Value {
    let mut env = Map::new();
    for v in &s.environment.vars {
        env.insert(
            v.name.value.clone(),
            v.value
                .as_ref()
                .map_or(Value::Null, |t| Value::String(t.value.clone())),
        );
    }
    let cmd = |c: &Option<milvet::compose::Command>| match c {
        None => Value::Null,
        Some(c) => json!(c.args.iter().map(|a| a.value.clone()).collect::<Vec<_>>()),
    };
    let mut volumes = Vec::new();
    let mut tmpfs = Vec::new();
    for m in &s.mounts {
        if m.from_tmpfs_key {
            tmpfs.push(json!(m.target.value));
            continue;
        }
        let kind = match m.kind {
            MountKind::Bind => "bind",
            MountKind::Volume | MountKind::Anonymous => "volume",
            MountKind::Tmpfs => "tmpfs",
            MountKind::Other => "other",
        };
        let source = match (&m.kind, &m.source) {
            (MountKind::Bind, Some(src)) => {
                json!(absolute(&project.host_path(src.origin.file, &src.value)))
            }
            (_, Some(src)) => json!(src.value),
            (_, None) => Value::Null,
        };
        volumes.push(json!({
            "type": kind,
            "source": source,
            "target": normalize_path(&m.target.value),
            "read_only": m.read_only
        }));
    }
    json!({
        "environment": env,
        "command": cmd(&s.command),
        "entrypoint": cmd(&s.entrypoint),
        "volumes": volumes,
        "tmpfs": tmpfs,
    })
}

/// The same fields from `docker compose config --format json`.
fn compose_fields(service: &Value, volumes_from: &dyn Fn(&str) -> Vec<Value>) -> Value {
    let unescape = |s: &str| s.replace("$$", "$");
    let mut env = Map::new();
    if let Some(m) = service["environment"].as_object() {
        for (k, v) in m {
            env.insert(
                k.clone(),
                v.as_str()
                    .map_or(Value::Null, |s| Value::String(unescape(s))),
            );
        }
    }
    let cmd = |v: &Value| match v.as_array() {
        None => Value::Null,
        Some(a) => json!(
            a.iter()
                .map(|x| unescape(x.as_str().unwrap_or("")))
                .collect::<Vec<_>>()
        ),
    };
    let mut volumes: Vec<Value> = service["volumes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|v| {
            json!({
                "type": v["type"],
                "source": v.get("source").cloned().unwrap_or(Value::Null),
                "target": v["target"],
                "read_only": v["read_only"].as_bool().unwrap_or(false),
            })
        })
        .collect();
    if let Some(from) = service["volumes_from"].as_array() {
        for f in from {
            volumes.extend(volumes_from(f.as_str().unwrap_or("")));
        }
    }
    json!({
        "environment": env,
        "command": cmd(&service["command"]),
        "entrypoint": cmd(&service["entrypoint"]),
        "volumes": volumes,
        "tmpfs": service["tmpfs"].as_array().cloned().unwrap_or_default(),
    })
}

fn sorted_volumes(mut v: Value) -> Value {
    if let Some(a) = v["volumes"].as_array_mut() {
        a.sort_by_key(|x| x["target"].as_str().unwrap_or("").to_string());
    }
    v
}

#[test]
fn milvet_reads_every_fidelity_project_as_docker_compose_does() {
    let Some(dc) = tool("docker-compose") else {
        return;
    };
    let mut failures = Vec::new();
    let mut compared = 0;
    for dir in projects() {
        let (files, env_files) = project_files(&dir);
        let compose = |args: &[&str]| {
            let mut cmd = Command::new(&dc);
            cmd.current_dir(&dir)
                .env_clear()
                .envs(shell(&dir))
                .env("PATH", std::env::var_os("PATH").unwrap_or_default());
            for f in &files {
                cmd.arg("-f").arg(f);
            }
            for e in &env_files {
                cmd.arg("--env-file").arg(e);
            }
            cmd.args(args).output().unwrap()
        };
        let out = compose(&["config", "--format", "json", "--no-normalize"]);
        // `--no-normalize` also skips the implicit `default` network and the cleaning of
        // mount targets, so a project can be refused only with it (a service that names
        // `default`: compared by tests/differential.rs instead) or only without it (`/etcd`
        // and a long-syntax `/etcd/`: judged as refused).
        let plain = compose(&["config", "--quiet"]).status.success();
        if !out.status.success() && plain {
            continue;
        }
        let refused_plain = out.status.success() && !plain;
        let options = LoadOptions {
            shell: std::sync::Arc::new(shell(&dir).into_iter().collect()),
            env_files,
            ..LoadOptions::default()
        };
        let loaded = project::load(&files, &options, &Disk);
        // Docker Compose may refuse a project with exit status 0 and nothing on stdout.
        if !out.status.success() || out.stdout.is_empty() || refused_plain {
            let refused = loaded.model.as_ref().is_none_or(|m| !m.problems.is_empty())
                || !loaded.errors.is_empty()
                || expected(&dir)
                    .iter()
                    .any(|l| l.split(' ').nth(1).is_some_and(|r| REFUSALS.contains(&r)));
            if !refused {
                failures.push(format!(
                    "{}: Docker Compose refuses it ({}), milvet reports nothing",
                    dir.display(),
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            continue;
        }
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{}: {e}: {}",
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let Some(model) = loaded.model.as_ref() else {
            failures.push(format!("{}: milvet could not load it", dir.display()));
            continue;
        };
        let services = v["services"].as_object().cloned().unwrap_or_default();
        let by_name: BTreeMap<String, Value> = services.into_iter().collect();
        let volumes_of = |spec: &str| -> Vec<Value> {
            let (name, mode) = spec.split_once(':').unwrap_or((spec, ""));
            by_name
                .get(name)
                .and_then(|s| s["volumes"].as_array().cloned())
                .unwrap_or_default()
                .iter()
                .map(|x| {
                    json!({
                        "type": x["type"],
                        "source": x.get("source").cloned().unwrap_or(Value::Null),
                        "target": x["target"],
                        "read_only": mode == "ro" || x["read_only"].as_bool().unwrap_or(false),
                    })
                })
                .collect()
        };
        for (name, service) in &by_name {
            let Some(s) = model.services.iter().find(|s| &s.name.value == name) else {
                failures.push(format!("{}: no service {name} in milvet", dir.display()));
                continue;
            };
            compared += 1;
            let want = sorted_volumes(compose_fields(service, &volumes_of));
            let got = sorted_volumes(model_fields(&loaded, s));
            if want != got {
                failures.push(format!(
                    "{}: service {name}\n  docker compose {want}\n  milvet         {got}",
                    dir.display()
                ));
            }
        }
        for s in &model.services {
            // Docker Compose prints only the services of the profiles enabled (none here).
            if !by_name.contains_key(&s.name.value) && s.profiles.is_empty() {
                failures.push(format!(
                    "{}: milvet has service {}, Docker Compose does not",
                    dir.display(),
                    s.name.value
                ));
            }
        }
    }
    println!("services compared with Docker Compose: {compared}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Docker Compose follows `extends` chains thousands of links long; so does milvet, without a
/// cycle reported. The time limit only guards against a hang (speed is measured in `bench/`,
/// never asserted): a loaded machine once took 47 s for this debug build.
#[test]
fn a_deep_extends_chain_is_followed_to_its_end() {
    let dir = common::TempDir::new("deep-extends");
    let mut text = String::from(
        "services:\n  s0:\n    image: quay.io/coreos/etcd:v3.5.18\n    volumes:\n      - ./volumes/etcd:/etcd\n    command: etcd --data-dir /etcd\n",
    );
    for i in 1..3000 {
        text.push_str(&format!("  s{i}:\n    extends: s{}\n", i - 1));
    }
    dir.write("compose.yaml", &text);
    let start = std::time::Instant::now();
    let loaded = project::load(
        &[dir.root.join("compose.yaml")],
        &LoadOptions::default(),
        &Disk,
    );
    let model = loaded.model.expect("loaded");
    assert!(model.problems.is_empty(), "{:?}", model.problems);
    let last = model
        .services
        .iter()
        .find(|s| s.name.value == "s2999")
        .unwrap();
    assert_eq!(last.mounts[0].target.value, "/etcd");
    assert_eq!(last.command.as_ref().unwrap().args[2].value, "/etcd");
    assert!(start.elapsed() < std::time::Duration::from_secs(120));
}

/// `rules/include-conflict.md`'s bad example is the including file of the fixture project
/// `fidelity-include-conflict` (it needs the included file beside it): the text is the
/// fixture's, and checked as that project it gives the findings the document lists.
#[test]
fn the_include_conflict_document_example_is_its_fixture_project() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/rules/include-conflict.md"
    ))
    .unwrap();
    let dir = Path::new(PROJECTS).join("fidelity-include-conflict");
    let compose = std::fs::read_to_string(dir.join("compose.yaml")).unwrap();
    let bad = doc.split("## Bad").nth(1).unwrap();
    let block = bad
        .split("```yaml\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    assert_eq!(block, compose);
    let reports = bad
        .lines()
        .find_map(|l| l.strip_prefix("milvet reports: "))
        .unwrap();
    let want: Vec<String> = reports
        .split(", ")
        .map(|r| format!("compose.yaml:{}", r.trim_matches('`')))
        .collect();
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .current_dir(&dir)
        .env_clear()
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(common::findings(&v), want);
}
