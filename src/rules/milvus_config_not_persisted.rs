//! `milvus-config-not-persisted`: a Milvus service that mounts no configuration file while the
//! project suggests its configuration is edited in the container: a `milvus.yaml` or
//! `user.yaml` of the project that no service mounts, or a configuration directory on a
//! volume that does not outlive the container.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::MountKind;
use crate::diagnostic::{Diagnostic, Severity};
use crate::mounted::MountedState;

pub struct MilvusConfigNotPersisted;

static META: RuleMeta = RuleMeta {
    id: "milvus-config-not-persisted",
    severity: Severity::Info,
    summary: "a Milvus service mounts no configuration file while the project has one, or keeps \
              its configuration directory on a volume that does not outlive the container",
    doc: include_str!("../../rules/milvus-config-not-persisted.md"),
};

impl Rule for MilvusConfigNotPersisted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for config in &cx.milvus_configs {
            let Some(service) = config.service else {
                continue;
            };
            let name = service.name.value.as_str();
            let own = || cx.file.mounted.iter().filter(|m| m.service == name);
            // It bind-mounts a configuration file (or a directory where one would be): the
            // configuration lives on the host.
            if own().any(|m| m.state != MountedState::NotMounted) {
                continue;
            }
            if super::mounts_unknowable(cx, service) {
                continue;
            }
            let dir = crate::stack::milvus::config_dir(service);
            // The configuration directory on a volume that a new container does not get back.
            if let Some(m) = service.mount_covering(&format!("{dir}/user.yaml"))
                && (matches!(m.kind, MountKind::Anonymous | MountKind::Tmpfs)
                    || (m.kind == MountKind::Volume && !cx.file.mount_persists(m)))
            {
                let what = match m.kind {
                    MountKind::Tmpfs => "a tmpfs",
                    MountKind::Anonymous => "an anonymous volume",
                    _ => "a volume kept in memory",
                };
                out.push(
                    META.diagnostic(
                        m.origin,
                        format!(
                            "`{name}` keeps its configuration directory {dir} on {what}: a \
                             `user.yaml` written there inside the container is lost when the \
                             container is recreated (`docker compose down`/`up`, an upgrade)"
                        ),
                    )
                    .service(service)
                    .label("configuration on a volume that is not kept")
                    .help(format!(
                        "keep the configuration on the host: mount a file of the project at \
                         {dir}/user.yaml (`- ./user.yaml:{dir}/user.yaml:ro`)"
                    )),
                );
                continue;
            }
            // A configuration file of the project that no service mounts.
            // (`default.yaml` and `_test.yaml` are names too common to be taken for one; a
            // `user.yaml` its release does not read would not be read mounted either.)
            let named = |m: &&crate::mounted::MountedFile| {
                (m.container_path.ends_with("/milvus.yaml")
                    || m.container_path.ends_with("/user.yaml"))
                    && crate::milvus::kind_read_at(service, &m.container_path).is_some()
            };
            for m in own()
                .filter(|m| m.state == MountedState::NotMounted)
                .filter(named)
            {
                let mounted_elsewhere = cx
                    .file
                    .mounted
                    .iter()
                    .any(|o| o.host == m.host && o.state != MountedState::NotMounted);
                if mounted_elsewhere {
                    continue;
                }
                let file = m
                    .host
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                out.push(
                    META.diagnostic(
                        m.mount,
                        format!(
                            "`{}` is a Milvus configuration of the project, but no service \
                             mounts it: `{name}` runs with its image's configuration, and \
                             settings written to {} inside the container are lost when it is \
                             recreated",
                            m.host.display(),
                            m.container_path
                        ),
                    )
                    .service(service)
                    .label(format!("mounts no {file}"))
                    .help(format!(
                        "mount it where Milvus reads it: `- ./{}:{}:ro` under `{name}`'s \
                         `volumes`",
                        relative(cx, service, &m.host),
                        m.container_path
                    )),
                );
            }
        }
    }
}

/// A host path as written relative to the service's project directory.
fn relative(cx: &Context<'_>, service: &crate::compose::Service, host: &std::path::Path) -> String {
    let dir = cx
        .sources
        .get(service.origin.file.0 as usize)
        .and_then(|s| s.path.parent())
        .unwrap_or(std::path::Path::new(""));
    host.strip_prefix(dir).unwrap_or(host).display().to_string()
}
