//! `invalid-port-spec`: a `ports` item that Docker's port-spec parser refuses once
//! interpolated (`localhost:19530:19530`, `19530:${UNSET}`), or one without a container port,
//! which `docker compose` refuses.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::Problem;
use crate::diagnostic::{Diagnostic, Severity};

pub struct InvalidPortSpec;

static META: RuleMeta = RuleMeta {
    id: "invalid-port-spec",
    severity: Severity::Error,
    summary: "a `ports` item is not a valid port spec once its variables are read",
    doc: include_str!("../../rules/invalid-port-spec.md"),
};

impl Rule for InvalidPortSpec {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for p in &cx.file.problems {
            let Problem::InvalidPortSpec {
                spec,
                reason,
                at,
                vars,
            } = p
            else {
                continue;
            };
            // A required variable left unset stops Compose first (`unset-variable`).
            if super::unknowable(cx, Some(*at)) {
                continue;
            }
            let why = super::unset_note(vars);
            let what = if spec.is_empty() {
                "this port".to_string()
            } else {
                format!("this port reads as `{spec}`{why}, which")
            };
            let message = if spec.is_empty() {
                format!("{what} is refused by `docker compose` (\"{reason}\")")
            } else {
                format!(
                    "{what} is not `[[HOST_IP:]HOST_PORT:]CONTAINER_PORT[/PROTOCOL]` with \
                     numeric ports and an IP address: `docker compose` refuses the file \
                     (\"{reason}\")"
                )
            };
            let help = if reason.starts_with("invalid IP address") {
                "write an IP address before the host port (`127.0.0.1`, not `localhost`), or \
                 leave it out"
            } else if reason.starts_with("missing a target port") {
                "give the container port (`target:` in the long syntax; not 0)"
            } else if reason.starts_with("invalid ip address") {
                "write an IP address in `host_ip` (`127.0.0.1`, `::1`), or leave it out"
            } else {
                "write the ports as numbers (a range as `9000-9001`), with the protocol `tcp`, \
                 `udp` or `sctp`; set the variables it reads, or give them defaults"
            };
            let mut d = META
                .diagnostic(*at, message)
                .label("invalid port")
                .help(help);
            for v in vars.iter().filter(|v| v.var.is_none()) {
                d = d.related(v.reference, format!("`{}` read here", v.name));
            }
            out.push(d);
        }
    }
}
