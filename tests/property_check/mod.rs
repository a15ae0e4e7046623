//! The property `--fix --unsafe-fixes` must have on one text, shared by `tests/fix_property.rs`
//! and the `fix` fuzz target: fixing either refuses, or gives a text that loads with a YAML 1.2
//! loader (saphyr) with no tag on a value of another type that the original did not have,
//! resolves (aliases expanded, `<<` merged, as Docker Compose reads YAML) to the same
//! configuration for every service that no applied fix names, and fixes to itself.

#![allow(dead_code)]

use milvet::check::{Options, check_text, fix_text};
use milvet::diagnostic::{Applicability, Diagnostic};
use milvet::discover::FileKind;
use milvet::fix::FixPolicy;
use milvet::yaml::{self, Limits};
use saphyr::{LoadableYamlNode, Scalar, Yaml};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// A YAML value as Docker Compose's reader resolves it: aliases expanded (saphyr does), `<<`
/// merged (own keys first, then each merged mapping in order), tags read past.
pub fn resolve(y: &Yaml) -> Result<Value, String> {
    Ok(match y {
        Yaml::Value(s) => match s {
            Scalar::Null => Value::Null,
            Scalar::Boolean(b) => Value::Bool(*b),
            Scalar::Integer(i) => Value::from(*i),
            Scalar::FloatingPoint(f) => Value::String(f.to_string()),
            Scalar::String(s) => Value::String(s.to_string()),
        },
        Yaml::Representation(s, _, _) => Value::String(s.to_string()),
        Yaml::Sequence(items) => Value::Array(items.iter().map(resolve).collect::<Result<_, _>>()?),
        Yaml::Mapping(m) => {
            let mut own = Map::new();
            let mut merged: Vec<Value> = Vec::new();
            for (k, v) in m {
                let key = match resolve(k)? {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                let value = resolve(v)?;
                if key == "<<" {
                    match value {
                        Value::Array(items) => merged.extend(items),
                        v => merged.push(v),
                    }
                } else {
                    own.insert(key, value);
                }
            }
            for m in merged {
                let Value::Object(m) = m else {
                    return Err("a `<<` merge of something that is not a mapping".into());
                };
                for (k, v) in m {
                    own.entry(k).or_insert(v);
                }
            }
            Value::Object(own)
        }
        Yaml::Tagged(_, inner) => resolve(inner)?,
        Yaml::Alias(_) => return Err("an alias saphyr did not resolve".into()),
        Yaml::BadValue => return Err("a value its tag does not fit".into()),
    })
}

/// Each document's services, resolved, by name.
pub fn resolved_services(text: &str) -> Result<Vec<BTreeMap<String, Value>>, String> {
    let docs = Yaml::load_from_str(text).map_err(|e| format!("saphyr: {e}"))?;
    docs.iter()
        .map(|d| {
            let v = resolve(d)?;
            Ok(match v.get("services") {
                Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                _ => BTreeMap::new(),
            })
        })
        .collect()
}

pub fn mistyped(text: &str) -> usize {
    yaml::parse(text, &Limits::default())
        .map_or(0, |t| milvet::fix::yaml_edit::mistyped_tags(&t).len())
}

/// The services the fixes that apply name.
pub fn named(diagnostics: &[Diagnostic]) -> BTreeSet<String> {
    diagnostics
        .iter()
        .filter(|d| {
            d.fix.as_ref().is_some_and(|f| {
                f.applicability != Applicability::Unavailable && !f.edits.is_empty()
            })
        })
        .filter_map(|d| d.service.clone())
        .collect()
}

/// What became of one text; `Err` when the property does not hold.
pub fn property(text: &str, options: &Options) -> Result<(&'static str, Option<String>), String> {
    let policy = FixPolicy { unsafe_fixes: true };
    let Ok(initial) = check_text(text, FileKind::Compose, options) else {
        return Ok(("does not check", None));
    };
    let Ok(before) = resolved_services(text) else {
        return Ok(("saphyr refuses the original", None));
    };
    let (fixed, remaining) = match fix_text(text, options, policy) {
        Err(_) => return Ok(("fix refused", None)),
        Ok(f) if f.texts[0] == text => return Ok(("nothing to fix", None)),
        Ok(f) => (f.texts[0].clone(), f.diagnostics),
    };
    let after = resolved_services(&fixed).map_err(|e| format!("the fixed text: {e}"))?;
    if mistyped(&fixed) > mistyped(text) {
        return Err("the fixed text has a tag on a value of another type".into());
    }
    if before.len() != after.len() {
        return Err("the fixed text has another number of documents".into());
    }
    // The services of the findings a fix was applied for: those with a fix at the start, and
    // those with fewer findings at the end (a fix that became applicable in a later pass).
    let mut named = named(&initial);
    let count = |ds: &[Diagnostic], s: &str| {
        ds.iter()
            .filter(|d| d.service.as_deref() == Some(s))
            .count()
    };
    for d in &initial {
        if let Some(s) = &d.service
            && count(&remaining, s) < count(&initial, s)
        {
            named.insert(s.clone());
        }
    }
    for (b, a) in before.iter().zip(&after) {
        for (name, was) in b {
            if named.contains(name) {
                continue;
            }
            match a.get(name) {
                Some(now) if same(now, was) => {}
                now => {
                    return Err(format!(
                        "service `{name}`, which no fix names, changed:\n  was {was}\n  now {}",
                        now.map_or("(gone)".into(), Value::to_string)
                    ));
                }
            }
        }
        if let Some(extra) = a.keys().find(|k| !b.contains_key(*k)) {
            return Err(format!("the fixed text has a new service `{extra}`"));
        }
    }
    match fix_text(&fixed, options, policy) {
        Ok(twice) if twice.texts[0] == fixed => Ok(("fixed", Some(fixed))),
        Ok(twice) => Err(format!(
            "a second run changes the text:\n--- once\n{fixed}\n--- twice\n{}",
            twice.texts[0]
        )),
        Err(e) => Err(format!("fixing the fixed text fails: {e}")),
    }
}

/// Whether two resolved values are equal, an empty string and null being the same: saphyr
/// 0.0.12 loads an anchored empty node (`key: &a`) as `""`, where YAML 1.2 (and Docker
/// Compose) read null, and a copy of it is written `null`.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::String(s)) | (Value::String(s), Value::Null) => s.is_empty(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, a), (kb, b))| ka == kb && same(a, b))
        }
        _ => a == b,
    }
}
