//! Builds a [`Tree`] from granit-parser events.

use super::scalar::ScalarStyle;
use super::{
    Anchor, CollectionStyle, Comment, CommentPlacement, Document, DuplicateKey, Entry, Limits,
    Node, NodeId, NodeKind, Tag, Tree, YamlError, YamlErrorKind,
};
use crate::source::Span;
use granit_parser::{Event, Parser, ScanError, StructureStyle};
use std::collections::{HashMap, HashSet};

enum Frame {
    Sequence {
        id: NodeId,
        items: Vec<NodeId>,
    },
    Mapping {
        id: NodeId,
        entries: Vec<Entry>,
        pending_key: Option<NodeId>,
        /// Scalar keys seen so far, once the mapping is too big for a linear scan.
        index: Option<HashMap<String, Span>>,
    },
}

/// Above this many entries, duplicate keys are found with a hash map.
const LINEAR_KEY_SCAN: usize = 16;

struct Builder<'t> {
    text: &'t str,
    limits: &'t Limits,
    tree: Tree,
    stack: Vec<Frame>,
    anchors: HashMap<usize, NodeId>,
    /// Every anchor seen so far in the stream, by name, the latest definition winning: an
    /// alias the parser cannot resolve in its own document names an earlier document's
    /// anchor, as Go's yaml.v3 (Docker Compose's reader) keeps anchors across documents.
    earlier_anchors: HashMap<String, NodeId>,
    last_node: Option<NodeId>,
    doc_root: Option<NodeId>,
    doc_explicit: bool,
    /// End of the previous token; a block scalar's header lies after it.
    prev_end: usize,
    /// Emptied item and entry vectors of closed collections, for the next ones opened: a
    /// collection is filled in one of them and its node gets an exact copy.
    spare_items: Vec<Vec<NodeId>>,
    spare_entries: Vec<Vec<Entry>>,
    /// The mappings with a plain `<<` key, once for each such key.
    merging: Vec<NodeId>,
}

/// The size of text from which a tree gives back the room its vectors keep to spare.
const SHRUNK_FROM: usize = 64 * 1024;

pub(super) fn build(text: &str, limits: &Limits, comments: bool) -> Result<Tree, YamlError> {
    let options = granit_parser::options! {
        emit_anchor_events: true,
        emit_unresolved_aliases: true,
        emit_comments: comments,
        // Comments are bounded by the input size; long comment blocks are common in milvus.yaml.
        max_buffered_comment_events: limits.max_bytes / 2 + 96,
        flow_nesting_limit: limits.max_depth,
        block_nesting_limit: limits.max_depth,
    };
    let mut b = Builder {
        text,
        limits,
        tree: Tree::default(),
        stack: Vec::new(),
        anchors: HashMap::new(),
        earlier_anchors: HashMap::new(),
        last_node: None,
        doc_root: None,
        doc_explicit: false,
        prev_end: 0,
        spare_items: Vec::new(),
        spare_entries: Vec::new(),
        merging: Vec::new(),
    };
    if text.len() < SHRUNK_FROM {
        // About two nodes a line (a key and its value), so that the node vectors of a small
        // file are not grown and copied a dozen times; a large one is sized by growing.
        let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1;
        b.tree.nodes.reserve(lines * 2);
        b.tree.parents.reserve(lines * 2);
    }
    for next in Parser::new_from_str_with_options(text, options) {
        let (event, span) = next.map_err(|e| scan_error(text, &e))?;
        let range = span.byte_range().unwrap_or(0..0);
        let ev_span = Span::new(range.start, range.end);
        match event {
            Event::DocumentStart(explicit, _) => {
                b.doc_root = None;
                b.doc_explicit = explicit;
                b.anchors.clear();
            }
            Event::DocumentEnd => {
                b.tree.documents.push(Document {
                    root: b.doc_root.take(),
                    explicit_start: b.doc_explicit,
                });
            }
            Event::Comment(text, placement) => {
                b.tree.comments.push(Comment {
                    text: text.into_owned(),
                    span: ev_span,
                    placement: match placement {
                        granit_parser::Placement::Above => CommentPlacement::Above,
                        granit_parser::Placement::Right => CommentPlacement::Right,
                        _ => CommentPlacement::Free,
                    },
                });
                continue; // a comment is not a token for block-scalar header search
            }
            Event::Anchor(id, name) => {
                if let Some(node) = b.last_node {
                    let name = name.into_owned();
                    b.earlier_anchors.insert(name.clone(), node);
                    b.tree.nodes[node.index()].anchor = Some(Box::new(Anchor {
                        name,
                        span: ev_span,
                    }));
                    b.anchors.insert(id, node);
                }
            }
            Event::Alias(id) => {
                let Some(&target) = b.anchors.get(&id) else {
                    return Err(YamlError {
                        kind: YamlErrorKind::Syntax,
                        message: "alias refers to an unknown anchor".into(),
                        offset: ev_span.start,
                    });
                };
                let name = ev_span.slice(text).trim_start_matches('*').to_string();
                let node = b.new_node(NodeKind::Alias { name, target }, ev_span, None)?;
                b.attach(node);
            }
            Event::UnresolvedAlias(name) => {
                // No definition precedes it in its own document: the latest one of an earlier
                // document, if any (anchors of this document are all defined after it).
                let Some(&target) = b.earlier_anchors.get(name.as_ref()) else {
                    return Err(YamlError {
                        kind: YamlErrorKind::Syntax,
                        message: format!("alias `*{name}` refers to an unknown anchor"),
                        offset: ev_span.start,
                    });
                };
                let node = b.new_node(
                    NodeKind::Alias {
                        name: name.into_owned(),
                        target,
                    },
                    ev_span,
                    None,
                )?;
                b.attach(node);
            }
            Event::Scalar(value, style, _, _) => {
                let style = ScalarStyle::from(style);
                let tag = b.tag_of(&span);
                let node_span = b.scalar_span(ev_span, style, value.as_ref());
                let value = if style == ScalarStyle::Plain && ev_span.is_empty() {
                    String::new()
                } else {
                    value.into_owned()
                };
                let node = b.new_node(NodeKind::Scalar { value, style }, node_span, tag)?;
                b.attach(node);
            }
            Event::SequenceStart(style, _, _) => {
                let tag = b.tag_of(&span);
                let style = collection_style(style);
                let node = b.new_node(
                    NodeKind::Sequence {
                        style,
                        items: Vec::new(),
                    },
                    ev_span,
                    tag,
                )?;
                let items = b.spare_items.pop().unwrap_or_default();
                b.stack.push(Frame::Sequence { id: node, items });
            }
            Event::MappingStart(style, _, _) => {
                let tag = b.tag_of(&span);
                let style = collection_style(style);
                let node = b.new_node(
                    NodeKind::Mapping {
                        style,
                        entries: Vec::new(),
                    },
                    ev_span,
                    tag,
                )?;
                let entries = b.spare_entries.pop().unwrap_or_default();
                b.stack.push(Frame::Mapping {
                    id: node,
                    entries,
                    pending_key: None,
                    index: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = b.close(ev_span);
                b.attach(node);
            }
            // Stream markers; unresolved aliases are errors with the options used here.
            _ => {}
        }
        b.prev_end = b.prev_end.max(ev_span.end);
    }
    resolve_merges(&mut b.tree, b.merging, limits)?;
    let mut tree = b.tree;
    // The node vectors grown by pushing keep room to spare: in a large file, give it back,
    // since the tree lives as long as the file is checked (in a small one it is little, and
    // giving it back costs more than it saves). Items and entries are exact copies already.
    if text.len() >= SHRUNK_FROM {
        tree.nodes.shrink_to_fit();
        tree.parents.shrink_to_fit();
    }
    Ok(tree)
}

fn collection_style(style: StructureStyle) -> CollectionStyle {
    match style {
        StructureStyle::Flow => CollectionStyle::Flow,
        _ => CollectionStyle::Block,
    }
}

fn scan_error(text: &str, e: &ScanError) -> YamlError {
    let kind = match e.kind() {
        granit_parser::ErrorKind::RecursionLimitExceeded => YamlErrorKind::TooDeep,
        _ => YamlErrorKind::Syntax,
    };
    let mut offset = e.marker().byte_offset().unwrap_or(0).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let mut message = e.info();
    if kind == YamlErrorKind::TooDeep {
        message = format!("collections nest deeper than the limit ({message})");
    }
    YamlError {
        kind,
        message,
        offset,
    }
}

impl Builder<'_> {
    fn new_node(
        &mut self,
        kind: NodeKind,
        span: Span,
        tag: Option<Tag>,
    ) -> Result<NodeId, YamlError> {
        if self.tree.nodes.len() >= self.limits.max_nodes {
            return Err(YamlError {
                kind: YamlErrorKind::TooManyNodes,
                message: format!("more than {} YAML nodes", self.limits.max_nodes),
                offset: span.start,
            });
        }
        let id = NodeId(self.tree.nodes.len() as u32);
        self.tree.parents.push(None);
        self.tree.nodes.push(Node {
            kind,
            span,
            anchor: None,
            tag: tag.map(Box::new),
        });
        self.last_node = Some(id);
        Ok(id)
    }

    fn tag_of(&self, span: &granit_parser::Span) -> Option<Tag> {
        let tag_span = span.tag_span()?;
        let range = tag_span.byte_range()?;
        let span = Span::new(range.start, range.end);
        Some(Tag {
            text: span.slice(self.text).to_string(),
            span,
        })
    }

    /// The span of a scalar's source text. Block scalars get their header and lose the blank
    /// lines and indentation the parser includes after their content; an implicit null sits
    /// just after the `:` it follows.
    fn scalar_span(&self, span: Span, style: ScalarStyle, value: &str) -> Span {
        let bytes = self.text.as_bytes();
        match style {
            ScalarStyle::Literal | ScalarStyle::Folded => {
                let header = block_scalar_header(self.text, self.prev_end, span.start);
                let mut end = span.end.min(bytes.len());
                while end > span.start && matches!(bytes[end - 1], b' ' | b'\t' | b'\r' | b'\n') {
                    end -= 1;
                }
                // Keep trailing blanks of the last content line: they are content.
                if end > span.start {
                    while end < span.end && end < bytes.len() && matches!(bytes[end], b' ' | b'\t')
                    {
                        end += 1;
                    }
                }
                if value.is_empty() && end <= span.start {
                    // An empty block scalar is only its header.
                    let h_end = header
                        + self.text[header..]
                            .find(['\r', '\n', ' ', '#'])
                            .unwrap_or(self.text.len() - header);
                    return Span::new(header, h_end);
                }
                Span::new(header, end)
            }
            ScalarStyle::Plain if span.is_empty() && bytes.get(span.start) == Some(&b':') => {
                Span::empty(span.start + 1)
            }
            _ => span,
        }
    }

    fn attach(&mut self, child: NodeId) {
        self.tree.parents[child.index()] = match self.stack.last() {
            Some(Frame::Sequence { id, .. } | Frame::Mapping { id, .. }) => Some(*id),
            None => None,
        };
        match self.stack.last_mut() {
            None => self.doc_root = Some(child),
            Some(Frame::Sequence { items, .. }) => items.push(child),
            Some(Frame::Mapping {
                id,
                entries,
                pending_key,
                index,
            }) => match pending_key.take() {
                None => *pending_key = Some(child),
                Some(key) => {
                    let nodes = &self.tree.nodes;
                    if let NodeKind::Scalar { value: k, style } = &nodes[key.index()].kind {
                        let is_merge = *style == ScalarStyle::Plain && k == "<<";
                        if is_merge {
                            self.merging.push(*id);
                        } else {
                            let key_span = nodes[key.index()].span;
                            let first = find_duplicate(nodes, entries, index, k, key_span);
                            if let Some(first) = first {
                                self.tree.duplicates.push(DuplicateKey {
                                    mapping: *id,
                                    key: k.clone(),
                                    first,
                                    second: key_span,
                                });
                            }
                        }
                    }
                    entries.push(Entry {
                        key,
                        value: child,
                        merged_via: None,
                    });
                }
            },
        }
    }

    fn close(&mut self, end_span: Span) -> NodeId {
        let frame = self.stack.pop().expect("parser balances collection events");
        let (id, kind_children) = match frame {
            Frame::Sequence { id, items } => (id, Ok(items)),
            Frame::Mapping { id, entries, .. } => (id, Err(entries)),
        };
        let start_span = self.tree.nodes[id.index()].span;
        let style = match &self.tree.nodes[id.index()].kind {
            NodeKind::Sequence { style, .. } | NodeKind::Mapping { style, .. } => *style,
            _ => CollectionStyle::Block,
        };
        let span = match style {
            CollectionStyle::Flow => Span::new(start_span.start, end_span.end),
            CollectionStyle::Block => {
                let (first, last) = match &kind_children {
                    Ok(items) => (items.first().copied(), items.last().copied()),
                    Err(entries) => (
                        entries.first().map(|e| e.key),
                        entries.last().map(|e| e.value),
                    ),
                };
                let mut start = first.map_or(start_span.start, |n| self.full_start(n));
                if kind_children.is_ok() {
                    start = dash_before(self.text, start).unwrap_or(start);
                }
                let mut end = last.map_or(start, |n| self.tree.nodes[n.index()].span.end);
                if let Err(entries) = &kind_children
                    && let Some(e) = entries.last()
                {
                    end = end.max(self.tree.nodes[e.key.index()].span.end);
                }
                Span::new(start, end.max(start))
            }
        };
        let node = &mut self.tree.nodes[id.index()];
        node.span = span;
        match (&mut node.kind, kind_children) {
            (NodeKind::Sequence { items, .. }, Ok(mut children)) => {
                *items = children.as_slice().to_vec();
                children.clear();
                self.spare_items.push(children);
            }
            (NodeKind::Mapping { entries, .. }, Err(mut children)) => {
                *entries = children.as_slice().to_vec();
                children.clear();
                self.spare_entries.push(children);
            }
            _ => {}
        }
        self.last_node = Some(id);
        id
    }

    /// Where a node's text starts, its anchor and tag included.
    fn full_start(&self, id: NodeId) -> usize {
        let n = &self.tree.nodes[id.index()];
        let mut start = n.span.start;
        if let Some(a) = &n.anchor {
            start = start.min(a.span.start);
        }
        if let Some(t) = &n.tag {
            start = start.min(t.span.start);
        }
        start
    }
}

fn find_duplicate(
    nodes: &[Node],
    entries: &[Entry],
    index: &mut Option<HashMap<String, Span>>,
    key: &str,
    key_span: Span,
) -> Option<Span> {
    let scalar_key = |e: &Entry| match &nodes[e.key.index()].kind {
        NodeKind::Scalar { value, style } if !(*style == ScalarStyle::Plain && value == "<<") => {
            Some((value.as_str(), nodes[e.key.index()].span))
        }
        _ => None,
    };
    if index.is_none() && entries.len() >= LINEAR_KEY_SCAN {
        let mut map = HashMap::with_capacity(entries.len() * 2);
        for e in entries {
            if let Some((k, s)) = scalar_key(e) {
                map.entry(k.to_string()).or_insert(s);
            }
        }
        *index = Some(map);
    }
    match index {
        Some(map) => match map.get(key) {
            Some(first) => Some(*first),
            None => {
                map.insert(key.to_string(), key_span);
                None
            }
        },
        None => entries
            .iter()
            .filter_map(scalar_key)
            .find(|(k, _)| *k == key)
            .map(|(_, s)| s),
    }
}

/// The `-` of a block sequence entry whose content starts at `start`, if only blanks separate
/// them.
fn dash_before(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = start.min(bytes.len());
    while i > 0 && matches!(bytes[i - 1], b' ' | b'\t' | b'\r' | b'\n') {
        i -= 1;
    }
    (i > 0 && bytes[i - 1] == b'-').then(|| i - 1)
}

/// The `|` or `>` that opens a block scalar whose content starts at `content`, searched from the
/// end of the previous token, skipping comments.
fn block_scalar_header(text: &str, prev_end: usize, content: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = prev_end.min(content);
    while i < content {
        match bytes[i] {
            b'|' | b'>' => return i,
            b'#' => {
                while i < content && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    content
}

/// Resolve `<<` merge keys of every mapping that has them, memoised, within the work budget.
fn resolve_merges(
    tree: &mut Tree,
    mut with_merges: Vec<NodeId>,
    limits: &Limits,
) -> Result<(), YamlError> {
    if with_merges.is_empty() {
        return Ok(());
    }
    with_merges.sort_unstable();
    with_merges.dedup();
    let mut work = 0usize;
    let mut in_progress = HashSet::new();
    let mut merged = HashMap::new();
    for id in with_merges {
        effective(tree, &mut merged, id, limits, &mut work, &mut in_progress)?;
    }
    let mut merged: Vec<(NodeId, Vec<Entry>)> = merged.into_iter().collect();
    merged.sort_unstable_by_key(|(id, _)| *id);
    tree.merged = merged;
    Ok(())
}

/// The effective entries of the mappings resolved so far, by mapping.
type Merged = HashMap<NodeId, Vec<Entry>>;

fn effective(
    tree: &Tree,
    merged: &mut Merged,
    id: NodeId,
    limits: &Limits,
    work: &mut usize,
    in_progress: &mut HashSet<NodeId>,
) -> Result<(), YamlError> {
    if merged.contains_key(&id) || tree.merge_entries(id).next().is_none() {
        return Ok(());
    }
    if !in_progress.insert(id) {
        return Err(YamlError {
            kind: YamlErrorKind::MergeBudget,
            message: "a `<<` merge refers to the mapping that contains it".into(),
            offset: tree.span(id).start,
        });
    }
    let own: Vec<Entry> = tree.own_entries(id).unwrap_or(&[]).to_vec();
    // Sources in precedence order: for `<<: [*a, *b]`, `a` wins over `b`.
    let mut sources: Vec<(NodeId, NodeId)> = Vec::new(); // (via, mapping)
    for e in own.iter().filter(|e| tree.is_merge_key(e.key)) {
        let v = tree.resolve(e.value);
        match &tree.node(v).kind {
            NodeKind::Mapping { .. } => sources.push((e.value, v)),
            NodeKind::Sequence { items, .. } => {
                for &item in items {
                    let m = tree.resolve(item);
                    if tree.is_mapping(m) {
                        sources.push((item, m));
                    }
                }
            }
            _ => {}
        }
    }
    let mut result: Vec<Entry> = own
        .iter()
        .filter(|e| !tree.is_merge_key(e.key))
        .copied()
        .collect();
    let mut keys: HashSet<String> = result
        .iter()
        .filter_map(|e| tree.scalar(e.key).map(str::to_string))
        .collect();
    let mut seen_sources = HashSet::new();
    for (via, src) in sources {
        if !seen_sources.insert(src) {
            continue;
        }
        effective(tree, merged, src, limits, work, in_progress)?;
        let src_entries = match merged.get(&src) {
            Some(entries) => entries.clone(),
            None => tree.own_entries(src).unwrap_or(&[]).to_vec(),
        };
        for se in src_entries {
            *work += 1;
            if *work > limits.max_merge_work {
                return Err(YamlError {
                    kind: YamlErrorKind::MergeBudget,
                    message: format!(
                        "`<<` merge keys need more than {} steps to resolve",
                        limits.max_merge_work
                    ),
                    offset: tree.span(via).start,
                });
            }
            let fresh = match tree.scalar(se.key) {
                Some(k) => keys.insert(k.to_string()),
                None => true,
            };
            if fresh {
                result.push(Entry {
                    key: se.key,
                    value: se.value,
                    merged_via: Some(via),
                });
            }
        }
    }
    in_progress.remove(&id);
    merged.insert(id, result);
    Ok(())
}
