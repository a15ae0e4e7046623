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

/// A Milvus setting from the environment, formatted as Milvus formats names
/// (pkg/util/paramtable/base_table.go: lower case, `_` and `.` removed).
fn milvus_env<'a>(
    service: &'a crate::compose::Service,
    key: &str,
) -> Option<&'a crate::compose::Text> {
    milvus_var(service, key).and_then(|v| v.value.as_ref())
}

/// The environment variable Milvus reads as `key`, if any (the last definition wins).
fn milvus_var<'a>(
    service: &'a crate::compose::Service,
    key: &str,
) -> Option<&'a crate::compose::EnvVar> {
    let want: String = key
        .chars()
        .filter(|c| !matches!(c, '.' | '_' | '/'))
        .collect::<String>()
        .to_ascii_lowercase();
    service.environment.vars.iter().rev().find(|v| {
        let name = v.name.value.to_ascii_lowercase();
        // `MILVUS_CONF_<NAME>` is read as `<name>` from 2.6 (PR #40623).
        let name = name
            .strip_prefix("milvus_conf_")
            .or_else(|| name.strip_prefix("milvus."))
            .unwrap_or(&name);
        name.chars()
            .filter(|c| !matches!(c, '.' | '_' | '/'))
            .collect::<String>()
            == want
    })
}

impl Rule for WoodpeckerMinioTooOld {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let woodpecker = |m: &crate::stack::roles::Member<'_>| {
            m.is_milvus()
                && milvus_env(m.service, "mq.type")
                    .is_some_and(|t| t.value.trim().eq_ignore_ascii_case("woodpecker"))
        };
        if !cx.stack.members.iter().any(woodpecker) {
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
        if old.is_empty() {
            return;
        }
        for member in cx.stack.members.iter().filter(|m| m.is_milvus()) {
            let s = member.service;
            let Some(mq) = milvus_env(s, "mq.type") else {
                continue;
            };
            if !mq.value.trim().eq_ignore_ascii_case("woodpecker") {
                continue;
            }
            // Woodpecker keeps its log on MinIO unless told to use local storage.
            if milvus_env(s, "woodpecker.storage.type")
                .is_some_and(|t| !t.value.trim().eq_ignore_ascii_case("minio"))
            {
                continue;
            }
            for (minio, version) in &old {
                let image = minio.service.image.as_ref().map(|(_, t)| t);
                let mut d = META
                    .diagnostic(
                        mq.place(),
                        format!(
                            "service `{}` sets `{}` to `woodpecker`, which keeps Milvus's \
                             write-ahead log on MinIO and needs conditional writes, first in \
                             MinIO {minimum}; service `{}` runs {version}, so Milvus cannot \
                             write its log. Upgrade MinIO to {minimum} or later (back up the \
                             bucket first), or keep the log on local disk \
                             (`WOODPECKER_STORAGE_TYPE=local`)",
                            s.name.value,
                            milvus_var(s, "mq.type").map_or("MQ_TYPE", |v| v.name.value.as_str()),
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
