//! What a service builds, and how it is rebuilt while it is developed: `build` (`dockerfile`,
//! `dockerfile_inline`, `platforms`, `additional_contexts`, `secrets`) and `develop.watch`.
//!
//! They merge as Docker Compose merges them (compose-go v2.9.1 `override/merge.go`, checked with
//! `docker compose config` v2.40.3): `build` key by key, a short `build: ./dir` being a
//! `context`; the `platforms`, `secrets` and `watch` lists appended; `additional_contexts` by
//! name, the later value winning (in one list too). `!reset` on `build` or `develop` removes the
//! earlier files' one; `!reset` or `!override` on one of their keys (`dockerfile`, `platforms`,
//! `watch`, ...) replaces the earlier files' value of that key.

use super::{Cx, MergeTag, Origin, Text};
use crate::yaml::NodeId;

/// A service's `build`, as written (each value interpolated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Build {
    /// Where the `build` value is written.
    pub origin: Origin,
    pub dockerfile: Option<Text>,
    pub dockerfile_inline: Option<Text>,
    /// `platforms`, in the order written.
    pub platforms: Vec<Text>,
    /// `additional_contexts`: each name (for the list form, the whole `name=value` entry) and
    /// its value; a name once, with its last value.
    pub contexts: Vec<(Text, Text)>,
    /// The secret each `secrets` entry names (the short form, or `source`).
    pub secrets: Vec<Text>,
    /// Entries of an `additional_contexts` list that are not `name=value` once interpolated,
    /// which Compose refuses in whichever file they are ("expected key=value").
    pub malformed_contexts: Vec<Text>,
    /// Entries of an `ssh` list that are neither `default` nor `id=path` once interpolated
    /// (`mykey`, an empty one), which Compose refuses in whichever file they are ("invalid ssh
    /// key"; compose-go v2.9.1 `transform/ssh.go`). The mapping form is always accepted.
    pub malformed_ssh: Vec<Text>,
    /// `extra_hosts` entries compose-go refuses once the files are merged (as a service's).
    pub refused_hosts: Vec<(Text, String)>,
    /// The keys this definition tags `!reset` or `!override`: merged onto an earlier file's
    /// `build`, they replace its values.
    replaced: Vec<&'static str>,
}

/// A service's `develop`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Develop {
    /// `watch`, in the order written (an override file's after the base's).
    pub watch: Vec<Watch>,
    /// Whether this definition tags `watch` `!reset` or `!override`.
    replaced: bool,
}

/// One `develop.watch` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watch {
    pub path: Option<Text>,
    pub action: Option<Text>,
    pub target: Option<Text>,
    /// Where the entry is written.
    pub origin: Origin,
}

impl Build {
    /// The service `name` that a `service:<name>` additional context builds on, with the
    /// context's value.
    pub fn service_contexts(&self) -> impl Iterator<Item = (&str, &Text)> {
        self.contexts
            .iter()
            .filter_map(|(_, v)| Some((v.value.strip_prefix("service:")?, v)))
    }

    /// Whether `platform` is among `platforms`, when any is written (an empty list allows
    /// every platform).
    pub fn allows_platform(&self, platform: &str) -> bool {
        self.platforms.is_empty() || self.platforms.iter().any(|p| p.value == platform)
    }
}

impl Watch {
    /// Whether the action needs a `target`: every action but `rebuild` and `restart`
    /// (compose-go `checkConsistency`: "target is required for non-rebuild actions"); an
    /// action the schema does not know is refused as such first.
    pub fn needs_target(&self) -> bool {
        self.action
            .as_ref()
            .is_some_and(|a| matches!(a.value.as_str(), "sync" | "sync+restart" | "sync+exec"))
    }

    /// Whether the entry has a `target` Compose reads (not empty once interpolated).
    pub fn has_target(&self) -> bool {
        self.target.as_ref().is_some_and(|t| !t.value.is_empty())
    }
}

impl Cx<'_> {
    fn merge_tag(&self, node: NodeId) -> Option<MergeTag> {
        MergeTag::of(self.tree, node)
    }

    /// The `build` of a service mapping, if it has one (not `!reset`).
    pub(super) fn build(&self, service: NodeId) -> Option<Build> {
        let tree = self.tree;
        let node = tree.get(service, "build")?;
        if self.merge_tag(node) == Some(MergeTag::Reset) || tree.is_null(node) {
            return None;
        }
        self.under(self.field(service, "build"), || {
            let mut b = Build {
                origin: self.origin(tree.span(tree.resolve(node))),
                dockerfile: None,
                dockerfile_inline: None,
                platforms: Vec::new(),
                contexts: Vec::new(),
                secrets: Vec::new(),
                malformed_contexts: Vec::new(),
                malformed_ssh: Vec::new(),
                refused_hosts: Vec::new(),
                replaced: Vec::new(),
            };
            if !tree.is_mapping(node) {
                return Some(b);
            }
            let m = tree.resolve(node);
            // The value of `key`, unless tagged `!reset` (which removes it).
            let get = |key: &'static str, replaced: &mut Vec<&'static str>| {
                let n = tree.get(m, key)?;
                let tag = self.merge_tag(n);
                if tag.is_some() {
                    replaced.push(key);
                }
                (tag != Some(MergeTag::Reset)).then_some(n)
            };
            let items = |n: Option<NodeId>| n.and_then(|n| tree.items(n)).unwrap_or(&[]);
            b.dockerfile = get("dockerfile", &mut b.replaced).and_then(|n| self.text(n));
            b.dockerfile_inline =
                get("dockerfile_inline", &mut b.replaced).and_then(|n| self.text(n));
            b.platforms = items(get("platforms", &mut b.replaced))
                .iter()
                .filter_map(|&i| self.text(i))
                .collect();
            b.secrets = items(get("secrets", &mut b.replaced))
                .iter()
                .filter_map(|&i| {
                    if tree.is_mapping(i) {
                        tree.get(i, "source").and_then(|n| self.text(n))
                    } else {
                        self.text(i)
                    }
                })
                .collect();
            if let Some(n) = tree.get(m, "ssh").filter(|&n| tree.items(n).is_some()) {
                b.malformed_ssh = items(Some(n))
                    .iter()
                    .filter_map(|&i| self.text(i))
                    .filter(|t| t.value != "default" && !t.value.contains('='))
                    .collect();
            }
            b.refused_hosts = self.refused_hosts(get("extra_hosts", &mut b.replaced));
            if let Some(c) = get("additional_contexts", &mut b.replaced) {
                if let Some(entries) = tree.entries(c) {
                    for e in entries {
                        if let (Some(k), Some(v)) = (self.literal(e.key), self.text(e.value)) {
                            put_context(&mut b.contexts, k, v);
                        }
                    }
                } else {
                    for &i in items(Some(c)) {
                        let Some(t) = self.text(i) else { continue };
                        // `name=value`, split once interpolated.
                        let Some((k, v)) = t.value.split_once('=') else {
                            b.malformed_contexts.push(t);
                            continue;
                        };
                        let (k, v) = (k.to_string(), v.to_string());
                        let name = Text {
                            value: k,
                            ..t.clone()
                        };
                        put_context(&mut b.contexts, name, Text { value: v, ..t });
                    }
                }
            }
            Some(b)
        })
    }

    /// The `develop` of a service mapping, if it has one with a `watch` (not `!reset`).
    pub(super) fn develop(&self, service: NodeId) -> Option<Develop> {
        let tree = self.tree;
        let node = tree.get(service, "develop")?;
        if self.merge_tag(node) == Some(MergeTag::Reset) {
            return None;
        }
        let w = tree.get(node, "watch")?;
        let tag = self.merge_tag(w);
        let mut d = Develop {
            watch: Vec::new(),
            replaced: tag.is_some(),
        };
        if tag == Some(MergeTag::Reset) {
            return Some(d);
        }
        self.under(self.field(service, "develop"), || {
            for &i in tree.items(w).unwrap_or(&[]) {
                if !tree.is_mapping(i) {
                    continue;
                }
                let value = |k: &str| tree.get(i, k).and_then(|n| self.text(n));
                d.watch.push(Watch {
                    path: value("path"),
                    action: value("action"),
                    target: value("target"),
                    origin: self.origin(tree.span(tree.resolve(i))),
                });
            }
        });
        Some(d)
    }
}

/// Add an additional context, replacing an earlier one of the same name.
fn put_context(contexts: &mut Vec<(Text, Text)>, name: Text, value: Text) {
    contexts.retain(|(n, _)| n.value != name.value);
    contexts.push((name, value));
}

/// `o`'s `build` (a later file or definition) merged onto `b`'s; `tag` is the merge tag on
/// `o`'s `build` key.
pub(super) fn merge_build(
    b: Option<Box<Build>>,
    o: Option<Box<Build>>,
    tag: Option<MergeTag>,
) -> Option<Box<Build>> {
    match (b, o, tag) {
        (_, _, Some(MergeTag::Reset)) => None,
        (_, o, Some(MergeTag::Override)) => o,
        (Some(b), Some(o), None) => {
            let (mut b, o) = (*b, *o);
            let kept = |key: &str| !o.replaced.contains(&key);
            let scalar = |b: Option<Text>, o: Option<Text>, key: &str| {
                o.or(if kept(key) { b } else { None })
            };
            let list = |b: Vec<Text>, o: Vec<Text>, key: &str| {
                let mut out = if kept(key) { b } else { Vec::new() };
                out.extend(o);
                out
            };
            if !kept("additional_contexts") {
                b.contexts.clear();
            }
            for (k, v) in o.contexts {
                put_context(&mut b.contexts, k, v);
            }
            Some(Box::new(Build {
                origin: o.origin,
                dockerfile: scalar(b.dockerfile, o.dockerfile, "dockerfile"),
                dockerfile_inline: scalar(
                    b.dockerfile_inline,
                    o.dockerfile_inline,
                    "dockerfile_inline",
                ),
                platforms: list(b.platforms, o.platforms, "platforms"),
                contexts: b.contexts,
                secrets: list(b.secrets, o.secrets, "secrets"),
                malformed_contexts: [b.malformed_contexts, o.malformed_contexts].concat(),
                malformed_ssh: [b.malformed_ssh, o.malformed_ssh].concat(),
                refused_hosts: if kept("extra_hosts") {
                    [b.refused_hosts, o.refused_hosts].concat()
                } else {
                    o.refused_hosts
                },
                replaced: Vec::new(),
            }))
        }
        (b, o, None) => o.or(b),
    }
}

/// `o`'s `develop` merged onto `b`'s; `tag` is the merge tag on `o`'s `develop` key.
pub(super) fn merge_develop(
    b: Option<Box<Develop>>,
    o: Option<Box<Develop>>,
    tag: Option<MergeTag>,
) -> Option<Box<Develop>> {
    match (b, o, tag) {
        (_, _, Some(MergeTag::Reset)) => None,
        (_, o, Some(MergeTag::Override)) => o,
        (Some(mut b), Some(o), None) => {
            if o.replaced {
                b.watch.clear();
            }
            b.watch.extend(o.watch);
            b.replaced = false;
            Some(b)
        }
        (b, o, None) => o.or(b),
    }
}

#[cfg(test)]
mod tests {
    use crate::compose::{ComposeFile, Env, FileId, Resource, merge::merge};
    use crate::yaml::{Limits, parse};

    fn model(text: &str, id: u32) -> ComposeFile {
        let tree = parse(text, &Limits::default()).unwrap();
        let root = tree.documents[0].root.unwrap();
        ComposeFile::from_document(&tree, text, FileId(id), root, &Env::default())
    }

    fn values(t: &[crate::compose::Text]) -> Vec<&str> {
        t.iter().map(|t| t.value.as_str()).collect()
    }

    /// As `docker compose config` v2.40.3 merges them: `build` key by key (a short `build` is
    /// a context), lists appended, contexts by name (the later value winning, in one list
    /// too), `!reset`/`!override` on a key replacing the earlier value.
    #[test]
    fn build_merges_as_compose_does() {
        let base = model(
            "services:\n  a:\n    image: x\n    build:\n      ssh: [default, mykey, '', =x, a=b=c]\n      dockerfile: D\n      platforms: [linux/amd64]\n      secrets: [s1, {source: s2}]\n      additional_contexts:\n        - c1=service:b\n        - c1=./one\n        - c2=./two\n        - bare\n  b:\n    image: y\n    build: ./b\n",
            0,
        );
        let over = model(
            "services:\n  a:\n    build:\n      dockerfile_inline: FROM x\n      ssh: {k: '', j: ./x}\n      platforms: [linux/arm64]\n      secrets: !override [s3]\n      additional_contexts:\n        c2: service:b\n  b:\n    build: !reset\n",
            1,
        );
        let m = merge(base, over);
        let a = m.services[0].build.as_deref().unwrap();
        assert_eq!(a.dockerfile.as_ref().unwrap().value, "D");
        assert_eq!(a.dockerfile_inline.as_ref().unwrap().value, "FROM x");
        assert_eq!(values(&a.platforms), ["linux/amd64", "linux/arm64"]);
        assert!(a.allows_platform("linux/arm64") && !a.allows_platform("linux/386"));
        assert_eq!(values(&a.secrets), ["s3"]);
        let contexts: Vec<(&str, &str)> = a
            .contexts
            .iter()
            .map(|(k, v)| (k.value.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(contexts, [("c1", "./one"), ("c2", "service:b")]);
        assert_eq!(
            a.service_contexts().map(|(n, _)| n).collect::<Vec<_>>(),
            ["b"]
        );
        assert_eq!(values(&a.malformed_contexts), ["bare"]);
        assert_eq!(values(&a.malformed_ssh), ["mykey", ""]);
        assert!(m.services[1].build.is_none());
    }

    /// `watch` entries are appended (one for the same path too); `!override` replaces them,
    /// `develop: !reset` removes them. Models merge as a union, like networks.
    #[test]
    fn watch_and_models_merge_as_compose_does() {
        let base = model(
            "services:\n  a:\n    image: x\n    models: [m1]\n    develop:\n      watch:\n        - {path: ./s, action: sync}\n  b:\n    image: x\n    develop:\n      watch:\n        - {path: ./s, action: sync}\n  c:\n    image: x\n    develop:\n      watch:\n        - {path: ./s, action: sync}\nmodels:\n  m1:\n    model: ai/x\n",
            0,
        );
        let over = model(
            "services:\n  a:\n    models:\n      m2:\n    develop:\n      watch:\n        - {path: ./s, action: rebuild}\n        - {path: ./t, action: sync+exec, target: /t}\n  b:\n    develop:\n      watch: !override\n        - {path: ./s, action: restart}\n  c:\n    develop: !reset\n",
            1,
        );
        let m = merge(base, over);
        let w = &m.services[0].develop.as_ref().unwrap().watch;
        let needs: Vec<(bool, bool)> = w
            .iter()
            .map(|w| (w.needs_target(), w.has_target()))
            .collect();
        assert_eq!(needs, [(true, false), (false, false), (true, true)]);
        let b = &m.services[1].develop.as_ref().unwrap().watch;
        assert_eq!(b.len(), 1);
        assert!(!b[0].needs_target());
        assert!(m.services[2].develop.is_none());
        let models: Vec<&str> = m.services[0]
            .references
            .iter()
            .filter(|(k, _)| *k == Resource::Model)
            .map(|(_, t)| t.value.as_str())
            .collect();
        assert_eq!(models, ["m1", "m2"]);
        assert!(
            m.declared
                .iter()
                .any(|(k, n)| *k == Resource::Model && n.value == "m1")
        );
    }
}
