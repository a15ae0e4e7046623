//! Fixing arbitrary UTF-8 text read as a Compose file, every fix allowed (`--unsafe-fixes`):
//! fixing either refuses (a broken or unverified result is an error, not a panic) or gives a
//! text that loads with a YAML 1.2 loader with no tag on a value of another type, that keeps the
//! resolved configuration of every service no applied fix names, and that fixes to itself (the
//! property of `tests/fix_property.rs`, whose check this target shares).

#![no_main]

#[path = "../../tests/property_check/mod.rs"]
mod property_check;

use libfuzzer_sys::fuzz_target;
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
