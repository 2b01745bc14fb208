//! `portalgen check`: load and validate, and plan the gateway export (for `--flavor`, else
//! portal.yaml's `gateway.flavor`) so every problem `export` would refuse fails `check` too;
//! writes nothing except, when asked, the routing coverage report for the gateway team.

use std::path::PathBuf;

use serde_json::json;

use super::coverage;
use super::report::{self, apply_strict, exit_code};
use super::{CommonArgs, EXIT_FAILURE};
use crate::diagnostics::{Format, summary_line};
use crate::export::Flavor;
use crate::pipeline;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Also write a self-contained HTML routing coverage report to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Check the gateway export for this flavor (default: `gateway.flavor` of portal.yaml).
    #[arg(long, value_name = "FLAVOR", value_parser = super::export::flavor_parser())]
    pub flavor: Option<Flavor>,
}

pub fn run(args: CheckArgs) -> u8 {
    let format = args.common.format;
    let checked = match pipeline::check_for(&args.common.project, args.flavor) {
        Ok(c) => c,
        Err(fatal) => return report::fatal(&fatal.0, format),
    };
    let mut diags = checked.diags;
    apply_strict(&mut diags, args.common.strict);
    let code = exit_code(&diags, args.common.strict);
    let portal = &checked.portal;
    let operations = super::json::operations(portal);
    if let Some(path) = &args.report {
        let html = coverage::report_html(&operations, &portal.manifest, &portal.config.title);
        if let Err(e) = std::fs::write(path, html) {
            report::print(&diags, &checked.sources, format);
            return report::fatal(
                &format!("cannot write the report to `{}`: {e}", path.display()),
                format,
            );
        }
    }
    report::print(&diags, &checked.sources, format);
    match format {
        Format::Json => report::print_json(&json!({
            "version": 1,
            "diagnostics": report::diagnostics_json(&diags),
            "summary": coverage::summary(&operations),
            "operations": operations,
        })),
        Format::Human => {
            let table = coverage::coverage_table(&operations);
            if !table.is_empty() {
                eprint!("{table}");
            }
            if let Some(path) = &args.report {
                eprintln!("Wrote the routing report to {}", path.display());
            }
            eprintln!(
                "{} {}, {}, {}: {}",
                if code == 0 { "Checked" } else { "Problems in" },
                count(portal.apis.len(), "API"),
                count(portal.packages.len(), "package"),
                count(portal.pages.len(), "page"),
                summary_line(&diags)
            );
        }
        Format::Github => {}
    }
    if code > EXIT_FAILURE {
        EXIT_FAILURE
    } else {
        code
    }
}

fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}
