//! `yaml-duplicate-key`: a key written twice in one mapping.

use super::{DiagnosticExt, DocumentContext, Rule, RuleMeta};
use crate::compose::Origin;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{LineIndex, Span};
use crate::yaml::{NodeId, NodeKind, ScalarStyle, Tree};

pub struct YamlDuplicateKey;

static META: RuleMeta = RuleMeta {
    id: "yaml-duplicate-key",
    severity: Severity::Error,
    summary: "a key is written twice in one mapping: Docker Compose refuses the file, other YAML \
              readers silently keep only the last value",
    doc: include_str!("../../rules/yaml-duplicate-key.md"),
};

/// Above this many documents in a file, the line of the first occurrence is not counted from
/// the start of the file (the count would be repeated for every document).
const MAX_DOCUMENTS_FOR_LINES: usize = 64;

impl Rule for YamlDuplicateKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &super::Context<'_>, _out: &mut Vec<Diagnostic>) {}

    fn check_document(&self, cx: &DocumentContext<'_>, out: &mut Vec<Diagnostic>) {
        let tree = cx.source.tree;
        let text = cx.source.text;
        let root = tree.span(cx.root);
        // The tree records duplicates document after document, so this document's are one run
        // of the list, found by position without looking at the others.
        let dups = &tree.duplicates;
        let lo = dups.partition_point(|d| d.second.start < root.start);
        let hi = dups.partition_point(|d| d.second.start <= root.end).max(lo);
        let mut found: Vec<(NodeId, String, Span, Span)> = dups[lo..hi]
            .iter()
            .filter(|d| root.contains(d.second))
            .map(|d| (d.mapping, d.key.clone(), d.first, d.second))
            .collect();
        // `<<` written twice: the tree keeps both as merges, yaml.v3 refuses it as a duplicate.
        merge_keys_twice(tree, cx.root, &mut found);
        found.sort_by_key(|f| f.3.start);
        if found.is_empty() {
            return;
        }
        let lines = (tree.documents.len() <= MAX_DOCUMENTS_FOR_LINES).then(|| LineIndex::new(text));
        for (mapping, key, first, second) in found {
            let shown = clip(&key);
            let (first_line, second_line) = match &lines {
                Some(l) => (l.line_of(first.start), Some(l.line_of(second.start))),
                None => (0, None),
            };
            let (at, compose) = match second_line {
                Some(l2) => (
                    format!(" (first at line {first_line})"),
                    format!(
                        "line {l2}: mapping key \"{shown}\" already defined at line {first_line}"
                    ),
                ),
                None => (
                    String::new(),
                    format!("mapping key \"{shown}\" already defined"),
                ),
            };
            let mut d = META
                .diagnostic(
                    Origin {
                        file: cx.file,
                        span: second,
                    },
                    format!(
                        "`{shown}` is defined twice in this mapping{at}: Docker Compose refuses \
                         the file (\"{compose}\"), and YAML readers that accept it silently keep \
                         only the last value"
                    ),
                )
                .label("defined again here")
                .help("keep one entry: merge the two values into it, or remove the one not meant")
                .related(
                    Origin {
                        file: cx.file,
                        span: first,
                    },
                    "first defined here",
                );
            d.service = service_of(tree, cx.root, mapping);
            out.push(d);
        }
    }
}

/// Every mapping of the document (aliases not followed) that has `<<` after an earlier `<<`:
/// (mapping, "<<", first, again). Only a mapping with a plain `<<` can have one (two quoted
/// `"<<"` are ordinary keys), and the tree lists those.
fn merge_keys_twice(tree: &Tree, root: NodeId, out: &mut Vec<(NodeId, String, Span, Span)>) {
    let within = tree.span(root);
    let mut merging: Vec<NodeId> = tree
        .merging_mappings()
        .filter(|&m| within.contains(tree.span(m)))
        .collect();
    merging.sort_unstable();
    for id in merging {
        let Some(entries) = tree.own_entries(id) else {
            continue;
        };
        let mut first: Option<NodeId> = None;
        let mut quoted_seen = false;
        for e in entries {
            let NodeKind::Scalar { value, style } = &tree.node(e.key).kind else {
                continue;
            };
            if value != "<<" {
                continue;
            }
            let quoted = *style != ScalarStyle::Plain;
            match first {
                None => first = Some(e.key),
                // Two quoted `"<<"` are ordinary keys, which the tree records itself.
                Some(f) if !(quoted && quoted_seen) => {
                    out.push((id, "<<".to_string(), tree.span(f), tree.span(e.key)))
                }
                Some(_) => {}
            }
            quoted_seen |= quoted;
        }
    }
}

/// The service whose definition holds `mapping`, when it is under `services.<name>`.
fn service_of(tree: &Tree, root: NodeId, mapping: NodeId) -> Option<String> {
    let root = tree.resolve(root);
    let mut chain = vec![mapping];
    let mut cur = mapping;
    while let Some(p) = tree.parent(cur) {
        chain.push(p);
        cur = p;
        if chain.len() > 256 {
            return None;
        }
    }
    if cur != root || chain.len() < 3 {
        return None;
    }
    let services = chain[chain.len() - 2];
    let service = chain[chain.len() - 3];
    let under_services = tree
        .entry_of(root, services)
        .is_some_and(|e| e.value == services && tree.scalar(e.key) == Some("services"));
    if !under_services {
        return None;
    }
    let e = tree.entry_of(services, service)?;
    (e.value == service)
        .then(|| tree.scalar(e.key).map(str::to_string))
        .flatten()
}

/// At most 60 characters of a key.
fn clip(s: &str) -> &str {
    match s.char_indices().nth(60) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use crate::check::{Options, check_text};
    use crate::diagnostic::Diagnostic;
    use crate::discover::FileKind;
    use crate::source::LineIndex;

    fn run(text: &str) -> Vec<Diagnostic> {
        check_text(text, FileKind::Compose, &Options::default())
            .unwrap()
            .into_iter()
            .filter(|d| d.rule == "yaml-duplicate-key")
            .collect()
    }

    fn found(text: &str) -> Vec<String> {
        let lines = LineIndex::new(text);
        run(text)
            .iter()
            .map(|d| {
                let rel = d
                    .related
                    .iter()
                    .map(|r| lines.position(text, r.origin.span.start).to_string())
                    .collect::<Vec<_>>()
                    .join(",");
                format!(
                    "{} (first {rel})",
                    lines.position(text, d.origin.span.start)
                )
            })
            .collect()
    }

    #[test]
    fn a_key_written_twice_is_reported_at_the_second_with_the_first_related() {
        let text = "services:\n  etcd:\n    image: a\n    command: x\n    image: b\n";
        assert_eq!(found(text), ["5:5 (first 3:5)"]);
        let d = &run(text)[0];
        assert_eq!(d.origin.span.slice(text), "image");
        assert_eq!(d.service.as_deref(), Some("etcd"));
        assert!(
            d.message
                .contains("line 5: mapping key \"image\" already defined at line 3"),
            "{}",
            d.message
        );
        assert!(
            d.message.contains("keep only the last value"),
            "{}",
            d.message
        );
    }

    #[test]
    fn quoted_and_plain_spellings_of_a_key_are_the_same_key() {
        let text = "services:\n  a:\n    image: x\n    \"image\": y\n";
        assert_eq!(found(text), ["4:5 (first 3:5)"]);
    }

    #[test]
    fn top_level_and_nested_duplicates_are_all_reported_in_order() {
        let text =
            "services:\n  a:\n    environment:\n      A: 1\n      A: 2\nservices:\n  b: {}\n";
        assert_eq!(found(text), ["5:7 (first 4:7)", "6:1 (first 1:1)"]);
        assert_eq!(run(text)[1].service, None);
    }

    #[test]
    fn each_document_reports_its_own_duplicates_once() {
        let text = "services:\n  a:\n    image: x\n    image: y\n---\nservices:\n  b:\n    image: x\n---\nservices:\n  c:\n    user: x\n    user: y\n";
        assert_eq!(found(text), ["4:5 (first 3:5)", "13:5 (first 12:5)"]);
    }

    #[test]
    fn merge_key_written_twice_is_a_duplicate() {
        let text =
            "x-a: &a {image: x}\nx-b: &b {user: y}\nservices:\n  s:\n    <<: *a\n    <<: *b\n";
        assert_eq!(found(text), ["6:5 (first 5:5)"]);
        assert!(run(text)[0].message.contains("mapping key \"<<\""));
    }

    #[test]
    fn a_merge_key_and_a_key_it_brings_in_are_not_duplicates() {
        let text = "x-a: &a\n  image: x\nservices:\n  s:\n    <<: *a\n    image: y\n";
        assert!(found(text).is_empty());
    }

    #[test]
    fn crlf_and_lone_cr_count_as_one_line_each() {
        let text = "services:\r\n  a:\r\n    image: x\r\n    image: y\r\n";
        let d = &run(text)[0];
        assert!(
            d.message
                .contains("line 4: mapping key \"image\" already defined at line 3")
        );
    }
}
