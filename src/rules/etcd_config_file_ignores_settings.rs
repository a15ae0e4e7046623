//! `etcd-config-file-ignores-settings`: etcd reads a config file, and ignores the flags and
//! `ETCD_*` variables the service also sets.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::stack::etcd::flag_of;

pub struct EtcdConfigFileIgnoresSettings;

static META: RuleMeta = RuleMeta {
    id: "etcd-config-file-ignores-settings",
    severity: Severity::Warning,
    summary: "etcd reads a config file and ignores the flags and ETCD_* variables also set",
    doc: include_str!("../../rules/etcd-config-file-ignores-settings.md"),
};

impl Rule for EtcdConfigFileIgnoresSettings {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for etcd in &cx.etcd {
            let Some((file, origin)) = etcd.config_in_use() else {
                continue;
            };
            let ignored = etcd.ignored_settings();
            if ignored.is_empty() {
                continue;
            }
            let s = etcd.service;
            let names: Vec<String> = ignored.iter().map(|(n, _)| format!("`{n}`")).collect();
            let mut d = META
                .diagnostic(
                    origin,
                    format!(
                        "etcd in service `{}` reads its configuration from `{file}`, and then \
                         ignores every other flag and `ETCD_*` variable: {} {} no effect, so \
                         the data dir, compaction and quota are whatever that file says",
                        s.name.value,
                        names.join(", "),
                        if names.len() == 1 { "has" } else { "have" }
                    ),
                )
                .service(s)
                .label("etcd reads only this file")
                .help(format!(
                    "put those settings into `{}` (keys such as `data-dir`, \
                     `auto-compaction-mode`, `auto-compaction-retention`, `quota-backend-bytes`), \
                     or drop the config file",
                    etcd.config_host().unwrap_or_else(|| file.clone())
                ))
                .fix(Fix::unavailable(format!(
                    "move the settings into `{file}` or remove the config file: milvet does not \
                     choose between them"
                )));
            for (name, at) in ignored {
                // With the file itself in the project, say what etcd uses instead.
                let instead = etcd.config.as_ref().map(|c| {
                    let key = flag_of(&name);
                    match c.settings.get(&key) {
                        Some(set) => format!("; the config file sets `{key}: {}`", set.raw),
                        None => format!("; the config file does not set `{key}`"),
                    }
                });
                d = d.related(
                    at,
                    format!("`{name}` is ignored{}", instead.unwrap_or_default()),
                );
            }
            if let Some(c) = &etcd.config {
                d = d.related(c.settings.start, "what etcd reads");
            }
            out.push(d);
        }
    }
}
