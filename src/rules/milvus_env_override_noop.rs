//! `milvus-env-override-noop`: an environment variable on a Milvus service that looks like a
//! setting but sets nothing (`rules/data/milvus-env.toml`).

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::{EnvVar, Service};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::fix::compose_edit;
use crate::stack::milvus::{self, NoopVar};
use crate::stack::roles::MilvusRole;

pub struct MilvusEnvOverrideNoop;

static META: RuleMeta = RuleMeta {
    id: "milvus-env-override-noop",
    severity: Severity::Warning,
    summary: "an environment variable on a Milvus service looks like a setting but sets nothing",
    doc: include_str!("../../rules/milvus-env-override-noop.md"),
};

impl Rule for MilvusEnvOverrideNoop {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for member in &cx.stack.members {
            let Some(role) = member.milvus_role() else {
                continue;
            };
            let s = member.service;
            for var in &s.environment.vars {
                let Some(noop) = milvus::noop_env(&var.name.value) else {
                    continue;
                };
                if noop.standalone_only && role != MilvusRole::Standalone {
                    continue;
                }
                if super::unknowable(cx, var.value.as_ref().map(|t| t.origin)) {
                    continue;
                }
                out.push(finding(cx, s, var, noop));
            }
        }
    }
}

fn finding(cx: &Context<'_>, s: &Service, var: &EnvVar, noop: &NoopVar) -> Diagnostic {
    let name = &var.name.value;
    let mut message = format!(
        "`{name}` on Milvus service `{}` sets nothing: it {}",
        s.name.value, noop.reason
    );
    let embedded = milvus::env_for_key(s, "etcd.use.embed")
        .and_then(|v| v.value.as_ref())
        .is_some_and(|t| t.value.trim().eq_ignore_ascii_case("true"));
    let (help, fix) = match (&noop.key, &noop.rename) {
        (Some(key), Some(rename)) => {
            match super::milvus_config(cx, s).and_then(|c| c.value(key)) {
                Some(set) if set.is_default() => message.push_str(&format!(
                    "; Milvus keeps `{key}` at {}{}",
                    if key.contains("secret") {
                        String::new()
                    } else {
                        format!("`{}`, ", set.value)
                    },
                    set.describe()
                )),
                Some(set) => {
                    message.push_str(&format!("; Milvus takes `{key}` from {}", set.describe()))
                }
                None => {}
            }
            (
                format!("rename `{name}` to `{rename}` if the value is meant for Milvus"),
                rename_fix(cx, s, var, noop, rename),
            )
        }
        _ if name.starts_with("ETCD_") && embedded => (
            "give the embedded etcd a configuration file: mount one and point \
             `ETCD_CONFIG_PATH` at it (the image ships `/milvus/configs/advanced/etcd.yaml`)"
                .to_string(),
            Fix::unavailable(
                "mount an etcd configuration file with the settings and set `ETCD_CONFIG_PATH` \
                 to it",
            ),
        ),
        _ if name.starts_with("ETCD_") => (
            "set it on the etcd service, which reads it".to_string(),
            Fix::unavailable("move the setting to the etcd service, or remove it"),
        ),
        _ => (
            format!("remove `{name}`"),
            Fix::unavailable(format!("remove `{name}`: it has no effect")),
        ),
    };
    // A variable merged in from an anchor is reported where the service merges it.
    let via = var.value.as_ref().and_then(|t| t.via.as_ref());
    let at = via.map_or(var.name.place(), |v| v.at);
    let mut d = META.diagnostic(at, message);
    if via.is_some() && at != var.name.origin {
        d = d.related(var.name.origin, "written here");
    }
    d.service(s)
        .label("sets nothing in Milvus")
        .help(help)
        .fix(fix)
}

/// The safe rename, when the value is the one Milvus needs: the root credential of the MinIO
/// server it stores its segments on.
fn rename_fix(cx: &Context<'_>, s: &Service, var: &EnvVar, noop: &NoopVar, rename: &str) -> Fix {
    let name = &var.name.value;
    if s.environment.get(rename).is_some() {
        return Fix::unavailable(format!(
            "`{rename}` is set too, and Milvus reads that one: remove `{name}`"
        ));
    }
    let Some(value) = var.value.as_ref() else {
        return Fix::unavailable(format!(
            "`{name}` has no value here: rename it to `{rename}` if its value is meant for Milvus"
        ));
    };
    let address = super::milvus_config(cx, s)
        .and_then(|c| c.minio_address())
        .filter(|a| !a.is_default())
        .map(|a| a.value);
    let Some(minio) = milvus::minio_of(cx.file, &cx.minio, s, address.as_deref()) else {
        return Fix::unavailable(format!(
            "no MinIO service of the project to compare the value with: rename it to \
             `{rename}` if it is the credential Milvus must use"
        ));
    };
    let Some(creds) = minio.root_credentials() else {
        return Fix::unavailable(format!(
            "the root credentials of MinIO service `{}` cannot be read from the project: \
             rename `{name}` to `{rename}` if it is the one Milvus must use",
            minio.service.name.value
        ));
    };
    let cred = if noop.credential.as_deref() == Some("password") {
        creds.password
    } else {
        creds.user
    };
    if cred.value != value.value {
        return Fix::unavailable(format!(
            "the value is not MinIO service `{}`'s root {} (`{}`), so milvet cannot tell it is \
             the one Milvus needs: rename it to `{rename}` by hand if it is",
            minio.service.name.value,
            noop.credential.as_deref().unwrap_or("user"),
            cred.name
        ));
    }
    match compose_edit::rename_env(cx.sources, s, var, rename) {
        Ok(edits) => Fix::safe(
            format!(
                "rename `{name}` to `{rename}`, the variable Milvus reads; its value is MinIO \
                 service `{}`'s `{}`",
                minio.service.name.value, cred.name
            ),
            edits,
        ),
        Err(why) => Fix::unavailable(why),
    }
}
