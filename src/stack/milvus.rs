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

/// The container paths of the configuration files a Milvus service reads, in the order they
/// load (a later file wins): `milvus.yaml`, then `user.yaml`. Empty for another service.
pub fn config_paths(service: &Service) -> Vec<String> {
    if !is_milvus(service) {
        return Vec::new();
    }
    let dir = config_dir(service);
    vec![format!("{dir}/milvus.yaml"), format!("{dir}/user.yaml")]
}
