//! etcd: which services run it, and the settings it will actually use.
//!
//! Facts (see `rules/*.md` for sources): every flag can be given as `ETCD_<FLAG>`; a variable
//! applies only when the flag is not on the command line, and empty values are ignored
//! (pkg/flags/flag.go). With `--config-file` every other flag and variable is ignored
//! (server/etcdmain/config.go). The default data dir is `<name>.etcd` in the working directory,
//! `default.etcd` unless `--name` is set (server/etcdmain/etcd.go); the official images
//! (quay.io/coreos/etcd, gcr.io/etcd-development/etcd) work in `/var/lib/etcd` and declare no
//! volume. bitnami/etcd (and milvusdb/etcd, built on it) started through its own scripts keeps
//! its data in `/bitnami/etcd/data` whatever `ETCD_DATA_DIR` says.

use super::{FlagValue, Invocation, go_flag, invocations};
use crate::compose::{EnvVar, Origin, Service, normalize_path};

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
            Source::Default | Source::Image => None,
        }
    }

    /// The other places that explain the value (see [`crate::compose::Text::explain`]).
    pub fn explain(&self) -> Vec<(Origin, String)> {
        match &self.source {
            Source::Flag(f) => f.explain(),
            Source::Env(v) => v.value.as_ref().map_or_else(Vec::new, |t| t.explain()),
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
        matches!(self.source, Source::Default)
    }
}

/// A service that runs an etcd server.
#[derive(Clone, Debug)]
pub struct Etcd<'a> {
    pub service: &'a Service,
    pub flavor: Flavor,
    /// The `etcd` command line, when the file gives one; `None` when the image's own start-up
    /// runs etcd.
    pub invocation: Option<Invocation>,
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
        let runs = invocations(service);
        if let Some(inv) = runs.iter().find(|i| i.program() == Some("etcd")) {
            return Some(Etcd {
                service,
                flavor: flavor.unwrap_or(Flavor::Other),
                invocation: Some(inv.clone()),
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
        })
    }

    /// Whether bitnami's scripts start etcd (and so fix its data dir).
    pub fn bitnami_scripts(&self) -> bool {
        self.flavor == Flavor::Bitnami && self.invocation.is_none()
    }

    fn flag(&self, name: &str) -> Option<FlagValue> {
        let inv = self.invocation.as_ref()?;
        go_flag(inv.args.get(1..).unwrap_or(&[]), name, BOOLEAN_FLAGS)
    }

    fn env(&self, name: &str) -> Option<EnvVar> {
        let var = format!("ETCD_{}", name.to_ascii_uppercase().replace('-', "_"));
        self.service
            .environment
            .get(&var)
            .filter(|v| v.value.as_ref().is_some_and(|t| !t.value.is_empty()))
            .cloned()
    }

    /// The value of a flag as etcd resolves it: the command-line flag, else its `ETCD_*`
    /// variable when not empty. `None` when neither is set.
    pub fn setting(&self, flag: &str) -> Option<Setting> {
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
        self.setting("config-file")
    }

    /// The working directory etcd starts in.
    pub fn working_dir(&self) -> Option<String> {
        if let Some(w) = &self.service.working_dir {
            return Some(w.value.clone());
        }
        match self.flavor {
            Flavor::Official => Some(OFFICIAL_WORKDIR.into()),
            Flavor::Bitnami => Some(BITNAMI_WORKDIR.into()),
            Flavor::Other => None,
        }
    }

    /// The data directory etcd will use, as an absolute path when it can be known.
    pub fn data_dir(&self) -> DataDir {
        if self.bitnami_scripts() {
            return DataDir {
                path: Some(BITNAMI_DATA_DIR.into()),
                written: BITNAMI_DATA_DIR.into(),
                setting: Setting {
                    value: BITNAMI_DATA_DIR.into(),
                    source: Source::Image,
                },
            };
        }
        let setting = self.setting("data-dir").unwrap_or_else(|| {
            let name = self
                .setting("name")
                .map_or_else(|| "default".to_string(), |s| s.value);
            Setting {
                value: format!("{name}.etcd"),
                source: Source::Default,
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
    pub fn compaction_mode(&self) -> Setting {
        self.setting("auto-compaction-mode")
            .unwrap_or_else(|| Setting {
                value: "periodic".into(),
                source: Source::Default,
            })
    }

    /// The auto-compaction retention etcd will use (`0`, no compaction, when nothing is set).
    pub fn compaction_retention(&self) -> Setting {
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

#[cfg(test)]
mod tests {
    use super::*;

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
