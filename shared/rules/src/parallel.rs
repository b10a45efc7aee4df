//! An order-keeping parallel map over scoped threads (std only).
//!
//! Why: judging an account's principals, or a directory of policies, is one independent
//! question per item, and a large organisation's account file holds thousands of principals.
//! The CLI and a Lambda with more than one vCPU finish sooner; on one CPU this is the plain
//! loop.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Below this many items threads cost more than they save.
const MIN_PER_THREAD: usize = 32;

/// How many threads `threads` asks for: 0 means one per available CPU (at most 8).
pub fn thread_count(threads: usize) -> usize {
    match threads {
        0 => std::thread::available_parallelism()
            .map(NonZeroUsize::get)
            .unwrap_or(1)
            .min(8),
        n => n,
    }
}

/// `items.iter().map(f).collect()`, over `threads` threads that take the next block of
/// [`BLOCK`] items as they finish one (principals differ in cost by a hundred times: users
/// with sensitive permissions against machine roles, so fixed halves would leave one thread
/// idle). A worker that panics (nothing here should) has its items redone on this thread, so
/// the outcome is the sequential loop's.
pub fn map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = thread_count(threads)
        .min(items.len() / MIN_PER_THREAD)
        .max(1);
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let (f, next) = (&f, &next);
    let work = move || {
        let mut done: Vec<(usize, R)> = Vec::new();
        loop {
            let start = next.fetch_add(BLOCK, Ordering::Relaxed);
            let Some(block) = items.get(start..(start + BLOCK).min(items.len())) else {
                return done;
            };
            if block.is_empty() {
                return done;
            }
            done.extend(
                block
                    .iter()
                    .enumerate()
                    .map(|(i, item)| (start + i, f(item))),
            );
        }
    };
    let mut slots: Vec<Option<R>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
        let mut slots: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
        for handle in handles {
            // A panicked worker's items stay empty and are redone below.
            for (i, r) in handle.join().unwrap_or_default() {
                if let Some(slot) = slots.get_mut(i) {
                    *slot = Some(r);
                }
            }
        }
        slots
    });
    slots
        .iter_mut()
        .zip(items)
        .map(|(slot, item)| slot.take().unwrap_or_else(|| f(item)))
        .collect()
}

/// Items a worker takes at a time.
const BLOCK: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_matches_the_sequential_loop() {
        let items: Vec<usize> = (0..1000).collect();
        for threads in [1, 2, 3, 8] {
            assert_eq!(
                map(&items, threads, |x| x * 2),
                items.iter().map(|x| x * 2).collect::<Vec<_>>()
            );
        }
        assert!(map(&Vec::<usize>::new(), 4, |x| *x).is_empty());
    }
}
