//! `milvus-data-not-persisted`: a standalone Milvus whose `/var/lib/milvus` (its RocksMQ
//! write-ahead log, local storage) is not on a persistent mount.

use super::{Context, DiagnosticExt, Rule, RuleMeta, mount_fix_with, storage_problem};
use crate::compose::Storage;
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::compose_edit::{self, NewSource};
use crate::stack::roles::MilvusRole;

pub struct MilvusDataNotPersisted;

static META: RuleMeta = RuleMeta {
    id: "milvus-data-not-persisted",
    severity: Severity::Error,
    summary: "a standalone Milvus keeps its write-ahead log and local data off any volume",
    doc: include_str!("../../rules/milvus-data-not-persisted.md"),
};

/// Where a standalone Milvus keeps what it cannot lose, under `/var/lib/milvus`
/// (configs/milvus.yaml: `rocksmq.path`, its meta store, `localStorage.path`).
const PATHS: &[&str] = &[
    "/var/lib/milvus/rdb_data",
    "/var/lib/milvus/rdb_data_meta_kv",
    "/var/lib/milvus/data",
];

/// The official file's mount source.
const OFFICIAL_SOURCE: &str = "${DOCKER_VOLUME_DIRECTORY:-.}/volumes/milvus";

impl Rule for MilvusDataNotPersisted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for member in &cx.stack.members {
            if member.milvus_role() != Some(MilvusRole::Standalone) {
                continue;
            }
            let s = member.service;
            // Pulsar or Kafka with remote storage: nothing that matters is kept locally.
            let env = |n: &str| s.environment.value(n).map(|t| t.value.to_ascii_lowercase());
            let cfg = super::milvus_config(cx, s);
            // What the configuration says (environment, user.yaml, milvus.yaml), else the
            // environment alone.
            let value = |key: &str, var: &str| match cfg {
                Some(c) => c.value(key).map(|v| v.value.trim().to_ascii_lowercase()),
                None => env(var),
            };
            let remote_queue =
                value("mq.type", "MQ_TYPE").is_some_and(|q| q == "pulsar" || q == "kafka");
            let local_storage =
                value("common.storageType", "COMMON_STORAGETYPE").is_some_and(|t| t == "local");
            if remote_queue && !local_storage {
                continue;
            }
            // A path the configuration moves elsewhere is judged there
            // (milvus-local-storage-not-persisted), not at its default.
            let moved = |key: &str| {
                cfg.and_then(|c| c.value(key))
                    .is_some_and(|v| !v.is_default())
            };
            let Some((path, storage)) = PATHS
                .iter()
                .filter(|p| {
                    if p.ends_with("/data") {
                        !moved("localStorage.path")
                    } else {
                        !moved("rocksmq.path")
                    }
                })
                .find_map(|p| {
                    let st = cx.file.storage(s, p, &[]);
                    (!st.persists()).then_some((*p, st))
                })
            else {
                continue;
            };
            let Some(problem) = storage_problem(&storage) else {
                continue;
            };
            let whole = matches!(storage, Storage::WritableLayer)
                && s.mount_covering("/var/lib/milvus").is_none()
                && !s.mounts.iter().any(|m| {
                    crate::compose::path_is_under(
                        &crate::compose::normalize_path(&m.target.value),
                        "/var/lib/milvus",
                    )
                });
            let at = if whole {
                "`/var/lib/milvus`".to_string()
            } else {
                format!("`{path}`")
            };
            let origin = match storage {
                Storage::Anonymous(m) | Storage::Tmpfs(m) | Storage::MemoryVolume(m) => m.origin,
                _ => s.name.origin,
            };
            let source = if cx.file.volumes.is_empty()
                && !cx.file.services.iter().any(|o| {
                    o.mounts
                        .iter()
                        .any(|m| m.source.as_ref().is_some_and(|x| x.raw == OFFICIAL_SOURCE))
                }) {
                NewSource::Bind(OFFICIAL_SOURCE.into())
            } else {
                compose_edit::new_source(cx.file, s, None)
            };
            let fix = match storage {
                Storage::Anonymous(m)
                | Storage::Tmpfs(m)
                | Storage::MemoryVolume(m)
                | Storage::OtherMount(m)
                    if crate::compose::normalize_path(&m.target.value) != "/var/lib/milvus" =>
                {
                    crate::diagnostic::Fix::unavailable(format!(
                        "replace the mount at `{}` and mount a host directory or named volume \
                         at `/var/lib/milvus`",
                        m.target.raw
                    ))
                }
                _ => mount_fix_with(cx, s, &storage, "/var/lib/milvus", source),
            };
            // Embedded etcd keeps every collection's metadata there too when told to.
            let embedded = env("ETCD_USE_EMBED")
                .is_some_and(|v| v == "true")
                .then(|| s.environment.value("ETCD_DATA_DIR"))
                .flatten()
                .filter(|d| {
                    crate::compose::path_is_under(
                        &crate::compose::normalize_path(&d.value),
                        "/var/lib/milvus",
                    ) && !cx.file.storage(s, &d.value, &[]).persists()
                })
                .map_or_else(String::new, |d| {
                    format!(
                        "; the embedded etcd's data dir `{}` (`ETCD_DATA_DIR`), with every \
                         collection's metadata, is lost with it",
                        d.value
                    )
                });
            out.push(
                META.diagnostic(
                    origin,
                    format!(
                        "Milvus standalone (service `{}`) keeps its write-ahead log in \
                         `/var/lib/milvus` (RocksMQ, the default queue of standalone in every \
                         version, 2.6 included: `rdb_data`, `rdb_data_meta_kv`) and its local \
                         data under `/var/lib/milvus/data`; {at} {problem}, and with it the \
                         inserts not yet flushed to MinIO and the queue positions etcd records, \
                         so Milvus comes back with channels it cannot recover{embedded}",
                        s.name.value
                    ),
                )
                .service(s)
                .label("write-ahead log not persisted")
                .help(
                    "mount a host directory or named volume at `/var/lib/milvus`, as the \
                     official Milvus compose file does: \
                     `- ${DOCKER_VOLUME_DIRECTORY:-.}/volumes/milvus:/var/lib/milvus`",
                )
                .fix(fix),
            );
        }
    }
}
