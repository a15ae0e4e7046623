//! A file's text as miette reads it for a snippet, found through the line index.
//!
//! miette's own `SourceCode` for a string scans from the first byte to the span for every
//! snippet, so a file with many findings cost time in the square of its size. This one starts
//! miette's scan at the first line the snippet shows, and gives back the same contents.

use crate::source::LineIndex;
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use std::sync::Arc;

/// A named text with its line index.
#[derive(Debug)]
pub(super) struct Indexed {
    pub name: String,
    pub text: Arc<str>,
    pub lines: Arc<LineIndex>,
}

/// What [`read`] gives back: miette's contents of a span, without their name.
pub(super) struct Contents<'a> {
    pub data: &'a [u8],
    /// The span `data` covers.
    pub span: SourceSpan,
    pub line: usize,
    pub column: usize,
    pub line_count: usize,
}

/// The contents miette reads from `text` for `span` with context lines, found through
/// `lines`, the line index of `text`.
pub(super) fn read<'a>(
    text: &'a str,
    lines: &LineIndex,
    span: &SourceSpan,
    context_lines_before: usize,
    context_lines_after: usize,
) -> Result<Contents<'a>, MietteError> {
    let offset = span.offset().min(text.len());
    // Start one line before the first line shown (0-based), so that the span never starts
    // the scanned text (miette treats a span at offset 0 apart); line 0 starts at byte 0
    // for miette even behind a byte-order mark.
    let first = (lines.line_of(offset) - 1)
        .saturating_sub(context_lines_before)
        .saturating_sub(1);
    let start = match first {
        0 => 0,
        n => lines.line_start(n + 1).unwrap_or(0).min(offset),
    };
    let local = SourceSpan::new((span.offset() - start).into(), span.len());
    let inner =
        text.as_bytes()[start..].read_span(&local, context_lines_before, context_lines_after)?;
    Ok(Contents {
        data: inner.data(),
        span: SourceSpan::new((inner.span().offset() + start).into(), inner.span().len()),
        line: inner.line() + first,
        column: inner.column(),
        line_count: inner.line_count() + first,
    })
}

impl SourceCode for Indexed {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let c = read(
            &self.text,
            &self.lines,
            span,
            context_lines_before,
            context_lines_after,
        )?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            c.data,
            c.span,
            c.line,
            c.column,
            c.line_count,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same contents as miette's own reading of the whole text, for every span of some
    /// texts with every line ending, a byte-order mark and context on both sides.
    #[test]
    fn reads_what_miette_reads_from_the_whole_text() {
        let texts = [
            "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\n",
            "\u{feff}x: 1\r\ny: 2\r\nz: 3",
            "one\rtwo\r\nthree\nfour\n\n\nseven: é\n",
            "",
            "no newline at all",
        ];
        for text in texts {
            let src = Indexed {
                name: "f".into(),
                text: text.into(),
                lines: Arc::new(LineIndex::new(text)),
            };
            for start in 0..=text.len() {
                for len in [0, 1, 3] {
                    for ctx in [0, 1, 2] {
                        let span = SourceSpan::new(start.into(), len);
                        let want = text.read_span(&span, ctx, ctx);
                        let got = src.read_span(&span, ctx, ctx);
                        match (want, got) {
                            (Ok(w), Ok(g)) => {
                                let at = format!("{text:?} {start}+{len} ctx {ctx}");
                                assert_eq!(w.data(), g.data(), "{at}");
                                assert_eq!(w.span(), g.span(), "{at}");
                                assert_eq!(w.line(), g.line(), "{at}");
                                assert_eq!(w.column(), g.column(), "{at}");
                                assert_eq!(w.line_count(), g.line_count(), "{at}");
                                assert_eq!(g.name(), Some("f"));
                            }
                            (Err(_), Err(_)) => {}
                            (w, g) => {
                                panic!("{text:?} {start}+{len}: {:?} vs {:?}", w.is_ok(), g.is_ok())
                            }
                        }
                    }
                }
            }
        }
    }
}
