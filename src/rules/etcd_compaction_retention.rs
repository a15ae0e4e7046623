//! `etcd-compaction-retention`: etcd's effective auto-compaction retention is missing, not a
//! revision count, or too small.

use super::etcd_compaction_mode::{fallback_origin, setting_fix};
use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::stack::etcd::{Retention, Source};

pub struct EtcdCompactionRetention;

static META: RuleMeta = RuleMeta {
    id: "etcd-compaction-retention",
    severity: Severity::Warning,
    summary: "etcd's auto-compaction retention is missing, not a revision count, or too small",
    doc: include_str!("../../rules/etcd-compaction-retention.md"),
};

impl Rule for EtcdCompactionRetention {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let min = cx.options.min_retention;
        for etcd in &cx.etcd {
            let service = etcd.service;
            if etcd.settings_unknown() {
                continue;
            }
            let retention = etcd.compaction_retention();
            if super::unknowable(cx, retention.origin()) {
                continue;
            }
            let revision_mode = etcd.compaction_mode().value == "revision";
            let value = retention.value.as_str();
            let message = match Retention::parse(value) {
                Retention::Integer(n) if n >= min => continue,
                Retention::Integer(0) if retention.in_config_file() && retention.is_default() => {
                    "etcd's config file sets no `auto-compaction-retention`, so it is 0, which \
                     turns auto-compaction off: etcd keeps every revision until its backend \
                     reaches the space quota, then refuses writes (\"mvcc: database space \
                     exceeded\")"
                        .to_string()
                }
                Retention::Integer(0) if retention.is_default() => {
                    "etcd's auto-compaction retention is not set, so it is 0, which turns \
                     auto-compaction off: etcd keeps every revision until its backend reaches \
                     the space quota, then refuses writes (\"mvcc: database space exceeded\")"
                        .to_string()
                }
                Retention::Integer(0) => "an auto-compaction retention of 0 turns auto-compaction \
                     off: etcd keeps every revision until its backend reaches the space quota, \
                     then refuses writes (\"mvcc: database space exceeded\")"
                    .to_string(),
                Retention::Integer(n) if revision_mode => format!(
                    "an auto-compaction retention of {n} keeps only the last {n} revisions \
                     (fewer than {min}): a watcher that falls further behind gets \"required \
                     revision has been compacted\" and has to start over"
                ),
                Retention::Integer(n) => format!(
                    "in periodic mode a retention of {n} means {n} hour(s), and as a revision \
                     count (the `revision` mode etcd-compaction-mode asks for) {n} is fewer than \
                     {min} revisions"
                ),
                Retention::Duration(ns) if revision_mode => format!(
                    "`{value}` is a duration, but in revision mode etcd reads the retention as \
                     a revision count and turns a duration into its length in nanoseconds \
                     ({ns} revisions): compaction never removes anything"
                ),
                Retention::Duration(ns) => format!(
                    "`{value}` is a duration, which only periodic mode understands: in \
                     `revision` mode (which etcd-compaction-mode asks for) etcd would read it as \
                     {ns} revisions and never compact"
                ),
                Retention::Invalid => format!(
                    "`{value}` is neither a whole number nor a duration: etcd cannot parse the \
                     auto-compaction retention and exits at start"
                ),
            };
            let (origin, label) = match retention.origin() {
                Some(o) => (o, "not a revision count of 1000 or more".to_string()),
                None => (
                    fallback_origin(etcd),
                    "no auto-compaction retention set".to_string(),
                ),
            };
            let target = min.max(1000).to_string();
            let help = match &retention.source {
                Source::Flag(_) => format!("set `--auto-compaction-retention={target}`"),
                Source::File(_) | Source::FileDefault(_) => format!(
                    "set `auto-compaction-retention: \"{target}\"` (with `auto-compaction-mode: \
                     revision`) in etcd's config file `{}`",
                    etcd.config_host().unwrap_or_default()
                ),
                _ => format!(
                    "set `ETCD_AUTO_COMPACTION_RETENTION={target}` in the service's environment \
                     (with `ETCD_AUTO_COMPACTION_MODE=revision`)"
                ),
            };
            let mut d = META
                .diagnostic(origin, message)
                .service(service)
                .label(label)
                .help(help)
                .fix(setting_fix(
                    cx,
                    etcd,
                    &retention,
                    "auto-compaction-retention",
                    &target,
                ));
            d = super::explained(
                d,
                retention.explain(),
                retention.provenance(&|f| cx.path(f)),
            );
            if !retention.in_config_file()
                && let Some(var) = etcd.shadowed_env("auto-compaction-retention")
            {
                d = d.related(
                    var.entry,
                    "also set here: etcd refuses to start when a variable shadows a flag",
                );
            }
            out.push(d);
        }
    }
}
