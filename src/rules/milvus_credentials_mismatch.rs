//! `milvus-credentials-mismatch`: the MinIO server's root credentials differ from the ones
//! Milvus will use.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::Service;
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::milvus::Setting;
use crate::stack::minio::Credential;

pub struct MilvusCredentialsMismatch;

static META: RuleMeta = RuleMeta {
    id: "milvus-credentials-mismatch",
    severity: Severity::Error,
    summary: "Milvus uses other MinIO credentials than the MinIO server has",
    doc: include_str!("../../rules/milvus-credentials-mismatch.md"),
};

/// Whether MinIO may have users other than its root one: identity settings on MinIO, or a
/// service of the project that runs `mc admin` (user or service-account management), so that
/// Milvus may rightly use another pair.
fn other_users_possible(cx: &Context<'_>, minio: &Service) -> bool {
    let admin = |s: &Service| {
        [&s.entrypoint, &s.command]
            .into_iter()
            .flatten()
            .flat_map(|c| c.args.iter())
            .any(|a| a.value.contains("admin") || a.value.contains("svcacct"))
    };
    minio
        .environment
        .vars
        .iter()
        .any(|v| v.name.value.starts_with("MINIO_IDENTITY_"))
        || cx.file.services.iter().any(|s| {
            // The argument scan first: splitting the command into programs costs more.
            admin(s)
                && (s
                    .image_ref()
                    .is_some_and(|i| i.is("minio/mc") || i.is("quay.io/minio/mc"))
                    || crate::stack::invocations(s)
                        .iter()
                        .any(|inv| inv.program() == Some("mc")))
        })
}

impl Rule for MilvusCredentialsMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for cfg in &cx.milvus_configs {
            let Some(s) = cfg.service else { continue };
            if !super::milvus_endpoint_unreachable::uses_minio(cfg)
                || cfg.value("minio.useIAM").and_then(|v| v.as_bool()) == Some(true)
            {
                continue;
            }
            let address = cfg.minio_address().filter(|a| !a.is_default());
            if address
                .as_ref()
                .is_some_and(|a| super::setting_uncertain(cx, s, a))
            {
                continue;
            }
            let Some(minio) = crate::stack::milvus::minio_of(
                cx.file,
                &cx.minio,
                s,
                address.as_ref().map(|a| a.value.as_str()),
            ) else {
                continue;
            };
            if other_users_possible(cx, minio.service) {
                continue;
            }
            let Some(root) = minio.root_credentials() else {
                continue;
            };
            let (Some(key), Some(secret)) =
                (cfg.minio_access_key_id(), cfg.minio_secret_access_key())
            else {
                continue;
            };
            if [&key, &secret]
                .iter()
                .any(|v| super::setting_uncertain(cx, s, v))
                || [root.user.origin, root.password.origin]
                    .into_iter()
                    .any(|o| super::unknowable(cx, o))
            {
                continue;
            }
            let user_differs = key.value != root.user.value;
            let secret_differs = secret.value != root.password.value;
            if !user_differs && !secret_differs {
                continue;
            }
            out.push(finding(
                cx,
                s,
                &minio.service.name.value,
                (&key, &secret),
                (&root.user, &root.password),
                (user_differs, secret_differs),
            ));
        }
    }
}

fn finding(
    cx: &Context<'_>,
    s: &Service,
    minio: &str,
    (key, secret): (&Setting<'_>, &Setting<'_>),
    (user, password): (&Credential, &Credential),
    (user_differs, secret_differs): (bool, bool),
) -> Diagnostic {
    let side = |c: &Credential| match c.origin {
        Some(_) => format!("`{}`", c.name),
        None => format!("its default, `{}` not being set", c.name),
    };
    let mut parts = Vec::new();
    if user_differs {
        parts.push(format!(
            "Milvus uses the access key `{}` ({}) while MinIO's root user is `{}` ({})",
            key.value,
            key.describe(),
            user.value,
            side(user)
        ));
    }
    if secret_differs {
        parts.push(format!(
            "its secret key ({}) is not MinIO's root password ({})",
            secret.describe(),
            side(password)
        ));
    }
    // Names Milvus does not read, on the same service: the likely cause.
    let ignored: Vec<String> = s
        .environment
        .vars
        .iter()
        .filter(|v| {
            crate::stack::milvus::noop_env(&v.name.value).is_some_and(|n| n.rename.is_some())
        })
        .map(|v| format!("`{}`", v.name.value))
        .collect();
    let cause = if ignored.is_empty() {
        String::new()
    } else {
        format!(
            " ({} {} set on the service, but Milvus does not read {}: see \
             `milvus-env-override-noop`)",
            ignored.join(", "),
            if ignored.len() == 1 { "is" } else { "are" },
            if ignored.len() == 1 { "it" } else { "them" }
        )
    };
    let decisive = if user_differs { key } else { secret };
    let at = decisive
        .decided
        .origin()
        .unwrap_or_else(|| super::service_anchor(s));
    let mut d = META
        .diagnostic(
            at,
            format!(
                "Milvus service `{}` cannot read or write its segments on MinIO service \
                 `{minio}`: {}{cause}; every insert, flush and load fails with an access error",
                s.name.value,
                parts.join(", and ")
            ),
        )
        .service(s)
        .label("not MinIO's credentials")
        .help(
            "give Milvus MinIO's root pair as `MINIO_ACCESS_KEY_ID` and \
             `MINIO_SECRET_ACCESS_KEY` (or `minio.accessKeyID` / `minio.secretAccessKey` in \
             user.yaml), from the same `.env` variables as MinIO's",
        )
        .fix(Fix::unavailable(
            "which pair is right is the deployment's: make both sides read the same variables",
        ));
    let other = if user_differs { user } else { password };
    match other.origin {
        Some(o) => d = d.related(o, "MinIO's credential"),
        None => {
            if let Some(m) = cx.file.services.iter().find(|x| x.name.value == minio) {
                d = d.related(
                    super::service_anchor(m),
                    "MinIO, with its default credentials",
                );
            }
        }
    }
    if let Some(o) = decisive.decided.origin()
        && o != at
    {
        d = d.related(o, "Milvus's credential");
    }
    d
}
