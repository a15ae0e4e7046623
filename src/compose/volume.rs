//! The short volume syntax `[SOURCE:]TARGET[:MODE]`.
//!
//! Colons inside `${...}` do not split (Compose interpolates before it splits), and a Windows
//! drive letter (`C:\data`, `c:/data`) stays part of its path.

use std::ops::Range;

/// Byte ranges of the parts of a short volume spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShortVolume {
    pub source: Option<Range<usize>>,
    pub target: Range<usize>,
    pub mode: Option<Range<usize>>,
}

/// Split a short volume spec into its parts. `None` when it has more parts than the syntax
/// allows or an empty target.
pub fn parse_short(raw: &str) -> Option<ShortVolume> {
    let parts = split_colons(raw);
    let (source, target, mode) = match parts.as_slice() {
        [t] => (None, t.clone(), None),
        [s, t] => (Some(s.clone()), t.clone(), None),
        [s, t, m] => (Some(s.clone()), t.clone(), Some(m.clone())),
        _ => return None,
    };
    if target.is_empty() {
        return None;
    }
    Some(ShortVolume {
        source: source.filter(|s| !s.is_empty()),
        target,
        mode,
    })
}

/// Ranges between the colons that separate parts.
fn split_colons(raw: &str) -> Vec<Range<usize>> {
    let bytes = raw.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 2;
                continue;
            }
            b'$' if bytes.get(i + 1) == Some(&b'$') => {
                i += 2;
                continue;
            }
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => {
                let part = &raw[start..i];
                let is_drive = part.len() == 1
                    && part.as_bytes()[0].is_ascii_alphabetic()
                    && matches!(bytes.get(i + 1), Some(b'\\' | b'/'));
                if !is_drive {
                    parts.push(start..i);
                    start = i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(start..raw.len());
    parts
}

/// Whether a volume source names a host path (a bind mount) rather than a named volume, as
/// Compose decides it: a path starts with `.`, `/` or `~`, or is a Windows path.
pub fn is_host_path(source: &str) -> bool {
    let b = source.as_bytes();
    matches!(b.first(), Some(b'.' | b'/' | b'~' | b'\\'))
        || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(raw: &str) -> (Option<&str>, &str, Option<&str>) {
        let v = parse_short(raw).unwrap();
        (
            v.source.map(|r| &raw[r]),
            &raw[v.target],
            v.mode.map(|r| &raw[r]),
        )
    }

    #[test]
    fn short_forms() {
        assert_eq!(parts("/etcd"), (None, "/etcd", None));
        assert_eq!(parts("data:/etcd"), (Some("data"), "/etcd", None));
        assert_eq!(parts("./v:/etcd:ro"), (Some("./v"), "/etcd", Some("ro")));
        assert_eq!(
            parts("${DOCKER_VOLUME_DIRECTORY:-.}/volumes/etcd:/etcd"),
            (
                Some("${DOCKER_VOLUME_DIRECTORY:-.}/volumes/etcd"),
                "/etcd",
                None
            )
        );
        assert_eq!(
            parts("C:\\data\\etcd:/etcd:rw"),
            (Some("C:\\data\\etcd"), "/etcd", Some("rw"))
        );
        assert_eq!(parts("c:/d:/etcd"), (Some("c:/d"), "/etcd", None));
        assert_eq!(
            parts("${A:-${B:-x}}:/t"),
            (Some("${A:-${B:-x}}"), "/t", None)
        );
        assert_eq!(parse_short("a:b:c:d"), None);
        assert_eq!(parse_short("a:"), None);
    }

    #[test]
    fn host_paths() {
        assert!(is_host_path("./volumes/etcd"));
        assert!(is_host_path("/srv/etcd"));
        assert!(is_host_path("~/etcd"));
        assert!(is_host_path("C:\\etcd"));
        assert!(!is_host_path("etcd_data"));
    }
}
