//! Rule tests: exact positions of every finding, and the words that matter in its message.

use super::RuleOptions;
use crate::check::{Options, check_text};
use crate::diagnostic::Diagnostic;
use crate::discover::FileKind;
use crate::source::LineIndex;

fn run_with(text: &str, options: &Options) -> Vec<Diagnostic> {
    check_text(text, FileKind::Compose, options).unwrap()
}

fn run(text: &str) -> Vec<Diagnostic> {
    run_with(text, &Options::default())
}

/// `line:col rule` of every finding. The snippets here leave the top-level `volumes:`
/// declarations out, so `undefined-reference` (tested with its own fixtures and document) is
/// not listed.
fn found(text: &str) -> Vec<String> {
    let diags: Vec<Diagnostic> = run(text)
        .into_iter()
        .filter(|d| d.rule != "undefined-reference")
        .collect();
    positions(text, &diags)
}

fn positions(text: &str, diags: &[Diagnostic]) -> Vec<String> {
    let lines = LineIndex::new(text);
    diags
        .iter()
        .map(|d| format!("{} {}", lines.position(text, d.origin.span.start), d.rule))
        .collect()
}

const GOOD_ENV: &str = "    environment:
      - ETCD_AUTO_COMPACTION_MODE=revision
      - ETCD_AUTO_COMPACTION_RETENTION=1000
";

fn etcd_service(extra: &str) -> String {
    format!("services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n{GOOD_ENV}{extra}")
}

// ---- etcd-data-not-persisted -------------------------------------------------------------

#[test]
fn data_dir_flag_with_space_is_pointed_at() {
    let text = etcd_service("    command: etcd --data-dir /etcd\n");
    assert_eq!(found(&text), ["7:30 etcd-data-not-persisted"]);
    let d = &run(&text)[0];
    assert_eq!(d.origin.span.slice(&text), "/etcd");
    assert_eq!(d.service.as_deref(), Some("etcd"));
    assert!(d.message.contains("writable layer"), "{}", d.message);
    assert!(d.message.contains("from `--data-dir`"), "{}", d.message);
}

#[test]
fn data_dir_flag_with_equals_points_at_the_value() {
    let text = etcd_service("    command: etcd -data-dir=/etcd\n");
    assert_eq!(found(&text), ["7:29 etcd-data-not-persisted"]);
    assert_eq!(run(&text)[0].origin.span.slice(&text), "/etcd");
}

#[test]
fn data_dir_in_a_list_command() {
    let text = etcd_service("    command: [\"etcd\", \"--data-dir\", \"/etcd\"]\n");
    // Inside the argument's quotes.
    assert_eq!(found(&text), ["7:38 etcd-data-not-persisted"]);
    assert_eq!(run(&text)[0].origin.span.slice(&text), "/etcd");
}

#[test]
fn data_dir_in_a_shell_script() {
    let text = etcd_service(
        "    entrypoint: [\"sh\", \"-c\"]\n    command: [\"mkdir -p /etcd && exec etcd --data-dir=/etcd\"]\n",
    );
    // The script is read all the same; v3.5.18 has no shell to run it (command-not-runnable).
    assert_eq!(
        found(&text),
        ["7:18 command-not-runnable", "8:55 etcd-data-not-persisted"]
    );
    assert_eq!(run(&text)[1].origin.span.slice(&text), "/etcd");
}

#[test]
fn data_dir_flag_wins_over_env() {
    // The mount covers ETCD_DATA_DIR, but the flag decides.
    let text = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      ETCD_DATA_DIR: /env
      ETCD_AUTO_COMPACTION_MODE: revision
      ETCD_AUTO_COMPACTION_RETENTION: 1000
    volumes:
      - ./env:/env
    command: etcd --data-dir=/flag
";
    // etcd would exit on the pair (etcd-env-flag-conflict); the flag is what it would use.
    assert_eq!(
        found(text),
        [
            "5:7 etcd-env-flag-conflict",
            "10:30 etcd-data-not-persisted"
        ]
    );
}

#[test]
fn data_dir_from_env_when_no_flag() {
    let text = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      ETCD_DATA_DIR: /env
      ETCD_AUTO_COMPACTION_MODE: revision
      ETCD_AUTO_COMPACTION_RETENTION: 1000
";
    assert_eq!(found(text), ["5:22 etcd-data-not-persisted"]);
    assert!(run(text)[0].message.contains("from `ETCD_DATA_DIR`"));
    let mounted = text.replace(
        "    environment:",
        "    volumes: [\"etcd:/env\"]\n    environment:",
    );
    assert_eq!(found(&mounted), Vec::<String>::new());
}

#[test]
fn default_data_dir_of_the_official_image() {
    let text = etcd_service("");
    assert_eq!(found(&text), ["3:12 etcd-data-not-persisted"]);
    let d = &run(&text)[0];
    assert_eq!(d.origin.span.slice(&text), "quay.io/coreos/etcd:v3.5.18");
    assert!(
        d.message.contains("/var/lib/etcd/default.etcd"),
        "{}",
        d.message
    );
    // A mount of the working directory covers it.
    let mounted = etcd_service("    volumes:\n      - etcd-data:/var/lib/etcd\n");
    assert_eq!(found(&mounted), Vec::<String>::new());
}

#[test]
fn a_mount_on_a_parent_directory_covers_the_data_dir() {
    let text = etcd_service(
        "    volumes:\n      - ./v:/var\n    command: etcd --data-dir /var/lib/etcd/data\n",
    );
    assert_eq!(found(&text), Vec::<String>::new());
    // A sibling that merely shares a prefix does not.
    let text = etcd_service("    volumes:\n      - ./v:/et\n    command: etcd --data-dir /etcd\n");
    assert_eq!(found(&text), ["9:30 etcd-data-not-persisted"]);
}

#[test]
fn interpolated_mount_sources_are_bind_mounts() {
    let text = etcd_service(
        "    volumes:\n      - ${DOCKER_VOLUME_DIRECTORY:-.}/volumes/etcd:/etcd\n    command: etcd --data-dir /etcd\n",
    );
    assert_eq!(found(&text), Vec::<String>::new());
    // Unset and without a default: still a bind mount (of a directory under `/`), and the
    // variable is reported where it is read.
    for source in ["${DATA_ROOT}/etcd", "$HOME/etcd"] {
        let text = etcd_service(&format!(
            "    volumes:\n      - {source}:/etcd\n    command: etcd --data-dir /etcd\n"
        ));
        assert_eq!(found(&text), ["8:9 unset-variable"], "{source}");
    }
}

#[test]
fn an_anonymous_volume_does_not_persist() {
    let text = etcd_service("    volumes:\n      - /etcd\n    command: etcd --data-dir /etcd\n");
    assert_eq!(found(&text), ["9:30 etcd-data-not-persisted"]);
    let d = &run(&text)[0];
    assert!(d.message.contains("anonymous volume"), "{}", d.message);
    assert_eq!(d.related[0].origin.span.slice(&text), "/etcd");
    assert_eq!(
        d.related[0].origin.span.start,
        text.find("/etcd\n").unwrap()
    );
    // Long form without a source too.
    let text = etcd_service(
        "    volumes:\n      - type: volume\n        target: /etcd\n    command: etcd --data-dir /etcd\n",
    );
    assert_eq!(found(&text), ["10:30 etcd-data-not-persisted"]);
}

#[test]
fn tmpfs_does_not_persist() {
    let text = etcd_service("    tmpfs:\n      - /etcd\n    command: etcd --data-dir /etcd\n");
    assert_eq!(found(&text), ["9:30 etcd-data-not-persisted"]);
    assert!(run(&text)[0].message.contains("tmpfs"));
    let text = etcd_service(
        "    volumes:\n      - type: tmpfs\n        target: /etcd\n    command: etcd --data-dir /etcd\n",
    );
    assert_eq!(found(&text), ["10:30 etcd-data-not-persisted"]);
    let text = format!(
        "{}volumes:\n  mem:\n    driver_opts: {{type: tmpfs, device: tmpfs}}\n",
        etcd_service("    volumes:\n      - mem:/etcd\n    command: etcd --data-dir /etcd\n")
    );
    assert_eq!(found(&text), ["9:30 etcd-data-not-persisted"]);
    assert!(run(&text)[0].message.contains("`mem`"));
}

#[test]
fn bitnami_images_keep_data_in_bitnami_etcd() {
    let text = "services:
  etcd:
    image: docker.io/bitnamilegacy/etcd:3.5.18
    environment:
      - ETCD_DATA_DIR=/data
      - ETCD_AUTO_COMPACTION_MODE=revision
      - ETCD_AUTO_COMPACTION_RETENTION=1000
    volumes:
      - ./data:/data
";
    // ETCD_DATA_DIR is ignored by the image's scripts: /bitnami/etcd/data is not mounted.
    assert_eq!(found(text), ["3:12 etcd-data-not-persisted"]);
    let d = &run(text)[0];
    assert!(d.message.contains("/bitnami/etcd/data"), "{}", d.message);
    assert_eq!(d.related[0].origin.span.slice(text), "ETCD_DATA_DIR=/data");
    let ok = text.replace("./data:/data", "etcd_data:/bitnami/etcd");
    assert_eq!(found(&ok), Vec::<String>::new());
    let milvusdb = ok.replace(
        "docker.io/bitnamilegacy/etcd:3.5.18",
        "milvusdb/etcd:3.5.18-r1",
    );
    assert_eq!(found(&milvusdb), Vec::<String>::new());
    let unmounted = text.replace(
        "docker.io/bitnamilegacy/etcd:3.5.18",
        "milvusdb/etcd:3.5.18-r1",
    );
    assert_eq!(found(&unmounted), ["3:12 etcd-data-not-persisted"]);
}

#[test]
fn config_file_silences_etcd_rules() {
    let text = "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    command: etcd --config-file=/etc/etcd/etcd.yaml\n";
    assert_eq!(found(text), Vec::<String>::new());
}

#[test]
fn etcd_under_a_custom_image_without_any_volume() {
    let text = format!(
        "services:\n  etcd:\n    image: example/etcd-custom\n{GOOD_ENV}    command: etcd\n"
    );
    assert_eq!(found(&text), ["3:12 etcd-data-not-persisted"]);
    let with_volume = text.replace(
        "    command: etcd\n",
        "    volumes: [\"data:/somewhere\"]\n    command: etcd\n",
    );
    assert_eq!(found(&with_volume), Vec::<String>::new());
}

// ---- etcd-compaction-mode / etcd-compaction-retention ----------------------------------

const MOUNTED: &str = "    volumes:\n      - ./etcd:/etcd\n";

#[test]
fn no_compaction_settings_at_all() {
    let text = format!(
        "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    environment:\n      - ETCD_SNAPSHOT_COUNT=50000\n{MOUNTED}    command: etcd --data-dir /etcd\n"
    );
    assert_eq!(
        found(&text),
        ["4:5 etcd-compaction-mode", "4:5 etcd-compaction-retention"]
    );
    let d = run(&text);
    assert!(d[0].message.contains("`periodic`"), "{}", d[0].message);
    assert!(d[1].message.contains("not set"), "{}", d[1].message);
    assert_eq!(d[0].origin.span.slice(&text), "environment");
}

#[test]
fn no_environment_points_at_the_service() {
    let text = format!(
        "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n{MOUNTED}    command: etcd --data-dir /etcd\n"
    );
    assert_eq!(
        found(&text),
        ["2:3 etcd-compaction-mode", "2:3 etcd-compaction-retention"]
    );
}

#[test]
fn compaction_flag_wins_over_env() {
    let text = format!(
        "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      - ETCD_AUTO_COMPACTION_MODE=revision
      - ETCD_AUTO_COMPACTION_RETENTION=1000
{MOUNTED}    command: etcd --data-dir /etcd --auto-compaction-mode=periodic --auto-compaction-retention 1h
"
    );
    let all = run(&text);
    assert_eq!(
        positions(&text, &all),
        [
            "5:9 etcd-env-flag-conflict",
            "6:9 etcd-env-flag-conflict",
            "9:59 etcd-compaction-mode",
            "9:96 etcd-compaction-retention"
        ]
    );
    let d: Vec<Diagnostic> = all
        .into_iter()
        .filter(|d| d.rule != "etcd-env-flag-conflict")
        .collect();
    assert_eq!(d[0].origin.span.slice(&text), "periodic");
    assert_eq!(d[1].origin.span.slice(&text), "1h");
    // The shadowed variable is shown: etcd would refuse to start.
    assert_eq!(
        d[0].related[0].origin.span.slice(&text),
        "ETCD_AUTO_COMPACTION_MODE=revision"
    );
    assert!(
        d[0].help
            .as_deref()
            .unwrap()
            .contains("--auto-compaction-mode=revision")
    );
}

#[test]
fn compaction_env_applies_without_flag() {
    let text = format!(
        "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      ETCD_AUTO_COMPACTION_MODE: periodic
      ETCD_AUTO_COMPACTION_RETENTION: 1h
{MOUNTED}    command: etcd --data-dir /etcd
"
    );
    let d = run(&text);
    assert_eq!(
        positions(&text, &d),
        [
            "5:34 etcd-compaction-mode",
            "6:39 etcd-compaction-retention"
        ]
    );
    // In periodic mode a duration is valid there, but wrong once the mode is revision.
    assert!(
        d[1].message.contains("only periodic mode"),
        "{}",
        d[1].message
    );
    assert!(
        d[0].help
            .as_deref()
            .unwrap()
            .contains("ETCD_AUTO_COMPACTION_MODE=revision")
    );
}

#[test]
fn revision_mode_with_a_duration_never_compacts() {
    let text = format!(
        "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      ETCD_AUTO_COMPACTION_MODE: revision
      ETCD_AUTO_COMPACTION_RETENTION: 1h
{MOUNTED}    command: etcd --data-dir /etcd
"
    );
    let d = run(&text);
    assert_eq!(positions(&text, &d), ["6:39 etcd-compaction-retention"]);
    assert!(
        d[0].message.contains("3600000000000 revisions"),
        "{}",
        d[0].message
    );
    assert!(d[0].message.contains("never"), "{}", d[0].message);
}

#[test]
fn retention_thresholds() {
    let base = |retention: &str| {
        format!(
            "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      ETCD_AUTO_COMPACTION_MODE: revision
      ETCD_AUTO_COMPACTION_RETENTION: \"{retention}\"
{MOUNTED}    command: etcd --data-dir /etcd
"
        )
    };
    assert_eq!(found(&base("1000")), Vec::<String>::new());
    assert_eq!(found(&base("5000")), Vec::<String>::new());
    assert_eq!(found(&base("999")), ["6:39 etcd-compaction-retention"]);
    assert_eq!(found(&base("0")), ["6:39 etcd-compaction-retention"]);
    let invalid = run(&base("soon"));
    assert!(invalid[0].message.contains("exits at start"));
    // The threshold is an option.
    let strict = Options {
        rules: RuleOptions {
            min_retention: 5000,
        },
        ..Options::default()
    };
    let text = base("1000");
    assert_eq!(
        positions(&text, &run_with(&text, &strict)),
        ["6:39 etcd-compaction-retention"]
    );
    // An empty variable is ignored, so the default 0 applies and the finding points at the
    // environment key.
    assert_eq!(found(&base("")), ["4:5 etcd-compaction-retention"]);
}

#[test]
fn an_invalid_mode_stops_etcd() {
    let text = format!(
        "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      ETCD_AUTO_COMPACTION_MODE: revisions
      ETCD_AUTO_COMPACTION_RETENTION: 1000
{MOUNTED}    command: etcd --data-dir /etcd
"
    );
    let d = run(&text);
    assert_eq!(positions(&text, &d), ["5:34 etcd-compaction-mode"]);
    assert!(d[0].message.contains("exits at start"));
}

#[test]
fn retention_alone_is_hours_in_periodic_mode() {
    let text = format!(
        "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      ETCD_AUTO_COMPACTION_RETENTION: 1000
{MOUNTED}    command: etcd --data-dir /etcd
"
    );
    let d = run(&text);
    assert_eq!(positions(&text, &d), ["4:5 etcd-compaction-mode"]);
    assert!(d[0].message.contains("hours"), "{}", d[0].message);
}

#[test]
fn compaction_applies_to_every_etcd_not_only_milvus() {
    let text = "services:
  etcd1:
    image: quay.io/coreos/etcd:v3.4.33
    volumes: [\"./d:/data\"]
    command: etcd --name etcd1 --data-dir /data
";
    let d = run(text);
    assert_eq!(
        positions(text, &d),
        ["2:3 etcd-compaction-mode", "2:3 etcd-compaction-retention"]
    );
    // Without Milvus in the file, messages do not speak of Milvus.
    assert!(d.iter().all(|x| !x.message.contains("Milvus")));
    assert!(
        d.iter()
            .all(|x| !x.help.as_deref().unwrap_or("").contains("Milvus"))
    );
}

// ---- minio-data-not-persisted ------------------------------------------------------------

#[test]
fn minio_server_path_not_mounted() {
    let text = "services:
  minio:
    image: minio/minio:RELEASE.2024-05-28T17-19-04Z
    command: minio server /minio_data --console-address \":9001\"
";
    let d = run(text);
    assert_eq!(positions(text, &d), ["4:27 minio-data-not-persisted"]);
    assert_eq!(d[0].origin.span.slice(text), "/minio_data");
    assert!(!d[0].message.contains("Milvus"));
    let mounted = text.replace(
        "    command:",
        "    volumes:\n      - ${DOCKER_VOLUME_DIRECTORY:-.}/volumes/minio:/minio_data\n    command:",
    );
    assert_eq!(found(&mounted), Vec::<String>::new());
}

#[test]
fn minio_in_a_milvus_stack_names_what_is_lost() {
    let text = "services:
  minio:
    image: minio/minio:RELEASE.2024-05-28T17-19-04Z
    command: [\"minio\", \"server\", \"/minio_data\"]
  standalone:
    image: milvusdb/milvus:v2.6.0
";
    let d: Vec<Diagnostic> = run(text)
        .into_iter()
        .filter(|d| d.rule == "minio-data-not-persisted")
        .collect();
    assert_eq!(positions(text, &d), ["4:34 minio-data-not-persisted"]);
    assert!(d[0].message.contains("segments"), "{}", d[0].message);
}

#[test]
fn minio_image_volume_is_anonymous() {
    let text = "services:\n  minio:\n    image: minio/minio:RELEASE.2024-05-28T17-19-04Z\n    command: server /data\n";
    let d = run(text);
    assert_eq!(positions(text, &d), ["4:21 minio-data-not-persisted"]);
    assert!(
        d[0].message.contains("anonymous volume"),
        "{}",
        d[0].message
    );
}

#[test]
fn minio_every_path_is_checked() {
    let text = "services:
  minio1:
    image: minio/minio:RELEASE.2024-05-28T17-19-04Z
    volumes:
      - data1-1:/data1
    command: server --console-address \":9001\" http://minio{1...2}/data{1...2}
volumes:
  data1-1:
";
    let d = run(text);
    // /data2 is not mounted; reported once for the argument.
    assert_eq!(positions(text, &d), ["6:47 minio-data-not-persisted"]);
    assert!(d[0].message.contains("`/data2`"), "{}", d[0].message);
}

#[test]
fn minio_tmpfs_and_anonymous() {
    let text = "services:
  minio:
    image: quay.io/minio/minio:RELEASE.2024-05-28T17-19-04Z
    tmpfs: /export
    command: minio server /export
";
    assert_eq!(found(text), ["5:27 minio-data-not-persisted"]);
    let text = "services:
  minio:
    image: quay.io/minio/minio:RELEASE.2024-05-28T17-19-04Z
    volumes: [/export]
    command: minio server /export
";
    assert_eq!(found(text), ["5:27 minio-data-not-persisted"]);
}

#[test]
fn bitnami_minio_default_and_env() {
    let text = "services:\n  minio:\n    image: bitnamilegacy/minio:2024.5.1\n";
    let d = run(text);
    assert_eq!(positions(text, &d), ["3:12 minio-data-not-persisted"]);
    assert!(d[0].message.contains("/bitnami/minio/data"));
    let ok = "services:\n  minio:\n    image: bitnamilegacy/minio:2024.5.1\n    volumes: [\"minio:/bitnami/minio/data\"]\n";
    assert_eq!(found(ok), Vec::<String>::new());
    let env = "services:\n  minio:\n    image: bitnamilegacy/minio:2024.5.1\n    environment:\n      MINIO_DATA_DIR: /srv/minio\n    volumes: [\"minio:/bitnami/minio/data\"]\n";
    assert_eq!(found(env), ["5:23 minio-data-not-persisted"]);
}

#[test]
fn findings_are_in_file_order_across_services() {
    let text = "services:
  minio:
    image: minio/minio:RELEASE.2024-05-28T17-19-04Z
    command: minio server /d
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    command: etcd --data-dir /e
";
    assert_eq!(
        found(text),
        [
            "4:27 minio-data-not-persisted",
            "5:3 etcd-compaction-mode",
            "5:3 etcd-compaction-retention",
            "7:30 etcd-data-not-persisted",
        ]
    );
}

#[test]
fn every_rule_is_registered_once_with_a_kebab_case_id() {
    let ids: Vec<&str> = super::all().iter().map(|r| r.meta().id).collect();
    assert_eq!(
        ids,
        [
            "etcd-data-not-persisted",
            "etcd-compaction-mode",
            "etcd-compaction-retention",
            "minio-data-not-persisted",
            "milvus-data-not-persisted",
            "milvus-config-unknown-key",
            "milvus-config-not-persisted",
            "restart-policy-missing",
            "healthcheck-missing",
            "healthcheck-not-runnable",
            "etcd-env-flag-conflict",
            "etcd-unsafe-no-fsync",
            "command-not-runnable",
            "depends-on-not-healthy",
            "etcd-quota-backend-bytes",
            "etcd-config-file-ignores-settings",
            "etcd-version-data-loss",
            "milvus-version-data-loss",
            "milvus-management-port-exposed",
            "image-tag-unpinned",
            "image-unavailable",
            "minio-default-credentials",
            "woodpecker-minio-too-old",
            "milvus-env-override-noop",
            "milvus-endpoint-unreachable",
            "milvus-credentials-mismatch",
            "milvus-embedded-etcd-not-persisted",
            "milvus-embedded-etcd-compaction",
            "milvus-local-storage-not-persisted",
            "unset-variable",
            "invalid-interpolation",
            "missing-file",
            "reference-cycle",
            "unknown-service",
            "undefined-reference",
            "duplicate-mount-target",
            "duplicate-container-name",
            "conflicting-settings",
            "secret-without-source",
            "invalid-volume-spec",
            "invalid-port-spec",
            "invalid-project-name",
            "invalid-command",
            "missing-image",
            "empty-compose-file",
            "include-conflict",
            "yaml-duplicate-key",
            "compose-schema",
            "unused-suppression",
            "suppression-without-reason",
        ]
    );
    for r in super::all() {
        let m = r.meta();
        assert!(m.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
        assert!(m.doc.starts_with(&format!("# {}\n", m.id)));
        assert!(super::by_id(m.id).is_some());
    }
}

/// Findings sorted in place come in the order a stable sort by file, place and rule gives,
/// equal ones in the order they were found.
#[test]
fn findings_sort_as_a_stable_sort() {
    use crate::compose::{FileId, Origin};
    use crate::diagnostic::Severity;
    use crate::source::Span;
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    for len in 0..60 {
        let found: Vec<Diagnostic> = (0..len)
            .map(|k| Diagnostic {
                rule: ["a-rule", "b-rule", "c-rule"][next(3) as usize],
                severity: Severity::Warning,
                origin: Origin {
                    file: FileId(next(2) as u32),
                    span: Span::empty(next(4) as usize),
                },
                message: format!("finding {k}"),
                label: None,
                help: None,
                service: None,
                related: Vec::new(),
                fix: None,
            })
            .collect();
        let mut stable = found.clone();
        stable.sort_by_key(|d| (d.origin.file, d.origin.span.start, d.rule));
        let mut sorted = found;
        super::sort_findings(&mut sorted);
        assert_eq!(sorted, stable, "{len} findings");
    }
}
