//! `milvet::check::check_text` on arbitrary UTF-8 text, read both as a Compose file and as a
//! Milvus configuration: findings or an error, never a panic, and every offset inside the text.

#![no_main]

use libfuzzer_sys::fuzz_target;
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
