//! `meshctl route PATHS... --host HOST`

use std::collections::BTreeMap;

use super::{
    CliError, HumanOrJson, MeshConfig, Paths, exit, kept_until_exit, load_config, load_config_for,
    note_used, print_stdout,
};
use crate::model::Duration;
use crate::report::route::{PreviewRow, RequestView, RouteReport, SplitPreviewReport, human, json};
use crate::report::terminal::Style;
use crate::route::decision::Decision;
use crate::route::needed::decided_alone;
use crate::route::split::preview;
use crate::route::{Request, RoutingTable};
use crate::validate::Outcome;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    paths: Paths,
    #[command(flatten)]
    mesh_config: MeshConfig,
    /// Host (authority) of the request, optionally with a port: reviews.shop:9080.
    #[arg(long)]
    host: String,
    /// Request path, with an optional query string.
    #[arg(long, default_value = "/")]
    path: String,
    #[arg(long, default_value = "GET")]
    method: String,
    /// A request header, 'name: value' (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// A query parameter k=v, added to the path (repeatable).
    #[arg(long, value_name = "K=V")]
    query: Vec<String>,
    /// Destination port (listener), when the host carries none.
    #[arg(long)]
    port: Option<u16>,
    /// `mesh`, or a gateway as NAMESPACE/NAME or a NAME unique across namespaces.
    #[arg(long, default_value = "mesh")]
    gateway: String,
    /// A label of the calling workload, k=v (repeatable).
    #[arg(long, value_name = "K=V")]
    source_label: Vec<String>,
    /// Namespace of the caller; short host names resolve in it [default:
    /// --namespace].
    #[arg(long)]
    source_namespace: Option<String>,
    /// Namespace of resources without metadata.namespace, and of the caller
    /// unless --source-namespace says otherwise (as `kubectl -n` puts
    /// everything in one namespace).
    #[arg(short = 'n', long, default_value = "default")]
    namespace: String,
    /// Split preview: request rate per second...
    #[arg(long, requires = "window")]
    rate: Option<f64>,
    /// ...over this window (e.g. 10m), giving expected requests per destination.
    #[arg(long, requires = "rate")]
    window: Option<String>,
    #[arg(short = 'o', long, value_enum, default_value = "human")]
    format: HumanOrJson,
}

fn key_value(text: &str, sep: char, what: &str) -> Result<(String, String), CliError> {
    text.split_once(sep)
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| {
            CliError(format!(
                "{what} `{text}` is not of the form {}",
                if sep == ':' { "'name: value'" } else { "k=v" }
            ))
        })
}

pub fn run(args: Args, style: Style) -> Result<u8, CliError> {
    let inputs = args.paths.inputs();
    let req = request(&args)?;
    let selected = load_config_for(&inputs, &args.namespace, [req.host()])?;
    let mut routed = route_on(selected, &args, &req)?;
    if !decided_alone(&routed.decision) {
        routed = route_on(load_config(&inputs, &args.namespace)?, &args, &req)?;
    }
    let Routed {
        outcome,
        table,
        request: req,
        decision,
    } = routed;
    note_used(outcome, &decision.used_resources());

    let split_preview = match (args.rate, &args.window) {
        (Some(rate), Some(window)) => {
            let window = Duration::parse(window)
                .map_err(|e| CliError(format!("--window `{window}`: {e}")))?;
            let seconds = window.as_nanos() as f64 / 1e9;
            Some(SplitPreviewReport {
                rate_per_second: rate,
                window_seconds: seconds,
                destinations: decision
                    .destinations
                    .iter()
                    .map(|d| PreviewRow {
                        host: d.host.clone(),
                        subset: d.subset.clone(),
                        preview: preview(d.share, rate, seconds),
                    })
                    .collect(),
            })
        }
        _ => None,
    };
    let report = RouteReport {
        version: crate::report::route::ROUTE_VERSION,
        request: RequestView {
            method: req.method.clone(),
            authority: req.authority.clone(),
            path: req.path.clone(),
            port: req.effective_port(),
            entry: req.entry.label(),
            source_namespace: table.caller_namespace(&req),
        },
        decision: &decision,
        split_preview,
    };
    match args.format {
        HumanOrJson::Human => print_stdout(&human(&report, style))?,
        HumanOrJson::Json => print_stdout(&json(&report))?,
    }
    Ok(exit::OK)
}

/// The request the flags describe (its entry is found on the table).
fn request(args: &Args) -> Result<Request, CliError> {
    let mut req = Request::new(&args.host);
    req.method = args.method.to_ascii_uppercase();
    req.port = args.port;
    req.source_namespace = args
        .source_namespace
        .clone()
        .unwrap_or_else(|| args.namespace.clone());
    req.path = args.path.clone();
    for q in &args.query {
        let (k, v) = key_value(q, '=', "--query")?;
        req.path
            .push(if req.path.contains('?') { '&' } else { '?' });
        req.path.push_str(&format!("{k}={v}"));
    }
    for h in &args.headers {
        let (k, v) = key_value(h, ':', "--header")?;
        req.add_header(&k, &v);
    }
    req.source_labels = args
        .source_label
        .iter()
        .map(|l| key_value(l, '=', "--source-label"))
        .collect::<Result<BTreeMap<_, _>, _>>()?;
    Ok(req)
}

/// A request routed on a loaded configuration.
struct Routed {
    outcome: &'static Outcome,
    table: &'static RoutingTable<'static>,
    request: Request,
    decision: Decision<'static>,
}

/// Routes `req` on `outcome` through the entry `--gateway` names.
fn route_on(outcome: &'static Outcome, args: &Args, req: &Request) -> Result<Routed, CliError> {
    let mesh = kept_until_exit(args.mesh_config.mesh(&outcome.config));
    let table = kept_until_exit(RoutingTable::build(mesh));
    let mut req = req.clone();
    req.entry = table.entry_for(&args.gateway)?;
    let decision = table.route(&req)?;
    Ok(Routed {
        outcome,
        table,
        request: req,
        decision,
    })
}
