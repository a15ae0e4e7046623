//! `missing-file`: a file named by `env_file`, `extends` or `include` does not exist.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::Problem;
use crate::diagnostic::{Diagnostic, Severity};

pub struct MissingFile;

static META: RuleMeta = RuleMeta {
    id: "missing-file",
    severity: Severity::Error,
    summary: "a file named by `env_file`, `extends` or `include` does not exist",
    doc: include_str!("../../rules/missing-file.md"),
};

impl Rule for MissingFile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        // One finding a missing file, at the first place that names it; the others related.
        let mut found: Vec<(&str, Diagnostic)> = Vec::new();
        for p in &cx.file.problems {
            if let Problem::MissingFile { path, what, at } = p {
                if let Some((_, d)) = found.iter_mut().find(|(p, _)| *p == path.as_str()) {
                    if d.origin != *at && !d.related.iter().any(|r| r.origin == *at) {
                        d.related.push(crate::diagnostic::Related {
                            origin: *at,
                            label: format!("also named here, as {what}"),
                        });
                    }
                    continue;
                }
                let help = if *what == "env_file" {
                    "create it, fix the path (it is relative to the Compose file), or mark it \
                     optional with the long syntax: `env_file: [{path: ..., required: false}]`"
                } else {
                    "create it, or fix the path (it is relative to the file that names it)"
                };
                found.push((
                    path.as_str(),
                    META.diagnostic(
                        *at,
                        format!(
                            "the {what} `{path}` does not exist: `docker compose` stops before \
                             starting anything"
                        ),
                    )
                    .label("no such file")
                    .help(help),
                ));
            }
        }
        for (_, mut d) in found {
            let n = d.related.len();
            if n > 0 {
                d.message.push_str(&format!(
                    " (named in {} more {})",
                    n,
                    if n == 1 { "place" } else { "places" }
                ));
            }
            out.push(d);
        }
    }
}
