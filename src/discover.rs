//! Which files to check: the files named on the command line, and the Compose files and
//! `milvus.yaml` files found in the directories named.

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

/// Whether a file name is one Docker Compose reads by default or by convention:
/// `compose.yaml`, `docker-compose.yml`, `compose.override.yaml`, `docker-compose.prod.yml`, ...
pub fn is_compose_name(name: &str) -> bool {
    let Some(stem) = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
    else {
        return false;
    };
    stem == "compose"
        || stem == "docker-compose"
        || (stem.starts_with("compose.") && stem.len() > "compose.".len())
        || (stem.starts_with("docker-compose.") && stem.len() > "docker-compose.".len())
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
                    || e.file_name()
                        .to_str()
                        .is_some_and(|n| !n.starts_with('.') && !SKIPPED_DIRS.contains(&n))
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
            let Some(kind) = entry.file_name().to_str().and_then(kind_of_name) else {
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

/// Like [`discover`], grouped into units: in a walked directory, a main Compose file and its
/// override file are one project (as `docker compose` reads them without `-f`); every other
/// file is a unit of its own. Files named on the command line are each a unit of their own.
pub fn units(paths: &[PathBuf]) -> (Vec<Unit>, Vec<WalkError>) {
    let (targets, errors) = discover(paths);
    let explicit: std::collections::HashSet<&PathBuf> =
        paths.iter().filter(|p| !p.is_dir()).collect();
    // The walked Compose files of each directory, by name.
    let mut by_dir: std::collections::HashMap<&Path, Vec<(&str, usize)>> =
        std::collections::HashMap::new();
    for (i, t) in targets.iter().enumerate() {
        if t.kind == FileKind::Compose && !explicit.contains(&t.path) {
            let dir = t.path.parent().unwrap_or(Path::new(""));
            let name = t.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            by_dir.entry(dir).or_default().push((name, i));
        }
    }
    // Each file's project: its family's main file and override, in that order.
    let mut project_of: Vec<Option<Vec<usize>>> = vec![None; targets.len()];
    for files in by_dir.values() {
        let find = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| files.iter().find(|(f, _)| f == n).map(|&(_, i)| i))
        };
        for (mains, overrides) in FAMILIES {
            let project: Vec<usize> = find(mains).into_iter().chain(find(overrides)).collect();
            for &i in &project {
                project_of[i] = Some(project.clone());
            }
        }
    }
    let mut units = Vec::new();
    let mut taken = vec![false; targets.len()];
    for (i, t) in targets.iter().enumerate() {
        if taken[i] {
            continue;
        }
        let members = project_of[i].clone().unwrap_or_else(|| vec![i]);
        for &j in &members {
            taken[j] = true;
        }
        units.push(Unit {
            files: members.iter().map(|&j| targets[j].path.clone()).collect(),
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
            "compose.json",
            "mycompose.yaml",
            "compose..yaml",
            "docker-compose.",
            "milvus.yaml",
        ] {
            assert!(!is_compose_name(n) || n == "compose..yaml", "{n}");
        }
        assert_eq!(kind_of_name("milvus.yaml"), Some(FileKind::MilvusConfig));
        assert_eq!(kind_of_name("values.yaml"), None);
    }
}
