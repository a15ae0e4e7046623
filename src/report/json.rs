//! JSON output, a versioned object:
//!
//! ```json
//! {"schema": 1, "milvet": "0.1.0",
//!  "files": [{"path": "compose.yaml", "status": "checked", "error": null}],
//!  "diagnostics": [{"rule": "...", "severity": "warning", "file": "compose.yaml",
//!                   "line": 5, "column": 34, "end_line": 5, "end_column": 42,
//!                   "offset": 97, "end_offset": 105, "service": "etcd",
//!                   "message": "...", "help": "...",
//!                   "url": "https://.../rules/<rule>.md",
//!                   "related": [{"file": ".env", "line": 2, "column": 1, "end_line": 2,
//!                                "end_column": 9, "label": "..."}],
//!                   "fix": {"applicability": "safe", "description": "...",
//!                           "edits": [{"file": "compose.yaml", "offset": 97,
//!                                      "end_offset": 105, "line": 5, "column": 34,
//!                                      "end_line": 5, "end_column": 42, "text": "..."}]}}],
//!  "fixes": {"applied": 0, "files_changed": 0, "unsafe_available": 1}}
//! ```
//!
//! Lines and columns are 1-based, columns count characters, offsets are bytes; the end is
//! exclusive. Paths are shown as given.

use super::Places;
use crate::check::FileReport;
use crate::diagnostic::{Applicability, Severity};
use serde::Serialize;

/// Version of this format; bumped on any incompatible change.
pub const SCHEMA: u32 = 1;

#[derive(Serialize)]
struct FileOut<'a> {
    path: String,
    status: &'static str,
    error: Option<ErrorOut>,
    /// Fixes applied to the file (with `--fix` or `--diff`).
    fixes_applied: usize,
    /// With `--diff`, the unified diff of the file, if fixing changes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<String>,
    /// With `--fix` or `--diff`, the fixes applied to the file (or that would be): what each
    /// did and, for an unsafe one, what the user must do.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    applied_fixes: Vec<AppliedOut<'a>>,
}

#[derive(Serialize)]
struct AppliedOut<'a> {
    rule: &'a str,
    service: Option<&'a str>,
    applicability: Applicability,
    description: &'a str,
}

#[derive(Serialize)]
struct FixesOut {
    applied: usize,
    files_changed: usize,
    unsafe_available: usize,
}

#[derive(Serialize)]
struct FixOut<'a> {
    applicability: Applicability,
    description: &'a str,
    /// The text edits, on the bytes of the files as reported; empty when unavailable.
    edits: Vec<EditOut<'a>>,
}

#[derive(Serialize)]
struct EditOut<'a> {
    file: &'a str,
    offset: usize,
    end_offset: usize,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    text: &'a str,
}

#[derive(Serialize)]
struct RelatedOut<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    offset: usize,
    end_offset: usize,
    label: &'a str,
}

#[derive(Serialize)]
struct ErrorOut {
    message: String,
    line: Option<usize>,
    column: Option<usize>,
    offset: Option<usize>,
}

#[derive(Serialize)]
struct DiagOut<'a> {
    rule: &'a str,
    severity: Severity,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    offset: usize,
    end_offset: usize,
    service: Option<&'a str>,
    message: &'a str,
    help: Option<&'a str>,
    /// The rule's document.
    url: RuleUrl,
    related: Vec<RelatedOut<'a>>,
    fix: Option<FixOut<'a>>,
}

/// The URL of a rule's document ([`super::rule_url`]), written without being made first.
struct RuleUrl(&'static str);

impl Serialize for RuleUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{}{}.md", super::RULE_DOC_BASE, self.0))
    }
}

/// Render every report; `with_diff` adds each changed file's diff.
pub fn render(reports: &[FileReport], with_diff: bool) -> String {
    let options = super::RenderOptions {
        fixes: if with_diff {
            super::FixSummary::Diff
        } else {
            super::FixSummary::None
        },
        ..super::RenderOptions::default()
    };
    let mut stream = super::Stream::new(super::Format::Json, &options, Vec::new());
    stream.unit(reports);
    String::from_utf8(stream.finish(0)).unwrap_or_default()
}

/// The start of the object, up to the opening of `files`.
pub(crate) fn header() -> String {
    format!(
        "{{\n  \"schema\": {SCHEMA},\n  \"milvet\": {},\n  \"files\": [",
        serde_json::Value::from(env!("CARGO_PKG_VERSION"))
    )
}

/// The end of the object, from the `fixes` totals on.
pub(crate) fn trailer(totals: &super::Totals) -> String {
    let fixes = FixesOut {
        applied: totals.fixes_applied,
        files_changed: totals.files_changed,
        unsafe_available: totals.unsafe_available,
    };
    let fixes = serde_json::to_string_pretty(&fixes).unwrap_or_default();
    format!(",\n  \"fixes\": {}\n}}\n", fixes.replace('\n', "\n  "))
}

/// A file's entry of `files`.
pub(crate) fn file(r: &FileReport, with_diff: bool) -> impl Serialize + '_ {
    FileOut {
        path: r.path.display().to_string(),
        status: if r.error.is_some() {
            "error"
        } else {
            "checked"
        },
        fixes_applied: r.fix.as_ref().map_or(0, |f| f.applied),
        diff: if with_diff { super::diff(r) } else { None },
        applied_fixes: r
            .fix
            .iter()
            .flat_map(|f| &f.applied_fixes)
            .filter_map(|d| {
                let f = d.fix.as_ref()?;
                Some(AppliedOut {
                    rule: d.rule,
                    service: d.service.as_deref(),
                    applicability: f.applicability,
                    description: &f.description,
                })
            })
            .collect(),
        error: r.error.as_ref().map(|e| ErrorOut {
            message: e.message.clone(),
            line: e.at.map(|(_, p)| p.line),
            column: e.at.map(|(_, p)| p.column),
            offset: e.at.map(|(o, _)| o),
        }),
    }
}

/// A report's entries of `diagnostics` (file ids index the reports `places` was made of;
/// `path` is the report's, displayed).
pub(crate) fn diagnostics<'a>(
    r: &'a FileReport,
    path: &'a str,
    places: &'a Places<'a>,
) -> impl Iterator<Item = impl Serialize + 'a> + 'a {
    r.diagnostics.iter().filter_map(move |d| {
        let place = places.place(d.origin)?;
        let loc = place.loc;
        let related = d
            .related
            .iter()
            .filter_map(|rel| {
                let p = places.place(rel.origin)?;
                Some(RelatedOut {
                    file: p.path,
                    line: p.loc.start.line,
                    column: p.loc.start.column,
                    end_line: p.loc.end.line,
                    end_column: p.loc.end.column,
                    offset: p.loc.span.start,
                    end_offset: p.loc.span.end,
                    label: &rel.label,
                })
            })
            .collect();
        Some(DiagOut {
            rule: d.rule,
            severity: d.severity,
            file: path,
            line: loc.start.line,
            column: loc.start.column,
            end_line: loc.end.line,
            end_column: loc.end.column,
            offset: loc.span.start,
            end_offset: loc.span.end,
            service: d.service.as_deref(),
            message: &d.message,
            help: d.help.as_deref(),
            url: RuleUrl(d.rule),
            related,
            fix: d.fix.as_ref().map(|f| FixOut {
                applicability: f.applicability,
                description: &f.description,
                edits: f
                    .edits
                    .iter()
                    .filter_map(|e| {
                        let p = places.place(crate::compose::Origin {
                            file: e.file,
                            span: e.span,
                        })?;
                        Some(EditOut {
                            file: p.path,
                            offset: p.loc.span.start,
                            end_offset: p.loc.span.end,
                            line: p.loc.start.line,
                            column: p.loc.start.column,
                            end_line: p.loc.end.line,
                            end_column: p.loc.end.column,
                            text: &e.text,
                        })
                    })
                    .collect(),
            }),
        })
    })
}
