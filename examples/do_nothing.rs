//! Benchmark baseline: a Rust process that does nothing, built with the same profile as milvet,
//! so that start-up costs can be stated as a ratio to the least any process costs.

fn main() {}
