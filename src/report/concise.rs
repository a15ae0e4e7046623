//! Concise output: one line a finding, `path:line:col: severity[rule] message`, one line a file
//! that could not be checked, and the summary.

use super::{Places, RenderOptions, Totals};
use crate::check::FileReport;
use std::fmt::Write;

pub fn render(reports: &[FileReport], options: &RenderOptions) -> String {
    let mut out = String::new();
    body(reports, &mut out);
    let t = Totals::of(reports);
    let _ = writeln!(
        out,
        "{}",
        super::human::summary(&t, options.fixes, options.unsafe_fixes)
    );
    out
}

/// One line a finding and a file that could not be checked; file ids index `reports`.
pub(crate) fn body(reports: &[FileReport], out: &mut String) {
    let places = Places::new(reports);
    for r in reports {
        let path = r.path.display().to_string();
        if let Some(err) = &r.error {
            let message = one_line(&err.message);
            match err.at {
                Some((_, pos)) => {
                    let _ = writeln!(out, "{path}:{pos}: error: {message}");
                }
                None => {
                    let _ = writeln!(out, "{path}: error: {message}");
                }
            }
        }
        for d in &r.diagnostics {
            let Some(p) = places.place(d.origin) else {
                continue;
            };
            let _ = writeln!(
                out,
                "{}:{}: {}[{}] {}",
                p.path,
                p.loc.start,
                d.severity,
                d.rule,
                one_line(&d.message)
            );
        }
    }
}

/// A message on one line: line breaks become spaces.
fn one_line(s: &str) -> String {
    s.split(['\n', '\r'])
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
