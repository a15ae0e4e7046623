//! `include-conflict`: a service that an `include`d project defines is defined by the
//! including project too (or by another included project), which `docker compose` refuses.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::Problem;
use crate::diagnostic::{Diagnostic, Severity};

pub struct IncludeConflict;

static META: RuleMeta = RuleMeta {
    id: "include-conflict",
    severity: Severity::Error,
    summary: "a service an `include`d project defines is defined by the including project too, or a resource it declares is declared otherwise",
    doc: include_str!("../../rules/include-conflict.md"),
};

impl Rule for IncludeConflict {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for p in &cx.file.problems {
            if let Problem::IncludeResourceConflict {
                key,
                name,
                at,
                first,
            } = p
            {
                out.push(
                    META.diagnostic(
                        *at,
                        format!(
                            "the included project declares `{key}.{name}` otherwise than it is \
                             declared here: `docker compose` refuses the project (\"{key}.{name} \
                             conflicts with imported resource\")"
                        ),
                    )
                    .label("declared otherwise")
                    .related(*first, "declared here too")
                    .help(
                        "declare it in one project only, or identically in both (a relative \
                         `file` never is: the included one is read from its own directory)",
                    ),
                );
                continue;
            }
            let Problem::IncludeConflict { service, at } = p else {
                continue;
            };
            let mut d = META
                .diagnostic(
                    *at,
                    format!(
                        "the included project defines the service `{service}`, which this \
                         project defines too: `docker compose` refuses the project \
                         (\"services.{service} conflicts with imported resource\")"
                    ),
                )
                .label("defines it again")
                .help(
                    "define the service in one place: drop it from one project, or adjust the \
                     included definition with an override file (`-f`) instead",
                );
            if let Some(s) = cx.file.services.iter().find(|s| s.name.value == *service) {
                d = d.related(s.name.origin, "defined here");
            }
            out.push(d);
        }
    }
}
