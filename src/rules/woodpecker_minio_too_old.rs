//! `woodpecker-minio-too-old`: Milvus set to the Woodpecker message queue, with Woodpecker's
//! log on a MinIO too old for it (no conditional writes).

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::stack::releases;

pub struct WoodpeckerMinioTooOld;

static META: RuleMeta = RuleMeta {
    id: "woodpecker-minio-too-old",
    severity: Severity::Error,
    summary: "Milvus uses Woodpecker on a MinIO release without conditional writes",
    doc: include_str!("../../rules/woodpecker-minio-too-old.md"),
};

/// Whether Milvus, as configured (environment > user.yaml > milvus.yaml > the version's
/// default), keeps its write-ahead log in Woodpecker on MinIO: `mq.type` is `woodpecker` and
/// `woodpecker.storage.type` is `minio` (its default).
fn woodpecker_on_minio<'a>(
    cx: &Context<'a>,
    cfg: &crate::milvus::MilvusConfig<'a>,
) -> Option<crate::milvus::Setting<'a>> {
    let service = cfg.service?;
    let mq = cfg.mq_type()?;
    if !mq.value.trim().eq_ignore_ascii_case("woodpecker")
        || super::setting_uncertain(cx, service, &mq)
    {
        return None;
    }
    let on_minio = cfg
        .woodpecker_storage_type()
        .is_none_or(|t| t.value.trim().eq_ignore_ascii_case("minio"));
    on_minio.then_some(mq)
}

impl Rule for WoodpeckerMinioTooOld {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let users: Vec<_> = cx
            .milvus_configs
            .iter()
            .filter_map(|cfg| Some((cfg.service?, woodpecker_on_minio(cx, cfg)?)))
            .collect();
        if users.is_empty() {
            return;
        }
        let minimum = &releases::get().woodpecker_minimum;
        let old: Vec<_> = cx
            .stack
            .members
            .iter()
            .filter(|m| m.is_minio_proper())
            .filter_map(|m| Some((m, m.version.version()?)))
            .filter(|(_, v)| v.before(minimum))
            .collect();
        for (s, mq) in &users {
            let at = mq
                .decided
                .origin()
                .unwrap_or_else(|| super::service_anchor(s));
            for (minio, version) in &old {
                let image = minio.service.image.as_ref().map(|(_, t)| t);
                let mut d = META
                    .diagnostic(
                        at,
                        format!(
                            "service `{}` sets `mq.type` to `woodpecker` ({}), which keeps \
                             Milvus's write-ahead log on MinIO and needs conditional writes, \
                             first in MinIO {minimum}; service `{}` runs {version}, so Milvus \
                             cannot write its log. Upgrade MinIO to {minimum} or later (back up \
                             the bucket first), or keep the log on local disk \
                             (`WOODPECKER_STORAGE_TYPE=local`)",
                            s.name.value,
                            mq.describe(),
                            minio.service.name.value
                        ),
                    )
                    .service(s)
                    .label("Woodpecker on an old MinIO")
                    .help(format!("upgrade MinIO to {minimum} or later"))
                    .fix(Fix::unavailable(
                        "a MinIO upgrade is a data-format decision: back up and upgrade by hand",
                    ));
                if let Some(t) = image {
                    d = d.related(t.origin, "this MinIO release has no conditional writes");
                }
                out.push(d);
            }
        }
    }
}
