//! Every output format on one fixture run (findings in three files of two projects, a finding
//! in `.env` with its related place in `compose.yaml`, safe, unsafe and unavailable fixes),
//! compared with golden files in testdata/formats/expected (`MILVET_BLESS=1` rewrites them);
//! SARIF validated against the official schema; the terminal's wishes for human output.

mod common;

use common::{TempDir, tool};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn fixture_dir() -> PathBuf {
    root().join("testdata/formats")
}

/// `milvet args...` in `dir` with a neutral terminal environment and `env` on top.
fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_milvet"));
    cmd.args(args).current_dir(dir);
    for k in [
        "NO_COLOR",
        "FORCE_COLOR",
        "CLICOLOR_FORCE",
        "TERM",
        "COLUMNS",
        "LC_ALL",
        "LC_CTYPE",
        "LANG",
        "MINIO_KEY",
        "ETCD_MODE",
    ] {
        cmd.env_remove(k);
    }
    cmd.env("LANG", "C.UTF-8");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run milvet");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("UTF-8 output"),
    )
}

fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    run_env(dir, args, &[])
}

/// The fixture run in a format.
fn fixture(format: &str) -> (i32, String) {
    run(
        &fixture_dir(),
        &["check", "--color", "never", "--format", format, "stack"],
    )
}

/// Compare with a golden file; the version is written `{VERSION}` there.
fn golden(name: &str, actual: &str) {
    let actual = actual.replace(env!("CARGO_PKG_VERSION"), "{VERSION}");
    let path = fixture_dir().join("expected").join(name);
    if std::env::var_os("MILVET_BLESS").is_some() {
        std::fs::write(&path, &actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (MILVET_BLESS=1 writes it)", path.display()));
    if expected != actual {
        let diff = similar::TextDiff::from_lines(&expected, &actual)
            .unified_diff()
            .header("expected", "actual")
            .to_string();
        panic!("{name} differs from its golden file:\n{diff}");
    }
}

#[test]
fn full_golden() {
    let (code, out) = fixture("full");
    assert_eq!(code, 1);
    golden("full.txt", &out);
    // `human` is the same format.
    assert_eq!(fixture("human").1, out);
}

#[test]
fn concise_golden() {
    let (code, out) = fixture("concise");
    assert_eq!(code, 1);
    golden("concise.txt", &out);
    let lines: Vec<&str> = out.lines().collect();
    let places: Vec<&str> = lines.iter().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(
        places,
        [
            "stack/compose.yaml:8:30:",
            "stack/compose.yaml:12:15:",
            "stack/.env:1:11:",
            "stack/minio/docker-compose.yml:4:27:",
            "stack/minio/docker-compose.yml:6:26:",
            "3",
        ]
    );
    assert!(lines[2].starts_with("stack/.env:1:11: warning[etcd-compaction-mode] etcd's"));
}

#[test]
fn json_golden_has_related_places_edits_and_urls() {
    let (code, out) = fixture("json");
    assert_eq!(code, 1);
    golden("json.json", &out);
    let v: Value = serde_json::from_str(&out).unwrap();
    let d = &v["diagnostics"][2];
    assert_eq!(d["file"], "stack/.env");
    assert_eq!(
        d["related"],
        serde_json::json!([{"file": "stack/compose.yaml", "line": 6, "column": 35,
            "end_line": 6, "end_column": 47, "offset": 173, "end_offset": 185,
            "label": "`ETCD_MODE` read here, as `${ETCD_MODE}`"}])
    );
    let edits = &v["diagnostics"][0]["fix"]["edits"];
    assert_eq!(edits[0]["file"], "stack/compose.yaml");
    assert_eq!(edits[0]["offset"], 264);
    assert_eq!(edits[0]["end_offset"], 264);
    // The edit's range is where the text goes in the file on disk.
    let text = std::fs::read_to_string(fixture_dir().join("stack/compose.yaml")).unwrap();
    assert_eq!(&text[259..264], "/etcd");
}

#[test]
fn github_golden() {
    let (code, out) = fixture("github");
    assert_eq!(code, 1);
    golden("github.txt", &out);
    for line in out.lines() {
        assert!(
            line.starts_with("::error file=") || line.starts_with("::warning file="),
            "{line}"
        );
        let (props, message) = line[2..].split_once("::").expect("a message");
        assert!(!message.contains('\n'));
        assert!(
            props.contains(",line=") && props.contains(",endColumn="),
            "{props}"
        );
    }
}

#[test]
fn junit_golden_is_well_formed() {
    let (code, out) = fixture("junit");
    assert_eq!(code, 1);
    golden("junit.xml", &out);
    let rules = milvet::rules::all().len();
    assert!(out.contains(&format!(
        "<testsuites name=\"milvet\" tests=\"{}\" failures=\"5\" errors=\"0\">",
        rules * 3
    )));
    if let Some(python) = tool("python") {
        let t = TempDir::new("junit");
        let file = t.write("report.xml", &out);
        let status = Command::new(python)
            .args([
                "-c",
                "import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); \
                 print(sum(1 for _ in r.iter('testcase')), sum(1 for _ in r.iter('failure')))",
            ])
            .arg(&file)
            .output()
            .unwrap();
        assert!(status.status.success(), "{status:?}");
        assert_eq!(
            String::from_utf8_lossy(&status.stdout).trim(),
            format!("{} 5", rules * 3)
        );
    }
}

/// Validate a SARIF log against ../shared/spec/sarif-schema-2.1.0.json with Python's
/// jsonschema; `false` when the schema or the tool is not there (skipped, said).
fn validate_sarif(sarif: &str) -> bool {
    let schema = root().join("../shared/spec/sarif-schema-2.1.0.json");
    if !schema.is_file() {
        assert!(
            !common::tools_required(),
            "{} is required here",
            schema.display()
        );
        eprintln!("SKIPPED: {} is absent", schema.display());
        return false;
    }
    let Some(python) = tool("python") else {
        return false;
    };
    let t = TempDir::new("sarif");
    let file = t.write("out.sarif", sarif);
    let out = Command::new(python)
        .args([
            "-c",
            "import json, sys, jsonschema\n\
             schema = json.load(open(sys.argv[1]))\n\
             cls = jsonschema.validators.validator_for(schema)\n\
             cls.check_schema(schema)\n\
             errors = list(cls(schema).iter_errors(json.load(open(sys.argv[2]))))\n\
             for e in errors: print(list(e.absolute_path), e.message)\n\
             print(cls.__name__, len(errors))",
        ])
        .arg(&schema)
        .arg(&file)
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The official schema is written for draft 4.
    assert_eq!(
        stdout.trim(),
        "Draft4Validator 0",
        "SARIF not valid:\n{stdout}"
    );
    true
}

#[test]
fn sarif_golden_is_valid_against_the_official_schema() {
    let (code, out) = fixture("sarif");
    assert_eq!(code, 1);
    golden("sarif.json", &out);
    let v: Value = serde_json::from_str(&out).unwrap();
    let run = &v["runs"][0];
    assert_eq!(v["version"], "2.1.0");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), milvet::rules::all().len());
    for r in rules {
        assert!(r["shortDescription"]["text"].as_str().unwrap().len() > 10);
        assert!(r["help"]["markdown"].as_str().unwrap().starts_with("# "));
        assert_eq!(
            r["helpUri"],
            format!(
                "https://github.com/milvet/milvet/blob/main/rules/{}.md",
                r["id"].as_str().unwrap()
            )
        );
    }
    assert_eq!(run["invocations"][0]["exitCode"], 1);
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    let region = &results[2]["locations"][0]["physicalLocation"];
    assert_eq!(region["artifactLocation"]["uri"], "stack/.env");
    assert_eq!(
        region["region"],
        serde_json::json!({"startLine": 1, "startColumn": 11, "endLine": 1, "endColumn": 19,
                           "byteOffset": 10, "byteLength": 8})
    );
    assert_eq!(
        results[2]["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "stack/compose.yaml"
    );
    let fix = &results[0]["fixes"][0];
    assert_eq!(fix["properties"]["applicability"], "unsafe");
    assert_eq!(
        fix["artifactChanges"][0]["replacements"][0]["deletedRegion"],
        serde_json::json!({"byteOffset": 264, "byteLength": 0})
    );
    validate_sarif(&out);
}

#[test]
fn sarif_with_a_file_that_cannot_be_checked_and_safe_fixes_is_valid() {
    let t = TempDir::new("sarif-broken");
    t.write("a/compose.yaml", "services: [\n");
    t.write(
        "b/compose.yaml",
        "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    command: etcd --data-dir /etcd\n    volumes: [\"./etcd:/etcd\"]\n",
    );
    let (code, out) = run(&t.root, &["check", "--format", "sarif", "a", "b"]);
    assert_eq!(code, 2);
    let v: Value = serde_json::from_str(&out).unwrap();
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["exitCode"], 2);
    assert_eq!(inv["executionSuccessful"], false);
    let n = &inv["toolExecutionNotifications"][0];
    assert_eq!(n["level"], "error");
    assert_eq!(
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "a/compose.yaml"
    );
    let safe: Vec<&Value> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["fixes"].as_array().into_iter().flatten())
        .filter(|f| f["properties"]["applicability"] == "safe")
        .collect();
    assert!(!safe.is_empty(), "{out}");
    validate_sarif(&out);
}

#[test]
fn sarif_fingerprints_survive_line_moves() {
    let t = TempDir::new("sarif-moves");
    let text =
        std::fs::read_to_string(fixture_dir().join("stack/minio/docker-compose.yml")).unwrap();
    t.write("compose.yaml", &text);
    let prints = |dir: &Path| -> Vec<(String, u64)> {
        let (_, out) = run(dir, &["check", "--format", "sarif", "compose.yaml"]);
        let v: Value = serde_json::from_str(&out).unwrap();
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["milvet/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                )
            })
            .collect()
    };
    let before = prints(&t.root);
    assert_eq!(before.len(), 2);
    // The same run gives the same prints.
    assert_eq!(prints(&t.root), before);
    t.write("compose.yaml", format!("# moved\n# down\n{text}"));
    let after = prints(&t.root);
    let lines = |p: &[(String, u64)]| p.iter().map(|x| x.1).collect::<Vec<_>>();
    assert_eq!(
        lines(&after),
        lines(&before).iter().map(|l| l + 2).collect::<Vec<_>>()
    );
    let ids = |p: &[(String, u64)]| p.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&after), ids(&before));
    // Two prints of different findings differ.
    assert_ne!(before[0].0, before[1].0);
}

// ---------------------------------------------------------------------------------------------
// Human output and the terminal

fn full(env: &[(&str, &str)], extra: &[&str]) -> String {
    let mut args = vec!["check"];
    args.extend_from_slice(extra);
    args.push("stack");
    run_env(&fixture_dir(), &args, env).1
}

#[test]
fn related_places_in_other_files_are_drawn_against_their_own_file() {
    let out = full(&[], &["--color", "never"]);
    assert!(!out.contains("Failed to read"), "{out}");
    let at = out
        .find("stack/.env:1:11: warning[etcd-compaction-mode]")
        .unwrap();
    let section = &out[at..];
    let related = section.find("☞ related: `stack/compose.yaml`").unwrap();
    assert!(section[related..].contains(
        "   ╭─[stack/compose.yaml:6:35]\n 5 │     environment:\n 6 │       - ETCD_AUTO_COMPACTION_MODE=${ETCD_MODE}\n"
    ));
    assert!(section[related..].contains("╰── `ETCD_MODE` read here, as `${ETCD_MODE}`"));
    // The .env snippet shows the .env line only.
    assert!(section[..related].contains(" 1 │ ETCD_MODE=periodic\n"));
    assert!(!section[..related].contains("ETCD_AUTO_COMPACTION_MODE=${ETCD_MODE}\n"));
}

/// Lines of prose in human output: not snippet lines, not a finding's `path:line:col` header.
fn prose(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| !l.contains('│') && !l.contains('·') && !l.contains('|'))
        .filter(|l| !l.starts_with("stack/"))
        .collect()
}

#[test]
fn human_output_wraps_to_the_width_never_inside_a_code_span() {
    for width in [60usize, 80, 100] {
        let w = width.to_string();
        let out = full(&[("COLUMNS", &w)], &["--color", "never"]);
        for line in prose(&out) {
            // A code span longer than the width may stand alone on its line.
            let chars = line.chars().count();
            assert!(
                chars <= width || line.trim().matches('`').count() == 2,
                "longer than {width}: {line:?}"
            );
            assert_eq!(
                line.matches('`').count() % 2,
                0,
                "a code span broken: {line:?}"
            );
        }
        // The fix line is wrapped too, its continuation indented.
        let fix = out
            .lines()
            .position(|l| l.starts_with("  fix (unsafe, --fix --unsafe-fixes): mount"))
            .unwrap();
        assert!(out.lines().nth(fix + 1).unwrap().starts_with("    "));
    }
    // Without COLUMNS or a terminal: 100.
    let out = full(&[], &["--color", "never"]);
    assert!(prose(&out).iter().any(|l| l.chars().count() > 80));
    assert!(
        prose(&out)
            .iter()
            .all(|l| l.chars().count() <= 100 || l.matches('`').count() == 2)
    );
}

#[test]
fn colour_follows_no_color_force_color_and_clicolor_force() {
    let colored = |env: &[(&str, &str)]| full(env, &[]).contains('\x1b');
    // Not a terminal: no colour unless forced.
    assert!(!colored(&[]));
    assert!(colored(&[("FORCE_COLOR", "1")]));
    assert!(colored(&[("CLICOLOR_FORCE", "1")]));
    assert!(!colored(&[("FORCE_COLOR", "0")]));
    // NO_COLOR wins over forcing, but only when it is not empty.
    assert!(!colored(&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]));
    assert!(colored(&[("FORCE_COLOR", "1"), ("NO_COLOR", "")]));
    // --color decides over the environment.
    assert!(!colored(&[("NO_COLOR", "1")]));
    assert!(full(&[("NO_COLOR", "1")], &["--color", "always"]).contains('\x1b'));
    assert!(!full(&[("FORCE_COLOR", "1")], &["--color", "never"]).contains('\x1b'));
}

#[test]
fn dumb_terminals_and_non_utf8_locales_get_ascii_drawing() {
    let unicode = full(&[], &["--color", "never"]);
    assert!(unicode.contains('╭'));
    for env in [
        vec![("TERM", "dumb")],
        vec![("LANG", "C")],
        vec![("LANG", "en_US.UTF-8"), ("LC_ALL", "POSIX")],
        vec![("LC_CTYPE", "en_US.ISO-8859-1")],
    ] {
        let out = full(&env, &[]);
        assert!(
            out.is_ascii() || !out.contains(['╭', '│', '─', '⚠', '×']),
            "{env:?}:\n{out}"
        );
        assert!(!out.contains(['╭', '│', '─', '⚠', '☞']), "{env:?}:\n{out}");
        assert!(out.contains(",-[stack/.env:1:11]"), "{env:?}:\n{out}");
        assert!(!out.contains('\x1b'), "{env:?}");
    }
    // A UTF-8 locale keeps Unicode.
    assert!(full(&[("LC_ALL", "de_DE.utf8")], &[]).contains('╭'));
}
