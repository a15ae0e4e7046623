//! `depends-on-not-healthy`: Milvus depends on etcd, MinIO or its queue without waiting for it
//! to be healthy.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::fix::compose_edit;
use crate::stack::health;

pub struct DependsOnNotHealthy;

static META: RuleMeta = RuleMeta {
    id: "depends-on-not-healthy",
    severity: Severity::Info,
    summary: "Milvus depends on etcd, MinIO or its queue without `condition: service_healthy`",
    doc: include_str!("../../rules/depends-on-not-healthy.md"),
};

impl Rule for DependsOnNotHealthy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for milvus in cx.stack.members.iter().filter(|m| m.is_milvus()) {
            let s = milvus.service;
            for dep in &s.depends_on {
                let Some(target) = cx.stack.get(&dep.service.value) else {
                    continue;
                };
                if target.is_milvus() {
                    continue;
                }
                let how = match &dep.condition {
                    None => "in the short form (`service_started`)".to_string(),
                    Some(c) if c.value == "service_started" => {
                        "with `condition: service_started`".to_string()
                    }
                    Some(_) => continue,
                };
                let healthy = |name: &str| -> &'static str {
                    let ok = cx
                        .stack
                        .get(name)
                        .is_some_and(|m| !m.is_milvus() && health::can_pass(m));
                    if ok {
                        "service_healthy"
                    } else {
                        "service_started"
                    }
                };
                let fix = if health::can_pass(target) {
                    match compose_edit::set_dependency_condition(
                        cx.sources,
                        s,
                        &dep.service.value,
                        &healthy,
                    ) {
                        Ok(edits) => Fix::safe(
                            format!(
                                "wait for `{}` with `condition: service_healthy`",
                                dep.service.value
                            ),
                            edits,
                        ),
                        Err(why) => Fix::unavailable(why),
                    }
                } else {
                    Fix::unavailable(format!(
                        "give `{}` a healthcheck that runs in its image first, then use \
                         `condition: service_healthy`",
                        dep.service.value
                    ))
                };
                out.push(
                    META.diagnostic(
                        dep.service.origin,
                        format!(
                            "`{}` depends on `{}` ({}) {how}: `docker compose up` starts Milvus as \
                             soon as that container is created, not once it is ready. This \
                             orders only `docker compose up`: after a reboot the Docker daemon \
                             starts containers in no order at all, so the restart policy, not \
                             `depends_on`, is what brings the stack back",
                            s.name.value,
                            dep.service.value,
                            target.role.describe()
                        ),
                    )
                    .service(s)
                    .label("not waiting for health")
                    .help(format!(
                        "write `depends_on: {{{}: {{condition: service_healthy}}}}` so that `up` \
                         waits for its healthcheck",
                        dep.service.value
                    ))
                    .fix(fix),
                );
            }
        }
    }
}
