//! `milvet` as a user runs it: exit codes, the JSON and human reports, bad input, directory
//! walking, options and the `rules` command.

mod common;
use common::{ETCD_NOT_PERSISTED, TempDir, findings};

use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

// ---------------------------------------------------------------------------------------------
// Helpers

/// What a run of the binary gave.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run `milvet args...` in `dir`.
fn milvet(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("run milvet");
    Run {
        code: out.status.code().expect("milvet exited with a code"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Run `milvet check --format json args...` in `dir`: the exit code and the parsed report.
fn check_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let run = milvet(dir, &all);
    let value: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", run.stdout));
    (run.code, value)
}

/// Run `milvet check --color never args...` in `dir`.
fn check_human(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["check", "--color", "never"];
    all.extend_from_slice(args);
    milvet(dir, &all)
}

/// The `files` of a JSON report as (path, status).
fn files(v: &Value) -> Vec<(String, String)> {
    v["files"]
        .as_array()
        .expect("files is an array")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("path").to_string(),
                f["status"].as_str().expect("status").to_string(),
            )
        })
        .collect()
}

/// The paths of `files`.
fn paths(v: &Value) -> Vec<String> {
    files(v).into_iter().map(|(p, _)| p).collect()
}

/// The `error` object of the file at `path` in a JSON report.
fn file_error<'a>(v: &'a Value, path: &str) -> &'a Value {
    let file = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("{path} not in files: {v}"));
    assert_eq!(file["status"], "error", "{file}");
    &file["error"]
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    k.sort();
    k
}

// ---------------------------------------------------------------------------------------------
// Fixtures

/// A Milvus standalone stack with every seed rule satisfied: etcd in revision mode with a
/// retention of 1000 and its data dir on a bind mount, MinIO's data on a named volume.
const CLEAN: &str = r#"services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    restart: unless-stopped
    environment:
      - ETCD_AUTO_COMPACTION_MODE=revision
      - ETCD_AUTO_COMPACTION_RETENTION=1000
      - ETCD_QUOTA_BACKEND_BYTES=4294967296
    volumes:
      - ${DOCKER_VOLUME_DIRECTORY:-.}/volumes/etcd:/etcd
    command: etcd -advertise-client-urls=http://etcd:2379 -listen-client-urls http://0.0.0.0:2379 --data-dir /etcd
    healthcheck:
      test: ["CMD", "etcdctl", "endpoint", "health"]
  minio:
    image: minio/minio:RELEASE.2024-05-28T17-19-04Z
    restart: unless-stopped
    environment:
      MINIO_ACCESS_KEY: milvus
      MINIO_SECRET_KEY: change-me-0a9f3c
    volumes:
      - minio-data:/minio_data
    command: minio server /minio_data --console-address ":9001"
    healthcheck:
      test: ["CMD", "mc", "ready", "local"]
  standalone:
    image: milvusdb/milvus:v2.6.22
    restart: unless-stopped
    command: ["milvus", "run", "standalone"]
    environment:
      ETCD_ENDPOINTS: etcd:2379
      MINIO_ADDRESS: minio:9000
      MINIO_ACCESS_KEY_ID: milvus
      MINIO_SECRET_ACCESS_KEY: change-me-0a9f3c
    volumes:
      - ${DOCKER_VOLUME_DIRECTORY:-.}/volumes/milvus:/var/lib/milvus
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:9091/healthz"]
      start_period: 90s
    ports:
      - "19530:19530"
    depends_on:
      etcd:
        condition: service_healthy
      minio:
        condition: service_healthy
volumes:
  minio-data:
"#;

/// An unclosed flow sequence: the `[` at 3:12, byte 29.
const INVALID_YAML: &str = "services:\n  etcd:\n    image: [x, y\n";

/// The example in the repository: 2 errors and 2 warnings.
const POWER_CUT: &str = "testdata/examples/power-cut/docker-compose.yml";

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

// ---------------------------------------------------------------------------------------------
// Exit codes

#[test]
fn clean_stack_exits_0_with_no_finding() {
    let t = TempDir::new("clean");
    t.write("docker-compose.yml", CLEAN);
    let (code, v) = check_json(&t.root, &["docker-compose.yml"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        files(&v),
        [("docker-compose.yml".to_string(), "checked".to_string())]
    );
    assert_eq!(v["diagnostics"], json!([]));

    let run = check_human(&t.root, &["docker-compose.yml"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, "0 errors, 0 warnings in 1 file\n");
    assert_eq!(run.stderr, "");
}

#[test]
fn findings_exit_1() {
    let t = TempDir::new("findings");
    t.write("compose.yaml", ETCD_NOT_PERSISTED);
    let (code, v) = check_json(&t.root, &["compose.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v), ["compose.yaml:7:30 etcd-data-not-persisted"]);
}

#[test]
fn warnings_alone_exit_1() {
    let t = TempDir::new("warnings");
    t.write("compose.yaml", CLEAN);
    let (code, v) = check_json(&t.root, &["--min-retention", "5000", "compose.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(v["diagnostics"][0]["severity"], "warning");
    assert_eq!(
        findings(&v),
        ["compose.yaml:7:40 etcd-compaction-retention"]
    );
}

#[test]
fn a_file_that_cannot_be_checked_exits_2_and_the_others_are_still_reported() {
    let t = TempDir::new("mixed");
    t.write("broken.yml", INVALID_YAML);
    t.write("compose.yaml", ETCD_NOT_PERSISTED);
    t.write("clean.yml", CLEAN);
    let (code, v) = check_json(&t.root, &["broken.yml", "compose.yaml", "clean.yml"]);
    assert_eq!(code, 2);
    assert_eq!(
        files(&v),
        [
            ("broken.yml".to_string(), "error".to_string()),
            ("compose.yaml".to_string(), "checked".to_string()),
            ("clean.yml".to_string(), "checked".to_string()),
        ]
    );
    assert_eq!(
        v["files"][0]["error"],
        json!({
            "message": "invalid YAML: unclosed bracket '['",
            "line": 3,
            "column": 12,
            "offset": 29,
        })
    );
    assert_eq!(&INVALID_YAML[29..30], "[");
    assert_eq!(v["files"][1]["error"], Value::Null);
    assert_eq!(v["files"][2]["error"], Value::Null);
    assert_eq!(findings(&v), ["compose.yaml:7:30 etcd-data-not-persisted"]);

    // The same in the human report, in the order given.
    let run = check_human(&t.root, &["broken.yml", "compose.yaml"]);
    assert_eq!(run.code, 2);
    let broken = run
        .stdout
        .find("broken.yml:3:12: error\n")
        .expect(&run.stdout);
    let finding = run
        .stdout
        .find("compose.yaml:7:30: error[etcd-data-not-persisted]\n")
        .expect(&run.stdout);
    assert!(broken < finding, "{}", run.stdout);
    assert!(
        run.stdout.ends_with(
            "1 error, 0 warnings in 2 files; 1 file could not be checked; 1 fixable with \
                 --fix --unsafe-fixes\n"
        ),
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// JSON format

#[test]
fn json_report_has_exactly_the_documented_shape() {
    let t = TempDir::new("json-shape");
    t.write("compose.yaml", ETCD_NOT_PERSISTED);
    let (code, v) = check_json(&t.root, &["compose.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(
        keys(&v),
        ["diagnostics", "files", "fixes", "milvet", "schema"]
    );
    assert_eq!(
        v["fixes"],
        json!({"applied": 0, "files_changed": 0, "unsafe_available": 1})
    );
    assert_eq!(v["schema"], 1);
    assert_eq!(v["milvet"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        v["files"],
        json!([{"path": "compose.yaml", "status": "checked", "error": null, "fixes_applied": 0}])
    );
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1);
    let d = &diags[0];
    assert_eq!(
        keys(d),
        [
            "column",
            "end_column",
            "end_line",
            "end_offset",
            "file",
            "fix",
            "help",
            "line",
            "message",
            "offset",
            "related",
            "rule",
            "service",
            "severity",
            "url"
        ]
    );
    let mut located = d.clone();
    let obj = located.as_object_mut().unwrap();
    assert_eq!(obj.remove("related").unwrap(), json!([]));
    assert_eq!(
        obj.remove("url").unwrap(),
        "https://github.com/milvet/milvet/blob/main/rules/etcd-data-not-persisted.md"
    );
    let message = obj.remove("message").unwrap();
    let help = obj.remove("help").unwrap();
    let fix = obj.remove("fix").unwrap();
    assert_eq!(fix["applicability"], "unsafe");
    assert!(
        fix["description"]
            .as_str()
            .unwrap()
            .starts_with("mount `${DOCKER_VOLUME_DIRECTORY:-.}/volumes/etcd` at `/etcd`"),
        "{fix}"
    );
    assert_eq!(keys(&fix), ["applicability", "description", "edits"]);
    assert_eq!(
        located,
        json!({
            "rule": "etcd-data-not-persisted",
            "severity": "error",
            "file": "compose.yaml",
            "line": 7,
            "column": 30,
            "end_line": 7,
            "end_column": 35,
            "offset": 190,
            "end_offset": 195,
            "service": "etcd",
        })
    );
    let message = message.as_str().unwrap();
    assert!(
        message.starts_with(
            "etcd's data directory `/etcd` (from `--data-dir`) is not on any volume or bind mount"
        ),
        "{message}"
    );
    let help = help.as_str().unwrap();
    assert!(help.contains("--data-dir /etcd"), "{help}");
    assert_eq!(&ETCD_NOT_PERSISTED[190..195], "/etcd");
}

#[test]
fn json_offsets_slice_the_underlined_values() {
    let t = TempDir::new("json-offsets");
    let text = std::fs::read_to_string(manifest_dir().join(POWER_CUT)).unwrap();
    t.write("compose.yaml", &text);
    let (code, v) = check_json(&t.root, &["compose.yaml"]);
    assert_eq!(code, 1);
    let spans: Vec<(String, String, usize, usize, usize, usize)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let o = d["offset"].as_u64().unwrap() as usize;
            let e = d["end_offset"].as_u64().unwrap() as usize;
            (
                d["rule"].as_str().unwrap().to_string(),
                text[o..e].to_string(),
                d["line"].as_u64().unwrap() as usize,
                d["column"].as_u64().unwrap() as usize,
                d["end_line"].as_u64().unwrap() as usize,
                d["end_column"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    let s = |r: &str, x: &str, l, c, el, ec| (r.to_string(), x.to_string(), l, c, el, ec);
    assert_eq!(
        spans,
        [
            s("healthcheck-missing", "etcd", 6, 3, 6, 7),
            s("restart-policy-missing", "etcd", 6, 3, 6, 7),
            s(
                "etcd-version-data-loss",
                "quay.io/coreos/etcd:v3.5.5",
                8,
                12,
                8,
                38
            ),
            s("etcd-compaction-mode", "environment", 9, 5, 9, 16),
            s("etcd-compaction-retention", "environment", 9, 5, 9, 16),
            s("etcd-data-not-persisted", "/etcd", 12, 115, 12, 120),
            s("healthcheck-missing", "minio", 14, 3, 14, 8),
            s("restart-policy-missing", "minio", 14, 3, 14, 8),
            s("minio-default-credentials", "minioadmin", 19, 25, 19, 35),
            s("minio-data-not-persisted", "/minio_data", 20, 27, 20, 38),
            s("healthcheck-missing", "standalone", 22, 3, 22, 13),
            s("restart-policy-missing", "standalone", 22, 3, 22, 13),
            s(
                "milvus-version-data-loss",
                "milvusdb/milvus:v2.3.3",
                24,
                12,
                24,
                34
            ),
            s("depends-on-not-healthy", "\"etcd\"", 34, 9, 34, 15),
            s("depends-on-not-healthy", "\"minio\"", 35, 9, 35, 16),
        ]
    );
    let services: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["service"].as_str().unwrap())
        .collect();
    assert_eq!(
        services,
        [
            "etcd",
            "etcd",
            "etcd",
            "etcd",
            "etcd",
            "etcd",
            "minio",
            "minio",
            "minio",
            "minio",
            "standalone",
            "standalone",
            "standalone",
            "standalone",
            "standalone"
        ]
    );
}

#[test]
fn relative_paths_are_shown_as_given() {
    let t = TempDir::new("relative");
    t.write("compose.yaml", ETCD_NOT_PERSISTED);
    t.write("sub/compose.yaml", ETCD_NOT_PERSISTED);
    t.write("sub/deeper/stack.yml", ETCD_NOT_PERSISTED);
    let (code, v) = check_json(
        &t.root,
        &["compose.yaml", "sub/compose.yaml", "./sub/deeper/stack.yml"],
    );
    assert_eq!(code, 1);
    assert_eq!(
        paths(&v),
        ["compose.yaml", "sub/compose.yaml", "./sub/deeper/stack.yml"]
    );
    assert_eq!(
        findings(&v),
        [
            "compose.yaml:7:30 etcd-data-not-persisted",
            "sub/compose.yaml:7:30 etcd-data-not-persisted",
            "./sub/deeper/stack.yml:7:30 etcd-data-not-persisted",
        ]
    );

    // An absolute path stays absolute.
    let abs = t.path("sub/compose.yaml");
    let abs = abs.to_str().unwrap();
    let (_, v) = check_json(&t.root, &[abs]);
    assert_eq!(paths(&v), [abs]);
    assert_eq!(v["diagnostics"][0]["file"], abs);
}

#[test]
fn positions_ignore_a_byte_order_mark_and_crlf_line_ends() {
    let t = TempDir::new("crlf");
    let text = "\u{feff}services:\r\n  etcd:\r\n    image: quay.io/coreos/etcd:v3.5.18\r\n    \
                environment:\r\n      - ETCD_AUTO_COMPACTION_MODE=revision\r\n      - \
                ETCD_AUTO_COMPACTION_RETENTION=1000\r\n    command: etcd --data-dir /etcd\r\n";
    t.write("compose.yaml", text);
    let (code, v) = check_json(&t.root, &["compose.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v), ["compose.yaml:7:30 etcd-data-not-persisted"]);
    let d = &v["diagnostics"][0];
    assert_eq!((&d["end_line"], &d["end_column"]), (&json!(7), &json!(35)));
    // Three bytes of BOM and one CR a line more than ETCD_NOT_PERSISTED.
    assert_eq!((&d["offset"], &d["end_offset"]), (&json!(199), &json!(204)));
    assert_eq!(&text[199..204], "/etcd");
}

// ---------------------------------------------------------------------------------------------
// Bad input: exit 2, a located message, the file untouched

/// Check one file that cannot be checked: exit 2, the file byte-for-byte unchanged; returns
/// the JSON `error` object and the human report.
fn check_failing(t: &TempDir, rel: &str) -> (Value, String) {
    let path = t.path(rel);
    let before = std::fs::read(&path).ok();
    let (code, v) = check_json(&t.root, &[rel]);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(files(&v), [(rel.to_string(), "error".to_string())]);
    assert_eq!(v["diagnostics"], json!([]));
    let error = file_error(&v, rel).clone();
    assert_eq!(keys(&error), ["column", "line", "message", "offset"]);
    let run = check_human(&t.root, &[rel]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout
            .ends_with("0 errors, 0 warnings in 1 file; 1 file could not be checked\n"),
        "{}",
        run.stdout
    );
    assert_eq!(std::fs::read(&path).ok(), before, "{rel} was changed");
    (error, run.stdout)
}

#[test]
fn invalid_yaml_names_the_line_and_column() {
    let t = TempDir::new("invalid-yaml");
    t.write("compose.yaml", INVALID_YAML);
    let (error, human) = check_failing(&t, "compose.yaml");
    assert_eq!(
        error,
        json!({
            "message": "invalid YAML: unclosed bracket '['",
            "line": 3,
            "column": 12,
            "offset": 29,
        })
    );
    assert!(human.starts_with("compose.yaml:3:12: error\n"), "{human}");
    assert!(
        human.contains("invalid YAML: unclosed bracket '['"),
        "{human}"
    );
    assert!(human.contains(" 3 │     image: [x, y\n"), "{human}");
}

#[test]
fn invalid_utf8_names_the_line_and_column() {
    let t = TempDir::new("utf8");
    // Line 3 has a two-byte `é` before the bad bytes: columns count characters, so the first
    // 0xff, the line's 17th byte, is column 16.
    let mut bytes = b"services:\n  etcd:\n    image: \xc3\xa9tcd".to_vec();
    let offset = bytes.len();
    bytes.extend_from_slice(b"\xff\xff:v3.5\n");
    t.write("compose.yaml", &bytes);
    assert_eq!(offset, 34);
    let (error, human) = check_failing(&t, "compose.yaml");
    assert_eq!(
        error,
        json!({
            "message": "not valid UTF-8: byte 0xff at line 3, column 16 cannot start a character",
            "line": 3,
            "column": 16,
            "offset": 34,
        })
    );
    assert_eq!(bytes[34], 0xff);
    assert_eq!(
        human,
        "compose.yaml:3:16: error: not valid UTF-8: byte 0xff at line 3, column 16 cannot start \
         a character\n\n0 errors, 0 warnings in 1 file; 1 file could not be checked\n"
    );
}

#[test]
fn truncated_utf8_sequence_is_not_described_as_a_bad_start_byte() {
    let t = TempDir::new("utf8-truncated");
    t.write("compose.yaml", b"services:\n  etcd:\n    image: \xc3tcd\n");
    let (error, _) = check_failing(&t, "compose.yaml");
    assert_eq!(error["line"], 3);
    assert_eq!(error["column"], 12);
    assert_eq!(error["offset"], 29);
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("line 3, column 12"), "{message}");
    assert!(!message.contains("cannot start a character"), "{message}");
}

#[test]
fn a_missing_path_exits_2() {
    let t = TempDir::new("missing");
    t.write("compose.yaml", CLEAN);
    let (code, v) = check_json(&t.root, &["nope/compose.yaml", "compose.yaml"]);
    assert_eq!(code, 2);
    assert_eq!(
        files(&v),
        [
            ("nope/compose.yaml".to_string(), "error".to_string()),
            ("compose.yaml".to_string(), "checked".to_string()),
        ]
    );
    assert_eq!(
        file_error(&v, "nope/compose.yaml"),
        &json!({
            "message": "cannot read: no such file or directory",
            "line": null,
            "column": null,
            "offset": null,
        })
    );
    let run = check_human(&t.root, &["nope/compose.yaml"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stdout,
        "nope/compose.yaml: error: cannot read: no such file or directory\n\n0 errors, 0 warnings \
         in 1 file; 1 file could not be checked\n"
    );
    assert!(!t.path("nope").exists());
}

#[test]
fn a_directory_named_like_a_compose_file_is_walked_not_read() {
    let t = TempDir::new("dir-arg");
    std::fs::create_dir_all(t.path("compose.yaml")).unwrap();
    // Empty: nothing to check, which is not a success.
    let (code, v) = check_json(&t.root, &["compose.yaml"]);
    assert_eq!(code, 2);
    assert_eq!(v["files"], json!([]));
    let run = check_human(&t.root, &["compose.yaml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("milvet: no file to check in `compose.yaml`"),
        "{}",
        run.stderr
    );
    // With Compose files inside, they are found under the directory as given.
    t.write("compose.yaml/docker-compose.yml", ETCD_NOT_PERSISTED);
    t.write("compose.yaml/notes.yaml", INVALID_YAML);
    let (code, v) = check_json(&t.root, &["compose.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(paths(&v), ["compose.yaml/docker-compose.yml"]);
    assert_eq!(
        findings(&v),
        ["compose.yaml/docker-compose.yml:7:30 etcd-data-not-persisted"]
    );
}

#[test]
fn an_unreadable_file_exits_2() {
    use std::os::unix::fs::PermissionsExt;
    let t = TempDir::new("unreadable");
    let path = t.write("compose.yaml", CLEAN);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_ok() {
        // Root reads a mode-000 file; a file whose read fails for everyone stands in for it.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let (code, v) = check_json(&t.root, &["/proc/self/mem", "compose.yaml"]);
        assert_eq!(code, 2);
        assert_eq!(
            files(&v),
            [
                ("/proc/self/mem".to_string(), "error".to_string()),
                ("compose.yaml".to_string(), "checked".to_string()),
            ]
        );
        let message = file_error(&v, "/proc/self/mem")["message"]
            .as_str()
            .unwrap();
        assert!(message.starts_with("cannot read: "), "{message}");
        return;
    }
    let (code, v) = check_json(&t.root, &["compose.yaml"]);
    assert_eq!(code, 2);
    assert_eq!(
        file_error(&v, "compose.yaml"),
        &json!({
            "message": "cannot read: permission denied",
            "line": null,
            "column": null,
            "offset": null,
        })
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), CLEAN);
}

#[test]
fn a_file_over_8_mib_exits_2_and_one_of_exactly_8_mib_is_checked() {
    const LIMIT: usize = 8 * 1024 * 1024;
    let t = TempDir::new("size");
    // 64-byte comment lines: exactly the limit, then one byte more.
    let line = format!("#{}\n", "x".repeat(62));
    let exact = line.repeat(LIMIT / 64);
    assert_eq!(exact.len(), LIMIT);
    t.write("exact.yml", &exact);
    let (code, v) = check_json(&t.root, &["exact.yml"]);
    // Checked: a file of comments, which Docker Compose refuses as empty.
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(findings(&v), ["exact.yml:1:1 empty-compose-file"]);
    assert_eq!(files(&v), [("exact.yml".into(), "checked".into())]);

    t.write("big.yml", format!("{exact}#"));
    let (error, human) = check_failing(&t, "big.yml");
    assert_eq!(
        error,
        json!({
            "message": "file is 8388609 bytes, more than the limit of 8388608 bytes",
            "line": null,
            "column": null,
            "offset": null,
        })
    );
    assert!(
        human.starts_with(
            "big.yml: error: file is 8388609 bytes, more than the limit of 8388608 bytes\n"
        ),
        "{human}"
    );
}

#[test]
fn nesting_deeper_than_128_exits_2_at_the_first_collection_too_deep() {
    let t = TempDir::new("depth");
    // A top-level mapping and 127 sequences: 128 collections, accepted (under an extension key,
    // which the Compose schema lets hold anything).
    t.write(
        "ok.yml",
        format!("x-a: {}{}\n", "[".repeat(127), "]".repeat(127)),
    );
    let (code, v) = check_json(&t.root, &["ok.yml"]);
    assert_eq!(code, 0, "{v:#}");
    // 300 nested flow sequences: the 129th `[` (column 129) is one too many.
    t.write(
        "deep.yml",
        format!("{}{}\n", "[".repeat(300), "]".repeat(300)),
    );
    let (error, human) = check_failing(&t, "deep.yml");
    assert_eq!(error["line"], 1);
    assert_eq!(error["column"], 129);
    assert_eq!(error["offset"], 128);
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("limit exceeded: collections nest deeper than the limit"),
        "{message}"
    );
    assert!(human.starts_with("deep.yml:1:129: error\n"), "{human}");
}

#[test]
fn a_compose_file_whose_top_level_is_not_a_mapping_exits_2() {
    let t = TempDir::new("not-mapping");
    t.write("compose.yaml", "- a\n- b\n");
    let (error, human) = check_failing(&t, "compose.yaml");
    assert_eq!(
        error,
        json!({
            "message": "not a Compose file: the top level must be a mapping (`services:` ...)",
            "line": 1,
            "column": 1,
            "offset": 0,
        })
    );
    assert!(human.starts_with("compose.yaml:1:1: error\n"), "{human}");
}

#[test]
fn an_empty_compose_file_is_checked_and_refused_as_docker_compose_refuses_it() {
    let t = TempDir::new("empty");
    t.write("compose.yaml", "");
    t.write("comments.yml", "# nothing yet\n");
    let (code, v) = check_json(&t.root, &["compose.yaml", "comments.yml"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&v),
        [
            "compose.yaml:1:1 empty-compose-file",
            "comments.yml:1:1 empty-compose-file"
        ]
    );
    assert_eq!(
        files(&v),
        [
            ("compose.yaml".into(), "checked".into()),
            ("comments.yml".into(), "checked".into())
        ]
    );
}

#[test]
fn checking_never_changes_the_files() {
    let t = TempDir::new("unchanged");
    t.write("compose.yaml", ETCD_NOT_PERSISTED);
    t.write("clean.yml", CLEAN);
    let (code, _) = check_json(&t.root, &[]);
    assert_eq!(code, 1);
    check_human(&t.root, &[]);
    assert_eq!(
        std::fs::read_to_string(t.path("compose.yaml")).unwrap(),
        ETCD_NOT_PERSISTED
    );
    assert_eq!(std::fs::read_to_string(t.path("clean.yml")).unwrap(), CLEAN);
    let mut entries: Vec<String> = std::fs::read_dir(&t.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    assert_eq!(entries, ["clean.yml", "compose.yaml"]);
}

// ---------------------------------------------------------------------------------------------
// Directory walking

/// The tree the walking tests use: six files found, the rest skipped. The files that must not
/// be read hold invalid YAML, so reading one would also turn the exit code to 2.
fn walk_tree(tag: &str) -> TempDir {
    let t = TempDir::new(tag);
    for found in [
        "compose.yaml",
        "docker-compose.yml",
        "compose.override.yaml",
        "docker-compose.prod.yml",
        "sub/deeper/compose.yml",
    ] {
        t.write(found, CLEAN);
    }
    t.write("milvus.yaml", "etcd:\n  endpoints: [localhost:2379]\n");
    for skipped in [
        "other.yaml",
        ".hidden/compose.yaml",
        "node_modules/compose.yaml",
        "target/compose.yaml",
        "sub/values.yml",
    ] {
        t.write(skipped, INVALID_YAML);
    }
    t
}

/// In name order, except that a main Compose file and its override form one project, listed
/// in merge order where its first file comes.
const WALKED: [&str; 6] = [
    "compose.yaml",
    "compose.override.yaml",
    "docker-compose.prod.yml",
    "docker-compose.yml",
    "milvus.yaml",
    "sub/deeper/compose.yml",
];

#[test]
fn a_directory_is_walked_for_compose_and_milvus_files_in_name_order() {
    let t = walk_tree("walk-dir");
    std::fs::create_dir(t.path("run")).unwrap();
    let (code, v) = check_json(&t.path("run"), &[".."]);
    assert_eq!(code, 0, "{v:#}");
    let expected: Vec<String> = WALKED.iter().map(|p| format!("../{p}")).collect();
    assert_eq!(paths(&v), expected);
    assert!(files(&v).iter().all(|(_, s)| s == "checked"), "{v:#}");

    // Given by absolute path, the paths are absolute too.
    let root = t.root.to_str().unwrap().to_string();
    let (_, v) = check_json(&t.path("run"), &[&root]);
    let expected: Vec<String> = WALKED.iter().map(|p| format!("{root}/{p}")).collect();
    assert_eq!(paths(&v), expected);
}

#[test]
fn a_named_subdirectory_keeps_its_prefix() {
    let t = walk_tree("walk-sub");
    let (code, v) = check_json(&t.root, &["sub"]);
    assert_eq!(code, 0);
    assert_eq!(paths(&v), ["sub/deeper/compose.yml"]);
    let (_, v) = check_json(&t.root, &["./sub"]);
    assert_eq!(paths(&v), ["./sub/deeper/compose.yml"]);
}

#[test]
fn no_path_argument_checks_the_current_directory_without_a_dot_prefix() {
    let t = walk_tree("walk-cwd");
    let (code, v) = check_json(&t.root, &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(paths(&v), WALKED);
    // `.` given explicitly keeps its prefix, as given.
    let (_, v) = check_json(&t.root, &["."]);
    let dotted: Vec<String> = WALKED.iter().map(|p| format!("./{p}")).collect();
    assert_eq!(paths(&v), dotted);
}

#[test]
fn findings_in_walked_files_are_reported_in_walk_order() {
    let t = walk_tree("walk-findings");
    t.write("sub/deeper/compose.yml", ETCD_NOT_PERSISTED);
    t.write("docker-compose.prod.yml", ETCD_NOT_PERSISTED);
    // The override merges onto compose.yaml, whose etcd volume stays: no finding there.
    t.write("compose.override.yaml", ETCD_NOT_PERSISTED);
    let (code, v) = check_json(&t.root, &[]);
    assert_eq!(code, 1);
    // The Milvus of compose.yaml and docker-compose.yml mounts none of the milvus.yaml beside
    // them (a note each). The override's etcd command drops `-listen-client-urls`: etcd then
    // listens on localhost only, out of Milvus's reach.
    assert_eq!(
        findings(&v),
        [
            "compose.yaml:25:3 milvus-config-not-persisted",
            "compose.yaml:30:23 milvus-endpoint-unreachable",
            "docker-compose.prod.yml:7:30 etcd-data-not-persisted",
            "docker-compose.yml:25:3 milvus-config-not-persisted",
            "sub/deeper/compose.yml:7:30 etcd-data-not-persisted",
        ]
    );
}

#[test]
fn a_file_given_explicitly_is_checked_as_compose_whatever_its_name() {
    let t = walk_tree("explicit");
    t.write("stack.yml", ETCD_NOT_PERSISTED);
    let (code, v) = check_json(&t.root, &["stack.yml"]);
    assert_eq!(code, 1);
    assert_eq!(paths(&v), ["stack.yml"]);
    assert_eq!(findings(&v), ["stack.yml:7:30 etcd-data-not-persisted"]);
    // Even one the walk would skip.
    let (code, v) = check_json(&t.root, &["node_modules/compose.yaml"]);
    assert_eq!(code, 2);
    assert_eq!(
        file_error(&v, "node_modules/compose.yaml")["message"],
        "invalid YAML: unclosed bracket '['"
    );
}

// ---------------------------------------------------------------------------------------------
// Human format

#[test]
fn human_report_shows_location_severity_rule_snippet_and_help() {
    let run = check_human(manifest_dir(), &[POWER_CUT]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "");
    let out = &run.stdout;
    assert!(!out.contains('\x1b'), "colour with --color never:\n{out}");
    let headers: Vec<&str> = out.lines().filter(|l| l.starts_with(POWER_CUT)).collect();
    assert_eq!(
        headers,
        [
            format!("{POWER_CUT}:6:3: warning[healthcheck-missing]"),
            format!("{POWER_CUT}:6:3: warning[restart-policy-missing]"),
            format!("{POWER_CUT}:8:12: info[etcd-version-data-loss]"),
            format!("{POWER_CUT}:9:5: warning[etcd-compaction-mode]"),
            format!("{POWER_CUT}:9:5: warning[etcd-compaction-retention]"),
            format!("{POWER_CUT}:12:115: error[etcd-data-not-persisted]"),
            format!("{POWER_CUT}:14:3: warning[healthcheck-missing]"),
            format!("{POWER_CUT}:14:3: warning[restart-policy-missing]"),
            format!("{POWER_CUT}:19:25: info[minio-default-credentials]"),
            format!("{POWER_CUT}:20:27: error[minio-data-not-persisted]"),
            format!("{POWER_CUT}:22:3: warning[healthcheck-missing]"),
            format!("{POWER_CUT}:22:3: warning[restart-policy-missing]"),
            format!("{POWER_CUT}:24:12: error[milvus-version-data-loss]"),
            format!("{POWER_CUT}:34:9: info[depends-on-not-healthy]"),
            format!("{POWER_CUT}:35:9: info[depends-on-not-healthy]"),
        ]
    );
    for needle in [
        // Messages.
        "  ⚠ etcd's auto-compaction mode is not set, so etcd uses `periodic`",
        "  ⚠ etcd's auto-compaction retention is not set, so it is 0",
        "  × etcd's data directory `/etcd` (from `--data-dir`) is not on any volume or bind mount",
        "  × MinIO's data path `/minio_data` is not on any volume or bind mount",
        // Snippets, with the span underlined and labelled.
        &format!("╭─[{POWER_CUT}:12:115]"),
        " 12 │     command: etcd -advertise-client-urls=http://127.0.0.1:2379 -listen-client-urls \
         http://0.0.0.0:2379 --data-dir /etcd\n",
        &format!("    ·{}──┬──\n", " ".repeat(115)),
        &format!("╭─[{POWER_CUT}:20:27]"),
        " 20 │     command: minio server /minio_data --console-address \":9001\"\n",
        "    ·                           ─────┬─────\n",
        "╰── not on a volume",
        "  9 │     environment:\n",
        "╰── no auto-compaction mode set",
        // Help.
        "  help: set `ETCD_AUTO_COMPACTION_MODE=revision`",
        "  help: mount a host directory or named volume at `/minio_data`",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    assert_eq!(out.matches("  help: ").count(), 15, "{out}");
    assert!(
        out.ends_with(
            "\n3 errors, 8 warnings in 1 file (4 notes); 8 fixable with --fix; 4 more fixes \
             with --fix\n--unsafe-fixes\n"
        ),
        "{out}"
    );
}

#[test]
fn human_summary_counts_files_and_pluralises() {
    let t = TempDir::new("summary");
    t.write("a.yml", ETCD_NOT_PERSISTED);
    t.write("b.yml", CLEAN);
    let run = check_human(&t.root, &["a.yml", "b.yml"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .ends_with("\n1 error, 0 warnings in 2 files; 1 fixable with --fix --unsafe-fixes\n"),
        "{}",
        run.stdout
    );
    let run = check_human(&t.root, &["--min-retention", "5000", "b.yml"]);
    assert!(
        run.stdout
            .ends_with("\n0 errors, 1 warning in 1 file; 1 fixable with --fix\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn color_always_colours_and_never_does_not() {
    let t = TempDir::new("color");
    t.write("compose.yaml", ETCD_NOT_PERSISTED);
    let always = milvet(&t.root, &["check", "--color", "always", "compose.yaml"]);
    assert!(always.stdout.contains("\x1b["), "{}", always.stdout);
    let never = check_human(&t.root, &["compose.yaml"]);
    assert!(!never.stdout.contains('\x1b'), "{}", never.stdout);
    // Not a terminal: `auto` means no colour.
    let auto = milvet(&t.root, &["check", "compose.yaml"]);
    assert_eq!(auto.stdout, never.stdout);
}

// ---------------------------------------------------------------------------------------------
// Options

/// `CLEAN` with a retention of 1000 at 6:40.
#[test]
fn min_retention_raises_the_threshold() {
    let t = TempDir::new("retention");
    t.write("compose.yaml", CLEAN);
    let (code, v) = check_json(&t.root, &["compose.yaml"]);
    assert_eq!(code, 0);
    assert_eq!(v["diagnostics"], json!([]));
    let (code, v) = check_json(&t.root, &["--min-retention", "1000", "compose.yaml"]);
    assert_eq!(code, 0);
    assert_eq!(v["diagnostics"], json!([]));

    let (code, v) = check_json(&t.root, &["--min-retention", "5000", "compose.yaml"]);
    assert_eq!(code, 1);
    let d = &v["diagnostics"][0];
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 1);
    assert_eq!(d["rule"], "etcd-compaction-retention");
    assert_eq!(d["severity"], "warning");
    assert_eq!((&d["line"], &d["column"]), (&json!(7), &json!(40)));
    let (o, e) = (
        d["offset"].as_u64().unwrap() as usize,
        d["end_offset"].as_u64().unwrap() as usize,
    );
    assert_eq!(&CLEAN[o..e], "1000");
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("5000"), "{message}");
}

#[test]
fn a_bad_min_retention_is_a_usage_error() {
    let t = TempDir::new("retention-bad");
    t.write("compose.yaml", CLEAN);
    let run = milvet(
        &t.root,
        &["check", "--min-retention", "lots", "compose.yaml"],
    );
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("--min-retention"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// Other commands

#[test]
fn version_prints_the_crate_version() {
    let run = milvet(manifest_dir(), &["--version"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stdout,
        format!("milvet {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_mentions_the_examples_and_exit_status() {
    for args in [&["--help"][..], &["check", "--help"][..]] {
        let run = milvet(manifest_dir(), args);
        assert_eq!(run.code, 0, "{args:?}");
        for needle in [
            "Examples:",
            "milvet check docker-compose.yml",
            "milvet check --min-retention 5000 .",
            "milvet rules etcd-compaction-mode",
            "Exit status: 0 no findings at the `fail-on` level (default: warning) or above, 1 \
             findings,",
            "With --diff: 1 when there is a",
        ] {
            assert!(
                run.stdout.contains(needle),
                "{args:?}: missing {needle:?} in:\n{}",
                run.stdout
            );
        }
    }
    let run = milvet(manifest_dir(), &["check", "--help"]);
    for option in ["--format", "--min-retention", "--color"] {
        assert!(run.stdout.contains(option), "{}", run.stdout);
    }
}

#[test]
fn rules_lists_every_rule_with_its_severity() {
    let run = milvet(manifest_dir(), &["rules"]);
    assert_eq!(run.code, 0);
    let rows: Vec<(&str, &str)> = run
        .stdout
        .lines()
        .map(|l| {
            let mut words = l.split_whitespace();
            (words.next().unwrap(), words.next().unwrap())
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("etcd-data-not-persisted", "error"),
            ("etcd-compaction-mode", "warning"),
            ("etcd-compaction-retention", "warning"),
            ("minio-data-not-persisted", "error"),
            ("milvus-data-not-persisted", "error"),
            ("milvus-config-unknown-key", "warning"),
            ("milvus-config-not-persisted", "info"),
            ("restart-policy-missing", "warning"),
            ("healthcheck-missing", "warning"),
            ("healthcheck-not-runnable", "error"),
            ("etcd-env-flag-conflict", "error"),
            ("etcd-unsafe-no-fsync", "error"),
            ("command-not-runnable", "error"),
            ("depends-on-not-healthy", "info"),
            ("etcd-quota-backend-bytes", "info"),
            ("etcd-config-file-ignores-settings", "warning"),
            ("etcd-version-data-loss", "error"),
            ("milvus-version-data-loss", "error"),
            ("milvus-management-port-exposed", "warning"),
            ("image-tag-unpinned", "warning"),
            ("image-unavailable", "error"),
            ("minio-default-credentials", "warning"),
            ("woodpecker-minio-too-old", "error"),
            ("milvus-env-override-noop", "warning"),
            ("milvus-endpoint-unreachable", "error"),
            ("milvus-credentials-mismatch", "error"),
            ("milvus-embedded-etcd-not-persisted", "error"),
            ("milvus-embedded-etcd-compaction", "warning"),
            ("milvus-local-storage-not-persisted", "error"),
            ("unset-variable", "warning"),
            ("invalid-interpolation", "error"),
            ("missing-file", "error"),
            ("reference-cycle", "error"),
            ("unknown-service", "error"),
            ("undefined-reference", "error"),
            ("duplicate-mount-target", "error"),
            ("duplicate-container-name", "error"),
            ("conflicting-settings", "error"),
            ("secret-without-source", "error"),
            ("invalid-volume-spec", "error"),
            ("invalid-port-spec", "error"),
            ("invalid-project-name", "error"),
            ("invalid-command", "error"),
            ("missing-image", "error"),
            ("empty-compose-file", "error"),
            ("include-conflict", "error"),
            ("yaml-duplicate-key", "error"),
            ("compose-schema", "error"),
            ("unused-suppression", "warning"),
            ("suppression-without-reason", "warning"),
        ]
    );
}

#[test]
fn rules_list_summaries_start_in_one_column() {
    let run = milvet(manifest_dir(), &["rules"]);
    let columns: Vec<usize> = run
        .stdout
        .lines()
        .map(|l| {
            // id, padding, severity, padding, summary.
            let after_id = l.find(' ').unwrap();
            let sev_start = after_id + l[after_id..].find(|c: char| c != ' ').unwrap();
            let sev_end = sev_start + l[sev_start..].find(' ').unwrap();
            sev_end + l[sev_end..].find(|c: char| c != ' ').unwrap()
        })
        .collect();
    assert!(columns.len() >= 9, "{}", run.stdout);
    assert!(
        columns.iter().all(|&c| c == columns[0]),
        "{columns:?}\n{}",
        run.stdout
    );
}

#[test]
fn rules_with_an_id_prints_its_document() {
    let run = milvet(manifest_dir(), &["rules", "etcd-data-not-persisted"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stdout,
        include_str!("../rules/etcd-data-not-persisted.md")
    );
}

#[test]
fn rules_with_an_unknown_id_exits_2() {
    let run = milvet(manifest_dir(), &["rules", "etcd-is-fine"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "milvet: no rule `etcd-is-fine`; `milvet rules` lists them\n"
    );
}

// ---------------------------------------------------------------------------------------------
// milvus.yaml

#[test]
fn milvus_yaml_that_is_a_compose_file_gets_one_note() {
    let t = TempDir::new("milvus-yaml");
    // Content that would give findings in a Compose file gives only a note in a file named as
    // a Milvus configuration: it is recognised as a Compose file and not checked as either.
    t.write("milvus.yaml", ETCD_NOT_PERSISTED);
    t.write("conf/user.yaml", ETCD_NOT_PERSISTED);
    let (code, v) = check_json(&t.root, &["milvus.yaml", "conf/user.yaml"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        files(&v),
        [
            ("milvus.yaml".into(), "checked".into()),
            ("conf/user.yaml".into(), "checked".into())
        ]
    );
    assert_eq!(
        findings(&v),
        [
            "milvus.yaml:1:1 milvus-config-unknown-key",
            "conf/user.yaml:1:1 milvus-config-unknown-key"
        ]
    );
    assert_eq!(v["diagnostics"][0]["severity"], "info");
    assert!(
        v["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("is a Docker Compose file, not a Milvus configuration"),
        "{v:#}"
    );
    // Found when walking too, with a Compose file beside it that does have findings.
    t.write("compose.yaml", ETCD_NOT_PERSISTED);
    let (code, v) = check_json(&t.root, &[]);
    assert_eq!(code, 1);
    // conf/user.yaml, in a directory under a Compose file's, is found too.
    assert_eq!(paths(&v), ["compose.yaml", "conf/user.yaml", "milvus.yaml"]);
    assert_eq!(
        findings(&v),
        [
            "compose.yaml:7:30 etcd-data-not-persisted",
            "conf/user.yaml:1:1 milvus-config-unknown-key",
            "milvus.yaml:1:1 milvus-config-unknown-key"
        ]
    );
    // Its top level need not be a mapping: it is not a Milvus configuration then, and says so.
    t.write("milvus.yaml", "- a\n");
    let (code, v) = check_json(&t.root, &["milvus.yaml"]);
    assert_eq!(code, 0);
    assert!(
        v["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("YAML that is not a mapping"),
        "{v:#}"
    );
}

#[test]
fn a_broken_milvus_yaml_exits_2() {
    let t = TempDir::new("milvus-yaml-broken");
    t.write("milvus.yaml", "etcd:\n  endpoints: [localhost:2379\n");
    let (error, human) = check_failing(&t, "milvus.yaml");
    assert_eq!(error["message"], "invalid YAML: unclosed bracket '['");
    assert_eq!((&error["line"], &error["column"]), (&json!(2), &json!(14)));
    assert_eq!(error["offset"], 19);
    assert!(human.starts_with("milvus.yaml:2:14: error\n"), "{human}");
    // Walked, it stops the run the same way.
    let (code, v) = check_json(&t.root, &[]);
    assert_eq!(code, 2);
    assert_eq!(files(&v), [("milvus.yaml".into(), "error".into())]);
}

// ---------------------------------------------------------------------------------------------
// Fixing

/// The power-cut example's etcd without compaction settings, etcd and MinIO unmounted.
fn power_cut(t: &TempDir) -> String {
    let text = std::fs::read_to_string(manifest_dir().join(POWER_CUT)).unwrap();
    t.write("compose.yaml", &text);
    text
}

#[test]
fn diff_prints_what_fix_would_change_and_writes_nothing() {
    let t = TempDir::new("diff");
    let text = power_cut(&t);
    let run = check_human(&t.root, &["--diff", "compose.yaml"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.starts_with(
            "--- compose.yaml\n+++ compose.yaml\n@@ -6,22 +6,37 @@\n   etcd:\n     \
             container_name: milvus-etcd\n     image: quay.io/coreos/etcd:v3.5.5\n\
             +    restart: unless-stopped\n     environment:\n       \
             - ETCD_QUOTA_BACKEND_BYTES=4294967296\n       - ETCD_SNAPSHOT_COUNT=50000\n\
             +      - ETCD_AUTO_COMPACTION_MODE=revision\n\
             +      - ETCD_AUTO_COMPACTION_RETENTION=1000\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with(
            "3 errors, 0 warnings in 1 file (2 notes); 9 fixes would change 1 file; 4 more fixes \
             with\n--unsafe-fixes\n"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(
        std::fs::read_to_string(t.root.join("compose.yaml")).unwrap(),
        text
    );
    // In JSON, the diff is part of the file's entry.
    let (code, v) = check_json(&t.root, &["--diff", "--unsafe-fixes", "compose.yaml"]);
    assert_eq!(code, 1);
    let diff = v["files"][0]["diff"].as_str().unwrap();
    assert!(
        diff.contains("+      - ${DOCKER_VOLUME_DIRECTORY:-.}/volumes/minio:/minio_data\n"),
        "{diff}"
    );
    assert_eq!(
        v["fixes"],
        json!({"applied": 13, "files_changed": 1, "unsafe_available": 0})
    );
    assert_eq!(
        std::fs::read_to_string(t.root.join("compose.yaml")).unwrap(),
        text
    );
}

#[test]
fn diff_with_nothing_to_fix_exits_0() {
    let t = TempDir::new("diff-clean");
    t.write("compose.yaml", CLEAN);
    let run = check_human(&t.root, &["--diff", "compose.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        run.stdout,
        "0 errors, 0 warnings in 1 file; 0 fixes would change 0 files\n"
    );
}

#[test]
fn fix_applies_safe_fixes_and_reports_what_remains() {
    let t = TempDir::new("fix");
    let text = power_cut(&t);
    let (code, v) = check_json(&t.root, &["--fix", "compose.yaml"]);
    // The unsafe fixes are not applied: their findings remain.
    assert_eq!(code, 1);
    assert_eq!(
        findings(&v),
        [
            "compose.yaml:8:12 etcd-version-data-loss",
            "compose.yaml:15:115 etcd-data-not-persisted",
            "compose.yaml:28:25 minio-default-credentials",
            "compose.yaml:29:27 minio-data-not-persisted",
            "compose.yaml:38:12 milvus-version-data-loss"
        ]
    );
    assert_eq!(
        v["fixes"],
        json!({"applied": 9, "files_changed": 1, "unsafe_available": 4})
    );
    assert_eq!(v["files"][0]["fixes_applied"], 9);
    let fixed = std::fs::read_to_string(t.root.join("compose.yaml")).unwrap();
    // The safe fixes are the golden case `stack-power-cut` (tests/fix_golden.rs).
    let golden = manifest_dir().join("testdata/fix/stack-power-cut");
    assert_eq!(
        std::fs::read_to_string(golden.join("input.yaml")).unwrap(),
        text
    );
    assert_eq!(
        fixed,
        std::fs::read_to_string(golden.join("expected.yaml")).unwrap()
    );
    // With the unsafe ones, only the note on MinIO's default credentials (no fix) remains;
    // the output says what was done and what the user must do for each unsafe fix, then the
    // summary.
    let run = check_human(&t.root, &["--fix", "--unsafe-fixes", "compose.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let unwrapped = run.stdout.replace("\n    ", " ");
    assert!(unwrapped.contains(
        "compose.yaml: applied unsafe fix: you must act too, etcd-data-not-persisted (service \
         `etcd`): mount `${DOCKER_VOLUME_DIRECTORY:-.}/volumes/etcd` at `/etcd`."
    ));
    assert!(unwrapped.contains(
        "copy it to the host (`./volumes/etcd`): \
         `mkdir -p ./volumes/etcd && docker compose cp etcd:/etcd/. ./volumes/etcd/`"
    ));
    assert!(unwrapped.contains(
        "`mkdir -p ./volumes/minio && docker compose cp minio:/minio_data/. ./volumes/minio/`"
    ));
    assert!(
        run.stdout.contains("info[minio-default-credentials]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .ends_with("0 errors, 0 warnings in 1 file (1 note); applied 4 fixes in 1 file\n"),
        "{}",
        run.stdout
    );
    let run = check_human(&t.root, &["--fix", "--unsafe-fixes", "compose.yaml"]);
    assert!(
        run.stdout
            .ends_with("0 errors, 0 warnings in 1 file (1 note); applied 0 fixes in 0 files\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn fix_and_diff_cannot_be_combined() {
    let t = TempDir::new("fix-diff");
    t.write("compose.yaml", CLEAN);
    let run = milvet(&t.root, &["check", "--fix", "--diff", "compose.yaml"]);
    assert_eq!(run.code, 2);
}

#[test]
fn an_unavailable_fix_says_which_variable_to_set() {
    let t = TempDir::new("fix-variable");
    t.write(
        "compose.yaml",
        "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    environment:\n      \
         ETCD_AUTO_COMPACTION_MODE: ${ETCD_MODE:-periodic}\n      \
         ETCD_AUTO_COMPACTION_RETENTION: 1000\n    volumes: [\"./v:/etcd\"]\n    \
         command: etcd --data-dir /etcd\n",
    );
    let (code, v) = check_json(&t.root, &["--fix", "compose.yaml"]);
    assert_eq!(code, 1);
    let fix = &v["diagnostics"][0]["fix"];
    assert_eq!(fix["applicability"], "unavailable");
    assert!(
        fix["description"]
            .as_str()
            .unwrap()
            .contains("set `ETCD_MODE` so that it gives `revision`"),
        "{fix}"
    );
    assert_eq!(v["fixes"]["applied"], 0);
}
