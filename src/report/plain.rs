//! A finding drawn without colour, byte for byte as miette's graphical handler draws it, for
//! the common case: every label on one line, the lines shown printable ASCII. It skips the
//! handler's copies of every line and label (a third of checking one typical file went to
//! drawing its findings); anything else is left to miette.

use super::snippet::Indexed;
use crate::source::LineIndex;
use miette::{LabeledSpan, MietteDiagnostic, Severity, SourceSpan, ThemeCharacters};

/// A label of a finding, as [`draw_finding`] reads it (miette's [`LabeledSpan`], borrowed).
pub(super) struct Label<'a> {
    pub offset: usize,
    pub len: usize,
    pub text: Option<&'a str>,
    pub primary: bool,
}

impl Label<'_> {
    fn of(l: &LabeledSpan) -> Label<'_> {
        Label {
            offset: l.offset(),
            len: l.len(),
            text: l.label(),
            primary: l.primary(),
        }
    }

    fn span(&self) -> SourceSpan {
        SourceSpan::new(self.offset.into(), self.len)
    }
}

/// A text under a finding's heading or help: as given, or already broken into lines (none
/// blank), which miette indents alike.
#[derive(Clone, Copy)]
pub(super) enum Text<'a> {
    Whole(&'a str),
    Lines(&'a [&'a str]),
}

/// A finding as [`draw_finding`] draws it: what miette's graphical handler reads of a
/// diagnostic without code or URL.
pub(super) struct Finding<'a> {
    pub severity: Option<Severity>,
    pub message: Text<'a>,
    pub help: Option<Text<'a>>,
    pub labels: Vec<Label<'a>>,
}

/// One line of a snippet, as miette cuts it: `length` counts its line break.
struct Line<'a> {
    number: usize,
    offset: usize,
    length: usize,
    text: &'a str,
}

impl Line<'_> {
    /// Whether `l` starts and ends on this line (its line break included).
    fn holds(&self, l: &Label) -> bool {
        l.offset >= self.offset && l.offset + l.len <= self.offset + self.length
    }

    /// Whether `l` shows on this line (miette's `span_applies`).
    fn shows(&self, l: &Label) -> bool {
        let len = l.len.max(1);
        let end = self.offset + self.length;
        (l.offset >= self.offset && l.offset < end)
            || (l.offset < self.offset && l.offset + len > end)
            || (l.offset + len > self.offset && l.offset + len <= end)
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

/// `n` in decimal.
pub(super) fn push_number(out: &mut String, n: usize) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// How many digits `n` has in decimal.
fn digits(mut n: usize) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

/// `n` spaces.
fn spaces(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

/// A snippet line's gutter: ` {number} {bar} `, the number right-aligned in `width` columns
/// (blank without one).
fn gutter(out: &mut String, number: Option<usize>, width: usize, bar: char) {
    out.push(' ');
    match number {
        Some(n) => {
            spaces(out, width.saturating_sub(digits(n)));
            push_number(out, n);
        }
        None => spaces(out, width),
    }
    out.push(' ');
    out.push(bar);
    out.push(' ');
}

/// `text` after `first` on its first line and `rest` on the others, as miette writes a text it
/// does not wrap.
fn indented(out: &mut String, text: Text, first: &[&str], rest: &[&str]) {
    match text {
        Text::Lines(lines) => {
            for (i, line) in lines.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                for part in if i == 0 { first } else { rest } {
                    out.push_str(part);
                }
                out.push_str(line);
            }
        }
        Text::Whole(text) => {
            for (i, line) in text.split_terminator('\n').enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                let indent = (if i == 0 { first } else { rest }).concat();
                if line.trim().is_empty() {
                    out.push_str(indent.trim_end());
                } else {
                    out.push_str(&indent);
                }
                out.push_str(line);
            }
            if text.ends_with('\n') {
                out.push('\n');
            }
        }
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
    if diag.code.is_some() || diag.url.is_some() {
        return false;
    }
    let finding = Finding {
        severity: diag.severity,
        message: Text::Whole(&diag.message),
        help: diag.help.as_deref().map(Text::Whole),
        labels: diag.labels.iter().flatten().map(Label::of).collect(),
    };
    draw_finding(out, finding, &source.name, &source.text, &source.lines, c)
}

/// [`draw`] for a finding read from elsewhere, in the text `text` named `name`, with its line
/// index `lines`.
pub(super) fn draw_finding(
    out: &mut String,
    finding: Finding,
    name: &str,
    text: &str,
    lines: &LineIndex,
    c: &ThemeCharacters,
) -> bool {
    let mark = out.len();
    if draw_in(out, finding, name, text, lines, c).is_none() {
        out.truncate(mark);
        return false;
    }
    true
}

fn draw_in(
    out: &mut String,
    finding: Finding,
    name: &str,
    source: &str,
    index: &LineIndex,
    c: &ThemeCharacters,
) -> Option<()> {
    let icon = match finding.severity {
        Some(Severity::Error) | None => &c.error,
        Some(Severity::Warning) => &c.warning,
        Some(Severity::Advice) => &c.advice,
    };
    let mut labels = finding.labels;
    labels.sort_by_key(|l| l.offset);
    if labels.windows(2).any(|w| w[0].offset == w[1].offset)
        || labels
            .iter()
            .any(|l| l.text.is_some_and(|t| t.contains('\n')))
    {
        return None;
    }
    let read = |span: &SourceSpan, before, after| {
        super::snippet::read(source, index, span, before, after).ok()
    };
    // The snippets: one a label, those that would overlap merged (miette's contexts).
    let mut contexts: Vec<(usize, usize, super::snippet::Contents)> = Vec::new();
    for right in &labels {
        let contents = read(&right.span(), 1, 1)?;
        if let Some((offset, len, left)) = contexts.last()
            && left.line + left.line_count >= contents.line
        {
            let end = (offset + len).max(right.offset + right.len);
            let span = SourceSpan::new((*offset).into(), end - offset);
            if let Some(merged) = read(&span, 1, 1) {
                let offset = *offset;
                contexts.pop();
                contexts.push((offset, end - offset, merged));
                continue;
            }
        }
        contexts.push((right.offset, right.len, contents));
    }
    let mut vbar = [0; 4];
    let vbar: &str = c.vbar.encode_utf8(&mut vbar);
    indented(
        out,
        finding.message,
        &["  ", icon.as_str(), " "],
        &["  ", vbar, " "],
    );
    let mut lines = Vec::new();
    let mut here: Vec<&Label> = Vec::new();
    let mut bars = Vec::new();
    for (offset, len, contents) in &contexts {
        let data = contents.data;
        if data.is_empty()
            || !data.iter().fold(true, |all, &b| {
                all & (b == b'\n' || b.wrapping_sub(0x20) < 0x5f)
            })
        {
            return None;
        }
        let text = std::str::from_utf8(data).ok()?;
        // The lines, numbered from 1, as miette's `get_lines` cuts them.
        lines.clear();
        let (mut number, mut at, mut start) = (contents.line, contents.span.offset(), 0);
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
        let width = digits(lines.last()?.number);
        // The header names the file at the first primary label of the snippet (else its first).
        let inside = labels
            .iter()
            .filter(|l| *offset <= l.offset && l.offset + l.len <= offset + len);
        let primary = inside
            .clone()
            .find(|l| l.primary)
            .or_else(|| inside.clone().next());
        // Where miette puts it: its line and byte column. A label inside the snippet is on a
        // line shown, printable ASCII, so that it is the line index's line and byte column.
        let (line, column) = match primary {
            Some(l) => {
                let line = index.line_of(l.offset);
                (line, l.offset.checked_sub(index.line_start(line)?)? + 1)
            }
            None => {
                let at = read(&SourceSpan::new((*offset).into(), *len), 1, 1)?;
                (at.line + 1, at.column + 1)
            }
        };
        spaces(out, width + 2);
        out.push(c.ltop);
        out.push(c.hbar);
        out.push('[');
        out.push_str(name);
        out.push(':');
        push_number(out, line);
        out.push(':');
        push_number(out, column);
        out.push_str("]\n");
        for line in &lines {
            gutter(out, Some(line.number), width, c.vbar);
            out.push_str(line.text);
            out.push('\n');
            here.clear();
            here.extend(labels.iter().filter(|l| line.shows(l)));
            if here.is_empty() {
                continue;
            }
            gutter(out, None, width, c.vbar_break);
            let mut highest = 0;
            bars.clear();
            for l in &here {
                let start = line.column(l.offset).max(highest);
                let end = if l.len == 0 {
                    start + 1
                } else {
                    line.column(l.offset + l.len).max(start + 1)
                };
                let bar = (start + end) / 2;
                let mid = if l.len == 0 {
                    c.uarrow
                } else if l.text.is_some() {
                    c.underbar
                } else {
                    c.underline
                };
                spaces(out, start - highest);
                out.extend(std::iter::repeat_n(c.underline, bar - start));
                out.push(mid);
                out.extend(std::iter::repeat_n(c.underline, end - bar - 1));
                highest = highest.max(end);
                bars.push(bar);
            }
            out.push('\n');
            for (k, l) in here.iter().enumerate().rev() {
                let Some(label) = l.text else { continue };
                gutter(out, None, width, c.vbar_break);
                let mut column = 1;
                for (j, &bar) in bars.iter().enumerate() {
                    spaces(out, (bar + 1).saturating_sub(column));
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
        spaces(out, width + 2);
        out.push(c.lbot);
        out.extend(std::iter::repeat_n(c.hbar, 4));
        out.push('\n');
    }
    if let Some(help) = finding.help {
        indented(out, help, &["  help: "], &["        "]);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::LineIndex;
    use miette::{GraphicalReportHandler, GraphicalTheme, SourceCode};
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
