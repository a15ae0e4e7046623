//! A finding drawn without colour, byte for byte as miette's graphical handler draws it, for
//! the common case: every label on one line, the lines shown printable ASCII. It skips the
//! handler's copies of every line and label (a third of checking one typical file went to
//! drawing its findings); anything else is left to miette.

use super::snippet::Indexed;
use miette::{LabeledSpan, MietteDiagnostic, Severity, SourceCode, SourceSpan, ThemeCharacters};
use std::fmt::Write;

/// One line of a snippet, as miette cuts it: `length` counts its line break.
struct Line<'a> {
    number: usize,
    offset: usize,
    length: usize,
    text: &'a str,
}

impl Line<'_> {
    /// Whether `l` starts and ends on this line (its line break included).
    fn holds(&self, l: &LabeledSpan) -> bool {
        l.offset() >= self.offset && l.offset() + l.len() <= self.offset + self.length
    }

    /// Whether `l` shows on this line (miette's `span_applies`).
    fn shows(&self, l: &LabeledSpan) -> bool {
        let len = l.len().max(1);
        let end = self.offset + self.length;
        (l.offset() >= self.offset && l.offset() < end)
            || (l.offset() < self.offset && l.offset() + len > end)
            || (l.offset() + len > self.offset && l.offset() + len <= end)
    }

    /// The column of byte `offset` of this line; one past the text for the line break.
    fn column(&self, offset: usize) -> usize {
        let i = offset - self.offset;
        if i > self.text.len() {
            self.text.len() + 1
        } else {
            i
        }
    }
}

/// A snippet line's gutter: ` {number} {bar} `, the number right-aligned in `width` columns
/// (blank without one).
fn gutter(out: &mut String, number: Option<usize>, width: usize, bar: char) {
    let mut digits = [b' '; 20];
    let mut at = digits.len();
    if let Some(mut n) = number {
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
    }
    out.push(' ');
    out.extend(std::iter::repeat_n(
        ' ',
        width.saturating_sub(digits.len() - at),
    ));
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
    out.extend([' ', bar, ' ']);
}

/// `text` after `first` on its first line and `rest` on the others, as miette writes a text it
/// does not wrap.
fn indented(out: &mut String, text: &str, first: &str, rest: &str) {
    for (i, line) in text.split_terminator('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let indent = if i == 0 { first } else { rest };
        if line.trim().is_empty() {
            out.push_str(indent.trim_end());
        } else {
            out.push_str(indent);
        }
        out.push_str(line);
    }
    if text.ends_with('\n') {
        out.push('\n');
    }
    out.push('\n');
}

/// Draw `diag`, whose message and help are already broken into lines, from `source` with one
/// line of context, as miette's graphical handler without colour and without wrapping draws
/// it with the characters `c`. `false`, with nothing written, where this drawing does not
/// apply: a label over several lines or with a line break, two labels at one offset, a line
/// shown that is not printable ASCII, a label miette cannot read.
pub(super) fn draw(
    out: &mut String,
    diag: &MietteDiagnostic,
    source: &Indexed,
    c: &ThemeCharacters,
) -> bool {
    let mark = out.len();
    if draw_in(out, diag, source, c).is_none() {
        out.truncate(mark);
        return false;
    }
    true
}

fn draw_in(
    out: &mut String,
    diag: &MietteDiagnostic,
    source: &Indexed,
    c: &ThemeCharacters,
) -> Option<()> {
    let icon = match diag.severity {
        Some(Severity::Error) | None => &c.error,
        Some(Severity::Warning) => &c.warning,
        Some(Severity::Advice) => &c.advice,
    };
    if diag.code.is_some() || diag.url.is_some() {
        return None;
    }
    let mut labels: Vec<&LabeledSpan> = diag.labels.iter().flatten().collect();
    labels.sort_by_key(|l| l.offset());
    if labels.windows(2).any(|w| w[0].offset() == w[1].offset())
        || labels
            .iter()
            .any(|l| l.label().is_some_and(|t| t.contains('\n')))
    {
        return None;
    }
    // The snippets: one a label, those that would overlap merged (miette's contexts).
    let mut contexts: Vec<(usize, usize, Box<dyn miette::SpanContents<'_> + '_>)> = Vec::new();
    for right in &labels {
        let contents = source.read_span(right.inner(), 1, 1).ok()?;
        if let Some((offset, len, left)) = contexts.last()
            && left.line() + left.line_count() >= contents.line()
        {
            let end = (offset + len).max(right.offset() + right.len());
            let span = SourceSpan::new((*offset).into(), end - offset);
            if let Ok(merged) = source.read_span(&span, 1, 1) {
                let offset = *offset;
                contexts.pop();
                contexts.push((offset, end - offset, merged));
                continue;
            }
        }
        contexts.push((right.offset(), right.len(), contents));
    }
    let vbar = c.vbar.encode_utf8(&mut [0; 4]).to_string();
    indented(
        out,
        &diag.message,
        &format!("  {icon} "),
        &format!("  {vbar} "),
    );
    for (offset, len, contents) in &contexts {
        let data = contents.data();
        if data.is_empty()
            || !data
                .iter()
                .all(|&b| b == b'\n' || (0x20..0x7f).contains(&b))
        {
            return None;
        }
        let text = std::str::from_utf8(data).ok()?;
        // The lines, numbered from 1, as miette's `get_lines` cuts them.
        let mut lines = Vec::new();
        let (mut number, mut at, mut start) = (contents.line(), contents.span().offset(), 0);
        let n = data.len();
        for (i, &b) in data.iter().enumerate() {
            at += 1;
            let last = i + 1 == n;
            if b == b'\n' || last {
                number += 1;
                let end = if b == b'\n' { i } else { i + 1 };
                let length = i + 1 - start;
                lines.push(Line {
                    number,
                    offset: at - length,
                    length,
                    text: &text[start..end],
                });
                start = i + 1;
            }
        }
        if lines
            .iter()
            .any(|line| labels.iter().any(|l| line.shows(l) && !line.holds(l)))
        {
            return None;
        }
        let width = lines.last()?.number.to_string().len();
        // The header names the file at the first primary label of the snippet (else its first).
        let inside = labels
            .iter()
            .filter(|l| *offset <= l.offset() && l.offset() + l.len() <= offset + len);
        let primary = inside
            .clone()
            .find(|l| l.primary())
            .or_else(|| inside.clone().next());
        let at = match primary {
            Some(l) => source.read_span(l.inner(), 0, 0).ok()?,
            None => source
                .read_span(&SourceSpan::new((*offset).into(), *len), 1, 1)
                .ok()?,
        };
        let _ = writeln!(
            out,
            "{:w$}{}{}[{}:{}:{}]",
            "",
            c.ltop,
            c.hbar,
            at.name()?,
            at.line() + 1,
            at.column() + 1,
            w = width + 2
        );
        for line in &lines {
            gutter(out, Some(line.number), width, c.vbar);
            out.push_str(line.text);
            out.push('\n');
            let here: Vec<&&LabeledSpan> = labels.iter().filter(|l| line.shows(l)).collect();
            if here.is_empty() {
                continue;
            }
            gutter(out, None, width, c.vbar_break);
            let mut highest = 0;
            let mut bars = Vec::with_capacity(here.len());
            for l in &here {
                let start = line.column(l.offset()).max(highest);
                let end = if l.is_empty() {
                    start + 1
                } else {
                    line.column(l.offset() + l.len()).max(start + 1)
                };
                let bar = (start + end) / 2;
                let mid = if l.is_empty() {
                    c.uarrow
                } else if l.label().is_some() {
                    c.underbar
                } else {
                    c.underline
                };
                out.extend(std::iter::repeat_n(' ', start - highest));
                out.extend(std::iter::repeat_n(c.underline, bar - start));
                out.push(mid);
                out.extend(std::iter::repeat_n(c.underline, end - bar - 1));
                highest = highest.max(end);
                bars.push(bar);
            }
            out.push('\n');
            for (k, l) in here.iter().enumerate().rev() {
                let Some(label) = l.label() else { continue };
                gutter(out, None, width, c.vbar_break);
                let mut column = 1;
                for (j, &bar) in bars.iter().enumerate() {
                    out.extend(std::iter::repeat_n(' ', (bar + 1).saturating_sub(column)));
                    column = column.max(bar + 1);
                    if j != k {
                        out.push(c.vbar);
                        column += 1;
                    } else {
                        out.extend([c.lbot, c.hbar, c.hbar, ' ']);
                        out.push_str(label);
                        out.push('\n');
                        break;
                    }
                }
            }
        }
        let _ = write!(out, "{:w$}{}", "", c.lbot, w = width + 2);
        out.extend(std::iter::repeat_n(c.hbar, 4));
        out.push('\n');
    }
    if let Some(help) = &diag.help {
        indented(out, help, "  help: ", "        ");
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::LineIndex;
    use miette::{GraphicalReportHandler, GraphicalTheme};
    use std::sync::Arc;

    #[derive(Debug)]
    struct WithSource(MietteDiagnostic, Indexed);

    impl std::fmt::Display for WithSource {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            std::fmt::Display::fmt(&self.0, f)
        }
    }

    impl std::error::Error for WithSource {}

    impl miette::Diagnostic for WithSource {
        fn severity(&self) -> Option<Severity> {
            self.0.severity
        }
        fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
            self.0.help.as_ref().map(|h| Box::new(h) as _)
        }
        fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
            self.0.labels.clone().map(|l| Box::new(l.into_iter()) as _)
        }
        fn source_code(&self) -> Option<&dyn SourceCode> {
            Some(&self.1)
        }
    }

    /// Where it draws, it draws what miette draws, byte for byte: every pair of places in
    /// some texts, with and without labels and help, in both themes without colour.
    #[test]
    fn draws_what_miette_draws() {
        let texts = [
            "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.5\n    command: etcd -x\n",
            "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6\ng: 7\nh: 8\ni: 9\nj: 10\nk: 11\nl: 12",
            "x: [1, 2, 3]\n\n\ny: {a: b}\n# comment\nz: \"q\"",
            "one: é\ntwo: 2\n",
            "tab:\t1\nnext: 2\n",
            "",
        ];
        let mut drawn = 0;
        for (characters, theme) in [
            (
                GraphicalTheme::unicode_nocolor().characters,
                GraphicalTheme::unicode_nocolor(),
            ),
            (GraphicalTheme::none().characters, GraphicalTheme::none()),
        ] {
            let handler = GraphicalReportHandler::new_themed(theme)
                .with_context_lines(1)
                .with_width(100)
                .with_links(false)
                .with_wrap_lines(false);
            for text in texts {
                let source = || Indexed {
                    name: "f.yml".into(),
                    text: text.into(),
                    lines: Arc::new(LineIndex::new(text)),
                };
                let n = text.len();
                let spans: Vec<(usize, usize)> = (0..=n)
                    .step_by(3)
                    .flat_map(|s| [(s, 0), (s, 1), (s, 4)])
                    .filter(|&(s, l)| s + l <= n)
                    .collect();
                for (i, &a) in spans.iter().enumerate() {
                    for &b in spans.iter().skip(i).step_by(7).take(6) {
                        for labelled in [true, false] {
                            let mut labels = vec![LabeledSpan::new_primary_with_span(
                                labelled.then(|| "here".to_string()),
                                a,
                            )];
                            if b != a {
                                labels
                                    .push(LabeledSpan::new_with_span(Some("and there".into()), b));
                            }
                            let mut diag = MietteDiagnostic::new("a message\nof two lines")
                                .with_severity(Severity::Warning)
                                .with_labels(labels);
                            if labelled {
                                diag = diag.with_help("some help");
                            }
                            let mut got = String::new();
                            if !draw(&mut got, &diag, &source(), &characters) {
                                assert!(got.is_empty());
                                continue;
                            }
                            drawn += 1;
                            let mut want = String::new();
                            handler
                                .render_report(&mut want, &WithSource(diag, source()))
                                .unwrap();
                            assert_eq!(got, want, "{text:?} {a:?} {b:?}");
                        }
                    }
                }
            }
        }
        assert!(drawn > 1000, "{drawn}");
    }
}
