//! Configuration: which rules run, at what severity and with what options, on which files.
//!
//! A configuration file is `.milvet.toml`, `milvet.toml`, or a `pyproject.toml` with a
//! `[tool.milvet]` table. For each checked file, the nearest one upward from its directory
//! applies (in one directory, `.milvet.toml` before `milvet.toml` before `pyproject.toml`);
//! files are not merged with the ones further up, as in ruff: a file that wants another's
//! settings says `extend = "../milvet.toml"`, and its own settings are applied over that file's.
//! `--config FILE` names the one file for every checked file, and `--isolated` reads none.
//! The command line is applied over the file, the file over the defaults.
//!
//! Within a chain of layers (defaults, `extend`ed files, the file, the command line):
//! `select` replaces the rule set, `extend-select` adds to it and `ignore` removes from it, in
//! that order in each layer; `severity` entries apply rule by rule, the later layer winning;
//! `per-file-ignores` and `exclude` patterns add up, each relative to the directory of the
//! file that wrote it; `fail-on`, `format` and options take the value of the last layer that
//! sets them. `fail-on` and `format` are settings of the run: they come from the configuration
//! that applies to the current directory (or `--config`).
//!
//! Unknown keys, rule ids, levels and values are errors located in the file, with the nearest
//! valid name offered.

use crate::diagnostic::Severity;
use crate::fs_cache::FsCache;
use crate::rules::{self, RuleOptions};
use crate::source::{LineIndex, Span};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The names of configuration files, in the order they are looked for in one directory.
pub const FILE_NAMES: [&str; 3] = [".milvet.toml", "milvet.toml", "pyproject.toml"];

/// The keys of a configuration file (and of `[tool.milvet]`).
pub const KEYS: [&str; 10] = [
    "extend",
    "select",
    "extend-select",
    "ignore",
    "severity",
    "per-file-ignores",
    "options",
    "fail-on",
    "exclude",
    "format",
];

/// The word that selects every rule, in `select`, `ignore`, `extend-select` and
/// `per-file-ignores`.
pub const ALL: &str = "all";

/// A rule option: settable as `[options] <key> = N` in a file and `--<key> N` on the command
/// line. A rule that needs an option adds a field to [`RuleOptions`] and a line to
/// [`OPTIONS`].
pub struct OptionSpec {
    pub key: &'static str,
    /// The rule that reads it.
    pub rule: &'static str,
    /// Smallest accepted value.
    pub min: u64,
    get: fn(&RuleOptions) -> u64,
    set: fn(&mut RuleOptions, u64),
}

impl OptionSpec {
    /// The option's value in `options`.
    pub fn get(&self, options: &RuleOptions) -> u64 {
        (self.get)(options)
    }
}

impl fmt::Debug for OptionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key)
    }
}

/// Every rule option.
pub static OPTIONS: &[OptionSpec] = &[OptionSpec {
    key: "min-retention",
    rule: "etcd-compaction-retention",
    min: 1,
    get: |o| o.min_retention,
    set: |o, v| o.min_retention = v,
}];

/// The option with this key.
pub fn option(key: &str) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|o| o.key == key)
}

/// Where a setting came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Provenance {
    Default,
    /// A command-line flag.
    CommandLine(&'static str),
    /// A place in a configuration file (1-based line and column).
    File {
        path: PathBuf,
        line: usize,
        column: usize,
    },
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Provenance::Default => f.write_str("default"),
            Provenance::CommandLine(flag) => f.write_str(flag),
            Provenance::File { path, line, column } => {
                write!(f, "{}:{line}:{column}", path.display())
            }
        }
    }
}

/// A configuration file that cannot be used, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// The file's text, when it could be read.
    pub text: Option<Arc<str>>,
    pub message: String,
    /// The bytes the problem is about.
    pub span: Option<Span>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.text, self.span) {
            (Some(text), Some(span)) => {
                let pos = LineIndex::new(text).position(text, span.start);
                write!(f, "{}:{pos}: {}", self.path.display(), self.message)
            }
            _ => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// A glob pattern of `per-file-ignores` or `exclude`, relative to a directory.
#[derive(Clone, Debug)]
pub struct Pattern {
    /// As written.
    pub glob: String,
    /// The directory it is relative to (absolute).
    pub base: PathBuf,
    /// For `per-file-ignores`, the rules it turns off (empty for `exclude`).
    pub rules: Vec<String>,
    pub from: Provenance,
    /// A set of one: a set matches literal, prefix, suffix and extension patterns without
    /// building a regular expression.
    matcher: GlobSet,
}

impl Pattern {
    /// Compile `glob`: `*` and `?` stay within a path component, `**` crosses them; a pattern
    /// without `/` matches at any depth; a pattern that matches a directory matches every
    /// file under it.
    pub fn new(
        glob: &str,
        base: &Path,
        rules: Vec<String>,
        from: Provenance,
    ) -> Result<Pattern, String> {
        let trimmed = glob.trim_start_matches("./").trim_end_matches('/');
        let anchored = if trimmed.contains('/') {
            trimmed.trim_start_matches('/').to_string()
        } else {
            format!("**/{trimmed}")
        };
        let invalid = |e: globset::Error| format!("`{glob}` is not a valid glob: {}", e.kind());
        let one = GlobBuilder::new(&anchored)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(invalid)?;
        let matcher = GlobSetBuilder::new().add(one).build().map_err(invalid)?;
        Ok(Pattern {
            glob: glob.to_string(),
            base: base.to_path_buf(),
            rules,
            from,
            matcher,
        })
    }

    /// Whether the (absolute) path, or a directory it is in, matches.
    pub fn matches(&self, path: &Path) -> bool {
        let Ok(rel) = path.strip_prefix(&self.base) else {
            return false;
        };
        let mut p = Some(rel);
        while let Some(q) = p {
            if q.as_os_str().is_empty() {
                break;
            }
            if self.matcher.is_match(q) {
                return true;
            }
            p = q.parent();
        }
        false
    }
}

/// What one configuration file, or the command line, says.
#[derive(Clone, Debug, Default)]
pub struct Layer {
    pub select: Option<(Vec<String>, Provenance)>,
    pub extend_select: Option<(Vec<String>, Provenance)>,
    pub ignore: Option<(Vec<String>, Provenance)>,
    pub severity: Vec<(String, Severity, Provenance)>,
    pub per_file_ignores: Vec<Pattern>,
    pub exclude: Vec<Pattern>,
    pub options: Vec<(&'static OptionSpec, u64, Provenance)>,
    pub fail_on: Option<(Severity, Provenance)>,
    pub format: Option<(String, Provenance)>,
}

/// The state of one rule for the files a configuration applies to.
#[derive(Clone, Debug)]
struct RuleState {
    enabled: bool,
    enabled_from: Provenance,
    severity: Option<(Severity, Provenance)>,
}

/// The settings in force for a file: the layers that apply to it, resolved.
#[derive(Clone, Debug)]
pub struct Settings {
    rules: Vec<(&'static str, RuleState)>,
    per_file_ignores: Vec<Pattern>,
    exclude: Vec<Pattern>,
    options: Vec<(&'static OptionSpec, u64, Provenance)>,
    /// The lowest severity that makes the run fail (exit 1).
    pub fail_on: (Severity, Provenance),
    /// The output format, when configured.
    pub format: Option<(String, Provenance)>,
    /// The configuration files in force, the nearest first (then the ones it extends).
    pub files: Vec<PathBuf>,
    /// The directory relative paths are taken from.
    cwd: PathBuf,
}

impl Default for Settings {
    fn default() -> Self {
        Settings::resolve(&[], Vec::new(), PathBuf::new())
    }
}

impl Settings {
    /// Apply `layers` in order over the defaults.
    pub fn resolve(layers: &[&Layer], files: Vec<PathBuf>, cwd: PathBuf) -> Settings {
        let mut rules: Vec<(&'static str, RuleState)> = rules::all()
            .iter()
            .map(|r| {
                (
                    r.meta().id,
                    RuleState {
                        enabled: true,
                        enabled_from: Provenance::Default,
                        severity: None,
                    },
                )
            })
            .collect();
        let mut s = Settings {
            rules: Vec::new(),
            per_file_ignores: Vec::new(),
            exclude: Vec::new(),
            options: Vec::new(),
            fail_on: (Severity::Warning, Provenance::Default),
            format: None,
            files,
            cwd,
        };
        let set = |rules: &mut Vec<(&'static str, RuleState)>,
                   ids: &[String],
                   on: bool,
                   from: &Provenance| {
            for (id, state) in rules.iter_mut() {
                if ids.iter().any(|i| i == ALL || i == id) {
                    state.enabled = on;
                    state.enabled_from = from.clone();
                }
            }
        };
        for layer in layers {
            if let Some((ids, from)) = &layer.select {
                for (id, state) in rules.iter_mut() {
                    state.enabled = ids.iter().any(|i| i == ALL || i == id);
                    state.enabled_from = from.clone();
                }
            }
            if let Some((ids, from)) = &layer.extend_select {
                set(&mut rules, ids, true, from);
            }
            if let Some((ids, from)) = &layer.ignore {
                set(&mut rules, ids, false, from);
            }
            for (id, level, from) in &layer.severity {
                if let Some((_, state)) = rules.iter_mut().find(|(r, _)| r == id) {
                    state.severity = Some((*level, from.clone()));
                }
            }
            s.per_file_ignores
                .extend(layer.per_file_ignores.iter().cloned());
            s.exclude.extend(layer.exclude.iter().cloned());
            for (spec, value, from) in &layer.options {
                s.options.retain(|(o, _, _)| o.key != spec.key);
                s.options.push((spec, *value, from.clone()));
            }
            if let Some(f) = &layer.fail_on {
                s.fail_on = f.clone();
            }
            if let Some(f) = &layer.format {
                s.format = Some(f.clone());
            }
        }
        s.rules = rules;
        s
    }

    /// `path` made absolute against the current directory, `.` and `..` resolved by name.
    pub fn absolute(&self, path: &Path) -> PathBuf {
        absolute(&self.cwd, path)
    }

    /// Whether findings of `rule` are reported in the file at `path` (absolute).
    pub fn enabled(&self, rule: &str, path: &Path) -> bool {
        let on = self
            .rules
            .iter()
            .find(|(r, _)| *r == rule)
            .is_none_or(|(_, s)| s.enabled);
        on && !self
            .per_file_ignores
            .iter()
            .any(|p| p.rules.iter().any(|r| r == ALL || r == rule) && p.matches(path))
    }

    /// The severity findings of `rule` are reported at, given the rule's own.
    pub fn severity(&self, rule: &str, default: Severity) -> Severity {
        self.rules
            .iter()
            .find(|(r, _)| *r == rule)
            .and_then(|(_, s)| s.severity.as_ref())
            .map_or(default, |(l, _)| *l)
    }

    /// Whether the file at `path` (absolute) is excluded from checking.
    pub fn excluded(&self, path: &Path) -> bool {
        self.exclude.iter().any(|p| p.matches(path))
    }

    /// `base` with the configured options set.
    pub fn rule_options(&self, base: &RuleOptions) -> RuleOptions {
        let mut o = base.clone();
        for (spec, value, _) in &self.options {
            (spec.set)(&mut o, *value);
        }
        o
    }

    /// The effective configuration as a configuration file would write it, each value with
    /// where it came from (a comment).
    pub fn show(&self, base: &RuleOptions) -> String {
        let mut out = String::new();
        if self.files.is_empty() {
            out.push_str("# no configuration file: the defaults and the command line\n");
        } else {
            let files: Vec<String> = self.files.iter().map(|p| p.display().to_string()).collect();
            let _ = writeln!(out, "# from {}", files.join(", extending "));
        }
        let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        let line = |out: &mut String, text: String, from: &Provenance| {
            let _ = writeln!(out, "{text:<52} # {from}");
        };
        line(
            &mut out,
            format!("fail-on = {}", quote(&self.fail_on.0.to_string())),
            &self.fail_on.1,
        );
        match &self.format {
            Some((f, from)) => line(&mut out, format!("format = {}", quote(f)), from),
            None => out.push_str("# format: not set (the --format default)\n"),
        }
        out.push_str("select = [\n");
        for (id, state) in self.rules.iter().filter(|(_, s)| s.enabled) {
            line(&mut out, format!("    {},", quote(id)), &state.enabled_from);
        }
        out.push_str("]\n");
        for (id, state) in self.rules.iter().filter(|(_, s)| !s.enabled) {
            let _ = writeln!(out, "# off: {id} ({})", state.enabled_from);
        }
        out.push_str("exclude = [\n");
        for p in &self.exclude {
            line(&mut out, format!("    {},", quote(&p.glob)), &p.from);
        }
        out.push_str("]\n\n[severity]\n");
        for (id, state) in &self.rules {
            if let Some((level, from)) = &state.severity {
                line(
                    &mut out,
                    format!("{id} = {}", quote(&level.to_string())),
                    from,
                );
            }
        }
        out.push_str("\n[per-file-ignores]\n");
        for p in &self.per_file_ignores {
            let rules: Vec<String> = p.rules.iter().map(|r| quote(r)).collect();
            line(
                &mut out,
                format!("{} = [{}]", quote(&p.glob), rules.join(", ")),
                &p.from,
            );
        }
        out.push_str("\n[options]\n");
        for spec in OPTIONS {
            let (value, from) = self
                .options
                .iter()
                .find(|(o, _, _)| o.key == spec.key)
                .map_or((spec.get(base), Provenance::Default), |(_, v, f)| {
                    (*v, f.clone())
                });
            line(&mut out, format!("{} = {value}", spec.key), &from);
        }
        out
    }
}

/// `path` made absolute against `cwd`, `.` and `..` resolved by name (symbolic links are not
/// followed: a pattern is about the path as the user sees it).
pub fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// How configuration files are found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Discovery {
    /// None is read (`--isolated`; also the library's default).
    #[default]
    Isolated,
    /// The nearest file upward from each checked file.
    Nearest,
    /// This file for every checked file (`--config`).
    Explicit(PathBuf),
}

/// The settings read from a configuration file, or why they could not be.
type Loaded = Result<Arc<Settings>, ConfigError>;

/// Finds and reads the configuration of each checked file, each directory and each file
/// once.
#[derive(Debug, Default)]
pub struct Resolver {
    discovery: Discovery,
    cli: Layer,
    cwd: PathBuf,
    /// Directory (absolute) → the nearest configuration file at or above it.
    dirs: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
    /// Configuration file → its settings (`None`: no file).
    settings: Mutex<HashMap<Option<PathBuf>, Loaded>>,
}

impl Resolver {
    /// A resolver with the command line's layer, taking relative paths from `cwd`.
    pub fn new(discovery: Discovery, cli: Layer, cwd: PathBuf) -> Resolver {
        Resolver {
            discovery,
            cli,
            cwd,
            ..Resolver::default()
        }
    }

    /// The settings for the file at `path`.
    pub fn for_file(&self, path: &Path) -> Result<Arc<Settings>, ConfigError> {
        self.for_file_in(path, &FsCache::default())
    }

    /// [`Resolver::for_file`], asking `fs` which configuration files there are.
    pub fn for_file_in(&self, path: &Path, fs: &FsCache) -> Result<Arc<Settings>, ConfigError> {
        let abs = absolute(&self.cwd, path);
        let dir = abs.parent().map_or_else(|| abs.clone(), Path::to_path_buf);
        self.for_dir_in(&dir, fs)
    }

    /// The settings for files in the directory `dir`.
    pub fn for_dir(&self, dir: &Path) -> Result<Arc<Settings>, ConfigError> {
        self.for_dir_in(dir, &FsCache::default())
    }

    /// [`Resolver::for_dir`], asking `fs` which configuration files there are.
    fn for_dir_in(&self, dir: &Path, fs: &FsCache) -> Result<Arc<Settings>, ConfigError> {
        let file = match &self.discovery {
            Discovery::Isolated => None,
            Discovery::Explicit(p) => Some(absolute(&self.cwd, p)),
            Discovery::Nearest => self.nearest(&absolute(&self.cwd, dir), fs)?,
        };
        if let Some(s) = self
            .settings
            .lock()
            .ok()
            .and_then(|m| m.get(&file).cloned())
        {
            return s;
        }
        let result = self.load(file.as_deref()).map(Arc::new);
        if let Ok(mut m) = self.settings.lock() {
            m.insert(file, result.clone());
        }
        result
    }

    /// The settings of the run as a whole (`fail-on`, `format`): those of the current
    /// directory.
    pub fn for_run(&self) -> Result<Arc<Settings>, ConfigError> {
        self.for_dir(&self.cwd.clone())
    }

    /// `path` as shown: relative to the current directory when it is under it.
    fn shown(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.cwd)
            .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
    }

    /// The nearest configuration file at or above `dir`, looking at each directory once.
    fn nearest(&self, dir: &Path, fs: &FsCache) -> Result<Option<PathBuf>, ConfigError> {
        let mut walked = Vec::new();
        let mut at = Some(dir);
        let mut found = None;
        while let Some(d) = at {
            if let Some(known) = self.dirs.lock().ok().and_then(|m| m.get(d).cloned()) {
                found = known;
                break;
            }
            walked.push(d.to_path_buf());
            if let Some(f) = self.config_in(d, fs)? {
                found = Some(f);
                break;
            }
            at = d.parent();
        }
        if let Ok(mut m) = self.dirs.lock() {
            for d in walked {
                m.insert(d, found.clone());
            }
        }
        Ok(found)
    }

    /// Read `file` and the files it extends, and apply the command line over them.
    fn load(&self, file: Option<&Path>) -> Result<Settings, ConfigError> {
        let mut layers = Vec::new();
        let mut files = Vec::new();
        let mut next = file.map(Path::to_path_buf);
        while let Some(path) = next.take() {
            if files.contains(&path) {
                return Err(ConfigError {
                    path: files.last().cloned().unwrap_or_default(),
                    text: None,
                    message: format!("`extend` leads back to `{}`", path.display()),
                    span: None,
                });
            }
            let shown = self.shown(&path);
            let text = read(&path, &shown)?;
            let Some(parsed) = parse_shown(&path, &shown, &text)? else {
                return Err(ConfigError {
                    path: shown,
                    text: Some(text),
                    message: "has no `[tool.milvet]` table".into(),
                    span: None,
                });
            };
            files.push(path);
            next = parsed.extend;
            layers.push(parsed.layer);
        }
        let mut ordered: Vec<&Layer> = layers.iter().rev().collect();
        ordered.push(&self.cli);
        let files = files.iter().map(|f| self.shown(f)).collect();
        Ok(Settings::resolve(&ordered, files, self.cwd.clone()))
    }

    /// The configuration file of one directory, if it has one.
    fn config_in(&self, dir: &Path, fs: &FsCache) -> Result<Option<PathBuf>, ConfigError> {
        for name in FILE_NAMES {
            let path = dir.join(name);
            if !fs.is_file(&path) {
                continue;
            }
            if name != "pyproject.toml" {
                return Ok(Some(path));
            }
            let shown = self.shown(&path);
            let text = read(&path, &shown)?;
            if parse_shown(&path, &shown, &text)?.is_some() {
                return Ok(Some(path));
            }
        }
        Ok(None)
    }
}

/// Largest configuration file read.
pub const MAX_BYTES: u64 = 1024 * 1024;

fn read(path: &Path, shown: &Path) -> Result<Arc<str>, ConfigError> {
    if let Ok(m) = std::fs::metadata(path)
        && m.len() > MAX_BYTES
    {
        return Err(ConfigError {
            path: shown.to_path_buf(),
            text: None,
            message: format!(
                "the file is {} bytes, more than the limit of {MAX_BYTES} bytes",
                m.len()
            ),
            span: None,
        });
    }
    std::fs::read_to_string(path)
        .map(Arc::from)
        .map_err(|e| ConfigError {
            path: shown.to_path_buf(),
            text: None,
            message: format!("cannot read: {}", crate::project::io_message(&e)),
            span: None,
        })
}

/// A configuration file's layer and the file it extends.
#[derive(Debug)]
pub struct Parsed {
    pub layer: Layer,
    /// `extend`, made absolute.
    pub extend: Option<PathBuf>,
}

/// The rule ids of a command-line list (`--select a,b`), checked; `flag` names the flag.
pub fn rule_ids(ids: &[String], flag: &str) -> Result<Vec<String>, String> {
    ids.iter()
        .map(|id| {
            let id = id.trim();
            check_rule_id(id)
                .map(|()| id.to_string())
                .map_err(|m| format!("{flag}: {m}"))
        })
        .collect()
}

fn check_rule_id(id: &str) -> Result<(), String> {
    if id == ALL || rules::by_id(id).is_some() {
        return Ok(());
    }
    let ids: Vec<&str> = rules::all().iter().map(|r| r.meta().id).collect();
    Err(match did_you_mean(id, &ids) {
        Some(m) => format!("no rule `{id}`; did you mean `{m}`?"),
        None => format!("no rule `{id}`; `milvet rules` lists them"),
    })
}

/// The candidate closest to `word`, when one is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A severity level by name.
pub fn level(name: &str) -> Result<Severity, String> {
    match name {
        "error" => Ok(Severity::Error),
        "warning" => Ok(Severity::Warning),
        "info" => Ok(Severity::Info),
        _ => Err(format!(
            "`{name}` is not a level: use `error`, `warning` or `info`"
        )),
    }
}

/// Parse a configuration file's text. `Ok(None)` for a `pyproject.toml` without
/// `[tool.milvet]`.
pub fn parse(path: &Path, text: &Arc<str>) -> Result<Option<Parsed>, ConfigError> {
    parse_shown(path, path, text)
}

/// [`parse`], naming the file `shown` in messages and provenances.
fn parse_shown(path: &Path, shown: &Path, text: &Arc<str>) -> Result<Option<Parsed>, ConfigError> {
    let err = |message: String, span: Option<std::ops::Range<usize>>| ConfigError {
        path: shown.to_path_buf(),
        text: Some(text.clone()),
        message,
        span: span.map(|r| Span::new(r.start, r.end)),
    };
    let doc = DeTable::parse(text).map_err(|e| {
        err(
            format!("invalid TOML: {}", e.message().trim_end()),
            e.span(),
        )
    })?;
    let table = if path.file_name().is_some_and(|n| n == "pyproject.toml") {
        let tool = doc.get_ref().get("tool").map(Spanned::get_ref);
        match tool {
            Some(DeValue::Table(t)) => match t.get("milvet") {
                Some(v) => match v.get_ref() {
                    DeValue::Table(t) => t,
                    _ => return Err(err("`tool.milvet` must be a table".into(), Some(v.span()))),
                },
                None => return Ok(None),
            },
            _ => return Ok(None),
        }
    } else {
        doc.get_ref()
    };
    let base = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let lines = LineIndex::new(text);
    let at = |span: std::ops::Range<usize>| {
        let pos = lines.position(text, span.start);
        Provenance::File {
            path: shown.to_path_buf(),
            line: pos.line,
            column: pos.column,
        }
    };
    let mut layer = Layer::default();
    let mut extend = None;
    for (key, value) in table {
        let span = value.span();
        match key.get_ref().as_ref() {
            "extend" => {
                let p =
                    string(value).map_err(|m| err(format!("`extend` {m}"), Some(span.clone())))?;
                extend = Some(absolute(&base, Path::new(p)));
            }
            k @ ("select" | "extend-select" | "ignore") => {
                let ids = rule_list(value).map_err(|(m, s)| err(format!("`{k}`: {m}"), Some(s)))?;
                let v = Some((ids, at(span)));
                match k {
                    "select" => layer.select = v,
                    "extend-select" => layer.extend_select = v,
                    _ => layer.ignore = v,
                }
            }
            "severity" => {
                let t = table_of(value).map_err(|m| err(format!("`severity` {m}"), Some(span)))?;
                for (id, v) in t {
                    check_rule_id(id.get_ref())
                        .map_err(|m| err(format!("`severity`: {m}"), Some(id.span())))?;
                    let l = string(v).and_then(level).map_err(|m| {
                        err(format!("`severity.{}`: {m}", id.get_ref()), Some(v.span()))
                    })?;
                    layer
                        .severity
                        .push((id.get_ref().to_string(), l, at(v.span())));
                }
            }
            "per-file-ignores" => {
                let t = table_of(value)
                    .map_err(|m| err(format!("`per-file-ignores` {m}"), Some(span)))?;
                for (glob, v) in t {
                    let ids = rule_list(v).map_err(|(m, s)| {
                        err(
                            format!("`per-file-ignores.\"{}\"`: {m}", glob.get_ref()),
                            Some(s),
                        )
                    })?;
                    let p = Pattern::new(glob.get_ref(), &base, ids, at(glob.span()))
                        .map_err(|m| err(m, Some(glob.span())))?;
                    layer.per_file_ignores.push(p);
                }
            }
            "options" => {
                let t = table_of(value).map_err(|m| err(format!("`options` {m}"), Some(span)))?;
                for (k, v) in t {
                    let Some(spec) = option(k.get_ref()) else {
                        let keys: Vec<&str> = OPTIONS.iter().map(|o| o.key).collect();
                        let hint = did_you_mean(k.get_ref(), &keys)
                            .map(|m| format!("; did you mean `{m}`?"))
                            .unwrap_or_else(|| format!("; the options are {}", list(&keys)));
                        return Err(err(
                            format!("unknown option `{}`{hint}", k.get_ref()),
                            Some(k.span()),
                        ));
                    };
                    let n = match v.get_ref() {
                        DeValue::Integer(i) => {
                            u64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok()
                        }
                        _ => None,
                    };
                    match n {
                        Some(n) if n >= spec.min => {
                            layer.options.push((spec, n, at(v.span())));
                        }
                        _ => {
                            return Err(err(
                                format!(
                                    "`options.{}` must be a whole number, at least {}",
                                    spec.key, spec.min
                                ),
                                Some(v.span()),
                            ));
                        }
                    }
                }
            }
            "fail-on" => {
                let l = string(value)
                    .and_then(level)
                    .map_err(|m| err(format!("`fail-on`: {m}"), Some(span.clone())))?;
                layer.fail_on = Some((l, at(span)));
            }
            "exclude" => {
                let DeValue::Array(items) = value.get_ref() else {
                    return Err(err("`exclude` must be a list of globs".into(), Some(span)));
                };
                for item in items {
                    let g = string(item).map_err(|_| {
                        err("`exclude` items must be strings".into(), Some(item.span()))
                    })?;
                    let p = Pattern::new(g, &base, Vec::new(), at(item.span()))
                        .map_err(|m| err(m, Some(item.span())))?;
                    layer.exclude.push(p);
                }
            }
            "format" => {
                let f =
                    string(value).map_err(|m| err(format!("`format` {m}"), Some(span.clone())))?;
                layer.format = Some((f.to_string(), at(span)));
            }
            other => {
                let hint = did_you_mean(other, &KEYS)
                    .map(|m| format!("; did you mean `{m}`?"))
                    .unwrap_or_else(|| format!("; the keys are {}", list(&KEYS)));
                return Err(err(
                    format!("unknown key `{other}`{hint}"),
                    Some(key.span()),
                ));
            }
        }
    }
    Ok(Some(Parsed { layer, extend }))
}

fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    quoted.join(", ")
}

fn string<'a>(v: &'a Spanned<DeValue<'_>>) -> Result<&'a str, String> {
    match v.get_ref() {
        DeValue::String(s) => Ok(s.as_ref()),
        _ => Err("must be a string".into()),
    }
}

fn table_of<'a, 'i>(v: &'a Spanned<DeValue<'i>>) -> Result<&'a DeTable<'i>, String> {
    match v.get_ref() {
        DeValue::Table(t) => Ok(t),
        _ => Err("must be a table".into()),
    }
}

/// A list of rule ids, each checked; the error carries the span of the offending value.
fn rule_list(v: &Spanned<DeValue<'_>>) -> Result<Vec<String>, (String, std::ops::Range<usize>)> {
    let DeValue::Array(items) = v.get_ref() else {
        return Err(("must be a list of rule ids".into(), v.span()));
    };
    items
        .iter()
        .map(|item| {
            let id = string(item).map_err(|_| ("rule ids must be strings".into(), item.span()))?;
            check_rule_id(id).map_err(|m| (m, item.span()))?;
            Ok(id.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Parsed, ConfigError> {
        let text: Arc<str> = Arc::from(text);
        parse(Path::new("/p/milvet.toml"), &text).map(|p| p.expect("a milvet file"))
    }

    #[test]
    fn patterns_match_relative_to_their_directory() {
        let base = Path::new("/p");
        let m = |g: &str, p: &str| {
            Pattern::new(g, base, Vec::new(), Provenance::Default)
                .unwrap()
                .matches(Path::new(p))
        };
        assert!(m("dev/*.yml", "/p/dev/compose.yml"));
        assert!(!m("dev/*.yml", "/p/dev/x/compose.yml"));
        assert!(m("dev/**/*.yml", "/p/dev/x/compose.yml"));
        assert!(m("compose.dev.yml", "/p/a/b/compose.dev.yml"));
        assert!(m("legacy", "/p/legacy/compose.yml"));
        assert!(m("legacy/", "/p/legacy/x/compose.yml"));
        assert!(m("./legacy/*", "/p/legacy/compose.yml"));
        assert!(!m("legacy", "/q/legacy/compose.yml"));
        assert!(!m("*.yaml", "/p/compose.yml"));
    }

    #[test]
    fn absolute_resolves_dots_by_name() {
        assert_eq!(
            absolute(Path::new("/a/b"), Path::new("../c/./d.yml")),
            PathBuf::from("/a/c/d.yml")
        );
        assert_eq!(
            absolute(Path::new("/a"), Path::new("/x/y")),
            PathBuf::from("/x/y")
        );
    }

    #[test]
    fn layers_select_extend_and_ignore_in_order() {
        let from = Provenance::CommandLine("--x");
        let file = Layer {
            select: Some((vec!["etcd-compaction-mode".into()], from.clone())),
            extend_select: Some((vec!["missing-file".into()], from.clone())),
            ..Layer::default()
        };
        let cli = Layer {
            ignore: Some((vec!["missing-file".into()], from.clone())),
            severity: vec![("etcd-compaction-mode".into(), Severity::Error, from.clone())],
            ..Layer::default()
        };
        let s = Settings::resolve(&[&file, &cli], Vec::new(), PathBuf::from("/"));
        let p = Path::new("/x.yml");
        assert!(s.enabled("etcd-compaction-mode", p));
        assert!(!s.enabled("missing-file", p));
        assert!(!s.enabled("etcd-data-not-persisted", p));
        assert_eq!(
            s.severity("etcd-compaction-mode", Severity::Warning),
            Severity::Error
        );
        assert_eq!(s.severity("missing-file", Severity::Error), Severity::Error);
    }

    #[test]
    fn unknown_keys_are_located_with_a_suggestion() {
        let e = parse_text("select = [\"all\"]\nignroe = []\n").unwrap_err();
        assert_eq!(e.message, "unknown key `ignroe`; did you mean `ignore`?");
        assert_eq!(e.span, Some(Span::new(17, 23)));
        let e = parse_text("[options]\nmin-retension = 5\n").unwrap_err();
        assert_eq!(
            e.message,
            "unknown option `min-retension`; did you mean `min-retention`?"
        );
        let e = parse_text("ignore = [\"etcd-compaction-mod\"]\n").unwrap_err();
        assert_eq!(
            e.message,
            "`ignore`: no rule `etcd-compaction-mod`; did you mean `etcd-compaction-mode`?"
        );
        assert_eq!(e.span, Some(Span::new(10, 31)));
    }

    #[test]
    fn values_are_checked() {
        for (text, message) in [
            (
                "fail-on = \"warn\"\n",
                "`fail-on`: `warn` is not a level: use `error`, `warning` or `info`",
            ),
            (
                "[options]\nmin-retention = 0\n",
                "`options.min-retention` must be a whole number, at least 1",
            ),
            (
                "[options]\nmin-retention = \"5\"\n",
                "`options.min-retention` must be a whole number, at least 1",
            ),
            ("select = \"all\"\n", "`select`: must be a list of rule ids"),
            (
                "exclude = [\"a/[\"]\n",
                "`a/[` is not a valid glob: unclosed character class; missing ']'",
            ),
            ("select = [\n", "invalid TOML: unclosed array, expected `]`"),
        ] {
            assert_eq!(parse_text(text).unwrap_err().message, message, "{text}");
        }
    }

    #[test]
    fn options_parse_in_any_radix() {
        let p = parse_text("[options]\nmin-retention = 0x10\n").unwrap();
        assert_eq!(p.layer.options[0].1, 16);
        let p = parse_text("[options]\nmin-retention = 5_000\n").unwrap();
        assert_eq!(p.layer.options[0].1, 5000);
    }

    #[test]
    fn pyproject_without_a_milvet_table_is_not_a_configuration() {
        let text: Arc<str> = Arc::from("[tool.black]\nline-length = 100\n");
        assert!(
            parse(Path::new("/p/pyproject.toml"), &text)
                .unwrap()
                .is_none()
        );
        let text: Arc<str> = Arc::from("[tool.milvet]\nfail-on = \"error\"\n");
        let p = parse(Path::new("/p/pyproject.toml"), &text)
            .unwrap()
            .unwrap();
        assert_eq!(p.layer.fail_on.unwrap().0, Severity::Error);
    }
}
