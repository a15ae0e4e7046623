//! Human output: for each finding, `file:line:col`, severity and rule id, the message, the
//! snippet with the span underlined (miette), and the help.

use super::Totals;
use super::snippet::Indexed;
use crate::check::FileReport;
use crate::diagnostic::{Applicability, Diagnostic, Severity};
use crate::source::LineIndex;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic};
use std::fmt::Write;
use std::sync::Arc;

/// What the summary says about fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixSummary {
    /// Fixes were only reported.
    None,
    /// Fixes were applied and written.
    Applied,
    /// Fixes were applied in memory and shown as a diff.
    Diff,
}

/// Render every report. `color` turns ANSI colours on; `unsafe_fixes` says whether unsafe
/// fixes were applied (so that the summary does not offer them).
pub fn render(
    reports: &[FileReport],
    color: bool,
    fixes: FixSummary,
    unsafe_fixes: bool,
) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_context_lines(1)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    if fixes == FixSummary::Diff {
        for r in reports {
            if let Some(d) = super::diff(r) {
                out.push_str(&d);
            }
        }
    }
    for r in reports {
        let path = r.path.display().to_string();
        let lines = r.text.as_deref().map(|t| Arc::new(LineIndex::new(t)));
        if let Some(err) = &r.error {
            match (&r.text, &lines, err.at) {
                (Some(text), Some(lines), Some((offset, pos))) => {
                    let _ = writeln!(out, "{path}:{pos}: error");
                    let diag = MietteDiagnostic::new(err.message.clone())
                        .with_severity(miette::Severity::Error)
                        .with_labels([LabeledSpan::at(
                            offset..offset + char_len(text, offset),
                            "here",
                        )]);
                    render_one(&handler, &mut out, diag, &path, text, lines);
                }
                (_, _, Some((_, pos))) => {
                    let _ = writeln!(out, "{path}:{pos}: error: {}\n", err.message);
                }
                _ => {
                    let _ = writeln!(out, "{path}: error: {}\n", err.message);
                }
            }
        }
        let (Some(text), Some(lines)) = (&r.text, &lines) else {
            continue;
        };
        for d in &r.diagnostics {
            let pos = lines.position(text, d.origin.span.start);
            let _ = writeln!(out, "{path}:{pos}: {}[{}]", d.severity, d.rule);
            render_one(&handler, &mut out, to_miette(d, text), &path, text, lines);
            if let Some(f) = &d.fix {
                let what = match f.applicability {
                    Applicability::Safe => "fix (safe, --fix)",
                    Applicability::Unsafe => "fix (unsafe, --fix --unsafe-fixes)",
                    Applicability::Unavailable => "no automatic fix",
                };
                let _ = writeln!(out, "  {what}: {}\n", f.description);
            }
        }
    }
    let t = Totals::of(reports);
    let _ = writeln!(out, "{}", summary(&t, fixes, unsafe_fixes));
    out
}

/// Longest line shown as a snippet; past it (a minified or generated file) a finding is shown
/// without one. The snippet renderer cannot draw past column 65,535.
const MAX_SNIPPET_LINE: usize = 4096;

/// Whether every labelled place of `diag` is on a line short enough to draw.
fn drawable(diag: &MietteDiagnostic, text: &str) -> bool {
    diag.labels.iter().flatten().all(|l| {
        let at = l.offset().min(text.len());
        let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        end - start <= MAX_SNIPPET_LINE
    })
}

fn render_one(
    handler: &GraphicalReportHandler,
    out: &mut String,
    mut diag: MietteDiagnostic,
    path: &str,
    text: &Arc<str>,
    lines: &Arc<LineIndex>,
) {
    if !drawable(&diag, text) {
        diag.labels = None;
    }
    let report = miette::Report::new(diag).with_source_code(Indexed {
        name: path.to_string(),
        text: text.clone(),
        lines: lines.clone(),
    });
    let mut buf = String::new();
    if handler.render_report(&mut buf, report.as_ref()).is_ok() {
        out.push_str(&buf);
        out.push('\n');
    }
}

fn char_len(text: &str, offset: usize) -> usize {
    text.get(offset..)
        .and_then(|s| s.chars().next())
        .map_or(0, char::len_utf8)
}

fn to_miette(d: &Diagnostic, text: &str) -> MietteDiagnostic {
    let span = d.origin.span;
    // An empty span still underlines one character.
    let len = if span.is_empty() {
        char_len(text, span.start)
    } else {
        span.len()
    };
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        d.label.clone(),
        (span.start, len),
    )];
    for r in &d.related {
        labels.push(LabeledSpan::new_with_span(
            Some(r.label.clone()),
            (r.origin.span.start, r.origin.span.len().max(1)),
        ));
    }
    let mut m = MietteDiagnostic::new(d.message.clone())
        .with_severity(match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
        .with_labels(labels);
    if let Some(h) = &d.help {
        m = m.with_help(h.clone());
    }
    m
}

fn summary(t: &Totals, fixes: FixSummary, unsafe_fixes: bool) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut s = format!(
        "{}, {} in {}",
        plural(t.errors, "error", "errors"),
        plural(t.warnings, "warning", "warnings"),
        plural(t.files, "file", "files"),
    );
    if t.infos > 0 {
        s.push_str(&format!(" ({})", plural(t.infos, "note", "notes")));
    }
    if t.failed > 0 {
        s.push_str(&format!(
            "; {} could not be checked",
            plural(t.failed, "file", "files")
        ));
    }
    let n_fixes = |n: usize| if n == 1 { "fix" } else { "fixes" };
    match fixes {
        FixSummary::None => {
            if t.safe_available > 0 {
                s.push_str(&format!("; {} fixable with --fix", t.safe_available));
            }
            if t.unsafe_available > 0 {
                let n = t.unsafe_available;
                if t.safe_available > 0 {
                    s.push_str(&format!(
                        "; {n} more {} with --fix --unsafe-fixes",
                        n_fixes(n)
                    ));
                } else {
                    s.push_str(&format!("; {n} fixable with --fix --unsafe-fixes"));
                }
            }
            return s;
        }
        FixSummary::Applied => s.push_str(&format!(
            "; applied {} in {}",
            plural(t.fixes_applied, "fix", "fixes"),
            plural(t.files_changed, "file", "files")
        )),
        FixSummary::Diff => s.push_str(&format!(
            "; {} would change {}",
            plural(t.fixes_applied, "fix", "fixes"),
            plural(t.files_changed, "file", "files")
        )),
    }
    if t.unsafe_available > 0 && !unsafe_fixes {
        let n = t.unsafe_available;
        s.push_str(&format!("; {n} more {} with --unsafe-fixes", n_fixes(n)));
    }
    s
}
