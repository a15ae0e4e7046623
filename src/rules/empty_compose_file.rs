//! `empty-compose-file`: a project whose Compose files hold nothing but `version`, which
//! `docker compose` refuses ("empty compose file"), and an empty YAML document in a file of a
//! project that is not empty, which it refuses too ("top-level object must be a mapping").

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::Problem;
use crate::diagnostic::{Diagnostic, Severity};

pub struct EmptyComposeFile;

static META: RuleMeta = RuleMeta {
    id: "empty-compose-file",
    severity: Severity::Error,
    summary: "a Compose file (or project) with nothing in it but `version` or comments",
    doc: include_str!("../../rules/empty-compose-file.md"),
};

impl Rule for EmptyComposeFile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for p in &cx.file.problems {
            if let Problem::EmptyFile { at } = p {
                out.push(
                    META.diagnostic(
                        *at,
                        "this Compose file has no services and no other top-level key (`version` \
                         is ignored): `docker compose` refuses it (\"empty compose file\")",
                    )
                    .label("empty")
                    .help(
                        "add the services, or remove the file (an empty override file beside a \
                         non-empty one is fine)",
                    ),
                );
            }
            if let Problem::EmptyDocument { at } = p {
                out.push(
                    META.diagnostic(
                        *at,
                        "this YAML document is empty: `docker compose` refuses the file \
                         (\"top-level object must be a mapping\"), whatever the project's \
                         other documents hold",
                    )
                    .label("empty document")
                    .help(
                        "remove the `---` that opens it (a `---` at the end of a file starts \
                         one more document; `...` ends the last one without starting another)",
                    ),
                );
            }
        }
    }
}
