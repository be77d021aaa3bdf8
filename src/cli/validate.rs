//! `meshctl validate PATHS...`

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::yaml_file::YamlFile;
use super::{CliError, Paths, exit, kept_until_exit, stream_stdout};
use crate::analyze::registry::all_rules;
use crate::baseline;
use crate::diagnostic::{Rule, Severity};
use crate::load;
use crate::load::spans::escape;
use crate::report;
use crate::report::terminal::Style;
use crate::schema::channel::Channel;
use crate::schema::did_you_mean;
use crate::settings::{self, Settings, SettingsFile};
use crate::validate::{self, Options, rule_matches};

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
    #[command(flatten)]
    paths: Paths,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "human")]
    format: Format,
    /// Exit 1 when a finding at or above this severity remains [default:
    /// error, or `fail-on` of the settings file].
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Only these rules (comma list of codes, names or code prefixes);
    /// replaces `select` of the settings file.
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Never these rules (comma list of codes, names or code prefixes);
    /// added to `ignore` of the settings file.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Namespace of resources without metadata.namespace [default: default,
    /// or `namespace` of the settings file].
    #[arg(short = 'n', long)]
    namespace: Option<String>,
    /// Settings file to use instead of the nearest .meshctl.yaml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<String>,
    /// Ignore any .meshctl.yaml.
    #[arg(long)]
    no_config: bool,
    /// Also list skipped documents (unknown kinds) and unchecked references on stderr.
    #[arg(short, long)]
    verbose: bool,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    baseline: Option<String>,
    /// Write every current finding to FILE as the new baseline.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<String>,
    /// The input is the whole cluster, as `istioctl analyze` assumes without
    /// one: a host, gateway, subset or pod the input lacks does not exist,
    /// and is reported [default: `complete` of the settings file, else off:
    /// references into namespaces the input does not describe are not
    /// checked].
    #[arg(long)]
    complete: bool,
    /// The Gateway API release channel the cluster's CRDs come from: with
    /// `standard`, experimental fields (a rule's retry, sessionPersistence,
    /// ExternalAuth filters) are errors [default: `gateway-api-channel` of
    /// the settings file, else the channel of Gateway API CRDs in the input,
    /// else both are accepted].
    #[arg(long, value_enum, value_name = "CHANNEL")]
    gateway_api_channel: Option<Channel>,
    /// Accept a folder without manifests (nothing to check, exit 0); by
    /// default it is an error, as the path is most likely wrong.
    #[arg(long)]
    allow_empty: bool,
}

pub fn run(args: Args, style: Style) -> Result<u8, CliError> {
    check_selectors(&args)?;
    let project = project_settings(&args)?;
    let inputs = args.paths.inputs();
    let empty = if args.allow_empty {
        load::Empty::Allowed
    } else {
        load::Empty::Refused
    };
    let files = load::read_inputs(&inputs, empty)?;
    let mut select = project.file.select;
    if !args.select.is_empty() {
        select.clone_from(&args.select);
    }
    let mut ignore = project.file.ignore;
    ignore.extend(args.ignore.iter().cloned());
    let options = Options {
        default_namespace: args
            .namespace
            .clone()
            .or(project.file.namespace)
            .unwrap_or_else(|| "default".into()),
        select,
        ignore,
        complete: args.complete || project.file.complete.unwrap_or(false),
        gateway_api_channel: args
            .gateway_api_channel
            .or(project.file.gateway_api_channel),
        settings: project.settings,
    };
    let fail_on = args.fail_on.or(project.fail_on).unwrap_or(FailOn::Error);
    let known = args
        .baseline
        .as_deref()
        .map(baseline::read)
        .transpose()
        .map_err(CliError)?;
    let outcome = kept_until_exit(validate::run_files(files, &options));
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
            say!(
                "skipped {} in {} (not a kind meshctl checks)",
                if kind.is_empty() {
                    "a document without kind"
                } else {
                    kind
                },
                outcome.sources[*source].name
            );
        }
        for what in &outcome.unchecked {
            say!("not checked: {what}");
        }
    }
    let threshold = fail_on.threshold();
    let (diagnostics, sources, summary) =
        (&outcome.diagnostics, &outcome.sources, &outcome.summary);
    stream_stdout(|out| {
        let text = match args.format {
            Format::Json => return report::json::write(out, diagnostics, sources, summary),
            Format::Human => report::human::render(diagnostics, sources, summary, style),
            Format::Sarif => report::sarif::render(diagnostics, sources, &all_rules()),
            Format::Github => report::github::render(diagnostics, sources),
            Format::Junit => report::junit::render(diagnostics, sources, threshold),
        };
        out.write_all(text.as_bytes())
    })?;
    let failing = threshold.is_some_and(|t| outcome.diagnostics.iter().any(|d| d.severity >= t));
    Ok(if failing { exit::FINDINGS } else { exit::OK })
}

/// Why `selector` is refused when it names no rule, with the rule it was
/// probably meant to name: a selector that selects nothing would turn every
/// check off, and a CI gate would pass on anything.
fn unknown_selector(selector: &str, rules: &[&'static Rule]) -> Option<String> {
    if rules
        .iter()
        .any(|r| rule_matches(r, std::slice::from_ref(&selector.to_string())))
    {
        return None;
    }
    let names = rules.iter().flat_map(|r| [r.code, r.name]);
    let hint = did_you_mean(selector.trim(), names)
        .map(|name| format!("; did you mean `{name}`?"))
        .unwrap_or_default();
    Some(format!(
        "`{selector}` names no rule{hint} (`meshctl rules` lists them)"
    ))
}

/// The command line's selectors, checked like the settings file's.
fn check_selectors(args: &Args) -> Result<(), CliError> {
    let rules = all_rules();
    let given = args
        .select
        .iter()
        .map(|s| ("--select", s))
        .chain(args.ignore.iter().map(|s| ("--ignore", s)));
    for (flag, selector) in given {
        if let Some(problem) = unknown_selector(selector, &rules) {
            return Err(CliError(format!("{flag}: {problem}")));
        }
    }
    Ok(())
}

/// The settings file in force, checked: every rule selector must name a rule.
pub(super) struct Project {
    file: SettingsFile,
    settings: Settings,
    fail_on: Option<FailOn>,
}

fn project_settings(args: &Args) -> Result<Project, CliError> {
    let path = match (&args.config, args.no_config) {
        (_, true) => None,
        (Some(path), false) => Some(PathBuf::from(path)),
        (None, false) => settings::discover(&std::env::current_dir()?),
    };
    let Some(path) = path else {
        return Ok(Project {
            file: SettingsFile::default(),
            settings: Settings::default(),
            fail_on: None,
        });
    };
    let name = path.to_string_lossy().into_owned();
    let yaml = YamlFile::read(&name)?;
    let root = std::fs::canonicalize(&path)?
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    check_settings(&yaml, &root)
}

/// The settings of `yaml`, a settings file in the folder `root`: every rule
/// selector must name a rule, and `fail-on` a severity.
pub(super) fn check_settings(yaml: &YamlFile, root: &Path) -> Result<Project, CliError> {
    let file: SettingsFile = match yaml.document() {
        Some(_) => yaml.parse()?,
        None => SettingsFile::default(),
    };
    let rules = all_rules();
    let selectors = file
        .select
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("/select/{i}"), s))
        .chain(
            file.ignore
                .iter()
                .enumerate()
                .map(|(i, s)| (format!("/ignore/{i}"), s)),
        )
        .chain(
            file.severity
                .keys()
                .map(|k| (format!("/severity/{}", escape(k)), k)),
        )
        .chain(file.per_file_ignores.iter().flat_map(|(glob, list)| {
            list.iter()
                .enumerate()
                .map(move |(i, s)| (format!("/per-file-ignores/{}/{i}", escape(glob)), s))
        }));
    for (pointer, selector) in selectors {
        if let Some(problem) = unknown_selector(selector, &rules) {
            let place = if pointer.starts_with("/severity/") {
                yaml.key_at(&pointer)
            } else {
                yaml.at(&pointer)
            };
            return Err(CliError(format!("{place}: {problem}")));
        }
    }
    let fail_on = match &file.fail_on {
        Some(text) => Some(FailOn::from_str(text, true).map_err(|_| {
            CliError(format!(
                "{}: fail-on must be error, warning, info or never, not `{text}`",
                yaml.at("/fail-on")
            ))
        })?),
        None => None,
    };
    let settings = Settings::new(&file, root)
        .map_err(|(pointer, message)| CliError(format!("{}: {message}", yaml.key_at(&pointer))))?;
    Ok(Project {
        file,
        settings,
        fail_on,
    })
}
