//! MinIO: which services run a MinIO server, and the paths it serves.
//!
//! `minio server <path>...` serves each path; flags and their values are not paths. The
//! official image's entrypoint puts `minio` in front of a command that does not start with it,
//! so `command: server /data` runs `minio server /data`; without a command it runs plain
//! `minio`, which only prints its help. With no path on the command line, `MINIO_VOLUMES` names
//! them. bitnami/minio serves `MINIO_DATA_DIR`, by default `/bitnami/minio/data`.
//! Paths may use MinIO's ellipsis notation (`/data{1...4}`) and URLs
//! (`http://minio{1...4}/data`), whose path part is what the container serves.

use super::{Invocation, invocations};
use crate::compose::{Arg, Origin, Service};

const OFFICIAL_IMAGES: &[&str] = &["minio/minio", "quay.io/minio/minio"];
const BITNAMI_IMAGES: &[&str] = &["bitnami/minio", "bitnamilegacy/minio"];
pub const BITNAMI_DATA_DIR: &str = "/bitnami/minio/data";

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
    pub bitnami: bool,
}

impl<'a> Minio<'a> {
    pub fn detect(service: &'a Service) -> Option<Minio<'a>> {
        let image = service.image_ref();
        let official = image.is_some_and(|i| OFFICIAL_IMAGES.iter().any(|n| i.is(n)));
        let bitnami = image.is_some_and(|i| BITNAMI_IMAGES.iter().any(|n| i.is(n)));
        let runs = invocations(service);
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
            });
        }
        (bitnami && runs.is_empty()).then_some(Minio {
            service,
            server_args: None,
            bitnami,
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
        let (user_names, password_names, defaults): (&[&'static str], &[&'static str], _) =
            if self.bitnami_scripts() {
                (
                    &["MINIO_ROOT_USER"],
                    &["MINIO_ROOT_PASSWORD"],
                    (BITNAMI_USER, BITNAMI_PASSWORD),
                )
            } else {
                (
                    &["MINIO_ROOT_USER", "MINIO_ACCESS_KEY"],
                    &["MINIO_ROOT_PASSWORD", "MINIO_SECRET_KEY"],
                    (DEFAULT_USER, DEFAULT_PASSWORD),
                )
            };
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

    /// Whether bitnami's scripts start the server (the image with no command of its own).
    pub fn bitnami_scripts(&self) -> bool {
        self.bitnami && self.server_args.is_none()
    }

    /// Where the S3 API listens inside the container: `--address`, else `MINIO_ADDRESS`, else
    /// `:9000` (bitnami's scripts: `:$MINIO_API_PORT_NUMBER`, 9000 by default).
    pub fn api_listening(&self) -> Option<super::network::Listening> {
        use super::network::{Listener, Listening};
        let env = &self.service.environment;
        if self.bitnami_scripts() {
            return Some(
                match env
                    .value("MINIO_API_PORT_NUMBER")
                    .filter(|t| !t.value.is_empty())
                {
                    Some(t) => Listening {
                        listeners: vec![Listener {
                            host: String::new(),
                            port: t.value.trim().parse().ok()?,
                        }],
                        origin: Some(t.place()),
                        what: format!("`MINIO_API_PORT_NUMBER={}`", t.value),
                    },
                    None => Listening {
                        listeners: vec![Listener {
                            host: String::new(),
                            port: 9000,
                        }],
                        origin: None,
                        what: "the bitnami image's default API port 9000".into(),
                    },
                },
            );
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
