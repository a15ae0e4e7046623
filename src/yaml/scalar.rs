//! Scalar styles, and the map from a scalar's decoded value back to its source text.

/// How a scalar is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// `|` block scalar.
    Literal,
    /// `>` block scalar.
    Folded,
}

impl From<granit_parser::ScalarStyle> for ScalarStyle {
    fn from(s: granit_parser::ScalarStyle) -> Self {
        match s {
            granit_parser::ScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
            granit_parser::ScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
            granit_parser::ScalarStyle::Literal => ScalarStyle::Literal,
            granit_parser::ScalarStyle::Folded => ScalarStyle::Folded,
            _ => ScalarStyle::Plain,
        }
    }
}

/// For each byte offset of `value` (and one past its end), the byte offset in `raw` (the
/// scalar's source text, as its node span gives it) where that part of the value was written.
///
/// Line folding, quote doubling and escapes are followed. The map is verified by decoding `raw`
/// again and comparing with `value`; `None` means the scalar is written in a way the map does not
/// cover (a kept or explicitly indented block scalar, say), and callers fall back to the span of
/// the whole scalar.
pub fn source_map(raw: &str, style: ScalarStyle, value: &str) -> Option<Vec<usize>> {
    // Written exactly as its value (inside its quotes): every byte maps to itself. Quote
    // doubling, escapes and folding all change the text, so equality rules them out.
    let shift = match style {
        ScalarStyle::Plain => Some(0),
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if raw.len() >= 2 => Some(1),
        _ => None,
    };
    if let Some(shift) = shift
        && raw.get(shift..raw.len() - shift) == Some(value)
    {
        return Some((shift..=shift + value.len()).collect());
    }
    let mut out = Decoded::default();
    match style {
        ScalarStyle::Plain => fold_flow(raw, 0, raw.len(), false, &mut out)?,
        ScalarStyle::SingleQuoted => {
            if raw.len() < 2 || !raw.starts_with('\'') || !raw.ends_with('\'') {
                return None;
            }
            fold_flow(raw, 1, raw.len() - 1, false, &mut out)?
        }
        ScalarStyle::DoubleQuoted => {
            if raw.len() < 2 || !raw.starts_with('"') || !raw.ends_with('"') {
                return None;
            }
            fold_flow(raw, 1, raw.len() - 1, true, &mut out)?
        }
        ScalarStyle::Literal | ScalarStyle::Folded => block(raw, style, &mut out)?,
    }
    if out.text != value {
        return None;
    }
    let end = match style {
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => raw.len() - 1,
        _ => raw.len(),
    };
    out.map.push(end);
    Some(out.map)
}

#[derive(Default)]
struct Decoded {
    text: String,
    /// One entry per byte of `text`.
    map: Vec<usize>,
    /// Length of `text` that line folding may not trim (escaped blanks).
    protected: usize,
}

impl Decoded {
    fn push(&mut self, c: char, at: usize) {
        let before = self.text.len();
        self.text.push(c);
        for _ in before..self.text.len() {
            self.map.push(at);
        }
    }

    fn trim_trailing_blanks(&mut self) {
        while self.text.len() > self.protected && self.text.ends_with([' ', '\t']) {
            self.text.pop();
            self.map.pop();
        }
    }
}

fn is_break(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// Length of the line break at `i` (0 if none).
fn break_len(bytes: &[u8], i: usize) -> usize {
    match bytes.get(i) {
        Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => 2,
        Some(b'\r') | Some(b'\n') => 1,
        _ => 0,
    }
}

/// Decode a flow scalar's content `raw[start..end]` with YAML line folding; `double` turns on
/// double-quote escapes, otherwise `''` is a quote when the scalar is single-quoted.
fn fold_flow(raw: &str, start: usize, end: usize, double: bool, out: &mut Decoded) -> Option<()> {
    let bytes = raw.as_bytes();
    let single = !double && start == 1;
    let mut i = start;
    while i < end {
        let b = bytes[i];
        if is_break(b) {
            out.trim_trailing_blanks();
            let fold_at = i;
            i += break_len(bytes, i);
            let mut empty_lines = 0;
            loop {
                while i < end && matches!(bytes[i], b' ' | b'\t') {
                    i += 1;
                }
                if i < end && is_break(bytes[i]) {
                    empty_lines += 1;
                    i += break_len(bytes, i);
                } else {
                    break;
                }
            }
            if empty_lines == 0 {
                out.push(' ', fold_at);
            } else {
                for _ in 0..empty_lines {
                    out.push('\n', fold_at);
                }
            }
            continue;
        }
        if single && b == b'\'' {
            if bytes.get(i + 1) == Some(&b'\'') {
                out.push('\'', i);
                i += 2;
                out.protected = out.text.len();
                continue;
            }
            return None;
        }
        if double && b == b'\\' {
            let esc_at = i;
            let next = *bytes.get(i + 1)?;
            if is_break(next) {
                // Escaped line break: joined without a space, leading blanks of the next line
                // dropped.
                i += 1 + break_len(bytes, i + 1);
                out.protected = out.text.len();
                while i < end && matches!(bytes[i], b' ' | b'\t') {
                    i += 1;
                }
                continue;
            }
            let (c, len) = match next {
                b'0' => ('\0', 2),
                b'a' => ('\u{7}', 2),
                b'b' => ('\u{8}', 2),
                b't' | b'\t' => ('\t', 2),
                b'n' => ('\n', 2),
                b'v' => ('\u{b}', 2),
                b'f' => ('\u{c}', 2),
                b'r' => ('\r', 2),
                b'e' => ('\u{1b}', 2),
                b' ' => (' ', 2),
                b'"' => ('"', 2),
                b'/' => ('/', 2),
                b'\\' => ('\\', 2),
                b'N' => ('\u{85}', 2),
                b'_' => ('\u{a0}', 2),
                b'L' => ('\u{2028}', 2),
                b'P' => ('\u{2029}', 2),
                b'x' => (hex_char(raw.get(i + 2..i + 4)?)?, 4),
                b'u' => {
                    let hi = u32::from_str_radix(raw.get(i + 2..i + 6)?, 16).ok()?;
                    if (0xD800..0xDC00).contains(&hi) {
                        if raw.get(i + 6..i + 8)? != "\\u" {
                            return None;
                        }
                        let lo = u32::from_str_radix(raw.get(i + 8..i + 12)?, 16).ok()?;
                        let c = 0x10000 + ((hi - 0xD800) << 10) + (lo.checked_sub(0xDC00)?);
                        (char::from_u32(c)?, 12)
                    } else {
                        (char::from_u32(hi)?, 6)
                    }
                }
                b'U' => (
                    char::from_u32(u32::from_str_radix(raw.get(i + 2..i + 10)?, 16).ok()?)?,
                    10,
                ),
                _ => return None,
            };
            out.push(c, esc_at);
            out.protected = out.text.len();
            i += len;
            continue;
        }
        let c = raw[i..].chars().next()?;
        out.push(c, i);
        i += c.len_utf8();
    }
    if !double && !single {
        out.trim_trailing_blanks();
    }
    Some(())
}

fn hex_char(hex: &str) -> Option<char> {
    char::from_u32(u32::from_str_radix(hex, 16).ok()?)
}

/// Decode a block scalar with clip or strip chomping and auto-detected indentation.
fn block(raw: &str, style: ScalarStyle, out: &mut Decoded) -> Option<()> {
    let bytes = raw.as_bytes();
    let header_end = raw.find(['\n', '\r'])?;
    let header = raw[1..header_end].split('#').next()?.trim();
    let strip = match header {
        "" => false,
        "-" => true,
        _ => return None, // keep chomping or an explicit indentation indicator
    };
    let mut i = header_end + break_len(bytes, header_end);
    // Lines: (content start, content end, line break offset)
    let mut lines: Vec<(usize, usize)> = Vec::new();
    let mut indent: Option<usize> = None;
    while i < bytes.len() {
        let line_start = i;
        let mut j = i;
        while j < bytes.len() && !is_break(bytes[j]) {
            j += 1;
        }
        let line = &raw[line_start..j];
        let blank = line.trim_matches(' ').is_empty();
        if !blank && indent.is_none() {
            indent = Some(line.len() - line.trim_start_matches(' ').len());
        }
        lines.push((line_start, j));
        i = j + break_len(bytes, j);
    }
    let indent = indent?;
    let content = |&(s, e): &(usize, usize)| -> (usize, usize) {
        let s2 = (s + indent).min(e);
        (s2, e)
    };
    let mut prev_normal = false;
    let mut pending_breaks: Vec<usize> = Vec::new();
    let mut first = true;
    for l in &lines {
        let (s, e) = content(l);
        let text = &raw[s..e];
        let blank = raw[l.0..l.1].trim_matches(' ').is_empty();
        if blank {
            pending_breaks.push(l.0);
            continue;
        }
        if raw[l.0..s].contains(|c| c != ' ') {
            return None; // less indented than the first line: not content
        }
        let more_indented = text.starts_with([' ', '\t']);
        if style == ScalarStyle::Folded && more_indented {
            return None;
        }
        if !first {
            let prev_break = pending_breaks.first().copied().unwrap_or(l.0);
            if style == ScalarStyle::Folded && prev_normal {
                if pending_breaks.is_empty() {
                    out.push(' ', prev_break);
                } else {
                    for &b in &pending_breaks {
                        out.push('\n', b);
                    }
                }
            } else {
                out.push('\n', prev_break);
                for &b in &pending_breaks {
                    out.push('\n', b);
                }
            }
        }
        pending_breaks.clear();
        for (k, c) in text.char_indices() {
            out.push(c, s + k);
        }
        prev_normal = true;
        first = false;
    }
    if !strip && !first {
        out.push('\n', raw.len());
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, style: ScalarStyle, value: &str) -> Vec<usize> {
        let map = source_map(raw, style, value).expect("map");
        assert_eq!(map.len(), value.len() + 1);
        map
    }

    #[test]
    fn plain_single_line_is_identity() {
        let m = check(
            "etcd --data-dir /etcd",
            ScalarStyle::Plain,
            "etcd --data-dir /etcd",
        );
        assert_eq!(m[5], 5);
        assert_eq!(m[21], 21);
    }

    #[test]
    fn plain_folds_lines() {
        let raw = "a b\n    c\n\n    d";
        let m = check(raw, ScalarStyle::Plain, "a b c\nd");
        assert_eq!(m[4], raw.find('c').unwrap());
        assert_eq!(m[6], raw.find('d').unwrap());
    }

    #[test]
    fn single_quotes_double() {
        let raw = "'it''s here'";
        let m = check(raw, ScalarStyle::SingleQuoted, "it's here");
        assert_eq!(m[0], 1);
        assert_eq!(m[3], 5); // 's'
        assert_eq!(m[9], raw.len() - 1);
    }

    #[test]
    fn double_quoted_escapes() {
        let raw = r#""a\tb\u00e9 \"q\"""#;
        let value = "a\tbé \"q\"";
        let m = check(raw, ScalarStyle::DoubleQuoted, value);
        assert_eq!(m[1], 2); // the escape starts at the backslash
        assert_eq!(m[3], 5); // 'é' (two bytes) maps to \u00e9
        assert_eq!(m[4], 5);
    }

    #[test]
    fn double_quoted_escaped_break() {
        let raw = "\"ab\\\n   cd\"";
        let m = check(raw, ScalarStyle::DoubleQuoted, "abcd");
        assert_eq!(m[2], raw.find('c').unwrap());
    }

    #[test]
    fn literal_and_folded_blocks() {
        let raw = "|\n  sh -c\n  etcd --x";
        let m = check(raw, ScalarStyle::Literal, "sh -c\netcd --x\n");
        assert_eq!(m[6], raw.find("etcd").unwrap());
        let raw = ">-\n  etcd\n  --data-dir /x";
        let m = check(raw, ScalarStyle::Folded, "etcd --data-dir /x");
        assert_eq!(m[5], raw.find("--").unwrap());
    }

    #[test]
    fn mismatch_gives_none() {
        assert_eq!(source_map("abc", ScalarStyle::Plain, "abd"), None);
        assert_eq!(source_map("|+\n  x\n", ScalarStyle::Literal, "x\n"), None);
    }
}
