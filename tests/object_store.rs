//! RustFS in MinIO's place, and MinIO on another port or with TLS: the object-store rules at
//! their exact places, and the healthchecks milvet writes for them.

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

fn of<'a>(d: &'a [Diagnostic], rule: &str, service: &str) -> &'a Diagnostic {
    let all: Vec<&Diagnostic> = d
        .iter()
        .filter(|x| x.rule == rule && x.message.contains(&format!("`{service}`")))
        .collect();
    assert_eq!(all.len(), 1, "{all:#?}");
    all[0]
}

/// The text a fix's edits insert, concatenated.
fn inserted(d: &Diagnostic) -> String {
    d.fix
        .as_ref()
        .expect("a fix")
        .edits
        .iter()
        .map(|e| e.text.as_str())
        .collect()
}

const MILVUS: &str = "  standalone:
    image: milvusdb/milvus:v2.6.20
    restart: always
    command: [\"milvus\", \"run\", \"standalone\"]
    volumes:
      - ./volumes/milvus:/var/lib/milvus
    healthcheck:
      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:9091/healthz\"]
";

const RULES: &[&str] = &[
    "minio-data-not-persisted",
    "healthcheck-missing",
    "healthcheck-not-runnable",
    "restart-policy-missing",
    "woodpecker-minio-too-old",
];

#[test]
fn rustfs_is_the_object_store() {
    let text = format!(
        "services:
  rustfs:
    image: docker.io/rustfs/rustfs:1.0.0-alpha.70
    environment:
      - RUSTFS_VOLUMES=/data/volume{{1..4}}
      - RUSTFS_ACCESS_KEY=rustfsadmin
  plain:
    image: rustfs/rustfs:1.0.0-alpha.70
    restart: unless-stopped
    healthcheck:
      test: [\"CMD\", \"curl\", \"-f\", \"http://127.0.0.1:9000/health\"]
    command: rustfs server /store
  kept:
    image: rustfs/rustfs:1.0.0-alpha.60
    restart: unless-stopped
    volumes:
      - ./volumes/rustfs:/data
  info:
    image: rustfs/rustfs:1.0.0-alpha.70
    command: rustfs info --all
{MILVUS}"
    );
    assert_eq!(
        found(&text, RULES),
        [
            "2:3 healthcheck-missing",
            "2:3 restart-policy-missing",
            // One finding per path, at the variable that names them; the image's VOLUME
            // /data holds them, anonymously.
            "5:24 minio-data-not-persisted",
            "5:24 minio-data-not-persisted",
            "5:24 minio-data-not-persisted",
            "5:24 minio-data-not-persisted",
            // `rustfs server /store`: a path the image's volume does not cover.
            "12:28 minio-data-not-persisted",
            "13:3 healthcheck-missing",
        ]
    );
    let d = run(&text);
    let data = d
        .iter()
        .find(|x| x.rule == "minio-data-not-persisted")
        .unwrap();
    assert!(
        data.message
            .starts_with("RustFS's data path `/data/volume1` (from `RUSTFS_VOLUMES`)"),
        "{}",
        data.message
    );
    // RustFS has curl from 1.0.0-alpha.65 and no mc.
    let hc = of(&d, "healthcheck-missing", "rustfs");
    assert!(hc.message.contains("(RustFS)"), "{}", hc.message);
    assert_eq!(hc.fix.as_ref().unwrap().applicability, Applicability::Safe);
    assert!(
        inserted(hc).contains(r#"test: ["CMD", "curl", "-f", "http://127.0.0.1:9000/health"]"#),
        "{}",
        inserted(hc)
    );
    let old = of(&d, "healthcheck-missing", "kept");
    assert_eq!(
        old.fix.as_ref().unwrap().applicability,
        Applicability::Unavailable
    );
    assert!(
        old.fix
            .as_ref()
            .unwrap()
            .description
            .contains("1.0.0-alpha.65"),
        "{}",
        old.fix.as_ref().unwrap().description
    );
}

#[test]
fn rustfs_default_credentials() {
    let text = format!(
        "services:
  rustfs:
    image: rustfs/rustfs:1.0.0-alpha.70
    restart: unless-stopped
    environment:
      - RUSTFS_ACCESS_KEY=rustfsadmin
      - RUSTFS_SECRET_KEY=rustfsadmin
      - RUST_LOG=info
    ports:
      - \"9000:9000\"
    volumes:
      - ./volumes/rustfs:/data
    healthcheck:
      test: [\"CMD\", \"curl\", \"-f\", \"http://127.0.0.1:9000/health\"]
  secret:
    image: rustfs/rustfs:1.0.0-alpha.70
    restart: unless-stopped
    environment:
      RUSTFS_ROOT_USER: admin
      RUSTFS_ROOT_PASSWORD: rustfsadmin
    volumes:
      - ./volumes/secret:/data
    healthcheck:
      test: [\"CMD\", \"curl\", \"-f\", \"http://127.0.0.1:9000/health\"]
  unset:
    image: rustfs/rustfs:1.0.0-alpha.70
    restart: unless-stopped
    volumes:
      - ./volumes/unset:/data
    healthcheck:
      test: [\"CMD\", \"curl\", \"-f\", \"http://127.0.0.1:9000/health\"]
  filed:
    image: rustfs/rustfs:1.0.0-alpha.70
    restart: unless-stopped
    environment:
      RUSTFS_ACCESS_KEY_FILE: /run/secrets/key
    volumes:
      - ./volumes/filed:/data
    healthcheck:
      test: [\"CMD\", \"curl\", \"-f\", \"http://127.0.0.1:9000/health\"]
{MILVUS}"
    );
    assert_eq!(
        found(&text, &["minio-default-credentials"]),
        [
            "7:27 minio-default-credentials",
            "26:12 minio-default-credentials"
        ]
    );
    let d = run(&text);
    let published = of(&d, "minio-default-credentials", "rustfs");
    assert_eq!(published.severity, Severity::Warning);
    assert!(
        published.message.contains(
            "runs RustFS with the default root credentials `rustfsadmin`/`rustfsadmin` \
             (`RUSTFS_ACCESS_KEY` and `RUSTFS_SECRET_KEY` are set to the defaults)"
        ),
        "{}",
        published.message
    );
    assert_eq!(
        of(&d, "minio-default-credentials", "unset").severity,
        Severity::Info
    );
    // MinIO's names, which RustFS reads as its own only from 1.0.0-alpha.87: not judged.
    let compat = "services:
  rustfs:
    image: rustfs/rustfs:latest
    environment:
      MINIO_ROOT_USER: minioadmin
      MINIO_ROOT_PASSWORD: minioadmin
      MINIO_ADDRESS: \":9100\"
      MINIO_VOLUMES: /store
    healthcheck:
      test: [\"CMD\", \"curl\", \"-f\", \"http://127.0.0.1:9000/health\"]
";
    assert_eq!(
        found(
            compat,
            &[
                "minio-default-credentials",
                "healthcheck-not-runnable",
                "minio-data-not-persisted"
            ]
        ),
        Vec::<String>::new()
    );
}

#[test]
fn rustfs_address_moves_the_healthcheck() {
    let text = format!(
        "services:
  rustfs:
    image: rustfs/rustfs:latest
    restart: unless-stopped
    environment:
      RUSTFS_ADDRESS: \":9100\"
    volumes:
      - rustfs:/data
    healthcheck:
      test: [\"CMD\", \"sh\", \"-c\", \"curl -f http://127.0.0.1:9000/health\"]
{MILVUS}volumes:
  rustfs:
"
    );
    assert_eq!(found(&text, RULES), ["10:21 healthcheck-not-runnable"]);
    let d = run(&text);
    let d = of(&d, "healthcheck-not-runnable", "rustfs");
    assert_eq!(d.severity, Severity::Error);
    assert!(
        d.message.contains("probes `http://127.0.0.1:9000/health` (http://localhost:9000), but RustFS serves port 9100"),
        "{}",
        d.message
    );
    assert_eq!(
        inserted(d),
        r#": ["CMD", "curl", "-f", "http://127.0.0.1:9100/health"]"#
    );
}

#[test]
fn minio_on_another_port() {
    let text = format!(
        "services:
  flag:
    image: minio/minio:RELEASE.2024-09-13T20-26-02Z
    restart: unless-stopped
    command: minio server /minio_data --console-address \":9001\" --address=:9010
    volumes:
      - ./volumes/minio:/minio_data
    healthcheck:
      test: [\"CMD\", \"mc\", \"ready\", \"local\"]
    platform: linux/arm64
  env:
    image: minio/minio:RELEASE.2024-09-13T20-26-02Z
    restart: unless-stopped
    command: minio server /minio_data
    environment:
      MINIO_ADDRESS: 0.0.0.0:9100
    volumes:
      - ./volumes/minio2:/minio_data
    platform: linux/amd64
  alias:
    image: minio/minio:RELEASE.2024-09-13T20-26-02Z
    restart: unless-stopped
    command: minio server /minio_data --address :9200
    environment:
      MC_HOST_local: http://localhost:9200
    volumes:
      - ./volumes/minio3:/minio_data
    healthcheck:
      test: [\"CMD\", \"mc\", \"ready\", \"local\"]
  mconly:
    image: minio/minio:RELEASE.2024-03-26T22-10-45Z
    restart: unless-stopped
    command: minio server /minio_data --address :9300
    volumes:
      - ./volumes/minio4:/minio_data
{MILVUS}    depends_on:
      flag:
        condition: service_healthy
"
    );
    assert_eq!(
        found(&text, RULES),
        [
            "9:21 healthcheck-not-runnable",
            "11:3 healthcheck-missing",
            "30:3 healthcheck-missing",
        ]
    );
    let d = run(&text);
    let flag = of(&d, "healthcheck-not-runnable", "flag");
    assert!(
        flag.message.contains(
            "probes `mc ready local` (http://localhost:9000), but MinIO serves port 9010: it \
             can never pass, so `standalone` (which waits with `condition: service_healthy`) \
             will never start"
        ),
        "{}",
        flag.message
    );
    let lines = LineIndex::new(&text);
    let at = |o: &milvet::compose::Origin| {
        let p = lines.position(&text, o.span.start);
        format!("{}:{}", p.line, p.column)
    };
    assert_eq!(at(&flag.related[0].origin), "5:75");
    // arm64 has curl from 2024-09-13: the test is rewritten to the real port.
    assert_eq!(
        inserted(flag),
        r#": ["CMD", "curl", "-f", "http://localhost:9010/minio/health/live"]"#
    );
    let env = of(&d, "healthcheck-missing", "env");
    assert!(
        inserted(env)
            .contains(r#"test: ["CMD", "curl", "-f", "http://localhost:9100/minio/health/live"]"#),
        "{}",
        inserted(env)
    );
    // Only mc, which probes :9000: no test milvet can write.
    let mconly = of(&d, "healthcheck-missing", "mconly");
    let fix = mconly.fix.as_ref().unwrap();
    assert_eq!(fix.applicability, Applicability::Unavailable);
    assert!(
        fix.description.contains(
            "`mc ready local` probes http://localhost:9000, and this MinIO serves port 9300"
        ),
        "{}",
        fix.description
    );
}

#[test]
fn minio_with_certificates_mounted() {
    let text = format!(
        "services:
  minio:
    image: minio/minio:RELEASE.2024-09-13T20-26-02Z
    restart: unless-stopped
    command: minio server /minio_data
    platform: linux/amd64
    volumes:
      - ./volumes/minio:/minio_data
      - ./certs:/root/.minio/certs:ro
    healthcheck:
      test: curl -f http://localhost:9000/minio/health/live
  custom:
    image: minio/minio:RELEASE.2024-09-13T20-26-02Z
    restart: unless-stopped
    command: [minio, server, --certs-dir, /certs, /minio_data]
    platform: linux/amd64
    volumes:
      - ./volumes/minio2:/minio_data
      - ./certs/public.crt:/certs/public.crt
      - ./certs/private.key:/certs/private.key
  https:
    image: minio/minio:RELEASE.2024-09-13T20-26-02Z
    restart: unless-stopped
    command: minio server /minio_data
    volumes:
      - ./volumes/minio3:/minio_data
      - ./certs:/root/.minio/certs:ro
    healthcheck:
      test: [\"CMD\", \"curl\", \"-fk\", \"https://localhost:9000/minio/health/live\"]
{MILVUS}"
    );
    assert_eq!(
        found(&text, RULES),
        ["11:13 healthcheck-not-runnable", "12:3 healthcheck-missing"]
    );
    let d = run(&text);
    let tls = of(&d, "healthcheck-not-runnable", "minio");
    // The certificates' contents are not read: a warning.
    assert_eq!(tls.severity, Severity::Warning);
    assert!(
        tls.message.contains(
            "but MinIO serves HTTPS on port 9000 (its certificates directory is mounted)"
        ),
        "{}",
        tls.message
    );
    assert_eq!(
        inserted(tls),
        r#": ["CMD", "curl", "-f", "-k", "https://localhost:9000/minio/health/live"]"#
    );
    let custom = of(&d, "healthcheck-missing", "custom");
    assert!(
        inserted(custom)
            .contains(r#"["CMD", "curl", "-f", "-k", "https://localhost:9000/minio/health/live"]"#),
        "{}",
        inserted(custom)
    );
}
