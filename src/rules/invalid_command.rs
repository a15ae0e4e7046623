//! `invalid-command`: a `command` or `entrypoint` string that Docker Compose cannot split into
//! words (an unterminated quote, a `(` not after `$`, a trailing backslash), which it refuses.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::Problem;
use crate::diagnostic::{Diagnostic, Severity};

pub struct InvalidCommand;

static META: RuleMeta = RuleMeta {
    id: "invalid-command",
    severity: Severity::Error,
    summary: "a `command` or `entrypoint` string Docker Compose cannot split into words",
    doc: include_str!("../../rules/invalid-command.md"),
};

impl Rule for InvalidCommand {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for p in &cx.file.problems {
            let Problem::InvalidCommand {
                key,
                line,
                at,
                offset,
            } = p
            else {
                continue;
            };
            let what = match line[*offset..].chars().next() {
                Some('(') => "a `(` that does not follow `$`".to_string(),
                Some(')') => "a `)` that closes nothing".to_string(),
                Some('\\') => "a backslash at the end".to_string(),
                Some(c @ ('"' | '\'' | '`')) => format!("a `{c}` that is never closed"),
                _ => "a quote that is never closed".to_string(),
            };
            out.push(
                META.diagnostic(
                    *at,
                    format!(
                        "this `{key}` has {what}: `docker compose` cannot split it into words and \
                         refuses the file (\"invalid command line string\")"
                    ),
                )
                .label("not a command line")
                .help(
                    "quote the argument that holds it, or write the command as a list: \
                     `[\"sh\", \"-c\", \"...\"]`",
                ),
            );
        }
    }
}
