//! The variables a project interpolates with, and where each one was set.
//!
//! Docker Compose takes a variable from the shell that runs it first, then from the project's
//! `.env` file (the one beside the first Compose file, or the `--env-file` files, a later file
//! winning over an earlier one; when Compose runs in another directory whose `COMPOSE_FILE`
//! names the files, that directory's `.env` first, winning over the project's). [`Env`] keeps that order and, for a value set in a file, the
//! place it is written, so that a finding can point at it.

use super::Origin;
use super::dotenv;
use std::collections::HashMap;
use std::sync::Arc;

/// Where a variable's value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VarOrigin {
    /// The environment of the shell that runs `docker compose`.
    Shell,
    /// A `.env` or env file: the place of the value (the key when the value is empty).
    File(Origin),
}

/// Which entries of a dotenv file [`Env`] takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Added {
    All,
    /// Those not set yet.
    Missing,
    /// The `COMPOSE_*` ones.
    ComposeSettings,
}

/// A variable's value and where it was set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Var {
    pub value: String,
    pub origin: VarOrigin,
}

/// The variables of a project.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Env {
    shell: Arc<HashMap<String, String>>,
    /// An including project's variables: they win over this project's own files.
    over: HashMap<String, Var>,
    files: HashMap<String, Var>,
}

impl Env {
    /// Variables from the shell only (`shell` is usually the process environment).
    pub fn new(shell: Arc<HashMap<String, String>>) -> Env {
        Env {
            shell,
            over: HashMap::new(),
            files: HashMap::new(),
        }
    }

    /// The variables of a project that `parent` includes: the shell, then the including
    /// project's variables, then this project's own files (added later).
    pub fn included_by(parent: &Env) -> Env {
        let mut over = parent.files.clone();
        over.extend(parent.over.clone());
        Env {
            shell: parent.shell.clone(),
            over,
            files: HashMap::new(),
        }
    }

    /// Add the entries of a dotenv file; they lose to the shell and to files added later
    /// win over earlier ones. Entries of the file may use variables set before them.
    pub fn add_file(&mut self, file: super::FileId, text: &str) -> Result<(), dotenv::DotenvError> {
        self.add_entries(file, text, Added::All)
    }

    /// Add the entries of a dotenv file read after the variables already set, which win over
    /// its entries (Docker Compose reads the `.env` of the directory it runs in, then the
    /// project directory's, keeping what the first set).
    pub fn add_file_under(
        &mut self,
        file: super::FileId,
        text: &str,
    ) -> Result<(), dotenv::DotenvError> {
        self.add_entries(file, text, Added::Missing)
    }

    /// Add only the `COMPOSE_*` entries of a dotenv file (Docker Compose sets them in its own
    /// environment before it decides which `.env` to read, so that they count even when
    /// `COMPOSE_DISABLE_ENV_FILE` leaves the file's other entries out).
    pub fn add_compose_settings(
        &mut self,
        file: super::FileId,
        text: &str,
    ) -> Result<(), dotenv::DotenvError> {
        self.add_entries(file, text, Added::ComposeSettings)
    }

    fn add_entries(
        &mut self,
        file: super::FileId,
        text: &str,
        which: Added,
    ) -> Result<(), dotenv::DotenvError> {
        let entries = dotenv::parse(text, &|name| self.get(name).map(|v| v.value.clone()))?;
        for e in entries {
            let Some(value) = e.value else { continue };
            let keep = match which {
                Added::All => true,
                Added::Missing => !self.files.contains_key(&e.key),
                Added::ComposeSettings => e.key.starts_with("COMPOSE_"),
            };
            if !keep {
                continue;
            }
            let span = if e.value_span.is_empty() {
                e.key_span.clone()
            } else {
                e.value_span.clone()
            };
            self.files.insert(
                e.key,
                Var {
                    value,
                    origin: VarOrigin::File(Origin {
                        file,
                        span: crate::source::Span::new(span.start, span.end),
                    }),
                },
            );
        }
        Ok(())
    }

    /// A variable as Compose resolves it: the shell first, then the files.
    pub fn get(&self, name: &str) -> Option<Var> {
        if let Some(v) = self.shell.get(name) {
            return Some(Var {
                value: v.clone(),
                origin: VarOrigin::Shell,
            });
        }
        self.over
            .get(name)
            .or_else(|| self.files.get(name))
            .cloned()
    }

    /// The value of a variable, for interpolation.
    pub fn lookup(&self, name: &str) -> Option<String> {
        self.get(name).map(|v| v.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::FileId;

    #[test]
    fn shell_wins_over_files_and_later_files_win() {
        let shell = Arc::new(HashMap::from([("A".to_string(), "shell".to_string())]));
        let mut env = Env::new(shell);
        env.add_file(FileId(1), "A=file\nB=one\n").unwrap();
        env.add_file(FileId(2), "B=two\nC=${B}-c\n").unwrap();
        assert_eq!(env.get("A").unwrap().origin, VarOrigin::Shell);
        assert_eq!(env.lookup("A").as_deref(), Some("shell"));
        let b = env.get("B").unwrap();
        assert_eq!(b.value, "two");
        assert_eq!(
            b.origin,
            VarOrigin::File(Origin {
                file: FileId(2),
                span: crate::source::Span::new(2, 5)
            })
        );
        // While a file is read, a variable resolves through the variables set before it (the
        // shell, earlier files) before the file's own earlier lines, as in compose-go.
        assert_eq!(env.lookup("C").as_deref(), Some("one-c"));
        assert_eq!(env.get("D"), None);
    }
}
