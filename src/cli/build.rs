//! `portalgen build`: load → validate → render → write. Writes nothing unless the whole run
//! succeeds, then replaces the output folder atomically. On a terminal a progress bar shows
//! the stages ([`super::progress`]); the run ends with one summary line.

use crate::diagnostics::codes;
use std::path::PathBuf;
use std::time::Instant;

use serde_json::json;

use super::progress;
use super::report::{self, apply_strict, exit_code};
use super::{CommonArgs, EXIT_FAILURE, EXIT_OK};
use crate::diagnostics::{Format, summary_line};
use crate::model::Slug;
use crate::model::config::parse_base_url;
use crate::output;
use crate::pipeline;
use crate::render::RenderOptions;

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Output folder (default: PROJECT/public).
    #[arg(short, long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Override `base_url` from portal.yaml (e.g. for a preview deployment).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Include private content for this team (repeatable).
    #[arg(long = "audience", value_name = "NAME")]
    pub audiences: Vec<String>,
    /// No progress bar (it is drawn only on a terminal, and never when `CI` is set); problems
    /// and the summary line are still printed.
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(args: BuildArgs) -> u8 {
    let started = Instant::now();
    let format = args.common.format;
    let base_url = match args.base_url.as_deref().map(parse_base_url).transpose() {
        Ok(u) => u,
        Err(msg) => return report::fatal(&format!("--base-url: {msg}"), format),
    };
    if let Some(bad) = args.audiences.iter().find(|a| !Slug::is_valid(a)) {
        return report::fatal(
            &format!(
                "--audience `{bad}` is not a team name (teams are lowercase letters, digits and `-`, as in `teams:`)"
            ),
            format,
        );
    }
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| args.common.project.join("public"));
    // Refuse a dangerous output folder before doing any work.
    if let Err(e) = output::check_target(&out_dir, &args.common.project) {
        return report::fatal(&e.0, format);
    }
    let bar = (format == Format::Human && progress::wanted(args.quiet))
        .then(|| progress::Bar::start("Loading and checking the project"));
    let opts = RenderOptions {
        base_url,
        audiences: args.audiences.clone(),
        live_reload: None,
        progress: progress::handle(bar.as_ref()),
    };
    let built = pipeline::build(&args.common.project, &opts, args.common.strict);
    let clear = || {
        if let Some(b) = &bar {
            b.clear();
        }
    };
    let built = match built {
        Ok(b) => b,
        Err(fatal) => {
            clear();
            return report::fatal(&fatal.0, format);
        }
    };
    let mut diags = built.checked.diags;
    apply_strict(&mut diags, args.common.strict);
    let mut code = exit_code(&diags, args.common.strict);
    let mut written = None;
    let mut left_out = Vec::new();
    if code == EXIT_OK {
        match built.rendered {
            Some(rendered) => {
                left_out = rendered.visible.left_out.clone();
                if let Some(b) = &bar {
                    b.spin(&format!("Writing {} files", rendered.outputs.len()));
                }
                let result = output::write_dir(&rendered.outputs, &out_dir, &args.common.project);
                clear();
                match result {
                    Ok(()) => written = Some(rendered.outputs.len()),
                    Err(e) => {
                        if format != Format::Json {
                            report::print(&diags, &built.checked.sources, format);
                            return report::fatal(&e.0, format);
                        }
                        diags.push(crate::diagnostics::Diagnostic::new(
                            codes::OUTPUT_FAILED,
                            e.0,
                        ));
                        report::print_json(&json!({
                            "version": 1,
                            "diagnostics": report::diagnostics_json(&diags),
                            "output": null,
                        }));
                        return EXIT_FAILURE;
                    }
                }
            }
            None => code = exit_code(&diags, args.common.strict).max(1),
        }
    }
    clear();
    report::print(&diags, &built.checked.sources, format);
    let elapsed = started.elapsed();
    match format {
        Format::Json => report::print_json(&json!({
            "version": 1,
            "diagnostics": report::diagnostics_json(&diags),
            "output": written.map(|n| json!({
                "dir": out_dir.display().to_string(),
                "files": n,
                "left_out": left_out,
            })),
        })),
        Format::Human | Format::Github => {
            if let Some(n) = written {
                for why in &left_out {
                    eprintln!("note: left out {why}");
                }
                eprintln!(
                    "Built {n} files into {} in {:.2}s ({})",
                    out_dir.display(),
                    elapsed.as_secs_f64(),
                    summary_line(&diags)
                );
            } else {
                eprintln!("error: nothing was written ({})", summary_line(&diags));
            }
        }
    }
    if code == EXIT_OK && written.is_none() {
        EXIT_FAILURE
    } else {
        code
    }
}
