//! The property of `tests/fix_property.rs` (`--fix --unsafe-fixes` changes only the services
//! its fixes name, gives YAML that loads with a YAML 1.2 loader and fixes to itself) over
//! mutants made by the fuzz targets' structure-aware mutator (`fuzz/mutator`): one to four
//! mutations in a row (anchors shared across services, merges, tags, flow style, complex keys,
//! line endings, services duplicated or grafted from another file...) of every file of
//! `testdata/` and the shared corpus that has something to fix. Deterministic: mutant `n` is
//! made from seed `n`; a failing one is written to the temp dir, named with its number.
//! `MILVET_FIX_MUTANTS=N` checks `N` mutants instead of 600.

mod common;
#[path = "../fuzz/mutator/mod.rs"]
mod mutator;
mod property_check;

use milvet::check::{Options, check_text};
use milvet::discover::FileKind;
use mutator::{Rng, crossover, mutate_text};
use property_check::{named, property};
use std::collections::BTreeMap;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const MUTANTS: u64 = 600;

fn mutants() -> u64 {
    std::env::var("MILVET_FIX_MUTANTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(MUTANTS)
}

/// Files with a fix that applies under `--unsafe-fixes`.
fn fixable() -> Vec<String> {
    let mut paths = Vec::new();
    let corpus = Path::new(ROOT).join("../shared/corpus");
    for sub in ["milvus-official", "milvus", "general"] {
        common::compose_files_under(&corpus.join(sub), &mut paths);
    }
    common::compose_files_under(&Path::new(ROOT).join("testdata"), &mut paths);
    let options = Options::default();
    let out: Vec<String> = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter(|t| check_text(t, FileKind::Compose, &options).is_ok_and(|d| !named(&d).is_empty()))
        .collect();
    assert!(out.len() > 20, "only {} files with a fix", out.len());
    out
}

/// Mutant `n`: one to four mutations of one file, or a graft of a service of another file.
fn mutant(inputs: &[String], n: u64) -> (String, Vec<&'static str>) {
    let mut rng = Rng::new(n);
    let mut text = inputs[rng.below(inputs.len())].clone();
    let mut done = Vec::new();
    if rng.one_in(5) {
        let other = &inputs[rng.below(inputs.len())];
        let mut out = vec![0u8; text.len() + other.len() + 256];
        let size = crossover(
            text.as_bytes(),
            other.as_bytes(),
            &mut out,
            rng.next() as u32,
            |_, size, _| size,
        );
        out.truncate(size);
        if let Ok(t) = String::from_utf8(out) {
            text = t;
            done.push("cross-over");
        }
    }
    for _ in 0..1 + rng.below(4) {
        if let Some((t, what)) = mutate_text(&text, &mut rng) {
            text = t;
            done.push(what);
        }
    }
    (text, done)
}

#[test]
fn fixing_mutants_of_the_fuzz_mutator_changes_only_the_services_its_fixes_name() {
    let inputs = fixable();
    let options = Options::default();
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut problems = Vec::new();
    let count = mutants();
    for n in 0..count {
        let (text, done) = mutant(&inputs, n);
        match property(&text, &options) {
            Ok((outcome, _)) => *outcomes.entry(outcome).or_default() += 1,
            Err(e) => {
                let saved = std::env::temp_dir().join(format!("milvet-fix-mutant-{n}.yaml"));
                let _ = std::fs::write(&saved, &text);
                problems.push(format!(
                    "mutant {n} ({}), saved as {}: {e}",
                    done.join(", "),
                    saved.display()
                ));
            }
        }
    }
    println!(
        "{} files with fixes, {MUTANTS} mutants: {outcomes:?}",
        inputs.len()
    );
    assert!(
        outcomes.get("fixed").copied().unwrap_or(0) >= MUTANTS as usize / 4,
        "too few mutants were fixed to say anything: {outcomes:?}"
    );
    assert!(
        problems.is_empty(),
        "{} mutants break the property:\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}
