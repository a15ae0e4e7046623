//! The layout conventions of a file, so that inserted text looks like the text around it.

use crate::yaml::{CollectionStyle, NodeKind, Tree};
use std::collections::HashMap;

/// How a file is laid out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Style {
    /// The line ending: `"\n"` or `"\r\n"`.
    pub eol: &'static str,
    /// Spaces from a key to the keys of the mapping nested under it.
    pub indent: usize,
    /// Whether block sequences under a key are indented (`key:\n  - a`) rather than written at
    /// the key's column (`key:\n- a`).
    pub indented_sequences: bool,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            eol: "\n",
            indent: 2,
            indented_sequences: true,
        }
    }
}

/// Column (in bytes; indentation is spaces) of a byte offset.
pub fn column(text: &str, offset: usize) -> usize {
    offset - line_start(text, offset)
}

/// Start of the line holding `offset`.
pub fn line_start(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1)
}

/// Where the line holding `offset` ends: its line break, or the end of the text.
pub fn line_end(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text[offset..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| offset + i)
}

/// [`detect`], once per text and tree within [`super::memo::remembering`].
pub fn detect_once(text: &str, tree: &Tree) -> Style {
    let key = (
        text.as_ptr() as usize,
        text.len(),
        std::ptr::from_ref(tree) as usize,
    );
    super::memo::once("style", key, || detect(text, tree))
}

/// Detect the layout of a file from its text and tree; a file with nothing to learn from gets
/// the defaults (LF, two spaces, indented sequences).
pub fn detect(text: &str, tree: &Tree) -> Style {
    let eol = match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    };
    let mut steps: HashMap<usize, usize> = HashMap::new();
    let (mut indented, mut flush) = (0usize, 0usize);
    for id in tree.node_ids() {
        let NodeKind::Mapping {
            style: CollectionStyle::Block,
            entries,
        } = &tree.node(id).kind
        else {
            continue;
        };
        for e in entries {
            let key_col = column(text, tree.span(e.key).start);
            match &tree.node(e.value).kind {
                NodeKind::Mapping {
                    style: CollectionStyle::Block,
                    entries: children,
                } => {
                    if let Some(c) = children.first() {
                        let child_col = column(text, tree.span(c.key).start);
                        if child_col > key_col {
                            *steps.entry(child_col - key_col).or_default() += 1;
                        }
                    }
                }
                NodeKind::Sequence {
                    style: CollectionStyle::Block,
                    ..
                } => {
                    let dash_col = column(text, tree.span(e.value).start);
                    if dash_col > key_col {
                        indented += 1;
                    } else {
                        flush += 1;
                    }
                }
                _ => {}
            }
        }
    }
    let indent = steps
        .into_iter()
        .max_by_key(|&(step, count)| (count, std::cmp::Reverse(step)))
        .map_or(2, |(step, _)| step);
    Style {
        eol,
        indent,
        indented_sequences: indented >= flush,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, parse};

    fn style(text: &str) -> Style {
        detect(text, &parse(text, &Limits::default()).unwrap())
    }

    #[test]
    fn detects_indent_sequences_and_line_endings() {
        assert_eq!(
            style("a:\n  b:\n    c: 1\n  d:\n    - x\n"),
            Style {
                eol: "\n",
                indent: 2,
                indented_sequences: true
            }
        );
        assert_eq!(
            style("a:\r\n    b:\r\n        c: 1\r\n    d:\r\n    - x\r\n"),
            Style {
                eol: "\r\n",
                indent: 4,
                indented_sequences: false
            }
        );
        assert_eq!(style(""), Style::default());
    }

    #[test]
    fn lines_and_columns() {
        let t = "ab\r\n  cd\nef";
        assert_eq!(line_start(t, 6), 4);
        assert_eq!(column(t, 6), 2);
        assert_eq!(line_end(t, 5), 8);
        assert_eq!(line_end(t, 9), 11);
    }
}
