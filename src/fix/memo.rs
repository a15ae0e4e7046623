//! Answers remembered for the length of one check.
//!
//! The fixes of many findings in one file each ask the same questions of it (its layout, the
//! form its services write `environment` in). Within [`remembering`] each answer is computed
//! once per file or model, found again by the addresses of what it was asked of; those are
//! borrowed, unchanged, for the whole of the check, so an address cannot be reused for another
//! value meanwhile. Outside it nothing is remembered.

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;

type Key = (&'static str, (usize, usize, usize));

thread_local! {
    static REMEMBERED: RefCell<Option<HashMap<Key, Box<dyn Any>>>> = const { RefCell::new(None) };
}

/// Run `f`, remembering the answers of [`once`] until it returns.
pub fn remembering<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(Option<HashMap<Key, Box<dyn Any>>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let old = self.0.take();
            REMEMBERED.with(|r| *r.borrow_mut() = old);
        }
    }
    let _restore = Restore(REMEMBERED.with(|r| r.borrow_mut().replace(HashMap::new())));
    f()
}

/// The answer to question `what` about the value at `key` (addresses and a length), computed
/// by `compute` the first time within [`remembering`], and every time outside it.
pub fn once<T: Clone + 'static>(
    what: &'static str,
    key: (usize, usize, usize),
    compute: impl FnOnce() -> T,
) -> T {
    let known = REMEMBERED.with(|r| {
        r.borrow().as_ref().map(|m| {
            m.get(&(what, key))
                .and_then(|v| v.downcast_ref::<T>())
                .cloned()
        })
    });
    match known {
        None => compute(),
        Some(Some(v)) => v,
        Some(None) => {
            let v = compute();
            REMEMBERED.with(|r| {
                if let Some(m) = r.borrow_mut().as_mut() {
                    m.insert((what, key), Box::new(v.clone()));
                }
            });
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn answers_are_remembered_only_inside() {
        let calls = Cell::new(0);
        let ask = || {
            once("q", (1, 2, 3), || {
                calls.set(calls.get() + 1);
                7
            })
        };
        assert_eq!(ask(), 7);
        assert_eq!(ask(), 7);
        assert_eq!(calls.get(), 2, "nothing is remembered outside");
        remembering(|| {
            assert_eq!(ask(), 7);
            assert_eq!(ask(), 7);
        });
        assert_eq!(calls.get(), 3, "once inside");
        assert_eq!(ask(), 7);
        assert_eq!(calls.get(), 4, "forgotten after");
        let r = std::panic::catch_unwind(|| remembering(|| panic!("boom")));
        assert!(r.is_err());
        assert_eq!(ask(), 7);
        assert_eq!(calls.get(), 5, "forgotten after a panic too");
    }
}
