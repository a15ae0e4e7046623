//! Reports: the same findings for people ([`human`] as `full`, [`concise`]) and for machines
//! ([`json`], [`sarif`], [`github`] workflow commands, [`junit`]).

pub mod concise;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
mod plain;
mod pretty;
pub mod sarif;
mod snippet;
mod stream;

use crate::check::FileReport;
use crate::compose::Origin;
use crate::diagnostic::{Applicability, Diagnostic, Severity};
use crate::source::{LineIndex, Location};
use serde::Deserialize;

pub use human::FixSummary;
pub use stream::{Extras, Spill, Stream};

/// The project's home.
pub const REPOSITORY: &str = "https://github.com/milvet/milvet";

/// Where a rule's document is published: the `rules/<id>.md` files of the repository, on its
/// main branch. `milvet rules <id>` prints the same document offline.
pub const RULE_DOC_BASE: &str = "https://github.com/milvet/milvet/blob/main/rules/";

/// The URL of a rule's document.
pub fn rule_url(id: &str) -> String {
    format!("{RULE_DOC_BASE}{id}.md")
}

/// An output format (`--format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Each finding with its snippet, help and fix (the default).
    #[default]
    #[value(alias = "human")]
    #[serde(alias = "human")]
    Full,
    /// One line a finding: `path:line:col: severity[rule] message`.
    Concise,
    /// One versioned JSON object.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// JUnit XML: one test case per file and rule.
    Junit,
}

/// What a rendering needs to know about the run beyond the reports.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    /// ANSI colours in human output.
    pub color: bool,
    /// Box drawing with Unicode characters (else ASCII) in human output.
    pub unicode: bool,
    /// Width human output wraps to.
    pub width: usize,
    /// What the summary says about fixes.
    pub fixes: FixSummary,
    /// Whether unsafe fixes were applied.
    pub unsafe_fixes: bool,
    /// The exit status of the run (SARIF records it).
    pub exit_code: i32,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            color: false,
            unicode: true,
            width: 100,
            fixes: FixSummary::None,
            unsafe_fixes: false,
            exit_code: 0,
        }
    }
}

/// Render the reports of a run in a format (their file ids index `reports`). [`Stream`]
/// writes the same a unit at a time.
pub fn render(format: Format, reports: &[FileReport], options: &RenderOptions) -> String {
    let mut stream = Stream::new(format, options, Vec::new());
    stream.unit(reports);
    String::from_utf8(stream.finish(options.exit_code)).unwrap_or_default()
}

/// A place in a file of the run, resolved to a path and line:column.
pub(crate) struct Place<'a> {
    pub path: &'a str,
    pub text: &'a str,
    pub loc: Location,
}

/// Line indexes of a run's files, to resolve any [`Origin`] (a diagnostic's file ids index
/// the reports).
pub(crate) struct Places<'a> {
    reports: &'a [FileReport],
    lines: Vec<Option<LineIndex>>,
    /// Each report's path, displayed.
    paths: Vec<String>,
}

impl<'a> Places<'a> {
    pub fn new(reports: &'a [FileReport]) -> Places<'a> {
        Places {
            reports,
            lines: reports
                .iter()
                .map(|r| r.text.as_deref().map(LineIndex::new))
                .collect(),
            paths: reports
                .iter()
                .map(|r| r.path.display().to_string())
                .collect(),
        }
    }

    /// The displayed path of the report at index `i`.
    pub fn path(&self, i: usize) -> &str {
        &self.paths[i]
    }

    pub fn place(&self, origin: Origin) -> Option<Place<'_>> {
        let i = origin.file.0 as usize;
        let r = self.reports.get(i)?;
        let text = r.text.as_deref()?;
        let lines = self.lines[i].as_ref()?;
        let span = crate::source::Span::new(
            origin.span.start.min(text.len()),
            origin.span.end.min(text.len()),
        );
        Some(Place {
            path: &self.paths[i],
            text,
            loc: lines.location(text, span),
        })
    }
}

/// A finding's message with its help, as one text for formats that have a single field.
pub(crate) fn message_with_help(d: &Diagnostic) -> String {
    match &d.help {
        Some(h) => format!("{} (help: {h})", d.message),
        None => d.message.clone(),
    }
}

/// Counts over a run, for summaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub files: usize,
    pub failed: usize,
    /// Files checked whose fixes could not be verified or written.
    pub unfixed: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Fixes applied (or, with `--diff`, that would be).
    pub fixes_applied: usize,
    /// Files whose text the fixes changed.
    pub files_changed: usize,
    /// Remaining findings with a safe fix.
    pub safe_available: usize,
    /// Remaining findings with an unsafe fix.
    pub unsafe_available: usize,
}

impl Totals {
    pub fn of(reports: &[FileReport]) -> Totals {
        let mut t = Totals::default();
        for r in reports {
            t.add(r);
        }
        t
    }

    /// Count one more report.
    pub fn add(&mut self, r: &FileReport) {
        let t = self;
        t.files += 1;
        {
            match &r.error {
                Some(e) if e.stage == crate::check::Stage::Fix => t.unfixed += 1,
                Some(_) => t.failed += 1,
                None => {}
            }
            for d in &r.diagnostics {
                match d.severity {
                    Severity::Error => t.errors += 1,
                    Severity::Warning => t.warnings += 1,
                    Severity::Info => t.infos += 1,
                }
            }
            if let Some(f) = &r.fix {
                t.fixes_applied += f.applied;
            }
            if r.changed() {
                t.files_changed += 1;
            }
            t.unsafe_available += r.unsafe_fixes();
            t.safe_available += r
                .diagnostics
                .iter()
                .filter(|d| {
                    d.fix
                        .as_ref()
                        .is_some_and(|f| f.applicability == Applicability::Safe)
                })
                .count();
        }
    }
}

/// A unified diff of what fixing changed in a file, or `None` when nothing changed.
pub fn diff(report: &FileReport) -> Option<String> {
    let fix = report.fix.as_ref()?;
    let new = &*fix.fixed;
    if *fix.original == *new {
        return None;
    }
    let path = report.path.display().to_string();
    let diff = similar::TextDiff::from_lines(&*fix.original, new);
    Some(
        diff.unified_diff()
            .context_radius(3)
            .header(&path, &path)
            .to_string(),
    )
}
