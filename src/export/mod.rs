//! Export stage: the Kong gateway configuration (decK format) that enforces the portal's
//! packages, in two steps.
//!
//! 1. [`plan`] is pure: for a [`Flavor`] it decides every plugin the configuration adds and
//!    finds every problem the export refuses or warns about (all `ace-*` and `kong-*` codes).
//!    `konnect` adds the global ACE plugin that Konnect's API packages need
//!    ([`konnect`]); `kong` enforces the packages on a self-managed gateway with OSS plugins
//!    ([`kong`]). `portalgen check` runs the plan too, so a project `export` would refuse
//!    fails `check` the same way.
//! 2. [`document`] assembles the typed decK document (the manifest's entities written back as
//!    written, plus the plan's plugins, [`deck`]) and [`to_yaml`] serialises it once.
//!    [`files`] adds, for `konnect`, the Konnect catalog: the kongctl declarative file
//!    ([`kongctl`]) and the API packages as Konnect request bodies ([`konnect_packages`]).

pub mod deck;
pub mod derive;
pub mod kong;
pub mod kongctl;
pub mod konnect;
pub mod konnect_packages;
pub mod plugin;

use crate::diagnostics::Diagnostics;
use crate::model::Portal;
use crate::model::enforcement::Enforcement;
use crate::model::gateway::Manifest;

pub use crate::model::config::GatewayFlavor as Flavor;
pub use plugin::{NewPlugin, PluginConfig};

/// Tag put on every entity portalgen adds.
pub const TAG: &str = "portalgen";

/// What the export of one flavor adds to the manifest.
#[derive(Debug, Clone)]
pub struct Plan {
    pub flavor: Flavor,
    /// The manifest as exported, when the flavor changes it (routes split per enforcement,
    /// consumers of the applications); `None`: the project's manifest as it is.
    pub manifest: Option<Manifest>,
    /// The plugins to add, in output order (after the manifest's own top-level plugins).
    pub plugins: Vec<NewPlugin>,
    /// Top-level changes: sections left out, select tags, the Konnect control plane.
    pub top: deck::TopLevel,
    /// The Konnect catalog (`konnect` only).
    pub catalog: Option<konnect::Catalog>,
    /// What the gateway enforces for every operation (for `kong`: verified on the exported
    /// file; for `konnect`: what Konnect's ACE enforces).
    pub enforcement: Enforcement,
}

/// Plan the export of `portal` for `flavor`: the plugins to add and every problem found.
pub fn plan(portal: &Portal, flavor: Flavor) -> (Plan, Diagnostics) {
    let (top, mut diags) = deck::top_level(portal, flavor);
    let (manifest, plugins, catalog, enforcement, d) = match flavor {
        Flavor::Konnect => {
            let (plugins, catalog, d) = konnect::plan(portal);
            let enforcement = konnect::enforcement(portal);
            (None, plugins, Some(catalog), enforcement, d)
        }
        Flavor::Kong => {
            let (p, d) = kong::plan(portal);
            (Some(p.manifest), p.plugins, None, p.enforcement, d)
        }
    };
    diags.extend(d);
    let plan = Plan {
        flavor,
        manifest,
        plugins,
        top,
        catalog,
        enforcement,
    };
    (plan, diags)
}

/// The decK document of `plan`: the exported manifest plus the plan's plugins.
pub fn document<'a>(portal: &'a Portal, plan: &'a Plan) -> deck::Document<'a> {
    deck::Document::new(
        plan.manifest.as_ref().unwrap_or(&portal.manifest),
        &plan.plugins,
    )
    .with_top_level(&plan.top)
}

/// The kongctl declarative file of the Konnect catalog, beside the decK file.
pub const KONGCTL_FILE: &str = "konnect.yaml";
/// The API packages as Konnect request bodies, beside the decK file.
pub const PACKAGES_FILE: &str = "konnect-packages.json";

/// One file of an export, named relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub name: String,
    pub content: String,
}

/// Every file of the export of `plan`: the decK file called `deck_name`, then for `konnect`
/// [`KONGCTL_FILE`] and [`PACKAGES_FILE`]. `project` is the project folder as a relative path
/// from the output folder (`!file` paths of the specs start with it).
pub fn files(
    portal: &Portal,
    plan: &Plan,
    deck_name: &str,
    project: &str,
) -> Result<Vec<OutputFile>, String> {
    let title = &portal.config.title;
    let mut out = vec![OutputFile {
        name: deck_name.to_string(),
        content: to_yaml(&document(portal, plan), title)?,
    }];
    if let Some(catalog) = &plan.catalog {
        out.push(OutputFile {
            name: KONGCTL_FILE.to_string(),
            content: kongctl::to_yaml(catalog, &comment_safe(title), deck_name, project)?,
        });
        out.push(OutputFile {
            name: PACKAGES_FILE.to_string(),
            content: konnect_packages::to_json(catalog, title, deck_name)?,
        });
    }
    Ok(out)
}

/// `text` for one comment line: no line break may end the comment early.
fn comment_safe(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Serialize a decK document as YAML with a header comment.
pub fn to_yaml(doc: &deck::Document<'_>, project_title: &str) -> Result<String, String> {
    // The title goes into a comment line.
    let project_title = comment_safe(project_title);
    let body = deck::serialize(doc)?;
    Ok(format!(
        "# Kong gateway configuration for \"{project_title}\", generated by portalgen {}.\n# Apply with: deck gateway sync <this file>\n{body}",
        env!("CARGO_PKG_VERSION")
    ))
}
