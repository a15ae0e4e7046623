//! `healthcheck-missing`: etcd, MinIO or Milvus without a healthcheck in a Milvus stack.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::fix::compose_edit;
use crate::fix::yaml_edit::Value;
use crate::stack::health::{self, Probe};
use crate::stack::roles::{Member, Role};

pub struct HealthcheckMissing;

static META: RuleMeta = RuleMeta {
    id: "healthcheck-missing",
    severity: Severity::Warning,
    summary: "etcd, MinIO or Milvus has no healthcheck",
    doc: include_str!("../../rules/healthcheck-missing.md"),
};

impl Rule for HealthcheckMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.stack.has_milvus() {
            return;
        }
        for member in &cx.stack.members {
            if matches!(member.role, Role::Queue(_)) {
                continue;
            }
            let s = member.service;
            let (origin, how) = match &s.healthcheck {
                None => (s.name.origin, "has no healthcheck"),
                Some(hc) if matches!(health::probe(hc), Probe::Disabled) => {
                    (hc.origin, "has its healthcheck disabled")
                }
                Some(_) => continue,
            };
            let what = member.role.describe();
            let fix = match &s.healthcheck {
                None => fix(cx, member),
                Some(_) => Fix::unavailable(
                    "remove `disable: true` (or the `NONE` test) and give the service a test \
                     that runs in its image",
                ),
            };
            out.push(
                META.diagnostic(
                    origin,
                    format!(
                        "service `{}` ({what}) {how}: nothing can wait for it to be ready \
                         (`depends_on` with `condition: service_healthy`), and `docker compose \
                         ps` cannot show it down after a restart",
                        s.name.value
                    ),
                )
                .service(s)
                .label("no healthcheck")
                .help(
                    "add the healthcheck of the official Milvus compose file for this image \
                     (`milvet check --fix` writes one that runs in this image version)",
                )
                .fix(fix),
            );
        }
    }
}

fn fix(cx: &Context<'_>, member: &Member<'_>) -> Fix {
    let suggested = match health::runnable(member) {
        Ok(s) => s,
        Err(why) => return Fix::unavailable(why),
    };
    let mut entries = vec![
        ("test".to_string(), Value::Raw(suggested.test_yaml())),
        ("interval".to_string(), Value::Raw("30s".into())),
    ];
    if let Some(p) = suggested.start_period {
        entries.push(("start_period".into(), Value::Raw(p.into())));
    }
    entries.push(("timeout".into(), Value::Raw("20s".into())));
    entries.push(("retries".into(), Value::Raw("3".into())));
    match compose_edit::add_service_key(
        cx.sources,
        cx.file,
        member.service,
        "healthcheck",
        &Value::Map(entries),
        &[],
    ) {
        Ok(edits) => Fix::safe(
            format!(
                "add a healthcheck running `{}`, as the official Milvus compose file does",
                suggested.test[1..].join(" ")
            ),
            edits,
        ),
        Err(why) => Fix::unavailable(why),
    }
}
