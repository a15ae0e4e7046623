//! The YAML layer: the only code that reads YAML text.
//!
//! [`parse`] turns text into a [`Tree`]: an arena of nodes where every mapping key, value,
//! sequence item and comment carries its exact byte span. Quoting and block/flow style, anchors
//! and tags are kept on the node. Aliases stay references ([`NodeKind::Alias`]); `<<` merge keys
//! are resolved once, by lookup, under a work budget ([`Tree::entries`]). Duplicate keys are
//! recorded with both locations. Input size, nesting depth, node count and merge work are bounded
//! by [`Limits`].
//!
//! Spans cover a node's content: a quoted scalar's span includes its quotes, a block scalar's
//! span runs from its `|`/`>` header to the end of its last non-blank line, a flow collection's
//! span runs from its opening to its closing bracket, and a block collection's span runs from its
//! first entry (for a sequence, the first `-`) to the end of its last entry. Anchors and tags
//! have spans of their own.

mod build;
pub mod scalar;

use crate::source::Span;
use std::fmt;

pub use scalar::ScalarStyle;

/// Bounds on the work a single file may cause. Every one of them is reported as an error at a
/// location when exceeded.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest accepted input, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of collections (block and flow).
    pub max_depth: usize,
    /// Most nodes (scalars, collections, aliases) in one file.
    pub max_nodes: usize,
    /// Most mapping entries visited while resolving `<<` merge keys in one file.
    pub max_merge_work: usize,
}

impl Limits {
    pub const DEFAULT_MAX_BYTES: usize = 8 * 1024 * 1024;
    pub const DEFAULT_MAX_DEPTH: usize = 128;
    pub const DEFAULT_MAX_NODES: usize = 1_000_000;
    pub const DEFAULT_MAX_MERGE_WORK: usize = 100_000;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: Self::DEFAULT_MAX_BYTES,
            max_depth: Self::DEFAULT_MAX_DEPTH,
            max_nodes: Self::DEFAULT_MAX_NODES,
            max_merge_work: Self::DEFAULT_MAX_MERGE_WORK,
        }
    }
}

/// Why a text could not be turned into a tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum YamlErrorKind {
    /// Not valid YAML.
    Syntax,
    /// The input is larger than [`Limits::max_bytes`].
    TooLarge,
    /// Collections nest deeper than [`Limits::max_depth`].
    TooDeep,
    /// More nodes than [`Limits::max_nodes`].
    TooManyNodes,
    /// `<<` merges need more work than [`Limits::max_merge_work`], or a mapping merges itself.
    MergeBudget,
}

/// A YAML error at a byte offset of the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub kind: YamlErrorKind,
    pub message: String,
    pub offset: usize,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for YamlError {}

/// Index of a node in its [`Tree`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Block (`key: value`, `- item`) or flow (`{...}`, `[...]`) notation of a collection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollectionStyle {
    Block,
    Flow,
}

/// `&name` on a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub name: String,
    pub span: Span,
}

/// An explicit tag on a node, as written (`!reset`, `!!str`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    pub text: String,
    pub span: Span,
}

/// One `key: value` pair of a mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub key: NodeId,
    pub value: NodeId,
    /// For an entry that came from a `<<` merge: the node that brought it in (the alias, or the
    /// inline mapping, written under `<<`). `None` for the mapping's own entries.
    pub merged_via: Option<NodeId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Scalar {
        /// The value after quoting and escapes are processed; empty for an implicit null.
        value: String,
        style: ScalarStyle,
    },
    Sequence {
        style: CollectionStyle,
        items: Vec<NodeId>,
    },
    Mapping {
        style: CollectionStyle,
        /// The entries as written, `<<` included, in source order.
        entries: Vec<Entry>,
    },
    /// `*name`: a reference to an anchored node, never expanded.
    Alias { name: String, target: NodeId },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
    /// Boxed: few nodes have one, and every node pays for the room.
    pub anchor: Option<Box<Anchor>>,
    pub tag: Option<Box<Tag>>,
}

/// Where a comment sits relative to the YAML around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentPlacement {
    /// On its own line, directly above the next token.
    Above,
    /// After content on the same line.
    Right,
    /// On its own line, apart from nearby tokens.
    Free,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// The text after `#`.
    pub text: String,
    /// From `#` to the end of the line, line break excluded.
    pub span: Span,
    pub placement: CommentPlacement,
}

/// The same key written twice in one mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    pub mapping: NodeId,
    pub key: String,
    pub first: Span,
    pub second: Span,
}

/// One YAML document of a stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// `None` for an empty document.
    pub root: Option<NodeId>,
    /// Whether the document opened with an explicit `---`.
    pub explicit_start: bool,
}

/// The parsed stream: all documents of a file share one arena of nodes.
#[derive(Clone, Debug, Default)]
pub struct Tree {
    nodes: Vec<Node>,
    /// The collection each node is written in (`None` for document roots).
    parents: Vec<Option<NodeId>>,
    pub documents: Vec<Document>,
    pub comments: Vec<Comment>,
    pub duplicates: Vec<DuplicateKey>,
    /// Effective entries of mappings that use `<<`, by mapping, sorted by mapping: looked up
    /// by bisection (and not at all in a file without merges).
    merged: Vec<(NodeId, Vec<Entry>)>,
}

/// Parse a text into a tree, within `limits`.
pub fn parse(text: &str, limits: &Limits) -> Result<Tree, YamlError> {
    parse_with(text, limits, true)
}

/// [`parse`], without collecting comments ([`Tree::comments`] stays empty) when `comments` is
/// false: cheaper for a file whose comments nothing reads (a mounted configuration with no
/// `milvet:` comment, whose official form is mostly comments).
pub fn parse_with(text: &str, limits: &Limits, comments: bool) -> Result<Tree, YamlError> {
    if text.len() > limits.max_bytes {
        return Err(YamlError {
            kind: YamlErrorKind::TooLarge,
            message: format!(
                "file is {} bytes, more than the limit of {} bytes",
                text.len(),
                limits.max_bytes
            ),
            offset: 0,
        });
    }
    build::build(text, limits, comments)
}

/// What an id that belongs to no node of a tree reads as: an empty scalar.
static DETACHED: Node = Node {
    kind: NodeKind::Scalar {
        value: String::new(),
        style: ScalarStyle::Plain,
    },
    span: Span { start: 0, end: 0 },
    anchor: None,
    tag: None,
};

impl NodeId {
    /// An id that belongs to no tree (a value read from a file that is not YAML).
    pub const DETACHED: NodeId = NodeId(u32::MAX);
}

impl Tree {
    pub fn node(&self, id: NodeId) -> &Node {
        self.nodes.get(id.index()).unwrap_or(&DETACHED)
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn span(&self, id: NodeId) -> Span {
        self.node(id).span
    }

    /// The node an alias refers to; any other node is itself.
    pub fn resolve(&self, id: NodeId) -> NodeId {
        match &self.node(id).kind {
            NodeKind::Alias { target, .. } => *target,
            _ => id,
        }
    }

    pub fn is_alias(&self, id: NodeId) -> bool {
        matches!(self.node(id).kind, NodeKind::Alias { .. })
    }

    /// The scalar value of a node (through an alias), if it is a scalar.
    pub fn scalar(&self, id: NodeId) -> Option<&str> {
        match &self.node(self.resolve(id)).kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The scalar and its style (through an alias).
    pub fn scalar_with_style(&self, id: NodeId) -> Option<(&str, ScalarStyle)> {
        match &self.node(self.resolve(id)).kind {
            NodeKind::Scalar { value, style } => Some((value, *style)),
            _ => None,
        }
    }

    /// The node's own tag as written (`!reset`, `!override`, `!!str`), not through an alias.
    pub fn tag(&self, id: NodeId) -> Option<&str> {
        self.node(id).tag.as_ref().map(|t| t.text.as_str())
    }

    /// Whether the node (through an alias) is a null: empty, `~` or `null` written plain.
    pub fn is_null(&self, id: NodeId) -> bool {
        matches!(&self.node(self.resolve(id)).kind,
            NodeKind::Scalar { value, style: ScalarStyle::Plain }
                if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The items of a sequence (through an alias).
    pub fn items(&self, id: NodeId) -> Option<&[NodeId]> {
        match &self.node(self.resolve(id)).kind {
            NodeKind::Sequence { items, .. } => Some(items),
            _ => None,
        }
    }

    pub fn is_mapping(&self, id: NodeId) -> bool {
        matches!(self.node(self.resolve(id)).kind, NodeKind::Mapping { .. })
    }

    pub fn is_sequence(&self, id: NodeId) -> bool {
        matches!(self.node(self.resolve(id)).kind, NodeKind::Sequence { .. })
    }

    /// The entries of a mapping as written (through an alias), `<<` included.
    pub fn own_entries(&self, id: NodeId) -> Option<&[Entry]> {
        match &self.node(self.resolve(id)).kind {
            NodeKind::Mapping { entries, .. } => Some(entries),
            _ => None,
        }
    }

    /// The effective entries of a mapping (through an alias): its own entries without `<<`,
    /// then those its `<<` merges bring in that it does not set itself.
    pub fn entries(&self, id: NodeId) -> Option<&[Entry]> {
        let id = self.resolve(id);
        if !self.merged.is_empty()
            && let Ok(i) = self.merged.binary_search_by_key(&id, |(m, _)| *m)
        {
            return Some(&self.merged[i].1);
        }
        self.own_entries(id)
    }

    /// The effective entry for a string key.
    pub fn entry(&self, map: NodeId, key: &str) -> Option<Entry> {
        self.entries(map)?
            .iter()
            .find(|e| self.scalar(e.key) == Some(key))
            .copied()
    }

    /// The effective value of a string key.
    pub fn get(&self, map: NodeId, key: &str) -> Option<NodeId> {
        self.entry(map, key).map(|e| e.value)
    }

    /// Every mapping written with a plain `<<` merge key (aliases excluded), in id order.
    pub fn merging_mappings(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.merged.iter().map(|(m, _)| *m)
    }

    /// The `<<` entries of a mapping as written.
    pub fn merge_entries(&self, id: NodeId) -> impl Iterator<Item = &Entry> {
        self.own_entries(id)
            .unwrap_or(&[])
            .iter()
            .filter(|e| self.is_merge_key(e.key))
    }

    pub fn is_merge_key(&self, key: NodeId) -> bool {
        matches!(&self.node(key).kind,
            NodeKind::Scalar { value, style: ScalarStyle::Plain } if value == "<<")
    }

    /// The anchor definition an alias refers to.
    pub fn alias_target_anchor(&self, id: NodeId) -> Option<&Anchor> {
        match &self.node(id).kind {
            NodeKind::Alias { target, .. } => self.node(*target).anchor.as_deref(),
            _ => None,
        }
    }

    /// The collection a node is written in.
    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.parents.get(id.index()).copied().flatten()
    }

    /// Whether a node is written inside a flow collection (`[...]`, `{...}`), where `,`, `[`,
    /// `]`, `{` and `}` end a plain scalar.
    pub fn in_flow(&self, id: NodeId) -> bool {
        let mut cur = self.parent(id);
        while let Some(p) = cur {
            match &self.node(p).kind {
                NodeKind::Sequence {
                    style: CollectionStyle::Flow,
                    ..
                }
                | NodeKind::Mapping {
                    style: CollectionStyle::Flow,
                    ..
                } => return true,
                _ => cur = self.parent(p),
            }
        }
        false
    }

    /// The entry of `map` (as written) whose key or value is `node`.
    pub fn entry_of(&self, map: NodeId, node: NodeId) -> Option<Entry> {
        self.own_entries(map)?
            .iter()
            .find(|e| e.key == node || e.value == node)
            .copied()
    }

    /// Every node, in creation (source) order.
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> {
        (0..self.nodes.len() as u32).map(NodeId)
    }
}

#[cfg(test)]
mod tests;
