//! `minio-default-credentials`: MinIO running with its default root credentials.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::{Origin, Service};
use crate::diagnostic::{Diagnostic, Fix, Severity};

pub struct MinioDefaultCredentials;

static META: RuleMeta = RuleMeta {
    id: "minio-default-credentials",
    severity: Severity::Warning,
    summary: "MinIO runs with its default root credentials",
    doc: include_str!("../../rules/minio-default-credentials.md"),
};

/// A credential as MinIO reads it: the current name, else the deprecated one
/// (cmd/common-main.go).
struct Credential {
    value: String,
    /// Where it is written, `None` for the default.
    at: Option<Origin>,
    name: &'static str,
}

/// `None` when the value cannot be known (a bare `KEY` taken from the shell).
fn credential(
    service: &Service,
    names: [&'static str; 2],
    default: &'static str,
) -> Option<Credential> {
    for name in names {
        if let Some(var) = service.environment.get(name) {
            let text = var.value.as_ref()?;
            return Some(Credential {
                value: text.value.clone(),
                at: Some(text.place()),
                name,
            });
        }
    }
    Some(Credential {
        value: default.to_string(),
        at: None,
        name: names[0],
    })
}

impl Rule for MinioDefaultCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for minio in &cx.minio {
            let s = minio.service;
            let names = minio.credential_names();
            let product = minio.flavor.product();
            let (user_default, password_default) = names.defaults;
            // A credential read from a file, or through names the release may not read.
            if names
                .unknown_with
                .iter()
                .any(|f| s.environment.get(f).is_some())
            {
                continue;
            }
            let Some(user) = credential(s, names.user, user_default) else {
                continue;
            };
            let Some(password) = credential(s, names.password, password_default) else {
                continue;
            };
            if user.value != user_default || password.value != password_default {
                continue;
            }
            if [user.at, password.at]
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
            let how = match (user.at, password.at) {
                (None, None) => format!("no credentials are set, so {product} uses its defaults"),
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
                    format!(
                        "no {product} port is published, so only containers on its network can \
                         use them; set your own before publishing one"
                    ),
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
                .at
                .or(user.at)
                .unwrap_or_else(|| super::service_anchor(s));
            let mut d = META
                .diagnostic(
                    origin,
                    format!(
                        "service `{}` runs {product} with the default root credentials \
                         `{user_default}`/`{password_default}` ({how}); {exposure}. Set \
                         `{}` and `{}` (from a `.env` file kept out of version control), and \
                         give Milvus the same pair as `MINIO_ACCESS_KEY_ID` and \
                         `MINIO_SECRET_ACCESS_KEY` (Milvus ignores `MINIO_ACCESS_KEY`), then \
                         restart both",
                        s.name.value, names.user[0], names.password[0]
                    ),
                )
                .service(s)
                .label(format!("default {product} credentials"))
                .help(format!(
                    "set {} / {} on {product} and the same values as \
                     MINIO_ACCESS_KEY_ID / MINIO_SECRET_ACCESS_KEY on Milvus",
                    names.user[0], names.password[0]
                ))
                .fix(Fix::unavailable(
                    "choose the credentials yourself; Milvus must get the same ones",
                ));
            d.severity = severity;
            out.push(d);
        }
    }
}
