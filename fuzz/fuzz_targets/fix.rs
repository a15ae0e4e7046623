//! Fixing arbitrary UTF-8 text read as a Compose file, every fix allowed (`--unsafe-fixes`):
//! fixing either refuses (a broken or unverified result is an error, not a panic) or gives a
//! text that checks, and fixing that text again, from a fresh check, changes nothing.

#![no_main]

use libfuzzer_sys::fuzz_target;
use milvet::check::{Options, check_text, fix_text};
use milvet::discover::FileKind;
use milvet::fix::{FixError, FixPolicy, Fixed};

const POLICY: FixPolicy = FixPolicy { unsafe_fixes: true };

/// Fix as `--fix --unsafe-fixes` does; `None` when the text does not check.
fn fix(text: &str, options: &Options) -> Option<Result<Fixed, FixError>> {
    check_text(text, FileKind::Compose, options).ok()?;
    Some(fix_text(text, options, POLICY))
}

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
    let Ok(once) = fix_text(text, &options, POLICY) else {
        return;
    };
    let fixed = &once.texts[0];
    if once.applied == 0 {
        assert_eq!(fixed, text, "no fix applied, yet the text changed");
    }
    match fix(fixed, &options) {
        None => panic!("the fixed text does not check:\n{fixed}"),
        Some(Err(e)) => panic!("fixing the fixed text fails: {e}\n{fixed}"),
        Some(Ok(twice)) => assert_eq!(
            &twice.texts[0], fixed,
            "fixing twice changes the text ({} more fixes)",
            twice.applied
        ),
    }
});
