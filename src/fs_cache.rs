//! What the file system said while the directories of a run were walked, asked again without
//! asking the disk.
//!
//! Discovery lists every directory it walks. Many questions asked later are about names in
//! those directories: whether a project directory has a `.env`, a `milvet.toml`, a
//! `milvus.yaml` or a `configs/user.yaml`, and what the directory's canonical path is. Most
//! such names are not there, and a name missing from a directory's listing is missing: the
//! answer is the one the disk gives, without the system call. So is "is it a file" of a
//! directory listed as one, and "is it a directory" of a regular file (whether or not it can
//! be reached). Anything else (whether a listed file can be read, a path outside the walked
//! directories, one through a symbolic link or a directory not walked, a spelling ending in
//! `..` or `/`) is asked of the disk, as before.
//!
//! The cache is built once, by discovery, before any project is checked, and only read after
//! that: threads share it without a lock. It holds what the walk saw; a file created in a
//! walked directory during the run is not seen (nor is it by discovery itself).

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// What an entry of a walked directory is (as the directory lists it: a symbolic link is
/// [`Kind::Other`], whatever it leads to).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Dir,
    File,
    Other,
}

impl Kind {
    /// The kind of a directory entry's type (not following a symbolic link).
    pub fn of(t: std::fs::FileType) -> Kind {
        if t.is_dir() {
            Kind::Dir
        } else if t.is_file() {
            Kind::File
        } else {
            Kind::Other
        }
    }
}

/// What one walk of a directory saw: every entry met under it, in the order met. Recorded
/// with [`FsCache::add_walk`] when the walk ends without an error (a listing must be whole to
/// tell a name missing).
#[derive(Debug)]
pub struct Walk {
    /// The root as given, and spelled as a key.
    root: PathBuf,
    key: PathBuf,
    cwd: PathBuf,
    /// Each entry (spelled as a key), what it is, and whether the walk went into it.
    seen: Vec<(Box<Path>, Kind, bool)>,
    /// More than [`MAX_ENTRIES`] entries were met: the walk is not recorded.
    overflowed: bool,
}

/// Most entries one walk records. A larger tree is not cached (its questions go to the disk):
/// the cache lives for the whole run, and memory must not grow with the number of files.
pub const MAX_ENTRIES: usize = 4096;

impl Walk {
    /// The walk met `path` (the root joined with the entry's names), of this kind; `walked`:
    /// it is a directory the walk goes into.
    pub fn saw(&mut self, path: &Path, kind: Kind, walked: bool) {
        if self.overflowed {
            return;
        }
        if self.seen.len() == MAX_ENTRIES {
            self.overflowed = true;
            self.seen = Vec::new();
            return;
        }
        self.seen
            .push((spell(&self.cwd, path).into_boxed_path(), kind, walked));
    }
}

/// The listings of the directories a run walked (see the module's documentation). The
/// default cache knows nothing: every question goes to the disk.
#[derive(Clone, Debug, Default)]
pub struct FsCache {
    /// The current directory relative paths are taken from; `None`: nothing is cached.
    cwd: Option<PathBuf>,
    /// The roots walked (spelled as keys), with their canonical paths when known.
    roots: Vec<(PathBuf, Option<PathBuf>)>,
    /// Walked directory (absolute, spelled as walked) → the root its walk started from. Each
    /// is a real directory under that root (a walk does not follow links). Keys are the bytes
    /// of spelled paths: two spellings of one path are equal as bytes, and bytes hash much
    /// faster than a path's components.
    dirs: HashMap<Box<OsStr>, usize>,
    /// Entry of a walked directory → what it is.
    entries: HashMap<Box<OsStr>, Kind>,
}

/// `path` absolute against `cwd`, spelled as the walk spells it (`.` components and repeated
/// `/` dropped; `..` kept: two paths spelled the same lead to the same file).
fn spell(cwd: &Path, path: &Path) -> PathBuf {
    let joined;
    let path = if path.is_absolute() {
        path
    } else {
        joined = cwd.join(path);
        &joined
    };
    path.components().collect()
}

impl FsCache {
    /// An empty cache for walks made from the current directory (which must not change while
    /// the cache is used).
    pub fn new() -> FsCache {
        FsCache {
            cwd: std::env::current_dir().ok(),
            ..FsCache::default()
        }
    }

    /// A walk of `root` (a directory) to record what it sees; `None` when nothing is cached.
    pub fn walk(&self, root: &Path) -> Option<Walk> {
        let cwd = self.cwd.clone()?;
        Some(Walk {
            root: root.to_path_buf(),
            key: spell(&cwd, root),
            cwd,
            seen: Vec::new(),
            overflowed: false,
        })
    }

    /// Record a walk that ended without an error.
    pub fn add_walk(&mut self, walk: Walk) {
        if walk.overflowed {
            return;
        }
        let index = self.roots.len();
        self.roots
            .push((walk.key.clone(), std::fs::canonicalize(&walk.root).ok()));
        self.dirs
            .insert(walk.key.into_os_string().into_boxed_os_str(), index);
        for (key, kind, walked) in walk.seen {
            if !key
                .parent()
                .is_some_and(|p| self.dirs.contains_key(p.as_os_str()))
            {
                continue;
            }
            if walked && kind == Kind::Dir {
                self.dirs.insert(Box::from(key.as_os_str()), index);
            }
            self.entries.insert(
                key.into_path_buf().into_os_string().into_boxed_os_str(),
                kind,
            );
        }
    }

    /// A path asked about spelled as the walk spells it (see [`spell`]), `None` for one whose
    /// spelling says more than its components (a trailing `/` or `/.`, which the file must be
    /// a directory for) or that ends in `..`, or when nothing is cached.
    fn key(&self, path: &Path) -> Option<PathBuf> {
        let bytes = path.as_os_str().as_encoded_bytes();
        let odd = bytes.is_empty()
            || bytes.ends_with(b"/")
            || bytes.ends_with(b"/.")
            || bytes.ends_with(b"/..")
            || bytes == b"."
            || bytes == b"..";
        if odd {
            return None;
        }
        Some(spell(self.cwd.as_ref()?, path))
    }

    /// What the listing of a walked directory says of `path`: `Some(None)` when the path
    /// leads through that directory to a name it does not hold, `Some(Some(kind))` when
    /// `path` is an entry of it; `None` when not known.
    fn entry(&self, path: &Path) -> Option<Option<Kind>> {
        if self.dirs.is_empty() {
            return None;
        }
        let key = self.key(path)?;
        let mut child = key.as_path();
        while let Some(dir) = child.parent() {
            if self.dirs.contains_key(dir.as_os_str()) {
                child.file_name()?;
                return match self.entries.get(child.as_os_str()) {
                    None => Some(None),
                    // The entry itself; a name further down is not known.
                    Some(&kind) if child == key => Some(Some(kind)),
                    Some(_) => None,
                };
            }
            child = dir;
        }
        None
    }

    /// The canonical path of a walked directory: its root's, and the names below.
    fn canonical_dir(&self, key: &Path) -> Option<PathBuf> {
        let (root, canonical) = self.roots.get(*self.dirs.get(key.as_os_str())?)?;
        let canonical = canonical.as_ref()?;
        match key.strip_prefix(root).ok()? {
            rel if rel.as_os_str().is_empty() => Some(canonical.clone()),
            rel => Some(canonical.join(rel)),
        }
    }

    /// Whether nothing is at `path`, known from the listing of a walked directory: the path
    /// leads through that directory to a name it does not hold. `false` when not known.
    pub fn absent(&self, path: &Path) -> bool {
        self.entry(path) == Some(None)
    }

    /// [`Path::is_file`]: without asking the disk when nothing is there, or a directory.
    pub fn is_file(&self, path: &Path) -> bool {
        match self.entry(path) {
            Some(None | Some(Kind::Dir)) => false,
            _ => path.is_file(),
        }
    }

    /// [`Path::is_dir`]: without asking the disk when nothing is there, or a regular file.
    pub fn is_dir(&self, path: &Path) -> bool {
        match self.entry(path) {
            Some(None | Some(Kind::File)) => false,
            _ => path.is_dir(),
        }
    }

    /// [`Path::exists`].
    pub fn exists(&self, path: &Path) -> bool {
        !self.absent(path) && path.exists()
    }

    /// [`std::fs::canonicalize`] (an error's kind only is kept when the answer is known).
    pub fn canonicalize(&self, path: &Path) -> std::io::Result<PathBuf> {
        if !self.dirs.is_empty()
            && let Some(key) = self.key(path)
        {
            if let Some(c) = self.canonical_dir(&key) {
                return Ok(c);
            }
            if let (Some(parent), Some(name)) = (key.parent(), key.file_name())
                && self.entries.get(key.as_os_str()) == Some(&Kind::File)
                && let Some(c) = self.canonical_dir(parent)
            {
                return Ok(c.join(name));
            }
            if self.absent(path) {
                return Err(std::io::ErrorKind::NotFound.into());
            }
        }
        std::fs::canonicalize(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    /// A tree with files, directories walked and skipped, links to files and directories,
    /// a dangling link, a FIFO and a `.env` that is a directory.
    fn tree() -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        for d in [
            "p",
            "p/configs",
            "p/.env",
            "q",
            "q/node_modules",
            "q/.hidden",
            "real",
            "empty",
        ] {
            std::fs::create_dir_all(r.join(d)).unwrap();
        }
        for f in [
            "p/compose.yaml",
            "p/configs/milvus.yaml",
            "q/.env",
            "q/docker-compose.yml",
            "q/node_modules/milvus.yaml",
            "q/.hidden/milvet.toml",
            "real/user.yaml",
        ] {
            std::fs::write(r.join(f), "x: 1\n").unwrap();
        }
        symlink(r.join("real"), r.join("p/linked")).unwrap();
        symlink(r.join("real/user.yaml"), r.join("q/user.yaml")).unwrap();
        symlink(r.join("nowhere"), r.join("q/dangling.yaml")).unwrap();
        let fifo =
            std::ffi::CString::new(r.join("q/fifo.yaml").into_os_string().into_encoded_bytes())
                .unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        t
    }

    /// Names asked about in each directory of [`tree`], present or not.
    const NAMES: &[&str] = &[
        ".env",
        ".milvet.toml",
        "milvet.toml",
        "pyproject.toml",
        "compose.yaml",
        "docker-compose.yml",
        "milvus.yaml",
        "user.yaml",
        "configs",
        "configs/milvus.yaml",
        "configs/user.yaml",
        "linked",
        "linked/user.yaml",
        "linked/nope.yaml",
        "dangling.yaml",
        "fifo.yaml",
        "node_modules",
        "node_modules/milvus.yaml",
        "node_modules/nope.yaml",
        ".hidden/milvet.toml",
        ".hidden/nope.toml",
        "nope/deeper/milvus.yaml",
        "compose.yaml/x",
        "../p/compose.yaml",
        "../p/nope.yaml",
        "./compose.yaml",
        "compose.yaml/",
        "configs/.",
        "configs/..",
    ];

    /// `path` (absolute) spelled relative to the current directory.
    fn relative(path: &Path) -> PathBuf {
        let cwd = std::env::current_dir().unwrap();
        let up: PathBuf = cwd.components().skip(1).map(|_| "..").collect();
        up.join(path.strip_prefix("/").unwrap())
    }

    /// Every path asked about, spelled absolute and relative to the current directory.
    fn asked(root: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for d in ["", "p", "q", "real", "empty", "nope"] {
            for n in NAMES {
                let abs = root.join(d).join(n);
                out.push(relative(&abs));
                out.push(abs);
            }
        }
        out
    }

    /// The cache of a walk of `roots` as discovery walks them.
    fn walked(roots: &[PathBuf]) -> FsCache {
        let (_, errors, cache) = crate::discover::walk_cached(roots);
        assert!(errors.is_empty(), "{errors:?}");
        cache
    }

    #[test]
    fn cached_answers_equal_the_disk() {
        let t = tree();
        for root in [t.path().to_path_buf(), relative(t.path())] {
            same_answers(&walked(&[root]), t.path());
        }
        // Roots that overlap, one through a link.
        let roots = [
            t.path().join("q"),
            t.path().join("p/linked"),
            t.path().to_path_buf(),
        ];
        same_answers(&walked(&roots), t.path());
    }

    /// Every answer of `cache` (a walk of `root`) is the disk's.
    fn same_answers(cache: &FsCache, root: &Path) {
        let mut answered = 0;
        for p in asked(root) {
            let known = cache.absent(&p);
            if known {
                answered += 1;
                assert!(std::fs::symlink_metadata(&p).is_err(), "{}", p.display());
            }
            assert_eq!(cache.is_file(&p), p.is_file(), "is_file {}", p.display());
            assert_eq!(cache.is_dir(&p), p.is_dir(), "is_dir {}", p.display());
            assert_eq!(cache.exists(&p), p.exists(), "exists {}", p.display());
            match (cache.canonicalize(&p), std::fs::canonicalize(&p)) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "canonicalize {}", p.display()),
                (Err(a), Err(b)) if known => assert_eq!(a.kind(), b.kind(), "{}", p.display()),
                (Err(_), Err(_)) => {}
                (a, b) => panic!("canonicalize {}: {a:?} vs {b:?}", p.display()),
            }
        }
        // Most names asked about are missing from walked directories, and are answered
        // (those spelled as the walk spelled its root).
        assert!(answered > 100, "{answered}");
    }

    #[test]
    fn known_answers_come_from_the_walk_not_the_disk() {
        let t = tree();
        let r = t.path();
        let cache = walked(&[r.to_path_buf()]);
        let canonical = std::fs::canonicalize(r.join("p")).unwrap();
        // Under a directory not walked (skipped, or reached through a link) or outside the
        // walk, the disk answers.
        std::fs::write(r.join("q/node_modules/new.yaml"), "").unwrap();
        std::fs::write(r.join("real/new.yaml"), "").unwrap();
        assert!(cache.is_file(&r.join("q/node_modules/new.yaml")));
        assert!(cache.is_file(&r.join("p/linked/new.yaml")));
        assert!(!cache.absent(Path::new("/nope/at/all")));
        // Files created after the walk, in walked directories, are not seen; nor are
        // directories renamed.
        std::fs::write(r.join("p/milvet.toml"), "").unwrap();
        std::fs::write(r.join("empty/.env"), "").unwrap();
        assert!(cache.absent(&r.join("p/milvet.toml")));
        assert!(!cache.is_file(&r.join("empty/.env")));
        // A file listed as regular is no directory, a directory listed is no file, whatever
        // replaces them.
        std::fs::remove_file(r.join("q/.env")).unwrap();
        std::fs::create_dir(r.join("q/.env")).unwrap();
        assert!(!cache.is_dir(&r.join("q/.env")));
        std::fs::remove_dir_all(r.join("empty")).unwrap();
        std::fs::write(r.join("empty"), "").unwrap();
        assert!(!cache.is_file(&r.join("empty")));
        // Whether a listed file is one (or can be read) is asked of the disk.
        std::fs::remove_file(r.join("q/docker-compose.yml")).unwrap();
        assert!(!cache.is_file(&r.join("q/docker-compose.yml")));
        std::fs::rename(r.join("p"), r.join("moved")).unwrap();
        assert_eq!(cache.canonicalize(&r.join("p")).unwrap(), canonical);
    }

    #[test]
    fn an_empty_cache_asks_the_disk() {
        let t = tree();
        let cache = FsCache::default();
        let p = t.path().join("p/compose.yaml");
        assert!(!cache.absent(&t.path().join("p/nope.yaml")));
        assert!(cache.is_file(&p));
        assert_eq!(
            cache.canonicalize(&p).unwrap(),
            std::fs::canonicalize(&p).unwrap()
        );
    }

    #[test]
    fn a_walk_of_more_than_the_most_entries_is_not_recorded() {
        let t = tree();
        let mut cache = FsCache::new();
        let mut walk = cache.walk(t.path()).unwrap();
        for i in 0..=MAX_ENTRIES {
            walk.saw(&t.path().join(format!("f{i}")), Kind::File, false);
        }
        cache.add_walk(walk);
        // Nothing is known: the disk answers.
        assert!(!cache.absent(&t.path().join("p/nope.yaml")));
        assert!(cache.is_file(&t.path().join("p/compose.yaml")));
        // One entry fewer is recorded.
        let mut cache = FsCache::new();
        let mut walk = cache.walk(t.path()).unwrap();
        for i in 0..MAX_ENTRIES {
            walk.saw(&t.path().join(format!("f{i}")), Kind::File, false);
        }
        cache.add_walk(walk);
        assert!(cache.absent(&t.path().join("p")));
    }

    #[test]
    fn a_listing_is_what_the_walk_saw() {
        let t = tree();
        let mut cache = FsCache::new();
        // A walk of the root that saw only `p`, and in it nothing.
        let mut walk = cache.walk(t.path()).unwrap();
        walk.saw(&t.path().join("p"), Kind::Dir, true);
        cache.add_walk(walk);
        assert!(cache.absent(&t.path().join("p/compose.yaml")));
        assert!(cache.absent(&t.path().join("q/.env")));
        assert!(!cache.absent(&t.path().join("p")));
        assert_eq!(
            cache.canonicalize(&t.path().join("p")).unwrap(),
            std::fs::canonicalize(t.path()).unwrap().join("p")
        );
    }
}
