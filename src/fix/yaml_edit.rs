//! Text edits on YAML that keep the file's style: scalars keep their quoting, new entries and
//! items take the indentation, sequence style and line ending of the text around them, and
//! nothing outside the edited bytes moves.

use super::style::{Style, column, line_end};
use crate::compose::FileId;
use crate::diagnostic::Edit;
use crate::source::Span;
use crate::yaml::{CollectionStyle, NodeId, NodeKind, ScalarStyle, Tree, scalar};

/// One YAML file being edited.
pub struct Doc<'a> {
    pub file: FileId,
    pub text: &'a str,
    pub tree: &'a Tree,
    pub style: Style,
}

/// A value to write: a scalar, a block mapping or a block sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Written as given (already quoted if it needs to be), e.g. `revision`, `*anchor`.
    Raw(String),
    /// `key: value` entries.
    Map(Vec<(String, Value)>),
    /// `- item` items.
    Seq(Vec<Value>),
    /// Lines already written, each relative to the column where the value's first line goes
    /// (a copied item, say).
    Lines(Vec<String>),
}

/// Whether `value` can be written as a plain scalar and read back as the same string.
/// `typed_ok` allows values that YAML reads as a number or boolean (fine where Compose turns
/// them into strings, such as environment values).
pub fn plain_ok(value: &str, in_flow: bool, typed_ok: bool) -> bool {
    let Some(first) = value.chars().next() else {
        return false;
    };
    if value.starts_with([' ', '\t']) || value.ends_with([' ', '\t', ':']) {
        return false;
    }
    if value.chars().any(|c| c.is_control() || c == '\u{feff}') {
        return false;
    }
    if "[]{},#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if matches!(first, '-' | '?' | ':') && (value.len() == 1 || value[1..].starts_with([' ', '\t']))
    {
        return false;
    }
    if value.contains(": ") || value.contains(" #") {
        return false;
    }
    if in_flow && value.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    if matches!(value, "~" | "null" | "Null" | "NULL" | "<<") {
        return false;
    }
    typed_ok || !looks_typed(value)
}

/// Whether a plain scalar would be read as a boolean or a number by YAML 1.1 or 1.2 readers.
fn looks_typed(v: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
        "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", ".inf", ".Inf", ".INF", "-.inf",
        "+.inf", ".nan", ".NaN", ".NAN",
    ];
    if WORDS.contains(&v) {
        return true;
    }
    let body = v.strip_prefix(['-', '+']).unwrap_or(v);
    let body = body.replace('_', "");
    !body.is_empty()
        && (body.parse::<f64>().is_ok()
            || body
                .strip_prefix("0x")
                .is_some_and(|h| u64::from_str_radix(h, 16).is_ok())
            || body
                .strip_prefix("0o")
                .is_some_and(|o| u64::from_str_radix(o, 8).is_ok())
            || body
                .split(':')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())))
}

/// `value` in double quotes, escaped.
pub fn double_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    out.push_str(&escape_double(value));
    out.push('"');
    out
}

fn escape_double(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Write `value` as a scalar: plain when that reads back the same, else double-quoted.
pub fn scalar_text(value: &str, in_flow: bool, typed_ok: bool) -> String {
    if plain_ok(value, in_flow, typed_ok) {
        value.to_string()
    } else {
        double_quoted(value)
    }
}

/// The YAML type a tag names, when it is one of the YAML 1.2 core and 1.1 types
/// (`!!str`, `!<tag:yaml.org,2002:str>`); `None` for a tag of the user's own.
fn core_type(tag: &str) -> Option<&str> {
    tag.strip_prefix("!!")
        .or_else(|| {
            tag.strip_prefix("!<tag:yaml.org,2002:")
                .and_then(|t| t.strip_suffix('>'))
        })
        .filter(|t| !t.is_empty())
}

/// Whether a scalar's value can be of the YAML type `ty` (`null`, `int`, ...), as YAML readers
/// that honour tags decide (Go's yaml.v3, which Docker Compose uses, refuses `!!null x`).
fn scalar_fits(ty: &str, value: &str) -> bool {
    let number = |v: &str| {
        let v = v.strip_prefix(['-', '+']).unwrap_or(v).replace('_', "");
        let digits = |s: Option<&str>, ok: fn(u8) -> bool| {
            s.is_some_and(|s| !s.is_empty() && s.bytes().all(ok))
        };
        !v.is_empty()
            && (v.bytes().all(|b| b.is_ascii_digit())
                || digits(v.strip_prefix("0x"), |b| b.is_ascii_hexdigit())
                || digits(v.strip_prefix("0o"), |b| (b'0'..=b'7').contains(&b))
                || digits(v.strip_prefix("0b"), |b| b == b'0' || b == b'1'))
    };
    match ty {
        "map" | "omap" | "pairs" | "set" | "seq" => false,
        "null" => matches!(value, "" | "~" | "null" | "Null" | "NULL"),
        "bool" => matches!(
            value,
            "true"
                | "True"
                | "TRUE"
                | "false"
                | "False"
                | "FALSE"
                | "y"
                | "Y"
                | "yes"
                | "Yes"
                | "YES"
                | "n"
                | "N"
                | "no"
                | "No"
                | "NO"
                | "on"
                | "On"
                | "ON"
                | "off"
                | "Off"
                | "OFF"
        ),
        "int" => number(value),
        "float" => {
            number(value)
                || value.replace('_', "").parse::<f64>().is_ok()
                || matches!(
                    value.trim_start_matches(['-', '+']),
                    ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN"
                )
        }
        // `str`, `binary`, `timestamp`, `merge`, `value`, `yaml` and others: not judged.
        _ => true,
    }
}

/// The nodes whose tag names a YAML type that the node is not (`!!null` or `!!str` on a
/// collection, `!!map` on a sequence, `!!seq` on a scalar, `!!null` or `!!int` on `revision`):
/// standard YAML loaders refuse them
/// (PyYAML, ruamel, Go's yaml.v3 when decoding into a typed value). Their tags' places.
pub fn mistyped_tags(tree: &Tree) -> Vec<Span> {
    tree.node_ids()
        .filter_map(|id| {
            let node = tree.node(id);
            let tag = node.tag.as_ref()?;
            let ty = core_type(&tag.text)?;
            let fits = match &node.kind {
                NodeKind::Scalar { value, .. } => scalar_fits(ty, value),
                NodeKind::Sequence { .. } => matches!(ty, "seq" | "omap" | "pairs"),
                NodeKind::Mapping { .. } => matches!(ty, "map" | "set"),
                NodeKind::Alias { .. } => true,
            };
            (!fits).then_some(tag.span)
        })
        .collect()
}

impl Doc<'_> {
    fn edit(&self, span: Span, text: impl Into<String>) -> Edit {
        Edit {
            file: self.file,
            span,
            text: text.into(),
        }
    }

    /// Replace a scalar with `value`, written in the scalar's own quoting style (a plain scalar
    /// becomes double-quoted only when plain would change the value's meaning). `None` for a
    /// block scalar or a node that is not a scalar written here.
    pub fn replace_scalar(&self, node: NodeId, value: &str, typed_ok: bool) -> Option<Edit> {
        let NodeKind::Scalar { style, .. } = &self.tree.node(node).kind else {
            return None;
        };
        let in_flow = self.tree.in_flow(node);
        let text = match style {
            ScalarStyle::Plain => scalar_text(value, in_flow, typed_ok),
            ScalarStyle::SingleQuoted if !value.contains(['\n', '\r']) => {
                format!("'{}'", value.replace('\'', "''"))
            }
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => double_quoted(value),
            ScalarStyle::Literal | ScalarStyle::Folded => return None,
        };
        Some(self.retag(node, value, self.edit(self.tree.span(node), text)))
    }

    /// `edit`, which gives the scalar `node` the value `value`, widened to drop the node's tag
    /// when the tag names a type the new value is not (`!!null` on `revision`): Docker Compose
    /// refuses that ("cannot decode !!str `revision` as a !!null"). An anchor written after
    /// the tag is kept.
    pub fn retag(&self, node: NodeId, value: &str, mut edit: Edit) -> Edit {
        let n = self.tree.node(node);
        let Some(tag) = &n.tag else { return edit };
        if core_type(&tag.text).is_none_or(|ty| scalar_fits(ty, value)) {
            return edit;
        }
        let mut text = edit.text.trim_start().to_string();
        if let Some(a) = n.anchor.as_ref().filter(|a| a.span.start > tag.span.start) {
            text = format!("{} {text}", a.span.slice(self.text));
        }
        edit.span = Span::new(tag.span.start, edit.span.end.max(tag.span.end));
        edit.text = text;
        edit
    }

    /// Replace `value[range]` of a scalar with `new`, leaving the rest of the scalar as written.
    /// `None` when that part is not written verbatim (escapes, folding) or `new` cannot be
    /// written there without changing the scalar's meaning.
    pub fn replace_in_scalar(
        &self,
        node: NodeId,
        range: std::ops::Range<usize>,
        new: &str,
    ) -> Option<Edit> {
        let NodeKind::Scalar { value, style } = &self.tree.node(node).kind else {
            return None;
        };
        let span = self.tree.span(node);
        let raw = span.slice(self.text);
        let map = scalar::source_map(raw, *style, value)?;
        let start = *map.get(range.start)?;
        let end = if range.end == range.start {
            start
        } else {
            let last = value.get(..range.end)?.chars().next_back()?.len_utf8();
            map.get(range.end - last)? + last
        };
        if raw.get(start..end)? != value.get(range.clone())? {
            return None;
        }
        let text = match style {
            ScalarStyle::Plain => {
                let whole = format!("{}{new}{}", &value[..range.start], &value[range.end..]);
                if !plain_ok(&whole, self.tree.in_flow(node), true) || looks_typed(&whole) {
                    return None;
                }
                new.to_string()
            }
            ScalarStyle::SingleQuoted if !new.contains(['\n', '\r']) => new.replace('\'', "''"),
            ScalarStyle::DoubleQuoted => escape_double(new),
            _ => return None,
        };
        Some(self.edit(Span::new(span.start + start, span.start + end), text))
    }

    /// Lines of `key: value` relative to the key's column.
    fn entry_lines(&self, key: &str, value: &Value) -> Vec<String> {
        match value {
            Value::Raw(v) if v.is_empty() => vec![format!("{key}:")],
            Value::Raw(v) => vec![format!("{key}: {v}")],
            _ => {
                let mut lines = vec![format!("{key}:")];
                lines.extend(self.block_lines(value, true));
                lines
            }
        }
    }

    /// Lines of a block collection written under a key, relative to the key's column.
    fn block_lines(&self, value: &Value, under_key: bool) -> Vec<String> {
        let step = " ".repeat(self.style.indent);
        match value {
            Value::Raw(v) => vec![format!("{step}{v}")],
            Value::Lines(lines) => lines.iter().map(|l| format!("{step}{l}")).collect(),
            Value::Map(entries) => entries
                .iter()
                .flat_map(|(k, v)| self.entry_lines(k, v))
                .map(|l| format!("{step}{l}"))
                .collect(),
            Value::Seq(items) => {
                let pad = if under_key && !self.style.indented_sequences {
                    String::new()
                } else {
                    step.clone()
                };
                items
                    .iter()
                    .flat_map(|item| self.item_lines(item))
                    .map(|l| format!("{pad}{l}"))
                    .collect()
            }
        }
    }

    /// Lines of `- item` relative to the dash's column.
    fn item_lines(&self, item: &Value) -> Vec<String> {
        let lines: Vec<String> = match item {
            Value::Raw(v) => vec![v.clone()],
            Value::Lines(lines) => lines.clone(),
            Value::Map(entries) => entries
                .iter()
                .flat_map(|(k, v)| self.entry_lines(k, v))
                .collect(),
            Value::Seq(_) => self.block_lines(item, false),
        };
        lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                if i == 0 {
                    format!("- {l}")
                } else {
                    format!("  {l}")
                }
            })
            .collect()
    }

    /// Text of `lines` each at `col`, every line preceded by a line break: for insertion at
    /// the end of a line.
    fn at_column(&self, lines: &[String], col: usize) -> String {
        let pad = " ".repeat(col);
        lines
            .iter()
            .map(|l| format!("{}{pad}{l}", self.style.eol))
            .collect()
    }

    /// Add `key: value` to a mapping: after its last entry (in a block mapping, on a new line at
    /// the entries' column, after that entry's comment), or before the closing brace of a flow
    /// mapping. `None` when the mapping is empty and block (it cannot be) or not a mapping.
    pub fn insert_entry(&self, map: NodeId, key: &str, value: &Value) -> Option<Edit> {
        let NodeKind::Mapping { style, entries } = &self.tree.node(map).kind else {
            return None;
        };
        match style {
            CollectionStyle::Block => {
                if self.explicit_key(map).is_some() {
                    return None;
                }
                let first = entries.first()?;
                let last = entries.last()?;
                let col = column(self.text, self.tree.span(first.key).start);
                let end = self
                    .tree
                    .span(last.value)
                    .end
                    .max(self.tree.span(last.key).end);
                let at = line_end(self.text, end);
                let text = self.at_column(&self.entry_lines(key, value), col);
                Some(self.edit(Span::empty(at), text))
            }
            CollectionStyle::Flow => {
                let Value::Raw(v) = value else {
                    return None;
                };
                let entry = if v.is_empty() {
                    format!("{key}:")
                } else {
                    format!("{key}: {v}")
                };
                Some(match entries.last() {
                    Some(last) => {
                        let end = self
                            .tree
                            .span(last.value)
                            .end
                            .max(self.tree.span(last.key).end);
                        self.edit(Span::empty(end), format!(", {entry}"))
                    }
                    None => self.edit(Span::empty(self.tree.span(map).start + 1), entry),
                })
            }
        }
    }

    /// The first key of a block mapping written as an explicit key (`? key`) or that is not a
    /// scalar (`? [a]`): entries cannot be lined up with it, so none is added. Its span.
    pub fn explicit_key(&self, map: NodeId) -> Option<Span> {
        let entries = self.tree.own_entries(map)?;
        entries.iter().find_map(|e| {
            let key = self.tree.node(e.key);
            let start = [
                Some(self.tree.span(e.key)),
                key.anchor.as_ref().map(|a| a.span),
                key.tag.as_ref().map(|t| t.span),
            ]
            .into_iter()
            .flatten()
            .map(|s| s.start)
            .min()
            .unwrap_or(0);
            let before = self.text[..start].trim_end_matches([' ', '\t']);
            let explicit = before.ends_with('?');
            let complex = !matches!(key.kind, NodeKind::Scalar { .. } | NodeKind::Alias { .. });
            (explicit || complex).then(|| self.tree.span(e.key))
        })
    }

    /// Append an item to a sequence: on a new line at the items' dash column after the last
    /// item (block), or before the closing bracket (flow).
    pub fn append_item(&self, seq: NodeId, item: &Value) -> Option<Edit> {
        let NodeKind::Sequence { style, items } = &self.tree.node(seq).kind else {
            return None;
        };
        match style {
            CollectionStyle::Block => {
                let last = items.last()?;
                let col = column(self.text, self.tree.span(seq).start);
                let at = line_end(self.text, self.tree.span(*last).end);
                Some(self.edit(Span::empty(at), self.at_column(&self.item_lines(item), col)))
            }
            CollectionStyle::Flow => {
                let Value::Raw(v) = item else {
                    return None;
                };
                Some(match items.last() {
                    Some(last) => {
                        self.edit(Span::empty(self.tree.span(*last).end), format!(", {v}"))
                    }
                    None => self.edit(Span::empty(self.tree.span(seq).start + 1), v.clone()),
                })
            }
        }
    }

    /// Give a key whose value is null (`key:`, `key: ~`) a block value. Edits: the null token
    /// removed (if written), the block inserted at the end of the key's line. A tag on the null
    /// is dropped (`!!null`, `!!str` or a tag of the user's own would be wrong on a collection),
    /// except Compose's own merge tags (`!reset`, `!override`), which apply to collections; an
    /// anchor stays.
    pub fn fill_null(&self, key: NodeId, null: NodeId, value: &Value) -> Vec<Edit> {
        let mut edits = Vec::new();
        let node = self.tree.node(null);
        let null_span = self.tree.span(null);
        let mut written = null_span;
        for s in [
            node.anchor.as_ref().map(|a| a.span),
            node.tag.as_ref().map(|t| t.span),
        ]
        .into_iter()
        .flatten()
        {
            written = written.join(s);
        }
        if !written.is_empty() {
            // `key: ~`: drop the token and the blank before it, keeping what still applies.
            let mut start = written.start;
            while start > 0 && self.text.as_bytes()[start - 1] == b' ' {
                start -= 1;
            }
            let mut kept = String::new();
            if let Some(a) = &node.anchor {
                kept.push_str(&format!(" {}", a.span.slice(self.text)));
            }
            if let Some(t) = &node.tag
                && matches!(t.text.as_str(), "!reset" | "!override")
            {
                kept.push_str(&format!(" {}", t.span.slice(self.text)));
            }
            edits.push(self.edit(Span::new(start, written.end), kept));
        }
        let col = column(self.text, self.tree.span(key).start);
        let at = line_end(self.text, written.end.max(self.tree.span(key).end));
        let lines = self.block_lines(value, true);
        edits.push(self.edit(Span::empty(at), self.at_column(&lines, col)));
        edits
    }

    /// Replace a node's value with a block collection (e.g. an alias `*env` with a mapping that
    /// merges it and adds an entry), keeping the key and any comment on the key's line.
    pub fn replace_with_block(&self, key: NodeId, node: NodeId, value: &Value) -> Vec<Edit> {
        let span = self.tree.span(node);
        let mut start = span.start;
        while start > 0 && self.text.as_bytes()[start - 1] == b' ' {
            start -= 1;
        }
        let col = column(self.text, self.tree.span(key).start);
        let lines = self.block_lines(value, true);
        let at = line_end(self.text, span.end);
        vec![
            self.edit(Span::new(start, span.end), ""),
            self.edit(Span::empty(at), self.at_column(&lines, col)),
        ]
    }

    /// The source text of a node written on one line, for copying; `None` if it spans lines.
    pub fn one_line(&self, span: Span) -> Option<&str> {
        let s = span.slice(self.text);
        (!s.contains(['\n', '\r'])).then_some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::style::detect;
    use crate::yaml::{Limits, parse};

    fn with_doc<R>(text: &str, f: impl FnOnce(&Doc<'_>) -> R) -> R {
        let tree = parse(text, &Limits::default()).unwrap();
        let doc = Doc {
            file: FileId(0),
            text,
            tree: &tree,
            style: detect(text, &tree),
        };
        f(&doc)
    }

    fn apply(text: &str, mut edits: Vec<Edit>) -> String {
        edits.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
        let mut out = text.to_string();
        for e in edits {
            out.replace_range(e.span.start..e.span.end, &e.text);
        }
        out
    }

    fn at(tree: &Tree, path: &[&str]) -> NodeId {
        let mut id = tree.documents[0].root.unwrap();
        for p in path {
            id = tree.get(id, p).unwrap();
        }
        id
    }

    #[test]
    fn plain_scalars_that_would_change_meaning_are_quoted() {
        for v in [
            "yes", "on", "1e3", "0x1f", "12:30", "null", "a: b", "a #b", "-", "", " x",
        ] {
            assert!(!plain_ok(v, false, false), "{v}");
        }
        assert!(plain_ok("1000", false, true));
        assert!(!plain_ok("a,b", true, true));
        assert!(plain_ok("a,b", false, true));
        for v in [
            "revision",
            "--data-dir=/etcd",
            "/etcd",
            "http://x:1",
            "a-b_c.d",
        ] {
            assert!(plain_ok(v, false, false), "{v}");
        }
        assert_eq!(scalar_text("yes", false, false), "\"yes\"");
        assert_eq!(double_quoted("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    }

    #[test]
    fn replacing_scalars_keeps_their_quoting() {
        let text = "a: 'x'\nb: \"y\"\nc: z\nd: [p]\n";
        let out = with_doc(text, |d| {
            let t = d.tree;
            vec![
                d.replace_scalar(at(t, &["a"]), "it's", false).unwrap(),
                d.replace_scalar(at(t, &["b"]), "q\"", false).unwrap(),
                d.replace_scalar(at(t, &["c"]), "true", false).unwrap(),
                d.replace_scalar(t.items(at(t, &["d"])).unwrap()[0], "a,b", false)
                    .unwrap(),
            ]
        });
        assert_eq!(
            apply(text, out),
            "a: 'it''s'\nb: \"q\\\"\"\nc: \"true\"\nd: [\"a,b\"]\n"
        );
    }

    #[test]
    fn replacing_inside_a_scalar() {
        let text = "- A=1h\n- \"B=1h\"\n- 'C=x'\n";
        let out = with_doc(text, |d| {
            let items = d
                .tree
                .items(d.tree.documents[0].root.unwrap())
                .unwrap()
                .to_vec();
            vec![
                d.replace_in_scalar(items[0], 2..4, "1000").unwrap(),
                d.replace_in_scalar(items[1], 2..4, "1000").unwrap(),
                d.replace_in_scalar(items[2], 2..3, "y'z").unwrap(),
            ]
        });
        assert_eq!(apply(text, out), "- A=1000\n- \"B=1000\"\n- 'C=y''z'\n");
        // An escaped part is not verbatim: no edit.
        with_doc("- \"A=\\u0031h\"\n", |d| {
            let item = d.tree.items(d.tree.documents[0].root.unwrap()).unwrap()[0];
            assert_eq!(d.replace_in_scalar(item, 2..4, "9"), None);
        });
    }

    #[test]
    fn inserting_entries_and_items_in_every_layout() {
        let text = "s:\n    a: 1   # keep me\n    l:\n    - x # and me\n# next\nf: {k: v}\ne: {}\ng: [1]\nh: []\n";
        let out = with_doc(text, |d| {
            let t = d.tree;
            vec![
                d.insert_entry(at(t, &["s"]), "b", &Value::Raw("2".into()))
                    .unwrap(),
                d.append_item(at(t, &["s", "l"]), &Value::Raw("y".into()))
                    .unwrap(),
                d.insert_entry(at(t, &["f"]), "n", &Value::Raw("w".into()))
                    .unwrap(),
                d.insert_entry(at(t, &["e"]), "n", &Value::Raw("w".into()))
                    .unwrap(),
                d.append_item(at(t, &["g"]), &Value::Raw("2".into()))
                    .unwrap(),
                d.append_item(at(t, &["h"]), &Value::Raw("2".into()))
                    .unwrap(),
            ]
        });
        assert_eq!(
            apply(text, out),
            "s:\n    a: 1   # keep me\n    l:\n    - x # and me\n    - y\n    b: 2\n# next\nf: {k: v, n: w}\ne: {n: w}\ng: [1, 2]\nh: [2]\n"
        );
    }

    #[test]
    fn filling_a_null_and_nested_blocks_follow_the_style() {
        let text = "svc:\r\n    environment: # c\r\n    image: x\r\n";
        let out = with_doc(text, |d| {
            let t = d.tree;
            let svc = at(t, &["svc"]);
            let e = t.entry(svc, "environment").unwrap();
            d.fill_null(e.key, e.value, &Value::Seq(vec![Value::Raw("A=1".into())]))
        });
        assert_eq!(
            apply(text, out),
            "svc:\r\n    environment: # c\r\n        - A=1\r\n    image: x\r\n"
        );
        let text = "svc:\n  image: x\n";
        let out = with_doc(text, |d| {
            vec![
                d.insert_entry(
                    at(d.tree, &["svc"]),
                    "volumes",
                    &Value::Seq(vec![Value::Raw("./v:/v".into())]),
                )
                .unwrap(),
            ]
        });
        assert_eq!(
            apply(text, out),
            "svc:\n  image: x\n  volumes:\n    - ./v:/v\n"
        );
    }

    #[test]
    fn filling_a_tagged_null_drops_the_tag_and_keeps_an_anchor_and_merge_tags() {
        let cases = [
            ("e: !!null\n", "e:\n  - A=1\n"),
            ("e: !!str\n", "e:\n  - A=1\n"),
            ("e: !!int # c\n", "e: # c\n  - A=1\n"),
            ("e: !custom ~\n", "e:\n  - A=1\n"),
            ("e: !<tag:yaml.org,2002:null> null\n", "e:\n  - A=1\n"),
            ("e: &a !!null\n", "e: &a\n  - A=1\n"),
            ("e: !!null &a\n", "e: &a\n  - A=1\n"),
            ("e: !override\n", "e: !override\n  - A=1\n"),
        ];
        for (text, want) in cases {
            let out = with_doc(text, |d| {
                let e = d.tree.entry(at(d.tree, &[]), "e").unwrap();
                d.fill_null(e.key, e.value, &Value::Seq(vec![Value::Raw("A=1".into())]))
            });
            let fixed = apply(text, out);
            assert_eq!(fixed, want, "{text:?}");
            let tree = parse(&fixed, &Limits::default()).unwrap();
            assert!(mistyped_tags(&tree).is_empty(), "{fixed:?}");
        }
    }

    #[test]
    fn replacing_a_scalar_drops_a_tag_the_new_value_does_not_fit() {
        let text = "a: !!null ~\nb: !!int 10\nc: !!str x\nd: !!int &k 10\ne: !!null &k2 ~\n";
        let out = with_doc(text, |d| {
            let t = d.tree;
            vec![
                d.replace_scalar(at(t, &["a"]), "revision", true).unwrap(),
                d.replace_scalar(at(t, &["b"]), "1000", true).unwrap(),
                d.replace_scalar(at(t, &["c"]), "y", true).unwrap(),
                d.replace_scalar(at(t, &["d"]), "1h", true).unwrap(),
                d.replace_scalar(at(t, &["e"]), "z", true).unwrap(),
            ]
        });
        assert_eq!(
            apply(text, out),
            "a: revision\nb: !!int 1000\nc: !!str y\nd: &k 1h\ne: &k2 z\n"
        );
    }

    #[test]
    fn tags_that_name_another_type_are_found() {
        let text = "a: !!null\n  - x\nb: !!str {k: v}\nc: !!map [1]\nd: !!seq s\nok: !!str 1\n\
                    m: !!map {k: v}\ns: !!seq [1]\nn: !!null\nu: !custom [1]\n";
        let tree = parse(text, &Limits::default()).unwrap();
        let found: Vec<&str> = mistyped_tags(&tree).iter().map(|s| s.slice(text)).collect();
        assert_eq!(found, ["!!null", "!!str", "!!map", "!!seq"]);
        let text = "a: !!null x\nb: !!int 1h\nc: !!int 0x1F\nd: !!float 1.5\ne: !!bool yes\nf: !!null ~\ng: !!bool 2\n";
        let tree = parse(text, &Limits::default()).unwrap();
        let found: Vec<&str> = mistyped_tags(&tree).iter().map(|s| s.slice(text)).collect();
        assert_eq!(found, ["!!null", "!!int", "!!bool"]);
    }

    #[test]
    fn no_entry_is_added_beside_an_explicit_or_complex_key() {
        for text in [
            "m:\n  ? [a]\n  : b\n  C: d\n",
            "m:\n  C: d\n  ? {a: 1}\n  : b\n",
            "m:\n  ? a\n  : b\n",
            "m:\n  ? &k a\n  : b\n",
        ] {
            with_doc(text, |d| {
                let m = at(d.tree, &["m"]);
                assert!(d.explicit_key(m).is_some(), "{text:?}");
                assert_eq!(d.insert_entry(m, "X", &Value::Raw("1".into())), None);
            });
        }
        with_doc("m:\n  a: b\n  'c': d\n", |d| {
            assert_eq!(d.explicit_key(at(d.tree, &["m"])), None)
        });
    }

    #[test]
    fn replacing_an_alias_with_a_block() {
        let text = "x: &e {A: 1}\ns:\n  environment: *e # shared\n";
        let out = with_doc(text, |d| {
            let s = at(d.tree, &["s"]);
            let e = d.tree.entry(s, "environment").unwrap();
            d.replace_with_block(
                e.key,
                e.value,
                &Value::Map(vec![
                    ("<<".into(), Value::Raw("*e".into())),
                    ("B".into(), Value::Raw("2".into())),
                ]),
            )
        });
        assert_eq!(
            apply(text, out),
            "x: &e {A: 1}\ns:\n  environment: # shared\n    <<: *e\n    B: 2\n"
        );
    }
}
