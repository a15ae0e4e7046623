//! `--statistics` (how many findings each rule has) and `--show-fixes` (the fixes applied and
//! available), for people and, as JSON, for machines.

use crate::check::{FileReport, FixMode};
use crate::diagnostic::{Applicability, Severity};
use crate::source::LineIndex;
use std::fmt::Write as _;

/// One row of the statistics: a rule at a severity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub rule: &'static str,
    pub severity: Severity,
    pub count: usize,
    /// Findings with a safe fix, and with an unsafe one.
    pub safe: usize,
    pub unsafe_: usize,
}

/// The findings counted by rule and severity: the most frequent first, then by rule id.
pub fn rows(reports: &[FileReport]) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    count(&mut rows, reports);
    sort(&mut rows);
    rows
}

/// Count the findings of some reports into `rows`.
pub(crate) fn count(rows: &mut Vec<Row>, reports: &[FileReport]) {
    for d in reports.iter().flat_map(|r| &r.diagnostics) {
        let i = match rows
            .iter()
            .position(|r| r.rule == d.rule && r.severity == d.severity)
        {
            Some(i) => i,
            None => {
                rows.push(Row {
                    rule: d.rule,
                    severity: d.severity,
                    count: 0,
                    safe: 0,
                    unsafe_: 0,
                });
                rows.len() - 1
            }
        };
        let row = &mut rows[i];
        row.count += 1;
        match d.fix.as_ref().map(|f| f.applicability) {
            Some(Applicability::Safe) => row.safe += 1,
            Some(Applicability::Unsafe) => row.unsafe_ += 1,
            _ => {}
        }
    }
}

/// The most frequent first, then by rule id.
pub(crate) fn sort(rows: &mut [Row]) {
    rows.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.rule.cmp(b.rule))
            .then(b.severity.cmp(&a.severity))
    });
}

/// The statistics as aligned text (`count  rule  severity  fixes`), then a total and the files
/// that could not be checked; or, with `json`, an array of objects.
pub fn render(reports: &[FileReport], json: bool) -> String {
    let mut errors = String::new();
    failures(reports, &mut errors);
    table(&rows(reports), reports.len(), json) + if json { "" } else { &errors }
}

/// The lines of the files that could not be checked, which end the text form.
pub(crate) fn failures(reports: &[FileReport], out: &mut String) {
    for r in reports {
        if let Some(e) = &r.error {
            let _ = writeln!(out, "{}: error: {}", r.path.display(), e.message);
        }
    }
}

/// The sorted rows as text with their total over `files` files (the failures follow), or
/// as JSON.
pub(crate) fn table(rows: &[Row], files: usize, json: bool) -> String {
    if json {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "rule": r.rule,
                    "severity": r.severity,
                    "count": r.count,
                    "safe_fixes": r.safe,
                    "unsafe_fixes": r.unsafe_,
                })
            })
            .collect();
        let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
        s.push('\n');
        return s;
    }
    let width = rows.iter().map(|r| r.rule.len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in rows {
        let mut fixes = Vec::new();
        if r.safe > 0 {
            fixes.push(format!(
                "{} safe fix{}",
                r.safe,
                if r.safe == 1 { "" } else { "es" }
            ));
        }
        if r.unsafe_ > 0 {
            fixes.push(format!(
                "{} unsafe fix{}",
                r.unsafe_,
                if r.unsafe_ == 1 { "" } else { "es" }
            ));
        }
        let line = format!(
            "{:>5}  {:<width$}  {:<7}  {}",
            r.count,
            r.rule,
            r.severity,
            fixes.join(", ")
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let total: usize = rows.iter().map(|r| r.count).sum();
    let _ = writeln!(
        out,
        "{total} finding{} in {files} file{}",
        if total == 1 { "" } else { "s" },
        if files == 1 { "" } else { "s" }
    );
    out
}

/// `--show-fixes`: the fixes applied per file (with `--fix` or `--diff`), then each remaining
/// finding with a fix, as `path:line:col rule (safe|unsafe): what it does`.
pub fn fixes(reports: &[FileReport], mode: FixMode) -> String {
    let (mut applied, mut available) = (String::new(), String::new());
    applied_lines(reports, &mut applied);
    available_lines(reports, &mut available);
    let middle = fixes_middle(mode, applied.is_empty(), available.is_empty());
    fixes_head(mode) + &applied + &middle + &available
}

/// What `--show-fixes` prints before the applied fixes' lines.
pub(crate) fn fixes_head(mode: FixMode) -> String {
    match mode {
        FixMode::Report => String::new(),
        FixMode::Write => "Fixes applied:\n".into(),
        FixMode::Diff => "Fixes would apply:\n".into(),
    }
}

/// What `--show-fixes` prints between the applied fixes' lines and the available ones.
pub(crate) fn fixes_middle(mode: FixMode, none_applied: bool, none_available: bool) -> String {
    let mut out = String::new();
    if mode != FixMode::Report && none_applied {
        out.push_str("  none\n");
    }
    out.push_str("Fixes available:\n");
    if none_available {
        out.push_str("  none\n");
    }
    out
}

/// `  path: N fixes` for each report with fixes applied.
pub(crate) fn applied_lines(reports: &[FileReport], out: &mut String) {
    for r in reports {
        if let Some(f) = r.fix.as_ref().filter(|f| f.applied > 0) {
            let _ = writeln!(
                out,
                "  {}: {} fix{}",
                r.path.display(),
                f.applied,
                if f.applied == 1 { "" } else { "es" }
            );
        }
    }
}

/// `  path:line:col rule (safe|unsafe): what it does` for each finding with a fix.
pub(crate) fn available_lines(reports: &[FileReport], out: &mut String) {
    for r in reports {
        let Some(text) = &r.text else { continue };
        if !r.diagnostics.iter().any(|d| {
            d.fix
                .as_ref()
                .is_some_and(|f| f.applicability != Applicability::Unavailable)
        }) {
            continue;
        }
        let lines = LineIndex::new(text);
        for d in &r.diagnostics {
            let Some(f) = &d.fix else { continue };
            let kind = match f.applicability {
                Applicability::Safe => "safe",
                Applicability::Unsafe => "unsafe",
                Applicability::Unavailable => continue,
            };
            let pos = lines.position(text, d.origin.span.start);
            let _ = writeln!(
                out,
                "  {}:{pos} {} ({kind}): {}",
                r.path.display(),
                d.rule,
                f.description
            );
        }
    }
}
