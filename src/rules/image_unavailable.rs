//! `image-unavailable`: an image its publisher no longer serves (bitnami's etcd and MinIO).

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::fix::compose_edit;

pub struct ImageUnavailable;

static META: RuleMeta = RuleMeta {
    id: "image-unavailable",
    severity: Severity::Error,
    summary: "an image that is no longer published (bitnami/etcd, bitnami/minio)",
    doc: include_str!("../../rules/image-unavailable.md"),
};

/// Images removed from their registry: (name, what replaces it).
const GONE: &[(&str, &str)] = &[("bitnami/etcd", "etcd"), ("bitnami/minio", "minio")];

impl Rule for ImageUnavailable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for s in &cx.file.services {
            let Some((image, text)) = &s.image else {
                continue;
            };
            let Some((name, short)) = GONE.iter().find(|(n, _)| image.is(n)) else {
                continue;
            };
            if super::unknowable(cx, Some(text.origin)) {
                continue;
            }
            let pinned = image.digest.is_some()
                || super::image_tag_unpinned::unpinned(image).is_none()
                    && image
                        .tag
                        .as_deref()
                        .is_some_and(|t| crate::stack::version::Version::parse(t).is_some());
            let fix = if pinned {
                match compose_edit::rewrite_image(cx.sources, text, |raw| {
                    crate::compose::image::with_namespace(raw, "bitnamilegacy")
                }) {
                    Ok(edits) => Fix::safe(
                        format!(
                            "use the same image under `bitnamilegacy/{short}` (identical content, \
                             no further updates)"
                        ),
                        edits,
                    ),
                    Err(why) => Fix::unavailable(why),
                }
            } else {
                Fix::unavailable(format!(
                    "pin a release first: `bitnamilegacy/{short}` keeps only the tags that existed, \
                     and the one `latest` now gives is unknown"
                ))
            };
            let d = META
                .diagnostic(
                    text.place(),
                    format!(
                        "service `{}` uses `{}`: Bitnami stopped publishing `{name}` on 2025-08-28 \
                         and removed its images from Docker Hub on 2025-09-29, so the stack cannot \
                         be recreated on a new host or after `docker image prune`; the same images \
                         are frozen under `bitnamilegacy/{short}`, which gets no updates: use it \
                         now and plan a move to a maintained image",
                        s.name.value, text.value
                    ),
                )
                .service(s)
                .label("no longer published")
                .help(format!(
                    "replace `bitnami/{short}` with `bitnamilegacy/{short}` (same tag), then plan \
                     a move to a maintained image"
                ))
                .fix(fix);
            out.push(super::explained(d, text.explain(), None));
        }
    }
}
