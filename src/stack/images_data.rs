//! What the images of a Milvus stack contain, per image and version range. Data only: the
//! questions are answered in [`super::images`], and a test there checks this table is
//! well-formed and ordered. Every row names its source; see docs of the rules that use it.
//!
//! A row covers the versions from `from` (inclusive; `""` for the first version known) up to
//! the next row's `from` of the same image (exclusive), or every later version for the last
//! row of an image. A binary not listed in a row is not known either way.

use super::images::{Has, ImageKind, Row};
use Has::{No, OnlyOn, Yes};
use ImageKind::*;

/// The architectures the official MinIO image has curl on from RELEASE.2024-09-13T20-26-02Z.
const CURL_ARCHES_2024_09: &[&str] = &["amd64", "arm64", "ppc64le"];

pub static ROWS: &[Row] = &[
    // etcd-io/etcd, Dockerfile-release.<arch> at each tag: Debian-based up to v3.5.6, no
    // WORKDIR (data in /default.etcd), /bin/sh, no curl or wget.
    Row {
        image: EtcdOfficial,
        from: "v3.5.0",
        workdir: Some("/"),
        binaries: &[("sh", Yes), ("curl", No), ("wget", No), ("etcdctl", Yes)],
        source: "etcd-io/etcd Dockerfile-release.amd64 at v3.5.0..v3.5.6 (Debian base, no WORKDIR)",
    },
    // From v3.5.7 distroless (CHANGELOG-3.5 "Use distroless base image (#15016)"), WORKDIR
    // /var/lib/etcd; 3.6 on static-debian12.
    Row {
        image: EtcdOfficial,
        from: "v3.5.7",
        workdir: Some("/var/lib/etcd"),
        binaries: &[("sh", No), ("curl", No), ("wget", No), ("etcdctl", Yes)],
        source: "etcd-io/etcd CHANGELOG-3.5 v3.5.7 (#15016), Dockerfile at v3.5.7 and v3.6.0",
    },
    // bitnami/containers bitnami/etcd: bash-based scripts; curl not known.
    Row {
        image: EtcdBitnami,
        from: "",
        workdir: Some("/opt/bitnami/etcd"),
        binaries: &[("sh", Yes), ("etcdctl", Yes)],
        source: "bitnami/containers bitnami/etcd rootfs/opt/bitnami/scripts",
    },
    // milvus-io/bitnami-docker-etcd: the bitnami scripts, bash present, curl removed.
    Row {
        image: EtcdMilvusdb,
        from: "",
        workdir: Some("/opt/bitnami/etcd"),
        binaries: &[("sh", Yes), ("curl", No), ("etcdctl", Yes)],
        source: "milvus-io/bitnami-docker-etcd Dockerfile",
    },
    // minio/minio Dockerfile.release per tag. Up to RELEASE.2022-12-01 curl is there; `mc`
    // is not known.
    Row {
        image: MinioOfficial,
        from: "",
        workdir: None,
        binaries: &[("curl", Yes)],
        source: "minio/minio Dockerfile.release before RELEASE.2022-12-02",
    },
    // mc shipped gzipped (unusable) from RELEASE.2022-12-02 to 2023-06-29, not executable in
    // 2023-07-07.
    Row {
        image: MinioOfficial,
        from: "RELEASE.2022-12-02T00-00-00Z",
        workdir: None,
        binaries: &[("curl", Yes), ("mc", No)],
        source: "minio/minio Dockerfile.release RELEASE.2022-12-02..2023-07-07 (mc gzipped)",
    },
    // mc usable from RELEASE.2023-08-04T17-40-21Z (#17755).
    Row {
        image: MinioOfficial,
        from: "RELEASE.2023-08-04T17-40-21Z",
        workdir: None,
        binaries: &[("curl", Yes), ("mc", Yes)],
        source: "minio/minio #17755",
    },
    // ubi-micro base from RELEASE.2023-11-01T01-57-10Z (#18329; #18371, #18389): no curl; mc
    // probably broken in this one release (inferred).
    Row {
        image: MinioOfficial,
        from: "RELEASE.2023-11-01T01-57-10Z",
        workdir: None,
        binaries: &[("curl", No), ("mc", No)],
        source: "minio/minio #18329, #18371, #18389",
    },
    Row {
        image: MinioOfficial,
        from: "RELEASE.2023-11-01T18-37-25Z",
        workdir: None,
        binaries: &[("curl", No), ("mc", Yes)],
        source: "minio/minio Dockerfile.release RELEASE.2023-11-01T18-37-25Z",
    },
    // curl back for amd64 only (#19383).
    Row {
        image: MinioOfficial,
        from: "RELEASE.2024-03-30T09-41-56Z",
        workdir: None,
        binaries: &[("curl", OnlyOn(&["amd64"])), ("mc", Yes)],
        source: "minio/minio #19383",
    },
    // curl for amd64, arm64 and ppc64le (#20424), never s390x.
    Row {
        image: MinioOfficial,
        from: "RELEASE.2024-09-13T20-26-02Z",
        workdir: None,
        binaries: &[("curl", OnlyOn(CURL_ARCHES_2024_09)), ("mc", Yes)],
        source: "minio/minio #20424",
    },
    // bitnami/minio: bash scripts; curl in the image (the bitnami healthcheck uses it) is
    // not confirmed here.
    Row {
        image: MinioBitnami,
        from: "",
        workdir: None,
        binaries: &[("sh", Yes), ("mc", Yes)],
        source: "bitnami/containers bitnami/minio (ships the mc client)",
    },
    // milvus-io/milvus build/docker/milvus/*/Dockerfile: Ubuntu/Rocky base with curl, WORKDIR
    // /milvus; the official compose file's healthcheck runs curl.
    Row {
        image: Milvus,
        from: "",
        workdir: Some("/milvus"),
        binaries: &[("sh", Yes), ("curl", Yes)],
        source: "milvus-io/milvus build/docker/milvus Dockerfiles; deployments/docker healthcheck",
    },
    // rustfs/rustfs Dockerfile: an alpine image (so /bin/sh), `VOLUME /data`, no `mc`; curl
    // in the final stage only from 1.0.0-alpha.65 ("fix docker healthcheck unhealthy issue
    // (#672)", commit 14bc55479).
    Row {
        image: Rustfs,
        from: "",
        workdir: None,
        binaries: &[("sh", Yes), ("curl", No), ("mc", No)],
        source: "rustfs/rustfs Dockerfile before 1.0.0-alpha.65 (alpine, ca-certificates and coreutils only)",
    },
    Row {
        image: Rustfs,
        from: "1.0.0-alpha.65",
        workdir: None,
        binaries: &[("sh", Yes), ("curl", Yes), ("mc", No)],
        source: "rustfs/rustfs Dockerfile from 1.0.0-alpha.65 (#672: `apk add ... curl`)",
    },
];
