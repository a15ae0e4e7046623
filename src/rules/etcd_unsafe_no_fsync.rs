//! `etcd-unsafe-no-fsync`: etcd told not to fsync its writes.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::fix::compose_edit;

pub struct EtcdUnsafeNoFsync;

static META: RuleMeta = RuleMeta {
    id: "etcd-unsafe-no-fsync",
    severity: Severity::Error,
    summary: "etcd runs with --unsafe-no-fsync: a power cut loses acknowledged writes",
    doc: include_str!("../../rules/etcd-unsafe-no-fsync.md"),
};

/// Go's `strconv.ParseBool` true values.
fn go_true(v: &str) -> bool {
    matches!(v, "1" | "t" | "T" | "true" | "TRUE" | "True")
}

impl Rule for EtcdUnsafeNoFsync {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for etcd in &cx.etcd {
            if etcd.settings_unknown() {
                continue;
            }
            let s = etcd.service;
            let what = if cx.milvus {
                "Milvus's metadata (collections, channels, checkpoints)"
            } else {
                "the keys etcd holds"
            };
            let consequence = format!(
                "etcd acknowledges writes it has not flushed to disk, so a power cut or a crash \
                 of the host loses recent writes to {what} and can leave the data dir corrupt \
                 (etcd's own help: \"unsafe and will cause data loss\")"
            );
            // With a config file of the project, only its key counts.
            if let Some(c) = &etcd.config {
                if let Some(set) = c.settings.unsafe_no_fsync() {
                    let host = c.host.display();
                    // Written from `ETCD_CFG_UNSAFE_NO_FSYNC`: removing the variable removes it.
                    let cfg_var = (set.node.is_none())
                        .then(|| s.environment.get("ETCD_CFG_UNSAFE_NO_FSYNC"))
                        .flatten();
                    let (help, fix) = match cfg_var {
                        Some(var) => (
                            "remove `ETCD_CFG_UNSAFE_NO_FSYNC`, from which bitnami's set-up \
                             writes it into etcd's config file; it is meant for tests only"
                                .to_string(),
                            match compose_edit::remove_env(cx.sources, s, var) {
                                Ok(edits) => Fix::safe("remove `ETCD_CFG_UNSAFE_NO_FSYNC`", edits),
                                Err(why) => Fix::unavailable(why),
                            },
                        ),
                        None => (
                            "remove `unsafe-no-fsync` from etcd's config file; it is meant for \
                             tests only"
                                .to_string(),
                            Fix::unavailable(format!(
                                "remove `unsafe-no-fsync` from `{host}` by hand: milvet edits \
                                 Compose files, not etcd's own configuration"
                            )),
                        ),
                    };
                    out.push(
                        META.diagnostic(
                            set.origin,
                            format!(
                                "etcd's config file `{host}` (read by service `{}`) sets \
                                 `unsafe-no-fsync: {}`: {consequence}",
                                s.name.value, set.raw
                            ),
                        )
                        .service(s)
                        .label("no fsync")
                        .help(help)
                        .related(c.mount, c.what)
                        .fix(fix),
                    );
                }
                continue;
            }
            if let Some(at) = etcd.bool_flag("unsafe-no-fsync") {
                let fix = match compose_edit::remove_arg(cx.sources, s, at) {
                    Ok(edits) => Fix::safe("remove `--unsafe-no-fsync`", edits),
                    Err(why) => Fix::unavailable(why),
                };
                out.push(
                    META.diagnostic(
                        at,
                        format!(
                            "service `{}` runs etcd with `--unsafe-no-fsync`: {consequence}",
                            s.name.value
                        ),
                    )
                    .service(s)
                    .label("no fsync")
                    .help("remove `--unsafe-no-fsync`; it is meant for tests only")
                    .fix(fix),
                );
                continue;
            }
            // The variable applies only when the flag is not given (it is not, here).
            if let Some(var) = etcd.env_var("unsafe-no-fsync")
                && var.value.as_ref().is_some_and(|t| go_true(&t.value))
            {
                let fix = match compose_edit::remove_env(cx.sources, s, &var) {
                    Ok(edits) => Fix::safe("remove `ETCD_UNSAFE_NO_FSYNC`", edits),
                    Err(why) => Fix::unavailable(why),
                };
                let origin = var.value.as_ref().map_or(var.entry, |t| t.place());
                out.push(
                    META.diagnostic(
                        origin,
                        format!(
                            "service `{}` sets `ETCD_UNSAFE_NO_FSYNC` to `{}`: {consequence}",
                            s.name.value,
                            var.value.as_ref().map_or("", |t| t.value.as_str())
                        ),
                    )
                    .service(s)
                    .label("no fsync")
                    .help("remove `ETCD_UNSAFE_NO_FSYNC`; it is meant for tests only")
                    .fix(fix),
                );
            }
        }
    }
}
