//! The Compose model: services and what they declare, every value with the place it was written.
//!
//! [`ComposeFile::from_document`] reads one YAML document of the span tree. Rules never look at
//! YAML shapes: they read [`Service`]s, whose environment, command, mounts and so on are already
//! normalised from every form Compose accepts (list or mapping environment, string or list
//! command, short or long volume syntax, `tmpfs`, list or mapping `depends_on`). Values written
//! with `${...}` keep their raw text; the model resolves them with their defaults
//! ([`interp_defaults`]) so that `${DOCKER_VOLUME_DIRECTORY:-.}/volumes/etcd` is understood as
//! the host path `./volumes/etcd`.

pub mod build;
pub mod dotenv;
pub mod env;
pub mod image;
pub mod interpolate;
pub mod merge;
pub mod network;
pub mod number;
pub mod shell;
pub mod sizing;
pub mod volume;

use crate::source::Span;
use crate::yaml::{self, CollectionStyle, NodeId, NodeKind, Tree};
pub use env::{Env, Var, VarOrigin};
pub use image::ImageRef;
use interpolate::{InterpolationError, RefOp};
use std::cell::{Cell, RefCell};
use std::sync::Arc;

/// Identifies a file among those of one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A YAML file as later stages see it: its text and span tree, indexed by [`FileId`].
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub text: &'a str,
    pub tree: &'a Tree,
    /// The path as shown to the user.
    pub path: &'a std::path::Path,
}

/// A place in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    pub file: FileId,
    pub span: Span,
}

/// A variable a value reads, and how it resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarUse {
    pub name: String,
    /// Where the reference (`${NAME:-x}`) is written.
    pub reference: Origin,
    /// The variable's value and where it was set; `None` when it is not set.
    pub var: Option<Var>,
    /// Whether the reference's default or alternative gave the value instead.
    pub used_operand: bool,
    pub op: RefOp,
}

/// The alias or `<<` merge through which a value reached the place that uses it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Via {
    /// The alias (`*name`) or the node under `<<` in the using mapping.
    pub at: Origin,
    /// The anchor's name, when the value came through an alias.
    pub anchor: Option<String>,
}

/// A scalar value of the model, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    /// The value as Compose will use it, interpolated with the project's variables.
    pub value: String,
    /// The value as written, after YAML quoting is removed.
    pub raw: String,
    pub origin: Origin,
    /// The YAML node the value belongs to.
    pub node: NodeId,
    /// The variables the value reads.
    pub vars: Vec<VarUse>,
    /// When the value is written in an anchor and used through an alias or a merge: the use
    /// (boxed: most values have none, and a `Text` is in every value of the model).
    pub via: Option<Box<Via>>,
}

impl Text {
    /// The scalar at `node` of a Compose file (`tree` and `text`, file `file`) as the model
    /// reads a value: interpolated with `env`, with where each variable was read.
    pub fn read(tree: &Tree, text: &str, file: FileId, node: NodeId, env: &Env) -> Option<Text> {
        let cx = Cx {
            tree,
            text,
            file,
            env,
            problems: RefCell::new(Vec::new()),
            via: Cell::new(None),
        };
        cx.text(node)
    }

    /// The variable set in a file that decided the value, if one did.
    pub fn deciding_var(&self) -> Option<(&VarUse, Origin)> {
        self.vars.iter().find_map(|v| match &v.var {
            Some(Var {
                origin: VarOrigin::File(o),
                ..
            }) if !v.used_operand => Some((v, *o)),
            _ => None,
        })
    }

    /// Where a finding about this value points: the line of a `.env` or env file that set the
    /// variable deciding it, else the use site of an alias or merge it came through, else where
    /// it is written.
    pub fn place(&self) -> Origin {
        if let Some((_, o)) = self.deciding_var() {
            return o;
        }
        self.via.as_ref().map_or(self.origin, |v| v.at)
    }

    /// The other places that explain the value: the reference that read a variable set
    /// elsewhere, the anchor's definition for a value used through an alias.
    pub fn explain(&self) -> Vec<(Origin, String)> {
        let mut out = Vec::new();
        if let Some((v, _)) = self.deciding_var() {
            out.push((
                v.reference,
                format!("`{}` read here, as `{}`", v.name, self.raw),
            ));
        }
        if let Some(via) = &self.via {
            let label = match &via.anchor {
                Some(a) => format!("written here, in anchor `&{a}`"),
                None => "written here, merged with `<<`".to_string(),
            };
            if self.deciding_var().is_some() {
                out.push((via.at, "used here".into()));
            } else {
                out.push((self.origin, label));
            }
        }
        out
    }

    /// How the value was arrived at, when it is not the literal text: `` (written
    /// `${MODE:-x}`, `MODE` set in `.env`)``, for messages. `paths` names files by id.
    pub fn provenance(&self, paths: &dyn Fn(FileId) -> String) -> Option<String> {
        if self.vars.is_empty() {
            return None;
        }
        let parts: Vec<String> = self
            .vars
            .iter()
            .map(|v| match (&v.var, v.used_operand) {
                (_, true) if v.var.is_none() => format!("`{}` not set, so its default", v.name),
                (_, true) => format!("`{}` set, so the alternative", v.name),
                (
                    Some(Var {
                        origin: VarOrigin::Shell,
                        ..
                    }),
                    _,
                ) => {
                    format!("`{}` set in the shell", v.name)
                }
                (
                    Some(Var {
                        origin: VarOrigin::File(o),
                        ..
                    }),
                    _,
                ) => {
                    format!("`{}` set in `{}`", v.name, paths(o.file))
                }
                (None, _) => format!("`{}` not set", v.name),
            })
            .collect();
        Some(format!("written `{}`: {}", self.raw, parts.join(", ")))
    }
}

/// One argument of a command, with the place of each of its bytes when it is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    pub value: String,
    pub origin: Origin,
    /// Source offset of each byte of `value`, when the scalar's quoting could be followed.
    offsets: Option<Vec<usize>>,
    /// The YAML scalar the argument is written in.
    pub node: NodeId,
    /// The variables the argument reads.
    pub vars: Vec<VarUse>,
    /// When the argument is written in an anchor and used through an alias or a merge (boxed,
    /// as in [`Text`]: most have none).
    pub via: Option<Box<Via>>,
}

impl Arg {
    pub fn from_parts(
        value: String,
        origin: Origin,
        node: NodeId,
        offsets: Option<Vec<usize>>,
    ) -> Arg {
        let offsets = offsets.filter(|o| o.len() == value.len() + 1);
        Arg {
            value,
            origin,
            offsets,
            node,
            vars: Vec::new(),
            via: None,
        }
    }

    /// Source offset of each byte of the value, and one past its end, when known.
    pub fn offsets(&self) -> Option<&[usize]> {
        self.offsets.as_deref()
    }

    /// Whether the argument is written exactly as its value (no quotes or escapes inside), so
    /// that replacing its span replaces the value.
    pub fn is_verbatim(&self, text: &str) -> bool {
        self.origin.span.slice(text) == self.value
    }

    /// Where `value[range]` is written; the whole argument when the offsets are unknown.
    pub fn sub_origin(&self, range: std::ops::Range<usize>) -> Origin {
        let mapped = self
            .offsets
            .as_deref()
            .and_then(|o| shell::mapped_range(&self.value, o, range));
        match mapped {
            Some(r) => Origin {
                file: self.origin.file,
                span: Span::new(r.start, r.end),
            },
            None => self.origin,
        }
    }
}

/// How a service attribute reaches the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sharing {
    /// Written in the service itself.
    Own,
    /// Written in the service as an alias (`environment: *env`): the alias node.
    Alias(NodeId),
    /// Brought in by a `<<` merge of the service: the node written under `<<`.
    Merged(NodeId),
    /// Inherited with `extends` from another service.
    Extended,
}

/// Where a service attribute (`environment`, `volumes`, `command`, ...) is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// The file it is written in.
    pub file: FileId,
    /// The key.
    pub key: NodeId,
    /// The value as written under the key (an alias stays an alias).
    pub value: NodeId,
    pub sharing: Sharing,
    /// A Compose merge tag on the value (`!reset`, `!override`).
    pub tag: Option<MergeTag>,
}

/// How an attribute of an override file combines with the one it overrides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeTag {
    /// `!reset`: the attribute is removed.
    Reset,
    /// `!override`: the attribute replaces the other instead of merging with it.
    Override,
}

impl MergeTag {
    /// The merge tag of a node (its own tag, not through an alias).
    pub fn of(tree: &Tree, node: NodeId) -> Option<Self> {
        match tree.tag(node) {
            Some("!reset") => Some(MergeTag::Reset),
            Some("!override") => Some(MergeTag::Override),
            _ => None,
        }
    }
}

impl Field {
    /// Whether the attribute is written in the service itself, not shared with others.
    pub fn is_own(&self) -> bool {
        self.sharing == Sharing::Own
    }
}

/// `command` or `entrypoint`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    pub form: CommandForm,
    pub args: Vec<Arg>,
    pub origin: Origin,
    pub node: NodeId,
    pub field: Field,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommandForm {
    /// A string, split as a shell would.
    String,
    /// A list of arguments.
    List,
}

/// How the `environment` of a service is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvForm {
    /// No `environment` key.
    Absent,
    /// `environment:` with nothing (null).
    Empty,
    /// `- KEY=VALUE` items.
    List(CollectionStyle),
    /// `KEY: VALUE` entries.
    Map(CollectionStyle),
}

/// One environment variable of a service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvVar {
    pub name: Text,
    /// `None` for a bare `KEY` (list) or `KEY:` with a null value (mapping): Compose takes the
    /// value from the shell, or leaves the variable unset.
    pub value: Option<Text>,
    /// The list item or the mapping entry (key to value).
    pub entry: Origin,
    /// Whether the variable came through a `<<` merge inside the environment mapping.
    pub merged: bool,
    /// Whether it comes from an `env_file` rather than `environment`.
    pub from_env_file: bool,
    /// Whether it is an item of an `environment` list (`KEY=value`, `KEY`), whose name
    /// compose-go takes as written up to the `=`, spaces included.
    pub listed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Environment {
    pub form: EnvForm,
    /// The `environment` value node, if any.
    pub node: Option<NodeId>,
    /// Where the `environment` key is written, if any.
    pub key: Option<Origin>,
    pub vars: Vec<EnvVar>,
    /// How the `environment` key reaches the service, if it has one.
    pub field: Option<Field>,
}

impl Environment {
    /// The last definition of a variable (a later one wins in Compose).
    pub fn get(&self, name: &str) -> Option<&EnvVar> {
        self.vars.iter().rev().find(|v| v.name.value == name)
    }

    /// The value of a variable, if it is set to one in the file. An empty value counts as unset
    /// for programs that ignore empty settings; see [`EnvVar::value`].
    pub fn value(&self, name: &str) -> Option<&Text> {
        self.get(name).and_then(|v| v.value.as_ref())
    }
}

/// What backs a mount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MountKind {
    /// A host directory.
    Bind,
    /// A named volume.
    Volume,
    /// A volume without a name: a new, empty one for every new container.
    Anonymous,
    /// Memory.
    Tmpfs,
    /// `npipe`, `cluster`, `image` or a type Compose may add later.
    Other,
}

/// A mount of a service, from `volumes` (short or long syntax) or `tmpfs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    pub kind: MountKind,
    pub source: Option<Text>,
    pub target: Text,
    pub read_only: bool,
    /// The whole item.
    pub origin: Origin,
    /// The item's node (a scalar for the short syntax, a mapping for the long one).
    pub node: NodeId,
    /// Whether it was written under `tmpfs:` rather than `volumes:`.
    pub from_tmpfs_key: bool,
    /// Whether it is written in the long syntax (a mapping), whose target Compose merges by
    /// as written, where a short one's is cleaned first (`/etcd/` is `/etcd`).
    pub long: bool,
    /// Whether the long syntax writes a `source` key (an empty one counts; `source` is
    /// `None` then): compose-go refuses a bind without one. Always true for the short syntax.
    pub source_key: bool,
    /// The service it is written in, when it reaches this one through `volumes_from`.
    pub from_service: Option<String>,
}

impl Mount {
    /// The target a later entry for the same target replaces this one by: the short
    /// syntax's cleaned (`/etcd/` is `/etcd`), the long syntax's as written (compose-go
    /// v2.9.1 cleans a short target when it makes it canonical, a long one only at the end).
    pub fn merge_key(&self) -> String {
        if self.long {
            self.target.value.clone()
        } else {
            normalize_path(&self.target.value)
        }
    }
}

/// A published port of a service, from `ports` (short or long syntax), read after
/// interpolation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    /// The host address it is bound to, if written (`127.0.0.1`, `::1`, `0.0.0.0`; IPv6
    /// without brackets).
    pub host_ip: Option<String>,
    /// The host port or range, if written (`9091`, `9000-9001`); `None` lets Docker choose one.
    pub published: Option<String>,
    /// The container port or range (`9091`, `9000-9001`).
    pub target: String,
    /// The short-syntax item (`"9091:9091"`); `None` for the long syntax.
    pub short: Option<Text>,
    /// The long-syntax item as written (a mapping, or an alias of one); `None` for the short
    /// syntax.
    pub long: Option<NodeId>,
    /// The long syntax's `host_ip` value, where written.
    pub host_ip_text: Option<Text>,
    /// The whole item.
    pub origin: Origin,
}

impl Port {
    /// Whether the port is reachable on every interface of the host (no `host_ip`, or
    /// `0.0.0.0` / `::`).
    pub fn on_all_interfaces(&self) -> bool {
        matches!(self.host_ip.as_deref(), None | Some("" | "0.0.0.0" | "::"))
    }

    /// Whether the container port (or range) includes `port`.
    pub fn targets(&self, port: u16) -> bool {
        let (lo, hi) = self
            .target
            .split_once('-')
            .unwrap_or((&self.target, &self.target));
        matches!((lo.trim().parse::<u16>(), hi.trim().parse::<u16>()), (Ok(l), Ok(h)) if l <= port && port <= h)
    }

    /// Why Docker refuses a short-syntax port spec, in its words; `None` when it is one.
    /// This is go-connections v0.6.0's `nat.ParsePortSpec` (which Docker Compose v2.40.3
    /// uses), then compose-go v2.9.1's check that a container port is set (not 0).
    pub fn spec_error(spec: &str) -> Option<String> {
        let parts: Vec<&str> = spec.split(':').collect();
        let n = parts.len();
        let (ip, host, container) = match n {
            1 => (String::new(), "", parts[0]),
            2 => (String::new(), parts[0], parts[1]),
            _ => (parts[..n - 2].join(":"), parts[n - 2], parts[n - 1]),
        };
        let (container, proto) = container.split_once('/').unwrap_or((container, ""));
        let proto = if container.is_empty() {
            String::new()
        } else if proto.is_empty() {
            "tcp".to_string()
        } else {
            proto.to_ascii_lowercase()
        };
        if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
            return Some(format!("invalid proto: {proto}"));
        }
        let mut ip = ip.as_str();
        if ip.starts_with('[') {
            match ip.strip_prefix('[').and_then(|i| i.strip_suffix(']')) {
                Some(inner) if !inner.contains(['[', ']']) => ip = inner,
                _ => return Some(format!("invalid IP address {ip}")),
            }
        }
        if !ip.is_empty() && !is_go_ip(ip) {
            return Some(format!("invalid IP address: {ip}"));
        }
        let Some((start, end)) = port_range(container) else {
            return Some(format!("invalid containerPort: {container}"));
        };
        if !host.is_empty() {
            let Some((hs, he)) = port_range(host) else {
                return Some(format!("invalid hostPort: {host}"));
            };
            if end - start != he - hs && end != start {
                return Some(format!(
                    "invalid ranges specified for container and host Ports: {container} and \
                     {host}"
                ));
            }
        }
        (start == 0).then(|| "missing a target port".to_string())
    }

    /// Parse a short-syntax port, `[[HOST_IP:]PUBLISHED:]TARGET[/PROTOCOL]`, as Docker's
    /// port-spec parser splits it (the last part is the target, the one before it the host
    /// port, everything before that the address).
    pub fn parse_short(spec: &str) -> Option<(Option<String>, Option<String>, String)> {
        let spec = spec.trim();
        let spec = spec.split_once('/').map_or(spec, |(p, _)| p);
        let parts: Vec<&str> = spec.split(':').collect();
        let n = parts.len();
        let target = parts[n - 1].to_string();
        if target.is_empty() {
            return None;
        }
        let unbracket = |s: &str| s.trim_start_matches('[').trim_end_matches(']').to_string();
        Some(match n {
            1 => (None, None, target),
            2 => (
                None,
                Some(parts[0].to_string()).filter(|s| !s.is_empty()),
                target,
            ),
            _ => (
                Some(unbracket(&parts[..n - 2].join(":"))),
                Some(parts[n - 2].to_string()).filter(|s| !s.is_empty()),
                target,
            ),
        })
    }
}

/// A port or range as go-connections' `nat.ParsePortRange` reads it (`9000`, `9000-9001`:
/// decimal 16-bit numbers, the end not below the start; a third `-` part is ignored).
fn port_range(s: &str) -> Option<(u16, u16)> {
    let num = |p: &str| {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse::<u16>().ok()
    };
    match s.split_once('-') {
        None => num(s).map(|p| (p, p)),
        Some((a, rest)) => {
            let b = rest.split('-').next().unwrap_or("");
            let (a, b) = (num(a)?, num(b)?);
            (b >= a).then_some((a, b))
        }
    }
}

/// Whether Go's `net.ParseIP` reads `s` as an address: IPv4 in dotted decimal (no leading
/// zeros), or IPv6 (without a zone).
pub fn is_go_ip(s: &str) -> bool {
    if s.contains(':') {
        return s.parse::<std::net::Ipv6Addr>().is_ok();
    }
    let octets: Vec<&str> = s.split('.').collect();
    octets.len() == 4
        && octets.iter().all(|o| {
            !o.is_empty()
                && o.len() <= 3
                && o.bytes().all(|b| b.is_ascii_digit())
                && (o.len() == 1 || !o.starts_with('0'))
                && o.parse::<u8>().is_ok()
        })
}

/// A top-level `secrets` or `configs` entry: where its content comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentDecl {
    /// [`Resource::Secret`] or [`Resource::Config`].
    pub kind: Resource,
    /// The entry's key (of the first file that declares it).
    pub name: Text,
    /// The source attributes written (`file`, `environment`, `content`), in the order first
    /// written: the key, and its value once interpolated (`None` when null).
    pub sources: Vec<(Text, Option<Text>)>,
    /// `external`, when written: whether it is `true` (or the old `external: {name: ...}`).
    pub external: Option<bool>,
    /// Whether a `driver` is written.
    pub driver: bool,
}

impl ContentDecl {
    /// The source attributes a declaration of `kind` takes, as compose-go v2.9.1 lists them.
    pub fn source_keys(kind: Resource) -> &'static [&'static str] {
        match kind {
            Resource::Config => &["file", "environment", "content"],
            _ => &["file", "environment"],
        }
    }

    /// The value of the source attribute `key`, when written.
    pub fn source(&self, key: &str) -> Option<&(Text, Option<Text>)> {
        self.sources.iter().find(|(k, _)| k.value == key)
    }

    /// This declaration merged with a later one of the same name (attribute by attribute, the
    /// later value winning).
    pub(crate) fn merged(mut self, later: ContentDecl) -> ContentDecl {
        for (k, v) in later.sources {
            match self.sources.iter_mut().find(|(sk, _)| sk.value == k.value) {
                Some(slot) => *slot = (k, v),
                None => self.sources.push((k, v)),
            }
        }
        self.external = later.external.or(self.external);
        self.driver |= later.driver;
        self
    }
}

/// A top-level `volumes` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeDecl {
    pub name: Text,
    pub driver: Option<Text>,
    /// `driver_opts.type`, e.g. `tmpfs` or `none`.
    pub driver_opts_type: Option<Text>,
    pub external: bool,
    /// With `external: true`, the first attribute written beside it but `name` (and `x-`
    /// extensions): Compose refuses the pair ("conflicting parameters").
    pub beside_external: Option<Text>,
}

impl VolumeDecl {
    /// A local volume whose driver options put it in memory.
    pub fn is_memory(&self) -> bool {
        self.driver_opts_type
            .as_ref()
            .is_some_and(|t| t.value == "tmpfs")
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Healthcheck {
    /// The test as a list of words (`["CMD", "curl", ...]`) or a one-item `CMD-SHELL` string.
    pub test: Vec<Text>,
    /// Whether `test` is written as a list (its first word then says how it is run).
    pub test_list: bool,
    pub disable: bool,
    pub interval: Option<Text>,
    pub timeout: Option<Text>,
    pub retries: Option<Text>,
    pub start_period: Option<Text>,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dependency {
    pub service: Text,
    /// `service_started` when only the name is given.
    pub condition: Option<Text>,
    pub required: bool,
}

/// A service's `deploy.restart_policy` (Compose v2 honours it, and it overrides `restart`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeployRestart {
    /// `none`, `on-failure` or `any` (the default when the policy is written).
    pub condition: Option<Text>,
    pub max_attempts: Option<Text>,
    /// The `restart_policy` mapping.
    pub origin: Origin,
}

/// An `env_file` entry of a service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvFileRef {
    /// The path, relative to the Compose file's directory.
    pub path: Text,
    /// `required: false` lets the file be missing.
    pub required: bool,
    /// `format: raw`: values are taken verbatim.
    pub raw: bool,
    /// `format`, when written and not `raw`: Compose reads the file with no other format but
    /// the default (an empty `format`), and refuses the project when the file exists.
    pub bad_format: Option<Text>,
}

/// A service's `extends`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extends {
    pub service: Text,
    /// The file holding it, relative to this file's directory; `None` for this file.
    pub file: Option<Text>,
    pub origin: Origin,
}

/// A top-level `include` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Include {
    pub paths: Vec<Text>,
    pub project_directory: Option<Text>,
    pub env_files: Vec<Text>,
    pub origin: Origin,
}

/// One service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    pub name: Text,
    /// The service's mapping node.
    pub node: NodeId,
    /// When the service is written as an alias of another (`two: *one`), the alias node.
    pub alias: Option<NodeId>,
    /// From the service's key to the end of its definition.
    pub origin: Origin,
    pub image: Option<(ImageRef, Text)>,
    pub environment: Environment,
    pub command: Option<Command>,
    pub entrypoint: Option<Command>,
    pub mounts: Vec<Mount>,
    /// `ports`, in the order written.
    pub ports: Vec<Port>,
    /// How the `volumes` key reaches the service, if it has one.
    pub volumes_field: Option<Field>,
    /// Boxed, as `deploy_restart` and `extends`: most services have none, and each would
    /// otherwise keep the room in every service.
    pub healthcheck: Option<Box<Healthcheck>>,
    pub restart: Option<Text>,
    /// `deploy.restart_policy`, when written.
    pub deploy_restart: Option<Box<DeployRestart>>,
    /// `scale`, `deploy.replicas` and the resource limits written in two places, when any is.
    pub sizing: Option<Box<sizing::Sizing>>,
    pub depends_on: Vec<Dependency>,
    /// `platform` (e.g. `linux/arm64`), when written (boxed, as `working_dir`: rarely written).
    pub platform: Option<Box<Text>>,
    pub container_name: Option<Text>,
    /// `volumes_from` entries as written (`service[:ro|:rw]`, `container:name[:ro|:rw]`).
    pub volumes_from: Vec<Text>,
    pub working_dir: Option<Box<Text>>,
    pub profiles: Vec<Text>,
    pub env_files: Vec<EnvFileRef>,
    /// `label_file` paths (one, or a list), relative to the Compose file's directory: each
    /// must exist.
    pub label_files: Vec<Text>,
    pub extends: Option<Box<Extends>>,
    /// The attributes written in each definition of the service, for merging: `(name, field)`.
    pub fields: Vec<(String, Field)>,
    /// The service's mapping in every file that defines it, in merge order.
    pub defs: Vec<(FileId, NodeId)>,
    /// The networks, secrets and configs it names, which the project must declare.
    pub references: Vec<(Resource, Text)>,
    /// The merge tag on the whole service (`etcd: !override`): it replaces, or removes, the
    /// service of the files before instead of merging with it.
    pub tag: Option<MergeTag>,
    /// `hostname`, `networks`, `network_mode`, `links`, `extra_hosts`.
    pub net: network::Networking,
    /// `build`, when the service has one (boxed, as `develop`: most services have none).
    pub build: Option<Box<build::Build>>,
    /// `develop`, when it has a `watch`.
    pub develop: Option<Box<build::Develop>>,
    /// The device requests (`deploy.resources.reservations.devices`, `gpus`) that set both
    /// `count` and `device_ids`, which exclude each other: the two keys.
    pub device_conflicts: Vec<(Text, Text)>,
}

/// A kind of top-level resource a service refers to by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Resource {
    Volume,
    Network,
    Secret,
    Config,
    Model,
}

impl Resource {
    /// The kinds a service names and the top level declares by name (volumes are read with
    /// the mounts).
    pub const NAMED: [Resource; 4] = [
        Resource::Network,
        Resource::Secret,
        Resource::Config,
        Resource::Model,
    ];

    /// The word Docker Compose uses for it, and its top-level key.
    pub fn word(self) -> &'static str {
        match self {
            Resource::Volume => "volume",
            Resource::Network => "network",
            Resource::Secret => "secret",
            Resource::Config => "config",
            Resource::Model => "model",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Resource::Volume => "volumes",
            Resource::Network => "networks",
            Resource::Secret => "secrets",
            Resource::Config => "configs",
            Resource::Model => "models",
        }
    }
}

impl Service {
    /// The service's mapping in `file`, if that file defines it.
    pub fn mapping_in(&self, file: FileId) -> Option<NodeId> {
        self.defs.iter().find(|(f, _)| *f == file).map(|&(_, n)| n)
    }

    pub fn image_ref(&self) -> Option<&ImageRef> {
        self.image.as_ref().map(|(r, _)| r)
    }

    /// The mount whose target is `path` or the nearest parent of it, if any.
    pub fn mount_covering(&self, path: &str) -> Option<&Mount> {
        let path = normalize_path(path);
        // The longest target wins; of equal ones, the last.
        let mut best: Option<(&Mount, usize)> = None;
        for m in &self.mounts {
            let target = normalize_path(&m.target.value);
            if path_is_under(&path, &target) && best.is_none_or(|(_, len)| target.len() >= len) {
                best = Some((m, target.len()));
            }
        }
        best.map(|(m, _)| m)
    }
}

/// Something in a file that stops `docker compose`, or a reference it cannot follow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// `${NAME:?message}` or `${NAME?message}` with the variable missing: Compose refuses
    /// to run.
    RequiredVariable {
        name: String,
        message: String,
        at: Origin,
    },
    /// A malformed `${...}`: Compose refuses the file.
    InvalidInterpolation { message: String, at: Origin },
    /// A file named by `env_file`, `extends` or `include` does not exist.
    MissingFile {
        path: String,
        what: &'static str,
        at: Origin,
    },
    /// `include`s or `extends` that lead back to where they started.
    Cycle { chain: String, at: Origin },
    /// `extends` names a service that does not exist.
    UnknownService { service: String, at: Origin },
    /// A short volume spec that is not one once interpolated (`${UNSET}:/data` is `:/data`):
    /// Compose refuses the file.
    InvalidVolumeSpec {
        spec: String,
        at: Origin,
        /// The variables it read.
        vars: Vec<VarUse>,
    },
    /// A `ports` item Docker's port-spec parser refuses once interpolated (`localhost:80:80`,
    /// `19530:${UNSET}`), or one without a container port: Compose refuses the file.
    InvalidPortSpec {
        spec: String,
        /// Compose's words for it (`invalid IP address: localhost`).
        reason: String,
        at: Origin,
        /// The variables it read.
        vars: Vec<VarUse>,
    },
    /// A service an `include`d project defines is defined by the including project too (or
    /// by another included project): Docker Compose refuses the project.
    IncludeConflict { service: String, at: Origin },
    /// A top-level volume, network, secret or config an `include`d project declares, declared
    /// otherwise by the including file (or another included project): Compose refuses it.
    IncludeResourceConflict {
        /// The top-level key: `volumes`, `networks`, `secrets` or `configs`.
        key: &'static str,
        name: String,
        /// The included declaration's name.
        at: Origin,
        /// The other declaration's name.
        first: Origin,
    },
    /// The top-level `name` that names the project (the last one written, no `-p` or
    /// `COMPOSE_PROJECT_NAME` given) is empty once interpolated and normalised (`___`,
    /// `${UNSET}`): Compose refuses the project ("project name must not be empty").
    EmptyProjectName {
        /// The name as written, or the directory's name.
        written: String,
        /// No file names the project, and `written` is the name of the project directory
        /// Compose takes instead (`___`, `部署`); `at` is then the start of the first file.
        directory: bool,
        at: Origin,
    },
    /// A top-level volume, network, secret or config whose `name` is not the (old)
    /// `external.name` beside it, once interpolated: Compose refuses the file ("volumes.v:
    /// name and external.name conflict; only use name").
    ExternalNameConflict {
        /// The top-level key: `volumes`, `networks`, `secrets` or `configs`.
        key: &'static str,
        name: String,
        /// The `name` key inside `external`.
        at: Origin,
        /// The resource's own `name` key.
        own: Origin,
    },
    /// The project's Compose files hold nothing but `version` (or nothing at all): Compose
    /// refuses it ("empty compose file").
    EmptyFile { at: Origin },
    /// A YAML document of a Compose file that holds nothing (a trailing `---`, a `~`) in a
    /// project that is not empty: Compose refuses the file ("top-level object must be a
    /// mapping").
    EmptyDocument { at: Origin },
    /// A `command` or `entrypoint` string that Compose cannot split into words once
    /// interpolated (an unterminated quote, a `(` not after `$`, a trailing backslash):
    /// Compose refuses the file ("invalid command line string").
    InvalidCommand {
        /// `command` or `entrypoint`.
        key: &'static str,
        /// The string once interpolated.
        line: String,
        at: Origin,
        /// Where in `line` splitting failed.
        offset: usize,
    },
    /// A value that passes the schema but that compose-go refuses as it reads the file into
    /// its model (a device with too many colons, a
    /// long-syntax volume without a `target`, an unknown `env_file` format): Compose refuses
    /// the file.
    Refused {
        /// What is wrong with the value, as a sentence to start the finding with.
        what: String,
        /// Compose's words for it.
        reason: String,
        /// What to write instead.
        help: &'static str,
        at: Origin,
        /// The variables that made the value, where they are read.
        related: Vec<(Origin, String)>,
    },
}

/// Report each top-level volume, network, secret or config of the document at `root` that
/// writes both `name` and `external: {name: ...}` with two values (a null one is a value of
/// its own), as compose-go v2.9.1 `transformMaybeExternal` refuses them; equal ones are
/// accepted, the resource named so.
fn external_names(cx: &Cx<'_>, root: NodeId, problems: &mut Vec<Problem>) {
    let tree = cx.tree;
    let named = |node: NodeId| {
        tree.entries(tree.resolve(node))
            .and_then(|a| a.iter().find(|a| tree.scalar(a.key) == Some("name")))
    };
    for key in ["volumes", "networks", "secrets", "configs"] {
        let Some(entries) = tree.get(root, key).and_then(|n| tree.entries(n)) else {
            continue;
        };
        for e in entries {
            let (Some(own), Some(old)) = (
                named(e.value),
                tree.get(e.value, "external").and_then(named),
            ) else {
                continue;
            };
            let value = |n: NodeId| cx.text(n).map(|t| t.value);
            if value(own.value) == value(old.value) {
                continue;
            }
            let at = |n: NodeId| Origin {
                file: cx.file,
                span: tree.span(n),
            };
            problems.push(Problem::ExternalNameConflict {
                key,
                name: tree.scalar(e.key).unwrap_or_default().to_string(),
                at: at(old.key),
                own: at(own.key),
            });
        }
    }
}

/// The root mapping of a document merged into a model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Root {
    pub file: FileId,
    pub node: NodeId,
    /// The variables its values are interpolated with: those of the project that holds the
    /// file (an included file's own, not the including project's).
    pub env: Arc<Env>,
    /// For a document of a file read only for `extends` (`file:`), not part of the project:
    /// the services extended from it. Compose interpolates the whole file (and refuses a value
    /// that does not cast there) but validates only those services, merged into the services
    /// extending them.
    pub extended: Option<Vec<String>>,
}

impl Root {
    /// Whether the document is one of the project's (not read only for `extends`).
    pub fn in_project(&self) -> bool {
        self.extended.is_none()
    }
}

/// One Compose document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComposeFile {
    pub file: FileId,
    pub root: NodeId,
    pub services: Vec<Service>,
    pub volumes: Vec<VolumeDecl>,
    /// Problems found while reading it.
    pub problems: Vec<Problem>,
    pub includes: Vec<Include>,
    /// The root mapping of every document merged into this model, in order, each with the
    /// variables it was read with.
    pub roots: Vec<Root>,
    /// The variables the model was interpolated with (of its first document).
    pub env: Arc<Env>,
    /// The top-level networks, secrets and configs declared.
    pub declared: Vec<(Resource, Text)>,
    /// The top-level secrets and configs, with where their content comes from.
    pub contents: Vec<ContentDecl>,
    /// The declared networks other projects can share (`external`, or a fixed `name`).
    pub shared_networks: Vec<String>,
    /// The services this model removes from the files and documents merged before it
    /// (`name: !reset`, with a value or none): compose-go drops them, and the model has no
    /// service of that name of its own.
    pub reset_services: Vec<String>,
    /// Likewise the top-level networks, secrets, configs and models it removes
    /// (`networks: {n: !reset}`).
    pub reset_declared: Vec<(Resource, String)>,
    /// The host files services bind-mount where their programs read a configuration, read
    /// as files of the project (set when the project is loaded; see [`crate::mounted`]).
    pub mounted: Vec<crate::mounted::MountedFile>,
}

impl ComposeFile {
    /// A model with nothing in it, of `file`.
    pub fn empty(file: FileId) -> ComposeFile {
        ComposeFile {
            file,
            root: NodeId::DETACHED,
            services: Vec::new(),
            volumes: Vec::new(),
            problems: Vec::new(),
            includes: Vec::new(),
            roots: Vec::new(),
            env: Arc::default(),
            declared: Vec::new(),
            contents: Vec::new(),
            shared_networks: Vec::new(),
            reset_services: Vec::new(),
            reset_declared: Vec::new(),
            mounted: Vec::new(),
        }
    }

    /// Read the Compose model of a document whose root is `root`, interpolating values with
    /// `env`. A root that is not a mapping gives an empty model.
    pub fn from_document(
        tree: &Tree,
        text: &str,
        file: FileId,
        root: NodeId,
        env: &Env,
    ) -> ComposeFile {
        Self::read_document(tree, text, file, root, &Arc::new(env.clone()))
    }

    /// [`ComposeFile::from_document`], with variables that several documents share.
    pub fn read_document(
        tree: &Tree,
        text: &str,
        file: FileId,
        root: NodeId,
        env: &Arc<Env>,
    ) -> ComposeFile {
        let cx = Cx {
            tree,
            text,
            file,
            env,
            problems: RefCell::new(Vec::new()),
            via: Cell::new(None),
        };
        let mut model = ComposeFile {
            file,
            root,
            services: Vec::new(),
            volumes: Vec::new(),
            problems: Vec::new(),
            includes: Vec::new(),
            roots: vec![Root {
                file,
                node: root,
                env: env.clone(),
                extended: None,
            }],
            env: env.clone(),
            declared: Vec::new(),
            contents: Vec::new(),
            shared_networks: Vec::new(),
            reset_services: Vec::new(),
            reset_declared: Vec::new(),
            mounted: Vec::new(),
        };
        if let Some(inc) = tree.get(root, "include") {
            model.includes = cx.includes(inc);
        }
        if let Some(services) = tree.get(root, "services")
            && let Some(entries) = tree.entries(services)
        {
            model.services.reserve_exact(entries.len());
            for e in entries {
                if tree.tag(e.value) == Some("!reset") {
                    if let Some(name) = tree.scalar(e.key) {
                        model.reset_services.push(name.to_string());
                    }
                    continue;
                }
                if let Some(s) = cx.service(e.key, e.value) {
                    model.services.push(s);
                }
            }
        }
        if let Some(vols) = tree.get(root, "volumes")
            && let Some(entries) = tree.entries(vols)
        {
            for e in entries {
                if let Some(name) = cx.text(e.key) {
                    let opt = |k: &str| tree.get(e.value, k).and_then(|n| cx.text(n));
                    let driver_opts_type = tree
                        .get(e.value, "driver_opts")
                        .and_then(|o| tree.get(o, "type"))
                        .and_then(|n| cx.text(n));
                    let external = tree.get(e.value, "external").is_some_and(|n| {
                        tree.is_mapping(n) || tree.scalar(n).is_some_and(|s| s == "true")
                    });
                    let beside_external = if external {
                        tree.entries(e.value).unwrap_or(&[]).iter().find_map(|a| {
                            let k = cx.literal(a.key)?;
                            (!matches!(k.value.as_str(), "name" | "external")
                                && !k.value.starts_with("x-"))
                            .then_some(k)
                        })
                    } else {
                        None
                    };
                    model.volumes.push(VolumeDecl {
                        name,
                        driver: opt("driver"),
                        driver_opts_type,
                        external,
                        beside_external,
                    });
                }
            }
        }
        for kind in Resource::NAMED {
            if let Some(decls) = tree.get(root, kind.key())
                && let Some(entries) = tree.entries(decls)
            {
                for e in entries {
                    if tree.tag(e.value) == Some("!reset") {
                        if let Some(name) = tree.scalar(e.key) {
                            model.reset_declared.push((kind, name.to_string()));
                        }
                        continue;
                    }
                    if let Some(name) = cx.literal(e.key) {
                        if matches!(kind, Resource::Secret | Resource::Config)
                            && tree.is_mapping(e.value)
                        {
                            model
                                .contents
                                .push(cx.content_decl(kind, name.clone(), e.value));
                        }
                        model.declared.push((kind, name));
                    }
                }
            }
        }
        model.shared_networks = network::shared_networks(&cx, root);
        let mut found = Vec::new();
        external_names(&cx, root, &mut found);
        cx.problems.borrow_mut().extend(found);
        // Compose interpolates every value of the file, not only those the model reads: a
        // malformed or required-and-missing reference anywhere stops it.
        cx.interpolate_everything(root);
        let mut problems = cx.problems.into_inner();
        let mut seen = Vec::new();
        problems.retain(|p| {
            let new = !seen.contains(p);
            if new {
                seen.push(p.clone());
            }
            new
        });
        model.problems = problems;
        model
    }

    pub fn volume(&self, name: &str) -> Option<&VolumeDecl> {
        self.volumes.iter().find(|v| v.name.value == name)
    }

    /// Whether a mount keeps its data when the container is removed: a bind mount, or a named
    /// volume that is not declared to live in memory.
    pub fn mount_persists(&self, mount: &Mount) -> bool {
        match mount.kind {
            MountKind::Bind => true,
            MountKind::Volume => !mount
                .source
                .as_ref()
                .and_then(|s| self.volume(&s.value))
                .is_some_and(VolumeDecl::is_memory),
            MountKind::Anonymous | MountKind::Tmpfs | MountKind::Other => false,
        }
    }
}

/// What keeps a path of a container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage<'a> {
    /// A bind mount or a named volume: survives restarts, recreates and `down`.
    Persistent(&'a Mount),
    /// An anonymous volume written in the file: a new, empty one after `down` and `up`.
    Anonymous(&'a Mount),
    /// A `tmpfs` mount: memory, empty after every restart.
    Tmpfs(&'a Mount),
    /// A named volume declared with `driver_opts` `type: tmpfs`: memory too.
    MemoryVolume(&'a Mount),
    /// A mount of another type (`npipe`, `cluster`, `image`).
    OtherMount(&'a Mount),
    /// Not mounted, but under a `VOLUME` the image declares: an anonymous volume Docker creates.
    ImageVolume(&'a str),
    /// Nothing: the container's writable layer, gone with the container.
    WritableLayer,
}

impl Storage<'_> {
    pub fn persists(&self) -> bool {
        matches!(self, Storage::Persistent(_))
    }
}

impl ComposeFile {
    /// What keeps `path` in `service`'s container: the nearest mount at or above it, else a
    /// `VOLUME` of the image (`image_volumes`), else the writable layer.
    pub fn storage<'a>(
        &'a self,
        service: &'a Service,
        path: &str,
        image_volumes: &[&'a str],
    ) -> Storage<'a> {
        match service.mount_covering(path) {
            Some(m) => match m.kind {
                MountKind::Bind => Storage::Persistent(m),
                MountKind::Volume if self.mount_persists(m) => Storage::Persistent(m),
                MountKind::Volume => Storage::MemoryVolume(m),
                MountKind::Anonymous => Storage::Anonymous(m),
                MountKind::Tmpfs => Storage::Tmpfs(m),
                MountKind::Other => Storage::OtherMount(m),
            },
            None => {
                let path = normalize_path(path);
                image_volumes
                    .iter()
                    .find(|v| path_is_under(&path, &normalize_path(v)))
                    .map_or(Storage::WritableLayer, |v| Storage::ImageVolume(v))
            }
        }
    }
}

/// Interpolate a value with no variable set, so that only defaults apply: what the model can
/// know without an environment. `${VAR:-default}` gives `default`, a reference without a
/// default gives the empty string, `$$` gives `$`. A value that cannot be interpolated (a
/// malformed reference, a required variable) is kept as written.
pub fn interp_defaults(raw: &str) -> String {
    if !raw.contains('$') {
        return raw.to_string();
    }
    interpolate::interpolate(raw, &|_| None).map_or_else(|_| raw.to_string(), |i| i.value)
}

/// Remove a trailing `/` and `.` segments so paths compare.
pub fn normalize_path(p: &str) -> String {
    // Most paths are written normalised already.
    let body = p.strip_prefix('/').unwrap_or(p);
    if body.is_empty() || body.split('/').all(|s| !matches!(s, "" | "." | "..")) {
        return p.to_string();
    }
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    if p.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Whether `path` is `dir` or inside it (both normalised).
pub fn path_is_under(path: &str, dir: &str) -> bool {
    dir == "/"
        || path == dir
        || (path.starts_with(dir) && path.as_bytes().get(dir.len()) == Some(&b'/'))
}

/// An interpolated value with, for each of its bytes, the range of the raw text that produced
/// it, and the references read (with their raw ranges).
struct Mapped {
    value: String,
    vars: Vec<(std::ops::Range<usize>, VarUse)>,
    map: Vec<std::ops::Range<usize>>,
}

impl Mapped {
    /// The raw range that produced `value[range]` (an empty range: the place it would be).
    fn raw_range(&self, range: std::ops::Range<usize>, raw_len: usize) -> std::ops::Range<usize> {
        if range.start >= range.end {
            let at = self.map.get(range.start).map_or(raw_len, |r| r.start);
            return at..at;
        }
        let start = self.map[range.start.min(self.map.len() - 1)].start;
        let end = self.map[(range.end - 1).min(self.map.len() - 1)].end;
        start..end.max(start)
    }

    /// The raw text between the bytes around `value[range]`: like [`Mapped::raw_range`], but
    /// also holding references that gave nothing next to it (`${UNSET}/etcd`).
    fn raw_between(&self, range: std::ops::Range<usize>, raw_len: usize) -> std::ops::Range<usize> {
        let tight = self.raw_range(range.clone(), raw_len);
        let start = match range.start {
            0 => 0,
            i => self.map.get(i - 1).map_or(tight.start, |r| r.end),
        };
        let end = self.map.get(range.end).map_or(raw_len, |r| r.start);
        if start <= tight.start && tight.end <= end {
            start..end
        } else {
            tight
        }
    }

    /// The references that overlap `raw_range`.
    fn vars_in(&self, raw_range: &std::ops::Range<usize>) -> Vec<VarUse> {
        self.vars
            .iter()
            .filter(|(r, _)| r.start < raw_range.end && raw_range.start < r.end)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Whether `raw_range` is literal text, each value byte written as itself.
    fn is_literal(&self, raw: &str, raw_range: &std::ops::Range<usize>) -> bool {
        self.vars_in(raw_range).is_empty() && !raw[raw_range.clone()].contains('$')
    }
}

/// For each byte of the interpolation of `raw` (whose top-level references are `top`, in
/// order), the raw range that produced it; `None` when the pieces do not add up.
fn value_map(
    raw: &str,
    top: &[&interpolate::VarRef],
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Option<Vec<std::ops::Range<usize>>> {
    let bytes = raw.as_bytes();
    let mut map = Vec::with_capacity(raw.len());
    let mut pos = 0;
    let literal = |from: usize, to: usize, map: &mut Vec<std::ops::Range<usize>>| {
        let mut i = from;
        while i < to {
            if bytes[i] == b'$' && i + 1 < to && bytes[i + 1] == b'$' {
                map.push(i..i + 2);
                i += 2;
            } else {
                map.push(i..i + 1);
                i += 1;
            }
        }
    };
    for r in top {
        if r.span.start < pos || r.span.end > raw.len() {
            return None;
        }
        literal(pos, r.span.start, &mut map);
        let out = interpolate::interpolate(raw.get(r.span.clone())?, lookup).ok()?;
        map.extend(std::iter::repeat_n(r.span.clone(), out.value.len()));
        pos = r.span.end;
    }
    literal(pos, raw.len(), &mut map);
    Some(map)
}

struct Cx<'a> {
    tree: &'a Tree,
    text: &'a str,
    file: FileId,
    env: &'a Env,
    problems: RefCell<Vec<Problem>>,
    /// The alias or merge through which the values being read reached the service.
    via: Cell<Option<(Span, Option<NodeId>)>>,
}

impl Cx<'_> {
    fn origin(&self, span: Span) -> Origin {
        Origin {
            file: self.file,
            span,
        }
    }

    /// Interpolate `raw` (whose bytes are written at `offsets`, when known, else somewhere in
    /// `fallback`) with the project's variables.
    fn interp(
        &self,
        raw: &str,
        offsets: Option<&[usize]>,
        fallback: Span,
    ) -> (String, Vec<VarUse>) {
        let m = self.interp_as(raw, offsets, fallback, false);
        (m.value, m.vars.into_iter().map(|(_, v)| v).collect())
    }

    /// Interpolate `raw` as [`Cx::interp`] does, keeping for each byte of the value the range
    /// of `raw` that produced it: the byte itself for literal text (both bytes of a `$$`), the
    /// whole reference for text a variable or its default gave. A value that cannot be
    /// interpolated is kept as written.
    fn interp_mapped(&self, raw: &str, offsets: Option<&[usize]>, fallback: Span) -> Mapped {
        self.interp_as(raw, offsets, fallback, true)
    }

    /// [`Cx::interp_mapped`], with the byte map left empty unless `mapped`.
    fn interp_as(
        &self,
        raw: &str,
        offsets: Option<&[usize]>,
        fallback: Span,
        mapped: bool,
    ) -> Mapped {
        let identity = |value: String| Mapped {
            map: if mapped {
                (0..value.len()).map(|i| i..i + 1).collect()
            } else {
                Vec::new()
            },
            value,
            vars: Vec::new(),
        };
        if !raw.contains('$') {
            return identity(raw.to_string());
        }
        let place = |r: &std::ops::Range<usize>| match offsets {
            Some(o) if r.end < o.len() => {
                self.origin(Span::new(o[r.start], o[r.end].max(o[r.start])))
            }
            _ => self.origin(fallback),
        };
        let lookup = |n: &str| self.env.lookup(n);
        match interpolate::interpolate(raw, &lookup) {
            Ok(i) => {
                let top: Vec<&interpolate::VarRef> =
                    i.refs.iter().filter(|r| r.depth == 0).collect();
                let vars = top
                    .iter()
                    .map(|r| {
                        (
                            r.span.clone(),
                            VarUse {
                                name: r.name.clone(),
                                reference: place(&r.span),
                                var: self.env.get(&r.name),
                                used_operand: r.used_operand,
                                op: r.op,
                            },
                        )
                    })
                    .collect();
                let map = if mapped {
                    value_map(raw, &top, &lookup)
                        .filter(|m| m.len() == i.value.len())
                        .unwrap_or_else(|| vec![0..raw.len(); i.value.len()])
                } else {
                    Vec::new()
                };
                Mapped {
                    value: i.value,
                    vars,
                    map,
                }
            }
            Err(InterpolationError::Required {
                name,
                message,
                span,
            }) => {
                self.problems.borrow_mut().push(Problem::RequiredVariable {
                    name,
                    message,
                    at: place(&span),
                });
                identity(raw.to_string())
            }
            Err(InterpolationError::Invalid { message, span }) => {
                self.problems
                    .borrow_mut()
                    .push(Problem::InvalidInterpolation {
                        message,
                        at: place(&span),
                    });
                identity(raw.to_string())
            }
        }
    }

    /// `value[range]` of an interpolated scalar `whole` as a [`Text`]: its raw text is what
    /// produced it, its place is where that is written (when the quoting can be followed), its
    /// variables are the references it came from.
    fn piece(
        &self,
        whole: &Text,
        offsets: Option<&[usize]>,
        m: &Mapped,
        range: std::ops::Range<usize>,
        between: bool,
    ) -> Text {
        let raw_range = if between {
            m.raw_between(range.clone(), whole.raw.len())
        } else {
            m.raw_range(range.clone(), whole.raw.len())
        };
        let span = match offsets {
            Some(o) if raw_range.end < o.len() => {
                Span::new(o[raw_range.start], o[raw_range.end].max(o[raw_range.start]))
            }
            _ => whole.origin.span,
        };
        Text {
            value: m.value[range].to_string(),
            raw: whole.raw[raw_range.clone()].to_string(),
            origin: self.origin(span),
            node: whole.node,
            vars: m.vars_in(&raw_range),
            via: whole.via.clone(),
        }
    }

    /// Interpolate every scalar value under `root` (keys are not interpolated; an alias is
    /// read where its anchor is written), recording the problems.
    fn interpolate_everything(&self, root: NodeId) {
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            match &self.tree.node(id).kind {
                NodeKind::Scalar { value, .. } => {
                    if value.contains('$') && !self.tree.is_null(id) {
                        let offsets = self.offsets(id);
                        self.interp(value, offsets.as_deref(), self.tree.span(id));
                    }
                }
                NodeKind::Sequence { items, .. } => stack.extend(items.iter().rev()),
                NodeKind::Mapping { entries, .. } => {
                    stack.extend(entries.iter().rev().map(|e| e.value));
                }
                NodeKind::Alias { .. } => {}
            }
        }
    }

    fn via_of(&self, id: NodeId) -> Option<Box<Via>> {
        if self.tree.is_alias(id) {
            return Some(Box::new(Via {
                at: self.origin(self.tree.span(id)),
                anchor: self.tree.alias_target_anchor(id).map(|a| a.name.clone()),
            }));
        }
        self.via.get().map(|(span, alias)| {
            Box::new(Via {
                at: self.origin(span),
                anchor: alias
                    .and_then(|a| self.tree.alias_target_anchor(a).map(|x| x.name.clone())),
            })
        })
    }

    /// Read values under `field` with the use site of the alias or merge it came through.
    fn under<T>(&self, field: Option<Field>, f: impl FnOnce() -> T) -> T {
        let before = self.via.get();
        if let Some(field) = field {
            match field.sharing {
                Sharing::Own | Sharing::Extended => {}
                Sharing::Alias(a) => self.via.set(Some((self.tree.span(a), Some(a)))),
                Sharing::Merged(v) => {
                    let alias = self.tree.is_alias(v).then_some(v);
                    self.via.set(Some((self.tree.span(v), alias)));
                }
            }
        }
        let out = f();
        self.via.set(before);
        out
    }

    /// A scalar node (through an alias) as a [`Text`]; `None` for collections and nulls.
    fn text(&self, id: NodeId) -> Option<Text> {
        if self.tree.is_null(id) {
            return None;
        }
        let raw = self.tree.scalar(id)?.to_string();
        let target = self.tree.resolve(id);
        let span = self.tree.span(target);
        let offsets = if raw.contains('$') {
            self.offsets(target)
        } else {
            None
        };
        let (value, vars) = self.interp(&raw, offsets.as_deref(), span);
        Some(Text {
            value,
            raw,
            origin: self.origin(span),
            node: target,
            vars,
            via: self.via_of(id),
        })
    }

    /// A scalar as written, not interpolated (keys, and values split before interpolation).
    /// A top-level secret or config entry (a mapping at `node`) named `name`.
    fn content_decl(&self, kind: Resource, name: Text, node: NodeId) -> ContentDecl {
        let tree = self.tree;
        let sources = tree
            .entries(node)
            .unwrap_or(&[])
            .iter()
            .filter(|e| {
                tree.scalar(e.key)
                    .is_some_and(|k| ContentDecl::source_keys(kind).contains(&k))
            })
            .filter_map(|e| Some((self.literal(e.key)?, self.text(e.value))))
            .collect();
        let external = tree
            .get(node, "external")
            .map(|n| tree.is_mapping(n) || self.text(n).is_some_and(|t| t.value == "true"));
        ContentDecl {
            kind,
            name,
            sources,
            external,
            driver: tree.get(node, "driver").is_some(),
        }
    }

    fn literal(&self, id: NodeId) -> Option<Text> {
        if self.tree.is_null(id) {
            return None;
        }
        let raw = self.tree.scalar(id)?.to_string();
        let target = self.tree.resolve(id);
        Some(Text {
            value: raw.clone(),
            raw,
            origin: self.origin(self.tree.span(target)),
            node: target,
            vars: Vec::new(),
            via: self.via_of(id),
        })
    }

    /// Source offsets of each byte of a scalar's value (and one past the end).
    fn offsets(&self, id: NodeId) -> Option<Vec<usize>> {
        let id = self.tree.resolve(id);
        let (value, style) = self.tree.scalar_with_style(id)?;
        let span = self.tree.span(id);
        let map = yaml::scalar::source_map(span.slice(self.text), style, value)?;
        Some(map.into_iter().map(|o| o + span.start).collect())
    }

    /// A part of a scalar's value as a [`Text`], spanning just that part when the quoting can
    /// be followed.
    fn part(&self, whole: &Text, offsets: Option<&[usize]>, range: std::ops::Range<usize>) -> Text {
        let raw = whole.raw[range.clone()].to_string();
        let span = match offsets {
            Some(o) => Span::new(o[range.start], o[range.end].max(o[range.start])),
            None => whole.origin.span,
        };
        let part_offsets = offsets.map(|o| &o[range.start..=range.end]);
        let (value, vars) = self.interp(&raw, part_offsets, span);
        Text {
            value,
            raw,
            origin: self.origin(span),
            node: whole.node,
            vars,
            via: whole.via.clone(),
        }
    }

    /// Where attribute `key` of a service mapping is written.
    fn field(&self, service: NodeId, key: &str) -> Option<Field> {
        let e = self.tree.entry(service, key)?;
        let sharing = match e.merged_via {
            Some(via) => Sharing::Merged(via),
            None if self.tree.is_alias(e.value) => Sharing::Alias(e.value),
            None => Sharing::Own,
        };
        let tag = MergeTag::of(self.tree, e.value);
        Some(Field {
            file: self.file,
            key: e.key,
            value: e.value,
            sharing,
            tag,
        })
    }

    fn service(&self, key: NodeId, node: NodeId) -> Option<Service> {
        let tree = self.tree;
        let name = self.literal(key)?;
        if !tree.is_mapping(node) {
            return None;
        }
        // A service written as an alias of another: all of it comes through the alias.
        let whole = tree.is_alias(node).then_some(Field {
            file: self.file,
            key,
            value: node,
            sharing: Sharing::Alias(node),
            tag: None,
        });
        self.under(whole, || self.service_under(key, node, name))
    }

    fn service_under(&self, key: NodeId, node: NodeId, name: Text) -> Option<Service> {
        let tree = self.tree;
        let get = |k: &str| tree.get(node, k);
        // Read attribute `k` with the use site of the alias or merge it came through.
        let read = |k: &str| self.field(node, k);
        let image = self.under(read("image"), || {
            get("image")
                .and_then(|n| self.text(n))
                .and_then(|t| ImageRef::parse(&t.value).map(|r| (r, t)))
        });
        let mut mounts = Vec::new();
        if let Some(v) = get("volumes") {
            self.under(read("volumes"), || {
                for &item in tree.items(v).unwrap_or(&[]) {
                    if let Some(m) = self.volume_mount(item) {
                        // Compose keeps the last entry for a target: the short syntax's target
                        // cleaned (`/etcd/` is `/etcd`), the long syntax's as written.
                        let k = m.merge_key();
                        mounts.retain(|x: &Mount| x.merge_key() != k);
                        mounts.push(m);
                    }
                }
            });
        }
        if let Some(t) = get("tmpfs") {
            let items: Vec<NodeId> = match tree.items(t) {
                Some(items) => items.to_vec(),
                None => vec![t],
            };
            self.under(read("tmpfs"), || {
                for item in items {
                    if let Some(text) = self.literal(item) {
                        let offsets = self.offsets(item);
                        let end = text.raw.find(':').unwrap_or(text.raw.len());
                        let target = self.part(&text, offsets.as_deref(), 0..end);
                        mounts.push(Mount {
                            kind: MountKind::Tmpfs,
                            source: None,
                            target,
                            read_only: false,
                            origin: text.origin,
                            node: text.node,
                            from_tmpfs_key: true,
                            source_key: false,
                            long: false,
                            from_service: None,
                        });
                    }
                }
            });
        }
        self.under(read("devices"), || self.devices(get("devices")));
        let key_span = tree.span(key);
        let end = tree.span(tree.resolve(node)).end.max(key_span.end);
        let origin_span = if tree.is_alias(node) {
            key_span.join(tree.span(node))
        } else {
            Span::new(key_span.start, end)
        };
        Some(Service {
            name,
            node: tree.resolve(node),
            alias: tree.is_alias(node).then_some(node),
            origin: self.origin(origin_span),
            image,
            environment: self.under(read("environment"), || self.environment(node)),
            command: read("command").and_then(|f| self.command(f, "command")),
            entrypoint: read("entrypoint").and_then(|f| self.command(f, "entrypoint")),
            mounts,
            ports: self.under(read("ports"), || self.ports(get("ports"))),
            device_conflicts: self.device_conflicts(node),
            volumes_field: read("volumes"),
            healthcheck: self.under(read("healthcheck"), || {
                get("healthcheck").and_then(|n| self.healthcheck(n).map(Box::new))
            }),
            restart: self.under(read("restart"), || {
                get("restart").and_then(|n| self.text(n))
            }),
            deploy_restart: self.under(read("deploy"), || {
                get("deploy").and_then(|n| self.deploy_restart(n).map(Box::new))
            }),
            sizing: self.sizing(node),
            depends_on: self.under(read("depends_on"), || {
                get("depends_on").map_or_else(Vec::new, |n| self.depends_on(n))
            }),
            platform: self.under(read("platform"), || {
                get("platform").and_then(|n| self.text(n)).map(Box::new)
            }),
            container_name: self.under(read("container_name"), || {
                get("container_name").and_then(|n| self.text(n))
            }),
            volumes_from: self.under(read("volumes_from"), || {
                get("volumes_from")
                    .and_then(|n| tree.items(n))
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|&n| self.text(n))
                    .collect()
            }),
            working_dir: self.under(read("working_dir"), || {
                get("working_dir").and_then(|n| self.text(n)).map(Box::new)
            }),
            profiles: self.under(read("profiles"), || {
                get("profiles")
                    .and_then(|n| tree.items(n))
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|&n| self.text(n))
                    .collect()
            }),
            env_files: self.under(read("env_file"), || self.env_files(get("env_file"))),
            label_files: self.under(read("label_file"), || {
                get("label_file").map_or_else(Vec::new, |n| match tree.items(n) {
                    Some(items) => items.iter().filter_map(|&i| self.text(i)).collect(),
                    None => self.text(n).into_iter().collect(),
                })
            }),
            extends: self.under(read("extends"), || {
                self.extends(get("extends")).map(Box::new)
            }),
            fields: tree
                .entries(node)
                .unwrap_or(&[])
                .iter()
                .filter_map(|e| {
                    let k = tree.scalar(e.key)?;
                    Some((k.to_string(), self.field(node, k)?))
                })
                .collect(),
            defs: vec![(self.file, tree.resolve(node))],
            references: self.references(node),
            net: self.networking(node),
            build: self.build(node).map(Box::new),
            develop: self.develop(node).map(Box::new),
            tag: MergeTag::of(tree, node),
        })
    }

    fn ports(&self, node: Option<NodeId>) -> Vec<Port> {
        let tree = self.tree;
        let Some(items) = node.and_then(|n| tree.items(n)) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for &item in items {
            if let Some(text) = self.text(item) {
                // An unquoted number reaches the parser as Go prints it (`0x50` is `80`).
                // (A boolean is `compose-schema`'s: a port is a string or a number.) A float
                // passes the schema, and compose-go refuses it as it makes the port canonical.
                let spec = self.as_read(item, text.clone()).value;
                let target = tree.resolve(item);
                if tree.node(target).tag.is_none()
                    && let Some((v, yaml::scalar::ScalarStyle::Plain)) =
                        tree.scalar_with_style(target)
                    && number::plain_is_float(v)
                {
                    self.problems.borrow_mut().push(Problem::InvalidPortSpec {
                        spec: v.to_string(),
                        reason: "invalid type float64 for port".into(),
                        at: text.origin,
                        vars: text.vars.clone(),
                    });
                    continue;
                }
                let typed = tree.node(target).tag.is_none()
                    && matches!(
                        tree.scalar_with_style(target),
                        Some((v, yaml::scalar::ScalarStyle::Plain))
                            if number::plain_value(v)
                                .is_some_and(|n| !n.bytes().all(|b| b.is_ascii_digit()))
                    );
                if let Some(reason) = Port::spec_error(&spec).filter(|_| !typed) {
                    self.problems.borrow_mut().push(Problem::InvalidPortSpec {
                        spec,
                        reason,
                        at: text.origin,
                        vars: text.vars.clone(),
                    });
                    continue;
                }
                if let Some((host_ip, published, target)) = Port::parse_short(&text.value) {
                    out.push(Port {
                        host_ip,
                        published,
                        target,
                        origin: text.origin,
                        short: Some(text),
                        long: None,
                        host_ip_text: None,
                    });
                }
            } else if tree.entries(item).is_some() {
                let value = |k: &str| {
                    tree.get(item, k)
                        .and_then(|n| self.text(n))
                        .map(|t| t.value)
                };
                let host_ip_text = tree.get(item, "host_ip").and_then(|n| self.text(n));
                let target = value("target");
                let origin = self.origin(tree.span(tree.resolve(item)));
                // compose-go refuses a long-syntax port without a container port (or 0), and
                // a `host_ip` that is not an address.
                let reason = match (&target, &host_ip_text) {
                    (None, _) => Some("missing a target port".to_string()),
                    (Some(t), _) if t.trim_start_matches('0').is_empty() => {
                        Some("missing a target port".to_string())
                    }
                    (_, Some(ip)) if !is_go_ip(&ip.value) => {
                        Some(format!("invalid ip address: {}", ip.value))
                    }
                    _ => None,
                };
                if let Some(reason) = reason {
                    let at = match (&target, &host_ip_text) {
                        (Some(_), Some(ip)) if reason.starts_with("invalid") => ip.origin,
                        _ => origin,
                    };
                    let vars = host_ip_text
                        .as_ref()
                        .map(|t| t.vars.clone())
                        .unwrap_or_default();
                    self.problems.borrow_mut().push(Problem::InvalidPortSpec {
                        spec: String::new(),
                        reason,
                        at,
                        vars,
                    });
                    continue;
                }
                let Some(target) = target else {
                    continue;
                };
                out.push(Port {
                    host_ip: host_ip_text.as_ref().map(|t| t.value.clone()),
                    published: value("published"),
                    target,
                    short: None,
                    long: Some(item),
                    host_ip_text,
                    origin,
                });
            }
        }
        out
    }

    /// The device requests of a service that set both `count` and `device_ids`.
    /// `devices` entries compose-go refuses as it reads them: a short one of more than three
    /// parts (`SOURCE[:TARGET[:PERMISSIONS]]`, "confusing device mapping"), a long one
    /// without `target` ("service device ... is missing a mount target").
    fn devices(&self, node: Option<NodeId>) {
        let tree = self.tree;
        for &item in node.and_then(|n| tree.items(n)).unwrap_or(&[]) {
            let resolved = tree.resolve(item);
            if tree.is_mapping(resolved) {
                if tree.get(resolved, "target").is_none_or(|n| tree.is_null(n)) {
                    self.problems.borrow_mut().push(Problem::Refused {
                        what: "this `devices` entry has no `target`".to_string(),
                        reason: "service device is missing a mount target".to_string(),
                        help: "give it the path in the container: `target: /dev/xyz`",
                        at: self.origin(tree.span(resolved)),
                        related: Vec::new(),
                    });
                }
                continue;
            }
            let Some(t) = self.text(item) else { continue };
            if t.value.split(':').count() > 3 {
                self.problems.borrow_mut().push(Problem::Refused {
                    what: format!(
                        "the `devices` entry `{}` has more than three parts \
                         (`SOURCE[:TARGET[:PERMISSIONS]]`)",
                        t.value
                    ),
                    reason: format!(
                        "confusing device mapping, please use long syntax: {}",
                        t.value
                    ),
                    help: "write it `/dev/host:/dev/container:rwm`, or use the long syntax \
                           (`source`, `target`, `permissions`)",
                    at: t.place(),
                    related: t.explain(),
                });
            }
        }
    }

    fn device_conflicts(&self, service: NodeId) -> Vec<(Text, Text)> {
        let tree = self.tree;
        let reserved = tree
            .get(service, "deploy")
            .and_then(|d| tree.get(d, "resources"))
            .and_then(|r| tree.get(r, "reservations"))
            .and_then(|r| tree.get(r, "devices"));
        let gpus = tree.get(service, "gpus");
        let mut out = Vec::new();
        for list in [reserved, gpus].into_iter().flatten() {
            for &item in tree.items(list).unwrap_or(&[]) {
                let key = |k: &str| {
                    tree.entries(tree.resolve(item))?
                        .iter()
                        .find(|e| tree.scalar(e.key) == Some(k))
                        .and_then(|e| self.literal(e.key))
                };
                if let (Some(c), Some(i)) = (key("count"), key("device_ids")) {
                    out.push((c, i));
                }
            }
        }
        out
    }

    /// The networks and models (list or mapping), secrets and configs (a name, or `source:`)
    /// a service names.
    fn references(&self, service: NodeId) -> Vec<(Resource, Text)> {
        let tree = self.tree;
        let mut out = Vec::new();
        for kind in Resource::NAMED {
            let Some(node) = tree.get(service, kind.key()) else {
                continue;
            };
            self.under(self.field(service, kind.key()), || {
                if let Some(items) = tree.items(node) {
                    for &i in items {
                        let name = if tree.is_mapping(i) {
                            tree.get(i, "source").and_then(|n| self.text(n))
                        } else {
                            self.text(i)
                        };
                        out.extend(name.map(|n| (kind, n)));
                    }
                } else if let Some(entries) = tree.entries(node) {
                    for e in entries {
                        out.extend(self.text(e.key).map(|n| (kind, n)));
                    }
                }
            });
        }
        out
    }

    fn env_files(&self, node: Option<NodeId>) -> Vec<EnvFileRef> {
        let Some(node) = node else {
            return Vec::new();
        };
        let tree = self.tree;
        let items: Vec<NodeId> = match tree.items(node) {
            Some(items) => items.to_vec(),
            None => vec![node],
        };
        items
            .into_iter()
            .filter_map(|item| {
                if tree.is_mapping(item) {
                    let format = tree.get(item, "format").and_then(|n| self.text(n));
                    Some(EnvFileRef {
                        path: tree.get(item, "path").and_then(|n| self.text(n))?,
                        required: tree
                            .get(item, "required")
                            .and_then(|n| tree.scalar(n))
                            .is_none_or(|s| s != "false"),
                        raw: format.as_ref().is_some_and(|f| f.value == "raw"),
                        bad_format: format.filter(|f| !matches!(f.value.as_str(), "" | "raw")),
                    })
                } else {
                    Some(EnvFileRef {
                        path: self.text(item)?,
                        required: true,
                        raw: false,
                        bad_format: None,
                    })
                }
            })
            .collect()
    }

    fn extends(&self, node: Option<NodeId>) -> Option<Extends> {
        let node = node?;
        let tree = self.tree;
        let origin = self.origin(tree.span(tree.resolve(node)));
        if tree.is_mapping(node) {
            return Some(Extends {
                service: tree.get(node, "service").and_then(|n| self.text(n))?,
                file: tree.get(node, "file").and_then(|n| self.text(n)),
                origin,
            });
        }
        Some(Extends {
            service: self.text(node)?,
            file: None,
            origin,
        })
    }

    fn includes(&self, node: NodeId) -> Vec<Include> {
        let tree = self.tree;
        let list = |n: Option<NodeId>| -> Vec<Text> {
            match n {
                None => Vec::new(),
                Some(n) => match tree.items(n) {
                    Some(items) => items.iter().filter_map(|&i| self.text(i)).collect(),
                    None => self.text(n).into_iter().collect(),
                },
            }
        };
        tree.items(node)
            .unwrap_or(&[])
            .iter()
            .map(|&item| {
                let origin = self.origin(tree.span(tree.resolve(item)));
                if tree.is_mapping(item) {
                    Include {
                        paths: list(tree.get(item, "path")),
                        project_directory: tree
                            .get(item, "project_directory")
                            .and_then(|n| self.text(n)),
                        env_files: list(tree.get(item, "env_file")),
                        origin,
                    }
                } else {
                    Include {
                        paths: list(Some(item)),
                        project_directory: None,
                        env_files: Vec::new(),
                        origin,
                    }
                }
            })
            .collect()
    }

    fn environment(&self, service: NodeId) -> Environment {
        let tree = self.tree;
        let Some(entry) = tree.entry(service, "environment") else {
            return Environment {
                form: EnvForm::Absent,
                node: None,
                key: None,
                vars: Vec::new(),
                field: None,
            };
        };
        let node = entry.value;
        let key = Some(self.origin(tree.span(entry.key)));
        let resolved = tree.resolve(node);
        let mut vars = Vec::new();
        let form = match &tree.node(resolved).kind {
            NodeKind::Sequence { style, items } => {
                for &item in items {
                    let Some(text) = self.literal(item) else {
                        continue;
                    };
                    let offsets = self.offsets(item);
                    let (name, value) = match text.raw.find('=') {
                        Some(eq) => (
                            self.part(&text, offsets.as_deref(), 0..eq),
                            Some(self.part(&text, offsets.as_deref(), eq + 1..text.raw.len())),
                        ),
                        None => (text.clone(), self.value_from_environment(&text)),
                    };
                    vars.push(EnvVar {
                        // compose-go interpolates the whole item, name included (a mapping's
                        // keys it does not).
                        name,
                        value,
                        entry: self.origin(tree.span(tree.resolve(item))),
                        merged: false,
                        from_env_file: false,
                        listed: true,
                    });
                }
                EnvForm::List(*style)
            }
            NodeKind::Mapping { style, .. } => {
                for e in tree.entries(resolved).unwrap_or(&[]) {
                    let Some(name) = self.literal(e.key) else {
                        continue;
                    };
                    let value = self
                        .text(e.value)
                        .map(|t| self.as_read(e.value, t))
                        .or_else(|| {
                            // An explicitly empty string is a value; a null takes the variable's
                            // value from the shell or `.env`.
                            if tree.is_null(e.value) {
                                return self.value_from_environment(&name);
                            }
                            (tree.scalar(e.value) == Some("")).then(|| Text {
                                value: String::new(),
                                raw: String::new(),
                                origin: self.origin(tree.span(e.value)),
                                node: e.value,
                                vars: Vec::new(),
                                via: self.via_of(e.value),
                            })
                        });
                    let key_span = tree.span(e.key);
                    let end = tree.span(tree.resolve(e.value)).end.max(key_span.end);
                    vars.push(EnvVar {
                        name,
                        value,
                        entry: self.origin(Span::new(key_span.start, end)),
                        merged: e.merged_via.is_some(),
                        from_env_file: false,
                        listed: false,
                    });
                }
                EnvForm::Map(*style)
            }
            _ => EnvForm::Empty,
        };
        Environment {
            form,
            node: Some(node),
            key,
            vars,
            field: self.field(service, "environment"),
        }
    }

    /// The value of an `environment` entry written without one (`- KEY`, `KEY:`, `KEY: ~`):
    /// Compose takes it from the shell or the project's `.env`; unset there, the container
    /// does not get the variable (`None`). The value points at where it was set and reads the
    /// variable at the key.
    fn value_from_environment(&self, name: &Text) -> Option<Text> {
        let var = self.env.get(&name.raw)?;
        Some(Text {
            value: var.value.clone(),
            raw: String::new(),
            origin: name.origin,
            node: name.node,
            vars: vec![VarUse {
                name: name.raw.clone(),
                reference: name.origin,
                var: Some(var),
                used_operand: false,
                op: RefOp::None,
            }],
            via: name.via.clone(),
        })
    }

    /// A value as the container gets it: a plain scalar that YAML reads as a number or a
    /// boolean becomes the text Compose makes of it ([`number::plain_value`]).
    fn as_read(&self, id: NodeId, mut text: Text) -> Text {
        let target = self.tree.resolve(id);
        if self.tree.node(target).tag.is_none()
            && let Some((value, yaml::scalar::ScalarStyle::Plain)) =
                self.tree.scalar_with_style(target)
            && let Some(v) = number::plain_value(value)
        {
            text.value = v;
        }
        text
    }

    fn command(&self, field: Field, key: &'static str) -> Option<Command> {
        self.under(Some(field), || self.command_under(field, key))
    }

    fn command_under(&self, field: Field, key: &'static str) -> Option<Command> {
        let tree = self.tree;
        let resolved = tree.resolve(field.value);
        let origin = self.origin(tree.span(resolved));
        if let Some(items) = tree.items(resolved) {
            let args = items
                .iter()
                .filter_map(|&item| {
                    let text = self.text(item)?;
                    let offsets = self.offsets(item);
                    Some(Arg {
                        value: text.value.clone(),
                        origin: text.origin,
                        offsets: offsets.filter(|_| text.value == text.raw),
                        node: text.node,
                        vars: text.vars,
                        via: text.via,
                    })
                })
                .collect();
            return Some(Command {
                form: CommandForm::List,
                args,
                origin,
                node: resolved,
                field,
            });
        }
        // Compose interpolates the string before it splits it into words: a variable may hold
        // several words, with quotes.
        let text = self.literal(resolved)?;
        let offsets = self.offsets(resolved);
        let m = self.interp_mapped(&text.raw, offsets.as_deref(), text.origin.span);
        let words = match shell::split_words(&m.value) {
            Ok(w) => w,
            Err(e) => {
                self.problems.borrow_mut().push(Problem::InvalidCommand {
                    key,
                    line: m.value.clone(),
                    at: text.origin,
                    offset: e.offset,
                });
                return None;
            }
        };
        let src = |raw_at: usize| offsets.as_ref().and_then(|o| o.get(raw_at).copied());
        let args = words
            .into_iter()
            .map(|w| {
                let piece = self.piece(&text, offsets.as_deref(), &m, w.span.clone(), false);
                let raw_range = m.raw_range(w.span.clone(), text.raw.len());
                let word_offsets = if m.is_literal(&text.raw, &raw_range) {
                    w.map
                        .iter()
                        .map(|&i| src(m.map.get(i).map_or(text.raw.len(), |r| r.start)))
                        .collect::<Option<Vec<_>>>()
                } else {
                    None
                };
                Arg {
                    offsets: word_offsets,
                    value: w.value,
                    origin: piece.origin,
                    node: resolved,
                    vars: piece.vars,
                    via: text.via.clone(),
                }
            })
            .collect();
        Some(Command {
            form: CommandForm::String,
            args,
            origin,
            node: resolved,
            field,
        })
    }

    fn volume_mount(&self, item: NodeId) -> Option<Mount> {
        let tree = self.tree;
        let resolved = tree.resolve(item);
        let origin = self.origin(tree.span(resolved));
        if tree.is_mapping(resolved) {
            let get = |k: &str| tree.get(resolved, k).and_then(|n| self.text(n));
            let kind_text = get("type");
            let kind_name = kind_text.as_ref().map_or("volume", |t| t.value.as_str());
            // compose-go indexes the volumes by target as it merges the files, and refuses
            // one without ("service volume ... is missing a mount target"). A bind mount
            // without `source` it refuses only once the files are merged (an override can
            // replace it): `compose-schema` judges that on the merged project.
            if tree.get(resolved, "target").is_none_or(|n| tree.is_null(n)) {
                self.problems.borrow_mut().push(Problem::Refused {
                    what: format!("this `{kind_name}` volume has no `target`"),
                    reason: "service volume is missing a mount target".to_string(),
                    help: "give it the path in the container to mount at: `target: /data`",
                    at: origin,
                    related: Vec::new(),
                });
                return None;
            }
            let target = get("target")?;
            let source = get("source").filter(|s| !s.value.is_empty());
            let kind = match kind_text.as_ref().map(|t| t.value.as_str()) {
                Some("bind") => MountKind::Bind,
                Some("volume") | None => {
                    if source.is_some() {
                        MountKind::Volume
                    } else {
                        MountKind::Anonymous
                    }
                }
                Some("tmpfs") => MountKind::Tmpfs,
                Some(_) => MountKind::Other,
            };
            let read_only = get("read_only").is_some_and(|t| t.value == "true");
            return Some(Mount {
                kind,
                source,
                target,
                read_only,
                origin,
                node: resolved,
                from_tmpfs_key: false,
                long: true,
                source_key: tree.get(resolved, "source").is_some(),
                from_service: None,
            });
        }
        // Compose interpolates the whole item before it splits it: a variable may hold the
        // source, the target, or all of it.
        let text = self.literal(resolved)?;
        let offsets = self.offsets(resolved);
        let m = self.interp_mapped(&text.raw, offsets.as_deref(), text.origin.span);
        let Some(parts) = volume::parse_short(&m.value) else {
            // Compose refuses it ("invalid spec: :/data: empty section between colons"), as
            // it does a spec with too many parts or no target.
            let vars: Vec<VarUse> = m.vars.iter().map(|(_, v)| v.clone()).collect();
            self.problems.borrow_mut().push(Problem::InvalidVolumeSpec {
                spec: m.value.clone(),
                at: text.origin,
                vars,
            });
            return None;
        };
        let target = self.piece(&text, offsets.as_deref(), &m, parts.target, true);
        let source = parts
            .source
            .map(|r| self.piece(&text, offsets.as_deref(), &m, r, true));
        let mode = parts
            .mode
            .map(|r| m.value[r].to_string())
            .unwrap_or_default();
        let kind = match &source {
            None => MountKind::Anonymous,
            Some(s) if volume::is_host_path(&s.value) => MountKind::Bind,
            // A source that interpolates to nothing without its variables: most likely a path
            // written under a variable directory (`${DATA}/etcd`).
            Some(s) if s.value.is_empty() || s.value.starts_with('/') => MountKind::Bind,
            Some(_) => MountKind::Volume,
        };
        Some(Mount {
            kind,
            source,
            target,
            read_only: mode.split(',').any(|m| m == "ro"),
            origin,
            node: resolved,
            from_tmpfs_key: false,
            long: false,
            source_key: true,
            from_service: None,
        })
    }

    fn healthcheck(&self, node: NodeId) -> Option<Healthcheck> {
        let tree = self.tree;
        let resolved = tree.resolve(node);
        if !tree.is_mapping(resolved) {
            return None;
        }
        let get = |k: &str| tree.get(resolved, k).and_then(|n| self.text(n));
        let test = match tree.get(resolved, "test") {
            Some(t) => match tree.items(t) {
                Some(items) => items.iter().filter_map(|&i| self.text(i)).collect(),
                None => self.text(t).into_iter().collect(),
            },
            None => Vec::new(),
        };
        let test_list = tree
            .get(resolved, "test")
            .is_some_and(|t| tree.items(t).is_some());
        Some(Healthcheck {
            test,
            test_list,
            disable: get("disable").is_some_and(|t| t.value == "true"),
            interval: get("interval"),
            timeout: get("timeout"),
            retries: get("retries"),
            start_period: get("start_period"),
            origin: self.origin(tree.span(resolved)),
        })
    }

    fn sizing(&self, node: NodeId) -> Option<Box<sizing::Sizing>> {
        let tree = self.tree;
        let own = |k: &str| {
            self.under(self.field(node, k), || {
                tree.get(node, k).and_then(|n| self.text(n))
            })
        };
        let deploy = |path: &[&str]| {
            self.under(self.field(node, "deploy"), || {
                let mut n = tree.get(node, "deploy")?;
                for k in path {
                    n = tree.get(tree.resolve(n), k)?;
                }
                self.text(n)
            })
        };
        let holder = |k: &str| {
            let d = tree.resolve(tree.get(node, "deploy")?);
            let r = tree.resolve(tree.get(d, "resources")?);
            let m = tree.get(r, k)?;
            tree.is_mapping(tree.resolve(m))
                .then(|| self.origin(tree.span(m)))
        };
        let s = sizing::Sizing {
            scale: own("scale"),
            replicas: deploy(&["replicas"]),
            cpus: own("cpus"),
            limit_cpus: deploy(&["resources", "limits", "cpus"]),
            mem_limit: own("mem_limit"),
            limit_memory: deploy(&["resources", "limits", "memory"]),
            mem_reservation: own("mem_reservation"),
            reservation_memory: deploy(&["resources", "reservations", "memory"]),
            pids_limit: own("pids_limit"),
            limit_pids: deploy(&["resources", "limits", "pids"]),
            limits: holder("limits"),
            reservations: holder("reservations"),
        };
        (!s.is_empty()).then(|| Box::new(s))
    }

    fn deploy_restart(&self, deploy: NodeId) -> Option<DeployRestart> {
        let tree = self.tree;
        let policy = tree.resolve(tree.get(tree.resolve(deploy), "restart_policy")?);
        if !tree.is_mapping(policy) {
            return None;
        }
        Some(DeployRestart {
            condition: tree.get(policy, "condition").and_then(|n| self.text(n)),
            max_attempts: tree.get(policy, "max_attempts").and_then(|n| self.text(n)),
            origin: self.origin(tree.span(policy)),
        })
    }

    fn depends_on(&self, node: NodeId) -> Vec<Dependency> {
        let tree = self.tree;
        if let Some(items) = tree.items(node) {
            return items
                .iter()
                .filter_map(|&i| self.text(i))
                .map(|service| Dependency {
                    service,
                    condition: None,
                    required: true,
                })
                .collect();
        }
        tree.entries(node)
            .unwrap_or(&[])
            .iter()
            .filter_map(|e| {
                Some(Dependency {
                    service: self.text(e.key)?,
                    condition: tree.get(e.value, "condition").and_then(|n| self.text(n)),
                    required: tree
                        .get(e.value, "required")
                        .and_then(|n| tree.scalar(n))
                        .is_none_or(|s| s != "false"),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fidelity_tests;
