//! `command-not-runnable`: a command or entrypoint that starts a shell in an image without one.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::stack::images::Availability;

pub struct CommandNotRunnable;

static META: RuleMeta = RuleMeta {
    id: "command-not-runnable",
    severity: Severity::Error,
    summary: "a command or entrypoint starts a shell the image does not have",
    doc: include_str!("../../rules/command-not-runnable.md"),
};

impl Rule for CommandNotRunnable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for member in &cx.stack.members {
            let s = member.service;
            let Some(shell) = crate::stack::starts_shell(s) else {
                continue;
            };
            if member.has_shell() != Availability::No {
                continue;
            }
            let image = s.image.as_ref().map_or("", |(_, t)| t.value.as_str());
            let key = if s.entrypoint.is_some() {
                "entrypoint"
            } else {
                "command"
            };
            out.push(
                META.diagnostic(
                    shell.origin,
                    format!(
                        "the {key} of service `{}` ({}) starts `{}`, but the image `{image}` has \
                         no shell (official etcd images are distroless from v3.5.7): the \
                         container exits at once, and with a restart policy it loops",
                        s.name.value,
                        member.role.describe(),
                        shell.value
                    ),
                )
                .service(s)
                .label("no shell in this image")
                .help(
                    "run the program directly, e.g. `command: etcd --data-dir /etcd ...`; \
                     Compose's own `${VAR}` interpolation replaces what the shell did with \
                     variables",
                )
                .fix(Fix::unavailable(
                    "rewrite the command without the shell: the program and its arguments as a \
                     list or a string",
                )),
            );
        }
    }
}
