//! The allocator of the `milvet` binary: small blocks from per-thread free lists, the rest from
//! the system allocator.
//!
//! A check is many short-lived small values (tree nodes' vectors, strings of the model and of
//! the findings). glibc's malloc spends most of a short run on them: a fresh process has empty
//! caches, so nearly every allocation goes down its slow path, and each block carries a header.
//! Here a block of at most [`MAX_SMALL`] bytes (alignment at most 16) is taken from its size
//! class's free list, or cut from a 2 KiB chunk of the system allocator. Rust hands the size of
//! a block back when it frees it, so a block needs no header: its class is known from the size.
//!
//! - Free lists are per thread: no lock on the way in or out.
//! - A block freed on another thread (a finding made by a worker, dropped by the main thread)
//!   joins that thread's list. When a list holds 8 KiB, half of its blocks go to a shared pool
//!   of the class, where a thread whose list is empty takes them before it cuts
//!   new blocks. Memory moves between threads, it does not pile up on one.
//! - Small blocks are never given back to the system: peak memory is the peak of blocks in use
//!   per class, plus what the lists hold.
//! - Anything larger, or more aligned, is the system allocator's, unchanged.
//!
//! The do-nothing and parse-only baselines of `bench/` stay on the system allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ptr;
use std::sync::Mutex;

/// Largest block served from the free lists.
pub const MAX_SMALL: usize = 256;
/// Size classes are multiples of this, which is also their alignment.
const GRAIN: usize = 16;
const CLASSES: usize = MAX_SMALL / GRAIN;
/// What a chunk cut into blocks holds.
const CHUNK: usize = 2 * 1024;
/// Bytes a thread's list of one class may hold before half of them move to the shared pool.
const KEEP: usize = 8 * 1024;

/// Length of a thread's list of class `c` at which a batch moves to the shared pool.
const fn spill_at(c: usize) -> u32 {
    (KEEP / ((c + 1) * GRAIN)) as u32
}

/// Blocks of class `c` moved to or from the shared pool at once.
pub const fn batch(c: usize) -> u32 {
    spill_at(c) / 2
}

/// The allocator. `#[global_allocator] static A: milvet::alloc::Small = milvet::alloc::Small;`
pub struct Small;

struct Local {
    heads: [Cell<*mut u8>; CLASSES],
    counts: [Cell<u32>; CLASSES],
    /// The current chunk, and the part of it not cut yet (`bump..end`).
    base: Cell<*mut u8>,
    bump: Cell<*mut u8>,
    end: Cell<*mut u8>,
}

thread_local! {
    // Const-initialised and without `Drop`: always accessible, never registers a destructor,
    // never allocates.
    static LOCAL: Local = const {
        Local {
            heads: [const { Cell::new(ptr::null_mut()) }; CLASSES],
            counts: [const { Cell::new(0) }; CLASSES],
            base: Cell::new(ptr::null_mut()),
            bump: Cell::new(ptr::null_mut()),
            end: Cell::new(ptr::null_mut()),
        }
    };
}

/// Chains of [`batch`] free blocks of one class. In a chain, a block's first word is the next
/// block; the chain's first block's second word is the next chain.
struct Chains(*mut u8);
// SAFETY: the pointers are to free blocks no thread uses; the mutex serialises their moves.
unsafe impl Send for Chains {}

static POOL: [Mutex<Chains>; CLASSES] = [const { Mutex::new(Chains(ptr::null_mut())) }; CLASSES];

/// The class of a block of `size` bytes, if it is small.
#[inline]
fn class(layout: Layout) -> Option<usize> {
    (layout.size() <= MAX_SMALL && layout.align() <= GRAIN)
        .then(|| layout.size().max(1).div_ceil(GRAIN) - 1)
}

#[inline]
unsafe fn next_of(block: *mut u8) -> *mut u8 {
    // SAFETY (caller): `block` is a free block of at least 16 bytes, aligned to 16.
    unsafe { block.cast::<*mut u8>().read() }
}

#[inline]
unsafe fn set_next(block: *mut u8, next: *mut u8) {
    // SAFETY (caller): as in `next_of`.
    unsafe { block.cast::<*mut u8>().write(next) }
}

impl Local {
    #[inline]
    unsafe fn take(&self, c: usize) -> *mut u8 {
        let head = self.heads[c].get();
        if !head.is_null() {
            // SAFETY: a list holds only free blocks of class `c`.
            self.heads[c].set(unsafe { next_of(head) });
            self.counts[c].set(self.counts[c].get() - 1);
            return head;
        }
        // SAFETY: as above, for the pool's chains and the chunks.
        unsafe { self.refill(c) }
    }

    #[cold]
    unsafe fn refill(&self, c: usize) -> *mut u8 {
        let chain = {
            let mut pool = POOL[c].lock().unwrap_or_else(|e| e.into_inner());
            let chain = pool.0;
            if !chain.is_null() {
                // SAFETY: a chain's first block keeps the next chain in its second word.
                pool.0 = unsafe { chain.cast::<*mut u8>().add(1).read() };
            }
            chain
        };
        if !chain.is_null() {
            // SAFETY: the chain is `batch(c)` free blocks linked by their first word.
            self.heads[c].set(unsafe { next_of(chain) });
            self.counts[c].set(batch(c) - 1);
            return chain;
        }
        let size = (c + 1) * GRAIN;
        let (mut bump, mut end) = (self.bump.get(), self.end.get());
        if (end as usize) - (bump as usize) < size {
            let chunk = new_chunk();
            if chunk.is_null() {
                return ptr::null_mut();
            }
            bump = chunk;
            // SAFETY: within the chunk just allocated.
            end = unsafe { chunk.add(CHUNK) };
            self.base.set(chunk);
            self.end.set(end);
        }
        // SAFETY: `size` bytes remain before `end`.
        self.bump.set(unsafe { bump.add(size) });
        bump
    }

    /// Grow or shrink in place the block of class `from` to class `to` when it is the last
    /// one cut from the current chunk and the chunk has room: a vector or string that grows
    /// while nothing else is allocated does not leave a block behind in every class.
    #[inline]
    unsafe fn grow(&self, block: *mut u8, from: usize, to: usize) -> Option<*mut u8> {
        let (base, bump, end) = (
            self.base.get() as usize,
            self.bump.get() as usize,
            self.end.get() as usize,
        );
        let start = block as usize;
        let fits = start + (to + 1) * GRAIN <= end;
        (start >= base && start + (from + 1) * GRAIN == bump && fits).then(|| {
            self.bump.set(block.wrapping_add((to + 1) * GRAIN));
            block
        })
    }

    #[inline]
    unsafe fn give(&self, c: usize, block: *mut u8) {
        // SAFETY: `block` was handed out for class `c` and is no longer used.
        unsafe { set_next(block, self.heads[c].get()) };
        self.heads[c].set(block);
        let n = self.counts[c].get() + 1;
        self.counts[c].set(n);
        if n >= spill_at(c) {
            // SAFETY: the list holds `n` free blocks.
            unsafe { self.spill(c) };
        }
    }

    #[cold]
    unsafe fn spill(&self, c: usize) {
        let first = self.heads[c].get();
        let mut last = first;
        for _ in 1..batch(c) {
            // SAFETY: the list holds more than `batch(c)` blocks.
            last = unsafe { next_of(last) };
        }
        // SAFETY: `last` is the `batch(c)`-th block: the rest of the list stays here.
        unsafe {
            self.heads[c].set(next_of(last));
            set_next(last, ptr::null_mut());
        }
        self.counts[c].set(self.counts[c].get() - batch(c));
        let mut pool = POOL[c].lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: blocks are at least 16 bytes: the second word is the block's.
        unsafe { first.cast::<*mut u8>().add(1).write(pool.0) };
        pool.0 = first;
    }
}

/// A chunk of [`CHUNK`] bytes from the system allocator, or null. Chunks are small so that
/// they fit in the holes the system allocator's heap has where larger blocks were freed: a
/// chunk is never freed, and a large one would take new pages where the heap has room.
fn new_chunk() -> *mut u8 {
    // SAFETY: CHUNK is non-zero and GRAIN a power of two.
    unsafe { System.alloc(Layout::from_size_align_unchecked(CHUNK, GRAIN)) }
}

// SAFETY: small blocks are handed out once until freed (lists and chunks never overlap), are
// `GRAIN`-aligned and at least as large as asked; the rest is the system allocator's.
unsafe impl GlobalAlloc for Small {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match class(layout) {
            // SAFETY: see the impl.
            Some(c) => LOCAL.with(|l| unsafe { l.take(c) }),
            // SAFETY: forwarded as asked.
            None => unsafe { System.alloc(layout) },
        }
    }

    #[inline]
    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        match class(layout) {
            // SAFETY: the caller gives back a block of this layout.
            Some(c) => LOCAL.with(|l| unsafe { l.give(c, block) }),
            // SAFETY: it came from the system allocator with this layout.
            None => unsafe { System.dealloc(block, layout) },
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match class(layout) {
            Some(_) => {
                // SAFETY: see `alloc`; a recycled block must be cleared.
                let block = unsafe { self.alloc(layout) };
                if !block.is_null() {
                    // SAFETY: the block holds at least `layout.size()` bytes.
                    unsafe { block.write_bytes(0, layout.size()) };
                }
                block
            }
            // SAFETY: forwarded as asked.
            None => unsafe { System.alloc_zeroed(layout) },
        }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY (all below): the caller's block has `layout`; `new_size` is valid for its
        // alignment.
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (class(layout), class(new)) {
            (None, None) => unsafe { System.realloc(block, layout, new_size) },
            (Some(a), Some(b)) if a == b => block,
            (old, new_class) => {
                if let (Some(a), Some(b)) = (old, new_class) {
                    // SAFETY: `grow` checks the block is the last one cut from this thread's
                    // current chunk.
                    if let Some(grown) = LOCAL.with(|l| unsafe { l.grow(block, a, b) }) {
                        return grown;
                    }
                }
                let moved = unsafe { self.alloc(new) };
                if !moved.is_null() {
                    unsafe {
                        ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
                        self.dealloc(block, layout);
                    }
                }
                moved
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn classes_round_up_to_sixteen_bytes_and_stop_at_the_small_limit() {
        assert_eq!(class(layout(0, 1)), Some(0));
        assert_eq!(class(layout(1, 1)), Some(0));
        assert_eq!(class(layout(16, 8)), Some(0));
        assert_eq!(class(layout(17, 8)), Some(1));
        assert_eq!(class(layout(256, 16)), Some(15));
        assert_eq!(class(layout(257, 8)), None);
        assert_eq!(class(layout(32, 32)), None);
    }

    #[test]
    fn a_list_keeps_at_most_eight_kib_of_each_class() {
        assert_eq!(spill_at(0), 512);
        assert_eq!(batch(0), 256);
        assert_eq!(spill_at(CLASSES - 1), 32);
        assert_eq!(batch(CLASSES - 1), 16);
        for c in 0..CLASSES {
            assert!(batch(c) >= 2 && spill_at(c) as usize * (c + 1) * GRAIN <= KEEP);
        }
    }

    #[test]
    fn blocks_are_aligned_distinct_and_reused_after_free() {
        let a = Small;
        let l = layout(24, 8);
        let blocks: Vec<*mut u8> = (0..1000).map(|_| unsafe { a.alloc(l) }).collect();
        let mut sorted = blocks.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), blocks.len(), "a block was handed out twice");
        for w in sorted.windows(2) {
            assert!(w[1] as usize - w[0] as usize >= 32, "blocks overlap");
        }
        for &b in &blocks {
            assert_eq!(b as usize % GRAIN, 0);
            unsafe { b.write_bytes(0xab, 24) };
        }
        let last = blocks[999];
        for &b in &blocks {
            unsafe { a.dealloc(b, l) };
        }
        // The last block freed is the first handed out again.
        assert_eq!(unsafe { a.alloc(l) }, last);
        unsafe { a.dealloc(last, l) };
    }

    #[test]
    fn zeroed_blocks_are_zero_even_when_recycled() {
        let a = Small;
        let l = layout(100, 4);
        let b = unsafe { a.alloc(l) };
        unsafe { b.write_bytes(0xff, 100) };
        unsafe { a.dealloc(b, l) };
        let z = unsafe { a.alloc_zeroed(l) };
        assert_eq!(z, b);
        assert!(
            unsafe { std::slice::from_raw_parts(z, 100) }
                .iter()
                .all(|&x| x == 0)
        );
        unsafe { a.dealloc(z, l) };
    }

    #[test]
    fn realloc_keeps_the_bytes_across_classes_and_into_the_system_allocator() {
        let a = Small;
        let mut l = layout(10, 1);
        let mut b = unsafe { a.alloc(l) };
        for i in 0..10 {
            unsafe { b.add(i).write(i as u8) };
        }
        // Same class: the same block.
        assert_eq!(unsafe { a.realloc(b, l, 16) }, b);
        l = layout(16, 1);
        for size in [40, 200, 4000, 100, 12] {
            b = unsafe { a.realloc(b, l, size) };
            assert!(!b.is_null());
            l = layout(size, 1);
            let kept = unsafe { std::slice::from_raw_parts(b, 10) };
            assert_eq!(kept, &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "after {size}");
        }
        unsafe { a.dealloc(b, l) };
    }

    #[test]
    fn the_last_block_cut_grows_in_place_and_others_move() {
        std::thread::spawn(|| {
            let a = Small;
            let b = unsafe { a.alloc(layout(70, 8)) };
            unsafe { b.write_bytes(7, 70) };
            let grown = unsafe { a.realloc(b, layout(70, 8), 150) };
            assert_eq!(grown, b, "the tip of the chunk did not grow in place");
            let other = unsafe { a.alloc(layout(70, 8)) };
            let moved = unsafe { a.realloc(grown, layout(150, 8), 250) };
            assert_ne!(moved, grown, "a block before another one grew over it");
            assert!(
                unsafe { std::slice::from_raw_parts(moved, 70) }
                    .iter()
                    .all(|&x| x == 7)
            );
            unsafe {
                a.dealloc(moved, layout(250, 8));
                a.dealloc(other, layout(70, 8));
            }
        })
        .join()
        .unwrap();
    }

    #[test]
    fn blocks_freed_on_another_thread_come_back_through_the_pool() {
        // A worker allocates, the main thread frees more than a list keeps: the surplus goes to
        // the pool, and a fresh thread takes it before cutting new chunks.
        let l = layout(232, 8);
        let c = class(l).unwrap();
        let n = (spill_at(c) + batch(c)) as usize;
        let blocks: Vec<usize> = std::thread::spawn(move || {
            (0..n).map(|_| unsafe { Small.alloc(l) } as usize).collect()
        })
        .join()
        .unwrap();
        let mine: std::collections::HashSet<usize> = blocks.iter().copied().collect();
        // Freed on another thread than the one that allocated them.
        std::thread::spawn(move || {
            for &b in &blocks {
                unsafe { Small.dealloc(b as *mut u8, l) };
            }
        })
        .join()
        .unwrap();
        let again: Vec<usize> = std::thread::spawn(move || {
            (0..batch(c) as usize)
                .map(|_| unsafe { Small.alloc(l) } as usize)
                .collect()
        })
        .join()
        .unwrap();
        assert!(
            again.iter().all(|b| mine.contains(b)),
            "a new thread cut new blocks while the pool held freed ones"
        );
    }
}
