//! RustFS serves HTTPS when `--tls-path` or `RUSTFS_TLS_PATH` is set: what the findings of
//! `testdata/projects/rustfs-tls` (places in its `expected`) say.

use milvet::check::{Options, check_text};
use milvet::diagnostic::{Diagnostic, Severity};
use milvet::discover::FileKind;

const FIXTURE: &str = include_str!("../testdata/projects/rustfs-tls/compose.yaml");

fn of<'a>(d: &'a [Diagnostic], service: &str) -> &'a Diagnostic {
    let all: Vec<&Diagnostic> = d
        .iter()
        .filter(|x| {
            x.rule == "healthcheck-not-runnable" && x.message.contains(&format!("`{service}`"))
        })
        .collect();
    assert_eq!(all.len(), 1, "{all:#?}");
    all[0]
}

#[test]
fn a_tls_path_makes_it_https() {
    let d = check_text(FIXTURE, FileKind::Compose, &Options::default()).expect("checks");
    for (service, port) in [("env", 9000), ("flag", 9010)] {
        let f = of(&d, service);
        assert_eq!(f.severity, Severity::Warning, "{service}");
        assert!(
            f.message.contains(&format!(
                "but RustFS serves HTTPS on port {port} (its TLS path is set)"
            )),
            "{}",
            f.message
        );
        assert!(
            f.related
                .iter()
                .any(|r| r.label == "TLS path set: the server speaks HTTPS"),
            "{:#?}",
            f.related
        );
        let fix = f.fix.as_ref().expect("a fix");
        let text: String = fix.edits.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            text,
            format!(r#": ["CMD", "curl", "-f", "-k", "https://127.0.0.1:{port}/health"]"#)
        );
    }
    assert!(!d.iter().any(|x| x.rule == "healthcheck-not-runnable"
        && (x.message.contains("`https`") || x.message.contains("`blank`"))));
}
