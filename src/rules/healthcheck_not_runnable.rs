//! `healthcheck-not-runnable`: a healthcheck's test needs a program the image lacks, so the
//! service never becomes healthy.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::Origin;
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::fix::compose_edit;
use crate::stack::health::{self, Probe, program_name};
use crate::stack::images::Availability;
use crate::stack::roles::Member;

pub struct HealthcheckNotRunnable;

static META: RuleMeta = RuleMeta {
    id: "healthcheck-not-runnable",
    severity: Severity::Error,
    summary: "a healthcheck runs a program the image does not have",
    doc: include_str!("../../rules/healthcheck-not-runnable.md"),
};

/// The architectures Milvus images are published for: a program missing elsewhere (MinIO's
/// curl on s390x) cannot matter to a Milvus stack.
const MILVUS_ARCHES: &[&str] = &["amd64", "arm64"];

/// The Milvus hosts an architecture list leaves out, for messages; empty when it covers them.
fn hosts_failing(arches: &[&str]) -> String {
    let mut out = Vec::new();
    if !arches.contains(&"arm64") {
        out.push("arm64 (Apple Silicon Macs, ARM servers such as AWS Graviton)");
    }
    if !arches.contains(&"amd64") {
        out.push("amd64");
    }
    out.join(", ")
}

impl Rule for HealthcheckNotRunnable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for member in &cx.stack.members {
            let s = member.service;
            let Some(hc) = &s.healthcheck else { continue };
            let what = member.role.describe();
            let image = s.image.as_ref().map_or("", |(_, t)| t.value.as_str());
            // (where, what is missing, the hosts it fails on when it depends on the platform)
            let problem: Option<(Origin, String, Option<&[&str]>)> = match health::probe(hc) {
                Probe::Disabled => None,
                Probe::Exec { program } => {
                    let name = program_name(&program.value);
                    match member.has(name) {
                        Availability::No => Some((
                            program.place(),
                            format!("runs `{name}`, which the image `{image}` does not have"),
                            None,
                        )),
                        Availability::OnlyOn(arches) => Some((
                            program.place(),
                            format!(
                                "runs `{name}`, which the image `{image}` has only in its {} \
                                 builds",
                                arches.join(", ")
                            ),
                            Some(arches),
                        )),
                        _ => None,
                    }
                }
                Probe::Shell { script, programs } => {
                    if member.has_shell() == Availability::No {
                        Some((
                            script.place(),
                            format!(
                                "is a shell test (`CMD-SHELL` or a plain string), which runs \
                                 `/bin/sh`, and the image `{image}` has no shell (etcd images \
                                 are distroless from v3.5.7)"
                            ),
                            None,
                        ))
                    } else {
                        programs.iter().find_map(|p| match member.has(p) {
                            Availability::No => Some((
                                script.place(),
                                format!("runs `{p}`, which the image `{image}` does not have"),
                                None,
                            )),
                            Availability::OnlyOn(arches) => Some((
                                script.place(),
                                format!(
                                    "runs `{p}`, which the image `{image}` has only in its {} \
                                     builds",
                                    arches.join(", ")
                                ),
                                Some(arches),
                            )),
                            _ => None,
                        })
                    }
                }
            };
            // A test written for the default address, on a server moved off it.
            let mut listens = None;
            let problem = problem.or_else(|| {
                let (endpoint, listen) = health::misses_server(member)?;
                let at = hc.test.get(1).or(hc.test.first())?.place();
                let missing = format!(
                    "probes `{}` ({}://localhost:{}), but {} serves {}",
                    endpoint.written,
                    endpoint.scheme,
                    endpoint.port,
                    what,
                    listen.describe()
                );
                listens = Some((listen, endpoint.port));
                Some((at, missing, None))
            });
            let Some((origin, missing, arches)) = problem else {
                continue;
            };
            if arches.is_some_and(|a| MILVUS_ARCHES.iter().all(|m| a.contains(m))) {
                continue;
            }
            let waiting: Vec<String> = cx
                .stack
                .depending_on(&s.name.value)
                .filter(|m| m.is_milvus())
                .filter(|m| {
                    m.service.depends_on.iter().any(|d| {
                        d.service.value == s.name.value
                            && d.condition
                                .as_ref()
                                .is_some_and(|c| c.value == "service_healthy")
                    })
                })
                .map(|m| format!("`{}`", m.service.name.value))
                .collect();
            let consequence = if waiting.is_empty() {
                "so the service is reported unhealthy for ever and nothing that waits for it \
                 starts"
                    .to_string()
            } else {
                format!(
                    "so {} (which waits with `condition: service_healthy`) will never start",
                    waiting.join(", ")
                )
            };
            let mut d = META.diagnostic(origin, String::new());
            d.message = match arches {
                None => format!(
                    "the healthcheck of service `{}` ({what}) {missing}: it can never pass, \
                     {consequence}",
                    s.name.value
                ),
                Some(arches) => {
                    d.severity = Severity::Warning;
                    format!(
                        "the healthcheck of service `{}` ({what}) {missing}, and the service \
                         sets no `platform`: on {} hosts it can never pass, {consequence}",
                        s.name.value,
                        hosts_failing(arches)
                    )
                }
            };
            if let Some((l, probed)) = &listens {
                let stated_https = l.scheme_setting.as_ref().is_some_and(|(s, _)| s == "https");
                // The right port, the wrong scheme: only the certificates make it HTTPS.
                if l.port == Some(*probed) && !stated_https {
                    // Only the certificates make it HTTPS, which milvet infers from the mount.
                    d.severity = Severity::Warning;
                    d.message
                        .push_str(if l.certs_reason == crate::stack::minio::RUSTFS_TLS_SET {
                            " (when that directory holds `rustfs_cert.pem` and `rustfs_key.pem`, \
                         as it is set for)"
                        } else {
                            " (when the mounted certificates directory holds `public.crt` and \
                         `private.key`, as it is mounted for)"
                        });
                }
                if let Some((written, at)) = &l.written {
                    d = d.related(*at, format!("listens on `{written}`"));
                }
                if let Some(at) = l.certs {
                    let why = if l.certs_reason == crate::stack::minio::RUSTFS_TLS_SET {
                        "TLS path set"
                    } else {
                        "certificates mounted"
                    };
                    d = d.related(at, format!("{why}: the server speaks HTTPS"));
                }
                if let Some((scheme, at)) = &l.scheme_setting {
                    d = d.related(
                        *at,
                        format!("`MINIO_SCHEME={scheme}`: bitnami's set-up points `mc`'s `local` alias at {scheme}"),
                    );
                }
            }
            let label = if listens.is_some() {
                "probes another address"
            } else {
                "cannot run in this image"
            };
            out.push(
                d.service(s)
                    .label(label)
                    .help("use a test made of programs the image has: for etcd `[\"CMD\", \"etcdctl\", \"endpoint\", \"health\"]`, for MinIO `[\"CMD\", \"mc\", \"ready\", \"local\"]` where `mc` is usable")
                    .fix(fix(cx, member, &hc.test)),
            );
        }
    }
}

fn fix(cx: &Context<'_>, member: &Member<'_>, test: &[crate::compose::Text]) -> Fix {
    let suggested = match health::runnable(member) {
        Ok(s) => s,
        Err(why) => return Fix::unavailable(why),
    };
    // The suggestion must itself run everywhere.
    if suggested
        .test
        .get(1)
        .is_some_and(|p| member.has(p) != Availability::Yes)
    {
        return Fix::unavailable("no test milvet knows runs in this image on every platform");
    }
    match compose_edit::replace_healthcheck_test(
        cx.sources,
        member.service,
        test,
        &suggested.test_yaml(),
    ) {
        Ok(edits) => Fix::safe(
            format!("run `{}` instead", suggested.test[1..].join(" ")),
            edits,
        ),
        Err(why) => Fix::unavailable(why),
    }
}
