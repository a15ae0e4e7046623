//! `.env` / `env_file` parsing, as Docker Compose (compose-go's `dotenv` package) reads it.
//!
//! The rules, each as compose-go applies them:
//!
//! - A UTF-8 byte order mark at the start is skipped. Lines end at `\n`; `\r` counts as
//!   whitespace, so CRLF files read like LF files.
//! - Whitespace (line breaks included) between statements is skipped. A statement whose
//!   first character is `#` is a comment up to the end of its line.
//! - `export` followed by whitespace is dropped in front of a key (`exportFOO=1` is the
//!   key `exportFOO`).
//! - A key is made of Unicode letters and digits, `_`, `.`, `-`, `[` and `]`, and ends at
//!   `=`, at `:` (the YAML-like `KEY: value` form) or at the end of its line. Blanks around
//!   it are dropped; a space inside it (`A B=1`) is an error, as is any other character
//!   (a tab inside is kept as part of the key, as compose-go keeps it). An empty key
//!   (`=value`) is accepted.
//! - A bare `KEY` line (no `=` or `:`) gives an entry whose value is `None`: compose-go
//!   sets `KEY` from its lookup function when that finds it and leaves it unset otherwise
//!   (earlier keys of the file are not consulted).
//! - Text with no `=` or `:` on the last line when the file has no final newline is read
//!   by compose-go as the value of an empty key (`KEY` alone there becomes `""="KEY"`);
//!   this module reports the same entry, with an empty `key_span`.
//! - The value starts after the separator and any spaces or tabs.
//!   - Unquoted: up to the end of the line, cut at the first ` #` (a space, then `#`; a
//!     tab before `#` does not start a comment), trailing whitespace removed. Leading
//!     blanks are skipped first, so `KEY= # note` has the value `# note`.
//!   - Single-quoted: literal, may span lines; only `\'` is unescaped (to `'`), every
//!     other backslash stays. Not interpolated.
//!   - Double-quoted: may span lines; `\"` becomes `"`, then `\a`, `\b`, `\f`, `\n`,
//!     `\r`, `\t`, `\v`, `\\`, `\$` (a literal `$`) and octal `\0NNN` are expanded; any
//!     other backslash sequence (`\c`, `\x41`, `\u00e9`, `\ `) is kept as written. Line
//!     breaks inside are kept as written, `\r\n` included.
//!   - Anything after a closing quote on the same line is read as a further statement
//!     (` # note` is a comment, `B=2` another entry).
//! - Unquoted and double-quoted values are interpolated with the Compose syntax of
//!   [`super::interpolate`]. A variable is resolved by the lookup function first and by
//!   the keys defined earlier in the same file second: compose-go lets the lookup win.
//! - Keys starting with a digit are kept.
//!
//! The first error stops the parse, as in compose-go.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use super::interpolate::{InterpolationError, VarRef, interpolate};

/// One `KEY=value` (or bare `KEY`) statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotenvEntry {
    /// The key, blanks around it removed.
    pub key: String,
    /// Byte range of the key in the file text.
    pub key_span: Range<usize>,
    /// The value after quotes, escapes and interpolation; None for a bare `KEY` line.
    pub value: Option<String>,
    /// Byte range of the value as written (quotes included), empty range right after `=`
    /// for `KEY=`, empty range at the end of the key for a bare `KEY` line.
    pub value_span: Range<usize>,
    /// The value text as written (without surrounding quotes).
    pub raw_value: String,
    /// `'\''` or `'"'` when quoted.
    pub quote: Option<char>,
    /// 1-based line of the key.
    pub line: usize,
    /// The variable references of the value, with byte ranges in the file text and their
    /// resolution. Empty for single-quoted values and bare keys.
    pub refs: Vec<VarRef>,
}

/// Why a dotenv text cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotenvError {
    /// What is wrong.
    pub message: String,
    /// Byte range of the offending text in the file text.
    pub span: Range<usize>,
    /// 1-based line where the offending text starts.
    pub line: usize,
}

impl fmt::Display for DotenvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for DotenvError {}

/// Parse a dotenv text. `lookup` resolves variables not defined earlier in the file (None = unset).
///
/// Variables are resolved by `lookup` first, then by the keys defined earlier in the file.
pub fn parse(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<DotenvEntry>, DotenvError> {
    parse_layered(text, lookup, &|_| None)
}

/// [`parse`], with `fallback` resolving what neither `lookup` nor the file's earlier keys
/// define (for a service's env file: the env files before it).
pub fn parse_layered(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    fallback: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<DotenvEntry>, DotenvError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        line_starts: line_starts(text),
        env: HashMap::new(),
        lookup,
        fallback,
    };
    parser.run()
}

/// An env file in Compose's `format: raw`: `KEY=VALUE` lines taken verbatim (no quotes,
/// escapes, comments after the value or interpolation); blank lines, lines starting with
/// `#` and lines without `=` are skipped; a key with a blank in it is an error.
pub fn parse_raw(text: &str) -> Result<Vec<DotenvEntry>, DotenvError> {
    let mut out = Vec::new();
    let mut start = 0;
    for (n, line) in text.split('\n').enumerate() {
        let line_start = start;
        start += line.len() + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some(eq) = line.find('=') else { continue };
        let key = &line[..eq];
        if key.chars().any(char::is_whitespace) {
            return Err(DotenvError {
                message: format!("variable '{key}' contains whitespaces"),
                span: line_start..line_start + eq,
                line: n + 1,
            });
        }
        let value = &line[eq + 1..];
        let value_start = line_start + eq + 1;
        out.push(DotenvEntry {
            key: key.to_string(),
            key_span: line_start..line_start + eq,
            value: Some(value.to_string()),
            value_span: value_start..value_start + value.len(),
            raw_value: value.to_string(),
            quote: None,
            line: n + 1,
            refs: Vec::new(),
        });
    }
    Ok(out)
}

/// compose-go's notion of a blank inside a line (no line break).
fn is_blank(c: char) -> bool {
    matches!(
        c,
        '\t' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{85}' | '\u{A0}'
    )
}

/// Whether `c` may appear in a key.
fn is_key_char(c: char) -> bool {
    matches!(c, '_' | '.' | '-' | '[' | ']') || c.is_alphabetic() || c.is_numeric()
}

/// Offsets at which each line starts.
fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        text.bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .map(|(i, _)| i + 1),
    );
    starts
}

/// The first line of `s`, without a trailing `\r`.
fn first_line(s: &str) -> &str {
    let line = s.split('\n').next().unwrap_or("");
    line.strip_suffix('\r').unwrap_or(line)
}

/// Maps byte offsets of a processed value back to the file text.
enum SpanMap {
    /// The value is a verbatim slice of the file starting at this offset.
    Verbatim(usize),
    /// Per processed byte, the file offset of the text it came from; then the file offset
    /// just past the value.
    Table(Vec<usize>, usize),
}

impl SpanMap {
    fn offset(&self, at: usize) -> usize {
        match self {
            SpanMap::Verbatim(base) => base + at,
            SpanMap::Table(offsets, end) => offsets.get(at).copied().unwrap_or(*end),
        }
    }

    fn range(&self, range: &Range<usize>) -> Range<usize> {
        let start = self.offset(range.start);
        let end = self.offset(range.end).max(start);
        start..end
    }

    fn reference(&self, mut r: VarRef) -> VarRef {
        r.span = self.range(&r.span);
        r.name_span = self.range(&r.name_span);
        if let Some((_, range)) = r.operand.as_mut() {
            *range = self.range(range);
        }
        r
    }
}

/// A value as read: its parts before the entry is assembled.
struct Value {
    value: String,
    span: Range<usize>,
    raw: String,
    quote: Option<char>,
    refs: Vec<VarRef>,
    /// Where the next statement may start.
    next: usize,
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    line_starts: Vec<usize>,
    env: HashMap<String, String>,
    lookup: &'a dyn Fn(&str) -> Option<String>,
    fallback: &'a dyn Fn(&str) -> Option<String>,
}

impl Parser<'_> {
    fn run(&mut self) -> Result<Vec<DotenvEntry>, DotenvError> {
        let mut entries = Vec::new();
        let mut pos = if self.text.starts_with('\u{FEFF}') {
            '\u{FEFF}'.len_utf8()
        } else {
            0
        };
        while let Some(start) = self.statement_start(pos) {
            let (entry, next) = self.statement(start)?;
            if let Some(value) = &entry.value {
                self.env.insert(entry.key.clone(), value.clone());
            }
            entries.push(entry);
            pos = next.max(start + 1);
        }
        Ok(entries)
    }

    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset)
    }

    fn rest(&self, from: usize) -> &str {
        self.text.get(from..).unwrap_or("")
    }

    fn error(&self, message: String, span: Range<usize>) -> DotenvError {
        DotenvError {
            line: self.line_of(span.start),
            message,
            span,
        }
    }

    /// Offset of the first blank-free character at or after `from` (compose-go's blanks).
    fn skip_blanks(&self, from: usize) -> usize {
        let rest = self.rest(from);
        from + rest.find(|c| !is_blank(c)).unwrap_or(rest.len())
    }

    /// Offset of the `\n` ending the line that holds `from`, or the end of the text.
    fn line_end(&self, from: usize) -> usize {
        let rest = self.rest(from);
        from + rest.find('\n').unwrap_or(rest.len())
    }

    /// Where the next statement starts, skipping whitespace and comment lines.
    fn statement_start(&self, mut pos: usize) -> Option<usize> {
        loop {
            let rest = self.text.get(pos..)?;
            pos += rest.find(|c: char| !c.is_whitespace())?;
            if self.bytes.get(pos) != Some(&b'#') {
                return Some(pos);
            }
            pos += self.rest(pos).find('\n')?;
        }
    }

    /// Read the statement starting at `start`: the entry and where the next one may start.
    fn statement(&mut self, start: usize) -> Result<(DotenvEntry, usize), DotenvError> {
        let mut key_start = start;
        if self.rest(start).starts_with("export")
            && matches!(
                self.bytes.get(start + 6),
                Some(b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
            )
        {
            key_start = self.skip_blanks(start + 6);
        }
        let src = self.rest(key_start);
        if src.is_empty() {
            return Err(self.error(
                "zero length string: \"export\" is not followed by a variable name".to_string(),
                start..self.text.len(),
            ));
        }

        let mut separator = None;
        for (i, c) in src.char_indices() {
            if is_blank(c) {
                continue;
            }
            match c {
                '=' | ':' | '\n' => {
                    separator = Some((key_start + i, c));
                    break;
                }
                c if is_key_char(c) => {}
                c => {
                    let at = key_start + i;
                    return Err(self.error(
                        format!(
                            "unexpected character {:?} in variable name {:?}",
                            c.to_string(),
                            first_line(src)
                        ),
                        at..at + c.len_utf8(),
                    ));
                }
            }
        }

        let Some((sep, sep_char)) = separator else {
            // No separator before the end of the text: compose-go reads everything as the
            // value of an empty key.
            let value = self.value(key_start, key_start)?;
            return Ok(self.entry(String::new(), key_start..key_start, value));
        };

        let key = self.text.get(key_start..sep).unwrap_or("").trim_end();
        let key_span = key_start..key_start + key.len();
        if key.contains(' ') {
            return Err(self.error("key cannot contain a space".to_string(), key_span));
        }
        let key = key.to_string();

        if sep_char == '\n' {
            let line = self.line_of(key_start);
            let entry = DotenvEntry {
                key,
                value_span: key_span.end..key_span.end,
                key_span,
                value: None,
                raw_value: String::new(),
                quote: None,
                line,
                refs: Vec::new(),
            };
            return Ok((entry, sep + 1));
        }

        let value = self.value(sep + 1, self.skip_blanks(sep + 1))?;
        Ok(self.entry(key, key_span, value))
    }

    fn entry(&self, key: String, key_span: Range<usize>, value: Value) -> (DotenvEntry, usize) {
        let entry = DotenvEntry {
            key,
            line: self.line_of(key_span.start),
            key_span,
            value: Some(value.value),
            value_span: value.span,
            raw_value: value.raw,
            quote: value.quote,
            refs: value.refs,
        };
        (entry, value.next)
    }

    /// Read the value starting at `start`; `sep_end` is the offset right after the
    /// separator (where an empty unquoted value is placed).
    fn value(&self, sep_end: usize, start: usize) -> Result<Value, DotenvError> {
        match self.bytes.get(start) {
            Some(&quote @ (b'"' | b'\'')) => self.quoted(start, quote),
            _ => self.unquoted(sep_end, start),
        }
    }

    fn unquoted(&self, sep_end: usize, start: usize) -> Result<Value, DotenvError> {
        let line_end = self.line_end(start);
        let line = self.text.get(start..line_end).unwrap_or("");
        let cut = line
            .find(" #")
            .map_or(line, |p| line.get(..p).unwrap_or(""));
        let raw = cut.trim_end();
        let span = if raw.is_empty() {
            sep_end..sep_end
        } else {
            start..start + raw.len()
        };
        let (value, refs) = self.interpolate(raw, &SpanMap::Verbatim(start))?;
        Ok(Value {
            value,
            span,
            raw: raw.to_string(),
            quote: None,
            refs,
            next: (line_end + 1).min(self.text.len()),
        })
    }

    fn quoted(&self, start: usize, quote: u8) -> Result<Value, DotenvError> {
        // First pass: find the closing quote; an escaped quote loses its backslash, every
        // other escaped byte keeps it.
        let mut kept: Vec<u8> = Vec::new();
        let mut offsets: Vec<usize> = Vec::new();
        let mut escaped = false;
        let mut close = None;
        for (k, &b) in self.bytes.iter().enumerate().skip(start + 1) {
            if escaped {
                escaped = false;
                if b == quote {
                    kept.push(b);
                    offsets.push(k - 1);
                } else {
                    kept.extend([b'\\', b]);
                    offsets.extend([k - 1, k]);
                }
            } else if b == b'\\' {
                escaped = true;
            } else if b == quote {
                close = Some(k);
                break;
            } else {
                kept.push(b);
                offsets.push(k);
            }
        }
        let Some(close) = close else {
            let end = self.line_end(start);
            return Err(self.error(
                format!("unterminated quoted value {}", first_line(self.rest(start))),
                start..end.max(start + 1),
            ));
        };
        let raw = self.text.get(start + 1..close).unwrap_or("").to_string();
        let span = start..close + 1;
        let next = close + 1;

        if quote == b'\'' {
            return Ok(Value {
                value: String::from_utf8_lossy(&kept).into_owned(),
                span,
                raw,
                quote: Some('\''),
                refs: Vec::new(),
                next,
            });
        }

        let (expanded, offsets) = expand_escapes(&kept, &offsets);
        let expanded = String::from_utf8_lossy(&expanded).into_owned();
        let (value, refs) = self.interpolate(&expanded, &SpanMap::Table(offsets, close))?;
        Ok(Value {
            value,
            span,
            raw,
            quote: Some('"'),
            refs,
            next,
        })
    }

    /// Interpolate a value, resolving variables by the lookup first and the keys read so
    /// far second; spans are mapped back to the file text.
    fn interpolate(&self, raw: &str, map: &SpanMap) -> Result<(String, Vec<VarRef>), DotenvError> {
        let resolve = |name: &str| {
            (self.lookup)(name)
                .or_else(|| self.env.get(name).cloned())
                .or_else(|| (self.fallback)(name))
        };
        match interpolate(raw, &resolve) {
            Ok(done) => Ok((
                done.value,
                done.refs.into_iter().map(|r| map.reference(r)).collect(),
            )),
            Err(err) => {
                let span = map.range(match &err {
                    InterpolationError::Required { span, .. }
                    | InterpolationError::Invalid { span, .. } => span,
                });
                Err(self.error(err.to_string(), span))
            }
        }
    }
}

/// Expand the backslash escapes of a double-quoted value, as compose-go does after the
/// quotes are removed. Returns the bytes and, per byte, the file offset it came from.
fn expand_escapes(src: &[u8], offsets: &[usize]) -> (Vec<u8>, Vec<usize>) {
    let mut out = Vec::with_capacity(src.len());
    let mut out_offsets = Vec::with_capacity(src.len());
    let offset_of = |i: usize| offsets.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while let Some(&b) = src.get(i) {
        let at = offset_of(i);
        if b != b'\\' {
            out.push(b);
            out_offsets.push(at);
            i += 1;
            continue;
        }
        let simple = match src.get(i + 1) {
            Some(b'a') => Some(&[0x07][..]),
            Some(b'b') => Some(&[0x08][..]),
            Some(b'f') => Some(&[0x0C][..]),
            Some(b'n') => Some(&[b'\n'][..]),
            Some(b'r') => Some(&[b'\r'][..]),
            Some(b't') => Some(&[b'\t'][..]),
            Some(b'v') => Some(&[0x0B][..]),
            Some(b'\\') => Some(&[b'\\'][..]),
            Some(b'"') => Some(&[b'"'][..]),
            // `$$` is the interpolation escape for a literal `$`.
            Some(b'$') => Some(&[b'$', b'$'][..]),
            _ => None,
        };
        if let Some(bytes) = simple {
            out.extend_from_slice(bytes);
            out_offsets.extend(bytes.iter().map(|_| at));
            i += 2;
            continue;
        }
        if src.get(i + 1) == Some(&b'0') {
            // `\0` and up to three digits. Exactly three octal digits worth at most 255 make
            // that character; anything else is kept as written without its `0`, as
            // compose-go does.
            let digits_start = i + 2;
            let mut digits_end = digits_start;
            while digits_end < digits_start + 3
                && src.get(digits_end).is_some_and(|d| d.is_ascii_digit())
            {
                digits_end += 1;
            }
            let digits = src.get(digits_start..digits_end).unwrap_or(&[]);
            let octal = if digits.len() == 3 && digits.iter().all(|d| (b'0'..=b'7').contains(d)) {
                let value = digits
                    .iter()
                    .fold(0u32, |acc, d| acc * 8 + u32::from(d - b'0'));
                u8::try_from(value).ok().map(char::from)
            } else {
                None
            };
            match octal {
                Some(c) => {
                    let mut buf = [0u8; 4];
                    let encoded = c.encode_utf8(&mut buf).as_bytes();
                    out.extend_from_slice(encoded);
                    out_offsets.extend(encoded.iter().map(|_| at));
                }
                None => {
                    out.push(b'\\');
                    out_offsets.push(at);
                    out.extend_from_slice(digits);
                    out_offsets.extend((digits_start..digits_end).map(offset_of));
                }
            }
            i = digits_end;
            continue;
        }
        // Not an escape compose-go knows (`\c`, `\x`, `\u`, `\ `, …): kept as written.
        out.push(b);
        out_offsets.push(at);
        i += 1;
    }
    (out, out_offsets)
}

#[cfg(test)]
mod tests {
    use super::super::interpolate::RefOp;
    use super::*;

    fn no_lookup(_: &str) -> Option<String> {
        None
    }

    fn parse_ok(text: &str) -> Vec<DotenvEntry> {
        match parse(text, &no_lookup) {
            Ok(entries) => entries,
            Err(err) => panic!("{text:?}: {err}"),
        }
    }

    fn parse_err(text: &str) -> DotenvError {
        match parse(text, &no_lookup) {
            Ok(entries) => panic!("{text:?} parsed: {entries:?}"),
            Err(err) => err,
        }
    }

    /// Key and value of a one-statement text.
    fn single(text: &str) -> (String, Option<String>) {
        let entries = parse_ok(text);
        assert_eq!(entries.len(), 1, "{text:?}: {entries:?}");
        let entry = entries.into_iter().next().unwrap_or_else(|| unreachable!());
        (entry.key, entry.value)
    }

    fn kv(text: &str, key: &str, value: &str) {
        assert_eq!(
            single(text),
            (key.to_string(), Some(value.to_string())),
            "{text:?}"
        );
    }

    #[test]
    fn plain_key_value_with_spans() {
        let text = "FOO=bar\nBAZ=qux";
        let entries = parse_ok(text);
        assert_eq!(
            entries[0],
            DotenvEntry {
                key: "FOO".into(),
                key_span: 0..3,
                value: Some("bar".into()),
                value_span: 4..7,
                raw_value: "bar".into(),
                quote: None,
                line: 1,
                refs: Vec::new(),
            }
        );
        assert_eq!(entries[1].key, "BAZ");
        assert_eq!(entries[1].key_span, 8..11);
        assert_eq!(entries[1].value_span, 12..15);
        assert_eq!(entries[1].line, 2);
    }

    #[test]
    fn blanks_around_key_and_separator() {
        kv("FOO =bar", "FOO", "bar");
        kv("FOO= bar", "FOO", "bar");
        kv(" KEY =value", "KEY", "value");
        kv("\tKEY=value", "KEY", "value");
        kv("FOO=bar ", "FOO", "bar");
        let entries = parse_ok("  KEY \t=  value  \n");
        assert_eq!(entries[0].key_span, 2..5);
        assert_eq!(entries[0].value_span, 10..15);
        assert_eq!(entries[0].raw_value, "value");
    }

    #[test]
    fn empty_values() {
        let entries = parse_ok("A=\nB=   \nC=\"\"\nD=''");
        let values: Vec<Option<&str>> = entries.iter().map(|e| e.value.as_deref()).collect();
        assert_eq!(values, vec![Some(""), Some(""), Some(""), Some("")]);
        assert_eq!(entries[0].value_span, 2..2);
        assert_eq!(entries[1].value_span, 5..5);
        assert_eq!(entries[2].value_span, 11..13);
        assert_eq!(entries[3].value_span, 16..18);
        assert_eq!(parse_ok("A=")[0].value_span, 2..2);
    }

    #[test]
    fn comments_and_blank_lines() {
        let text = "# comment\n\n\t # indented\r\nA=1\n   \nB=2 # inline\n";
        let entries = parse_ok(text);
        let got: Vec<(&str, Option<&str>, usize)> = entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_deref(), e.line))
            .collect();
        assert_eq!(got, vec![("A", Some("1"), 4), ("B", Some("2"), 6)]);
        assert_eq!(entries[1].value_span, 35..36);
        assert!(parse_ok("# only\n# comments").is_empty());
        assert!(parse_ok("").is_empty());
        assert!(parse_ok("\r\n\t\t ").is_empty());
    }

    #[test]
    fn inline_comments_need_a_space_before_the_hash() {
        kv("FOO=bar # this is foo", "FOO", "bar");
        kv("FOO=bar #this is foo", "FOO", "bar");
        kv("FOO=bar #", "FOO", "bar");
        kv(
            "FOO=123#not-an-inline-comment",
            "FOO",
            "123#not-an-inline-comment",
        );
        kv("FOO=a\t#b", "FOO", "a\t#b");
        // Leading blanks are skipped before the comment is looked for.
        kv("FOO= # note", "FOO", "# note");
        kv(r#"FOO="bar#baz" # comment"#, "FOO", "bar#baz");
        kv("FOO='bar#baz' # comment", "FOO", "bar#baz");
        kv(r##"FOO="bar#baz"#"##, "FOO", "bar#baz");
    }

    #[test]
    fn export_prefix() {
        let entries = parse_ok("export OPTION_A=2");
        assert_eq!(entries[0].key, "OPTION_A");
        assert_eq!(entries[0].key_span, 7..15);
        assert_eq!(entries[0].value_span, 16..17);
        kv("export\tOPTION_A=2", "OPTION_A", "2");
        kv("  export OPTION_A=2", "OPTION_A", "2");
        kv("export exportFoo=2", "exportFoo", "2");
        kv("exportFOO=2", "exportFOO", "2");
        kv("export_FOO =2", "export_FOO", "2");
        kv("export.FOO= 2", "export.FOO", "2");
        kv(r#"export OPTION_A="export A""#, "OPTION_A", "export A");
        kv("export OPTION_B='\\n'", "OPTION_B", "\\n");
        kv("export=1", "export", "1");
    }

    #[test]
    fn export_alone_on_a_line_reads_as_an_empty_bare_key() {
        let entries = parse_ok("export\nFOO=1\n");
        let got: Vec<(&str, Option<&str>, Range<usize>)> = entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_deref(), e.key_span.clone()))
            .collect();
        assert_eq!(got, vec![("", None, 6..6), ("FOO", Some("1"), 7..10)]);
    }

    #[test]
    fn yaml_like_colon_separator() {
        kv("OPTION_A: 1", "OPTION_A", "1");
        kv("OPTION_A: Foo=bar", "OPTION_A", "Foo=bar");
        kv("OPTION_A=1:B", "OPTION_A", "1:B");
        let entries = parse_ok("A:b");
        assert_eq!(entries[0].key_span, 0..1);
        assert_eq!(entries[0].value_span, 2..3);
    }

    #[test]
    fn key_characters() {
        kv("FOO.BAR=foobar", "FOO.BAR", "foobar");
        kv("VAR-WITH-DASHES=dashes", "VAR-WITH-DASHES", "dashes");
        kv("a[1]=c", "a[1]", "c");
        kv("árvíztűrő-TÜKÖRFÚRÓGÉP=x", "árvíztűrő-TÜKÖRFÚRÓGÉP", "x");
        kv("1ABC=digits", "1ABC", "digits");
        kv("=\"value\"", "", "value");
        kv("FOO=foobar=", "FOO", "foobar=");
        let entries = parse_ok("ñ=1");
        assert_eq!(entries[0].key_span, 0..2);
        assert_eq!(entries[0].value_span, 3..4);
    }

    #[test]
    fn bare_key_has_no_value() {
        let text = "A=1\nINHERITED\nB=2\n";
        let entries = parse_ok(text);
        assert_eq!(
            entries[1],
            DotenvEntry {
                key: "INHERITED".into(),
                key_span: 4..13,
                value: None,
                value_span: 13..13,
                raw_value: String::new(),
                quote: None,
                line: 2,
                refs: Vec::new(),
            }
        );
        assert_eq!(entries[2].key, "B");
        let entries = parse_ok("KEY  \r\n");
        assert_eq!(entries[0].key, "KEY");
        assert_eq!(entries[0].key_span, 0..3);
        assert_eq!(entries[0].value, None);
    }

    #[test]
    fn bare_text_on_an_unterminated_last_line_is_an_empty_key() {
        let entries = parse_ok("A=1\nKEY");
        assert_eq!(
            entries[1],
            DotenvEntry {
                key: String::new(),
                key_span: 4..4,
                value: Some("KEY".into()),
                value_span: 4..7,
                raw_value: "KEY".into(),
                quote: None,
                line: 2,
                refs: Vec::new(),
            }
        );
    }

    #[test]
    fn single_quotes_are_literal() {
        kv("FOO='bar'", "FOO", "bar");
        kv("BAR='quote $FOO'", "BAR", "quote $FOO");
        kv("A='\\n\\t\\\\'", "A", "\\n\\t\\\\");
        kv("A='it\\'s'", "A", "it's");
        kv("A='say \"hi\"'", "A", "say \"hi\"");
        let entries = parse_ok("A='x $B'");
        assert_eq!(entries[0].quote, Some('\''));
        assert_eq!(entries[0].value_span, 2..8);
        assert_eq!(entries[0].raw_value, "x $B");
        assert!(entries[0].refs.is_empty());
    }

    #[test]
    fn double_quote_escapes() {
        kv(r#"FOO="bar""#, "FOO", "bar");
        kv(r#"FOO="escaped\"bar""#, "FOO", "escaped\"bar");
        kv(r#"FOO="\"quoted\"""#, "FOO", "\"quoted\"");
        kv(r#"FOO="'d'""#, "FOO", "'d'");
        kv(r#"FOO="bar\nbaz""#, "FOO", "bar\nbaz");
        kv(r#"FOO="a\tb""#, "FOO", "a\tb");
        kv(r#"FOO=a\tb"#, "FOO", "a\\tb");
        kv(
            r#"KEY="Z\aZ\bZ\fZ\nZ\rZ\tZ\vZ\\Z\0123Z""#,
            "KEY",
            "Z\x07Z\x08Z\x0CZ\nZ\rZ\tZ\x0BZ\\ZSZ",
        );
        kv(r#"FOO="bar\n\ b\az""#, "FOO", "bar\n\\ b\x07z");
        kv(r#"FOO="bar\\\n\ b\az""#, "FOO", "bar\\\n\\ b\x07z");
        kv(r#"FOO="bar\nbaz\\""#, "FOO", "bar\nbaz\\");
        kv(r#"KEY="\0123""#, "KEY", "S");
        kv(r#"KEY="\0377""#, "KEY", "\u{FF}");
        kv(r#"KEY="\0""#, "KEY", "\\");
        kv(r#"KEY="\012""#, "KEY", "\\12");
        kv(r#"KEY="\0777""#, "KEY", "\\777");
        kv(r#"KEY="\0189""#, "KEY", "\\189");
        kv(r#"KEY="\01234""#, "KEY", "S4");
        kv(r#"KEY="\x07""#, "KEY", "\\x07");
        kv(r#"KEY="\u12e4""#, "KEY", "\\u12e4");
        kv(r#"KEY="\c""#, "KEY", "\\c");
        kv(r#"KEY="\é""#, "KEY", "\\é");
    }

    #[test]
    fn escaped_dollar_is_not_interpolated() {
        kv(r#"FOO="foo\$BAR""#, "FOO", "foo$BAR");
        kv(r#"FOO="foo\${BAR}""#, "FOO", "foo${BAR}");
        let entries = parse_ok("FOO=test\nBAR=\"foo\\${FOO} ${FOO}\"");
        assert_eq!(entries[1].value.as_deref(), Some("foo${FOO} test"));
        assert_eq!(entries[1].refs.len(), 1);
        assert_eq!(entries[1].refs[0].span, 25..31);
        kv("FOO=$$BAR", "FOO", "$BAR");
    }

    #[test]
    fn multi_line_quoted_values() {
        let text = "A=\"first\nsecond\"\nB='x\ny'\nC=3";
        let entries = parse_ok(text);
        assert_eq!(entries[0].value.as_deref(), Some("first\nsecond"));
        assert_eq!(entries[0].value_span, 2..16);
        assert_eq!(entries[0].raw_value, "first\nsecond");
        assert_eq!(entries[1].key_span, 17..18);
        assert_eq!(entries[1].line, 3);
        assert_eq!(entries[1].value.as_deref(), Some("x\ny"));
        assert_eq!(entries[1].value_span, 19..24);
        assert_eq!(entries[2].line, 5);
        assert_eq!(entries[2].key_span, 25..26);
    }

    #[test]
    fn crlf_line_endings() {
        let text = "A=1\r\nB=\"two\"\r\nexport C = three \r\nD\r\n# c\r\nE='x\r\ny'\r\n";
        let entries = parse_ok(text);
        let got: Vec<(&str, Option<&str>, usize)> = entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_deref(), e.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("A", Some("1"), 1),
                ("B", Some("two"), 2),
                ("C", Some("three"), 3),
                ("D", None, 4),
                ("E", Some("x\r\ny"), 6),
            ]
        );
        assert_eq!(entries[0].value_span, 2..3);
        assert_eq!(entries[1].value_span, 7..12);
        assert_eq!(entries[2].key_span, 21..22);
        assert_eq!(entries[2].value_span, 25..30);
        assert_eq!(entries[3].key_span, 33..34);
        assert_eq!(entries[4].value_span, 43..49);
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let text = "\u{FEFF}A=1\nB=2";
        let entries = parse_ok(text);
        assert_eq!(entries[0].key, "A");
        assert_eq!(entries[0].key_span, 3..4);
        assert_eq!(entries[0].value_span, 5..6);
        assert_eq!(entries[1].line, 2);
    }

    #[test]
    fn text_after_a_closing_quote_is_a_new_statement() {
        let entries = parse_ok("A=\"x\" B=2");
        let got: Vec<(&str, Option<&str>)> = entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_deref()))
            .collect();
        assert_eq!(got, vec![("A", Some("x")), ("B", Some("2"))]);
        assert_eq!(entries[1].key_span, 6..7);
    }

    #[test]
    fn interpolation_from_earlier_keys() {
        let entries = parse_ok("FOO=test\nBAR=${FOO}bar\nBAZ=\"quote $FOO\"\nQ='$FOO'");
        let values: Vec<Option<&str>> = entries.iter().map(|e| e.value.as_deref()).collect();
        assert_eq!(
            values,
            vec![
                Some("test"),
                Some("testbar"),
                Some("quote test"),
                Some("$FOO")
            ]
        );
        let r = &entries[1].refs[0];
        assert_eq!(r.name, "FOO");
        assert_eq!(r.span, 13..19);
        assert_eq!(r.name_span, 15..18);
        assert_eq!(r.found.as_deref(), Some("test"));
        let r = &entries[2].refs[0];
        assert_eq!(r.span, 34..38);
        assert_eq!(r.name_span, 35..38);
        kv("BAR=$FOO", "BAR", "");
    }

    #[test]
    fn lookup_wins_over_earlier_keys() {
        let lookup = |name: &str| match name {
            "OPTION_A" => Some("5".to_string()),
            "ME" => Some("YES".to_string()),
            _ => None,
        };
        let text =
            "OPTION_A=1\nOPTION_B=${OPTION_A}\nOPTION_C=$ME\nOPTION_D=${OPTION_A}_${MISSING:-x}";
        let entries = parse(text, &lookup).unwrap_or_else(|e| panic!("{e}"));
        let values: Vec<Option<&str>> = entries.iter().map(|e| e.value.as_deref()).collect();
        assert_eq!(values, vec![Some("1"), Some("5"), Some("YES"), Some("5_x")]);
        let refs = &entries[3].refs;
        assert_eq!(refs[1].op, RefOp::DefaultIfUnsetOrEmpty);
        assert!(refs[1].used_operand);
        assert_eq!(refs[1].span, 66..79);
        assert_eq!(refs[1].operand.as_ref().map(|o| o.1.clone()), Some(77..78));
        assert_eq!(&text[66..79], "${MISSING:-x}");
    }

    #[test]
    fn references_in_double_quotes_map_through_escapes() {
        let text = "A=\"\\t\\\"${B:-x}\\n$C\"";
        let entries = parse_ok(text);
        assert_eq!(entries[0].value.as_deref(), Some("\t\"x\n"));
        let spans: Vec<Range<usize>> = entries[0].refs.iter().map(|r| r.span.clone()).collect();
        assert_eq!(spans, vec![7..14, 16..18]);
        assert_eq!(&text[7..14], "${B:-x}");
        assert_eq!(&text[16..18], "$C");
        assert_eq!(entries[0].refs[0].name_span, 9..10);
    }

    #[test]
    fn unexpected_key_character() {
        let err = parse_err("%!(EXTRA string)=foo");
        assert_eq!(err.line, 1);
        assert_eq!(err.span, 0..1);
        assert_eq!(
            err.to_string(),
            r#"line 1: unexpected character "%" in variable name "%!(EXTRA string)=foo""#
        );
        let err = parse_err("A=1\n\nlol$wut\n");
        assert_eq!(err.line, 3);
        assert_eq!(err.span, 8..9);
        let err = parse_err("A=1\n\"B\"=2");
        assert_eq!((err.line, err.span), (2, 4..5));
        let err = parse_err("A=1\r\nB€=2");
        assert_eq!((err.line, err.span), (2, 6..9));
    }

    #[test]
    fn key_with_a_space() {
        let err = parse_err("A=1\nMY KEY=2\n");
        assert_eq!(err.message, "key cannot contain a space");
        assert_eq!(err.line, 2);
        assert_eq!(err.span, 4..10);
        let err = parse_err("A=1\nB=2\nMY KEY\n");
        assert_eq!((err.line, err.span), (3, 8..14));
    }

    #[test]
    fn unterminated_quotes() {
        for text in [
            "KEY=\"",
            "KEY=\"value",
            "KEY=\"value\\\"",
            "KEY=\"value'",
            "KEY='",
            "KEY='value",
            "KEY='value\\'",
            "KEY='value\"",
        ] {
            let err = parse_err(text);
            assert!(
                err.message.starts_with("unterminated quoted value"),
                "{text:?}"
            );
            assert_eq!(err.line, 1);
            assert_eq!(err.span.start, 4);
        }
        let err = parse_err("A=1\nB=\"open\nstill\nopen");
        assert_eq!(err.line, 2);
        assert_eq!(err.span, 6..11);
        assert_eq!(err.message, "unterminated quoted value \"open");
    }

    #[test]
    fn export_without_a_key() {
        let err = parse_err("A=1\nexport ");
        assert_eq!(err.line, 2);
        assert_eq!(err.span, 4..11);
    }

    #[test]
    fn interpolation_errors_have_file_spans() {
        let err = parse_err("A=1\nB=${NOPE:?must be set}\n");
        assert_eq!(err.line, 2);
        assert_eq!(err.span, 6..26);
        assert_eq!(
            err.message,
            "required variable NOPE is missing a value: must be set"
        );
        let err = parse_err("A=1\nB=\"x\\n${ y\"");
        assert_eq!(err.line, 2);
        assert_eq!(err.span, 10..14);
        let err = parse_err("A=${B:-x #comment}");
        assert_eq!(err.span, 2..8);
    }

    #[test]
    fn duplicate_keys_keep_both_entries_and_the_latest_value_wins() {
        let entries = parse_ok("A=1\nA=2\nB=$A");
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[2].value.as_deref(), Some("2"));
    }

    #[test]
    fn error_trait() {
        let err: Box<dyn std::error::Error> = Box::new(parse_err("A B=1"));
        assert_eq!(err.to_string(), "line 1: key cannot contain a space");
    }

    #[test]
    fn never_panics_on_generated_input() {
        const ALPHABET: [&str; 20] = [
            "A", "=", ":", "\n", "\r\n", " ", "\t", "#", "'", "\"", "\\", "$", "{", "}", "-",
            "export ", "é", "0", "\u{FEFF}", "x",
        ];
        let mut state: u64 = 0xd07e;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        let lookup = |name: &str| (name == "A").then(|| "a".to_string());
        for _ in 0..20_000 {
            let len = (next() % 20) as usize;
            let mut text = String::new();
            for _ in 0..len {
                text.push_str(ALPHABET[(next() % ALPHABET.len() as u64) as usize]);
            }
            match parse(&text, &lookup) {
                Ok(entries) => {
                    for e in entries {
                        assert!(text.get(e.key_span.clone()).is_some(), "{text:?}");
                        assert_eq!(text.get(e.key_span.clone()), Some(e.key.as_str()));
                        assert!(text.get(e.value_span.clone()).is_some(), "{text:?}");
                        assert!(e.line >= 1);
                        for r in &e.refs {
                            assert!(text.get(r.span.clone()).is_some(), "{text:?}");
                            assert!(text.get(r.name_span.clone()).is_some(), "{text:?}");
                        }
                    }
                }
                Err(err) => {
                    assert!(text.get(err.span.clone()).is_some(), "{text:?}: {err:?}");
                    assert!(err.line >= 1);
                }
            }
        }
    }
}
