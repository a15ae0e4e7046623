//! `compose-schema`: a document that the Compose specification's JSON schema rejects.
//!
//! Docker Compose validates every document of a Compose file against the specification's
//! schema before it does anything else, and refuses the whole file at the first violation.
//! This rule does the same validation ([`schema`]) on the document as Compose decodes it
//! ([`instance`]), and reports every violation at the key or value it concerns.

mod compile;
mod instance;
mod schema;

use super::{DiagnosticExt, DocumentContext, Rule, RuleMeta};
use crate::compose::Origin;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;
use crate::yaml::{NodeId, NodeKind, Tree};
use instance::{Document, InstId, Limit, Seg, Val};
use schema::{Problem, Schema, Violation};

pub struct ComposeSchema;

/// Findings reported for one document, at most.
const MAX_FINDINGS: usize = 1000;

static META: RuleMeta = RuleMeta {
    id: "compose-schema",
    severity: Severity::Error,
    summary: "the document breaks the Compose specification's schema, so Docker Compose refuses \
              the file",
    doc: include_str!("../../rules/compose-schema.md"),
};

impl Rule for ComposeSchema {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// Docker Compose validates the file after interpolation: a value that only breaks the
    /// schema once its variables are read (`container_name: ${NAME}` with `NAME` unset is
    /// `''`; `retries: ${RETRIES}` is not a number) is refused too. The document check above
    /// sees the text as written; this one, the values the variables give.
    fn check(&self, cx: &super::Context<'_>, out: &mut Vec<Diagnostic>) {
        for service in &cx.file.services {
            let name = &service.name.value;
            let mut bad: Vec<(&crate::compose::Text, String, String)> = Vec::new();
            if let Some(t) = service.container_name.as_ref()
                && !t.vars.is_empty()
                && !container_name_ok(&t.value)
            {
                bad.push((
                    t,
                    format!("services.{name}.container_name"),
                    "does not match the pattern `[a-zA-Z0-9][a-zA-Z0-9_.-]+`".into(),
                ));
            }
            for (t, path, why) in bad {
                if super::unknowable(cx, Some(t.origin)) {
                    continue;
                }
                let mut d = META
                    .diagnostic(
                        t.place(),
                        format!(
                            "`{path}` is `{}` once its variables are read, which {why}: `docker \
                             compose` validates the file after interpolation and refuses it",
                            t.value
                        ),
                    )
                    .service(service)
                    .label("invalid once interpolated")
                    .help("set the variable, or give it a default: `${NAME:-value}`");
                for (o, label) in t.explain() {
                    d = d.related(o, label);
                }
                // A value written once in an anchor that several services use is reported once.
                super::push_once(out, d);
            }
        }
        self.casts(cx, out);
        self.counts(cx, out);
        self.healthcheck_tests(cx, out);
        self.environment_names(cx, out);
        self.binds_without_source(cx, out);
        self.network_mode_with_networks(cx, out);
        self.watch_targets(cx, out);
        self.context_entries(cx, out);
        self.ssh_entries(cx, out);
        self.extra_hosts(cx, out);
        self.refused(cx, out);
    }

    fn check_document(&self, cx: &DocumentContext<'_>, out: &mut Vec<Diagnostic>) {
        self.document(cx, out);
    }
}

impl ComposeSchema {
    /// compose-go casts the strings at some places (`cpus`, `read_only`, `deploy.replicas`,
    /// `ports[].target`, ...: [`instance::cast_strings`]) once they are interpolated, before it
    /// validates anything, and refuses the file when one is not what it must be ("failed to
    /// cast to expected type"), with a variable in it or not. Each document is interpolated
    /// with the variables of the project that holds its file (an included file's own).
    ///
    /// A value that casts is then validated against the schema with the rest of the document
    /// (`cpu_percent: ${P}` with `P=200` is above its maximum); one that compose-go keeps in a
    /// 32-bit float must be finite ([`non_finite`]). The strings it decodes into its model
    /// after validation (a secret's `mode`, `deploy.resources.*.cpus`) must decode.
    fn casts(&self, cx: &super::Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut found = Vec::new();
        let services = &cx.file.services;
        for r in &cx.file.roots {
            let (file, root) = (r.file, r.node);
            let Some(src) = cx.sources.get(file.0 as usize) else {
                continue;
            };
            found.clear();
            instance::cast_strings(src.tree, root, &mut found);
            // In a file read only for `extends`, a value is validated only in the services
            // extended from it; one that does not cast is refused anywhere (at interpolation).
            let extended = |path: &str| {
                r.extended.as_ref().is_none_or(|names| {
                    names.iter().any(|n| {
                        path.strip_prefix("services.")
                            .and_then(|p| p.strip_prefix(n.as_str()))
                            .is_some_and(|p| p.starts_with('.'))
                    })
                })
            };
            // The interpolated values that cast, for the schema: (node, cast, value), with
            // the value as read and where the finding goes.
            let mut known: Vec<(NodeId, instance::Cast, Val<'_>)> = Vec::new();
            let mut read: Vec<Read> = Vec::new();
            let mut finite: Vec<(NodeId, Diagnostic)> = Vec::new();
            for c in &found {
                if !(extended(&c.path) || c.cast.at_interpolation()) {
                    continue;
                }
                let origin = Origin {
                    file,
                    span: src.tree.span(src.tree.resolve(c.node)),
                };
                let interpolated = c.text.contains('$');
                let (value, place, related) = if interpolated {
                    let Some(t) =
                        crate::compose::Text::read(src.tree, src.text, file, c.node, &r.env)
                    else {
                        continue;
                    };
                    if super::unknowable(cx, Some(t.origin)) {
                        continue;
                    }
                    (t.value.clone(), t.place(), t.explain())
                } else {
                    (c.text.to_string(), origin, Vec::new())
                };
                let once = if interpolated {
                    " once its variables are read"
                } else {
                    ""
                };
                let cast = if c.float { None } else { c.cast.apply(&value) };
                if cast.is_some() && !extended(&c.path) {
                    continue;
                }
                let Some(cast) = cast else {
                    let why = if c.cast.at_interpolation() {
                        "`docker compose` converts it before it validates the file, and refuses \
                         the file (\"failed to cast to expected type\")"
                    } else {
                        "`docker compose` cannot read it into the service's settings, and \
                         refuses the file (\"decoding failed\")"
                    };
                    let mut d = META
                        .diagnostic(
                            place,
                            format!(
                                "`{}` is `{}`{once}, which is not {}: {why}",
                                clip(&c.path),
                                clip(&value),
                                c.cast.expected()
                            ),
                        )
                        .label(format!("not {}", c.cast.expected_short()))
                        .help(if !interpolated {
                            "write a value of that type"
                        } else {
                            "set the variable to a value of that type, or give it a default: \
                             `${NAME:-value}`"
                        });
                    for (o, label) in related {
                        d = d.related(o, label);
                    }
                    super::push_once(out, with_service(d, &c.path, services));
                    continue;
                };
                let node = src.tree.resolve(c.node);
                // `cpu_percent` is an integer to the schema: a value that is not finite there is
                // the schema's to report (the document check's, or the one below).
                if let Val::Num { value: n, .. } = cast
                    && c.cast.float32()
                    && !c.path.ends_with(".cpu_percent")
                    && let Some(d) = non_finite(n, &c.path, &value, once, place, &related)
                {
                    finite.push((node, with_service(d, &c.path, services)));
                }
                if interpolated
                    && let Val::Num { value: n, .. } = cast
                    && n < 0.0
                    && let Some(go) = unsigned_at(&c.path)
                {
                    let mut d = META
                        .diagnostic(
                            place,
                            format!(
                                "`{}` is `{}` once its variables are read, below zero: Compose \
                                 keeps it in an unsigned integer (`{go}`), and refuses the file \
                                 (\"cannot parse value as '{go}': {n} overflows uint\")",
                                clip(&c.path),
                                clip(&value),
                            ),
                        )
                        .label("below zero")
                        .help("set the variable to a number of 0 or more");
                    for (o, label) in &related {
                        d = d.related(*o, label.clone());
                    }
                    finite.push((node, with_service(d, &c.path, services)));
                }
                // Every place compose-go casts to a boolean takes a boolean (a test holds the
                // schema to it): only numbers can break it once cast.
                if interpolated && c.cast.at_interpolation() && c.cast != instance::Cast::Bool {
                    known.push((node, c.cast, cast));
                    read.push(Read {
                        node,
                        value,
                        place,
                        related,
                    });
                }
            }
            // A value the schema refuses is reported as that; else, one that is not finite.
            let refused = if known.is_empty() {
                Vec::new()
            } else {
                self.validate_read(src.tree, root, &known, &read, services, out)
            };
            for (node, d) in finite {
                if !refused.contains(&node) {
                    super::push_once(out, d);
                }
            }
        }
    }

    /// Validate the document at `root` with the values `known` its interpolated cast strings
    /// take, and report the violations at those values (the others are the document check's).
    /// Returns the nodes reported.
    fn validate_read(
        &self,
        tree: &Tree,
        root: NodeId,
        known: &[(NodeId, instance::Cast, Val<'_>)],
        read: &[Read],
        services: &[crate::compose::Service],
        out: &mut Vec<Diagnostic>,
    ) -> Vec<NodeId> {
        let mut reported = Vec::new();
        let (Some(schema), Ok(doc)) = (schema::compiled(), instance::build_with(tree, root, known))
        else {
            return reported;
        };
        let mut violations = Vec::new();
        schema.validate(&doc, &mut violations);
        for v in &violations {
            let inst = doc.get(v.inst);
            let node = tree.resolve(inst.node);
            let Some(Read {
                value,
                place,
                related,
                ..
            }) = read.iter().find(|r| r.node == node)
            else {
                continue;
            };
            let (why, label) = match &v.problem {
                Problem::Minimum(m) => (
                    format!("below the smallest value Compose accepts, {m}"),
                    "too small".to_string(),
                ),
                Problem::Maximum(m) => (
                    format!("above the largest value Compose accepts, {m}"),
                    "too large".to_string(),
                ),
                Problem::Type { schema: s } => {
                    let mut expected = Vec::new();
                    schema.describe(*s, &mut expected, 0);
                    read_kinds(expected)
                }
                Problem::Choice { expected } => read_kinds(expected.clone()),
                Problem::Enum { .. } | Problem::Pattern { .. } => (
                    "which is not a value Compose accepts here".to_string(),
                    "not an accepted value".to_string(),
                ),
                _ => continue,
            };
            let path = doc.path(v.inst);
            let mut d = META
                .diagnostic(
                    *place,
                    format!(
                        "`{}` is `{}` once its variables are read, {why}: `docker compose` \
                         validates the file after interpolation and refuses it",
                        clip(&path),
                        clip(value),
                    ),
                )
                .label(label)
                .help("set the variable to a value Compose accepts there");
            for (o, label) in related {
                d = d.related(*o, label.clone());
            }
            super::push_once(out, with_service(d, &path, services));
            reported.push(node);
        }
        reported
    }

    /// `network_mode` and `networks` on one service: compose-go refuses the pair ("declares
    /// mutually exclusive `network_mode` and `networks`").
    fn network_mode_with_networks(&self, cx: &super::Context<'_>, out: &mut Vec<Diagnostic>) {
        for service in &cx.file.services {
            let net = &service.net;
            let (Some(mode), Some(first)) = (
                net.network_mode.as_ref().filter(|m| !m.value.is_empty()),
                net.networks.as_ref().and_then(|n| n.first()),
            ) else {
                continue;
            };
            if super::unknowable(cx, Some(mode.origin)) {
                continue;
            }
            let d = META
                .diagnostic(
                    mode.place(),
                    format!(
                        "service `{}` has both `network_mode: {}` and `networks`: `docker \
                         compose` refuses the project (\"declares mutually exclusive \
                         `network_mode` and `networks`\")",
                        service.name.value,
                        clip(&mode.value)
                    ),
                )
                .service(service)
                .label("with `networks`")
                .related(first.name.place(), "`networks` written here")
                .help("keep one of the two: `network_mode` or `networks`");
            super::push_explained(out, d, &[mode]);
        }
    }

    /// A `develop.watch` entry whose action copies files (`sync`, `sync+restart`,
    /// `sync+exec`) without a `target` to copy them to (or with one empty once interpolated):
    /// the schema does not require it, compose-go's consistency check refuses the project
    /// ("target is required for non-rebuild actions"), whichever file wrote the entry.
    fn watch_targets(&self, cx: &super::Context<'_>, out: &mut Vec<Diagnostic>) {
        for service in &cx.file.services {
            let Some(develop) = &service.develop else {
                continue;
            };
            for w in &develop.watch {
                self.watch_path(cx, service, w, out);
                let Some(action) = w.action.as_ref().filter(|_| w.needs_target()) else {
                    continue;
                };
                if w.has_target() {
                    continue;
                }
                let at = w.target.as_ref().unwrap_or(action);
                if super::unknowable(cx, Some(at.origin))
                    || super::unknowable(cx, Some(action.origin))
                {
                    continue;
                }
                let how = if w.target.is_some() {
                    "an empty `target`"
                } else {
                    "no `target`"
                };
                let d = META
                    .diagnostic(
                        at.place(),
                        format!(
                            "a `develop.watch` entry of service `{}` has the action `{}` and \
                             {how}: `docker compose` refuses the project (\"target is required \
                             for non-rebuild actions\")",
                            service.name.value,
                            clip(&action.value)
                        ),
                    )
                    .service(service)
                    .label(if w.target.is_some() {
                        "empty target"
                    } else {
                        "needs a `target`"
                    })
                    .help(
                        "give the entry the path in the container to copy the files to \
                         (`target: /app`), or use the action `rebuild` or `restart`",
                    );
                super::push_explained(out, d, &[at]);
            }
        }
    }

    /// A `develop.watch` entry whose `path` is empty once interpolated: compose-go validates
    /// the merged project and refuses it ("value can't be blank"), whichever file wrote it.
    fn watch_path(
        &self,
        cx: &super::Context<'_>,
        service: &crate::compose::Service,
        w: &crate::compose::build::Watch,
        out: &mut Vec<Diagnostic>,
    ) {
        let Some(path) = w.path.as_ref().filter(|p| p.value.is_empty()) else {
            return;
        };
        refuse_value(
            cx,
            out,
            service,
            path,
            format!(
                "a `develop.watch` entry of service `{}` has an empty `path`: `docker \
                 compose` refuses the project (\"services.{}.develop.watch.[].path: value \
                 can't be blank\")",
                service.name.value, service.name.value
            ),
            "empty path",
            "give the entry the file or directory on the host to watch: `path: ./src`",
        );
    }

    /// An entry of a `build.additional_contexts` list that is not `name=value` once
    /// interpolated: compose-go refuses the file when it converts the list to a mapping
    /// ("invalid value ..., expected key=value").
    fn context_entries(&self, cx: &super::Context<'_>, out: &mut Vec<Diagnostic>) {
        for service in &cx.file.services {
            let Some(build) = &service.build else {
                continue;
            };
            for t in &build.malformed_contexts {
                refuse_value(
                    cx,
                    out,
                    service,
                    t,
                    format!(
                        "the `build.additional_contexts` entry `{}` of service `{}` is not \
                         `name=value`: `docker compose` refuses the file (\"invalid value \
                         {}, expected key=value\")",
                        clip(&t.value),
                        service.name.value,
                        clip(&t.value)
                    ),
                    "not `name=value`",
                    "name the context: `- name=./dir` (or `name: ./dir` in a mapping)",
                );
            }
        }
    }

    /// An entry of a `build.ssh` list that is neither `default` nor `id=path` once
    /// interpolated: compose-go refuses the file as it reads it ("invalid ssh key").
    fn ssh_entries(&self, cx: &super::Context<'_>, out: &mut Vec<Diagnostic>) {
        for service in &cx.file.services {
            let Some(build) = &service.build else {
                continue;
            };
            for t in &build.malformed_ssh {
                refuse_value(
                    cx,
                    out,
                    service,
                    t,
                    format!(
                        "the `build.ssh` entry `{}` of service `{}` is neither `default` nor \
                         `id=path`: `docker compose` refuses the file (\"invalid ssh key \
                         {:?}\")",
                        clip(&t.value),
                        service.name.value,
                        clip(&t.value)
                    ),
                    "not `default` or `id=path`",
                    "write `- default` for the agent's socket, or `- id=/path/to/key`",
                );
            }
        }
    }

    /// An `extra_hosts` entry compose-go refuses as it reads the merged project: without an
    /// IP (neither `=` nor `:`), or with an empty host name or one holding `:` or `=`.
    fn extra_hosts(&self, cx: &super::Context<'_>, out: &mut Vec<Diagnostic>) {
        for service in &cx.file.services {
            let build = service.build.iter().flat_map(|b| &b.refused_hosts);
            for (t, why) in service.net.refused_hosts.iter().chain(build) {
                let missing = why.starts_with("invalid additional host");
                refuse_value(
                    cx,
                    out,
                    service,
                    t,
                    format!(
                        "an `extra_hosts` entry `{}` of service `{}` {}: `docker compose` \
                         refuses the project (\"{}\")",
                        clip(&t.value),
                        service.name.value,
                        if missing {
                            "has no IP"
                        } else {
                            "has an empty host name or one with `:` or `=`"
                        },
                        clip(why)
                    ),
                    if missing { "no IP" } else { "bad host name" },
                    "write the host name and its IP: `- somehost=10.0.0.5`",
                );
            }
        }
    }

    /// The values compose-go refuses as it reads the files into its model, past the schema
    /// (an `env_file` format it does not know, a device of too many parts, a long-syntax
    /// volume without `target`).
    fn refused(&self, cx: &super::Context<'_>, out: &mut Vec<Diagnostic>) {
        for p in &cx.file.problems {
            let crate::compose::Problem::Refused {
                what,
                reason,
                help,
                at,
                related,
            } = p
            else {
                continue;
            };
            let mut d = META
                .diagnostic(
                    *at,
                    format!("{what}: `docker compose` refuses the file (\"{reason}\")"),
                )
                .label("refused by Compose")
                .help(*help);
            for (o, label) in related {
                d = d.related(*o, label.clone());
            }
            super::push_once(out, d);
        }
    }

    /// A `healthcheck.test` list whose first word is not `CMD`, `CMD-SHELL` or `NONE`: the
    /// schema takes any list, compose-go's consistency check refuses it.
    fn healthcheck_tests(&self, cx: &super::Context<'_>, out: &mut Vec<Diagnostic>) {
        for service in &cx.file.services {
            let Some(h) = &service.healthcheck else {
                continue;
            };
            let Some(first) = h.test.first() else {
                continue;
            };
            if !h.test_list
                || matches!(first.value.as_str(), "CMD" | "CMD-SHELL" | "NONE")
                || super::unknowable(cx, Some(first.origin))
            {
                continue;
            }
            let d = META
                .diagnostic(
                    first.place(),
                    format!(
                        "the `healthcheck.test` of service `{}` starts with `{}`: a test list \
                         starts with `CMD`, `CMD-SHELL` or `NONE`, and `docker compose` refuses \
                         the project (\"healthcheck.test must start either by \"CMD\", \
                         \"CMD-SHELL\" or \"NONE\"\")",
                        service.name.value,
                        clip(&first.value)
                    ),
                )
                .service(service)
                .label("not CMD, CMD-SHELL or NONE")
                .help(
                    "start the list with `CMD` (run the words) or `CMD-SHELL` (run a shell line)",
                );
            super::push_explained(out, d, &[first]);
        }
    }

    /// An `environment` list item whose name ends with a space or a tab (`- KEY =value`,
    /// `- "KEY "`): the schema takes any string, compose-go's decoding of the list refuses it
    /// ("environment variable KEY  is declared with a trailing space"). A mapping's key may.
    /// compose-go tests the name's last byte as a character ([`ends_with_go_space`]).
    fn environment_names(&self, cx: &super::Context<'_>, out: &mut Vec<Diagnostic>) {
        for service in &cx.file.services {
            for v in &service.environment.vars {
                if !v.listed || !ends_with_go_space(&v.name.value) {
                    continue;
                }
                let name = v.name.value.trim_end();
                let d = META
                    .diagnostic(
                        v.name.place(),
                        format!(
                            "the `environment` entry `{}` of service `{}` names the variable \
                             with a space before the `=`: `docker compose` refuses the project \
                             (\"environment variable {} is declared with a trailing space\")",
                            clip(&v.name.value),
                            service.name.value,
                            clip(&v.name.value)
                        ),
                    )
                    .service(service)
                    .label("space before `=`")
                    .help(format!(
                        "write the item without the space: `{}=...`",
                        clip(name)
                    ));
                super::push_explained(out, d, &[&v.name]);
            }
        }
    }

    /// A long-syntax `type: bind` mount without a `source` key (an empty one is taken): the
    /// schema takes it, compose-go refuses it as it makes the host paths absolute, after
    /// every file is merged ("invalid mount config for type \"bind\": field Source must not
    /// be empty").
    fn binds_without_source(&self, cx: &super::Context<'_>, out: &mut Vec<Diagnostic>) {
        for service in &cx.file.services {
            for m in &service.mounts {
                if m.kind != crate::compose::MountKind::Bind
                    || !m.long
                    || m.source_key
                    || m.from_service.is_some()
                {
                    continue;
                }
                let d = META
                    .diagnostic(
                        m.origin,
                        format!(
                            "the bind mount of `{}` in service `{}` has no `source`: `docker \
                             compose` refuses the project (\"invalid mount config for type \
                             \"bind\": field Source must not be empty\")",
                            clip(&m.target.value),
                            service.name.value
                        ),
                    )
                    .service(service)
                    .label("no `source`")
                    .help("name the host directory: `source: ./volumes/data`");
                super::push_once(out, d);
            }
        }
    }

    /// `scale` and `deploy.replicas` below zero: the schema takes any integer, compose-go's
    /// consistency check then refuses the project ("must be greater than or equal to 0"),
    /// literal or interpolated.
    fn counts(&self, cx: &super::Context<'_>, out: &mut Vec<Diagnostic>) {
        for service in &cx.file.services {
            let Some(sizing) = &service.sizing else {
                continue;
            };
            let name = &service.name.value;
            for (t, key) in [
                (sizing.scale.as_ref(), "scale"),
                (sizing.replicas.as_ref(), "deploy.replicas"),
            ] {
                let Some(t) = t else { continue };
                if crate::compose::sizing::integer(t).is_none_or(|n| n >= 0)
                    || super::unknowable(cx, Some(t.origin))
                {
                    continue;
                }
                let read = if t.vars.is_empty() {
                    ""
                } else {
                    " once its variables are read"
                };
                let d = META
                    .diagnostic(
                        t.place(),
                        format!(
                            "`services.{name}.{key}` is `{}`{read}, below zero: `docker \
                             compose` refuses the project (\"must be greater than or equal to \
                             0\")",
                            t.value
                        ),
                    )
                    .service(service)
                    .label("negative")
                    .help("write the number of containers: 0 or more");
                super::push_explained(out, d, &[t]);
            }
        }
    }

    fn document(&self, cx: &DocumentContext<'_>, out: &mut Vec<Diagnostic>) {
        let tree = cx.source.tree;
        // A document that is not a mapping is refused before any rule runs; an empty one has
        // nothing to validate.
        if !tree.is_mapping(cx.root) {
            return;
        }
        let Some(schema) = schema::compiled() else {
            return;
        };
        let doc = match instance::build(tree, cx.root) {
            Ok(doc) => doc,
            Err(limit) => {
                out.push(limit_diagnostic(cx, &limit));
                return;
            }
        };
        let mut violations = Vec::new();
        schema.validate(&doc, &mut violations);
        let r = Render {
            cx,
            tree,
            text: cx.source.text,
            doc: &doc,
            schema,
        };
        let mut found: Vec<Diagnostic> = doc
            .bad_keys
            .iter()
            .map(|k| r.bad_key(k))
            .chain(doc.bad_merges.iter().map(|m| r.bad_merge(m)))
            .chain(violations.iter().map(|v| r.violation(v)))
            .chain(r.undecodable_numbers())
            .collect();
        // One finding a place: an anchored value used twice is reported once.
        found.sort_by_key(|d| (d.origin.span.start, d.origin.span.end));
        found.dedup_by_key(|d| (d.origin.span.start, d.origin.span.end));
        if found.len() > MAX_FINDINGS {
            found.truncate(MAX_FINDINGS);
            let last = found.last().map_or(Span::default(), |d| d.origin.span);
            found.push(
                META.diagnostic(
                    r.origin(last),
                    format!(
                        "this document breaks the Compose schema in more places than the \
                         {MAX_FINDINGS} shown"
                    ),
                )
                .label("more violations after this one"),
            );
        }
        out.extend(found);
    }
}

/// The finding for a document that cannot be expanded: an alias inside its own anchor's value,
/// at the alias; aliases that expand beyond the limits, at the document's first key.
fn limit_diagnostic(cx: &DocumentContext<'_>, limit: &Limit) -> Diagnostic {
    let tree = cx.source.tree;
    let origin = |span| Origin {
        file: cx.file,
        span,
    };
    if let Limit::Cycle { alias } = limit {
        let name = match &tree.node(*alias).kind {
            NodeKind::Alias { name, .. } => clip(name).to_string(),
            _ => String::new(),
        };
        let d = META
            .diagnostic(
                origin(tree.span(*alias)),
                format!(
                    "`*{name}` is inside the value of its own anchor `&{name}`, so the value \
                     never ends: Docker Compose refuses the file (\"anchor '{name}' value \
                     contains itself\"), and the document cannot be checked against the Compose \
                     schema"
                ),
            )
            .label("refers to a value that contains it")
            .help("refer to an anchor defined outside this value");
        return match tree.alias_target_anchor(*alias) {
            Some(a) => d.related(origin(a.span), "the anchor"),
            None => d,
        };
    }
    let root = tree.resolve(cx.root);
    let at = tree
        .own_entries(root)
        .and_then(|e| e.first())
        .map_or(tree.span(root), |e| tree.span(e.key));
    let (what, node) = match limit {
        Limit::Values { at } => (
            format!(
                "once its aliases are expanded it holds more than {} values",
                thousands(instance::MAX_VALUES)
            ),
            *at,
        ),
        Limit::Depth { at } | Limit::Cycle { alias: at } => (
            format!(
                "once its aliases are expanded it nests deeper than {} levels",
                instance::MAX_DEPTH
            ),
            *at,
        ),
    };
    META.diagnostic(
        origin(at),
        format!(
            "this document cannot be checked against the Compose schema: {what}. YAML readers \
             refuse documents whose aliases expand this far (Docker Compose's says \"document \
             contains excessive aliasing\")"
        ),
    )
    .label("cannot be validated")
    .help("write the repeated parts out, or share them with fewer levels of anchors and aliases")
    .related(
        origin(tree.span(node)),
        "the limit was reached expanding this",
    )
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Where each kind of object of the schema sits, as messages name it.
const PLACES: &[(&str, &str)] = &[
    ("service", "a service (`services.<name>`)"),
    ("healthcheck", "a service's `healthcheck`"),
    ("deployment", "a service's `deploy`"),
    ("development", "a service's `develop`"),
    ("network", "a network (`networks.<name>`)"),
    ("volume", "a volume (`volumes.<name>`)"),
    ("secret", "a secret (`secrets.<name>`)"),
    ("config", "a config (`configs.<name>`)"),
    ("model", "a model (`models.<name>`)"),
];

struct Render<'a> {
    cx: &'a DocumentContext<'a>,
    tree: &'a Tree,
    text: &'a str,
    doc: &'a Document<'a>,
    schema: &'a Schema,
}

impl Render<'_> {
    fn origin(&self, span: Span) -> Origin {
        Origin {
            file: self.cx.file,
            span,
        }
    }

    /// "in `services.etcd`", or "at the top level of the file".
    fn in_place(&self, inst: Option<InstId>) -> String {
        match inst.map(|i| self.doc.path(i)) {
            Some(p) if !p.is_empty() => format!("in `{}`", clip(&p)),
            _ => "at the top level of the file".into(),
        }
    }

    /// `services.etcd.ports` in backquotes, or "the top level of the file".
    fn place(&self, inst: InstId) -> String {
        let p = self.doc.path(inst);
        if p.is_empty() {
            "the top level of the file".into()
        } else {
            format!("`{}`", clip(&p))
        }
    }

    /// Where a value is written: its node, or its key when the value is an empty null.
    fn value_span(&self, inst: InstId) -> Span {
        let i = self.doc.get(inst);
        let span = self.tree.span(i.node);
        match i.key {
            Some(k) if span.is_empty() => self.tree.span(k),
            _ => span,
        }
    }

    /// A scalar's text as written, on one line and clipped.
    fn excerpt(&self, node: NodeId) -> String {
        let n = self.tree.resolve(node);
        let raw = self.tree.span(n).slice(self.text);
        let one_line = raw.lines().next().unwrap_or("");
        let mut s = clip(one_line).to_string();
        if s.len() < raw.len() && !s.ends_with('…') {
            s.push('…');
        }
        s
    }

    /// What a value is: "an integer `8080`", "a mapping", "empty (null)".
    fn what(&self, inst: InstId) -> String {
        let i = self.doc.get(inst);
        let ex = self.excerpt(i.node);
        match &i.val {
            Val::Null if ex.is_empty() => "empty (null)".into(),
            Val::Arr(_) | Val::Obj(_) => instance::type_name(&i.val).into(),
            v => format!("{} `{ex}`", instance::type_name(v)),
        }
    }

    /// The service a value belongs to.
    fn service(&self, inst: InstId) -> Option<String> {
        let mut segs = Vec::new();
        let mut cur = Some(inst);
        while let Some(i) = cur {
            let x = self.doc.get(i);
            segs.push(x.seg);
            cur = x.parent;
        }
        segs.reverse();
        match segs.as_slice() {
            [Seg::Root, Seg::Key("services"), Seg::Key(name), ..] => Some((*name).to_string()),
            _ => None,
        }
    }

    /// Add the places that explain where the text came from: the `<<` that merged the entry
    /// in, the alias the value was expanded from.
    fn context(&self, mut d: Diagnostic, inst: InstId) -> Diagnostic {
        let i = self.doc.get(inst);
        if let Some(via) = i.via {
            d = d.related(self.origin(self.tree.span(via)), "merged in by this `<<`");
        }
        let mut cur = i.parent;
        while let Some(p) = cur {
            let x = self.doc.get(p);
            if self.tree.is_alias(x.node) {
                d = d.related(
                    self.origin(self.tree.span(x.node)),
                    "checked here, where this alias expands it",
                );
                break;
            }
            cur = x.parent;
        }
        if let Some(s) = self.service(inst) {
            d.service = Some(s);
        }
        d
    }

    fn bad_key(&self, k: &instance::BadKey) -> Diagnostic {
        let key = self.excerpt(k.key);
        let place = self.place(k.parent);
        let path = self.doc.path(k.parent);
        let d = META
            .diagnostic(
                self.origin(self.tree.span(k.key)),
                format!(
                    "{place} has a key `{key}` that YAML reads as {}, but Compose accepts only \
                     text as a key, so it refuses the file (\"Non-string key in {}: {key}\")",
                    k.what,
                    if path.is_empty() { "top level" } else { &path },
                ),
            )
            .label("not a string key");
        let d = match self.tree.node(self.tree.resolve(k.key)).kind {
            NodeKind::Scalar { .. } => d.help(format!("quote it: `\"{key}\"`")),
            _ => d,
        };
        let mut d = d;
        if let Some(via) = k.via {
            d = d.related(self.origin(self.tree.span(via)), "merged in by this `<<`");
        }
        if let Some(s) = self.service(k.parent) {
            d.service = Some(s);
        }
        d
    }

    /// The numbers written as YAML numbers that compose-go cannot keep in its model: a
    /// `cpus` or `max_failure_ratio` that is infinite or not a number as a 32-bit float, a
    /// secret's or config's `mode` that is not a 64-bit integer ("unexpected value type
    /// float64 for mode"), a negative number where compose-go keeps an unsigned integer, a
    /// string where it reads only a number ([`UNSIGNED`]). Strings at the first two are the
    /// cast check's, interpolated strings at cast paths too.
    fn undecodable_numbers(&self) -> Vec<Diagnostic> {
        let doc = self.doc;
        let mut found = Vec::new();
        let Some(services) = doc.child(0, "services") else {
            return found;
        };
        let number = |inst: InstId| {
            let node = doc.get(inst).node;
            match instance::yaml_scalar(self.tree, node) {
                Some(Val::Num { value, .. }) => Some(value),
                _ => None,
            }
        };
        for service in doc.children(services) {
            let deploy = doc.child(service, "deploy");
            let resources = deploy.and_then(|d| doc.child(d, "resources"));
            let floats = [
                doc.child(service, "cpus"),
                deploy
                    .and_then(|d| doc.child(d, "update_config"))
                    .and_then(|u| doc.child(u, "max_failure_ratio")),
                deploy
                    .and_then(|d| doc.child(d, "rollback_config"))
                    .and_then(|u| doc.child(u, "max_failure_ratio")),
                resources
                    .and_then(|r| doc.child(r, "limits"))
                    .and_then(|l| doc.child(l, "cpus")),
                resources
                    .and_then(|r| doc.child(r, "reservations"))
                    .and_then(|l| doc.child(l, "cpus")),
            ];
            for inst in floats.into_iter().flatten() {
                if let Some(n) = number(inst) {
                    let place = self.origin(self.value_span(inst));
                    let excerpt = self.excerpt(doc.get(inst).node);
                    if let Some(d) = non_finite(n, &doc.path(inst), &excerpt, "", place, &[]) {
                        found.push(self.context(d, inst));
                    }
                }
            }
            for &(steps, go, strings) in UNSIGNED {
                let mut at = Vec::new();
                doc.visit(service, steps, &mut |i| at.push(i));
                for inst in at {
                    let (what, error) = match &doc.get(inst).val {
                        Val::Str { .. } if strings => (
                            "a string",
                            format!("expected type '{go}', got unconvertible type 'string'"),
                        ),
                        Val::Num { value, .. } if *value < 0.0 => (
                            "below zero",
                            format!("cannot parse value as '{go}': {value} overflows uint"),
                        ),
                        _ => continue,
                    };
                    let d = META
                        .diagnostic(
                            self.origin(self.value_span(inst)),
                            format!(
                                "`{}` is `{}`, {what}: Compose keeps it in an unsigned integer \
                                 (`{go}`) that it reads only from a number of 0 or more, and \
                                 refuses the file (\"{error}\")",
                                clip(&doc.path(inst)),
                                self.excerpt(doc.get(inst).node)
                            ),
                        )
                        .label(what)
                        .help(if strings {
                            "write an unquoted number of 0 or more"
                        } else {
                            "write a number of 0 or more"
                        });
                    found.push(self.context(d, inst));
                }
            }
            for key in ["secrets", "configs"] {
                let Some(list) = doc.child(service, key) else {
                    continue;
                };
                for item in doc.children(list) {
                    let Some(mode) = doc.child(item, "mode") else {
                        continue;
                    };
                    if number(mode).is_none() {
                        continue;
                    }
                    let node = doc.get(mode).node;
                    let go = match instance::yaml_go_int(self.tree, node) {
                        Some(_) => continue,
                        None if instance::yaml_uint64(self.tree, node) => "uint64",
                        None => "float64",
                    };
                    let what = if go == "uint64" {
                        "an integer beyond 64-bit signed integers"
                    } else {
                        "a YAML float"
                    };
                    let d = META
                        .diagnostic(
                            self.origin(self.value_span(mode)),
                            format!(
                                "`{}` is `{}`, {what}: Compose reads a file mode as an integer, \
                                 or as a string of octal digits, and refuses the file \
                                 (\"unexpected value type {go} for mode\")",
                                clip(&doc.path(mode)),
                                self.excerpt(node)
                            ),
                        )
                        .label("not an integer mode")
                        .help("write the mode in octal, with a leading 0: `0440`");
                    found.push(self.context(d, mode));
                }
            }
        }
        found
    }

    fn bad_merge(&self, m: &instance::BadMerge) -> Diagnostic {
        let tree = self.tree;
        let target = tree.resolve(m.value);
        let what = match &tree.node(target).kind {
            NodeKind::Sequence { .. } => "a list with an item that is not a mapping".to_string(),
            NodeKind::Scalar { .. } if tree.is_null(target) => "null".to_string(),
            NodeKind::Scalar { .. } => "a scalar".to_string(),
            _ => "not a mapping".to_string(),
        };
        let alias = tree.is_alias(m.value);
        let written = if alias {
            format!("`{}`", self.excerpt_raw(m.value))
        } else {
            "a value".to_string()
        };
        let mut d = META
            .diagnostic(
                self.origin(self.value_or_merge_key(m)),
                format!(
                    "`<<` {} merges {written}, which is {what}: a merge takes only a mapping or a \
                     list of mappings, so Docker Compose cannot read the file (\"map merge \
                     requires map or sequence of maps as the value\")",
                    self.in_place(Some(m.parent)),
                ),
            )
            .label("not a mapping")
            .help(if alias {
                "give the anchor a mapping as its value, or remove the `<<` entry"
            } else {
                "write a mapping under `<<`, or remove the `<<` entry"
            });
        if let Some(a) = tree.alias_target_anchor(m.value) {
            d = d.related(self.origin(a.span), "the anchor it refers to");
        }
        if let Some(s) = self.service(m.parent) {
            d.service = Some(s);
        }
        d
    }

    /// The value under a `<<`, or the `<<` itself when the value is empty.
    fn value_or_merge_key(&self, m: &instance::BadMerge) -> Span {
        let span = self.tree.span(m.value);
        if !span.is_empty() {
            return span;
        }
        let parent = self.tree.resolve(self.doc.get(m.parent).node);
        self.tree
            .merge_entries(parent)
            .find(|e| e.value == m.value)
            .map_or(span, |e| self.tree.span(e.key))
    }

    /// A node's text as written (an alias's `*name`), on one line and clipped.
    fn excerpt_raw(&self, node: NodeId) -> String {
        let raw = self.tree.span(node).slice(self.text);
        clip(raw.lines().next().unwrap_or("")).to_string()
    }

    fn violation(&self, v: &Violation<'_>) -> Diagnostic {
        let inst = v.inst;
        let i = self.doc.get(inst);
        let place = self.place(inst);
        let d = match &v.problem {
            Problem::Type { schema } => {
                let mut expected = Vec::new();
                self.schema.describe(*schema, &mut expected, 0);
                self.wrong_type(inst, &expected)
            }
            Problem::Choice { expected } => self.wrong_type(inst, expected),
            Problem::Enum { allowed } => {
                let value = self.excerpt(i.node);
                let names: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
                let list = or_list(&names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>());
                let d = META
                    .diagnostic(
                        self.origin(self.value_span(inst)),
                        format!(
                            "{place} is `{value}`, which Compose does not accept: it must be \
                             {list}"
                        ),
                    )
                    .label("not an accepted value");
                match did_you_mean(scalar_text(&i.val), names.iter().map(String::as_str)) {
                    Some(m) => d.help(format!("did you mean `{m}`?")),
                    None => d,
                }
            }
            Problem::Pattern { pattern } => META
                .diagnostic(
                    self.origin(self.value_span(inst)),
                    format!(
                        "{place} is `{}`, which is not a form Compose accepts here (it must \
                         match the pattern `{pattern}`)",
                        self.excerpt(i.node)
                    ),
                )
                .label("not an accepted form"),
            Problem::Minimum(m) => META
                .diagnostic(
                    self.origin(self.value_span(inst)),
                    format!(
                        "{place} is {}, below the smallest value Compose accepts, {m}",
                        self.excerpt(i.node)
                    ),
                )
                .label("too small"),
            Problem::Maximum(m) => META
                .diagnostic(
                    self.origin(self.value_span(inst)),
                    format!(
                        "{place} is {}, above the largest value Compose accepts, {m}",
                        self.excerpt(i.node)
                    ),
                )
                .label("too large"),
            Problem::Required { missing } => {
                let names: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
                let span = match i.key {
                    Some(k) => self.tree.span(k),
                    None => self.tree.span(i.node),
                };
                META.diagnostic(
                    self.origin(span),
                    format!(
                        "{place} has no {}, which Compose requires here, so it refuses the file",
                        and_list(&names)
                    ),
                )
                .label("required settings missing")
            }
            Problem::UnknownKey { schema } => self.unknown_key(inst, *schema),
            Problem::BadName { patterns } => {
                let key = key_text(i);
                let parent = self.in_place(i.parent);
                let list = or_list(
                    &patterns
                        .iter()
                        .map(|p| format!("`{p}`"))
                        .collect::<Vec<_>>(),
                );
                let d = META
                    .diagnostic(
                        self.origin(self.key_span(inst)),
                        format!(
                            "`{}` is not a name Compose accepts {parent}: names there must \
                             match {list}",
                            clip(key)
                        ),
                    )
                    .label("invalid name");
                if patterns.contains(&"^[a-zA-Z0-9._-]+$") {
                    d.help("use only letters, digits, `.`, `_` and `-`")
                } else {
                    d
                }
            }
            Problem::Duplicate { first } => {
                let parent = i.parent.map_or(place.clone(), |p| self.place(p));
                META.diagnostic(
                    self.origin(self.value_span(inst)),
                    format!(
                        "{parent} lists `{}` twice, but Compose requires its items to be unique",
                        self.excerpt(i.node)
                    ),
                )
                .label("repeated item")
                .help("remove one of the two")
                .related(
                    self.origin(self.value_span(*first)),
                    "the same item first appears here",
                )
            }
            Problem::Never => META
                .diagnostic(
                    self.origin(self.value_span(inst)),
                    format!("{place} is not allowed by the Compose schema"),
                )
                .label("not allowed"),
        };
        self.context(d, inst)
    }

    fn key_span(&self, inst: InstId) -> Span {
        let i = self.doc.get(inst);
        i.key
            .map_or_else(|| self.tree.span(i.node), |k| self.tree.span(k))
    }

    fn wrong_type(&self, inst: InstId, expected: &[String]) -> Diagnostic {
        let i = self.doc.get(inst);
        let place = self.place(inst);
        let what = self.what(inst);
        let expected_list = or_list(expected);
        let d = META
            .diagnostic(
                self.origin(self.value_span(inst)),
                format!(
                    "{place} is {what}, but Compose requires {expected_list} here, so it refuses \
                     the file"
                ),
            )
            .label(format!("must be {expected_list}"));
        let ex = self.excerpt(i.node);
        let scalar = matches!(i.val, Val::Bool(_) | Val::Num { .. } | Val::Str { .. });
        let wants = |p: &str| expected.iter().any(|e| e.starts_with(p));
        let key = key_text(i);
        let elsewhere = self.places_of(key, None);
        if expected == ["a mapping"] && !matches!(i.val, Val::Obj(_)) && !elsewhere.is_empty() {
            // A setting where a named object is expected: `services: {image: x}`.
            d.help(format!(
                "`{}` is a setting of {}, not a name: check its indentation",
                clip(key),
                or_list(&elsewhere)
            ))
        } else if matches!(i.val, Val::Null) && ex.is_empty() {
            d.help("give it a value, or remove the key")
        } else if matches!(i.val, Val::Bool(_) | Val::Num { .. }) && wants("a string") {
            d.help(format!(
                "quote it, so that YAML reads it as text: `\"{}\"`",
                ex.replace('"', "\\\"")
            ))
        } else if scalar && wants("a list") {
            d.help(format!(
                "write it as a list: `[{ex}]`, or `- {ex}` on a line of its own"
            ))
        } else {
            d
        }
    }

    /// The kinds of object (at most two) that have a setting named `key`, other than `except`.
    fn places_of(&self, key: &str, except: Option<usize>) -> Vec<String> {
        let mut places = Vec::new();
        if key.is_empty() {
            return places;
        }
        let root = self.schema.root();
        if except != Some(root) && self.schema.property_names(root).contains(&key) {
            places.push("the top level of the file".to_string());
        }
        for (def, phrase) in PLACES {
            if let Some(n) = self.schema.definition(def)
                && except != Some(n)
                && self.schema.property_names(n).contains(&key)
            {
                places.push(phrase.to_string());
            }
        }
        places.truncate(2);
        places
    }

    fn unknown_key(&self, inst: InstId, object: usize) -> Diagnostic {
        let i = self.doc.get(inst);
        let key = key_text(i);
        let parent = self.in_place(i.parent);
        let known = self.schema.property_names(object);
        let hint = did_you_mean(key, known.iter().copied());
        let mut message = format!(
            "`{}` is not a setting Compose knows {parent}, so it refuses the file \
             (\"additional properties '{}' not allowed\")",
            clip(key),
            clip(key)
        );
        if let Some(h) = hint {
            message.push_str(&format!("; did you mean `{h}`?"));
        }
        let d = META
            .diagnostic(self.origin(self.key_span(inst)), message)
            .label("unknown key");
        if let Some(h) = hint {
            return d.help(format!("rename it to `{h}`"));
        }
        // Known elsewhere: most often a matter of indentation.
        let places = self.places_of(key, Some(object));
        if !places.is_empty() {
            return d.help(format!(
                "`{}` is a setting of {}: check its indentation",
                clip(key),
                or_list(&places)
            ));
        }
        let mut help = if self.schema.allows_extensions(object) {
            format!(
                "remove it, or name it `x-{}` to keep it as an extension that Compose ignores",
                clip(key)
            )
        } else {
            "remove it".to_string()
        };
        if (1..=12).contains(&known.len()) {
            let names: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            help.push_str(&format!(
                "; the settings allowed here: {}",
                names.join(", ")
            ));
        }
        d.help(help)
    }
}

/// The settings of a service that compose-go keeps in unsigned integers (types/types.go of
/// compose-go v2.9.1), with the Go type, and whether a string there is refused too (it is not
/// cast, and the decoder takes only numbers there). A negative number is refused ("cannot
/// parse value as 'uint64': -1 overflows uint"); `[]` is every item of a list.
const UNSIGNED: &[(&[&str], &str, bool)] = &[
    (&["healthcheck", "retries"], "uint64", false),
    (
        &["deploy", "restart_policy", "max_attempts"],
        "uint64",
        false,
    ),
    (&["deploy", "update_config", "parallelism"], "uint64", false),
    (
        &["deploy", "rollback_config", "parallelism"],
        "uint64",
        false,
    ),
    (
        &["deploy", "placement", "max_replicas_per_node"],
        "uint64",
        false,
    ),
    (&["ports", "[]", "target"], "uint32", false),
    (&["volumes", "[]", "tmpfs", "mode"], "uint32", true),
    (&["blkio_config", "weight"], "uint16", true),
    (
        &["blkio_config", "weight_device", "[]", "weight"],
        "uint16",
        true,
    ),
];

/// The Go type of the unsigned setting at a cast path (`services.etcd.ports.0.target`): the
/// path ends in one of [`UNSIGNED`]'s, under `services` and a service name.
fn unsigned_at(path: &str) -> Option<&'static str> {
    let rest = path.strip_prefix("services.")?;
    UNSIGNED.iter().find_map(|&(steps, go, _)| {
        let mut segs = rest.rsplit('.');
        for step in steps.iter().rev() {
            let seg = segs.next()?;
            let ok = match *step {
                "[]" => !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()),
                k => seg == k,
            };
            if !ok {
                return None;
            }
        }
        // What is left is the service's name (which may hold dots).
        segs.next().map(|_| go)
    })
}

/// An interpolated string at a cast path, as its variables make it.
struct Read {
    /// The node, as [`Tree::resolve`] gives it.
    node: NodeId,
    value: String,
    /// Where a finding about it goes, and the places that explain it.
    place: Origin,
    related: Vec<(Origin, String)>,
}

/// A finding about the value at `path` (`services.etcd.cpus`), with the service it is of: the
/// longest name of `services` the path goes through (a name may hold dots).
/// Report `t`, a value of `service` that compose-go refuses once interpolated, where the value
/// was decided (the variable's line, with the use as a related place), unless one of its
/// variables cannot be known.
fn refuse_value(
    cx: &super::Context<'_>,
    out: &mut Vec<Diagnostic>,
    service: &crate::compose::Service,
    t: &crate::compose::Text,
    message: String,
    label: &str,
    help: &str,
) {
    if super::unknowable(cx, Some(t.origin)) {
        return;
    }
    let d = META
        .diagnostic(t.place(), message)
        .service(service)
        .label(label)
        .help(help);
    super::push_explained(out, d, &[t]);
}

fn with_service(mut d: Diagnostic, path: &str, services: &[crate::compose::Service]) -> Diagnostic {
    if let Some(rest) = path.strip_prefix("services.") {
        d.service = services
            .iter()
            .map(|s| s.name.value.as_str())
            .filter(|n| rest.strip_prefix(n).is_some_and(|r| r.starts_with('.')))
            .max_by_key(|n| n.len())
            .map(str::to_string);
    }
    d
}

/// Why a value read from a variable is of no type the schema accepts, and the label: the
/// kinds it may be, but a string (a cast value never is one).
fn read_kinds(mut expected: Vec<String>) -> (String, String) {
    expected.retain(|e| e != "a string");
    if expected.is_empty() {
        return (
            "which is not of a type Compose accepts here".into(),
            "not an accepted type".into(),
        );
    }
    let list = or_list(&expected);
    (format!("which is not {list}"), format!("not {list}"))
}

/// The finding for a number compose-go keeps in a 32-bit float that is infinite or not a
/// number there (`inf`, `NaN`, `1e39`): Docker Compose cannot write the service's
/// configuration as JSON, which `docker compose up` does to hash it and `config --format json`
/// to print it ("json: unsupported value: +Inf"). `value` is the text as read.
fn non_finite(
    n: f64,
    path: &str,
    value: &str,
    once: &str,
    place: Origin,
    related: &[(Origin, String)],
) -> Option<Diagnostic> {
    let f = n as f32;
    if f.is_finite() {
        return None;
    }
    let (what, go) = if f.is_nan() {
        ("not a number", "NaN")
    } else if f > 0.0 {
        ("infinite", "+Inf")
    } else {
        ("infinite", "-Inf")
    };
    let mut d = META
        .diagnostic(
            place,
            format!(
                "`{}` is `{}`{once}, which is {what} as the 32-bit float Compose keeps it in: \
                 `docker compose` cannot write the service's configuration, and refuses the \
                 project (\"json: unsupported value: {go}\")",
                clip(path),
                clip(value),
            ),
        )
        .label(what)
        .help("write a finite number");
    for (o, label) in related {
        d = d.related(*o, label.clone());
    }
    Some(d)
}

/// The key under which a value is held.
fn key_text<'t>(i: &instance::Inst<'t>) -> &'t str {
    match i.seg {
        Seg::Key(k) => k,
        _ => "",
    }
}

fn scalar_text<'t>(v: &Val<'t>) -> &'t str {
    match v {
        Val::Str { text, .. } => text,
        _ => "",
    }
}

/// At most 60 characters of a text.
fn clip(s: &str) -> &str {
    match s.char_indices().nth(60) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// "a", "a or b", "a, b or c".
fn or_list(items: &[String]) -> String {
    join(items, "or")
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    join(items, "and")
}

fn join(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

/// The candidate closest to `word` when it is close enough to be a typo of it: the same but for
/// case or `-`/`_`, or within a small edit distance.
fn did_you_mean<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    if word.is_empty() || word.len() > 64 {
        return None;
    }
    let norm = |s: &str| s.to_ascii_lowercase().replace('-', "_");
    let w = norm(word);
    let limit = match w.chars().count() {
        0..=4 => 1,
        5..=9 => 2,
        _ => 3,
    };
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == word || c.len() > 64 {
            continue;
        }
        let d = levenshtein(&w, &norm(c));
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests;

/// Whether a `container_name` matches the schema's (unanchored) pattern
/// `[a-zA-Z0-9][a-zA-Z0-9_.-]+`: two characters of it somewhere.
fn container_name_ok(v: &str) -> bool {
    let b = v.as_bytes();
    b.windows(2).any(|w| {
        w[0].is_ascii_alphanumeric()
            && (w[1].is_ascii_alphanumeric() || matches!(w[1], b'_' | b'.' | b'-'))
    })
}

/// Whether compose-go v2.9.1 takes a list entry's name as ending with a space: it reads the
/// last byte as a character (`unicode.IsSpace(rune(k[len(k)-1]))`), so the last byte of `à`
/// (0xA0, as U+00A0) counts too, and U+3000 (ending 0x80) does not (checked with Docker
/// Compose v2.40.3).
fn ends_with_go_space(name: &str) -> bool {
    matches!(
        name.as_bytes().last(),
        Some(b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0)
    )
}
