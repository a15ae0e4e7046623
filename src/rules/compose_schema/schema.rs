//! The Compose specification's JSON schema, compiled once per process, and a validator for the
//! keywords it uses.
//!
//! The schema (draft-07) uses `type`, `enum`, `pattern`, `minimum`, `maximum`, `properties`,
//! `patternProperties`, `additionalProperties`, `items`, `uniqueItems`, `required`, `oneOf` and
//! `$ref` to its own `definitions`; everything else in it (`description`, `deprecated`,
//! `default`, `title`, `$schema`, `$id`) is annotation. [`Schema::compile`] lists any other
//! keyword in [`Schema::unsupported`], which a test keeps empty.
//!
//! Every violation is collected, not only the first. Each `oneOf` of the schema tells its
//! alternatives apart by type, so a value that matches none of them gets either the errors of
//! the one alternative of its own type (the most specific) or, when no alternative has its
//! type, one error listing the accepted forms.

use super::compile::{
    ARRAY, Atom, BOOLEAN, INTEGER, NULL, NUMBER, OBJECT, STRING, TYPES, classes_match,
};
use super::instance::{Document, InstId, Seg, Val};
use regex::Regex;
use std::collections::HashMap;
use std::sync::OnceLock;

/// `schema/compose-spec.json`, verbatim (the tests compile it again and compare).
#[cfg(test)]
pub(super) const SCHEMA_TEXT: &str = include_str!("../../../schema/compose-spec.json");

/// The tables `build.rs` compiled from `schema/compose-spec.json`.
mod generated {
    use super::{Additional, Atom, Node, Pattern};
    include!(concat!(env!("OUT_DIR"), "/compose_schema.rs"));
}

/// The compiled schema. Its tables are static data made at build time: nothing is parsed when
/// milvet starts.
pub(super) fn compiled() -> Option<&'static Schema> {
    static SCHEMA: Schema = Schema {
        nodes: generated::NODES,
        root: generated::ROOT,
        definitions: generated::DEFINITIONS,
    };
    Some(&SCHEMA)
}

#[derive(Debug, PartialEq)]
pub(super) enum Additional {
    Any,
    Forbidden,
    /// The specification has no `additionalProperties` schema today; the validator supports it.
    #[allow(dead_code)]
    Schema(usize),
}

/// A pattern: a literal prefix test, or a regular expression compiled the first time it is
/// matched (most of the schema's patterns are never used by a given file).
#[derive(Debug)]
pub(super) enum Pattern {
    /// The pattern's source and the text it requires at the start.
    Prefix(&'static str, &'static str),
    /// The source, `^`, `$`, and the classes (see [`super::compile::Pattern::Classes`]).
    Classes(&'static str, bool, bool, &'static [Atom]),
    Regex(&'static str),
}

impl Pattern {
    pub(super) fn source(&self) -> &'static str {
        match self {
            Pattern::Prefix(s, _) | Pattern::Classes(s, ..) | Pattern::Regex(s) => s,
        }
    }
}

/// The regular expressions of [`generated::PATTERNS`], by index, once compiled.
static REGEXES: [OnceLock<Option<Regex>>; generated::PATTERN_COUNT] =
    [const { OnceLock::new() }; generated::PATTERN_COUNT];

fn regex(index: usize) -> Option<&'static Regex> {
    match generated::PATTERNS.get(index)? {
        Pattern::Prefix(..) | Pattern::Classes(..) => None,
        Pattern::Regex(source) => REGEXES[index]
            .get_or_init(|| Regex::new(source).ok())
            .as_ref(),
    }
}

/// Whether `text` matches pattern `index`; a pattern that does not compile matches everything
/// (the schema tests make sure every pattern compiles).
fn is_match(index: usize, text: &str) -> bool {
    match generated::PATTERNS.get(index) {
        Some(Pattern::Prefix(_, prefix)) => text.starts_with(prefix),
        Some(Pattern::Classes(_, start, end, atoms)) => classes_match(*start, *end, atoms, text),
        Some(Pattern::Regex(_)) => regex(index).is_none_or(|r| r.is_match(text)),
        None => true,
    }
}

fn pattern_source(index: usize) -> &'static str {
    generated::PATTERNS.get(index).map_or("", Pattern::source)
}

#[derive(Debug)]
pub(super) struct Node {
    /// Allowed types; 0 for any.
    types: u8,
    enum_values: Option<&'static [&'static str]>,
    /// Index into the patterns.
    pattern: Option<usize>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    properties: &'static [(&'static str, usize)],
    /// (pattern index, node).
    pattern_properties: &'static [(usize, usize)],
    additional: Additional,
    items: Option<usize>,
    unique_items: bool,
    required: &'static [&'static str],
    one_of: &'static [usize],
    reference: Option<usize>,
    /// The `false` schema.
    never: bool,
}

/// The compiled schema: an arena of nodes.
#[derive(Debug)]
pub(super) struct Schema {
    nodes: &'static [Node],
    root: usize,
    definitions: &'static [(&'static str, usize)],
}

impl Schema {
    /// The patterns of the schema that do not compile.
    #[cfg(test)]
    pub fn broken_patterns(&self) -> Vec<&str> {
        (0..generated::PATTERNS.len())
            .filter(|&i| matches!(generated::PATTERNS[i], Pattern::Regex(_)) && regex(i).is_none())
            .map(pattern_source)
            .collect()
    }

    /// The tables as the compiler's own types, to compare with a fresh compilation.
    #[cfg(test)]
    pub fn to_compiled(&self) -> super::compile::Compiled {
        use super::compile as c;
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        c::Compiled {
            nodes: self
                .nodes
                .iter()
                .map(|n| c::Node {
                    types: n.types,
                    enum_values: n.enum_values.map(strings),
                    pattern: n.pattern,
                    minimum: n.minimum,
                    maximum: n.maximum,
                    properties: n
                        .properties
                        .iter()
                        .map(|(k, i)| (k.to_string(), *i))
                        .collect(),
                    pattern_properties: n.pattern_properties.to_vec(),
                    additional: match n.additional {
                        Additional::Any => c::Additional::Any,
                        Additional::Forbidden => c::Additional::Forbidden,
                        Additional::Schema(i) => c::Additional::Schema(i),
                    },
                    items: n.items,
                    unique_items: n.unique_items,
                    required: strings(n.required),
                    one_of: n.one_of.to_vec(),
                    reference: n.reference,
                    never: n.never,
                })
                .collect(),
            root: self.root,
            definitions: self
                .definitions
                .iter()
                .map(|(k, i)| (k.to_string(), *i))
                .collect(),
            patterns: generated::PATTERNS
                .iter()
                .map(|p| match p {
                    Pattern::Prefix(s, l) => c::Pattern::Prefix(s.to_string(), l.to_string()),
                    Pattern::Classes(s, start, end, atoms) => c::Pattern::Classes(
                        s.to_string(),
                        c::Classes {
                            start: *start,
                            end: *end,
                            atoms: atoms.to_vec(),
                        },
                    ),
                    Pattern::Regex(s) => c::Pattern::Regex(s.to_string()),
                })
                .collect(),
            unsupported: Vec::new(),
        }
    }
}

/// What is wrong with a value.
#[derive(Debug)]
pub(super) enum Problem<'s> {
    /// Not of the type the schema node `schema` allows.
    Type {
        schema: usize,
    },
    /// Of no type any alternative of a `oneOf` allows; the accepted forms.
    Choice {
        expected: Vec<String>,
    },
    Enum {
        allowed: &'s [&'s str],
    },
    Pattern {
        pattern: &'s str,
    },
    Minimum(f64),
    Maximum(f64),
    Required {
        missing: Vec<&'s str>,
    },
    /// A key the object's `properties` do not name (the value is the violation's instance).
    UnknownKey {
        schema: usize,
    },
    /// A key that matches none of the object's `patternProperties`.
    BadName {
        patterns: Vec<&'s str>,
    },
    /// An item equal to an earlier one, where items must be unique.
    Duplicate {
        first: InstId,
    },
    Never,
}

#[derive(Debug)]
pub(super) struct Violation<'s> {
    pub inst: InstId,
    pub problem: Problem<'s>,
}

/// Lists whose repeated items compose-go removes before it validates (`EnforceUnicity` in its
/// `override` package): `uniqueItems` never fails there.
const DEDUPLICATED: &[&[&str]] = &[
    &["networks", "*", "labels"],
    &["networks", "*", "ipam", "options"],
    &["services", "*", "annotations"],
    &["services", "*", "build", "args"],
    &["services", "*", "build", "additional_contexts"],
    &["services", "*", "build", "platform"],
    &["services", "*", "build", "tags"],
    &["services", "*", "build", "labels"],
    &["services", "*", "cap_add"],
    &["services", "*", "cap_drop"],
    &["services", "*", "devices"],
    &["services", "*", "configs"],
    &["services", "*", "deploy", "labels"],
    &["services", "*", "dns"],
    &["services", "*", "dns_opt"],
    &["services", "*", "dns_search"],
    &["services", "*", "environment"],
    &["services", "*", "env_file"],
    &["services", "*", "expose"],
    &["services", "*", "labels"],
    &["services", "*", "links"],
    &["services", "*", "networks", "*", "aliases"],
    &["services", "*", "networks", "*", "link_local_ips"],
    &["services", "*", "ports"],
    &["services", "*", "profiles"],
    &["services", "*", "secrets"],
    &["services", "*", "sysctls"],
    &["services", "*", "tmpfs"],
    &["services", "*", "volumes"],
];

/// Nesting of schema steps (references and alternatives) beyond which validation stops.
const MAX_STEPS: usize = 4096;

/// Violations of one document after which validation stops.
pub(super) const MAX_VIOLATIONS: usize = 10_000;

impl Schema {
    /// The node of a definition.
    pub fn definition(&self, name: &str) -> Option<usize> {
        self.definitions
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, i)| *i)
    }

    pub fn root(&self) -> usize {
        self.root
    }

    /// The names a node's `properties` define (through a `$ref`).
    pub fn property_names(&self, schema: usize) -> Vec<&str> {
        let n = &self.nodes[self.deref(schema)];
        n.properties.iter().map(|(k, _)| *k).collect()
    }

    /// Whether a node's `patternProperties` accept extension keys (`x-...`).
    pub fn allows_extensions(&self, schema: usize) -> bool {
        let n = &self.nodes[self.deref(schema)];
        n.pattern_properties
            .iter()
            .any(|&(p, _)| pattern_source(p) == "^x-")
    }

    fn deref(&self, mut schema: usize) -> usize {
        for _ in 0..64 {
            match self.nodes[schema].reference {
                Some(r) => schema = r,
                None => break,
            }
        }
        schema
    }

    /// Validate a document; every violation goes to `out`, in document order.
    pub fn validate<'s>(&'s self, doc: &Document<'_>, out: &mut Vec<Violation<'s>>) {
        if !doc.insts.is_empty() {
            self.check(self.root, 0, doc, out, 0);
        }
    }

    fn check<'s>(
        &'s self,
        s: usize,
        inst: InstId,
        doc: &Document<'_>,
        out: &mut Vec<Violation<'s>>,
        steps: usize,
    ) {
        if steps > MAX_STEPS || out.len() >= MAX_VIOLATIONS {
            return;
        }
        let node = &self.nodes[s];
        let val = &doc.get(inst).val;
        let push = |out: &mut Vec<Violation<'s>>, problem| out.push(Violation { inst, problem });
        if matches!(val, Val::Unknown) {
            return;
        }
        if let Some(r) = node.reference {
            // Draft-07: a `$ref` ignores the keywords beside it.
            return self.check(r, inst, doc, out, steps + 1);
        }
        if node.never {
            return push(out, Problem::Never);
        }
        if node.types != 0 && !type_ok(node.types, val) {
            return push(out, Problem::Type { schema: s });
        }
        if let Some(allowed) = node.enum_values {
            let unknown = matches!(
                val,
                Val::Str {
                    interpolated: true,
                    ..
                }
            );
            if !unknown
                && !allowed
                    .iter()
                    .any(|a| matches!(val, Val::Str { text, .. } if text == a))
            {
                push(out, Problem::Enum { allowed });
            }
        }
        if let (
            Some(pattern),
            Val::Str {
                text,
                interpolated: false,
            },
        ) = (node.pattern, val)
            && !is_match(pattern, text)
        {
            push(
                out,
                Problem::Pattern {
                    pattern: pattern_source(pattern),
                },
            );
        }
        if let Val::Num { value, .. } = val {
            if node.minimum.is_some_and(|m| *value < m) {
                push(out, Problem::Minimum(node.minimum.unwrap_or_default()));
            }
            if node.maximum.is_some_and(|m| *value > m) {
                push(out, Problem::Maximum(node.maximum.unwrap_or_default()));
            }
        }
        match val {
            Val::Obj(entries) => {
                let missing: Vec<&str> = node
                    .required
                    .iter()
                    .filter(|r| !entries.iter().any(|(k, _)| k == *r))
                    .copied()
                    .collect();
                if !missing.is_empty() {
                    push(out, Problem::Required { missing });
                }
                for &(key, child) in entries {
                    let mut matched = false;
                    if let Some((_, ps)) = node.properties.iter().find(|(k, _)| *k == key) {
                        matched = true;
                        self.check(*ps, child, doc, out, steps + 1);
                    }
                    for &(p, ps) in node.pattern_properties {
                        if is_match(p, key) {
                            matched = true;
                            self.check(ps, child, doc, out, steps + 1);
                        }
                    }
                    if matched {
                        continue;
                    }
                    match node.additional {
                        Additional::Any => {}
                        Additional::Schema(a) => self.check(a, child, doc, out, steps + 1),
                        Additional::Forbidden => {
                            let problem = if node.properties.is_empty() {
                                Problem::BadName {
                                    patterns: node
                                        .pattern_properties
                                        .iter()
                                        .map(|&(p, _)| pattern_source(p))
                                        .collect(),
                                }
                            } else {
                                Problem::UnknownKey { schema: s }
                            };
                            out.push(Violation {
                                inst: child,
                                problem,
                            });
                        }
                    }
                }
            }
            Val::Arr(items) => {
                if let Some(is) = node.items {
                    for &child in items {
                        self.check(is, child, doc, out, steps + 1);
                    }
                }
                if node.unique_items && !deduplicated(doc, inst) {
                    for (later, first) in duplicates(doc, items) {
                        out.push(Violation {
                            inst: later,
                            problem: Problem::Duplicate { first },
                        });
                    }
                }
            }
            _ => {}
        }
        if !node.one_of.is_empty() {
            let mut best: Option<Vec<Violation<'s>>> = None;
            for &alt in node.one_of {
                // An alternative of another type: the one violation it would find says so, and
                // such an alternative is never the one reported.
                if self.wrong_type(alt, val, steps + 1) {
                    continue;
                }
                let mut tried = Vec::new();
                self.check(alt, inst, doc, &mut tried, steps + 1);
                if tried.is_empty() {
                    // Matched. The alternatives never overlap (each has its own type), so one
                    // match is the match.
                    return;
                }
                let wrong_type = tried.iter().all(|v| {
                    v.inst == inst
                        && matches!(v.problem, Problem::Type { .. } | Problem::Choice { .. })
                });
                if !wrong_type && best.as_ref().is_none_or(|b| tried.len() < b.len()) {
                    best = Some(tried);
                }
            }
            match best {
                Some(errors) => out.extend(errors),
                None => {
                    let mut expected = Vec::new();
                    for &alt in node.one_of {
                        self.describe(alt, &mut expected, 0);
                    }
                    push(out, Problem::Choice { expected });
                }
            }
        }
    }

    /// Whether [`Schema::check`] of a value against node `s` at `steps` finds only that the
    /// value is not of the node's type (one [`Problem::Type`]), into an empty list.
    fn wrong_type(&self, mut s: usize, val: &Val<'_>, mut steps: usize) -> bool {
        if matches!(val, Val::Unknown) {
            return false;
        }
        loop {
            if steps > MAX_STEPS {
                return false;
            }
            let node = &self.nodes[s];
            match node.reference {
                Some(r) => {
                    s = r;
                    steps += 1;
                }
                None => return !node.never && node.types != 0 && !type_ok(node.types, val),
            }
        }
    }

    /// What a schema node accepts, as phrases: "a string", "a list of strings", "`all`".
    pub fn describe(&self, s: usize, out: &mut Vec<String>, depth: usize) {
        if depth > 16 {
            return;
        }
        let s = self.deref(s);
        let node = &self.nodes[s];
        let mut add = |p: String| {
            if !out.contains(&p) {
                out.push(p);
            }
        };
        if !node.one_of.is_empty() && node.types == 0 {
            for &alt in node.one_of {
                self.describe(alt, out, depth + 1);
            }
            return;
        }
        if let Some(values) = node.enum_values {
            for v in values {
                add(format!("`{v}`"));
            }
            return;
        }
        for &(bit, _, phrase) in TYPES {
            if node.types & bit == 0 {
                continue;
            }
            // An integer is a number: "a number" says both.
            if bit == INTEGER && node.types & NUMBER != 0 {
                continue;
            }
            if bit == ARRAY
                && let Some(items) = node.items
            {
                let mut inner = Vec::new();
                self.describe(items, &mut inner, depth + 1);
                let plural = match inner.as_slice() {
                    [one] => match one.as_str() {
                        "a string" => Some("strings"),
                        "a mapping" => Some("mappings"),
                        "an integer" => Some("integers"),
                        "a number" => Some("numbers"),
                        _ => None,
                    },
                    _ => None,
                };
                add(plural.map_or_else(|| "a list".to_string(), |p| format!("a list of {p}")));
                continue;
            }
            add(phrase.to_string());
        }
        if node.types == 0 && node.one_of.is_empty() {
            add("any value".to_string());
        }
    }
}

/// Whether the list at `inst` is one whose repeated items compose-go removes
/// ([`DEDUPLICATED`]): [`Document::path_matches`] with each pattern, with the path read once.
fn deduplicated(doc: &Document<'_>, inst: InstId) -> bool {
    /// The longest pattern of [`DEDUPLICATED`].
    const LONGEST: usize = {
        let mut longest = 0;
        let mut i = 0;
        while i < DEDUPLICATED.len() {
            if DEDUPLICATED[i].len() > longest {
                longest = DEDUPLICATED[i].len();
            }
            i += 1;
        }
        longest
    };
    // The path from the value up.
    let mut up = [Seg::Root; LONGEST];
    let mut len = 0;
    let mut cur = Some(inst);
    while let Some(i) = cur {
        let x = doc.get(i);
        if matches!(x.seg, Seg::Root) {
            break;
        }
        if len == LONGEST {
            return false;
        }
        up[len] = x.seg;
        len += 1;
        cur = x.parent;
    }
    let up = &up[..len];
    DEDUPLICATED.iter().any(|p| {
        p.len() == len
            && p.iter().rev().zip(up).all(|(p, seg)| match seg {
                Seg::Key(k) => *p == "*" || p == k,
                Seg::Index(_) => *p == "*" || *p == "[]",
                Seg::Root => false,
            })
    })
}

/// Whether a value has one of the types of a `type` keyword.
fn type_ok(types: u8, val: &Val<'_>) -> bool {
    let bit = match val {
        Val::Null => NULL,
        Val::Bool(_) => BOOLEAN,
        Val::Num { int: true, .. } => INTEGER | NUMBER,
        Val::Num { .. } => NUMBER,
        Val::Str { .. } => STRING,
        Val::Arr(_) => ARRAY,
        Val::Obj(_) => OBJECT,
        Val::Unknown => return true,
    };
    types & bit != 0
}

/// Items equal to an earlier one: (later, first). Scalars are hashed; lists with collections
/// are compared pairwise up to a size.
fn duplicates(doc: &Document<'_>, items: &[InstId]) -> Vec<(InstId, InstId)> {
    #[derive(PartialEq, Eq, Hash)]
    enum Key<'a> {
        Null,
        Bool(bool),
        Num(u64),
        Str(&'a str),
    }
    let key = |id: InstId| -> Option<Key<'_>> {
        Some(match &doc.get(id).val {
            Val::Null => Key::Null,
            Val::Bool(b) => Key::Bool(*b),
            Val::Num { value, .. } if value.is_nan() => return None,
            Val::Num { value, .. } => Key::Num((value + 0.0).to_bits()),
            Val::Str { text, .. } => Key::Str(text),
            _ => return None,
        })
    };
    let scalars = items
        .iter()
        .all(|&i| !matches!(doc.get(i).val, Val::Arr(_) | Val::Obj(_) | Val::Unknown));
    let mut out = Vec::new();
    if scalars {
        let mut seen: HashMap<Key<'_>, InstId> = HashMap::new();
        for &i in items {
            if let Some(k) = key(i) {
                match seen.get(&k) {
                    Some(&first) => out.push((i, first)),
                    None => {
                        seen.insert(k, i);
                    }
                }
            }
        }
    } else if items.len() <= 256 {
        for (n, &i) in items.iter().enumerate() {
            if let Some(&first) = items[..n].iter().find(|&&j| inst_eq(doc, i, j, 0)) {
                out.push((i, first));
            }
        }
    }
    out
}

/// JSON equality of two values (numbers by value, mappings whatever their order).
fn inst_eq(doc: &Document<'_>, a: InstId, b: InstId, depth: usize) -> bool {
    if depth > 512 {
        return false;
    }
    match (&doc.get(a).val, &doc.get(b).val) {
        (Val::Null, Val::Null) => true,
        (Val::Bool(x), Val::Bool(y)) => x == y,
        (Val::Num { value: x, .. }, Val::Num { value: y, .. }) => x == y,
        (Val::Str { text: x, .. }, Val::Str { text: y, .. }) => x == y,
        (Val::Arr(x), Val::Arr(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(&i, &j)| inst_eq(doc, i, j, depth + 1))
        }
        (Val::Obj(x), Val::Obj(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, i)| {
                    y.iter()
                        .find(|(l, _)| l == k)
                        .is_some_and(|(_, j)| inst_eq(doc, *i, *j, depth + 1))
                })
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, parse};

    /// Each document of `text`, expanded.
    fn documents(text: &str) -> (crate::yaml::Tree, Vec<crate::yaml::NodeId>) {
        let tree = parse(text, &Limits::default()).expect("YAML");
        let roots = tree.documents.iter().filter_map(|d| d.root).collect();
        (tree, roots)
    }

    /// A flow mapping that nests `segs` (`*` as `x`, `[]` as a one-item list) around `leaf`.
    fn nest(segs: &[&str], leaf: &str) -> String {
        match segs.split_first() {
            None => leaf.to_string(),
            Some((&"[]", rest)) => format!("[{}]", nest(rest, leaf)),
            Some((&"*", rest)) => format!("{{x: {}}}", nest(rest, leaf)),
            Some((k, rest)) => format!("{{{k}: {}}}", nest(rest, leaf)),
        }
    }

    #[test]
    fn deduplicated_lists_are_the_paths_that_match_a_pattern() {
        let mut text = String::new();
        for p in DEDUPLICATED {
            for segs in [
                p.to_vec(),
                p[..p.len() - 1].to_vec(),
                [&p[..], &["extra"]].concat(),
                [&p[..], &["[]"]].concat(),
                [&["x-top"], &p[..]].concat(),
                p.iter()
                    .map(|s| if *s == "*" { "[]" } else { *s })
                    .collect(),
            ] {
                text.push_str("---\n");
                text.push_str(&nest(&segs, "[a, a, [b], {c: d}]"));
                text.push('\n');
            }
        }
        let (tree, roots) = documents(&text);
        let mut lists = 0;
        for root in roots {
            let doc = super::super::instance::build(&tree, root).expect("expands");
            for id in 0..doc.insts.len() as InstId {
                let want = DEDUPLICATED.iter().any(|p| doc.path_matches(id, p));
                assert_eq!(deduplicated(&doc, id), want, "{}", doc.path(id));
                lists += usize::from(want);
            }
        }
        assert!(lists >= DEDUPLICATED.len(), "{lists}");
    }

    /// What [`Schema::wrong_type`] says of an alternative is what checking the value against
    /// it finds, for every node of the schema and a value of each type.
    #[test]
    fn a_wrong_type_is_the_one_violation_checking_finds() {
        let schema = compiled().expect("compiled");
        let (tree, roots) = documents("[~, true, 1, 1.5, s, '${X}', [1], {a: 1}]");
        let doc = super::super::instance::build(&tree, roots[0]).expect("expands");
        let mut wrong = 0;
        for s in 0..schema.nodes.len() {
            for inst in doc.children(0) {
                let val = &doc.get(inst).val;
                if !schema.wrong_type(s, val, 1) {
                    continue;
                }
                wrong += 1;
                let mut found = Vec::new();
                schema.check(s, inst, &doc, &mut found, 1);
                assert!(
                    matches!(found.as_slice(), [Violation { inst: i, problem: Problem::Type { .. } }] if *i == inst),
                    "node {s}, {val:?}: {found:?}"
                );
            }
        }
        assert!(wrong > schema.nodes.len(), "{wrong}");
    }
}
