//! The no-op variable data as written in `rules/data/milvus-env.toml`. `build.rs` includes
//! this file too: it reads the TOML at build time and writes the value back as Rust
//! ([`NoopFile::to_rust`]), so the binary parses no TOML.

// `to_rust` is for `build.rs`; the crate uses the types alone.
#![allow(dead_code)]

use std::fmt::Write;

/// An environment variable that looks like a Milvus setting but sets nothing
/// (`rules/data/milvus-env.toml`).
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoopVar {
    /// The variable, or (with `prefix`) the start of a family of them.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub prefix: Option<String>,
    /// The Milvus key it looks meant for.
    #[serde(default)]
    pub key: Option<String>,
    /// The variable Milvus reads for that key, when there is one right name.
    #[serde(default)]
    pub rename: Option<String>,
    /// `user` or `password`: the MinIO root credential a renamed value must equal.
    #[serde(default)]
    pub credential: Option<String>,
    /// Whether it sets nothing only under `milvus run standalone`.
    #[serde(default)]
    pub standalone_only: bool,
    /// Why it sets nothing, continuing "`NAME` ...".
    pub reason: String,
    pub source: String,
}

impl NoopVar {
    pub fn matches(&self, var: &str) -> bool {
        self.name.as_deref() == Some(var)
            || self.prefix.as_deref().is_some_and(|p| var.starts_with(p))
    }
}

#[derive(Debug, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoopFile {
    pub checked: String,
    pub variable: Vec<NoopVar>,
}

/// A string as a Rust expression of type `String`.
fn string(s: &str) -> String {
    format!("{s:?}.to_string()")
}

fn option(s: &Option<String>) -> String {
    match s {
        Some(s) => format!("Some({})", string(s)),
        None => "None".to_string(),
    }
}

impl NoopFile {
    /// The value as a Rust expression of type `NoopFile`.
    pub fn to_rust(&self) -> String {
        let mut out = format!(
            "NoopFile {{ checked: {}, variable: vec![\n",
            string(&self.checked)
        );
        for v in &self.variable {
            let _ = writeln!(
                out,
                "NoopVar {{ name: {}, prefix: {}, key: {}, rename: {}, credential: {}, \
                 standalone_only: {}, reason: {}, source: {} }},",
                option(&v.name),
                option(&v.prefix),
                option(&v.key),
                option(&v.rename),
                option(&v.credential),
                v.standalone_only,
                string(&v.reason),
                string(&v.source),
            );
        }
        out.push_str("] }\n");
        out
    }
}
