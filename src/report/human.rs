//! Human output: for each finding, `file:line:col`, severity and rule id, the message, the
//! snippet with the span underlined (miette), and the help.

use super::snippet::Indexed;
use super::{RenderOptions, Totals};
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
    render_with(
        reports,
        &RenderOptions {
            color,
            fixes,
            unsafe_fixes,
            ..RenderOptions::default()
        },
    )
}

/// Render every report, drawn and wrapped as `options` say.
pub fn render_with(reports: &[FileReport], options: &RenderOptions) -> String {
    let renderer = Renderer::new(options);
    let mut out = String::new();
    renderer.diffs(reports, &mut out);
    renderer.body(reports, &mut out);
    let _ = writeln!(
        out,
        "{}",
        renderer.summary(&Totals::of(reports), options.unsafe_fixes)
    );
    out
}

/// Draws reports for people, a unit at a time.
pub(crate) struct Renderer {
    handler: GraphicalReportHandler,
    /// The same, drawing texts already broken into lines (see [`break_lines`]).
    unwrapping: GraphicalReportHandler,
    characters: miette::ThemeCharacters,
    /// No colour: findings are drawn by [`super::plain`] where it can.
    plain: bool,
    width: usize,
    /// Widths a finding's message is broken to: its first line after the icon of an error, a
    /// warning, a note; its other lines after the bar.
    message_first: (usize, usize, usize),
    message_rest: usize,
    /// Width its help is broken to.
    help_width: usize,
    fixes: FixSummary,
}

impl Renderer {
    pub fn new(options: &RenderOptions) -> Renderer {
        let theme = match (options.unicode, options.color) {
            (true, true) => GraphicalTheme::unicode(),
            (true, false) => GraphicalTheme::unicode_nocolor(),
            (false, true) => GraphicalTheme::ascii(),
            (false, false) => GraphicalTheme::none(),
        };
        let width = options.width.max(MIN_WIDTH);
        let characters = theme.characters.clone();
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_context_lines(1)
            .with_width(width)
            .with_break_words(false)
            .with_word_separator(textwrap::WordSeparator::Custom(code_span_words))
            .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
            .with_links(false);
        // As `render_one` breaks them.
        let wrap = width.saturating_sub(2);
        let indent = |s: &str| wrap.saturating_sub(3 + textwrap::core::display_width(s));
        let message_first = (
            indent(&characters.error),
            indent(&characters.warning),
            indent(&characters.advice),
        );
        let message_rest = indent(characters.vbar.encode_utf8(&mut [0; 4]));
        Renderer {
            unwrapping: handler.clone().with_wrap_lines(false),
            handler,
            plain: !options.color,
            width,
            message_first,
            message_rest,
            help_width: wrap.saturating_sub(8),
            characters,
            fixes: options.fixes,
        }
    }

    /// With `--diff`, the diff of each changed file (they come before every finding).
    pub fn diffs(&self, reports: &[FileReport], out: &mut String) {
        if self.fixes == FixSummary::Diff {
            for r in reports {
                if let Some(d) = super::diff(r) {
                    out.push_str(&d);
                }
            }
        }
    }

    /// The summary line, wrapped.
    pub fn summary(&self, totals: &Totals, unsafe_fixes: bool) -> String {
        wrap_text(&summary(totals, self.fixes, unsafe_fixes), self.width, "")
    }

    /// Each report's applied fixes, error and findings with their snippets. The reports'
    /// file ids index `reports`.
    pub fn body(&self, reports: &[FileReport], out: &mut String) {
        self.body_spilling(reports, out, &mut |_| {});
    }

    /// [`Renderer::body`], handing `out` to `spill` (which takes its text away) whenever it
    /// holds [`SPILL_AT`] bytes or more after a finding, so that a file with many findings is
    /// not drawn whole in memory.
    pub fn body_spilling(
        &self,
        reports: &[FileReport],
        out: &mut String,
        spill: &mut dyn FnMut(&mut String),
    ) {
        let (width, fixes) = (self.width, self.fixes);
        // Every file's line index, made once: a finding's snippets may be in any file.
        let all_lines: Vec<Option<Arc<LineIndex>>> = reports
            .iter()
            .map(|r| r.text.as_deref().map(|t| Arc::new(LineIndex::new(t))))
            .collect();
        // The text being wrapped, made again for each line.
        let mut line = String::new();
        for (i, r) in reports.iter().enumerate() {
            let path = r.path.display().to_string();
            let lines = all_lines[i].clone();
            for d in r.fix.iter().flat_map(|f| &f.applied_fixes) {
                let Some(f) = &d.fix else { continue };
                let verb = if fixes == FixSummary::Diff {
                    "would apply"
                } else {
                    "applied"
                };
                let what = match f.applicability {
                    Applicability::Unsafe => "unsafe fix: you must act too",
                    _ => "fix",
                };
                line.clear();
                for part in [&path, ": ", verb, " ", what, ", ", d.rule] {
                    line.push_str(part);
                }
                if let Some(s) = &d.service {
                    for part in [" (service `", s, "`)"] {
                        line.push_str(part);
                    }
                }
                line.push_str(": ");
                line.push_str(&f.description);
                wrap_into(out, &line, width, "    ");
                out.push_str("\n\n");
            }
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
                        self.render_one(out, diag, &path, text, lines);
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
                out.push_str(&path);
                out.push(':');
                super::plain::push_number(out, pos.line);
                out.push(':');
                super::plain::push_number(out, pos.column);
                out.push_str(match d.severity {
                    Severity::Error => ": error[",
                    Severity::Warning => ": warning[",
                    Severity::Info => ": info[",
                });
                out.push_str(d.rule);
                out.push_str("]\n");
                if !self.plain_finding(out, d, &path, text, lines) {
                    self.render_one(out, to_miette(d, text), &path, text, lines);
                }
                // Related places in other files, one snippet a file.
                let mut others: Vec<usize> = d
                    .related
                    .iter()
                    .map(|rel| rel.origin.file.0 as usize)
                    .filter(|&f| f != d.origin.file.0 as usize)
                    .collect();
                others.sort_unstable();
                others.dedup();
                for f in others {
                    let Some(other) = reports.get(f) else {
                        continue;
                    };
                    let (Some(other_text), Some(other_lines)) = (&other.text, &all_lines[f]) else {
                        continue;
                    };
                    let other_path = other.path.display().to_string();
                    let labels: Vec<LabeledSpan> = d
                        .related
                        .iter()
                        .filter(|rel| rel.origin.file.0 as usize == f)
                        .map(|rel| related_label(rel, other_text))
                        .collect();
                    let diag = MietteDiagnostic::new(format!("related: `{other_path}`"))
                        .with_severity(miette::Severity::Advice)
                        .with_labels(labels);
                    self.render_one(out, diag, &other_path, other_text, other_lines);
                }
                if let Some(f) = &d.fix {
                    let what = match f.applicability {
                        Applicability::Safe => "fix (safe, --fix)",
                        Applicability::Unsafe => "fix (unsafe, --fix --unsafe-fixes)",
                        Applicability::Unavailable => "no automatic fix",
                    };
                    line.clear();
                    for part in ["  ", what, ": ", &f.description] {
                        line.push_str(part);
                    }
                    wrap_into(out, &line, width, "    ");
                    out.push_str("\n\n");
                }
                if out.len() >= SPILL_AT {
                    spill(out);
                }
            }
        }
    }
}

/// How much drawn text [`Renderer::body_spilling`] holds before it hands it on.
pub const SPILL_AT: usize = 64 * 1024;

/// Narrowest width output is wrapped to.
const MIN_WIDTH: usize = 40;

/// Words for wrapping: split at spaces, but never inside a `code span`.
fn code_span_words(line: &str) -> Box<dyn Iterator<Item = textwrap::core::Word<'_>> + '_> {
    let bytes = line.as_bytes();
    let mut words = Vec::new();
    let (mut start, mut i, mut code) = (0, 0, false);
    while i < bytes.len() {
        match bytes[i] {
            b'`' => code = !code,
            b' ' if !code => {
                let mut j = i;
                while j < bytes.len() && bytes[j] == b' ' {
                    j += 1;
                }
                words.push(textwrap::core::Word::from(&line[start..j]));
                start = j;
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        words.push(textwrap::core::Word::from(&line[start..]));
    }
    Box::new(words.into_iter())
}

/// `text` wrapped to `width`, never inside a code span; continuation lines start with
/// `indent`.
pub fn wrap_text(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    wrap_into(&mut out, text, width, indent);
    out
}

/// [`wrap_text`], written to `out`.
fn wrap_into(out: &mut String, text: &str, width: usize, indent: &str) {
    let rest = width.saturating_sub(textwrap::core::display_width(indent));
    if let Some(lines) = break_lines(text, width, rest, true) {
        for (i, l) in lines.iter().enumerate() {
            if i > 0 {
                out.push('\n');
                out.push_str(indent);
            }
            out.push_str(l);
        }
        return;
    }
    let opts = textwrap::Options::new(width)
        .break_words(false)
        .subsequent_indent(indent)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .word_separator(textwrap::WordSeparator::Custom(code_span_words));
    out.push_str(&textwrap::wrap(text, opts).join("\n"));
}

/// How the terminal wants output drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    pub unicode: bool,
}

/// Whether to colour and how to draw, from `--color` (`Some(true)` always, `Some(false)`
/// never, `None` auto), whether stdout is a terminal, and the environment: `NO_COLOR` (when
/// not empty) turns colour off, `FORCE_COLOR` or `CLICOLOR_FORCE` (when not empty or `0`) on,
/// `TERM=dumb` means no colour and ASCII drawing, and so does a locale (`LC_ALL`, else
/// `LC_CTYPE`, else `LANG`) that is set and is not UTF-8.
pub fn style(choice: Option<bool>, tty: bool, env: impl Fn(&str) -> Option<String>) -> Style {
    let set = |k: &str| env(k).filter(|v| !v.is_empty());
    let dumb = set("TERM").is_some_and(|t| t == "dumb");
    let forced = ["FORCE_COLOR", "CLICOLOR_FORCE"]
        .iter()
        .any(|k| set(k).is_some_and(|v| v != "0" && v != "false"));
    let color = match choice {
        Some(c) => c,
        None => {
            if set("NO_COLOR").is_some() {
                false
            } else {
                forced || (tty && !dumb)
            }
        }
    };
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"].iter().find_map(|k| set(k));
    let utf8 = locale.is_none_or(|l| {
        let l = l.to_ascii_lowercase();
        l.contains("utf-8") || l.contains("utf8")
    });
    Style {
        color,
        unicode: utf8 && !dumb,
    }
}

/// The width to wrap to: the terminal's when stdout is one, else `COLUMNS`, else 100.
pub fn width(tty_width: Option<usize>, env: impl Fn(&str) -> Option<String>) -> usize {
    tty_width
        .or_else(|| env("COLUMNS").and_then(|c| c.trim().parse().ok()))
        .filter(|&w| w > 0)
        .unwrap_or(100)
}

/// Longest line shown as a snippet; past it (a minified or generated file) a finding is shown
/// without one. The snippet renderer cannot draw past column 65,535.
const MAX_SNIPPET_LINE: usize = 4096;

/// Whether every labelled place of `diag` is on a line short enough to draw.
fn drawable(diag: &MietteDiagnostic, text: &str) -> bool {
    diag.labels
        .iter()
        .flatten()
        .all(|l| short_line(text, l.offset()))
}

/// Whether the line of byte `offset` of `text` is short enough to draw.
fn short_line(text: &str, offset: usize) -> bool {
    let at = offset.min(text.len());
    let bytes = text.as_bytes();
    let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[at..]).map_or(text.len(), |i| at + i);
    end - start <= MAX_SNIPPET_LINE
}

impl Renderer {
    /// Draw finding `d` of `text` with [`super::plain`], its message and help broken here and
    /// its labels read in place, without a miette diagnostic. `false`, with nothing written,
    /// where that drawing does not apply (colour, a text textwrap must wrap, a snippet plain
    /// drawing leaves to miette): [`Renderer::render_one`] draws it then.
    fn plain_finding(
        &self,
        out: &mut String,
        d: &Diagnostic,
        path: &str,
        text: &str,
        lines: &LineIndex,
    ) -> bool {
        if !self.plain {
            return false;
        }
        let (severity, first) = match d.severity {
            Severity::Error => (miette::Severity::Error, self.message_first.0),
            Severity::Warning => (miette::Severity::Warning, self.message_first.1),
            Severity::Info => (miette::Severity::Advice, self.message_first.2),
        };
        let Some(message) = break_lines(&d.message, first, self.message_rest, false) else {
            return false;
        };
        let help = match &d.help {
            None => None,
            Some(h) => match break_lines(h, self.help_width, self.help_width, false) {
                Some(l) => Some(l),
                None => return false,
            },
        };
        // The labels of `to_miette`.
        let span = d.origin.span;
        let mut labels = Vec::with_capacity(1 + d.related.len());
        labels.push(super::plain::Label {
            offset: span.start,
            len: if span.is_empty() {
                char_len(text, span.start)
            } else {
                span.len()
            },
            text: d.label.as_deref(),
            primary: true,
        });
        for r in d.related.iter().filter(|r| r.origin.file == d.origin.file) {
            let start = r.origin.span.start.min(text.len());
            labels.push(super::plain::Label {
                offset: start,
                len: if r.origin.span.is_empty() {
                    char_len(text, start)
                } else {
                    r.origin.span.end.min(text.len()) - start
                },
                text: Some(&r.label),
                primary: false,
            });
        }
        if !labels.iter().all(|l| short_line(text, l.offset)) {
            labels.clear();
        }
        let finding = super::plain::Finding {
            severity: Some(severity),
            message: super::plain::Text::Lines(&message),
            help: help.as_deref().map(super::plain::Text::Lines),
            labels,
        };
        if super::plain::draw_finding(out, finding, path, text, lines, &self.characters) {
            out.push('\n');
            return true;
        }
        false
    }

    fn render_one(
        &self,
        out: &mut String,
        mut diag: MietteDiagnostic,
        path: &str,
        text: &Arc<str>,
        lines: &Arc<LineIndex>,
    ) {
        if !drawable(&diag, text) {
            diag.labels = None;
        }
        // miette wraps the message and the help with textwrap; breaking them here the same way
        // costs a fraction of it, and miette then only indents them.
        let c = &self.characters;
        let icon = match diag.severity {
            Some(miette::Severity::Error) | None => &c.error,
            Some(miette::Severity::Warning) => &c.warning,
            Some(miette::Severity::Advice) => &c.advice,
        };
        let wrap = self.width.saturating_sub(2);
        let indent = |s: &str| wrap.saturating_sub(3 + textwrap::core::display_width(s));
        let message = break_lines(
            &diag.message,
            indent(icon),
            indent(c.vbar.encode_utf8(&mut [0; 4])),
            false,
        )
        .map(|l| l.join("\n"));
        let help = match &diag.help {
            None => Some(None),
            Some(h) => break_lines(h, wrap.saturating_sub(8), wrap.saturating_sub(8), false)
                .map(|l| Some(l.join("\n"))),
        };
        let (handler, broken) = match (message, help) {
            (Some(message), Some(help)) => {
                diag.message = message;
                diag.help = help;
                (&self.unwrapping, true)
            }
            _ => (&self.handler, false),
        };
        // Drawn straight from the diagnostic and its source: a `miette::Report` would build
        // (and drop) the global report handler's options for each one.
        let with_source = WithSource {
            diag,
            source: Indexed {
                name: path.to_string(),
                text: text.clone(),
                lines: lines.clone(),
            },
        };
        if self.plain
            && broken
            && super::plain::draw(
                out,
                &with_source.diag,
                &with_source.source,
                &self.characters,
            )
        {
            out.push('\n');
            return;
        }
        let mut buf = String::new();
        if handler.render_report(&mut buf, &with_source).is_ok() {
            out.push_str(&buf);
            out.push('\n');
        }
    }
}

/// `text` broken into lines as textwrap breaks it with [`code_span_words`], no hyphenation
/// and no broken words (first fit): the first line of each paragraph `first` columns wide,
/// the others `rest`. `None` where textwrap with an indentation would give another text than
/// these lines indented, as miette indents a text it does not wrap: a paragraph that is empty
/// or starts with a space, or a line of white space only. With `lead`, a paragraph may start
/// with spaces, kept on its first line as textwrap keeps them where it indents no first line
/// ([`wrap_text`]).
fn break_lines(text: &str, first: usize, rest: usize, lead: bool) -> Option<Vec<&str>> {
    let mut lines = Vec::with_capacity(8);
    for para in text.split('\n') {
        if para.is_empty() || (!lead && para.starts_with(' ')) {
            return None;
        }
        let bytes = para.as_bytes();
        let n = bytes.len();
        // Printable ASCII throughout (the common case): a word is as wide as it is long.
        // textwrap counts widths in `f64`; whole numbers this small add up exactly in it, so
        // counting in `usize` compares the same.
        let printable = bytes
            .iter()
            .fold(true, |all, &b| all & (b.wrapping_sub(0x20) < 0x5f));
        if printable && bytes[0] != b' ' {
            break_printable(para, first, rest, &mut lines);
            continue;
        }
        // The line being filled: from the start of its first word (`from`) to the end of its
        // last (`last`), `width` columns with the spaces after its words; `placed` says it
        // has a word.
        let (mut from, mut last, mut width, mut placed) = (0, 0, 0usize, false);
        let mut line_width = first;
        let (mut i, mut code) = (0, false);
        while i < n {
            // A word runs to the next space outside a code span, then come its spaces.
            let start = i;
            let mut ascii = true;
            if printable {
                i = word_end(bytes, i, &mut code);
            } else {
                while i < n {
                    match bytes[i] {
                        b'`' => code = !code,
                        b' ' if !code => break,
                        b if !(0x20..0x7f).contains(&b) => ascii = false,
                        _ => {}
                    }
                    i += 1;
                }
            }
            let mut end = i;
            if i == n {
                // A code span left open to the end: its trailing spaces are not the word's.
                end = start + para[start..end].trim_end_matches(' ').len();
            }
            while i < n && bytes[i] == b' ' {
                i += 1;
            }
            let w = if ascii {
                end - start
            } else {
                textwrap::core::display_width(&para[start..end])
            };
            if width + w > line_width && placed {
                lines.push(&para[from..last]);
                from = start;
                width = 0;
                line_width = rest;
            }
            width += w + (i - end);
            last = end;
            placed = true;
        }
        if placed {
            lines.push(&para[from..last]);
        }
    }
    (!lines.iter().any(|l| l.trim().is_empty())).then_some(lines)
}

/// [`break_lines`] for a paragraph of printable ASCII that does not start with a space. Every
/// byte is a column, so that a line holds every word that ends within its width from its
/// first word's start: it ends at the last run of spaces outside a code span that starts
/// there, else after its first word. The lines are found without going through every word.
fn break_printable<'a>(para: &'a str, first: usize, rest: usize, lines: &mut Vec<&'a str>) {
    let bytes = para.as_bytes();
    let n = bytes.len();
    // A line starts at `from`, a word's first byte, inside a code span or not (`code`).
    let (mut from, mut code, mut width) = (0usize, false, first);
    // Where the last word ends: before the spaces the paragraph ends with, outside a code
    // span or in one left open.
    let tail = para.trim_end_matches(' ').len();
    loop {
        let limit = from.saturating_add(width);
        if limit >= tail {
            lines.push(&para[from..tail]);
            return;
        }
        // Back from `limit` to the last space outside a code span.
        let ticks = bytes[from..limit]
            .iter()
            .fold(0u8, |n, &b| n.wrapping_add(u8::from(b == b'`')));
        let (mut p, mut c) = (limit, code ^ (ticks % 2 == 1));
        let space = loop {
            if p == from {
                break None;
            }
            if bytes[p] == b' ' && !c {
                break Some(p);
            }
            p -= 1;
            c ^= bytes[p] == b'`';
        };
        let (end, mut next) = match space {
            Some(p) => {
                let mut end = p;
                while bytes[end - 1] == b' ' {
                    end -= 1;
                }
                code = c;
                (end, p)
            }
            // The first word is wider than the line: it has the line alone.
            None => {
                let end = word_end(bytes, from, &mut code);
                if end == n {
                    lines.push(para[from..].trim_end_matches(' '));
                    return;
                }
                (end, end)
            }
        };
        lines.push(&para[from..end]);
        while next < n && bytes[next] == b' ' {
            next += 1;
        }
        if next == n {
            return;
        }
        from = next;
        width = rest;
    }
}

/// Where the word starting at `i` of printable ASCII `bytes` ends: the next space outside a
/// code span (`code` says whether `i` is inside one, and is kept up to date), else the end.
fn word_end(bytes: &[u8], mut i: usize, code: &mut bool) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let n = bytes.len();
    loop {
        // Eight bytes at a time: the first that is a space or a backtick.
        let found = match bytes.get(i..i + 8) {
            Some(chunk) => {
                let x = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
                let (s, t) = (x ^ (ONES * b' ' as u64), x ^ (ONES * b'`' as u64));
                // The lowest set bit marks the first byte equal to either (bits above it
                // may be wrong, never below).
                let m = (s.wrapping_sub(ONES) & !s | t.wrapping_sub(ONES) & !t) & HIGH;
                if m == 0 {
                    i += 8;
                    continue;
                }
                i + (m.trailing_zeros() / 8) as usize
            }
            None => match bytes[i..].iter().position(|&b| b == b' ' || b == b'`') {
                Some(k) => i + k,
                None => return n,
            },
        };
        if bytes[found] == b'`' {
            *code = !*code;
        } else if !*code {
            return found;
        }
        i = found + 1;
    }
}

/// A diagnostic with the text its labels point into, as miette draws it.
#[derive(Debug)]
struct WithSource {
    diag: MietteDiagnostic,
    source: Indexed,
}

impl std::fmt::Display for WithSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.diag, f)
    }
}

impl std::error::Error for WithSource {}

impl miette::Diagnostic for WithSource {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.diag.code()
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.diag.severity()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.diag.help()
    }

    fn url<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.diag.url()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.diag.labels()
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
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
    for r in d.related.iter().filter(|r| r.origin.file == d.origin.file) {
        labels.push(related_label(r, text));
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

/// A related place's label, within `text` (the text of its own file).
fn related_label(r: &crate::diagnostic::Related, text: &str) -> LabeledSpan {
    let start = r.origin.span.start.min(text.len());
    let len = if r.origin.span.is_empty() {
        char_len(text, start)
    } else {
        r.origin.span.end.min(text.len()) - start
    };
    LabeledSpan::new_with_span(Some(r.label.clone()), (start, len))
}

pub(crate) fn summary(t: &Totals, fixes: FixSummary, unsafe_fixes: bool) -> String {
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
    if t.unfixed > 0 {
        s.push_str(&format!(
            "; {} could not be fixed",
            plural(t.unfixed, "file", "files")
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

#[cfg(test)]
mod break_tests {
    use super::{break_lines, code_span_words};

    /// textwrap's own result, as miette asks for it: `initial` and `rest` indentations.
    fn textwrap(text: &str, width: usize, initial: &str, rest: &str) -> String {
        let opts = textwrap::Options::new(width)
            .initial_indent(initial)
            .subsequent_indent(rest)
            .break_words(false)
            .word_splitter(textwrap::WordSplitter::NoHyphenation)
            .word_separator(textwrap::WordSeparator::Custom(code_span_words));
        textwrap::fill(text, opts)
    }

    /// The lines indented as miette indents a text it does not wrap.
    fn indented(lines: &[&str], initial: &str, rest: &str) -> String {
        let mut out = String::new();
        for (i, l) in lines.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(if i == 0 { initial } else { rest });
            out.push_str(l);
        }
        out
    }

    #[test]
    fn breaks_lines_where_textwrap_does() {
        let texts = [
            "etcd's data directory `/etcd` (from `--data-dir`) is not on any volume or bind mount: \
             it lives in the container's writable layer, so `docker compose down` deletes it",
            "short",
            "two  spaces   between words and a `code span with spaces that is long` at the end",
            "a first paragraph\nand a second one that is longer than the first line of the text",
            "wide characters: 日本語のテキスト and é accents, ✓ marks and \u{1b}[31mcolour\u{1b}[0m",
            "averyveryverylongwordthatdoesnotfitonanylineatallwhateverthewidthofthelineis x",
            "trailing spaces   ",
            "tab\tinside and a `unclosed code span to the end of the text",
            "an `open code span that ends in spaces  ",
            "`closed ` then `another one` and the end of the text at a width x y z w v",
        ];
        let mut compared = 0;
        for text in texts {
            for width in [10usize, 20, 37, 40, 58, 80, 98, 120] {
                for (initial, rest) in [("  × ", "  │ "), ("  help: ", "        "), ("", "    ")]
                {
                    let iw = textwrap::core::display_width(initial);
                    let rw = textwrap::core::display_width(rest);
                    let Some(lines) = break_lines(
                        text,
                        width.saturating_sub(iw),
                        width.saturating_sub(rw),
                        false,
                    ) else {
                        continue;
                    };
                    compared += 1;
                    assert_eq!(
                        indented(&lines, initial, rest),
                        textwrap(text, width, initial, rest),
                        "{text:?} at {width}"
                    );
                }
            }
        }
        assert!(compared > 150, "{compared}");
        // What it leaves to textwrap.
        for text in ["", " leading", "a\n\nb", "ends with a break\n", "a\n \nb"] {
            assert_eq!(break_lines(text, 40, 40, false), None, "{text:?}");
        }
    }

    /// The same lines as textwrap for every text of a few letters, spaces and backticks, at
    /// every width up to past its length.
    #[test]
    fn breaks_small_texts_where_textwrap_does() {
        let alphabet = [b'a', b'b', b' ', b'`', b'c', b' '];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut compared = 0;
        for _ in 0..4000 {
            let mut text = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = 1 + (seed % 40) as usize;
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push(alphabet[(seed % alphabet.len() as u64) as usize] as char);
            }
            for width in 1..len + 3 {
                for (initial, rest) in [("  × ", "  │ "), ("", "    "), ("", "")] {
                    let iw = textwrap::core::display_width(initial);
                    let rw = textwrap::core::display_width(rest);
                    let Some(lines) = break_lines(
                        &text,
                        (width + 4).saturating_sub(iw),
                        (width + 4).saturating_sub(rw),
                        false,
                    ) else {
                        continue;
                    };
                    compared += 1;
                    assert_eq!(
                        indented(&lines, initial, rest),
                        textwrap(&text, width + 4, initial, rest),
                        "{text:?} at {width}"
                    );
                }
            }
        }
        assert!(compared > 20_000, "{compared}");
    }

    /// `wrap_text` gives textwrap's text, also for texts that start with spaces (the fix
    /// lines under a finding), which it breaks itself.
    #[test]
    fn wraps_text_as_textwrap_does() {
        let texts = [
            "  fix (safe, --fix): add `restart: unless-stopped` to the service and to every other \
             service of the stack",
            "  no automatic fix: choose the credentials yourself; Milvus must get the same ones",
            "    four leading spaces, then a `code span with spaces that is long` and more words",
            "  averyveryverylongwordthatdoesnotfitonanylineatallwhateverthewidthofthelineis x",
            "  a first paragraph\n  and a second one, also indented, longer than the first line",
            "   ",
            "  ",
            " x",
            "file.yml: applied fix, restart-policy-missing (service `etcd`): add `restart: always`",
        ];
        let mut fast = 0;
        for text in texts {
            for width in [10usize, 20, 37, 40, 58, 80, 98, 120] {
                for indent in ["    ", "", "  "] {
                    let rest = width.saturating_sub(indent.len());
                    fast += usize::from(super::break_lines(text, width, rest, true).is_some());
                    let opts = textwrap::Options::new(width)
                        .break_words(false)
                        .subsequent_indent(indent)
                        .word_splitter(textwrap::WordSplitter::NoHyphenation)
                        .word_separator(textwrap::WordSeparator::Custom(code_span_words));
                    assert_eq!(
                        super::wrap_text(text, width, indent),
                        textwrap::wrap(text, opts).join("\n"),
                        "{text:?} at {width} {indent:?}"
                    );
                }
            }
        }
        assert!(fast > 120, "{fast}");
    }
}
