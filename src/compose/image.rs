//! Image references: `[REGISTRY/]REPOSITORY[:TAG][@DIGEST]`, as the Docker reference grammar
//! reads them.

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// The registry host as written (`quay.io`, `localhost:5000`), `None` for Docker Hub by
    /// default.
    pub registry: Option<String>,
    /// The repository path as written (`minio/minio`, `coreos/etcd`, `ubuntu`).
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parse a reference. Returns `None` for an empty or obviously malformed one.
    pub fn parse(raw: &str) -> Option<ImageRef> {
        let raw = raw.trim();
        if raw.is_empty() || raw.contains(char::is_whitespace) {
            return None;
        }
        let (name_tag, digest) = match raw.split_once('@') {
            Some((n, d)) => (n, Some(d.to_string())),
            None => (raw, None),
        };
        // A tag is a ':' after the last '/'.
        let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name_tag[last_slash..].rfind(':') {
            Some(i) => (
                &name_tag[..last_slash + i],
                Some(name_tag[last_slash + i + 1..].to_string()),
            ),
            None => (name_tag, None),
        };
        let (registry, repository) = split_name(name);
        if repository.is_empty() {
            return None;
        }
        Some(ImageRef {
            registry: registry.map(str::to_string),
            repository: repository.to_string(),
            tag,
            digest,
        })
    }

    /// The fully qualified repository, Docker Hub spelled out: `docker.io/library/ubuntu`,
    /// `docker.io/minio/minio`, `quay.io/coreos/etcd`.
    pub fn canonical_name(&self) -> String {
        let registry = hub(self.registry.as_deref());
        if registry == "docker.io" && !self.repository.contains('/') {
            format!("docker.io/library/{}", self.repository)
        } else {
            format!("{registry}/{}", self.repository)
        }
    }

    /// Whether this is the image `name` (written as a user would: `minio/minio`,
    /// `quay.io/coreos/etcd`), whatever the tag or digest. Docker Hub's spellings
    /// (`docker.io/`, `index.docker.io/`, `library/`) are the same image.
    pub fn is(&self, name: &str) -> bool {
        // The same repository ends in the same last component: most names are ruled out here.
        if !same_last_component(name, &self.repository) {
            return false;
        }
        let (registry, repository) = split_name(name);
        hub(registry) == hub(self.registry.as_deref())
            && strip_library(hub(registry), repository)
                == strip_library(hub(registry), &self.repository)
    }

    /// The last path component of the repository: `etcd` for `quay.io/coreos/etcd`.
    pub fn short_name(&self) -> &str {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or(&self.repository)
    }
}

/// `raw`, an image reference as written, with its tag replaced by (or, when it has none, set
/// to) `tag`; the registry, repository and digest stay as written. `None` when `raw` is not a
/// reference.
pub fn with_tag(raw: &str, tag: &str) -> Option<String> {
    ImageRef::parse(raw)?;
    let raw = raw.trim();
    let (name_tag, digest) = match raw.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (raw, None),
    };
    let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
    let name = match name_tag[last_slash..].rfind(':') {
        Some(i) => &name_tag[..last_slash + i],
        None => name_tag,
    };
    Some(match digest {
        Some(d) => format!("{name}:{tag}@{d}"),
        None => format!("{name}:{tag}"),
    })
}

/// `raw`, an image reference as written, with the first path component of its repository
/// replaced by `namespace` (`docker.io/bitnami/etcd:3.5` → `docker.io/bitnamilegacy/etcd:3.5`);
/// the registry, the rest of the repository, the tag and the digest stay as written.
pub fn with_namespace(raw: &str, namespace: &str) -> Option<String> {
    let r = ImageRef::parse(raw)?;
    let raw = raw.trim();
    let (_, rest) = r.repository.split_once('/')?;
    let start = match &r.registry {
        Some(reg) => reg.len() + 1,
        None => 0,
    };
    let old_len = r.repository.len() - rest.len();
    (raw.get(start..start + r.repository.len()) == Some(r.repository.as_str()))
        .then(|| format!("{}{namespace}/{}", &raw[..start], &raw[start + old_len..]))
}

/// Split a name (no tag or digest) into its registry, if it names one, and its repository.
fn split_name(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

/// Whether `a` and `b` end in the same path component, compared from the end.
fn same_last_component(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (a.len(), b.len());
    loop {
        let a_ends = i == 0 || a[i - 1] == b'/';
        let b_ends = j == 0 || b[j - 1] == b'/';
        if a_ends || b_ends {
            return a_ends && b_ends;
        }
        if a[i - 1] != b[j - 1] {
            return false;
        }
        i -= 1;
        j -= 1;
    }
}

/// The registry with Docker Hub's spellings made one.
fn hub(registry: Option<&str>) -> &str {
    match registry {
        None | Some("index.docker.io" | "registry-1.docker.io" | "docker.io") => "docker.io",
        Some(r) => r,
    }
}

/// A Docker Hub repository without its implicit `library/`.
fn strip_library<'a>(registry: &str, repository: &'a str) -> &'a str {
    if registry == "docker.io" {
        repository.strip_prefix("library/").unwrap_or(repository)
    } else {
        repository
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> ImageRef {
        ImageRef::parse(s).unwrap()
    }

    #[test]
    fn parses_registry_repository_tag_digest() {
        let r = p("quay.io/coreos/etcd:v3.5.18");
        assert_eq!(r.registry.as_deref(), Some("quay.io"));
        assert_eq!(r.repository, "coreos/etcd");
        assert_eq!(r.tag.as_deref(), Some("v3.5.18"));
        assert_eq!(r.digest, None);

        let r = p("localhost:5000/milvusdb/etcd:3.5.5-r2@sha256:abc");
        assert_eq!(r.registry.as_deref(), Some("localhost:5000"));
        assert_eq!(r.repository, "milvusdb/etcd");
        assert_eq!(r.tag.as_deref(), Some("3.5.5-r2"));
        assert_eq!(r.digest.as_deref(), Some("sha256:abc"));

        let r = p("minio/minio:RELEASE.2024-05-28T17-19-04Z");
        assert_eq!(r.registry, None);
        assert_eq!(r.repository, "minio/minio");
        assert_eq!(r.tag.as_deref(), Some("RELEASE.2024-05-28T17-19-04Z"));

        let r = p("ubuntu");
        assert_eq!(r.canonical_name(), "docker.io/library/ubuntu");
        assert_eq!(r.tag, None);
    }

    #[test]
    fn docker_hub_spellings_are_the_same_image() {
        assert!(p("docker.io/bitnami/etcd:3.5").is("bitnami/etcd"));
        assert!(p("bitnami/etcd").is("docker.io/bitnami/etcd"));
        assert!(p("index.docker.io/minio/minio").is("minio/minio"));
        assert!(!p("quay.io/minio/minio").is("minio/minio"));
        assert!(p("library/redis:7").is("redis"));
    }

    #[test]
    fn rewrites_keep_what_is_written() {
        assert_eq!(
            with_tag("quay.io/coreos/etcd:v3.5.5", "v3.5.25").as_deref(),
            Some("quay.io/coreos/etcd:v3.5.25")
        );
        assert_eq!(
            with_tag("localhost:5000/milvusdb/milvus@sha256:ab", "v2.3.22").as_deref(),
            Some("localhost:5000/milvusdb/milvus:v2.3.22@sha256:ab")
        );
        assert_eq!(
            with_tag("milvusdb/milvus", "v2.3.22").as_deref(),
            Some("milvusdb/milvus:v2.3.22")
        );
        assert_eq!(
            with_namespace("docker.io/bitnami/etcd:3.5.18", "bitnamilegacy").as_deref(),
            Some("docker.io/bitnamilegacy/etcd:3.5.18")
        );
        assert_eq!(
            with_namespace("bitnami/minio:2024.5.1", "bitnamilegacy").as_deref(),
            Some("bitnamilegacy/minio:2024.5.1")
        );
        assert_eq!(with_namespace("ubuntu", "x"), None);
    }

    #[test]
    fn rejects_nonsense() {
        assert_eq!(ImageRef::parse(""), None);
        assert_eq!(ImageRef::parse("a b"), None);
        assert_eq!(ImageRef::parse("quay.io/"), None);
    }
}
