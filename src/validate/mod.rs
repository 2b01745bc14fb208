//! Validate stage: turns the loaded [`Project`] into the validated [`Portal`], resolving every
//! cross-file reference (package → API → operation, auth strategies, routes) and running every
//! rule. It never stops early: all problems of a run are collected.

pub mod packages;
pub mod routing;

use crate::diagnostics::codes;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::Project;
use crate::model::Portal;

/// Validate a loaded project.
pub fn validate(project: Project, diags: &mut Diagnostics) -> Portal {
    let Project {
        root,
        config,
        apis,
        packages: raw_packages,
        pages,
        manifest,
        templates,
        static_files,
    } = project;

    for (slug, settings) in &config.apis {
        if !apis.iter().any(|a| &a.slug == slug)
            && let Some(span) = &settings.span
        {
            let names: Vec<&str> = apis.iter().map(|a| a.slug.as_str()).collect();
            let mut d = Diagnostic::new(
                codes::UNKNOWN_API,
                format!("`apis.{slug}` configures an API that does not exist"),
            )
            .at(span);
            d = match crate::load::fields::did_you_mean(slug, &names) {
                Some(m) => d.help(format!("did you mean `{m}`? APIs are named after their files in apis/")),
                None => d.help("APIs are named after their files: apis/<slug>.yaml or apis/<slug>/openapi.yaml"),
            };
            diags.push(d);
        }
    }

    let packages = packages::resolve(&raw_packages, &apis, &config, diags);

    // Routing: every operation of every API against the manifest.
    let packages_of = routing::package_index(&apis, &packages);
    let inputs = routing::inputs(&apis, &packages, &packages_of, &config);
    let (verdicts, d) = crate::kong::check(&inputs, &manifest, config.gateway.router_flavor);
    diags.extend(d);
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
        routing,
        packages_of,
        templates,
        static_files,
    }
}
