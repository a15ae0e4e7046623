//! `milvus-embedded-etcd-compaction`: Milvus's embedded etcd with etcd's built-in defaults (no
//! auto-compaction, a 2 GiB quota), or with a mounted config file that does not compact.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::stack::etcd::{EtcdFileSettings, Retention};

pub struct MilvusEmbeddedEtcdCompaction;

static META: RuleMeta = RuleMeta {
    id: "milvus-embedded-etcd-compaction",
    severity: Severity::Warning,
    summary: "Milvus's embedded etcd never compacts and stops at a 2 GiB quota",
    doc: include_str!("../../rules/milvus-embedded-etcd-compaction.md"),
};

/// The etcd config file the Milvus image ships (revision / 1000 / 4 GiB from v2.3.13 and
/// v2.4.0, PR #32048).
const IMAGE_ETCD_CONFIG: &str = "/milvus/configs/advanced/etcd.yaml";

impl Rule for MilvusEmbeddedEtcdCompaction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for cfg in &cx.milvus_configs {
            let Some((s, embed)) = super::milvus_embedded_etcd_not_persisted::embedded(cx, cfg)
            else {
                continue;
            };
            let path = cfg.etcd_config_path();
            if let Some(p) = &path
                && super::setting_uncertain(cx, s, p)
            {
                continue;
            }
            let path_value = path
                .as_ref()
                .map(|p| p.value.trim().to_string())
                .unwrap_or_default();
            if path_value.is_empty() {
                let at = embed
                    .decided
                    .origin()
                    .unwrap_or_else(|| super::service_anchor(s));
                out.push(
                    META.diagnostic(
                        at,
                        format!(
                            "Milvus standalone (service `{}`) runs its embedded etcd ({}) with no \
                             `etcd.config.path`: the embedded etcd then uses \
                             etcd's built-in defaults, with no auto-compaction and a 2 GiB backend \
                             quota, and the `ETCD_*` server variables do not reach it. Its database \
                             grows with every revision until \"mvcc: database space exceeded\" \
                             stops every write (milvus-io/milvus #44614)",
                            s.name.value,
                            embed.describe()
                        ),
                    )
                    .service(s)
                    .label("embedded etcd without a config file")
                    .help(format!(
                        "set `ETCD_CONFIG_PATH={IMAGE_ETCD_CONFIG}` (the image's file: revision \
                         compaction, retention 1000, a 4 GiB quota, from v2.3.13 and v2.4.0), or \
                         mount your own etcd config file and point `ETCD_CONFIG_PATH` at it"
                    ))
                    .fix(Fix::unavailable(
                        "choose the config file: the image's, or one you mount",
                    )),
                );
                continue;
            }
            // A mounted file of the project: the etcd compaction and retention rules, in it.
            let Some((container, mounted, settings)) =
                super::milvus_embedded_etcd_not_persisted::config_file(cx, cfg, s)
            else {
                continue;
            };
            if let Some(settings) = settings {
                judge_file(cx, s, &settings, &container, out);
                continue;
            }
            // A directory of the project is mounted there, without that file.
            if mounted.state != crate::mounted::MountedState::Absent {
                continue;
            }
            let Some(setting) = path else { continue };
            let at = setting
                .decided
                .origin()
                .unwrap_or_else(|| super::service_anchor(s));
            let mut d = META
                .diagnostic(
                    at,
                    format!(
                        "Milvus standalone (service `{}`) gives its embedded etcd the config \
                         file `{container}` ({}), but the host directory the project mounts \
                         there has no such file (`{}`){}: etcd cannot read it, and Milvus, \
                         which does not check that error, stops at start (pkg/util/etcd \
                         `InitEtcdServer` then uses a nil config)",
                        s.name.value,
                        setting.describe(),
                        mounted.host.display(),
                        if container == IMAGE_ETCD_CONFIG {
                            ", and the mount hides the image's own file"
                        } else {
                            ""
                        },
                    ),
                )
                .service(s)
                .label("no such file in the mounted directory")
                .help(format!(
                    "add `{}` to the project (with `auto-compaction-mode: revision`, \
                     `auto-compaction-retention: \"1000\"`, `quota-backend-bytes: 4294967296`), \
                     or point `etcd.config.path` at a file that is there",
                    mounted.host.display()
                ))
                .fix(Fix::unavailable(
                    "write the etcd config file, or choose another path, by hand",
                ))
                .related(mounted.mount, "the directory mounted there");
            d.severity = Severity::Error;
            out.push(d);
        }
    }
}

fn judge_file(
    cx: &Context<'_>,
    s: &crate::compose::Service,
    settings: &EtcdFileSettings,
    container: &str,
    out: &mut Vec<Diagnostic>,
) {
    // (where, what, whether etcd then never compacts)
    let mut problems: Vec<(crate::compose::Origin, String, bool)> = Vec::new();
    let mode = settings.get("auto-compaction-mode");
    let mode_value = mode
        .and_then(|m| m.value.clone())
        .unwrap_or_else(|| "periodic".into());
    if mode_value != "revision" {
        problems.push((
            mode.map_or(settings.start, |m| m.origin),
            match mode {
                Some(_) => format!("`auto-compaction-mode` is `{mode_value}`, not `revision`"),
                None => "`auto-compaction-mode` is not set (etcd's default `periodic`)".into(),
            },
            false,
        ));
    }
    let retention = settings.get("auto-compaction-retention");
    let min = cx.options.min_retention;
    let retention_problem = match retention.and_then(|r| r.value.as_deref()) {
        None => Some(
            "`auto-compaction-retention` is not set (etcd's default `0`: no compaction)"
                .to_string(),
        ),
        Some(v) => match Retention::parse(v) {
            Retention::Integer(0) => Some(format!(
                "`auto-compaction-retention` is `{v}`: no compaction"
            )),
            Retention::Integer(n) if mode_value == "revision" && n < min => Some(format!(
                "`auto-compaction-retention` is `{v}`, below {min} revisions"
            )),
            Retention::Integer(_) => None,
            Retention::Duration(_) if mode_value == "revision" => Some(format!(
                "`auto-compaction-retention` is the duration `{v}`, which revision mode reads as \
                 an enormous revision count: compaction never runs"
            )),
            Retention::Duration(_) => None,
            Retention::Invalid => Some(format!(
                "`auto-compaction-retention` `{v}` is neither a number nor a duration: etcd \
                 exits at start"
            )),
        },
    };
    if let Some(p) = retention_problem {
        problems.push((retention.map_or(settings.start, |r| r.origin), p, true));
    }
    for (at, problem, never) in problems {
        let effect = if never {
            "Without compaction etcd keeps every revision until its quota is full and \"mvcc: \
             database space exceeded\" stops every write (milvus-io/milvus #44614)"
        } else {
            "Milvus's own etcd configuration compacts by revision, keeping 1000, which bounds the \
             history by revisions rather than by time, so a burst of writes cannot fill the \
             quota within one period"
        };
        out.push(
            META.diagnostic(
                at,
                format!(
                    "the embedded etcd of Milvus standalone (service `{}`) reads its settings \
                     from `{container}`, a file of the project: {problem}. {effect}",
                    s.name.value
                ),
            )
            .service(s)
            .label("embedded etcd does not compact")
            .help(format!(
                "write `auto-compaction-mode: revision` and `auto-compaction-retention: \"{min}\"` \
                 in that file (and `quota-backend-bytes: 4294967296`)"
            ))
            .fix(Fix::unavailable(
                "milvet does not rewrite an etcd config file: write the keys by hand",
            )),
        );
    }
}
