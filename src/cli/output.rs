//! What every command shares on its way out: stdout that tolerates a closed
//! pipe, the terminal's colours and width, and the manifest paths as
//! arguments or as kubectl's `-f`.

use std::io::{IsTerminal, Write};

use super::CliError;
use crate::diagnostic::printable;
use crate::load::Input;
use crate::report::terminal::Style;

/// `--color`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The style of human output: colours as `--color` says (`auto`: stdout is
/// a terminal, `NO_COLOR` is unset or empty and `TERM` is not `dumb`), and
/// the width tables fit: `COLUMNS`, else the terminal's, else none (a pipe
/// gets whole rows).
pub fn style(choice: ColorChoice) -> Style {
    let terminal = std::io::stdout().is_terminal();
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            terminal
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        }
    };
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|&c| c > 0);
    let width = columns.or_else(|| {
        terminal
            .then(|| terminal_size::terminal_size_of(std::io::stdout()))
            .flatten()
            .map(|(terminal_size::Width(w), _)| w)
    });
    Style { color, width }
}

/// Writes a command's output to stdout; a closed pipe (`| head`) is not an error.
pub fn print_stdout(text: &str) -> Result<(), CliError> {
    stream_stdout(|out| out.write_all(text.as_bytes()))
}

/// Streams a command's output to stdout through a buffer, as `write` makes
/// it; a closed pipe (`| head`) is not an error.
pub fn stream_stdout(
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), CliError> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(err.into()),
        _ => Ok(()),
    }
}

/// `meshctl: ` and `text` on stderr, each line's control characters escaped.
pub fn eprint_escaped(text: &str) {
    let lines: Vec<_> = text.split('\n').map(printable).collect();
    eprintln!("meshctl: {}", lines.join("\n"));
}

/// The manifests a command reads: paths as arguments, or as kubectl users
/// type them (`-f FILE -f DIR`), or both.
#[derive(clap::Args)]
pub struct Paths {
    /// Files, directories (walked for *.yaml, *.yml, *.json), or - for stdin.
    #[arg(value_name = "PATHS", required_unless_present = "filename")]
    paths: Vec<String>,
    /// A file or directory to read, as with kubectl (repeatable; added to PATHS).
    #[arg(short = 'f', long = "filename", value_name = "PATH")]
    filename: Vec<String>,
}

/// The mesh-wide settings of Istio's meshConfig that routing depends on.
#[derive(clap::Args)]
pub struct MeshConfig {
    /// The mesh-wide outboundTrafficPolicy: what a sidecar does with a host it
    /// has no service for (passthrough, or 502 from BlackHoleCluster), unless
    /// its Sidecar says otherwise.
    #[arg(long, value_enum, value_name = "MODE", default_value = "ALLOW_ANY")]
    outbound_traffic_policy: OutboundTrafficPolicy,
}

/// `--outbound-traffic-policy`, spelled as in Istio's meshConfig.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum OutboundTrafficPolicy {
    /// Pass it to its original destination (Istio's default).
    #[value(name = "ALLOW_ANY")]
    AllowAny,
    /// Answer 502 from BlackHoleCluster.
    #[value(name = "REGISTRY_ONLY")]
    RegistryOnly,
}

impl MeshConfig {
    /// The mesh view of `config` under these settings.
    pub fn mesh<'c>(&self, config: &'c crate::model::Config) -> crate::mesh::Mesh<'c> {
        use crate::mesh::sidecar::OutboundMode;
        let mode = match self.outbound_traffic_policy {
            OutboundTrafficPolicy::AllowAny => OutboundMode::AllowAny,
            OutboundTrafficPolicy::RegistryOnly => OutboundMode::RegistryOnly,
        };
        crate::mesh::Mesh::build(config).with_outbound_default(mode)
    }
}

impl Paths {
    /// Every path given, arguments first.
    pub fn inputs(&self) -> Vec<Input> {
        self.paths
            .iter()
            .chain(&self.filename)
            .map(|p| Input::parse(p))
            .collect()
    }
}

/// Writes new files, each through a temporary file renamed over it. A file
/// that exists is refused unless `force`, before anything is written, so a
/// refusal leaves nothing half done.
pub fn write_new_files(
    files: &[(std::path::PathBuf, String)],
    force: bool,
) -> Result<(), CliError> {
    use std::io::Write;
    if !force && let Some((existing, _)) = files.iter().find(|(p, _)| p.exists()) {
        return Err(CliError(format!(
            "{} exists; nothing written (use --force to overwrite it)",
            existing.display()
        )));
    }
    for (path, text) in files {
        let fail = |e: std::io::Error| CliError(format!("{}: {e}", path.display()));
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => std::path::Path::new("."),
        };
        std::fs::create_dir_all(dir).map_err(fail)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
        tmp.write_all(text.as_bytes()).map_err(fail)?;
        tmp.persist(path)
            .map_err(|e| CliError(format!("{}: {}", path.display(), e.error)))?;
    }
    Ok(())
}
