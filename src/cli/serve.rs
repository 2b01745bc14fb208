//! `portalgen serve`: local preview with live reload (see [`crate::serve`]).

use std::path::PathBuf;
use std::time::Duration;

use super::report;
use super::{EXIT_FAILURE, EXIT_OK};
use crate::diagnostics::Format;
use crate::model::Slug;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The portal project folder.
    #[arg(default_value = ".")]
    pub project: PathBuf,
    /// Address to listen on. Anything but a loopback address makes the preview reachable from
    /// the network.
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
    /// Milliseconds without a change that end a burst of changes (one rebuild per burst).
    #[arg(long, value_name = "MS", default_value_t = 20)]
    pub debounce: u64,
}

pub fn run(args: ServeArgs) -> u8 {
    // As `build` checks them, with the same message.
    if let Some(bad) = args.audiences.iter().find(|a| !Slug::is_valid(a)) {
        return report::fatal(
            &format!(
                "--audience `{bad}` is not a team name (teams are lowercase letters, digits and `-`, as in `teams:`)"
            ),
            Format::Human,
        );
    }
    match crate::serve::run(crate::serve::Options {
        project: args.project,
        bind: args.bind,
        port: args.port,
        open: args.open,
        audiences: args.audiences,
        debounce: Duration::from_millis(args.debounce),
    }) {
        Ok(()) => EXIT_OK,
        Err(e) => report::fatal(&e.0, Format::Human).max(EXIT_FAILURE),
    }
}
