//! `portalgen serve`: local preview with live reload.

use std::path::PathBuf;

use super::{EXIT_FAILURE, EXIT_OK};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The portal project folder.
    #[arg(default_value = ".")]
    pub project: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 4000)]
    pub port: u16,
    /// Open the portal in a browser.
    #[arg(long)]
    pub open: bool,
    /// Preview the build for this team (repeatable), as `build --audience`.
    #[arg(long = "audience", value_name = "NAME")]
    pub audiences: Vec<String>,
}

pub fn run(args: ServeArgs) -> u8 {
    match crate::serve::run(crate::serve::Options {
        project: args.project,
        bind: args.bind,
        port: args.port,
        open: args.open,
        audiences: args.audiences,
    }) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_FAILURE
        }
    }
}
