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
