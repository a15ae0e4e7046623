//! `image-tag-unpinned`: etcd, MinIO or Milvus run from a tag that moves (`latest`, none, a
//! minor line), so a pull on a reboot or a new host silently changes versions.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::stack::version::{Numbered, Version};

pub struct ImageTagUnpinned;

static META: RuleMeta = RuleMeta {
    id: "image-tag-unpinned",
    severity: Severity::Warning,
    summary: "etcd, MinIO or Milvus image without a release tag: a new pull changes versions",
    doc: include_str!("../../rules/image-tag-unpinned.md"),
};

/// Why a reference's tag does not pin a release, or `None` when it does (or is pinned by
/// digest, or names no version milvet can read).
pub(crate) fn unpinned(image: &crate::compose::ImageRef) -> Option<String> {
    if image.digest.is_some() {
        return None;
    }
    let Some(tag) = image.tag.as_deref() else {
        return Some("has no tag, so Docker pulls `latest`".into());
    };
    let lower = tag.to_ascii_lowercase();
    if lower == "latest" || lower.ends_with("-latest") || lower.starts_with("latest-") {
        return Some(format!("uses the moving tag `{tag}`"));
    }
    match Version::parse(tag) {
        // `v3.0-beta` is one pre-release; `3.5`, `v2.5`, `3.5-debian-12` move.
        Some(Version::Numbered(Numbered {
            patch: None,
            pre: None,
            ..
        })) => Some(format!(
            "uses `{tag}`, which names a release line, not a release: it moves to each new patch"
        )),
        _ => None,
    }
}

impl Rule for ImageTagUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for member in &cx.stack.members {
            // The published images of etcd, MinIO and Milvus (a custom image without a tag is
            // usually built on the host).
            if member.image.is_none() {
                continue;
            }
            let s = member.service;
            let Some((image, text)) = &s.image else {
                continue;
            };
            if super::unknowable(cx, Some(text.origin)) {
                continue;
            }
            let Some(why) = unpinned(image) else { continue };
            let milvus = if member.is_milvus() {
                " Milvus metadata cannot go back a version nor skip the required upgrade steps, \
                 so an unplanned jump can leave the stack unable to start."
            } else {
                ""
            };
            let d = META
                .diagnostic(
                    text.place(),
                    format!(
                        "the image `{}` of service `{}` ({}) {why}: a reboot after a pull, \
                         `docker compose pull`, or a new host silently runs another version.{milvus}",
                        text.value,
                        s.name.value,
                        member.role.describe()
                    ),
                )
                .service(s)
                .label("not a pinned release")
                .help(
                    "pin the release the stack runs today (`docker image inspect` shows it), e.g. \
                     `quay.io/coreos/etcd:v3.5.25`, `milvusdb/milvus:v2.5.27`",
                )
                .fix(Fix::unavailable(
                    "milvet cannot know which release runs today: pin that one by hand",
                ));
            out.push(super::explained(d, text.explain(), None));
        }
    }
}
