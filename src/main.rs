/// mimalloc: YAML loading allocates many small strings and maps; under perf,
/// the system allocator's functions took about a fifth of the cycles of
/// `cargo bench --bench validate`. It is built without transparent huge
/// pages (the `no_thp` feature): each 2 MiB page was zeroed and counted
/// whole, adding 16–23 MB to validate's peak and, under perf, up to a
/// third of its CPU samples.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    meshctl::cli::run()
}
