//! What a rule reports: a located finding with its message, help and severity.

use crate::compose::Origin;
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
}
