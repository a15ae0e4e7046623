//! The rules: one module each, one registry ([`all`]).
//!
//! A rule has a stable kebab-case id (a public interface: it appears in JSON, and later in
//! configuration and suppressions), a default severity, a one-line summary and a document in
//! `rules/<id>.md`. It reads the Compose model and what [`crate::stack`] knows of the programs
//! in it, and reports [`Diagnostic`]s.

mod command_not_runnable;
mod compose_schema;
mod conflicting_settings;
mod depends_on_not_healthy;
mod duplicate_container_name;
mod duplicate_mount_target;
mod empty_compose_file;
mod etcd_compaction_mode;
mod etcd_compaction_retention;
mod etcd_config_file_ignores_settings;
mod etcd_data_not_persisted;
mod etcd_env_flag_conflict;
mod etcd_quota_backend_bytes;
mod etcd_unsafe_no_fsync;
mod etcd_version_data_loss;
mod healthcheck_missing;
mod healthcheck_not_runnable;
mod image_tag_unpinned;
mod image_unavailable;
mod include_conflict;
mod invalid_command;
mod invalid_interpolation;
mod invalid_port_spec;
mod invalid_project_name;
mod invalid_volume_spec;
mod milvus_config_not_persisted;
mod milvus_config_unknown_key;
mod milvus_credentials_mismatch;
mod milvus_data_not_persisted;
mod milvus_embedded_etcd_compaction;
mod milvus_embedded_etcd_not_persisted;
pub(crate) mod milvus_endpoint_unreachable;
mod milvus_env_override_noop;
mod milvus_local_storage_not_persisted;
mod milvus_management_port_exposed;
mod milvus_version_data_loss;
mod minio_data_not_persisted;
mod minio_default_credentials;
mod missing_file;
mod missing_image;
mod reference_cycle;
mod restart_policy_missing;
mod secret_without_source;
pub(crate) mod suppression_without_reason;
mod undefined_reference;
mod unknown_service;
mod unset_variable;
pub(crate) mod unused_suppression;
mod woodpecker_minio_too_old;
mod yaml_duplicate_key;

pub use crate::compose::Source;
use crate::compose::{ComposeFile, FileId, Origin, Service, Storage, Text};
use crate::diagnostic::{Diagnostic, Fix, Related, Severity};
use crate::fix::compose_edit::{self, NewSource};
use crate::stack::etcd::Etcd;
use crate::stack::minio::Minio;
use crate::yaml::NodeId;

/// Settings that change what rules report.
#[derive(Clone, Debug)]
pub struct RuleOptions {
    /// Smallest acceptable etcd `auto-compaction-retention` in revision mode.
    pub min_retention: u64,
}

impl RuleOptions {
    pub const DEFAULT_MIN_RETENTION: u64 = 1000;
}

impl Default for RuleOptions {
    fn default() -> Self {
        RuleOptions {
            min_retention: Self::DEFAULT_MIN_RETENTION,
        }
    }
}

/// What a rule sees: one Compose model, the files it was read from, what runs in it, and the
/// options.
pub struct Context<'a> {
    pub file: &'a ComposeFile,
    /// The files of the model, indexed by [`FileId`].
    pub sources: &'a [Source<'a>],
    pub options: &'a RuleOptions,
    /// Whether the document deploys Milvus (some facts are Milvus's and only said then).
    pub milvus: bool,
    /// The services that run an etcd server, in the order of the file's services.
    pub etcd: Vec<Etcd<'a>>,
    /// The services that run a MinIO server.
    pub minio: Vec<Minio<'a>>,
    /// What each service of the Milvus stack is.
    pub stack: crate::stack::roles::Stack<'a>,
    /// The configuration each Milvus service runs with (or, for a Milvus configuration file
    /// checked on its own, that file's), from its mounted files and environment.
    pub milvus_configs: Vec<crate::milvus::MilvusConfig<'a>>,
}

impl Context<'_> {
    /// A file's path as shown.
    pub fn path(&self, file: FileId) -> String {
        self.sources
            .get(file.0 as usize)
            .map_or_else(String::new, |s| s.path.display().to_string())
    }
}

/// The configuration a Milvus service runs with.
pub(crate) fn milvus_config<'c, 'a>(
    cx: &'c Context<'a>,
    service: &Service,
) -> Option<&'c crate::milvus::MilvusConfig<'a>> {
    cx.milvus_configs
        .iter()
        .find(|c| c.service.is_some_and(|s| std::ptr::eq(s, service)))
}

/// Whether a Milvus setting's value cannot be known: a variable with no value (taken from a
/// shell milvet does not see), or one whose reference is malformed or required and missing.
pub(crate) fn setting_unknowable(cx: &Context<'_>, s: &crate::milvus::Setting<'_>) -> bool {
    match &s.decided {
        crate::milvus::Decided::Env { var, .. } => {
            var.value.is_none() || unknowable(cx, var.value.as_ref().map(|t| t.origin))
        }
        _ => false,
    }
}

/// [`setting_unknowable`], or a value the service's configuration files would decide, while
/// one of them is mounted from a host file the project does not have (or cannot be read):
/// what it sets is not known.
pub(crate) fn setting_uncertain(
    cx: &Context<'_>,
    service: &Service,
    s: &crate::milvus::Setting<'_>,
) -> bool {
    setting_unknowable(cx, s)
        || (!matches!(s.decided, crate::milvus::Decided::Env { .. })
            && cx.file.mounted.iter().any(|m| {
                m.service == service.name.value
                    && m.unknown()
                    && crate::milvus::kind_read_at(service, &m.container_path).is_some()
            }))
}

/// Whether a value written at `origin` cannot be known because a variable reference in it is
/// malformed or required and missing (reported by `invalid-interpolation` and
/// `unset-variable`; other rules say nothing about such a value).
pub(crate) fn unknowable(cx: &Context<'_>, origin: Option<Origin>) -> bool {
    let Some(origin) = origin else { return false };
    cx.file.problems.iter().any(|p| match p {
        crate::compose::Problem::RequiredVariable { at, .. }
        | crate::compose::Problem::InvalidInterpolation { at, .. } => {
            at.file == origin.file && origin.span.contains(at.span)
        }
        _ => false,
    })
}

/// Whether a service's mounts, or the paths its command gives its program, cannot be known
/// because one of its volumes is not a valid spec once interpolated (reported by
/// `invalid-volume-spec`) or its `command`/`entrypoint` cannot be split (`invalid-command`).
pub(crate) fn mounts_unknowable(cx: &Context<'_>, service: &Service) -> bool {
    cx.file.problems.iter().any(|p| match p {
        crate::compose::Problem::InvalidVolumeSpec { at, .. }
        | crate::compose::Problem::InvalidCommand { at, .. } => {
            service.origin.file == at.file && service.origin.span.contains(at.span)
        }
        _ => false,
    })
}

/// Add to a finding about a value the places that explain it (see
/// [`crate::compose::Text::explain`]), and to its message how the value was arrived at.
pub(crate) fn explained(
    mut d: Diagnostic,
    explain: Vec<(Origin, String)>,
    provenance: Option<String>,
) -> Diagnostic {
    for (origin, label) in explain {
        if origin != d.origin {
            d = d.related(origin, label);
        }
    }
    if let Some(p) = provenance {
        d.message.push_str(&format!(" ({p})"));
    }
    d
}

/// A rule's identity.
#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// `rules/<id>.md`.
    pub doc: &'static str,
}

/// What a rule sees of one YAML document, before any Compose meaning is given to it.
pub struct DocumentContext<'a> {
    pub source: Source<'a>,
    pub file: FileId,
    pub root: NodeId,
    pub options: &'a RuleOptions,
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Check a Compose model.
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>);
    /// Check a YAML document as written (duplicate keys, schema). Most rules have nothing to
    /// say here.
    fn check_document(&self, _cx: &DocumentContext<'_>, _out: &mut Vec<Diagnostic>) {}
}

static RULES: &[&dyn Rule] = &[
    &etcd_data_not_persisted::EtcdDataNotPersisted,
    &etcd_compaction_mode::EtcdCompactionMode,
    &etcd_compaction_retention::EtcdCompactionRetention,
    &minio_data_not_persisted::MinioDataNotPersisted,
    &milvus_data_not_persisted::MilvusDataNotPersisted,
    &milvus_config_unknown_key::MilvusConfigUnknownKey,
    &milvus_config_not_persisted::MilvusConfigNotPersisted,
    &restart_policy_missing::RestartPolicyMissing,
    &healthcheck_missing::HealthcheckMissing,
    &healthcheck_not_runnable::HealthcheckNotRunnable,
    &etcd_env_flag_conflict::EtcdEnvFlagConflict,
    &etcd_unsafe_no_fsync::EtcdUnsafeNoFsync,
    &command_not_runnable::CommandNotRunnable,
    &depends_on_not_healthy::DependsOnNotHealthy,
    &etcd_quota_backend_bytes::EtcdQuotaBackendBytes,
    &etcd_config_file_ignores_settings::EtcdConfigFileIgnoresSettings,
    &etcd_version_data_loss::EtcdVersionDataLoss,
    &milvus_version_data_loss::MilvusVersionDataLoss,
    &milvus_management_port_exposed::MilvusManagementPortExposed,
    &image_tag_unpinned::ImageTagUnpinned,
    &image_unavailable::ImageUnavailable,
    &minio_default_credentials::MinioDefaultCredentials,
    &woodpecker_minio_too_old::WoodpeckerMinioTooOld,
    &milvus_env_override_noop::MilvusEnvOverrideNoop,
    &milvus_endpoint_unreachable::MilvusEndpointUnreachable,
    &milvus_credentials_mismatch::MilvusCredentialsMismatch,
    &milvus_embedded_etcd_not_persisted::MilvusEmbeddedEtcdNotPersisted,
    &milvus_embedded_etcd_compaction::MilvusEmbeddedEtcdCompaction,
    &milvus_local_storage_not_persisted::MilvusLocalStorageNotPersisted,
    &unset_variable::UnsetVariable,
    &invalid_interpolation::InvalidInterpolation,
    &missing_file::MissingFile,
    &reference_cycle::ReferenceCycle,
    &unknown_service::UnknownService,
    &undefined_reference::UndefinedReference,
    &duplicate_mount_target::DuplicateMountTarget,
    &duplicate_container_name::DuplicateContainerName,
    &conflicting_settings::ConflictingSettings,
    &secret_without_source::SecretWithoutSource,
    &invalid_volume_spec::InvalidVolumeSpec,
    &invalid_port_spec::InvalidPortSpec,
    &invalid_project_name::InvalidProjectName,
    &invalid_command::InvalidCommand,
    &missing_image::MissingImage,
    &empty_compose_file::EmptyComposeFile,
    &include_conflict::IncludeConflict,
    &yaml_duplicate_key::YamlDuplicateKey,
    &compose_schema::ComposeSchema,
    &unused_suppression::UnusedSuppression,
    &suppression_without_reason::SuppressionWithoutReason,
];

/// Every rule, in a stable order.
pub fn all() -> &'static [&'static dyn Rule] {
    RULES
}

/// The rule with this id.
pub fn by_id(id: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.meta().id == id)
}

/// The release data a rule reads, as `milvet rules <id>` shows it after the rule's document.
pub fn data_table(id: &str) -> Option<String> {
    crate::stack::releases::get().table_for(id)
}

/// Whether `id` is one of the rules about suppression comments, which comments cannot
/// silence.
pub fn is_suppression_rule(id: &str) -> bool {
    id == unused_suppression::ID || id == suppression_without_reason::ID
}

/// Run every rule's document check over one YAML document.
pub fn run_document(cx: &DocumentContext<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in RULES {
        rule.check_document(cx, &mut out);
    }
    out
}

/// Run every rule over a Milvus configuration file checked on its own (mounted by no
/// service): `sources` holds it alone, as file 0.
pub fn run_lone_milvus_config(
    kind: crate::milvus::ConfigKind,
    sources: &[Source<'_>],
    options: &RuleOptions,
) -> Vec<Diagnostic> {
    let Some(source) = sources.first() else {
        return Vec::new();
    };
    let file = ComposeFile::empty(FileId(0));
    let cx = Context {
        file: &file,
        sources,
        options,
        milvus: true,
        etcd: Vec::new(),
        minio: Vec::new(),
        stack: crate::stack::roles::Stack::default(),
        milvus_configs: vec![crate::milvus::MilvusConfig::lone(kind, FileId(0), source)],
    };
    let mut out = Vec::new();
    for rule in RULES {
        rule.check(&cx, &mut out);
    }
    sort_findings(&mut out);
    out
}

/// Run every rule over a Compose model.
pub fn run(file: &ComposeFile, sources: &[Source<'_>], options: &RuleOptions) -> Vec<Diagnostic> {
    let etcd: Vec<Etcd<'_>> = file
        .services
        .iter()
        .filter_map(|s| Etcd::detect(s).map(|e| e.with_config_file(file, sources)))
        .collect();
    let minio: Vec<Minio<'_>> = file.services.iter().filter_map(Minio::detect).collect();
    let stack = crate::stack::roles::Stack::from_detected(file, &etcd, &minio);
    let milvus_configs = crate::milvus::configs(file, sources, &stack);
    let cx = Context {
        file,
        sources,
        options,
        milvus: stack.has_milvus(),
        etcd,
        minio,
        stack,
        milvus_configs,
    };
    let mut out = Vec::new();
    for rule in RULES {
        rule.check(&cx, &mut out);
    }
    name_dependents(&cx, &mut out);
    // A service behind a profile is checked all the same; say which profile starts it.
    let with_profiles: std::collections::HashMap<&str, &Service> = file
        .services
        .iter()
        .filter(|s| !s.profiles.is_empty())
        .map(|s| (s.name.value.as_str(), s))
        .collect();
    for d in &mut out {
        let Some(name) = &d.service else { continue };
        if let Some(s) = with_profiles.get(name.as_str()) {
            let names: Vec<String> = s
                .profiles
                .iter()
                .map(|p| format!("`{}`", p.value))
                .collect();
            d.message.push_str(&format!(
                " (service `{name}` starts only with the profile {})",
                names.join(" or ")
            ));
        }
    }
    sort_findings(&mut out);
    out
}

/// Sort findings by file, place and rule, keeping the order of equal ones (as a stable sort),
/// without the stable sort's scratch copy of the findings: their order is sorted as indexes,
/// then the findings are moved into it in place.
pub(crate) fn sort_findings(out: &mut [Diagnostic]) {
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_unstable_by_key(|&i| {
        let d = &out[i];
        (d.origin.file, d.origin.span.start, d.rule, i)
    });
    // Position `i` receives the finding at `order[i]`; each cycle of the order is followed once.
    for i in 0..out.len() {
        let mut at = i;
        while order[at] != i {
            let from = order[at];
            out.swap(at, from);
            order[at] = at;
            at = from;
        }
        order[at] = at;
    }
}

/// The seed rules about etcd's and MinIO's data, whose findings say which Milvus depends on
/// the server.
const DEPENDENT_RULES: &[&str] = &[
    "etcd-data-not-persisted",
    "etcd-compaction-mode",
    "etcd-compaction-retention",
    "minio-data-not-persisted",
];

/// To each seed-rule finding about an etcd or MinIO service, the Milvus settings that point
/// at it (`etcd.endpoints`, `minio.address`, wherever they were decided), as related places and
/// in the message: which Milvus keeps its metadata or segments there.
fn name_dependents(cx: &Context<'_>, out: &mut [Diagnostic]) {
    use crate::stack::network::{Endpoint, Reach, reach};
    if cx.milvus_configs.iter().all(|c| c.service.is_none()) {
        return;
    }
    // Looked up once per finding: sets, not a scan of every etcd and MinIO service.
    let etcd: std::collections::HashSet<&str> = cx
        .etcd
        .iter()
        .map(|e| e.service.name.value.as_str())
        .collect();
    let minio: std::collections::HashSet<&str> = cx
        .minio
        .iter()
        .map(|m| m.service.name.value.as_str())
        .collect();
    for d in out.iter_mut() {
        if !DEPENDENT_RULES.contains(&d.rule) {
            continue;
        }
        let Some(name) = d.service.clone() else {
            continue;
        };
        let is_etcd = etcd.contains(name.as_str());
        let is_minio = minio.contains(name.as_str());
        let mut users = Vec::new();
        for cfg in &cx.milvus_configs {
            let Some(s) = cfg.service else { continue };
            let setting = if is_etcd {
                cfg.etcd_endpoints()
            } else if is_minio {
                cfg.minio_address()
            } else {
                None
            };
            let Some(setting) = setting else { continue };
            let points = setting.as_list().iter().any(|item| {
                Endpoint::parse(item).is_some_and(|ep| {
                    matches!(reach(cx.file, s, &ep.host),
                        Reach::Service { service, .. } if service.name.value == name)
                })
            });
            if !points {
                continue;
            }
            let label = format!(
                "Milvus service `{}` uses it: `{}` is `{}`",
                s.name.value, setting.key, setting.value
            );
            if let Some(o) = setting.decided.origin() {
                d.related.push(Related { origin: o, label });
            }
            users.push(format!(
                "`{}` ({}: `{}`)",
                s.name.value,
                setting.describe(),
                setting.value
            ));
        }
        if !users.is_empty() {
            d.message.push_str(&format!(
                "; Milvus service{} {} {} {} here",
                if users.len() == 1 { "" } else { "s" },
                users.join(", "),
                if users.len() == 1 {
                    "keeps its"
                } else {
                    "keep their"
                },
                if is_etcd { "metadata" } else { "segments" }
            ));
        }
    }
}

impl RuleMeta {
    /// A finding of this rule at `origin`.
    pub fn diagnostic(&'static self, origin: Origin, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            rule: self.id,
            severity: self.severity,
            origin,
            message: message.into(),
            label: None,
            help: None,
            service: None,
            related: Vec::new(),
            fix: None,
        }
    }
}

/// Builder-style additions to a [`Diagnostic`].
pub trait DiagnosticExt {
    fn service(self, s: &Service) -> Self;
    fn label(self, l: impl Into<String>) -> Self;
    fn help(self, h: impl Into<String>) -> Self;
    fn related(self, origin: Origin, label: impl Into<String>) -> Self;
    fn fix(self, fix: Fix) -> Self;
}

impl DiagnosticExt for Diagnostic {
    fn service(mut self, s: &Service) -> Self {
        self.service = Some(s.name.value.clone());
        self
    }
    fn label(mut self, l: impl Into<String>) -> Self {
        self.label = Some(l.into());
        self
    }
    fn help(mut self, h: impl Into<String>) -> Self {
        self.help = Some(h.into());
        self
    }
    fn related(mut self, origin: Origin, label: impl Into<String>) -> Self {
        self.related.push(Related {
            origin,
            label: label.into(),
        });
        self
    }
    fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }
}

/// Where to point at a service when the deciding value is a default: its image, else its name.
pub(crate) fn service_anchor(service: &Service) -> Origin {
    service
        .image
        .as_ref()
        .map_or(service.name.origin, |(_, t)| t.origin)
}

/// The unsafe fix that mounts persistent storage at `target` for `service` (replacing an
/// anonymous volume there), with the steps that keep the data the container holds now.
pub(crate) fn mount_fix(
    cx: &Context<'_>,
    service: &Service,
    storage: &Storage<'_>,
    target: &str,
    part: Option<&str>,
) -> Fix {
    let source = compose_edit::new_source(cx.file, service, part);
    mount_fix_with(cx, service, storage, target, source)
}

/// [`mount_fix`] with the new mount's source chosen by the rule.
pub(crate) fn mount_fix_with(
    cx: &Context<'_>,
    service: &Service,
    storage: &Storage<'_>,
    target: &str,
    source: NewSource,
) -> Fix {
    if !target.starts_with('/') || crate::compose::normalize_path(target) == "/" {
        return Fix::unavailable(format!(
            "`{target}` is not a directory a volume can be mounted at: mount one at an absolute \
             directory that holds the data"
        ));
    }
    let (existing, target) = match storage {
        Storage::Anonymous(m) => (Some(*m), m.target.value.clone()),
        Storage::Tmpfs(m) | Storage::MemoryVolume(m) | Storage::OtherMount(m) => {
            (Some(*m), target.to_string())
        }
        _ => (None, target.to_string()),
    };
    let svc = &service.name.value;
    let (cd, compose) = compose_command(cx);
    let description = match &source {
        NewSource::Bind(src) => {
            let host = host_path(cx, src);
            let q = sh_quote(&host);
            format!(
                "mount `{src}` at `{target}`. Unsafe: the new mount hides what the current \
                 container keeps at `{target}`. Before `docker compose up`, copy it to the host \
                 (`{host}`): `{cd}mkdir -p {q} && {compose} cp {svc}:{target}/. {q}/`"
            )
        }
        NewSource::Volume(name) => format!(
            "mount the named volume `{name}` (declared under the top-level `volumes`) at \
             `{target}`. Unsafe: the new mount hides what the current container keeps at \
             `{target}`. Copy it out first with `{cd}{compose} cp {svc}:{target}/. \
             ./{name}-backup/`, and after `docker compose up` copy it back with \
             `{cd}{compose} cp ./{name}-backup/. {svc}:{target}/` before restarting `{svc}`"
        ),
    };
    let description = match storage {
        Storage::Tmpfs(m) => format!(
            "replace the tmpfs mount at `{}`: {description}",
            m.target.raw
        ),
        Storage::Anonymous(m) => format!(
            "replace the anonymous volume at `{}`: {description}",
            m.target.raw
        ),
        _ => description,
    };
    match compose_edit::add_mount(cx.sources, cx.file, service, existing, &source, &target) {
        Ok(edits) => Fix::unsafe_(description, edits),
        Err(why) => Fix::unavailable(why),
    }
}

/// A mount source as the host sees it: interpolated with the project's variables (the shell,
/// then `.env`), as Docker Compose will.
fn host_path(cx: &Context<'_>, src: &str) -> String {
    crate::compose::interpolate::interpolate(src, &|name| cx.file.env.lookup(name))
        .map_or_else(|_| crate::compose::interp_defaults(src), |i| i.value)
}

/// How to run `docker compose` for this project from the directory milvet was run in: a
/// `cd <dir> && ` prefix when the project's first file is elsewhere, and `docker compose` with
/// `-f <file>` when that file does not have a name Docker Compose finds by itself.
fn compose_command(cx: &Context<'_>) -> (String, String) {
    let Some(first) = cx.sources.first() else {
        return (String::new(), "docker compose".into());
    };
    let dir = first
        .path
        .parent()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    let cd = if dir.is_empty() || dir == "." {
        String::new()
    } else {
        format!("cd {} && ", sh_quote(&dir))
    };
    let name = first
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let default = [
        "compose.yaml",
        "compose.yml",
        "docker-compose.yaml",
        "docker-compose.yml",
    ]
    .contains(&name.as_str());
    let compose = if default {
        "docker compose".to_string()
    } else {
        format!("docker compose -f {}", sh_quote(&name))
    };
    (cd, compose)
}

/// A word for a POSIX shell: as it is when it holds nothing the shell would read, else in
/// single quotes.
fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-:=+@%,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Why a path's storage does not persist, as a clause that continues "`<path>` ...", or
/// `None` when it does persist.
pub(crate) fn storage_problem(storage: &Storage<'_>) -> Option<String> {
    Some(match storage {
        Storage::Persistent(_) => return None,
        Storage::Anonymous(m) => format!(
            "is on an anonymous volume (`{}` has no source), so `docker compose down` and `up` \
             replace it with a new, empty one",
            m.target.raw
        ),
        Storage::Tmpfs(m) => format!(
            "is on a tmpfs mount at `{}`, so it is kept in memory and lost at every restart, a \
             power cut included",
            m.target.raw
        ),
        Storage::MemoryVolume(m) => format!(
            "is on the volume `{}`, declared with `driver_opts` `type: tmpfs`, so it is kept in \
             memory and lost at every restart, a power cut included",
            m.source.as_ref().map_or("", |s| s.value.as_str())
        ),
        Storage::OtherMount(m) => format!(
            "is on a mount at `{}` that is neither a bind mount nor a named volume",
            m.target.raw
        ),
        Storage::ImageVolume(v) => format!(
            "is not mounted in the file, so it lands in the anonymous volume the image declares \
             for `{v}`, which `docker compose down` and `up` replace with a new, empty one"
        ),
        Storage::WritableLayer => "is not on any volume or bind mount: it lives in the \
             container's writable layer, so `docker compose down` or a recreate of the \
             container deletes it"
            .to_string(),
    })
}

#[cfg(test)]
mod tests;

/// ` (`A`, `B` not set)` for the variables of a value that are neither set nor given a default,
/// to say why the value came out as it did; empty when every variable had a value.
pub(crate) fn unset_note(vars: &[crate::compose::VarUse]) -> String {
    let unset: Vec<&str> = vars
        .iter()
        .filter(|v| v.var.is_none() && !v.used_operand)
        .map(|v| v.name.as_str())
        .collect();
    if unset.is_empty() {
        String::new()
    } else {
        format!(" (`{}` not set)", unset.join("`, `"))
    }
}

/// Adds a finding unless one of its rule is already at its place (a value written once in an
/// anchor that several services use is reported once).
///
/// Only the findings at the end of `out` of the same rule are looked at: a rule's findings are
/// pushed together, after those of the rules before it ([`run`], [`run_document`]), so the
/// findings before them are of other rules.
pub(crate) fn push_once(out: &mut Vec<Diagnostic>, d: Diagnostic) {
    let mut mine = out.iter().rev().take_while(|o| o.rule == d.rule);
    if !mine.any(|o| o.origin == d.origin) {
        out.push(d);
    }
}

/// [`push_once`], with the places that explain each value (the variable's line, the use it
/// was read at) as related places.
pub(crate) fn push_explained(out: &mut Vec<Diagnostic>, mut d: Diagnostic, explained: &[&Text]) {
    for t in explained {
        for (o, label) in t.explain() {
            d = d.related(o, label);
        }
    }
    push_once(out, d);
}
