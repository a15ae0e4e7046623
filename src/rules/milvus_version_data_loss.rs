//! `milvus-version-data-loss`: a Milvus release with a known data-loss or metadata fault
//! fixed in a later patch of its minor line, with the upgrade path the Milvus documentation
//! requires (the faults and the path are data: `rules/data/releases.toml`).

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::fix::compose_edit;
use crate::stack::releases;
use crate::stack::version::{Numbered, Version};

pub struct MilvusVersionDataLoss;

static META: RuleMeta = RuleMeta {
    id: "milvus-version-data-loss",
    severity: Severity::Error,
    summary: "a Milvus release with a known data-loss or metadata fault fixed in a later patch",
    doc: include_str!("../../rules/milvus-version-data-loss.md"),
};

impl Rule for MilvusVersionDataLoss {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for member in cx.stack.members.iter().filter(|m| m.is_milvus()) {
            let s = member.service;
            let Some((_, text)) = &s.image else { continue };
            let Some(version) = member.version.version() else {
                continue;
            };
            if super::unknowable(cx, Some(text.origin)) {
                continue;
            }
            // Read only when a file runs a Milvus release milvet can read.
            let data = releases::get();
            let faults = data.milvus.faults_of(version);
            let Some(severity) = faults.iter().map(|f| f.severity).max() else {
                continue;
            };
            let list: Vec<String> = faults
                .iter()
                .map(|f| format!("{} (fixed in v{}; {})", f.what, f.fixed, f.source))
                .collect();
            let path = data.milvus_upgrade_path(version);
            let message = format!(
                "service `{}` runs Milvus {}, which has faults fixed in later patches of its \
                 line: {}. Back up etcd and MinIO before each step (for example with \
                 milvus-backup). Upgrade path: {}",
                s.name.value,
                text.value,
                list.join("; "),
                path.join("; ")
            );
            let newest = data.milvus.newest_of(version);
            let mut d = META
                .diagnostic(text.place(), message)
                .service(s)
                .label("Milvus release with known data-loss faults")
                .help(match newest {
                    Some(n) => format!(
                        "back up, then move to v{n} (the newest patch of this minor line) before \
                         any other upgrade"
                    ),
                    None => "back up, then move to the newest patch of this minor line".into(),
                })
                .fix(fix(cx, s, text, version, newest));
            d.severity = severity;
            out.push(super::explained(d, text.explain(), None));
        }
    }
}

fn fix(
    cx: &Context<'_>,
    s: &crate::compose::Service,
    text: &crate::compose::Text,
    version: &Version,
    newest: Option<&Version>,
) -> Fix {
    let Some(newest) = newest else {
        return Fix::unavailable("milvet knows no newer patch of this minor line");
    };
    if !matches!(
        version,
        Version::Numbered(Numbered {
            pre: None,
            build: None,
            ..
        })
    ) {
        return Fix::unavailable(format!(
            "`{}` is a pre-release or a variant tag: choose the matching tag of v{newest} by hand",
            text.value
        ));
    }
    let tag = format!("v{newest}");
    match compose_edit::rewrite_image(cx.sources, text, |raw| {
        crate::compose::image::with_tag(raw, &tag)
    }) {
        Ok(edits) => Fix::unsafe_(
            format!(
                "set the image tag to `{tag}`, the newest patch of the same minor line. Unsafe: \
                 back up first (etcd: `etcdctl snapshot save`; MinIO's bucket; or milvus-backup), \
                 then `docker compose up -d {}`; Milvus metadata cannot go back a version",
                s.name.value
            ),
            edits,
        ),
        Err(why) => Fix::unavailable(why),
    }
}
