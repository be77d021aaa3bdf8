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

    static CALLS: AtomicUsize = AtomicUsize::new(0);

    fn count() {
        CALLS.fetch_add(1, Ordering::SeqCst);
    }

    #[test]
    fn a_registered_release_runs_when_asked_and_only_the_first_one_counts() {
        set_release(count);
        set_release(|| panic!("a second registration is ignored"));
        let before = CALLS.load(Ordering::SeqCst);
        release_freed();
        assert!(CALLS.load(Ordering::SeqCst) > before);
    }
}
