//! Fixes: text edits computed from spans and applied to the original bytes, never a
//! re-serialised document.
//!
//! [`fix_texts`] applies the applicable fixes of a set of files back to front, defers a fix
//! whose edits overlap one already taken to another pass (re-checking in between), and stops
//! when a pass has nothing left to apply (or after [`MAX_PASSES`]). The result is verified before anyone writes it: it must parse, every
//! finding a fix was applied for must be gone, and no finding may appear that was not there.
//! [`replace_verified`] then replaces a file through a temporary file in its own directory,
//! only if it is still the file that was read and the user may write it.

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
    /// The findings whose fixes were applied, in the order they were (with the positions of
    /// the text they were found in): their rule, place, service and fix description (see
    /// [`applied_fix`]).
    pub fixes: Vec<Diagnostic>,
}

/// Whether two edits cannot both be applied in one pass: they overlap, or both start at the same
/// byte (two insertions there would have no defined order).
pub fn conflicts(a: &Edit, b: &Edit) -> bool {
    a.file == b.file
        && (a.span.start == b.span.start
            || (a.span.start < b.span.end && b.span.start < a.span.end))
}

/// Apply non-conflicting edits to a text, back to front.
///
/// Edits that do not overlap (the case of every pass of [`fix_texts`]) are copied in one walk
/// from front to back, in time linear in the text; overlapping ones (which one fix could
/// make) are replaced one by one, back to front, with the same result.
pub fn apply_edits(text: &str, edits: &[&Edit]) -> String {
    let mut sorted: Vec<&&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
    // Back to front, an edit's end at or before the start of the one applied before it.
    let disjoint = sorted
        .windows(2)
        .all(|w| w[1].span.end <= w[0].span.start && w[1].span.start <= w[1].span.end);
    if !disjoint {
        let mut out = text.to_string();
        for e in sorted {
            if e.span.end <= out.len()
                && out.is_char_boundary(e.span.start)
                && out.is_char_boundary(e.span.end)
            {
                out.replace_range(e.span.start..e.span.end, &e.text);
            }
        }
        return out;
    }
    // Each edit applies to bytes no later edit moved: checked against the original text.
    let applies = |e: &Edit| {
        e.span.start <= e.span.end
            && e.span.end <= text.len()
            && text.is_char_boundary(e.span.start)
            && text.is_char_boundary(e.span.end)
    };
    let grow: usize = sorted
        .iter()
        .filter(|e| applies(e))
        .map(|e| e.text.len())
        .sum();
    let mut out = String::with_capacity(text.len() + grow);
    let mut at = 0;
    for e in sorted.into_iter().rev() {
        if !applies(e) {
            continue;
        }
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.text);
        at = e.span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The edits taken in one pass, to tell whether another [`conflicts`] with any of them in
/// logarithmic time. While the taken edits are pairwise free of conflicts (which each fix's
/// own edits almost always are), an edit can only conflict with one starting where it starts
/// or within it, or with the last non-empty one starting before it (the others end before
/// that one starts); otherwise every taken edit is compared.
#[derive(Default)]
struct Taken<'a> {
    edits: Vec<&'a Edit>,
    /// Every taken edit's (file, start).
    starts: std::collections::BTreeSet<(u32, usize)>,
    /// The non-empty taken edits: (file, start) -> end.
    spans: std::collections::BTreeMap<(u32, usize), usize>,
    /// Whether the taken edits are pairwise free of conflicts.
    free: bool,
}

impl<'a> Taken<'a> {
    fn new() -> Self {
        Taken {
            free: true,
            ..Default::default()
        }
    }

    fn conflicts(&self, e: &Edit) -> bool {
        if !self.free || e.span.start > e.span.end {
            return self.edits.iter().any(|t| conflicts(t, e));
        }
        let (file, s, end) = (e.file.0, e.span.start, e.span.end);
        // Same start, or a start inside `e`.
        if self
            .starts
            .range((file, s)..(file, end.max(s + 1)))
            .next()
            .is_some()
        {
            return true;
        }
        // A non-empty edit starting before `e` and ending after its start.
        self.spans
            .range((file, 0)..(file, s))
            .next_back()
            .is_some_and(|(_, &t_end)| t_end > s)
    }

    fn take(&mut self, edits: &'a [Edit]) {
        if self.free {
            let own = edits
                .iter()
                .enumerate()
                .any(|(i, a)| edits[..i].iter().any(|b| conflicts(a, b)));
            let reversed = edits.iter().any(|e| e.span.start > e.span.end);
            if own || reversed {
                self.free = false;
            }
        }
        for e in edits {
            self.edits.push(e);
            if self.free {
                self.starts.insert((e.file.0, e.span.start));
                if e.span.start < e.span.end {
                    self.spans.insert((e.file.0, e.span.start), e.span.end);
                }
            }
        }
    }
}

/// What is kept of a finding whose fix was applied: its rule, place and service, and its fix's
/// applicability and description (not its message, help, related places or edits).
fn applied_fix(d: &Diagnostic) -> Diagnostic {
    Diagnostic {
        rule: d.rule,
        severity: d.severity,
        origin: d.origin,
        message: String::new(),
        label: None,
        help: None,
        service: d.service.clone(),
        related: Vec::new(),
        fix: d.fix.as_ref().map(|f| crate::diagnostic::Fix {
            applicability: f.applicability,
            description: f.description.clone(),
            edits: Vec::new(),
        }),
    }
}

/// A finding's identity across edits: spans move, the rule and the service do not.
fn key(d: &Diagnostic) -> (&'static str, Option<String>) {
    (d.rule, d.service.clone())
}

/// Apply the fixes `policy` allows to `texts` (the files of one check, indexed by the file ids
/// the edits use), re-checking with `check` after every pass and verifying the result.
/// `initial` are the findings of `texts`; they are dropped once the first pass has taken its
/// fixes, so that the findings of two texts are never held at once beyond that pass (what
/// verifying needs of them is counted first).
pub fn fix_texts<C>(
    texts: &[String],
    initial: Vec<Diagnostic>,
    policy: FixPolicy,
    check: C,
) -> Result<Fixed, FixError>
where
    C: Fn(&[String]) -> Result<Vec<Diagnostic>, FixError>,
{
    let mut current = texts.to_vec();
    let count_before = count(&initial);
    // The findings of `current`.
    let mut found = initial;
    let mut applied = 0;
    let mut fixes = Vec::new();
    let mut fixed_keys: HashMap<(&'static str, Option<String>), usize> = HashMap::new();
    for _ in 0..MAX_PASSES {
        let diagnostics = &found;
        let mut taken = Taken::new();
        let mut taken_now = 0;
        for d in diagnostics {
            let Some(fix) = &d.fix else { continue };
            if !policy.applies(fix.applicability) || fix.edits.is_empty() {
                continue;
            }
            let clash = fix
                .edits
                .iter()
                .any(|e| taken.conflicts(e) || e.file.0 as usize >= current.len());
            if clash {
                continue; // deferred to the next pass
            }
            taken.take(&fix.edits);
            taken_now += 1;
            fixes.push(applied_fix(d));
            *fixed_keys.entry(key(d)).or_default() += 1;
        }
        if taken_now == 0 {
            break;
        }
        for (i, text) in current.iter_mut().enumerate() {
            let edits: Vec<&Edit> = taken
                .edits
                .iter()
                .copied()
                .filter(|e| e.file.0 as usize == i)
                .collect();
            if !edits.is_empty() {
                *text = apply_edits(text, &edits);
            }
        }
        applied += taken_now;
        // The findings of the text before are dropped before those of the text after are made.
        drop(std::mem::take(&mut found));
        found = check(&current)?;
    }
    let diagnostics = found;
    for (i, text) in current.iter().enumerate() {
        if *text != texts[i] {
            well_typed(i, &texts[i], text)?;
        }
    }
    verify(&count_before, &diagnostics, &fixed_keys)?;
    Ok(Fixed {
        texts: current,
        diagnostics,
        applied,
        fixes,
    })
}

/// A fixed text puts no tag on a node of another type (`!!null` on a list, say) where the
/// original did not: Docker Compose reads past such a tag, but standard YAML loaders refuse it.
fn well_typed(file: usize, before: &str, after: &str) -> Result<(), FixError> {
    let limits = crate::yaml::Limits::default();
    let (Ok(b), Ok(a)) = (
        crate::yaml::parse(before, &limits),
        crate::yaml::parse(after, &limits),
    ) else {
        return Ok(());
    };
    let (was, now) = (yaml_edit::mistyped_tags(&b), yaml_edit::mistyped_tags(&a));
    match now.get(was.len()..).and_then(|new| new.first()) {
        Some(span) if now.len() > was.len() => Err(FixError::Broken {
            file,
            message: format!(
                "the tag `{}` would be on a value of another type, which YAML loaders refuse",
                span.slice(after)
            ),
            offset: span.start,
        }),
        _ => Ok(()),
    }
}

/// How many findings each rule has for each service.
fn count(findings: &[Diagnostic]) -> HashMap<(&'static str, Option<String>), usize> {
    let mut n: HashMap<_, usize> = HashMap::new();
    for d in findings {
        *n.entry(key(d)).or_default() += 1;
    }
    n
}

/// Every finding a fix was applied for is gone, and nothing new appeared (`count_before`
/// counts the findings before, see [`count`]).
fn verify(
    count_before: &HashMap<(&'static str, Option<String>), usize>,
    after: &[Diagnostic],
    fixed: &HashMap<(&'static str, Option<String>), usize>,
) -> Result<(), FixError> {
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

/// Why a fixed file was not written.
#[derive(Debug)]
pub enum WriteError {
    /// The file at the path is not the one that was read any more (edited, replaced, removed).
    Changed,
    /// The user may not write the file; why.
    NotWritable(String),
    /// The file has this many names (hard links).
    HardLinks(u64),
    /// Replacing the file would change its owner or group; whose it is.
    Owner(String),
    /// Creating, writing or renaming the replacement failed.
    Io(std::io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Changed => f.write_str(
                "changed while milvet was fixing it; it is left as it is (run milvet again)",
            ),
            WriteError::NotWritable(why) => write!(f, "not writable: {why}"),
            WriteError::HardLinks(n) => write!(
                f,
                "it has {n} names (hard links): replacing it would leave the other names with \
                 the old text, and writing it in place could leave it half-written; apply the \
                 fixes by hand (`milvet check --diff` shows them)"
            ),
            WriteError::Owner(whose) => write!(
                f,
                "{whose}, and a replacement written by this user could not keep that owner and \
                 group; run milvet as its owner"
            ),
            WriteError::Io(e) => f.write_str(&crate::source::io_message(e)),
        }
    }
}

/// A test hook, called with the path about to be replaced once its replacement is written and
/// just before the file is checked again and renamed over: a test changes the file there to
/// see that the change is kept.
pub type BeforeReplace<'a> = &'a dyn Fn(&Path);

/// What identifies a file's version: the same file (device, inode), with the same size, times,
/// links, owner and mode.
fn identity(m: &std::fs::Metadata) -> [i64; 11] {
    use std::os::unix::fs::MetadataExt;
    [
        m.dev() as i64,
        m.ino() as i64,
        m.size() as i64,
        m.mtime(),
        m.mtime_nsec(),
        m.ctime(),
        m.ctime_nsec(),
        m.nlink() as i64,
        i64::from(m.uid()),
        i64::from(m.gid()),
        i64::from(m.mode()),
    ]
}

/// The file at `target` as it is now, if it holds exactly `original` (read with a bound, from
/// a regular file); [`WriteError::Changed`] otherwise.
fn unchanged(target: &Path, original: &[u8]) -> Result<std::fs::Metadata, WriteError> {
    use crate::source::{ReadError, read_regular};
    match read_regular(target, original.len()) {
        Ok((bytes, meta)) if bytes == original => Ok(meta),
        Ok(_) | Err(ReadError::NotFound | ReadError::TooLarge { .. }) => Err(WriteError::Changed),
        Err(ReadError::NotRegular(_) | ReadError::Directory) => Err(WriteError::Changed),
        Err(ReadError::Io(e)) => Err(WriteError::Io(e)),
    }
}

/// Whether a plain write of the file would be allowed, and whether replacing it keeps what a
/// plain write keeps. A file is not replaced when:
/// - its mode gives no one write permission (a file marked read-only, even for root, who may
///   write it: the mode is what says it must not change);
/// - the system says this user may not open it for writing (permissions, access control lists,
///   an immutable file, a read-only file system), asked without opening it;
/// - it has other names (hard links), which a replacement would split off.
fn writable(target: &Path, meta: &std::fs::Metadata) -> Result<(), WriteError> {
    use std::os::unix::fs::MetadataExt;
    let mode = meta.mode() & 0o7777;
    if mode & 0o222 == 0 {
        return Err(WriteError::NotWritable(format!(
            "its mode is {mode:03o}, which lets no one write it"
        )));
    }
    // What opening it for writing would say, without opening it (which watchers would see).
    let path = std::ffi::CString::new(target.as_os_str().as_encoded_bytes())
        .map_err(|e| WriteError::Io(std::io::Error::other(e)))?;
    // SAFETY: a valid, NUL-terminated path; no memory is passed back.
    let allowed =
        unsafe { libc::faccessat(libc::AT_FDCWD, path.as_ptr(), libc::W_OK, libc::AT_EACCESS) };
    if allowed != 0 {
        let e = std::io::Error::last_os_error();
        return Err(match e.raw_os_error() {
            Some(libc::EACCES | libc::EPERM) => WriteError::NotWritable(format!(
                "this user may not write it (mode {mode:03o}, owner {}, group {})",
                meta.uid(),
                meta.gid()
            )),
            Some(libc::EROFS) => WriteError::NotWritable("it is on a read-only file system".into()),
            _ => WriteError::Io(e),
        });
    }
    if meta.nlink() > 1 {
        return Err(WriteError::HardLinks(meta.nlink()));
    }
    Ok(())
}

/// Check, without writing, that the file at `path` still holds `original` and may be replaced
/// (see [`replace_verified`]); to check every file of a project before writing any.
pub fn check_replaceable(path: &Path, original: &[u8]) -> Result<(), WriteError> {
    let target = std::fs::canonicalize(path).map_err(|_| WriteError::Changed)?;
    let meta = unchanged(&target, original)?;
    writable(&target, &meta)
}

/// Replace the file at `path`, read as `original`, with `contents`, atomically and only if it
/// is still what was read. A symbolic link is followed, so its target is replaced and the link
/// stays.
///
/// The file is read again first: it must be a regular file holding exactly `original`, that
/// the user may write (see [`writable`]), with one name. The replacement is a new file in the
/// same directory, written and flushed to disk, given the original's owner, group (when they
/// differ from the new file's, which only root or a member of the group can do: otherwise the
/// file is left alone) and mode. Just before it is renamed over the original, the original is
/// checked again: the same file (device and inode), size, times, links, owner and mode, and the
/// same bytes; if anything differs, the replacement is removed and the file left as it is.
/// What is left is the moment between that last check and the rename, which no file system
/// call closes without locks that editors do not take.
pub fn replace_verified(
    path: &Path,
    original: &[u8],
    contents: &[u8],
    before_replace: Option<BeforeReplace<'_>>,
) -> Result<(), WriteError> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
    let target = std::fs::canonicalize(path).map_err(|_| WriteError::Changed)?;
    let meta = unchanged(&target, original)?;
    writable(&target, &meta)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut n = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(".{name}.milvet-{}-{n}", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
        {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(WriteError::Io(e)),
        }
    };
    let result = (|| {
        file.write_all(contents).map_err(WriteError::Io)?;
        let mine = file.metadata().map_err(WriteError::Io)?;
        if (mine.uid(), mine.gid()) != (meta.uid(), meta.gid()) {
            std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid())).map_err(|_| {
                WriteError::Owner(format!(
                    "it belongs to user {} and group {}",
                    meta.uid(),
                    meta.gid()
                ))
            })?;
        }
        // After the owner: changing the owner clears the set-user-id and set-group-id bits.
        file.set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o7777))
            .map_err(WriteError::Io)?;
        file.sync_all().map_err(WriteError::Io)?;
        if let Some(hook) = before_replace {
            hook(&target);
        }
        let now = unchanged(&target, original)?;
        if identity(&now) != identity(&meta) {
            return Err(WriteError::Changed);
        }
        std::fs::rename(&tmp, &target).map_err(WriteError::Io)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    } else if let Ok(d) = std::fs::File::open(dir) {
        // The rename itself on disk.
        let _ = d.sync_all();
    }
    result
}

/// Replace the file at `path` with `contents` atomically, whatever it holds now (see
/// [`replace_verified`], which `--fix` uses).
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let original = crate::source::read_regular(&target, usize::MAX - 1)
        .map_err(|e| std::io::Error::other(e.to_string()))?
        .0;
    replace_verified(path, &original, contents, None).map_err(|e| match e {
        WriteError::Io(e) => e,
        e => std::io::Error::other(e.to_string()),
    })
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

    /// Random edits, taken as a pass takes them: the set answers as comparing every taken edit
    /// does, and the edits apply as replacing them one by one back to front does.
    #[test]
    fn taken_edits_and_their_application_match_the_plain_scan() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let text = "héllo, wörld: a text of some length to edit\n".repeat(3);
        for round in 0..400 {
            let mut taken = Taken::new();
            let mut plain: Vec<&Edit> = Vec::new();
            let fixes: Vec<Vec<Edit>> = (0..30)
                .map(|_| {
                    (0..1 + next(3))
                        .map(|_| {
                            let s = next(text.len() + 2);
                            let e = if round % 7 == 0 && next(10) == 0 {
                                s.saturating_sub(1)
                            } else {
                                s + next(6).saturating_sub(2)
                            };
                            let mut ed = edit(s, e, ["", "x", "ÿz"][next(3)]);
                            ed.file = FileId(next(2) as u32);
                            ed
                        })
                        .collect()
                })
                .collect();
            for fix in &fixes {
                let fast = fix.iter().any(|e| taken.conflicts(e));
                let slow = fix.iter().any(|e| plain.iter().any(|t| conflicts(t, e)));
                assert_eq!(fast, slow, "round {round}: {fix:?} against {plain:?}");
                if !fast {
                    taken.take(fix);
                    plain.extend(fix.iter());
                }
            }
            // (A reversed span is only ever compared: replacing it would panic either way.)
            let edits: Vec<&Edit> = plain
                .iter()
                .copied()
                .filter(|e| e.file.0 == 0 && e.span.start <= e.span.end)
                .collect();
            let mut sorted = edits.clone();
            sorted.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
            let mut one_by_one = text.clone();
            for e in sorted {
                if e.span.end <= one_by_one.len()
                    && one_by_one.is_char_boundary(e.span.start)
                    && one_by_one.is_char_boundary(e.span.end)
                {
                    one_by_one.replace_range(e.span.start..e.span.end, &e.text);
                }
            }
            assert_eq!(apply_edits(&text, &edits), one_by_one, "round {round}");
        }
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
        fix_texts(&texts, initial, FixPolicy::default(), |t| {
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
    fn a_fix_that_leaves_a_scalar_tag_on_a_collection_is_refused() {
        // Replacing the null with a list but keeping its tag, as fixes once did.
        let fix = |text: &str| {
            let texts = [text.to_string()];
            fix_texts(
                &texts,
                findings(text, "\n  - x"),
                FixPolicy::default(),
                |t| Ok(findings(&t[0], "\n  - x")),
            )
        };
        assert_eq!(
            fix("e: !!null #BAD\n").unwrap_err(),
            FixError::Broken {
                file: 0,
                message: "the tag `!!null` would be on a value of another type, which YAML \
                          loaders refuse"
                    .into(),
                offset: 3
            }
        );
        // A tag already wrong in the original is not the fix's doing.
        let fixed = fix("a: !!str {k: v}\ne: BAD\n").unwrap();
        assert_eq!(fixed.texts, ["a: !!str {k: v}\ne: \n  - x\n"]);
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
        let fixed = fix_texts(&[text.to_string()], initial, FixPolicy::default(), |t| {
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
