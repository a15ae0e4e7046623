//! Projects: the files Docker Compose reads together, and the model they add up to.
//!
//! A project is one or more Compose files merged in order (a `compose.yaml` and its
//! `compose.override.yaml`, or the `-f` files), interpolated with the project's variables (the
//! shell, then the `.env` beside the first file or the `--env-file` files). Each file's
//! documents merge in order too. `include` pulls in other projects (each with its own directory
//! and `.env`), `extends` bases a service on another (in this file or another), and `env_file`
//! adds variables to a service's environment (`environment` wins). Every file read is kept, so
//! that a finding can point into the one where the deciding value is written.

use crate::compose::merge::{merge, merge_all, merge_service};
use crate::compose::{
    ComposeFile, Env, EnvVar, Field, FileId, Origin, Problem, Service, Sharing, Text, VarOrigin,
    dotenv,
};
use crate::fs_cache::FsCache;
use crate::source::{LineIndex, Position, Span};
use crate::yaml::{self, Limits, NodeId, Tree};
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// What a file of a project is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A Compose file named as part of the project (given, or found as a default file).
    Entry,
    /// A Compose file pulled in by `include` or `extends`.
    Referenced,
    /// A `.env` or `--env-file` file.
    DotEnv,
    /// A service's `env_file`.
    EnvFile,
    /// A host file a service bind-mounts where its program reads a configuration (see
    /// [`crate::mounted`]).
    Mounted,
}

/// A file of a project.
#[derive(Clone, Debug)]
pub struct LoadedFile {
    /// The path as shown: as given, or joined to the directory of the file referring to it.
    pub path: PathBuf,
    pub role: Role,
    pub text: Arc<str>,
    /// The span tree (empty for env files).
    pub tree: Tree,
}

/// Why a file could not be read or parsed, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub path: PathBuf,
    pub message: String,
    /// Byte offset and position, when the problem has one.
    pub at: Option<(usize, Position)>,
    /// The text, when it could be read.
    pub text: Option<Arc<str>>,
}

/// Reads files for a project: from disk, or from texts being fixed.
pub trait Reader {
    /// The text of `path`; `Ok(None)` when the file does not exist. What `fs` knows to be
    /// missing is not looked for on disk.
    fn read(&self, path: &Path, limits: &Limits, fs: &FsCache)
    -> Result<Option<String>, LoadError>;
}

/// Reads from disk.
pub struct Disk;

impl Reader for Disk {
    fn read(
        &self,
        path: &Path,
        limits: &Limits,
        fs: &FsCache,
    ) -> Result<Option<String>, LoadError> {
        read_known(path, limits, fs)
    }
}

/// Reads the given texts for their paths, and other files from disk (or, with `only`, as
/// missing).
pub struct Overlay<'a> {
    pub texts: HashMap<PathBuf, &'a str>,
    pub only: bool,
}

impl Reader for Overlay<'_> {
    fn read(
        &self,
        path: &Path,
        limits: &Limits,
        fs: &FsCache,
    ) -> Result<Option<String>, LoadError> {
        match self.texts.get(path) {
            Some(t) => Ok(Some((*t).to_string())),
            None if self.only => Ok(None),
            None => read_known(path, limits, fs),
        }
    }
}

/// [`read_file`], `Ok(None)` without asking the disk when `fs` knows the file is missing.
pub fn read_known(path: &Path, limits: &Limits, fs: &FsCache) -> Result<Option<String>, LoadError> {
    if fs.absent(path) {
        return Ok(None);
    }
    read_file(path, limits)
}

fn fail(path: &Path, message: String, at: Option<(usize, Position)>) -> LoadError {
    LoadError {
        path: path.to_path_buf(),
        message,
        at,
        text: None,
    }
}

/// Read a file as UTF-8 within the size limit; `Ok(None)` when it does not exist.
pub fn read_file(path: &Path, limits: &Limits) -> Result<Option<String>, LoadError> {
    let bytes = match crate::source::read_regular(path, limits.max_bytes) {
        Ok((bytes, _)) => bytes,
        Err(crate::source::ReadError::NotFound) => return Ok(None),
        Err(e) => return Err(fail(path, e.to_string(), None)),
    };
    String::from_utf8(bytes).map(Some).map_err(|e| {
        let bytes = e.as_bytes();
        let utf8 = e.utf8_error();
        let offset = utf8.valid_up_to();
        let prefix = String::from_utf8_lossy(&bytes[..offset]);
        let pos = LineIndex::new(&prefix).position(&prefix, prefix.len());
        let b = bytes[offset];
        let what = if utf8.error_len().is_none() {
            format!(
                "the file ends inside a character that byte 0x{b:02x} at line {}, column {} \
                 starts",
                pos.line, pos.column
            )
        } else if (0xC2..=0xF4).contains(&b) {
            format!(
                "byte 0x{b:02x} at line {}, column {} starts a character that the bytes after \
                 it do not complete",
                pos.line, pos.column
            )
        } else {
            format!(
                "byte 0x{b:02x} at line {}, column {} cannot start a character",
                pos.line, pos.column
            )
        };
        fail(
            path,
            format!("not valid UTF-8: {what}"),
            Some((offset, pos)),
        )
    })
}

pub fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Everything loading needs besides the files.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub limits: Limits,
    /// The shell's variables.
    pub shell: Arc<HashMap<String, String>>,
    /// `--env-file`s; when empty, the `.env` beside the first Compose file, if there is one.
    pub env_files: Vec<PathBuf>,
    /// What discovery saw of the directories walked (by default nothing: the disk is asked).
    pub fs: Arc<FsCache>,
}

/// A loaded project.
#[derive(Clone, Debug, Default)]
pub struct Project {
    /// Every file read, indexed by [`FileId`].
    pub files: Vec<LoadedFile>,
    /// The merged model; `None` when a Compose file of the project could not be loaded.
    pub model: Option<ComposeFile>,
    /// Files that could not be read or parsed.
    pub errors: Vec<LoadError>,
    /// The directory relative paths of each Compose file resolve against.
    pub dirs: HashMap<FileId, PathBuf>,
}

impl Project {
    /// A relative host path written in `file` as Docker Compose resolves it (against the
    /// file's project directory).
    pub fn host_path(&self, file: FileId, rel: &str) -> PathBuf {
        match self.dirs.get(&file) {
            Some(dir) => in_dir(dir, rel),
            None => PathBuf::from(rel),
        }
    }
}

/// How deep `include` and `extends` may nest.
const MAX_REFERENCE_DEPTH: usize = 32;

struct Loader<'a> {
    reader: &'a dyn Reader,
    options: &'a LoadOptions,
    project: Project,
    /// Files by path, so that a file read twice gets one id.
    ids: HashMap<PathBuf, FileId>,
    /// The directory relative paths written in a Compose file resolve against: its project's
    /// directory (the first file's, for every file of a `-f` list), or for a file only
    /// `extends` names, its own.
    dirs: HashMap<FileId, PathBuf>,
    /// The directory Docker Compose runs in, when its `COMPOSE_FILE` chose the files.
    run_dir: Option<PathBuf>,
}

/// Load a project from its Compose files, in merge order.
pub fn load(entries: &[PathBuf], options: &LoadOptions, reader: &dyn Reader) -> Project {
    load_in(entries, None, options, reader)
}

/// [`load`], as Docker Compose loads the project when it runs in `run_dir` and that
/// directory's `COMPOSE_FILE` names `entries`: its `.env` is read too, before the project
/// directory's.
pub fn load_in(
    entries: &[PathBuf],
    run_dir: Option<&Path>,
    options: &LoadOptions,
    reader: &dyn Reader,
) -> Project {
    let mut loader = Loader {
        reader,
        options,
        project: Project::default(),
        ids: HashMap::new(),
        dirs: HashMap::new(),
        run_dir: run_dir.map(Path::to_path_buf),
    };
    let mut stack = entries.first().cloned().into_iter().collect();
    let model = loader.load_project(
        entries,
        &options.env_files,
        Role::Entry,
        0,
        &mut stack,
        Scope::default(),
    );
    let mut project = loader.project;
    project.dirs = loader.dirs;
    if project.errors.is_empty() {
        project.model = model.map(|mut m| {
            empty_documents(&project.files, &mut m);
            project_name(&project.files, &project.dirs, &mut m);
            volumes_from(&mut m);
            dependency_cycles(&mut m);
            crate::mounted::read_all(
                &mut m,
                &mut project.files,
                &project.dirs,
                options.shell.get("HOME").map(String::as_str),
                reader,
                &options.limits,
                &options.fs,
            );
            m
        });
    }
    project
}

/// Report every empty document (no content, or a null) of the project's Compose files,
/// which Docker Compose refuses one by one ("top-level object must be a mapping"), unless the
/// project is empty as a whole (reported once, as such). Go's yaml.v3 and the YAML stage agree
/// on where documents are: a trailing `---` opens one, a trailing `...` does not.
fn empty_documents(files: &[LoadedFile], model: &mut ComposeFile) {
    if model
        .problems
        .iter()
        .any(|p| matches!(p, Problem::EmptyFile { .. }))
    {
        return;
    }
    for (i, f) in files.iter().enumerate() {
        if !matches!(f.role, Role::Entry | Role::Referenced) {
            continue;
        }
        for d in &f.tree.documents {
            let span = match d.root {
                None => Span::new(0, 0),
                Some(r) if f.tree.is_null(r) => {
                    let span = f.tree.span(r);
                    match f.text[..span.start].rfind("---") {
                        // Nothing written: the `---` that opens the document.
                        Some(at) if span.is_empty() => Span::new(at, at + 3),
                        _ => span,
                    }
                }
                Some(_) => continue,
            };
            model.problems.push(Problem::EmptyDocument {
                at: Origin {
                    file: FileId(i as u32),
                    span,
                },
            });
        }
    }
}

/// Report a top-level `name` that leaves the project without a name, as compose-go v2.9.1
/// decides it (`projectName`, `NormalizeProjectName`): unless `COMPOSE_PROJECT_NAME` names the
/// project, the last non-empty `name` of the project's files (any document) names it, once
/// interpolated and normalised (lowercased, all but letters, digits, `-` and `_` dropped, then
/// leading `-` and `_`). An empty result is refused when the first document of a file writes a
/// `name` (Compose then takes no directory name instead). Otherwise the project directory's
/// name names it, and is refused when it is empty once normalised (`___`, `部署`): the
/// `docker compose` command refuses a project without a name.
fn project_name(files: &[LoadedFile], dirs: &HashMap<FileId, PathBuf>, model: &mut ComposeFile) {
    if model
        .env
        .lookup("COMPOSE_PROJECT_NAME")
        .is_some_and(|n| !n.is_empty())
    {
        return;
    }
    let mut named = false;
    let mut last: Option<(FileId, NodeId)> = None;
    for (i, f) in files.iter().enumerate() {
        if f.role != Role::Entry {
            continue;
        }
        for (d, doc) in f.tree.documents.iter().enumerate() {
            let Some(node) = doc.root.and_then(|r| f.tree.get(r, "name")) else {
                continue;
            };
            let node = f.tree.resolve(node);
            if f.tree.is_null(node) || f.tree.scalar(node).is_none_or(str::is_empty) {
                continue;
            }
            named |= d == 0;
            last = Some((FileId(i as u32), node));
        }
    }
    if let Some((file, node)) = last {
        let f = &files[file.0 as usize];
        let Some(name) = Text::read(&f.tree, &f.text, file, node, &model.env) else {
            return;
        };
        if !normalise_project_name(&name.value).is_empty() {
            return;
        }
        if named {
            model.problems.push(Problem::EmptyProjectName {
                written: f.tree.scalar(node).unwrap_or_default().to_string(),
                directory: false,
                at: name.place(),
            });
            return;
        }
    }
    // No file names the project: Compose takes the project directory's name (the base of its
    // absolute path, as `filepath.Abs` gives it, symbolic links kept), normalised.
    let Some(dir) = dirs.get(&FileId(0)) else {
        return;
    };
    let Some(base) = std::path::absolute(dir)
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
    else {
        return;
    };
    if normalise_project_name(&base).is_empty() {
        model.problems.push(Problem::EmptyProjectName {
            written: base,
            directory: true,
            at: Origin {
                file: FileId(0),
                span: Span::new(0, 0),
            },
        });
    }
}

/// A project name as compose-go v2.9.1's `NormalizeProjectName` makes it: lowercased, all
/// but ASCII letters, digits, `-` and `_` dropped, then the leading `-` and `_`.
fn normalise_project_name(name: &str) -> String {
    let kept: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_'))
        .collect();
    kept.trim_start_matches(['-', '_']).to_string()
}

/// Give each service the mounts of the services its `volumes_from` names (read-only with
/// `:ro`), as Docker does when it creates the container: its own mount on the same target
/// wins. `tmpfs` mounts are not shared; `container:` sources are outside the project.
fn volumes_from(model: &mut ComposeFile) {
    for i in 0..model.services.len() {
        let mut seen = vec![model.services[i].name.value.clone()];
        let mut added: Vec<crate::compose::Mount> = Vec::new();
        let mut queue: Vec<(String, bool)> = model.services[i]
            .volumes_from
            .iter()
            .filter_map(|t| parse_volumes_from(&t.value))
            .collect();
        while let Some((name, ro)) = queue.pop() {
            if seen.contains(&name) {
                continue;
            }
            seen.push(name.clone());
            let Some(from) = model.services.iter().find(|s| s.name.value == name) else {
                continue;
            };
            for m in &from.mounts {
                if m.from_tmpfs_key || m.kind == crate::compose::MountKind::Tmpfs {
                    continue;
                }
                let mut m = m.clone();
                m.read_only |= ro;
                if m.from_service.is_none() {
                    m.from_service = Some(name.clone());
                }
                added.push(m);
            }
            // What that service has through its own `volumes_from`, too.
            for t in &from.volumes_from {
                if let Some((n, r)) = parse_volumes_from(&t.value) {
                    queue.insert(0, (n, ro || r));
                }
            }
        }
        let own = &model.services[i].mounts;
        let target = |m: &crate::compose::Mount| crate::compose::normalize_path(&m.target.value);
        added.retain(|m| !own.iter().any(|o| target(o) == target(m)));
        let mut unique: Vec<crate::compose::Mount> = Vec::new();
        for m in added {
            if !unique.iter().any(|u| target(u) == target(&m)) {
                unique.push(m);
            }
        }
        model.services[i].mounts.extend(unique);
    }
}

/// Give each finding in a service's env file a related place at the `env_file` entry that
/// names that file (each entry, for a finding of no one service), so that the report shows
/// where the Compose file reads it.
pub fn relate_env_files(project: &Project, diagnostics: &mut [crate::diagnostic::Diagnostic]) {
    let Some(model) = &project.model else { return };
    let id_of = |path: &Path| {
        project
            .files
            .iter()
            .position(|f| f.role == Role::EnvFile && f.path == path)
            .map(|i| FileId(i as u32))
    };
    // (env file, service, where the service names it)
    let mut named: Vec<(FileId, &str, Origin)> = Vec::new();
    for s in &model.services {
        for r in &s.env_files {
            let path = project.host_path(r.path.origin.file, &r.path.value);
            if let Some(id) = id_of(&path) {
                named.push((id, s.name.value.as_str(), r.path.place()));
            }
        }
    }
    if named.is_empty() {
        return;
    }
    for d in diagnostics.iter_mut() {
        for (id, service, at) in &named {
            let mine = d.service.as_deref().is_none_or(|s| s == *service);
            if d.origin.file == *id && mine && !d.related.iter().any(|r| r.origin == *at) {
                d.related.push(crate::diagnostic::Related {
                    origin: *at,
                    label: format!("env file read by service `{service}` here"),
                });
            }
        }
    }
}

/// The services `service` depends on without its `depends_on` naming them, as Docker Compose
/// adds them to `depends_on` (`service_started`, required): each `links` entry
/// (`name[:alias]`), the `network_mode` and each `ipc`, `pid` or `uts` of `service:name`
/// (`cgroup` is `host` or `private`), and each `volumes_from` entry that is not
/// `container:...`; with where each is written. Every value is read once interpolated and
/// merged, as Compose reads it. A service `depends_on` already names is not repeated.
pub fn implied_dependencies(service: &Service) -> Vec<(String, Origin)> {
    let mut out: Vec<(String, Origin)> = Vec::new();
    let mut add = |name: &str, at: Origin| {
        if !service.depends_on.iter().any(|d| d.service.value == name)
            && !out.iter().any(|(n, _)| n == name)
        {
            out.push((name.to_string(), at));
        }
    };
    for (_, name, at) in service.net.namespace_services() {
        add(name, at.origin);
    }
    for (name, link) in service.net.linked_services() {
        add(name, link.origin);
    }
    // The merged `network_mode` (an override file's replaces the base's).
    if let Some((name, mode)) = service.net.network_mode_service() {
        add(name, mode.origin);
    }
    for v in &service.volumes_from {
        if !v.value.starts_with("container:") {
            add(v.value.split(':').next().unwrap_or(""), v.origin);
        }
    }
    out
}

/// Report the cycles of service dependencies (`depends_on`, whether required or not, and
/// the dependencies `links`, namespaces and `volumes_from` imply), which Docker Compose
/// refuses ("dependency cycle detected: a -> b -> a"): one problem a cycle, at the
/// dependency that closes it.
fn dependency_cycles(model: &mut ComposeFile) {
    let index: HashMap<&str, usize> = model
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.value.as_str(), i))
        .collect();
    let edges: Vec<Vec<(usize, Origin)>> = model
        .services
        .iter()
        .map(|s| {
            s.depends_on
                .iter()
                .map(|d| (d.service.value.clone(), d.service.origin))
                .chain(implied_dependencies(s))
                .filter_map(|(n, at)| index.get(n.as_str()).map(|&j| (j, at)))
                .collect()
        })
        .collect();
    // Depth first, without recursion (a chain may be as long as the file is).
    let n = model.services.len();
    let mut state = vec![0u8; n]; // 0 not seen, 1 on the path, 2 done
    let mut found: Vec<(Vec<usize>, Origin)> = Vec::new();
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut path: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            let Some(&(to, at)) = edges[node].get(*next) else {
                state[node] = 2;
                path.pop();
                continue;
            };
            *next += 1;
            match state[to] {
                0 => {
                    state[to] = 1;
                    path.push((to, 0));
                }
                1 => {
                    let from = path.iter().position(|(p, _)| *p == to).unwrap_or(0);
                    let mut members: Vec<usize> = path[from..].iter().map(|(p, _)| *p).collect();
                    members.push(to);
                    found.push((members, at));
                }
                _ => {}
            }
        }
    }
    let mut seen: Vec<Vec<usize>> = Vec::new();
    for (members, at) in found {
        let mut set = members.clone();
        set.sort_unstable();
        set.dedup();
        if seen.contains(&set) {
            continue;
        }
        seen.push(set);
        let chain: Vec<&str> = members
            .iter()
            .map(|&i| model.services[i].name.value.as_str())
            .collect();
        model.problems.push(Problem::Cycle {
            chain: format!("service dependencies: {}", chain.join(" → ")),
            at,
        });
    }
}

/// `service[:ro|:rw]` as (service, read-only); `None` for `container:name`.
fn parse_volumes_from(spec: &str) -> Option<(String, bool)> {
    let mut parts = spec.split(':');
    let first = parts.next()?;
    if first == "container" {
        return None;
    }
    let ro = parts.next() == Some("ro");
    Some((first.to_string(), ro))
}

/// `rel` joined to the directory of `base` (a file), `./` and `a/..` removed; an absolute
/// `rel` is kept.
pub fn beside(base: &Path, rel: &str) -> PathBuf {
    in_dir(base.parent().unwrap_or(Path::new("")), rel)
}

/// `rel` joined to `dir`, `./` and `a/..` removed; an absolute `rel` is kept.
/// Docker Compose's switch that turns the default `.env` files off.
const DISABLE_ENV_FILE: &str = "COMPOSE_DISABLE_ENV_FILE";

/// A boolean as Go's `strconv.ParseBool` reads it.
fn go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Whether two directories are one (as written, or once resolved on disk).
fn same_dir(a: &Path, b: &Path, fs: &FsCache) -> bool {
    let canonical = |p: &Path| {
        let p = if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        };
        fs.canonicalize(p).ok()
    };
    a == b || canonical(a).is_some_and(|x| Some(x) == canonical(b))
}

pub fn in_dir(dir: &Path, rel: &str) -> PathBuf {
    let rel = Path::new(rel);
    let joined = if rel.is_absolute() {
        rel.to_path_buf()
    } else {
        dir.join(rel)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            c => out.push(c.as_os_str()),
        }
    }
    out
}

impl Loader<'_> {
    fn add_file(&mut self, path: PathBuf, role: Role, text: String, tree: Tree) -> FileId {
        let id = FileId(self.project.files.len() as u32);
        self.ids.insert(path.clone(), id);
        self.project.files.push(LoadedFile {
            path,
            role,
            text: Arc::from(text),
            tree,
        });
        id
    }

    /// Read and parse a Compose file once; `Ok(None)` when it does not exist.
    fn compose_file(&mut self, path: &Path, role: Role) -> Result<Option<FileId>, ()> {
        if let Some(&id) = self.ids.get(path) {
            return Ok(Some(id));
        }
        let text = match self
            .reader
            .read(path, &self.options.limits, &self.options.fs)
        {
            Ok(Some(t)) => t,
            Ok(None) => return Ok(None),
            Err(e) => {
                self.project.errors.push(e);
                return Err(());
            }
        };
        // Comments are read only for `milvet:` directives (suppress.rs): without one, the
        // parser need not collect them.
        match yaml::parse_with(&text, &self.options.limits, text.contains("milvet:")) {
            Ok(tree) => {
                let top_ok = tree
                    .documents
                    .iter()
                    .all(|d| d.root.is_none_or(|r| tree.is_mapping(r) || tree.is_null(r)));
                if !top_ok {
                    let offset = tree
                        .documents
                        .iter()
                        .filter_map(|d| d.root)
                        .find(|&r| !tree.is_mapping(r) && !tree.is_null(r))
                        .map_or(0, |r| tree.span(r).start);
                    let pos = LineIndex::new(&text).position(&text, offset);
                    self.project.errors.push(LoadError {
                        path: path.to_path_buf(),
                        message: "not a Compose file: the top level must be a mapping \
                                  (`services:` ...)"
                            .into(),
                        at: Some((offset, pos)),
                        text: Some(Arc::from(text)),
                    });
                    return Err(());
                }
                Ok(Some(self.add_file(path.to_path_buf(), role, text, tree)))
            }
            Err(e) => {
                let what = match e.kind {
                    yaml::YamlErrorKind::Syntax => "invalid YAML",
                    _ => "limit exceeded",
                };
                let pos = LineIndex::new(&text).position(&text, e.offset);
                self.project.errors.push(LoadError {
                    path: path.to_path_buf(),
                    message: format!("{what}: {}", e.message),
                    at: Some((e.offset, pos)),
                    text: Some(Arc::from(text)),
                });
                Err(())
            }
        }
    }

    /// Whether the Compose files `ids` hold nothing Docker Compose keeps: every document is
    /// empty or has no top-level key but `version` (which it drops) and an empty `include`.
    fn empty(&self, ids: &[FileId]) -> bool {
        ids.iter().all(|id| {
            let tree = &self.project.files[id.0 as usize].tree;
            tree.documents.iter().all(|d| {
                d.root.is_none_or(|r| {
                    tree.entries(r)
                        .unwrap_or(&[])
                        .iter()
                        .all(|e| match tree.scalar(e.key) {
                            Some("version") => true,
                            Some("include") => {
                                let v = tree.resolve(e.value);
                                tree.is_null(v) || tree.items(v).is_some_and(<[_]>::is_empty)
                            }
                            _ => false,
                        })
                })
            })
        })
    }

    /// The model of one Compose file: its documents merged in order.
    fn model_of(&self, id: FileId, env: &Arc<Env>) -> Option<ComposeFile> {
        let f = &self.project.files[id.0 as usize];
        merge_all(f.tree.documents.iter().filter_map(|doc| {
            let root = doc.root.filter(|&r| f.tree.is_mapping(r))?;
            Some(ComposeFile::read_document(&f.tree, &f.text, id, root, env))
        }))
    }

    /// Load the project made of `entries`, with `env_files` (or the `.env` beside the first
    /// entry), its includes, extends and env files.
    fn load_project(
        &mut self,
        entries: &[PathBuf],
        env_files: &[PathBuf],
        role: Role,
        depth: usize,
        stack: &mut Vec<PathBuf>,
        scope: Scope<'_>,
    ) -> Option<ComposeFile> {
        let mut ids = Vec::new();
        for e in entries {
            match self.compose_file(e, role) {
                Ok(Some(id)) => ids.push(id),
                Ok(None) => self.project.errors.push(fail(
                    e,
                    "cannot read: no such file or directory".into(),
                    None,
                )),
                Err(()) => {}
            }
        }
        if ids.len() != entries.len() {
            return None;
        }
        let dir = match scope.dir {
            Some(d) => d,
            None => entries
                .first()?
                .parent()
                .unwrap_or(Path::new(""))
                .to_path_buf(),
        };
        for &id in &ids {
            self.dirs.entry(id).or_insert_with(|| dir.clone());
        }
        let env = Arc::new(self.env(&dir, env_files, scope.parent, &entries[0]));
        let empty = self.empty(&ids);
        let first = ids[0];
        let mut model: Option<ComposeFile> = None;
        for &id in &ids {
            // Compose imports a document's includes into that document before it merges it
            // onto the documents and files before it: an included service overrides an
            // earlier one's, and is compared with that document's only.
            let f = &self.project.files[id.0 as usize];
            let roots: Vec<NodeId> = f
                .tree
                .documents
                .iter()
                .filter_map(|d| d.root.filter(|&r| f.tree.is_mapping(r)))
                .collect();
            let mut documents = Vec::with_capacity(roots.len());
            for root in roots {
                let f = &self.project.files[id.0 as usize];
                let mut m = ComposeFile::read_document(&f.tree, &f.text, id, root, &env);
                if !empty {
                    self.includes(&mut m, &env, depth, stack);
                }
                documents.push(m);
            }
            if let Some(m) = merge_all(documents) {
                model = Some(match model {
                    Some(base) => merge(base, m),
                    None => m,
                });
            }
        }
        if empty {
            // Docker Compose refuses the project ("empty compose file"); it is reported, and
            // there is nothing else to read.
            let mut m = model.unwrap_or_else(|| ComposeFile {
                env: env.clone(),
                ..ComposeFile::empty(first)
            });
            m.problems.push(Problem::EmptyFile {
                at: Origin {
                    file: first,
                    span: Span::new(0, 0),
                },
            });
            return Some(m);
        }
        let mut model = model?;
        self.merged_external_names(&ids, &env, &mut model);
        self.extends(&mut model, &env, depth);
        self.env_files(&mut model, &env);
        Some(model)
    }

    /// The project's variables: the shell, then (for an included project) the including
    /// project's, then the env files (or the `.env` of the project directory, unless that is
    /// a directory, which Docker Compose ignores).
    fn env(
        &mut self,
        dir: &Path,
        env_files: &[PathBuf],
        parent: Option<&Env>,
        first: &Path,
    ) -> Env {
        let mut env = match parent {
            Some(p) => Env::included_by(p),
            None => Env::new(self.options.shell.clone()),
        };
        if parent.is_none() && env_files.is_empty() {
            return self.default_env(env, dir, first);
        }
        let dotenv = in_dir(dir, ".env");
        if env_files.is_empty() && self.options.fs.is_dir(&dotenv) {
            return env;
        }
        let default = [dotenv];
        let (paths, explicit) = if env_files.is_empty() {
            (&default[..], false)
        } else {
            (env_files, true)
        };
        for path in paths {
            let text = match self
                .reader
                .read(path, &self.options.limits, &self.options.fs)
            {
                Ok(Some(t)) => t,
                Ok(None) if !explicit => continue,
                Ok(None) => {
                    self.project.errors.push(fail(
                        path,
                        "cannot read: no such file or directory".into(),
                        None,
                    ));
                    continue;
                }
                Err(e) => {
                    self.project.errors.push(e);
                    continue;
                }
            };
            let id = match self.ids.get(path) {
                Some(&id) => id,
                None => self.add_file(path.clone(), Role::DotEnv, text.clone(), Tree::default()),
            };
            if let Err(e) = env.add_file(id, &text) {
                let pos = LineIndex::new(&text).position(&text, e.span.start);
                self.project.errors.push(LoadError {
                    path: path.clone(),
                    message: format!("invalid env file: {}", e.message),
                    at: Some((e.span.start, pos)),
                    text: Some(Arc::from(text)),
                });
            }
        }
        env
    }

    /// The variables of the `.env` files Docker Compose reads for a project it runs without
    /// `--env-file`: the `.env` of the directory it runs in (the one whose `COMPOSE_FILE`
    /// chose the files, when that is not the project directory `dir`), then the project
    /// directory's, whose entries lose to the first's. None at all when
    /// `COMPOSE_DISABLE_ENV_FILE` is true, in the shell or in that first file (whose
    /// `COMPOSE_*` entries still count then: Docker Compose has set them in its environment
    /// before it decides). A `.env` that is a directory is ignored.
    fn default_env(&mut self, mut env: Env, dir: &Path, first: &Path) -> Env {
        if let Some(value) = self.options.shell.get(DISABLE_ENV_FILE) {
            match go_bool(value) {
                Some(false) => {}
                Some(true) => return env,
                None => {
                    self.project.errors.push(fail(
                        first,
                        format!(
                            "`{DISABLE_ENV_FILE}={value}` in the environment is not a boolean \
                             (Docker Compose accepts 1, t, true, 0, f, false)"
                        ),
                        None,
                    ));
                    return env;
                }
            }
        }
        let mut paths = Vec::with_capacity(2);
        if let Some(run) = self.run_dir.clone()
            && !same_dir(&run, dir, &self.options.fs)
        {
            paths.push(in_dir(&run, ".env"));
        }
        paths.push(in_dir(dir, ".env"));
        for (i, path) in paths.iter().enumerate() {
            if self.options.fs.is_dir(path) {
                continue;
            }
            let text = match self
                .reader
                .read(path, &self.options.limits, &self.options.fs)
            {
                Ok(Some(t)) => t,
                Ok(None) => continue,
                Err(e) => {
                    self.project.errors.push(e);
                    continue;
                }
            };
            let id = match self.ids.get(path) {
                Some(&id) => id,
                None => self.add_file(path.clone(), Role::DotEnv, text.clone(), Tree::default()),
            };
            let added = if i == 0 {
                env.add_file(id, &text)
            } else {
                env.add_file_under(id, &text)
            };
            if let Err(e) = added {
                let pos = LineIndex::new(&text).position(&text, e.span.start);
                self.project.errors.push(LoadError {
                    path: path.clone(),
                    message: format!("invalid env file: {}", e.message),
                    at: Some((e.span.start, pos)),
                    text: Some(Arc::from(text)),
                });
                continue;
            }
            if i > 0 {
                continue;
            }
            // Only the first file can turn the others off (the shell's value was read above).
            let Some(var) = env.get(DISABLE_ENV_FILE) else {
                continue;
            };
            match go_bool(&var.value) {
                Some(false) => {}
                Some(true) => {
                    let mut only = Env::new(self.options.shell.clone());
                    // The text parsed above: no error now.
                    let _ = only.add_compose_settings(id, &text);
                    return only;
                }
                None => {
                    let at = match var.origin {
                        VarOrigin::File(o) => o.span.start,
                        VarOrigin::Shell => 0,
                    };
                    let pos = LineIndex::new(&text).position(&text, at);
                    self.project.errors.push(LoadError {
                        path: path.clone(),
                        message: format!(
                            "`{DISABLE_ENV_FILE}` is `{}`, not a boolean (Docker Compose \
                             accepts 1, t, true, 0, f, false)",
                            var.value
                        ),
                        at: Some((at, pos)),
                        text: Some(Arc::from(text)),
                    });
                    return env;
                }
            }
        }
        env
    }

    fn path_of(&self, origin: Origin) -> PathBuf {
        self.project.files[origin.file.0 as usize].path.clone()
    }

    /// A relative path written at `origin`, resolved against its file's project directory.
    fn resolve(&self, origin: Origin, rel: &str) -> PathBuf {
        match self.dirs.get(&origin.file) {
            Some(dir) => in_dir(dir, rel),
            None => beside(&self.path_of(origin), rel),
        }
    }

    /// Report each old `external: {name: ...}` of a document whose resource the documents
    /// before it (of this file or an earlier one of `ids`) have named otherwise. compose-go
    /// v2.9.1 merges each document into the files before it, then `transformMaybeExternal`
    /// compares the merged `name` (written, or taken from an earlier `external.name`) with the
    /// `external.name`. A document that writes both is reported as it is read.
    fn merged_external_names(&self, ids: &[FileId], env: &Env, model: &mut ComposeFile) {
        // (key, resource) -> its name so far, and where it is written.
        let mut names: HashMap<(&'static str, String), (Option<String>, Origin)> = HashMap::new();
        for &id in ids {
            let f = &self.project.files[id.0 as usize];
            let tree = &f.tree;
            let named = |node: NodeId| {
                tree.entries(tree.resolve(node))
                    .and_then(|a| a.iter().find(|a| tree.scalar(a.key) == Some("name")))
            };
            let value = |n: NodeId| Text::read(tree, &f.text, id, n, env).map(|t| t.value);
            let at = |n: NodeId| Origin {
                file: id,
                span: tree.span(n),
            };
            for doc in &tree.documents {
                let Some(root) = doc.root.filter(|&r| tree.is_mapping(r)) else {
                    continue;
                };
                for key in ["volumes", "networks", "secrets", "configs"] {
                    let Some(entries) = tree.get(root, key).and_then(|n| tree.entries(n)) else {
                        continue;
                    };
                    for e in entries {
                        let Some(name) = tree.scalar(e.key) else {
                            continue;
                        };
                        let slot = (key, name.to_string());
                        let old = tree.get(e.value, "external").and_then(named);
                        match (named(e.value), old) {
                            (Some(own), _) => {
                                names.insert(slot, (value(own.value), at(own.key)));
                            }
                            (None, Some(old)) => match names.get(&slot) {
                                Some((before, first)) if *before != value(old.value) => {
                                    model.problems.push(Problem::ExternalNameConflict {
                                        key,
                                        name: name.to_string(),
                                        at: at(old.key),
                                        own: *first,
                                    });
                                }
                                Some(_) => {}
                                None => {
                                    names.insert(slot, (value(old.value), at(old.key)));
                                }
                            },
                            (None, None) => {}
                        }
                    }
                }
            }
        }
    }

    /// Resolve `include`: each included project is loaded with its own variables and merged
    /// under this one.
    fn includes(
        &mut self,
        model: &mut ComposeFile,
        env: &Env,
        depth: usize,
        stack: &mut Vec<PathBuf>,
    ) {
        // By including file (of this document): its services and top-level declarations and those of each
        // project it has included so far (Compose imports an included project's into the file
        // that includes it, and compares them there only: a service an earlier `-f` file
        // defines is no conflict).
        let mut declared: HashMap<FileId, Vec<Declaration>> = HashMap::new();
        let includes = std::mem::take(&mut model.includes);
        for inc in includes {
            let paths: Vec<PathBuf> = inc
                .paths
                .iter()
                .map(|p| self.resolve(inc.origin, &p.value))
                .collect();
            let Some(first) = paths.first().cloned() else {
                continue;
            };
            if let Some(pos) = stack.iter().position(|p| *p == first) {
                let chain: Vec<String> = stack[pos..]
                    .iter()
                    .chain(std::iter::once(&first))
                    .map(|p| p.display().to_string())
                    .collect();
                model.problems.push(Problem::Cycle {
                    chain: chain.join(" → "),
                    at: inc.origin,
                });
                continue;
            }
            if depth >= MAX_REFERENCE_DEPTH {
                model.problems.push(Problem::Cycle {
                    chain: format!("includes nest deeper than {MAX_REFERENCE_DEPTH}"),
                    at: inc.origin,
                });
                continue;
            }
            let mut missing = false;
            for (p, t) in paths.iter().zip(&inc.paths) {
                if !self.ids.contains_key(p)
                    && matches!(
                        self.reader.read(p, &self.options.limits, &self.options.fs),
                        Ok(None)
                    )
                {
                    model.problems.push(Problem::MissingFile {
                        path: p.display().to_string(),
                        what: "included file",
                        at: t.place(),
                    });
                    missing = true;
                }
            }
            if missing {
                continue;
            }
            let env_files: Vec<PathBuf> = inc
                .env_files
                .iter()
                .map(|e| self.resolve(inc.origin, &e.value))
                .collect();
            let scope = Scope {
                dir: inc
                    .project_directory
                    .as_ref()
                    .map(|d| self.resolve(inc.origin, &d.value)),
                parent: Some(env),
            };
            stack.push(first.clone());
            let included = self.load_project(
                &paths,
                &env_files,
                Role::Referenced,
                depth + 1,
                stack,
                scope,
            );
            stack.pop();
            if let Some(mut included) = included {
                let here = inc.origin.file;
                let mut list = declared.remove(&here).unwrap_or_else(|| {
                    let mut own = Vec::new();
                    for r in model
                        .roots
                        .iter()
                        .filter(|r| r.file == here && r.in_project())
                    {
                        self.declarations(r.file, r.node, &r.env, false, &mut own);
                    }
                    own
                });
                let at = inc.paths.first().map_or(inc.origin, Text::place);
                self.resource_conflicts(model, &included, &mut list, at);
                declared.insert(here, list);
                // Docker Compose refuses the project; keep the including project's service.
                included
                    .services
                    .retain(|s| !model.services.iter().any(|m| m.name.value == s.name.value));
                let mut mine = std::mem::replace(model, empty_like(model));
                // A `!reset` service of the including file removes the service of the files
                // before it, not its includes' (compose-go resets before it imports them).
                let resets = std::mem::take(&mut mine.reset_services);
                let reset_declared = std::mem::take(&mut mine.reset_declared);
                *model = merge(included, mine);
                model.reset_services = resets;
                model.reset_declared = reset_declared;
            }
        }
    }

    /// The services and top-level volumes, networks, secrets and configs a document declares
    /// (`imported`: an included project's).
    fn declarations(
        &self,
        file: FileId,
        root: NodeId,
        env: &Env,
        imported: bool,
        out: &mut Vec<Declaration>,
    ) {
        let tree = &self.project.files[file.0 as usize].tree;
        for key in ["services", "volumes", "networks", "secrets", "configs"] {
            let Some(entries) = tree.get(root, key).and_then(|n| tree.entries(n)) else {
                continue;
            };
            for e in entries {
                // A `!reset` entry is gone from its document before includes are imported.
                if tree.tag(e.value) == Some("!reset") {
                    continue;
                }
                if let Some(name) = tree.scalar(e.key) {
                    out.push(Declaration {
                        key,
                        name: name.to_string(),
                        file,
                        key_node: e.key,
                        value: e.value,
                        env: env.clone(),
                        imported,
                    });
                }
            }
        }
    }

    /// Report each service and declaration of `included` that one before it defines
    /// otherwise (compose-go v2.9.1 `importResource`: the two must be equal once
    /// interpolated), and add its own to `declared`. A service is reported at `include` (the
    /// include's first path).
    fn resource_conflicts(
        &self,
        model: &mut ComposeFile,
        included: &ComposeFile,
        declared: &mut Vec<Declaration>,
        include: Origin,
    ) {
        let mut mine: Vec<Declaration> = Vec::new();
        for r in included.roots.iter().filter(|r| r.in_project()) {
            self.declarations(r.file, r.node, &r.env, true, &mut mine);
        }
        // The included project's files (`path` a list) merge into one project first: a name
        // two of them declare is one declaration of it, compared once.
        let mut seen = HashSet::new();
        mine.retain(|d| seen.insert((d.key, d.name.clone())));
        for d in mine {
            let other = declared
                .iter()
                .find(|o| o.key == d.key && o.name == d.name && o.file != d.file);
            match other {
                Some(o) if d.key == "services" => {
                    if !self.same_declaration(o, &d) {
                        model.problems.push(Problem::IncludeConflict {
                            service: d.name.clone(),
                            at: include,
                        });
                    }
                }
                Some(o) => {
                    if !self.same_declaration(o, &d) {
                        let place = |x: &Declaration| Origin {
                            file: x.file,
                            span: self.project.files[x.file.0 as usize].tree.span(x.key_node),
                        };
                        model.problems.push(Problem::IncludeResourceConflict {
                            key: d.key,
                            name: d.name.clone(),
                            at: place(&d),
                            first: place(o),
                        });
                    }
                }
                None => declared.push(d),
            }
        }
    }

    /// Whether two declarations are equal as Compose compares them: the same mappings,
    /// lists and nulls, the same scalars once interpolated; a relative `file` never is, as
    /// the included project's is made absolute first.
    fn same_declaration(&self, a: &Declaration, b: &Declaration) -> bool {
        let ta = &self.project.files[a.file.0 as usize];
        let tb = &self.project.files[b.file.0 as usize];
        let value = |f: &LoadedFile, d: &Declaration, n: NodeId| {
            Text::read(&f.tree, &f.text, d.file, n, &d.env).map(|t| t.value)
        };
        fn eq(
            x: NodeId,
            y: NodeId,
            key: Option<&str>,
            ta: &crate::yaml::Tree,
            tb: &crate::yaml::Tree,
            scalar: &dyn Fn(NodeId, NodeId) -> bool,
        ) -> bool {
            let (x, y) = (ta.resolve(x), tb.resolve(y));
            if ta.is_null(x) || tb.is_null(y) {
                return ta.is_null(x) && tb.is_null(y);
            }
            if let (Some(ex), Some(ey)) = (ta.entries(x), tb.entries(y)) {
                return ex.len() == ey.len()
                    && ex.iter().all(|e| {
                        let k = ta.scalar(e.key);
                        ey.iter()
                            .find(|f| tb.scalar(f.key) == k)
                            .is_some_and(|f| eq(e.value, f.value, k, ta, tb, scalar))
                    });
            }
            if let (Some(ix), Some(iy)) = (ta.items(x), tb.items(y)) {
                return ix.len() == iy.len()
                    && ix
                        .iter()
                        .zip(iy)
                        .all(|(&i, &j)| eq(i, j, None, ta, tb, scalar));
            }
            if ta.scalar(x).is_some() && tb.scalar(y).is_some() {
                return scalar(x, y)
                    && (key != Some("file") || ta.scalar(x).is_some_and(|s| s.starts_with('/')));
            }
            false
        }
        let scalar = |x: NodeId, y: NodeId| {
            let (vx, vy) = (value(ta, a, x), value(tb, b, y));
            vx.is_some() && vx == vy
        };
        if a.key == "services"
            && (!a.imported && !canonical(&ta.tree, a.value)
                || !b.imported && !canonical(&tb.tree, b.value))
        {
            // Compose compares the including file's service as written with the included
            // one in its canonical form: where the two forms differ, the two differ.
            return false;
        }
        eq(a.value, b.value, None, &ta.tree, &tb.tree, &scalar)
    }

    /// Resolve every service's `extends`.
    fn extends(&mut self, model: &mut ComposeFile, env: &Arc<Env>, _depth: usize) {
        let mut memo: HashMap<(PathBuf, String), Service> = HashMap::new();
        let mut models: HashMap<FileId, Option<ComposeFile>> = HashMap::new();
        let mut documents: HashMap<(FileId, usize), Option<ComposeFile>> = HashMap::new();
        for i in 0..model.services.len() {
            if model.services[i].extends.is_none() {
                continue;
            }
            let service = model.services[i].clone();
            let resolved =
                self.resolve_extends(service, model, env, &mut memo, &mut models, &mut documents);
            model.services[i] = resolved;
        }
        // A cycle is reported once, not once for each service on it.
        let mut seen: Vec<Vec<String>> = Vec::new();
        model.problems.retain(|p| {
            let Problem::Cycle { chain, .. } = p else {
                return true;
            };
            let mut members: Vec<String> = chain.split(" → ").map(str::to_string).collect();
            members.sort();
            members.dedup();
            if seen.contains(&members) {
                return false;
            }
            seen.push(members);
            true
        });
    }

    /// A service with its `extends` chain merged in, base first. A base named without `file:`
    /// is looked up in the file that names it (Compose resolves `extends` file by file, before
    /// override files are merged), then in the project. Chains of any length are followed
    /// (Docker Compose accepts thousands of links); a link back to one already followed is a
    /// cycle.
    fn resolve_extends(
        &mut self,
        service: Service,
        model: &mut ComposeFile,
        env: &Arc<Env>,
        memo: &mut HashMap<(PathBuf, String), Service>,
        models: &mut HashMap<FileId, Option<ComposeFile>>,
        documents: &mut HashMap<(FileId, usize), Option<ComposeFile>>,
    ) -> Service {
        // The service, then each base in turn; `keys[i]` names `layers[i + 1]`.
        let mut layers = vec![service];
        let mut keys: Vec<(PathBuf, String)> = Vec::new();
        let mut done: Option<Service> = None;
        // Whether the last base was found in a file `extends` names.
        let mut other_file = false;
        while let Some(ext) = layers.last().and_then(|s| s.extends.clone()) {
            let here = self.path_of(ext.origin);
            let file = ext
                .file
                .as_ref()
                .map(|f| self.resolve(ext.origin, &f.value));
            let key = (
                file.clone().unwrap_or_else(|| here.clone()),
                ext.service.value.clone(),
            );
            let top = (self.path_of(layers[0].origin), layers[0].name.value.clone());
            if keys.contains(&key) || key == top {
                let mut names: Vec<String> = vec![layers[0].name.value.clone()];
                names.extend(keys.iter().map(|(_, s)| s.clone()));
                names.push(ext.service.value.clone());
                // At the service's own `extends`, where the chain starts.
                let at = layers[0].extends.as_ref().map_or(ext.origin, |e| e.origin);
                model.problems.push(Problem::Cycle {
                    chain: names.join(" → "),
                    at,
                });
                break;
            }
            if let Some(m) = memo.get(&key) {
                done = Some(m.clone());
                keys.push(key);
                break;
            }
            let base = match &file {
                // In a file `extends` reads, the whole file's services; in a file of the
                // project, those of the document that names the base only (not another
                // document's, another `-f` file's or an included project's).
                None if other_file => {
                    let own = self.file_model(ext.origin.file, env, models);
                    own.and_then(|m| {
                        m.services
                            .iter()
                            .find(|s| s.name.value == ext.service.value)
                            .cloned()
                    })
                }
                None => self
                    .document_model(ext.origin, env, documents)
                    .and_then(|m| {
                        m.services
                            .iter()
                            .find(|s| s.name.value == ext.service.value)
                            .cloned()
                    }),
                Some(path) => match self.compose_file(path, Role::Referenced) {
                    Ok(Some(id)) => {
                        let own = path.parent().unwrap_or(Path::new("")).to_path_buf();
                        self.dirs.entry(id).or_insert(own);
                        let first = !model.roots.iter().any(|r| r.file == id);
                        self.extended_roots(model, id, &ext.service.value, env);
                        let m = self.file_model(id, env, models);
                        // Compose interpolates the whole file it extends from, and refuses a
                        // required variable missing or a malformed `${` anywhere in it.
                        if first && let Some(m) = m {
                            model.problems.extend(
                                m.problems
                                    .iter()
                                    .filter(|p| {
                                        matches!(
                                            p,
                                            Problem::RequiredVariable { .. }
                                                | Problem::InvalidInterpolation { .. }
                                        )
                                    })
                                    .cloned(),
                            );
                        }
                        m.and_then(|m| {
                            m.services
                                .iter()
                                .find(|s| s.name.value == ext.service.value)
                                .cloned()
                        })
                    }
                    Ok(None) => {
                        model.problems.push(Problem::MissingFile {
                            path: path.display().to_string(),
                            what: "file named by `extends`",
                            at: ext.file.as_ref().map_or(ext.origin, Text::place),
                        });
                        break;
                    }
                    Err(()) => break,
                },
            };
            let Some(base) = base else {
                model.problems.push(Problem::UnknownService {
                    service: ext.service.value.clone(),
                    at: ext.service.place(),
                });
                break;
            };
            other_file |= file.is_some();
            keys.push(key);
            layers.push(base);
        }
        // Merge from the deepest base up; each base resolved is remembered.
        let mut acc = match done {
            Some(d) => d,
            None => {
                let mut last = layers.pop().expect("the service itself");
                last.extends = None;
                if let Some(k) = keys.get(layers.len().wrapping_sub(1)).cloned()
                    && !layers.is_empty()
                {
                    memo.insert(k, last.clone());
                }
                last
            }
        };
        while let Some(service) = layers.pop() {
            acc = extend_one(acc, service);
            if !layers.is_empty()
                && let Some(k) = keys.get(layers.len() - 1).cloned()
            {
                memo.insert(k, acc.clone());
            }
        }
        acc
    }

    /// Keep the documents of `file`, read for `extends`, among the model's roots (once), with
    /// `service` among the services extended from it; not when the file is one of the
    /// project's.
    fn extended_roots(&self, model: &mut ComposeFile, file: FileId, service: &str, env: &Arc<Env>) {
        let mut known = false;
        for r in model.roots.iter_mut().filter(|r| r.file == file) {
            known = true;
            if let Some(names) = &mut r.extended
                && !names.iter().any(|n| n == service)
            {
                names.push(service.to_string());
            }
        }
        if known {
            return;
        }
        let tree = &self.project.files[file.0 as usize].tree;
        for d in &tree.documents {
            if let Some(node) = d.root.filter(|&r| tree.is_mapping(r)) {
                model.roots.push(crate::compose::Root {
                    file,
                    node,
                    env: env.clone(),
                    extended: Some(vec![service.to_string()]),
                });
            }
        }
    }

    /// The model of the document of a Compose file that holds `at`.
    fn document_model<'m>(
        &self,
        at: Origin,
        env: &Arc<Env>,
        documents: &'m mut HashMap<(FileId, usize), Option<ComposeFile>>,
    ) -> Option<&'m ComposeFile> {
        let f = &self.project.files[at.file.0 as usize];
        let (i, root) = f.tree.documents.iter().enumerate().find_map(|(i, d)| {
            let r = d.root.filter(|&r| f.tree.is_mapping(r))?;
            let span = f.tree.span(r);
            (span.start <= at.span.start && at.span.end <= span.end).then_some((i, r))
        })?;
        documents
            .entry((at.file, i))
            .or_insert_with(|| {
                Some(ComposeFile::read_document(
                    &f.tree, &f.text, at.file, root, env,
                ))
            })
            .as_ref()
    }

    /// The model of one Compose file, read once.
    fn file_model<'m>(
        &self,
        id: FileId,
        env: &Arc<Env>,
        models: &'m mut HashMap<FileId, Option<ComposeFile>>,
    ) -> Option<&'m ComposeFile> {
        models
            .entry(id)
            .or_insert_with(|| self.model_of(id, env))
            .as_ref()
    }

    /// Every `label_file` must exist: Compose reads them into the service's labels and
    /// refuses the project when one is missing ("label file ... not found").
    fn label_files(&mut self, model: &mut ComposeFile) {
        let mut missing = Vec::new();
        for s in &model.services {
            for t in &s.label_files {
                let path = self.resolve(t.origin, &t.value);
                if matches!(
                    self.reader
                        .read(&path, &self.options.limits, &self.options.fs),
                    Ok(None)
                ) {
                    missing.push(Problem::MissingFile {
                        path: path.display().to_string(),
                        what: "label_file",
                        at: t.place(),
                    });
                }
            }
        }
        model.problems.extend(missing);
    }

    /// Read every service's `env_file`s into its environment, under `environment`. A value
    /// reads variables from the project's environment first, then the service's own
    /// `environment`, then the lines before it, then the env files before it (as Docker
    /// Compose v2.40.3 resolves them); `format: raw` takes values verbatim.
    fn env_files(&mut self, model: &mut ComposeFile, env: &Env) {
        self.label_files(model);
        for si in 0..model.services.len() {
            if model.services[si].env_files.is_empty() {
                // Nothing to add: the environment stays as it is, without a new vector.
                continue;
            }
            let refs = model.services[si].env_files.clone();
            let own: HashMap<String, String> = model.services[si]
                .environment
                .vars
                .iter()
                .filter_map(|v| Some((v.name.value.clone(), v.value.as_ref()?.value.clone())))
                .collect();
            let mut added: Vec<EnvVar> = Vec::new();
            for r in refs {
                let path = self.resolve(r.path.origin, &r.path.value);
                let text = match self
                    .reader
                    .read(&path, &self.options.limits, &self.options.fs)
                {
                    Ok(Some(t)) => t,
                    Ok(None) => {
                        if r.required {
                            model.problems.push(Problem::MissingFile {
                                path: path.display().to_string(),
                                what: "env_file",
                                at: r.path.place(),
                            });
                        }
                        continue;
                    }
                    Err(e) => {
                        self.project.errors.push(e);
                        continue;
                    }
                };
                // Compose reads the format of a file that exists, and knows only its own
                // default and `raw`.
                if let Some(f) = &r.bad_format {
                    model.problems.push(Problem::Refused {
                        what: format!(
                            "the `env_file` `{}` has the format `{}`, which Compose does not \
                             know (only `raw`, or none for the default)",
                            r.path.value, f.value
                        ),
                        reason: format!("unsupported env_file format \"{}\"", f.value),
                        help: "remove `format`, or write `format: raw` to take the values \
                               verbatim",
                        at: f.place(),
                        related: f.explain(),
                    });
                    continue;
                }
                let id = match self.ids.get(&path) {
                    Some(&id) => id,
                    None => {
                        self.add_file(path.clone(), Role::EnvFile, text.clone(), Tree::default())
                    }
                };
                let lookup = |n: &str| env.lookup(n).or_else(|| own.get(n).cloned());
                let earlier = |n: &str| {
                    added
                        .iter()
                        .rev()
                        .find(|v| v.name.value == n)
                        .and_then(|v| v.value.as_ref().map(|t| t.value.clone()))
                };
                let parsed = if r.raw {
                    dotenv::parse_raw(&text)
                } else {
                    dotenv::parse_layered(&text, &lookup, &earlier)
                };
                match parsed {
                    Ok(entries) => {
                        for e in entries {
                            let Some(value) = e.value else { continue };
                            let o = |r: std::ops::Range<usize>| Origin {
                                file: id,
                                span: Span::new(r.start, r.end),
                            };
                            let name = Text {
                                value: e.key.clone(),
                                raw: e.key.clone(),
                                origin: o(e.key_span.clone()),
                                node: NodeId::DETACHED,
                                vars: Vec::new(),
                                via: None,
                            };
                            let value = Text {
                                value,
                                raw: e.raw_value.clone(),
                                origin: o(e.value_span.clone()),
                                node: NodeId::DETACHED,
                                vars: Vec::new(),
                                via: None,
                            };
                            let entry = o(e.key_span.start..e.value_span.end.max(e.key_span.end));
                            added.retain(|v: &EnvVar| v.name.value != e.key);
                            added.push(EnvVar {
                                name,
                                value: Some(value),
                                entry,
                                merged: false,
                                from_env_file: true,
                                listed: false,
                            });
                        }
                    }
                    Err(e) => {
                        let pos = LineIndex::new(&text).position(&text, e.span.start);
                        self.project.errors.push(LoadError {
                            path,
                            message: format!("invalid env file: {}", e.message),
                            at: Some((e.span.start, pos)),
                            text: Some(Arc::from(text)),
                        });
                    }
                }
            }
            let svc = &mut model.services[si];
            // `environment` wins over `env_file`.
            added.retain(|v| svc.environment.get(&v.name.value).is_none());
            let mut vars = added;
            vars.append(&mut svc.environment.vars);
            svc.environment.vars = vars;
        }
    }
}

/// `service` merged onto its resolved `base`, as `extends` merges them.
fn extend_one(base: Service, service: Service) -> Service {
    let mut merged = merge_service(base, service.clone());
    // Attributes the service does not write itself are inherited: a fix overrides them in
    // the service instead of changing the base that others may extend too.
    let own = |f: Option<Field>| {
        f.is_some_and(|f| {
            service.defs.iter().any(|(d, _)| *d == f.file)
                && service.fields.iter().any(|(_, g)| *g == f)
        })
    };
    let inherit = |f: &mut Option<Field>| {
        if !own(*f)
            && let Some(f) = f
        {
            f.sharing = Sharing::Extended;
        }
    };
    inherit(&mut merged.environment.field);
    inherit(&mut merged.volumes_field);
    if let Some(c) = &mut merged.command {
        let mut f = Some(c.field);
        inherit(&mut f);
        c.field = f.unwrap_or(c.field);
    }
    if let Some(c) = &mut merged.entrypoint {
        let mut f = Some(c.field);
        inherit(&mut f);
        c.field = f.unwrap_or(c.field);
    }
    // The service keeps its own identity; only its attributes come from the base.
    merged.name = service.name;
    merged.node = service.node;
    merged.alias = service.alias;
    merged.origin = service.origin;
    merged.defs = service.defs;
    merged.extends = None;
    merged
}

/// Where a project is loaded: its directory (else the first file's) and, for an included
/// project, the including project's variables.
#[derive(Default)]
struct Scope<'a> {
    dir: Option<PathBuf>,
    parent: Option<&'a Env>,
}

/// A top-level volume, network, secret or config of a document, as `include` compares them.
struct Declaration {
    key: &'static str,
    name: String,
    file: FileId,
    key_node: NodeId,
    value: NodeId,
    env: Env,
    /// Whether it is an included project's (compared in its canonical form).
    imported: bool,
}

/// Whether a service as written (at `node`) is already in the canonical form compose-go
/// v2.9.1 gives an included project's services before it compares them (`transform.Canonical`,
/// `SetDefaultValues`, `ResolveRelativePaths`): none of the attributes these rewrite (`ports`,
/// `build`, `depends_on`, `volumes`, ...), `networks` and `models` as mappings, `dns` and
/// `label_file` as lists. (`extends` too: it is resolved before the comparison.)
fn canonical(tree: &Tree, node: NodeId) -> bool {
    const REWRITTEN: [&str; 11] = [
        "build",
        "configs",
        "depends_on",
        "develop",
        "devices",
        "env_file",
        "extends",
        "gpus",
        "ports",
        "secrets",
        "volumes",
    ];
    let node = tree.resolve(node);
    tree.entries(node).unwrap_or(&[]).iter().all(|e| {
        let v = tree.resolve(e.value);
        match tree.scalar(e.key) {
            Some(k) if REWRITTEN.contains(&k) => tree.is_null(v),
            Some("networks" | "models") => tree.items(v).is_none(),
            Some("dns" | "label_file") => tree.is_null(v) || tree.scalar(v).is_none(),
            _ => true,
        }
    })
}

/// An empty model standing in for one being moved.
fn empty_like(m: &ComposeFile) -> ComposeFile {
    ComposeFile {
        file: m.file,
        root: m.root,
        services: Vec::new(),
        volumes: Vec::new(),
        problems: Vec::new(),
        includes: Vec::new(),
        roots: Vec::new(),
        env: m.env.clone(),
        declared: Vec::new(),
        contents: Vec::new(),
        shared_networks: Vec::new(),
        reset_services: Vec::new(),
        reset_declared: Vec::new(),
        mounted: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names_normalised_as_compose_go_does() {
        for (name, want) in [
            ("milvus", "milvus"),
            ("Milvus.Prod", "milvusprod"),
            ("__-x", "x"),
            ("a_-b", "a_-b"),
            ("___", ""),
            ("部署", ""),
            ("部署-2", "2"),
            ("Ünïcode", "ncode"),
            ("", ""),
        ] {
            assert_eq!(normalise_project_name(name), want, "{name}");
        }
    }

    #[test]
    fn paths_beside_a_file() {
        assert_eq!(
            beside(Path::new("a/compose.yaml"), ".env"),
            PathBuf::from("a/.env")
        );
        assert_eq!(
            beside(Path::new("compose.yaml"), "./x/.env"),
            PathBuf::from("x/.env")
        );
        assert_eq!(
            beside(Path::new("a/b/compose.yaml"), "../c.yaml"),
            PathBuf::from("a/c.yaml")
        );
        assert_eq!(
            beside(Path::new("a/compose.yaml"), "/abs/f"),
            PathBuf::from("/abs/f")
        );
        assert_eq!(
            beside(Path::new("compose.yaml"), "../up.yaml"),
            PathBuf::from("../up.yaml")
        );
    }
}
