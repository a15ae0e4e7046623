//! `duplicate-mount-target`: two mounts of one service on the same container path that
//! `docker compose` refuses ("target /etcd already mounted"). Entries of `volumes` whose
//! targets Compose reads as one are not here: the model keeps the last, as Compose does.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::{Mount, normalize_path};
use crate::diagnostic::{Diagnostic, Severity};

pub struct DuplicateMountTarget;

static META: RuleMeta = RuleMeta {
    id: "duplicate-mount-target",
    severity: Severity::Error,
    summary: "two mounts of one service on the same container path (`/etcd` and `/etcd/`, a tmpfs and a volume)",
    doc: include_str!("../../rules/duplicate-mount-target.md"),
};

fn what(m: &Mount) -> &'static str {
    if m.from_tmpfs_key {
        "a `tmpfs` entry"
    } else {
        "a mount"
    }
}

impl Rule for DuplicateMountTarget {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for service in &cx.file.services {
            // In the order they are written.
            let mut own: Vec<&Mount> = service
                .mounts
                .iter()
                .filter(|m| m.from_service.is_none())
                .collect();
            own.sort_by_key(|m| (m.origin.file, m.origin.span.start));
            for (i, m) in own.iter().enumerate() {
                let target = normalize_path(&m.target.value);
                let Some(first) = own[..i]
                    .iter()
                    .find(|f| normalize_path(&f.target.value) == target)
                else {
                    continue;
                };
                let mut d = META
                    .diagnostic(
                        m.target.place(),
                        format!(
                            "{} of service `{}` is on `{target}`, where {} already is: \
                             `docker compose` refuses the project (\"target {target} already \
                             mounted\")",
                            what(m),
                            service.name.value,
                            what(first)
                        ),
                    )
                    .service(service)
                    .label("second mount here")
                    .related(first.target.place(), "first mount here")
                    .help("keep one mount on this path: the one that keeps the data");
                for (o, label) in m.target.explain() {
                    d = d.related(o, label);
                }
                out.push(d);
            }
        }
    }
}
