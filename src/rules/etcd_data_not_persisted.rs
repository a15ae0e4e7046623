//! `etcd-data-not-persisted`: etcd's data directory is not on a bind mount or named volume.

use super::{Context, DiagnosticExt, Rule, RuleMeta, mount_fix, service_anchor, storage_problem};
use crate::compose::Storage;
use crate::diagnostic::Fix;
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::compose_edit::is_interpolated;
use crate::stack::etcd::{DataDir, Etcd, Flavor, Source};

pub struct EtcdDataNotPersisted;

static META: RuleMeta = RuleMeta {
    id: "etcd-data-not-persisted",
    severity: Severity::Error,
    summary: "etcd's data directory is not on a bind mount or a named volume",
    doc: include_str!("../../rules/etcd-data-not-persisted.md"),
};

impl Rule for EtcdDataNotPersisted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for etcd in &cx.etcd {
            let service = etcd.service;
            // A config file milvet cannot read holds the data dir.
            if etcd.settings_unknown() {
                continue;
            }
            let dir = etcd.data_dir();
            if super::unknowable(cx, dir.setting.origin()) || super::mounts_unknowable(cx, service)
            {
                continue;
            }
            let what = if cx.milvus {
                "every collection's metadata (Milvus then comes back with collections it cannot \
                 load)"
            } else {
                "every key etcd holds"
            };
            let Some(path) = &dir.path else {
                // A relative data dir in a working directory the file does not tell: only
                // certain when nothing at all is mounted.
                if service.mounts.iter().any(|m| cx.file.mount_persists(m)) {
                    continue;
                }
                out.push(
                    META.diagnostic(
                        dir.setting
                            .origin()
                            .unwrap_or_else(|| service_anchor(service)),
                        format!(
                            "etcd keeps its data in `{}` under the image's working directory, \
                             and service `{}` mounts no volume at all: the data lives in the \
                             container's writable layer, so a recreate deletes it, and with it \
                             {what}",
                            dir.written, service.name.value
                        ),
                    )
                    .service(service)
                    .label("etcd's data dir")
                    .help(help(etcd)),
                );
                continue;
            };
            let storage = cx.file.storage(service, path, &[]);
            let Some(problem) = storage_problem(&storage) else {
                continue;
            };
            let whence = match &dir.setting.source {
                Source::Flag(_) => format!("`{}` (from `--data-dir`)", dir.written),
                Source::Env(_) => format!("`{}` (from `ETCD_DATA_DIR`)", dir.written),
                Source::File(_) if dir.written.starts_with('/') => {
                    format!("`{}` (from `data-dir` in etcd's config file)", dir.written)
                }
                Source::File(_) => format!(
                    "`{path}` (`data-dir: {}` in etcd's config file, in the working directory \
                     `{}`)",
                    dir.written,
                    etcd.working_dir().unwrap_or_default()
                ),
                Source::FileDefault(_) => format!(
                    "`{path}` (etcd's config file sets no `data-dir`, so etcd uses its default \
                     `{}` in the working directory `{}`)",
                    dir.written,
                    etcd.working_dir().unwrap_or_default()
                ),
                Source::Default
                    if etcd.flavor == Flavor::Official
                        && etcd.service.working_dir.is_none()
                        && etcd.working_dir().as_deref() == Some("/") =>
                {
                    format!(
                        "`{path}` (etcd's default `{}` in the working directory: images before \
                         v3.5.7 set none, so it is `/`, and a mount at `/var/lib/etcd` does not \
                         cover it)",
                        dir.written
                    )
                }
                Source::Default => format!(
                    "`{path}` (etcd's default `{}` in the working directory `{}`)",
                    dir.written,
                    etcd.working_dir().unwrap_or_default()
                ),
                Source::Image => format!("`{path}` (fixed by the bitnami image's scripts)"),
            };
            let origin = dir
                .setting
                .origin()
                .unwrap_or_else(|| service_anchor(service));
            let mut d = META
                .diagnostic(
                    origin,
                    format!(
                        "etcd's data directory {whence} {problem}, and with it {what}{}",
                        garbage_collection(cx)
                    ),
                )
                .service(service)
                .label(match storage {
                    Storage::WritableLayer => "not on a volume",
                    _ => "not persistent",
                })
                .help(help(etcd))
                .fix(data_fix(cx, etcd, &dir, &storage));
            d = super::explained(
                d,
                dir.setting.explain(),
                dir.setting.provenance(&|f| cx.path(f)),
            );
            if let Storage::Anonymous(m) | Storage::Tmpfs(m) | Storage::MemoryVolume(m) = storage {
                d = d.related(m.origin, "this mount does not persist");
            }
            // bitnami's scripts ignore ETCD_DATA_DIR: say so where it is written.
            if etcd.bitnami_scripts()
                && let Some(var) = service.environment.get("ETCD_DATA_DIR")
            {
                d = d.related(var.entry, "ignored by the bitnami image's scripts");
            }
            out.push(d);
        }
    }
}

/// Mount storage where etcd keeps its data: the data dir when it is set, the working directory
/// holding the default one, or `/bitnami/etcd` for bitnami's scripts.
fn data_fix(cx: &Context<'_>, etcd: &Etcd<'_>, dir: &DataDir, storage: &Storage<'_>) -> Fix {
    let target = match &dir.setting.source {
        Source::Image => "/bitnami/etcd".to_string(),
        Source::Flag(f)
            if is_interpolated(
                f.origin
                    .span
                    .slice(cx.sources[f.origin.file.0 as usize].text),
            ) =>
        {
            return Fix::unavailable(
                "the data dir is written with a variable: mount a volume at \
                the directory it names",
            );
        }
        Source::Env(v) if v.value.as_ref().is_some_and(|t| is_interpolated(&t.raw)) => {
            return Fix::unavailable(
                "the data dir is written with a variable: mount a volume at \
                the directory it names",
            );
        }
        Source::Flag(_) | Source::Env(_) | Source::File(_) => match &dir.path {
            Some(p) => p.clone(),
            None => {
                return Fix::unavailable(
                    "the data dir is relative to an unknown working directory",
                );
            }
        },
        // No working directory (`/`): mount the default data dir itself.
        Source::Default | Source::FileDefault(_) if etcd.working_dir().as_deref() == Some("/") => {
            match &dir.path {
                Some(p) => p.clone(),
                None => return Fix::unavailable("etcd's data dir is not known"),
            }
        }
        Source::Default | Source::FileDefault(_) => match etcd.working_dir() {
            Some(w) => w,
            None => {
                return Fix::unavailable(
                    "etcd's working directory is not known: start etcd with \
                `--data-dir /etcd` and mount a volume there",
                );
            }
        },
    };
    mount_fix(cx, etcd.service, storage, &target, None)
}

fn help(etcd: &Etcd<'_>) -> String {
    const OFFICIAL: &str = "as the official Milvus compose file does with `--data-dir /etcd` and \
                            `- ${DOCKER_VOLUME_DIRECTORY:-.}/volumes/etcd:/etcd`";
    if etcd.flavor == Flavor::Bitnami && etcd.bitnami_scripts() {
        return "mount a named volume or a host directory at `/bitnami/etcd`, e.g. \
                `- ${DOCKER_VOLUME_DIRECTORY:-.}/volumes/etcd:/bitnami/etcd`"
            .into();
    }
    let dir = etcd.data_dir();
    match (&dir.setting.source, &dir.path) {
        (Source::Default, Some(p)) if etcd.working_dir().as_deref() == Some("/") => format!(
            "mount a host directory or named volume at `{p}`, where this image keeps etcd's \
             default data dir; or set the data dir and mount it, {OFFICIAL}"
        ),
        (Source::Default, _) => match etcd.working_dir() {
            Some(w) => format!(
                "mount a host directory or named volume at `{w}`, which holds etcd's default \
                 data dir; or set the data dir and mount it, {OFFICIAL}"
            ),
            None => format!(
                "set etcd's data dir and mount a host directory or named volume there, {OFFICIAL}"
            ),
        },
        (_, Some(p)) => format!("mount a host directory or named volume at `{p}`, {OFFICIAL}"),
        (_, None) => format!("mount a host directory or named volume at the data dir, {OFFICIAL}"),
    }
}

/// What follows for MinIO's data when etcd's is lost and MinIO's persists, for a Milvus stack:
/// Milvus started on an empty etcd garbage-collects the segments nothing references any more
/// (internal/datacoord/garbage_collector.go; the scan interval changed in 2.4, PR #31363).
fn garbage_collection(cx: &Context<'_>) -> String {
    if !cx.milvus || cx.minio.is_empty() {
        return String::new();
    }
    let minio_persists = cx.minio.iter().all(|m| {
        let paths = m.data_paths();
        !paths.is_empty()
            && paths
                .iter()
                .all(|p| cx.file.storage(m.service, &p.path, &[]).persists())
    });
    if !minio_persists {
        return String::new();
    }
    let v24 = crate::stack::version::Version::known("v2.4.0");
    let versions: Vec<_> = cx
        .stack
        .members
        .iter()
        .filter(|m| m.is_milvus())
        .filter_map(|m| m.version.version().cloned())
        .collect();
    let when = if !versions.is_empty() && versions.iter().all(|v| v.before(&v24)) {
        "within about one to two hours on this Milvus 2.3.x or earlier (`dataCoord.gc.interval`)"
    } else if !versions.is_empty() && versions.iter().all(|v| v.at_least(&v24)) {
        "within days on Milvus 2.4 and later (the orphan scan runs every 168 hours)"
    } else {
        "within hours on Milvus 2.3.x, within days from 2.4"
    };
    format!(
        ". MinIO's data is persisted, but that does not save the segments: a Milvus started on \
         an empty etcd garbage-collects every segment MinIO holds that its (now empty) metadata \
         does not reference, {when}"
    )
}
