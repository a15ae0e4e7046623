//! The stack as roles: what each service of a project is (etcd, MinIO, a Milvus role, a
//! message queue), recognised once, with its image's version and contents.

use super::etcd::{Etcd, Flavor};
use super::images::{self, Availability, Contents, ImageKind};
use super::invocations;
use super::minio::{self, Minio};
use super::version::ImageVersion;
use crate::compose::{ComposeFile, Service};
use std::collections::HashMap;

/// What Milvus runs as: `milvus run <role>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MilvusRole {
    Standalone,
    Proxy,
    MixCoord,
    RootCoord,
    DataCoord,
    QueryCoord,
    IndexCoord,
    DataNode,
    QueryNode,
    IndexNode,
    StreamingNode,
    /// `milvus run mixture ...` (several coordinators in one process, old cluster files).
    Mixture,
    /// A Milvus image whose command the file does not show, or an unknown role.
    Unknown,
}

const MILVUS_ROLES: &[(&str, MilvusRole)] = &[
    ("standalone", MilvusRole::Standalone),
    ("proxy", MilvusRole::Proxy),
    ("mixcoord", MilvusRole::MixCoord),
    ("rootcoord", MilvusRole::RootCoord),
    ("datacoord", MilvusRole::DataCoord),
    ("querycoord", MilvusRole::QueryCoord),
    ("indexcoord", MilvusRole::IndexCoord),
    ("datanode", MilvusRole::DataNode),
    ("querynode", MilvusRole::QueryNode),
    ("indexnode", MilvusRole::IndexNode),
    ("streamingnode", MilvusRole::StreamingNode),
    ("mixture", MilvusRole::Mixture),
];

impl MilvusRole {
    pub fn name(self) -> &'static str {
        MILVUS_ROLES
            .iter()
            .find(|(_, r)| *r == self)
            .map_or("unknown", |(n, _)| n)
    }
}

/// A message queue a Milvus stack uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Queue {
    Pulsar,
    Kafka,
    /// ZooKeeper, for Kafka (or a Pulsar cluster).
    ZooKeeper,
}

const QUEUE_IMAGES: &[(&str, Queue)] = &[
    ("apachepulsar/pulsar", Queue::Pulsar),
    ("apachepulsar/pulsar-all", Queue::Pulsar),
    ("streamnative/pulsar", Queue::Pulsar),
    ("bitnami/kafka", Queue::Kafka),
    ("bitnamilegacy/kafka", Queue::Kafka),
    ("apache/kafka", Queue::Kafka),
    ("confluentinc/cp-kafka", Queue::Kafka),
    ("wurstmeister/kafka", Queue::Kafka),
    ("zookeeper", Queue::ZooKeeper),
    ("bitnami/zookeeper", Queue::ZooKeeper),
    ("bitnamilegacy/zookeeper", Queue::ZooKeeper),
    ("confluentinc/cp-zookeeper", Queue::ZooKeeper),
    ("wurstmeister/zookeeper", Queue::ZooKeeper),
];

/// What a service is in a Milvus stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Etcd(Flavor),
    /// The object store: MinIO (official or bitnami), or RustFS in its place.
    Minio(minio::Flavor),
    Milvus(MilvusRole),
    Queue(Queue),
}

impl Role {
    /// A short name for messages: `etcd`, `MinIO`, `Milvus standalone`, `Pulsar`.
    pub fn describe(self) -> String {
        match self {
            Role::Etcd(_) => "etcd".into(),
            Role::Minio(f) => f.product().into(),
            Role::Milvus(MilvusRole::Unknown) => "Milvus".into(),
            Role::Milvus(r) => format!("Milvus {}", r.name()),
            Role::Queue(Queue::Pulsar) => "Pulsar".into(),
            Role::Queue(Queue::Kafka) => "Kafka".into(),
            Role::Queue(Queue::ZooKeeper) => "ZooKeeper".into(),
        }
    }
}

/// One service of the stack, with what it is.
#[derive(Clone, Debug)]
pub struct Member<'a> {
    pub service: &'a Service,
    pub role: Role,
    /// The known image it runs, if any.
    pub image: Option<ImageKind>,
    pub version: ImageVersion,
}

impl<'a> Member<'a> {
    /// What the service is, if it is part of a Milvus stack.
    pub fn recognise(service: &'a Service) -> Option<Member<'a>> {
        Self::recognise_with(
            service,
            Etcd::detect(service).map(|e| e.flavor),
            Minio::detect(service).map(|m| m.flavor),
        )
    }

    /// [`Member::recognise`], with what [`Etcd::detect`] and [`Minio::detect`] said of the
    /// service already.
    fn recognise_with(
        service: &'a Service,
        etcd: Option<Flavor>,
        minio: Option<minio::Flavor>,
    ) -> Option<Member<'a>> {
        let image = service.image_ref().and_then(ImageKind::of);
        let version = service
            .image_ref()
            .map_or(ImageVersion::Unknown, ImageVersion::of);
        let role = if let Some(flavor) = etcd {
            Role::Etcd(flavor)
        } else if let Some(flavor) = minio {
            Role::Minio(flavor)
        } else if let Some(r) = milvus_role(service, image) {
            Role::Milvus(r)
        } else if let Some(q) = service
            .image_ref()
            .and_then(|i| QUEUE_IMAGES.iter().find(|(n, _)| i.is(n)).map(|&(_, q)| q))
        {
            Role::Queue(q)
        } else {
            return None;
        };
        Some(Member {
            service,
            role,
            image,
            version,
        })
    }

    /// Whether the service keeps state a Milvus stack cannot lose: etcd, MinIO, a standalone
    /// Milvus (its write-ahead log) and the message queues. Cluster Milvus roles keep nothing
    /// locally.
    pub fn is_stateful(&self) -> bool {
        match self.role {
            Role::Etcd(_) | Role::Minio { .. } | Role::Queue(_) => true,
            Role::Milvus(r) => r == MilvusRole::Standalone,
        }
    }

    /// Which Milvus role the service runs, if it runs Milvus.
    pub fn milvus_role(&self) -> Option<MilvusRole> {
        match self.role {
            Role::Milvus(r) => Some(r),
            _ => None,
        }
    }

    pub fn is_etcd(&self) -> bool {
        matches!(self.role, Role::Etcd(_))
    }

    /// Whether the service is the stack's object store (MinIO, or RustFS in its place).
    pub fn is_minio(&self) -> bool {
        matches!(self.role, Role::Minio(_))
    }

    /// Whether the service runs MinIO itself (official or bitnami), not another S3 store.
    pub fn is_minio_proper(&self) -> bool {
        matches!(
            self.role,
            Role::Minio(minio::Flavor::Official | minio::Flavor::Bitnami)
        )
    }

    pub fn is_milvus(&self) -> bool {
        matches!(self.role, Role::Milvus(_))
    }

    /// What the image holds, when it is one milvet knows.
    pub fn contents(&self) -> Option<Contents> {
        let kind = self.image?;
        Some(Contents {
            kind,
            row: images::row(kind, &self.version),
        })
    }

    /// Whether the image has `program` (`sh`, `curl`, `wget`, `mc`, `etcdctl`) on the
    /// service's `platform`.
    pub fn has(&self, program: &str) -> Availability {
        self.contents().map_or(Availability::Unknown, |c| {
            c.has(
                program,
                self.service.platform.as_ref().map(|p| p.value.as_str()),
            )
        })
    }

    /// Whether the image has `/bin/sh`.
    pub fn has_shell(&self) -> Availability {
        self.has("sh")
    }

    /// The directory the container starts in: the service's `working_dir`, else the image's.
    pub fn working_dir(&self) -> Option<String> {
        if let Some(w) = &self.service.working_dir {
            return Some(w.value.clone());
        }
        self.contents()
            .and_then(|c| c.workdir())
            .map(str::to_string)
    }
}

/// The Milvus role a service runs: `milvus run <role>` in its command, or a Milvus image.
fn milvus_role(service: &Service, image: Option<ImageKind>) -> Option<MilvusRole> {
    for inv in invocations(service) {
        if inv.program() == Some("milvus") && inv.args.get(1).is_some_and(|a| a.value == "run") {
            let role = inv.args.get(2).map_or(MilvusRole::Unknown, |a| {
                MILVUS_ROLES
                    .iter()
                    .find(|(n, _)| *n == a.value)
                    .map_or(MilvusRole::Unknown, |&(_, r)| r)
            });
            return Some(role);
        }
    }
    (image == Some(ImageKind::Milvus)).then_some(MilvusRole::Unknown)
}

/// Every service of a project that is part of its Milvus stack.
#[derive(Clone, Debug, Default)]
pub struct Stack<'a> {
    pub members: Vec<Member<'a>>,
    /// Made on the first question that needs it, so that each question is a lookup rather
    /// than a scan of every member, however many services the file has.
    index: std::cell::OnceCell<Index<'a>>,
}

/// The members by the names that find them.
#[derive(Clone, Debug, Default)]
struct Index<'a> {
    /// The first member of each service name.
    by_name: HashMap<&'a str, usize>,
    /// The members whose service has a `depends_on` entry naming each service, in order.
    depending_on: HashMap<&'a str, Vec<usize>>,
    /// What Milvus services use: the services they depend on, and every word of their
    /// variables' values (see [`Stack::used_by_milvus`]).
    used_by_milvus: std::collections::HashSet<&'a str>,
}

impl<'a> Stack<'a> {
    pub fn of(file: &'a ComposeFile) -> Stack<'a> {
        Stack {
            members: file.services.iter().filter_map(Member::recognise).collect(),
            index: Default::default(),
        }
    }

    /// [`Stack::of`], reusing the etcd and MinIO servers already detected in the file.
    pub fn from_detected(
        file: &'a ComposeFile,
        etcd: &[Etcd<'a>],
        minio: &[Minio<'a>],
    ) -> Stack<'a> {
        // By address: one lookup per service, not a scan of every etcd and MinIO.
        let etcd: HashMap<*const Service, Flavor> = etcd
            .iter()
            .map(|e| (e.service as *const Service, e.flavor))
            .collect();
        let minio: HashMap<*const Service, minio::Flavor> = minio
            .iter()
            .map(|m| (m.service as *const Service, m.flavor))
            .collect();
        let members = file
            .services
            .iter()
            .filter_map(|s| {
                let at = s as *const Service;
                Member::recognise_with(s, etcd.get(&at).copied(), minio.get(&at).copied())
            })
            .collect();
        Stack {
            members,
            index: Default::default(),
        }
    }

    fn index(&self) -> &Index<'a> {
        self.index.get_or_init(|| {
            let mut index = Index::default();
            for (i, m) in self.members.iter().enumerate() {
                let s: &'a Service = m.service;
                index.by_name.entry(s.name.value.as_str()).or_insert(i);
                for d in &s.depends_on {
                    let list = index
                        .depending_on
                        .entry(d.service.value.as_str())
                        .or_default();
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
                if m.is_milvus() {
                    let used = &mut index.used_by_milvus;
                    used.extend(s.depends_on.iter().map(|d| d.service.value.as_str()));
                    for t in s.environment.vars.iter().filter_map(|v| v.value.as_ref()) {
                        used.extend(
                            t.value.split(|c: char| {
                                !(c.is_ascii_alphanumeric() || c == '-' || c == '_')
                            }),
                        );
                    }
                }
            }
            index
        })
    }

    /// The members whose service depends on service `name` (any condition), in order.
    pub fn depending_on(&self, name: &str) -> impl Iterator<Item = &Member<'a>> {
        let at = self.index().depending_on.get(name);
        at.into_iter().flatten().map(|&i| &self.members[i])
    }

    /// Whether the project runs Milvus.
    pub fn has_milvus(&self) -> bool {
        self.members.iter().any(Member::is_milvus)
    }

    /// Whether a Milvus service of the stack uses `member`: it depends on it, or names it in a
    /// variable's value (`PULSAR_ADDRESS: pulsar://pulsar:6650`, `KAFKA_BROKER_LIST: kafka:9092`).
    /// A Kafka or ZooKeeper that only sits in the same file is not part of the Milvus stack.
    pub fn used_by_milvus(&self, member: &Member<'_>) -> bool {
        let name = member.service.name.value.as_str();
        self.index().used_by_milvus.contains(name)
    }

    /// The member for a service name.
    pub fn get(&self, service: &str) -> Option<&Member<'a>> {
        let at = self.index().by_name.get(service)?;
        Some(&self.members[*at])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::{ComposeFile, Env, FileId};
    use crate::yaml::{Limits, parse};

    #[test]
    fn every_service_gets_its_role() {
        let text = r#"services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.5
    command: etcd --data-dir /etcd
  bitnami:
    image: docker.io/bitnami/etcd:3.5.18-debian-12-r3
  fork:
    image: milvusdb/etcd:3.5.5-r2
  minio:
    image: minio/minio:RELEASE.2024-05-28T17-19-04Z
    command: minio server /data
    platform: linux/arm64
  standalone:
    image: milvusdb/milvus:v2.5.14
    command: ["milvus", "run", "standalone"]
  proxy:
    image: milvusdb/milvus:v2.5.14
    command: ["milvus", "run", "proxy"]
  sn:
    image: milvusdb/milvus:v2.6.0
    command: milvus run streamingnode
  bare:
    image: milvusdb/milvus:latest
  pulsar:
    image: apachepulsar/pulsar:2.8.2
  kafka:
    image: bitnami/kafka:3.1.0
  zk:
    image: zookeeper:3.7
  attu:
    image: zilliz/attu:v2.4
"#;
        let tree = parse(text, &Limits::default()).unwrap();
        let root = tree.documents[0].root.unwrap();
        let file = ComposeFile::from_document(&tree, text, FileId(0), root, &Env::default());
        let stack = Stack::of(&file);
        let role = |n: &str| stack.get(n).map(|m| m.role);
        assert_eq!(role("etcd"), Some(Role::Etcd(Flavor::Official)));
        assert_eq!(role("bitnami"), Some(Role::Etcd(Flavor::Bitnami)));
        assert_eq!(role("fork"), Some(Role::Etcd(Flavor::Bitnami)));
        assert_eq!(role("minio"), Some(Role::Minio(minio::Flavor::Official)));
        assert_eq!(
            role("standalone"),
            Some(Role::Milvus(MilvusRole::Standalone))
        );
        assert_eq!(role("proxy"), Some(Role::Milvus(MilvusRole::Proxy)));
        assert_eq!(role("sn"), Some(Role::Milvus(MilvusRole::StreamingNode)));
        assert_eq!(role("bare"), Some(Role::Milvus(MilvusRole::Unknown)));
        assert_eq!(role("pulsar"), Some(Role::Queue(Queue::Pulsar)));
        assert_eq!(role("kafka"), Some(Role::Queue(Queue::Kafka)));
        assert_eq!(role("zk"), Some(Role::Queue(Queue::ZooKeeper)));
        assert_eq!(role("attu"), None);
        assert!(stack.has_milvus());

        let m = |n: &str| stack.get(n).unwrap();
        assert!(m("etcd").is_stateful() && m("standalone").is_stateful());
        assert!(!m("proxy").is_stateful());
        assert_eq!(m("etcd").has_shell(), Availability::Yes);
        assert_eq!(m("etcd").working_dir().as_deref(), Some("/"));
        assert_eq!(m("fork").has("curl"), Availability::No);
        // The service's `platform` decides.
        assert_eq!(m("minio").has("curl"), Availability::No);
        assert_eq!(m("minio").has("mc"), Availability::Yes);
        assert_eq!(m("standalone").has("curl"), Availability::Yes);
        assert_eq!(m("standalone").working_dir().as_deref(), Some("/milvus"));
        assert_eq!(m("pulsar").has("sh"), Availability::Unknown);
        assert!(matches!(m("bitnami").version, ImageVersion::Tagged(_)));
    }
}
