//! GitHub Actions workflow commands: one annotation a finding,
//! `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`, escaped as the
//! runner reads them (`%`, CR and LF in the message; also `:` and `,` in properties).
//! Warnings are `::warning`, infos `::notice`; a file that could not be checked is an
//! `::error` on the file.

use super::Places;
use crate::check::FileReport;
use crate::diagnostic::Severity;
use std::fmt::Write;

pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    body(reports, &mut out);
    out
}

/// The annotations of some reports; file ids index `reports`.
pub(crate) fn body(reports: &[FileReport], out: &mut String) {
    let places = Places::new(reports);
    for r in reports {
        if let Some(err) = &r.error {
            let mut props = vec![format!("file={}", property(&r.path.display().to_string()))];
            if let Some((_, pos)) = err.at {
                props.push(format!("line={}", pos.line));
                props.push(format!("col={}", pos.column));
            }
            props.push(format!("title={}", property("milvet: could not check")));
            let _ = writeln!(out, "::error {}::{}", props.join(","), data(&err.message));
        }
        for d in &r.diagnostics {
            let Some(p) = places.place(d.origin) else {
                continue;
            };
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let title = format!("milvet {}", d.rule);
            let _ = writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                property(p.path),
                p.loc.start.line,
                p.loc.start.column,
                p.loc.end.line,
                p.loc.end.column,
                property(&title),
                data(&super::message_with_help(d)),
            );
        }
    }
}

/// A command's message: `%`, CR and LF escaped.
pub fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as [`data`], and `:` and `,` too.
pub fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_reads() {
        assert_eq!(data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
