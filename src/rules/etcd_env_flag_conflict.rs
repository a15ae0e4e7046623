//! `etcd-env-flag-conflict`: the same etcd setting given as a flag and as its `ETCD_*`
//! variable; etcd exits at start.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::fix::compose_edit;
use crate::stack::etcd::BITNAMI_DATA_DIR;

pub struct EtcdEnvFlagConflict;

static META: RuleMeta = RuleMeta {
    id: "etcd-env-flag-conflict",
    severity: Severity::Error,
    summary: "an etcd setting is given both as a flag and as its ETCD_* variable: etcd exits",
    doc: include_str!("../../rules/etcd-env-flag-conflict.md"),
};

fn env_name(flag: &str) -> String {
    format!("ETCD_{}", flag.to_ascii_uppercase().replace('-', "_"))
}

impl Rule for EtcdEnvFlagConflict {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for etcd in &cx.etcd {
            // With a config file etcd reads neither flags nor variables, and checks nothing.
            if etcd.config_file().is_some() {
                continue;
            }
            let s = etcd.service;
            let exported = etcd.bitnami_exported_conflicts();
            for (flag, value) in &exported {
                let var = env_name(flag);
                let instead = if *flag == "data-dir" {
                    format!(
                        "remove `--data-dir` from the command: this image keeps etcd's data in \
                         `{BITNAMI_DATA_DIR}` whatever you set, so mount a volume at \
                         `/bitnami/etcd`"
                    )
                } else {
                    format!(
                        "remove `--{flag}` from the command and set `{var}` in the service's \
                         `environment` instead"
                    )
                };
                out.push(
                    META.diagnostic(
                        value.flag,
                        format!(
                            "the bitnami etcd entrypoint of service `{}` exports `{var}` before \
                             it runs the command, so `--{flag}` on the command line makes etcd \
                             exit at start (\"conflicting environment variable \\\"{var}\\\" is \
                             shadowed by corresponding command-line flag\")",
                            s.name.value
                        ),
                    )
                    .service(s)
                    .label("conflicts with the image's variable")
                    .help(instead.clone())
                    .fix(Fix::unavailable(instead)),
                );
            }
            for (flag, value) in etcd.flags() {
                if exported.iter().any(|(f, _)| *f == flag) {
                    continue;
                }
                let Some(var) = etcd.env_var(&flag) else {
                    continue;
                };
                let name = env_name(&flag);
                let same = var.value.as_ref().is_some_and(|t| t.value == value.value);
                let fix = match compose_edit::remove_env(cx.sources, s, &var) {
                    Ok(edits) => Fix::safe(
                        format!("remove `{name}`; the command's `--{flag}` stays"),
                        edits,
                    ),
                    Err(why) => Fix::unavailable(why),
                };
                out.push(
                    META.diagnostic(
                        var.entry,
                        format!(
                            "`{name}` is set and the command of service `{}` also gives \
                             `--{flag}`{}: etcd refuses the pair and exits at start \
                             (\"conflicting environment variable \\\"{name}\\\" is shadowed by \
                             corresponding command-line flag\"), so the service never comes up",
                            s.name.value,
                            if same { ", with the same value" } else { "" }
                        ),
                    )
                    .service(s)
                    .label("also given as a flag")
                    .related(value.flag, format!("`--{flag}` given here"))
                    .help(format!(
                        "give the setting once: remove `{name}` (or the flag) from the service"
                    ))
                    .fix(fix),
                );
            }
        }
    }
}
