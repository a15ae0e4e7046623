//! `invalid-volume-spec`: a short-syntax volume that, once interpolated, is not a valid spec
//! (`${DATA}:/data` with `DATA` unset is `:/data`), which `docker compose` refuses.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::Problem;
use crate::diagnostic::{Diagnostic, Severity};

pub struct InvalidVolumeSpec;

static META: RuleMeta = RuleMeta {
    id: "invalid-volume-spec",
    severity: Severity::Error,
    summary: "a short-syntax volume is not a valid spec once its variables are read (`:/data`)",
    doc: include_str!("../../rules/invalid-volume-spec.md"),
};

impl Rule for InvalidVolumeSpec {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for p in &cx.file.problems {
            let Problem::InvalidVolumeSpec { spec, at, vars } = p else {
                continue;
            };
            let why = super::unset_note(vars);
            let mut d = META
                .diagnostic(
                    *at,
                    format!(
                        "this volume reads as `{spec}`{why}, which is not `[SOURCE:]TARGET[:MODE]`: \
                         `docker compose` refuses the file (\"invalid spec: {spec}\")"
                    ),
                )
                .label("invalid volume")
                .help(
                    "set the variables it reads in the shell or the project's `.env`, or give \
                     them defaults: `${DATA:-./volumes/data}:/data`",
                );
            for v in vars.iter().filter(|v| v.var.is_none()) {
                d = d.related(v.reference, format!("`{}` read here", v.name));
            }
            out.push(d);
        }
    }
}
