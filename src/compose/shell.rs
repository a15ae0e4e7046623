//! Splitting a command line into words, keeping where each word was written.
//!
//! [`split_words`] splits a `command`/`entrypoint` string exactly as Docker Compose does (with
//! go-shellwords' rules, which differ from a POSIX shell's: a backslash escapes any character
//! inside double quotes too, and an operator ends the line). [`split_script`] reads a `sh -c`
//! script as a POSIX shell would: it recognises the control operators (`&&`, `||`, `;`, `|`,
//! `&`, newlines) and comments, and returns the simple commands.

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

/// Split a command string as Compose does (mattn/go-shellwords v1.0.12, which compose-go
/// calls with environment and backtick expansion off), keeping where each word was written.
///
/// Outside single quotes a backslash escapes the next character, whatever it is and inside
/// double quotes too (`"a\b"` is `ab`, a backslash-newline is a newline in the word); blanks
/// (space, tab, CR, LF) separate words outside quotes; `;`, `&`, `|`, `<` and `>` outside quotes
/// end the command line (what follows is dropped, and a word `2>` that starts with a digit
/// before `>` too); backticks and `$(...)` keep their blanks and quotes; a `(` not after `$`,
/// an unterminated quote, `$(`, backtick or `)`, and a trailing backslash are errors, as Docker
/// Compose refuses them (`invalid command line string`).
pub fn split_words(input: &str) -> Result<Vec<Word>, ShellError> {
    let mut out = Vec::new();
    let mut value = String::new();
    let mut map: Vec<usize> = Vec::new();
    let mut start: Option<usize> = None;
    let (mut escaped, mut single, mut double, mut back, mut dollar) =
        (false, false, false, false, false);
    // Whether a word is under way (go-shellwords' `got != argNo`).
    let mut got = false;
    // Where the innermost quote or escape still open began.
    let mut open_at = 0;
    let mut end = input.len();
    let invalid = |offset: usize| ShellError {
        message: "invalid command line string".into(),
        offset,
    };
    let push = |value: &mut String, map: &mut Vec<usize>, c: char, at: usize| {
        value.push(c);
        map.extend(std::iter::repeat_n(at, c.len_utf8()));
    };
    for (i, r) in input.char_indices() {
        if escaped {
            push(&mut value, &mut map, r, i);
            escaped = false;
            got = true;
            continue;
        }
        if r == '\\' {
            start.get_or_insert(i);
            if single {
                push(&mut value, &mut map, r, i);
            } else {
                escaped = true;
                open_at = i;
            }
            continue;
        }
        if matches!(r, ' ' | '\t' | '\r' | '\n') {
            if single || double || back || dollar {
                push(&mut value, &mut map, r, i);
            } else if got {
                out.push(word(
                    input,
                    std::mem::take(&mut value),
                    std::mem::take(&mut map),
                    start.take().unwrap_or(i),
                    i,
                ));
                got = false;
            }
            continue;
        }
        match r {
            '`' if !single && !double && !dollar => {
                back = !back;
                open_at = i;
            }
            ')' if !single && !double && !back => {
                dollar = !dollar;
                open_at = i;
            }
            '(' if !single && !double && !back => {
                if !dollar && value.ends_with('$') {
                    dollar = true;
                    open_at = i;
                    push(&mut value, &mut map, r, i);
                    continue;
                }
                return Err(invalid(i));
            }
            '"' if !single && !dollar => {
                start.get_or_insert(i);
                if double {
                    got = true;
                } else {
                    open_at = i;
                }
                double = !double;
                continue;
            }
            '\'' if !double && !dollar => {
                start.get_or_insert(i);
                if single {
                    got = true;
                } else {
                    open_at = i;
                }
                single = !single;
                continue;
            }
            ';' | '&' | '|' | '<' | '>' if !(single || double || back || dollar) => {
                if r == '>' && value.starts_with(|c: char| c.is_ascii_digit()) {
                    got = false;
                }
                end = i;
                break;
            }
            _ => {}
        }
        got = true;
        start.get_or_insert(i);
        push(&mut value, &mut map, r, i);
    }
    if escaped || single || double || back || dollar {
        return Err(invalid(open_at));
    }
    if got {
        out.push(word(input, value, map, start.unwrap_or(end), end));
    }
    Ok(out)
}

/// A word of `value` (each byte's input offset in `map`) written at `start..end`.
fn word(input: &str, value: String, mut map: Vec<usize>, start: usize, end: usize) -> Word {
    // One past the end: right after the last character written.
    let past = match value.chars().last() {
        Some(last) => {
            let last_at = map[value.len() - last.len_utf8()];
            (last_at + input[last_at..].chars().next().map_or(1, char::len_utf8)).min(end)
        }
        None => end,
    };
    map.push(past);
    Word {
        value,
        map,
        span: start..end,
    }
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
    fn an_operator_ends_the_command_line() {
        // As Docker Compose v2.40.3 reads them (`docker-compose config`).
        assert_eq!(
            values(&split_words("echo a && b").unwrap()),
            vec!["echo", "a"]
        );
        assert_eq!(values(&split_words("a;b").unwrap()), vec!["a"]);
        assert_eq!(values(&split_words("a 2>f").unwrap()), vec!["a"]);
        assert!(split_words("2>f a").unwrap().is_empty());
        assert_eq!(
            values(&split_words("'a;b' \"c|d\"").unwrap()),
            vec!["a;b", "c|d"]
        );
    }

    #[test]
    fn backslashes_as_go_shellwords_reads_them() {
        // Inside double quotes a backslash escapes any character; `\t` is a `t`.
        let w = split_words(r#"a\ b "c\d" e\\f 'g\h' a\tb"#).unwrap();
        assert_eq!(values(&w), vec!["a b", "cd", "e\\f", "g\\h", "atb"]);
        // A backslash-newline is a newline in the word, as in the official Pulsar command.
        let input = "/bin/bash -c \\\n\"x && \\\nexec y\"";
        let w = split_words(input).unwrap();
        assert_eq!(values(&w), vec!["/bin/bash", "-c", "\nx && \nexec y"]);
        assert_eq!(&input[w[2].span.clone()], &input[13..]);
        assert_eq!(&input[w[2].input_range(1..2)], "x");
        // Empty quotes are an empty word.
        assert_eq!(values(&split_words(r#""" b"#).unwrap()), vec!["", "b"]);
    }

    #[test]
    fn backticks_and_dollar_parentheses_keep_their_blanks() {
        let w = split_words("x `a b` $(c \"d\") e").unwrap();
        assert_eq!(values(&w), vec!["x", "`a b`", "$(c \"d\")", "e"]);
    }

    #[test]
    fn what_docker_compose_refuses() {
        for bad in ["echo (x", "a\\", "x a) b", "a `b", "$(a", "a \"b"] {
            let e = split_words(bad).unwrap_err();
            assert_eq!(e.message, "invalid command line string", "{bad}");
        }
        assert_eq!(split_words("echo (x").unwrap_err().offset, 5);
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
