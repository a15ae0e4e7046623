//! The strings compose-go casts after interpolation (compose-go v2.9.1's
//! `interpolateTypeCastMapping`): a value the cast refuses is a `compose-schema` error at the
//! place that decided it, with where the variable was read; one it accepts is not. Each case
//! was checked against Docker Compose v2.40.3 (`docker compose config`).

mod common;

use common::TempDir;
use std::process::Command;

const ETCD: &str = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      - ETCD_AUTO_COMPACTION_MODE=revision
      - ETCD_AUTO_COMPACTION_RETENTION=1000
    volumes:
      - ./volumes/etcd:/etcd
    command: etcd --data-dir /etcd
";

/// `milvet check --format json` on `compose.yaml` = ETCD + `tail`, with `env` in the shell:
/// the findings and the first finding's related places.
fn check(tail: &str, env: &[(&str, &str)], dotenv: Option<&str>) -> (Vec<String>, Vec<String>) {
    let t = TempDir::new("casts");
    t.write("compose.yaml", format!("{ETCD}{tail}"));
    if let Some(d) = dotenv {
        t.write(".env", d);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .current_dir(&t.root)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .args(["check", "--format", "json"])
        .output()
        .expect("run milvet");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let related = v["diagnostics"]
        .as_array()
        .and_then(|d| d.first())
        .map(common::related)
        .unwrap_or_default();
    (common::findings(&v), related)
}

#[test]
fn values_the_cast_refuses_are_located() {
    for (tail, env, want) in [
        ("    read_only: ${RO}\n", ("RO", "1"), "compose.yaml:10:16"),
        ("    tty: ${TTY}\n", ("TTY", ""), "compose.yaml:10:10"),
        (
            "    cpus: ${CPUS}\n",
            ("CPUS", "1e39"),
            "compose.yaml:10:11",
        ),
        (
            "    cpus: \"${CPUS}\"\n",
            ("CPUS", "two"),
            "compose.yaml:10:11",
        ),
        ("    scale: ${N}\n", ("N", "2x"), "compose.yaml:10:12"),
        (
            "    pids_limit: ${N}\n",
            ("N", "9223372036854775808"),
            "compose.yaml:10:17",
        ),
        (
            "    ulimits:\n      nofile: ${N}\n",
            ("N", "many"),
            "compose.yaml:11:15",
        ),
        (
            "  other:\n    image: busybox:1.36\n    volumes:\n      - type: bind\n        source: ./d\n        target: /d\n        read_only: ${RO}\n",
            ("RO", "nope"),
            "compose.yaml:16:20",
        ),
        ("    init: maybe\n", ("X", ""), "compose.yaml:10:11"),
    ] {
        let (got, _) = check(tail, &[env], None);
        assert_eq!(got, [format!("{want} compose-schema")], "{tail}");
    }
}

#[test]
fn values_the_cast_accepts_pass() {
    for (tail, env) in [
        ("    read_only: ${RO}\n", ("RO", "TRUE")),
        ("    tty: ${TTY}\n", ("TTY", "off")),
        ("    cpus: ${CPUS}\n", ("CPUS", "0.5")),
        ("    scale: ${N}\n", ("N", "3")),
        ("    pids_limit: ${N}\n", ("N", "+100")),
        // A YAML integer is not a string: nothing to cast.
        ("    cpu_shares: 0x10\n", ("X", "")),
    ] {
        let (got, _) = check(tail, &[env], None);
        assert!(got.is_empty(), "{tail} {env:?}: {got:?}");
    }
}

#[test]
fn a_value_from_dotenv_is_reported_there_with_the_reference_as_related() {
    let (got, related) = check(
        "    deploy:\n      replicas: ${REPLICAS}\n",
        &[],
        Some("# how many\nREPLICAS=two\n"),
    );
    assert_eq!(got, [".env:2:10 compose-schema"]);
    assert_eq!(
        related,
        ["compose.yaml:11:17 `REPLICAS` read here, as `${REPLICAS}`"]
    );
}
