//! `minio-default-credentials`: MinIO running with its default root credentials.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::stack::minio;

pub struct MinioDefaultCredentials;

static META: RuleMeta = RuleMeta {
    id: "minio-default-credentials",
    severity: Severity::Warning,
    summary: "MinIO runs with its default root credentials",
    doc: include_str!("../../rules/minio-default-credentials.md"),
};

impl Rule for MinioDefaultCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for minio in &cx.minio {
            let s = minio.service;
            let Some(creds) = minio.root_credentials() else {
                continue;
            };
            let (user_default, password_default) = if minio.bitnami_scripts() {
                (minio::BITNAMI_USER, minio::BITNAMI_PASSWORD)
            } else {
                (minio::DEFAULT_USER, minio::DEFAULT_PASSWORD)
            };
            let (user, password) = (creds.user, creds.password);
            if user.value != user_default || password.value != password_default {
                continue;
            }
            if [user.origin, password.origin]
                .into_iter()
                .any(|o| super::unknowable(cx, o))
            {
                continue;
            }
            let published: Vec<String> = s
                .ports
                .iter()
                .filter(|p| p.on_all_interfaces())
                .map(|p| p.target.clone())
                .collect();
            let how = match (user.origin, password.origin) {
                (None, None) => "no credentials are set, so MinIO uses its defaults".to_string(),
                _ => format!(
                    "`{}` and `{}` are set to the defaults",
                    user.name, password.name
                ),
            };
            // Unpublished, it matters to a Milvus stack (whose Milvus must get the same pair).
            if published.is_empty() && !cx.milvus {
                continue;
            }
            let (severity, exposure) = if published.is_empty() {
                (
                    Severity::Info,
                    "no MinIO port is published, so only containers on its network can use \
                     them; set your own before publishing one"
                        .to_string(),
                )
            } else {
                (
                    Severity::Warning,
                    format!(
                        "its port{} {} {} published on every interface of the host, so anyone \
                         who reaches the host can read and delete every segment Milvus stored",
                        if published.len() == 1 { "" } else { "s" },
                        published
                            .iter()
                            .map(|p| format!("`{p}`"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        if published.len() == 1 { "is" } else { "are" }
                    ),
                )
            };
            let origin = password
                .origin
                .or(user.origin)
                .unwrap_or_else(|| super::service_anchor(s));
            let mut d = META
                .diagnostic(
                    origin,
                    format!(
                        "service `{}` runs MinIO with the default root credentials \
                         `{user_default}`/`{password_default}` ({how}); {exposure}. Set \
                         `MINIO_ROOT_USER` and `MINIO_ROOT_PASSWORD` (from a `.env` file kept \
                         out of version control), and give Milvus the same pair as \
                         `MINIO_ACCESS_KEY_ID` and `MINIO_SECRET_ACCESS_KEY` (Milvus ignores \
                         `MINIO_ACCESS_KEY`), then restart both",
                        s.name.value
                    ),
                )
                .service(s)
                .label("default MinIO credentials")
                .help(
                    "set MINIO_ROOT_USER / MINIO_ROOT_PASSWORD on MinIO and the same values as \
                     MINIO_ACCESS_KEY_ID / MINIO_SECRET_ACCESS_KEY on Milvus",
                )
                .fix(Fix::unavailable(
                    "choose the credentials yourself; Milvus must get the same ones",
                ));
            d.severity = severity;
            out.push(d);
        }
    }
}
