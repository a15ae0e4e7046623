use super::*;
use crate::source::{LineIndex, Position};

fn parse_ok(text: &str) -> Tree {
    parse(text, &Limits::default()).unwrap_or_else(|e| panic!("{e:?}"))
}

fn root(tree: &Tree) -> NodeId {
    tree.documents[0].root.expect("root")
}

/// Follow a path of mapping keys and sequence indexes from the root.
fn at(tree: &Tree, path: &[&str]) -> NodeId {
    let mut id = root(tree);
    for p in path {
        id = match p.parse::<usize>() {
            Ok(i) => tree.items(id).expect("sequence")[i],
            Err(_) => tree.get(id, p).unwrap_or_else(|| panic!("no key {p}")),
        };
    }
    id
}

fn key_at(tree: &Tree, path: &[&str]) -> NodeId {
    let (last, parent) = path.split_last().unwrap();
    let map = at(tree, parent);
    tree.entry(map, last).unwrap().key
}

fn src<'a>(tree: &Tree, text: &'a str, id: NodeId) -> &'a str {
    tree.span(id).slice(text)
}

/// Comments everywhere, every scalar style, a multi-byte character before a value, flow and
/// block collections, block scalars, anchors and a merge; CRLF line endings and a BOM.
const NASTY_LF: &str = "# head comment
services: # right of services
  # above etcd
  etcd: &etcd
    image: 'quay.io/coreos/etcd:v3.5.18'   # single
    command: \"etcd --data-dir=/etcd\"
    environment:
      ÉTIQUETTE: \"é\" # multi-byte before
      MODE: revision
    volumes: [ './v:/etcd', {type: tmpfs, target: /t} ]
  other:
    <<: *etcd
    script: |
      line one
      line two

    folded: >-
      a
      b
    list:
    - x
    - &y y # after
    - !!str 3
# tail comment
";

static NASTY_TEXT: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("\u{feff}{}", NASTY_LF.replace('\n', "\r\n")));

#[test]
fn spans_slice_to_the_source_of_each_node() {
    let t = parse_ok(&NASTY_TEXT);
    let text: &str = &NASTY_TEXT;
    assert_eq!(
        src(&t, text, at(&t, &["services", "etcd", "image"])),
        "'quay.io/coreos/etcd:v3.5.18'"
    );
    assert_eq!(
        t.scalar(at(&t, &["services", "etcd", "image"])),
        Some("quay.io/coreos/etcd:v3.5.18")
    );
    assert_eq!(
        src(&t, text, at(&t, &["services", "etcd", "command"])),
        "\"etcd --data-dir=/etcd\""
    );
    assert_eq!(
        src(
            &t,
            text,
            key_at(&t, &["services", "etcd", "environment", "ÉTIQUETTE"])
        ),
        "ÉTIQUETTE"
    );
    assert_eq!(
        src(
            &t,
            text,
            at(&t, &["services", "etcd", "environment", "ÉTIQUETTE"])
        ),
        "\"é\""
    );
    assert_eq!(
        src(&t, text, at(&t, &["services", "etcd", "volumes"])),
        "[ './v:/etcd', {type: tmpfs, target: /t} ]"
    );
    assert_eq!(
        src(&t, text, at(&t, &["services", "etcd", "volumes", "1"])),
        "{type: tmpfs, target: /t}"
    );
    assert_eq!(
        src(&t, text, at(&t, &["services", "other", "script"])),
        "|\r\n      line one\r\n      line two"
    );
    assert_eq!(
        t.scalar(at(&t, &["services", "other", "script"])),
        Some("line one\nline two\n")
    );
    assert_eq!(
        src(&t, text, at(&t, &["services", "other", "folded"])),
        ">-\r\n      a\r\n      b"
    );
    assert_eq!(
        src(&t, text, at(&t, &["services", "other", "list"])),
        "- x\r\n    - &y y # after\r\n    - !!str 3"
    );
    let y = at(&t, &["services", "other", "list", "1"]);
    assert_eq!(src(&t, text, y), "y");
    assert_eq!(t.node(y).anchor.as_ref().unwrap().span.slice(text), "&y");
    let three = at(&t, &["services", "other", "list", "2"]);
    assert_eq!(t.node(three).tag.as_ref().unwrap().text, "!!str");
    // A block mapping spans its first key to its last value.
    let env = at(&t, &["services", "etcd", "environment"]);
    assert_eq!(
        src(&t, text, env),
        "ÉTIQUETTE: \"é\" # multi-byte before\r\n      MODE: revision"
    );
}

#[test]
fn positions_are_one_based_characters() {
    let t = parse_ok(&NASTY_TEXT);
    let lines = LineIndex::new(&NASTY_TEXT);
    let v = at(&t, &["services", "etcd", "environment", "ÉTIQUETTE"]);
    // `      ÉTIQUETTE: "é"`: the value is the 18th character of line 8.
    assert_eq!(
        lines.position(&NASTY_TEXT, t.span(v).start),
        Position {
            line: 8,
            column: 18
        }
    );
    let mode = at(&t, &["services", "etcd", "environment", "MODE"]);
    assert_eq!(
        lines.position(&NASTY_TEXT, t.span(mode).start),
        Position {
            line: 9,
            column: 13
        }
    );
    // The head comment follows a BOM, which is not a column.
    assert_eq!(
        lines.position(&NASTY_TEXT, t.comments[0].span.start),
        Position { line: 1, column: 1 }
    );
}

#[test]
fn comments_are_kept_with_spans_and_placement() {
    let t = parse_ok(&NASTY_TEXT);
    let texts: Vec<(&str, CommentPlacement)> = t
        .comments
        .iter()
        .map(|c| (c.span.slice(&NASTY_TEXT), c.placement))
        .collect();
    assert_eq!(
        texts,
        vec![
            ("# head comment", CommentPlacement::Above),
            ("# right of services", CommentPlacement::Right),
            ("# above etcd", CommentPlacement::Above),
            ("# single", CommentPlacement::Right),
            ("# multi-byte before", CommentPlacement::Right),
            ("# after", CommentPlacement::Right),
            ("# tail comment", CommentPlacement::Above),
        ]
    );
    assert_eq!(t.comments[0].text, " head comment");
}

#[test]
fn aliases_stay_references_and_merges_resolve() {
    let t = parse_ok(&NASTY_TEXT);
    let other = at(&t, &["services", "other"]);
    let merge = t.merge_entries(other).next().unwrap();
    assert!(t.is_alias(merge.value));
    assert_eq!(t.span(merge.value).slice(&NASTY_TEXT), "*etcd");
    assert_eq!(t.alias_target_anchor(merge.value).unwrap().name, "etcd");
    // `image` comes from the merge, through the alias, pointing into the anchor's definition.
    let image = t.entry(other, "image").unwrap();
    assert_eq!(image.merged_via, Some(merge.value));
    assert_eq!(
        t.span(image.value).slice(&NASTY_TEXT),
        "'quay.io/coreos/etcd:v3.5.18'"
    );
    // Own keys are not merged.
    assert_eq!(t.entry(other, "script").unwrap().merged_via, None);
    // `<<` is not an effective entry.
    assert!(t.entry(other, "<<").is_none());
}

#[test]
fn merge_list_precedence_and_own_keys_win() {
    let text = "a: &a {x: 1, y: 1}\nb: &b {x: 2, z: 2}\nc:\n  <<: [*a, *b]\n  y: 3\n";
    let t = parse_ok(text);
    let c = at(&t, &["c"]);
    assert_eq!(t.scalar(t.get(c, "x").unwrap()), Some("1"));
    assert_eq!(t.scalar(t.get(c, "y").unwrap()), Some("3"));
    assert_eq!(t.scalar(t.get(c, "z").unwrap()), Some("2"));
}

#[test]
fn nested_merges_resolve() {
    let text = "a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nc: {<<: *b}\n";
    let t = parse_ok(text);
    let c = at(&t, &["c"]);
    assert_eq!(t.scalar(t.get(c, "x").unwrap()), Some("1"));
    assert_eq!(t.scalar(t.get(c, "y").unwrap()), Some("2"));
}

#[test]
fn self_merge_is_an_error() {
    let e = parse("a: &a {<<: *a}\n", &Limits::default()).unwrap_err();
    assert_eq!(e.kind, YamlErrorKind::MergeBudget);
}

#[test]
fn merge_bomb_is_bounded() {
    // Nine levels of ten merges each: without memoisation this is 10^9 lookups.
    let mut text = String::from("l0: &l0 {k: v}\n");
    for level in 1..10 {
        let refs = vec![format!("*l{}", level - 1); 10].join(", ");
        text.push_str(&format!("l{level}: &l{level} {{<<: [{refs}]}}\n"));
    }
    let t = parse_ok(&text);
    let last = at(&t, &["l9"]);
    assert_eq!(t.scalar(t.get(last, "k").unwrap()), Some("v"));
    let limits = Limits {
        max_merge_work: 5,
        ..Limits::default()
    };
    let e = parse(&text, &limits).unwrap_err();
    assert_eq!(e.kind, YamlErrorKind::MergeBudget);
}

#[test]
fn duplicate_keys_are_recorded_with_both_locations() {
    let text = "services:\n  etcd:\n    image: a\n    image: b\n";
    let t = parse_ok(text);
    assert_eq!(t.duplicates.len(), 1);
    let d = &t.duplicates[0];
    assert_eq!(d.key, "image");
    assert_eq!(d.first, Span::new(22, 27));
    assert_eq!(d.second, Span::new(35, 40));
    // Large mappings use the indexed path.
    let mut big = String::new();
    for i in 0..40 {
        big.push_str(&format!("k{i}: v\n"));
    }
    big.push_str("k7: again\n");
    let t = parse_ok(&big);
    assert_eq!(t.duplicates.len(), 1);
    assert_eq!(t.duplicates[0].first.slice(&big), "k7");
    assert_eq!(t.duplicates[0].second.start, big.rfind("k7").unwrap());
}

#[test]
fn empty_values_and_nulls() {
    let text = "a:\nb: ~\nc: null\nd: ''\n";
    let t = parse_ok(text);
    for k in ["a", "b", "c"] {
        assert!(t.is_null(at(&t, &[k])), "{k}");
    }
    assert!(!t.is_null(at(&t, &["d"])));
    // An implicit null sits right after its colon.
    assert_eq!(t.span(at(&t, &["a"])), Span::empty(2));
}

#[test]
fn indentless_and_indented_sequences_span_from_the_dash() {
    let text = "a:\n- x\n- y\nb:\n  - z\n";
    let t = parse_ok(text);
    assert_eq!(src(&t, text, at(&t, &["a"])), "- x\n- y");
    assert_eq!(src(&t, text, at(&t, &["b"])), "- z");
}

#[test]
fn multiple_documents_are_kept_apart() {
    let text = "a: &x 1\n---\nb: 2\n...\n---\n";
    let t = parse_ok(text);
    assert_eq!(t.documents.len(), 3);
    assert!(!t.documents[0].explicit_start);
    assert!(t.documents[1].explicit_start);
    assert_eq!(t.documents[2].root.map(|r| t.is_null(r)), Some(true));
}

#[test]
fn an_alias_names_the_latest_anchor_of_an_earlier_document() {
    // As Go's yaml.v3 reads a stream: anchors carry over to the documents that follow.
    let text = "a: &x 1\n---\nb: *x\nc: &x 2\nd: *x\n---\ne: *x\n";
    let t = parse(text, &Limits::default()).unwrap();
    let value = |doc: usize, key: &str| {
        let root = t.documents[doc].root.unwrap();
        let v = t.resolve(t.get(root, key).unwrap());
        (t.scalar(v).unwrap().to_string(), t.span(v).start)
    };
    assert_eq!(value(1, "b"), ("1".to_string(), 6));
    assert_eq!(value(1, "d"), ("2".to_string(), text.find("2").unwrap()));
    assert_eq!(value(2, "e"), ("2".to_string(), text.find("2").unwrap()));
    // One defined only later is unknown.
    let e = parse("a: *x\n---\nb: &x 1\n", &Limits::default()).unwrap_err();
    assert_eq!(e.kind, YamlErrorKind::Syntax);
    assert_eq!(e.offset, 3);
}

#[test]
fn limits_are_enforced_with_locations() {
    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let e = parse(&deep, &Limits::default()).unwrap_err();
    assert_eq!(e.kind, YamlErrorKind::TooDeep);
    assert!(e.offset > 0 && e.offset <= 200, "{}", e.offset);

    let mut block = String::new();
    for i in 0..200 {
        block.push_str(&" ".repeat(i));
        block.push_str("k:\n");
    }
    assert_eq!(
        parse(&block, &Limits::default()).unwrap_err().kind,
        YamlErrorKind::TooDeep
    );

    let many = "[1, 2, 3, 4, 5]";
    let limits = Limits {
        max_nodes: 3,
        ..Limits::default()
    };
    let e = parse(many, &limits).unwrap_err();
    assert_eq!(e.kind, YamlErrorKind::TooManyNodes);
    assert_eq!(e.offset, 7); // the fourth node, `3`

    let limits = Limits {
        max_bytes: 4,
        ..Limits::default()
    };
    assert_eq!(
        parse("a: bc", &limits).unwrap_err().kind,
        YamlErrorKind::TooLarge
    );
}

#[test]
fn syntax_errors_have_offsets() {
    let text = "a: [1, 2\nb: 3\n";
    let e = parse(text, &Limits::default()).unwrap_err();
    assert_eq!(e.kind, YamlErrorKind::Syntax);
    assert!(e.offset <= text.len());
    let text = "a:\n\tb: 1\n";
    assert!(parse(text, &Limits::default()).is_err());
}

#[test]
fn many_comments_in_a_row_are_fine() {
    let mut text = String::from("a:\n");
    for i in 0..500 {
        text.push_str(&format!("  # comment {i}\n"));
    }
    text.push_str("  b: 1\n");
    let t = parse_ok(&text);
    assert_eq!(t.comments.len(), 500);
}

#[test]
fn every_scalar_span_holds_its_value() {
    // For plain and quoted scalars the decoded value can be recovered from the span's text.
    let t = parse_ok(&NASTY_TEXT);
    for id in t.node_ids() {
        if let NodeKind::Scalar { value, style } = &t.node(id).kind {
            let raw = t.span(id).slice(&NASTY_TEXT);
            if raw.is_empty() {
                continue;
            }
            assert!(
                scalar::source_map(raw, *style, value).is_some(),
                "{raw:?} -> {value:?}"
            );
        }
    }
}
