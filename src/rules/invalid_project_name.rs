//! `invalid-project-name`: a `COMPOSE_PROJECT_NAME` in the project's `.env` (or an
//! `--env-file`) that is not a valid project name, or a top-level `name` that is empty once
//! normalised, which `docker compose` refuses.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::{Problem, VarOrigin};
use crate::diagnostic::{Diagnostic, Severity};

pub struct InvalidProjectName;

static META: RuleMeta = RuleMeta {
    id: "invalid-project-name",
    severity: Severity::Error,
    summary: "`COMPOSE_PROJECT_NAME` in `.env` is not a valid project name, or the name the project takes (its top-level `name`, else its directory's) is empty once normalised",
    doc: include_str!("../../rules/invalid-project-name.md"),
};

/// Whether compose-go v2.9.1 takes `name` as it is (`NormalizeProjectName` leaves it
/// unchanged): lowercase letters, digits, `-` and `_`, not starting with `-` or `_`.
fn valid(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && !name.starts_with(['-', '_'])
}

impl Rule for InvalidProjectName {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for p in &cx.file.problems {
            let Problem::EmptyProjectName {
                written,
                directory,
                at,
            } = p
            else {
                continue;
            };
            let d = if *directory {
                META.diagnostic(
                    *at,
                    format!(
                        "no file names the project, so Compose names it after its directory, \
                         `{written}`, which is empty once normalised (lowercased, every \
                         character but ASCII letters, digits, `-` and `_` dropped, then the \
                         leading `-` and `_`): `docker compose` refuses the project (\"project \
                         name must not be empty\")"
                    ),
                )
                .label("the project takes its directory's name")
                .help(
                    "name the project in the file (`name: milvus`), or run Compose with \
                     `-p NAME` or `COMPOSE_PROJECT_NAME`",
                )
            } else {
                META.diagnostic(
                    *at,
                    format!(
                        "the project's `name` is `{written}`, which is empty once Compose \
                         normalises it (lowercased, every character but letters, digits, `-` \
                         and `_` dropped, then the leading `-` and `_`): `docker compose` \
                         refuses the project (\"project name must not be empty\")"
                    ),
                )
                .label("empty once normalised")
                .help(
                    "name the project with a letter or a digit (`name: milvus`), or remove \
                     `name` to take the directory's name",
                )
            };
            out.push(d);
        }
        // Set in the shell, the name is the user's command line, not the project's files.
        let Some(var) = cx.file.env.get("COMPOSE_PROJECT_NAME") else {
            return;
        };
        let VarOrigin::File(at) = var.origin else {
            return;
        };
        let name = &var.value;
        if name.is_empty() || valid(name) {
            return;
        }
        let suggestion: String = name
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_')
            .collect::<String>()
            .trim_start_matches(['-', '_'])
            .to_string();
        let help = if suggestion.is_empty() {
            "use lowercase letters, digits, `-` and `_`, starting with a letter or a digit".into()
        } else {
            format!(
                "write `COMPOSE_PROJECT_NAME={suggestion}` (lowercase letters, digits, `-` and \
                 `_`, starting with a letter or a digit)"
            )
        };
        out.push(
            META.diagnostic(
                at,
                format!(
                    "`COMPOSE_PROJECT_NAME` is `{name}`, which is not a valid project name: \
                     `docker compose` refuses the project (\"invalid project name \"{name}\": \
                     must consist only of lowercase alphanumeric characters, hyphens, and \
                     underscores as well as start with a letter or number\")"
                ),
            )
            .label("invalid project name")
            .help(help),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::valid;

    #[test]
    fn names_as_compose_go_normalises_them() {
        for ok in ["milvus", "milvus-prod", "milvus_2", "2milvus"] {
            assert!(valid(ok), "{ok}");
        }
        for bad in [
            "Milvus",
            "milvus.prod",
            "-milvus",
            "_milvus",
            "milvus prod",
            "mílvus",
        ] {
            assert!(!valid(bad), "{bad}");
        }
    }
}
