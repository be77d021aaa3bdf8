//! `meshctl rules [CODE]`

use std::fmt::Write;

use super::{CliError, exit, print_stdout};
use crate::analyze::registry::all_rules;

#[derive(clap::Args)]
pub struct Args {
    /// A rule code or name to explain; without one, every rule is listed.
    rule: Option<String>,
}

pub fn run(args: Args) -> Result<u8, CliError> {
    let rules = all_rules();
    let mut out = String::new();
    match args.rule {
        None => {
            for rule in rules {
                let _ = writeln!(
                    out,
                    "{:<7} {:<8} {:<8} {:<36} {}",
                    rule.code,
                    rule.severity,
                    rule.istio_code.unwrap_or("-"),
                    rule.name,
                    rule.summary
                );
            }
        }
        Some(wanted) => {
            let Some(rule) = rules
                .iter()
                .find(|r| r.code.eq_ignore_ascii_case(&wanted) || r.name == wanted)
            else {
                return Err(CliError(format!(
                    "no rule `{wanted}`; `meshctl rules` lists them"
                )));
            };
            let _ = write!(
                out,
                "# {} {}\n\nseverity: {}\nistio code: {}\n\n{}\n\n{}",
                rule.code,
                rule.name,
                rule.severity,
                rule.istio_code.unwrap_or("none"),
                rule.summary,
                rule.docs
            );
        }
    }
    print_stdout(&out)?;
    Ok(exit::OK)
}
