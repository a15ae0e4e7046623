//! `suppression-without-reason`: a `# milvet: ignore[...]` that does not say why. The
//! suppression stage ([`crate::suppress`]) reports it; the rule itself checks nothing.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::Origin;
use crate::diagnostic::{Diagnostic, Severity};

pub struct SuppressionWithoutReason;

pub const ID: &str = "suppression-without-reason";

static META: RuleMeta = RuleMeta {
    id: ID,
    severity: Severity::Warning,
    summary: "a suppression comment that does not say why the finding is accepted",
    doc: include_str!("../../rules/suppression-without-reason.md"),
};

impl Rule for SuppressionWithoutReason {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}

pub(crate) fn finding(at: Origin) -> Diagnostic {
    META.diagnostic(
        at,
        "this suppression does not say why the finding is accepted here",
    )
    .label("no reason")
    .help("write the reason after the bracket: `# milvet: ignore[rule-id] why it is right here`")
}
