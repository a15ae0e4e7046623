//! `missing-image`: a service with neither an `image` nor a `build` (nor a `provider`), once
//! its files, `extends` and variables are read, which `docker compose` refuses.

use super::{Context, DiagnosticExt, Rule, RuleMeta};
use crate::compose::{Origin, Problem};
use crate::diagnostic::{Diagnostic, Severity};

pub struct MissingImage;

static META: RuleMeta = RuleMeta {
    id: "missing-image",
    severity: Severity::Error,
    summary: "a service has neither an `image` nor a `build`",
    doc: include_str!("../../rules/missing-image.md"),
};

impl Rule for MissingImage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for service in &cx.file.services {
            let written = |k: &str| service.fields.iter().any(|(n, _)| n == k);
            // A `build` removed by `!reset` in a later file is none.
            if service.build.is_some() || written("provider") {
                continue;
            }
            // An `extends` that could not be followed is reported on its own; the image the
            // base would give is not known.
            let broken_extends = cx.file.problems.iter().any(|p| match p {
                Problem::MissingFile { at, .. }
                | Problem::UnknownService { at, .. }
                | Problem::Cycle { at, .. } => {
                    at.file == service.origin.file && service.origin.span.contains(at.span)
                }
                _ => false,
            });
            if broken_extends {
                continue;
            }
            if service
                .image
                .as_ref()
                .is_some_and(|(_, t)| !t.value.is_empty())
            {
                continue;
            }
            let name = &service.name.value;
            // Where `image:` is written, when it is (empty once interpolated).
            let image_at = service
                .fields
                .iter()
                .rev()
                .find(|(k, _)| k == "image")
                .and_then(|(_, f)| {
                    let tree = cx.sources.get(f.file.0 as usize)?.tree;
                    let span = tree.span(tree.resolve(f.value));
                    Some(Origin { file: f.file, span })
                });
            let quoted = format!(
                "`docker compose` refuses the project (\"service \"{name}\" has neither an image \
                 nor a build context specified\")"
            );
            let (at, message) = match image_at {
                // `image: ${TAG}` with the variable unset or empty.
                Some(at) => (
                    at,
                    format!(
                        "the `image` of service `{name}` is empty once its variables are read, \
                         and it has no `build`: {quoted}"
                    ),
                ),
                None => (
                    service.name.place(),
                    format!("service `{name}` has neither an `image` nor a `build`: {quoted}"),
                ),
            };
            let d = META
                .diagnostic(at, message)
                .service(service)
                .label("no image")
                .help("give the service an `image:` (or a `build:` context)");
            // An empty image written once in an anchor that several services use is reported
            // once.
            super::push_once(out, d);
        }
    }
}
