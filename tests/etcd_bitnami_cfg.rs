//! The etcd.yaml bitnami's set-up writes from `ETCD_CFG_*`: etcd reads only it, and the seed
//! rules judge what it sets (places in `testdata/projects/etcd-bitnami-cfg/expected`).

use milvet::check::{Options, check_text};
use milvet::diagnostic::{Applicability, Diagnostic};
use milvet::discover::FileKind;

const FIXTURE: &str = include_str!("../testdata/projects/etcd-bitnami-cfg/compose.yaml");

fn of<'a>(d: &'a [Diagnostic], rule: &str, service: &str) -> &'a Diagnostic {
    let all: Vec<&Diagnostic> = d
        .iter()
        .filter(|x| x.rule == rule && x.service.as_deref() == Some(service))
        .collect();
    assert_eq!(all.len(), 1, "{rule} {service}: {all:#?}");
    all[0]
}

#[test]
fn etcd_reads_only_the_generated_file() {
    let d = check_text(FIXTURE, FileKind::Compose, &Options::default()).expect("checks");
    let data = of(&d, "etcd-data-not-persisted", "etcd");
    assert!(
        data.message.contains(
            "`/opt/bitnami/etcd/default.etcd` (etcd's config file sets no `data-dir`, so etcd \
             uses its default `default.etcd` in the working directory `/opt/bitnami/etcd`)"
        ),
        "{}",
        data.message
    );
    let ignored = of(&d, "etcd-config-file-ignores-settings", "etcd");
    assert!(
        ignored.related.iter().any(|r| r.label
            == "`ETCD_QUOTA_BACKEND_BYTES` is ignored; the config file does not set \
                `quota-backend-bytes`"),
        "{:#?}",
        ignored.related
    );
    let unreachable = of(&d, "milvus-endpoint-unreachable", "standalone");
    assert!(
        unreachable
            .message
            .contains("etcd service `etcd` listens only on its loopback"),
        "{}",
        unreachable.message
    );
    assert!(
        !unreachable.message.contains("`meta`"),
        "{}",
        unreachable.message
    );
    let fsync = of(&d, "etcd-unsafe-no-fsync", "meta");
    let fix = fsync.fix.as_ref().expect("a fix");
    assert_eq!(fix.applicability, Applicability::Safe);
    // `meta` sets everything through ETCD_CFG_*: no other finding of the seed rules.
    for rule in [
        "etcd-data-not-persisted",
        "etcd-compaction-mode",
        "etcd-compaction-retention",
        "etcd-quota-backend-bytes",
        "etcd-config-file-ignores-settings",
    ] {
        assert!(
            !d.iter()
                .any(|x| x.rule == rule && x.service.as_deref() == Some("meta")),
            "{rule}"
        );
    }
}
