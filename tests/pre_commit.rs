//! The shipped pre-commit hooks (.pre-commit-hooks.yaml), run by the real `pre-commit` on a
//! temporary repository whose `.pre-commit-config.yaml` points at a snapshot of this checkout
//! (its tracked and new files, committed in a temporary git repository, at that commit).
//!
//! `language: rust` makes pre-commit `cargo install` milvet from that snapshot. The snapshot's
//! commit depends only on its files, and pre-commit's store and cargo's build directory are kept
//! in target/pre-commit, so a run after one with the same sources reuses the installed hook, and
//! one after a change recompiles milvet alone, unoptimised. Crates come from the usual cargo
//! home (offline); nothing else is downloaded.

mod common;

use common::{TempDir, readme_snippet, tool};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=milvet",
            "-c",
            "user.email=milvet@localhost",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        // Fixed dates: the same files give the same commit.
        .env("GIT_AUTHOR_DATE", "2025-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2025-01-01T00:00:00Z")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A git repository holding this checkout's files as they are now, committed; its path and
/// commit.
fn snapshot(into: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = git(root, &["ls-files", "-co", "--exclude-standard"]);
    for f in files.lines() {
        // What `cargo install` needs: the manifest, the sources and what they include.
        let keep = ["Cargo.toml", "Cargo.lock", ".pre-commit-hooks.yaml"].contains(&f)
            || ["src/", "rules/", "schema/"]
                .iter()
                .any(|d| f.starts_with(d));
        let from = root.join(f);
        if !keep || !from.is_file() {
            continue;
        }
        let to = into.join(f);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
    git(into, &["init", "-q"]);
    git(into, &["add", "-A"]);
    git(into, &["commit", "-q", "-m", "snapshot"]);
    git(into, &["rev-parse", "HEAD"])
}

const COMPOSE: &str = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    command: etcd --data-dir /etcd
    volumes:
      - ./volumes/etcd:/etcd
";

/// The override turns off compaction by setting a periodic mode.
const OVERRIDE: &str = "services:
  etcd:
    environment:
      ETCD_AUTO_COMPACTION_MODE: periodic
      ETCD_AUTO_COMPACTION_RETENTION: \"1000\"
";

struct PreCommit {
    exe: PathBuf,
    home: PathBuf,
    target: PathBuf,
}

impl PreCommit {
    fn run(&self, repo: &Path, args: &[&str]) -> Output {
        Command::new(&self.exe)
            .args(args)
            .current_dir(repo)
            .env("PRE_COMMIT_HOME", &self.home)
            .env("CARGO_TARGET_DIR", &self.target)
            .env("CARGO_NET_OFFLINE", "true")
            // The hook's behaviour, not its speed, is tested: an unoptimised build takes a
            // fraction of the time of an optimised one, and without the release profile's
            // whole-program optimisation (fat LTO, one codegen unit) a change recompiles in
            // parallel and links at once.
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
            .env_remove("NO_COLOR")
            .output()
            .expect("run pre-commit")
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn hooks_judge_the_whole_project_and_fix_it() {
    let Some(exe) = tool("pre-commit") else {
        return;
    };
    let t = TempDir::new("pre-commit");
    let kept = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pre-commit");
    let hooks = kept.join("snapshot");
    let _ = std::fs::remove_dir_all(&hooks);
    std::fs::create_dir_all(&hooks).unwrap();
    let rev = snapshot(&hooks);
    let repo = t.path("project");
    t.write("project/deploy/compose.yaml", COMPOSE);
    t.write("project/deploy/compose.override.yaml", OVERRIDE);
    t.write("project/README.md", "a project\n");
    // The configuration README.md gives, pointed at the snapshot.
    let config = readme_snippet("pre-commit")
        .replace(
            "repo: https://github.com/milvet/milvet",
            &format!("repo: {}", hooks.display()),
        )
        .replace("rev: v0.1.0", &format!("rev: {rev}"));
    assert!(config.contains(&rev), "{config}");
    t.write("project/.pre-commit-config.yaml", config);
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    let pc = PreCommit {
        exe,
        home: kept.join("home"),
        target: kept.join("target"),
    };
    // A commit of an unrelated file does not run the hook.
    let out = pc.run(&repo, &["run", "milvet", "--files", "README.md"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("(no files to check)Skipped"),
        "{}",
        text(&out)
    );
    // A commit touching only the override file: the merged project is judged, the finding is
    // in the override.
    let out = pc.run(
        &repo,
        &["run", "milvet", "--files", "deploy/compose.override.yaml"],
    );
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("deploy/compose.override.yaml:4:34: warning[etcd-compaction-mode]"),
        "{said}"
    );
    // The fix hook rewrites the override, and says so by failing once.
    let out = pc.run(
        &repo,
        &[
            "run",
            "milvet-fix",
            "--hook-stage",
            "manual",
            "--files",
            "deploy/compose.override.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("files were modified by this hook"),
        "{}",
        text(&out)
    );
    assert_eq!(
        t.read("project/deploy/compose.override.yaml"),
        OVERRIDE.replace("periodic", "revision")
    );
    assert_eq!(t.read("project/deploy/compose.yaml"), COMPOSE);
    // Fixed, the check passes.
    let out = pc.run(&repo, &["run", "milvet", "--all-files"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("milvet") && text(&out).contains("Passed"),
        "{}",
        text(&out)
    );
}

#[test]
fn the_hooks_files_pattern_matches_what_milvet_reads_at_any_depth() {
    let manifest = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    let patterns: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.trim().strip_prefix("files: "))
        .collect();
    assert_eq!(patterns.len(), 2);
    assert_eq!(patterns[0], patterns[1]);
    // pre-commit searches the path with Python's `re`; this pattern reads the same in Rust's.
    let re = regex::Regex::new(patterns[0]).unwrap();
    for yes in [
        "compose.yaml",
        "compose.override.yml",
        "docker-compose.yml",
        "deploy/prod/docker-compose.prod.yaml",
        "stacks/milvus-compose.yml",
        "milvus.yaml",
        "configs/milvus/user.yaml",
        ".env",
        "deploy/.env",
    ] {
        assert!(re.is_match(yes), "{yes} should run the hooks");
    }
    for no in [
        "README.md",
        "compose.json",
        "compose.yaml.bak",
        "deploy/compose/README.md",
        "values.yaml",
        ".envrc",
        "prod.env",
    ] {
        assert!(!re.is_match(no), "{no} should not run the hooks");
    }
}
