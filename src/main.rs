fn main() -> std::process::ExitCode {
    meshctl::cli::run()
}
