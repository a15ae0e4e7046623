//! Host files of a project that its services bind-mount into their containers.
//!
//! Some programs read a configuration file at a fixed path in the container (Milvus's
//! `/milvus/configs/milvus.yaml`, etcd's `--config-file`). When a service bind-mounts a host
//! file of the project there (or a host directory at a parent of that path), that file is what
//! the program reads, and a finding about it must point into it. This module answers, for a
//! service and a container path, "which host file is that, as Docker Compose resolves it", and
//! reads it once as a file of the project ([`crate::project::Role::Mounted`]), through the same
//! bounded reader as every other file: a file too large, not regular or not UTF-8 is a located
//! error of that file, never a panic, and it does not stop the rest of the project from being
//! checked. A host path that does not exist is no file: Docker would create an empty directory
//! there, and that is not a finding of this module.
//!
//! Which container paths are wanted is asked of [`crate::stack::mounted_paths`], once per
//! service; this module knows nothing of the programs.

use crate::compose::{ComposeFile, FileId, MountKind, Origin, Service, normalize_path};
use crate::fs_cache::FsCache;
use crate::project::{LoadError, LoadedFile, Reader, Role};
use crate::yaml::{self, Limits};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A container path of a service and the host file bind-mounted there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MountedFile {
    /// The service that mounts it.
    pub service: String,
    /// The container path asked for, as asked (`/milvus/configs/user.yaml`).
    pub container_path: String,
    /// The host path, resolved as Docker Compose resolves a bind source (relative to the
    /// project directory of the file the mount is written in, `~` from the shell's `HOME`),
    /// joined with the rest of the container path when a parent directory is mounted.
    pub host: PathBuf,
    /// The mount item (short or long syntax) that puts it there (for
    /// [`MountedState::NotMounted`], the service's name).
    pub mount: Origin,
    /// Whether the mount is of a directory above the container path (`./configs:/milvus/configs`)
    /// rather than of the file itself.
    pub via_directory: bool,
    /// What was found at the host path.
    pub state: MountedState,
}

/// What is at the host path of a [`MountedFile`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MountedState {
    /// A file of the project, read and parsed: its id indexes the project's files.
    File(FileId),
    /// Nothing there (or a directory): the program sees no file (or an empty directory).
    Missing,
    /// A host directory of the project is mounted above the path and has no such file: the
    /// program finds none, for certain (unlike [`MountedState::Missing`], where the mounted
    /// file itself is not there, so what the program would read is not known).
    Absent,
    /// A file that could not be read or parsed: too large, not regular, not UTF-8, not YAML.
    Unreadable(LoadError),
    /// No bind mount puts a host file there, yet the project has a file of that name (in its
    /// directory, or in a directory named as the container path's parent, `configs/user.yaml`),
    /// which the program therefore does not read. [`MountedFile::host`] is that file and
    /// [`MountedFile::mount`] the service's name.
    NotMounted,
}

impl MountedFile {
    /// The file read, if there is one.
    pub fn file(&self) -> Option<FileId> {
        match self.state {
            MountedState::File(f) => Some(f),
            _ => None,
        }
    }

    /// Whether a bind mount puts something at the path that milvet cannot know: a mounted
    /// host file that is not there, or one that cannot be read.
    pub fn unknown(&self) -> bool {
        matches!(
            self.state,
            MountedState::Missing | MountedState::Unreadable(_)
        )
    }
}

/// The bind mount of `service` that covers `container_path` and the host path there: a mount
/// of the path itself, else of the nearest parent directory (Docker mounts the most specific
/// target over the others). `None` when no bind mount covers it (a named or anonymous volume,
/// a tmpfs, or nothing: the image's own file, or a file the container writes itself).
///
/// `dirs` gives the project directory of each Compose file (see
/// [`crate::project::Project::dirs`]); `home` expands a leading `~`. The last item is the
/// host path of the mount itself (the directory, when one is mounted above the path).
pub fn bind_source<'s>(
    service: &'s Service,
    container_path: &str,
    dirs: &HashMap<FileId, PathBuf>,
    home: Option<&str>,
) -> Option<(PathBuf, &'s crate::compose::Mount, bool, PathBuf)> {
    let m = service.mount_covering(container_path)?;
    // The most specific mount decides, whatever its kind.
    if m.kind != MountKind::Bind {
        return None;
    }
    let want = normalize_path(container_path);
    let target = normalize_path(&m.target.value);
    let rest = want
        .get(target.len()..)
        .unwrap_or("")
        .trim_start_matches('/')
        .to_string();
    let source = m.source.as_ref()?.value.as_str();
    let base = match (home, source) {
        (Some(h), "~") => PathBuf::from(h),
        (Some(h), s) if s.starts_with("~/") => Path::new(h).join(&s[2..]),
        _ => match dirs.get(&m.origin.file) {
            Some(dir) => crate::project::in_dir(dir, source),
            None => PathBuf::from(source),
        },
    };
    let host = if rest.is_empty() {
        base.clone()
    } else {
        crate::project::in_dir(&base, &rest)
    };
    Some((host, m, !rest.is_empty(), base))
}

/// Read, for every service of `model`, the host files mounted at the container paths
/// [`crate::stack::mounted_paths`] names, adding each file read to `files` (once, however many
/// services mount it) and recording them in `model.mounted`; then, in a second pass, those
/// the files read name ([`crate::milvus::followed_paths`]: embedded etcd's config file named
/// in a mounted `milvus.yaml`). Both passes read only through the service's bind mounts, at
/// most a fixed number of paths a service.
pub fn read_all(
    model: &mut ComposeFile,
    files: &mut Vec<LoadedFile>,
    dirs: &HashMap<FileId, PathBuf>,
    home: Option<&str>,
    reader: &dyn Reader,
    limits: &Limits,
    fs: &FsCache,
) {
    let mut found = Vec::new();
    for service in &model.services {
        for path in crate::stack::mounted_paths(service) {
            let Some((host, mount, via_directory, base)) = bind_source(service, &path, dirs, home)
            else {
                if let Some(host) = beside(service, &path, dirs, fs) {
                    found.push(MountedFile {
                        service: service.name.value.clone(),
                        container_path: path,
                        host,
                        mount: service.name.origin,
                        via_directory: false,
                        state: MountedState::NotMounted,
                    });
                }
                continue;
            };
            let state = read_at(
                &host,
                via_directory.then_some(&*base),
                files,
                reader,
                limits,
                fs,
            );
            found.push(MountedFile {
                service: service.name.value.clone(),
                container_path: path,
                host,
                mount: mount.origin,
                via_directory,
                state,
            });
        }
    }
    model.mounted = found;
    // The second pass: what the configuration files read so far name.
    let mut followed: Vec<(usize, String)> = Vec::new();
    {
        let sources: Vec<crate::compose::Source<'_>> = files
            .iter()
            .map(|f| crate::compose::Source {
                text: &f.text,
                tree: &f.tree,
                path: &f.path,
            })
            .collect();
        for (i, service) in model.services.iter().enumerate() {
            if !model
                .mounted
                .iter()
                .any(|m| m.service == service.name.value && m.file().is_some())
            {
                // No file read: nothing can name another (the environment's own paths are
                // in the first pass).
                continue;
            }
            for path in crate::milvus::followed_paths(model, &sources, service) {
                let known = model
                    .mounted
                    .iter()
                    .any(|m| m.service == service.name.value && m.container_path == path);
                if !known {
                    followed.push((i, path));
                }
            }
        }
    }
    for (i, path) in followed {
        let service = &model.services[i];
        let Some((host, mount, via_directory, base)) = bind_source(service, &path, dirs, home)
        else {
            continue;
        };
        let state = read_at(
            &host,
            via_directory.then_some(&*base),
            files,
            reader,
            limits,
            fs,
        );
        let entry = MountedFile {
            service: service.name.value.clone(),
            container_path: path,
            host,
            mount: mount.origin,
            via_directory,
            state,
        };
        model.mounted.push(entry);
    }
}

/// [`read_one`], telling a file absent from a mounted directory of the project (`directory`,
/// when a directory is mounted above the path: [`MountedState::Absent`]) from a mounted file
/// that is not there.
fn read_at(
    host: &Path,
    directory: Option<&Path>,
    files: &mut Vec<LoadedFile>,
    reader: &dyn Reader,
    limits: &Limits,
    fs: &FsCache,
) -> MountedState {
    let state = read_one(host, files, reader, limits, fs);
    if state == MountedState::Missing
        && let Some(dir) = directory
        && fs.is_dir(dir)
        && !fs.exists(host)
    {
        return MountedState::Absent;
    }
    state
}

/// A file of the project named as the program's file at `container_path`
/// (`<project dir>/user.yaml`, or `<project dir>/configs/user.yaml` for
/// `/milvus/configs/user.yaml`), if there is one.
fn beside(
    service: &Service,
    container_path: &str,
    dirs: &HashMap<FileId, PathBuf>,
    fs: &FsCache,
) -> Option<PathBuf> {
    let dir = dirs.get(&service.origin.file)?;
    let p = Path::new(container_path);
    let name = p.file_name()?;
    let mut candidates = vec![dir.join(name)];
    if let Some(parent) = p.parent().and_then(Path::file_name) {
        candidates.push(dir.join(parent).join(name));
    }
    candidates
        .into_iter()
        .map(|c| crate::project::in_dir(&c, ""))
        .find(|c| fs.is_file(c))
}

/// Read one host file as a file of the project (or find it already read).
fn read_one(
    host: &Path,
    files: &mut Vec<LoadedFile>,
    reader: &dyn Reader,
    limits: &Limits,
    fs: &FsCache,
) -> MountedState {
    if let Some(i) = files.iter().position(|f| f.path == host) {
        return MountedState::File(FileId(i as u32));
    }
    if fs.is_dir(host) {
        return MountedState::Missing;
    }
    let text = match reader.read(host, limits, fs) {
        Ok(Some(t)) => t,
        Ok(None) => return MountedState::Missing,
        Err(e) => return MountedState::Unreadable(e),
    };
    // Only suppression comments are read from a mounted file: the rest are not collected.
    match yaml::parse_with(&text, limits, text.contains("milvet:")) {
        Ok(tree) => {
            let id = FileId(files.len() as u32);
            files.push(LoadedFile {
                path: host.to_path_buf(),
                role: Role::Mounted,
                text: Arc::from(text),
                tree,
            });
            MountedState::File(id)
        }
        Err(e) => {
            let pos = crate::source::LineIndex::new(&text).position(&text, e.offset);
            let what = match e.kind {
                yaml::YamlErrorKind::Syntax => "invalid YAML",
                _ => "limit exceeded",
            };
            MountedState::Unreadable(LoadError {
                path: host.to_path_buf(),
                message: format!("{what}: {}", e.message),
                at: Some((e.offset, pos)),
                text: Some(Arc::from(text)),
            })
        }
    }
}
