//! `meshctl shift PATHS...`: write the next rollout step into the file.

use std::collections::BTreeSet;

use clap::ArgGroup;

use super::{
    CliError, HumanOrJson, MeshConfig, Paths, collect_slos, exit, kept_until_exit, print_stdout,
    run_scenario,
};
use crate::baseline::Entry;
use crate::diagnostic::{Diagnostic, Severity};
use crate::load::{self, Loaded};
use crate::mesh::names::fqdn;
use crate::mesh::{Mesh, SubsetLookup};
use crate::model::Duration;
use crate::report::shift::{Plan, weights_text};
use crate::report::terminal::Style;
use crate::route::RoutingTable;
use crate::route::needed::Needed;
use crate::shift;
use crate::shift::strategy::Strategy;
use crate::shift::target::{self, Selector, Split};
use crate::sim::scenario;
use crate::sim::slo::Verdict;
use crate::validate::{self, Options, Outcome};

/// The rollout schedules of other tools that `--schedule` follows.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Schedule {
    /// Flagger: --step-weight and --max-weight, or --step-weights.
    Flagger,
    /// Argo Rollouts: the setWeight steps, as --set-weights.
    Argo,
}

#[derive(clap::Args)]
#[command(group(ArgGroup::new("strategy").required(true).args(["step", "steps", "schedule", "promote", "rollback", "switch"])))]
pub struct Args {
    #[command(flatten)]
    paths: Paths,
    #[command(flatten)]
    mesh_config: MeshConfig,
    /// The VirtualService to shift, as NAME or NAMESPACE/NAME.
    #[arg(long, value_name = "NAME")]
    virtual_service: Option<String>,
    /// The http route to shift, by name or index.
    #[arg(long, value_name = "NAME|INDEX")]
    route: Option<String>,
    /// The destination traffic leaves (subset, or host without subsets).
    #[arg(long, value_name = "SUBSET")]
    from: Option<String>,
    /// The destination traffic goes to.
    #[arg(long, value_name = "SUBSET")]
    to: Option<String>,
    /// Move this many percentage points.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    step: Option<u32>,
    /// Move through these canary weights (comma list), then to 100.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    steps: Option<Vec<u32>>,
    /// Follow Flagger's or Argo Rollouts' schedule.
    #[arg(long, value_enum)]
    schedule: Option<Schedule>,
    /// Flagger's stepWeight.
    #[arg(long, value_name = "N", requires = "max_weight")]
    step_weight: Option<u32>,
    /// Flagger's maxWeight.
    #[arg(long, value_name = "N", requires = "step_weight")]
    max_weight: Option<u32>,
    /// Flagger's stepWeights (comma list).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    step_weights: Option<Vec<u32>>,
    /// Argo Rollouts' setWeight steps (comma list).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    set_weights: Option<Vec<u32>>,
    /// All traffic to the --to destination.
    #[arg(long)]
    promote: bool,
    /// All traffic back to the --from destination.
    #[arg(long)]
    rollback: bool,
    /// Blue/green: flip all traffic to the other destination.
    #[arg(long)]
    switch: bool,
    /// Print the whole schedule from the current weights instead of editing.
    #[arg(long)]
    plan: bool,
    /// With --plan: how long each step is held (e.g. 5m), for the time to promotion.
    #[arg(long, value_name = "DURATION", requires = "plan")]
    interval: Option<String>,
    /// With --plan: the format of the plan.
    #[arg(
        short = 'o',
        long,
        value_enum,
        default_value = "human",
        requires = "plan"
    )]
    format: HumanOrJson,
    /// Print a unified diff instead of the edited file.
    #[arg(long, conflicts_with = "in_place")]
    diff: bool,
    /// Rewrite the file atomically.
    #[arg(long)]
    in_place: bool,
    /// Simulate this scenario on the edited configuration first.
    #[arg(long, value_name = "SCENARIO", requires = "slo")]
    gate: Option<String>,
    /// The SLO the gated simulation must meet (repeatable).
    #[arg(long, value_name = "EXPR", requires = "gate")]
    slo: Vec<String>,
    /// Namespace of resources without metadata.namespace.
    #[arg(short = 'n', long, default_value = "default")]
    namespace: String,
}

impl Args {
    fn strategy(&self) -> Result<Strategy, CliError> {
        let usage = |m: &str| Err(CliError(m.to_string()));
        Ok(match self.schedule {
            Some(Schedule::Flagger) => {
                match (self.step_weight, self.max_weight, &self.step_weights) {
                    (Some(step_weight), Some(max_weight), None) if step_weight > 0 => {
                        Strategy::Flagger {
                            step_weight,
                            max_weight,
                        }
                    }
                    (None, None, Some(list)) => Strategy::Weights(list.clone()),
                    _ => {
                        return usage(
                            "--schedule flagger takes --step-weight N --max-weight M (N > 0), or --step-weights LIST",
                        );
                    }
                }
            }
            Some(Schedule::Argo) => match &self.set_weights {
                Some(list) => Strategy::Weights(list.clone()),
                None => return usage("--schedule argo takes --set-weights LIST"),
            },
            None if self.step_weight.is_some()
                || self.step_weights.is_some()
                || self.set_weights.is_some() =>
            {
                return usage(
                    "--step-weight, --max-weight, --step-weights and --set-weights go with --schedule",
                );
            }
            None => match (self.step, &self.steps) {
                (Some(n), _) => Strategy::Step(n),
                (_, Some(list)) => Strategy::Weights(list.clone()),
                _ if self.promote => Strategy::Promote,
                _ if self.rollback => Strategy::Rollback,
                _ => Strategy::Switch,
            },
        })
    }
}

/// The route's weights now and after the step.
struct Step {
    split: Split,
    before: Vec<u32>,
    after: Vec<u32>,
}

pub fn run(args: Args, style: Style) -> Result<u8, CliError> {
    let strategy = args.strategy()?;
    collect_slos(None, &args.slo)?;
    let inputs = args.paths.inputs();
    let options = Options {
        default_namespace: args.namespace.clone(),
        ..Options::default()
    };
    // A named route needs only the files that mention it and what it
    // reaches; finding one by its destinations, or a gate's scenario, needs
    // the whole input.
    let loaded = match (&args.virtual_service, &args.gate) {
        (Some(name), None) => load::load_selected(&inputs, &mut Needed::for_resource(name))?,
        _ => load::load(&inputs)?,
    };
    let outcome = kept_until_exit(validate::read(loaded, &options));
    let selector = Selector {
        virtual_service: args.virtual_service.as_deref(),
        route: args.route.as_deref(),
        from: args.from.as_deref(),
        to: args.to.as_deref(),
    };
    let split = target::find(&outcome.config, &selector).map_err(CliError)?;
    let before = split.weights();
    let total: u32 = before.iter().sum();
    if total != 100 {
        return Err(CliError(format!(
            "the weights of {} sum to {total}; shift works in percentages, so make them sum to 100 first",
            split.describe()
        )));
    }
    let pair = before[split.from] + before[split.to];
    let current = before[split.to];
    if matches!(strategy, Strategy::Switch) && current != 0 && current != pair {
        return Err(CliError(format!(
            "--switch flips a blue/green route that sends all its traffic one way; {} splits {}: use --promote or --step",
            split.describe(),
            weights_text(&split, &before)
        )));
    }
    if args.plan {
        let interval = args
            .interval
            .as_deref()
            .map(|i| Duration::parse(i).map_err(|e| CliError(format!("--interval `{i}`: {e}"))))
            .transpose()?;
        let schedule = strategy.schedule(current);
        let plan = Plan::new(&split, &before, &schedule, interval);
        print_stdout(&match args.format {
            HumanOrJson::Human => plan.human(style),
            HumanOrJson::Json => plan.json(),
        })?;
        return Ok(exit::OK);
    }
    let doc = &outcome.documents[split.doc];
    let source = &outcome.sources[doc.source];
    let Some(next) = strategy.next(current) else {
        say!(
            "nothing to do: {} already sends {current}% to `{}`",
            split.describe(),
            split.destinations[split.to].label
        );
        return write_out(&args, &source.name, &source.text, &source.text);
    };
    let after = split.weights_with(&before, next);
    let step = Step {
        split,
        before,
        after,
    };
    if let Some(refusal) = subset_missing(outcome, &step) {
        say!("refused: {refusal}; nothing written");
        return Ok(exit::FINDINGS);
    }
    let edited = shift::rewrite(outcome, &step.split, &step.after)?;
    let checked = revalidate(outcome, doc.source, &edited, &options);
    if let Some(refusal) = new_errors(outcome, &checked, doc.source) {
        say!("refused: {refusal}; nothing written");
        return Ok(exit::FINDINGS);
    }
    if let Some(gate) = &args.gate
        && let Some(refusal) = gate_fails(gate, &args.slo, &checked, &args.mesh_config)?
    {
        say!("refused: {refusal}; nothing written");
        return Ok(exit::FINDINGS);
    }
    say!(
        "{}: {} → {}",
        step.split.describe(),
        weights_text(&step.split, &step.before),
        weights_text(&step.split, &step.after)
    );
    write_out(&args, &source.name, &source.text, &edited)
}

/// Why the target subset cannot take traffic, when a loaded
/// DestinationRule for its host lacks it.
fn subset_missing(outcome: &Outcome, step: &Step) -> Option<String> {
    let split = &step.split;
    let to = &split.destinations[split.to];
    let subset = to.subset.as_deref()?;
    if step.after[split.to] == 0 {
        return None;
    }
    let host = fqdn(&to.host, &split.namespace);
    let mesh = Mesh::build(&outcome.config);
    match mesh.subset(&host, subset, &split.namespace) {
        SubsetLookup::Defined => None,
        SubsetLookup::Unchecked(why) => {
            say!("not checked: {why}, so subset `{subset}` cannot be checked");
            None
        }
        SubsetLookup::Missing(why) => Some(why),
    }
}

/// The inputs with the edited text for `source`: that file is parsed
/// again, the others' documents are reused.
fn revalidate(outcome: &Outcome, source: usize, edited: &str, options: &Options) -> Outcome {
    let mut loaded = Loaded::default();
    for (i, s) in outcome.sources.iter().enumerate() {
        if i == source {
            loaded.add_bytes(s.name.clone(), edited.as_bytes().to_vec());
        } else {
            let documents = outcome.documents.iter().filter(|d| d.source == i).cloned();
            loaded.add_read(s.clone(), documents);
        }
    }
    validate::read(loaded, options)
}

/// The validation errors the step would add to the edited file's
/// resources (the only ones a weight edit can break), in words.
fn new_errors(before: &Outcome, after: &Outcome, source: usize) -> Option<String> {
    let findings = |o: &Outcome| -> Vec<Diagnostic> {
        let mut all = validate::check_docs(o, &validate::docs_in(o, source));
        all.extend(o.diagnostics.iter().cloned());
        all.retain(|d| d.severity == Severity::Error);
        all
    };
    let known: BTreeSet<Entry> = findings(before)
        .iter()
        .map(|d| Entry::of(d, &before.sources))
        .collect();
    let added: Vec<String> = findings(after)
        .iter()
        .filter(|d| !known.contains(&Entry::of(d, &after.sources)))
        .map(|d| format!("{} {}", d.rule.code, d.message))
        .collect();
    (!added.is_empty()).then(|| format!("the result would fail validate: {}", added.join("; ")))
}

/// Runs the gate scenario on the edited configuration with its SLOs and
/// `--slo`; `Some(why)` when one does not pass (an inconclusive one fails).
fn gate_fails(
    path: &str,
    flags: &[String],
    checked: &Outcome,
    mesh_config: &MeshConfig,
) -> Result<Option<String>, CliError> {
    let file = scenario::read(path)?;
    let slos = collect_slos(Some(&file), flags)?;
    let mesh = mesh_config.mesh(&checked.config);
    let table = RoutingTable::build(&mesh);
    let result = run_scenario(&file, &slos, &table)?;
    let mut failed = Vec::new();
    for r in result.slo {
        say!(
            "gate {}: {} (measured {:.2})",
            r.expr,
            match r.verdict {
                Verdict::Pass => "met",
                Verdict::Fail => "FAILED",
                Verdict::Inconclusive => "INCONCLUSIVE (fails the gate)",
            },
            r.actual
        );
        if !r.passed {
            failed.push(r.expr);
        }
    }
    Ok((!failed.is_empty()).then(|| {
        format!(
            "the simulated step fails {} under {path}",
            failed.join(", ")
        )
    }))
}

/// Prints the edited file or its diff, or writes it in place.
fn write_out(args: &Args, name: &str, original: &str, edited: &str) -> Result<u8, CliError> {
    if args.in_place {
        super::in_place::replace(name, original, edited)?;
        return Ok(exit::OK);
    }
    let text = if args.diff {
        similar::TextDiff::from_lines(original, edited)
            .unified_diff()
            .header(&format!("a/{name}"), &format!("b/{name}"))
            .to_string()
    } else {
        edited.to_string()
    };
    print_stdout(&text)?;
    Ok(exit::OK)
}
