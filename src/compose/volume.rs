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

/// Split a short volume spec into its parts, as compose-go v2.9.1 `format.ParseVolume` does.
/// A spec of one or two bytes is an anonymous volume's target, whatever it holds (`v:`); a
/// colon after a part of a single letter is a Windows drive's, kept in the part (`v::ro` is
/// the source `v:` and the target `ro`); colons inside `${...}` do not split. `None` when
/// Compose refuses it: an empty spec, an empty part between colons (`:/data`, `/data:`), or
/// more than three parts.
pub fn parse_short(raw: &str) -> Option<ShortVolume> {
    match raw.len() {
        0 => return None,
        1 | 2 => {
            return Some(ShortVolume {
                source: None,
                target: 0..raw.len(),
                mode: None,
            });
        }
        _ => {}
    }
    let bytes = raw.as_bytes();
    let mut parts: Vec<Range<usize>> = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    let ends = raw.char_indices().chain(std::iter::once((raw.len(), '\0')));
    for (i, c) in ends {
        let end = i == raw.len();
        if !end && c == '$' && bytes.get(i + 1) == Some(&b'{') {
            depth += 1;
            continue;
        }
        if !end && c == '}' && depth > 0 {
            depth -= 1;
            continue;
        }
        let buffer = &raw[start..i];
        let mut chars = buffer.chars();
        let drive = !end
            && c == ':'
            && chars.next().is_some_and(char::is_alphabetic)
            && chars.next().is_none();
        if drive || !(end || c == ':') || depth > 0 {
            continue;
        }
        // An empty section between colons, or a fourth part.
        if buffer.is_empty() || parts.len() == 3 || (parts.len() == 2 && !end) {
            return None;
        }
        parts.push(start..i);
        start = i + 1;
    }
    let mut parts = parts.into_iter();
    let (first, second, mode) = (parts.next()?, parts.next(), parts.next());
    Some(match second {
        None => ShortVolume {
            source: None,
            target: first,
            mode: None,
        },
        Some(target) => ShortVolume {
            source: Some(first),
            target,
            mode,
        },
    })
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
        assert_eq!(parse_short("ab:cd:ef:gh"), None);
        // One or two bytes: an anonymous volume's target, whatever they are.
        assert_eq!(parts("v:"), (None, "v:", None));
        assert_eq!(parts(":"), (None, ":", None));
        // A single letter before a colon is a Windows drive, whatever follows.
        assert_eq!(parts("v::ro"), (Some("v:"), "ro", None));
        assert_eq!(parts("v:/data"), (None, "v:/data", None));
        assert_eq!(parts("./a:b:ro"), (Some("./a"), "b:ro", None));
        assert_eq!(parts("a:b:c:d"), (Some("a:b"), "c:d", None));
        assert_eq!(parse_short(""), None);
        assert_eq!(parse_short(":/data"), None);
        assert_eq!(parse_short("/data:"), None);
        assert_eq!(parse_short("/a::/b"), None);
        assert_eq!(parse_short("/a:/b:ro:x"), None);
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
