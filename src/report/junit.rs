//! JUnit XML, as CI systems (GitLab, Jenkins) read test reports: one `testsuite` a file, one
//! `testcase` a rule in it (`classname` the path, `name` the rule id), failed with every
//! finding of that rule in that file; a file that could not be checked has one `testcase`
//! named `milvet` with an `error`.

use super::Places;
use crate::check::FileReport;
use std::fmt::Write;

pub fn render(reports: &[FileReport]) -> String {
    let mut suites = String::new();
    let counts = suites_of(reports, &mut suites);
    header(counts) + &suites + TRAILER
}

/// Tests, failures and errors.
pub(crate) type Counts = (usize, usize, usize);

/// The start of the document, with the run's counts.
pub(crate) fn header((tests, failures, errors): Counts) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"milvet\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">\n"
    )
}

/// The end of the document.
pub(crate) const TRAILER: &str = "</testsuites>\n";

/// The test suites of some reports (file ids index `reports`), and their counts.
pub(crate) fn suites_of(reports: &[FileReport], suites: &mut String) -> Counts {
    let places = Places::new(reports);
    let rules = crate::rules::all();
    let (mut tests, mut failures, mut errors) = (0, 0, 0);
    for r in reports {
        let path = r.path.display().to_string();
        let (mut s_tests, mut s_failures, mut s_errors) = (0, 0, 0);
        let mut cases = String::new();
        if let Some(err) = &r.error {
            s_tests += 1;
            s_errors += 1;
            let at = err.at.map(|(_, p)| format!(":{p}")).unwrap_or_default();
            let _ = writeln!(
                cases,
                "    <testcase name=\"milvet\" classname=\"{}\">\n      <error message=\"{}\">{}</error>\n    </testcase>",
                escape(&path),
                escape(&err.message),
                escape(&format!("{path}{at}: {}", err.message)),
            );
        } else {
            for rule in rules {
                let id = rule.meta().id;
                s_tests += 1;
                let found: Vec<String> = r
                    .diagnostics
                    .iter()
                    .filter(|d| d.rule == id)
                    .filter_map(|d| {
                        let p = places.place(d.origin)?;
                        let mut line = format!(
                            "{}:{}: {}[{}] {}",
                            p.path, p.loc.start, d.severity, d.rule, d.message
                        );
                        if let Some(h) = &d.help {
                            let _ = write!(line, "\n  help: {h}");
                        }
                        Some(line)
                    })
                    .collect();
                if found.is_empty() {
                    let _ = writeln!(
                        cases,
                        "    <testcase name=\"{id}\" classname=\"{}\"/>",
                        escape(&path)
                    );
                } else {
                    s_failures += 1;
                    let n = found.len();
                    let _ = writeln!(
                        cases,
                        "    <testcase name=\"{id}\" classname=\"{}\">\n      <failure type=\"{id}\" message=\"{n} {}\">{}</failure>\n    </testcase>",
                        escape(&path),
                        if n == 1 { "finding" } else { "findings" },
                        escape(&found.join("\n")),
                    );
                }
            }
        }
        tests += s_tests;
        failures += s_failures;
        errors += s_errors;
        let _ = write!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{s_tests}\" failures=\"{s_failures}\" errors=\"{s_errors}\">\n{cases}  </testsuite>\n",
            escape(&path)
        );
    }
    (tests, failures, errors)
}

/// Text for an XML attribute or element: the five special characters escaped, and characters
/// XML 1.0 cannot carry (C0 controls other than tab and line breaks) replaced.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_xml() {
        assert_eq!(
            super::escape("a<b>&\"'\u{1}"),
            "a&lt;b&gt;&amp;&quot;&apos;\u{fffd}"
        );
    }
}
