//! Reports: the same findings for people ([`human`]) and for machines ([`json`]).

pub mod human;
pub mod json;

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
}

impl Totals {
    pub fn of(reports: &[FileReport]) -> Totals {
        let mut t = Totals {
            files: reports.len(),
            ..Totals::default()
        };
        for r in reports {
            if r.error().is_some() {
                t.failed += 1;
            }
            for d in r.diagnostics() {
                match d.severity {
                    Severity::Error => t.errors += 1,
                    Severity::Warning => t.warnings += 1,
                    Severity::Info => t.infos += 1,
                }
            }
        }
        t
    }
}
