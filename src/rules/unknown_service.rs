//! `unknown-service`: `extends` names a service that does not exist.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::Problem;
use crate::diagnostic::{Diagnostic, Severity};

pub struct UnknownService;

static META: RuleMeta = RuleMeta {
    id: "unknown-service",
    severity: Severity::Error,
    summary: "`extends` names a service that does not exist",
    doc: include_str!("../../rules/unknown-service.md"),
};

impl Rule for UnknownService {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for p in &cx.file.problems {
            if let Problem::UnknownService { service, at } = p {
                out.push(
                    META.diagnostic(
                        *at,
                        format!(
                            "`extends` names the service `{service}`, which the file it points \
                             to does not define: `docker compose` refuses the project"
                        ),
                    )
                    .label("no such service")
                    .help("name a service defined in that file, or add `file:` to point at the file that defines it"),
                );
            }
        }
    }
}
