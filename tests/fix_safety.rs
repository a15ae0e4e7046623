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
    run_as(None, dir, args)
}

/// [`run`] as another user: `Some((uid, gid))` runs it through `setpriv` (as root).
fn run_as(user: Option<(u32, u32)>, dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut command = match user {
        None => Command::new(env!("CARGO_BIN_EXE_milvet")),
        Some((uid, gid)) => {
            let mut c = Command::new("setpriv");
            c.args([
                format!("--reuid={uid}"),
                format!("--regid={gid}"),
                "--clear-groups".into(),
                env!("CARGO_BIN_EXE_milvet").into(),
            ]);
            c
        }
    };
    let mut child = command
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

fn is_root() -> bool {
    // SAFETY: no arguments, no memory.
    unsafe { libc::geteuid() == 0 }
}

/// The user `nobody` (65534) to run a case as a user who is not root, when this runs as root
/// and `setpriv` is there; `None` (the case is skipped, loudly) otherwise.
fn nobody(case: &str) -> Option<(u32, u32)> {
    let ok = is_root()
        && Command::new("setpriv")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("SKIPPED: {case}: needs root and setpriv to run milvet as another user");
    }
    ok.then_some((65534, 65534))
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn owner(path: &Path) -> (u32, u32, u32) {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).unwrap();
    (m.uid(), m.gid(), m.mode() & 0o7777)
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

// ---------------------------------------------------------------------------------------------
// Lost updates: a change between reading and replacing is kept, and reported

/// Fix `good.yml` and `other.yml` (one project each) through the library, with `hook` called
/// just before a fixed file replaces the original.
fn fix_with_hook(
    t: &TempDir,
    hook: impl Fn(&Path) + Send + Sync + 'static,
) -> Vec<milvet::check::FileReport> {
    use milvet::check::{FixMode, Options, ReplaceHook, check_paths};
    let options = Options {
        fix: FixMode::Write,
        jobs: Some(1),
        before_replace: Some(ReplaceHook(std::sync::Arc::new(hook))),
        ..Options::default()
    };
    check_paths(&[t.path("good.yml"), t.path("other.yml")], &options)
}

fn lost_update_case(what: &str, change: fn(&Path)) {
    let t = TempDir::new("safety-lost");
    t.write("good.yml", GOOD);
    t.write("other.yml", GOOD);
    let good = t.path("good.yml").canonicalize().unwrap();
    let reports = fix_with_hook(&t, move |p| {
        if p == good {
            change(p);
        }
    });
    let changed = std::fs::read_to_string(t.path("good.yml")).unwrap_or_default();
    assert_ne!(changed, good_fixed(), "{what}: the change was overwritten");
    let e = reports[0].error.as_ref().expect("an error for good.yml");
    assert_eq!(
        e.message,
        format!(
            "could not be fixed: `{}`: changed while milvet was fixing it; it is left as it is \
             (run milvet again)",
            t.path("good.yml").display()
        ),
        "{what}"
    );
    assert_eq!(e.stage, milvet::check::Stage::Fix);
    assert_eq!(
        milvet::check::exit_code(&reports, milvet::check::FixMode::Write),
        2
    );
    // The other file is fixed.
    assert!(reports[1].error.is_none(), "{what}: {:?}", reports[1].error);
    assert_eq!(t.read("other.yml"), good_fixed(), "{what}");
    // No temporary file is left.
    let left: Vec<String> = std::fs::read_dir(&t.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".milvet-"))
        .collect();
    assert!(left.is_empty(), "{what}: {left:?}");
}

#[test]
fn an_edit_made_while_fixing_is_kept_and_reported() {
    lost_update_case("appended", |p| {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().append(true).open(p).unwrap();
        f.write_all(b"# edited by hand\n").unwrap();
    });
    // The same size, another byte.
    lost_update_case("one byte changed", |p| {
        std::fs::write(p, GOOD.replace("1000", "2000")).unwrap();
    });
}

#[test]
fn a_file_replaced_while_fixing_is_kept_and_reported() {
    // An editor's save: a new file renamed over the path, even with the same bytes.
    lost_update_case("renamed over", |p| {
        let tmp = p.with_extension("swp");
        std::fs::write(&tmp, GOOD).unwrap();
        std::fs::rename(&tmp, p).unwrap();
    });
    lost_update_case("removed", |p| std::fs::remove_file(p).unwrap());
}

#[test]
fn a_file_changed_between_the_check_and_the_write_is_kept() {
    // What the check read is no longer what the file holds when the write starts.
    let t = TempDir::new("safety-early");
    t.write("good.yml", "edited since\n");
    let e = milvet::fix::replace_verified(
        &t.path("good.yml"),
        GOOD.as_bytes(),
        good_fixed().as_bytes(),
        None,
    )
    .unwrap_err();
    assert!(matches!(e, milvet::fix::WriteError::Changed), "{e}");
    assert_eq!(t.read("good.yml"), "edited since\n");
    // A longer file is not read past the original's length plus one byte, and refused.
    t.write("good.yml", format!("{GOOD}# more\n"));
    let e = milvet::fix::check_replaceable(&t.path("good.yml"), GOOD.as_bytes()).unwrap_err();
    assert!(matches!(e, milvet::fix::WriteError::Changed), "{e}");
    // Unchanged, it is replaced.
    t.write("good.yml", GOOD);
    milvet::fix::replace_verified(&t.path("good.yml"), GOOD.as_bytes(), b"new\n", None).unwrap();
    assert_eq!(t.read("good.yml"), "new\n");
}

// ---------------------------------------------------------------------------------------------
// Permissions, owners and links

#[test]
fn a_read_only_file_is_reported_not_replaced() {
    let t = TempDir::new("safety-ro");
    t.write("ro.yml", GOOD);
    t.write("good.yml", GOOD);
    chmod(&t.path("ro.yml"), 0o444);
    // Even as root, who could write it: mode 444 says it must not change.
    let (code, v) = run(&t.root, &["check", "--fix", "ro.yml", "good.yml"]);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(
        error_message(&v, "ro.yml"),
        "could not be fixed: `ro.yml`: not writable: its mode is 444, which lets no one write it"
    );
    assert_eq!(t.read("ro.yml"), GOOD);
    assert_eq!(owner(&t.path("ro.yml")).2, 0o444);
    assert_eq!(t.read("good.yml"), good_fixed());
    // The finding is still reported, with its fix.
    let rules: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"] == "ro.yml")
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["etcd-compaction-mode"]);
}

#[test]
fn a_file_another_user_owns_is_not_replaced_by_a_user_who_may_not_write_it() {
    let Some(user) = nobody("a file owned by root, fixed by nobody") else {
        return;
    };
    let t = TempDir::new("safety-other");
    chmod(&t.root, 0o777);
    t.write("root.yml", GOOD);
    t.write("good.yml", GOOD);
    chmod(&t.path("root.yml"), 0o644);
    std::os::unix::fs::chown(t.path("good.yml"), Some(user.0), Some(user.1)).unwrap();
    let (code, v) = run_as(
        Some(user),
        &t.root,
        &["check", "--fix", "root.yml", "good.yml"],
    );
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(
        error_message(&v, "root.yml"),
        "could not be fixed: `root.yml`: not writable: this user may not write it (mode 644, \
         owner 0, group 0)"
    );
    assert_eq!(t.read("root.yml"), GOOD);
    assert_eq!(owner(&t.path("root.yml")), (0, 0, 0o644));
    assert_eq!(t.read("good.yml"), good_fixed());
    assert_eq!(owner(&t.path("good.yml")), (user.0, user.1, 0o644));
}

#[test]
fn owner_group_and_mode_are_kept() {
    if !is_root() {
        eprintln!("SKIPPED: keeping another user's ownership needs root");
        return;
    }
    let t = TempDir::new("safety-owner");
    t.write("good.yml", GOOD);
    std::os::unix::fs::chown(t.path("good.yml"), Some(1234), Some(5678)).unwrap();
    chmod(&t.path("good.yml"), 0o2640);
    let (code, v) = run(&t.root, &["check", "--fix", "good.yml"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(t.read("good.yml"), good_fixed());
    assert_eq!(owner(&t.path("good.yml")), (1234, 5678, 0o2640));
}

#[test]
fn a_user_who_cannot_keep_the_owner_does_not_replace_the_file() {
    let Some(user) = nobody("a group-writable file of another user, fixed by nobody") else {
        return;
    };
    // nobody may write it through its group, but a replacement would be nobody's.
    let t = TempDir::new("safety-group");
    chmod(&t.root, 0o777);
    t.write("shared.yml", GOOD);
    std::os::unix::fs::chown(t.path("shared.yml"), Some(1234), Some(user.1)).unwrap();
    chmod(&t.path("shared.yml"), 0o664);
    let (code, v) = run_as(Some(user), &t.root, &["check", "--fix", "shared.yml"]);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(
        error_message(&v, "shared.yml"),
        "could not be fixed: `shared.yml`: it belongs to user 1234 and group 65534, and a \
         replacement written by this user could not keep that owner and group; run milvet as \
         its owner"
    );
    assert_eq!(t.read("shared.yml"), GOOD);
    assert_eq!(owner(&t.path("shared.yml")), (1234, user.1, 0o664));
    let left: Vec<_> = std::fs::read_dir(&t.root).unwrap().collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

#[test]
fn a_hard_linked_file_is_not_split() {
    let t = TempDir::new("safety-link");
    t.write("linked.yml", GOOD);
    std::fs::hard_link(t.path("linked.yml"), t.path("other-name.yml")).unwrap();
    t.write("good.yml", GOOD);
    let (code, v) = run(&t.root, &["check", "--fix", "linked.yml", "good.yml"]);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(
        error_message(&v, "linked.yml"),
        "could not be fixed: `linked.yml`: it has 2 names (hard links): replacing it would leave \
         the other names with the old text, and writing it in place could leave it half-written; \
         apply the fixes by hand (`milvet check --diff` shows them)"
    );
    assert_eq!(t.read("linked.yml"), GOOD);
    assert_eq!(t.read("other-name.yml"), GOOD);
    assert_eq!(t.read("good.yml"), good_fixed());
    // --diff still shows the fix.
    let (code, v) = run(&t.root, &["check", "--diff", "linked.yml"]);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        file(&v, "linked.yml")["diff"]
            .as_str()
            .unwrap()
            .contains("+      - ETCD_AUTO_COMPACTION_MODE=revision")
    );
}

#[test]
fn the_summary_says_could_not_be_fixed() {
    let t = TempDir::new("safety-summary");
    t.write("ro.yml", GOOD);
    chmod(&t.path("ro.yml"), 0o444);
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .args(["check", "--fix", "--color", "never", "ro.yml"])
        .current_dir(&t.root)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout.contains("ro.yml: error: could not be fixed: `ro.yml`: not writable"),
        "{stdout}"
    );
    assert!(stdout.contains("; 1 file could not be fixed"), "{stdout}");
    assert!(!stdout.contains("could not be checked"), "{stdout}");
}

// ---------------------------------------------------------------------------------------------
// Tags

/// A Python with PyYAML (installed with pre-commit by scripts/test): a YAML loader that refuses
/// a tag naming another type, as libyaml-based loaders do.
fn pyyaml_loads(python: &Path, path: &Path) -> Result<(), String> {
    let out = Command::new(python)
        .args([
            "-c",
            "import sys, yaml; yaml.safe_load(open(sys.argv[1]))",
            path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn a_tagged_null_filled_by_a_fix_loses_its_tag() {
    let t = TempDir::new("safety-tags");
    let compose = common::tool("docker-compose");
    let python = common::tool("python");
    for tag in [
        "!!null",
        "!!str",
        "!!int",
        "!custom",
        "!<tag:yaml.org,2002:null>",
    ] {
        let text = format!(
            "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    environment: {tag} # set\n    volumes:\n      - ./etcd:/etcd\n    command: etcd --data-dir /etcd\n"
        );
        t.write("compose.yaml", &text);
        let (code, v) = run(&t.root, &["check", "--fix"]);
        assert_eq!(code, 0, "{tag}: {v:#}");
        let want = text.replace(
            &format!("environment: {tag} # set\n"),
            "environment: # set\n      - ETCD_AUTO_COMPACTION_MODE=revision\n      - ETCD_AUTO_COMPACTION_RETENTION=1000\n",
        );
        assert_eq!(t.read("compose.yaml"), want, "{tag}");
        if let Some(python) = &python {
            pyyaml_loads(python, &t.path("compose.yaml")).unwrap();
        }
        if let Some(dc) = &compose {
            let out = Command::new(dc)
                .args(["-f", "compose.yaml", "config", "--format", "json"])
                .current_dir(&t.root)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{tag}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(
                v["services"]["etcd"]["environment"],
                serde_json::json!({
                    "ETCD_AUTO_COMPACTION_MODE": "revision",
                    "ETCD_AUTO_COMPACTION_RETENTION": "1000"
                }),
                "{tag}"
            );
        }
    }
    // A tagged value replaced by a value its tag does not fit loses the tag too; one it fits
    // keeps it.
    let text = "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    environment:\n      ETCD_AUTO_COMPACTION_MODE: !!null\n      ETCD_AUTO_COMPACTION_RETENTION: !!int 10\n    volumes:\n      - ./etcd:/etcd\n    command: etcd --data-dir /etcd\n";
    t.write("compose.yaml", text);
    let (code, v) = run(&t.root, &["check", "--fix"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        t.read("compose.yaml"),
        text.replace("MODE: !!null", "MODE: revision")
            .replace("!!int 10", "!!int 1000")
    );
    if let Some(dc) = &compose {
        let out = Command::new(dc)
            .args(["-f", "compose.yaml", "config", "--format", "json"])
            .current_dir(&t.root)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The kept tag, as fixes wrote it, is what PyYAML refuses and Docker Compose reads past.
    if let Some(python) = &python {
        t.write(
            "compose.yaml",
            "services:\n  etcd:\n    image: x\n    environment: !!null\n      - A=1\n",
        );
        let e = pyyaml_loads(python, &t.path("compose.yaml")).unwrap_err();
        assert!(
            e.contains("expected a scalar node, but found sequence"),
            "{e}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Complex keys

#[test]
fn an_environment_with_a_complex_key_gets_no_fix_that_breaks_it() {
    let t = TempDir::new("safety-complex");
    let text = "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    environment:\n      ? [a]\n      : b\n      ETCD_AUTO_COMPACTION_MODE: periodic\n    volumes:\n      - ./etcd:/etcd\n    command: etcd --data-dir /etcd\n";
    t.write("compose.yaml", text);
    let (code, v) = run(&t.root, &["check", "--fix"]);
    // Checked and partly fixed, not a failure: the mode is rewritten where it is written, the
    // retention cannot be added.
    assert_eq!(code, 1, "{v:#}");
    assert!(file(&v, "compose.yaml")["error"].is_null(), "{v:#}");
    assert_eq!(
        t.read("compose.yaml"),
        text.replace("MODE: periodic", "MODE: revision")
    );
    let retention = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "etcd-compaction-retention")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(retention["fix"]["applicability"], "unavailable");
    assert_eq!(
        retention["fix"]["description"],
        "the service's environment has a key written as an explicit key (`? [a]`), beside \
         which milvet adds nothing (and Docker Compose refuses a key that is not text): write \
         it as `KEY: value`, or set `ETCD_AUTO_COMPACTION_RETENTION: 1000` by hand"
    );
}

// ---------------------------------------------------------------------------------------------
// Shared anchors

/// Docker Compose's resolved services of `file` in `dir`.
fn resolved(dc: &Path, dir: &Path, file: &str) -> Value {
    let out = Command::new(dc)
        .args(["-f", file, "config", "--format", "json"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{file}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout).unwrap()["services"].clone()
}

#[test]
fn an_anchor_on_the_fixed_services_own_values_is_not_changed_for_the_others() {
    let t = TempDir::new("safety-anchor");
    let text = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment: &env
      ETCD_AUTO_COMPACTION_MODE: periodic
      TZ: UTC
    volumes: &vols
      - ./x:/x
    command: etcd --data-dir /etcd
  minio:
    image: minio/minio:RELEASE.2023-03-20T20-16-18Z
    environment: *env
    volumes: *vols
    command: minio server /minio_data
  other:
    image: busybox
    environment:
      <<: *env
      B: \"1\"
    volumes: *vols
";
    t.write("compose.yaml", text);
    t.write("before.yaml", text);
    let (code, v) = run(
        &t.root,
        &["check", "--fix", "--unsafe-fixes", "compose.yaml"],
    );
    assert_eq!(code, 0, "{v:#}");
    let want = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment: &env
      ETCD_AUTO_COMPACTION_MODE: revision
      TZ: UTC
      ETCD_AUTO_COMPACTION_RETENTION: 1000
    volumes: &vols
      - ./x:/x
      - ${DOCKER_VOLUME_DIRECTORY:-.}/volumes/etcd:/etcd
    command: etcd --data-dir /etcd
  minio:
    image: minio/minio:RELEASE.2023-03-20T20-16-18Z
    environment: {ETCD_AUTO_COMPACTION_MODE: periodic, TZ: UTC}
    volumes: [\"./x:/x\", \"${DOCKER_VOLUME_DIRECTORY:-.}/volumes/minio:/minio_data\"]
    command: minio server /minio_data
  other:
    image: busybox
    environment:
      <<: {ETCD_AUTO_COMPACTION_MODE: periodic, TZ: UTC}
      B: \"1\"
    volumes: [\"./x:/x\"]
";
    assert_eq!(t.read("compose.yaml"), want);
    // Fixing again changes nothing.
    let (code, _) = run(
        &t.root,
        &["check", "--fix", "--unsafe-fixes", "compose.yaml"],
    );
    assert_eq!(code, 0);
    assert_eq!(t.read("compose.yaml"), want);
    if let Some(dc) = common::tool("docker-compose") {
        let (before, after) = (
            resolved(&dc, &t.root, "before.yaml"),
            resolved(&dc, &t.root, "compose.yaml"),
        );
        assert_eq!(before["other"], after["other"]);
        assert_eq!(
            before["minio"]["environment"],
            after["minio"]["environment"]
        );
        assert_ne!(before["etcd"], after["etcd"]);
    }
}

#[test]
fn a_service_anchored_whole_and_merged_by_another_keeps_the_other_as_it_was() {
    let t = TempDir::new("safety-anchor-service");
    let text = "services:
  etcd: &etcd
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      ETCD_AUTO_COMPACTION_MODE: revision
      ETCD_AUTO_COMPACTION_RETENTION: \"1000\"
    command: etcd --data-dir /etcd
  sidecar:
    <<: *etcd
    image: busybox
    command: sleep 1d
";
    t.write("compose.yaml", text);
    t.write("before.yaml", text);
    let (code, v) = run(
        &t.root,
        &["check", "--fix", "--unsafe-fixes", "compose.yaml"],
    );
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        t.read("compose.yaml"),
        text.replace(
            "    command: etcd --data-dir /etcd\n",
            "    command: etcd --data-dir /etcd\n    volumes:\n      - ${DOCKER_VOLUME_DIRECTORY:-.}/volumes/etcd:/etcd\n"
        )
        .replace(
            "<<: *etcd",
            "<<: {image: \"quay.io/coreos/etcd:v3.5.18\", environment: {ETCD_AUTO_COMPACTION_MODE: revision, ETCD_AUTO_COMPACTION_RETENTION: \"1000\"}, command: etcd --data-dir /etcd}"
        )
    );
    if let Some(dc) = common::tool("docker-compose") {
        let (before, after) = (
            resolved(&dc, &t.root, "before.yaml"),
            resolved(&dc, &t.root, "compose.yaml"),
        );
        assert_eq!(before["sidecar"], after["sidecar"]);
    }
}

#[test]
fn an_anchor_that_cannot_be_copied_makes_the_fix_unavailable() {
    let t = TempDir::new("safety-anchor-multiline");
    let text = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment: &env
      ETCD_AUTO_COMPACTION_MODE: revision
      NOTE: |
        two
        lines
    volumes:
      - ./etcd:/etcd
    command: etcd --data-dir /etcd
  other:
    image: busybox
    environment: *env
";
    t.write("compose.yaml", text);
    let (code, v) = run(&t.root, &["check", "--fix", "--unsafe-fixes"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(t.read("compose.yaml"), text);
    let d = &v["diagnostics"][0];
    assert_eq!(d["rule"], "etcd-compaction-retention", "{v:#}");
    assert_eq!(d["fix"]["applicability"], "unavailable");
    assert_eq!(
        d["fix"]["description"],
        "the value to change is written under the anchor `&env`, which is also used elsewhere \
         (`*env`), and milvet cannot give that use a copy of its own: write the change by hand \
         where only this service reads it"
    );
}

#[test]
fn an_immutable_file_is_reported_not_replaced() {
    let t = TempDir::new("safety-immutable");
    t.write("frozen.yml", GOOD);
    let frozen = t.path("frozen.yml");
    let chattr = |flag: &str| {
        Command::new("chattr")
            .args([flag, frozen.to_str().unwrap()])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !is_root() || !chattr("+i") {
        eprintln!("SKIPPED: an immutable file needs root and chattr on this file system");
        return;
    }
    let (code, v) = run(&t.root, &["check", "--fix", "frozen.yml"]);
    assert!(chattr("-i"));
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(
        error_message(&v, "frozen.yml"),
        "could not be fixed: `frozen.yml`: not writable: this user may not write it (mode 644, \
         owner 0, group 0)"
    );
    assert_eq!(t.read("frozen.yml"), GOOD);
}
