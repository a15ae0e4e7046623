//! `unset-variable`: a variable that is not set, read without a default where its value
//! matters (a mount, etcd's or MinIO's settings, their command lines); or a `${VAR:?msg}` whose
//! variable is missing, which stops `docker compose up`.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::interpolate::RefOp;
use crate::compose::{Origin, Problem, Service, Text, VarUse};
use crate::diagnostic::{Diagnostic, Severity};
use std::collections::HashSet;

pub struct UnsetVariable;

static META: RuleMeta = RuleMeta {
    id: "unset-variable",
    severity: Severity::Warning,
    summary: "a variable is not set where its value matters, or a required one is missing",
    doc: include_str!("../../rules/unset-variable.md"),
};

impl Rule for UnsetVariable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for p in &cx.file.problems {
            if let Problem::RequiredVariable { name, message, at } = p {
                let why = if message.is_empty() {
                    String::new()
                } else {
                    format!(": {message}")
                };
                let mut d = META
                    .diagnostic(
                        *at,
                        format!(
                            "`{name}` is required here but not set: `docker compose` stops with \
                             \"required variable {name} is missing a value{why}\""
                        ),
                    )
                    .label("required, not set")
                    .help(format!(
                        "set `{name}` in the shell that runs `docker compose` or in the \
                         project's `.env` file"
                    ));
                d.severity = Severity::Error;
                out.push(d);
            }
        }
        let mut seen: HashSet<Origin> = HashSet::new();
        let stateful: HashSet<*const Service> = cx
            .etcd
            .iter()
            .map(|e| e.service as *const Service)
            .chain(cx.minio.iter().map(|m| m.service as *const Service))
            .collect();
        for service in &cx.file.services {
            let runs_stateful = stateful.contains(&(service as *const Service));
            for (what, vars) in watched(service, runs_stateful) {
                for v in vars {
                    if v.var.is_some() || v.used_operand || v.op != RefOp::None {
                        continue;
                    }
                    if !seen.insert(v.reference) {
                        continue;
                    }
                    out.push(
                        META.diagnostic(
                            v.reference,
                            format!(
                                "`{}` is not set and has no default, so Compose reads it as an \
                                 empty string in {what} of service `{}`",
                                v.name, service.name.value
                            ),
                        )
                        .service(service)
                        .label("not set")
                        .help(format!(
                            "set `{}` in the shell or the project's `.env` file, or give a \
                             default: `${{{}:-...}}`",
                            v.name, v.name
                        )),
                    );
                }
            }
        }
    }
}

/// The values of a service whose variables matter, with what they are: every mount, and for
/// etcd and MinIO, their image, environment and command line.
fn watched(service: &Service, stateful: bool) -> Vec<(&'static str, &[VarUse])> {
    let mut out: Vec<(&'static str, &[VarUse])> = Vec::new();
    fn text(t: &Text) -> &[VarUse] {
        &t.vars
    }
    for m in &service.mounts {
        if let Some(s) = &m.source {
            out.push(("the source of a mount", text(s)));
        }
        out.push(("the target of a mount", text(&m.target)));
    }
    if !stateful {
        return out;
    }
    if let Some((_, t)) = &service.image {
        out.push(("the image", text(t)));
    }
    for v in &service.environment.vars {
        if let Some(t) = &v.value {
            out.push(("the environment", text(t)));
        }
    }
    for c in [&service.command, &service.entrypoint]
        .into_iter()
        .flatten()
    {
        for a in &c.args {
            out.push(("the command line", &a.vars));
        }
    }
    out
}
