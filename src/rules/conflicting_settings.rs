//! `conflicting-settings`: one setting written in its two places (`scale` and
//! `deploy.replicas`, `cpus` and `deploy.resources.limits.cpus`, ...) with different values,
//! a `build` given both a `dockerfile` and a `dockerfile_inline`, or a `platform` that
//! `build.platforms` does not include, which `docker compose` refuses; or a secret or config given
//! two sources (`file` and `environment`, ...).

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::sizing::Twin;
use crate::compose::{ContentDecl, Problem, Text};
use crate::diagnostic::{Diagnostic, Severity};

pub struct ConflictingSettings;

static META: RuleMeta = RuleMeta {
    id: "conflicting-settings",
    severity: Severity::Error,
    summary: "a setting written in its two places with values that disagree, or settings that exclude each other",
    doc: include_str!("../../rules/conflicting-settings.md"),
};

impl Rule for ConflictingSettings {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        build(cx, out);
        for s in &cx.file.services {
            let Some(sizing) = &s.sizing else { continue };
            for twin in Twin::ALL {
                let Some((own, deploy, at)) = sizing.distinct(twin) else {
                    continue;
                };
                if super::unknowable(cx, Some(own.origin))
                    || super::unknowable(cx, deploy.map(|d| d.origin))
                {
                    continue;
                }
                let (a, b) = twin.keys();
                let (value, label) = match deploy {
                    Some(d) => (format!("`{}`", d.value), format!("`{b}` set here")),
                    None => {
                        let parent = b.rsplit_once('.').map_or(b, |(p, _)| p);
                        (
                            format!("0 (`{parent}` is written without it)"),
                            format!("`{b}` is 0 in this mapping"),
                        )
                    }
                };
                let mut d = META
                    .diagnostic(
                        own.place(),
                        format!(
                            "service `{}` sets `{a}` to `{}` and `{b}` is {value}: `docker \
                             compose` refuses the project (\"can't set distinct values on \
                             '{a}' and '{b}'\")",
                            s.name.value, own.value
                        ),
                    )
                    .service(s)
                    .label(format!("differs from `{b}`"))
                    .related(at, label)
                    .help(format!(
                        "write it once, as `{b}`, or give both the same value"
                    ));
                let more = deploy.map(|d| d.explain()).unwrap_or_default();
                for (o, label) in own.explain().into_iter().chain(more) {
                    d = d.related(o, label);
                }
                super::push_once(out, d);
            }
        }
        // A device request names its devices by number or by id, not both (compose-go's
        // `validation.checkDeviceRequest`).
        for s in &cx.file.services {
            for (count, ids) in &s.device_conflicts {
                out.push(
                    META.diagnostic(
                        ids.place(),
                        format!(
                            "a device request of service `{}` sets both `count` and \
                             `device_ids`, which exclude each other: `docker compose` refuses \
                             the project (\"\"count\" and \"device_ids\" attributes are \
                             exclusive\")",
                            s.name.value
                        ),
                    )
                    .service(s)
                    .label("beside `count`")
                    .related(count.place(), "`count` set here")
                    .help("keep `device_ids` to choose the GPUs, or `count` to take that many"),
                );
            }
        }
        // The old `external: {name: ...}` beside a `name` of another value.
        for p in &cx.file.problems {
            let Problem::ExternalNameConflict { key, name, at, own } = p else {
                continue;
            };
            out.push(
                META.diagnostic(
                    *at,
                    format!(
                        "`{key}.{name}` is named both by `name` and by the old `external.name`, \
                         differently: `docker compose` refuses the project, whether a service \
                         uses it or not (\"{key}.{name}: name and external.name conflict; only \
                         use name\")"
                    ),
                )
                .label("`external.name`")
                .related(*own, "`name` here")
                .help("keep `name` and write `external: true`"),
            );
        }
        // An external volume is made elsewhere: compose-go's `validation.checkExternal`
        // refuses any attribute but `name` beside `external: true`.
        for v in &cx.file.volumes {
            let Some(k) = &v.beside_external else {
                continue;
            };
            out.push(
                META.diagnostic(
                    k.place(),
                    format!(
                        "the volume `{}` is `external` and sets `{}` too: `docker compose` \
                         refuses the project, whether a service uses it or not \
                         (\"volumes.{}: conflicting parameters \"external\" and \"{}\" \
                         specified\")",
                        v.name.value, k.value, v.name.value, k.value
                    ),
                )
                .label("beside `external: true`")
                .help(
                    "an external volume is created outside the project: remove the attribute, \
                     or `external` to let Compose create the volume",
                ),
            );
        }
        // A secret or config takes its content from one source (compose-go's
        // `validation.checkFileObject`, on the merged project).
        for c in &cx.file.contents {
            let [(first, _), (second, _), ..] = c.sources.as_slice() else {
                continue;
            };
            let keys = ContentDecl::source_keys(c.kind);
            out.push(
                META.diagnostic(
                    second.place(),
                    format!(
                        "the {} `{}` is given both `{}` and `{}`, which exclude each other: \
                         `docker compose` refuses the project, whether a service uses it or not \
                         (\"{}.{}: {} attributes are mutually exclusive\")",
                        c.kind.word(),
                        c.name.value,
                        first.value,
                        second.value,
                        c.kind.key(),
                        c.name.value,
                        keys.join("|")
                    ),
                )
                .label(format!("a second source, after `{}`", first.value))
                .related(first.place(), "the first source")
                .help("keep one of them"),
            );
        }
    }
}

/// A value Compose reads as set: written, and not empty once interpolated.
fn set(t: &Option<Text>) -> Option<&Text> {
    t.as_ref().filter(|t| !t.value.is_empty())
}

/// The two ways of giving a build its Dockerfile written together, and a `platform` the build
/// is not made for (compose-go `checkConsistency`).
fn build(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for s in &cx.file.services {
        let Some(b) = &s.build else { continue };
        let name = &s.name.value;
        if let (Some(file), Some(inline)) = (set(&b.dockerfile), set(&b.dockerfile_inline))
            && !super::unknowable(cx, Some(file.origin))
            && !super::unknowable(cx, Some(inline.origin))
        {
            let d = META
                .diagnostic(
                    inline.place(),
                    format!(
                        "the `build` of service `{name}` has both a `dockerfile_inline` and a \
                         `dockerfile` (`{}`): `docker compose` refuses the project (\"declares \
                         mutualy exclusive dockerfile and dockerfile_inline\")",
                        file.value
                    ),
                )
                .service(s)
                .label("with `dockerfile`")
                .related(file.place(), "`dockerfile` set here")
                .help("keep one of the two: the Dockerfile's path or its text");
            super::push_explained(out, d, &[inline, file]);
        }
        if let Some(p) = s.platform.as_deref().filter(|t| !t.value.is_empty())
            && !b.allows_platform(&p.value)
            && !super::unknowable(cx, Some(p.origin))
            && !b
                .platforms
                .iter()
                .any(|t| super::unknowable(cx, Some(t.origin)))
        {
            let list: Vec<String> = b
                .platforms
                .iter()
                .map(|t| format!("`{}`", t.value))
                .collect();
            let mut d = META
                .diagnostic(
                    p.place(),
                    format!(
                        "service `{name}` runs on `platform: {}`, and its `build.platforms` ({}) \
                         does not include it: `docker compose` refuses the project \
                         (\"service.build.platforms MUST include service.platform \\\"{}\\\"\")",
                        p.value,
                        list.join(", "),
                        p.value
                    ),
                )
                .service(s)
                .label("not in `build.platforms`")
                .help(format!(
                    "add `{}` to `build.platforms`, or run the service on one of them",
                    p.value
                ));
            if let Some(first) = b.platforms.first() {
                d = d.related(first.place(), "`build.platforms` written here");
            }
            let mut explained = vec![p];
            explained.extend(b.platforms.iter());
            super::push_explained(out, d, &explained);
        }
    }
}
