//! bitnami/minio: where its scripts make MinIO listen (`MINIO_API_PORT_NUMBER`, `/certs`,
//! `MINIO_SCHEME` for `mc`'s `local` alias), and that a command of one's own skips them. The
//! findings' places are in `testdata/projects/minio-bitnami-listen/expected`; this checks what
//! they say.

use milvet::check::{Options, check_text};
use milvet::diagnostic::{Diagnostic, Severity};
use milvet::discover::FileKind;

const FIXTURE: &str = include_str!("../testdata/projects/minio-bitnami-listen/compose.yaml");

fn of<'a>(d: &'a [Diagnostic], rule: &str, service: &str) -> &'a Diagnostic {
    let all: Vec<&Diagnostic> = d
        .iter()
        .filter(|x| x.rule == rule && x.message.contains(&format!("`{service}`")))
        .collect();
    assert_eq!(all.len(), 1, "{all:#?}");
    all[0]
}

#[test]
fn the_scripts_decide_port_scheme_and_credentials() {
    let d = check_text(FIXTURE, FileKind::Compose, &Options::default()).expect("checks");
    let port = of(&d, "healthcheck-not-runnable", "port");
    assert_eq!(port.severity, Severity::Error);
    assert!(
        port.message.contains("but MinIO serves port 9010"),
        "{}",
        port.message
    );
    assert!(
        port.related
            .iter()
            .any(|r| r.label == "listens on `MINIO_API_PORT_NUMBER=9010`"),
        "{:#?}",
        port.related
    );
    // `MINIO_SCHEME=https` says the mounted certificates are there: an error.
    let tls = of(&d, "healthcheck-not-runnable", "tls");
    assert_eq!(tls.severity, Severity::Error);
    // Certificates mounted, alias left at http: the usual warning.
    let http = of(&d, "healthcheck-not-runnable", "http-alias");
    assert_eq!(http.severity, Severity::Warning);
    assert!(
        http.message
            .contains("probes `mc ready local` (http://localhost:9000), but MinIO serves HTTPS"),
        "{}",
        http.message
    );
    // A command of one's own: MinIO's own defaults, not bitnami's.
    let own = of(&d, "minio-default-credentials", "own-command");
    assert!(
        own.message.contains("`minioadmin`/`minioadmin`"),
        "{}",
        own.message
    );
    let scripts = of(&d, "minio-default-credentials", "port");
    assert!(
        scripts.message.contains("`minio`/`miniosecret`"),
        "{}",
        scripts.message
    );
    for quiet in ["alias", "tls-alias", "scheme-only", "own-command"] {
        assert!(
            !d.iter().any(|x| x.rule == "healthcheck-not-runnable"
                && x.message.contains(&format!("`{quiet}`"))),
            "{quiet}"
        );
    }
}

#[test]
fn deprecated_names_do_not_count_under_the_scripts() {
    // The scripts export `MINIO_ROOT_USER=minio` when it is not set, which MinIO prefers to
    // the deprecated `MINIO_ACCESS_KEY`.
    let text = "services:
  minio:
    image: bitnamilegacy/minio:2025.7.23
    environment:
      MINIO_ACCESS_KEY: someone
      MINIO_SECRET_KEY: a-long-secret
    ports:
      - \"9000:9000\"
";
    let d = check_text(text, FileKind::Compose, &Options::default()).expect("checks");
    let f = of(&d, "minio-default-credentials", "minio");
    assert!(f.message.contains("`minio`/`miniosecret`"), "{}", f.message);
}
