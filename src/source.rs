//! Source text and positions: byte offsets, and 1-based line:column counted in characters.

use std::fmt;

/// A half-open byte range `[start, end)` into a source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    pub const fn empty(at: usize) -> Span {
        Span { start: at, end: at }
    }

    pub const fn len(&self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn slice<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

/// A 1-based line and 1-based column; the column counts Unicode scalar values (characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Start and end of a span as line:column, with the byte offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    pub span: Span,
    pub start: Position,
    pub end: Position,
}

/// Line starts of a text, to turn byte offsets into line:column.
///
/// LF, CRLF and a lone CR end a line, as in YAML. A byte-order mark at the start of the text is
/// not counted as a column.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 32 + 1);
        starts.push(if text.starts_with('\u{feff}') { 3 } else { 0 });
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex { starts }
    }

    /// Number of lines (a final line break starts an empty last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The 1-based line holding byte offset `offset` (the last line past the end).
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).max(1)
    }

    /// Byte offset where 1-based `line` starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line.checked_sub(1)?).copied()
    }

    /// The position of a byte offset. An offset inside a multi-byte character or a CRLF pair is
    /// counted as the character it falls in.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line_idx = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts[line_idx].min(offset);
        let prefix = &text.as_bytes()[start..offset];
        // Count characters: every byte that is not a UTF-8 continuation byte starts one.
        let column = prefix.iter().filter(|&&b| (b & 0xC0) != 0x80).count() + 1;
        Position {
            line: line_idx + 1,
            column,
        }
    }

    pub fn location(&self, text: &str, span: Span) -> Location {
        Location {
            span,
            start: self.position(text, span.start),
            end: self.position(text, span.end),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_all_line_endings() {
        let text = "ab\r\né: x\ry\nz";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.position(text, 0), Position { line: 1, column: 1 });
        assert_eq!(idx.position(text, 4), Position { line: 2, column: 1 });
        // "é" is two bytes; the ':' after it is column 2.
        assert_eq!(idx.position(text, 6), Position { line: 2, column: 2 });
        assert_eq!(idx.position(text, 10), Position { line: 3, column: 1 });
        assert_eq!(idx.position(text, 12), Position { line: 4, column: 1 });
    }

    #[test]
    fn bom_is_not_a_column() {
        let text = "\u{feff}a: b\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 3), Position { line: 1, column: 1 });
        assert_eq!(idx.position(text, 6), Position { line: 1, column: 4 });
    }
}
