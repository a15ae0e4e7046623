//! Release knowledge: every version rule over a table of tag spellings (parsed version and
//! verdict), and the incident's own stack (Milvus v2.3.3 with etcd v3.5.5, the official 2.3.3
//! file) getting every finding the advice implies, each saying what to do and in what order.

use milvet::check::{Options, check_file, check_text};
use milvet::compose::ImageRef;
use milvet::diagnostic::{Diagnostic, Severity};
use milvet::discover::FileKind;
use milvet::source::LineIndex;
use milvet::stack::version::{ImageVersion, Version};
use std::path::Path;

const VERSION_RULES: &[&str] = &[
    "etcd-version-data-loss",
    "milvus-version-data-loss",
    "milvus-management-port-exposed",
    "image-tag-unpinned",
    "image-unavailable",
    "minio-default-credentials",
    "woodpecker-minio-too-old",
];

fn verdicts(diagnostics: &[Diagnostic]) -> Vec<String> {
    let mut v: Vec<String> = diagnostics
        .iter()
        .filter(|d| VERSION_RULES.contains(&d.rule))
        .map(|d| format!("{}={}", d.rule, d.severity))
        .collect();
    v.sort();
    v
}

fn check(text: &str) -> Vec<Diagnostic> {
    check_text(text, FileKind::Compose, &Options::default()).expect("checks")
}

/// One image in a stack where nothing else is wrong with versions: etcd, MinIO or Milvus.
fn stack_with(image: &str) -> String {
    let kind = ImageRef::parse(image).unwrap();
    let name = kind.short_name();
    let (service, extra) = if name.contains("etcd") {
        ("etcd", "    command: etcd --data-dir /etcd\n")
    } else if name.contains("minio") {
        (
            "minio",
            "    command: minio server /data\n    environment:\n      MINIO_ROOT_USER: milvus\n      MINIO_ROOT_PASSWORD: change-me-0a9f3c\n",
        )
    } else {
        (
            "standalone",
            "    command: [\"milvus\", \"run\", \"standalone\"]\n    ports:\n      - \"9091:9091\"\n",
        )
    };
    format!("services:\n  {service}:\n    image: \"{image}\"\n{extra}")
}

#[test]
fn tag_spellings_parse_and_give_their_verdicts() {
    // (image, the version it parses to (`-` for none), what the version rules say)
    let table: &[(&str, &str, &[&str])] = &[
        (
            "milvusdb/milvus:v2.4.5",
            "2.4.5",
            &[
                "milvus-management-port-exposed=error",
                "milvus-version-data-loss=warning",
            ],
        ),
        (
            "milvusdb/milvus:2.4.5",
            "2.4.5",
            &[
                "milvus-management-port-exposed=error",
                "milvus-version-data-loss=warning",
            ],
        ),
        (
            "milvusdb/milvus:v2.4.13",
            "2.4.13",
            &[
                "milvus-management-port-exposed=error",
                "milvus-version-data-loss=error",
            ],
        ),
        // The hotfix is the release that fixes 2.4.13's collection-info loss; 2.4.13-hotfix
        // still has the faults fixed in 2.4.21.
        (
            "milvusdb/milvus:v2.4.13-hotfix",
            "2.4.13-hotfix",
            &[
                "milvus-management-port-exposed=error",
                "milvus-version-data-loss=warning",
            ],
        ),
        (
            "milvusdb/milvus:v2.4.24",
            "2.4.24",
            &["milvus-management-port-exposed=error"],
        ),
        (
            "milvusdb/milvus:v2.5.27",
            "2.5.27",
            &["milvus-management-port-exposed=warning"],
        ),
        (
            "milvusdb/milvus:v2.5.14",
            "2.5.14",
            &[
                "milvus-management-port-exposed=error",
                "milvus-version-data-loss=error",
            ],
        ),
        (
            "milvusdb/milvus:v2.6.0-rc1",
            "2.6.0-rc1",
            &[
                "milvus-management-port-exposed=error",
                "milvus-version-data-loss=warning",
            ],
        ),
        (
            "milvusdb/milvus:v2.6.9-gpu",
            "2.6.9-gpu",
            &[
                "milvus-management-port-exposed=error",
                "milvus-version-data-loss=warning",
            ],
        ),
        (
            "milvusdb/milvus:v2.6.10",
            "2.6.10",
            &[
                "milvus-management-port-exposed=warning",
                "milvus-version-data-loss=warning",
            ],
        ),
        (
            "milvusdb/milvus:v2.6.22",
            "2.6.22",
            &["milvus-management-port-exposed=warning"],
        ),
        (
            "milvusdb/milvus:v3.0-beta",
            "3.0-beta",
            &["milvus-management-port-exposed=warning"],
        ),
        (
            "milvusdb/milvus:latest",
            "-",
            &[
                "image-tag-unpinned=warning",
                "milvus-management-port-exposed=warning",
            ],
        ),
        (
            "milvusdb/milvus",
            "-",
            &[
                "image-tag-unpinned=warning",
                "milvus-management-port-exposed=warning",
            ],
        ),
        (
            "milvusdb/milvus:v2.5",
            "2.5",
            &[
                "image-tag-unpinned=warning",
                "milvus-management-port-exposed=warning",
            ],
        ),
        (
            "milvusdb/milvus:gpu-latest",
            "-",
            &[
                "image-tag-unpinned=warning",
                "milvus-management-port-exposed=warning",
            ],
        ),
        (
            "milvusdb/milvus@sha256:0123abcd",
            "-",
            &["milvus-management-port-exposed=warning"],
        ),
        (
            "milvusdb/milvus:v2.3.3@sha256:0123abcd",
            "2.3.3",
            &[
                "milvus-management-port-exposed=error",
                "milvus-version-data-loss=error",
            ],
        ),
        (
            "quay.io/coreos/etcd:v3.5.0",
            "3.5.0",
            &["etcd-version-data-loss=error"],
        ),
        (
            "quay.io/coreos/etcd:v3.5.4",
            "3.5.4",
            &["etcd-version-data-loss=error"],
        ),
        (
            "quay.io/coreos/etcd:v3.5.5",
            "3.5.5",
            &["etcd-version-data-loss=info"],
        ),
        ("quay.io/coreos/etcd:v3.5.6", "3.5.6", &[]),
        (
            "quay.io/coreos/etcd:v3.4.21",
            "3.4.21",
            &["etcd-version-data-loss=info"],
        ),
        ("quay.io/coreos/etcd:v3.4.22", "3.4.22", &[]),
        (
            "quay.io/coreos/etcd:3.5",
            "3.5",
            &["image-tag-unpinned=warning"],
        ),
        (
            "milvusdb/etcd:3.5.5-r2",
            "3.5.5-r2",
            &["etcd-version-data-loss=info"],
        ),
        (
            "bitnami/etcd:3.5.18-debian-12-r3",
            "3.5.18-debian-12-r3",
            &["image-unavailable=error"],
        ),
        (
            "docker.io/bitnami/etcd:3.5.0",
            "3.5.0",
            &["etcd-version-data-loss=error", "image-unavailable=error"],
        ),
        (
            "bitnami/minio:latest",
            "-",
            &["image-tag-unpinned=warning", "image-unavailable=error"],
        ),
        (
            "minio/minio:RELEASE.2023-03-20T20-16-18Z",
            "RELEASE.2023-03-20T20-16-18Z",
            &[],
        ),
        ("minio/minio", "-", &["image-tag-unpinned=warning"]),
    ];
    let mut problems = Vec::new();
    for (image, parsed, want) in table {
        let r = ImageRef::parse(image).unwrap();
        let got_version = match ImageVersion::of(&r) {
            ImageVersion::Tagged(v) => v.to_string(),
            _ => "-".to_string(),
        };
        if got_version != *parsed {
            problems.push(format!(
                "{image}: parsed as {got_version}, expected {parsed}"
            ));
        }
        let got = verdicts(&check(&stack_with(image)));
        let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        if got != want {
            problems.push(format!("{image}: {got:?}, expected {want:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn interpolated_tags_are_read_after_interpolation() {
    let text = "services:\n  standalone:\n    image: milvusdb/milvus:${MILVUS_VERSION:-v2.5.4}\n    command: milvus run standalone\n";
    let d = check(text);
    assert_eq!(verdicts(&d), ["milvus-version-data-loss=warning"]);
    let m = d
        .iter()
        .find(|d| d.rule == "milvus-version-data-loss")
        .unwrap();
    assert!(m.message.contains("first v2.5.27"), "{}", m.message);
    // The fix cannot rewrite a tag a variable gives.
    let fix = m.fix.as_ref().unwrap();
    assert!(fix.edits.is_empty(), "{fix:?}");

    let options = Options {
        shell: std::sync::Arc::new(
            [("MILVUS_VERSION".to_string(), "v2.5.27".to_string())]
                .into_iter()
                .collect(),
        ),
        ..Options::default()
    };
    let d = check_text(text, FileKind::Compose, &options).unwrap();
    assert_eq!(verdicts(&d), Vec::<String>::new());
    assert!(Version::parse("v2.5.27").is_some());
}

#[test]
fn the_incident_stack_gets_every_finding_the_advice_implies_in_order() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/milvus-official/v2.3.3-standalone.yml");
    if !path.is_file() {
        println!("SKIPPED: {} is absent", path.display());
        return;
    }
    let text = std::fs::read_to_string(&path).unwrap();
    let report = check_file(&path, FileKind::Compose, &Options::default());
    assert!(report.error.is_none());
    let lines = LineIndex::new(&text);
    let at = |d: &Diagnostic| {
        let p = lines.position(&text, d.origin.span.start);
        format!("{}:{} {} {}", p.line, p.column, d.rule, d.severity)
    };
    let mut got: Vec<String> = report.diagnostics.iter().map(at).collect();
    got.sort();
    let mut want = vec![
        // etcd v3.5.5: below the production minimum; the newest 3.5 patch, backed up first.
        "6:12 etcd-version-data-loss info",
        "4:3 restart-policy-missing warning",
        "21:3 restart-policy-missing warning",
        "26:25 minio-default-credentials warning",
        "39:3 restart-policy-missing warning",
        "41:12 milvus-version-data-loss error",
        "58:9 milvus-management-port-exposed error",
        // Monitoring the health of every stateful component: Milvus waits for healthy ones.
        "60:9 depends-on-not-healthy info",
        "61:9 depends-on-not-healthy info",
    ];
    want.sort();
    assert_eq!(got, want);

    let find = |rule: &str| {
        report
            .diagnostics
            .iter()
            .find(|d| d.rule == rule)
            .unwrap_or_else(|| panic!("no {rule}"))
    };
    let etcd = find("etcd-version-data-loss");
    assert!(etcd.message.contains("v3.5.6+"), "{}", etcd.message);
    assert!(
        etcd.message.contains("upgrade to v3.5.25"),
        "{}",
        etcd.message
    );
    assert!(etcd.message.contains("back up first"), "{}", etcd.message);

    let milvus = find("milvus-version-data-loss");
    let m = &milvus.message;
    assert_eq!(milvus.severity, Severity::Error);
    // The faults fixed since 2.3.3, the backup, then the steps in order.
    for needle in ["#29276", "#29917", "#31159", "#31837"] {
        assert!(m.contains(needle), "{needle} in {m}");
    }
    let order = [
        "Back up etcd and MinIO",
        "first v2.3.22 (the newest 2.3 patch)",
        "v2.4.24",
        "v2.5.27",
        "2.6 only from v2.5.16 or later, keeping the same message queue",
    ];
    let mut from = 0;
    for step in order {
        let i = m[from..]
            .find(step)
            .unwrap_or_else(|| panic!("{step:?} missing or out of order in {m}"));
        from += i + step.len();
    }
    let fix = milvus.fix.as_ref().unwrap();
    assert!(fix.description.contains("v2.3.22"), "{}", fix.description);
    assert!(
        fix.description.contains("back up first"),
        "{}",
        fix.description
    );

    let port = find("milvus-management-port-exposed");
    assert!(port.message.contains("CVE-2026-26190"), "{}", port.message);
    assert!(port.message.contains("127.0.0.1"), "{}", port.message);

    let creds = find("minio-default-credentials");
    assert!(
        creds.message.contains("MINIO_ACCESS_KEY_ID"),
        "{}",
        creds.message
    );
}

#[test]
fn ports_are_read_in_both_syntaxes_and_merged_across_files() {
    use milvet::compose::Port;
    let p = |s: &str| Port::parse_short(s).unwrap();
    assert_eq!(p("9091"), (None, None, "9091".into()));
    assert_eq!(p("9091:9091"), (None, Some("9091".into()), "9091".into()));
    assert_eq!(
        p("127.0.0.1:9091:9091/tcp"),
        (Some("127.0.0.1".into()), Some("9091".into()), "9091".into())
    );
    assert_eq!(
        p("[::1]:9091:9091"),
        (Some("::1".into()), Some("9091".into()), "9091".into())
    );
    assert_eq!(
        p("0.0.0.0::9091"),
        (Some("0.0.0.0".into()), None, "9091".into())
    );

    // An override file adds 9091 to a Milvus service: the merged project publishes it.
    let dir = std::env::temp_dir().join(format!("milvet-ports-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("compose.yaml"),
        "services:\n  standalone:\n    image: milvusdb/milvus:v2.6.22\n    command: milvus run standalone\n    ports:\n      - \"127.0.0.1:9091:9091\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("compose.override.yaml"),
        "services:\n  standalone:\n    ports:\n      - target: 9000-9100\n        published: \"9000-9100\"\n",
    )
    .unwrap();
    let reports = milvet::check::check_paths(std::slice::from_ref(&dir), &Options::default());
    let found: Vec<String> = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .filter(|d| d.rule == "milvus-management-port-exposed")
        .map(|d| format!("{:?} {}", d.origin.file, d.severity))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].ends_with("warning"), "{found:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rules_command_prints_the_release_table_a_rule_reads() {
    let run = |id: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_milvet"))
            .args(["rules", id])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let etcd = run("etcd-version-data-loss");
    assert!(etcd.starts_with("# etcd-version-data-loss\n"), "{etcd}");
    assert!(
        etcd.contains("## Release data (rules/data/releases.toml, checked 2026-12-01)"),
        "{etcd}"
    );
    assert!(etcd.contains("newest patch per line: v3.5.25\n"), "{etcd}");
    assert!(
        etcd.contains("3.5   3.5.0 .. before 3.5.3     error     under high load"),
        "{etcd}"
    );
    let milvus = run("milvus-version-data-loss");
    assert!(
        milvus.contains("2.4   2.4.13 .. before 2.4.13-hotfix error"),
        "{milvus}"
    );
    assert!(
        milvus.contains("to reach 2.6: v2.5.16 or later first"),
        "{milvus}"
    );
    // A rule that reads no release data prints its document alone.
    assert!(!run("etcd-compaction-mode").contains("## Release data"));
}

#[test]
fn woodpecker_is_found_under_the_names_milvus_reads() {
    let text = "services:\n  minio:\n    image: minio/minio:RELEASE.2024-05-28T17-19-04Z\n    command: minio server /data\n  standalone:\n    image: milvusdb/milvus:v2.6.22\n    command: milvus run standalone\n    environment:\n      MILVUS_CONF_MQ_TYPE: woodpecker\n";
    let d = check(text);
    let w: Vec<&Diagnostic> = d
        .iter()
        .filter(|d| d.rule == "woodpecker-minio-too-old")
        .collect();
    assert_eq!(w.len(), 1, "{d:?}");
    assert!(
        w[0].message
            .contains("(`MILVUS_CONF_MQ_TYPE` in the environment)"),
        "{}",
        w[0].message
    );
    // Local storage keeps the log off MinIO; a new enough MinIO has conditional writes.
    let local = text.replace(
        "      MILVUS_CONF_MQ_TYPE: woodpecker\n",
        "      MILVUS_CONF_MQ_TYPE: woodpecker\n      WOODPECKER_STORAGE_TYPE: local\n",
    );
    assert!(
        check(&local)
            .iter()
            .all(|d| d.rule != "woodpecker-minio-too-old")
    );
    let new = text.replace("2024-05-28T17-19-04Z", "2024-12-18T13-15-44Z");
    assert!(
        check(&new)
            .iter()
            .all(|d| d.rule != "woodpecker-minio-too-old")
    );
}
