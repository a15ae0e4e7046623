//! Milvus's configuration as the server will run with it, and where each value was decided.
//!
//! Milvus reads, from its configuration directory ([`crate::stack::milvus::config_dir`]),
//! `milvus.yaml` and then, as its release has it ([`files`]), `_test.yaml`, `default.yaml` and
//! `user.yaml` (a later file wins), and its environment wins over all of them
//! (pkg/util/paramtable/base_table.go; pkg/config/manager.go). A project decides these through
//! the host files it bind-mounts there (read by [`crate::mounted`]) and the service's
//! `environment` and `env_file`; whatever none of them sets keeps the default of the image's
//! version (its minor line's official `milvus.yaml`, [`schema`]).
//!
//! Keys compare as Milvus compares them ([`schema::fold`]): without case, `_`, `.` and `/`,
//! so `etcd.root_path` is `etcd.rootPath`, and the variable `ETCD_ROOT_PATH` sets it too. From
//! 2.6 a variable may also carry the prefix `MILVUS_CONF_` (pkg/config/env_source.go), which
//! wins over the same variable without it.
//!
//! The entry point is [`configs`] (every Milvus service of a model) or
//! [`MilvusConfig::for_service`]; [`MilvusConfig::lone`] reads a configuration file that no
//! service mounts, against the newest release's defaults. [`MilvusConfig::value`] gives the
//! effective value of any key with its [`Decided`] place; the keys the rules judge have typed
//! accessors ([`MilvusConfig::etcd_endpoints`], ...).

pub mod files;
pub mod schema;
pub mod schema_raw;

use crate::compose::{ComposeFile, EnvVar, FileId, Origin, Service, Source};
use crate::stack::roles::{Member, Stack};
use crate::stack::version::ImageVersion;
use crate::yaml::NodeId;
use schema::{Line, LineChoice, fold};

/// The keys the rules judge, as the official file spells them.
pub mod keys {
    pub const ETCD_ENDPOINTS: &str = "etcd.endpoints";
    pub const ETCD_ROOT_PATH: &str = "etcd.rootPath";
    pub const ETCD_USE_EMBED: &str = "etcd.use.embed";
    pub const ETCD_DATA_DIR: &str = "etcd.data.dir";
    pub const ETCD_CONFIG_PATH: &str = "etcd.config.path";
    pub const MINIO_ADDRESS: &str = "minio.address";
    pub const MINIO_PORT: &str = "minio.port";
    pub const MINIO_ACCESS_KEY_ID: &str = "minio.accessKeyID";
    pub const MINIO_SECRET_ACCESS_KEY: &str = "minio.secretAccessKey";
    pub const MINIO_USE_SSL: &str = "minio.useSSL";
    pub const MINIO_BUCKET_NAME: &str = "minio.bucketName";
    pub const MINIO_ROOT_PATH: &str = "minio.rootPath";
    pub const COMMON_STORAGE_TYPE: &str = "common.storageType";
    pub const LOCAL_STORAGE_PATH: &str = "localStorage.path";
    pub const MQ_TYPE: &str = "mq.type";
    pub const ROCKSMQ_PATH: &str = "rocksmq.path";
    pub const WOODPECKER_STORAGE_TYPE: &str = "woodpecker.storage.type";
    pub const WOODPECKER_STORAGE_ROOT_PATH: &str = "woodpecker.storage.rootPath";
    /// The prefix of the data coordinator's garbage-collection settings.
    pub const DATA_COORD_GC: &str = "dataCoord.gc";
    /// The keys `milvet inspect` shows, in order.
    pub const SHOWN: &[&str] = &[
        ETCD_ENDPOINTS,
        ETCD_ROOT_PATH,
        ETCD_USE_EMBED,
        ETCD_DATA_DIR,
        ETCD_CONFIG_PATH,
        MINIO_ADDRESS,
        MINIO_PORT,
        MINIO_ACCESS_KEY_ID,
        MINIO_SECRET_ACCESS_KEY,
        MINIO_USE_SSL,
        MINIO_BUCKET_NAME,
        MINIO_ROOT_PATH,
        COMMON_STORAGE_TYPE,
        LOCAL_STORAGE_PATH,
        MQ_TYPE,
        ROCKSMQ_PATH,
        WOODPECKER_STORAGE_TYPE,
        WOODPECKER_STORAGE_ROOT_PATH,
    ];
}

/// The prefix a variable may carry from Milvus 2.6 (pkg/config/env_source.go).
pub const ENV_PREFIX: &str = "MILVUS_CONF_";

/// Which configuration file, in load order (a later one wins). Which of them a release reads
/// is [`files::read_by`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConfigKind {
    MilvusYaml,
    /// `_test.yaml` (from 2.5, "only for test related purpose").
    TestYaml,
    DefaultYaml,
    UserYaml,
}

impl ConfigKind {
    /// Every kind, in load order.
    pub const ALL: [ConfigKind; 4] = [
        ConfigKind::MilvusYaml,
        ConfigKind::TestYaml,
        ConfigKind::DefaultYaml,
        ConfigKind::UserYaml,
    ];

    /// `milvus.yaml`, `_test.yaml`, `default.yaml` or `user.yaml`.
    pub fn file_name(self) -> &'static str {
        match self {
            ConfigKind::MilvusYaml => "milvus.yaml",
            ConfigKind::TestYaml => "_test.yaml",
            ConfigKind::DefaultYaml => "default.yaml",
            ConfigKind::UserYaml => "user.yaml",
        }
    }

    /// The kind of a file by its name, any of the four.
    pub fn of_file_name(name: &str) -> Option<ConfigKind> {
        ConfigKind::ALL.into_iter().find(|k| k.file_name() == name)
    }

    /// The kind of a file by its name (`milvus.yaml`, `user.yaml`), for a file checked alone.
    pub fn of_name(name: &str) -> Option<ConfigKind> {
        match name {
            "milvus.yaml" => Some(ConfigKind::MilvusYaml),
            "user.yaml" => Some(ConfigKind::UserYaml),
            _ => None,
        }
    }
}

/// A key written in a configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrittenKey {
    /// The dotted path as written (`etcd.rootPath`, `minio.address`).
    pub path: String,
    /// The path as Milvus compares keys ([`schema::fold`]).
    pub folded: String,
    /// The key node's place.
    pub key: Origin,
    /// The value node's place.
    pub value: Origin,
    pub value_node: NodeId,
    /// Whether the value is a mapping (a section, with keys under it).
    pub is_mapping: bool,
    /// A leaf's value as Milvus reads it (see [`schema::leaf_value`]); `None` for a mapping.
    pub text: Option<String>,
}

/// One configuration file a Milvus service reads (or a file checked on its own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigFile {
    pub kind: ConfigKind,
    /// The file, among the project's.
    pub file: FileId,
    /// The mount item that puts it in the container; `None` for a file checked on its own.
    pub mount: Option<Origin>,
    /// Every key written in it, in the file's order (none when it is not a Milvus
    /// configuration).
    pub keys: Vec<WrittenKey>,
    /// What the file is instead, when it is not a Milvus configuration (see [`not_a_config`]):
    /// its keys are not read.
    pub not_milvus: Option<&'static str>,
}

impl ConfigFile {
    /// Read the keys of a parsed configuration file.
    pub fn read(
        kind: ConfigKind,
        file: FileId,
        source: &Source<'_>,
        mount: Option<Origin>,
    ) -> Self {
        Self::read_keys(kind, file, source, mount, None)
    }

    /// [`ConfigFile::read`], keeping only the leaves of `only` when it is given (found
    /// without flattening the whole file: [`schema::find_leaf`]).
    pub fn read_keys(
        kind: ConfigKind,
        file: FileId,
        source: &Source<'_>,
        mount: Option<Origin>,
        only: Option<&[&str]>,
    ) -> Self {
        let mut keys = Vec::new();
        let not_milvus = not_a_config(source.tree);
        let documents = if not_milvus.is_some() {
            &[][..]
        } else {
            &source.tree.documents[..]
        };
        for doc in documents {
            let Some(root) = doc.root else { continue };
            let written = match only {
                None => schema::flatten_folded(source.tree, root),
                Some(only) => only
                    .iter()
                    .filter_map(|key| schema::find_leaf(source.tree, root, key))
                    .map(|(path, key, value)| schema::FlatKey {
                        folded: fold(&path),
                        path,
                        key,
                        value,
                        is_mapping: false,
                    })
                    .collect(),
            };
            keys.reserve(written.len());
            for schema::FlatKey {
                path,
                folded,
                key: k,
                value: v,
                is_mapping,
            } in written
            {
                keys.push(WrittenKey {
                    folded,
                    path,
                    key: Origin {
                        file,
                        span: source.tree.span(k),
                    },
                    value: Origin {
                        file,
                        span: source.tree.span(v),
                    },
                    value_node: v,
                    is_mapping,
                    text: if is_mapping {
                        None
                    } else {
                        schema::leaf_value(source.tree, v)
                    },
                });
            }
        }
        ConfigFile {
            kind,
            file,
            mount,
            keys,
            not_milvus,
        }
    }

    /// The last leaf written for `key` (compared as Milvus compares keys).
    pub fn leaf(&self, key: &str) -> Option<&WrittenKey> {
        self.leaf_folded(&fold(key))
    }

    /// [`ConfigFile::leaf`] for a key already folded ([`fold`]).
    pub fn leaf_folded(&self, folded: &str) -> Option<&WrittenKey> {
        self.keys
            .iter()
            .rev()
            .find(|k| !k.is_mapping && k.folded == folded)
    }
}

/// A configuration file mounted under a name the service's release does not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IgnoredFile {
    pub kind: ConfigKind,
    pub file: FileId,
    /// The mount item that puts it in the container.
    pub mount: Origin,
    /// Whether a directory is mounted (the file is there among others) rather than the file.
    pub via_directory: bool,
}

/// Keys at the top of a Helm chart's values file that no Milvus configuration has.
const HELM_KEYS: &[&str] = &[
    "nameOverride",
    "fullnameOverride",
    "extraConfigFiles",
    "serviceAccount",
    "ingress",
    "attu",
    "standalone",
];

/// Keys at the top of an etcd configuration file (`--config-file`) that no Milvus configuration
/// has.
const ETCD_KEYS: &[&str] = &[
    "data-dir",
    "listen-client-urls",
    "initial-cluster",
    "auto-compaction-mode",
];

/// What a file named like a Milvus configuration is instead, when it is not one: a
/// Kubernetes manifest (`apiVersion` and `kind`), a Docker Compose file (`services`), an etcd
/// configuration file (`data-dir`, `listen-client-urls`, ...), a Helm chart's values file
/// (`nameOverride`, `extraConfigFiles`, `cluster.enabled`, `image.all`, ...), or YAML most of
/// whose top-level keys are sections of no Milvus line. `None` for a
/// Milvus configuration (an empty file is one: it sets nothing).
pub fn not_a_config(tree: &crate::yaml::Tree) -> Option<&'static str> {
    let roots: Vec<NodeId> = tree.documents.iter().filter_map(|d| d.root).collect();
    let mut top: Vec<&str> = Vec::new();
    for &root in &roots {
        if tree.entries(root).is_none() {
            if tree.is_null(root) {
                continue;
            }
            return Some("YAML that is not a mapping");
        }
        if tree.get(root, "apiVersion").is_some() && tree.get(root, "kind").is_some() {
            return Some("a Kubernetes manifest");
        }
        if tree
            .get(root, "services")
            .is_some_and(|s| tree.is_mapping(s))
        {
            return Some("a Docker Compose file");
        }
        let has = |section: &str, key: &str| {
            tree.get(root, section)
                .is_some_and(|s| tree.get(s, key).is_some())
        };
        if ETCD_KEYS.iter().any(|k| tree.get(root, k).is_some()) {
            return Some("an etcd configuration file");
        }
        if HELM_KEYS.iter().any(|k| tree.get(root, k).is_some())
            || has("cluster", "enabled")
            || has("image", "all")
        {
            return Some("a Helm chart's values file");
        }
        for e in tree.entries(root).unwrap_or(&[]) {
            if let Some(k) = tree.scalar(e.key) {
                top.push(k);
            }
        }
    }
    // Most of its top-level keys must be sections of some Milvus line.
    let known = top
        .iter()
        .filter(|k| schema::lines().iter().any(|l| l.knows(k)))
        .count();
    if known * 2 < top.len() {
        return Some("YAML whose top-level keys are mostly not Milvus sections");
    }
    None
}

/// Where an effective value was decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decided<'a> {
    /// A variable of the service's environment (`environment`, or an `env_file` line when
    /// [`EnvVar::from_env_file`]); `prefixed` when it is written `MILVUS_CONF_<NAME>`.
    Env { var: &'a EnvVar, prefixed: bool },
    /// A key of a configuration file (`milvus.yaml`, `user.yaml`, ...).
    File {
        kind: ConfigKind,
        file: FileId,
        /// The key's place.
        key: Origin,
        /// The value's place.
        value: Origin,
    },
    /// Nothing sets it: the default of the line (`2.5`).
    Default { line: &'static str },
}

impl Decided<'_> {
    /// The place to point at: the variable's value (its entry when it has none), the key's
    /// value; `None` for a default.
    pub fn origin(&self) -> Option<Origin> {
        match self {
            Decided::Env { var, .. } => Some(var.value.as_ref().map_or(var.entry, |t| t.place())),
            Decided::File { value, .. } => Some(*value),
            Decided::Default { .. } => None,
        }
    }

    /// Words for a message: "`ETCD_ENDPOINTS` in the environment", "`etcd.endpoints` in
    /// user.yaml", "the default of Milvus 2.5".
    pub fn describe(&self, key: &str) -> String {
        match self {
            Decided::Env { var, .. } if var.from_env_file => {
                format!("`{}` in an env_file", var.name.value)
            }
            Decided::Env { var, .. } => format!("`{}` in the environment", var.name.value),
            Decided::File { kind, .. } => format!("`{key}` in {}", kind.file_name()),
            Decided::Default { line } => format!("the default of Milvus {line}"),
        }
    }
}

/// The effective value of a key and where it was decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting<'a> {
    /// The key as the line's official file spells it (as asked, when the line lacks it).
    pub key: String,
    /// The value as Milvus reads it (a list's items joined with `,`).
    pub value: String,
    pub decided: Decided<'a>,
    /// The other places that set it and lose, the strongest first (a `user.yaml` key under the
    /// variable that wins, then `milvus.yaml`).
    pub shadowed: Vec<Decided<'a>>,
}

impl Setting<'_> {
    /// The value as Milvus reads a boolean (strconv.ParseBool: `1`, `t`, `true`, `TRUE`, ...).
    pub fn as_bool(&self) -> Option<bool> {
        match self.value.trim() {
            "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
            "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
            _ => None,
        }
    }

    /// The value as a list (`etcd.endpoints`: items of a YAML list, or `a,b` in a variable).
    pub fn as_list(&self) -> Vec<&str> {
        self.value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// The value as a whole number.
    pub fn as_u64(&self) -> Option<u64> {
        self.value.trim().parse().ok()
    }

    /// Whether nothing sets it (the line's default applies).
    pub fn is_default(&self) -> bool {
        matches!(self.decided, Decided::Default { .. })
    }

    /// Where it was decided, for a message (see [`Decided::describe`]).
    pub fn describe(&self) -> String {
        self.decided.describe(&self.key)
    }
}

/// The configuration one Milvus service runs with.
#[derive(Clone, Debug)]
pub struct MilvusConfig<'a> {
    /// The service; `None` for a configuration file checked on its own.
    pub service: Option<&'a Service>,
    /// The line whose keys and defaults apply, and what was assumed to choose it.
    pub choice: LineChoice,
    /// The configuration files of the project it reads, in load order (`milvus.yaml`, then
    /// `_test.yaml`, `default.yaml`, `user.yaml`, as many as it mounts and its release reads);
    /// without a mounted `milvus.yaml`, the image's own holds the defaults.
    pub files: Vec<ConfigFile>,
    /// The files its release reads, in load order ([`files::read_by`]).
    pub reads: &'static files::Row,
    /// Files of the project mounted in its configuration directory under a name its release
    /// does not read (a `user.yaml` under 2.3.3): nothing in them takes effect.
    pub ignored: Vec<IgnoredFile>,
    /// The environment variables that name a key, with their folded names, in the order
    /// written.
    env: Vec<(String, &'a EnvVar, bool)>,
}

impl<'a> MilvusConfig<'a> {
    /// The configuration of a Milvus service of `model` (`member` as [`Stack`] recognised it),
    /// from the files `model.mounted` says it mounts (`sources` are the project's files) and
    /// its environment.
    pub fn for_service(
        model: &'a ComposeFile,
        sources: &[Source<'_>],
        member: &Member<'a>,
    ) -> MilvusConfig<'a> {
        Self::of_service(model, sources, member.service, &member.version)
    }

    /// [`MilvusConfig::for_service`] for any service and version.
    pub fn of_service(
        model: &'a ComposeFile,
        sources: &[Source<'_>],
        service: &'a Service,
        version: &ImageVersion,
    ) -> MilvusConfig<'a> {
        Self::of_service_keys(model, sources, service, version, None)
    }

    /// [`MilvusConfig::of_service`] reading only the keys of `only` from the files (when
    /// given): the other keys' values are then their defaults, whatever the files say.
    fn of_service_keys(
        model: &'a ComposeFile,
        sources: &[Source<'_>],
        service: &'a Service,
        version: &ImageVersion,
        only: Option<&[&str]>,
    ) -> MilvusConfig<'a> {
        let choice = schema::line_for(version);
        let reads = files::read_by(version);
        let dir = crate::stack::milvus::config_dir(service);
        let mut files = Vec::new();
        let mut ignored = Vec::new();
        for m in model
            .mounted
            .iter()
            .filter(|m| m.service == service.name.value)
        {
            let Some(file) = m.file() else { continue };
            let Some(source) = sources.get(file.0 as usize) else {
                continue;
            };
            let Some(kind) = m
                .container_path
                .strip_prefix(dir.as_str())
                .and_then(|rest| rest.strip_prefix('/'))
                .and_then(ConfigKind::of_file_name)
            else {
                continue;
            };
            if reads.reads(kind) {
                files.push(ConfigFile::read_keys(
                    kind,
                    file,
                    source,
                    Some(m.mount),
                    only,
                ));
            } else {
                ignored.push(IgnoredFile {
                    kind,
                    file,
                    mount: m.mount,
                    via_directory: m.via_directory,
                });
            }
        }
        files.sort_by_key(|f| f.kind);
        ignored.sort_by_key(|f| f.kind);
        let prefixed_ok = schema::parse_line_name(choice.line.name) >= (2, 6);
        let mut env = Vec::new();
        for v in &service.environment.vars {
            if v.value.is_none() {
                continue;
            }
            let name = v.name.value.as_str();
            let (bare, prefixed) = match name.strip_prefix(ENV_PREFIX) {
                Some(rest) if prefixed_ok => (rest, true),
                _ => (name, false),
            };
            let lower = bare.to_lowercase();
            let lower = lower.strip_prefix("milvus.").unwrap_or(&lower);
            env.push((fold(lower), v, prefixed));
        }
        MilvusConfig {
            service: Some(service),
            choice,
            files,
            reads,
            ignored,
            env,
        }
    }

    /// A configuration file checked on its own (mounted by no service): the newest release
    /// line's defaults apply to what it does not set.
    pub fn lone(kind: ConfigKind, file: FileId, source: &Source<'_>) -> MilvusConfig<'a> {
        MilvusConfig {
            service: None,
            choice: LineChoice {
                line: schema::newest_release(),
                assumed: Some("a file mounted by no service: the newest release line"),
            },
            files: vec![ConfigFile::read(kind, file, source, None)],
            reads: files::read_by(&ImageVersion::Latest),
            ignored: Vec::new(),
            env: Vec::new(),
        }
    }

    /// The line whose keys and defaults apply.
    pub fn line(&self) -> &'static Line {
        self.choice.line
    }

    /// The service's name, if it is one's.
    pub fn service_name(&self) -> Option<&'a str> {
        self.service.map(|s| s.name.value.as_str())
    }

    /// The effective value of `key` (any spelling Milvus accepts), with where it was decided
    /// and what it overrides: a variable, else the last file that sets it (`user.yaml`,
    /// `default.yaml`, `_test.yaml`, `milvus.yaml`, as the release reads them), else the
    /// line's default. `None` when nothing sets it and the line has no default for it (an
    /// unknown key, or a section).
    pub fn value(&self, key: &str) -> Option<Setting<'a>> {
        let f = fold(key);
        let known = self.line().get_folded(&f);
        let mut places: Vec<(String, Decided<'a>)> = Vec::new();
        // Variables: a prefixed one beats the plain one; a later definition beats an earlier.
        let mut vars: Vec<(usize, &(String, &'a EnvVar, bool))> = self
            .env
            .iter()
            .enumerate()
            .filter(|(_, (n, _, _))| *n == f)
            .collect();
        vars.sort_by_key(|(i, (_, _, prefixed))| (!*prefixed, std::cmp::Reverse(*i)));
        for (_, (_, var, prefixed)) in vars {
            let value = var
                .value
                .as_ref()
                .map_or_else(String::new, |t| t.value.clone());
            places.push((
                value,
                Decided::Env {
                    var,
                    prefixed: *prefixed,
                },
            ));
        }
        for file in self.files.iter().rev() {
            if let Some(k) = file.leaf_folded(&f) {
                places.push((
                    k.text.clone().unwrap_or_default(),
                    Decided::File {
                        kind: file.kind,
                        file: file.file,
                        key: k.key,
                        value: k.value,
                    },
                ));
            }
        }
        let mut places = places.into_iter();
        let (value, decided) = match places.next() {
            Some(p) => p,
            None => (
                known?.default?.to_string(),
                Decided::Default {
                    line: self.line().name,
                },
            ),
        };
        Some(Setting {
            key: known.map_or_else(|| key.to_string(), |k| k.path.to_string()),
            value,
            decided,
            shadowed: places.map(|(_, d)| d).collect(),
        })
    }

    /// The effective values of every key under `prefix` (`dataCoord.gc`): those of the line,
    /// and those written that the line does not know.
    pub fn values_under(&self, prefix: &str) -> Vec<Setting<'a>> {
        let p = format!("{}.", prefix.to_lowercase());
        let under = |path: &str| path.to_lowercase().starts_with(&p);
        let mut names: Vec<String> = self
            .line()
            .keys
            .iter()
            .filter(|k| k.default.is_some() && under(k.path))
            .map(|k| k.path.to_string())
            .collect();
        for f in &self.files {
            for k in &f.keys {
                if !k.is_mapping
                    && under(&k.path)
                    && !names.iter().any(|n| fold(n) == fold(&k.path))
                {
                    names.push(k.path.clone());
                }
            }
        }
        names.iter().filter_map(|n| self.value(n)).collect()
    }

    /// Every key written in the configuration files, with its file, in load order.
    pub fn written(&self) -> impl Iterator<Item = (&ConfigFile, &WrittenKey)> {
        self.files
            .iter()
            .flat_map(|f| f.keys.iter().map(move |k| (f, k)))
    }

    /// The file of a kind, if the service mounts one.
    pub fn file(&self, kind: ConfigKind) -> Option<&ConfigFile> {
        self.files.iter().find(|f| f.kind == kind)
    }

    /// `etcd.endpoints`: where Milvus finds etcd (see [`Setting::as_list`]).
    pub fn etcd_endpoints(&self) -> Option<Setting<'a>> {
        self.value(keys::ETCD_ENDPOINTS)
    }
    /// `etcd.rootPath`: the prefix of Milvus's keys in etcd.
    pub fn etcd_root_path(&self) -> Option<Setting<'a>> {
        self.value(keys::ETCD_ROOT_PATH)
    }
    /// `etcd.use.embed`: etcd runs inside Milvus (see [`Setting::as_bool`]).
    pub fn etcd_use_embed(&self) -> Option<Setting<'a>> {
        self.value(keys::ETCD_USE_EMBED)
    }
    /// `etcd.data.dir`: embedded etcd's data directory (relative to `/milvus`).
    pub fn etcd_data_dir(&self) -> Option<Setting<'a>> {
        self.value(keys::ETCD_DATA_DIR)
    }
    /// `etcd.config.path`: embedded etcd's configuration file (no default in the files: `None`
    /// when nothing sets it).
    pub fn etcd_config_path(&self) -> Option<Setting<'a>> {
        self.value(keys::ETCD_CONFIG_PATH)
    }
    /// The container path of embedded etcd's config file, when `etcd.config.path` names one:
    /// as written when absolute, else under the working directory the server starts in
    /// (`/milvus`), where Go's `os.ReadFile` looks for it; `None` when it is empty or unset.
    pub fn etcd_config_container_path(&self) -> Option<String> {
        let setting = self.etcd_config_path()?;
        container_path(self.service, setting.value.trim())
    }

    /// `minio.address`: the object store's host (2.6: `host:port`).
    pub fn minio_address(&self) -> Option<Setting<'a>> {
        self.value(keys::MINIO_ADDRESS)
    }
    /// `minio.port`.
    pub fn minio_port(&self) -> Option<Setting<'a>> {
        self.value(keys::MINIO_PORT)
    }
    /// `minio.accessKeyID`.
    pub fn minio_access_key_id(&self) -> Option<Setting<'a>> {
        self.value(keys::MINIO_ACCESS_KEY_ID)
    }
    /// `minio.secretAccessKey`.
    pub fn minio_secret_access_key(&self) -> Option<Setting<'a>> {
        self.value(keys::MINIO_SECRET_ACCESS_KEY)
    }
    /// `minio.useSSL`.
    pub fn minio_use_ssl(&self) -> Option<Setting<'a>> {
        self.value(keys::MINIO_USE_SSL)
    }
    /// `minio.bucketName`.
    pub fn minio_bucket_name(&self) -> Option<Setting<'a>> {
        self.value(keys::MINIO_BUCKET_NAME)
    }
    /// `minio.rootPath`.
    pub fn minio_root_path(&self) -> Option<Setting<'a>> {
        self.value(keys::MINIO_ROOT_PATH)
    }
    /// `common.storageType`: `local` keeps segments on the container's disk.
    pub fn storage_type(&self) -> Option<Setting<'a>> {
        self.value(keys::COMMON_STORAGE_TYPE)
    }
    /// `localStorage.path`.
    pub fn local_storage_path(&self) -> Option<Setting<'a>> {
        self.value(keys::LOCAL_STORAGE_PATH)
    }
    /// `mq.type`.
    pub fn mq_type(&self) -> Option<Setting<'a>> {
        self.value(keys::MQ_TYPE)
    }
    /// `rocksmq.path`.
    pub fn rocksmq_path(&self) -> Option<Setting<'a>> {
        self.value(keys::ROCKSMQ_PATH)
    }
    /// `woodpecker.storage.type` (2.6).
    pub fn woodpecker_storage_type(&self) -> Option<Setting<'a>> {
        self.value(keys::WOODPECKER_STORAGE_TYPE)
    }
    /// `woodpecker.storage.rootPath` (2.6).
    pub fn woodpecker_storage_root_path(&self) -> Option<Setting<'a>> {
        self.value(keys::WOODPECKER_STORAGE_ROOT_PATH)
    }
    /// `dataCoord.gc.*`.
    pub fn data_coord_gc(&self) -> Vec<Setting<'a>> {
        self.values_under(keys::DATA_COORD_GC)
    }
}

/// The configuration file a Milvus service's release reads at `container_path`, if it reads
/// one there (`/milvus/configs/user.yaml` under 2.5: [`ConfigKind::UserYaml`]; under 2.3.3,
/// none).
pub fn kind_read_at(service: &Service, container_path: &str) -> Option<ConfigKind> {
    let dir = crate::stack::milvus::config_dir(service);
    let kind = container_path
        .strip_prefix(dir.as_str())?
        .strip_prefix('/')
        .and_then(ConfigKind::of_file_name)?;
    let version = service
        .image_ref()
        .map_or(ImageVersion::Unknown, ImageVersion::of);
    files::read_by(&version).reads(kind).then_some(kind)
}

/// A path as a program of `service` started in its working directory reads it (`/milvus`
/// unless `working_dir` says otherwise); `None` for an empty one.
pub fn container_path(service: Option<&Service>, written: &str) -> Option<String> {
    if written.is_empty() {
        return None;
    }
    if written.starts_with('/') {
        return Some(crate::compose::normalize_path(written));
    }
    let cwd = service
        .and_then(|s| s.working_dir.as_ref())
        .map_or(crate::stack::milvus::WORKDIR, |w| w.value.as_str());
    Some(crate::compose::normalize_path(&format!(
        "{}/{written}",
        cwd.trim_end_matches('/')
    )))
}

/// The container paths of files a Milvus service reads because its configuration names
/// them, for [`crate::mounted`] to read as files of the project once its configuration files
/// are: embedded etcd's config file (`etcd.config.path`, from the environment or from a
/// mounted `milvus.yaml` or `user.yaml`, whichever decides), when embedded etcd is on. Empty
/// for another service. Only the keys it needs are read from the files.
pub fn followed_paths(
    model: &ComposeFile,
    sources: &[Source<'_>],
    service: &Service,
) -> Vec<String> {
    if !crate::stack::milvus::is_milvus(service) {
        return Vec::new();
    }
    let version = service
        .image_ref()
        .map_or(ImageVersion::Unknown, ImageVersion::of);
    let cfg = MilvusConfig::of_service_keys(
        model,
        sources,
        service,
        &version,
        Some(&[keys::ETCD_USE_EMBED, keys::ETCD_CONFIG_PATH]),
    );
    if cfg.etcd_use_embed().and_then(|s| s.as_bool()) != Some(true) {
        return Vec::new();
    }
    cfg.etcd_config_container_path().into_iter().collect()
}

/// The configuration of every Milvus service of `model`, in the model's order.
pub fn configs<'a>(
    model: &'a ComposeFile,
    sources: &[Source<'_>],
    stack: &Stack<'a>,
) -> Vec<MilvusConfig<'a>> {
    stack
        .members
        .iter()
        .filter(|m| m.is_milvus())
        .map(|m| MilvusConfig::for_service(model, sources, m))
        .collect()
}
