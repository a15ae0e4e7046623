//! Splitting a command line into words as a POSIX shell would, keeping where each word was
//! written.
//!
//! Compose splits a `command`/`entrypoint` string with shell quoting rules (single quotes are
//! literal, double quotes honour `\"`, `\\`, `\$` and `` \` ``, a backslash outside quotes escapes
//! the next character) and no expansion. [`split_words`] does that; [`split_script`] also
//! recognises the control operators of a `sh -c` script (`&&`, `||`, `;`, `|`, `&`, newlines)
//! and comments, and returns the simple commands.

use std::fmt;
use std::ops::Range;

/// One word of a command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word after quote removal.
    pub value: String,
    /// For each byte of `value`, and one past its end, the byte offset in the input.
    pub map: Vec<usize>,
    /// Where the word is written in the input, quotes included.
    pub span: Range<usize>,
}

impl Word {
    /// The input range that produced `value[range]`.
    pub fn input_range(&self, range: Range<usize>) -> Range<usize> {
        mapped_range(&self.value, &self.map, range).unwrap_or(self.span.clone())
    }
}

/// Where `value[range]` was written, given the input offset of each byte of `value`: from the
/// first byte's offset to just after the last character. `None` for an empty or invalid range.
pub fn mapped_range(value: &str, offsets: &[usize], range: Range<usize>) -> Option<Range<usize>> {
    if range.start >= range.end || !value.is_char_boundary(range.end) {
        return None;
    }
    let last_len = value.get(..range.end)?.chars().next_back()?.len_utf8();
    let start = *offsets.get(range.start)?;
    let end = offsets.get(range.end - last_len)? + last_len;
    Some(start..end.max(start))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellError {
    pub message: String,
    pub offset: usize,
}

impl fmt::Display for ShellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

impl std::error::Error for ShellError {}

/// Split a command string as Compose does: quoting honoured, no operators, no expansion.
pub fn split_words(input: &str) -> Result<Vec<Word>, ShellError> {
    let mut out = Vec::new();
    let mut lexer = Lexer {
        input,
        pos: 0,
        operators: false,
    };
    while let Some(token) = lexer.next_token()? {
        if let Token::Word(w) = token {
            out.push(w);
        }
    }
    Ok(out)
}

/// Split a `sh -c` script into simple commands (each a list of words), separated by control
/// operators and newlines. Comments are skipped.
pub fn split_script(input: &str) -> Result<Vec<Vec<Word>>, ShellError> {
    let mut commands = Vec::new();
    let mut current = Vec::new();
    let mut lexer = Lexer {
        input,
        pos: 0,
        operators: true,
    };
    while let Some(token) = lexer.next_token()? {
        match token {
            Token::Word(w) => current.push(w),
            Token::Separator => {
                if !current.is_empty() {
                    commands.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        commands.push(current);
    }
    Ok(commands)
}

enum Token {
    Word(Word),
    Separator,
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    operators: bool,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.input[self.pos..].chars().next()
    }

    fn next_token(&mut self) -> Result<Option<Token>, ShellError> {
        // Skip blanks (and, without operators, newlines).
        while let Some(c) = self.peek() {
            if c == ' ' || c == '\t' || (!self.operators && (c == '\n' || c == '\r')) {
                self.pos += 1;
            } else if c == '\\' && self.input[self.pos + 1..].starts_with('\n') {
                self.pos += 2; // line continuation
            } else if c == '\\' && self.input[self.pos + 1..].starts_with("\r\n") {
                self.pos += 3;
            } else {
                break;
            }
        }
        let Some(c) = self.peek() else {
            return Ok(None);
        };
        if self.operators {
            if c == '#' {
                while let Some(c) = self.peek() {
                    if c == '\n' {
                        break;
                    }
                    self.pos += c.len_utf8();
                }
                return Ok(Some(Token::Separator));
            }
            if matches!(c, '\n' | '\r' | ';' | '&' | '|' | '(' | ')') {
                self.pos += 1;
                while matches!(self.peek(), Some('&' | '|' | ';')) {
                    self.pos += 1;
                }
                return Ok(Some(Token::Separator));
            }
        }
        let start = self.pos;
        let mut value = String::new();
        let mut map = Vec::new();
        let push = |value: &mut String, map: &mut Vec<usize>, c: char, at: usize| {
            value.push(c);
            map.extend(std::iter::repeat_n(at, c.len_utf8()));
        };
        while let Some(c) = self.peek() {
            let at = self.pos;
            match c {
                ' ' | '\t' => break,
                '\n' | '\r' => break,
                ';' | '&' | '|' | '(' | ')' if self.operators => break,
                '\'' => {
                    self.pos += 1;
                    loop {
                        let Some(q) = self.peek() else {
                            return Err(ShellError {
                                message: "unterminated single quote".into(),
                                offset: at,
                            });
                        };
                        if q == '\'' {
                            self.pos += 1;
                            break;
                        }
                        push(&mut value, &mut map, q, self.pos);
                        self.pos += q.len_utf8();
                    }
                }
                '"' => {
                    self.pos += 1;
                    loop {
                        let Some(q) = self.peek() else {
                            return Err(ShellError {
                                message: "unterminated double quote".into(),
                                offset: at,
                            });
                        };
                        if q == '"' {
                            self.pos += 1;
                            break;
                        }
                        if q == '\\' {
                            let next = self.input[self.pos + 1..].chars().next();
                            match next {
                                Some(n @ ('"' | '\\' | '$' | '`')) => {
                                    push(&mut value, &mut map, n, self.pos);
                                    self.pos += 2;
                                    continue;
                                }
                                Some('\n') => {
                                    self.pos += 2;
                                    continue;
                                }
                                _ => {}
                            }
                        }
                        push(&mut value, &mut map, q, self.pos);
                        self.pos += q.len_utf8();
                    }
                }
                '\\' => {
                    self.pos += 1;
                    match self.peek() {
                        Some('\n') => self.pos += 1,
                        Some(n) => {
                            push(&mut value, &mut map, n, at);
                            self.pos += n.len_utf8();
                        }
                        None => push(&mut value, &mut map, '\\', at),
                    }
                }
                _ => {
                    push(&mut value, &mut map, c, at);
                    self.pos += c.len_utf8();
                }
            }
        }
        let end = self.pos;
        // One past the end: right after the last character written.
        map.push(end);
        if let Some(last) = value.chars().last() {
            let last_at = map[value.len() - last.len_utf8()];
            let past = last_at
                + self.input[last_at..]
                    .chars()
                    .next()
                    .map_or(1, char::len_utf8);
            if let Some(slot) = map.last_mut() {
                *slot = past.min(end);
            }
        }
        Ok(Some(Token::Word(Word {
            value,
            map,
            span: start..end,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(words: &[Word]) -> Vec<&str> {
        words.iter().map(|w| w.value.as_str()).collect()
    }

    #[test]
    fn splits_like_a_shell() {
        let input = r#"minio server /data --console-address ":9001" 'a b' c\ d "x\"y""#;
        let w = split_words(input).unwrap();
        assert_eq!(
            values(&w),
            vec![
                "minio",
                "server",
                "/data",
                "--console-address",
                ":9001",
                "a b",
                "c d",
                "x\"y"
            ]
        );
        assert_eq!(&input[w[2].span.clone()], "/data");
        assert_eq!(&input[w[4].span.clone()], "\":9001\"");
        // The value ":9001" starts after the opening quote.
        assert_eq!(w[4].input_range(0..5), 38..43);
        assert_eq!(&input[w[4].input_range(0..5)], ":9001");
    }

    #[test]
    fn subranges_map_into_the_input() {
        let input = "etcd --data-dir=/var/etcd";
        let w = split_words(input).unwrap();
        let r = w[1].input_range(11..20);
        assert_eq!(&input[r], "/var/etcd");
    }

    #[test]
    fn operators_are_words_outside_scripts() {
        let w = split_words("a && b").unwrap();
        assert_eq!(values(&w), vec!["a", "&&", "b"]);
    }

    #[test]
    fn scripts_split_into_commands() {
        let input = "mkdir -p /x && exec etcd --data-dir /x # comment\nminio server /d; echo 'a;b'";
        let cmds = split_script(input).unwrap();
        let v: Vec<Vec<&str>> = cmds.iter().map(|c| values(c)).collect();
        assert_eq!(
            v,
            vec![
                vec!["mkdir", "-p", "/x"],
                vec!["exec", "etcd", "--data-dir", "/x"],
                vec!["minio", "server", "/d"],
                vec!["echo", "a;b"],
            ]
        );
        let dir = &cmds[1][3];
        assert_eq!(&input[dir.span.clone()], "/x");
    }

    #[test]
    fn unterminated_quotes_are_errors() {
        assert_eq!(split_words("a 'b").unwrap_err().offset, 2);
        assert_eq!(split_words("a \"b").unwrap_err().offset, 2);
    }

    #[test]
    fn multibyte_words_map_exactly() {
        let input = "é 'ü x'";
        let w = split_words(input).unwrap();
        assert_eq!(w[1].value, "ü x");
        assert_eq!(&input[w[1].input_range(0..2)], "ü");
        assert_eq!(&input[w[1].input_range(0..4)], "ü x");
    }
}
