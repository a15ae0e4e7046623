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
        for p in &cx.file.problems {
            if let Problem::MissingFile { path, what, at } = p {
                let help = if *what == "env_file" {
                    "create it, fix the path (it is relative to the Compose file), or mark it \
                     optional with the long syntax: `env_file: [{path: ..., required: false}]`"
                } else {
                    "create it, or fix the path (it is relative to the file that names it)"
                };
                out.push(
                    META.diagnostic(
                        *at,
                        format!(
                            "the {what} `{path}` does not exist: `docker compose` stops before \
                             starting anything"
                        ),
                    )
                    .label("no such file")
                    .help(help),
                );
            }
        }
    }
}
