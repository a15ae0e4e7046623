//! Compiling the Compose specification's JSON schema into tables, and writing those tables as
//! Rust source.
//!
//! `build.rs` runs this on `schema/compose-spec.json` and writes the tables into the build's
//! output directory, so that no JSON is parsed when milvet starts; the validator in
//! `schema.rs` reads the generated statics. The crate's tests compile the same JSON again at
//! test time and compare the result with the generated tables. This file uses only `std` and
//! `serde_json`, because `build.rs` includes it as a module of its own.

#![cfg_attr(not(test), allow(dead_code))]

use serde_json::Value;

pub const NULL: u8 = 1;
pub const BOOLEAN: u8 = 2;
pub const INTEGER: u8 = 4;
pub const NUMBER: u8 = 8;
pub const STRING: u8 = 16;
pub const ARRAY: u8 = 32;
pub const OBJECT: u8 = 64;

/// The types of `type`: bit, JSON name, the phrase used in messages.
pub const TYPES: &[(u8, &str, &str)] = &[
    (NULL, "null", "null"),
    (BOOLEAN, "boolean", "a boolean"),
    (INTEGER, "integer", "an integer"),
    (NUMBER, "number", "a number"),
    (STRING, "string", "a string"),
    (ARRAY, "array", "a list"),
    (OBJECT, "object", "a mapping"),
];

/// What `additionalProperties` allows.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Additional {
    #[default]
    Any,
    Forbidden,
    Schema(usize),
}

/// A `pattern` or `patternProperties` pattern. A pattern that is `^` and then only literal
/// characters is a prefix test: most of the schema's are `^x-`, and a prefix test is much
/// cheaper than running a regular expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// The pattern and the literal text it requires at the start.
    Prefix(String, String),
    Regex(String),
}

impl Pattern {
    fn new(source: &str) -> Pattern {
        const META: &[char] = &[
            '.', '^', '$', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '\\',
        ];
        match source.strip_prefix('^') {
            Some(rest) if !rest.contains(META) => {
                Pattern::Prefix(source.to_string(), rest.to_string())
            }
            _ => Pattern::Regex(source.to_string()),
        }
    }

    pub fn source(&self) -> &str {
        match self {
            Pattern::Prefix(s, _) | Pattern::Regex(s) => s,
        }
    }
}

/// One schema node. Indices are into [`Compiled::nodes`], patterns into
/// [`Compiled::patterns`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Node {
    /// Allowed types; 0 for any.
    pub types: u8,
    /// `enum`: the schema's are all strings (anything else does not compile).
    pub enum_values: Option<Vec<String>>,
    pub pattern: Option<usize>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub properties: Vec<(String, usize)>,
    pub pattern_properties: Vec<(usize, usize)>,
    pub additional: Additional,
    pub items: Option<usize>,
    pub unique_items: bool,
    pub required: Vec<String>,
    pub one_of: Vec<usize>,
    pub reference: Option<usize>,
    /// The `false` schema.
    pub never: bool,
}

/// The compiled schema: an arena of nodes, the definitions by name, the distinct patterns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Compiled {
    pub nodes: Vec<Node>,
    pub root: usize,
    pub definitions: Vec<(String, usize)>,
    pub patterns: Vec<Pattern>,
    /// Keywords of the schema the validator does not implement.
    pub unsupported: Vec<String>,
}

/// Compile a draft-07 schema using the keywords the validator implements.
pub fn compile(text: &str) -> Result<Compiled, String> {
    let json: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut c = Compiled::default();
    if let Some(defs) = json.get("definitions").and_then(Value::as_object) {
        for name in defs.keys() {
            c.definitions.push((name.clone(), c.nodes.len()));
            c.nodes.push(Node::default());
        }
        for (name, body) in defs {
            let node = c.node(body)?;
            let at = c.definition(name).ok_or("definition vanished")?;
            c.nodes[at] = node;
        }
    }
    c.root = c.add(&json)?;
    Ok(c)
}

impl Compiled {
    fn definition(&self, name: &str) -> Option<usize> {
        self.definitions
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, i)| *i)
    }

    fn add(&mut self, v: &Value) -> Result<usize, String> {
        let node = self.node(v)?;
        self.nodes.push(node);
        Ok(self.nodes.len() - 1)
    }

    fn pattern(&mut self, source: &str) -> usize {
        let p = Pattern::new(source);
        match self.patterns.iter().position(|q| *q == p) {
            Some(i) => i,
            None => {
                self.patterns.push(p);
                self.patterns.len() - 1
            }
        }
    }

    fn node(&mut self, v: &Value) -> Result<Node, String> {
        let mut n = Node::default();
        let map = match v {
            Value::Bool(true) => return Ok(n),
            Value::Bool(false) => {
                n.never = true;
                return Ok(n);
            }
            Value::Object(map) => map,
            other => return Err(format!("a schema must be an object, not {other}")),
        };
        for (keyword, value) in map {
            match keyword.as_str() {
                "type" => {
                    let names: Vec<&str> = match value {
                        Value::String(s) => vec![s.as_str()],
                        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                        _ => return Err("`type` is neither a string nor a list".into()),
                    };
                    for name in names {
                        let bit = TYPES
                            .iter()
                            .find(|(_, n, _)| *n == name)
                            .ok_or_else(|| format!("unknown type `{name}`"))?
                            .0;
                        n.types |= bit;
                    }
                }
                "enum" => {
                    let values = value.as_array().ok_or("`enum` is not a list")?;
                    let strings = values
                        .iter()
                        .map(|v| v.as_str().map(str::to_string))
                        .collect::<Option<Vec<_>>>()
                        .ok_or("an `enum` value is not a string")?;
                    n.enum_values = Some(strings);
                }
                "pattern" => {
                    let p = value.as_str().ok_or("`pattern` is not a string")?;
                    n.pattern = Some(self.pattern(p));
                }
                "minimum" => n.minimum = value.as_f64(),
                "maximum" => n.maximum = value.as_f64(),
                "properties" => {
                    let props = value.as_object().ok_or("`properties` is not an object")?;
                    for (k, s) in props {
                        let i = self.add(s)?;
                        n.properties.push((k.clone(), i));
                    }
                }
                "patternProperties" => {
                    let props = value
                        .as_object()
                        .ok_or("`patternProperties` is not an object")?;
                    for (p, s) in props {
                        let i = self.add(s)?;
                        let p = self.pattern(p);
                        n.pattern_properties.push((p, i));
                    }
                }
                "additionalProperties" => {
                    n.additional = match value {
                        Value::Bool(true) => Additional::Any,
                        Value::Bool(false) => Additional::Forbidden,
                        s => Additional::Schema(self.add(s)?),
                    }
                }
                "items" if !value.is_array() => n.items = Some(self.add(value)?),
                "uniqueItems" => n.unique_items = value.as_bool() == Some(true),
                "required" => {
                    let names = value.as_array().ok_or("`required` is not a list")?;
                    n.required = names
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect();
                }
                "oneOf" => {
                    let alts = value.as_array().ok_or("`oneOf` is not a list")?;
                    for alt in alts {
                        let i = self.add(alt)?;
                        n.one_of.push(i);
                    }
                }
                "$ref" => {
                    let r = value.as_str().ok_or("`$ref` is not a string")?;
                    let name = r
                        .strip_prefix("#/definitions/")
                        .ok_or_else(|| format!("unsupported reference `{r}`"))?;
                    let i = self
                        .definition(name)
                        .ok_or_else(|| format!("unknown definition `{name}`"))?;
                    n.reference = Some(i);
                }
                "description" | "deprecated" | "default" | "title" | "$schema" | "$id"
                | "definitions" | "$comment" | "examples" => {}
                other => {
                    if !self.unsupported.iter().any(|u| u == other) {
                        self.unsupported.push(other.to_string());
                    }
                }
            }
        }
        Ok(n)
    }

    /// The tables as Rust source: `NODES`, `ROOT`, `DEFINITIONS`, `PATTERNS` and
    /// `PATTERN_COUNT`, for the types of `schema.rs`.
    pub fn to_rust(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let strs = |v: &[String]| {
            let items: Vec<String> = v.iter().map(|x| format!("{x:?}")).collect();
            format!("&[{}]", items.join(", "))
        };
        let opt = |v: Option<usize>| v.map_or_else(|| "None".to_string(), |i| format!("Some({i})"));
        let optf =
            |v: Option<f64>| v.map_or_else(|| "None".to_string(), |f| format!("Some({f:?})"));
        let _ = writeln!(s, "// Generated by build.rs from schema/compose-spec.json.");
        let _ = writeln!(s, "pub(super) const ROOT: usize = {};", self.root);
        let _ = writeln!(
            s,
            "pub(super) const PATTERN_COUNT: usize = {};",
            self.patterns.len()
        );
        let _ = writeln!(s, "pub(super) static PATTERNS: &[Pattern] = &[");
        for p in &self.patterns {
            let _ = match p {
                Pattern::Prefix(src, lit) => writeln!(s, "    Pattern::Prefix({src:?}, {lit:?}),"),
                Pattern::Regex(src) => writeln!(s, "    Pattern::Regex({src:?}),"),
            };
        }
        let _ = writeln!(s, "];");
        let _ = writeln!(s, "pub(super) static DEFINITIONS: &[(&str, usize)] = &[");
        for (name, i) in &self.definitions {
            let _ = writeln!(s, "    ({name:?}, {i}),");
        }
        let _ = writeln!(s, "];");
        let _ = writeln!(s, "pub(super) static NODES: &[Node] = &[");
        for n in &self.nodes {
            let props: Vec<String> = n
                .properties
                .iter()
                .map(|(k, i)| format!("({k:?}, {i})"))
                .collect();
            let pprops: Vec<String> = n
                .pattern_properties
                .iter()
                .map(|(p, i)| format!("({p}, {i})"))
                .collect();
            let one_of: Vec<String> = n.one_of.iter().map(usize::to_string).collect();
            let additional = match n.additional {
                Additional::Any => "Additional::Any".to_string(),
                Additional::Forbidden => "Additional::Forbidden".to_string(),
                Additional::Schema(i) => format!("Additional::Schema({i})"),
            };
            let _ = writeln!(
                s,
                "    Node {{ types: {}, enum_values: {}, pattern: {}, minimum: {}, maximum: {}, \
                 properties: &[{}], pattern_properties: &[{}], additional: {additional}, \
                 items: {}, unique_items: {}, required: {}, one_of: &[{}], reference: {}, \
                 never: {} }},",
                n.types,
                n.enum_values
                    .as_ref()
                    .map_or_else(|| "None".to_string(), |v| format!("Some({})", strs(v))),
                opt(n.pattern),
                optf(n.minimum),
                optf(n.maximum),
                props.join(", "),
                pprops.join(", "),
                opt(n.items),
                n.unique_items,
                strs(&n.required),
                one_of.join(", "),
                opt(n.reference),
                n.never,
            );
        }
        let _ = writeln!(s, "];");
        s
    }
}
