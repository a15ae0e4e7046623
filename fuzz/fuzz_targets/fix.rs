//! Fixing arbitrary UTF-8 text read as a Compose file, every fix allowed (`--unsafe-fixes`):
//! fixing either refuses (a broken or unverified result is an error, not a panic) or gives a
//! text that loads with a YAML 1.2 loader with no tag on a value of another type, that keeps the
//! resolved configuration of every service no applied fix names, and that fixes to itself (the
//! property of `tests/fix_property.rs`, whose check this target shares). Inputs are mutated by
//! the structure-aware mutator of `fuzz/mutator` (and, some of the time, by libFuzzer's byte
//! mutator).

#![no_main]

#[path = "../../tests/property_check/mod.rs"]
mod property_check;

#[path = "../mutator/mod.rs"]
mod mutator;

use libfuzzer_sys::{fuzz_crossover, fuzz_mutator, fuzz_target, fuzzer_mutate};
use milvet::check::{Options, check_text};
use milvet::discover::FileKind;
use milvet::fix::FixPolicy;

const POLICY: FixPolicy = FixPolicy { unsafe_fixes: true };

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let options = Options::default();
    // Most inputs have nothing to fix: one check says so.
    let Ok(diagnostics) = check_text(text, FileKind::Compose, &options) else {
        return;
    };
    let fixable = diagnostics.iter().any(|d| {
        d.fix
            .as_ref()
            .is_some_and(|f| POLICY.applies(f.applicability) && !f.edits.is_empty())
    });
    if !fixable {
        return;
    }
    if let Err(e) = property_check::property(text, &options) {
        panic!("{e}");
    }
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    mutator::mutate(data, size, max_size, seed, fuzzer_mutate)
});

fuzz_crossover!(|a: &[u8], b: &[u8], out: &mut [u8], seed: u32| {
    mutator::crossover(a, b, out, seed, fuzzer_mutate)
});
