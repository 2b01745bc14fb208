//! The command line: the contract scripts and CI depend on. `main` parses arguments and calls
//! [`run`]; each subcommand lives in its own file and returns an [`ExitCode`]-like number:
//! 0 success, 1 the project has errors (or warnings under `--strict`), 2 wrong usage,
//! unreadable files or an internal failure.

pub mod build;
pub mod check;
pub mod coverage;
pub mod export;
pub mod init;
pub mod json;
pub mod progress;
pub mod report;
pub mod serve;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::diagnostics::Format;

/// portalgen: a developer portal and Kong gateway configuration from your API descriptions.
#[derive(Debug, Parser)]
#[command(name = "portalgen", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the static portal (used in CI).
    Build(build::BuildArgs),
    /// Load and validate the project; write nothing.
    Check(check::CheckArgs),
    /// Print the Kong gateway configuration (decK YAML) that enforces the packages.
    Export(export::ExportArgs),
    /// Preview the portal locally and rebuild on every change.
    Serve(serve::ServeArgs),
    /// Create a new project from the bundled example.
    Init(init::InitArgs),
}

/// Options every validating command shares.
#[derive(Debug, clap::Args)]
pub struct CommonArgs {
    /// The portal project folder.
    #[arg(default_value = ".")]
    pub project: PathBuf,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// How to print problems.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub const EXIT_OK: u8 = 0;
pub const EXIT_PROBLEMS: u8 = 1;
pub const EXIT_FAILURE: u8 = 2;

/// Run a parsed command line.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Build(a) => build::run(a),
        Command::Check(a) => check::run(a),
        Command::Export(a) => export::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Init(a) => init::run(a),
    }
}
