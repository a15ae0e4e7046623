//! `undefined-reference`: a service uses a named volume, network, secret, config or model that
//! the project does not declare (a build secret too), or names in `depends_on`,
//! `volumes_from`, `links`, `network_mode: service:` (or `ipc`, `pid`, `uts` of `service:`) or a
//! `service:` additional build context a
//! service it does not have (for the build context, one without a `build`), which `docker
//! compose` refuses.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::{MountKind, Resource, Service, Text};
use crate::diagnostic::{Diagnostic, Severity};

pub struct UndefinedReference;

static META: RuleMeta = RuleMeta {
    id: "undefined-reference",
    severity: Severity::Error,
    summary: "a service uses a named volume, network, secret, config or model the project does \
              not declare",
    doc: include_str!("../../rules/undefined-reference.md"),
};

impl Rule for UndefinedReference {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        // A name written once in an anchor that several services use is reported once.
        let mut found: Vec<Diagnostic> = Vec::new();
        self.each(cx, &mut found);
        let mut seen = std::collections::HashSet::new();
        out.extend(found.into_iter().filter(|d| seen.insert(d.origin)));
    }
}

impl UndefinedReference {
    fn each(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let implicit_default = cx
            .file
            .services
            .iter()
            .any(|s| s.net.uses_default_network());
        let names: std::collections::HashSet<&str> = cx
            .file
            .services
            .iter()
            .map(|s| s.name.value.as_str())
            .collect();
        for service in &cx.file.services {
            for m in &service.mounts {
                if m.kind != MountKind::Volume || m.from_service.is_some() {
                    continue;
                }
                let Some(source) = &m.source else { continue };
                if cx.file.volume(&source.value).is_none() {
                    out.push(finding(service, Resource::Volume, source));
                }
            }
            // `depends_on` and `volumes_from` name services. (`required: false` lets a
            // dependency be a service of a profile that is not enabled, not one that is
            // nowhere: compose-go v2.9.1 `checkConsistency`.)
            let known = |n: &str| names.contains(n);
            for d in &service.depends_on {
                if !known(&d.service.value) {
                    out.push(service_finding(
                        service,
                        "depends_on",
                        &d.service,
                        &d.service.value,
                    ));
                }
            }
            for v in &service.volumes_from {
                let name = v.value.split(':').next().unwrap_or("");
                if !v.value.starts_with("container:") && !known(name) {
                    out.push(service_finding(service, "volumes_from", v, name));
                }
            }
            // So do `links` and a `network_mode: service:<name>`, once interpolated.
            for (name, link) in service.net.linked_services() {
                if !known(name) {
                    out.push(service_finding(service, "links", link, name));
                }
            }
            if let Some((name, mode)) = service.net.network_mode_service()
                && !known(name)
            {
                out.push(service_finding(service, "network_mode", mode, name));
            }
            for (key, name, at) in service.net.namespace_services() {
                if !known(name) {
                    out.push(service_finding(service, key, at, name));
                }
            }
            if let Some(build) = &service.build {
                for (name, context) in build.service_contexts() {
                    let target = cx.file.services.iter().find(|s| s.name.value == name);
                    if target.is_none_or(|t| t.build.is_none()) {
                        out.push(context_finding(service, context, name, target.is_some()));
                    }
                }
                for secret in &build.secrets {
                    let declared = cx
                        .file
                        .declared
                        .iter()
                        .any(|(k, n)| *k == Resource::Secret && n.value == secret.value);
                    if !declared {
                        out.push(build_secret_finding(service, secret));
                    }
                }
            }
            for (kind, name) in &service.references {
                let declared = cx
                    .file
                    .declared
                    .iter()
                    .any(|(k, n)| k == kind && n.value == name.value);
                // Compose declares `default` itself only when a service is put on it
                // without a `network_mode` (an empty one, once interpolated, counts).
                // (A service with a `network_mode` and `networks` is `compose-schema`'s: the
                // pair is refused first, and without its `network_mode` it makes `default`.)
                let implicit = *kind == Resource::Network
                    && name.value == "default"
                    && (implicit_default
                        || service
                            .net
                            .network_mode
                            .as_ref()
                            .is_some_and(|m| !m.value.is_empty()));
                if !declared && !implicit {
                    out.push(finding(service, *kind, name));
                }
            }
        }
    }
}

/// A `depends_on` or `volumes_from` entry that names no service of the project.
fn service_finding(service: &Service, key: &str, at: &Text, name: &str) -> Diagnostic {
    let mut d = META
        .diagnostic(
            at.place(),
            format!(
                "service `{}` names `{name}` in `{key}`, and the project has no such service: \
                 `docker compose` refuses the project (\"depends on undefined service \
                 {name}\")",
                service.name.value
            ),
        )
        .service(service)
        .label("no such service")
        .help("name a service of the project, or remove the entry");
    for (o, label) in at.explain() {
        d = d.related(o, label);
    }
    d
}

/// A `service:<name>` additional context of `build` naming no service, or one without a
/// `build` (`known`).
fn context_finding(service: &Service, at: &Text, name: &str, known: bool) -> Diagnostic {
    let (what, quoted, label, help) = if known {
        (
            format!("service `{name}`, which has no `build`"),
            "non-buildable",
            "not a built service",
            format!("give service `{name}` a `build`, or name a directory or an image instead"),
        )
    } else {
        (
            format!("`{name}`, and the project has no such service"),
            "unknown",
            "no such service",
            "name a service of the project that has a `build`".to_string(),
        )
    };
    let mut d = META
        .diagnostic(
            at.place(),
            format!(
                "service `{}` builds with the additional context `{}`, which names {what}: \
                 `docker compose` refuses the project (\"declares {quoted} service \"{name}\" \
                 as additional contexts\")",
                service.name.value, at.value
            ),
        )
        .service(service)
        .label(label)
        .help(help);
    for (o, label) in at.explain() {
        d = d.related(o, label);
    }
    d
}

/// A `build.secrets` entry naming a secret the top-level `secrets` does not declare.
fn build_secret_finding(service: &Service, name: &Text) -> Diagnostic {
    let n = &name.value;
    let mut d = META
        .diagnostic(
            name.place(),
            format!(
                "service `{}` builds with the secret `{n}`, which the project does not declare \
                 under the top-level `secrets:`: `docker compose` refuses the project (\"refers \
                 to undefined build secret {n}\")",
                service.name.value
            ),
        )
        .service(service)
        .label("undeclared secret")
        .help(format!(
            "declare it: `secrets:` / `  {n}:` / `    file: ./{n}.txt` at the top level of the file"
        ));
    for (o, label) in name.explain() {
        d = d.related(o, label);
    }
    d
}

fn finding(service: &Service, kind: Resource, name: &Text) -> Diagnostic {
    let word = kind.word();
    let key = kind.key();
    let n = &name.value;
    let profiles: Vec<&str> = service.profiles.iter().map(|p| p.value.as_str()).collect();
    let when = if profiles.is_empty() {
        String::new()
    } else {
        format!(" (when profile `{}` is enabled)", profiles.join("` or `"))
    };
    let mut message = format!(
        "service `{}` uses the {word} `{n}`, which the project does not declare under the \
         top-level `{key}:`: `docker compose` refuses the project{when} (\"refers to undefined \
         {word} {n}\")",
        service.name.value
    );
    let path_like = kind == Resource::Volume && n.contains('/');
    if path_like {
        message.push_str(
            "; a relative host path must start with `./` or `../`, else it is a volume name",
        );
    }
    let default_network = kind == Resource::Network && n == "default";
    if default_network {
        message.push_str(
            "; Compose makes the network `default` itself only for a service written without a \
             `network_mode`, and every service that names it has one (even an empty one keeps \
             it from being made)",
        );
    }
    let mut d = META
        .diagnostic(name.place(), message)
        .service(service)
        .label(format!("undeclared {word}"))
        .help(if default_network {
            "remove the `network_mode` key (an empty value does not remove it), or declare \
             `networks:` / `  default:` at the top level"
                .to_string()
        } else if path_like {
            format!("write `./{n}` for a directory beside the Compose file")
        } else {
            format!("declare it: `{key}:` / `  {n}:` at the top level of the file")
        });
    for (o, label) in name.explain() {
        d = d.related(o, label);
    }
    d
}
