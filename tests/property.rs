//! Mutants of real files: the official Milvus compose files and the Milvus deployments of the
//! shared corpus (when `../shared/corpus` is there), and the files of `testdata/`, each changed
//! by a few random edits (a line deleted, duplicated, indented or dedented, quotes flipped,
//! anchors, aliases and `<<` merges inserted, the text truncated, a tab or a multi-byte character
//! inserted).
//!
//! For every mutant, `check_text` must return (findings or an error) without a panic and in
//! bounded time, read as a Compose file and as a Milvus configuration. Fixing it with every fix
//! allowed must not panic either, and when it succeeds, fixing the result again, from a fresh
//! check, must change nothing.
//!
//! The generator is deterministic (xorshift64* with fixed seeds), so a failure names the seed
//! that reproduces it, and the mutant is written to the temp dir.

use milvet::check::{Options, check_text};
use milvet::discover::FileKind;
use milvet::fix::{FixError, FixPolicy, Fixed};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Mutants checked, and fixed, per test.
const CHECK_MUTANTS: u64 = 4000;
const FIX_MUTANTS: u64 = 2500;
/// Longest one mutant may take (a debug build on a loaded machine); a mutant takes
/// milliseconds.
const PER_MUTANT: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------------------------
// Inputs

fn yaml_files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.map(|e| e.expect("dir entry").path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            yaml_files_under(&p, out);
        } else if p.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(p);
        }
    }
}

/// The files mutated: the corpus's official and Milvus compose files (when the corpus is
/// there) and the YAML files of `testdata/`.
fn seeds() -> Vec<(String, String)> {
    let mut paths = Vec::new();
    let corpus = Path::new(ROOT).join("../shared/corpus");
    if corpus.is_dir() {
        yaml_files_under(&corpus.join("milvus-official"), &mut paths);
        yaml_files_under(&corpus.join("milvus"), &mut paths);
    } else {
        println!(
            "{} is absent: mutating the files of testdata/ only",
            corpus.display()
        );
    }
    yaml_files_under(&Path::new(ROOT).join("testdata"), &mut paths);
    let seeds: Vec<(String, String)> = paths
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            Some((p.display().to_string(), text))
        })
        .collect();
    assert!(!seeds.is_empty(), "no file to mutate");
    seeds
}

// ---------------------------------------------------------------------------------------------
// Mutations

/// xorshift64*: small, fast and deterministic.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // Never zero, and seeds close together start far apart.
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The largest char boundary of `s` at or before `i`.
fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One random edit of `text`; returns its name.
fn mutate(text: &mut String, rng: &mut Rng) -> &'static str {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(String::from).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let i = rng.below(lines.len());
    let anchor = rng.below(4);
    let name = match rng.below(11) {
        0 => {
            lines.remove(i);
            "delete a line"
        }
        1 => {
            let l = lines[i].clone();
            lines.insert(i, l);
            "duplicate a line"
        }
        2 => {
            let n = 1 + rng.below(4);
            lines[i].insert_str(0, &" ".repeat(n));
            "indent a line"
        }
        3 => {
            let n = 1 + rng.below(4);
            let spaces = lines[i].len() - lines[i].trim_start_matches(' ').len();
            lines[i].drain(..n.min(spaces));
            "dedent a line"
        }
        4 => {
            lines[i] = lines[i]
                .chars()
                .map(|c| match c {
                    '\'' => '"',
                    '"' => '\'',
                    c => c,
                })
                .collect();
            "flip quotes"
        }
        5 => {
            // `key: value` → `key: &aN value`; `key:` → `key: &aN`; `- x` → `- &aN x`.
            let l = &mut lines[i];
            let at = l.find(": ").map(|p| p + 2).or_else(|| {
                l.trim_end()
                    .ends_with(':')
                    .then(|| l.trim_end().len())
                    .or_else(|| l.find("- ").map(|p| p + 2))
            });
            if let Some(at) = at {
                let sep = if at == l.trim_end().len() { " " } else { "" };
                l.insert_str(at, &format!("{sep}&a{anchor} "));
            }
            "insert an anchor"
        }
        6 => {
            // The value of `key: value` or `- value` becomes `*aN`.
            let l = &mut lines[i];
            let at = l
                .find(": ")
                .map(|p| p + 2)
                .or_else(|| l.find("- ").map(|p| p + 2));
            if let Some(at) = at {
                let end = l.trim_end().len().max(at);
                l.replace_range(at..end, &format!("*a{anchor}"));
            }
            "insert an alias"
        }
        7 => {
            let indent = lines[i].len() - lines[i].trim_start_matches(' ').len();
            lines.insert(i, format!("{}<<: *a{anchor}\n", " ".repeat(indent)));
            "insert a merge"
        }
        8 => {
            let joined: String = lines.concat();
            let at = floor_boundary(&joined, rng.below(joined.len() + 1));
            lines = vec![joined[..at].to_string()];
            "truncate"
        }
        9 => {
            let at = floor_boundary(&lines[i], rng.below(lines[i].len() + 1));
            lines[i].insert(at, '\t');
            "insert a tab"
        }
        _ => {
            let c = ['é', 'ß', '中', '🦀', '\u{feff}', '\u{2028}'][rng.below(6)];
            let at = floor_boundary(&lines[i], rng.below(lines[i].len() + 1));
            lines[i].insert(at, c);
            "insert a multi-byte character"
        }
    };
    *text = lines.concat();
    name
}

/// Mutant `n`: a seed file changed by one to three edits, with what was done.
fn mutant(seeds: &[(String, String)], n: u64) -> (String, String, Vec<&'static str>) {
    let mut rng = Rng::new(0x6D69_6C76_6574 ^ n);
    let (name, text) = &seeds[rng.below(seeds.len())];
    let mut text = text.clone();
    let edits = (0..1 + rng.below(3))
        .map(|_| mutate(&mut text, &mut rng))
        .collect();
    (name.clone(), text, edits)
}

// ---------------------------------------------------------------------------------------------
// Running

/// Run `f` on mutants `0..count` in turn, each under `catch_unwind` and timed; assert that none
/// panicked or took too long, naming the seed, the file and the edits of each that did (the
/// mutant is written to the temp dir). `f` returns what became of the mutant, and the counts of
/// each outcome are printed, to show what the mutants exercised.
fn for_each_mutant(what: &str, count: u64, f: impl Fn(&str) -> Result<&'static str, String>) {
    let seeds = seeds();
    let start = Instant::now();
    let mut outcomes: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut problems = Vec::new();
    let mut slowest = (Duration::ZERO, 0);
    for n in 0..count {
        let (name, text, edits) = mutant(&seeds, n);
        let t = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| f(&text)));
        let elapsed = t.elapsed();
        slowest = slowest.max((elapsed, n));
        let problem = match result {
            Ok(Ok(outcome)) if elapsed <= PER_MUTANT => {
                *outcomes.entry(outcome).or_default() += 1;
                continue;
            }
            Ok(Ok(_)) => format!("took {elapsed:?}"),
            Ok(Err(e)) => e,
            Err(panic) => format!(
                "panicked: {}",
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            ),
        };
        let saved = std::env::temp_dir().join(format!("milvet-mutant-{what}-{n}.yaml"));
        let _ = std::fs::write(&saved, &text);
        problems.push(format!(
            "mutant {n} of {name} ({}), saved as {}: {problem}",
            edits.join(", "),
            saved.display()
        ));
    }
    println!(
        "{what}: {count} mutants of {} files in {:.2?}; slowest: mutant {} in {:.2?}; {outcomes:?}",
        seeds.len(),
        start.elapsed(),
        slowest.1,
        slowest.0
    );
    assert!(
        problems.is_empty(),
        "{what}: {} of {count} mutants failed:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn mutants_are_checked_without_panic_in_bounded_time() {
    let options = Options::default();
    for_each_mutant("check", CHECK_MUTANTS, |text| {
        let mut outcome = "error";
        for kind in [FileKind::Compose, FileKind::MilvusConfig] {
            match check_text(text, kind, &options) {
                Err((message, offset)) if offset > text.len() || !text.is_char_boundary(offset) => {
                    return Err(format!(
                        "{kind:?}: error offset {offset} is not a character boundary of the \
                         text ({} bytes): {message}",
                        text.len()
                    ));
                }
                Ok(d) if kind == FileKind::Compose && d.is_empty() => outcome = "no finding",
                Ok(_) if kind == FileKind::Compose => outcome = "findings",
                _ => {}
            }
        }
        Ok(outcome)
    });
}

/// Fix a text as a Compose file with every fix allowed, as `milvet check --fix
/// --unsafe-fixes` does; `None` when the text does not check.
fn fix(text: &str, options: &Options) -> Option<Result<Fixed, FixError>> {
    check_text(text, FileKind::Compose, options).ok()?;
    Some(milvet::check::fix_text(
        text,
        options,
        FixPolicy { unsafe_fixes: true },
    ))
}

#[test]
fn fixing_mutants_does_not_panic_and_fixing_twice_changes_nothing() {
    let options = Options::default();
    for_each_mutant("fix", FIX_MUTANTS, |text| {
        // Refusing to fix (a broken or unverified result) is an answer, not a failure.
        let once = match fix(text, &options) {
            None => return Ok("does not check"),
            Some(Err(_)) => return Ok("fix refused"),
            Some(Ok(once)) => once,
        };
        let fixed = &once.texts[0];
        if once.applied == 0 && fixed != text {
            return Err("no fix applied, yet the text changed".into());
        }
        match fix(fixed, &options) {
            None => Err(format!("the fixed text does not check:\n{fixed}")),
            Some(Err(e)) => Err(format!("fixing the fixed text fails: {e}")),
            Some(Ok(twice)) if twice.texts[0] != *fixed => Err(format!(
                "fixing twice changes the text ({} more fixes):\n--- once\n{fixed}\n--- twice\n{}",
                twice.applied, twice.texts[0]
            )),
            Some(Ok(_)) if once.applied == 0 => Ok("nothing to fix"),
            Some(Ok(_)) => Ok("fixed"),
        }
    });
}
