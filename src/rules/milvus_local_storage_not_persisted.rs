//! `milvus-local-storage-not-persisted`: a path the configuration moves Milvus's local data
//! to (segments with `common.storageType: local`, RocksMQ's log, local Woodpecker) that is not
//! on a persistent mount. The paths at their defaults, under `/var/lib/milvus`, are
//! `milvus-data-not-persisted`'s.

use super::{Context, DiagnosticExt, Rule, RuleMeta, storage_problem};
use crate::compose::{Service, normalize_path};
use crate::diagnostic::{Diagnostic, Severity};
use crate::milvus::{MilvusConfig, Setting};
use crate::stack::roles::MilvusRole;

pub struct MilvusLocalStorageNotPersisted;

static META: RuleMeta = RuleMeta {
    id: "milvus-local-storage-not-persisted",
    severity: Severity::Error,
    summary: "a local path Milvus's configuration writes its data to is not on a volume",
    doc: include_str!("../../rules/milvus-local-storage-not-persisted.md"),
};

/// A local path Milvus writes what it cannot lose to, and why it matters.
pub(crate) struct LocalPath<'a> {
    pub setting: Setting<'a>,
    /// The absolute path in the container.
    pub path: String,
    pub what: &'static str,
    /// The part of a new mount's name (`<service>-<part>`): one host directory each.
    pub part: &'static str,
}

/// The message queue a Milvus service uses, lower-cased: `rocksmq` for a standalone's
/// `default` (every version, 2.6 included).
pub(crate) fn queue(cfg: &MilvusConfig<'_>, role: MilvusRole) -> Option<String> {
    let mq = cfg.mq_type().map_or_else(
        || "default".to_string(),
        |m| m.value.trim().to_ascii_lowercase(),
    );
    match mq.as_str() {
        "default" | "" if role == MilvusRole::Standalone => Some("rocksmq".into()),
        "default" | "" => None,
        _ => Some(mq),
    }
}

fn absolute(s: &Service, value: &str) -> String {
    if value.starts_with('/') {
        normalize_path(value)
    } else {
        let cwd = s
            .working_dir
            .as_ref()
            .map_or(crate::stack::milvus::WORKDIR, |w| w.value.as_str());
        normalize_path(&format!("{cwd}/{value}"))
    }
}

/// The local paths a Milvus service writes data to that matter across a restart.
pub(crate) fn local_paths<'a>(
    cfg: &MilvusConfig<'a>,
    s: &Service,
    role: MilvusRole,
) -> Vec<LocalPath<'a>> {
    let mut out = Vec::new();
    let storage_local = cfg
        .storage_type()
        .is_some_and(|t| t.value.trim().eq_ignore_ascii_case("local"));
    let local = cfg.local_storage_path();
    if storage_local && let Some(l) = &local {
        out.push(LocalPath {
            path: absolute(s, l.value.trim()),
            setting: l.clone(),
            what: "its segments and indexes (`common.storageType: local`)",
            part: "local-storage",
        });
    }
    match queue(cfg, role).as_deref() {
        Some("rocksmq") => {
            if let Some(r) = cfg.rocksmq_path() {
                out.push(LocalPath {
                    path: absolute(s, r.value.trim()),
                    setting: r,
                    what: "its write-ahead log (RocksMQ)",
                    part: "rocksmq",
                });
            }
        }
        Some("woodpecker") => {
            let local_wal = cfg
                .woodpecker_storage_type()
                .is_some_and(|t| t.value.trim().eq_ignore_ascii_case("local"));
            if local_wal && let Some(root) = cfg.woodpecker_storage_root_path() {
                let v = root.value.trim();
                let path = if v == "default" || v.is_empty() {
                    local
                        .as_ref()
                        .map(|l| absolute(s, &format!("{}/woodpecker", l.value.trim())))
                } else {
                    Some(absolute(s, v))
                };
                if let Some(path) = path {
                    out.push(LocalPath {
                        path,
                        setting: root,
                        what: "its write-ahead log (Woodpecker on local storage)",
                        part: "woodpecker",
                    });
                }
            }
        }
        _ => {}
    }
    out
}

impl Rule for MilvusLocalStorageNotPersisted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for cfg in &cx.milvus_configs {
            let Some(s) = cfg.service else { continue };
            let Some(role) = cx.stack.get(&s.name.value).and_then(|m| m.milvus_role()) else {
                continue;
            };
            if role != MilvusRole::Standalone || super::mounts_unknowable(cx, s) {
                continue;
            }
            for lp in local_paths(cfg, s, role) {
                // At its default the path is under /var/lib/milvus: milvus-data-not-persisted.
                if lp.setting.is_default() || super::setting_uncertain(cx, s, &lp.setting) {
                    continue;
                }
                let storage = cx.file.storage(s, &lp.path, &[]);
                let Some(problem) = storage_problem(&storage) else {
                    continue;
                };
                let at = lp
                    .setting
                    .decided
                    .origin()
                    .unwrap_or_else(|| super::service_anchor(s));
                out.push(
                    META.diagnostic(
                        at,
                        format!(
                            "Milvus standalone (service `{}`) keeps {} in `{}` (`{}` from {}); \
                             `{}` {problem}, and with it what Milvus has not yet written \
                             elsewhere, so it comes back with data it cannot recover",
                            s.name.value,
                            lp.what,
                            lp.path,
                            lp.setting.key,
                            lp.setting.describe(),
                            lp.path
                        ),
                    )
                    .service(s)
                    .label("local data not persisted")
                    .help(format!(
                        "mount a host directory or named volume at `{}`, or keep the path under \
                         a mounted `/var/lib/milvus`",
                        lp.path
                    ))
                    .fix(super::mount_fix(
                        cx,
                        s,
                        &storage,
                        &lp.path,
                        Some(lp.part),
                    )),
                );
            }
        }
    }
}
