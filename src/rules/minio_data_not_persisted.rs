//! `minio-data-not-persisted`: a path MinIO serves is not on a bind mount or named volume.

use super::{Context, DiagnosticExt, Rule, RuleMeta, mount_fix, service_anchor, storage_problem};
use crate::compose::Storage;
use crate::diagnostic::{Diagnostic, Severity};
use crate::stack::minio::PathSource;

pub struct MinioDataNotPersisted;

static META: RuleMeta = RuleMeta {
    id: "minio-data-not-persisted",
    severity: Severity::Error,
    summary: "a path MinIO serves is not on a bind mount or a named volume",
    doc: include_str!("../../rules/minio-data-not-persisted.md"),
};

impl Rule for MinioDataNotPersisted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for minio in &cx.minio {
            let service = minio.service;
            let image_volumes = minio.flavor.image_volumes();
            let what = if cx.milvus {
                "every object (Milvus's segments, indexes and logs)"
            } else {
                "every object it stores"
            };
            let mut reported = Vec::new();
            let paths = minio.data_paths();
            let several = paths.len() > 1;
            for path in paths {
                if super::unknowable(cx, path.origin) || super::mounts_unknowable(cx, service) {
                    continue;
                }
                let storage = cx.file.storage(service, &path.path, image_volumes);
                let Some(problem) = storage_problem(&storage) else {
                    continue;
                };
                let origin = path.origin.unwrap_or_else(|| service_anchor(service));
                if reported.contains(&(origin, path.path.clone())) {
                    continue;
                }
                reported.push((origin, path.path.clone()));
                let whence = match &path.source {
                    PathSource::Argument => format!("`{}`", path.path),
                    PathSource::Env(var) => format!("`{}` (from `{var}`)", path.path),
                    PathSource::Default => match minio.flavor {
                        crate::stack::minio::Flavor::Rustfs => {
                            format!("`{}` (the image's default `RUSTFS_VOLUMES`)", path.path)
                        }
                        _ => format!("`{}` (the bitnami image's default)", path.path),
                    },
                };
                let mut d = META
                    .diagnostic(
                        origin,
                        format!(
                            "{}'s data path {whence} {problem}, and with it {what}",
                            minio.flavor.product()
                        ),
                    )
                    .service(service)
                    .label(match storage {
                        Storage::WritableLayer => "not on a volume",
                        _ => "not persistent",
                    })
                    .help(format!(
                        "mount a host directory or named volume at `{}`, as the official \
                         Milvus compose file does: `- ${{DOCKER_VOLUME_DIRECTORY:-.}}/volumes/{}:{}`",
                        path.path,
                        minio.flavor.product().to_ascii_lowercase(),
                        path.path
                    ))
                    .fix(if path.origin.is_some_and(|o| {
                        crate::fix::compose_edit::is_interpolated(
                            o.span.slice(cx.sources[o.file.0 as usize].text),
                        )
                    }) {
                        crate::diagnostic::Fix::unavailable(
                            "the data path is written with a variable: mount a volume at the \
                             directory it names",
                        )
                    } else {
                        let part = several.then(|| path.path.trim_matches('/').replace('/', "-"));
                        mount_fix(cx, service, &storage, &path.path, part.as_deref())
                    });
                if let Storage::Anonymous(m) | Storage::Tmpfs(m) | Storage::MemoryVolume(m) =
                    storage
                {
                    d = d.related(m.origin, "this mount does not persist");
                }
                out.push(d);
            }
        }
    }
}
