//! Source text and positions: byte offsets, and 1-based line:column counted in characters;
//! and reading a source file: a regular file only, within a size bound, never blocking.

use std::fmt;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::Path;

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// No file at the path.
    NotFound,
    /// A directory.
    Directory,
    /// Not a regular file: a FIFO, a device, a socket (what it is).
    NotRegular(&'static str),
    /// Larger than the limit: its size when the file system tells it, else `None` (it grew
    /// past the limit while being read).
    TooLarge { size: Option<u64>, limit: usize },
    /// Any other failure to open or read.
    Io(std::io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound => f.write_str("cannot read: no such file or directory"),
            ReadError::Directory => f.write_str("is a directory, not a file"),
            ReadError::NotRegular(what) => {
                write!(f, "cannot read: is {what}, not a regular file")
            }
            ReadError::TooLarge {
                size: Some(size),
                limit,
            } => write!(
                f,
                "file is {size} bytes, more than the limit of {limit} bytes"
            ),
            ReadError::TooLarge { size: None, limit } => {
                write!(f, "file is more than the limit of {limit} bytes")
            }
            ReadError::Io(e) => write!(f, "cannot read: {}", io_message(e)),
        }
    }
}

/// An I/O error in a few plain words.
pub fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// What a file that is not a regular file is, for messages.
pub fn file_type_name(t: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

/// Open `path` for reading without blocking (a FIFO with no writer would block a plain open)
/// and check, on the opened file, that it is a regular file: what is checked is what is read,
/// whatever replaces the path in between.
pub fn open_regular(path: &Path) -> Result<(File, Metadata), ReadError> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::NotFound,
            _ => ReadError::Io(e),
        })?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    let t = meta.file_type();
    if t.is_dir() {
        return Err(ReadError::Directory);
    }
    if !t.is_file() {
        return Err(ReadError::NotRegular(file_type_name(t)));
    }
    Ok((file, meta))
}

/// Read a regular file of at most `limit` bytes: never more than `limit + 1` bytes are read,
/// whatever its size says (a file growing while it is read is bounded too). Returns the bytes
/// and the metadata of the file they were read from.
pub fn read_regular(path: &Path, limit: usize) -> Result<(Vec<u8>, Metadata), ReadError> {
    let (file, meta) = open_regular(path)?;
    if meta.len() > limit as u64 {
        return Err(ReadError::TooLarge {
            size: Some(meta.len()),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() > limit {
        return Err(ReadError::TooLarge { size: None, limit });
    }
    Ok((bytes, meta))
}

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
        // Jump from line break to line break (a lone CR ends a line; CRLF ends it at the LF).
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                starts.push(i + 1);
            }
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
    fn devices_are_refused_without_reading() {
        for dev in ["/dev/zero", "/dev/urandom", "/dev/null"] {
            match read_regular(Path::new(dev), 1024) {
                Err(ReadError::NotRegular(what)) => assert_eq!(what, "a character device"),
                other => panic!("{dev}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = std::env::temp_dir().join(format!("milvet-source-fifo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("compose.yaml");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid, NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let e = read_regular(&fifo, 1024).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot read: is a FIFO (named pipe), not a regular file"
        );
        assert!(matches!(read_regular(&dir, 10), Err(ReadError::Directory)));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reading_stops_one_byte_past_the_limit() {
        let dir = std::env::temp_dir().join(format!("milvet-source-limit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("a.yaml");
        std::fs::write(&f, "abcd").unwrap();
        assert_eq!(read_regular(&f, 4).unwrap().0, b"abcd");
        assert_eq!(
            read_regular(&f, 3).unwrap_err().to_string(),
            "file is 4 bytes, more than the limit of 3 bytes"
        );
        assert!(matches!(
            read_regular(&dir.join("none"), 3),
            Err(ReadError::NotFound)
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

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
