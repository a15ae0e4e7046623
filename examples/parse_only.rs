//! Benchmark baseline: read the same files `milvet check` would and run only the YAML event
//! parser over them (no tree, no model, no rules, no report). Prints the number of events.
//!
//! `cargo run --release --example parse_only -- PATHS...`

use granit_parser::Parser;
use std::path::PathBuf;

fn main() {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let (targets, _) = milvet::discover::discover(&paths);
    let mut events = 0usize;
    let mut failed = 0usize;
    for t in targets {
        let Ok(text) = std::fs::read_to_string(&t.path) else {
            failed += 1;
            continue;
        };
        for ev in Parser::new_from_str(&text) {
            if ev.is_err() {
                failed += 1;
                break;
            }
            events += 1;
        }
    }
    println!("{events} events, {failed} files not parsed");
}
