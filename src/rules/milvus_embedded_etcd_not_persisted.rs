//! `milvus-embedded-etcd-not-persisted`: a standalone Milvus running its embedded etcd with
//! the data dir off any persistent mount.

use super::{Context, DiagnosticExt, Rule, RuleMeta, storage_problem};
use crate::compose::{Service, normalize_path, path_is_under};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::milvus::MilvusConfig;
use crate::stack::roles::MilvusRole;

pub struct MilvusEmbeddedEtcdNotPersisted;

static META: RuleMeta = RuleMeta {
    id: "milvus-embedded-etcd-not-persisted",
    severity: Severity::Error,
    summary: "Milvus's embedded etcd keeps every collection's metadata off any volume",
    doc: include_str!("../../rules/milvus-embedded-etcd-not-persisted.md"),
};

/// Whether a standalone Milvus runs its embedded etcd (`etcd.use.embed: true`); the setting.
pub(crate) fn embedded<'a>(
    cx: &Context<'a>,
    cfg: &MilvusConfig<'a>,
) -> Option<(&'a Service, crate::milvus::Setting<'a>)> {
    let s = cfg.service?;
    let role = cx.stack.get(&s.name.value).and_then(|m| m.milvus_role());
    // Outside `milvus run standalone` embedded etcd panics at start: another problem.
    if role != Some(MilvusRole::Standalone) {
        return None;
    }
    let embed = cfg.etcd_use_embed()?;
    if embed.as_bool() != Some(true) || super::setting_uncertain(cx, s, &embed) {
        return None;
    }
    Some((s, embed))
}

/// Embedded etcd's config file when it is a file of the project (`etcd.config.path`, from the
/// environment or a configuration file, naming a host file the service bind-mounts): its
/// container path, the mount entry, and its settings.
pub(crate) fn config_file<'c>(
    cx: &'c Context<'_>,
    cfg: &MilvusConfig<'_>,
    s: &Service,
) -> Option<(
    String,
    &'c crate::mounted::MountedFile,
    Option<crate::stack::etcd::EtcdFileSettings>,
)> {
    let container = cfg.etcd_config_container_path()?;
    let m = cx
        .file
        .mounted
        .iter()
        .find(|m| m.service == s.name.value && m.container_path == container)?;
    let settings = m.file().and_then(|file| {
        let src = cx.sources.get(file.0 as usize)?;
        Some(crate::stack::etcd::config_file_settings(
            src.tree, src.text, file,
        ))
    });
    Some((container, m, settings))
}

impl Rule for MilvusEmbeddedEtcdNotPersisted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for cfg in &cx.milvus_configs {
            let Some((s, embed)) = embedded(cx, cfg) else {
                continue;
            };
            let Some(dir) = cfg.etcd_data_dir() else {
                continue;
            };
            if super::setting_uncertain(cx, s, &dir) || super::mounts_unknowable(cx, s) {
                continue;
            }
            let written = dir.value.trim();
            let path = if written.starts_with('/') {
                normalize_path(written)
            } else {
                let cwd = s
                    .working_dir
                    .as_ref()
                    .map_or(crate::stack::milvus::WORKDIR, |w| w.value.as_str());
                normalize_path(&format!("{cwd}/{written}"))
            };
            let storage = cx.file.storage(s, &path, &[]);
            let Some(problem) = storage_problem(&storage) else {
                continue;
            };
            let at = dir
                .decided
                .origin()
                .or(embed.decided.origin())
                .unwrap_or_else(|| super::service_anchor(s));
            let whole_milvus = path_is_under(&path, "/var/lib/milvus")
                && s.mount_covering("/var/lib/milvus").is_none();
            let fix = if whole_milvus {
                Fix::unavailable(
                    "mount a host directory or named volume at `/var/lib/milvus`, which holds \
                     the data dir (the fix of `milvus-data-not-persisted`)",
                )
            } else {
                super::mount_fix(cx, s, &storage, &path, Some("etcd"))
            };
            let from = if written == path {
                format!("from {}", dir.describe())
            } else {
                format!(
                    "`{written}` from {}, in the working directory",
                    dir.describe()
                )
            };
            let mut d = META
                .diagnostic(
                    at,
                    format!(
                        "Milvus standalone (service `{}`) runs its embedded etcd ({}), which \
                         keeps every collection's metadata in its data dir `{path}` ({from}); \
                         `{path}` {problem}. A Milvus that starts on an empty etcd loses every \
                         collection, and its garbage collector then deletes the segments MinIO \
                         still holds",
                        s.name.value,
                        embed.describe(),
                    ),
                )
                .service(s)
                .label("embedded etcd not persisted")
                .help(format!(
                    "mount a host directory or named volume at `{path}`, or set \
                     `ETCD_DATA_DIR=/var/lib/milvus/etcd` with `/var/lib/milvus` mounted, as \
                     Milvus's standalone_embed.sh does"
                ))
                .fix(fix);
            if let Some(o) = embed.decided.origin()
                && o != at
            {
                d = d.related(o, "embedded etcd turned on here");
            }
            // Milvus sets the data dir itself over its config file's (pkg/util/etcd
            // `InitEtcdServer`: `cfg.Dir = dataDir`): a `data-dir` there does not count.
            if let Some((container, _, Some(settings))) = config_file(cx, cfg, s)
                && let Some(written) = settings.get("data-dir")
            {
                d = d.related(
                    written.origin,
                    format!(
                        "not used: Milvus gives its embedded etcd `{path}`, whatever \
                         `data-dir` its config file `{container}` says"
                    ),
                );
            }
            out.push(d);
        }
    }
}
