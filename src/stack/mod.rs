//! What the programs of a Milvus stack make of a service's configuration.
//!
//! The Compose model says what a file declares; this module knows how etcd ([`etcd`]) and
//! MinIO ([`minio`]) read it: which process a container runs, which flags and variables it
//! honours and in what order, and where it keeps its data. Rules ask these questions in domain
//! words and never parse commands themselves. [`roles`] says once what every service of a
//! project is (etcd, MinIO, a Milvus role, a message queue), with its image's [`version`] and
//! what the image contains ([`images`]).

pub mod etcd;
pub mod health;
pub mod images;
mod images_data;
pub mod milvus;
mod milvus_env_raw;
pub mod minio;
pub mod network;
pub mod releases;
mod releases_raw;
pub mod roles;
pub mod version;

use crate::compose::{Arg, Origin, Service, shell};
use crate::source::Span;
use std::borrow::Cow;

/// The container paths of the configuration files a service's program reads and a project may
/// bind-mount from the host ([`crate::mounted`] reads them): a Milvus service's
/// `milvus.yaml` and `user.yaml`, and the config file etcd reads. Each program adds its own
/// here, once.
pub fn mounted_paths(service: &Service) -> Vec<String> {
    // `config_paths` is empty exactly when the service does not run Milvus.
    let mut paths = milvus::config_paths(service);
    let embedded = if paths.is_empty() {
        None
    } else {
        milvus::embedded_etcd_config_path_of_milvus(service)
    };
    paths.extend(etcd::config_paths(service));
    paths.extend(embedded);
    paths.dedup();
    paths
}

/// One program started by a container: its arguments, the program first.
#[derive(Clone, Debug)]
pub struct Invocation<'a> {
    /// The service's own arguments when they are written as one list (an `entrypoint` or a
    /// `command` alone), else a copy.
    pub args: Cow<'a, [Arg]>,
    /// Whether it was found inside a `sh -c` script.
    pub in_script: bool,
}

impl Invocation<'_> {
    /// The program's file name (`etcd` for `/usr/local/bin/etcd`).
    pub fn program(&self) -> Option<&str> {
        self.args
            .first()
            .map(|a| a.value.rsplit('/').next().unwrap_or(&a.value))
    }
}

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "busybox"];

/// The programs a service's container starts, as far as its `entrypoint` and `command` tell:
/// the entrypoint followed by the command, or, for a `sh -c` script, each simple command of the
/// script. Empty when the service relies on the image's defaults.
pub fn invocations(service: &Service) -> Vec<Invocation<'_>> {
    let entrypoint = service.entrypoint.as_ref().map_or(&[][..], |e| &e.args[..]);
    let command = service.command.as_ref().map_or(&[][..], |c| &c.args[..]);
    let argv: Cow<'_, [Arg]> = match (entrypoint, command) {
        ([], []) => return Vec::new(),
        (args, []) | ([], args) => Cow::Borrowed(args),
        (e, c) => Cow::Owned([e, c].concat()),
    };
    let program = argv[0].value.rsplit('/').next().unwrap_or("");
    if SHELLS.contains(&program) {
        // sh [-opts] -c SCRIPT ...
        let c_flag = argv
            .iter()
            .skip(1)
            .position(|a| a.value.starts_with('-') && a.value.contains('c'));
        if let Some(pos) = c_flag
            && let Some(script) = argv.get(pos + 2)
        {
            return script_invocations(script);
        }
    }
    vec![Invocation {
        args: strip_prefixes(argv),
        in_script: false,
    }]
}

/// The simple commands of a `sh -c` script, each word placed inside the script argument.
fn script_invocations(script: &Arg) -> Vec<Invocation<'static>> {
    let Ok(commands) = shell::split_script(&script.value) else {
        return Vec::new();
    };
    commands
        .into_iter()
        .map(|words| {
            let args = words
                .into_iter()
                .map(|w| {
                    let whole = script.sub_origin(w.span.clone());
                    Arg::from_parts(
                        w.value.clone(),
                        whole,
                        script.node,
                        script.offsets().map(|o| {
                            w.map
                                .iter()
                                .map(|&i| o.get(i).copied().unwrap_or(whole.span.end))
                                .collect()
                        }),
                    )
                })
                .collect();
            Invocation {
                args: strip_prefixes(Cow::Owned(args)),
                in_script: true,
            }
        })
        .collect()
}

/// Drop `exec`, `env` and leading `NAME=value` assignments before the program.
fn strip_prefixes(args: Cow<'_, [Arg]>) -> Cow<'_, [Arg]> {
    let skip = args
        .iter()
        .take_while(|a| {
            a.value == "exec"
                || a.value == "env"
                || a.value.split_once('=').is_some_and(|(k, _)| {
                    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                })
        })
        .count();
    match args {
        _ if skip == 0 => args,
        Cow::Borrowed(a) => Cow::Borrowed(&a[skip..]),
        Cow::Owned(mut a) => {
            a.drain(..skip);
            Cow::Owned(a)
        }
    }
}

/// A flag's value found among a program's arguments.
#[derive(Clone, Debug)]
pub struct FlagValue {
    pub value: String,
    /// Where the value is written (just the value part of `--flag=value`).
    pub origin: Origin,
    /// The whole flag: `--flag=value`, or `--flag` and its value argument.
    pub flag: Origin,
    /// The variables the argument holding the value reads.
    pub vars: Vec<crate::compose::VarUse>,
    /// The alias or merge the argument came through.
    pub via: Option<Box<crate::compose::Via>>,
}

impl FlagValue {
    fn deciding(&self) -> Option<(&crate::compose::VarUse, Origin)> {
        self.vars.iter().find_map(|v| match &v.var {
            Some(crate::compose::Var {
                origin: crate::compose::VarOrigin::File(o),
                ..
            }) if !v.used_operand => Some((v, *o)),
            _ => None,
        })
    }

    /// Where a finding about the value points: the env file line of a variable that decided
    /// it, else the value.
    pub fn place(&self) -> Origin {
        match (self.deciding(), &self.via) {
            (Some((_, o)), _) => o,
            (None, Some(via)) => via.at,
            (None, None) => self.origin,
        }
    }

    pub fn explain(&self) -> Vec<(Origin, String)> {
        let mut out = Vec::new();
        if let Some((v, _)) = self.deciding() {
            out.push((v.reference, format!("`{}` read here", v.name)));
        }
        if let Some(via) = &self.via {
            out.push((
                self.origin,
                match &via.anchor {
                    Some(a) => format!("written here, in anchor `&{a}`"),
                    None => "written here, merged with `<<`".to_string(),
                },
            ));
        }
        out
    }
}

/// The value of a Go-style flag (`-name value`, `--name value`, `-name=value`, `--name=value`)
/// in `args` (the program excluded); the last occurrence wins, as in Go's flag package.
/// Parsing stops at `--` or at the first argument that is not a flag.
pub fn go_flag(args: &[Arg], name: &str, boolean_flags: &[&str]) -> Option<FlagValue> {
    let mut found = None;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a.value == "--" || !a.value.starts_with('-') || a.value == "-" {
            break;
        }
        let body = a.value.trim_start_matches('-');
        let dashes = a.value.len() - body.len();
        if dashes > 2 {
            break;
        }
        let (flag_name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (body, None),
        };
        if flag_name == name {
            match inline {
                Some(v) => {
                    let start = dashes + flag_name.len() + 1;
                    found = Some(FlagValue {
                        value: v.to_string(),
                        origin: if v.is_empty() {
                            Origin {
                                file: a.origin.file,
                                span: Span::empty(a.origin.span.end),
                            }
                        } else {
                            a.sub_origin(start..a.value.len())
                        },
                        flag: a.origin,
                        vars: a.vars.clone(),
                        via: a.via.clone(),
                    });
                }
                None => {
                    if let Some(v) = args.get(i + 1) {
                        found = Some(FlagValue {
                            value: v.value.clone(),
                            // Inside the argument's quotes, when it has them.
                            origin: v.sub_origin(0..v.value.len()),
                            flag: Origin {
                                file: a.origin.file,
                                span: a.origin.span.join(v.origin.span),
                            },
                            vars: v.vars.clone(),
                            via: v.via.clone(),
                        });
                        i += 1;
                    }
                }
            }
        } else if inline.is_none()
            && !boolean_flags.contains(&flag_name)
            && args.get(i + 1).is_some_and(|n| !n.value.starts_with('-'))
        {
            i += 1; // skip the value of another flag
        }
        i += 1;
    }
    found
}

#[cfg(test)]
mod tests;

/// The shell a service's container starts first (`sh -c ...`, `/bin/bash`), as the first word
/// of its `entrypoint` and `command`: the argument naming it.
pub fn starts_shell(service: &Service) -> Option<&Arg> {
    let first = service
        .entrypoint
        .as_ref()
        .and_then(|e| e.args.first())
        .or_else(|| service.command.as_ref().and_then(|c| c.args.first()))?;
    let program = first.value.rsplit('/').next().unwrap_or("");
    SHELLS.contains(&program).then_some(first)
}
