//! etcd: which services run it, and the settings it will actually use.
//!
//! Facts (see `rules/*.md` for sources): every flag can be given as `ETCD_<FLAG>`; a variable
//! applies only when the flag is not on the command line, and empty values are ignored
//! (pkg/flags/flag.go). With `--config-file` every other flag and variable is ignored
//! (server/etcdmain/config.go). The default data dir is `<name>.etcd` in the working directory,
//! `default.etcd` unless `--name` is set (server/etcdmain/etcd.go); the official images
//! (quay.io/coreos/etcd, gcr.io/etcd-development/etcd) work in `/var/lib/etcd` from v3.5.7 and
//! set no working directory (`/`) before, and declare no volume. bitnami/etcd (and
//! milvusdb/etcd, built on it) keep their data in `/bitnami/etcd/data` whatever
//! `ETCD_DATA_DIR` says: the entrypoint exports it before running any command.

use super::{FlagValue, Invocation, go_flag, invocations};
use crate::compose::{
    ComposeFile, EnvVar, FileId, Origin, Service, Source as FileSource, normalize_path,
};
use crate::source::Span;
use crate::yaml::{NodeId, ScalarStyle, Tree};

/// Which etcd image a service uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// The etcd project's own image (quay.io/coreos/etcd, gcr.io/etcd-development/etcd).
    Official,
    /// bitnami/etcd or an image built on it (milvusdb/etcd).
    Bitnami,
    /// Another image whose command runs `etcd`.
    Other,
}

const OFFICIAL_IMAGES: &[&str] = &["quay.io/coreos/etcd", "gcr.io/etcd-development/etcd"];
const BITNAMI_IMAGES: &[&str] = &["bitnami/etcd", "bitnamilegacy/etcd", "milvusdb/etcd"];

/// Working directory of the official images.
pub const OFFICIAL_WORKDIR: &str = "/var/lib/etcd";
/// Working directory of the bitnami image.
pub const BITNAMI_WORKDIR: &str = "/opt/bitnami/etcd";
/// Where bitnami's start-up scripts put the data.
pub const BITNAMI_DATA_DIR: &str = "/bitnami/etcd/data";
/// The flags whose `ETCD_*` variables the bitnami entrypoint exports before running the
/// command (rootfs/opt/bitnami/scripts/etcd-env.sh, entrypoint.sh).
pub const BITNAMI_EXPORTED: &[&str] = &["data-dir", "listen-client-urls", "advertise-client-urls"];

/// Go-flag booleans of etcd: they take no separate value argument.
const BOOLEAN_FLAGS: &[&str] = &[
    "enable-v2",
    "enable-pprof",
    "debug",
    "force-new-cluster",
    "strict-reconfig-check",
    "unsafe-no-fsync",
    "client-cert-auth",
    "peer-client-cert-auth",
    "auto-tls",
    "peer-auto-tls",
    "enable-grpc-gateway",
    "enable-log-rotation",
    "socket-reuse-port",
    "socket-reuse-address",
    "pre-vote",
    "version",
    "help",
    "h",
];

/// Where a setting's value comes from.
#[derive(Clone, Debug)]
pub enum Source {
    /// A command-line flag.
    Flag(FlagValue),
    /// An `ETCD_*` environment variable.
    Env(Box<EnvVar>),
    /// etcd's or the image's default.
    Default,
    /// Fixed by the image's start-up scripts, whatever the file says.
    Image,
    /// A key of the etcd config file etcd reads (a host file of the project, mounted).
    File(Box<FromFile>),
    /// Not set in the etcd config file etcd reads: etcd's built-in default for a config file,
    /// which is not always the flag's (`auto-compaction-mode` is empty, not `periodic`).
    FileDefault(Box<FileDefault>),
}

/// A setting read from a mounted etcd config file.
#[derive(Clone, Debug)]
pub struct FromFile {
    pub setting: FileSetting,
    /// The mount that puts the file where etcd reads it (for a file bitnami's set-up writes
    /// from `ETCD_CFG_*`, the first of those variables).
    pub mount: Origin,
    /// What `mount` is, for messages.
    pub what: &'static str,
}

/// A setting the mounted etcd config file leaves out.
#[derive(Clone, Debug)]
pub struct FileDefault {
    /// Where the file's settings start (its first key, or its beginning).
    pub at: Origin,
    pub mount: Origin,
    pub what: &'static str,
}

/// A setting etcd will use, with where it came from.
#[derive(Clone, Debug)]
pub struct Setting {
    pub value: String,
    pub source: Source,
}

impl Setting {
    /// Where a finding about the value points, if the value is written somewhere: the
    /// `.env` or env file line that decided it, the use of an alias it came through, or where
    /// it is written.
    pub fn origin(&self) -> Option<Origin> {
        match &self.source {
            Source::Flag(f) => Some(f.place()),
            Source::Env(v) => Some(v.value.as_ref().map_or(v.entry, |t| t.place())),
            Source::File(f) => Some(f.setting.origin),
            Source::FileDefault(d) => Some(d.at),
            Source::Default | Source::Image => None,
        }
    }

    /// Whether the value comes from (or is left out of) a mounted etcd config file.
    pub fn in_config_file(&self) -> bool {
        matches!(self.source, Source::File(_) | Source::FileDefault(_))
    }

    /// The other places that explain the value (see [`crate::compose::Text::explain`]).
    pub fn explain(&self) -> Vec<(Origin, String)> {
        match &self.source {
            Source::Flag(f) => f.explain(),
            Source::Env(v) => v.value.as_ref().map_or_else(Vec::new, |t| t.explain()),
            Source::File(f) => vec![(f.mount, f.what.to_string())],
            Source::FileDefault(d) => vec![(d.mount, d.what.to_string())],
            Source::Default | Source::Image => Vec::new(),
        }
    }

    /// The value as written, when variables gave it.
    pub fn provenance(&self, paths: &dyn Fn(crate::compose::FileId) -> String) -> Option<String> {
        match &self.source {
            Source::Env(v) => v.value.as_ref().and_then(|t| t.provenance(paths)),
            _ => None,
        }
    }

    pub fn is_default(&self) -> bool {
        matches!(self.source, Source::Default | Source::FileDefault(_))
    }
}

/// A service that runs an etcd server.
#[derive(Clone, Debug)]
pub struct Etcd<'a> {
    pub service: &'a Service,
    pub flavor: Flavor,
    /// The `etcd` command line, when the file gives one; `None` when the image's own start-up
    /// runs etcd.
    pub invocation: Option<Invocation<'a>>,
    /// The config file etcd reads, when it is a host file of the project mounted where etcd
    /// looks (set by [`Etcd::with_config_file`]).
    pub config: Option<Box<MountedConfig>>,
}

impl<'a> Etcd<'a> {
    /// The etcd server a service runs, if it runs one: an etcd image started with its default
    /// command or an `etcd` command, or any image whose command runs `etcd`.
    pub fn detect(service: &'a Service) -> Option<Etcd<'a>> {
        let image = service.image_ref();
        let flavor = match image {
            Some(i) if OFFICIAL_IMAGES.iter().any(|n| i.is(n)) => Some(Flavor::Official),
            Some(i) if BITNAMI_IMAGES.iter().any(|n| i.is(n)) => Some(Flavor::Bitnami),
            _ => None,
        };
        let mut runs = invocations(service);
        if let Some(i) = runs.iter().position(|i| i.program() == Some("etcd")) {
            return Some(Etcd {
                service,
                flavor: flavor.unwrap_or(Flavor::Other),
                invocation: Some(runs.swap_remove(i)),
                config: None,
            });
        }
        let flavor = flavor?;
        // An etcd image started with something else (etcdctl, a shell) is not a server, unless
        // it is bitnami's own start-up script.
        let default_start = runs.is_empty()
            || (flavor == Flavor::Bitnami
                && runs
                    .iter()
                    .any(|i| i.args.iter().any(|a| a.value.contains("/scripts/etcd/"))));
        default_start.then_some(Etcd {
            service,
            flavor,
            invocation: None,
            config: None,
        })
    }

    /// Whether bitnami's scripts start etcd (and so fix its data dir).
    pub fn bitnami_scripts(&self) -> bool {
        self.flavor == Flavor::Bitnami && self.invocation.is_none()
    }

    /// Whether the bitnami (or milvusdb) entrypoint runs before the command: it exports
    /// [`BITNAMI_EXPORTED`] whatever the command is, so etcd's data dir is always
    /// `/bitnami/etcd/data` (a `--data-dir` flag makes etcd exit on the conflict).
    pub fn bitnami_entrypoint(&self) -> bool {
        self.flavor == Flavor::Bitnami && self.service.entrypoint.is_none()
    }

    /// The `ETCD_*` variables the bitnami entrypoint exports that are also given as flags on
    /// the command line: etcd exits at start. `(flag, variable)`.
    pub fn bitnami_exported_conflicts(&self) -> Vec<(&'static str, FlagValue)> {
        if !self.bitnami_entrypoint() {
            return Vec::new();
        }
        BITNAMI_EXPORTED
            .iter()
            .filter_map(|&f| self.flag(f).map(|v| (f, v)))
            .collect()
    }

    /// The command-line flag `name`, if the command gives it.
    pub fn flag_value(&self, name: &str) -> Option<FlagValue> {
        self.flag(name)
    }

    /// Every flag on etcd's command line, by name (`data-dir`), in order, the last occurrence
    /// of each.
    pub fn flags(&self) -> Vec<(String, FlagValue)> {
        let Some(inv) = &self.invocation else {
            return Vec::new();
        };
        let args = inv.args.get(1..).unwrap_or(&[]);
        let mut names: Vec<String> = Vec::new();
        for a in args {
            if a.value == "--" || !a.value.starts_with('-') {
                continue;
            }
            let body = a.value.trim_start_matches('-');
            let name = body.split_once('=').map_or(body, |(n, _)| n);
            if !name.is_empty() && !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
        names
            .into_iter()
            .filter_map(|n| self.flag(&n).map(|v| (n, v)))
            .collect()
    }

    /// Whether a boolean flag is on (`--unsafe-no-fsync`, `--unsafe-no-fsync=true`).
    pub fn bool_flag(&self, name: &str) -> Option<Origin> {
        let inv = self.invocation.as_ref()?;
        let args = inv.args.get(1..).unwrap_or(&[]);
        let mut found = None;
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            if a.value == "--" || !a.value.starts_with('-') {
                break;
            }
            let body = a.value.trim_start_matches('-');
            match body.split_once('=') {
                Some((n, v)) if n == name => {
                    found =
                        matches!(v, "true" | "1" | "t" | "T" | "TRUE" | "True").then_some(a.origin)
                }
                None if body == name => found = Some(a.origin),
                // Another flag's separate value.
                None if !BOOLEAN_FLAGS.contains(&body)
                    && args.get(i + 1).is_some_and(|n| !n.value.starts_with('-')) =>
                {
                    i += 1
                }
                _ => {}
            }
            i += 1;
        }
        found
    }

    /// The `ETCD_*` variable for flag `name`, when set to a non-empty value.
    pub fn env_var(&self, name: &str) -> Option<EnvVar> {
        self.env(name)
    }

    fn flag(&self, name: &str) -> Option<FlagValue> {
        let inv = self.invocation.as_ref()?;
        go_flag(inv.args.get(1..).unwrap_or(&[]), name, BOOLEAN_FLAGS)
    }

    fn env(&self, name: &str) -> Option<EnvVar> {
        let mut var = String::with_capacity(5 + name.len());
        var.push_str("ETCD_");
        var.extend(name.chars().map(|c| match c {
            '-' => '_',
            c => c.to_ascii_uppercase(),
        }));
        self.service
            .environment
            .get(&var)
            .filter(|v| v.value.as_ref().is_some_and(|t| !t.value.is_empty()))
            .cloned()
    }

    /// The value of a flag as etcd resolves it: the command-line flag, else its `ETCD_*`
    /// variable when not empty. `None` when neither is set.
    ///
    /// When etcd reads a mounted config file of the project ([`Etcd::config`]), the value is
    /// that file's key, and `None` when the file does not set it: flags and variables are
    /// ignored then.
    pub fn setting(&self, flag: &str) -> Option<Setting> {
        if let Some(c) = &self.config {
            return c.setting(flag);
        }
        self.command_line_setting(flag)
    }

    /// The value a flag or its `ETCD_*` variable gives, config file or not.
    fn command_line_setting(&self, flag: &str) -> Option<Setting> {
        if let Some(f) = self.flag(flag) {
            return Some(Setting {
                value: f.value.clone(),
                source: Source::Flag(f),
            });
        }
        self.env(flag).map(|v| Setting {
            value: v
                .value
                .as_ref()
                .map(|t| t.value.clone())
                .unwrap_or_default(),
            source: Source::Env(Box::new(v)),
        })
    }

    /// The `ETCD_*` variable that is set although the flag is on the command line: etcd refuses
    /// to start ("conflicting environment variable is shadowed by corresponding command-line
    /// flag").
    pub fn shadowed_env(&self, flag: &str) -> Option<EnvVar> {
        self.flag(flag)?;
        self.env(flag)
    }

    /// `--config-file`: when set, etcd ignores every other flag and variable.
    pub fn config_file(&self) -> Option<Setting> {
        self.command_line_setting("config-file")
    }

    /// Whether etcd is told to read a config file (`--config-file`, `ETCD_CONFIG_FILE`) whose
    /// settings milvet cannot see (not a host file of the project mounted there): nothing can
    /// be said of its settings then.
    pub fn settings_unknown(&self) -> bool {
        self.config.is_none() && self.config_file().is_some()
    }

    /// The host file of etcd's config file, as shown, when etcd reads one of the project.
    pub fn config_host(&self) -> Option<String> {
        self.config.as_ref().map(|c| c.host.display().to_string())
    }

    /// The config file's setting for `key`, or its default when the file leaves it out.
    fn file_setting_or(&self, key: &str, default: &str) -> Option<Setting> {
        let c = self.config.as_ref()?;
        Some(c.setting(key).unwrap_or_else(|| c.default(default)))
    }

    /// The working directory etcd starts in.
    pub fn working_dir(&self) -> Option<String> {
        if let Some(w) = &self.service.working_dir {
            return Some(w.value.clone());
        }
        match self.flavor {
            // v3.5.0-v3.5.6 set no WORKDIR (`/`), v3.5.7 on `/var/lib/etcd`: the image table.
            Flavor::Official => self
                .service
                .image_ref()
                .and_then(super::images::contents)
                .and_then(|c| c.workdir())
                .map(str::to_string),
            Flavor::Bitnami => Some(BITNAMI_WORKDIR.into()),
            Flavor::Other => None,
        }
    }

    /// The data directory etcd will use, as an absolute path when it can be known.
    pub fn data_dir(&self) -> DataDir {
        // A config file replaces the bitnami entrypoint's `ETCD_DATA_DIR` too.
        if self.config.is_none() && (self.bitnami_scripts() || self.bitnami_entrypoint()) {
            return DataDir {
                path: Some(BITNAMI_DATA_DIR.into()),
                written: BITNAMI_DATA_DIR.into(),
                setting: Setting {
                    value: BITNAMI_DATA_DIR.into(),
                    source: Source::Image,
                },
            };
        }
        let setting = self
            .setting("data-dir")
            .filter(|s| !s.value.is_empty())
            .unwrap_or_else(|| {
                let name = self
                    .setting("name")
                    .filter(|s| !s.value.is_empty())
                    .map_or_else(|| "default".to_string(), |s| s.value);
                match &self.config {
                    Some(c) => c.default(&format!("{name}.etcd")),
                    None => Setting {
                        value: format!("{name}.etcd"),
                        source: Source::Default,
                    },
                }
            });
        let written = setting.value.clone();
        let path = if written.starts_with('/') {
            Some(normalize_path(&written))
        } else {
            self.working_dir()
                .map(|w| normalize_path(&format!("{w}/{written}")))
        };
        DataDir {
            path,
            written,
            setting,
        }
    }

    /// The auto-compaction mode etcd will use (`periodic` when nothing is set).
    ///
    /// In a config file the mode has no default: left out, it is empty, and an integer
    /// retention then compacts nothing (server/embed/etcd.go `parseCompactionRetention`).
    pub fn compaction_mode(&self) -> Setting {
        if let Some(s) = self.file_setting_or("auto-compaction-mode", "") {
            return s;
        }
        self.setting("auto-compaction-mode")
            .unwrap_or_else(|| Setting {
                value: "periodic".into(),
                source: Source::Default,
            })
    }

    /// The auto-compaction retention etcd will use (`0`, no compaction, when nothing is set).
    pub fn compaction_retention(&self) -> Setting {
        if let Some(s) = self.file_setting_or("auto-compaction-retention", "0") {
            return s;
        }
        self.setting("auto-compaction-retention")
            .unwrap_or_else(|| Setting {
                value: "0".into(),
                source: Source::Default,
            })
    }
}

/// The data directory of an etcd server.
#[derive(Clone, Debug)]
pub struct DataDir {
    /// Absolute path in the container, if known (a relative dir in an unknown working dir is
    /// not).
    pub path: Option<String>,
    /// The directory as written or defaulted (`/etcd`, `default.etcd`).
    pub written: String,
    pub setting: Setting,
}

/// How etcd reads an `--auto-compaction-retention` value (server/embed/etcd.go,
/// parseCompactionRetention).
#[derive(Clone, Debug, PartialEq)]
pub enum Retention {
    /// A non-negative integer: a revision count in revision mode, hours in periodic mode.
    Integer(u64),
    /// A Go duration such as `1h` or `30m`, with its length in nanoseconds.
    Duration(u128),
    /// Neither: etcd exits at start.
    Invalid,
}

impl Retention {
    /// etcd does not trim the value: `"1000 "` is neither an integer nor a duration.
    pub fn parse(value: &str) -> Retention {
        let v = value;
        if let Ok(n) = v.parse::<u64>() {
            return Retention::Integer(n);
        }
        match parse_go_duration(v) {
            Some(ns) => Retention::Duration(ns),
            None => Retention::Invalid,
        }
    }
}

/// Parse a Go `time.ParseDuration` string into nanoseconds (negative durations are `None`;
/// etcd rejects them).
pub fn parse_go_duration(s: &str) -> Option<u128> {
    let s = s.strip_prefix('+').unwrap_or(s);
    if s == "0" {
        return Some(0);
    }
    if s.is_empty() || s.starts_with('-') {
        return None;
    }
    let mut total: f64 = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let number: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += number * scale;
    }
    Some(total as u128)
}

/// etcd server flags whose `ETCD_*` variables a config file makes etcd ignore (the common ones;
/// etcd-io/etcd server/etcdmain/config.go). Variables of other programs or of the bitnami
/// scripts (`ETCD_ROOT_PASSWORD`, `ETCD_CFG_*`, `ETCDCTL_API`) are not etcd's settings.
pub const SERVER_FLAGS: &[&str] = &[
    "name",
    "data-dir",
    "wal-dir",
    "snapshot-count",
    "heartbeat-interval",
    "election-timeout",
    "quota-backend-bytes",
    "max-request-bytes",
    "listen-peer-urls",
    "listen-client-urls",
    "initial-advertise-peer-urls",
    "advertise-client-urls",
    "initial-cluster",
    "initial-cluster-state",
    "initial-cluster-token",
    "auto-compaction-mode",
    "auto-compaction-retention",
    "unsafe-no-fsync",
    "enable-v2",
    "log-level",
    "logger",
    "log-outputs",
    "max-snapshots",
    "max-wals",
    "metrics",
    "listen-metrics-urls",
    "client-cert-auth",
    "cert-file",
    "key-file",
    "trusted-ca-file",
    "auto-tls",
    "enable-pprof",
];

/// Where bitnami's run script looks for a config file, which it passes with `--config-file`
/// when the file exists.
pub const BITNAMI_CONFIG_FILE: &str = "/opt/bitnami/etcd/conf/etcd.yaml";

impl<'a> Etcd<'a> {
    /// The config file etcd will read, and what says so: `--config-file` / `ETCD_CONFIG_FILE`,
    /// or, for bitnami's scripts, a file mounted at [`BITNAMI_CONFIG_FILE`] or generated from
    /// `ETCD_CFG_*` variables.
    pub fn config_in_use(&self) -> Option<(String, Origin)> {
        if let Some(s) = self.config_file() {
            let origin = s.origin().unwrap_or_else(|| {
                self.service
                    .image
                    .as_ref()
                    .map_or(self.service.name.origin, |(_, t)| t.origin)
            });
            return Some((s.value, origin));
        }
        if !self.bitnami_scripts() {
            return None;
        }
        if let Some(c) = &self.config {
            return Some((c.container_path.clone(), c.mount));
        }
        if let Some(m) = self
            .service
            .mounts
            .iter()
            .find(|m| normalize_path(&m.target.value) == BITNAMI_CONFIG_FILE)
        {
            return Some((BITNAMI_CONFIG_FILE.into(), m.origin));
        }
        self.service
            .environment
            .vars
            .iter()
            .find(|v| {
                v.name.value.starts_with("ETCD_CFG_")
                    && v.value.as_ref().is_some_and(|t| !t.value.is_empty())
            })
            .map(|v| (BITNAMI_CONFIG_FILE.to_string(), v.entry))
    }

    /// The settings etcd ignores because a config file is in use: the other flags of its
    /// command and the `ETCD_*` variables of its server flags, with where they are written.
    pub fn ignored_settings(&self) -> Vec<(String, Origin)> {
        let mut out: Vec<(String, Origin)> = self
            .flags()
            .into_iter()
            .filter(|(n, _)| n != "config-file")
            .map(|(n, v)| (format!("--{n}"), v.flag))
            .collect();
        for flag in SERVER_FLAGS {
            // bitnami's scripts set these themselves; they are not the user's.
            if self.bitnami_scripts() && BITNAMI_EXPORTED.contains(flag) {
                continue;
            }
            if let Some(v) = self.env(flag) {
                out.push((v.name.value.clone(), v.entry));
            }
        }
        out
    }
}

/// etcd's default `--listen-client-urls` (server/embed/config.go `DefaultListenClientURLs`):
/// the loopback interface only.
pub const DEFAULT_LISTEN_CLIENT_URLS: &str = "http://localhost:2379";
/// What bitnami's environment script exports when `ETCD_LISTEN_CLIENT_URLS` is not set
/// (rootfs/opt/bitnami/scripts/etcd-env.sh).
pub const BITNAMI_LISTEN_CLIENT_URLS: &str = "http://0.0.0.0:2379";

impl<'a> Etcd<'a> {
    /// Where etcd listens for clients inside its container: `--listen-client-urls`, else
    /// `ETCD_LISTEN_CLIENT_URLS`, else the default (bitnami's scripts export `0.0.0.0:2379`
    /// when the variable is not set, etcd's own default is `localhost:2379`). `None` when a
    /// config file decides it, or when the value has no address with a port.
    pub fn client_listening(&self) -> Option<super::network::Listening> {
        use super::network::Listening;
        // A config file milvet cannot read decides it.
        if self.config.is_none() && self.config_in_use().is_some() {
            return None;
        }
        let (value, origin, what) = match self.setting("listen-client-urls") {
            Some(s) => {
                let what = match &s.source {
                    Source::Flag(_) => format!("`--listen-client-urls {}`", s.value),
                    Source::File(_) => format!(
                        "`listen-client-urls: {}` in etcd's config file `{}`",
                        s.value,
                        self.config_host().unwrap_or_default()
                    ),
                    _ => format!("`ETCD_LISTEN_CLIENT_URLS={}`", s.value),
                };
                (s.value.clone(), s.origin(), what)
            }
            // etcd reads only the file: its default, whatever the image exports.
            None if self.config.is_some() => (
                DEFAULT_LISTEN_CLIENT_URLS.to_string(),
                self.config.as_ref().map(|c| c.settings.start),
                format!(
                    "etcd's default `{DEFAULT_LISTEN_CLIENT_URLS}`: its config file `{}` sets no \
                     `listen-client-urls`",
                    self.config_host().unwrap_or_default()
                ),
            ),
            None if self.bitnami_entrypoint() => (
                BITNAMI_LISTEN_CLIENT_URLS.to_string(),
                None,
                format!(
                    "the bitnami image's default `ETCD_LISTEN_CLIENT_URLS={BITNAMI_LISTEN_CLIENT_URLS}`"
                ),
            ),
            None => (
                DEFAULT_LISTEN_CLIENT_URLS.to_string(),
                None,
                format!(
                    "etcd's default `--listen-client-urls {DEFAULT_LISTEN_CLIENT_URLS}`: neither \
                     `--listen-client-urls` nor `ETCD_LISTEN_CLIENT_URLS` is set"
                ),
            ),
        };
        let listeners = Listening::from_urls(&value);
        (!listeners.is_empty()).then_some(Listening {
            listeners,
            origin,
            what,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_integers() {
        assert_eq!(parse_go_int("4294967296"), Some(4294967296));
        assert_eq!(parse_go_int("0x100000000"), Some(4294967296));
        assert_eq!(parse_go_int("0"), Some(0));
        assert_eq!(parse_go_int("010"), Some(8));
        assert_eq!(parse_go_int("8_589_934_592"), Some(8589934592));
        assert_eq!(parse_go_int("4G"), None);
        assert_eq!(parse_go_int(""), None);
    }

    #[test]
    fn config_file_keys_as_etcd_reads_them() {
        let text = "name: one
data-dir: \"/etcd\"
auto-compaction-retention: 1000
auto-compaction-mode: revision
unsafe-no-fsync: \"true\"
quota-backend-bytes: 0x100000000
snapshot-count: 5e4
max-wals: 1.5
enable-v2: on
log-level: ~
data-dir: /etcd2
nested:
  data-dir: /no
";
        let tree = crate::yaml::parse(text, &crate::yaml::Limits::default()).unwrap();
        let f = config_file_settings(&tree, text, FileId(3));
        let value = |k: &str| f.get(k).map(|s| s.value.clone());
        assert_eq!(value("name"), Some(Some("one".into())));
        // The last of a key written twice.
        assert_eq!(value("data-dir"), Some(Some("/etcd2".into())));
        // A YAML integer for a string field is its text.
        assert_eq!(
            value("auto-compaction-retention"),
            Some(Some("1000".into()))
        );
        // A quoted string for a boolean field: etcd refuses it.
        assert_eq!(value("unsafe-no-fsync"), Some(None));
        assert!(f.unsafe_no_fsync().is_none());
        assert_eq!(
            value("quota-backend-bytes"),
            Some(Some("4294967296".into()))
        );
        // A float for an integer field: taken when whole, refused otherwise.
        assert_eq!(value("snapshot-count"), Some(Some("50000".into())));
        assert_eq!(value("max-wals"), Some(None));
        assert_eq!(value("enable-v2"), Some(Some("true".into())));
        // A null sets nothing.
        assert_eq!(value("log-level"), None);
        // Only top-level keys.
        assert_eq!(f.settings.iter().filter(|s| s.key == "data-dir").count(), 2);
        let r = f.get("auto-compaction-retention").unwrap();
        assert_eq!(r.origin.file, FileId(3));
        assert_eq!(r.origin.span.slice(text), "1000");
        assert_eq!(r.entry.span.slice(text), "auto-compaction-retention: 1000");
        assert_eq!(f.start.span.slice(text), "name");
        let on = "unsafe-no-fsync: yes\n";
        let tree = crate::yaml::parse(on, &crate::yaml::Limits::default()).unwrap();
        let f = config_file_settings(&tree, on, FileId(0));
        assert_eq!(f.unsafe_no_fsync().unwrap().origin.span.slice(on), "yes");
        let empty = "";
        let tree = crate::yaml::parse(empty, &crate::yaml::Limits::default()).unwrap();
        let f = config_file_settings(&tree, empty, FileId(0));
        assert!(f.settings.is_empty());
        assert_eq!(flag_of("ETCD_AUTO_COMPACTION_MODE"), "auto-compaction-mode");
        assert_eq!(flag_of("--data-dir"), "data-dir");
    }

    #[test]
    fn retention_forms() {
        assert_eq!(Retention::parse("1000"), Retention::Integer(1000));
        assert_eq!(Retention::parse("0"), Retention::Integer(0));
        assert_eq!(
            Retention::parse("1h"),
            Retention::Duration(3_600_000_000_000)
        );
        assert_eq!(
            Retention::parse("1h30m"),
            Retention::Duration(5_400_000_000_000)
        );
        assert_eq!(Retention::parse("1.5s"), Retention::Duration(1_500_000_000));
        assert_eq!(Retention::parse("-5"), Retention::Invalid);
        assert_eq!(Retention::parse("lots"), Retention::Invalid);
        assert_eq!(Retention::parse("5"), Retention::Integer(5));
        assert_eq!(Retention::parse("10x"), Retention::Invalid);
    }
}

/// The keys of etcd's config file whose field is a boolean (server/embed/config.go,
/// `embed.Config` JSON tags); others listed in [`INTEGER_KEYS`] are integers, the rest strings.
const BOOLEAN_KEYS: &[&str] = &[
    "unsafe-no-fsync",
    "enable-v2",
    "enable-pprof",
    "force-new-cluster",
    "strict-reconfig-check",
    "enable-grpc-gateway",
    "pre-vote",
    "enable-log-rotation",
    "socket-reuse-port",
    "socket-reuse-address",
];

/// The keys of etcd's config file whose field is an integer.
const INTEGER_KEYS: &[&str] = &[
    "quota-backend-bytes",
    "snapshot-count",
    "max-snapshots",
    "max-wals",
    "max-request-bytes",
    "heartbeat-interval",
    "election-timeout",
    "max-txn-ops",
    "backend-batch-limit",
];

/// One top-level key of an etcd config file.
#[derive(Clone, Debug)]
pub struct FileSetting {
    pub key: String,
    /// The value as etcd reads it into its field: a string field takes a YAML number or
    /// boolean as its text (`1000` is `"1000"`), an integer field a YAML integer (`0x10` is
    /// `16`), a boolean field a YAML 1.1 boolean (`yes`, `on`, `true`). `None` when the field
    /// refuses it (a quoted `"true"` for a boolean, a mapping for a string): etcd exits at start.
    pub value: Option<String>,
    /// The value as written, quotes removed.
    pub raw: String,
    /// Where the value is written.
    pub origin: Origin,
    /// The whole `key: value`.
    pub entry: Origin,
    /// The value's node (`None` for a key bitnami's set-up writes from an `ETCD_CFG_*`
    /// variable).
    pub node: Option<NodeId>,
}

/// What an etcd config file sets, read as etcd reads it: `sigs.k8s.io/yaml` (YAML 1.1 with
/// go-yaml v2, then JSON) into `embed.Config` (server/embed/config.go `configFromFile`). Only
/// the top-level mapping counts; a key written twice takes its last value; a null is no value.
#[derive(Clone, Debug)]
pub struct EtcdFileSettings {
    pub file: FileId,
    /// Where a finding about a key the file leaves out points: its first key, else its start.
    pub start: Origin,
    pub settings: Vec<FileSetting>,
}

impl EtcdFileSettings {
    /// The setting for `key` (`data-dir`, `auto-compaction-mode`).
    pub fn get(&self, key: &str) -> Option<&FileSetting> {
        self.settings.iter().rev().find(|s| s.key == key)
    }

    /// Whether the file turns `--unsafe-no-fsync` on, and where.
    pub fn unsafe_no_fsync(&self) -> Option<&FileSetting> {
        self.get("unsafe-no-fsync")
            .filter(|s| s.value.as_deref() == Some("true"))
    }
}

/// Read the settings of an etcd YAML config file (the parsed `tree` of file `file`, whose text
/// is `text`). A file that is not a mapping sets nothing.
pub fn config_file_settings(tree: &Tree, text: &str, file: FileId) -> EtcdFileSettings {
    let origin = |span: Span| Origin { file, span };
    let root = tree.documents.first().and_then(|d| d.root);
    let mut settings = Vec::new();
    let mut start = origin(Span::empty(0));
    if let Some(root) = root
        && let Some(entries) = tree.entries(root)
    {
        if let Some(first) = entries.first() {
            start = origin(tree.span(first.key));
        }
        for e in entries {
            let Some(key) = tree.scalar(e.key) else {
                continue;
            };
            if tree.is_null(e.value) {
                continue;
            }
            let value_span = tree.span(e.value);
            let (raw, value) = match tree.scalar_with_style(e.value) {
                Some((v, style)) => (v.to_string(), yaml_v2_field(key, v, style)),
                None => (value_span.slice(text).to_string(), None),
            };
            settings.push(FileSetting {
                key: key.to_string(),
                value,
                raw,
                origin: origin(value_span),
                entry: origin(tree.span(e.key).join(value_span)),
                node: Some(e.value),
            });
        }
    }
    EtcdFileSettings {
        file,
        start,
        settings,
    }
}

/// Whether bitnami's set-up writes an `ETCD_CFG_*` value unquoted: it matches
/// `^[+-]?[0-9]+([.][0-9]+)?$` or is `true` / `false`.
fn looks_raw(v: &str) -> bool {
    if v == "true" || v == "false" {
        return true;
    }
    let body = v.strip_prefix(['+', '-']).unwrap_or(v);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(int) && frac.is_none_or(digits)
}

/// How a scalar reaches `embed.Config`'s field for `key`.
fn yaml_v2_field(key: &str, v: &str, style: ScalarStyle) -> Option<String> {
    let plain = style == ScalarStyle::Plain;
    if BOOLEAN_KEYS.contains(&key) {
        return plain
            .then(|| yaml_v2_bool(v))
            .flatten()
            .map(|b| b.to_string());
    }
    if INTEGER_KEYS.contains(&key) {
        // A YAML float reaches the field through JSON: whole ones are taken (`5e4`).
        let whole_float = || {
            let f: f64 = v
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
                .then(|| v.parse().ok())
                .flatten()?;
            (f.fract() == 0.0 && f.abs() < 9.2e18).then_some(f as i128)
        };
        return plain
            .then(|| parse_go_int(v).or_else(whole_float))
            .flatten()
            .map(|n| n.to_string());
    }
    // A string field: an integer is written back in decimal, a boolean as `true`/`false`.
    if plain {
        if let Some(n) = parse_go_int(v) {
            return Some(n.to_string());
        }
        if let Some(b) = yaml_v2_bool(v) {
            return Some(b.to_string());
        }
    }
    Some(v.to_string())
}

/// A YAML 1.1 boolean as go-yaml v2 resolves a plain scalar.
fn yaml_v2_bool(v: &str) -> Option<bool> {
    match v {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Some(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Some(false)
        }
        _ => None,
    }
}

/// An integer as Go's `strconv.ParseInt(s, 0, 64)` reads it (go-yaml v2 too, after removing
/// `_`): decimal, `0x` hex, `0o`/`0` octal, `0b` binary.
pub fn parse_go_int(s: &str) -> Option<i128> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (radix, digits) = if let Some(r) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (16, r)
    } else if let Some(r) = s.strip_prefix("0b").or_else(|| s.strip_prefix("0B")) {
        (2, r)
    } else if let Some(r) = s.strip_prefix("0o").or_else(|| s.strip_prefix("0O")) {
        (8, r)
    } else if s.len() > 1 && s.starts_with('0') {
        (8, &s[1..])
    } else {
        (10, s)
    };
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if clean.is_empty() {
        return None;
    }
    let v = i128::from_str_radix(&clean, radix).ok()?;
    (v <= i64::MAX as i128).then_some(if neg { -v } else { v })
}

/// The flag (`data-dir`) an ignored setting's name stands for: `--data-dir` or
/// `ETCD_DATA_DIR`, as [`Etcd::ignored_settings`] names them.
pub fn flag_of(setting: &str) -> String {
    match setting.strip_prefix("ETCD_") {
        Some(var) => var.to_ascii_lowercase().replace('_', "-"),
        None => setting.trim_start_matches('-').to_string(),
    }
}

/// The etcd config file a service's etcd reads, when it is a host file of the project that a
/// bind mount puts where etcd looks.
#[derive(Clone, Debug)]
pub struct MountedConfig {
    /// Where etcd reads it in the container.
    pub container_path: String,
    /// The host file, as shown (the container path for a file bitnami's set-up writes).
    pub host: std::path::PathBuf,
    /// The mount item (the first `ETCD_CFG_*` variable for a file bitnami's set-up writes).
    pub mount: Origin,
    /// What `mount` is, for messages: [`MOUNTED_HERE`] or [`WRITTEN_FROM_CFG`].
    pub what: &'static str,
    pub settings: EtcdFileSettings,
}

/// The related-place label of a mounted config file.
pub const MOUNTED_HERE: &str = "etcd's config file, mounted here";
/// The related-place label of the config file bitnami's set-up writes from `ETCD_CFG_*`.
pub const WRITTEN_FROM_CFG: &str =
    "etcd's config file, which bitnami's set-up writes from the `ETCD_CFG_*` variables";

impl MountedConfig {
    fn setting(&self, key: &str) -> Option<Setting> {
        let s = self.settings.get(key)?;
        Some(Setting {
            value: s.value.clone().unwrap_or_else(|| s.raw.clone()),
            source: Source::File(Box::new(FromFile {
                setting: s.clone(),
                mount: self.mount,
                what: self.what,
            })),
        })
    }

    fn default(&self, value: &str) -> Setting {
        Setting {
            value: value.to_string(),
            source: Source::FileDefault(Box::new(FileDefault {
                at: self.settings.start,
                mount: self.mount,
                what: self.what,
            })),
        }
    }
}

/// The container paths where a service's etcd reads a config file that a project could mount
/// from the host: `--config-file` / `ETCD_CONFIG_FILE` (a relative one in the working
/// directory), or bitnami's `/opt/bitnami/etcd/conf/etcd.yaml` for its scripts. Read by
/// [`crate::mounted`].
pub fn config_paths(service: &Service) -> Vec<String> {
    // Asked of every service of every project: rule out, cheaply, those that cannot name one.
    let names_one = service.environment.get("ETCD_CONFIG_FILE").is_some()
        || service
            .image_ref()
            .is_some_and(|i| BITNAMI_IMAGES.iter().any(|n| i.is(n)))
        || [&service.command, &service.entrypoint]
            .into_iter()
            .any(|c| {
                c.as_ref()
                    .is_some_and(|c| c.args.iter().any(|a| a.value.contains("config-file")))
            });
    if !names_one {
        return Vec::new();
    }
    let Some(etcd) = Etcd::detect(service) else {
        return Vec::new();
    };
    etcd.config_path().into_iter().collect()
}

impl<'a> Etcd<'a> {
    /// The absolute container path of the config file etcd is told to read, or bitnami's.
    fn config_path(&self) -> Option<String> {
        if let Some(s) = self.config_file() {
            if s.value.starts_with('/') {
                return Some(normalize_path(&s.value));
            }
            let dir = self.working_dir()?;
            return Some(normalize_path(&format!("{dir}/{}", s.value)));
        }
        self.bitnami_scripts()
            .then(|| BITNAMI_CONFIG_FILE.to_string())
    }

    /// The same server, reading the config file `model` mounts from the project where etcd
    /// looks for it, if it does (`sources` are the project's files, by [`FileId`]).
    pub fn with_config_file(mut self, model: &ComposeFile, sources: &[FileSource<'_>]) -> Etcd<'a> {
        let Some(path) = self.config_path() else {
            return self;
        };
        let found = model.mounted.iter().find(|m| {
            m.service == self.service.name.value && normalize_path(&m.container_path) == path
        });
        if let Some(m) = found
            && let Some(file) = m.file()
            && let Some(src) = sources.get(file.0 as usize)
        {
            self.config = Some(Box::new(MountedConfig {
                container_path: path,
                host: m.host.clone(),
                mount: m.mount,
                what: MOUNTED_HERE,
                settings: config_file_settings(src.tree, src.text, file),
            }));
        }
        if self.bitnami_scripts()
            && let Some(generated) = self.cfg_settings()
        {
            match &mut self.config {
                // bitnami's set-up writes the `ETCD_CFG_*` keys into the mounted file too.
                Some(c) => c.settings.settings.extend(generated.settings),
                None => {
                    self.config = Some(Box::new(MountedConfig {
                        container_path: BITNAMI_CONFIG_FILE.into(),
                        host: BITNAMI_CONFIG_FILE.into(),
                        mount: generated.start,
                        what: WRITTEN_FROM_CFG,
                        settings: generated,
                    }))
                }
            }
        }
        self
    }

    /// The top-level keys bitnami's set-up writes into `/opt/bitnami/etcd/conf/etcd.yaml`
    /// from the `ETCD_CFG_*` variables (libetcd.sh `etcd_setup_from_environment_variables`,
    /// run by `setup.sh` before etcd starts): each non-empty `ETCD_CFG_NAME` becomes key
    /// `name` (`_` as `-`, lower-cased), written as a YAML number or boolean when the value
    /// looks like one (`^[+-]?[0-9]+([.][0-9]+)?$`, `true`, `false`), else as a quoted string.
    /// The client and peer TLS variables go under `client-transport-security` and
    /// `peer-transport-security` and are left out here. `None` when no such variable is set.
    fn cfg_settings(&self) -> Option<EtcdFileSettings> {
        const NESTED: &[&str] = &[
            "ETCD_CFG_CERT_FILE",
            "ETCD_CFG_KEY_FILE",
            "ETCD_CFG_CLIENT_CERT_AUTH",
            "ETCD_CFG_TRUSTED_CA_FILE",
            "ETCD_CFG_AUTO_TLS",
            "ETCD_CFG_CA_FILE",
        ];
        let mut settings = Vec::new();
        let mut start = None;
        for v in &self.service.environment.vars {
            let Some(rest) = v.name.value.strip_prefix("ETCD_CFG_") else {
                continue;
            };
            let Some(t) = v.value.as_ref().filter(|t| !t.value.is_empty()) else {
                continue;
            };
            start.get_or_insert(v.entry);
            let name = v.name.value.as_str();
            if NESTED.contains(&name) || rest.starts_with("CLIENT_") || rest.starts_with("PEER_") {
                continue;
            }
            let key = rest.replace('_', "-").to_ascii_lowercase();
            let style = if looks_raw(&t.value) {
                ScalarStyle::Plain
            } else {
                ScalarStyle::DoubleQuoted
            };
            settings.push(FileSetting {
                value: yaml_v2_field(&key, &t.value, style),
                key,
                raw: t.value.clone(),
                origin: t.place(),
                entry: v.entry,
                node: None,
            });
        }
        let start = start?;
        Some(EtcdFileSettings {
            file: start.file,
            start,
            settings,
        })
    }
}
