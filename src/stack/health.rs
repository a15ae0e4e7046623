//! Healthchecks: which programs a healthcheck's test runs, and the test that runs in an image.
//!
//! A test is `["CMD", program, args...]` (run directly), `["CMD-SHELL", script]` or a plain
//! string (run by `/bin/sh -c`, compose-spec: a string is "equivalent to CMD-SHELL"), or
//! `["NONE"]` (disabled).

use super::images::ImageKind;
use super::minio::{DEFAULT_API_PORT, Flavor, Listen, Minio};
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
    let official = |test: &[&str], start: Option<&'static str>| Suggested {
        test: test.iter().map(|w| w.to_string()).collect(),
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
        Role::Minio(flavor) => {
            let listen = Minio::detect(member.service).map(|m| m.listen());
            let product = flavor.product();
            if let Some(l) = &listen
                && let Some((written, _)) = &l.written
                && l.port.is_none()
            {
                return Err(format!(
                    "{product} listens on `{written}`, whose port milvet cannot tell: write a \
                     test against that port"
                ));
            }
            if let Some(l) = &listen
                && l.scheme_unknown()
            {
                return Err(format!(
                    "`MINIO_SCHEME=https` is set but no certificates directory is mounted at \
                     `{}`: whether {product} serves HTTPS cannot be told; mount the \
                     certificates there, or write a test against the scheme it serves",
                    super::minio::BITNAMI_CERTS_DIR
                ));
            }
            let custom = listen.as_ref().is_some_and(Listen::not_default);
            // `mc ready local` probes the `local` alias: http://localhost:9000, or what
            // bitnami's set-up writes there.
            let mc_reaches = listen
                .as_ref()
                .is_none_or(|l| l.mc_local_reaches() || l.port.is_none());
            let (scheme, port) = listen.as_ref().map_or(("http", DEFAULT_API_PORT), |l| {
                (l.scheme(), l.port.unwrap_or(DEFAULT_API_PORT))
            });
            let (host, path) = match flavor {
                Flavor::Rustfs => ("127.0.0.1", "/health"),
                _ => ("localhost", "/minio/health/live"),
            };
            let url = format!("{scheme}://{host}:{port}{path}");
            let curl = |url: &str| {
                let mut test = vec!["CMD", "curl", "-f"];
                if scheme == "https" {
                    // A certificate for the service's name does not match `localhost`.
                    test.push("-k");
                }
                test.push(url);
                official(&test, None)
            };
            if mc_reaches && member.has("mc") == Yes {
                Ok(official(&["CMD", "mc", "ready", "local"], None))
            } else if member.has("curl") == Yes {
                Ok(curl(&url))
            } else if custom || !mc_reaches {
                let alias = listen
                    .as_ref()
                    .and_then(|l| l.mc_local.clone())
                    .map_or_else(
                        || "its `local` alias".to_string(),
                        |(s, p)| format!("{s}://localhost:{p}"),
                    );
                Err(format!(
                    "`mc ready local` probes {alias}, and this {product} serves \
                     {}; the image has no `curl` on every platform: write a test against \
                     `{url}` with a program the image has",
                    listen.as_ref().map_or_else(String::new, Listen::describe)
                ))
            } else {
                Err(match member.image {
                    Some(ImageKind::MinioOfficial) => "this MinIO image has neither a usable `mc` \
                        nor `curl` on every platform: move to RELEASE.2024-09-13T20-26-02Z or \
                        later and use `[\"CMD\", \"mc\", \"ready\", \"local\"]`"
                        .into(),
                    Some(ImageKind::Rustfs) => "this RustFS image has no `curl` (it is in the \
                        image from 1.0.0-alpha.65): move to a later release and use \
                        `[\"CMD\", \"curl\", \"-f\", \"http://127.0.0.1:9000/health\"]`"
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
    pub test: Vec<String>,
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

/// What a healthcheck's test probes on the object store's own API, when it probes the
/// address `mc ready local` or an HTTP client is pointed at inside the container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// `http` or `https`.
    pub scheme: String,
    pub port: u16,
    /// The test words that name it (`mc ready local`, the URL), for messages.
    pub written: String,
}

/// The endpoints on the container itself (`localhost`, `127.0.0.1`, `[::1]`) that a
/// healthcheck's test probes: `mc ready local` (alias `local`, `http://localhost:9000` in
/// mc's default configuration, unless the service sets `MC_HOST_local`), and the URLs given
/// to curl or wget.
pub fn probed_endpoints(member: &Member<'_>) -> Vec<Endpoint> {
    let Some(hc) = &member.service.healthcheck else {
        return Vec::new();
    };
    let commands: Vec<Vec<String>> = match probe(hc) {
        Probe::Disabled => return Vec::new(),
        Probe::Exec { program } => {
            let words: Vec<String> = hc.test[1..].iter().map(|t| t.value.clone()).collect();
            // `["CMD", "sh", "-c", "curl ..."]`: the script's commands.
            match (
                program_name(&program.value),
                words.get(1).map(String::as_str),
            ) {
                ("sh" | "bash" | "ash" | "dash", Some("-c")) => {
                    words.get(2).map_or_else(Vec::new, |s| script_commands(s))
                }
                _ => vec![words],
            }
        }
        Probe::Shell { script, .. } => script_commands(&script.value),
    };
    let mc_host_local = member
        .service
        .environment
        .value("MC_HOST_local")
        .is_some_and(|t| !t.value.is_empty());
    // Where the `local` alias points (bitnami's set-up moves it); unknown: not judged. Only
    // asked when a test runs `mc ready local`.
    let mc_local = || {
        Minio::detect(member.service).map_or(
            Some(("http".to_string(), super::minio::DEFAULT_API_PORT)),
            |m| m.listen().mc_local,
        )
    };
    let mut out = Vec::new();
    for words in commands {
        let Some(program) = words.first().map(|w| program_name(w)) else {
            continue;
        };
        match program {
            "mc" if !mc_host_local => {
                let args: Vec<&str> = words[1..]
                    .iter()
                    .map(String::as_str)
                    .filter(|w| !w.starts_with('-'))
                    .collect();
                if args.first() == Some(&"ready")
                    && args.get(1) == Some(&"local")
                    && let Some((scheme, port)) = mc_local()
                {
                    out.push(Endpoint {
                        scheme,
                        port,
                        written: "mc ready local".into(),
                    });
                }
            }
            "curl" | "wget" => {
                out.extend(words[1..].iter().filter_map(|w| local_url(w)));
            }
            _ => {}
        }
    }
    out
}

/// The simple commands of a shell script, as words.
fn script_commands(script: &str) -> Vec<Vec<String>> {
    shell::split_script(script)
        .map(|cmds| {
            cmds.into_iter()
                .map(|c| c.into_iter().map(|w| w.value).collect())
                .collect()
        })
        .unwrap_or_default()
}

/// A `http(s)://localhost[:PORT]/...` URL's scheme and port.
fn local_url(word: &str) -> Option<Endpoint> {
    let (scheme, rest) = word.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        (h, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if !matches!(host, "localhost" | "127.0.0.1" | "::1" | "0.0.0.0") {
        return None;
    }
    let port = match port {
        Some(p) => p.parse().ok()?,
        None => default,
    };
    Some(Endpoint {
        scheme,
        port,
        written: word.to_string(),
    })
}

/// The object store's own endpoint a healthcheck probes and cannot reach there: the server
/// listens on another port, or serves HTTPS (certificates mounted) where the test speaks
/// HTTP. With the address it really listens on.
pub fn misses_server(member: &Member<'_>) -> Option<(Endpoint, Listen)> {
    if !member.is_minio() {
        return None;
    }
    let listen = Minio::detect(member.service)?.listen();
    let port = listen.port?;
    let default_alias = Some(("http".to_string(), DEFAULT_API_PORT));
    if listen.scheme_unknown() || (!listen.not_default() && listen.mc_local == default_alias) {
        // Only a server moved off the default can be missed by a test written for it.
        return None;
    }
    let endpoints = probed_endpoints(member);
    // A test that probes the right address somewhere (`curl ... :9001 || ...`) is not judged.
    if endpoints
        .iter()
        .any(|e| e.port == port && e.scheme == listen.scheme())
    {
        return None;
    }
    let missed = endpoints
        .into_iter()
        .find(|e| e.port == DEFAULT_API_PORT || e.port == port)?;
    Some((missed, listen))
}
