/// mimalloc: YAML loading allocates many small strings and maps; under perf,
/// the system allocator's functions took about a fifth of the cycles of
/// `cargo bench --bench validate`. It is built without transparent huge
/// pages (the `no_thp` feature): each 2 MiB page was zeroed and counted
/// whole, adding 16–23 MB to validate's peak and, under perf, up to a
/// third of its CPU samples.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    meshctl::memory::set_release(release_freed_pages);
    meshctl::cli::run()
}

/// mimalloc keeps freed pages a while for reuse; between validate's phases
/// they are returned at once (on 10k resources, 4 MB off the peak, for two
/// calls).
fn release_freed_pages() {
    // SAFETY: mi_collect only walks mimalloc's own heaps; it is safe to call
    // at any time from any thread.
    unsafe { libmimalloc_sys::mi_collect(true) }
}
