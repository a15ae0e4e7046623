//! Running the pipeline over files: read, parse, model, rules, and with `--fix` or `--diff`
//! the fixes; one [`FileReport`] a file.

use crate::compose::{ComposeFile, FileId};
use crate::diagnostic::{Applicability, Diagnostic, Severity};
use crate::discover::{self, FileKind, Target};
use crate::fix::{self, FixError, FixPolicy};
use crate::rules::{self, DocumentContext, RuleOptions, Source};
use crate::source::{LineIndex, Position};
use crate::yaml::{self, Limits, NodeKind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Everything a check run can be told.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub rules: RuleOptions,
    pub limits: Limits,
    /// Files checked at once; `None` for one per CPU.
    pub jobs: Option<usize>,
    /// Whether to fix, and how.
    pub fix: FixMode,
    /// Which fixes `fix` applies.
    pub policy: FixPolicy,
}

/// What to do with fixes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FixMode {
    /// Only report them.
    #[default]
    Report,
    /// Apply them and write the files.
    Write,
    /// Apply them in memory, to show the difference; write nothing.
    Diff,
}

/// What fixing did to a file.
#[derive(Clone, Debug)]
pub struct FileFix {
    /// Fixes applied.
    pub applied: usize,
    /// The text before fixing ([`FileReport::text`] is the text after).
    pub original: Arc<str>,
    /// Whether the fixed text was written to the file.
    pub written: bool,
}

/// Why a file could not be checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    pub message: String,
    /// Byte offset and position of the problem, when it has one.
    pub at: Option<(usize, Position)>,
}

/// The result of checking one file.
#[derive(Clone, Debug)]
pub struct FileReport {
    pub path: PathBuf,
    pub kind: FileKind,
    /// The file's text, when it could be read as UTF-8; after fixing, the fixed text, which the
    /// diagnostics refer to.
    pub text: Option<Arc<str>>,
    /// The findings (those that remain, after fixing).
    pub diagnostics: Vec<Diagnostic>,
    /// Why the file could not be checked, or could not be fixed.
    pub error: Option<FileError>,
    /// What fixing did, when fixes were applied.
    pub fix: Option<FileFix>,
}

impl FileReport {
    fn failed(path: &Path, kind: FileKind, text: Option<Arc<str>>, error: FileError) -> Self {
        FileReport {
            path: path.to_path_buf(),
            kind,
            text,
            diagnostics: Vec::new(),
            error: Some(error),
            fix: None,
        }
    }

    /// Whether fixing changed the text (written, or shown as a diff).
    pub fn changed(&self) -> bool {
        match (&self.fix, &self.text) {
            (Some(f), Some(t)) => f.original != *t,
            _ => false,
        }
    }

    /// Unsafe fixes among the remaining findings.
    pub fn unsafe_fixes(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| f.applicability == Applicability::Unsafe)
            })
            .count()
    }
}

/// Check the paths given on the command line (files, directories, or the current directory
/// when there are none). Reports come in discovery order.
pub fn check_paths(paths: &[PathBuf], options: &Options) -> Vec<FileReport> {
    let (targets, walk_errors) = discover::discover(paths);
    let mut reports = check_targets(&targets, options);
    reports.extend(walk_errors.into_iter().map(|e| {
        FileReport::failed(
            &e.path,
            FileKind::Compose,
            None,
            FileError {
                message: format!("cannot read: {}", e.message),
                at: None,
            },
        )
    }));
    reports
}

/// Check files, on as many threads as the machine has when there are several.
pub fn check_targets(targets: &[Target], options: &Options) -> Vec<FileReport> {
    let threads = options
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
        .min(targets.len() / 4 + 1);
    if threads <= 1 {
        return number(
            targets
                .iter()
                .map(|t| check_file(&t.path, t.kind, options))
                .collect(),
        );
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, FileReport)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(t) = targets.get(i) else { break };
                        done.push((i, check_file(&t.path, t.kind, options)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    number(results.into_iter().map(|(_, r)| r).collect())
}

/// Give each report's diagnostics the report's index as their file id, so that the reports of
/// a run are its file table.
fn number(mut reports: Vec<FileReport>) -> Vec<FileReport> {
    for (i, r) in reports.iter_mut().enumerate() {
        let id = FileId(i as u32);
        {
            for d in &mut r.diagnostics {
                let local = d.origin.file;
                d.origin.file = id;
                for rel in &mut d.related {
                    if rel.origin.file == local {
                        rel.origin.file = id;
                    }
                }
                for e in d.fix.iter_mut().flat_map(|f| f.edits.iter_mut()) {
                    if e.file == local {
                        e.file = id;
                    }
                }
            }
        }
    }
    reports
}

/// Read and check one file.
pub fn check_file(path: &Path, kind: FileKind, options: &Options) -> FileReport {
    let failed = |message: String, text: Option<Arc<str>>, at| {
        FileReport::failed(path, kind, text, FileError { message, at })
    };
    match std::fs::metadata(path) {
        Err(e) => return failed(format!("cannot read: {}", io_message(&e)), None, None),
        Ok(m) if m.is_dir() => return failed("is a directory, not a file".into(), None, None),
        Ok(m) if m.len() > options.limits.max_bytes as u64 => {
            return failed(
                format!(
                    "file is {} bytes, more than the limit of {} bytes",
                    m.len(),
                    options.limits.max_bytes
                ),
                None,
                None,
            );
        }
        Ok(_) => {}
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return failed(format!("cannot read: {}", io_message(&e)), None, None),
    };
    let text: Arc<str> = match String::from_utf8(bytes) {
        Ok(s) => Arc::from(s),
        Err(e) => {
            let bytes = e.as_bytes();
            let utf8 = e.utf8_error();
            let offset = utf8.valid_up_to();
            let prefix = String::from_utf8_lossy(&bytes[..offset]);
            let pos = LineIndex::new(&prefix).position(&prefix, prefix.len());
            let b = bytes[offset];
            let what = if utf8.error_len().is_none() {
                format!(
                    "the file ends inside a character that byte 0x{b:02x} at line {}, column {} \
                     starts",
                    pos.line, pos.column
                )
            } else if (0xC2..=0xF4).contains(&b) {
                format!(
                    "byte 0x{b:02x} at line {}, column {} starts a character that the bytes \
                     after it do not complete",
                    pos.line, pos.column
                )
            } else {
                format!(
                    "byte 0x{b:02x} at line {}, column {} cannot start a character",
                    pos.line, pos.column
                )
            };
            return failed(
                format!("not valid UTF-8: {what}"),
                None,
                Some((offset, pos)),
            );
        }
    };
    let diagnostics = match check_text(&text, kind, options) {
        Ok(d) => d,
        Err((message, offset)) => {
            let pos = LineIndex::new(&text).position(&text, offset);
            return failed(message, Some(text), Some((offset, pos)));
        }
    };
    let report = FileReport {
        path: path.to_path_buf(),
        kind,
        text: Some(text),
        diagnostics,
        error: None,
        fix: None,
    };
    if options.fix == FixMode::Report {
        report
    } else {
        fix_file(report, options)
    }
}

/// Apply the fixes of a checked file; write it when asked and when the result is verified.
fn fix_file(mut report: FileReport, options: &Options) -> FileReport {
    let Some(original) = report.text.clone() else {
        return report;
    };
    let wanted = report.diagnostics.iter().any(|d| {
        d.fix
            .as_ref()
            .is_some_and(|f| options.policy.applies(f.applicability) && !f.edits.is_empty())
    });
    if !wanted {
        return report;
    }
    let kind = report.kind;
    let texts = [original.to_string()];
    let result = fix::fix_texts(&texts, &report.diagnostics, options.policy, |texts| {
        check_text(&texts[0], kind, options).map_err(|(message, offset)| FixError::Broken {
            file: 0,
            message,
            offset,
        })
    });
    match result {
        Ok(fixed) => {
            let new: Arc<str> = Arc::from(fixed.texts.into_iter().next().unwrap_or_default());
            let mut written = false;
            if options.fix == FixMode::Write && *new != *original {
                if let Err(e) = fix::write_atomic(&report.path, new.as_bytes()) {
                    report.error = Some(FileError {
                        message: format!("cannot write the fixed file: {}", io_message(&e)),
                        at: None,
                    });
                    return report;
                }
                written = true;
            }
            report.diagnostics = fixed.diagnostics;
            report.text = Some(new);
            report.fix = Some(FileFix {
                applied: fixed.applied,
                original,
                written,
            });
        }
        Err(e) => {
            let at = match &e {
                FixError::Broken { .. } => None,
                FixError::Unverified(_) => None,
            };
            report.error = Some(FileError {
                message: format!("fixes not applied: {e}; the file is left as it was"),
                at,
            });
        }
    }
    report
}

/// Check a text. `Err` carries a message and the byte offset it concerns.
pub fn check_text(
    text: &str,
    kind: FileKind,
    options: &Options,
) -> Result<Vec<Diagnostic>, (String, usize)> {
    let tree = yaml::parse(text, &options.limits).map_err(|e| {
        let what = match e.kind {
            yaml::YamlErrorKind::Syntax => "invalid YAML",
            _ => "limit exceeded",
        };
        (format!("{what}: {}", e.message), e.offset)
    })?;
    if kind == FileKind::MilvusConfig {
        return Ok(Vec::new());
    }
    let mut diagnostics = Vec::new();
    let sources = [Source { text, tree: &tree }];
    for doc in &tree.documents {
        let Some(root) = doc.root else { continue };
        diagnostics.extend(rules::run_document(&DocumentContext {
            source: sources[0],
            file: FileId(0),
            root,
            options: &options.rules,
        }));
        match &tree.node(tree.resolve(root)).kind {
            NodeKind::Mapping { .. } => {
                let model = ComposeFile::from_document(&tree, text, FileId(0), root);
                diagnostics.extend(rules::run(&model, &sources, &options.rules));
            }
            _ if tree.is_null(root) => {}
            _ => {
                return Err((
                    "not a Compose file: the top level must be a mapping (`services:` ...)".into(),
                    tree.span(root).start,
                ));
            }
        }
    }
    Ok(diagnostics)
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// The process exit code for a run: 2 when a file could not be checked (or fixed), 1 when
/// there are findings at warning or above, 0 otherwise. With `--diff`: 1 when there is a
/// difference to show, 0 when none.
pub fn exit_code(reports: &[FileReport], mode: FixMode) -> i32 {
    if reports.iter().any(|r| r.error.is_some()) {
        2
    } else if mode == FixMode::Diff {
        i32::from(reports.iter().any(FileReport::changed))
    } else if reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity >= Severity::Warning)
    {
        1
    } else {
        0
    }
}
