//! Validate stage: turns the loaded [`Project`] into the validated [`Portal`], resolving every
//! cross-file reference (package → API → operation, auth strategies, routes) and running every
//! rule. It never stops early: all problems of a run are collected.

pub mod applications;
pub mod config;
pub mod gateway;
pub mod konnect;
pub mod packages;
pub mod routing;

use crate::diagnostics::codes;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::Project;
use crate::model::Portal;

/// `--audience` names: warn about teams nothing in the project names (they show nothing more).
pub fn audiences(portal: &Portal, audiences: &[String], diags: &mut Diagnostics) {
    let known = crate::model::audience::Visible::known_teams(portal);
    for team in audiences {
        if known.contains(team) {
            continue;
        }
        let list = known
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ");
        diags.push(
            Diagnostic::new(
                codes::UNKNOWN_AUDIENCE,
                format!(
                    "no package, API or page names the team `{team}`, so --audience {team} shows nothing more"
                ),
            )
            .help(if list.is_empty() {
                "the project names no teams".to_string()
            } else {
                format!("teams named in this project: {list}")
            }),
        );
    }
}

/// Validate a loaded project.
pub fn validate(project: Project, diags: &mut Diagnostics) -> Portal {
    let Project {
        root,
        config,
        apis,
        packages: raw_packages,
        pages,
        manifest,
        applications: raw_applications,
        templates,
        static_files,
    } = project;

    let mut apis = apis;
    config::api_settings(&config, &mut apis, diags);
    let packages = packages::resolve(&raw_packages, &apis, &config, diags);

    gateway::check(&manifest, &config, diags);
    let applications = applications::resolve(
        &raw_applications,
        &apis,
        &packages,
        &config,
        &manifest,
        diags,
    );

    // Routing: every operation of every API against the manifest. A project without any
    // decK file (a portal for APIs not behind Kong, or a first try) is told so once and
    // built; a project with manifests keeps every routing rule.
    let packages_of = routing::package_index(&apis, &packages);
    let verdicts = if manifest.files.is_empty() {
        diags.push(routing::no_manifest(&config));
        routing::unrouted(&apis)
    } else {
        let inputs = routing::inputs(&apis, &packages, &packages_of, &config);
        let (verdicts, d) = crate::kong::check(&inputs, &manifest, config.gateway.router_flavor);
        diags.extend(d);
        verdicts
    };
    let mut verdicts = verdicts.into_iter();
    let routing = apis
        .iter()
        .map(|a| verdicts.by_ref().take(a.operations.len()).collect())
        .collect();

    Portal {
        root,
        config,
        apis,
        packages,
        pages,
        manifest,
        applications,
        enforcement: Default::default(),
        routing,
        packages_of,
        templates,
        static_files,
    }
}
