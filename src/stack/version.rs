//! Image versions as the tags of a Milvus stack's images spell them, parsed and comparable.
//!
//! Two schemes are in use: numbered releases (`v3.5.18`, `3.5.18`, bitnami's
//! `3.5.18-debian-12-r3`, Milvus's `v2.5.0-beta`, `v2.3.0-gpu-beta`, `v2.4.13-hotfix`) and
//! MinIO's dated releases (`RELEASE.2024-05-28T17-19-04Z`). A tag that is neither (`latest`, a
//! branch name) or an image pinned by digest alone has no [`Version`]: see [`ImageVersion`].
//! Versions of different schemes never compare (`partial_cmp` gives `None`).

use std::cmp::Ordering;
use std::fmt;

/// A version parsed from an image tag.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    Numbered(Numbered),
    /// MinIO's `RELEASE.YYYY-MM-DDTHH-MM-SSZ`: the moment, as `YYYYMMDDHHMMSS`.
    Dated(u64),
}

/// `MAJOR[.MINOR[.PATCH]][-SUFFIX]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Numbered {
    pub major: u64,
    /// `None` for a tag naming a whole major line (`3`): the newest of it.
    pub minor: Option<u64>,
    /// `None` for a tag naming a minor line (`3.5`): the newest of it.
    pub patch: Option<u64>,
    /// A pre-release (`beta`, `rc1`, `gpu-beta`, `pre-ga`): before the release it precedes.
    pub pre: Option<String>,
    /// A build or packaging suffix (`debian-12-r3`, `r2`, `hotfix`, `gpu`): the same release.
    pub build: Option<String>,
}

const PRE_RELEASE_WORDS: &[&str] = &["alpha", "beta", "rc", "pre", "dev", "nightly"];

impl Version {
    /// Parse a tag. `None` for a tag that names no version (`latest`, `master`, `stable`).
    pub fn parse(tag: &str) -> Option<Version> {
        let tag = tag.trim();
        if let Some(rest) = tag.strip_prefix("RELEASE.") {
            return parse_dated(rest).map(Version::Dated);
        }
        let body = tag
            .strip_prefix('v')
            .or_else(|| tag.strip_prefix('V'))
            .unwrap_or(tag);
        let (numbers, suffix) = match body.find(['-', '+', '_']) {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let mut parts = numbers.split('.');
        let number = |p: Option<&str>| -> Result<Option<u64>, ()> {
            match p {
                None => Ok(None),
                Some(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                    s.parse().map(Some).map_err(|_| ())
                }
                Some(_) => Err(()),
            }
        };
        let major = number(parts.next()).ok()??;
        let minor = number(parts.next()).ok()?;
        let patch = number(parts.next()).ok()?;
        if parts.next().is_some() {
            return None;
        }
        let suffix = suffix.filter(|s| !s.is_empty());
        let is_pre = suffix.is_some_and(|s| {
            let lower = s.to_ascii_lowercase();
            lower.split(['-', '.']).any(|w| {
                PRE_RELEASE_WORDS
                    .iter()
                    .any(|p| w.starts_with(p) && w[p.len()..].bytes().all(|b| b.is_ascii_digit()))
            })
        });
        Some(Version::Numbered(Numbered {
            major,
            minor,
            patch,
            pre: suffix.filter(|_| is_pre).map(str::to_string),
            build: suffix.filter(|_| !is_pre).map(str::to_string),
        }))
    }

    /// A version written in a table or a rule (`v3.5.7`, `RELEASE.2023-11-01T01-57-10Z`);
    /// panics on a malformed one, which is a mistake in the program, not in the user's file.
    pub fn known(tag: &str) -> Version {
        Version::parse(tag).unwrap_or_else(|| panic!("malformed version literal {tag:?}"))
    }

    /// Whether this version is at least `other` (`false` when they do not compare).
    pub fn at_least(&self, other: &Version) -> bool {
        matches!(
            self.partial_cmp(other),
            Some(Ordering::Greater | Ordering::Equal)
        )
    }

    /// Whether this version is before `other` (`false` when they do not compare).
    pub fn before(&self, other: &Version) -> bool {
        matches!(self.partial_cmp(other), Some(Ordering::Less))
    }
}

/// `YYYY-MM-DDTHH-MM-SSZ` (MinIO's release stamp) as `YYYYMMDDHHMMSS`.
fn parse_dated(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let shape = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b'-'
        && b[16] == b'-'
        && b[19] == b'Z';
    if !shape {
        return None;
    }
    let digits: String = [
        &s[0..4],
        &s[5..7],
        &s[8..10],
        &s[11..13],
        &s[14..16],
        &s[17..19],
    ]
    .concat();
    if !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl Numbered {
    /// The ordering key: a missing minor or patch is the newest of its line, a pre-release
    /// comes before its release, a build suffix is the release itself.
    fn key(&self) -> (u64, u64, u64, u8) {
        (
            self.major,
            self.minor.unwrap_or(u64::MAX),
            self.patch.unwrap_or(u64::MAX),
            u8::from(self.pre.is_none()),
        )
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        match (self, other) {
            (Version::Numbered(a), Version::Numbered(b)) => {
                Some(a.key().cmp(&b.key()).then_with(|| match (&a.pre, &b.pre) {
                    (Some(x), Some(y)) => compare_pre(x, y),
                    _ => Ordering::Equal,
                }))
            }
            (Version::Dated(a), Version::Dated(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// Two pre-releases of one release, identifier by identifier as semver orders them
/// (`alpha.9` < `alpha.65` < `beta.1` < `rc1` < `rc2`): numbers numerically, words in ASCII order,
/// a number before a word, fewer identifiers first. Digits ending a word (`rc10`) count as a
/// number of their own.
fn compare_pre(a: &str, b: &str) -> Ordering {
    fn parts(s: &str) -> Vec<Result<u64, String>> {
        let mut out = Vec::new();
        for w in s.split(['.', '-']).filter(|w| !w.is_empty()) {
            let digits = w.len() - w.trim_end_matches(|c: char| c.is_ascii_digit()).len();
            let (word, num) = w.split_at(w.len() - digits);
            if !word.is_empty() {
                out.push(Err(word.to_ascii_lowercase()));
            }
            if !num.is_empty() {
                out.push(num.parse().map_err(|_| num.to_string()));
            }
        }
        out
    }
    let (x, y) = (parts(a), parts(b));
    for (p, q) in x.iter().zip(&y) {
        let o = match (p, q) {
            (Ok(m), Ok(n)) => m.cmp(n),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            (Err(m), Err(n)) => m.cmp(n),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    x.len().cmp(&y.len())
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Dated(d) => {
                let s = format!("{d:014}");
                write!(
                    f,
                    "RELEASE.{}-{}-{}T{}-{}-{}Z",
                    &s[0..4],
                    &s[4..6],
                    &s[6..8],
                    &s[8..10],
                    &s[10..12],
                    &s[12..14]
                )
            }
            Version::Numbered(n) => {
                write!(f, "{}", n.major)?;
                if let Some(m) = n.minor {
                    write!(f, ".{m}")?;
                }
                if let Some(p) = n.patch {
                    write!(f, ".{p}")?;
                }
                if let Some(s) = n.pre.as_ref().or(n.build.as_ref()) {
                    write!(f, "-{s}")?;
                }
                Ok(())
            }
        }
    }
}

/// What an image reference says of the version it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageVersion {
    /// A tag that names a version.
    Tagged(Version),
    /// No tag, or `latest`: whatever the registry serves today, taken as the newest release.
    Latest,
    /// Pinned by digest only, or a tag that names no version: unknown.
    Unknown,
}

impl ImageVersion {
    /// The version of an image reference (its tag; a digest alone says nothing milvet can
    /// read).
    pub fn of(image: &crate::compose::ImageRef) -> ImageVersion {
        match image.tag.as_deref() {
            None if image.digest.is_some() => ImageVersion::Unknown,
            None | Some("latest") => ImageVersion::Latest,
            Some(t) => Version::parse(t).map_or(ImageVersion::Unknown, ImageVersion::Tagged),
        }
    }

    pub fn version(&self) -> Option<&Version> {
        match self {
            ImageVersion::Tagged(v) => Some(v),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::ImageRef;

    fn n(major: u64, minor: u64, patch: u64) -> Version {
        Version::Numbered(Numbered {
            major,
            minor: Some(minor),
            patch: Some(patch),
            pre: None,
            build: None,
        })
    }

    #[test]
    fn tag_spellings() {
        // (tag, parsed, display)
        let table: &[(&str, Option<Version>, &str)] = &[
            ("v3.5.18", Some(n(3, 5, 18)), "3.5.18"),
            ("3.5.18", Some(n(3, 5, 18)), "3.5.18"),
            (
                "3.5.18-debian-12-r3",
                Some(Version::Numbered(Numbered {
                    build: Some("debian-12-r3".into()),
                    ..match n(3, 5, 18) {
                        Version::Numbered(x) => x,
                        _ => unreachable!(),
                    }
                })),
                "3.5.18-debian-12-r3",
            ),
            (
                "v2.5.0-beta",
                Some(Version::Numbered(Numbered {
                    major: 2,
                    minor: Some(5),
                    patch: Some(0),
                    pre: Some("beta".into()),
                    build: None,
                })),
                "2.5.0-beta",
            ),
            (
                "3.5",
                Some(Version::Numbered(Numbered {
                    major: 3,
                    minor: Some(5),
                    patch: None,
                    pre: None,
                    build: None,
                })),
                "3.5",
            ),
            (
                "RELEASE.2024-05-28T17-19-04Z",
                Some(Version::Dated(20240528171904)),
                "RELEASE.2024-05-28T17-19-04Z",
            ),
            ("latest", None, ""),
            ("master", None, ""),
            ("RELEASE.2024-05-28", None, ""),
            ("v3.5.18.1", None, ""),
            ("", None, ""),
        ];
        for (tag, want, shown) in table {
            let got = Version::parse(tag);
            assert_eq!(&got, want, "{tag}");
            if let Some(v) = got {
                assert_eq!(v.to_string(), *shown, "{tag}");
            }
        }
    }

    #[test]
    fn ordering() {
        let v = Version::known;
        let ascending = [
            "v3.4.27",
            "v3.5.0",
            "3.5.5-r2",
            "v3.5.6",
            "v3.5.7",
            "3.5.18-debian-12-r3",
            "v3.5",
            "v3.6.0-rc.1",
            "v3.6.0",
        ];
        for w in ascending.windows(2) {
            assert!(v(w[0]).before(&v(w[1])), "{} < {}", w[0], w[1]);
            assert!(v(w[1]).at_least(&v(w[0])), "{} >= {}", w[1], w[0]);
        }
        assert_eq!(
            v("v2.4.13-hotfix").partial_cmp(&v("2.4.13")),
            Some(Ordering::Equal)
        );
        assert!(v("v2.3.0-gpu-beta").before(&v("v2.3.0")));
        assert!(v("v2.0.0-pre-ga").before(&v("v2.0.0")));
        // Pre-releases of one release are ordered among themselves.
        assert!(v("1.0.0-alpha.9").before(&v("1.0.0-alpha.65")));
        assert!(v("1.0.0-alpha.65").before(&v("1.0.0-beta.1")));
        assert!(v("v2.6.0-rc1").before(&v("v2.6.0-rc2")));
        assert!(v("v2.6.0-rc2").before(&v("v2.6.0-rc10")));
        assert!(v("1.0.0-alpha.65").at_least(&v("1.0.0-alpha.65")));
        assert!(v("RELEASE.2023-11-01T01-57-10Z").before(&v("RELEASE.2023-11-01T18-37-25Z")));
        // Different schemes do not compare.
        assert_eq!(
            v("v3.5.7").partial_cmp(&v("RELEASE.2023-11-01T01-57-10Z")),
            None
        );
        assert!(!v("v3.5.7").at_least(&v("RELEASE.2023-11-01T01-57-10Z")));
        assert!(!v("v3.5.7").before(&v("RELEASE.2023-11-01T01-57-10Z")));
    }

    #[test]
    fn image_versions() {
        let iv = |s: &str| ImageVersion::of(&ImageRef::parse(s).unwrap());
        assert_eq!(
            iv("quay.io/coreos/etcd:v3.5.5"),
            ImageVersion::Tagged(n(3, 5, 5))
        );
        assert_eq!(iv("minio/minio"), ImageVersion::Latest);
        assert_eq!(iv("minio/minio:latest"), ImageVersion::Latest);
        assert_eq!(iv("minio/minio@sha256:abcd"), ImageVersion::Unknown);
        assert_eq!(
            iv("minio/minio:RELEASE.2023-03-20T20-16-18Z@sha256:abcd"),
            ImageVersion::Tagged(Version::Dated(20230320201618))
        );
        assert_eq!(iv("milvusdb/milvus:master-20240101"), ImageVersion::Unknown);
    }
}
