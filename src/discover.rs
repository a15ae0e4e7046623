//! Which files to check: the files named on the command line, and the Compose files and
//! `milvus.yaml` files found in the directories named.

use crate::fs_cache::{self, FsCache};
use std::collections::{HashMap, HashSet};
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
    /// The directory whose `COMPOSE_FILE` chose `files` (Docker Compose, run there, also
    /// reads its `.env`); `None` for the default files of a directory or files named.
    pub run_dir: Option<PathBuf>,
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
    let (events, errors, _) = walk_cached(paths);
    let targets = events
        .into_iter()
        .filter_map(|e| match e {
            Walked::File(t) => Some(t),
            Walked::Dir(_) => None,
        })
        .collect();
    (targets, errors)
}

/// What a walk meets, in order: a directory (before what it holds), or a file to check.
pub(crate) enum Walked {
    Dir(PathBuf),
    File(Target),
}

/// [`discover`], with the directories walked too, and what the walk saw of them.
pub(crate) fn walk_cached(paths: &[PathBuf]) -> (Vec<Walked>, Vec<WalkError>, FsCache) {
    let mut targets = Vec::new();
    let mut errors = Vec::new();
    let mut cache = FsCache::new();
    let implicit = paths.is_empty();
    let default = [PathBuf::from(".")];
    let roots = if implicit { &default[..] } else { paths };
    for root in roots {
        if !root.is_dir() {
            targets.push(Walked::File(Target {
                path: root.clone(),
                kind: kind_of_explicit(root),
            }));
            continue;
        }
        // Every entry met under the root, for the cache (the filter sees them all, the
        // directories it skips too); none is recorded when the walk meets an error.
        let mut seen = cache.walk(root);
        let mut failed = false;
        let walker = walkdir::WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                let walked = e.depth() == 0
                    || !e.file_type().is_dir()
                    || e.file_name().to_str().is_some_and(walked_dir);
                if e.depth() > 0
                    && let Some(seen) = &mut seen
                {
                    seen.saw(e.path(), fs_cache::Kind::of(e.file_type()), walked);
                }
                walked
            });
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    failed = true;
                    errors.push(WalkError {
                        path: e.path().map_or_else(|| root.clone(), Path::to_path_buf),
                        message: e
                            .io_error()
                            .map_or_else(|| e.to_string(), ToString::to_string),
                    });
                    continue;
                }
            };
            let shown = |p: &Path| {
                if implicit {
                    p.strip_prefix(".").unwrap_or(p).to_path_buf()
                } else {
                    p.to_path_buf()
                }
            };
            if entry.file_type().is_dir() {
                targets.push(Walked::Dir(shown(entry.path())));
                continue;
            }
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
            targets.push(Walked::File(Target {
                path: shown(entry.path()),
                kind,
            }));
        }
        if let Some(seen) = seen
            && !failed
        {
            cache.add_walk(seen);
        }
    }
    (targets, errors, cache)
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
    units_in(paths, &Environment::default())
}

/// What Docker Compose reads, besides a directory's files, to choose them: the shell's
/// variables and the `--env-file`s (empty: the directory's `.env`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Environment<'a> {
    pub shell: Option<&'a HashMap<String, String>>,
    pub env_files: &'a [PathBuf],
}

/// The files `COMPOSE_FILE` names for the project of directory `dir` (shown as walked: empty
/// for the current directory walked implicitly), split at `COMPOSE_PATH_SEPARATOR` (default
/// `:`), as Docker Compose chooses them when it runs in `dir` without `-f`: from the shell,
/// else from the `--env-file`s, else from `dir/.env` (whose values may read the shell's and
/// earlier lines' variables). Relative paths are relative to `dir`. The shell and the
/// `--env-file`s speak for the current directory only (`cwd`: where milvet runs); another
/// directory walked is read as `cd DIR && docker compose` reads it with its own `.env`.
fn compose_file(
    dir: &Path,
    cwd: Option<&Path>,
    env: &Environment<'_>,
    fs: &FsCache,
) -> Option<Vec<PathBuf>> {
    let here = dir.as_os_str().is_empty()
        || cwd.is_some_and(|c| fs.canonicalize(dir).is_ok_and(|d| d == c));
    let empty = HashMap::new();
    let shell = env.shell.unwrap_or(&empty);
    let mut vars: HashMap<String, String> = HashMap::new();
    if here {
        for k in [COMPOSE_FILE, COMPOSE_PATH_SEPARATOR] {
            if let Some(v) = shell.get(k) {
                vars.insert(k.to_string(), v.clone());
            }
        }
    }
    let dotenv = [dir.join(".env")];
    // A true `COMPOSE_DISABLE_ENV_FILE` in the shell keeps Docker Compose from reading the
    // `.env` at all (one in the `.env` itself counts only after its `COMPOSE_FILE` is read).
    let disabled = shell
        .get("COMPOSE_DISABLE_ENV_FILE")
        .is_some_and(|v| matches!(v.as_str(), "1" | "t" | "T" | "TRUE" | "true" | "True"));
    let files: &[PathBuf] = match (here, env.env_files.is_empty()) {
        (_, true) if disabled => &[],
        (_, true) => &dotenv,
        (true, false) => env.env_files,
        (false, false) => &[],
    };
    let mut read: HashMap<String, String> = HashMap::new();
    for f in files {
        if fs.absent(f) {
            continue;
        }
        let Ok((bytes, _)) =
            crate::source::read_regular(f, crate::yaml::Limits::default().max_bytes)
        else {
            continue;
        };
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        let lookup = |n: &str| shell.get(n).or_else(|| read.get(n)).cloned();
        let Ok(entries) = crate::compose::dotenv::parse(&text, &lookup) else {
            continue;
        };
        for e in entries {
            if let Some(v) = e.value {
                read.insert(e.key, v);
            }
        }
    }
    for (k, v) in read {
        vars.entry(k).or_insert(v);
    }
    let list = vars.get(COMPOSE_FILE)?;
    let sep = vars
        .get(COMPOSE_PATH_SEPARATOR)
        .filter(|s| !s.is_empty())
        .map_or(":", String::as_str);
    Some(
        list.split(sep)
            .map(|f| match crate::project::in_dir(dir, f) {
                // An empty entry names the directory itself, which Docker Compose cannot read.
                p if p.as_os_str().is_empty() => PathBuf::from("."),
                p => p,
            })
            .collect(),
    )
}

const COMPOSE_FILE: &str = "COMPOSE_FILE";
const COMPOSE_PATH_SEPARATOR: &str = "COMPOSE_PATH_SEPARATOR";

/// [`units`], with `COMPOSE_FILE` (and `COMPOSE_PATH_SEPARATOR`) honoured as Docker Compose
/// honours them (see [`compose_file`]): a directory whose environment names its files is one
/// project of those files, in that order, instead of its default files; its default files are
/// not checked alone (Docker Compose in that directory never reads them), and naming one of
/// the files it lists checks the whole project.
pub fn units_in(paths: &[PathBuf], env: &Environment<'_>) -> (Vec<Unit>, Vec<WalkError>) {
    let (units, errors, _) = units_cached(paths, env);
    (units, errors)
}

/// [`units_in`], and what the walk saw of the directories walked, to answer later questions
/// about them without asking the disk again (see [`crate::fs_cache`]).
pub fn units_cached(
    paths: &[PathBuf],
    env: &Environment<'_>,
) -> (Vec<Unit>, Vec<WalkError>, FsCache) {
    let (events, errors, fs) = walk_cached(paths);
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| std::fs::canonicalize(c).ok());
    // The directories whose environment names their files, and those files.
    let mut chosen: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
    let dir_of_target = |p: &Path, chosen: &mut HashMap<PathBuf, Vec<PathBuf>>| {
        let dir = p.parent().unwrap_or(Path::new("")).to_path_buf();
        if !chosen.contains_key(&dir)
            && let Some(files) = compose_file(&dir, cwd.as_deref(), env, &fs)
        {
            chosen.insert(dir.clone(), files);
        }
        dir
    };
    let mut targets: Vec<Target> = Vec::new();
    let mut order: Vec<Result<PathBuf, usize>> = Vec::new();
    for e in events {
        match e {
            Walked::Dir(d) => {
                if let Some(files) = compose_file(&d, cwd.as_deref(), env, &fs) {
                    chosen.insert(d.clone(), files);
                    order.push(Ok(d));
                }
            }
            Walked::File(t) => {
                order.push(Err(targets.len()));
                targets.push(t);
            }
        }
    }
    let explicit: HashSet<&PathBuf> = paths.iter().filter(|p| !p.is_dir()).collect();
    // A file named on the command line belongs to its directory's chosen project when that
    // project lists it.
    for t in targets.iter().filter(|t| explicit.contains(&t.path)) {
        let _ = dir_of_target(&t.path, &mut chosen);
    }
    // Walked files are looked up among those found; a file named on the command line finds
    // its partner on disk.
    let walked: HashSet<&Path> = targets
        .iter()
        .filter(|t| !explicit.contains(&t.path))
        .map(|t| t.path.as_path())
        .collect();
    let on_disk = |p: &Path| fs.is_file(p);
    let among_walked = |p: &Path| walked.contains(p);
    // The same file may be named and found under two spellings only when a file is named.
    let key = |p: &PathBuf| {
        if explicit.is_empty() {
            p.clone()
        } else {
            fs.canonicalize(p).unwrap_or_else(|_| p.clone())
        }
    };
    let mut units: Vec<Unit> = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let canonical = |p: &Path| fs.canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    for item in order {
        let t = match item {
            Ok(dir) => {
                let files = chosen[&dir].clone();
                if files.iter().any(|f| seen.contains(&key(f))) {
                    continue;
                }
                seen.extend(files.iter().map(key));
                units.push(Unit {
                    files,
                    kind: FileKind::Compose,
                    run_dir: Some(dir),
                });
                continue;
            }
            Err(i) => &targets[i],
        };
        let dir = t.path.parent().unwrap_or(Path::new(""));
        let named = explicit.contains(&t.path);
        let project = chosen.get(dir).filter(|_| t.kind == FileKind::Compose);
        let mut run_dir = None;
        let files = match project {
            // Named, and listed by its directory's environment: that project.
            Some(files) if named && files.iter().any(|f| canonical(f) == canonical(&t.path)) => {
                run_dir = Some(dir.to_path_buf());
                files.clone()
            }
            // Found, in a directory whose environment chooses other files: Docker Compose
            // there reads those; a default file is not read at all, another file is checked
            // alone.
            Some(files) if !named => {
                if files.iter().any(|f| key(f) == key(&t.path))
                    || default_project(&t.path, &|_| false).is_some()
                {
                    continue;
                }
                vec![t.path.clone()]
            }
            _ => {
                let exists: &dyn Fn(&Path) -> bool = if named { &on_disk } else { &among_walked };
                match t.kind {
                    FileKind::Compose => {
                        default_project(&t.path, exists).unwrap_or_else(|| vec![t.path.clone()])
                    }
                    FileKind::MilvusConfig => vec![t.path.clone()],
                }
            }
        };
        if files.iter().any(|f| seen.contains(&key(f))) {
            continue;
        }
        seen.extend(files.iter().map(key));
        units.push(Unit {
            files,
            kind: t.kind,
            run_dir,
        });
    }
    (units, errors, fs)
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
