//! `unused-suppression`: a `# milvet: ignore[...]` that silences nothing. The suppression stage
//! ([`crate::suppress`]) reports it; the rule itself checks nothing.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::Origin;
use crate::diagnostic::{Diagnostic, Severity};

pub struct UnusedSuppression;

pub const ID: &str = "unused-suppression";

static META: RuleMeta = RuleMeta {
    id: ID,
    severity: Severity::Warning,
    summary: "a suppression comment that silences nothing, or names no rule",
    doc: include_str!("../../rules/unused-suppression.md"),
};

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}

/// The finding for the rule ids `names` of a suppression that silence nothing; `whole` when
/// they are all its ids, `file` for an `ignore-file`.
pub(crate) fn finding(at: Origin, names: &[String], whole: bool, file: bool) -> Diagnostic {
    let where_ = if file {
        "in this file"
    } else {
        "on the line it covers"
    };
    META.diagnostic(
        at,
        format!(
            "the suppression of {} silences nothing: no such finding {where_}",
            names.join(", ")
        ),
    )
    .label("unused")
    .help(if whole {
        "remove the comment (the fix does), or move it to the line of the finding"
    } else {
        "remove the unused ids (the fix does), or move them to the line of the finding"
    })
}

/// The finding for a `# milvet:` comment that is not a suppression.
pub(crate) fn not_a_suppression(at: Origin) -> Diagnostic {
    META.diagnostic(
        at,
        "this `milvet:` comment is not a suppression, so it silences nothing",
    )
    .label("not understood")
    .help("write `# milvet: ignore[rule-id] reason` or `# milvet: ignore-file[rule-id] reason`")
}
