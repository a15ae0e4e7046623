//! SARIF 2.1.0 (the OASIS Static Analysis Results Interchange Format), as code scanning reads it:
//! one run whose driver lists every rule (summary, help, document URI, default level); one
//! result a finding with its region (1-based lines, columns in Unicode code points, exclusive
//! end), related locations, a partial fingerprint that does not change when the finding's line
//! moves, and its fixes (safe and unsafe, as artifact changes on byte ranges); one invocation
//! with the exit status, and a notification for each file that could not be checked.
//!
//! The types are written here rather than taken from a SARIF crate: milvet emits a small
//! subset of the format, the tests validate every output against the official schema, and
//! the crates that model all of SARIF bring builders and derive macros for hundreds of types.

use super::{Places, RenderOptions};
use crate::check::FileReport;
use crate::compose::Origin;
use crate::diagnostic::{Applicability, Diagnostic, Severity};
use crate::source::Location;
use serde::Serialize;
use std::collections::HashMap;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The key of milvet's own fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "milvet/v1";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    invocations: Vec<Invocation>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: &'static str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    exit_code: i32,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    locations: Vec<LocationOut>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<LocationOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<LocationOut>,
    partial_fingerprints: HashMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<FixOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties<'a>>,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    service: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LocationOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct Region {
    #[serde(skip_serializing_if = "Option::is_none")]
    start_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
    byte_offset: usize,
    byte_length: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FixOut {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
    properties: FixProperties,
}

#[derive(Serialize)]
struct FixProperties {
    applicability: Applicability,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Text,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

pub fn render(reports: &[FileReport], options: &RenderOptions) -> String {
    let mut stream = super::Stream::new(super::Format::Sarif, options, Vec::new());
    stream.unit(reports);
    String::from_utf8(stream.finish(options.exit_code)).unwrap_or_default()
}

/// The whole log with no notification and no result: what [`Results`] and the notifications
/// are put into, in place of the two empty arrays that end with [`NOTIFICATIONS_AT`] and
/// [`RESULTS_AT`] (the last of each in the text).
pub(crate) fn skeleton(exit_code: i32) -> String {
    let rules: Vec<ReportingDescriptor> = crate::rules::all()
        .iter()
        .map(|r| {
            let m = r.meta();
            let url = super::rule_url(m.id);
            ReportingDescriptor {
                id: m.id,
                short_description: Text {
                    text: m.summary.to_string(),
                },
                full_description: Text {
                    text: m.summary.to_string(),
                },
                help: Help {
                    text: format!("{} See {url} or `milvet rules {}`.", m.summary, m.id),
                    markdown: m.doc,
                },
                help_uri: url,
                default_configuration: Configuration {
                    level: level(m.severity),
                },
            }
        })
        .collect();
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "milvet",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: super::REPOSITORY,
                    rules,
                },
            },
            invocations: vec![Invocation {
                execution_successful: exit_code != 2,
                exit_code,
                tool_execution_notifications: Vec::new(),
            }],
            column_kind: "unicodeCodePoints",
            results: Vec::new(),
        }],
    };
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

/// The empty notifications array of [`skeleton`].
pub(crate) const NOTIFICATIONS_AT: &str = "\"toolExecutionNotifications\": []";
/// The empty results array of [`skeleton`].
pub(crate) const RESULTS_AT: &str = "\"results\": []";

/// The notification of a file that could not be checked.
pub(crate) fn notification(r: &FileReport) -> Option<impl Serialize + '_> {
    let err = r.error.as_ref()?;
    let path = r.path.display().to_string();
    Some(Notification {
        level: "error",
        message: Text {
            text: err.message.clone(),
        },
        locations: vec![LocationOut {
            id: None,
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation { uri: uri(&path) },
                region: err.at.map(|(offset, pos)| Region {
                    start_line: Some(pos.line),
                    start_column: Some(pos.column),
                    byte_offset: offset,
                    ..Region::default()
                }),
            },
            message: None,
        }],
    })
}

/// The results of a run, report by report: what numbers a fingerprint met again.
#[derive(Default)]
pub(crate) struct Results {
    seen: HashMap<u64, usize>,
}

impl Results {
    /// The results of a report (file ids index the reports `places` was made of).
    pub fn of<'a>(
        &'a mut self,
        r: &'a FileReport,
        places: &'a Places<'a>,
    ) -> impl Iterator<Item = impl Serialize + 'a> + 'a {
        r.diagnostics.iter().filter_map(move |d| {
            let p = places.place(d.origin)?;
            let base = fingerprint(d, p.path, p.loc.span.slice(p.text));
            let n = self.seen.entry(base).or_default();
            let print = format!("{base:016x}:{n}");
            *n += 1;
            let related = d
                .related
                .iter()
                .enumerate()
                .filter_map(|(i, rel)| {
                    let rp = places.place(rel.origin)?;
                    Some(LocationOut {
                        id: Some(i + 1),
                        physical_location: physical(rp.path, &rp.loc),
                        message: Some(Text {
                            text: rel.label.clone(),
                        }),
                    })
                })
                .collect();
            let fixes = d
                .fix
                .iter()
                .filter(|f| !f.edits.is_empty())
                .map(|f| fix(f, places))
                .collect();
            Some(SarifResult {
                rule_id: d.rule,
                rule_index: crate::rules::all()
                    .iter()
                    .position(|r| r.meta().id == d.rule)
                    .unwrap_or(0),
                level: level(d.severity),
                message: Text { text: message(d) },
                locations: vec![LocationOut {
                    id: None,
                    physical_location: physical(p.path, &p.loc),
                    message: d.label.clone().map(|text| Text { text }),
                }],
                related_locations: related,
                partial_fingerprints: HashMap::from([(FINGERPRINT_KEY, print)]),
                fixes,
                properties: d
                    .service
                    .as_deref()
                    .map(|service| ResultProperties { service }),
            })
        })
    }
}

/// The result's message: the finding, what to do, and what the fix does.
fn message(d: &Diagnostic) -> String {
    let mut s = d.message.clone();
    if let Some(h) = &d.help {
        s.push_str("\nHelp: ");
        s.push_str(h);
    }
    if let Some(f) = &d.fix {
        let what = match f.applicability {
            Applicability::Safe => "Fix (safe, --fix)",
            Applicability::Unsafe => "Fix (unsafe, --fix --unsafe-fixes)",
            Applicability::Unavailable => "No automatic fix",
        };
        s.push_str(&format!("\n{what}: {}", f.description));
    }
    s
}

fn fix(f: &crate::diagnostic::Fix, places: &Places<'_>) -> FixOut {
    let mut changes: Vec<ArtifactChange> = Vec::new();
    for e in &f.edits {
        let Some(p) = places.place(Origin {
            file: e.file,
            span: e.span,
        }) else {
            continue;
        };
        let replacement = Replacement {
            deleted_region: Region {
                byte_offset: p.loc.span.start,
                byte_length: p.loc.span.len(),
                ..Region::default()
            },
            inserted_content: Text {
                text: e.text.clone(),
            },
        };
        let u = uri(p.path);
        match changes.iter_mut().find(|c| c.artifact_location.uri == u) {
            Some(c) => c.replacements.push(replacement),
            None => changes.push(ArtifactChange {
                artifact_location: ArtifactLocation { uri: u },
                replacements: vec![replacement],
            }),
        }
    }
    FixOut {
        description: Text {
            text: f.description.clone(),
        },
        artifact_changes: changes,
        properties: FixProperties {
            applicability: f.applicability,
        },
    }
}

fn physical(path: &str, loc: &Location) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation { uri: uri(path) },
        region: Some(Region {
            start_line: Some(loc.start.line),
            start_column: Some(loc.start.column),
            end_line: Some(loc.end.line),
            end_column: Some(loc.end.column),
            byte_offset: loc.span.start,
            byte_length: loc.span.len(),
        }),
    }
}

/// A stable fingerprint of a finding: its rule, file, service and the text it points at, not
/// its line or column, so that moving it (lines added above) keeps it the same finding. FNV-1a,
/// whose output does not depend on the Rust release or the platform.
fn fingerprint(d: &Diagnostic, path: &str, snippet: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [d.rule, path, d.service.as_deref().unwrap_or(""), snippet] {
        for b in part.bytes().chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// A path as a URI reference: relative paths stay relative (code scanning resolves them
/// against the checkout), absolute ones become `file://` URIs; characters outside the
/// unreserved set and `/` are percent-encoded.
pub fn uri(path: &str) -> String {
    let mut p = path;
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    let mut out = String::new();
    if p.starts_with('/') {
        out.push_str("file://");
    }
    for b in p.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("./deploy/compose.yaml"), "deploy/compose.yaml");
        assert_eq!(
            uri("/srv/my stack/a#b.yml"),
            "file:///srv/my%20stack/a%23b.yml"
        );
        assert_eq!(uri("é.yml"), "%C3%A9.yml");
    }
}
