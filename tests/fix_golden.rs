//! Golden tests for `--fix`: every directory of `testdata/fix/` holds `input.yaml`, the exact
//! bytes `expected.yaml` that `milvet check --fix` must turn it into, and optionally `args`
//! (extra flags, e.g. `--unsafe-fixes`). A second `--fix` must change nothing.
//!
//! `MILVET_BLESS=1 cargo test --test fix_golden` writes `expected.yaml` from the current output,
//! for review.

use std::path::{Path, PathBuf};
use std::process::Command;

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fix");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("input.yaml").is_file())
        .collect();
    cases.sort();
    cases
}

fn scratch(case: &Path) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "milvet-golden-{}-{}",
        std::process::id(),
        case.file_name().unwrap().to_string_lossy()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Run `milvet check --fix [args] compose.yaml` in `dir`; the exit code.
fn fix(dir: &Path, args: &[String]) -> i32 {
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .current_dir(dir)
        .args(["check", "--fix", "--color", "never"])
        .args(args)
        .arg("compose.yaml")
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code == 0 || code == 1,
        "exit {code}\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    code
}

#[test]
fn golden_fixes() {
    let bless = std::env::var_os("MILVET_BLESS").is_some();
    let mut failures = Vec::new();
    let cases = cases();
    assert!(cases.len() >= 20, "only {} cases", cases.len());
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let args: Vec<String> = std::fs::read_to_string(case.join("args"))
            .map(|a| a.split_whitespace().map(String::from).collect())
            .unwrap_or_default();
        let input = std::fs::read(case.join("input.yaml")).unwrap();
        let dir = scratch(case);
        let file = dir.join("compose.yaml");
        std::fs::write(&file, &input).unwrap();
        fix(&dir, &args);
        let fixed = std::fs::read(&file).unwrap();
        let expected_path = case.join("expected.yaml");
        if bless {
            std::fs::write(&expected_path, &fixed).unwrap();
        } else {
            let expected = std::fs::read(&expected_path)
                .unwrap_or_else(|_| panic!("{name}: no expected.yaml"));
            if fixed != expected {
                failures.push(format!(
                    "{name}: got\n{}\n--- expected\n{}",
                    String::from_utf8_lossy(&fixed),
                    String::from_utf8_lossy(&expected)
                ));
            }
        }
        // Idempotent: a second run changes nothing, and does not touch the file.
        let mtime = std::fs::metadata(&file).unwrap().modified().unwrap();
        fix(&dir, &args);
        if std::fs::read(&file).unwrap() != fixed {
            failures.push(format!("{name}: a second --fix changed the file"));
        }
        if std::fs::metadata(&file).unwrap().modified().unwrap() != mtime {
            failures.push(format!("{name}: a second --fix rewrote an unchanged file"));
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
