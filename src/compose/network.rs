//! How a service is attached to networks, and the names it answers to or resolves there:
//! `hostname`, `networks` (with `aliases`), `network_mode`, `links`, `external_links` and
//! `extra_hosts`, merged as Docker Compose merges them (network by network, aliases, links and
//! extra hosts as unions; checked with `docker compose config` v2.40.3).

use super::{Cx, Field, MergeTag, Text};
use crate::yaml::NodeId;

/// One network a service is attached to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// The network's key under the top-level `networks` (`default` for the project's own).
    pub name: Text,
    /// `aliases` on that network.
    pub aliases: Vec<Text>,
}

/// A service's networking, as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Networking {
    /// Boxed, as `network_mode`: rarely written, and a service keeps the room for each.
    pub hostname: Option<Box<Text>>,
    /// `network_mode` (`host`, `none`, `bridge`, `service:<name>`, `container:<name>`).
    pub network_mode: Option<Box<Text>>,
    /// `networks`, when written; a service without it is on the project's `default` network.
    pub networks: Option<Vec<Attachment>>,
    /// `links` and `external_links` entries (`service`, `service:alias`).
    pub links: Vec<Text>,
    /// The `links` entries alone: they name services of the project, which Compose starts
    /// first (and refuses the project when there is no such service).
    pub service_links: Vec<Text>,
    /// `extra_hosts` entries (`name:ip`, `name=ip`, or the mapping's keys).
    pub extra_hosts: Vec<Text>,
    /// The namespaces shared with another container, a service or the host (`ipc`, `pid`,
    /// `uts`), by key: `service:<name>` shares a service's.
    pub namespaces: Vec<(&'static str, Text)>,
    /// `extra_hosts` entries compose-go refuses as it reads the merged project
    /// (`types/hostList.go`), with its words for each.
    pub refused_hosts: Vec<(Text, String)>,
}

/// Why compose-go v2.9.1 refuses an `extra_hosts` entry, in its words: a list entry is cut at
/// its first `=`, else its first `:` ("missing IP" when it has neither); the host name (a
/// mapping's key) must not be empty nor hold `:` or `=` ("bad host name").
pub fn host_fault(entry: &str, key: bool) -> Option<String> {
    let host = if key {
        entry
    } else {
        match entry.split_once('=').or_else(|| entry.split_once(':')) {
            Some((host, _)) => host,
            None => return Some(format!("invalid additional host, missing IP: {entry}")),
        }
    };
    (host.is_empty() || host.contains([':', '='])).then(|| format!("bad host name '{host}'"))
}

impl Networking {
    /// The service each `links` entry names (`service` or `service:alias`), with the entry.
    pub fn linked_services(&self) -> impl Iterator<Item = (&str, &Text)> {
        self.service_links.iter().map(|t| {
            let parts: Vec<&str> = t.value.split(':').collect();
            let name = if parts.len() == 2 { parts[0] } else { &t.value };
            (name, t)
        })
    }

    /// The service `network_mode: service:<name>` shares the network stack of.
    pub fn network_mode_service(&self) -> Option<(&str, &Text)> {
        let t = self.network_mode.as_ref()?;
        Some((t.value.strip_prefix("service:")?, t))
    }

    /// The services whose namespaces it shares (`ipc: service:<name>`, and likewise `pid`,
    /// `uts`): compose-go v2.9.1 makes each a dependency (`normalize`), and refuses
    /// the project when there is no such service.
    pub fn namespace_services(&self) -> impl Iterator<Item = (&'static str, &str, &Text)> {
        self.namespaces
            .iter()
            .filter_map(|(k, t)| Some((*k, t.value.strip_prefix("service:")?, t)))
    }

    /// Whether the service brings in the project's implicit `default` network: it has no
    /// `network_mode` (not even an empty one, which still keeps Compose from attaching it),
    /// and its `networks` are not written, are empty, or name `default` (compose-go v2.9.1
    /// `normalizeNetworks`).
    pub fn uses_default_network(&self) -> bool {
        self.network_mode.is_none()
            && self
                .networks
                .as_ref()
                .is_none_or(|n| n.is_empty() || n.iter().any(|a| a.name.value == "default"))
    }

    /// The networks the service is on, by key: the written ones, else `default`. Empty with a
    /// `network_mode`, which attaches it to no network of the project.
    pub fn network_names(&self) -> Vec<&str> {
        if self.network_mode.is_some() {
            return Vec::new();
        }
        match &self.networks {
            Some(n) => n.iter().map(|a| a.name.value.as_str()).collect(),
            None => vec!["default"],
        }
    }

    /// The names `extra_hosts` gives hosts in the service's own `/etc/hosts`.
    pub fn extra_host_names(&self) -> Vec<&str> {
        self.extra_hosts
            .iter()
            .filter_map(|t| {
                let v = t.value.trim();
                let name = match v.split_once('=') {
                    Some((n, _)) => n,
                    None => v.split_once(':').map_or(v, |(n, _)| n),
                };
                (!name.is_empty()).then_some(name)
            })
            .collect()
    }

    /// The names `links` and `external_links` let the service itself resolve: the linked
    /// service or container, and the alias after `:`.
    pub fn link_names(&self) -> Vec<&str> {
        self.links
            .iter()
            .flat_map(|t| t.value.split(':'))
            .filter(|n| !n.is_empty())
            .collect()
    }
}

impl Cx<'_> {
    /// The entries of an `extra_hosts` (a service's or a build's) that compose-go refuses,
    /// with its words for each.
    pub(super) fn refused_hosts(&self, node: Option<NodeId>) -> Vec<(Text, String)> {
        let tree = self.tree;
        let Some(n) = node else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if let Some(items) = tree.items(n) {
            for t in items.iter().filter_map(|&i| self.text(i)) {
                if let Some(why) = host_fault(&t.value, false) {
                    out.push((t, why));
                }
            }
        } else if let Some(entries) = tree.entries(n) {
            for t in entries.iter().filter_map(|e| self.literal(e.key)) {
                if let Some(why) = host_fault(&t.value, true) {
                    out.push((t, why));
                }
            }
        }
        out
    }

    /// The networking attributes of a service mapping.
    pub(super) fn networking(&self, node: NodeId) -> Networking {
        let tree = self.tree;
        let read = |k: &str| self.field(node, k);
        let get = |k: &str| tree.get(node, k);
        let list = |k: &str| -> Vec<Text> {
            self.under(read(k), || {
                let Some(n) = get(k) else { return Vec::new() };
                if let Some(items) = tree.items(n) {
                    items.iter().filter_map(|&i| self.text(i)).collect()
                } else if let Some(entries) = tree.entries(n) {
                    // `extra_hosts` as a mapping: `name: ip`.
                    entries.iter().filter_map(|e| self.literal(e.key)).collect()
                } else {
                    Vec::new()
                }
            })
        };
        let networks = get("networks").map(|n| {
            self.under(read("networks"), || {
                if let Some(items) = tree.items(n) {
                    items
                        .iter()
                        .filter_map(|&i| self.text(i))
                        .map(|name| Attachment {
                            name,
                            aliases: Vec::new(),
                        })
                        .collect()
                } else {
                    tree.entries(n)
                        .unwrap_or(&[])
                        .iter()
                        .filter_map(|e| {
                            let name = self.literal(e.key)?;
                            let aliases = tree
                                .get(e.value, "aliases")
                                .and_then(|a| tree.items(a))
                                .unwrap_or(&[])
                                .iter()
                                .filter_map(|&a| self.text(a))
                                .collect();
                            Some(Attachment { name, aliases })
                        })
                        .collect()
                }
            })
        });
        let refused_hosts = self.under(read("extra_hosts"), || {
            self.refused_hosts(get("extra_hosts"))
        });
        let service_links = list("links");
        let mut links = service_links.clone();
        links.extend(list("external_links"));
        Networking {
            hostname: self.under(read("hostname"), || {
                get("hostname").and_then(|n| self.text(n)).map(Box::new)
            }),
            network_mode: self.under(read("network_mode"), || {
                get("network_mode").and_then(|n| self.text(n)).map(Box::new)
            }),
            networks,
            links,
            service_links,
            extra_hosts: list("extra_hosts"),
            namespaces: NAMESPACES
                .iter()
                .filter_map(|&k| {
                    let t = self.under(read(k), || get(k).and_then(|n| self.text(n)))?;
                    Some((k, t))
                })
                .collect(),
            refused_hosts,
        }
    }
}

/// The keys that may share a namespace of another service (`cgroup` is `host` or `private`).
const NAMESPACES: [&str; 3] = ["ipc", "pid", "uts"];

/// The networks of the top-level `networks` that other projects can share: `external`, or
/// given a fixed `name`.
pub(super) fn shared_networks(cx: &Cx<'_>, root: NodeId) -> Vec<String> {
    let tree = cx.tree;
    let Some(entries) = tree.get(root, "networks").and_then(|n| tree.entries(n)) else {
        return Vec::new();
    };
    entries
        .iter()
        .filter(|e| {
            tree.get(e.value, "external")
                .is_some_and(|n| tree.is_mapping(n) || tree.scalar(n).is_some_and(|s| s == "true"))
                || tree.get(e.value, "name").is_some()
        })
        .filter_map(|e| tree.scalar(e.key).map(str::to_string))
        .collect()
}

/// `o`'s networking (a later file or definition) merged onto `b`'s; `fields` are `o`'s
/// attributes, for `!reset` and `!override`.
pub(super) fn merge(b: Networking, o: Networking, fields: &[(String, Field)]) -> Networking {
    let tag = |name: &str| {
        fields
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .and_then(|(_, f)| f.tag)
    };
    let replaced = |name: &str| matches!(tag(name), Some(MergeTag::Reset | MergeTag::Override));
    let reset = |name: &str| tag(name) == Some(MergeTag::Reset);
    let union = |b: Vec<Text>, o: Vec<Text>, key: &str| {
        let mut out = if replaced(key) { Vec::new() } else { b };
        for x in o {
            if !out.iter().any(|y| y.value == x.value) {
                out.push(x);
            }
        }
        out
    };
    let networks = match (b.networks, o.networks) {
        (_, Some(o)) if replaced("networks") => Some(o),
        (Some(mut b), Some(o)) => {
            for a in o {
                match b.iter_mut().find(|x| x.name.value == a.name.value) {
                    Some(x) => {
                        let old = std::mem::take(&mut x.aliases);
                        x.aliases = union(old, a.aliases, "");
                    }
                    None => b.push(a),
                }
            }
            Some(b)
        }
        (b, o) => {
            if reset("networks") {
                o
            } else {
                o.or(b)
            }
        }
    };
    Networking {
        hostname: o
            .hostname
            .or(if reset("hostname") { None } else { b.hostname }),
        network_mode: o.network_mode.or(if reset("network_mode") {
            None
        } else {
            b.network_mode
        }),
        networks,
        links: union(b.links, o.links, "links"),
        service_links: union(b.service_links, o.service_links, "links"),
        extra_hosts: union(b.extra_hosts, o.extra_hosts, "extra_hosts"),
        namespaces: NAMESPACES
            .iter()
            .filter_map(|&k| {
                let find = |v: &[(&'static str, Text)]| {
                    v.iter().find(|(n, _)| *n == k).map(|(_, t)| t.clone())
                };
                let t = find(&o.namespaces)
                    .or_else(|| if reset(k) { None } else { find(&b.namespaces) })?;
                Some((k, t))
            })
            .collect(),
        refused_hosts: if replaced("extra_hosts") {
            o.refused_hosts
        } else {
            [b.refused_hosts, o.refused_hosts].concat()
        },
    }
}

#[cfg(test)]
mod tests {
    /// Entries as compose-go v2.40.3 reads them (each probed with `docker compose config`).
    #[test]
    fn host_faults() {
        for ok in [
            "somehost:",
            "somehost=",
            "host=::1",
            "h:[::1]",
            "h:::1",
            "h:1.2.3.4",
        ] {
            assert_eq!(super::host_fault(ok, false), None, "{ok}");
        }
        assert_eq!(super::host_fault("a", true), None);
        let missing = |e: &str| format!("invalid additional host, missing IP: {e}");
        assert_eq!(
            super::host_fault("somehost", false),
            Some(missing("somehost"))
        );
        assert_eq!(super::host_fault("", false), Some(missing("")));
        let bad = |h: &str| Some(format!("bad host name '{h}'"));
        assert_eq!(super::host_fault("=1.2.3.4", false), bad(""));
        assert_eq!(super::host_fault("a:b=c", false), bad("a:b"));
        assert_eq!(super::host_fault("a:b", true), bad("a:b"));
        assert_eq!(super::host_fault("", true), bad(""));
    }

    use crate::compose::{ComposeFile, Env, FileId, merge::merge};
    use crate::yaml::{Limits, parse};

    fn model(text: &str, id: u32) -> ComposeFile {
        let tree = parse(text, &Limits::default()).unwrap();
        let root = tree.documents[0].root.unwrap();
        ComposeFile::from_document(&tree, text, FileId(id), root, &Env::default())
    }

    /// As `docker compose config` v2.40.3 merges them: aliases of one network are a union,
    /// the other attributes the later file's.
    #[test]
    fn networking_merges_as_compose_does() {
        let base = model(
            "services:\n  a:\n    image: x\n    hostname: ahost\n    networks:\n      n1:\n        aliases: [a1, a2]\n      n2:\n    links: ['b:bee']\n    extra_hosts: ['h1:10.0.0.1']\n  b:\n    image: y\n    networks: [n1]\n  c:\n    image: z\n    network_mode: 'service:a'\nnetworks:\n  n1:\n  n2:\n    external: true\n",
            0,
        );
        let over = model(
            "services:\n  a:\n    hostname: other\n    networks:\n      n1:\n        aliases: [a3, a1]\n    extra_hosts:\n      h2: 10.0.0.2\n",
            1,
        );
        let m = merge(base, over);
        let a = &m.services[0].net;
        assert_eq!(a.hostname.as_ref().unwrap().value, "other");
        let nets = a.networks.as_ref().unwrap();
        let aliases: Vec<&str> = nets[0].aliases.iter().map(|t| t.value.as_str()).collect();
        assert_eq!(aliases, ["a1", "a2", "a3"]);
        assert_eq!(a.network_names(), ["n1", "n2"]);
        assert_eq!(a.extra_host_names(), ["h1", "h2"]);
        assert_eq!(a.link_names(), ["b", "bee"]);
        assert_eq!(m.services[1].net.network_names(), ["n1"]);
        assert!(m.services[2].net.network_names().is_empty());
        assert_eq!(m.shared_networks, ["n2"]);
    }
}
