//! `--fix` is conservative: it reads only regular files and never blocks on one that is not,
//! never replaces a file that changed after it was read, one the user may not write, or one
//! with other names (hard links), and keeps owner, group and mode.
//!
//! Each case runs the real binary (or the library, where a hook is needed) beside a good file
//! with a safe fix, which must still be checked and fixed in the same run.

mod common;
use common::TempDir;

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A file with one safe fix: etcd's compaction mode `periodic` becomes `revision`.
const GOOD: &str = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      - ETCD_AUTO_COMPACTION_MODE=periodic
      - ETCD_AUTO_COMPACTION_RETENTION=1000
    volumes:
      - ./etcd:/etcd
    command: etcd --data-dir /etcd
";

/// [`GOOD`] fixed.
fn good_fixed() -> String {
    GOOD.replace("MODE=periodic", "MODE=revision")
}

/// A run must end within this, or it is taken as hanging (and killed).
const HANG: Duration = Duration::from_secs(20);

/// Run `milvet args...` in `dir` with a JSON report; kill it and fail if it does not end in
/// time. Returns the exit code and the report.
fn run(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .args(args)
        .args(["--format", "json"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run milvet");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("milvet {args:?} hangs: killed after {HANG:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "panicked: {stderr}");
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().expect("exit code"), json)
}

/// The `files` entry of `path` in a report.
fn file<'a>(v: &'a Value, path: &str) -> &'a Value {
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("{path} is not in the report: {v:#}"))
}

fn error_message(v: &Value, path: &str) -> String {
    file(v, path)["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("{path} has no error: {v:#}"))
        .to_string()
}

fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid, NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

// ---------------------------------------------------------------------------------------------
// Special files

#[test]
fn devices_named_are_refused_and_the_next_file_is_fixed() {
    let t = TempDir::new("safety-dev");
    t.write("good.yml", GOOD);
    for dev in ["/dev/zero", "/dev/urandom"] {
        let start = Instant::now();
        let (code, v) = run(&t.root, &["check", "--fix", dev, "good.yml"]);
        assert_eq!(code, 2, "{v:#}");
        assert_eq!(
            error_message(&v, dev),
            "cannot read: is a character device, not a regular file"
        );
        assert_eq!(file(&v, "good.yml")["fixes_applied"], 1, "{v:#}");
        assert_eq!(t.read("good.yml"), good_fixed());
        assert!(start.elapsed() < Duration::from_secs(10));
        t.write("good.yml", GOOD);
    }
}

#[test]
fn a_fifo_named_is_refused_without_blocking_and_the_next_file_is_fixed() {
    let t = TempDir::new("safety-fifo");
    t.write("good.yml", GOOD);
    mkfifo(&t.path("pipe.yml"));
    let (code, v) = run(&t.root, &["check", "--fix", "pipe.yml", "good.yml"]);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(
        error_message(&v, "pipe.yml"),
        "cannot read: is a FIFO (named pipe), not a regular file"
    );
    assert_eq!(t.read("good.yml"), good_fixed());
    // Named with `-f`, as one project's file, too.
    let (code, v) = run(&t.root, &["check", "-f", "pipe.yml"]);
    assert_eq!(code, 2, "{v:#}");
    assert!(error_message(&v, "pipe.yml").contains("FIFO"), "{v:#}");
}

#[test]
fn a_fifo_walked_is_skipped_and_the_files_after_it_are_fixed() {
    let t = TempDir::new("safety-walk");
    mkfifo(&t.path("a/docker-compose.yml"));
    t.write("b/docker-compose.yml", GOOD);
    // A FIFO called like a Compose file beside a good one in the same directory, too.
    mkfifo(&t.path("c/compose.yaml"));
    t.write("c/docker-compose.yml", GOOD);
    let (code, v) = run(&t.root, &["check", "--fix"]);
    assert_eq!(code, 0, "{v:#}");
    let paths: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["b/docker-compose.yml", "c/docker-compose.yml"]);
    assert_eq!(t.read("b/docker-compose.yml"), good_fixed());
    assert_eq!(t.read("c/docker-compose.yml"), good_fixed());
}
