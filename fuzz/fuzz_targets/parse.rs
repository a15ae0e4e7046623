//! `milvet::yaml::parse` on arbitrary UTF-8 text, with the default limits: it returns a tree
//! or an error, never panics, and an error's offset is inside the text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use milvet::yaml::{Limits, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse(text, &Limits::default()) {
        Ok(tree) => {
            for id in tree.node_ids() {
                let span = tree.span(id);
                assert!(span.start <= span.end && span.end <= text.len());
            }
        }
        Err(e) => assert!(
            e.offset <= text.len(),
            "offset {} of {}",
            e.offset,
            text.len()
        ),
    }
});
