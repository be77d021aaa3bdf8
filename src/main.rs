/// mimalloc: YAML loading allocates many small strings and maps; the system
/// allocator cost a fifth of validate's time in `cargo bench --bench validate`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    meshctl::cli::run()
}
