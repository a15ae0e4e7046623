//! The rules that ask the stack's roles: each finding at its exact place, with the facts of the
//! image version in its message.

use milvet::check::{Options, check_text};
use milvet::diagnostic::{Applicability, Diagnostic, Severity};
use milvet::discover::FileKind;
use milvet::source::LineIndex;

fn run(text: &str) -> Vec<Diagnostic> {
    check_text(text, FileKind::Compose, &Options::default()).expect("checks")
}

/// `line:col rule` of every finding of the rules named.
fn found(text: &str, rules: &[&str]) -> Vec<String> {
    let lines = LineIndex::new(text);
    run(text)
        .iter()
        .filter(|d| rules.contains(&d.rule))
        .map(|d| {
            let p = lines.position(text, d.origin.span.start);
            format!("{}:{} {}", p.line, p.column, d.rule)
        })
        .collect()
}

fn one<'a>(d: &'a [Diagnostic], rule: &str) -> &'a Diagnostic {
    let all: Vec<&Diagnostic> = d.iter().filter(|x| x.rule == rule).collect();
    assert_eq!(all.len(), 1, "{all:#?}");
    all[0]
}

const MILVUS: &str = "  standalone:
    image: milvusdb/milvus:v2.3.3
    restart: always
    command: [\"milvus\", \"run\", \"standalone\"]
    volumes:
      - ./volumes/milvus:/var/lib/milvus
    healthcheck:
      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:9091/healthz\"]
";

#[test]
fn etcd_before_3_5_7_keeps_its_default_data_in_the_root() {
    let text = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.5
    environment: [ETCD_AUTO_COMPACTION_MODE=revision, ETCD_AUTO_COMPACTION_RETENTION=1000]
    volumes:
      - ./volumes/etcd:/var/lib/etcd
";
    assert_eq!(
        found(text, &["etcd-data-not-persisted"]),
        ["3:12 etcd-data-not-persisted"]
    );
    let d = run(text);
    let d = one(&d, "etcd-data-not-persisted");
    assert!(d.message.contains("`/default.etcd`"), "{}", d.message);
    assert!(d.message.contains("before v3.5.7"), "{}", d.message);
    let fix = d.fix.as_ref().unwrap();
    assert_eq!(fix.applicability, Applicability::Unsafe);
    assert!(
        fix.edits[0].text.ends_with(":/default.etcd"),
        "{:?}",
        fix.edits
    );
    // From v3.5.7 the same mount covers it.
    let newer = text.replace("v3.5.5", "v3.5.7");
    assert_eq!(
        found(&newer, &["etcd-data-not-persisted"]),
        Vec::<String>::new()
    );
}

#[test]
fn losing_etcd_beside_a_persisted_minio_says_milvus_collects_the_segments() {
    let stack = |milvus: &str| {
        format!(
            "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment: [ETCD_AUTO_COMPACTION_MODE=revision, ETCD_AUTO_COMPACTION_RETENTION=1000]
    command: etcd --data-dir /etcd
  minio:
    image: minio/minio:RELEASE.2023-03-20T20-16-18Z
    volumes: [./volumes/minio:/minio_data]
    command: minio server /minio_data
{}",
            MILVUS.replace("v2.3.3", milvus)
        )
    };
    let text = stack("v2.3.3");
    assert_eq!(
        found(&text, &["etcd-data-not-persisted"]),
        ["5:30 etcd-data-not-persisted"]
    );
    let d = run(&text);
    let m = &one(&d, "etcd-data-not-persisted").message;
    assert!(
        m.contains("garbage-collects every segment MinIO holds"),
        "{m}"
    );
    assert!(m.contains("one to two hours"), "{m}");
    let d = run(&stack("v2.5.27"));
    let m = &one(&d, "etcd-data-not-persisted").message;
    assert!(m.contains("within days on Milvus 2.4 and later"), "{m}");
    // MinIO not persisted either: nothing to say about collecting it.
    let text = stack("v2.3.3").replace("    volumes: [./volumes/minio:/minio_data]\n", "");
    let d = run(&text);
    assert!(
        !one(&d, "etcd-data-not-persisted")
            .message
            .contains("garbage")
    );
}

#[test]
fn bitnami_entrypoint_fixes_the_data_dir_and_a_data_dir_flag_conflicts() {
    let text = "services:
  etcd:
    image: docker.io/bitnami/etcd:3.5.18-debian-12-r3
    environment:
      ALLOW_NONE_AUTHENTICATION: \"yes\"
      ETCD_AUTO_COMPACTION_MODE: revision
      ETCD_AUTO_COMPACTION_RETENTION: \"1000\"
    volumes:
      - ./volumes/etcd:/etcd
    command: etcd --data-dir /etcd --listen-client-urls http://0.0.0.0:2379
";
    assert_eq!(
        found(text, &["etcd-data-not-persisted", "etcd-env-flag-conflict"]),
        [
            "3:12 etcd-data-not-persisted",
            "10:19 etcd-env-flag-conflict",
            "10:36 etcd-env-flag-conflict"
        ]
    );
    let d = run(text);
    let data = one(&d, "etcd-data-not-persisted");
    assert!(
        data.message.contains("/bitnami/etcd/data"),
        "{}",
        data.message
    );
    for c in d.iter().filter(|d| d.rule == "etcd-env-flag-conflict") {
        assert_eq!(
            c.fix.as_ref().unwrap().applicability,
            Applicability::Unavailable
        );
    }
}

#[test]
fn restart_policies_as_compose_reads_them() {
    let svc = |extra: &str| {
        format!("services:\n{MILVUS}  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n{extra}")
    };
    let f = |extra: &str| found(&svc(extra), &["restart-policy-missing"]);
    assert_eq!(f("    restart: \"no\"\n"), ["12:14 restart-policy-missing"]);
    assert_eq!(
        f("    restart: on-failure:3\n"),
        ["12:14 restart-policy-missing"]
    );
    assert_eq!(f("    restart: unless-stopped\n"), Vec::<String>::new());
    // deploy.restart_policy overrides restart; `any` is `always`, and the default.
    assert_eq!(
        f("    restart: always\n    deploy:\n      restart_policy:\n        condition: none\n"),
        ["15:20 restart-policy-missing"]
    );
    assert_eq!(
        f("    restart: \"no\"\n    deploy:\n      restart_policy:\n        max_attempts: 3\n"),
        Vec::<String>::new()
    );
    assert_eq!(f(""), ["10:3 restart-policy-missing"]);
    let text = svc("    restart: ${POLICY:-no}\n");
    let d = run(&text);
    let r = one(&d, "restart-policy-missing");
    assert_eq!(
        r.fix.as_ref().unwrap().applicability,
        Applicability::Unavailable
    );
    let on_failure = run(&svc("    restart: on-failure\n"));
    assert!(
        one(&on_failure, "restart-policy-missing")
            .message
            .contains("moby #47846")
    );
    // Not in a Milvus stack: nothing.
    let alone = "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n";
    assert_eq!(
        found(alone, &["restart-policy-missing"]),
        Vec::<String>::new()
    );
}

#[test]
fn healthchecks_are_judged_by_the_image_version_and_platform() {
    let minio = |tag: &str, extra: &str, test: &str| {
        format!(
            "services:
{MILVUS}    depends_on:
      minio:
        condition: service_healthy
  minio:
    image: minio/minio:{tag}
{extra}    volumes: [./volumes/minio:/minio_data]
    command: minio server /minio_data
    healthcheck:
      test: {test}
"
        )
    };
    let curl = "[\"CMD\", \"curl\", \"-f\", \"http://localhost:9000/minio/health/live\"]";
    let mc = "[\"CMD\", \"mc\", \"ready\", \"local\"]";
    let may = "RELEASE.2024-05-28T17-19-04Z";
    let text = minio(may, "", curl);
    assert_eq!(
        found(&text, &["healthcheck-not-runnable"]),
        ["18:21 healthcheck-not-runnable"]
    );
    let d = run(&text);
    let h = one(&d, "healthcheck-not-runnable");
    assert_eq!(h.severity, Severity::Warning);
    assert!(h.message.contains("arm64 (Apple Silicon"), "{}", h.message);
    assert!(
        h.message.contains("`standalone` (which waits"),
        "{}",
        h.message
    );
    assert_eq!(h.fix.as_ref().unwrap().edits[0].text, format!(": {mc}"));
    // A platform decides it.
    let arm = run(&minio(may, "    platform: linux/arm64\n", curl));
    assert_eq!(
        one(&arm, "healthcheck-not-runnable").severity,
        Severity::Error
    );
    let amd = minio(may, "    platform: linux/amd64\n", curl);
    assert_eq!(
        found(&amd, &["healthcheck-not-runnable"]),
        Vec::<String>::new()
    );
    // curl absent on every platform; mc gzipped in the 2023-03 release.
    let nov = run(&minio("RELEASE.2023-12-02T10-51-33Z", "", curl));
    assert_eq!(
        one(&nov, "healthcheck-not-runnable").severity,
        Severity::Error
    );
    let march = minio("RELEASE.2023-03-20T20-16-18Z", "", mc);
    assert_eq!(
        found(&march, &["healthcheck-not-runnable"]),
        ["18:21 healthcheck-not-runnable"]
    );
    let d = run(&march);
    // The fix is the curl test, which runs there.
    assert!(
        one(&d, "healthcheck-not-runnable")
            .fix
            .as_ref()
            .unwrap()
            .edits[0]
            .text
            .contains("curl")
    );
    assert_eq!(
        found(
            &minio("RELEASE.2023-03-20T20-16-18Z", "", curl),
            &["healthcheck-not-runnable"]
        ),
        Vec::<String>::new()
    );
}

#[test]
fn etcd_healthchecks_need_what_the_image_has() {
    let etcd = |image: &str, test: &str| {
        format!(
            "services:
  etcd:
    image: {image}
    environment: [ETCD_AUTO_COMPACTION_MODE=revision, ETCD_AUTO_COMPACTION_RETENTION=1000]
    volumes: [./volumes/etcd:/etcd]
    command: etcd --data-dir /etcd
    healthcheck:
      test: {test}
"
        )
    };
    let f = |image: &str, test: &str| found(&etcd(image, test), &["healthcheck-not-runnable"]);
    // A shell test: none in distroless etcd, one in the Debian-based images.
    assert_eq!(
        f("quay.io/coreos/etcd:v3.5.18", "etcdctl endpoint health"),
        ["8:13 healthcheck-not-runnable"]
    );
    assert_eq!(
        f("quay.io/coreos/etcd:v3.5.5", "etcdctl endpoint health"),
        Vec::<String>::new()
    );
    assert_eq!(
        f(
            "quay.io/coreos/etcd:v3.5.5",
            "[\"CMD-SHELL\", \"curl -f http://localhost:2379/health\"]"
        ),
        ["8:27 healthcheck-not-runnable"]
    );
    assert_eq!(
        f(
            "milvusdb/etcd:3.5.5-r2",
            "[\"CMD\", \"curl\", \"http://localhost:2379/health\"]"
        ),
        ["8:21 healthcheck-not-runnable"]
    );
    assert_eq!(
        f(
            "quay.io/coreos/etcd:v3.5.18",
            "[\"CMD\", \"etcdctl\", \"endpoint\", \"health\"]"
        ),
        Vec::<String>::new()
    );
    // A digest says nothing about the version: nothing is reported.
    assert_eq!(
        f("quay.io/coreos/etcd@sha256:0123", "etcdctl endpoint health"),
        Vec::<String>::new()
    );
}

#[test]
fn milvus_data_is_judged_where_rocksmq_writes() {
    let svc = |extra: &str, command: &str| {
        format!(
            "services:
  standalone:
    image: milvusdb/milvus:v2.6.20
    restart: always
    command: {command}
{extra}    healthcheck:
      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:9091/healthz\"]
"
        )
    };
    let f =
        |extra: &str, command: &str| found(&svc(extra, command), &["milvus-data-not-persisted"]);
    let standalone = "[\"milvus\", \"run\", \"standalone\"]";
    assert_eq!(f("", standalone), ["2:3 milvus-data-not-persisted"]);
    // Only the local data dir mounted: RocksMQ's rdb_data is still in the writable layer.
    let text = svc("    volumes: [./data:/var/lib/milvus/data]\n", standalone);
    assert_eq!(
        found(&text, &["milvus-data-not-persisted"]),
        ["2:3 milvus-data-not-persisted"]
    );
    let d = run(&text);
    let m = one(&d, "milvus-data-not-persisted");
    assert!(
        m.message.contains("`/var/lib/milvus/rdb_data`"),
        "{}",
        m.message
    );
    assert_eq!(m.fix.as_ref().unwrap().applicability, Applicability::Unsafe);
    assert_eq!(
        f("    volumes: [milvus:/var/lib/milvus]\n", standalone),
        Vec::<String>::new()
    );
    assert_eq!(
        f("    tmpfs: /var/lib/milvus\n", standalone),
        ["6:12 milvus-data-not-persisted"]
    );
    // Pulsar with remote storage keeps nothing that matters locally; cluster roles neither.
    assert_eq!(
        f("    environment: {MQ_TYPE: pulsar}\n", standalone),
        Vec::<String>::new()
    );
    assert_eq!(f("", "milvus run proxy"), Vec::<String>::new());
}

#[test]
fn a_queue_is_part_of_the_stack_when_milvus_uses_it() {
    let text =
        |env: &str| format!("services:\n{MILVUS}{env}  kafka:\n    image: bitnami/kafka:3.6\n");
    let unused = text("");
    assert_eq!(
        found(&unused, &["restart-policy-missing"]),
        Vec::<String>::new()
    );
    let used = text("    environment:\n      KAFKA_BROKER_LIST: kafka:9092\n");
    assert_eq!(
        found(&used, &["restart-policy-missing"]),
        ["12:3 restart-policy-missing"]
    );
}
