//! `meshctl new PATTERN`: writes a seed pattern's manifests to stdout or
//! `--out`, and with `--tests` the route tests that pin what it does.

use std::path::{Component, Path, PathBuf};

use super::output::write_new_files;
use super::{CliError, load_config};
use crate::author::patterns::{self, Resilience};
use crate::author::plan::{Plan, Policy};
use crate::author::target::{self, Target};
use crate::author::{self, Api, Manifest, route_tests};
use crate::load::Input;
use crate::model::Config;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pattern: Pattern,
}

/// Flags every pattern takes.
#[derive(clap::Args)]
struct Common {
    /// The Kubernetes Service the pattern routes.
    #[arg(long)]
    service: String,
    /// Namespace of the Service and of the resources written.
    #[arg(short = 'n', long, default_value = "default")]
    namespace: String,
    /// The Service port to route to (default: the --from Service's).
    #[arg(long)]
    port: Option<u16>,
    /// Write Istio resources, or Gateway API ones.
    #[arg(long, value_enum, default_value = "istio")]
    api: Api,
    /// Service and Deployment manifests to take the port, the pod labels and
    /// the versions from (repeatable).
    #[arg(long = "from", value_name = "PATH")]
    from: Vec<String>,
    /// Write to this file (*.yaml, *.yml) or folder (one file per resource)
    /// instead of stdout.
    #[arg(long, value_name = "PATH")]
    out: Option<String>,
    /// Also write route tests that pin the pattern's behaviour (needs --out).
    #[arg(long, value_name = "FILE")]
    tests: Option<String>,
    /// Overwrite files that exist.
    #[arg(long)]
    force: bool,
}

#[derive(clap::Subcommand)]
enum Pattern {
    /// Host routing from outside: an ingress Gateway and the route bound to it.
    Gateway {
        #[command(flatten)]
        common: Common,
        /// The host clients ask for, such as api.example.com.
        #[arg(long)]
        host: String,
        /// Serve HTTPS with the certificate in this secret (HTTP redirects to it).
        #[arg(long, value_name = "NAME")]
        tls_secret: Option<String>,
    },
    /// Path and header routing to versions.
    Routing {
        #[command(flatten)]
        common: Common,
        /// Requests under PREFIX go to VERSION (repeatable): /v1=v1.
        #[arg(long = "path", value_name = "PREFIX=VERSION")]
        paths: Vec<String>,
        /// Requests with this header go to VERSION (repeatable): 'end-user=jason:v2'.
        #[arg(long = "header", value_name = "NAME=VALUE:VERSION")]
        headers: Vec<String>,
        /// Where every other request goes (default: the whole service).
        #[arg(long, value_name = "VERSION")]
        default: Option<String>,
    },
    /// A canary split: --weight % to the canary, the rest to the stable version.
    Canary {
        #[command(flatten)]
        common: Common,
        #[arg(long, value_name = "VERSION")]
        stable: String,
        #[arg(long, value_name = "VERSION")]
        canary: String,
        /// Percent of requests to the canary.
        #[arg(long, default_value_t = 10)]
        weight: u32,
    },
    /// A blue/green pair: all traffic to --active, --preview reachable by a
    /// header; `meshctl shift --switch` flips them.
    BlueGreen {
        #[command(flatten)]
        common: Common,
        #[arg(long, value_name = "VERSION")]
        active: String,
        #[arg(long, value_name = "VERSION")]
        preview: String,
        /// The header that reaches the preview.
        #[arg(long, value_name = "NAME=VALUE", default_value = "x-preview=true")]
        preview_header: String,
    },
    /// A timeout, retries that fit in it, connection limits and outlier detection.
    Resilience {
        #[command(flatten)]
        common: Common,
        /// Route timeout, such as 2s.
        #[arg(long)]
        timeout: Option<String>,
        /// Retries after the first try.
        #[arg(long)]
        retries: Option<u32>,
        /// Timeout of each try, such as 500ms.
        #[arg(long)]
        per_try_timeout: Option<String>,
        /// Envoy's retry conditions (default 5xx: errors, resets, connect failures, per-try timeouts).
        #[arg(long)]
        retry_on: Option<String>,
        /// At most this many connections per calling proxy.
        #[arg(long, value_name = "N")]
        max_connections: Option<u32>,
        /// At most this many requests waiting for a connection per calling proxy.
        #[arg(long, value_name = "N")]
        max_pending: Option<u32>,
        /// Eject an endpoint after this many 5xx in a row.
        #[arg(long = "consecutive-5xx", value_name = "N")]
        consecutive_5xx: Option<u32>,
        /// How long an ejected endpoint stays out (the first time).
        #[arg(long, value_name = "DURATION")]
        ejection_time: Option<String>,
    },
}

/// The service name must be a Kubernetes Service name (a DNS label).
fn check_service(name: &str) -> Result<(), CliError> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(CliError(format!(
            "--service {name}: a Service name is a DNS label (lower-case letters, digits and '-', starting with a letter)"
        )))
    }
}

pub fn run(args: Args) -> Result<u8, CliError> {
    let common = match &args.pattern {
        Pattern::Gateway { common, .. }
        | Pattern::Routing { common, .. }
        | Pattern::Canary { common, .. }
        | Pattern::BlueGreen { common, .. }
        | Pattern::Resilience { common, .. } => common,
    };
    check_service(&common.service)?;
    if common.tests.is_some() && common.out.is_none() {
        return Err(CliError(
            "--tests needs --out: the test file names the manifests it checks".into(),
        ));
    }
    let empty = Config::default();
    let config = if common.from.is_empty() {
        &empty
    } else {
        let inputs: Vec<Input> = common.from.iter().map(|p| Input::parse(p)).collect();
        &load_config(&inputs, &common.namespace)?.config
    };
    let target = target::discover(config, &common.service, &common.namespace, common.port)
        .map_err(CliError)?;
    let (plan, mut warnings) = plan(&args.pattern, &target).map_err(CliError)?;
    let written = author::render(&plan, &target, common.api);
    warnings.extend(written.warnings);
    match &common.out {
        None => super::output::print_stdout(&author::stream(&written.manifests))?,
        Some(out) => {
            let mut files = manifest_files(out, &written.manifests);
            if let Some(tests) = &common.tests {
                let paths: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
                files.push(tests_file(tests, &paths, common, &plan, &target)?);
            }
            write_new_files(&files, common.force)?;
        }
    }
    for w in warnings {
        say!("warning: {w}");
    }
    Ok(0)
}

fn plan(pattern: &Pattern, target: &Target) -> Result<(Plan, Vec<String>), String> {
    let plain = |p: Result<Plan, String>| p.map(|p| (p, Vec::new()));
    match pattern {
        Pattern::Gateway {
            host, tls_secret, ..
        } => plain(patterns::gateway(target, host, tls_secret.as_deref())),
        Pattern::Routing {
            paths,
            headers,
            default,
            ..
        } => plain(patterns::routing(
            target,
            paths,
            headers,
            default.as_deref(),
        )),
        Pattern::Canary {
            stable,
            canary,
            weight,
            ..
        } => plain(patterns::canary(target, stable, canary, *weight)),
        Pattern::BlueGreen {
            active,
            preview,
            preview_header,
            ..
        } => plain(patterns::blue_green(
            target,
            active,
            preview,
            preview_header,
        )),
        Pattern::Resilience {
            timeout,
            retries,
            per_try_timeout,
            retry_on,
            max_connections,
            max_pending,
            consecutive_5xx,
            ejection_time,
            ..
        } => patterns::resilience(
            target,
            &Resilience {
                timeout: timeout.clone(),
                retries: *retries,
                per_try_timeout: per_try_timeout.clone(),
                retry_on: retry_on.clone(),
                policy: Policy {
                    max_connections: *max_connections,
                    max_pending: *max_pending,
                    consecutive_5xx: *consecutive_5xx,
                    ejection_time: ejection_time.clone(),
                },
            },
        ),
    }
}

/// The files the manifests go to: one file (`*.yaml`, `*.yml`) or one per
/// resource in a folder.
fn manifest_files(out: &str, manifests: &[Manifest]) -> Vec<(PathBuf, String)> {
    if out.ends_with(".yaml") || out.ends_with(".yml") {
        vec![(PathBuf::from(out), author::stream(manifests))]
    } else {
        manifests
            .iter()
            .map(|m| (Path::new(out).join(m.file_name()), m.text.clone()))
            .collect()
    }
}

/// The route tests, naming the manifest files (and `--from`) relative to
/// the test file's folder.
fn tests_file(
    tests: &str,
    manifests: &[PathBuf],
    common: &Common,
    plan: &Plan,
    target: &Target,
) -> Result<(PathBuf, String), CliError> {
    let path = PathBuf::from(tests);
    let base = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let from = common.from.iter().map(PathBuf::from);
    let named = manifests
        .iter()
        .cloned()
        .chain(from)
        .map(|p| relative(&base, &p))
        .collect::<Result<Vec<_>, _>>()?;
    let text = route_tests::render(plan, target, common.api, &named);
    Ok((path, text))
}

/// `path` absolute and without `.` or `..` (lexically: the files need not
/// exist yet).
fn absolute(path: &Path) -> Result<PathBuf, CliError> {
    let full =
        std::path::absolute(path).map_err(|e| CliError(format!("{}: {e}", path.display())))?;
    let mut out = PathBuf::new();
    for c in full.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// `to` relative to the folder `base`.
fn relative(base: &Path, to: &Path) -> Result<String, CliError> {
    let (base, to) = (absolute(base)?, absolute(to)?);
    let b: Vec<Component> = base.components().collect();
    let t: Vec<Component> = to.components().collect();
    let common = b.iter().zip(&t).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c);
    }
    Ok(out.to_string_lossy().into_owned())
}
