//! MinIO: which services run a MinIO server, and the paths it serves.
//!
//! `minio server <path>...` serves each path; flags and their values are not paths. The
//! official image's entrypoint puts `minio` in front of a command that does not start with it,
//! so `command: server /data` runs `minio server /data`; without a command it runs plain
//! `minio`, which only prints its help. With no path on the command line, `MINIO_VOLUMES` names
//! them. bitnami/minio serves `MINIO_DATA_DIR`, by default `/bitnami/minio/data`.
//! Paths may use MinIO's ellipsis notation (`/data{1...4}`) and URLs
//! (`http://minio{1...4}/data`), whose path part is what the container serves.
//!
//! RustFS (rustfs/rustfs), the S3-compatible store Milvus ships a compose variant for
//! (deployments/docker/rustfs), has the same role and is read the same way
//! (rustfs/rustfs entrypoint.sh, rustfs/src/config/cli.rs): its entrypoint runs `rustfs` in
//! front of a command that does not start with it (`rustfs`, `rustfs server`, `/data`,
//! `--address :9000` all start the server); the paths are the absolute-path arguments, else
//! `RUSTFS_VOLUMES` (split on spaces, commas and tabs, `{1..4}` and `{1...4}` expanded), which
//! the image sets to `/data`, its `VOLUME`.

use super::{Invocation, invocations};
use crate::compose::{Arg, Origin, Service};

const OFFICIAL_IMAGES: &[&str] = &["minio/minio", "quay.io/minio/minio"];
const BITNAMI_IMAGES: &[&str] = &["bitnami/minio", "bitnamilegacy/minio"];
const RUSTFS_IMAGES: &[&str] = &["rustfs/rustfs"];
pub const BITNAMI_DATA_DIR: &str = "/bitnami/minio/data";
/// RustFS's `RUSTFS_VOLUMES` as its image sets it (Dockerfile `ENV RUSTFS_VOLUMES="/data"`).
pub const RUSTFS_DEFAULT_VOLUMES: &str = "/data";
/// `rustfs` subcommands that do not start a server (rustfs/src/config/cli.rs).
const RUSTFS_OTHER_COMMANDS: &[&str] = &[
    "info",
    "tls",
    "diagnose",
    "inspect",
    "help",
    "--help",
    "-h",
    "--version",
    "-V",
    "--info",
];

/// RustFS credential variables whose effect milvet does not judge: files holding the
/// credentials, and MinIO's names, which RustFS copies to its own when those are unset from
/// 1.0.0-alpha.87 (crates/utils/src/envs.rs `apply_external_env_compat`), not before.
const RUSTFS_UNKNOWN_CREDENTIALS: &[&str] = &[
    "RUSTFS_ACCESS_KEY_FILE",
    "RUSTFS_SECRET_KEY_FILE",
    "MINIO_ROOT_USER",
    "MINIO_ROOT_PASSWORD",
    "MINIO_ACCESS_KEY",
    "MINIO_SECRET_KEY",
    "MINIO_ACCESS_KEY_FILE",
    "MINIO_SECRET_KEY_FILE",
];

/// How an object store reads its root credentials.
#[derive(Clone, Copy, Debug)]
pub struct Credentials {
    pub user: [&'static str; 2],
    pub password: [&'static str; 2],
    /// The user and password when none is set.
    pub defaults: (&'static str, &'static str),
    /// Variables that make the credentials unknown: a file holding one, or (RustFS) MinIO's
    /// names, which RustFS copies to its own from 1.0.0-alpha.87 only.
    pub unknown_with: &'static [&'static str],
}

/// Which object store a service runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// minio/minio, quay.io/minio/minio, or any image whose command runs `minio server`.
    Official,
    /// bitnami/minio (and bitnamilegacy/minio), started by its scripts or by a command.
    Bitnami,
    /// RustFS (rustfs/rustfs), S3-compatible, in MinIO's place.
    Rustfs,
}

impl Flavor {
    /// The product's name, for messages.
    pub fn product(self) -> &'static str {
        match self {
            Flavor::Official | Flavor::Bitnami => "MinIO",
            Flavor::Rustfs => "RustFS",
        }
    }

    /// The root credentials' variables, each pair in the order the server reads them (the
    /// current name, then the older one), and their defaults: MinIO `MINIO_ROOT_USER`, else
    /// the deprecated `MINIO_ACCESS_KEY`, `minioadmin` (cmd/common-main.go,
    /// internal/auth/credentials.go; bitnami's scripts default to `minio`/`miniosecret`);
    /// RustFS `RUSTFS_ACCESS_KEY`, else the legacy `RUSTFS_ROOT_USER`, `rustfsadmin`
    /// (rustfs/src/config/config_struct.rs `resolve_credential`, entrypoint.sh).
    pub fn credentials(self) -> Credentials {
        match self {
            Flavor::Official => Credentials {
                user: ["MINIO_ROOT_USER", "MINIO_ACCESS_KEY"],
                password: ["MINIO_ROOT_PASSWORD", "MINIO_SECRET_KEY"],
                defaults: ("minioadmin", "minioadmin"),
                unknown_with: &[],
            },
            Flavor::Bitnami => Credentials {
                user: ["MINIO_ROOT_USER", "MINIO_ACCESS_KEY"],
                password: ["MINIO_ROOT_PASSWORD", "MINIO_SECRET_KEY"],
                defaults: ("minio", "miniosecret"),
                unknown_with: &[],
            },
            Flavor::Rustfs => Credentials {
                user: ["RUSTFS_ACCESS_KEY", "RUSTFS_ROOT_USER"],
                password: ["RUSTFS_SECRET_KEY", "RUSTFS_ROOT_PASSWORD"],
                defaults: ("rustfsadmin", "rustfsadmin"),
                unknown_with: RUSTFS_UNKNOWN_CREDENTIALS,
            },
        }
    }

    /// The container paths the image declares as `VOLUME`: anonymous volumes when nothing
    /// else is mounted there.
    pub fn image_volumes(self) -> &'static [&'static str] {
        match self {
            Flavor::Official | Flavor::Rustfs => &["/data"],
            Flavor::Bitnami => &[],
        }
    }
}

/// Flags of `minio server` that take no value.
const BOOLEAN_FLAGS: &[&str] = &["quiet", "anonymous", "json", "no-compat"];

/// Most paths an ellipsis pattern may expand to before it is left unexpanded.
const MAX_EXPANSION: usize = 256;

/// Where a data path is written.
#[derive(Clone, Debug)]
pub enum PathSource {
    /// An argument of `minio server`.
    Argument,
    /// `MINIO_VOLUMES` or `MINIO_DATA_DIR`.
    Env(String),
    /// The image's default.
    Default,
}

/// One path a MinIO server keeps objects in.
#[derive(Clone, Debug)]
pub struct DataPath {
    /// The path in the container (one expansion of an ellipsis pattern).
    pub path: String,
    /// The argument or value as written.
    pub written: String,
    /// Where it is written; `None` for an image default.
    pub origin: Option<Origin>,
    pub source: PathSource,
}

/// A service that runs a MinIO server.
#[derive(Clone, Debug)]
pub struct Minio<'a> {
    pub service: &'a Service,
    /// The arguments after `server`, when the file gives them.
    pub server_args: Option<Vec<Arg>>,
    /// Whether it is bitnami's image (its scripts' defaults apply).
    pub bitnami: bool,
    pub flavor: Flavor,
}

impl<'a> Minio<'a> {
    pub fn detect(service: &'a Service) -> Option<Minio<'a>> {
        let image = service.image_ref();
        let official = image.is_some_and(|i| OFFICIAL_IMAGES.iter().any(|n| i.is(n)));
        let bitnami = image.is_some_and(|i| BITNAMI_IMAGES.iter().any(|n| i.is(n)));
        let rustfs = image.is_some_and(|i| RUSTFS_IMAGES.iter().any(|n| i.is(n)));
        let runs = invocations(service);
        if rustfs || runs.iter().any(|i| i.program() == Some("rustfs")) {
            return Self::detect_rustfs(service, rustfs, &runs);
        }
        let flavor = if bitnami {
            Flavor::Bitnami
        } else {
            Flavor::Official
        };
        let server = |inv: &Invocation| -> Option<Vec<Arg>> {
            let args = &inv.args;
            if inv.program() == Some("minio") && args.get(1).is_some_and(|a| a.value == "server") {
                return Some(args[2..].to_vec());
            }
            // The official entrypoint runs `minio "$@"` for a command not starting with minio.
            if official && !inv.in_script && args.first().is_some_and(|a| a.value == "server") {
                return Some(args[1..].to_vec());
            }
            None
        };
        if let Some(args) = runs.iter().find_map(server) {
            return Some(Minio {
                service,
                server_args: Some(args),
                bitnami,
                flavor,
            });
        }
        (bitnami && runs.is_empty()).then_some(Minio {
            service,
            server_args: None,
            bitnami,
            flavor,
        })
    }

    /// A RustFS server: the image's entrypoint puts `/usr/bin/rustfs` in front of a command
    /// that does not start with it, and `rustfs` alone, `rustfs <path>` or `rustfs --flag`
    /// mean `rustfs server ...`. `image` says whether the service runs the RustFS image.
    fn detect_rustfs(service: &'a Service, image: bool, runs: &[Invocation]) -> Option<Minio<'a>> {
        let server_args = |args: &[Arg]| -> Option<Vec<Arg>> {
            match args.first().map(|a| a.value.as_str()) {
                Some("server") => Some(args[1..].to_vec()),
                Some(other) if RUSTFS_OTHER_COMMANDS.contains(&other) => None,
                _ => Some(args.to_vec()),
            }
        };
        let args = if let Some(inv) = runs.iter().find(|i| i.program() == Some("rustfs")) {
            server_args(&inv.args[1..])?
        } else if image && service.entrypoint.is_none() {
            match runs {
                [] => Vec::new(),
                [inv] if !inv.in_script => server_args(&inv.args)?,
                _ => return None,
            }
        } else {
            return None;
        };
        Some(Minio {
            service,
            server_args: Some(args),
            bitnami: false,
            flavor: Flavor::Rustfs,
        })
    }

    /// Every path the server keeps objects in.
    pub fn data_paths(&self) -> Vec<DataPath> {
        let env = &self.service.environment;
        let Some(args) = &self.server_args else {
            // bitnami's scripts
            return match env.value("MINIO_DATA_DIR").filter(|t| !t.value.is_empty()) {
                Some(t) => vec![DataPath {
                    path: t.value.clone(),
                    written: t.raw.clone(),
                    origin: Some(t.place()),
                    source: PathSource::Env("MINIO_DATA_DIR".into()),
                }],
                None => vec![DataPath {
                    path: BITNAMI_DATA_DIR.into(),
                    written: BITNAMI_DATA_DIR.into(),
                    origin: None,
                    source: PathSource::Default,
                }],
            };
        };
        let mut out = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            if a.value.starts_with('-') {
                let name = a.value.trim_start_matches('-');
                if !name.contains('=') && !BOOLEAN_FLAGS.contains(&name) {
                    i += 1; // the flag's value
                }
                i += 1;
                continue;
            }
            for path in expand(&a.value) {
                let path = url_path(&path);
                // An empty or relative path depends on a working directory the file does not
                // show: nothing can be said of it.
                if !path.starts_with('/') {
                    continue;
                }
                out.push(DataPath {
                    path: path.to_string(),
                    written: a.value.clone(),
                    origin: Some(a.origin),
                    source: PathSource::Argument,
                });
            }
            i += 1;
        }
        if self.flavor == Flavor::Rustfs {
            // MinIO's `MINIO_VOLUMES` stands for `RUSTFS_VOLUMES` from 1.0.0-alpha.87 only:
            // where the data goes is not known then.
            let minio_names =
                env.value("MINIO_VOLUMES").is_some() && env.value("RUSTFS_VOLUMES").is_none();
            if out.is_empty() && !minio_names {
                out = rustfs_volumes(env);
            }
            return out;
        }
        if out.is_empty()
            && let Some(t) = env.value("MINIO_VOLUMES")
        {
            for word in t.value.split_whitespace() {
                for path in expand(word) {
                    let path = url_path(&path);
                    if !path.starts_with('/') {
                        continue;
                    }
                    out.push(DataPath {
                        path: path.to_string(),
                        written: word.to_string(),
                        origin: Some(t.place()),
                        source: PathSource::Env("MINIO_VOLUMES".into()),
                    });
                }
            }
        }
        out
    }
}

/// MinIO's default API address (cmd/server-main.go, `--address`, `MINIO_ADDRESS`).
pub const DEFAULT_ADDRESS: &str = ":9000";

/// Where a credential's value comes from.
#[derive(Clone, Debug)]
pub enum CredentialSource {
    /// The variable of that name (the current name, or the deprecated one).
    Env(&'static str),
    /// MinIO's or the image's default.
    Default,
}

/// A root credential as the MinIO server will use it.
#[derive(Clone, Debug)]
pub struct Credential {
    pub value: String,
    /// Where the deciding value is written (`None` for a default).
    pub origin: Option<Origin>,
    pub source: CredentialSource,
    /// The variable that holds it, or would: for messages.
    pub name: &'static str,
}

impl Credential {
    pub fn is_default(&self) -> bool {
        matches!(self.source, CredentialSource::Default)
    }
}

/// MinIO's root user and password.
#[derive(Clone, Debug)]
pub struct RootCredentials {
    pub user: Credential,
    pub password: Credential,
}

/// The official image's defaults (internal/auth/credentials.go).
pub const DEFAULT_USER: &str = "minioadmin";
pub const DEFAULT_PASSWORD: &str = "minioadmin";
/// bitnami's (rootfs/opt/bitnami/scripts/minio-env.sh).
pub const BITNAMI_USER: &str = "minio";
pub const BITNAMI_PASSWORD: &str = "miniosecret";

impl Minio<'_> {
    /// The root credentials the server will run with: `MINIO_ROOT_USER` /
    /// `MINIO_ROOT_PASSWORD`, else the deprecated `MINIO_ACCESS_KEY` / `MINIO_SECRET_KEY`
    /// (cmd/common-main.go), else `minioadmin`/`minioadmin`. bitnami's scripts export
    /// `MINIO_ROOT_USER` / `MINIO_ROOT_PASSWORD` themselves (`minio`/`miniosecret` when not
    /// set), so the deprecated names never count there. `None` when they cannot be known: a
    /// variable with no value (taken from the shell), or a `*_FILE` variable (a Docker secret).
    pub fn root_credentials(&self) -> Option<RootCredentials> {
        let table = self.credential_names();
        let (user_names, password_names) = (&table.user, &table.password);
        let defaults = table.defaults;
        if table
            .unknown_with
            .iter()
            .any(|n| self.service.environment.get(n).is_some())
        {
            return None;
        }
        let env = &self.service.environment;
        if [
            "MINIO_ROOT_USER_FILE",
            "MINIO_ROOT_PASSWORD_FILE",
            "MINIO_ACCESS_KEY_FILE",
            "MINIO_SECRET_KEY_FILE",
        ]
        .iter()
        .any(|n| env.get(n).is_some())
        {
            return None;
        }
        let credential = |names: &[&'static str], default: &'static str| -> Option<Credential> {
            for &name in names {
                if let Some(var) = env.get(name) {
                    let text = var.value.as_ref()?;
                    // An empty value counts as unset for MinIO (env.Get), and for bitnami's
                    // `${VAR:-default}`.
                    if text.value.is_empty() {
                        continue;
                    }
                    return Some(Credential {
                        value: text.value.clone(),
                        origin: Some(text.place()),
                        source: CredentialSource::Env(name),
                        name,
                    });
                }
            }
            Some(Credential {
                value: default.to_string(),
                origin: None,
                source: CredentialSource::Default,
                name: names[0],
            })
        };
        Some(RootCredentials {
            user: credential(user_names, defaults.0)?,
            password: credential(password_names, defaults.1)?,
        })
    }

    /// How this server reads its root credentials: its flavor's table, with MinIO's own
    /// defaults for bitnami's image started by a command of one's own (its `entrypoint.sh`
    /// does not source `minio-env.sh`), and only the `MINIO_ROOT_*` names when bitnami's
    /// scripts run (they export them, so the deprecated names never count).
    pub fn credential_names(&self) -> Credentials {
        let mut t = self.flavor.credentials();
        if self.flavor == Flavor::Bitnami {
            if self.bitnami_scripts() {
                t.user = [t.user[0], t.user[0]];
                t.password = [t.password[0], t.password[0]];
            } else {
                t.defaults = Flavor::Official.credentials().defaults;
            }
        }
        t
    }

    /// Whether bitnami's scripts start the server (the image with no command of its own).
    pub fn bitnami_scripts(&self) -> bool {
        self.bitnami && self.server_args.is_none()
    }

    /// Where the S3 API listens inside the container: `--address`, else `MINIO_ADDRESS`, else
    /// `:9000` (bitnami's scripts: `:$MINIO_API_PORT_NUMBER`, 9000 by default).
    pub fn api_listening(&self) -> Option<super::network::Listening> {
        use super::network::Listening;
        let env = &self.service.environment;
        if self.flavor == Flavor::Rustfs {
            // RustFS: `--address` / `RUSTFS_ADDRESS` (see [`Minio::listen`]).
            return self
                .listen()
                .listening("RustFS's default API address `:9000`");
        }
        if self.bitnami_scripts() {
            return self
                .bitnami_listen()
                .listening("the bitnami image's default API port 9000");
        }
        let args = self.server_args.as_deref().unwrap_or(&[]);
        // urfave/cli moves flags before the paths: `--address` may be anywhere.
        let mut flag: Option<(String, Origin)> = None;
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            let body = a.value.trim_start_matches('-');
            if a.value.starts_with('-') {
                if body == "address" {
                    if let Some(v) = args.get(i + 1) {
                        flag = Some((v.value.clone(), v.origin));
                    }
                    i += 1;
                } else if let Some(v) = body.strip_prefix("address=") {
                    flag = Some((
                        v.to_string(),
                        a.sub_origin(a.value.len() - v.len()..a.value.len()),
                    ));
                }
            }
            i += 1;
        }
        let (value, origin, what) = match flag {
            Some((v, o)) => (v.clone(), Some(o), format!("`--address {v}`")),
            None => match env.value("MINIO_ADDRESS").filter(|t| !t.value.is_empty()) {
                Some(t) => (
                    t.value.clone(),
                    Some(t.place()),
                    format!("`MINIO_ADDRESS={}`", t.value),
                ),
                None => (
                    DEFAULT_ADDRESS.to_string(),
                    None,
                    "MinIO's default API address `:9000`".to_string(),
                ),
            },
        };
        Some(Listening {
            listeners: vec![Listening::from_address(&value)?],
            origin,
            what,
        })
    }
}

/// The port the S3 API listens on by default (MinIO's `GlobalMinioDefaultPort`, RustFS's
/// `DEFAULT_ADDRESS` `:9000`), which `mc ready local` and the official healthcheck probe.
pub const DEFAULT_API_PORT: u16 = 9000;
/// MinIO's certificates directory in the official image, which runs as root:
/// `${HOME}/.minio/certs` (cmd/config-dir.go); `--certs-dir` / `-S` moves it.
pub const OFFICIAL_CERTS_DIR: &str = "/root/.minio/certs";
/// The certificates directory bitnami's `run.sh` passes (`MINIO_CERTS_DIR`, fixed in
/// `minio-env.sh`; the image declares it a `VOLUME`).
pub const BITNAMI_CERTS_DIR: &str = "/certs";
/// MinIO's default certificates directory in the bitnami image when a command of one's own
/// starts it: the image sets `HOME=/`.
pub const BITNAMI_COMMAND_CERTS_DIR: &str = "/.minio/certs";

pub const CERTS_MOUNTED: &str = "its certificates directory is mounted";
pub const RUSTFS_TLS_SET: &str = "its TLS path is set";

/// Where the S3 API listens, as far as the service tells.
#[derive(Clone, Debug)]
pub struct Listen {
    /// The port; `None` when it cannot be known (a variable, port `0`, a `*_FILE` variable).
    pub port: Option<u16>,
    /// The `--address` / `MINIO_ADDRESS` / `RUSTFS_ADDRESS` value that set it, when written
    /// (bitnami's scripts: ``MINIO_API_PORT_NUMBER=9010``).
    pub written: Option<(String, Origin)>,
    /// A mount of the certificates directory: the server then serves HTTPS when it holds a
    /// `public.crt` and `private.key` (inferred: the files themselves are not read).
    pub certs: Option<Origin>,
    /// What `certs` is, for messages: ``its certificates directory is mounted``, or
    /// RustFS's ``RUSTFS_TLS_PATH` is set``.
    pub certs_reason: &'static str,
    /// bitnami's `MINIO_SCHEME` (lower-cased) when its scripts start the server: the scheme
    /// they configure the `local` alias of `mc` with. It does not make the server speak TLS:
    /// only certificates in `/certs` do.
    pub scheme_setting: Option<(String, Origin)>,
    /// Where `mc ready local` probes: the `local` alias, `http://localhost:9000` in mc's
    /// default configuration, or what bitnami's set-up writes into `/.mc` (`MINIO_SCHEME`,
    /// `MINIO_API_PORT_NUMBER`). `None` when that cannot be known.
    pub mc_local: Option<(String, u16)>,
}

impl Listen {
    /// Where the API listens, as the network questions ask it: on every interface at the port,
    /// described by what set it, else by `default` (`None` when the port cannot be known).
    fn listening(&self, default: &str) -> Option<super::network::Listening> {
        use super::network::{Listener, Listening};
        Some(Listening {
            listeners: vec![Listener {
                host: String::new(),
                port: self.port?,
            }],
            origin: self.written.as_ref().map(|(_, o)| *o),
            what: match &self.written {
                Some((v, _)) => format!("`{v}`"),
                None => default.to_string(),
            },
        })
    }

    /// Whether `http://localhost:9000`, what the official curl test probes, certainly misses
    /// the server: another port, or certificates mounted.
    pub fn not_default(&self) -> bool {
        self.port.is_some_and(|p| p != DEFAULT_API_PORT) || self.certs.is_some()
    }

    /// The scheme clients must use: `https` when certificates are mounted.
    pub fn scheme(&self) -> &'static str {
        if self.certs.is_some() {
            "https"
        } else {
            "http"
        }
    }

    /// Whether the scheme cannot be told: bitnami's `MINIO_SCHEME=https` with no
    /// certificates directory mounted (they may be in the image's anonymous `/certs` volume).
    pub fn scheme_unknown(&self) -> bool {
        self.certs.is_none()
            && self
                .scheme_setting
                .as_ref()
                .is_some_and(|(s, _)| s == "https")
    }

    /// Whether `mc ready local` reaches the server: its `local` alias names the server's
    /// scheme and port.
    pub fn mc_local_reaches(&self) -> bool {
        match (&self.mc_local, self.port) {
            (Some((scheme, p)), Some(port)) => {
                !self.scheme_unknown() && *p == port && scheme == self.scheme()
            }
            _ => false,
        }
    }

    /// The place to point at when the probe misses: the address setting, else the certs mount.
    pub fn origin(&self) -> Option<Origin> {
        self.written.as_ref().map(|(_, o)| *o).or(self.certs)
    }

    /// How it listens, for messages: `port 9001`, `HTTPS on port 9000`.
    pub fn describe(&self) -> String {
        let port = self
            .port
            .map_or_else(|| "its port".to_string(), |p| format!("port {p}"));
        if self.certs.is_some() {
            format!("HTTPS on {port} ({})", self.certs_reason)
        } else {
            port
        }
    }
}

/// The value of a flag among a server's arguments, which MinIO and RustFS read wherever it
/// stands, before or after the paths (`minio server /data --address :9001`); the last one wins.
fn server_flag(args: &[Arg], names: &[&str]) -> Option<super::FlagValue> {
    let mut found = None;
    for (i, a) in args.iter().enumerate() {
        let Some(body) = a
            .value
            .strip_prefix("--")
            .or_else(|| a.value.strip_prefix('-'))
        else {
            continue;
        };
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (body, None),
        };
        if !names.contains(&name) {
            continue;
        }
        found = match inline {
            Some(v) => Some(super::FlagValue {
                value: v.to_string(),
                origin: a.sub_origin(a.value.len() - v.len()..a.value.len()),
                flag: a.origin,
                vars: a.vars.clone(),
                via: a.via.clone(),
            }),
            None => args.get(i + 1).map(|v| super::FlagValue {
                value: v.value.clone(),
                origin: v.sub_origin(0..v.value.len()),
                flag: a.origin,
                vars: v.vars.clone(),
                via: v.via.clone(),
            }),
        };
    }
    found
}

/// The port of an `[HOST]:PORT` address (`:9000`, `0.0.0.0:9001`, `[::]:9000`); `None` for
/// port `0` (a free port chosen at start) or a malformed one.
fn address_port(address: &str) -> Option<u16> {
    let (_, port) = address.rsplit_once(':')?;
    port.parse::<u16>().ok().filter(|&p| p != 0)
}

impl Minio<'_> {
    /// Where the S3 API listens: `--address` among the server's arguments, else
    /// `MINIO_ADDRESS` (`RUSTFS_ADDRESS` for RustFS), else `:9000` (minio cmd/server-main.go,
    /// rustfs config/cli.rs), and whether the certificates directory is mounted. bitnami's
    /// scripts start `minio server --certs-dir /certs --address :$MINIO_API_PORT_NUMBER`
    /// (see [`Minio::bitnami_listen`]).
    pub fn listen(&self) -> Listen {
        if self.bitnami_scripts() {
            return self.bitnami_listen();
        }
        let flag = self
            .server_args
            .as_ref()
            .and_then(|args| server_flag(args, &["address"]));
        let var = match self.flavor {
            Flavor::Rustfs => "RUSTFS_ADDRESS",
            _ => "MINIO_ADDRESS",
        };
        let env = |name: &str| {
            self.service
                .environment
                .value(name)
                .filter(|t| !t.value.is_empty())
                .map(|t| (t.value.clone(), t.place()))
        };
        let written = match flag {
            Some(f) => Some((f.value.clone(), f.place())),
            None => env(var),
        };
        let default_alias = Some(("http".to_string(), DEFAULT_API_PORT));
        // RustFS reads MinIO's `MINIO_ADDRESS` as its own from 1.0.0-alpha.87 only: unknown.
        if written.is_none()
            && self.flavor == Flavor::Rustfs
            && let Some(minio) = env("MINIO_ADDRESS")
        {
            return Listen {
                port: None,
                written: Some(minio),
                certs: None,
                certs_reason: CERTS_MOUNTED,
                scheme_setting: None,
                mc_local: default_alias,
            };
        }
        let port = match &written {
            Some((v, _)) => address_port(v),
            None if self.server_args.is_none() => None,
            None => Some(DEFAULT_API_PORT),
        };
        // MinIO's default is `${HOME}/.minio/certs`: the official image runs as root, bitnami's
        // sets `HOME=/` (its Dockerfile), so a command of one's own finds `/.minio/certs`.
        let default_certs = match self.flavor {
            Flavor::Official => Some(OFFICIAL_CERTS_DIR),
            Flavor::Bitnami => Some(BITNAMI_COMMAND_CERTS_DIR),
            Flavor::Rustfs => None,
        };
        let mut certs_reason = CERTS_MOUNTED;
        let certs = match default_certs {
            Some(default) => {
                let dir = self
                    .server_args
                    .as_ref()
                    .and_then(|args| server_flag(args, &["certs-dir", "S"]))
                    .map_or_else(|| default.to_string(), |f| f.value);
                self.mount_over(&dir)
            }
            None => {
                certs_reason = RUSTFS_TLS_SET;
                self.rustfs_tls_path()
            }
        };
        Listen {
            port,
            written,
            certs,
            certs_reason,
            scheme_setting: None,
            mc_local: default_alias,
        }
    }

    /// Where RustFS is told to serve TLS: `--tls-path` among the server's arguments, else
    /// `RUSTFS_TLS_PATH`, not empty once trimmed (rustfs/src/config/cli.rs; server/http.rs
    /// serves HTTPS with the `rustfs_cert.pem` / `rustfs_key.pem` found there; from
    /// 1.0.0-beta.5 it refuses to start without them, before it fell back to HTTP).
    fn rustfs_tls_path(&self) -> Option<Origin> {
        let flag = self
            .server_args
            .as_ref()
            .and_then(|args| server_flag(args, &["tls-path"]));
        match flag {
            Some(f) => (!f.value.trim().is_empty()).then(|| f.place()),
            None => self
                .service
                .environment
                .value("RUSTFS_TLS_PATH")
                .filter(|t| !t.value.trim().is_empty())
                .map(|t| t.place()),
        }
    }

    /// The mount that covers a directory of the container (the directory or a parent).
    fn mount_over(&self, dir: &str) -> Option<Origin> {
        let dir = crate::compose::normalize_path(dir);
        self.service
            .mounts
            .iter()
            .find(|m| {
                let t = crate::compose::normalize_path(&m.target.value);
                t == dir
                    || t.starts_with(&format!("{dir}/"))
                    || dir.starts_with(&format!("{}/", t.trim_end_matches('/')))
            })
            .map(|m| m.origin)
    }

    /// A variable of bitnami's `minio-env.sh` as its scripts read it: the `*_FILE` variant
    /// makes it unknown (`Err`), an empty or unset one gives the default (`Ok(None)`).
    fn bitnami_var(&self, name: &str) -> Result<Option<&crate::compose::Text>, ()> {
        let env = &self.service.environment;
        if env.get(&format!("{name}_FILE")).is_some() {
            return Err(());
        }
        match env.get(name) {
            // Taken from the shell with no value there: unknown.
            Some(v) if v.value.is_none() => Err(()),
            _ => Ok(env.value(name).filter(|t| !t.value.is_empty())),
        }
    }

    /// Where bitnami's scripts make MinIO listen. `minio-env.sh` (sourced by `run.sh` and
    /// `setup.sh`, not by `entrypoint.sh`, so a command of one's own does not see it) sets
    /// `MINIO_API_PORT_NUMBER` (default 9000) and `MINIO_SCHEME` (default `http`), and `run.sh`
    /// runs `minio server --certs-dir /certs --address :$MINIO_API_PORT_NUMBER`. The server
    /// speaks TLS when `/certs` holds certificates; `MINIO_SCHEME` is what `setup.sh` writes
    /// into `mc`'s `local` alias (`$MINIO_SCHEME://localhost:$MINIO_API_PORT_NUMBER`, in
    /// `/.mc`, mc's own directory under the image's `HOME=/`) unless `MINIO_SKIP_CLIENT=yes`.
    fn bitnami_listen(&self) -> Listen {
        let (port, written) = match self.bitnami_var("MINIO_API_PORT_NUMBER") {
            Err(()) => (None, None),
            Ok(None) => (Some(DEFAULT_API_PORT), None),
            Ok(Some(t)) => (
                t.value.trim().parse::<u16>().ok().filter(|&p| p != 0),
                Some((format!("MINIO_API_PORT_NUMBER={}", t.value), t.place())),
            ),
        };
        let scheme = self.bitnami_var("MINIO_SCHEME");
        let scheme_setting = match &scheme {
            Ok(Some(t)) => Some((t.value.to_ascii_lowercase(), t.place())),
            _ => None,
        };
        let skip_client = self
            .service
            .environment
            .value("MINIO_SKIP_CLIENT")
            .is_some_and(|t| matches!(t.value.to_ascii_lowercase().as_str(), "yes" | "true" | "1"));
        let mc_local = if skip_client {
            Some(("http".to_string(), DEFAULT_API_PORT))
        } else {
            match (&scheme, port) {
                (Ok(_), Some(p)) => Some((
                    scheme_setting
                        .as_ref()
                        .map_or_else(|| "http".to_string(), |(s, _)| s.clone()),
                    p,
                )),
                _ => None,
            }
        };
        Listen {
            port,
            written,
            certs: self.mount_over(BITNAMI_CERTS_DIR),
            certs_reason: CERTS_MOUNTED,
            scheme_setting,
            mc_local,
        }
    }
}

/// The paths of RustFS's `RUSTFS_VOLUMES` (the image's `/data` when it is not set), as its
/// entrypoint reads them: split on spaces, commas and tabs, numeric `{N..M}` and `{N...M}`
/// ranges expanded, the path part of URLs.
fn rustfs_volumes(env: &crate::compose::Environment) -> Vec<DataPath> {
    let (value, origin, source) = match env.value("RUSTFS_VOLUMES") {
        Some(t) if !t.value.is_empty() => (
            t.value.clone(),
            Some(t.place()),
            PathSource::Env("RUSTFS_VOLUMES".into()),
        ),
        _ => (
            RUSTFS_DEFAULT_VOLUMES.to_string(),
            None,
            PathSource::Default,
        ),
    };
    let mut out = Vec::new();
    for word in value.split([' ', ',', '\t']).filter(|w| !w.is_empty()) {
        for path in expand(&two_dot_ranges(word)) {
            let path = url_path(&path);
            if !path.starts_with('/') {
                continue;
            }
            out.push(DataPath {
                path: path.to_string(),
                written: word.to_string(),
                origin,
                source: source.clone(),
            });
        }
    }
    out
}

/// `{1..4}` written as MinIO's `{1...4}` (RustFS's entrypoint accepts both for numbers).
fn two_dot_ranges(word: &str) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        let inner = &rest[open + 1..close];
        out.push_str(&rest[..=open]);
        match inner.split_once("..") {
            Some((a, b))
                if !b.starts_with('.')
                    && !a.is_empty()
                    && a.bytes().all(|c| c.is_ascii_digit())
                    && !b.is_empty()
                    && b.bytes().all(|c| c.is_ascii_digit()) =>
            {
                out.push_str(&format!("{a}...{b}"));
            }
            _ => out.push_str(inner),
        }
        out.push('}');
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The path of a `http(s)://host/path` argument; other arguments are paths already.
fn url_path(arg: &str) -> &str {
    for scheme in ["http://", "https://"] {
        if let Some(rest) = arg.strip_prefix(scheme) {
            return rest.find('/').map_or("/", |i| &rest[i..]);
        }
    }
    arg
}

/// Expand MinIO's `{a...b}` ellipsis ranges; a pattern that would give more than
/// [`MAX_EXPANSION`] paths, or a malformed one, is returned as written.
pub fn expand(pattern: &str) -> Vec<String> {
    let mut results = vec![String::new()];
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        let inner = &rest[open + 1..close];
        let Some((a, b)) = inner.split_once("...") else {
            return vec![pattern.to_string()];
        };
        let values = range_values(a, b);
        if values.is_empty() || results.len() * values.len() > MAX_EXPANSION {
            return vec![pattern.to_string()];
        }
        let prefix = &rest[..open];
        results = results
            .iter()
            .flat_map(|r| values.iter().map(move |v| format!("{r}{prefix}{v}")))
            .collect();
        rest = &rest[close + 1..];
    }
    for r in &mut results {
        r.push_str(rest);
    }
    results
}

fn range_values(a: &str, b: &str) -> Vec<String> {
    if let (Ok(x), Ok(y)) = (a.parse::<u64>(), b.parse::<u64>()) {
        if x > y || y - x >= MAX_EXPANSION as u64 {
            return Vec::new();
        }
        let width = if a.starts_with('0') && a.len() > 1 {
            a.len()
        } else {
            0
        };
        return (x..=y).map(|n| format!("{n:0width$}")).collect();
    }
    let (Some(x), Some(y)) = (single_char(a), single_char(b)) else {
        return Vec::new();
    };
    if x > y {
        return Vec::new();
    }
    (x..=y).map(|c| c.to_string()).collect()
}

fn single_char(s: &str) -> Option<char> {
    let mut it = s.chars();
    let c = it.next()?;
    (it.next().is_none() && c.is_ascii_alphanumeric()).then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ellipsis_expansion() {
        assert_eq!(expand("/data"), vec!["/data"]);
        assert_eq!(expand("/data{1...3}"), vec!["/data1", "/data2", "/data3"]);
        assert_eq!(
            expand("http://minio{1...2}/d{1...2}"),
            vec![
                "http://minio1/d1",
                "http://minio1/d2",
                "http://minio2/d1",
                "http://minio2/d2"
            ]
        );
        assert_eq!(expand("/d{01...02}"), vec!["/d01", "/d02"]);
        assert_eq!(expand("/d{a...c}"), vec!["/da", "/db", "/dc"]);
        assert_eq!(expand("/d{1...100000}"), vec!["/d{1...100000}"]);
        assert_eq!(url_path("http://minio1/data2"), "/data2");
        assert_eq!(url_path("https://host:9000"), "/");
    }
}
