//! `restart-policy-missing`: a service of the Milvus stack does not come back by itself when
//! the Docker daemon starts after a reboot.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::fix::compose_edit;
use crate::fix::yaml_edit::Value;
use crate::stack::roles::Member;

pub struct RestartPolicyMissing;

static META: RuleMeta = RuleMeta {
    id: "restart-policy-missing",
    severity: Severity::Warning,
    summary: "a service of the Milvus stack has no restart policy that brings it back after a reboot",
    doc: include_str!("../../rules/restart-policy-missing.md"),
};

/// The policy a service ends up with, as Docker Compose v2 decides it.
enum Policy<'a> {
    /// `always` or `unless-stopped` (or `deploy.restart_policy` with `condition: any`).
    Returns,
    /// Nothing written: `no`.
    Absent,
    /// `restart:` written with a value that does not bring it back.
    Restart(&'a crate::compose::Text),
    /// `deploy.restart_policy.condition` written with such a value.
    Deploy(&'a crate::compose::Text),
}

fn policy<'a>(member: &Member<'a>) -> Policy<'a> {
    let s = member.service;
    // deploy.restart_policy overrides restart (pkg/compose/create.go getRestartPolicy).
    if let Some(d) = &s.deploy_restart {
        return match &d.condition {
            None => Policy::Returns,
            Some(c) if c.value == "any" => Policy::Returns,
            Some(c) => Policy::Deploy(c),
        };
    }
    match &s.restart {
        None => Policy::Absent,
        Some(r) if r.value == "always" || r.value == "unless-stopped" => Policy::Returns,
        Some(r) => Policy::Restart(r),
    }
}

impl Rule for RestartPolicyMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.stack.has_milvus() {
            return;
        }
        for member in &cx.stack.members {
            // A queue is part of the stack only when Milvus uses it.
            if matches!(member.role, crate::stack::roles::Role::Queue(_))
                && !cx.stack.used_by_milvus(member)
            {
                continue;
            }
            let s = member.service;
            let what = member.role.describe();
            let after = "after a power cut or a reboot the Docker daemon starts again but leaves \
                         this container stopped";
            let stake = match member.milvus_role() {
                Some(crate::stack::roles::MilvusRole::Standalone) => {
                    "and Milvus stays down; after a forced stop a standalone Milvus on RocksMQ \
                     can also need several starts before it comes up (milvus-io/milvus #25182)"
                        .to_string()
                }
                Some(_) => {
                    "and the Milvus cluster stays incomplete until someone starts it by hand".into()
                }
                None => format!("and Milvus cannot work without its {what}"),
            };
            let (origin, message, fix) = match policy(member) {
                Policy::Returns => continue,
                Policy::Absent => (
                    s.name.origin,
                    format!(
                        "service `{}` ({what}) has no restart policy (Compose's default is \
                         `no`): {after}, {stake}",
                        s.name.value
                    ),
                    match compose_edit::add_service_key(
                        cx.sources,
                        cx.file,
                        s,
                        "restart",
                        &Value::Raw("unless-stopped".into()),
                        &["image", "container_name"],
                    ) {
                        Ok(edits) => Fix::safe("add `restart: unless-stopped`", edits),
                        Err(why) => Fix::unavailable(why),
                    },
                ),
                Policy::Restart(r) => (
                    r.place(),
                    format!(
                        "service `{}` ({what}) has `restart: {}`: {}, {stake}",
                        s.name.value,
                        r.value,
                        why_not(&r.value, after)
                    ),
                    match compose_edit::replace_service_scalar(cx.sources, r, "unless-stopped") {
                        Ok(edits) => Fix::safe("set `restart: unless-stopped`", edits),
                        Err(why) => Fix::unavailable(why),
                    },
                ),
                Policy::Deploy(c) => (
                    c.place(),
                    format!(
                        "service `{}` ({what}) has `deploy.restart_policy.condition: {}`, which \
                         Compose uses instead of `restart`: {}, {stake}",
                        s.name.value,
                        c.value,
                        why_not(&c.value, after)
                    ),
                    match compose_edit::replace_service_scalar(cx.sources, c, "any") {
                        Ok(edits) => Fix::safe("set `condition: any` (Compose's `always`)", edits),
                        Err(why) => Fix::unavailable(why),
                    },
                ),
            };
            out.push(
                META.diagnostic(origin, message)
                    .service(s)
                    .label("no restart after a reboot")
                    .help(
                        "set `restart: unless-stopped` (or `always`) on every service of the \
                         stack; `depends_on` does not order containers the daemon restarts",
                    )
                    .fix(fix),
            );
        }
    }
}

fn why_not(value: &str, after: &str) -> String {
    if value.starts_with("on-failure") {
        format!(
            "`on-failure` restarts a container that exits with an error, but is documented not \
             to restart it when the daemon starts after a reboot (it sometimes does, moby \
             #47846): unreliable; {after}"
        )
    } else {
        after.to_string()
    }
}
