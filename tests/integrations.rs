//! The GitHub Action's steps (scripts/github-action.sh, as action.yml runs them), the README's
//! GitHub Actions and GitLab CI snippets, shell completions, the man page and the rule list.

mod common;

use common::{TempDir, readme_snippet, tool};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn milvet_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_milvet"))
}

/// YAML read by Python's PyYAML (installed with pre-commit), as JSON.
fn yaml(python: &Path, text: &str) -> Value {
    let t = TempDir::new("yaml");
    let file = t.write("in.yaml", text);
    let out = Command::new(python)
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        ])
        .arg(&file)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn script() -> PathBuf {
    root().join("scripts/github-action.sh")
}

/// Run the action's script with `env`, in `dir`.
fn action(dir: &Path, step: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg(script()).arg(step).current_dir(dir);
    for k in [
        "MILVET_VERSION",
        "MILVET_SOURCE",
        "MILVET_PATHS",
        "MILVET_CONFIG",
        "MILVET_FAIL_ON",
        "MILVET_SARIF_FILE",
        "GITHUB_OUTPUT",
        "NO_COLOR",
    ] {
        cmd.env_remove(k);
    }
    cmd.env("MILVET", milvet_bin());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run the action script")
}

fn faulty(t: &TempDir) {
    t.write("deploy/compose.yaml", common::ETCD_NOT_PERSISTED);
    t.write(
        "clean/compose.yaml",
        "services:\n  web:\n    image: nginx:1.27\n",
    );
}

/// action.yml as JSON, when Python is there.
fn action_yml() -> Option<Value> {
    let python = tool("python")?;
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    Some(yaml(&python, &text))
}

#[test]
fn action_yml_runs_the_script_with_its_inputs() {
    let Some(a) = action_yml() else { return };
    let inputs: Vec<&str> = a["inputs"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    let mut sorted = inputs.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["config", "fail-on", "paths", "sarif-file", "version"]
    );
    assert_eq!(a["runs"]["using"], "composite");
    let steps = a["runs"]["steps"].as_array().unwrap();
    assert_eq!(
        steps
            .iter()
            .map(|s| s["run"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [
            "\"$GITHUB_ACTION_PATH/scripts/github-action.sh\" install",
            "\"$GITHUB_ACTION_PATH/scripts/github-action.sh\" run"
        ]
    );
    // Every input reaches the script as a variable, never pasted into the command.
    let env: Vec<(String, String)> = steps
        .iter()
        .flat_map(|s| s["env"].as_object().unwrap().clone())
        .map(|(k, v)| (k, v.as_str().unwrap().to_string()))
        .collect();
    for input in inputs {
        let var = format!("MILVET_{}", input.to_uppercase().replace('-', "_"));
        assert!(
            env.contains(&(var.clone(), format!("${{{{ inputs.{input} }}}}"))),
            "{var} not set from inputs.{input}: {env:?}"
        );
    }
    assert_eq!(
        a["outputs"]["sarif-file"]["value"],
        "${{ steps.check.outputs.sarif-file }}"
    );
}

#[test]
fn the_run_step_writes_sarif_annotates_and_fails_on_findings() {
    let t = TempDir::new("action-run");
    faulty(&t);
    let output = t.path("github-output");
    let out = action(
        &t.root,
        "run",
        &[
            ("MILVET_PATHS", "deploy clean"),
            ("MILVET_SARIF_FILE", "report.sarif"),
            ("GITHUB_OUTPUT", output.to_str().unwrap()),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout
            .lines()
            .map(|l| l.split("::").nth(1).unwrap())
            .collect::<Vec<_>>(),
        [
            "error file=deploy/compose.yaml,line=7,col=30,endLine=7,endColumn=35,title=milvet etcd-data-not-persisted"
        ]
    );
    let sarif: Value = serde_json::from_str(&t.read("report.sarif")).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "deploy/compose.yaml"
    );
    assert_eq!(
        t.read("github-output"),
        "sarif-file=report.sarif\nexit-code=1\n"
    );
    // A clean tree passes; the default paths are `.`.
    let out = action(&t.root, "run", &[("MILVET_PATHS", "clean")]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stdout.is_empty());
    let sarif: Value = serde_json::from_str(&t.read("milvet.sarif")).unwrap();
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
    let out = action(&t.root, "run", &[]);
    assert_eq!(out.status.code(), Some(1));
    // A file that cannot be checked: exit 2, annotated.
    t.write("broken/compose.yaml", "services: [\n");
    let out = action(&t.root, "run", &[("MILVET_PATHS", "broken")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with("::error file=broken/compose.yaml,line=1,col=11,")
    );
}

/// A program that records its arguments, one a line, in `log`.
fn recorder(t: &TempDir, name: &str, log: &Path) -> PathBuf {
    let path = t.write(
        name,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done >> {}\necho --- >> {}\n",
            log.display(),
            log.display()
        ),
    );
    Command::new("chmod").arg("+x").arg(&path).status().unwrap();
    path
}

#[test]
fn the_run_step_passes_config_fail_on_and_paths_as_words() {
    let t = TempDir::new("action-args");
    let log = t.path("log");
    let fake = recorder(&t, "fake-milvet", &log);
    let out = action(
        &t.root,
        "run",
        &[
            ("MILVET", fake.to_str().unwrap()),
            ("MILVET_PATHS", " a  b*  "),
            ("MILVET_CONFIG", "ci/milvet.toml"),
            ("MILVET_FAIL_ON", "error"),
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let calls = t.read("log");
    assert_eq!(
        calls,
        "check\n--format\nsarif\n--config\nci/milvet.toml\n--fail-on\nerror\n--\na\nb*\n---\n\
         check\n--format\ngithub\n--config\nci/milvet.toml\n--fail-on\nerror\n--\na\nb*\n---\n"
    );
}

#[test]
fn the_install_step_runs_cargo_install_locked() {
    let t = TempDir::new("action-install");
    let log = t.path("log");
    let fake = recorder(&t, "fake-cargo", &log);
    let cargo = fake.to_str().unwrap();
    let out = action(&t.root, "install", &[("CARGO", cargo)]);
    assert!(out.status.success(), "{out:?}");
    let out = action(
        &t.root,
        "install",
        &[("CARGO", cargo), ("MILVET_SOURCE", "/action")],
    );
    assert!(out.status.success(), "{out:?}");
    let out = action(
        &t.root,
        "install",
        &[("CARGO", cargo), ("MILVET_VERSION", "0.1.0")],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        t.read("log"),
        format!(
            "install\n--locked\n--path\n{}\n---\ninstall\n--locked\n--path\n/action\n---\n\
             install\n--locked\nmilvet\n--version\n0.1.0\n---\n",
            root().display()
        )
    );
}

#[test]
fn readme_github_workflow_uses_the_action_as_it_is() {
    let Some(python) = tool("python") else { return };
    let Some(a) = action_yml() else { return };
    let workflow = yaml(&python, &readme_snippet("github-actions"));
    assert_eq!(workflow["permissions"]["security-events"], "write");
    let steps = workflow["jobs"]["milvet"]["steps"].as_array().unwrap();
    let ours = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("milvet/milvet@"))
        })
        .expect("the workflow uses the action");
    let with = ours["with"].as_object().unwrap();
    for k in with.keys() {
        assert!(
            a["inputs"].get(k).is_some(),
            "`{k}` is not an input of action.yml"
        );
    }
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("the workflow uploads SARIF");
    assert_eq!(upload["if"], "always()");
    assert_eq!(upload["with"]["sarif_file"], with["sarif-file"]);
    // The action's run step with the snippet's inputs writes the file the upload reads.
    let t = TempDir::new("action-readme");
    faulty(&t);
    let env: Vec<(String, String)> = with
        .iter()
        .map(|(k, v)| {
            (
                format!("MILVET_{}", k.to_uppercase().replace('-', "_")),
                v.as_str().unwrap().to_string(),
            )
        })
        .collect();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let out = action(&t.root, "run", &env);
    assert_eq!(out.status.code(), Some(1));
    let sarif: Value =
        serde_json::from_str(&t.read(upload["with"]["sarif_file"].as_str().unwrap())).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);
}

#[test]
fn readme_gitlab_job_fails_on_findings_and_leaves_a_junit_report() {
    let Some(python) = tool("python") else { return };
    let job = &yaml(&python, &readme_snippet("gitlab-ci"))["milvet"];
    assert_eq!(job["artifacts"]["when"], "always");
    let report = job["artifacts"]["reports"]["junit"].as_str().unwrap();
    let lines = |key: &str| -> Vec<String> {
        job[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_string())
            .collect()
    };
    let script = lines("script");
    assert!(script[0].starts_with("cargo install --locked "));
    // Run the rest as GitLab does (one shell, stopping at the first failure), milvet on PATH.
    let bin_dir = milvet_bin().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let sh = |dir: &Path, lines: &[String]| {
        Command::new("bash")
            .arg("-ec")
            .arg(lines.join("\n"))
            .current_dir(dir)
            .env("PATH", &path)
            .output()
            .unwrap()
    };
    let t = TempDir::new("gitlab");
    faulty(&t);
    let out = sh(&t.root, &script[1..]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with("deploy/compose.yaml:7:30: error[etcd-data-not-persisted] ")
    );
    let out = sh(&t.root, &lines("after_script"));
    assert!(out.status.success(), "{out:?}");
    let xml = t.read(report);
    assert!(xml.contains("<testcase name=\"etcd-data-not-persisted\" classname=\"deploy/compose.yaml\">\n      <failure"), "{xml}");
    // A clean project passes.
    let clean = TempDir::new("gitlab-clean");
    clean.write("compose.yaml", "services:\n  web:\n    image: nginx:1.27\n");
    assert_eq!(sh(&clean.root, &script[1..]).status.code(), Some(0));
}

fn milvet(args: &[&str]) -> (i32, String) {
    let out = Command::new(milvet_bin()).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn completions_for_every_shell_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (code, out) = milvet(&["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        for word in ["check", "rules", "--unsafe-fixes", "sarif", "junit"] {
            assert!(out.contains(word), "{shell} completion lacks {word}");
        }
    }
    let (code, _) = milvet(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    // bash reads what it is given.
    let (_, bash) = milvet(&["completions", "bash"]);
    let t = TempDir::new("completions");
    let file = t.write("milvet.bash", bash);
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && COMP_WORDS=(milvet check --for); COMP_CWORD=2; _milvet milvet --for check && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            file.display()
        ))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "--format\n",
        "{out:?}"
    );
}

#[test]
fn the_man_page_is_roff_with_the_commands() {
    let (code, out) = milvet(&["man"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with(".ie \\n(.g .ds Aq \\(aq"),
        "{}",
        &out[..80.min(out.len())]
    );
    assert!(out.contains(".TH milvet 1"));
    assert!(out.contains("check") && out.contains("completions"));
    if Path::new("/usr/bin/man").exists() {
        let t = TempDir::new("man");
        let file = t.write("milvet.1", &out);
        let shown = Command::new("man")
            .arg("-l")
            .arg(&file)
            .env("MANPAGER", "cat")
            .output()
            .unwrap();
        if shown.status.success() {
            assert!(String::from_utf8_lossy(&shown.stdout).contains("milvet"));
        }
    }
}

#[test]
fn rules_as_json_list_every_rule_with_its_document() {
    let (code, out) = milvet(&["rules", "--format", "json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], 1);
    let rules = v["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let expected: Vec<&str> = milvet::rules::all().iter().map(|r| r.meta().id).collect();
    assert_eq!(ids, expected);
    for r in rules {
        let id = r["id"].as_str().unwrap();
        assert_eq!(
            r["doc"].as_str().unwrap(),
            std::fs::read_to_string(root().join(format!("rules/{id}.md"))).unwrap()
        );
        assert_eq!(
            r["url"],
            format!("https://github.com/milvet/milvet/blob/main/rules/{id}.md")
        );
        assert!(["error", "warning", "info"].contains(&r["severity"].as_str().unwrap()));
    }
    let (code, out) = milvet(&["rules", "missing-file", "--format", "json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rules"].as_array().unwrap().len(), 1);
    assert_eq!(milvet(&["rules", "no-such-rule", "--format", "json"]).0, 2);
}
