//! `milvus-management-port-exposed`: Milvus's metrics and management port 9091 published on
//! every interface of the host.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::fix::compose_edit;
use crate::stack::releases;

pub struct MilvusManagementPortExposed;

static META: RuleMeta = RuleMeta {
    id: "milvus-management-port-exposed",
    severity: Severity::Warning,
    summary: "Milvus's management port 9091 is published on every interface of the host",
    doc: include_str!("../../rules/milvus-management-port-exposed.md"),
};

/// Milvus's metrics, health and management port.
pub const MANAGEMENT_PORT: u16 = 9091;

impl Rule for MilvusManagementPortExposed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for member in cx.stack.members.iter().filter(|m| m.is_milvus()) {
            let s = member.service;
            for port in &s.ports {
                if !port.targets(MANAGEMENT_PORT) || !port.on_all_interfaces() {
                    continue;
                }
                if super::unknowable(cx, Some(port.origin)) {
                    continue;
                }
                let version = member.version.version();
                let vulnerable = version.and_then(|v| releases::get().milvus_vulnerable(v));
                let (severity, why) = match (vulnerable, version) {
                    (Some(true), Some(v)) => (
                        Severity::Error,
                        format!(
                            "Milvus {v} is vulnerable to CVE-2026-26190 (CVSS 9.8): port 9091 \
                             serves the management API (/api/v1/*) without authentication and \
                             accepts the default token `by-dev` on /expr, so anyone who reaches \
                             the host can read and change the deployment (fixed in 2.5.27 and \
                             2.6.10)"
                        ),
                    ),
                    _ => (
                        Severity::Warning,
                        "port 9091 serves metrics, health and management endpoints that are not \
                         meant for the network (CVE-2026-26190 made them an unauthenticated \
                         management API before 2.5.27 and 2.6.10)"
                            .to_string(),
                    ),
                };
                let fix = match &port.short {
                    Some(text) => {
                        let spec = text.raw.trim();
                        let rest = spec.strip_prefix("0.0.0.0:").unwrap_or(spec);
                        let rest = if rest.contains(':') {
                            rest.to_string()
                        } else {
                            // `9091` alone publishes a random host port; keep the target.
                            format!(":{rest}")
                        };
                        let new = format!("127.0.0.1:{rest}");
                        match compose_edit::replace_service_scalar(cx.sources, text, &new) {
                            Ok(edits) => Fix::unsafe_(
                                format!(
                                    "publish it as `{new}`, on the host's loopback only. Unsafe: \
                                     a monitoring system or load balancer on another host that \
                                     scrapes or probes 9091 loses access"
                                ),
                                edits,
                            ),
                            Err(why) => Fix::unavailable(why),
                        }
                    }
                    None => match compose_edit::set_port_host_ip(cx.sources, port, "127.0.0.1") {
                        Ok(edits) => Fix::unsafe_(
                            "bind it with `host_ip: 127.0.0.1`, on the host's loopback only. \
                             Unsafe: a monitoring system or load balancer on another host that \
                             scrapes or probes 9091 loses access",
                            edits,
                        ),
                        Err(why) => Fix::unavailable(why),
                    },
                };
                let mut d = META
                    .diagnostic(
                        port.origin,
                        format!(
                            "service `{}` ({}) publishes port 9091 on every interface of the \
                             host: {why}; publish it on 127.0.0.1 (or not at all) and keep only \
                             19530 reachable",
                            s.name.value,
                            member.role.describe()
                        ),
                    )
                    .service(s)
                    .label("9091 on all interfaces")
                    .help("publish it as `127.0.0.1:9091:9091`, or remove it from `ports`")
                    .fix(fix);
                d.severity = severity;
                out.push(d);
            }
        }
    }
}
