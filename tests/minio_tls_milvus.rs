//! A Milvus speaking plain HTTP (`minio.useSSL` false) to a MinIO that serves HTTPS: what the
//! finding of `testdata/projects/minio-tls-milvus-plain` (place in its `expected`) says.

use milvet::check::{Options, check_text};
use milvet::diagnostic::Severity;
use milvet::discover::FileKind;

const FIXTURE: &str = include_str!("../testdata/projects/minio-tls-milvus-plain/compose.yaml");

#[test]
fn plain_http_to_an_https_object_store() {
    let d = check_text(FIXTURE, FileKind::Compose, &Options::default()).expect("checks");
    let found: Vec<_> = d
        .iter()
        .filter(|x| x.rule == "milvus-endpoint-unreachable")
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(f.service.as_deref(), Some("plain"));
    assert_eq!(f.severity, Severity::Warning);
    assert!(
        f.message.contains(
            "`minio.useSSL` is not set, so Milvus speaks plain HTTP, but `minio:9000` serves \
             HTTPS on port 9000 (its certificates directory is mounted)"
        ),
        "{}",
        f.message
    );
    assert!(f.related.iter().any(|r| r.label == "TLS here"));
}
