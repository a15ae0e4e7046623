//! Healthchecks: which programs a healthcheck's test runs, and the test that runs in an image.
//!
//! A test is `["CMD", program, args...]` (run directly), `["CMD-SHELL", script]` or a plain
//! string (run by `/bin/sh -c`, compose-spec: a string is "equivalent to CMD-SHELL"), or
//! `["NONE"]` (disabled).

use super::images::ImageKind;
use super::roles::{Member, Role};
use crate::compose::{Healthcheck, Text, shell};

/// What a healthcheck runs.
#[derive(Clone, Debug)]
pub enum Probe<'a> {
    /// `["CMD", program, ...]`: the program, as written.
    Exec { program: &'a Text },
    /// `CMD-SHELL` or a string: `/bin/sh -c script`, and the programs its commands start.
    Shell {
        script: &'a Text,
        programs: Vec<String>,
    },
    /// `disable: true`, `["NONE"]`, or no test.
    Disabled,
}

/// What a healthcheck's test runs.
pub fn probe(hc: &Healthcheck) -> Probe<'_> {
    if hc.disable {
        return Probe::Disabled;
    }
    match hc.test.as_slice() {
        [] => Probe::Disabled,
        [first, ..] if first.value == "NONE" => Probe::Disabled,
        [first, program, ..] if first.value == "CMD" => Probe::Exec { program },
        [first, script, ..] if first.value == "CMD-SHELL" => shell_probe(script),
        [first] if first.value == "CMD" || first.value == "CMD-SHELL" => Probe::Disabled,
        [script] => shell_probe(script),
        _ => Probe::Disabled,
    }
}

fn shell_probe(script: &Text) -> Probe<'_> {
    let programs = shell::split_script(&script.value)
        .map(|cmds| {
            cmds.iter()
                .filter_map(|words| {
                    words
                        .iter()
                        .find(|w| !w.value.contains('=') || w.value.starts_with('-'))
                        .map(|w| program_name(&w.value).to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    Probe::Shell { script, programs }
}

/// `curl` for `/usr/bin/curl`.
pub fn program_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A healthcheck for a service of the stack, as the official Milvus compose file writes it,
/// with a test that runs in the service's image: the test's words, and the other settings
/// (`interval`, `start_period`, `timeout`, `retries`) in the official order. `Err` says why
/// there is none.
pub fn runnable(member: &Member<'_>) -> Result<Suggested, String> {
    use super::images::Availability::Yes;
    let official = |test: &[&'static str], start: Option<&'static str>| Suggested {
        test: test.to_vec(),
        start_period: start,
    };
    match member.role {
        Role::Etcd(_) => {
            if member.has("etcdctl") != Yes {
                return Err(
                    "the image's programs are not known: write a healthcheck that runs \
                            in it"
                        .into(),
                );
            }
            Ok(official(&["CMD", "etcdctl", "endpoint", "health"], None))
        }
        Role::Minio { .. } => {
            if member.has("mc") == Yes {
                Ok(official(&["CMD", "mc", "ready", "local"], None))
            } else if member.has("curl") == Yes {
                Ok(official(
                    &[
                        "CMD",
                        "curl",
                        "-f",
                        "http://localhost:9000/minio/health/live",
                    ],
                    None,
                ))
            } else {
                Err(match member.image {
                    Some(ImageKind::MinioOfficial) => "this MinIO image has neither a usable `mc` \
                        nor `curl` on every platform: move to RELEASE.2024-09-13T20-26-02Z or \
                        later and use `[\"CMD\", \"mc\", \"ready\", \"local\"]`"
                        .into(),
                    _ => "the image's programs are not known: write a healthcheck that runs in it"
                        .into(),
                })
            }
        }
        Role::Milvus(_) if member.has("curl") == Yes => Ok(official(
            &["CMD", "curl", "-f", "http://localhost:9091/healthz"],
            Some("90s"),
        )),
        _ => Err("the image's programs are not known: write a healthcheck that runs in it".into()),
    }
}

/// A healthcheck milvet can write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggested {
    pub test: Vec<&'static str>,
    pub start_period: Option<&'static str>,
}

impl Suggested {
    /// The test as a YAML flow sequence: `["CMD", "etcdctl", "endpoint", "health"]`.
    pub fn test_yaml(&self) -> String {
        let words: Vec<String> = self.test.iter().map(|w| format!("\"{w}\"")).collect();
        format!("[{}]", words.join(", "))
    }
}

/// Whether a service's healthcheck can pass in its image: it has one, it is not disabled, and
/// nothing it runs is known to be missing (on this platform or on some hosts).
pub fn can_pass(member: &Member<'_>) -> bool {
    use super::images::Availability::{Unknown, Yes};
    let here = |a| matches!(a, Yes | Unknown);
    let Some(hc) = &member.service.healthcheck else {
        return false;
    };
    match probe(hc) {
        Probe::Disabled => false,
        Probe::Exec { program } => here(member.has(program_name(&program.value))),
        Probe::Shell { programs, .. } => {
            here(member.has_shell()) && programs.iter().all(|p| here(member.has(p)))
        }
    }
}
