//! Milvus itself: which services run it.

use super::invocations;
use crate::compose::{ComposeFile, Service};

const IMAGES: &[&str] = &["milvusdb/milvus", "milvusdb/milvus-dev"];

/// Whether a service runs Milvus: a Milvus image, or a `milvus run ...` command.
pub fn is_milvus(service: &Service) -> bool {
    if service
        .image_ref()
        .is_some_and(|i| IMAGES.iter().any(|n| i.is(n)))
    {
        return true;
    }
    invocations(service).iter().any(|inv| {
        inv.program() == Some("milvus") && inv.args.get(1).is_some_and(|a| a.value == "run")
    })
}

/// Whether the file deploys Milvus, so that etcd and MinIO hold Milvus's metadata and data.
pub fn in_file(file: &ComposeFile) -> bool {
    file.services.iter().any(is_milvus)
}

/// The embedded etcd's config file as the service's environment names it
/// (`ETCD_CONFIG_PATH`, `MILVUS_CONF_ETCD_CONFIG_PATH`), when absolute: a file the project may
/// mount (read by [`crate::mounted`]). One named in `milvus.yaml` is not known this early.
pub fn embedded_etcd_config_path(service: &Service) -> Option<String> {
    if !is_milvus(service) {
        return None;
    }
    embedded_etcd_config_path_of_milvus(service)
}

/// [`embedded_etcd_config_path`] of a service already known to run Milvus.
pub(crate) fn embedded_etcd_config_path_of_milvus(service: &Service) -> Option<String> {
    let v = env_for_key(service, "etcd.config.path")?.value.as_ref()?;
    v.value
        .starts_with('/')
        .then(|| crate::compose::normalize_path(&v.value))
}

/// How Milvus turns an environment variable or a key into the name it matches them by:
/// lower-case, a leading `milvus.` stripped, `_`, `.` and `/` removed
/// (pkg/util/paramtable/base_table.go, `BaseTable.init`; pkg/config/config.go `formatKey`).
pub fn env_key_form(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let lower = lower.strip_prefix("milvus.").unwrap_or(&lower);
    lower
        .chars()
        .filter(|c| !matches!(c, '_' | '.' | '/'))
        .collect()
}

/// The environment variable of a Milvus service that Milvus reads as `key` (the last one
/// written wins), `MILVUS_CONF_<NAME>` included.
pub fn env_for_key<'a>(service: &'a Service, key: &str) -> Option<&'a crate::compose::EnvVar> {
    let want = env_key_form(key);
    service.environment.vars.iter().rev().find(|v| {
        let name = v.name.value.to_ascii_lowercase();
        let name = name.strip_prefix("milvus_conf_").unwrap_or(&name);
        env_key_form(name) == want
    })
}

/// The MinIO server a Milvus service stores its segments on: the service its `minio.address`
/// (given as `address`) reaches, else, with no address known, the project's only MinIO.
pub fn minio_of<'s, 'a>(
    file: &'a ComposeFile,
    minio: &'s [super::minio::Minio<'a>],
    milvus: &Service,
    address: Option<&str>,
) -> Option<&'s super::minio::Minio<'a>> {
    match address {
        Some(a) => {
            let host = super::network::Endpoint::parse(a)?.host;
            match super::network::reach(file, milvus, &host) {
                super::network::Reach::Service { service, .. } => {
                    minio.iter().find(|m| std::ptr::eq(m.service, service))
                }
                _ => None,
            }
        }
        None if minio.len() == 1 => minio.first(),
        None => None,
    }
}

use super::milvus_env_raw::NoopFile;
pub use super::milvus_env_raw::NoopVar;

/// `rules/data/milvus-env.toml`, as `build.rs` wrote it in Rust.
fn noop_data() -> NoopFile {
    include!(concat!(env!("OUT_DIR"), "/milvus_env.rs"))
}

fn noop_file() -> &'static NoopFile {
    static FILE: std::sync::OnceLock<NoopFile> = std::sync::OnceLock::new();
    FILE.get_or_init(noop_data)
}

/// What `rules/data/milvus-env.toml` says of a variable on a Milvus service, if it is one
/// that sets nothing. Built on first use.
pub fn noop_env(var: &str) -> Option<&'static NoopVar> {
    noop_file().variable.iter().find(|v| v.matches(var))
}

/// The date the no-op variable data was last checked against Milvus's sources.
pub fn noop_env_checked() -> &'static str {
    &noop_file().checked
}

/// Milvus's working directory in its image (`WORKDIR /milvus`).
pub const WORKDIR: &str = "/milvus";

/// The directory Milvus reads its configuration files from: `$MILVUSCONF` when the service
/// sets it, else `configs` under the directory it starts in (`/milvus/configs` in the image)
/// (pkg/util/paramtable/base_table.go).
pub fn config_dir(service: &Service) -> String {
    if let Some(dir) = service
        .environment
        .value("MILVUSCONF")
        .filter(|t| !t.value.is_empty())
    {
        return dir.value.trim_end_matches('/').to_string();
    }
    let cwd = service
        .working_dir
        .as_ref()
        .map_or(WORKDIR, |w| w.value.as_str());
    format!("{}/configs", cwd.trim_end_matches('/'))
}

/// The container paths of the configuration files a Milvus service may read, in the order
/// they load (a later file wins): `milvus.yaml`, `_test.yaml`, `default.yaml`, `user.yaml`,
/// every name of any release (which of them its release reads is
/// [`crate::milvus::files::read_by`]). Empty for another service.
pub fn config_paths(service: &Service) -> Vec<String> {
    if !is_milvus(service) {
        return Vec::new();
    }
    let dir = config_dir(service);
    crate::milvus::ConfigKind::ALL
        .iter()
        .map(|k| format!("{dir}/{}", k.file_name()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys of every Milvus line from 2.3 to 2.6 that the entries name (configs/milvus.yaml).
    const KEYS: &[&str] = &[
        "minio.accessKeyID",
        "minio.secretAccessKey",
        "minio.address",
        "minio.port",
        "minio.rootPath",
        "etcd.endpoints",
        "etcd.use.embed",
        "etcd.data.dir",
        "etcd.config.path",
        "etcd.rootPath",
        "common.storageType",
    ];

    /// The compiled data is the file: editing the TOML is the way to change it.
    #[test]
    fn noop_data_is_the_data_file() {
        let read: NoopFile = toml::from_str(include_str!("../../rules/data/milvus-env.toml"))
            .expect("rules/data/milvus-env.toml reads");
        assert_eq!(noop_data(), read);
    }

    #[test]
    fn noop_data_is_well_formed_and_true_to_the_mapping() {
        let file = noop_file();
        assert_eq!(file.checked.len(), 10, "checked is a YYYY-MM-DD date");
        assert!(!file.variable.is_empty());
        for v in &file.variable {
            let id = v.name.as_deref().or(v.prefix.as_deref()).unwrap();
            assert!(
                v.name.is_some() != v.prefix.is_some(),
                "{id}: exactly one of name and prefix"
            );
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()),
                "{id}: an environment variable name"
            );
            assert!(
                !v.reason.is_empty() && !v.source.is_empty(),
                "{id}: sourced"
            );
            // It sets none of the keys milvet knows.
            if let Some(n) = &v.name {
                assert!(
                    KEYS.iter().all(|k| env_key_form(k) != env_key_form(n)),
                    "{n} maps to a key"
                );
            }
            match (&v.key, &v.rename) {
                (Some(k), Some(r)) => {
                    assert!(KEYS.contains(&k.as_str()), "{id}: {k} is a known key");
                    assert_eq!(env_key_form(r), env_key_form(k), "{r} sets {k}");
                    assert!(
                        matches!(v.credential.as_deref(), Some("user" | "password")),
                        "{id}: a rename says which credential it carries"
                    );
                }
                (_, None) => assert!(v.credential.is_none(), "{id}: credential without rename"),
                (None, Some(_)) => panic!("{id}: a rename needs the key it sets"),
            }
        }
        assert!(noop_env("MINIO_ACCESS_KEY").is_some());
        assert!(noop_env("ETCD_AUTO_COMPACTION_RETENTION").is_some());
        assert!(noop_env("MINIO_ACCESS_KEY_ID").is_none());
        assert!(noop_env("ETCD_DATA_DIR").is_none());
        assert_eq!(
            env_key_form("MINIO_ACCESS_KEY_ID"),
            env_key_form("minio.accessKeyID")
        );
        assert_eq!(env_key_form("milvus.etcd.endpoints"), "etcdendpoints");
    }
}
