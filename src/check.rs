//! Running the pipeline: find the projects, load them (read, parse, interpolate, merge), run
//! the rules, and with `--fix` or `--diff` apply the fixes; one [`FileReport`] a file.

use crate::compose::FileId;
use crate::config::{ConfigError, Resolver, Settings};
use crate::diagnostic::{Applicability, Diagnostic, Severity};
use crate::discover::{self, FileKind, Unit};
use crate::fix::{self, FixError, FixPolicy};
use crate::fs_cache::FsCache;
use crate::project::{self, Disk, LoadError, LoadOptions, Overlay, Project, Role};
use crate::rules::{self, DocumentContext, RuleOptions, Source};
use crate::source::{LineIndex, Position, Span};
use crate::yaml::{self, Limits, NodeId};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Everything a check run can be told.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub rules: RuleOptions,
    pub limits: Limits,
    /// Files checked at once; `None` or 0 for one per CPU.
    pub jobs: Option<usize>,
    /// Whether to fix, and how.
    pub fix: FixMode,
    /// Which fixes `fix` applies.
    pub policy: FixPolicy,
    /// The shell's variables, for interpolation (empty by default: the command line passes the
    /// process environment).
    pub shell: Arc<HashMap<String, String>>,
    /// `--env-file`s, replacing the `.env` beside a project's first file.
    pub env_files: Vec<PathBuf>,
    /// Finds each file's configuration (by default, none: every rule at its own severity).
    pub config: Arc<Resolver>,
    /// The configuration of the unit being checked (set from `config` for each unit).
    pub settings: Arc<Settings>,
    /// A text read from standard input, checked as the file at this path.
    pub stdin: Option<(PathBuf, Arc<str>)>,
    /// Called with each file about to be replaced by its fixed text, just before it is checked
    /// again and renamed over: a hook for tests, to change the file there.
    pub before_replace: Option<ReplaceHook>,
    /// What discovery saw of the directories walked (set by [`check_paths_each`]; by default
    /// nothing, and the disk is asked).
    pub fs: Arc<FsCache>,
}

/// A function called before a fixed file replaces the original (see
/// [`Options::before_replace`]).
#[derive(Clone)]
pub struct ReplaceHook(pub Arc<dyn Fn(&Path) + Send + Sync>);

impl std::fmt::Debug for ReplaceHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReplaceHook")
    }
}

impl Options {
    /// What discovery reads besides the files: the shell's variables and the `--env-file`s
    /// (`COMPOSE_FILE` chooses a directory's files).
    pub fn discovery(&self) -> discover::Environment<'_> {
        discover::Environment {
            shell: Some(&self.shell),
            env_files: &self.env_files,
        }
    }

    fn load_options(&self) -> LoadOptions {
        LoadOptions {
            limits: self.limits.clone(),
            shell: self.shell.clone(),
            env_files: self.env_files.clone(),
            fs: self.fs.clone(),
        }
    }

    /// The configuration of the file at `path`.
    fn settings_for(&self, path: &Path) -> Result<Arc<Settings>, ConfigError> {
        self.config.for_file_in(path, &self.fs)
    }
}

/// What to do with fixes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FixMode {
    /// Only report them.
    #[default]
    Report,
    /// Apply them and write the files.
    Write,
    /// Apply them in memory, to show the difference; write nothing.
    Diff,
}

/// What fixing did to a file.
#[derive(Clone, Debug)]
pub struct FileFix {
    /// Fixes applied.
    pub applied: usize,
    /// The text before fixing.
    pub original: Arc<str>,
    /// The text after fixing. With `--fix` it is also [`FileReport::text`]; with `--diff` the
    /// report keeps the text on disk (the original), and its findings are placed in it.
    pub fixed: Arc<str>,
    /// Whether the fixed text was written to the file.
    pub written: bool,
    /// The findings whose fixes were applied to this file (their fixes say what was done and,
    /// for unsafe ones, what the user must do).
    pub applied_fixes: Vec<Diagnostic>,
}

/// Why a file could not be checked, or its fixes could not be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    pub message: String,
    /// Byte offset and position of the problem, when it has one.
    pub at: Option<(usize, Position)>,
    /// Whether the file was checked and only its fixes failed.
    pub stage: Stage,
}

/// What failed for a file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Stage {
    /// It could not be checked (read, parsed, loaded).
    #[default]
    Check,
    /// It was checked, but its fixes could not be verified or written.
    Fix,
}

/// The result of checking one file.
#[derive(Clone, Debug)]
pub struct FileReport {
    pub path: PathBuf,
    pub kind: FileKind,
    /// The file's text, when it could be read as UTF-8; after fixing, the fixed text, which the
    /// diagnostics refer to.
    pub text: Option<Arc<str>>,
    /// The findings (those that remain, after fixing).
    pub diagnostics: Vec<Diagnostic>,
    /// Why the file could not be checked, or could not be fixed.
    pub error: Option<FileError>,
    /// What fixing did, when fixes were applied.
    pub fix: Option<FileFix>,
}

impl FileReport {
    fn failed(path: &Path, kind: FileKind, text: Option<Arc<str>>, error: FileError) -> Self {
        FileReport {
            path: path.to_path_buf(),
            kind,
            text,
            diagnostics: Vec::new(),
            error: Some(error),
            fix: None,
        }
    }

    /// Whether fixing changed the text (written, or shown as a diff).
    pub fn changed(&self) -> bool {
        self.fix.as_ref().is_some_and(|f| f.original != f.fixed)
    }

    /// Unsafe fixes among the remaining findings.
    pub fn unsafe_fixes(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| f.applicability == Applicability::Unsafe)
            })
            .count()
    }
}

/// Check the paths given on the command line (files, directories, or the current directory
/// when there are none). Reports come in discovery order.
pub fn check_paths(paths: &[PathBuf], options: &Options) -> Vec<FileReport> {
    let mut units = Vec::new();
    check_paths_each(paths, options, &mut |reports| units.push(reports));
    number(units)
}

/// [`check_paths`], handing the reports of each unit to `emit` as soon as its turn comes, in
/// discovery order, so that a caller can write them out and drop them. Each call's
/// diagnostics use file ids local to that call (the index of the report in it).
pub fn check_paths_each(
    paths: &[PathBuf],
    options: &Options,
    emit: &mut dyn FnMut(Vec<FileReport>),
) {
    // The same file or directory named twice (`a.yml ./a.yml $PWD/a.yml`) is checked once.
    let mut seen: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
    let paths: Vec<PathBuf> = paths
        .iter()
        .filter(|p| seen.insert(same_file(p, &FsCache::default())))
        .cloned()
        .collect();
    let (mut units, walk_errors, fs) = discover::units_cached(&paths, &options.discovery());
    let options = &Options {
        fs: Arc::new(fs),
        ..options.clone()
    };
    // Files the configuration excludes are not checked.
    for u in &mut units {
        u.files.retain(|f| {
            options
                .settings_for(f)
                .map_or(true, |s| !s.excluded(&s.absolute(f)))
        });
    }
    units.retain(|u| !u.files.is_empty());
    check_units_each(&units, options, emit);
    for e in walk_errors {
        emit(vec![FileReport::failed(
            &e.path,
            FileKind::Compose,
            None,
            FileError {
                message: format!("cannot read: {}", e.message),
                at: None,
                stage: Stage::Check,
            },
        )]);
    }
}

/// The reports of a unit, and the files its project included or extended.
type UnitResult = (Vec<FileReport>, Vec<PathBuf>);

/// Check units, on as many threads as the machine has when there are several. A unit whose
/// files another unit's project includes or extends is checked as part of that project only.
pub fn check_units(units: &[Unit], options: &Options) -> Vec<FileReport> {
    let mut out = Vec::new();
    check_units_each(units, options, &mut |reports| out.push(reports));
    number(out)
}

/// [`check_units`], handing the reports of each unit to `emit` in the units' order as soon as
/// its turn comes (file ids local to each call). Units are checked on several threads, at
/// most a few ahead of the one whose turn it is, so that only a few units' texts and findings
/// are held at once, whatever their number.
pub fn check_units_each(units: &[Unit], options: &Options, emit: &mut dyn FnMut(Vec<FileReport>)) {
    // Fewer than four units take one thread: the machine is not asked (it reads the
    // process's cgroup files) when that is the most there can be.
    let most = units.len() / 4 + 1;
    let threads = match options.jobs.filter(|&n| n > 0) {
        Some(n) => n.min(most),
        None if most == 1 => 1,
        None => std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(most),
    };
    let covered = covered_units(units, options, threads);
    // A configuration file that cannot be read is reported once.
    let mut config_errors = Vec::new();
    let mut deliver = |i: usize, result: Option<UnitResult>| {
        let Some((mut reports, _)) = result else {
            // Covered: its configuration's error still counts as reported.
            if let Some(Err(e)) = units[i].files.first().map(|f| options.settings_for(f)) {
                let key = (e.path.clone(), format!("{CONFIG_ERROR}{}", e.message));
                if !config_errors.contains(&key) {
                    config_errors.push(key);
                }
            }
            return;
        };
        reports.retain(|r| !config_errors_seen(&mut config_errors, r));
        emit(reports);
    };
    let work = |i: usize| (!covered[i]).then(|| check_unit_referencing(&units[i], options));
    if threads <= 1 {
        for i in 0..units.len() {
            deliver(i, work(i));
        }
    } else {
        in_order(units.len(), threads, work, |i, r| deliver(i, r.flatten()));
    }
}

/// Run `work` over `0..n` on `threads` threads and hand each result to `deliver` in index
/// order, as soon as the results before it are delivered. A work that panics is delivered as
/// `None`.
///
/// The calling thread is one of the `threads`: it takes indexes like the others and, between
/// two, delivers what is ready, so that no thread is woken for each result and the threads
/// are not one more than the cores asked for. It blocks only for a result it cannot go on
/// without. A worker waits rather than run more than a few indexes ahead of the next to
/// deliver, so that few results wait at once.
fn in_order<T: Send>(
    n: usize,
    threads: usize,
    work: impl Fn(usize) -> T + Sync,
    mut deliver: impl FnMut(usize, Option<T>),
) {
    use std::sync::{Condvar, Mutex, PoisonError, mpsc};
    let window = threads * 4;
    let next = AtomicUsize::new(0);
    let gate = Gate {
        delivered: AtomicUsize::new(0),
        waiting: Mutex::new(0),
        grown: Condvar::new(),
    };
    let run = |i: usize| std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(i))).ok();
    std::thread::scope(|scope| {
        // Should `deliver` panic, no worker is left waiting for the window: they go on, find
        // the results no longer received, and end, so that the scope ends and the panic goes on.
        struct Open<'g>(&'g Gate);
        impl Drop for Open<'_> {
            fn drop(&mut self) {
                self.0.advance(usize::MAX / 2);
            }
        }
        let _open = Open(&gate);
        let (tx, rx) = mpsc::channel::<(usize, Option<T>)>();
        for _ in 1..threads {
            let (tx, next, gate, run) = (tx.clone(), &next, &gate, &run);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    gate.wait_below(i, window);
                    if tx.send((i, run(i))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut ready: std::collections::BTreeMap<usize, Option<T>> = Default::default();
        let mut want = 0;
        // Deliver every result whose turn has come.
        let mut flush = |ready: &mut std::collections::BTreeMap<usize, Option<T>>,
                         want: &mut usize| {
            let before = *want;
            while let Some(result) = ready.remove(want) {
                deliver(*want, result);
                *want += 1;
            }
            if *want > before {
                gate.advance(*want);
            }
        };
        loop {
            while let Ok((i, result)) = rx.try_recv() {
                ready.insert(i, result);
            }
            flush(&mut ready, &mut want);
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                break;
            }
            // Too far ahead: deliver what the others finish until this index is in the window.
            while i >= want + window {
                let Ok((j, result)) = rx.recv() else { break };
                ready.insert(j, result);
                flush(&mut ready, &mut want);
            }
            ready.insert(i, run(i));
        }
        flush(&mut ready, &mut want);
        for (i, result) in rx {
            ready.insert(i, result);
            flush(&mut ready, &mut want);
        }
        // Every index was taken, and each result was sent or the thread that took it ended.
        flush(&mut ready, &mut want);
    });

    /// How many results were delivered, for the workers that must not run ahead of it.
    struct Gate {
        delivered: AtomicUsize,
        /// How many workers wait for `delivered` to grow.
        waiting: Mutex<usize>,
        grown: Condvar,
    }

    impl Gate {
        /// Wait until `i` is less than `window` past the delivered results.
        fn wait_below(&self, i: usize, window: usize) {
            if i < self.delivered.load(Ordering::Acquire) + window {
                return;
            }
            let mut waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
            *waiting += 1;
            while i >= self.delivered.load(Ordering::Acquire) + window {
                waiting = self
                    .grown
                    .wait(waiting)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            *waiting -= 1;
        }

        /// `delivered` results are delivered: wake the workers waiting, if any.
        fn advance(&self, delivered: usize) {
            self.delivered.store(delivered, Ordering::Release);
            // Taken after the store, so that a worker either sees the new count before it
            // waits or is counted here and woken.
            if *self.waiting.lock().unwrap_or_else(PoisonError::into_inner) > 0 {
                self.grown.notify_all();
            }
        }
    }
}

/// Which units are checked only as part of another unit's project: every one of their files
/// is pulled in (`include`, `extends`) by another unit's project. Only the units whose text
/// can name another file are loaded to find out, before any unit is checked.
fn covered_units(units: &[Unit], options: &Options, threads: usize) -> Vec<bool> {
    let mut covered = vec![false; units.len()];
    if units.len() < 2 {
        return covered;
    }
    // A walked milvus.yaml or user.yaml is covered when a service mounts it.
    let configs_walked = units.iter().any(|u| u.kind == FileKind::MilvusConfig);
    let refs = |i: usize| -> Vec<PathBuf> {
        let u = &units[i];
        if u.kind != FileKind::Compose
            || !u
                .files
                .iter()
                .any(|f| may_refer(f, options, configs_walked))
        {
            return Vec::new();
        }
        if let Some(Err(_)) = u.files.first().map(|f| options.settings_for(f)) {
            return Vec::new();
        }
        referenced(&load(u, options))
    };
    let mut referenced: Vec<(usize, PathBuf)> = Vec::new();
    let mut add = |i: usize, paths: Vec<PathBuf>| {
        referenced.extend(paths.iter().map(|p| (i, same_file(p, &options.fs))));
    };
    if threads <= 1 {
        for i in 0..units.len() {
            add(i, refs(i));
        }
    } else {
        in_order(units.len(), threads, refs, |i, r| {
            add(i, r.unwrap_or_default())
        });
    }
    if referenced.is_empty() {
        return covered;
    }
    for (i, c) in covered.iter_mut().enumerate() {
        *c = !units[i].files.is_empty()
            && units[i].files.iter().all(|f| {
                let f = same_file(f, &options.fs);
                referenced.iter().any(|(j, p)| *j != i && *p == f)
            });
    }
    covered
}

/// Whether a Compose file's text can name another Compose file: whether it holds `include`
/// or `extends`, or an escape a double-quoted key could spell them with; with `configs` (a
/// Milvus configuration file was walked too), whether it can mount one (`configs`, as in
/// `/milvus/configs`, or `MILVUSCONF`). A file that cannot be read names none.
fn may_refer(path: &Path, options: &Options, configs: bool) -> bool {
    let text = match &options.stdin {
        Some((p, text)) if p == path => text.as_bytes().to_vec(),
        _ => match crate::source::read_regular(path, options.limits.max_bytes) {
            Ok((bytes, _)) => bytes,
            Err(_) => return false,
        },
    };
    let has = |needle: &[u8]| memchr::memmem::find(&text, needle).is_some();
    // `\x65`, `\u0065`, or a line folded by `\` inside an explicit (`?`) multi-line key.
    has(b"include")
        || has(b"extends")
        || has(b"\\x")
        || has(b"\\u")
        || has(b"\\U")
        || ((has(b"\\\n") || has(b"\\\r")) && text.contains(&b'?'))
        || (configs && (has(b"configs") || has(b"MILVUSCONF")))
}

/// The files a loaded project pulled in with `include` or `extends`, and the configuration
/// files its services mount (a Milvus configuration a service mounts is checked as part of
/// that project, not again on its own).
fn referenced(project: &Project) -> Vec<PathBuf> {
    project
        .files
        .iter()
        .filter(|f| matches!(f.role, Role::Referenced | Role::Mounted))
        .map(|f| f.path.clone())
        .collect()
}

/// Load the project of a Compose unit, from disk or (for the file standing for standard
/// input) from the text read.
fn load(unit: &Unit, options: &Options) -> Project {
    match &options.stdin {
        Some((path, text)) => project::load_in(
            &unit.files,
            unit.run_dir.as_deref(),
            &options.load_options(),
            &Overlay {
                texts: HashMap::from([(path.clone(), &**text)]),
                only: false,
            },
        ),
        None => project::load_in(
            &unit.files,
            unit.run_dir.as_deref(),
            &options.load_options(),
            &Disk,
        ),
    }
}

/// Whether `r` is the report of a configuration file's error already reported (remembering
/// it in `seen` otherwise).
fn config_errors_seen(seen: &mut Vec<(PathBuf, String)>, r: &FileReport) -> bool {
    let Some(e) = &r.error else { return false };
    if !e.message.starts_with(CONFIG_ERROR) {
        return false;
    }
    let key = (r.path.clone(), e.message.clone());
    if seen.contains(&key) {
        return true;
    }
    seen.push(key);
    false
}

/// How the message of a configuration file's error starts.
const CONFIG_ERROR: &str = "configuration: ";

/// The reports of a unit whose configuration file cannot be used: the file's error, and the
/// unit's files as not checked.
fn config_failed(unit: &Unit, e: &ConfigError) -> Vec<FileReport> {
    let at = match (&e.text, e.span) {
        (Some(text), Some(span)) => {
            Some((span.start, LineIndex::new(text).position(text, span.start)))
        }
        _ => None,
    };
    let mut reports = vec![FileReport::failed(
        &e.path,
        FileKind::Compose,
        e.text.clone(),
        FileError {
            message: format!("{CONFIG_ERROR}{}", e.message),
            at,
            stage: Stage::Check,
        },
    )];
    for f in &unit.files {
        reports.push(FileReport::failed(
            f,
            unit.kind,
            None,
            FileError {
                message: format!(
                    "not checked: its configuration `{}` cannot be used",
                    e.path.display()
                ),
                at: None,
                stage: Stage::Check,
            },
        ));
    }
    reports
}

/// A path in a form that compares equal for the same file.
fn same_file(p: &Path, fs: &FsCache) -> PathBuf {
    fs.canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Flatten the reports of units into one file table: a diagnostic's file ids (local to its
/// unit) become indexes into the whole run.
fn number(units: Vec<Vec<FileReport>>) -> Vec<FileReport> {
    let mut out = Vec::new();
    for mut reports in units {
        let base = out.len() as u32;
        for r in &mut reports {
            for d in &mut r.diagnostics {
                let shift = |f: &mut FileId| f.0 += base;
                shift(&mut d.origin.file);
                for rel in &mut d.related {
                    shift(&mut rel.origin.file);
                }
                for e in d.fix.iter_mut().flat_map(|f| f.edits.iter_mut()) {
                    shift(&mut e.file);
                }
            }
        }
        out.extend(reports);
    }
    out
}

/// Read and check one file on its own.
pub fn check_file(path: &Path, kind: FileKind, options: &Options) -> FileReport {
    let unit = Unit {
        files: vec![path.to_path_buf()],
        kind,
        run_dir: None,
    };
    check_unit(&unit, options)
        .into_iter()
        .next()
        .unwrap_or_else(|| {
            FileReport::failed(
                path,
                kind,
                None,
                FileError {
                    message: "not checked".into(),
                    at: None,
                    stage: Stage::Check,
                },
            )
        })
}

/// Check one unit: a Milvus configuration, or the files of one Compose project. The reports'
/// diagnostics use file ids local to the unit (the index of the report, auxiliary files
/// included).
pub fn check_unit(unit: &Unit, options: &Options) -> Vec<FileReport> {
    check_unit_referencing(unit, options).0
}

/// [`check_unit`], and the Compose files the project pulled in with `include` or `extends`.
fn check_unit_referencing(unit: &Unit, options: &Options) -> UnitResult {
    let settings = match unit.files.first().map(|f| options.settings_for(f)) {
        Some(Err(e)) => return (config_failed(unit, &e), Vec::new()),
        Some(Ok(s)) => s,
        None => options.settings.clone(),
    };
    let options = &Options {
        rules: settings.rule_options(&options.rules),
        settings,
        ..options.clone()
    };
    if unit.kind == FileKind::MilvusConfig {
        let reports = unit
            .files
            .iter()
            .map(|p| check_milvus_config(p, options))
            .collect();
        return (reports, Vec::new());
    }
    let project = load(unit, options);
    let referenced = referenced(&project);
    if !project.errors.is_empty() {
        return (failed_project(unit, &project), referenced);
    }
    let diagnostics = diagnose(&project, options);
    if options.fix == FixMode::Report {
        let mut reports = project_reports(&project, diagnostics);
        mounted_failures(&project, &mut reports);
        return (reports, referenced);
    }
    // The findings go into the reports of the text as read only if those are the result (no
    // fix applies, or the fixes are refused): until then they are the fixes' findings.
    let (mut reports, shown) = report_files(&project, &diagnostics);
    mounted_failures(&project, &mut reports);
    fix_project(unit, project, diagnostics, &shown, &mut reports, options);
    (reports, referenced)
}

fn check_milvus_config(path: &Path, options: &Options) -> FileReport {
    let kind = FileKind::MilvusConfig;
    let text = match project::read_known(path, &options.limits, &options.fs) {
        Ok(Some(t)) => Arc::<str>::from(t),
        Ok(None) => {
            return FileReport::failed(
                path,
                kind,
                None,
                FileError {
                    message: "cannot read: no such file or directory".into(),
                    at: None,
                    stage: Stage::Check,
                },
            );
        }
        Err(e) => {
            return FileReport::failed(
                path,
                kind,
                None,
                FileError {
                    message: e.message,
                    at: e.at,
                    stage: Stage::Check,
                },
            );
        }
    };
    match yaml::parse(&text, &options.limits) {
        Ok(tree) => {
            let project = Project {
                files: vec![project::LoadedFile {
                    path: path.to_path_buf(),
                    role: Role::Mounted,
                    text: text.clone(),
                    tree,
                }],
                ..Project::default()
            };
            let config_kind = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(crate::milvus::ConfigKind::of_name)
                .unwrap_or(crate::milvus::ConfigKind::MilvusYaml);
            let f = &project.files[0];
            let sources = [Source {
                text: &f.text,
                tree: &f.tree,
                path: &f.path,
            }];
            let mut diagnostics =
                rules::run_lone_milvus_config(config_kind, &sources, &options.rules);
            crate::suppress::apply(&project, &options.settings, &mut diagnostics);
            FileReport {
                path: path.to_path_buf(),
                kind,
                text: Some(text),
                diagnostics,
                error: None,
                fix: None,
            }
        }
        Err(e) => {
            let pos = LineIndex::new(&text).position(&text, e.offset);
            let what = match e.kind {
                yaml::YamlErrorKind::Syntax => "invalid YAML",
                _ => "limit exceeded",
            };
            FileReport::failed(
                path,
                kind,
                Some(text),
                FileError {
                    message: format!("{what}: {}", e.message),
                    at: Some((e.offset, pos)),
                    stage: Stage::Check,
                },
            )
        }
    }
}

/// Reports for a project that could not be loaded: each failed file with its error, and the
/// project's other files as not checked.
fn failed_project(unit: &Unit, project: &Project) -> Vec<FileReport> {
    let mut reports: Vec<FileReport> = project
        .errors
        .iter()
        .map(|e: &LoadError| {
            FileReport::failed(
                &e.path,
                unit.kind,
                e.text.clone(),
                FileError {
                    message: e.message.clone(),
                    at: e.at,
                    stage: Stage::Check,
                },
            )
        })
        .collect();
    let first = project.errors[0].path.display().to_string();
    for path in &unit.files {
        if reports.iter().any(|r| r.path == *path) {
            continue;
        }
        reports.push(FileReport::failed(
            path,
            unit.kind,
            None,
            FileError {
                message: format!(
                    "not checked: `{first}`, a file of the same project, could not be read"
                ),
                at: None,
                stage: Stage::Check,
            },
        ));
    }
    // In the order the unit names its files, failures of other files after.
    reports.sort_by_key(|r| {
        unit.files
            .iter()
            .position(|p| *p == r.path)
            .unwrap_or(usize::MAX)
    });
    reports
}

/// The findings of a loaded project: document checks of every Compose file, then the rules
/// over the merged model.
fn diagnose(project: &Project, options: &Options) -> Vec<Diagnostic> {
    let sources: Vec<Source<'_>> = project
        .files
        .iter()
        .map(|f| Source {
            text: &f.text,
            tree: &f.tree,
            path: &f.path,
        })
        .collect();
    let mut diagnostics = Vec::new();
    for (i, f) in project.files.iter().enumerate() {
        if !matches!(f.role, Role::Entry | Role::Referenced) {
            continue;
        }
        for doc in &f.tree.documents {
            let Some(root) = doc.root else { continue };
            let mut found = rules::run_document(&DocumentContext {
                source: sources[i],
                file: FileId(i as u32),
                root,
                options: &options.rules,
            });
            if let Some(services) = extended_only(project, FileId(i as u32), root) {
                // Compose does not validate a file it reads only for `extends`, but the
                // services extended from it, merged into the services extending them.
                found.retain(|d| {
                    d.rule != "compose-schema"
                        || services
                            .iter()
                            .any(|s| s.start <= d.origin.span.start && d.origin.span.end <= s.end)
                });
            }
            diagnostics.extend(found);
        }
    }
    if let Some(model) = &project.model {
        // The fixes of many findings in a file each ask for its layout: detect it once.
        let found = fix::memo::remembering(|| rules::run(model, &sources, &options.rules));
        // Most findings are the model's: taken as they are rather than copied.
        if diagnostics.is_empty() {
            diagnostics = found;
        } else {
            diagnostics.extend(found);
        }
    }
    crate::project::relate_env_files(project, &mut diagnostics);
    crate::suppress::apply(project, &options.settings, &mut diagnostics);
    diagnostics
}

/// For a document of a file the project reads only for `extends`, where the services
/// extended from it are written (their names and definitions); `None` for the project's own.
fn extended_only(project: &Project, file: FileId, root: NodeId) -> Option<Vec<Span>> {
    let model = project.model.as_ref()?;
    let r = model
        .roots
        .iter()
        .find(|r| r.file == file && r.node == root)?;
    let names = r.extended.as_ref()?;
    let tree = &project.files.get(file.0 as usize)?.tree;
    let services = tree.get(root, "services").and_then(|n| tree.entries(n));
    Some(
        services
            .unwrap_or(&[])
            .iter()
            .filter(|e| {
                tree.scalar(e.key)
                    .is_some_and(|k| names.iter().any(|n| n == k))
            })
            .map(|e| {
                let (k, v) = (tree.span(e.key), tree.span(tree.resolve(e.value)));
                Span::new(k.start, k.end.max(v.end))
            })
            .collect(),
    )
}

/// One report a file: every entry file, and the other files a finding, its related places or
/// its fix's edits point into. The diagnostics' file ids become the reports' indexes.
fn project_reports(project: &Project, diagnostics: Vec<Diagnostic>) -> Vec<FileReport> {
    let (mut reports, shown) = report_files(project, &diagnostics);
    place_findings(&mut reports, &shown, diagnostics);
    reports
}

/// The reports [`project_reports`] makes, without their findings, and the index in the project
/// of each report's file.
fn report_files(project: &Project, diagnostics: &[Diagnostic]) -> (Vec<FileReport>, Vec<usize>) {
    let shown: Vec<usize> = (0..project.files.len())
        .filter(|&i| {
            let here = |f: FileId| f.0 as usize == i;
            project.files[i].role == Role::Entry
                || diagnostics.iter().any(|d| {
                    here(d.origin.file)
                        || d.related.iter().any(|r| here(r.origin.file))
                        || d.fix.iter().flat_map(|f| &f.edits).any(|e| here(e.file))
                })
        })
        .collect();
    let reports: Vec<FileReport> = shown
        .iter()
        .map(|&i| {
            let f = &project.files[i];
            FileReport {
                path: f.path.clone(),
                kind: if f.role == Role::Mounted {
                    discover::kind_of_explicit(&f.path)
                } else {
                    FileKind::Compose
                },
                text: Some(f.text.clone()),
                diagnostics: Vec::new(),
                error: None,
                fix: None,
            }
        })
        .collect();
    (reports, shown)
}

/// Put each finding in the report of its file (`reports` begin with those [`report_files`]
/// made for the files `shown`), its file ids made the reports' indexes.
fn place_findings(reports: &mut [FileReport], shown: &[usize], diagnostics: Vec<Diagnostic>) {
    let index: HashMap<usize, u32> = shown
        .iter()
        .enumerate()
        .map(|(k, &i)| (i, k as u32))
        .collect();
    let mut diagnostics = diagnostics;
    let report_of = |d: &Diagnostic| index.get(&(d.origin.file.0 as usize)).copied();
    // All in one report that has none yet (one file, the usual case): the findings are
    // moved there as they are, not copied one by one.
    if let Some(k) = diagnostics.first().and_then(report_of)
        && reports[k as usize].diagnostics.is_empty()
        && diagnostics.iter().all(|d| report_of(d) == Some(k))
    {
        for d in &mut diagnostics {
            renumber(d, &index);
        }
        reports[k as usize].diagnostics = diagnostics;
        return;
    }
    for mut d in diagnostics {
        let Some(k) = report_of(&d) else {
            continue;
        };
        renumber(&mut d, &index);
        reports[k as usize].diagnostics.push(d);
    }
}

/// Give a finding, its related places and its edits the file ids of `index`, leaving out the
/// related places in a file not in it.
fn renumber(d: &mut Diagnostic, index: &HashMap<usize, u32>) {
    if let Some(&k) = index.get(&(d.origin.file.0 as usize)) {
        d.origin.file = FileId(k);
    }
    d.related
        .retain_mut(|r| match index.get(&(r.origin.file.0 as usize)) {
            Some(&j) => {
                r.origin.file = FileId(j);
                true
            }
            None => false,
        });
    for e in d.fix.iter_mut().flat_map(|f| f.edits.iter_mut()) {
        if let Some(&j) = index.get(&(e.file.0 as usize)) {
            e.file = FileId(j);
        }
    }
}

/// A report for each host file a service mounts that could not be read or parsed (exit 2);
/// the project's other files are checked all the same, as Milvus would still start.
fn mounted_failures(project: &Project, reports: &mut Vec<FileReport>) {
    let Some(model) = &project.model else { return };
    for m in &model.mounted {
        let crate::mounted::MountedState::Unreadable(e) = &m.state else {
            continue;
        };
        if reports.iter().any(|r| r.path == e.path) {
            continue;
        }
        reports.push(FileReport::failed(
            &e.path,
            discover::kind_of_explicit(&e.path),
            e.text.clone(),
            FileError {
                message: format!(
                    "{} (mounted by `{}` at {})",
                    e.message, m.service, m.container_path
                ),
                at: e.at,
                stage: Stage::Check,
            },
        ));
    }
}

/// Apply the fixes of a project, verified, and write (or, for `--diff`, keep) the results.
///
/// `initial` are the project's findings, and `reports` the reports of its files as read, without
/// them (see [`report_files`]; the files `shown` first): the findings are put in those reports
/// when they are the result, as when no fix applies or the fixes are refused (found again
/// then, as `initial` goes to the fixes).
fn fix_project(
    unit: &Unit,
    project: Project,
    initial: Vec<Diagnostic>,
    shown: &[usize],
    reports: &mut Vec<FileReport>,
    options: &Options,
) {
    let wanted = initial.iter().any(|d| {
        d.fix
            .as_ref()
            .is_some_and(|f| options.policy.applies(f.applicability) && !f.edits.is_empty())
    });
    if !wanted {
        place_findings(reports, shown, initial);
        return;
    }
    let paths: Vec<PathBuf> = project.files.iter().map(|f| f.path.clone()).collect();
    let texts: Vec<String> = project.files.iter().map(|f| f.text.to_string()).collect();
    // What the reports of the fixed texts need of the project: its files' paths, roles and
    // texts. The model and the trees are dropped here, before each fix is re-checked on a
    // project of its own, so that two projects are never held at once.
    // Taken by a function of its own, so that the rest is dropped here, not at the end.
    let files = files_of(project);
    let project = Project {
        files: files
            .into_iter()
            .map(|f| project::LoadedFile {
                tree: Default::default(),
                ..f
            })
            .collect(),
        ..Default::default()
    };
    let load = options.load_options();
    let check = |texts: &[String]| {
        let reader = Overlay {
            texts: paths
                .iter()
                .cloned()
                .zip(texts.iter().map(String::as_str))
                .collect(),
            only: false,
        };
        let p = project::load_in(&unit.files, unit.run_dir.as_deref(), &load, &reader);
        if let Some(e) = p.errors.first() {
            let file = paths.iter().position(|x| *x == e.path).unwrap_or(0);
            return Err(FixError::Broken {
                file,
                message: format!("{}: {}", e.path.display(), e.message),
                offset: e.at.map_or(0, |(o, _)| o),
            });
        }
        Ok(diagnose(&p, options))
    };
    // The findings of the text as read, when the fixes are refused: found again, as `initial`
    // is dropped while the fixes are verified.
    let as_read = || check(&texts).unwrap_or_default();
    let result = fix::fix_texts(&texts, initial, options.policy, check);
    let fixed = match result {
        Ok(f) => f,
        Err(e) => {
            let error = FileError {
                message: format!("fixes not applied: {e}; the files are left as they were"),
                at: None,
                stage: Stage::Fix,
            };
            place_findings(reports, shown, as_read());
            for r in reports.iter_mut() {
                r.error = Some(error.clone());
            }
            return;
        }
    };
    // Write the changed files: each must still be the file that was read and one the user may
    // write, all checked before any is written, so that a project is fixed whole or not at all
    // (short of a change in between, which the write itself catches).
    if options.fix == FixMode::Write {
        let changed: Vec<usize> = (0..texts.len())
            .filter(|&i| fixed.texts[i] != texts[i])
            .collect();
        let hook = options
            .before_replace
            .as_ref()
            .map(|h| &*h.0 as &dyn Fn(&Path));
        let written = changed
            .iter()
            .try_for_each(|&i| {
                fix::check_replaceable(&paths[i], texts[i].as_bytes()).map_err(|e| (i, e))
            })
            .and_then(|()| {
                changed.iter().try_for_each(|&i| {
                    fix::replace_verified(
                        &paths[i],
                        texts[i].as_bytes(),
                        fixed.texts[i].as_bytes(),
                        hook,
                    )
                    .map_err(|e| (i, e))
                })
            });
        if let Err((i, e)) = written {
            let error = FileError {
                message: format!("could not be fixed: `{}`: {e}", paths[i].display()),
                at: None,
                stage: Stage::Fix,
            };
            place_findings(reports, shown, as_read());
            for r in reports.iter_mut() {
                r.error = Some(error.clone());
            }
            return;
        }
    }
    // Report the fixed texts and what remains in them.
    let mut fixed_project = project.clone();
    for (f, new) in fixed_project.files.iter_mut().zip(&fixed.texts) {
        f.text = Arc::from(new.as_str());
    }
    let mut new_reports = project_reports(&fixed_project, fixed.diagnostics);
    // Files shown before stay shown.
    for old in reports.iter() {
        if !new_reports.iter().any(|r| r.path == old.path) {
            let i = paths.iter().position(|p| *p == old.path).unwrap_or(0);
            let mut r = old.clone();
            r.diagnostics.clear();
            r.text = Some(Arc::from(fixed.texts[i].as_str()));
            new_reports.push(r);
        }
    }
    let mut applied_left = fixed.applied;
    // Each applied fix goes with the file of its finding, or else the first changed file.
    let first_changed = new_reports.iter().position(|r| {
        let i = paths.iter().position(|p| *p == r.path).unwrap_or(0);
        *project.files[i].text != *fixed.texts[i]
    });
    let mut applied_fixes: Vec<Vec<Diagnostic>> = vec![Vec::new(); new_reports.len()];
    for d in fixed.fixes {
        let path = project.files.get(d.origin.file.0 as usize).map(|f| &f.path);
        let k = new_reports
            .iter()
            .position(|r| Some(&r.path) == path)
            .or(first_changed)
            .unwrap_or(0);
        if let Some(list) = applied_fixes.get_mut(k) {
            list.push(d);
        }
    }
    for (r, fixes) in new_reports.iter_mut().zip(applied_fixes) {
        let i = paths.iter().position(|p| *p == r.path).unwrap_or(0);
        let original: Arc<str> = project.files[i].text.clone();
        let changed = *original != *fixed.texts[i];
        // Fixes are counted on the first changed file of the project.
        let applied = if changed {
            std::mem::take(&mut applied_left)
        } else {
            0
        };
        r.fix = Some(FileFix {
            applied,
            fixed: Arc::from(fixed.texts[i].as_str()),
            original,
            written: changed && options.fix == FixMode::Write,
            applied_fixes: fixes,
        });
    }
    if options.fix == FixMode::Diff {
        place_on_disk(&mut new_reports);
    }
    *reports = new_reports;
}

/// A project's files; the rest of it (its model) is dropped.
fn files_of(project: Project) -> Vec<project::LoadedFile> {
    project.files
}

/// With `--diff` nothing is written: put each report back on the text on disk, its remaining
/// findings (found in the fixed text) moved to the same places there. A place in a changed
/// region goes to the start of that region.
fn place_on_disk(reports: &mut [FileReport]) {
    let maps: Vec<Option<OffsetMap>> = reports
        .iter()
        .map(|r| {
            let f = r.fix.as_ref()?;
            (f.original != f.fixed).then(|| OffsetMap::new(&f.original, &f.fixed))
        })
        .collect();
    let map = |o: &mut crate::compose::Origin| {
        if let Some(Some(m)) = maps.get(o.file.0 as usize) {
            o.span = crate::source::Span::new(m.old(o.span.start), m.old(o.span.end));
        }
    };
    for r in reports.iter_mut() {
        for d in &mut r.diagnostics {
            map(&mut d.origin);
            for rel in &mut d.related {
                map(&mut rel.origin);
            }
            for e in d.fix.iter_mut().flat_map(|f| f.edits.iter_mut()) {
                let mut o = crate::compose::Origin {
                    file: e.file,
                    span: e.span,
                };
                map(&mut o);
                e.span = o.span;
            }
        }
        if let Some(f) = &r.fix {
            r.text = Some(f.original.clone());
        }
    }
}

/// Byte offsets of a changed text mapped back to the text it came from, line by line.
struct OffsetMap {
    /// (new line start, old line start, whether the line is unchanged), by new line.
    lines: Vec<(usize, usize, bool)>,
    old_len: usize,
}

impl OffsetMap {
    fn new(old: &str, new: &str) -> OffsetMap {
        let starts = |t: &str| -> Vec<usize> {
            let mut v = vec![0];
            v.extend(t.match_indices('\n').map(|(i, _)| i + 1));
            v
        };
        let (old_starts, new_starts) = (starts(old), starts(new));
        let at = |v: &[usize], i: usize, len: usize| v.get(i).copied().unwrap_or(len);
        let mut lines = Vec::new();
        let diff = similar::TextDiff::from_lines(old, new);
        for op in diff.ops() {
            let (tag, o, n) = op.as_tag_tuple();
            for (k, nl) in n.clone().enumerate() {
                let equal = tag == similar::DiffTag::Equal;
                let ol = if equal { o.start + k } else { o.start };
                lines.push((
                    at(&new_starts, nl, new.len()),
                    at(&old_starts, ol, old.len()),
                    equal,
                ));
            }
        }
        OffsetMap {
            lines,
            old_len: old.len(),
        }
    }

    fn old(&self, offset: usize) -> usize {
        let i = self.lines.partition_point(|l| l.0 <= offset);
        match i.checked_sub(1).and_then(|i| self.lines.get(i)) {
            Some(&(new_start, old_start, true)) => {
                (old_start + offset - new_start).min(self.old_len)
            }
            Some(&(_, old_start, false)) => old_start.min(self.old_len),
            None => offset.min(self.old_len),
        }
    }
}

/// Fix a text as one Compose file with no variables, as `--fix` would (with `policy`): the
/// verified result, or why it is refused. For tests and tools.
pub fn fix_text(text: &str, options: &Options, policy: FixPolicy) -> Result<fix::Fixed, FixError> {
    let broken = |(message, offset): (String, usize)| FixError::Broken {
        file: 0,
        message,
        offset,
    };
    let initial = check_text(text, FileKind::Compose, options).map_err(broken)?;
    fix::fix_texts(&[text.to_string()], initial, policy, |texts| {
        check_text(&texts[0], FileKind::Compose, options).map_err(broken)
    })
}

/// Check a text as one file of the given kind, with no variables; for tests and tools. `Err`
/// carries a message and the byte offset it concerns.
pub fn check_text(
    text: &str,
    kind: FileKind,
    options: &Options,
) -> Result<Vec<Diagnostic>, (String, usize)> {
    if kind == FileKind::MilvusConfig {
        return yaml::parse(text, &options.limits)
            .map(|_| Vec::new())
            .map_err(|e| (e.message, e.offset));
    }
    let path = PathBuf::from("compose.yaml");
    let reader = Overlay {
        texts: HashMap::from([(path.clone(), text)]),
        only: true,
    };
    let load = LoadOptions {
        limits: options.limits.clone(),
        shell: options.shell.clone(),
        env_files: Vec::new(),
        fs: Default::default(),
    };
    let project = project::load(std::slice::from_ref(&path), &load, &reader);
    if let Some(e) = project.errors.first() {
        return Err((e.message.clone(), e.at.map_or(0, |(o, _)| o)));
    }
    Ok(diagnose(&project, options))
}

/// The process exit code for a run: 2 when a file could not be checked (or fixed), 1 when
/// there are findings at warning or above, 0 otherwise. With `--diff`: 1 when there is a
/// difference to show or an error remains, 0 otherwise.
pub fn exit_code(reports: &[FileReport], mode: FixMode) -> i32 {
    exit_code_failing_on(reports, mode, Severity::Warning)
}

/// [`exit_code`] with the lowest severity that fails the run (`fail-on`); `--diff` fails on a
/// difference or a remaining error whatever it is.
pub fn exit_code_failing_on(reports: &[FileReport], mode: FixMode, fail_on: Severity) -> i32 {
    let mut outcome = Outcome::default();
    outcome.add(reports);
    outcome.exit_code(mode, fail_on)
}

/// What the exit status of a run depends on, gathered as its reports go by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// A file could not be checked or fixed.
    pub failed: bool,
    /// Fixing changed a text.
    pub changed: bool,
    /// The highest severity among the findings.
    pub worst: Option<Severity>,
}

impl Outcome {
    pub fn add(&mut self, reports: &[FileReport]) {
        for r in reports {
            self.failed |= r.error.is_some();
            self.changed |= r.changed();
            self.worst = self
                .worst
                .max(r.diagnostics.iter().map(|d| d.severity).max());
        }
    }

    /// The exit status: see [`exit_code_failing_on`].
    pub fn exit_code(&self, mode: FixMode, fail_on: Severity) -> i32 {
        if self.failed {
            2
        } else if mode == FixMode::Diff {
            i32::from(self.changed || self.worst >= Some(Severity::Error))
        } else {
            i32::from(self.worst >= Some(fail_on))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::in_order;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Every index is delivered once, in order, with its own result, whatever the number of
    /// threads; a work that panics is delivered as `None` and the others go on.
    #[test]
    fn in_order_delivers_each_index_once_in_order() {
        for threads in [2, 3, 8] {
            for n in [0, 1, 2, 7, 100, 1000] {
                let mut got = Vec::new();
                in_order(
                    n,
                    threads,
                    |i| {
                        if i % 97 == 13 {
                            panic!("work {i} fails");
                        }
                        // Uneven work, so that results arrive out of order.
                        let mut x = i as u64;
                        for _ in 0..(i % 7) * 500 {
                            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                        }
                        std::hint::black_box(x);
                        i * 3
                    },
                    |i, r| got.push((i, r)),
                );
                let want: Vec<_> = (0..n)
                    .map(|i| (i, (i % 97 != 13).then_some(i * 3)))
                    .collect();
                assert_eq!(got, want, "{threads} threads, {n} indexes");
            }
        }
    }

    /// A delivery that panics ends the run with its panic; no worker is left waiting.
    #[test]
    fn in_order_ends_when_a_delivery_panics() {
        for threads in [2, 4] {
            let result = std::panic::catch_unwind(|| {
                in_order(
                    10_000,
                    threads,
                    |i| i,
                    |i, _| assert!(i != 5, "delivery {i} fails"),
                );
            });
            assert!(result.is_err(), "{threads} threads");
        }
    }

    /// No work starts more than the window (four per thread) past the next index to deliver,
    /// so that few results are held at once, and the delivery does not wait for the end.
    #[test]
    fn in_order_runs_at_most_a_window_ahead() {
        let threads = 3;
        let delivered = AtomicUsize::new(0);
        let ahead = AtomicUsize::new(0);
        in_order(
            400,
            threads,
            |i| {
                let d = delivered.load(Ordering::SeqCst);
                ahead.fetch_max(i - d.min(i), Ordering::SeqCst);
                if i % 50 == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                i
            },
            |i, r| {
                assert_eq!(r, Some(i));
                delivered.store(i + 1, Ordering::SeqCst);
            },
        );
        assert_eq!(delivered.load(Ordering::SeqCst), 400);
        let ahead = ahead.load(Ordering::SeqCst);
        assert!(
            ahead < threads * 4,
            "a work ran {ahead} past the delivered results"
        );
        assert!(ahead > 0, "the threads never ran ahead");
    }
}
