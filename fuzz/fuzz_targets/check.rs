//! `milvet::check::check_text` on arbitrary UTF-8 text, read both as a Compose file and as a
//! Milvus configuration: findings or an error, never a panic, and every offset inside the text.
//! Inputs are mutated by the structure-aware mutator of `fuzz/mutator` (and, some of the time,
//! by libFuzzer's byte mutator).

#![no_main]

#[path = "../mutator/mod.rs"]
mod mutator;

use libfuzzer_sys::{fuzz_crossover, fuzz_mutator, fuzz_target, fuzzer_mutate};
use milvet::check::{Options, check_text};
use milvet::discover::FileKind;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let options = Options::default();
    for kind in [FileKind::Compose, FileKind::MilvusConfig] {
        match check_text(text, kind, &options) {
            Ok(diagnostics) => {
                for d in diagnostics {
                    let _ = d;
                }
            }
            Err((_, offset)) => assert!(offset <= text.len(), "offset {offset} of {}", text.len()),
        }
    }
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    mutator::mutate(data, size, max_size, seed, fuzzer_mutate)
});

fuzz_crossover!(|a: &[u8], b: &[u8], out: &mut [u8], seed: u32| {
    mutator::crossover(a, b, out, seed, fuzzer_mutate)
});
