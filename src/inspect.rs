//! `milvet inspect`: what milvet believes each project will run.
//!
//! The JSON form prints, per project and per service, the settings in the shape `docker compose
//! config --format json` prints them (environment as a map, commands as lists, volumes in the
//! long form with absolute host paths, durations as Go prints them, `depends_on` in the long
//! form), so that the two can be compared field by field; beside it, a parallel `origins`
//! object gives the `file:line:column` each value was decided at. The human form shows, for
//! each etcd, MinIO and Milvus service, the settings the rules judge and where each was decided.
//!
//! Nothing here re-derives what the model or [`crate::stack`] know: it reads them.

use crate::check::Options;
use crate::compose::{
    ComposeFile, FileId, Mount, MountKind, Origin, Problem, Service, Text, normalize_path,
};
use crate::discover::{self, FileKind, Unit, WalkError};
use crate::project::{self, Disk, LoadOptions, Project, Role};
use crate::source::LineIndex;
use crate::stack::{etcd, milvus, minio};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// The projects of one `inspect` run.
#[derive(Debug, Default)]
pub struct Inspection {
    pub projects: Vec<Inspected>,
    /// Paths that could not be walked.
    pub walk_errors: Vec<WalkError>,
}

/// One project as milvet loaded it.
#[derive(Debug)]
pub struct Inspected {
    /// Its Compose files, in merge order, as given or found.
    pub files: Vec<PathBuf>,
    pub project: Project,
}

impl Inspection {
    /// 2 when a project could not be loaded or Docker Compose would refuse it (a problem the
    /// model records: a required variable missing, a malformed `${...}`, a missing file, a
    /// cycle, an unknown service), or a path could not be walked; 0 otherwise.
    pub fn exit_code(&self) -> i32 {
        let refused = self.projects.iter().any(|p| {
            !p.project.errors.is_empty()
                || p.project
                    .model
                    .as_ref()
                    .is_some_and(|m| !m.problems.is_empty())
        });
        if refused || !self.walk_errors.is_empty() {
            2
        } else {
            0
        }
    }
}

fn load_options(options: &Options) -> LoadOptions {
    LoadOptions {
        limits: options.limits.clone(),
        shell: options.shell.clone(),
        env_files: options.env_files.clone(),
        fs: options.fs.clone(),
    }
}

/// Inspect the projects found under `paths` (grouped as `milvet check` groups them).
pub fn inspect_paths(paths: &[PathBuf], options: &Options) -> Inspection {
    let (units, walk_errors, fs) = discover::units_cached(paths, &options.discovery());
    let options = &Options {
        fs: std::sync::Arc::new(fs),
        ..options.clone()
    };
    Inspection {
        projects: inspect_units(&units, options),
        walk_errors,
    }
}

/// Inspect the given units; Milvus configurations are skipped, and so is a unit whose every
/// file another project includes or extends (it is shown as part of that project).
pub fn inspect_units(units: &[Unit], options: &Options) -> Vec<Inspected> {
    let load = load_options(options);
    let loaded: Vec<Inspected> = units
        .iter()
        .filter(|u| u.kind == FileKind::Compose)
        .map(|u| Inspected {
            files: u.files.clone(),
            project: project::load_in(&u.files, u.run_dir.as_deref(), &load, &Disk),
        })
        .collect();
    let canon = |p: &Path| {
        options
            .fs
            .canonicalize(p)
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let referenced: Vec<(usize, PathBuf)> = loaded
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            p.project
                .files
                .iter()
                .filter(|f| f.role == Role::Referenced)
                .map(move |f| (i, canon(&f.path)))
        })
        .collect();
    loaded
        .into_iter()
        .enumerate()
        .filter(|(i, p)| {
            referenced.is_empty()
                || !p.files.iter().all(|f| {
                    let f = canon(f);
                    referenced.iter().any(|(j, r)| j != i && *r == f)
                })
        })
        .map(|(_, p)| p)
        .collect()
}

/// Turns origins into `file:line:column`, and relative host paths into absolute ones.
struct Places<'a> {
    project: &'a Project,
    lines: HashMap<u32, LineIndex>,
    cwd: PathBuf,
    home: Option<String>,
}

impl<'a> Places<'a> {
    fn new(project: &'a Project, cwd: &Path, home: Option<String>) -> Places<'a> {
        let lines = project
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (i as u32, LineIndex::new(&f.text)))
            .collect();
        Places {
            project,
            lines,
            cwd: cwd.to_path_buf(),
            home,
        }
    }

    /// `file:line:column` of an origin.
    fn at(&self, o: Origin) -> String {
        let Some(f) = self.project.files.get(o.file.0 as usize) else {
            return "?".into();
        };
        let pos = self.lines[&o.file.0].position(&f.text, o.span.start);
        format!("{}:{}:{}", f.path.display(), pos.line, pos.column)
    }

    /// Where a value was decided: the `.env` or env file line of the variable that gave it,
    /// the alias it came through, or where it is written.
    fn of(&self, t: &Text) -> Value {
        Value::String(self.at(t.place()))
    }

    /// A host path as Docker Compose prints it: absolute, `~` expanded, relative paths taken
    /// from the project directory of the file the mount is written in.
    fn host_path(&self, path: &str, written_in: FileId) -> String {
        if let Some(home) = &self.home
            && (path == "~" || path.starts_with("~/"))
        {
            return clean(
                &Path::new(home).join(path.trim_start_matches('~').trim_start_matches('/')),
            );
        }
        let p = Path::new(path);
        if p.is_absolute() {
            // Docker Compose prints an absolute source as written.
            return path.to_string();
        }
        // Against the project directory of the file (the first file's, for a `-f` list).
        let dir = match self.project.dirs.get(&written_in) {
            Some(d) => d.as_path(),
            None => self
                .project
                .files
                .get(written_in.0 as usize)
                .and_then(|f| f.path.parent())
                .unwrap_or(Path::new("")),
        };
        clean(&self.cwd.join(dir).join(p))
    }
}

/// A path with `.` and `a/..` removed, as text.
fn clean(p: &Path) -> String {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c.as_os_str()),
        }
    }
    out.display().to_string()
}

/// A Go `time.Duration` printed as Go prints it (`1m30s`, `500ms`, `0s`).
pub fn go_duration(ns: u128) -> String {
    fn frac(v: u128, scale: u128) -> String {
        let (int, rem) = (v / scale, v % scale);
        if rem == 0 {
            return int.to_string();
        }
        let width = scale.to_string().len() - 1;
        let digits = format!("{rem:0width$}");
        format!("{int}.{}", digits.trim_end_matches('0'))
    }
    const S: u128 = 1_000_000_000;
    if ns == 0 {
        return "0s".into();
    }
    if ns < 1_000 {
        return format!("{ns}ns");
    }
    if ns < 1_000_000 {
        return format!("{}µs", frac(ns, 1_000));
    }
    if ns < S {
        return format!("{}ms", frac(ns, 1_000_000));
    }
    let (h, rest) = (ns / (3600 * S), ns % (3600 * S));
    let (m, s) = (rest / (60 * S), rest % (60 * S));
    let secs = format!("{}s", frac(s, S));
    if h > 0 {
        format!("{h}h{m}m{secs}")
    } else if m > 0 {
        format!("{m}m{secs}")
    } else {
        secs
    }
}

/// A duration value as Docker Compose prints it, or as written when it is not one.
fn duration(t: &Text) -> Value {
    match etcd::parse_go_duration(t.value.trim()) {
        Some(ns) => Value::String(go_duration(ns)),
        None => Value::String(t.value.clone()),
    }
}

/// A count as a number when it is one.
fn number(t: &Text) -> Value {
    t.value
        .trim()
        .parse::<u64>()
        .map_or_else(|_| Value::String(t.value.clone()), Value::from)
}

fn text(t: &Text) -> Value {
    Value::String(t.value.clone())
}

fn mount_type(m: &Mount, project: &Project) -> String {
    match m.kind {
        MountKind::Bind => "bind".into(),
        MountKind::Volume | MountKind::Anonymous => "volume".into(),
        MountKind::Tmpfs => "tmpfs".into(),
        MountKind::Other => project
            .files
            .get(m.origin.file.0 as usize)
            .and_then(|f| f.tree.get(m.node, "type").and_then(|n| f.tree.scalar(n)))
            .unwrap_or("other")
            .to_string(),
    }
}

/// The compose-shaped settings of a service, and where each was decided.
fn service_json(s: &Service, places: &Places<'_>) -> (Value, Value) {
    let project = places.project;
    let mut out = Map::new();
    let mut at = Map::new();
    at.insert("service".into(), Value::String(places.at(s.origin)));
    if let Some((_, t)) = &s.image {
        out.insert("image".into(), text(t));
        at.insert("image".into(), places.of(t));
    }
    // An empty `platform` (a variable unset) is no platform: Compose leaves it out.
    if let Some(t) = s.platform.as_ref().filter(|t| !t.value.is_empty()) {
        out.insert("platform".into(), text(t));
        at.insert("platform".into(), places.of(t));
    }
    if !s.profiles.is_empty() {
        out.insert(
            "profiles".into(),
            s.profiles.iter().map(text).collect::<Vec<_>>().into(),
        );
        at.insert(
            "profiles".into(),
            s.profiles
                .iter()
                .map(|t| places.of(t))
                .collect::<Vec<_>>()
                .into(),
        );
    }
    // Environment: the last definition of a name wins.
    let mut env = Map::new();
    let mut env_at = Map::new();
    for v in &s.environment.vars {
        let name = v.name.value.clone();
        match &v.value {
            Some(t) => {
                env.insert(name.clone(), text(t));
                env_at.insert(name, places.of(t));
            }
            None => {
                env.insert(name.clone(), Value::Null);
                env_at.insert(name, Value::String(places.at(v.entry)));
            }
        }
    }
    if !env.is_empty() {
        out.insert("environment".into(), env.into());
        at.insert("environment".into(), env_at.into());
    }
    for (key, cmd) in [("command", &s.command), ("entrypoint", &s.entrypoint)] {
        if let Some(c) = cmd {
            out.insert(
                key.into(),
                c.args
                    .iter()
                    .map(|a| Value::String(a.value.clone()))
                    .collect::<Vec<_>>()
                    .into(),
            );
            at.insert(
                key.into(),
                c.args
                    .iter()
                    .map(|a| Value::String(places.at(arg_place(a))))
                    .collect::<Vec<_>>()
                    .into(),
            );
        }
    }
    let mut volumes = Vec::new();
    let mut volumes_at = Vec::new();
    let mut tmpfs = Vec::new();
    let mut tmpfs_at = Vec::new();
    // Mounts `volumes_from` brings are the other service's, listed there.
    for m in s.mounts.iter().filter(|m| m.from_service.is_none()) {
        if m.from_tmpfs_key {
            // The whole `tmpfs` item (options included), its target as the model read it.
            let whole = project
                .files
                .get(m.origin.file.0 as usize)
                .and_then(|f| f.tree.scalar(m.node))
                .unwrap_or(&m.target.raw);
            let options = whole.get(m.target.raw.len()..).unwrap_or("");
            tmpfs.push(Value::String(format!("{}{options}", m.target.value)));
            tmpfs_at.push(Value::String(places.at(m.origin)));
            continue;
        }
        let mut v = Map::new();
        v.insert("type".into(), Value::String(mount_type(m, project)));
        if let Some(src) = &m.source {
            let source = if m.kind == MountKind::Bind {
                places.host_path(&src.value, m.origin.file)
            } else {
                src.value.clone()
            };
            v.insert("source".into(), Value::String(source));
        }
        v.insert(
            "target".into(),
            Value::String(normalize_path(&m.target.value)),
        );
        if m.read_only {
            v.insert("read_only".into(), Value::Bool(true));
        }
        volumes.push(Value::Object(v));
        let mut o = Map::new();
        o.insert("mount".into(), Value::String(places.at(m.origin)));
        if let Some(src) = &m.source {
            o.insert("source".into(), places.of(src));
        }
        o.insert("target".into(), places.of(&m.target));
        volumes_at.push(Value::Object(o));
    }
    if !volumes.is_empty() {
        out.insert("volumes".into(), volumes.into());
        at.insert("volumes".into(), volumes_at.into());
    }
    if !tmpfs.is_empty() {
        out.insert("tmpfs".into(), tmpfs.into());
        at.insert("tmpfs".into(), tmpfs_at.into());
    }
    if !s.volumes_from.is_empty() {
        out.insert(
            "volumes_from".into(),
            s.volumes_from.iter().map(text).collect::<Vec<_>>().into(),
        );
        at.insert(
            "volumes_from".into(),
            s.volumes_from
                .iter()
                .map(|t| places.of(t))
                .collect::<Vec<_>>()
                .into(),
        );
    }
    if let Some(t) = &s.restart {
        out.insert("restart".into(), text(t));
        at.insert("restart".into(), places.of(t));
    }
    if let Some(d) = &s.deploy_restart {
        let mut p = Map::new();
        let mut p_at = Map::new();
        p_at.insert("restart_policy".into(), Value::String(places.at(d.origin)));
        if let Some(t) = &d.condition {
            p.insert("condition".into(), text(t));
            p_at.insert("condition".into(), places.of(t));
        }
        if let Some(t) = &d.max_attempts {
            p.insert("max_attempts".into(), number(t));
            p_at.insert("max_attempts".into(), places.of(t));
        }
        out.insert("deploy".into(), json!({ "restart_policy": p }));
        at.insert("deploy".into(), p_at.into());
    }
    if let Some(h) = &s.healthcheck {
        let mut v = Map::new();
        let mut v_at = Map::new();
        v_at.insert("healthcheck".into(), Value::String(places.at(h.origin)));
        if !h.test.is_empty() {
            // A string test is run by the shell: Compose writes it as `CMD-SHELL`.
            let in_list = project
                .files
                .get(h.test[0].origin.file.0 as usize)
                .is_some_and(|f| {
                    f.tree
                        .parent(h.test[0].node)
                        .is_some_and(|p| f.tree.is_sequence(p))
                });
            let mut test: Vec<Value> = Vec::new();
            if !in_list {
                test.push(Value::String("CMD-SHELL".into()));
            }
            test.extend(h.test.iter().map(text));
            v.insert("test".into(), test.into());
            v_at.insert(
                "test".into(),
                h.test
                    .iter()
                    .map(|t| places.of(t))
                    .collect::<Vec<_>>()
                    .into(),
            );
        }
        for (key, t) in [
            ("interval", &h.interval),
            ("timeout", &h.timeout),
            ("start_period", &h.start_period),
        ] {
            if let Some(t) = t {
                v.insert(key.into(), duration(t));
                v_at.insert(key.into(), places.of(t));
            }
        }
        if let Some(t) = &h.retries {
            v.insert("retries".into(), number(t));
            v_at.insert("retries".into(), places.of(t));
        }
        if h.disable {
            v.insert("disable".into(), Value::Bool(true));
        }
        out.insert("healthcheck".into(), v.into());
        at.insert("healthcheck".into(), v_at.into());
    }
    // Docker Compose adds the dependencies `links`, namespaces and `volumes_from` imply.
    let implied = crate::project::implied_dependencies(s);
    if !s.depends_on.is_empty() || !implied.is_empty() {
        let mut d = Map::new();
        let mut d_at = Map::new();
        for dep in &s.depends_on {
            let condition = dep
                .condition
                .as_ref()
                .map_or_else(|| "service_started".to_string(), |c| c.value.clone());
            d.insert(
                dep.service.value.clone(),
                json!({ "condition": condition, "required": dep.required }),
            );
            d_at.insert(dep.service.value.clone(), places.of(&dep.service));
        }
        for (name, origin) in implied {
            d.insert(
                name.clone(),
                json!({ "condition": "service_started", "required": true }),
            );
            d_at.insert(name, Value::String(places.at(origin)));
        }
        out.insert("depends_on".into(), d.into());
        at.insert("depends_on".into(), d_at.into());
    }
    (Value::Object(out), Value::Object(at))
}

/// Where an argument's value was decided, as [`Text::place`] says for other values: the env
/// file line of the variable that gave it, else the alias it came through, else where it is
/// written.
fn arg_place(a: &crate::compose::Arg) -> Origin {
    let from_file = a.vars.iter().find_map(|v| match &v.var {
        Some(crate::compose::Var {
            origin: crate::compose::VarOrigin::File(o),
            ..
        }) if !v.used_operand => Some(*o),
        _ => None,
    });
    match (from_file, &a.via) {
        (Some(o), _) => o,
        (None, Some(via)) => via.at,
        (None, None) => a.origin,
    }
}

/// The message of a problem that makes Docker Compose refuse the project.
fn problem_message(p: &Problem) -> (String, Origin) {
    match p {
        Problem::RequiredVariable { name, message, at } => (
            format!("required variable `{name}` is missing: {message}"),
            *at,
        ),
        Problem::InvalidInterpolation { message, at } => {
            (format!("invalid interpolation: {message}"), *at)
        }
        Problem::MissingFile { path, what, at } => (format!("{what} `{path}` does not exist"), *at),
        Problem::Cycle { chain, at } => (format!("cycle: {chain}"), *at),
        Problem::UnknownService { service, at } => (
            format!("`extends` names an unknown service `{service}`"),
            *at,
        ),
        Problem::InvalidVolumeSpec { spec, at, .. } => {
            (format!("invalid volume spec `{spec}`"), *at)
        }
        Problem::InvalidPortSpec {
            spec, reason, at, ..
        } => (format!("invalid port spec `{spec}`: {reason}"), *at),
        Problem::IncludeResourceConflict { key, name, at, .. } => (
            format!("`{key}.{name}` is declared otherwise by an included project"),
            *at,
        ),
        Problem::IncludeConflict { service, at } => (
            format!("service `{service}` is defined by an included project too"),
            *at,
        ),
        Problem::EmptyProjectName { written, at, .. } => (
            format!("the project name `{written}` is empty once normalised"),
            *at,
        ),
        Problem::ExternalNameConflict { key, name, at, .. } => (
            format!("{key}.{name}: name and external.name conflict"),
            *at,
        ),
        Problem::EmptyFile { at } => ("empty compose file".to_string(), *at),
        Problem::EmptyDocument { at } => ("top-level object must be a mapping".to_string(), *at),
        Problem::Refused { reason, at, .. } => (reason.clone(), *at),
        Problem::InvalidCommand { key, line, at, .. } => (
            format!("`{key}` is not a valid command line: `{line}`"),
            *at,
        ),
    }
}

/// The JSON document of an inspection. `cwd` makes relative host paths absolute; `home`
/// expands `~`.
pub fn json(ins: &Inspection, cwd: &Path, home: Option<&str>) -> Value {
    let projects: Vec<Value> = ins
        .projects
        .iter()
        .map(|p| {
            let places = Places::new(&p.project, cwd, home.map(str::to_string));
            let errors: Vec<Value> = p
                .project
                .errors
                .iter()
                .map(|e| {
                    json!({
                        "file": e.path.display().to_string(),
                        "message": e.message,
                        "line": e.at.map(|(_, pos)| pos.line),
                        "column": e.at.map(|(_, pos)| pos.column),
                    })
                })
                .collect();
            let mut services = Map::new();
            let mut origins = Map::new();
            let mut problems = Vec::new();
            let mut milvus_json = Map::new();
            if let Some(model) = &p.project.model {
                for c in milvus_configs(&p.project, model) {
                    if let Some(name) = c.service_name() {
                        milvus_json.insert(name.to_string(), milvus_config_json(&c, &places));
                    }
                }
                for s in &model.services {
                    let (v, o) = service_json(s, &places);
                    services.insert(s.name.value.clone(), v);
                    origins.insert(s.name.value.clone(), o);
                }
                for pr in &model.problems {
                    let (message, at) = problem_message(pr);
                    problems.push(json!({ "message": message, "at": places.at(at) }));
                }
            }
            json!({
                "files": p.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
                "read": p.project.files.iter().map(|f| f.path.display().to_string()).collect::<Vec<_>>(),
                "errors": errors,
                "problems": problems,
                "services": services,
                "origins": origins,
                "milvus": milvus_json,
            })
        })
        .collect();
    let walk: Vec<Value> = ins
        .walk_errors
        .iter()
        .map(|e| json!({ "path": e.path.display().to_string(), "message": e.message }))
        .collect();
    json!({
        "schema": 1,
        "milvet": env!("CARGO_PKG_VERSION"),
        "projects": projects,
        "walk_errors": walk,
    })
}

/// The configuration of each Milvus service of a loaded project.
fn milvus_configs<'a>(
    project: &Project,
    model: &'a crate::compose::ComposeFile,
) -> Vec<crate::milvus::MilvusConfig<'a>> {
    let sources: Vec<crate::compose::Source<'_>> = project
        .files
        .iter()
        .map(|f| crate::compose::Source {
            text: &f.text,
            tree: &f.tree,
            path: &f.path,
        })
        .collect();
    let stack = crate::stack::roles::Stack::of(model);
    crate::milvus::configs(model, &sources, &stack)
}

/// Where a Milvus setting was decided, in words with its place.
fn decided_text(d: &crate::milvus::Decided<'_>, key: &str, places: &Places<'_>) -> String {
    match d.origin() {
        Some(o) => format!("{} at {}", d.describe(key), places.at(o)),
        None => d.describe(key),
    }
}

/// The human lines of a Milvus service's configuration: its files, its line, and the
/// settings the rules judge with where each was decided and what it overrides.
fn milvus_lines(out: &mut String, c: &crate::milvus::MilvusConfig<'_>, places: &Places<'_>) {
    let line_value = match c.choice.assumed {
        Some(a) => format!("{} ({a})", c.line().name),
        None => c.line().name.to_string(),
    };
    line(out, 4, "version line", &line_value, None);
    if c.files.is_empty() {
        line(
            out,
            4,
            "configuration",
            "the image's own (no file mounted)",
            None,
        );
    }
    let path_of = |file: crate::compose::FileId| {
        places
            .project
            .files
            .get(file.0 as usize)
            .map_or_else(String::new, |lf| lf.path.display().to_string())
    };
    for f in &c.files {
        let path = path_of(f.file);
        line(
            out,
            4,
            f.kind.file_name(),
            &path,
            f.mount.map(|m| format!("mounted at {}", places.at(m))),
        );
    }
    for f in &c.ignored {
        let path = path_of(f.file);
        line(
            out,
            4,
            f.kind.file_name(),
            &format!(
                "{path}  (not read: this release reads {})",
                c.reads.describe()
            ),
            Some(format!("mounted at {}", places.at(f.mount))),
        );
    }
    for key in crate::milvus::keys::SHOWN {
        let Some(setting) = c.value(key) else {
            continue;
        };
        let mut at = decided_text(&setting.decided, &setting.key, places);
        for sh in &setting.shadowed {
            at.push_str(&format!(
                "; overrides {}",
                decided_text(sh, &setting.key, places)
            ));
        }
        let value = if setting.value.is_empty() {
            "\"\"".to_string()
        } else {
            setting.value.clone()
        };
        line(out, 4, &setting.key, &value, Some(at));
    }
}

/// The JSON of a Milvus service's configuration (see [`milvus_lines`]).
fn milvus_config_json(c: &crate::milvus::MilvusConfig<'_>, places: &Places<'_>) -> Value {
    let decided = |d: &crate::milvus::Decided<'_>| -> Value {
        let (by, name) = match d {
            crate::milvus::Decided::Env { var, .. } => {
                ("environment", Some(var.name.value.clone()))
            }
            crate::milvus::Decided::File { kind, .. } => (kind.file_name(), None),
            crate::milvus::Decided::Default { .. } => ("default", None),
        };
        json!({ "by": by, "variable": name, "at": d.origin().map(|o| places.at(o)) })
    };
    let mut settings = Map::new();
    for key in crate::milvus::keys::SHOWN {
        if let Some(s) = c.value(key) {
            settings.insert(
                s.key.clone(),
                json!({
                    "value": s.value,
                    "decided": decided(&s.decided),
                    "overrides": s.shadowed.iter().map(decided).collect::<Vec<_>>(),
                }),
            );
        }
    }
    let files: Vec<Value> = c
        .files
        .iter()
        .map(|f| {
            json!({
                "kind": f.kind.file_name(),
                "path": places.project.files.get(f.file.0 as usize).map(|lf| lf.path.display().to_string()),
                "mount": f.mount.map(|m| places.at(m)),
            })
        })
        .collect();
    let ignored: Vec<Value> = c
        .ignored
        .iter()
        .map(|f| {
            json!({
                "kind": f.kind.file_name(),
                "path": places.project.files.get(f.file.0 as usize).map(|lf| lf.path.display().to_string()),
                "mount": places.at(f.mount),
            })
        })
        .collect();
    json!({
        "line": c.line().name,
        "line_assumed": c.choice.assumed,
        "reads": c.reads.files.iter().map(|k| k.file_name()).collect::<Vec<_>>(),
        "files": files,
        "ignored": ignored,
        "settings": settings,
    })
}

/// One line of the human form: a setting, its value, and where it was decided.
fn line(out: &mut String, indent: usize, what: &str, value: &str, at: Option<String>) {
    let pad = " ".repeat(indent);
    let width = 24usize.saturating_sub(indent);
    match at {
        Some(at) => out.push_str(&format!("{pad}{what:<width$} {value}  ({at})\n")),
        None => out.push_str(&format!("{pad}{what:<width$} {value}\n")),
    }
}

fn etcd_source(s: &etcd::Setting, places: &Places<'_>) -> String {
    let how = match &s.source {
        etcd::Source::Flag(_) => "flag".to_string(),
        etcd::Source::Env(v) => format!("`{}`", v.name.value),
        etcd::Source::Default => return "etcd's default".into(),
        etcd::Source::Image => return "fixed by the image's start-up scripts".into(),
        etcd::Source::File(f) => format!("`{}` in etcd's config file", f.setting.key),
        etcd::Source::FileDefault(_) => "not set in etcd's config file".to_string(),
    };
    match s.origin() {
        Some(o) => format!("{how} at {}", places.at(o)),
        None => how,
    }
}

/// What keeps a path: the mount covering it and where that mount is written.
fn storage_line(
    out: &mut String,
    model: &ComposeFile,
    s: &Service,
    path: &str,
    places: &Places<'_>,
) {
    let m = s.mount_covering(path);
    let what = match model.storage(s, path, &[]) {
        crate::compose::Storage::Persistent(_) => "persistent",
        crate::compose::Storage::Anonymous(_) => "anonymous volume (lost on `down`)",
        crate::compose::Storage::Tmpfs(_) => "tmpfs (memory)",
        crate::compose::Storage::MemoryVolume(_) => "volume in memory",
        crate::compose::Storage::OtherMount(_) => "other mount",
        crate::compose::Storage::ImageVolume(_) => "image volume",
        crate::compose::Storage::WritableLayer => {
            "not mounted by the project: the container's writable layer, or a VOLUME the image \
             declares (an anonymous volume)"
        }
    };
    match m {
        Some(m) => {
            let src = m
                .source
                .as_ref()
                .map_or(String::new(), |t| format!("{}:", t.value));
            line(
                out,
                6,
                "mount",
                &format!("{src}{} ({what})", m.target.value),
                Some(places.at(m.origin)),
            );
        }
        None => line(out, 6, "mount", what, None),
    }
}

fn common_lines(out: &mut String, s: &Service, places: &Places<'_>) {
    for v in &s.volumes_from {
        line(out, 4, "volumes from", &v.value, Some(places.at(v.place())));
    }
    match &s.healthcheck {
        Some(h) if h.disable => line(out, 4, "healthcheck", "disabled", Some(places.at(h.origin))),
        Some(h) => {
            let test: Vec<&str> = h.test.iter().map(|t| t.value.as_str()).collect();
            line(
                out,
                4,
                "healthcheck",
                &test.join(" "),
                Some(places.at(h.origin)),
            );
        }
        None => line(out, 4, "healthcheck", "none (the image's, if any)", None),
    }
    match (&s.deploy_restart, &s.restart) {
        (Some(d), _) => {
            let c = d.condition.as_ref().map_or("any", |t| t.value.as_str());
            line(
                out,
                4,
                "restart",
                &format!("deploy.restart_policy {c}"),
                Some(places.at(d.origin)),
            );
        }
        (None, Some(r)) => line(out, 4, "restart", &r.value, Some(places.at(r.place()))),
        (None, None) => line(out, 4, "restart", "no (Docker's default)", None),
    }
}

/// The human form: per project, each etcd, MinIO and Milvus service and what the rules judge.
pub fn human(ins: &Inspection, cwd: &Path) -> String {
    let mut out = String::new();
    for p in &ins.projects {
        let names: Vec<String> = p.files.iter().map(|f| f.display().to_string()).collect();
        out.push_str(&format!("project {}\n", names.join(" + ")));
        for e in &p.project.errors {
            let at = e.at.map_or(String::new(), |(_, pos)| format!(":{pos}"));
            out.push_str(&format!(
                "  error: {}{at}: {}\n",
                e.path.display(),
                e.message
            ));
        }
        let Some(model) = &p.project.model else {
            out.push('\n');
            continue;
        };
        let places = Places::new(&p.project, cwd, None);
        for pr in &model.problems {
            let (message, at) = problem_message(pr);
            out.push_str(&format!("  refused: {} ({})\n", message, places.at(at)));
        }
        let configs = milvus_configs(&p.project, model);
        let sources: Vec<crate::compose::Source<'_>> = p
            .project
            .files
            .iter()
            .map(|f| crate::compose::Source {
                text: &f.text,
                tree: &f.tree,
                path: &f.path,
            })
            .collect();
        let mut shown = 0;
        for s in &model.services {
            // etcd's settings as it reads them: from its config file when the project mounts it.
            if let Some(e) = etcd::Etcd::detect(s).map(|e| e.with_config_file(model, &sources)) {
                shown += 1;
                out.push_str(&format!(
                    "  {} (etcd)  {}\n",
                    s.name.value,
                    places.at(s.origin)
                ));
                let dd = e.data_dir();
                line(
                    &mut out,
                    4,
                    "data dir",
                    dd.path.as_deref().unwrap_or(&dd.written),
                    Some(etcd_source(&dd.setting, &places)),
                );
                if let Some(path) = &dd.path {
                    storage_line(&mut out, model, s, path, &places);
                }
                let mode = e.compaction_mode();
                line(
                    &mut out,
                    4,
                    "compaction mode",
                    if mode.value.is_empty() {
                        "none"
                    } else {
                        &mode.value
                    },
                    Some(etcd_source(&mode, &places)),
                );
                let ret = e.compaction_retention();
                line(
                    &mut out,
                    4,
                    "compaction retention",
                    &ret.value,
                    Some(etcd_source(&ret, &places)),
                );
                common_lines(&mut out, s, &places);
            } else if let Some(m) = minio::Minio::detect(s) {
                shown += 1;
                out.push_str(&format!(
                    "  {} (MinIO)  {}\n",
                    s.name.value,
                    places.at(s.origin)
                ));
                let paths = m.data_paths();
                if paths.is_empty() {
                    line(&mut out, 4, "serves", "no absolute path", None);
                }
                for d in paths {
                    let how = match &d.source {
                        minio::PathSource::Argument => "argument".to_string(),
                        minio::PathSource::Env(n) => format!("`{n}`"),
                        minio::PathSource::Default => "the image's default".to_string(),
                    };
                    let at = d
                        .origin
                        .map_or(how.clone(), |o| format!("{how} at {}", places.at(o)));
                    line(&mut out, 4, "serves", &d.path, Some(at));
                    storage_line(&mut out, model, s, &d.path, &places);
                }
                common_lines(&mut out, s, &places);
            } else if milvus::is_milvus(s) {
                shown += 1;
                out.push_str(&format!(
                    "  {} (Milvus)  {}\n",
                    s.name.value,
                    places.at(s.origin)
                ));
                if let Some(c) = configs
                    .iter()
                    .find(|c| c.service_name() == Some(&s.name.value))
                {
                    milvus_lines(&mut out, c, &places);
                }
                common_lines(&mut out, s, &places);
            }
        }
        if shown == 0 {
            out.push_str(&format!(
                "  no etcd, MinIO or Milvus service among {} service(s)\n",
                model.services.len()
            ));
        }
        out.push('\n');
    }
    for e in &ins.walk_errors {
        out.push_str(&format!("error: {}: {}\n", e.path.display(), e.message));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::go_duration;

    #[test]
    fn durations_print_as_go_prints_them() {
        const S: u128 = 1_000_000_000;
        for (ns, want) in [
            (0, "0s"),
            (500, "500ns"),
            (1_500, "1.5µs"),
            (2_000_000, "2ms"),
            (1_250_000_000, "1.25s"),
            (30 * S, "30s"),
            (60 * S, "1m0s"),
            (90 * S, "1m30s"),
            (3600 * S, "1h0m0s"),
            (3600 * S + 61 * S + S / 2, "1h1m1.5s"),
        ] {
            assert_eq!(go_duration(ns), want, "{ns}");
        }
    }
}
