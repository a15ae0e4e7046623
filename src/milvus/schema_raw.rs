//! The text form of `rules/data/milvus-keys.txt`, read by `build.rs` (which compiles it into
//! static tables) and by the tests that compare those tables with the file.
//!
//! The file is a list of minor lines, each `[LINE TAG]` (`[2.5 v2.5.27]`) followed by the keys
//! of that line's `configs/milvus.yaml`, one a line, in the file's order: a mapping key alone
//! (`etcd`), a scalar leaf as `path = default` (`etcd.endpoints = localhost:2379`; a list's items
//! joined with `,` as Milvus joins them; `\\` and `\n` escaped). `#` starts a comment line.

/// One minor line of the data file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawLine {
    /// `2.5`.
    pub name: String,
    /// The release tag the keys were read from (`v2.5.27`, `master`).
    pub tag: String,
    /// `(path, default)`: `None` for a mapping key.
    pub keys: Vec<(String, Option<String>)>,
}

/// A key as Milvus's paramtable compares keys (pkg/config/config.go `formatKey`): lower-case,
/// without `/`, `_` and `.`; keys under `knowhere.` are kept as written.
pub fn fold(key: &str) -> String {
    if key.starts_with("knowhere.") {
        return key.to_string();
    }
    if key.is_ascii() {
        let mut out = String::with_capacity(key.len());
        for b in key.bytes() {
            if !matches!(b, b'/' | b'_' | b'.') {
                out.push(char::from(b.to_ascii_lowercase()));
            }
        }
        return out;
    }
    key.chars()
        .filter(|c| !matches!(c, '/' | '_' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

pub fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('\n', "\\n")
}

fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Read the data file.
pub fn parse(text: &str) -> Result<Vec<RawLine>, String> {
    let mut lines: Vec<RawLine> = Vec::new();
    for (n, l) in text.lines().enumerate() {
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if let Some(head) = l.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            let (name, tag) = head
                .split_once(' ')
                .ok_or_else(|| format!("line {}: `[LINE TAG]` expected", n + 1))?;
            lines.push(RawLine {
                name: name.to_string(),
                tag: tag.to_string(),
                keys: Vec::new(),
            });
            continue;
        }
        let line = lines
            .last_mut()
            .ok_or_else(|| format!("line {}: a key before any `[LINE TAG]`", n + 1))?;
        match l.split_once(" = ") {
            Some((k, v)) => line.keys.push((k.to_string(), Some(unescape(v)))),
            None => match l.strip_suffix(" =") {
                Some(k) => line.keys.push((k.to_string(), Some(String::new()))),
                None => line.keys.push((l.to_string(), None)),
            },
        }
    }
    Ok(lines)
}

/// Every key of a line: those of the official file (`written`), then those only the source
/// names (`source`, the same line of `rules/data/milvus-keys-source.txt`) with the sections
/// above them (`etcd.config` for `etcd.config.path`), as `(folded, path, default, written)`
/// sorted by their folded form (see [`fold`]), each once.
pub fn merged(
    written: &RawLine,
    source: Option<&RawLine>,
) -> Vec<(String, String, Option<String>, bool)> {
    let mut keys: Vec<(String, String, Option<String>, bool)> = written
        .keys
        .iter()
        .map(|(k, d)| (fold(k), k.clone(), d.clone(), true))
        .chain(source.into_iter().flat_map(|s| &s.keys).flat_map(|(k, d)| {
            // The key with its default in the source, and each section above it
            // (`etcd.config`, `etcd`).
            k.match_indices('.')
                .map(|(i, _)| (fold(&k[..i]), k[..i].to_string(), None, false))
                .chain([(fold(k), k.clone(), d.clone(), false)])
                .collect::<Vec<_>>()
        }))
        .collect();
    // Stable: a key of the official file comes before the same key named only in the source.
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    keys.dedup_by(|a, b| a.0 == b.0);
    keys
}

/// The Rust source of the tables: one `Line` a minor line, its keys (see [`merged`]) sorted by
/// their folded form for binary search.
pub fn to_rust(lines: &[RawLine], source: &[RawLine]) -> String {
    let mut out = String::from("pub(crate) static LINES: &[Line] = &[\n");
    for l in lines {
        let keys = merged(l, source.iter().find(|s| s.name == l.name));
        out.push_str(&format!(
            "    Line {{ name: {:?}, tag: {:?}, keys: &[\n",
            l.name, l.tag
        ));
        for (folded, path, default, written) in keys {
            out.push_str(&format!(
                "        Key {{ path: {path:?}, folded: {folded:?}, default: {default:?}, \
                 written: {written} }},\n"
            ));
        }
        out.push_str("    ] },\n");
    }
    out.push_str("];\n");
    out
}
