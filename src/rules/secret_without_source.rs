//! `secret-without-source`: a top-level secret or config that says nowhere where its content
//! comes from (`file`, `environment`, a config's `content`, or `external: true`), which
//! `docker compose` refuses whether a service uses it or not.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::{ContentDecl, Resource};
use crate::diagnostic::{Diagnostic, Severity};

pub struct SecretWithoutSource;

static META: RuleMeta = RuleMeta {
    id: "secret-without-source",
    severity: Severity::Error,
    summary: "a top-level secret or config that says nowhere where its content comes from",
    doc: include_str!("../../rules/secret-without-source.md"),
};

impl Rule for SecretWithoutSource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for c in &cx.file.contents {
            // Two sources are `conflicting-settings`.
            if c.sources.len() > 1 {
                continue;
            }
            let word = c.kind.word();
            let keys = ContentDecl::source_keys(c.kind);
            let listed = match keys {
                [a, b] => format!("neither `{a}` nor `{b}`"),
                _ => format!(
                    "none of {}",
                    keys.iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let n = &c.name.value;
            let key = c.kind.key();
            if c.sources.is_empty() && !c.driver && c.external.is_none() {
                // compose-go's `validation.checkFileObject`, on the merged project.
                out.push(
                    META.diagnostic(
                        c.name.place(),
                        format!(
                            "the {word} `{n}` is declared with {listed}, and is not \
                             `external`: `docker compose` refuses the project, whether a \
                             service uses it or not (\"{key}.{n}: one of {} must be set\")",
                            keys.join("|")
                        ),
                    )
                    .label(format!("no source for this {word}"))
                    .help(format!(
                        "say where it comes from (`file: ./{n}.txt`), or mark it `external: true`"
                    )),
                );
                continue;
            }
            // compose-go's `checkConsistency`: a secret that is not external needs a file or
            // a non-empty environment variable's name; a `driver` or `external: false` is none.
            if c.kind != Resource::Secret || c.external == Some(true) || c.source("file").is_some()
            {
                continue;
            }
            let refused = |place, why: String, label: &str| {
                META.diagnostic(
                    place,
                    format!(
                        "the secret `{n}` {why}: `docker compose` refuses the project, whether \
                         a service uses it or not (\"secret \"{n}\" must declare either \
                         `file` or `environment`\")"
                    ),
                )
                .label(label.to_string())
                .help("give it a `file`, or the name of an environment variable in `environment`")
            };
            match c.source("environment") {
                Some((k, v)) => {
                    let Some(v) = v else {
                        out.push(refused(
                            k.place(),
                            "has an empty `environment`".into(),
                            "empty",
                        ));
                        continue;
                    };
                    if !v.value.is_empty() || super::unknowable(cx, Some(v.origin)) {
                        continue;
                    }
                    let mut d = refused(
                        v.place(),
                        "has an empty `environment` (the name of the variable that holds it)"
                            .into(),
                        "empty",
                    );
                    for (o, label) in v.explain() {
                        d = d.related(o, label);
                    }
                    out.push(d);
                }
                None => {
                    let why = if c.external == Some(false) {
                        "is declared `external: false` with neither `file` nor `environment`"
                    } else {
                        "has a `driver` but neither `file` nor `environment`, which Docker \
                         Compose needs for a secret"
                    };
                    out.push(refused(
                        c.name.place(),
                        why.into(),
                        "no source for this secret",
                    ));
                }
            }
        }
    }
}
