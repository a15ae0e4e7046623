//! `milvus-endpoint-unreachable`: Milvus's `etcd.endpoints` or `minio.address` names a host no
//! service of the project answers to, a port that service does not listen on, or `localhost`
//! while etcd or MinIO runs in another service.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::{ComposeFile, Origin, Service};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::milvus::{MilvusConfig, Setting};
use crate::stack::network::{Endpoint, Listening, Reach, reach};
use crate::stack::roles::MilvusRole;

pub struct MilvusEndpointUnreachable;

static META: RuleMeta = RuleMeta {
    id: "milvus-endpoint-unreachable",
    severity: Severity::Error,
    summary: "Milvus is pointed at an etcd or MinIO host or port the project does not serve",
    doc: include_str!("../../rules/milvus-endpoint-unreachable.md"),
};

/// What the endpoint is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Etcd,
    Minio,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Etcd => "etcd",
            Kind::Minio => "MinIO",
        }
    }
}

impl Rule for MilvusEndpointUnreachable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for cfg in &cx.milvus_configs {
            let Some(s) = cfg.service else { continue };
            let embedded = cfg.etcd_use_embed().and_then(|v| v.as_bool()) == Some(true);
            // A default is judged only when the image names the version it is the default of.
            let known = |v: &Setting<'_>| !v.is_default() || cfg.choice.assumed.is_none();
            if !embedded && let Some(setting) = cfg.etcd_endpoints().filter(known) {
                for item in setting.as_list() {
                    check_one(cx, s, &setting, item, None, Kind::Etcd, out);
                }
            }
            let role = cx.stack.get(&s.name.value).and_then(|m| m.milvus_role());
            if uses_minio(cfg)
                && role.is_some_and(reads_objects)
                && let Some(setting) = cfg.minio_address().filter(known)
            {
                // `address` without a port takes `minio.port` (paramtable MinioConfig).
                let port = cfg.minio_port();
                let before = out.len();
                check_one(
                    cx,
                    s,
                    &setting,
                    setting.value.trim(),
                    port.as_ref(),
                    Kind::Minio,
                    out,
                );
                if out.len() == before {
                    check_scheme(cx, cfg, s, &setting, out);
                }
            }
        }
    }
}

/// Whether a Milvus role reads or writes object storage: the proxy and the root and query
/// coordinators keep nothing there.
fn reads_objects(role: MilvusRole) -> bool {
    !matches!(
        role,
        MilvusRole::Proxy | MilvusRole::RootCoord | MilvusRole::QueryCoord | MilvusRole::Unknown
    )
}

/// Whether Milvus keeps its segments on MinIO (S3): `common.storageType` is not `local`.
pub(crate) fn uses_minio(cfg: &MilvusConfig<'_>) -> bool {
    cfg.storage_type().is_none_or(|t| {
        let t = t.value.trim().to_ascii_lowercase();
        t == "minio" || t == "remote" || t.is_empty()
    })
}

/// The object store Milvus reaches serves HTTPS (its certificates directory is mounted, or
/// RustFS's TLS path is set) while Milvus speaks plain HTTP (`minio.useSSL` false, its
/// default): every request fails the TLS handshake. A warning unless bitnami's
/// `MINIO_SCHEME=https` says the certificates are there, since the certificates themselves are
/// not read.
fn check_scheme(
    cx: &Context<'_>,
    cfg: &MilvusConfig<'_>,
    s: &Service,
    setting: &Setting<'_>,
    out: &mut Vec<Diagnostic>,
) {
    if super::setting_uncertain(cx, s, setting) {
        return;
    }
    let Some(ep) = Endpoint::parse(setting.value.trim()) else {
        return;
    };
    let Reach::Service { service: t, .. } = reach(cx.file, s, &ep.host) else {
        return;
    };
    if shares_stack(cx.file, t) {
        return;
    }
    let Some(minio) = cx.minio.iter().find(|m| std::ptr::eq(m.service, t)) else {
        return;
    };
    let listen = minio.listen();
    let Some(tls_at) = listen.certs else { return };
    if listen.scheme_unknown() {
        return;
    }
    let ssl = cfg.minio_use_ssl();
    if let Some(v) = &ssl
        && (super::setting_uncertain(cx, s, v) || v.as_bool() != Some(false))
    {
        return;
    }
    let ssl_words = match &ssl {
        Some(v) if !v.is_default() => format!("`minio.useSSL` is `{}` ({})", v.value, v.describe()),
        _ => "`minio.useSSL` is not set, so Milvus speaks plain HTTP".to_string(),
    };
    let stated = listen
        .scheme_setting
        .as_ref()
        .is_some_and(|(scheme, _)| scheme == "https");
    let at = ssl
        .as_ref()
        .filter(|v| !v.is_default())
        .and_then(|v| v.decided.origin())
        .or_else(|| setting.decided.origin())
        .unwrap_or_else(|| super::service_anchor(s));
    let mut d = META
        .diagnostic(
            at,
            format!(
                "Milvus service `{}` cannot reach {} service `{}`: {ssl_words}, but `{}` serves \
                 HTTPS on port {} ({}), so every request fails the TLS handshake{}",
                s.name.value,
                minio.flavor.product(),
                t.name.value,
                setting.value.trim(),
                listen
                    .port
                    .map_or_else(|| "its port".to_string(), |p| p.to_string()),
                listen.certs_reason,
                if stated {
                    ""
                } else {
                    " (when that directory holds the certificate and key, as it is set up for)"
                }
            ),
        )
        .service(s)
        .label("plain HTTP to an HTTPS server")
        .help(
            "set `minio.useSSL: true` (`MINIO_USE_SSL=true`) in Milvus, with a certificate Milvus \
             trusts for the MinIO service's name, or serve MinIO without TLS",
        )
        .fix(Fix::unavailable(
            "whether to turn TLS on in Milvus or off in the object store is the deployment's \
             choice",
        ))
        .related(tls_at, "TLS here");
    if !stated {
        d.severity = Severity::Warning;
    }
    out.push(d);
}

#[allow(clippy::too_many_arguments)]
fn check_one(
    cx: &Context<'_>,
    s: &Service,
    setting: &Setting<'_>,
    item: &str,
    port_setting: Option<&Setting<'_>>,
    kind: Kind,
    out: &mut Vec<Diagnostic>,
) {
    if super::setting_uncertain(cx, s, setting) || item.contains('$') {
        return;
    }
    let Some(mut ep) = Endpoint::parse(item) else {
        return;
    };
    let mut port_from = None;
    if ep.port.is_none() && !ep.bad_port {
        if let Some(p) = port_setting {
            if super::setting_uncertain(cx, s, p) {
                return;
            }
            ep.port = p.value.trim().parse().ok();
            port_from = Some(p);
        }
    }
    let servers: Vec<&Service> = match kind {
        Kind::Etcd => cx.etcd.iter().map(|e| e.service).collect(),
        Kind::Minio => cx.minio.iter().map(|m| m.service).collect(),
    };
    let at = setting
        .decided
        .origin()
        .unwrap_or_else(|| super::service_anchor(s));
    let how = if setting.is_default() {
        format!(
            "`{}` is `{}`, {}",
            setting.key,
            setting.value,
            setting.describe()
        )
    } else {
        format!(
            "`{}` is `{}` ({})",
            setting.key,
            setting.value,
            setting.describe()
        )
    };
    let svc = &s.name.value;
    let problem = match reach(cx.file, s, &ep.host) {
        Reach::Loopback => {
            let Some(server) = servers.first() else {
                return;
            };
            format!(
                "`{}` inside the container of Milvus service `{svc}` is that container itself, \
                 while {} runs in service `{}`: Milvus cannot reach it. Use the service name \
                 (`{}`)",
                ep.host,
                kind.name(),
                server.name.value,
                suggestion(&server.name.value, &ep, kind)
            )
        }
        // With no such server in the project it runs elsewhere (a file meant to be combined
        // with others): a name the project does not know is not judged.
        Reach::Nowhere | Reach::OtherNetwork(_) if servers.is_empty() => return,
        Reach::Nowhere => {
            let close = closest_name(cx.file, &ep.host);
            format!(
                "no service, network alias, `container_name` or `hostname` of the project is \
                 `{}`, and it is not an IP address or a domain name, so Milvus service `{svc}` \
                 cannot resolve it{}",
                ep.host,
                close.map_or_else(String::new, |c| format!(" (did you mean `{c}`?)"))
            )
        }
        Reach::OtherNetwork(t) => format!(
            "service `{}` answers to `{}` only on networks Milvus service `{svc}` is not on \
             (`{}` is on {}, `{}` on {}): put them on a common network",
            t.name.value,
            ep.host,
            svc,
            networks(s),
            t.name.value,
            networks(t)
        ),
        Reach::Service { service: t, by } => {
            let listening = match kind {
                Kind::Etcd => cx
                    .etcd
                    .iter()
                    .find(|e| std::ptr::eq(e.service, t))
                    .map(|e| e.client_listening()),
                Kind::Minio => cx
                    .minio
                    .iter()
                    .find(|m| std::ptr::eq(m.service, t))
                    .map(|m| m.api_listening()),
            };
            match listening {
                // Another part of the stack, not the server it should be.
                None => match cx.stack.get(&t.name.value) {
                    Some(m) if !shares_stack(cx.file, t) => format!(
                        "`{}` is service `{}` (its {}), which runs {}, not {}",
                        ep.host,
                        t.name.value,
                        by.describe(),
                        m.role.describe(),
                        kind.name()
                    ),
                    _ => return,
                },
                Some(None) => return,
                Some(Some(l)) => {
                    let Some(port) = ep.port else { return };
                    if l.ports().contains(&port) || shares_stack(cx.file, t) {
                        return;
                    }
                    let d = port_problem(&ep, port, &l, t, kind, port_from);
                    push(cx, out, s, at, how, d, l.origin, kind);
                    return;
                }
            }
        }
        Reach::External | Reach::Unknown => return,
    };
    push(cx, out, s, at, how, problem, None, kind);
}

/// Whether another service shares `t`'s network stack (`network_mode: service:t`), so that
/// what listens at its address is not only `t`.
fn shares_stack(file: &ComposeFile, t: &Service) -> bool {
    file.services
        .iter()
        .any(|o| crate::stack::network::network_mode_service(o) == Some(t.name.value.as_str()))
        || t.net.network_mode.is_some()
}

fn port_problem(
    ep: &Endpoint,
    port: u16,
    l: &Listening,
    t: &Service,
    kind: Kind,
    port_from: Option<&Setting<'_>>,
) -> String {
    let ports = l.ports();
    let listens = if ports.is_empty() {
        "listens only on its loopback interface, which no other container reaches".to_string()
    } else {
        format!(
            "listens on port {} inside its container",
            ports
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let port_words = match port_from {
        Some(p) => format!("port {port} (`{}`, {})", p.key, p.describe()),
        None => format!("port {port}"),
    };
    let published = t
        .ports
        .iter()
        .any(|p| p.published.as_deref() == Some(port.to_string().as_str()));
    format!(
        "{} service `{}` {listens} ({}), not on {port_words}{}{}",
        kind.name(),
        t.name.value,
        l.what,
        if published {
            format!(
                "; that it publishes host port {port} does not change the port other \
                 containers connect to"
            )
        } else {
            String::new()
        },
        if ports.is_empty() {
            String::new()
        } else {
            format!(". Use `{}:{}`", ep.host, ports[0])
        }
    )
}

#[allow(clippy::too_many_arguments)]
fn push(
    _cx: &Context<'_>,
    out: &mut Vec<Diagnostic>,
    s: &Service,
    at: Origin,
    how: String,
    problem: String,
    server_place: Option<Origin>,
    kind: Kind,
) {
    let mut d = META
        .diagnostic(
            at,
            format!(
                "Milvus service `{}` cannot reach {}: {how}; {problem}",
                s.name.value,
                kind.name()
            ),
        )
        .service(s)
        .label(format!("{} unreachable", kind.name()))
        .help(match kind {
            Kind::Etcd => {
                "point `etcd.endpoints` (`ETCD_ENDPOINTS`) at the etcd service's name \
                           and the port it listens on for clients, e.g. `etcd:2379`"
            }
            Kind::Minio => {
                "point `minio.address` (`MINIO_ADDRESS`) at the MinIO service's name \
                            and its API port, e.g. `minio:9000`"
            }
        })
        .fix(Fix::unavailable(
            "which host and port are right is the deployment's choice: set them by hand",
        ));
    if let Some(o) = server_place
        && o != at
    {
        d = d.related(o, "where it listens");
    }
    out.push(d);
}

fn suggestion(host: &str, ep: &Endpoint, kind: Kind) -> String {
    let port = ep.port.unwrap_or(match kind {
        Kind::Etcd => 2379,
        Kind::Minio => 9000,
    });
    format!("{host}:{port}")
}

fn networks(s: &Service) -> String {
    let n = s.net.network_names();
    if n.is_empty() {
        return "no network of the project".into();
    }
    n.iter()
        .map(|x| format!("`{x}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The name of the project closest to `host`, for "did you mean".
fn closest_name(file: &ComposeFile, host: &str) -> Option<String> {
    let mut names: Vec<&str> = Vec::new();
    for s in &file.services {
        names.push(&s.name.value);
        if let Some(c) = &s.container_name {
            names.push(&c.value);
        }
        if let Some(h) = &s.net.hostname {
            names.push(&h.value);
        }
        for a in s.net.networks.iter().flatten() {
            names.extend(a.aliases.iter().map(|t| t.value.as_str()));
        }
    }
    let h = host.to_ascii_lowercase();
    names
        .into_iter()
        .map(|n| (strsim::damerau_levenshtein(&h, &n.to_ascii_lowercase()), n))
        .filter(|(d, n)| *d <= 2.max(n.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n.to_string())
}
