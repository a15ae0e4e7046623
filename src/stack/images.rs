//! What an image of a Milvus stack contains: its working directory and which programs it has,
//! per image and version, from the table in [`super::images_data`].

use super::version::{ImageVersion, Version};
use crate::compose::ImageRef;
use std::sync::OnceLock;

/// The images milvet knows the contents of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ImageKind {
    /// quay.io/coreos/etcd, gcr.io/etcd-development/etcd.
    EtcdOfficial,
    /// bitnami/etcd, bitnamilegacy/etcd.
    EtcdBitnami,
    /// milvusdb/etcd, Milvus's fork of the bitnami image.
    EtcdMilvusdb,
    /// minio/minio, quay.io/minio/minio.
    MinioOfficial,
    /// bitnami/minio, bitnamilegacy/minio.
    MinioBitnami,
    /// milvusdb/milvus.
    Milvus,
    /// rustfs/rustfs, in MinIO's place.
    Rustfs,
}

const NAMES: &[(&str, ImageKind)] = &[
    ("quay.io/coreos/etcd", ImageKind::EtcdOfficial),
    ("gcr.io/etcd-development/etcd", ImageKind::EtcdOfficial),
    ("bitnami/etcd", ImageKind::EtcdBitnami),
    ("bitnamilegacy/etcd", ImageKind::EtcdBitnami),
    ("milvusdb/etcd", ImageKind::EtcdMilvusdb),
    ("minio/minio", ImageKind::MinioOfficial),
    ("quay.io/minio/minio", ImageKind::MinioOfficial),
    ("bitnami/minio", ImageKind::MinioBitnami),
    ("bitnamilegacy/minio", ImageKind::MinioBitnami),
    ("milvusdb/milvus", ImageKind::Milvus),
    ("milvusdb/milvus-dev", ImageKind::Milvus),
    ("rustfs/rustfs", ImageKind::Rustfs),
];

impl ImageKind {
    /// The known image a reference names, if any.
    pub fn of(image: &ImageRef) -> Option<ImageKind> {
        NAMES.iter().find(|(n, _)| image.is(n)).map(|&(_, k)| k)
    }

    pub fn is_etcd(self) -> bool {
        matches!(
            self,
            ImageKind::EtcdOfficial | ImageKind::EtcdBitnami | ImageKind::EtcdMilvusdb
        )
    }

    pub fn is_minio(self) -> bool {
        matches!(self, ImageKind::MinioOfficial | ImageKind::MinioBitnami)
    }

    pub fn is_rustfs(self) -> bool {
        self == ImageKind::Rustfs
    }
}

/// Whether an image has a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Has {
    Yes,
    No,
    /// Only in the builds for these architectures (`amd64`, `arm64`, ...).
    OnlyOn(&'static [&'static str]),
}

/// One row of the table: from a version on, until the next row of the same image.
#[derive(Debug)]
pub struct Row {
    pub image: ImageKind,
    /// The first version the row covers, as a tag; `""` for every version before the next row.
    pub from: &'static str,
    /// The image's working directory (`/` when the image sets none), if known.
    pub workdir: Option<&'static str>,
    pub binaries: &'static [(&'static str, Has)],
    /// Where the facts come from.
    pub source: &'static str,
}

/// The table with its versions parsed, once.
fn rows() -> &'static [(Option<Version>, &'static Row)] {
    static PARSED: OnceLock<Vec<(Option<Version>, &'static Row)>> = OnceLock::new();
    PARSED.get_or_init(|| {
        super::images_data::ROWS
            .iter()
            .map(|r| ((!r.from.is_empty()).then(|| Version::known(r.from)), r))
            .collect()
    })
}

/// The row describing `kind` at `version`: for `latest`, the newest row; for an unknown
/// version, or one before the first row, `None`.
pub fn row(kind: ImageKind, version: &ImageVersion) -> Option<&'static Row> {
    let mut rows = rows().iter().filter(|(_, r)| r.image == kind);
    match version {
        ImageVersion::Unknown => {
            // Only an image whose every version is alike can be answered for.
            let mut all = rows.clone();
            let first = all.next()?;
            (all.next().is_none() && first.0.is_none()).then_some(first.1)
        }
        ImageVersion::Latest => rows.next_back().map(|(_, r)| *r),
        ImageVersion::Tagged(v) => rows
            .rfind(|(from, _)| from.as_ref().is_none_or(|f| v.at_least(f)))
            .map(|(_, r)| *r),
    }
}

/// What a known image holds, by its reference.
pub fn contents(image: &ImageRef) -> Option<Contents> {
    let kind = ImageKind::of(image)?;
    Some(Contents {
        kind,
        row: row(kind, &ImageVersion::of(image)),
    })
}

/// What an image holds, as far as the table knows.
#[derive(Clone, Copy, Debug)]
pub struct Contents {
    pub kind: ImageKind,
    pub row: Option<&'static Row>,
}

/// A program's availability in a container, with the platform taken into account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Availability {
    Yes,
    No,
    /// The image has it only on these architectures and the service sets no `platform`: it
    /// depends on the host.
    OnlyOn(&'static [&'static str]),
    /// Not known.
    Unknown,
}

impl Contents {
    /// Whether the image has `program` (`sh`, `curl`, `wget`, `mc`, `etcdctl`) on `platform`
    /// (`linux/arm64`, as written in the service; `None` when it sets none).
    pub fn has(&self, program: &str, platform: Option<&str>) -> Availability {
        let Some(row) = self.row else {
            return Availability::Unknown;
        };
        // bash, ash... count as a shell when the image has sh.
        let program = match program {
            "bash" | "ash" | "dash" | "/bin/sh" | "/bin/bash" => "sh",
            p => p,
        };
        match row.binaries.iter().find(|(b, _)| *b == program) {
            None => Availability::Unknown,
            Some((_, Has::Yes)) => Availability::Yes,
            Some((_, Has::No)) => Availability::No,
            Some((_, Has::OnlyOn(arches))) => match platform.map(arch) {
                Some(a) if arches.contains(&a) => Availability::Yes,
                Some(_) => Availability::No,
                None => Availability::OnlyOn(arches),
            },
        }
    }

    pub fn workdir(&self) -> Option<&'static str> {
        self.row.and_then(|r| r.workdir)
    }
}

/// The architecture of a platform string: `linux/arm64/v8` → `arm64`, `linux/x86_64` →
/// `amd64`, `linux/aarch64` → `arm64`.
pub fn arch(platform: &str) -> &str {
    let a = platform.split('/').nth(1).unwrap_or(platform);
    match a {
        "x86_64" | "x86-64" => "amd64",
        "aarch64" => "arm64",
        a => a,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_well_formed_and_ordered() {
        let rows = rows();
        assert!(!rows.is_empty());
        for w in rows.windows(2) {
            let ((fa, a), (fb, b)) = (&w[0], &w[1]);
            assert!(
                a.image <= b.image,
                "rows grouped by image: {a:?} then {b:?}"
            );
            if a.image == b.image {
                assert!(
                    fb.is_some(),
                    "only an image's first row may start at \"\": {b:?}"
                );
                if let (Some(x), Some(y)) = (fa, fb) {
                    assert!(x.before(y), "rows of {:?} ascend: {x} then {y}", a.image);
                }
            }
        }
        for (v, r) in rows {
            assert!(!r.source.is_empty(), "{r:?} names no source");
            if let Some(v) = v {
                assert_eq!(&Version::known(r.from), v);
            }
            let mut names: Vec<&str> = r.binaries.iter().map(|(b, _)| *b).collect();
            names.sort();
            let n = names.len();
            names.dedup();
            assert_eq!(n, names.len(), "{r:?} lists a program twice");
            for (b, _) in r.binaries {
                assert!(
                    ["sh", "curl", "wget", "mc", "etcdctl"].contains(b),
                    "unexpected program {b}"
                );
            }
        }
        for &(_, kind) in NAMES {
            assert!(
                rows.iter().any(|(_, r)| r.image == kind),
                "{kind:?} has no row"
            );
        }
    }

    fn contents(image: &str) -> Contents {
        let r = ImageRef::parse(image).unwrap();
        let kind = ImageKind::of(&r).unwrap();
        Contents {
            kind,
            row: row(kind, &ImageVersion::of(&r)),
        }
    }

    #[test]
    fn etcd_images() {
        let old = contents("quay.io/coreos/etcd:v3.5.5");
        assert_eq!(old.has("sh", None), Availability::Yes);
        assert_eq!(old.has("curl", None), Availability::No);
        assert_eq!(old.workdir(), Some("/"));
        let new = contents("quay.io/coreos/etcd:v3.5.18");
        assert_eq!(new.has("sh", None), Availability::No);
        assert_eq!(new.has("/bin/sh", None), Availability::No);
        assert_eq!(new.has("etcdctl", None), Availability::Yes);
        assert_eq!(new.workdir(), Some("/var/lib/etcd"));
        assert_eq!(
            contents("quay.io/coreos/etcd:v3.5.7").has("sh", None),
            Availability::No
        );
        assert_eq!(
            contents("quay.io/coreos/etcd:v3.5.6").has("sh", None),
            Availability::Yes
        );
        assert_eq!(
            contents("quay.io/coreos/etcd").workdir(),
            Some("/var/lib/etcd")
        );
        // Before the first known row: nothing is said.
        assert_eq!(
            contents("quay.io/coreos/etcd:v3.4.27").has("sh", None),
            Availability::Unknown
        );
        assert_eq!(contents("quay.io/coreos/etcd@sha256:ab").workdir(), None);
        assert_eq!(
            contents("milvusdb/etcd:3.5.5-r2").has("curl", None),
            Availability::No
        );
        assert_eq!(
            contents("milvusdb/etcd@sha256:ab").has("sh", None),
            Availability::Yes
        );
    }

    #[test]
    fn minio_images() {
        let m = |tag: &str| contents(&format!("minio/minio:{tag}"));
        assert_eq!(
            m("RELEASE.2023-03-20T20-16-18Z").has("curl", None),
            Availability::Yes
        );
        assert_eq!(
            m("RELEASE.2023-03-20T20-16-18Z").has("mc", None),
            Availability::No
        );
        assert_eq!(
            m("RELEASE.2023-10-25T06-33-25Z").has("curl", None),
            Availability::Yes
        );
        assert_eq!(
            m("RELEASE.2023-11-01T01-57-10Z").has("curl", None),
            Availability::No
        );
        assert_eq!(
            m("RELEASE.2023-11-01T01-57-10Z").has("mc", None),
            Availability::No
        );
        assert_eq!(
            m("RELEASE.2023-11-01T18-37-25Z").has("mc", None),
            Availability::Yes
        );
        assert_eq!(
            m("RELEASE.2024-03-26T22-10-45Z").has("curl", None),
            Availability::No
        );
        let may = m("RELEASE.2024-05-28T17-19-04Z");
        assert_eq!(may.has("curl", None), Availability::OnlyOn(&["amd64"]));
        assert_eq!(may.has("curl", Some("linux/amd64")), Availability::Yes);
        assert_eq!(may.has("curl", Some("linux/x86_64")), Availability::Yes);
        assert_eq!(may.has("curl", Some("linux/arm64")), Availability::No);
        let sep = m("RELEASE.2024-09-13T20-26-02Z");
        assert_eq!(sep.has("curl", Some("linux/arm64/v8")), Availability::Yes);
        assert_eq!(sep.has("curl", Some("linux/s390x")), Availability::No);
        assert_eq!(contents("minio/minio").has("mc", None), Availability::Yes);
    }

    #[test]
    fn rustfs_images() {
        let r = |tag: &str| contents(&format!("rustfs/rustfs:{tag}"));
        assert_eq!(r("1.0.0-alpha.64").has("curl", None), Availability::No);
        assert_eq!(r("1.0.0-alpha.65").has("curl", None), Availability::Yes);
        assert_eq!(r("1.0.0-alpha.9").has("curl", None), Availability::No);
        assert_eq!(r("1.0.0-beta.1").has("curl", None), Availability::Yes);
        assert_eq!(r("1.0.0").has("curl", None), Availability::Yes);
        assert_eq!(r("latest").has("curl", None), Availability::Yes);
        assert_eq!(r("latest").has("sh", None), Availability::Yes);
        assert_eq!(r("latest").has("mc", None), Availability::No);
        assert_eq!(
            contents("docker.io/rustfs/rustfs").has("sh", None),
            Availability::Yes
        );
    }
}
