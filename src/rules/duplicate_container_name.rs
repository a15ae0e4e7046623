//! `duplicate-container-name`: two services with one `container_name`, which `docker
//! compose` refuses.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};

pub struct DuplicateContainerName;

static META: RuleMeta = RuleMeta {
    id: "duplicate-container-name",
    severity: Severity::Error,
    summary: "two services have the same `container_name`",
    doc: include_str!("../../rules/duplicate-container-name.md"),
};

impl Rule for DuplicateContainerName {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let services = &cx.file.services;
        for (i, s) in services.iter().enumerate() {
            let Some(name) = &s.container_name else {
                continue;
            };
            // One name for several containers of one service: compose-go refuses it ("can't
            // set container_name and scale as container name must be unique").
            if let Some((n, Some(count))) = s.sizing.as_ref().and_then(|z| z.containers())
                && n > 1
                && !super::unknowable(cx, Some(count.origin))
            {
                let key = if s.sizing.as_ref().is_some_and(|z| z.scale.is_some()) {
                    "scale"
                } else {
                    "deploy.replicas"
                };
                let mut d = META
                    .diagnostic(
                        name.place(),
                        format!(
                            "service `{}` has the container name `{}` and runs {n} containers \
                             (`{key}`), which cannot all have that name: `docker compose` \
                             refuses the project (\"can't set container_name and {key} as \
                             container name must be unique\")",
                            s.name.value, name.value
                        ),
                    )
                    .service(s)
                    .label("one name")
                    .related(count.place(), format!("{n} containers here"))
                    .help("remove `container_name`, or run one container");
                for (o, label) in name.explain().into_iter().chain(count.explain()) {
                    d = d.related(o, label);
                }
                out.push(d);
            }
            // Services behind profiles that are never enabled together do not clash, unless
            // `COMPOSE_PROFILES` (the shell's or `.env`'s) enables both.
            let enabled: Vec<String> = cx
                .file
                .env
                .lookup("COMPOSE_PROFILES")
                .map(|v| v.split(',').map(|p| p.trim().to_string()).collect())
                .unwrap_or_default();
            let on = |a: &crate::compose::Service| {
                a.profiles
                    .iter()
                    .any(|p| enabled.iter().any(|e| e == "*" || *e == p.value))
            };
            let together = |a: &crate::compose::Service, b: &crate::compose::Service| {
                a.profiles.is_empty()
                    || b.profiles.is_empty()
                    || a.profiles
                        .iter()
                        .any(|p| b.profiles.iter().any(|q| q.value == p.value))
                    || (on(a) && on(b))
            };
            let Some(first) = services[..i].iter().find(|f| {
                f.container_name
                    .as_ref()
                    .is_some_and(|n| n.value == name.value)
                    && together(f, s)
            }) else {
                continue;
            };
            let first_name = first.container_name.as_ref().map_or(name, |n| n);
            let mut d = META
                .diagnostic(
                    name.place(),
                    format!(
                        "service `{}` has the container name `{}`, which service `{}` has too: \
                         `docker compose` refuses the project (\"container name is already in \
                         use\")",
                        s.name.value, name.value, first.name.value
                    ),
                )
                .service(s)
                .label("same name")
                .related(
                    first_name.place(),
                    format!("`{}` named here", first.name.value),
                )
                .help("give each service its own `container_name`, or remove it");
            for (o, label) in name.explain() {
                d = d.related(o, label);
            }
            out.push(d);
        }
    }
}
