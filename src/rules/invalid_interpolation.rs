//! `invalid-interpolation`: a malformed `${...}`, which `docker compose` refuses.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::Problem;
use crate::diagnostic::{Diagnostic, Severity};

pub struct InvalidInterpolation;

static META: RuleMeta = RuleMeta {
    id: "invalid-interpolation",
    severity: Severity::Error,
    summary: "a `${...}` reference is malformed, so `docker compose` refuses the file",
    doc: include_str!("../../rules/invalid-interpolation.md"),
};

impl Rule for InvalidInterpolation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for p in &cx.file.problems {
            if let Problem::InvalidInterpolation { message, at } = p {
                out.push(
                    META.diagnostic(
                        *at,
                        format!(
                            "this variable reference is malformed ({message}): `docker compose` \
                             refuses the file with \"invalid interpolation format\""
                        ),
                    )
                    .label("malformed")
                    .help("write `${NAME}`, `${NAME:-default}` or `${NAME:?message}`; a literal `$` is `$$`"),
                );
            }
        }
    }
}
