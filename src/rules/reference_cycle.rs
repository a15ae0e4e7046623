//! `reference-cycle`: `include`s, `extends` or service dependencies that lead back to where
//! they started.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::Problem;
use crate::diagnostic::{Diagnostic, Severity};

pub struct ReferenceCycle;

static META: RuleMeta = RuleMeta {
    id: "reference-cycle",
    severity: Severity::Error,
    summary: "`include`s, `extends` or service dependencies lead back to where they started",
    doc: include_str!("../../rules/reference-cycle.md"),
};

impl Rule for ReferenceCycle {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for p in &cx.file.problems {
            if let Problem::Cycle { chain, at } = p {
                out.push(
                    META.diagnostic(
                        *at,
                        format!("this reference leads back to where it started ({chain}): `docker compose` refuses the project"),
                    )
                    .label("cycle")
                    .help("break the cycle: one of these must not refer back"),
                );
            }
        }
    }
}
