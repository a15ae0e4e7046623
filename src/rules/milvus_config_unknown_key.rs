//! `milvus-config-unknown-key`: a key in a Milvus `milvus.yaml` or `user.yaml` that the
//! image's Milvus version does not read.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::milvus::schema::{self, fold};
use crate::milvus::{ConfigFile, MilvusConfig};

pub struct MilvusConfigUnknownKey;

static META: RuleMeta = RuleMeta {
    id: "milvus-config-unknown-key",
    severity: Severity::Warning,
    summary: "a key in milvus.yaml or user.yaml that the image's Milvus version does not read",
    doc: include_str!("../../rules/milvus-config-unknown-key.md"),
};

impl Rule for MilvusConfigUnknownKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        // A file two services mount is judged once, for the first.
        let mut seen = Vec::new();
        for config in &cx.milvus_configs {
            for file in &config.files {
                if seen.contains(&file.file) {
                    continue;
                }
                seen.push(file.file);
                check_file(config, file, out);
            }
            for ignored in &config.ignored {
                report_ignored(config, ignored, out);
            }
        }
    }
}

/// A configuration file mounted under a name the service's release does not read.
fn report_ignored(
    config: &MilvusConfig<'_>,
    ignored: &crate::milvus::IgnoredFile,
    out: &mut Vec<Diagnostic>,
) {
    let Some(s) = config.service else { return };
    let name = ignored.kind.file_name();
    let tag = s
        .image_ref()
        .and_then(|i| i.tag.clone())
        .unwrap_or_else(|| "latest".into());
    let dir = crate::stack::milvus::config_dir(s);
    let origin = crate::compose::Origin {
        file: ignored.file,
        span: crate::source::Span::empty(0),
    };
    let since = crate::milvus::files::releases_reading(ignored.kind);
    let d = META
        .diagnostic(
            origin,
            format!(
                "Milvus {tag} (service `{}`) reads only {} from {dir}: this `{name}` is never \
                 read, so nothing written in it takes effect (Milvus reads it {since})",
                s.name.value,
                config.reads.describe(),
            ),
        )
        .label(format!("{name} not read by Milvus {tag}"))
        .help(format!(
            "write these settings in the mounted milvus.yaml (or as environment variables), \
             or run a release that reads {name}"
        ))
        .service(s)
        .related(
            ignored.mount,
            format!("mounted as {name} of `{}`", s.name.value),
        );
    out.push(d);
}

fn check_file(config: &MilvusConfig<'_>, file: &ConfigFile, out: &mut Vec<Diagnostic>) {
    let name = file.kind.file_name();
    if let Some(what) = file.not_milvus {
        let origin = crate::compose::Origin {
            file: file.file,
            span: crate::source::Span::empty(0),
        };
        let mut d = META
            .diagnostic(
                origin,
                format!(
                    "this `{name}` is {what}, not a Milvus configuration: it is not checked as one"
                ),
            )
            .label("not a Milvus configuration");
        d.severity = Severity::Info;
        if let Some(s) = config.service {
            d = d.service(s);
        }
        out.push(d);
        return;
    }
    let line = config.line();
    // A file mounted by no service may be of any version: a key is unknown only when no
    // line reads it.
    let any_version = config.service.is_none();
    let known = |folded: &str| {
        if any_version {
            schema::lines()
                .iter()
                .any(|l| l.get_folded(folded).is_some())
        } else {
            line.get_folded(folded).is_some()
        }
    };
    let mut reported: Vec<String> = Vec::new();
    for k in &file.keys {
        // The keys under an unknown section are not reported again.
        if reported.iter().any(|r| {
            k.path
                .get(..r.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(r))
                && k.path
                    .get(r.len()..)
                    .is_some_and(|rest| rest.starts_with('.'))
        }) {
            continue;
        }
        if known(&k.folded) {
            continue;
        }
        reported.push(k.path.clone());
        let mut message = if any_version {
            format!(
                "`{}` is a key of no Milvus line milvet knows (the newest patch of each, {} … \
                 {}): the file is mounted by no service, so its version is unknown; unless it \
                 is from a build between those, Milvus ignores it",
                k.path,
                schema::lines()[0].tag,
                schema::lines()[schema::lines().len() - 1].tag
            )
        } else {
            format!(
                "`{}` is not a key of Milvus {} ({}, the newest patch of the image's line): \
                 Milvus ignores it",
                k.path, line.name, line.tag
            )
        };
        let others: Vec<&str> = schema::lines()
            .iter()
            .filter(|l| l.name != line.name && l.knows(&k.path))
            .map(|l| l.name)
            .collect();
        if !any_version && !others.is_empty() {
            message.push_str(&format!(
                " (it is a key of Milvus {}{})",
                others.join(", "),
                config
                    .choice
                    .assumed
                    .map_or_else(String::new, |a| format!("; the image's line: {a}"))
            ));
        } else if let Some(a) = config.choice.assumed.filter(|_| !any_version) {
            message.push_str(&format!(" (the image's line: {a})"));
        }
        let mut d = META.diagnostic(k.key, message).label(format!(
            "not a Milvus {} key",
            if any_version {
                "configuration"
            } else {
                line.name
            }
        ));
        let suggestion = if any_version {
            schema::newest_release().closest(&k.path)
        } else {
            line.closest(&k.path)
        };
        if let Some(m) = suggestion.filter(|m| fold(m) != fold(&k.path)) {
            d = d.help(format!("did you mean `{m}`?"));
        }
        if any_version {
            d.severity = Severity::Info;
        }
        if let Some(s) = config.service {
            d = d.service(s);
            if let Some(mount) = file.mount {
                d = d.related(mount, format!("mounted as {name} of `{}`", s.name.value));
            }
        }
        out.push(d);
    }
}
