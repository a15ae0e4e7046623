//! Fixes: text edits computed from spans and applied to the original bytes, never a
//! re-serialised document.
//!
//! [`fix_texts`] applies the applicable fixes of a set of files back to front, defers a fix
//! whose edits overlap one already taken to another pass (re-checking in between), and stops
//! when a pass has nothing left to apply (or after [`MAX_PASSES`]). The result is verified before anyone writes it: it must parse, every
//! finding a fix was applied for must be gone, and no finding may appear that was not there.
//! [`write_atomic`] then replaces a file through a temporary file in its own directory.

pub mod compose_edit;
pub mod memo;
pub mod style;
pub mod yaml_edit;

use crate::diagnostic::{Applicability, Diagnostic, Edit};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// Most passes of one fix run: a pass applies every fix that does not overlap an earlier one,
/// so a run takes as many passes as fixes meet at one place (several mounts added to one list,
/// say), up to this bound.
pub const MAX_PASSES: usize = 64;

/// Which fixes to apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FixPolicy {
    /// Also apply unsafe fixes.
    pub unsafe_fixes: bool,
}

impl FixPolicy {
    pub fn applies(&self, a: Applicability) -> bool {
        match a {
            Applicability::Safe => true,
            Applicability::Unsafe => self.unsafe_fixes,
            Applicability::Unavailable => false,
        }
    }
}

/// Why fixed text is not written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixError {
    /// The fixed text of a file does not parse or check (file index, message, byte offset).
    Broken {
        file: usize,
        message: String,
        offset: usize,
    },
    /// A fixed finding is still there, or a new one appeared.
    Unverified(String),
}

impl std::fmt::Display for FixError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FixError::Broken { message, .. } => write!(f, "the fixed text is broken: {message}"),
            FixError::Unverified(m) => f.write_str(m),
        }
    }
}

/// The outcome of a fix run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fixed {
    /// The texts after fixing, one per input text.
    pub texts: Vec<String>,
    /// The findings of the fixed texts.
    pub diagnostics: Vec<Diagnostic>,
    /// How many fixes were applied.
    pub applied: usize,
}

/// Whether two edits cannot both be applied in one pass: they overlap, or both start at the same
/// byte (two insertions there would have no defined order).
pub fn conflicts(a: &Edit, b: &Edit) -> bool {
    a.file == b.file
        && (a.span.start == b.span.start
            || (a.span.start < b.span.end && b.span.start < a.span.end))
}

/// Apply non-conflicting edits to a text, back to front.
pub fn apply_edits(text: &str, edits: &[&Edit]) -> String {
    let mut sorted: Vec<&&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
    let mut out = text.to_string();
    for e in sorted {
        if e.span.end <= out.len()
            && out.is_char_boundary(e.span.start)
            && out.is_char_boundary(e.span.end)
        {
            out.replace_range(e.span.start..e.span.end, &e.text);
        }
    }
    out
}

/// A finding's identity across edits: spans move, the rule and the service do not.
fn key(d: &Diagnostic) -> (&'static str, Option<String>) {
    (d.rule, d.service.clone())
}

/// Apply the fixes `policy` allows to `texts` (the files of one check, indexed by the file ids
/// the edits use), re-checking with `check` after every pass and verifying the result.
/// `initial` are the findings of `texts`.
pub fn fix_texts<C>(
    texts: &[String],
    initial: &[Diagnostic],
    policy: FixPolicy,
    check: C,
) -> Result<Fixed, FixError>
where
    C: Fn(&[String]) -> Result<Vec<Diagnostic>, FixError>,
{
    let mut current = texts.to_vec();
    let mut diagnostics = initial.to_vec();
    let mut applied = 0;
    let mut fixed_keys: HashMap<(&'static str, Option<String>), usize> = HashMap::new();
    for _ in 0..MAX_PASSES {
        let mut taken: Vec<&Edit> = Vec::new();
        let mut taken_now = 0;
        for d in &diagnostics {
            let Some(fix) = &d.fix else { continue };
            if !policy.applies(fix.applicability) || fix.edits.is_empty() {
                continue;
            }
            let clash = fix.edits.iter().any(|e| {
                taken.iter().any(|t| conflicts(t, e)) || e.file.0 as usize >= current.len()
            });
            if clash {
                continue; // deferred to the next pass
            }
            taken.extend(fix.edits.iter());
            taken_now += 1;
            *fixed_keys.entry(key(d)).or_default() += 1;
        }
        if taken_now == 0 {
            break;
        }
        let mut next = current.clone();
        for (i, text) in next.iter_mut().enumerate() {
            let edits: Vec<&Edit> = taken
                .iter()
                .copied()
                .filter(|e| e.file.0 as usize == i)
                .collect();
            if !edits.is_empty() {
                *text = apply_edits(&current[i], &edits);
            }
        }
        applied += taken_now;
        current = next;
        diagnostics = check(&current)?;
    }
    verify(initial, &diagnostics, &fixed_keys)?;
    Ok(Fixed {
        texts: current,
        diagnostics,
        applied,
    })
}

/// Every finding a fix was applied for is gone, and nothing new appeared.
fn verify(
    before: &[Diagnostic],
    after: &[Diagnostic],
    fixed: &HashMap<(&'static str, Option<String>), usize>,
) -> Result<(), FixError> {
    let mut count_before: HashMap<_, usize> = HashMap::new();
    for d in before {
        *count_before.entry(key(d)).or_default() += 1;
    }
    let mut count_after: HashMap<_, usize> = HashMap::new();
    for d in after {
        *count_after.entry(key(d)).or_default() += 1;
    }
    for (k, &n) in &count_after {
        let was = count_before.get(k).copied().unwrap_or(0);
        let gone = fixed.get(k).copied().unwrap_or(0).min(was);
        if n > was - gone {
            let (rule, service) = k;
            let whose = service
                .as_deref()
                .map(|s| format!(" for service `{s}`"))
                .unwrap_or_default();
            return Err(FixError::Unverified(if was == 0 {
                format!("fixing would add a new `{rule}` finding{whose}")
            } else {
                format!("the fix for `{rule}`{whose} does not remove the finding")
            }));
        }
    }
    Ok(())
}

/// Replace the file at `path` with `contents` atomically: write a temporary file in the same
/// directory, flush it to disk, give it the original's permissions, and rename it over the
/// original. A symbolic link is followed, so its target is replaced and the link stays.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let permissions = std::fs::metadata(&target)?.permissions();
    let mut n = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(".{name}.milvet-{}-{n}", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    };
    let result = file
        .write_all(contents)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::set_permissions(&tmp, permissions))
        .and_then(|()| std::fs::rename(&tmp, &target));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::FileId;
    use crate::source::Span;

    fn edit(start: usize, end: usize, text: &str) -> Edit {
        Edit {
            file: FileId(0),
            span: Span::new(start, end),
            text: text.into(),
        }
    }

    #[test]
    fn conflicts_are_overlaps_or_shared_starts() {
        assert!(conflicts(&edit(0, 5, ""), &edit(3, 8, "")));
        assert!(conflicts(&edit(4, 4, "a"), &edit(4, 4, "b")));
        assert!(conflicts(&edit(4, 4, "a"), &edit(2, 6, "b")));
        assert!(!conflicts(&edit(0, 5, ""), &edit(5, 5, "x")));
        assert!(!conflicts(&edit(0, 5, ""), &edit(6, 8, "x")));
        let mut other = edit(0, 5, "");
        other.file = FileId(1);
        assert!(!conflicts(&edit(0, 5, ""), &other));
    }

    #[test]
    fn edits_apply_back_to_front() {
        let e = [edit(0, 1, "AA"), edit(2, 3, "CC"), edit(3, 3, "!")];
        let refs: Vec<&Edit> = e.iter().collect();
        assert_eq!(apply_edits("abc", &refs), "AAbCC!");
    }

    /// A finding for every `BAD` in the text, fixed by writing `replacement` over it.
    fn findings(text: &str, replacement: &'static str) -> Vec<Diagnostic> {
        use crate::compose::Origin;
        use crate::diagnostic::{Fix, Severity};
        text.match_indices("BAD")
            .map(|(i, _)| Diagnostic {
                rule: "test-rule",
                severity: Severity::Warning,
                origin: Origin {
                    file: FileId(0),
                    span: Span::new(i, i + 3),
                },
                message: "bad".into(),
                label: None,
                help: None,
                service: Some(format!("s{i}")),
                related: Vec::new(),
                fix: Some(Fix::safe("fix it", vec![edit(i, i + 3, replacement)])),
            })
            .collect()
    }

    fn run(text: &str, replacement: &'static str) -> Result<Fixed, FixError> {
        let texts = [text.to_string()];
        let initial = findings(text, replacement);
        fix_texts(&texts, &initial, FixPolicy::default(), |t| {
            if t[0].contains('!') {
                return Err(FixError::Broken {
                    file: 0,
                    message: "broken".into(),
                    offset: 0,
                });
            }
            Ok(findings(&t[0], replacement))
        })
    }

    #[test]
    fn fixes_are_applied_and_verified() {
        let fixed = run("a BAD b BAD", "ok").unwrap();
        assert_eq!(fixed.texts, ["a ok b ok"]);
        assert_eq!(fixed.applied, 2);
        assert!(fixed.diagnostics.is_empty());
    }

    #[test]
    fn a_fix_that_leaves_its_finding_is_refused() {
        // Replacing BAD with BAD leaves the finding in place.
        let e = run("a BAD", "BAD").unwrap_err();
        assert!(matches!(e, FixError::Unverified(m) if m.contains("does not remove")));
    }

    #[test]
    fn a_fix_that_adds_a_finding_is_refused() {
        // The finding moves to another offset: another service key, so a new finding.
        let e = run("a BAD", "xBAD").unwrap_err();
        assert!(matches!(e, FixError::Unverified(m) if m.contains("new")));
    }

    #[test]
    fn a_fix_that_breaks_the_text_is_refused() {
        assert!(matches!(run("a BAD", "!"), Err(FixError::Broken { .. })));
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_pass() {
        use crate::compose::Origin;
        use crate::diagnostic::{Fix, Severity};
        // Two insertions at the same point: the second is deferred, then recomputed.
        let text = "x";
        let make = |t: &str| -> Vec<Diagnostic> {
            ["A", "B"]
                .iter()
                .filter(|w| !t.contains(*w))
                .map(|w| Diagnostic {
                    rule: "test-rule",
                    severity: Severity::Warning,
                    origin: Origin {
                        file: FileId(0),
                        span: Span::new(0, 1),
                    },
                    message: String::new(),
                    label: None,
                    help: None,
                    service: Some((*w).into()),
                    related: Vec::new(),
                    fix: Some(Fix::safe("add", vec![edit(t.len(), t.len(), w)])),
                })
                .collect()
        };
        let initial = make(text);
        let fixed = fix_texts(&[text.to_string()], &initial, FixPolicy::default(), |t| {
            Ok(make(&t[0]))
        })
        .unwrap();
        assert_eq!(fixed.texts, ["xAB"]);
        assert_eq!(fixed.applied, 2);
    }

    #[test]
    fn unsafe_fixes_need_the_policy() {
        use crate::diagnostic::Applicability::*;
        assert!(FixPolicy::default().applies(Safe));
        assert!(!FixPolicy::default().applies(Unsafe));
        assert!(FixPolicy { unsafe_fixes: true }.applies(Unsafe));
        assert!(!FixPolicy { unsafe_fixes: true }.applies(Unavailable));
    }

    #[test]
    fn atomic_write_keeps_permissions_and_symlinks() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("milvet-write-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let real = dir.join("real.yaml");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.join("compose.yaml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
