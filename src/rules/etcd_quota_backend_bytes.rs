//! `etcd-quota-backend-bytes`: in a Milvus stack, etcd's backend quota is left at its 2 GiB
//! default, or set above the 8 GiB etcd warns about.

use super::{Context, DiagnosticExt, Rule, RuleMeta, service_anchor};
use crate::diagnostic::{Diagnostic, Severity};
use crate::stack::etcd::parse_go_int;

pub struct EtcdQuotaBackendBytes;

static META: RuleMeta = RuleMeta {
    id: "etcd-quota-backend-bytes",
    severity: Severity::Info,
    summary: "etcd's backend quota is the 2 GiB default (Milvus uses 4 GiB), or above 8 GiB",
    doc: include_str!("../../rules/etcd-quota-backend-bytes.md"),
};

const GIB: i128 = 1 << 30;

impl Rule for EtcdQuotaBackendBytes {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.milvus {
            return;
        }
        for etcd in &cx.etcd {
            if etcd.settings_unknown() {
                continue;
            }
            let s = etcd.service;
            let setting = etcd.setting("quota-backend-bytes");
            if super::unknowable(cx, setting.as_ref().and_then(|x| x.origin())) {
                continue;
            }
            let help = match etcd.config_host() {
                Some(host) => format!(
                    "set `quota-backend-bytes: 4294967296` (4 GiB) in etcd's config file \
                     `{host}`, as the official Milvus compose file and Helm chart do, keep \
                     auto-compaction on, and watch the database size"
                ),
                None => "set `ETCD_QUOTA_BACKEND_BYTES=4294967296` (4 GiB) as the official \
                         Milvus compose file and Helm chart do, keep auto-compaction on, and \
                         watch the database size"
                    .to_string(),
            };
            let value = setting.as_ref().map(|x| x.value.trim().to_string());
            let parsed = value.as_deref().map(parse_go_int);
            let (origin, message, severity) = match (&setting, parsed) {
                (None, _) | (Some(_), Some(Some(0))) => (
                    setting
                        .as_ref()
                        .and_then(|x| x.origin())
                        .or(etcd.config.as_ref().map(|c| c.settings.start))
                        .or(s.environment.key)
                        .unwrap_or_else(|| service_anchor(s)),
                    format!(
                        "etcd's backend quota for service `{}` is {}: etcd's default of 2 GiB, \
                         half of what Milvus's own deployments give it (4 GiB). When the \
                         database reaches the quota etcd raises a NOSPACE alarm and refuses \
                         every write (\"mvcc: database space exceeded\", milvus-io/milvus \
                         #14195): Milvus can no longer record anything",
                        s.name.value,
                        match (&setting, &etcd.config) {
                            (None, Some(_)) => "not set in etcd's config file",
                            (None, None) => "not set",
                            _ => "0",
                        }
                    ),
                    Severity::Info,
                ),
                (Some(x), Some(Some(v))) if v > 8 * GIB => (
                    x.origin().unwrap_or_else(|| service_anchor(s)),
                    format!(
                        "etcd's backend quota for service `{}` is {v} bytes, above 8 GiB: etcd \
                         only warns (\"exceeded recommended quota\"), and a database that large \
                         makes start-up, defragmentation and snapshots slow, so recovery after a \
                         power cut takes much longer",
                        s.name.value
                    ),
                    Severity::Warning,
                ),
                _ => continue,
            };
            let mut d = META.diagnostic(origin, message);
            d.severity = severity;
            out.push(d.service(s).label("backend quota").help(help));
        }
    }
}
