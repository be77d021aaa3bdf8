//! `meshctl validate PATHS...`

use std::io::{IsTerminal, Write};

use clap::ValueEnum;

use super::{CliError, exit};
use crate::analyze::registry::all_rules;
use crate::baseline;
use crate::diagnostic::Severity;
use crate::load::{self, Input};
use crate::report;
use crate::validate::{self, Options};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
    Junit,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

#[derive(clap::Args)]
pub struct Args {
    /// Files, directories (walked for *.yaml, *.yml, *.json), or - for stdin.
    #[arg(required = true, value_name = "PATHS")]
    paths: Vec<String>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "human")]
    format: Format,
    /// Exit 1 when a finding at or above this severity remains.
    #[arg(long, value_enum, default_value = "error")]
    fail_on: FailOn,
    /// Only these rules (comma list of codes, names or code prefixes).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Never these rules (comma list of codes, names or code prefixes).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Namespace of resources without metadata.namespace.
    #[arg(short = 'n', long, default_value = "default")]
    namespace: String,
    /// Also list skipped documents (unknown kinds) and unchecked references on stderr.
    #[arg(short, long)]
    verbose: bool,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    baseline: Option<String>,
    /// Write every current finding to FILE as the new baseline.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<String>,
}

pub fn run(args: Args) -> Result<u8, CliError> {
    let inputs: Vec<Input> = args.paths.iter().map(|p| Input::parse(p)).collect();
    let loaded = load::load(&inputs)?;
    let options = Options {
        default_namespace: args.namespace.clone(),
        select: args.select.clone(),
        ignore: args.ignore.clone(),
    };
    let known = args
        .baseline
        .as_deref()
        .map(baseline::read)
        .transpose()
        .map_err(CliError)?;
    let mut outcome = validate::run(loaded, &options);
    if let Some(path) = &args.write_baseline {
        baseline::write(path, &outcome.diagnostics, &outcome.sources).map_err(CliError)?;
    }
    if let Some(known) = known {
        let sources = &outcome.sources;
        outcome
            .diagnostics
            .retain(|d| !known.contains(&baseline::Entry::of(d, sources)));
        outcome.recount();
    }
    if args.verbose {
        for (source, kind) in &outcome.skipped {
            eprintln!(
                "meshctl: skipped {} in {} (not a kind meshctl checks)",
                if kind.is_empty() {
                    "a document without kind"
                } else {
                    kind
                },
                outcome.sources[*source].name
            );
        }
        for what in &outcome.unchecked {
            eprintln!("meshctl: not checked: {what}");
        }
    }
    let threshold = args.fail_on.threshold();
    let text = match args.format {
        Format::Human => {
            let stdout = std::io::stdout();
            let color = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let width = if stdout.is_terminal() {
                terminal_width()
            } else {
                100
            };
            report::human::render(
                &outcome.diagnostics,
                &outcome.sources,
                &outcome.summary,
                report::human::Style { color, width },
            )
        }
        Format::Json => {
            report::json::render(&outcome.diagnostics, &outcome.sources, &outcome.summary)
        }
        Format::Sarif => {
            report::sarif::render(&outcome.diagnostics, &outcome.sources, &all_rules())
        }
        Format::Github => report::github::render(&outcome.diagnostics, &outcome.sources),
        Format::Junit => report::junit::render(&outcome.diagnostics, &outcome.sources, threshold),
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(err) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        && err.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(err.into());
    }
    let failing = threshold.is_some_and(|t| outcome.diagnostics.iter().any(|d| d.severity >= t));
    Ok(if failing { exit::FINDINGS } else { exit::OK })
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}
