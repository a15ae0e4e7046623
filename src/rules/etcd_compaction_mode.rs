//! `etcd-compaction-mode`: etcd's effective auto-compaction mode is not `revision`.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::Origin;
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::fix::compose_edit;
use crate::stack::etcd::{Etcd, Retention, Setting, Source};

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
            if etcd.settings_unknown() {
                continue;
            }
            let mode = etcd.compaction_mode();
            if mode.value == "revision" || super::unknowable(cx, mode.origin()) {
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
                // In a config file the mode has no default (server/embed/config.go `NewConfig`):
                // `parseCompactionRetention` turns an integer retention into 0 then, and a
                // duration reaches the compactor with an empty mode, which it refuses.
                (Source::FileDefault(_), _) | (Source::File(_), "") => {
                    let consequence = match Retention::parse(&retention.value) {
                        Retention::Integer(0) => {
                            "with no retention either, auto-compaction is off".to_string()
                        }
                        Retention::Integer(n) => format!(
                            "so the retention `{n}` compacts nothing: without a mode etcd turns \
                             an integer retention into 0, and auto-compaction is off"
                        ),
                        Retention::Duration(_) => format!(
                            "and with the duration retention `{}` etcd's compactor refuses the \
                             empty mode (\"unsupported compaction mode\"): etcd exits at start",
                            retention.value
                        ),
                        Retention::Invalid => "and the retention is not valid either".to_string(),
                    };
                    format!(
                        "etcd's config file sets no `auto-compaction-mode`, and in a config file \
                         etcd has no default for it (the flag's `periodic` does not apply): \
                         {consequence}; etcd keeps every revision until its backend reaches the \
                         space quota, then refuses writes (\"mvcc: database space exceeded\")"
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
                Source::File(_) | Source::FileDefault(_) => format!(
                    "set `auto-compaction-mode: revision` (with `auto-compaction-retention: \
                     \"1000\"`) in etcd's config file `{}`",
                    etcd.config_host().unwrap_or_default()
                ),
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
                .help(help)
                .fix(setting_fix(
                    cx,
                    etcd,
                    &mode,
                    "auto-compaction-mode",
                    "revision",
                ));
            d = super::explained(d, mode.explain(), mode.provenance(&|f| cx.path(f)));
            if !mode.in_config_file()
                && let Some(var) = etcd.shadowed_env("auto-compaction-mode")
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

/// The fix that sets an etcd setting to `value` where etcd reads it: the command-line flag when
/// the command has it, else the `ETCD_*` variable.
pub(super) fn setting_fix(
    cx: &Context<'_>,
    etcd: &Etcd<'_>,
    setting: &Setting,
    flag: &str,
    value: &str,
) -> Fix {
    let service = etcd.service;
    let var = format!("ETCD_{}", flag.to_ascii_uppercase().replace('-', "_"));
    let result = match &setting.source {
        // etcd's own file, read by etcd's YAML reader: milvet says what to write there and
        // leaves it alone.
        Source::File(_) | Source::FileDefault(_) => Err(format!(
            "set `{flag}: {}` in etcd's config file `{}` by hand: milvet edits Compose files, \
             not etcd's own configuration",
            if flag == "auto-compaction-retention" {
                format!("\"{value}\"")
            } else {
                value.to_string()
            },
            etcd.config_host().unwrap_or_default()
        )),
        Source::Flag(f) => {
            let arg = etcd.invocation.as_ref().and_then(|inv| {
                inv.args
                    .iter()
                    .find(|a| a.origin.span.contains(f.origin.span))
            });
            match arg {
                Some(arg) => compose_edit::set_flag_value(
                    cx.sources,
                    service,
                    arg,
                    f.origin.span,
                    &f.value,
                    value,
                )
                .map(|e| {
                    (
                        e,
                        format!(
                            "set `--{flag}={value}` in the command of `{}`",
                            service.name.value
                        ),
                    )
                }),
                None => Err(format!("change `--{flag}` to `{value}` by hand")),
            }
        }
        _ => compose_edit::set_env(cx.sources, cx.file, service, &var, value).map(|e| {
            (
                e,
                format!(
                    "set `{var}={value}` in the environment of `{}`",
                    service.name.value
                ),
            )
        }),
    };
    match result {
        Ok((edits, description)) => Fix::safe(description, edits),
        Err(why) => Fix::unavailable(why),
    }
}

/// Where to point when the setting is not written: the service's `environment` key, else (or
/// when the environment is inherited with `extends`) the service's name.
pub(super) fn fallback_origin(etcd: &Etcd<'_>) -> Origin {
    let env = &etcd.service.environment;
    match env.field {
        Some(f) if f.sharing == crate::compose::Sharing::Extended => etcd.service.name.origin,
        _ => env.key.unwrap_or(etcd.service.name.origin),
    }
}
