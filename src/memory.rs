//! Handing freed memory back to the operating system between phases.
//!
//! Reading a large input frees as much as it keeps (each document's JSON
//! value, once checked and read); an allocator holds such pages for reuse,
//! but the analysis that follows allocates other sizes, so they stay
//! resident and add to the peak. The binary registers how its allocator
//! returns them; the library, allocator-agnostic, says when.

use std::sync::OnceLock;

static RELEASE: OnceLock<fn()> = OnceLock::new();

/// Registers how the global allocator returns freed pages (once per process).
pub fn set_release(release: fn()) {
    let _ = RELEASE.set(release);
}

/// Returns freed pages to the operating system, if the binary said how.
pub(crate) fn release_freed() {
    if let Some(release) = RELEASE.get() {
        release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static FIRST: AtomicUsize = AtomicUsize::new(0);
    static SECOND: AtomicUsize = AtomicUsize::new(0);

    fn first() {
        FIRST.fetch_add(1, Ordering::SeqCst);
    }

    fn second() {
        SECOND.fetch_add(1, Ordering::SeqCst);
    }

    #[test]
    fn a_registered_release_runs_when_asked_and_only_the_first_one_counts() {
        set_release(first);
        set_release(second);
        let before = FIRST.load(Ordering::SeqCst);
        release_freed();
        assert!(FIRST.load(Ordering::SeqCst) > before);
        assert_eq!(SECOND.load(Ordering::SeqCst), 0);
    }
}
