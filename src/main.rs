/// mimalloc: YAML loading allocates many small strings and maps; under perf,
/// the system allocator's functions took about a fifth of the cycles of
/// `cargo bench --bench validate`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    meshctl::cli::run()
}
