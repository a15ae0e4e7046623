//! Which files to check: the files named on the command line, and the Compose files and
//! `milvus.yaml` files found in the directories named.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// What a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A Compose file.
    Compose,
    /// A Milvus server configuration (`milvus.yaml`).
    MilvusConfig,
}

/// A file to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The path to show: as given, or the directory as given joined with the walked part.
    pub path: PathBuf,
    pub kind: FileKind,
}

/// Files checked together: the Compose files of one project, in merge order, or one Milvus
/// configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    pub files: Vec<PathBuf>,
    pub kind: FileKind,
}

/// A path that could not be walked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalkError {
    pub path: PathBuf,
    pub message: String,
}

/// Directory names never walked into (besides hidden ones).
const SKIPPED_DIRS: &[&str] = &["node_modules", "target"];

/// Hidden directories that hold Compose files by convention, walked like any other.
const HIDDEN_WALKED: &[&str] = &[".devcontainer"];

/// Whether a file name is one Docker Compose reads by default or one people give Compose
/// files: `compose.yaml`, `docker-compose.yml`, `compose.override.yaml`,
/// `docker-compose.prod.yml`, and any `*compose*.y(a)ml` (Milvus's own download is
/// `milvus-standalone-docker-compose.yml`; `docker-compose-milvus.yml` is common too).
pub fn is_compose_name(name: &str) -> bool {
    let Some(stem) = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
    else {
        return false;
    };
    stem.contains("compose")
}

/// Whether a directory is walked: not hidden (except the conventional ones), not
/// `node_modules` or `target`.
fn walked_dir(name: &str) -> bool {
    if name.starts_with('.') {
        return HIDDEN_WALKED.contains(&name);
    }
    !SKIPPED_DIRS.contains(&name)
}

/// The kind of a file found while walking, or `None` when it is not one milvet reads.
pub fn kind_of_name(name: &str) -> Option<FileKind> {
    if name == "milvus.yaml" {
        Some(FileKind::MilvusConfig)
    } else if is_compose_name(name) {
        Some(FileKind::Compose)
    } else {
        None
    }
}

/// Whether a `user.yaml` found while walking belongs to a Milvus deployment: its directory, or
/// the one above it (`configs/user.yaml`), holds a Compose file or a `milvus.yaml`. Elsewhere
/// the name is too common to be read as Milvus's.
fn beside_compose_or_milvus(path: &Path) -> bool {
    let has = |dir: &Path| {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| n == "milvus.yaml" || is_compose_name(n))
            })
        })
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    has(dir)
        || dir.parent().is_some_and(|p| {
            has(if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            })
        })
}

/// The kind of a file named on the command line: a Milvus configuration when it is called
/// `milvus.yaml` or `user.yaml`, a Compose file otherwise, whatever its name.
pub fn kind_of_explicit(path: &Path) -> FileKind {
    match path.file_name().and_then(|n| n.to_str()) {
        Some("milvus.yaml" | "user.yaml") => FileKind::MilvusConfig,
        _ => FileKind::Compose,
    }
}

/// Expand the paths given on the command line into files to check, in order: each file as is,
/// each directory walked (sorted by name, hidden directories, `node_modules` and `target`
/// skipped, symbolic links to directories not followed). Paths that do not exist are passed on
/// as targets, so that reading them reports the error in order.
pub fn discover(paths: &[PathBuf]) -> (Vec<Target>, Vec<WalkError>) {
    let mut targets = Vec::new();
    let mut errors = Vec::new();
    let implicit = paths.is_empty();
    let default = [PathBuf::from(".")];
    let roots = if implicit { &default[..] } else { paths };
    for root in roots {
        if !root.is_dir() {
            targets.push(Target {
                path: root.clone(),
                kind: kind_of_explicit(root),
            });
            continue;
        }
        let walker = walkdir::WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0
                    || !e.file_type().is_dir()
                    || e.file_name().to_str().is_some_and(walked_dir)
            });
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    errors.push(WalkError {
                        path: e.path().map_or_else(|| root.clone(), Path::to_path_buf),
                        message: e
                            .io_error()
                            .map_or_else(|| e.to_string(), ToString::to_string),
                    });
                    continue;
                }
            };
            // Only regular files (or links to them) are read: a FIFO or a device named like a
            // Compose file is skipped.
            if !entry.file_type().is_file() && !entry.file_type().is_symlink() {
                continue;
            }
            let kind = match entry.file_name().to_str() {
                Some("user.yaml") if beside_compose_or_milvus(entry.path()) => {
                    Some(FileKind::MilvusConfig)
                }
                Some(name) => kind_of_name(name),
                None => None,
            };
            let Some(kind) = kind else {
                continue;
            };
            // A symbolic link is checked when it leads to a file.
            if entry.file_type().is_symlink() && !entry.path().is_file() {
                continue;
            }
            let path = if implicit {
                entry
                    .path()
                    .strip_prefix(".")
                    .unwrap_or(entry.path())
                    .to_path_buf()
            } else {
                entry.path().to_path_buf()
            };
            targets.push(Target { path, kind });
        }
    }
    (targets, errors)
}

/// The default Compose files of a directory, as `docker compose` picks them: the first of
/// each family's main file, and its override file.
const FAMILIES: [(&[&str], &[&str]); 2] = [
    (
        &["compose.yaml", "compose.yml"],
        &["compose.override.yaml", "compose.override.yml"],
    ),
    (
        &["docker-compose.yml", "docker-compose.yaml"],
        &[
            "docker-compose.override.yml",
            "docker-compose.override.yaml",
        ],
    ),
];

/// The default project of a directory that holds `file`, when `file` is one of its default
/// Compose files: the family's main file and its override, those that `exists`, in merge
/// order.
fn default_project(file: &Path, exists: &dyn Fn(&Path) -> bool) -> Option<Vec<PathBuf>> {
    let name = file.file_name()?.to_str()?;
    let dir = file.parent().unwrap_or(Path::new(""));
    let (mains, overrides) = FAMILIES
        .into_iter()
        .find(|(m, o)| m.contains(&name) || o.contains(&name))?;
    let first = |names: &[&str]| {
        names
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.as_path() == file || exists(p))
    };
    let project: Vec<PathBuf> = first(mains).into_iter().chain(first(overrides)).collect();
    project.iter().any(|p| p == file).then_some(project)
}

/// Like [`discover`], grouped into units as Docker Compose groups files into projects: a
/// directory's main Compose file and its override file are one project, whether they were
/// found by walking or named on the command line (naming only `compose.override.yaml` checks
/// it with its `compose.yaml`, as `docker compose` in that directory reads them); every other
/// file is a unit of its own. A file named twice, or named and found, is checked once.
pub fn units(paths: &[PathBuf]) -> (Vec<Unit>, Vec<WalkError>) {
    let (targets, errors) = discover(paths);
    let explicit: HashSet<&PathBuf> = paths.iter().filter(|p| !p.is_dir()).collect();
    // Walked files are looked up among those found; a file named on the command line finds
    // its partner on disk.
    let walked: HashSet<&Path> = targets
        .iter()
        .filter(|t| !explicit.contains(&t.path))
        .map(|t| t.path.as_path())
        .collect();
    let on_disk = |p: &Path| p.is_file();
    let among_walked = |p: &Path| walked.contains(p);
    // The same file may be named and found under two spellings only when a file is named.
    let key = |p: &PathBuf| {
        if explicit.is_empty() {
            p.clone()
        } else {
            std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())
        }
    };
    let mut units: Vec<Unit> = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    for t in &targets {
        let exists: &dyn Fn(&Path) -> bool = if explicit.contains(&t.path) {
            &on_disk
        } else {
            &among_walked
        };
        let files = match t.kind {
            FileKind::Compose => {
                default_project(&t.path, exists).unwrap_or_else(|| vec![t.path.clone()])
            }
            FileKind::MilvusConfig => vec![t.path.clone()],
        };
        if files.iter().any(|f| seen.contains(&key(f))) {
            continue;
        }
        seen.extend(files.iter().map(key));
        units.push(Unit {
            files,
            kind: t.kind,
        });
    }
    (units, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_names() {
        for n in [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yaml",
            "docker-compose.yml",
            "compose.override.yaml",
            "docker-compose.prod.yml",
        ] {
            assert!(is_compose_name(n), "{n}");
        }
        for n in [
            "milvus-standalone-docker-compose.yml",
            "docker-compose-milvus.yml",
            "mycompose.yaml",
        ] {
            assert!(is_compose_name(n), "{n}");
        }
        for n in [
            "compose.json",
            "docker-compose.",
            "milvus.yaml",
            "values.yml",
        ] {
            assert!(!is_compose_name(n), "{n}");
        }
        assert_eq!(kind_of_name("milvus.yaml"), Some(FileKind::MilvusConfig));
        assert_eq!(kind_of_name("values.yaml"), None);
    }
}
