//! `etcd-compaction-mode`: etcd's effective auto-compaction mode is not `revision`.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::Origin;
use crate::diagnostic::{Diagnostic, Severity};
use crate::stack::etcd::{Etcd, Source};

pub struct EtcdCompactionMode;

static META: RuleMeta = RuleMeta {
    id: "etcd-compaction-mode",
    severity: Severity::Warning,
    summary: "etcd's auto-compaction mode is not `revision`",
    doc: include_str!("../../rules/etcd-compaction-mode.md"),
};

impl Rule for EtcdCompactionMode {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for etcd in &cx.etcd {
            let service = etcd.service;
            if etcd.config_file().is_some() {
                continue;
            }
            let mode = etcd.compaction_mode();
            if mode.value == "revision" {
                continue;
            }
            let retention = etcd.compaction_retention();
            let message = match (&mode.source, mode.value.as_str()) {
                (Source::Default, _) => {
                    let consequence = if retention.is_default() || retention.value == "0" {
                        "with no retention either, auto-compaction is off: etcd keeps every \
                         revision until its backend reaches the space quota, then refuses writes \
                         (\"mvcc: database space exceeded\")"
                            .to_string()
                    } else {
                        format!(
                            "so the retention `{}` is read as hours, not as a revision count",
                            retention.value
                        )
                    };
                    format!(
                        "etcd's auto-compaction mode is not set, so etcd uses `periodic`; {consequence}"
                    )
                }
                (_, "periodic") => {
                    "etcd's auto-compaction mode is `periodic`: it compacts by age, \
                     so the history it keeps grows with the write rate; `revision` mode bounds it \
                     by count"
                        .to_string()
                }
                (_, other) => format!(
                    "`{other}` is not an auto-compaction mode (`periodic` or `revision`): etcd \
                     exits at start"
                ),
            };
            let (origin, label) = match mode.origin() {
                Some(o) => (o, "not `revision`".to_string()),
                None => (
                    fallback_origin(etcd),
                    "no auto-compaction mode set".to_string(),
                ),
            };
            let mut help = match &mode.source {
                Source::Flag(_) => "set `--auto-compaction-mode=revision` (with \
                    `--auto-compaction-retention=1000`)"
                    .to_string(),
                _ => "set `ETCD_AUTO_COMPACTION_MODE=revision` (with \
                      `ETCD_AUTO_COMPACTION_RETENTION=1000`) in the service's environment"
                    .to_string(),
            };
            if cx.milvus {
                help.push_str(", as Milvus's official compose file and Helm chart do");
            }
            let mut d = META
                .diagnostic(origin, message)
                .service(service)
                .label(label)
                .help(help);
            if let Some(var) = etcd.shadowed_env("auto-compaction-mode") {
                d = d.related(
                    var.entry,
                    "also set here: etcd refuses to start when a variable shadows a flag",
                );
            }
            out.push(d);
        }
    }
}

/// Where to point when the setting is not written: the environment key, else the service name.
pub(super) fn fallback_origin(etcd: &Etcd<'_>) -> Origin {
    etcd.service
        .environment
        .key
        .unwrap_or(etcd.service.name.origin)
}
