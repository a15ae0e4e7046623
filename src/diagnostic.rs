//! What a rule reports: a located finding with its message, help and severity.

use crate::compose::{FileId, Origin};
use crate::source::Span;
use serde::Serialize;
use std::fmt;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A secondary place that explains a finding (where a default comes from, a shadowed value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub origin: Origin,
    pub label: String,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule's stable id.
    pub rule: &'static str,
    pub severity: Severity,
    /// Where the finding points.
    pub origin: Origin,
    /// What is wrong in this file and what it costs.
    pub message: String,
    /// A short label under the underlined text.
    pub label: Option<String>,
    /// What to do.
    pub help: Option<String>,
    /// The service the finding concerns.
    pub service: Option<String>,
    pub related: Vec<Related>,
    /// How the finding can be fixed, if the rule knows.
    pub fix: Option<Fix>,
}

/// Whether a fix may be applied without asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Changes only what the finding is about, with one right answer: applied by `--fix`.
    Safe,
    /// Correct, but needs the user to act too (copy data out first, say): applied only with
    /// `--unsafe-fixes`.
    Unsafe,
    /// No edit milvet can make; the description says what to do instead.
    Unavailable,
}

/// One text edit: replace the bytes of `span` in `file` with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub file: FileId,
    pub span: Span,
    pub text: String,
}

/// A fix: edits computed from spans, applied to the original bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does, or for an unavailable fix, what to do instead.
    pub description: String,
    /// Empty when unavailable.
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn safe(description: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            applicability: Applicability::Safe,
            description: description.into(),
            edits,
        }
    }

    pub fn unsafe_(description: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            applicability: Applicability::Unsafe,
            description: description.into(),
            edits,
        }
    }

    pub fn unavailable(description: impl Into<String>) -> Fix {
        Fix {
            applicability: Applicability::Unavailable,
            description: description.into(),
            edits: Vec::new(),
        }
    }
}
