//! `etcd-version-data-loss`: an etcd release with a known data-safety fault fixed in a later
//! patch of its minor line (the faults are data: `rules/data/releases.toml`).

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::Service;
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::fix::compose_edit;
use crate::stack::etcd::{Flavor, Source};
use crate::stack::health::{Probe, probe};
use crate::stack::releases;
use crate::stack::version::{Numbered, Version};

pub struct EtcdVersionDataLoss;

static META: RuleMeta = RuleMeta {
    id: "etcd-version-data-loss",
    severity: Severity::Error,
    summary: "an etcd release that can lose acknowledged writes (or is below etcd's production minimum)",
    doc: include_str!("../../rules/etcd-version-data-loss.md"),
};

/// The first official image without a shell and with `/var/lib/etcd` as its working directory.
const DISTROLESS: &str = "v3.5.7";

impl Rule for EtcdVersionDataLoss {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let etcd_members = cx.stack.members.iter().filter(|m| m.is_etcd()).count();
        let single = etcd_members == 1;
        for member in cx.stack.members.iter().filter(|m| m.is_etcd()) {
            let s = member.service;
            let Some((_, text)) = &s.image else { continue };
            let Some(version) = member.version.version() else {
                continue;
            };
            if super::unknowable(cx, Some(text.origin)) {
                continue;
            }
            let data = releases::get();
            let faults: Vec<_> = data
                .etcd
                .faults_of(version)
                .into_iter()
                .filter(|f| single || !f.single_member)
                .collect();
            let Some(severity) = faults.iter().map(|f| f.severity).max() else {
                continue;
            };
            let list: Vec<String> = faults
                .iter()
                .map(|f| format!("{} (fixed in v{}; {})", f.what, f.fixed, f.source))
                .collect();
            let newest = data.etcd.newest_of(version);
            let what = if single && faults.iter().any(|f| f.single_member) {
                " (one etcd member, as in every Milvus standalone stack)"
            } else {
                ""
            };
            let advice = match newest {
                Some(n) => format!(
                    "upgrade to v{n}, the newest {}.{} patch (patch upgrades within a minor \
                     line keep the data format); back up first (`etcdctl snapshot save`, or a \
                     copy of the stopped data dir)",
                    line(version).0,
                    line(version).1
                ),
                None => "upgrade to a v3.5 release from v3.5.6 on (v3.4 to v3.5 is a minor-line \
                         upgrade: follow etcd's upgrade guide); back up first"
                    .to_string(),
            };
            let mut message = format!(
                "service `{}` runs etcd {}{what}: {}; {advice}",
                s.name.value,
                text.value,
                list.join("; ")
            );
            if severity == Severity::Info {
                message = format!(
                    "service `{}` runs etcd {}, {}; {advice}",
                    s.name.value,
                    text.value,
                    list.join("; ")
                );
            }
            let fix = fix(cx, member, version, newest);
            let mut d = META
                .diagnostic(text.place(), message)
                .service(s)
                .label("etcd release with known faults")
                .help(format!("back up etcd's data, then {}", fix_help(newest)))
                .fix(fix);
            d.severity = severity;
            out.push(super::explained(d, text.explain(), None));
        }
    }
}

fn line(v: &Version) -> (u64, u64) {
    releases::line_of(v).unwrap_or((0, 0))
}

fn fix_help(newest: Option<&Version>) -> String {
    newest.map_or_else(
        || "move to a supported v3.5 release".to_string(),
        |n| format!("set the image tag to v{n}"),
    )
}

fn fix(
    cx: &Context<'_>,
    member: &crate::stack::roles::Member<'_>,
    version: &Version,
    newest: Option<&Version>,
) -> Fix {
    let s = member.service;
    let Some(newest) = newest else {
        return Fix::unavailable("no newer patch of this minor line is known");
    };
    let Some((_, text)) = &s.image else {
        return Fix::unavailable("the service has no image");
    };
    let plain = matches!(
        version,
        Version::Numbered(Numbered {
            pre: None,
            build: None,
            ..
        })
    );
    let official = matches!(
        member.role,
        crate::stack::roles::Role::Etcd(Flavor::Official)
    );
    if !official || !plain {
        return Fix::unavailable(format!(
            "`{}` is not an official etcd release tag: pick the image's own tag of etcd v{newest}",
            text.value
        ));
    }
    if version.before(&Version::known(DISTROLESS)) {
        // From v3.5.7 the image has no shell and starts in /var/lib/etcd.
        // The detected etcd of this service: `cx.etcd` is in the order of the services, which
        // sit in one vector, so their addresses are sorted.
        let etcd = cx
            .etcd
            .binary_search_by_key(&(s as *const Service), |e| e.service as *const Service)
            .ok()
            .map(|i| &cx.etcd[i]);
        let default_dir =
            etcd.is_some_and(|e| matches!(e.data_dir().setting.source, Source::Default));
        let shell_probe = s
            .healthcheck
            .as_ref()
            .is_some_and(|h| matches!(probe(h), Probe::Shell { .. }));
        let shell_command = crate::stack::starts_shell(s).is_some();
        if default_dir || shell_probe || shell_command {
            return Fix::unavailable(format!(
                "from {DISTROLESS} the official image has no shell and starts in /var/lib/etcd: \
                 set `--data-dir` explicitly and run the command and healthcheck without a shell \
                 before moving to v{newest}"
            ));
        }
    }
    let tag = format!("v{newest}");
    match compose_edit::rewrite_image(cx.sources, text, |raw| {
        crate::compose::image::with_tag(raw, &tag)
    }) {
        Ok(edits) => Fix::unsafe_(
            format!(
                "set the image tag to `{tag}`. Unsafe: back up first (`docker compose exec {} \
                 etcdctl snapshot save /path/on/a/volume`, or stop etcd and copy its data dir); \
                 patch upgrades within a minor line keep the data format",
                s.name.value
            ),
            edits,
        ),
        Err(why) => Fix::unavailable(why),
    }
}
