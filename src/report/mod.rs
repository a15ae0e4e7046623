//! Reports: the same findings for people ([`human`]) and for machines ([`json`]).

pub mod human;
pub mod json;
mod snippet;

use crate::check::FileReport;
use crate::diagnostic::Severity;

/// Counts over a run, for summaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub files: usize,
    pub failed: usize,
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
        let mut t = Totals {
            files: reports.len(),
            ..Totals::default()
        };
        for r in reports {
            if r.error.is_some() {
                t.failed += 1;
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
                        .is_some_and(|f| f.applicability == crate::diagnostic::Applicability::Safe)
                })
                .count();
        }
        t
    }
}

/// A unified diff of what fixing changed in a file, or `None` when nothing changed.
pub fn diff(report: &FileReport) -> Option<String> {
    let fix = report.fix.as_ref()?;
    let new = report.text.as_deref()?;
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
