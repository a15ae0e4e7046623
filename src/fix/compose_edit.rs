//! Fix operations in Compose terms: set an environment variable, change a command-line flag,
//! add a mount. Each returns the edits, or why there is none (the text of an unavailable fix).
//!
//! A value that reaches a service through an alias or a `<<` merge is never edited where it is
//! written, since other services share it: the service gets an explicit override instead. A
//! `<<` merge is shallow, so an override of `environment` or `volumes` carries every inherited
//! entry (by merging the inherited mapping's anchor when it has one, else by copying).
//! A value of the service's own that is edited in place but carries an anchor (or is written in
//! a collection that does) which other places alias is split first: each alias gets a copy of the
//! value as it was (see `unshared`), so that no other service's configuration changes.

use super::style::detect_once;
use super::yaml_edit::{Doc, Value, scalar_text};
use crate::compose::interpolate::references;
use crate::compose::{
    Arg, ComposeFile, EnvForm, Field, FileId, Mount, MountKind, Service, Sharing, Source,
};
use crate::diagnostic::Edit;
use crate::source::Span;
use crate::yaml::{CollectionStyle, NodeId, NodeKind, ScalarStyle};

/// A fix operation's result: edits, or why there are none.
pub type Outcome = Result<Vec<Edit>, String>;

fn doc<'a>(sources: &[Source<'a>], file: FileId) -> Option<Doc<'a>> {
    let src = sources.get(file.0 as usize)?;
    Some(Doc {
        file,
        text: src.text,
        tree: src.tree,
        style: detect_once(src.text, src.tree),
    })
}

/// What to do instead of editing a value written as `raw` with variables: set the variable(s)
/// it reads.
pub fn interpolated_hint(what: &str, raw: &str, value: &str) -> String {
    let names: Vec<String> = references(raw)
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.depth == 0)
        .map(|r| format!("`{}`", r.name))
        .collect();
    let vars = if names.is_empty() {
        "the variable it reads".to_string()
    } else {
        names.join(", ")
    };
    format!(
        "{what} is written as `{raw}`, which milvet does not rewrite: set {vars} so that it \
         gives `{value}`, in the shell that runs `docker compose` or in the project's `.env` file"
    )
}

/// Whether a raw value reads a variable (`${...}`, `$VAR`); a literal `$$` does not, and a
/// malformed reference counts, since its value cannot be known either.
pub fn is_interpolated(raw: &str) -> bool {
    references(raw).map_or(true, |refs| !refs.is_empty())
}

/// Characters that mean the same in every quoting context (plain or quoted YAML, shell words).
fn inert(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-'))
}

fn file_doc<'a>(sources: &[Source<'a>], file: FileId) -> Result<Doc<'a>, String> {
    doc(sources, file).ok_or_else(|| "the file is not available".into())
}

/// The file and mapping of a service's first definition, where new attributes go.
fn service_doc<'a>(sources: &[Source<'a>], service: &Service) -> Result<Doc<'a>, String> {
    if service.alias.is_some() {
        return Err(format!(
            "service `{}` is written as an alias of another service: give it its own mapping \
             (`<<: *...` plus the change) to fix it without changing the other",
            service.name.value
        ));
    }
    file_doc(sources, service.name.origin.file)
}

/// Whether a service mapping is a flow mapping (`{...}`), where only one-line values fit.
fn flow_mapping(doc: &Doc<'_>, node: crate::yaml::NodeId) -> bool {
    matches!(
        doc.tree.node(node).kind,
        NodeKind::Mapping {
            style: CollectionStyle::Flow,
            ..
        }
    )
}

/// Set environment variable `name` to `value` for `service`, in the form its environment
/// already uses.
pub fn set_env(
    sources: &[Source<'_>],
    model: &ComposeFile,
    service: &Service,
    name: &str,
    value: &str,
) -> Outcome {
    let env = &service.environment;
    if let Some(var) = env.get(name) {
        if var.from_env_file {
            let path = sources
                .get(var.name.origin.file.0 as usize)
                .map_or_else(String::new, |s| s.path.display().to_string());
            return Err(format!(
                "`{name}` comes from the env file `{path}`, which milvet does not rewrite: set \
                 `{name}={value}` there"
            ));
        }
        if let Some(v) = &var.value
            && is_interpolated(&v.raw)
        {
            return Err(interpolated_hint(&format!("`{name}`"), &v.raw, value));
        }
    }
    let own = env.field.is_some_and(|f| f.is_own());
    if let Some(var) = env.get(name) {
        let field = env
            .field
            .ok_or("the variable has no `environment` to live in")?;
        // A variable written outside the service (an anchor, an `extends` base) is overridden
        // by a key of the service's own.
        let inherited = var.merged || !written_in_service(sources, service, var.name.origin);
        return match (own, inherited) {
            (true, false) => replace_var(
                &file_doc(sources, var.name.origin.file)?,
                env.form,
                var,
                name,
                value,
            ),
            // Merged into the service's own mapping: a key of its own wins over the merge.
            (true, true) => add_var(
                &file_doc(sources, field.file)?,
                model,
                env.form,
                field,
                name,
                value,
            ),
            (false, _) => override_env(sources, service, name, value),
        };
    }
    match env.field {
        None => {
            let doc = service_doc(sources, service)?;
            if flow_mapping(&doc, service.node) {
                return Err("the service is a flow mapping: add the variable by hand".into());
            }
            let item = env_block(prefers_map(model), name, value);
            let edits = doc
                .insert_entry(service.node, "environment", &item)
                .map(|e| vec![e])
                .ok_or("cannot add an `environment` key to the service")?;
            unshared(&doc, service.node, edits)
        }
        Some(f) if own => add_var(&file_doc(sources, f.file)?, model, env.form, f, name, value),
        Some(_) => override_env(sources, service, name, value),
    }
}

/// Whether `origin` lies inside one of the service's own definitions.
fn written_in_service(
    sources: &[Source<'_>],
    service: &Service,
    origin: crate::compose::Origin,
) -> bool {
    service.defs.iter().any(|&(file, node)| {
        file == origin.file
            && sources
                .get(file.0 as usize)
                .is_some_and(|s| s.tree.span(node).contains(origin.span))
    })
}

/// A block environment holding one variable: `NAME: value` entries, or `- NAME=value` items.
fn env_block(as_map: bool, name: &str, value: &str) -> Value {
    if as_map {
        Value::Map(vec![(
            name.into(),
            Value::Raw(scalar_text(value, false, true)),
        )])
    } else {
        Value::Seq(vec![Value::Raw(scalar_text(
            &format!("{name}={value}"),
            false,
            false,
        ))])
    }
}

/// Whether the file's other services write `environment` as a mapping more often than as a list.
fn prefers_map(model: &ComposeFile) -> bool {
    let key = (
        std::ptr::from_ref(model) as usize,
        model.services.as_ptr() as usize,
        model.services.len(),
    );
    super::memo::once("prefers_map", key, || count_prefers_map(model))
}

fn count_prefers_map(model: &ComposeFile) -> bool {
    let (mut maps, mut lists) = (0, 0);
    for s in &model.services {
        match s.environment.form {
            EnvForm::Map(_) => maps += 1,
            EnvForm::List(_) => lists += 1,
            _ => {}
        }
    }
    maps > lists
}

fn replace_var(
    doc: &Doc<'_>,
    form: EnvForm,
    var: &crate::compose::EnvVar,
    name: &str,
    value: &str,
) -> Outcome {
    let tree = doc.tree;
    let failed = || format!("cannot rewrite `{name}` where it is written");
    match form {
        EnvForm::Map(_) => {
            let key = var.name.node;
            let map = tree.parent(key).ok_or_else(failed)?;
            let entry = tree.entry_of(map, key).ok_or_else(failed)?;
            if tree.is_alias(entry.value) {
                return Err(failed());
            }
            let edit = if tree.span(entry.value).is_empty() {
                // `NAME:` with nothing after it (or only a tag, `NAME: !!null`).
                let edit = Edit {
                    file: doc.file,
                    span: tree.span(entry.value),
                    text: format!(" {}", scalar_text(value, tree.in_flow(key), true)),
                };
                Some(doc.retag(entry.value, value, edit))
            } else {
                doc.replace_scalar(entry.value, value, true)
            };
            unshared(doc, entry.value, edit.map(|e| vec![e]).ok_or_else(failed)?)
        }
        EnvForm::List(_) => {
            let item = var.name.node;
            let raw = tree.scalar(item).ok_or_else(failed)?;
            let edit = match raw.find('=') {
                Some(eq) => doc.replace_in_scalar(item, eq + 1..raw.len(), value),
                None => doc.replace_in_scalar(item, raw.len()..raw.len(), &format!("={value}")),
            };
            unshared(doc, item, edit.map(|e| vec![e]).ok_or_else(failed)?)
        }
        _ => Err(failed()),
    }
}

fn add_var(
    doc: &Doc<'_>,
    model: &ComposeFile,
    form: EnvForm,
    field: Field,
    name: &str,
    value: &str,
) -> Outcome {
    let failed = || format!("cannot add `{name}` to the service's environment");
    let node = doc.tree.resolve(field.value);
    if let (EnvForm::Map(CollectionStyle::Block), Some(key)) = (form, doc.explicit_key(node)) {
        return Err(format!(
            "the service's environment has a key written as an explicit key (`? {}`), beside \
             which milvet adds nothing (and Docker Compose refuses a key that is not text): \
             write it as `KEY: value`, or set `{name}: {value}` by hand",
            doc.one_line(key).unwrap_or("...")
        ));
    }
    let edits = match form {
        EnvForm::List(style) => doc.append_item(
            node,
            &Value::Raw(scalar_text(
                &format!("{name}={value}"),
                style == CollectionStyle::Flow,
                false,
            )),
        ),
        EnvForm::Map(style) => doc.insert_entry(
            node,
            name,
            &Value::Raw(scalar_text(value, style == CollectionStyle::Flow, true)),
        ),
        EnvForm::Empty => {
            let item = env_block(prefers_map(model), name, value);
            return unshared(
                doc,
                field.value,
                doc.fill_null(field.key, field.value, &item),
            );
        }
        EnvForm::Absent => None,
    };
    unshared(doc, node, edits.map(|e| vec![e]).ok_or_else(failed)?)
}

/// Give the service an `environment` of its own that keeps every inherited variable and sets
/// `name`.
fn override_env(sources: &[Source<'_>], service: &Service, name: &str, value: &str) -> Outcome {
    let env = &service.environment;
    let field = env
        .field
        .ok_or("the service has no environment to override")?;
    if field.sharing == Sharing::Extended {
        // `extends` merges environments by name: the one variable is enough.
        let new = env_block(matches!(env.form, EnvForm::Map(_)), name, value);
        return place_override(sources, service, "environment", field, &new);
    }
    let doc = &file_doc(sources, field.file)?;
    let tree = doc.tree;
    let field = env
        .field
        .ok_or("the service has no environment to override")?;
    let inherited = tree.resolve(field.value);
    let new = match &tree.node(inherited).kind {
        NodeKind::Mapping { .. } => {
            let mut entries = Vec::new();
            match &tree.node(inherited).anchor {
                Some(anchor) => {
                    entries.push(("<<".to_string(), Value::Raw(format!("*{}", anchor.name))))
                }
                None => {
                    for e in tree.entries(inherited).unwrap_or(&[]) {
                        if tree.scalar(e.key) == Some(name) {
                            continue;
                        }
                        let key = doc.one_line(tree.span(e.key)).ok_or_else(copy_failed)?;
                        let val = if tree.span(e.value).is_empty() {
                            String::new()
                        } else {
                            doc.one_line(tree.span(e.value))
                                .ok_or_else(copy_failed)?
                                .to_string()
                        };
                        entries.push((key.to_string(), Value::Raw(val)));
                    }
                }
            }
            entries.push((
                name.to_string(),
                Value::Raw(scalar_text(value, false, true)),
            ));
            Value::Map(entries)
        }
        NodeKind::Sequence { items, .. } => {
            let mut out = Vec::new();
            for &item in items {
                let written = tree.scalar(item).unwrap_or("");
                if written.split('=').next() == Some(name) {
                    continue;
                }
                let text = doc.one_line(tree.span(item)).ok_or_else(copy_failed)?;
                out.push(Value::Raw(text.to_string()));
            }
            out.push(Value::Raw(scalar_text(
                &format!("{name}={value}"),
                false,
                false,
            )));
            Value::Seq(out)
        }
        _ => return Err("the inherited environment is neither a list nor a mapping".into()),
    };
    place_override(sources, service, "environment", field, &new)
}

/// `edits`, which change `node` (or what is written inside it) in place, with the edits that
/// keep every other use of an anchor around it unchanged: when `node` or a collection it is
/// written in carries an anchor that is aliased elsewhere, each alias is replaced by a copy of
/// the anchored value as it is written now (in flow style). An anchor that cannot be copied
/// (a multi-line scalar, tags, anchors or aliases inside) makes the fix unavailable.
fn unshared(doc: &Doc<'_>, node: NodeId, mut edits: Vec<Edit>) -> Outcome {
    let tree = doc.tree;
    let mut cur = Some(node);
    while let Some(id) = cur {
        if let Some(anchor) = &tree.node(id).anchor {
            let aliases: Vec<NodeId> = tree
                .node_ids()
                .filter(|&a| matches!(tree.node(a).kind, NodeKind::Alias { target, .. } if target == id))
                .collect();
            for alias in aliases {
                let is_key = tree
                    .parent(alias)
                    .and_then(|p| tree.entry_of(p, alias))
                    .is_some_and(|e| e.key == alias);
                let copy = (!is_key)
                    .then(|| flow_copy(doc, id, true))
                    .flatten()
                    .ok_or_else(|| {
                        format!(
                            "the value to change is written under the anchor `&{}`, which is also \
                         used elsewhere (`*{}`), and milvet cannot give that use a copy of its \
                         own: write the change by hand where only this service reads it",
                            anchor.name, anchor.name
                        )
                    })?;
                edits.push(Edit {
                    file: doc.file,
                    span: tree.span(alias),
                    text: copy,
                });
            }
        }
        cur = tree.parent(id);
    }
    Ok(edits)
}

/// A node as written, in flow style on one line, for a copy elsewhere: scalars as written
/// (plain ones quoted where flow style would read them otherwise), collections as `[...]` and
/// `{...}`. `None` for what cannot be copied without changing its meaning or that of the file:
/// a multi-line or block scalar, a tag, an anchor (but the copied node's own, `top`), an alias
/// or a merge.
fn flow_copy(doc: &Doc<'_>, id: NodeId, top: bool) -> Option<String> {
    let tree = doc.tree;
    let node = tree.node(id);
    if node.tag.is_some() || (!top && node.anchor.is_some()) {
        return None;
    }
    match &node.kind {
        NodeKind::Scalar { value, style } => {
            let raw = doc.one_line(tree.span(id))?;
            match style {
                ScalarStyle::Plain if raw.is_empty() => Some("null".into()),
                ScalarStyle::Plain if raw.contains([',', '[', ']', '{', '}', ':', '#', '?']) => {
                    Some(super::yaml_edit::double_quoted(value))
                }
                ScalarStyle::Plain | ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                    Some(raw.to_string())
                }
                ScalarStyle::Literal | ScalarStyle::Folded => None,
            }
        }
        NodeKind::Sequence { items, .. } => {
            let items: Option<Vec<String>> =
                items.iter().map(|&i| flow_copy(doc, i, false)).collect();
            Some(format!("[{}]", items?.join(", ")))
        }
        NodeKind::Mapping { entries, .. } => {
            let entries: Option<Vec<String>> = entries
                .iter()
                .map(|e| {
                    if tree.is_merge_key(e.key) {
                        return None;
                    }
                    Some(format!(
                        "{}: {}",
                        flow_copy(doc, e.key, false)?,
                        flow_copy(doc, e.value, false)?
                    ))
                })
                .collect();
            Some(format!("{{{}}}", entries?.join(", ")))
        }
        NodeKind::Alias { .. } => None,
    }
}

fn copy_failed() -> String {
    "an inherited entry spans several lines: write the override by hand".into()
}

/// Write `value` as the service's own `key`: in place of an alias, as a new key beside the
/// service's `<<` merge, or in the service's own mapping when it inherits `key` with `extends`.
fn place_override(
    sources: &[Source<'_>],
    service: &Service,
    key: &str,
    field: Field,
    value: &Value,
) -> Outcome {
    if service.alias.is_some() {
        return Err(format!(
            "service `{}` is written as an alias of another service: give it its own mapping",
            service.name.value
        ));
    }
    let (doc, mapping) = match field.sharing {
        Sharing::Extended => (service_doc(sources, service)?, service.node),
        _ => (
            file_doc(sources, field.file)?,
            service
                .mapping_in(field.file)
                .ok_or("the service is not defined in the file to change")?,
        ),
    };
    if flow_mapping(&doc, mapping) {
        return Err("the service is a flow mapping: write the override by hand".into());
    }
    let edits = match field.sharing {
        Sharing::Alias(alias) => doc.replace_with_block(field.key, alias, value),
        Sharing::Merged(_) | Sharing::Extended => doc
            .insert_entry(mapping, key, value)
            .map(|e| vec![e])
            .ok_or_else(|| format!("cannot add `{key}` to the service"))?,
        Sharing::Own => return Err(format!("`{key}` is the service's own")),
    };
    unshared(&doc, mapping, edits)
}

/// Change the value of a command-line flag, `arg` being the argument that holds it and `old`
/// its current value, written at `value_span`.
pub fn set_flag_value(
    sources: &[Source<'_>],
    service: &Service,
    arg: &Arg,
    value_span: Span,
    old: &str,
    new: &str,
) -> Outcome {
    let doc = file_doc(sources, arg.origin.file)?;
    let written = value_span.slice(doc.text);
    if is_interpolated(written) {
        return Err(interpolated_hint("the flag's value", written, new));
    }
    if written != old || !inert(new) {
        return Err(format!(
            "the flag's value `{old}` is not written plainly in the command: change it to `{new}` \
             by hand"
        ));
    }
    let edit = Edit {
        file: doc.file,
        span: value_span,
        text: new.to_string(),
    };
    // The command (or entrypoint) holding the flag, and how it reaches the service.
    let (key, command) = [
        ("command", &service.command),
        ("entrypoint", &service.entrypoint),
    ]
    .into_iter()
    .find_map(|(k, c)| {
        c.as_ref()
            .filter(|c| c.args.iter().any(|a| a.node == arg.node))
            .map(|c| (k, c))
    })
    .ok_or("the flag is not in the service's command")?;
    if command.field.is_own() {
        return unshared(&doc, arg.node, vec![edit]);
    }
    // Shared: copy the command, changed, into the service.
    let span = doc.tree.span(command.node);
    let written = doc.one_line(span).ok_or_else(copy_failed)?;
    let mut changed = written.to_string();
    changed.replace_range(
        value_span.start - span.start..value_span.end - span.start,
        new,
    );
    place_override(sources, service, key, command.field, &Value::Raw(changed))
}

/// Where a new mount keeps its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NewSource {
    /// A host directory (`${DOCKER_VOLUME_DIRECTORY:-.}/volumes/etcd`).
    Bind(String),
    /// A named volume, declared at the top level by the same fix.
    Volume(String),
}

impl NewSource {
    pub fn text(&self) -> &str {
        match self {
            NewSource::Bind(s) | NewSource::Volume(s) => s,
        }
    }
}

/// The source a new mount for `service` should use: a named volume when the file declares
/// named volumes already (named in the same style, not clashing), else a bind mount in the
/// style of the official Milvus compose file. `part` tells apart several mounts of one service.
pub fn new_source(model: &ComposeFile, service: &Service, part: Option<&str>) -> NewSource {
    // Volume names and paths take only what service names may hold.
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let svc = &clean(&service.name.value);
    let part = part.map(clean);
    let part = part.as_deref();
    if model.volumes.is_empty() {
        return NewSource::Bind(match part {
            Some(p) => format!("${{DOCKER_VOLUME_DIRECTORY:-.}}/volumes/{svc}-{p}"),
            None => format!("${{DOCKER_VOLUME_DIRECTORY:-.}}/volumes/{svc}"),
        });
    }
    let sep = if model.volumes.iter().any(|v| v.name.value.contains('-')) {
        '-'
    } else {
        '_'
    };
    let base = match part {
        Some(p) => format!("{svc}{sep}{p}{sep}data"),
        None => format!("{svc}{sep}data"),
    };
    let mut name = base.clone();
    let mut n = 2;
    while model.volume(&name).is_some() {
        name = format!("{base}{sep}{n}");
        n += 1;
    }
    NewSource::Volume(name)
}

/// Mount `source` at `target` in `service`. An anonymous volume at `target` gets the source
/// instead of a second mount there; a named volume is declared at the top level.
pub fn add_mount(
    sources: &[Source<'_>],
    model: &ComposeFile,
    service: &Service,
    existing: Option<&Mount>,
    source: &NewSource,
    target: &str,
) -> Outcome {
    let mut edits = Vec::new();
    let spec = format!("{}:{target}", source.text());
    let own_volumes = service.volumes_field.is_none_or(|f| f.is_own());
    match existing {
        Some(m) if m.kind == MountKind::Anonymous && own_volumes => {
            let doc = file_doc(sources, m.origin.file)?;
            if doc.tree.is_mapping(m.node) {
                let NewSource::Volume(_) = source else {
                    return Err(anonymous_long_form());
                };
                let edit = doc
                    .insert_entry(m.node, "source", &Value::Raw(source.text().into()))
                    .ok_or_else(anonymous_long_form)?;
                edits.extend(unshared(&doc, m.node, vec![edit])?);
            } else {
                let edit = doc
                    .replace_scalar(m.node, &spec, false)
                    .ok_or("cannot rewrite the anonymous volume")?;
                edits.extend(unshared(&doc, m.node, vec![edit])?);
            }
        }
        Some(m) if m.kind == MountKind::Tmpfs && own_volumes => {
            edits.extend(replace_tmpfs(sources, service, m, &spec)?);
        }
        Some(m) if m.kind != MountKind::Anonymous => {
            return Err(format!(
                "`{}` is mounted at `{}` in a way that does not persist: replace that mount with \
                 a named volume or a host directory",
                target, m.target.raw
            ));
        }
        _ => {
            let long = service
                .mounts
                .iter()
                .rev()
                .find(|m| !m.from_tmpfs_key)
                .is_some_and(|m| {
                    sources
                        .get(m.origin.file.0 as usize)
                        .is_some_and(|s| s.tree.is_mapping(m.node))
                });
            let item = if long {
                Value::Map(vec![
                    (
                        "type".into(),
                        Value::Raw(match source {
                            NewSource::Bind(_) => "bind".into(),
                            NewSource::Volume(_) => "volume".into(),
                        }),
                    ),
                    (
                        "source".into(),
                        Value::Raw(scalar_text(source.text(), false, false)),
                    ),
                    (
                        "target".into(),
                        Value::Raw(scalar_text(target, false, false)),
                    ),
                ])
            } else {
                Value::Raw(scalar_text(&spec, false, false))
            };
            edits.extend(add_volume_item(sources, service, item)?);
        }
    }
    if let NewSource::Volume(name) = source {
        edits.extend(declare_volume(sources, model, service, name)?);
    }
    Ok(edits)
}

/// Add an item to the service's `volumes`, creating or overriding the key as needed.
fn add_volume_item(sources: &[Source<'_>], service: &Service, item: Value) -> Outcome {
    match service.volumes_field {
        None => {
            let doc = service_doc(sources, service)?;
            if flow_mapping(&doc, service.node) {
                return Err("the service is a flow mapping: add the mount by hand".into());
            }
            let edits = doc
                .insert_entry(service.node, "volumes", &Value::Seq(vec![item]))
                .map(|e| vec![e])
                .ok_or("cannot add `volumes` to the service")?;
            unshared(&doc, service.node, edits)
        }
        Some(f) if f.is_own() => {
            let doc = file_doc(sources, f.file)?;
            let tree = doc.tree;
            let node = tree.resolve(f.value);
            if tree.is_null(node) {
                let edits = doc.fill_null(f.key, f.value, &Value::Seq(vec![item]));
                return unshared(&doc, f.value, edits);
            }
            let flow = matches!(
                tree.node(node).kind,
                NodeKind::Sequence {
                    style: CollectionStyle::Flow,
                    ..
                }
            );
            let item = match (flow, item) {
                (true, Value::Raw(text)) => Value::Raw(if text.starts_with('"') {
                    text
                } else {
                    scalar_text(&text, true, false)
                }),
                (true, _) => return Err("cannot add a long-form mount to a flow list".into()),
                (false, item) => item,
            };
            let edits = doc
                .append_item(node, &item)
                .map(|e| vec![e])
                .ok_or("cannot add to the service's volumes")?;
            unshared(&doc, node, edits)
        }
        Some(f) if f.sharing == Sharing::Extended => {
            // `extends` merges mounts by target: the one item is enough.
            place_override(sources, service, "volumes", f, &Value::Seq(vec![item]))
        }
        Some(f) => {
            let doc = file_doc(sources, f.file)?;
            let tree = doc.tree;
            let inherited = tree.resolve(f.value);
            let mut items = Vec::new();
            for &i in tree.items(inherited).unwrap_or(&[]) {
                let text = doc.one_line(tree.span(i)).ok_or_else(copy_failed)?;
                items.push(Value::Raw(text.to_string()));
            }
            items.push(item);
            place_override(sources, service, "volumes", f, &Value::Seq(items))
        }
    }
}

fn anonymous_long_form() -> String {
    "the anonymous volume is written in the long syntax: give it a `source`".into()
}

/// Declare a named volume at the top level, in the style of the declarations already there:
/// in the last file of the project that declares volumes, else beside the service.
fn declare_volume(
    sources: &[Source<'_>],
    model: &ComposeFile,
    service: &Service,
    name: &str,
) -> Outcome {
    let failed = || format!("cannot declare the volume `{name}` at the top level");
    let declared = model
        .roots
        .iter()
        .rev()
        .filter(|r| r.in_project())
        .find_map(|r| {
            let (file, root) = (r.file, r.node);
            let src = sources.get(file.0 as usize)?;
            src.tree.entry(root, "volumes").map(|e| (file, e))
        });
    let Some((file, entry)) = declared else {
        let doc = service_doc(sources, service)?;
        let root = model
            .roots
            .iter()
            .find(|r| r.file == doc.file && r.in_project())
            .map(|r| r.node)
            .ok_or_else(failed)?;
        let edits = doc
            .insert_entry(
                root,
                "volumes",
                &Value::Map(vec![(name.into(), Value::Raw(String::new()))]),
            )
            .map(|e| vec![e])
            .ok_or_else(failed)?;
        return unshared(&doc, root, edits);
    };
    let doc = file_doc(sources, file)?;
    let tree = doc.tree;
    if entry.merged_via.is_some() || tree.is_alias(entry.value) {
        return Err(failed());
    }
    if tree.is_null(entry.value) {
        let edits = doc.fill_null(
            entry.key,
            entry.value,
            &Value::Map(vec![(name.into(), Value::Raw(String::new()))]),
        );
        return unshared(&doc, entry.value, edits);
    }
    // Follow the last declaration: `name:` or `name: {}`.
    let last = tree
        .own_entries(entry.value)
        .and_then(|e| e.last())
        .ok_or_else(failed)?;
    let value = if tree.span(last.value).slice(doc.text) == "{}" {
        "{}"
    } else {
        ""
    };
    let edits = doc
        .insert_entry(entry.value, name, &Value::Raw(value.into()))
        .map(|e| vec![e])
        .ok_or_else(failed)?;
    unshared(&doc, entry.value, edits)
}

/// Give `service` the attribute `key` (`restart`, `healthcheck`), which it does not have yet,
/// placed like the file's other services write it: after the key that precedes it there, when
/// this service has that key too; else after the first of `fallback` the service has; else
/// last.
pub fn add_service_key(
    sources: &[Source<'_>],
    model: &ComposeFile,
    service: &Service,
    key: &'static str,
    value: &Value,
    fallback: &[&str],
) -> Outcome {
    let doc = service_doc(sources, service)?;
    if flow_mapping(&doc, service.node) && !matches!(value, Value::Raw(_)) {
        return Err(format!(
            "the service is a flow mapping: add `{key}` by hand"
        ));
    }
    let failed = || format!("cannot add `{key}` to the service");
    let mut edit = doc
        .insert_entry(service.node, key, value)
        .ok_or_else(failed)?;
    if flow_mapping(&doc, service.node) {
        return unshared(&doc, service.node, vec![edit]);
    }
    let own: Vec<(String, crate::yaml::Entry)> = doc
        .tree
        .own_entries(service.node)
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| doc.tree.scalar(e.key).map(|k| (k.to_string(), *e)))
        .collect();
    // The key written before `key` in the other services of the same file, then `fallback`.
    let written = keys_before(model, &doc, key);
    let mut before = written
        .iter()
        .filter(|(name, _)| *name != service.name.value)
        .map(|(_, prev)| prev.as_str())
        .chain(fallback.iter().copied());
    if let Some((_, entry)) = before.find_map(|b| own.iter().find(|(k, _)| k == b)) {
        let end = doc
            .tree
            .span(entry.value)
            .end
            .max(doc.tree.span(entry.key).end);
        edit.span = Span::empty(super::style::line_end(doc.text, end));
    }
    unshared(&doc, service.node, vec![edit])
}

/// For each service of `doc`'s file that writes `key`, in order: its name and the key written
/// just before it. Asked once per file and key within a check, however many services a fix adds
/// `key` to.
fn keys_before(
    model: &ComposeFile,
    doc: &Doc<'_>,
    key: &'static str,
) -> std::rc::Rc<Vec<(String, String)>> {
    // A `'static` key's address names it for the whole run.
    let id = (
        std::ptr::from_ref(model) as usize,
        key.as_ptr() as usize,
        key.len() | (doc.file.0 as usize) << 32,
    );
    super::memo::once("keys_before", id, || {
        let written = model
            .services
            .iter()
            .filter(|s| s.name.origin.file == doc.file)
            .filter_map(|s| {
                let entries = doc.tree.own_entries(s.node)?;
                let i = entries
                    .iter()
                    .position(|e| doc.tree.scalar(e.key) == Some(key))?;
                let prev = entries.get(i.checked_sub(1)?)?;
                let prev = doc.tree.scalar(prev.key)?;
                Some((s.name.value.clone(), prev.to_string()))
            })
            .collect();
        std::rc::Rc::new(written)
    })
}

/// Replace a scalar attribute value of a service (`restart: "no"` → `unless-stopped`) where it
/// is written.
pub fn replace_service_scalar(
    sources: &[Source<'_>],
    text: &crate::compose::Text,
    value: &str,
) -> Outcome {
    if is_interpolated(&text.raw) {
        return Err(interpolated_hint("the value", &text.raw, value));
    }
    if text.via.is_some() {
        return Err(
            "the value comes through an alias or a `<<` merge that other services may share: \
             set it in the service itself"
                .into(),
        );
    }
    let doc = file_doc(sources, text.origin.file)?;
    let edit = doc
        .replace_scalar(text.node, value, false)
        .ok_or("cannot rewrite the value where it is written")?;
    unshared(&doc, text.node, vec![edit])
}

/// Bind a long-syntax published port (`- target: 9091` / `published: 9091`) to the host
/// address `ip`: its `host_ip` value replaced where written, else a `host_ip` entry added to
/// the item's mapping.
pub fn set_port_host_ip(sources: &[Source<'_>], port: &crate::compose::Port, ip: &str) -> Outcome {
    if let Some(t) = &port.host_ip_text {
        return replace_service_scalar(sources, t, ip);
    }
    let node = port
        .long
        .ok_or("the port is not written in the long syntax")?;
    let doc = file_doc(sources, port.origin.file)?;
    let tree = doc.tree;
    // `- *metrics`: this service's item becomes its own copy, with the address; the anchor
    // and its other uses stay as they are.
    if let NodeKind::Alias { target, .. } = tree.node(node).kind {
        let failed = || "the port entry is an alias milvet cannot copy: add `host_ip` by hand";
        let copy = flow_copy(&doc, target, true).ok_or_else(failed)?;
        let body = copy
            .strip_prefix('{')
            .and_then(|c| c.strip_suffix('}'))
            .ok_or_else(failed)?
            .trim();
        let address = scalar_text(ip, true, false);
        let text = if body.is_empty() {
            format!("{{host_ip: {address}}}")
        } else {
            format!("{{{body}, host_ip: {address}}}")
        };
        let edit = Edit {
            file: doc.file,
            span: tree.span(node),
            text,
        };
        return unshared(&doc, node, vec![edit]);
    }
    let edit = doc
        .insert_entry(
            node,
            "host_ip",
            &Value::Raw(scalar_text(ip, doc.tree.in_flow(node), false)),
        )
        .ok_or("cannot add `host_ip` to the port entry: add it by hand")?;
    unshared(&doc, node, vec![edit])
}

/// Replace a service's image reference (`text`, its `image` value) with `rewrite` of it as
/// written (see [`crate::compose::image::with_tag`]): only the part that changes is new.
pub fn rewrite_image(
    sources: &[Source<'_>],
    text: &crate::compose::Text,
    rewrite: impl FnOnce(&str) -> Option<String>,
) -> Outcome {
    let new = rewrite(&text.raw).ok_or_else(|| {
        format!(
            "`{}` is not an image reference milvet can rewrite",
            text.raw
        )
    })?;
    replace_service_scalar(sources, text, &new)
}

/// Replace a healthcheck's `test` (whose words are `test`) with `flow`, a one-line YAML value.
pub fn replace_healthcheck_test(
    sources: &[Source<'_>],
    service: &Service,
    test: &[crate::compose::Text],
    flow: &str,
) -> Outcome {
    let first = test.first().ok_or("the healthcheck has no test")?;
    // A `<<` inside the healthcheck sets no `via`: where the test is written tells.
    if test.iter().any(|t| t.via.is_some()) || !written_in_service(sources, service, first.origin) {
        return Err(
            "the healthcheck comes through an alias or a `<<` merge that other services may \
             share: give the service its own `test`"
                .into(),
        );
    }
    let doc = file_doc(sources, first.origin.file)?;
    let tree = doc.tree;
    let failed = || "cannot rewrite the test where it is written".to_string();
    let parent = tree.parent(first.node).ok_or_else(failed)?;
    let value = if tree.is_mapping(parent) {
        first.node
    } else {
        parent
    };
    let map = tree.parent(value).ok_or_else(failed)?;
    let entry = tree.entry_of(map, value).ok_or_else(failed)?;
    if tree.scalar(entry.key) != Some("test") {
        return Err(failed());
    }
    let span = Span::new(tree.span(entry.key).end, tree.span(entry.value).end);
    let colon = span.slice(doc.text).find(':').ok_or_else(failed)?;
    let edit = Edit {
        file: doc.file,
        span: Span::new(span.start + colon, span.end),
        text: format!(": {flow}"),
    };
    unshared(&doc, value, vec![edit])
}

/// Replace a tmpfs mount with `spec` (`SOURCE:TARGET`): a `volumes` item is rewritten in place;
/// a `tmpfs:` entry is removed (its item, or the whole key when it is the only one) and the
/// mount added to `volumes`.
fn replace_tmpfs(sources: &[Source<'_>], service: &Service, m: &Mount, spec: &str) -> Outcome {
    let doc = file_doc(sources, m.origin.file)?;
    let tree = doc.tree;
    let failed = || {
        format!(
            "the tmpfs mount at `{}` is not written in a form milvet rewrites: replace it with \
             `{spec}` by hand",
            m.target.raw
        )
    };
    if !m.from_tmpfs_key {
        // `- type: tmpfs ...` under `volumes`: the item becomes the short form.
        let text = scalar_text(spec, tree.in_flow(m.node), false);
        let edit = Edit {
            file: doc.file,
            span: tree.span(m.node),
            text,
        };
        return unshared(&doc, m.node, vec![edit]);
    }
    if !written_in_service(sources, service, m.origin) {
        // Written in another service's mapping (reached through `<<` or `extends`), which
        // removing it would change too.
        return Err(format!(
            "the tmpfs mount at `{}` is written outside this service, in a mapping it merges \
             or extends, where removing it would change every service that uses that mapping: \
             give the service a `tmpfs` of its own without it, and mount `{spec}`, by hand",
            m.target.raw
        ));
    }
    let parent = tree.parent(m.node).ok_or_else(failed)?;
    let items = tree.items(parent).map(<[_]>::len);
    let line_of = |span: Span| whole_lines(doc.text, span);
    let removed = match items {
        // One of several items: its line.
        Some(n) if n > 1 => line_of(tree.span(m.node)).ok_or_else(failed)?,
        // The only item, or `tmpfs: /path`: the whole key.
        _ => {
            let value = if items.is_some() { parent } else { m.node };
            let map = tree.parent(value).ok_or_else(failed)?;
            let entry = tree.entry_of(map, value).ok_or_else(failed)?;
            if tree.in_flow(entry.key) {
                return Err(failed());
            }
            let key = tree.span(entry.key);
            let whole = Span::new(key.start, tree.span(entry.value).end.max(key.end));
            line_of(whole).ok_or_else(failed)?
        }
    };
    let mut edits = vec![Edit {
        file: doc.file,
        span: removed,
        text: String::new(),
    }];
    let long = service
        .mounts
        .iter()
        .rev()
        .find(|x| !x.from_tmpfs_key)
        .is_some_and(|x| {
            sources
                .get(x.origin.file.0 as usize)
                .is_some_and(|s| s.tree.is_mapping(x.node))
        });
    if long {
        return Err(failed());
    }
    for e in add_volume_item(
        sources,
        service,
        Value::Raw(scalar_text(spec, false, false)),
    )? {
        // Added at the end of the removed lines: one edit replaces them.
        if e.file == doc.file && e.span.is_empty() && removed.contains(e.span) {
            let eol = if doc.text[removed.start..removed.end].ends_with("\r\n") {
                "\r\n"
            } else {
                "\n"
            };
            let body = e.text.strip_prefix(eol).unwrap_or(&e.text);
            let ends_line = removed.end > removed.start && doc.text[..removed.end].ends_with('\n');
            edits[0].text = format!("{body}{}", if ends_line { eol } else { "" });
        } else {
            edits.push(e);
        }
    }
    unshared(&doc, m.node, edits)
}

/// The whole lines `span` is written on, line break included, when nothing else is written on
/// them but a sequence dash and a comment.
fn whole_lines(text: &str, span: Span) -> Option<Span> {
    let start = super::style::line_start(text, span.start);
    let end = super::style::line_end(text, span.end);
    let before = &text[start..span.start];
    if !before
        .trim_start()
        .trim_start_matches('-')
        .trim()
        .is_empty()
    {
        return None;
    }
    let after = text[span.end..end].trim();
    if !(after.is_empty() || after.starts_with('#')) {
        return None;
    }
    let next = text[end..]
        .strip_prefix("\r\n")
        .or_else(|| text[end..].strip_prefix('\n'))
        .map_or(end, |rest| text.len() - rest.len());
    Some(Span::new(start, next))
}

/// Remove environment variable `var` from the service's own `environment`: its line (block),
/// or its item and the comma beside it (flow); the whole `environment` key when it is the only
/// variable there.
pub fn remove_env(
    sources: &[Source<'_>],
    service: &Service,
    var: &crate::compose::EnvVar,
) -> Outcome {
    let name = &var.name.value;
    if var.from_env_file {
        let path = sources
            .get(var.name.origin.file.0 as usize)
            .map_or_else(String::new, |s| s.path.display().to_string());
        return Err(format!(
            "`{name}` comes from the env file `{path}`, which milvet does not rewrite: remove it \
             there"
        ));
    }
    let field = service
        .environment
        .field
        .ok_or("the variable has no `environment`")?;
    if !field.is_own() || var.merged || !written_in_service(sources, service, var.name.origin) {
        return Err(format!(
            "`{name}` comes through an alias, a `<<` merge or `extends` that other services may \
             share: remove it there, or override it with an empty value in this service"
        ));
    }
    let doc = file_doc(sources, var.name.origin.file)?;
    let tree = doc.tree;
    let failed = || format!("cannot remove `{name}` where it is written: remove it by hand");
    let node = tree.resolve(field.value);
    let (flow, items): (bool, Vec<Span>) = match &tree.node(node).kind {
        NodeKind::Sequence { style, items } => (
            *style == CollectionStyle::Flow,
            items.iter().map(|&i| tree.span(i)).collect(),
        ),
        NodeKind::Mapping { style, .. } => (
            *style == CollectionStyle::Flow,
            tree.own_entries(node)
                .unwrap_or(&[])
                .iter()
                .map(|e| {
                    let k = tree.span(e.key);
                    Span::new(k.start, tree.span(e.value).end.max(k.end))
                })
                .collect(),
        ),
        _ => return Err(failed()),
    };
    let at = items
        .iter()
        .position(|s| s.contains(var.name.origin.span))
        .ok_or_else(failed)?;
    let span = if items.len() == 1 {
        // The only variable: the whole `environment` key.
        let key = tree.span(field.key);
        let whole = Span::new(key.start, tree.span(field.value).end.max(key.end));
        if tree.in_flow(field.key) {
            return Err(failed());
        }
        whole_lines(doc.text, whole).ok_or_else(failed)?
    } else if flow {
        match (
            items.get(at + 1),
            at.checked_sub(1).and_then(|p| items.get(p)),
        ) {
            (Some(next), _) => Span::new(items[at].start, next.start),
            (None, Some(prev)) => Span::new(prev.end, items[at].end),
            _ => return Err(failed()),
        }
    } else {
        whole_lines(doc.text, items[at]).ok_or_else(failed)?
    };
    let edit = Edit {
        file: doc.file,
        span,
        text: String::new(),
    };
    // Removing the only variable removes the `environment` key: the service's mapping changes.
    let changed = if items.len() == 1 { service.node } else { node };
    unshared(&doc, changed, vec![edit])
}

/// Remove a command-line argument written at `at` (a whole `--flag` or `--flag=value`) from
/// the service's own `command` or `entrypoint`: its list item, or the word and the blanks before
/// it inside a string.
pub fn remove_arg(
    sources: &[Source<'_>],
    service: &Service,
    at: crate::compose::Origin,
) -> Outcome {
    let command = [&service.command, &service.entrypoint]
        .into_iter()
        .flatten()
        .find(|c| {
            c.args.iter().any(|a| {
                a.origin.file == at.file
                    && (a.origin.span.contains(at.span) || at.span.contains(a.origin.span))
            })
        })
        .ok_or("the flag is not in the service's command")?;
    if !command.field.is_own() {
        return Err(
            "the command comes through an alias, a `<<` merge or `extends`: remove the flag \
             where it is written"
                .into(),
        );
    }
    let doc = file_doc(sources, at.file)?;
    let tree = doc.tree;
    let failed = || "cannot remove the flag where it is written: remove it by hand".to_string();
    let node = tree.resolve(command.node);
    if let NodeKind::Sequence { style, items } = &tree.node(node).kind {
        // A list item of its own?
        if let Some(i) = items.iter().position(|&n| tree.span(n).contains(at.span)) {
            let item = tree.span(items[i]);
            let written = item.slice(doc.text).trim_matches(|c| c == '"' || c == '\'');
            if item == at.span || written == at.span.slice(doc.text) {
                let span = if *style == CollectionStyle::Flow {
                    match (items.get(i + 1), i.checked_sub(1).map(|p| items[p])) {
                        (Some(&next), _) => Span::new(item.start, tree.span(next).start),
                        (None, Some(prev)) => Span::new(tree.span(prev).end, item.end),
                        _ => return Err(failed()),
                    }
                } else {
                    whole_lines(doc.text, item).ok_or_else(failed)?
                };
                let edit = Edit {
                    file: doc.file,
                    span,
                    text: String::new(),
                };
                return unshared(&doc, node, vec![edit]);
            }
        }
    }
    // A word inside a scalar: it and the blanks before it.
    let bytes = doc.text.as_bytes();
    let mut start = at.span.start;
    while start > 0 && bytes[start - 1] == b' ' {
        start -= 1;
    }
    if start == at.span.start || at.span.slice(doc.text).contains(['\\', '\n']) {
        return Err(failed());
    }
    let edit = Edit {
        file: doc.file,
        span: Span::new(start, at.span.end),
        text: String::new(),
    };
    unshared(&doc, node, vec![edit])
}

/// Give the dependencies of `service` the conditions `condition(name)` says (`service_healthy`,
/// `service_started`): a short-form list becomes the long form, with every dependency kept; in
/// the long form only `dependency`'s condition is set.
pub fn set_dependency_condition(
    sources: &[Source<'_>],
    service: &Service,
    dependency: &str,
    condition: &dyn Fn(&str) -> &'static str,
) -> Outcome {
    let field = service
        .fields
        .iter()
        .find(|(n, _)| n == "depends_on")
        .map(|(_, f)| *f)
        .ok_or("the service has no `depends_on`")?;
    if !field.is_own() {
        return Err(
            "`depends_on` comes through an alias, a `<<` merge or `extends`: change it where it \
             is written"
                .into(),
        );
    }
    let doc = file_doc(sources, field.file)?;
    let tree = doc.tree;
    let failed =
        || "cannot rewrite `depends_on` where it is written: change it by hand".to_string();
    let node = tree.resolve(field.value);
    if let Some(items) = tree.items(node) {
        let mut entries = Vec::new();
        for &i in items {
            let name = tree.scalar(i).ok_or_else(failed)?;
            entries.push((
                scalar_text(name, false, false),
                Value::Map(vec![(
                    "condition".to_string(),
                    Value::Raw(condition(name).to_string()),
                )]),
            ));
        }
        let edits = doc.replace_with_block(field.key, field.value, &Value::Map(entries));
        // A block list starts on the next line: one edit from the key's line end replaces it.
        let key_end = super::style::line_end(doc.text, tree.span(field.key).end);
        let edits = match edits.as_slice() {
            [_, insert] if key_end < tree.span(node).start => vec![Edit {
                file: doc.file,
                span: Span::new(key_end, tree.span(node).end),
                text: insert.text.clone(),
            }],
            _ => edits,
        };
        return unshared(&doc, node, edits);
    }
    let entry = tree
        .own_entries(node)
        .unwrap_or(&[])
        .iter()
        .find(|e| tree.scalar(e.key) == Some(dependency))
        .copied()
        .ok_or_else(failed)?;
    let want = condition(dependency);
    let value = tree.resolve(entry.value);
    let edits = if let Some(c) = tree.get(value, "condition") {
        vec![doc.replace_scalar(c, want, false).ok_or_else(failed)?]
    } else if tree.is_null(value) {
        doc.fill_null(
            entry.key,
            entry.value,
            &Value::Map(vec![("condition".into(), Value::Raw(want.into()))]),
        )
    } else {
        vec![
            doc.insert_entry(value, "condition", &Value::Raw(want.into()))
                .ok_or_else(failed)?,
        ]
    };
    unshared(&doc, value, edits)
}

/// Rename environment variable `var` of the service's own `environment` to `new_name`,
/// keeping its value as written: the key of a mapping entry, or the name before `=` of a list
/// item. A variable that comes through an alias, a `<<` merge, `extends` or an env file is not
/// renamed there (others may read it).
pub fn rename_env(
    sources: &[Source<'_>],
    service: &Service,
    var: &crate::compose::EnvVar,
    new_name: &str,
) -> Outcome {
    let name = &var.name.value;
    if var.from_env_file {
        let path = sources
            .get(var.name.origin.file.0 as usize)
            .map_or_else(String::new, |s| s.path.display().to_string());
        return Err(format!(
            "`{name}` comes from the env file `{path}`, which milvet does not rewrite: rename it \
             to `{new_name}` there"
        ));
    }
    let field = service
        .environment
        .field
        .ok_or("the variable has no `environment`")?;
    if !field.is_own() || var.merged || !written_in_service(sources, service, var.name.origin) {
        return Err(format!(
            "`{name}` comes through an alias, a `<<` merge or `extends` that other services may \
             share: set `{new_name}` in this service instead"
        ));
    }
    let doc = file_doc(sources, var.name.origin.file)?;
    let tree = doc.tree;
    let failed = || format!("cannot rename `{name}` where it is written: rename it by hand");
    let node = var.name.node;
    let edit = match service.environment.form {
        EnvForm::Map(_) => doc.replace_scalar(node, new_name, false),
        EnvForm::List(_) => doc.replace_in_scalar(node, 0..name.len(), new_name),
        _ => None,
    }
    .ok_or_else(failed)?;
    let collection = tree.parent(node).ok_or_else(failed)?;
    unshared(&doc, collection, vec![edit])
}
