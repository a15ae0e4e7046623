//! Which service of a project a host name reaches, as Docker's embedded DNS answers a
//! container of the project, and the `host:port` endpoints programs are given.
//!
//! On a network of the project a container resolves, for each other container on that
//! network: its service name, its `container_name`, its `hostname` (moby PR #39204 registers a
//! hostname that differs from the container name as an alias) and the `aliases` it has on that
//! network. `links` and `external_links` add names only the linking container resolves, and
//! `extra_hosts` names in its own `/etc/hosts`. A service without `networks` is on the
//! project's `default` network; one with a `network_mode` is on none of them (`service:x`
//! shares `x`'s network stack, so its `localhost` is `x`'s). Names are compared without case,
//! as DNS compares them.

use crate::compose::{ComposeFile, Origin, Service};

/// What a host name reaches from a service.
#[derive(Clone, Debug)]
pub enum Reach<'a> {
    /// A service of the project, and the name or alias that reached it.
    Service { service: &'a Service, by: NameKind },
    /// The container itself (`localhost`, `127.0.0.1`, `::1`).
    Loopback,
    /// Outside the project: an IP address, a domain name, `host.docker.internal`, a name of
    /// the service's `extra_hosts`.
    External,
    /// A service of the project answers to the name, but on no network the asking service is
    /// on.
    OtherNetwork(&'a Service),
    /// No service of the project answers to the name, and the asking service is on no network
    /// that other projects share: nothing resolves it.
    Nowhere,
    /// Cannot be told from the project: the asking service has a `network_mode`, is on a
    /// network other projects share, or the name reaches a service whose network is another's.
    Unknown,
}

/// How a service answers to a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    ServiceName,
    ContainerName,
    Hostname,
    Alias,
    Link,
}

impl NameKind {
    pub fn describe(self) -> &'static str {
        match self {
            NameKind::ServiceName => "service name",
            NameKind::ContainerName => "`container_name`",
            NameKind::Hostname => "`hostname`",
            NameKind::Alias => "network alias",
            NameKind::Link => "link alias",
        }
    }
}

/// Host names Docker resolves to the host itself on Docker Desktop (and with
/// `host-gateway`).
const HOST_NAMES: &[&str] = &[
    "host.docker.internal",
    "gateway.docker.internal",
    "host.containers.internal",
];

/// Whether a host is a loopback name or address.
pub fn is_loopback(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    h == "localhost"
        || h.ends_with(".localhost")
        || h == "::1"
        || h == "0.0.0.0"
        || h.parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether a host is an IP address (v4, or v6 with or without brackets).
pub fn is_ip(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.parse::<std::net::IpAddr>().is_ok()
}

/// The names a service answers to on network `net`, with how.
fn names_on<'a>(s: &'a Service, net: &str) -> Vec<(&'a str, NameKind)> {
    let mut out = vec![(s.name.value.as_str(), NameKind::ServiceName)];
    if let Some(c) = &s.container_name {
        out.push((c.value.as_str(), NameKind::ContainerName));
    }
    if let Some(h) = &s.net.hostname {
        out.push((h.value.as_str(), NameKind::Hostname));
    }
    if let Some(nets) = &s.net.networks {
        for a in nets.iter().filter(|a| a.name.value == net) {
            out.extend(
                a.aliases
                    .iter()
                    .map(|t| (t.value.as_str(), NameKind::Alias)),
            );
        }
    }
    out
}

/// A service answering to a name: on network `on` (by its name, `container_name`, `hostname`
/// or an alias there), or, with `on` `None`, by its name or `container_name` while it has a
/// `network_mode`.
#[derive(Debug)]
struct Answer {
    service: usize,
    on: Option<String>,
    by: NameKind,
}

/// Who answers to each name (lowercased) in `file`, in the order of its services and of
/// their networks; made once per file within a check.
fn names(file: &ComposeFile) -> std::rc::Rc<std::collections::HashMap<String, Vec<Answer>>> {
    let key = (
        std::ptr::from_ref(file) as usize,
        file.services.as_ptr() as usize,
        file.services.len(),
    );
    crate::fix::memo::once("network names", key, || {
        let mut names: std::collections::HashMap<String, Vec<Answer>> = Default::default();
        for (i, s) in file.services.iter().enumerate() {
            for net in s.net.network_names() {
                for (name, by) in names_on(s, net) {
                    names
                        .entry(name.to_ascii_lowercase())
                        .or_default()
                        .push(Answer {
                            service: i,
                            on: Some(net.to_string()),
                            by,
                        });
                }
            }
            if s.net.network_mode.is_some() {
                let container = s
                    .container_name
                    .as_ref()
                    .map(|c| c.value.to_ascii_lowercase());
                let name = s.name.value.to_ascii_lowercase();
                if container.as_ref().is_some_and(|c| *c != name) {
                    let c = container.unwrap_or_default();
                    names.entry(c).or_default().push(Answer {
                        service: i,
                        on: None,
                        by: NameKind::ContainerName,
                    });
                }
                names.entry(name).or_default().push(Answer {
                    service: i,
                    on: None,
                    by: NameKind::ServiceName,
                });
            }
        }
        std::rc::Rc::new(names)
    })
}

/// The service a `network_mode: service:<name>` refers to.
pub fn network_mode_service(s: &Service) -> Option<&str> {
    s.net
        .network_mode
        .as_ref()
        .and_then(|m| m.value.strip_prefix("service:"))
}

/// What `host` reaches from service `from` of `file`.
pub fn reach<'a>(file: &'a ComposeFile, from: &Service, host: &str) -> Reach<'a> {
    let h = host.trim().to_ascii_lowercase();
    if h.is_empty() {
        return Reach::Unknown;
    }
    if let Some(shared) = network_mode_service(from) {
        // Its network stack is another service's: `localhost` is that service.
        return match file.services.iter().find(|s| s.name.value == shared) {
            Some(s) if is_loopback(&h) => Reach::Service {
                service: s,
                by: NameKind::ServiceName,
            },
            _ => Reach::Unknown,
        };
    }
    if from.net.network_mode.is_some() {
        return Reach::Unknown;
    }
    if is_loopback(&h) {
        return Reach::Loopback;
    }
    if from
        .net
        .extra_host_names()
        .iter()
        .any(|n| n.eq_ignore_ascii_case(&h))
    {
        return Reach::External;
    }
    let mine = from.net.network_names();
    let mut elsewhere = None;
    // The other services answering to the name, in the project's order.
    for answer in names(file).get(&h).into_iter().flatten() {
        let s = &file.services[answer.service];
        if std::ptr::eq(s, from) {
            continue;
        }
        match &answer.on {
            Some(net) if mine.contains(&net.as_str()) => {
                return Reach::Service {
                    service: s,
                    by: answer.by,
                };
            }
            Some(_) => {
                elsewhere.get_or_insert(s);
            }
            // With a `network_mode` it is on no network of the project: what its name reaches
            // depends on that mode.
            None => return Reach::Unknown,
        }
    }
    // `links: [etcd:db]` lets this service resolve `db` (and `etcd`).
    for link in &from.net.links {
        let mut parts = link.value.splitn(2, ':');
        let target = parts.next().unwrap_or("");
        let alias = parts.next().unwrap_or(target);
        if target.eq_ignore_ascii_case(&h) || alias.eq_ignore_ascii_case(&h) {
            return match file.services.iter().find(|s| s.name.value == target) {
                Some(s) => Reach::Service {
                    service: s,
                    by: NameKind::Link,
                },
                // `external_links`: a container of another project.
                None => Reach::External,
            };
        }
    }
    if let Some(s) = elsewhere {
        return Reach::OtherNetwork(s);
    }
    if is_ip(&h) || h.contains('.') || HOST_NAMES.contains(&h.as_str()) {
        return Reach::External;
    }
    if mine
        .iter()
        .any(|n| file.shared_networks.iter().any(|x| x == n))
    {
        return Reach::Unknown;
    }
    Reach::Nowhere
}

/// One `host:port` endpoint, as written in a setting (`etcd:2379`, `http://etcd:2379`,
/// `[::1]:2379`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub scheme: Option<String>,
    pub host: String,
    pub port: Option<u16>,
    /// Whether a port was written but is not a number.
    pub bad_port: bool,
}

impl Endpoint {
    pub fn parse(s: &str) -> Option<Endpoint> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let (scheme, rest) = match s.split_once("://") {
            Some((sc, r)) => (Some(sc.to_ascii_lowercase()), r),
            None => (None, s),
        };
        let rest = rest.split('/').next().unwrap_or("");
        let (host, port) = if let Some(r) = rest.strip_prefix('[') {
            let (h, after) = r.split_once(']')?;
            (h.to_string(), after.strip_prefix(':'))
        } else if rest.matches(':').count() > 1 {
            // A bare IPv6 address.
            (rest.to_string(), None)
        } else {
            match rest.split_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (rest.to_string(), None),
            }
        };
        if host.is_empty() {
            return None;
        }
        let (port, bad_port) = match port {
            None => (None, false),
            Some(p) => match p.parse::<u16>() {
                Ok(n) => (Some(n), false),
                Err(_) => (None, true),
            },
        };
        Some(Endpoint {
            scheme,
            host,
            port,
            bad_port,
        })
    }

    /// A comma-separated list (Milvus's `etcd.endpoints`, etcd's `--listen-client-urls`).
    pub fn parse_list(s: &str) -> Vec<Endpoint> {
        s.split(',').filter_map(Endpoint::parse).collect()
    }
}

/// An address a server listens on inside its container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listener {
    /// The address bound: empty or `0.0.0.0` / `::` for every interface.
    pub host: String,
    pub port: u16,
}

impl Listener {
    /// Whether other containers can connect to it: bound to every interface, or to an address
    /// that is not a loopback one.
    pub fn reachable_from_other_containers(&self) -> bool {
        let h = self.host.trim_start_matches('[').trim_end_matches(']');
        h.is_empty() || h == "0.0.0.0" || h == "::" || !is_loopback(h)
    }
}

/// Where a server's listening addresses were decided, for messages.
#[derive(Clone, Debug)]
pub struct Listening {
    pub listeners: Vec<Listener>,
    /// Where the setting that decided them is written (`--listen-client-urls`,
    /// `MINIO_ADDRESS`), `None` for a default.
    pub origin: Option<Origin>,
    /// The setting, for messages: ``` `--address :9001` ```, or the default it is.
    pub what: String,
}

impl Listening {
    /// The ports other containers can connect to.
    pub fn ports(&self) -> Vec<u16> {
        let mut p: Vec<u16> = self
            .listeners
            .iter()
            .filter(|l| l.reachable_from_other_containers())
            .map(|l| l.port)
            .collect();
        p.sort_unstable();
        p.dedup();
        p
    }

    /// Listeners from a comma-separated list of URLs (`http://0.0.0.0:2379,http://[::]:2379`);
    /// `unix://` sockets and URLs without a port are left out.
    pub fn from_urls(value: &str) -> Vec<Listener> {
        Endpoint::parse_list(value)
            .into_iter()
            .filter(|e| !e.scheme.as_deref().is_some_and(|s| s.starts_with("unix")))
            .filter_map(|e| {
                Some(Listener {
                    host: e.host,
                    port: e.port?,
                })
            })
            .collect()
    }

    /// A listener from a Go `host:port` address (`:9000`, `0.0.0.0:9000`, `[::]:9000`).
    pub fn from_address(value: &str) -> Option<Listener> {
        let v = value.trim();
        let (host, port) = v.rsplit_once(':')?;
        Some(Listener {
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
            port: port.parse().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::{Env, FileId};
    use crate::yaml::{Limits, parse};

    fn model(text: &str) -> ComposeFile {
        let tree = parse(text, &Limits::default()).unwrap();
        let root = tree.documents[0].root.unwrap();
        ComposeFile::from_document(&tree, text, FileId(0), root, &Env::default())
    }

    fn reached(file: &ComposeFile, from: &str, host: &str) -> String {
        let s = file.services.iter().find(|s| s.name.value == from).unwrap();
        match reach(file, s, host) {
            Reach::Service { service, by } => format!("{} by {:?}", service.name.value, by),
            Reach::Loopback => "loopback".into(),
            Reach::External => "external".into(),
            Reach::OtherNetwork(s) => format!("other network {}", s.name.value),
            Reach::Nowhere => "nowhere".into(),
            Reach::Unknown => "unknown".into(),
        }
    }

    #[test]
    fn names_a_service_answers_to() {
        let f = model(
            r#"services:
  milvus:
    image: milvusdb/milvus:v2.5.14
    links: ["minio:objects"]
    extra_hosts: ["etcd-host:10.0.0.5"]
  etcd:
    image: quay.io/coreos/etcd:v3.5.18
    container_name: milvus-etcd
    hostname: etcd-1
    networks:
      default:
        aliases: [meta]
      back:
        aliases: [hidden]
  minio:
    image: minio/minio
  isolated:
    image: minio/minio
    networks: [back]
  sidecar:
    image: busybox
    network_mode: "service:etcd"
  hosted:
    image: busybox
    network_mode: host
networks:
  back:
"#,
        );
        let r = |h: &str| reached(&f, "milvus", h);
        assert_eq!(r("etcd"), "etcd by ServiceName");
        assert_eq!(r("ETCD"), "etcd by ServiceName");
        assert_eq!(r("milvus-etcd"), "etcd by ContainerName");
        assert_eq!(r("etcd-1"), "etcd by Hostname");
        assert_eq!(r("meta"), "etcd by Alias");
        // An alias on a network milvus is not on.
        assert_eq!(r("hidden"), "other network etcd");
        assert_eq!(r("isolated"), "other network isolated");
        assert_eq!(r("objects"), "minio by Link");
        assert_eq!(r("etcd-host"), "external");
        assert_eq!(r("localhost"), "loopback");
        assert_eq!(r("127.0.0.1"), "loopback");
        assert_eq!(r("10.1.2.3"), "external");
        assert_eq!(r("s3.amazonaws.com"), "external");
        assert_eq!(r("host.docker.internal"), "external");
        assert_eq!(r("etdc"), "nowhere");
        assert_eq!(r("hosted"), "unknown");
        // From a service sharing etcd's network stack, localhost is etcd.
        assert_eq!(reached(&f, "sidecar", "localhost"), "etcd by ServiceName");
        assert_eq!(reached(&f, "hosted", "etcd"), "unknown");
    }

    #[test]
    fn a_shared_network_leaves_unknown_names_open() {
        let f = model(
            r#"services:
  milvus:
    image: milvusdb/milvus:v2.5.14
    networks: [shared]
networks:
  shared:
    external: true
"#,
        );
        assert_eq!(reached(&f, "milvus", "etcd"), "unknown");
    }

    #[test]
    fn endpoints() {
        let e = |s: &str| Endpoint::parse(s).map(|e| (e.scheme, e.host, e.port, e.bad_port));
        assert_eq!(
            e("etcd:2379"),
            Some((None, "etcd".into(), Some(2379), false))
        );
        assert_eq!(
            e("http://etcd:2379/"),
            Some((Some("http".into()), "etcd".into(), Some(2379), false))
        );
        assert_eq!(e("minio"), Some((None, "minio".into(), None, false)));
        assert_eq!(
            e("[::1]:2379"),
            Some((None, "::1".into(), Some(2379), false))
        );
        assert_eq!(e("etcd:port"), Some((None, "etcd".into(), None, true)));
        assert_eq!(e(""), None);
        assert_eq!(Endpoint::parse_list("a:1, b:2,").len(), 2);
        assert!(is_loopback("localhost") && is_loopback("127.0.0.2") && !is_loopback("etcd"));
    }

    fn etcd_ports(text: &str) -> Option<(Vec<u16>, String)> {
        let f = model(text);
        let e = crate::stack::etcd::Etcd::detect(&f.services[0]).unwrap();
        e.client_listening().map(|l| (l.ports(), l.what))
    }

    #[test]
    fn where_etcd_listens_for_clients() {
        // etcd's own default: loopback only, no port other containers reach.
        let (ports, what) = etcd_ports(
            "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    command: etcd --data-dir /etcd\n",
        )
        .unwrap();
        assert!(ports.is_empty());
        assert!(what.contains("default"), "{what}");
        let p = |t: &str| etcd_ports(t).map(|(p, _)| p);
        assert_eq!(
            p(
                "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    command: etcd -listen-client-urls http://0.0.0.0:2379\n"
            ),
            Some(vec![2379])
        );
        assert_eq!(
            p(
                "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    command: etcd\n    environment:\n      ETCD_LISTEN_CLIENT_URLS: http://0.0.0.0:12379,http://127.0.0.1:2379\n"
            ),
            Some(vec![12379])
        );
        // bitnami (and milvusdb/etcd) export 0.0.0.0:2379 unless told otherwise.
        assert_eq!(
            p("services:\n  etcd:\n    image: milvusdb/etcd:3.5.5-r2\n"),
            Some(vec![2379])
        );
        assert_eq!(
            p(
                "services:\n  etcd:\n    image: bitnami/etcd:3.5.18\n    environment:\n      ETCD_LISTEN_CLIENT_URLS: http://0.0.0.0:3379\n"
            ),
            Some(vec![3379])
        );
        // A config file decides: nothing can be said.
        assert_eq!(
            p(
                "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    command: etcd --config-file /etc/etcd.yaml\n"
            ),
            None
        );
    }

    type Creds = Option<(String, String, String)>;

    fn minio_of(text: &str) -> (Option<Vec<u16>>, Creds) {
        let f = model(text);
        let m = crate::stack::minio::Minio::detect(&f.services[0]).unwrap();
        (
            m.api_listening().map(|l| l.ports()),
            m.root_credentials().map(|c| {
                (
                    c.user.value,
                    c.password.value,
                    format!("{}/{}", c.user.name, c.password.name),
                )
            }),
        )
    }

    #[test]
    fn minio_port_and_credentials() {
        let (ports, creds) = minio_of(
            "services:\n  minio:\n    image: minio/minio\n    command: minio server /data --console-address :9001\n",
        );
        assert_eq!(ports, Some(vec![9000]));
        assert_eq!(
            creds,
            Some((
                "minioadmin".into(),
                "minioadmin".into(),
                "MINIO_ROOT_USER/MINIO_ROOT_PASSWORD".into()
            ))
        );
        // The flag, anywhere among the paths, beats MINIO_ADDRESS; the deprecated names
        // count when the current ones are not set.
        let (ports, creds) = minio_of(
            "services:\n  minio:\n    image: minio/minio\n    command: server /data --address=:9100\n    environment:\n      MINIO_ADDRESS: ':9200'\n      MINIO_ACCESS_KEY: old\n      MINIO_SECRET_KEY: oldsecret\n      MINIO_ROOT_PASSWORD: ''\n",
        );
        assert_eq!(ports, Some(vec![9100]));
        assert_eq!(
            creds,
            Some((
                "old".into(),
                "oldsecret".into(),
                "MINIO_ACCESS_KEY/MINIO_SECRET_KEY".into()
            ))
        );
        let (ports, creds) = minio_of(
            "services:\n  minio:\n    image: minio/minio\n    command: server /data\n    environment:\n      MINIO_ADDRESS: 127.0.0.1:9000\n      MINIO_ROOT_USER: admin\n      MINIO_ACCESS_KEY: ignored\n",
        );
        assert_eq!(ports, Some(vec![]));
        assert_eq!(creds.unwrap().0, "admin");
        // bitnami's scripts: their own names and defaults; the deprecated names are not read.
        let (ports, creds) = minio_of(
            "services:\n  minio:\n    image: bitnami/minio:2024.5.1\n    environment:\n      MINIO_API_PORT_NUMBER: '9900'\n      MINIO_ACCESS_KEY: ignored\n",
        );
        assert_eq!(ports, Some(vec![9900]));
        assert_eq!(
            creds,
            Some((
                "minio".into(),
                "miniosecret".into(),
                "MINIO_ROOT_USER/MINIO_ROOT_PASSWORD".into()
            ))
        );
        // A Docker secret, or a value from the shell: unknown.
        let (_, creds) = minio_of(
            "services:\n  minio:\n    image: minio/minio\n    command: server /data\n    environment:\n      MINIO_ROOT_USER_FILE: user\n",
        );
        assert!(creds.is_none());
        let (_, creds) = minio_of(
            "services:\n  minio:\n    image: minio/minio\n    command: server /data\n    environment:\n      - MINIO_ROOT_USER\n",
        );
        assert!(creds.is_none());
    }
}
