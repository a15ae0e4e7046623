//! `missing-file`: a file named by `env_file`, `extends` or `include` does not exist.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::{Origin, Problem};
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
        // One finding a missing file, at the first place (by file, then offset) that names
        // it; the others related.
        let mut found: Vec<(&str, Vec<(Origin, &str)>)> = Vec::new();
        for p in &cx.file.problems {
            if let Problem::MissingFile { path, what, at } = p {
                match found.iter_mut().find(|(p, _)| *p == path.as_str()) {
                    Some((_, places)) => {
                        if !places.iter().any(|(o, _)| o == at) {
                            places.push((*at, what));
                        }
                    }
                    None => found.push((path.as_str(), vec![(*at, what)])),
                }
            }
        }
        for (path, mut places) in found {
            places.sort_by_key(|(o, _)| (o.file, o.span.start));
            let (at, what) = places[0];
            let help = if what == "env_file" {
                "create it, fix the path (it is relative to the Compose file), or mark it \
                 optional with the long syntax: `env_file: [{path: ..., required: false}]`"
            } else {
                "create it, or fix the path (it is relative to the file that names it)"
            };
            let mut d = META
                .diagnostic(
                    at,
                    format!(
                        "the {what} `{path}` does not exist: `docker compose` stops before \
                         starting anything"
                    ),
                )
                .label("no such file")
                .help(help);
            for &(o, what) in &places[1..] {
                d = d.related(o, format!("also named here, as {what}"));
            }
            let n = places.len() - 1;
            if n > 0 {
                d.message.push_str(&format!(
                    " (named in {n} more {})",
                    if n == 1 { "place" } else { "places" }
                ));
            }
            out.push(d);
        }
    }
}
