//! The stages wired together: load → validate → plan (the gateway export and the portal's
//! files) → render. Every command goes through here, so `check`, `build`, `export` and
//! `serve` see exactly the same problems for the same project.
//!
//! The invariant this module keeps (and tests/testsuite/invariant.rs tests on every fixture
//! project and on the broken-project set): for any project, `check` fails if and only if
//! `build` or `export` would. `check` runs every rule `build` and `export` run — validation,
//! the export plan for the configured flavor, the render plan of the public build and, when
//! the project overrides templates, the render itself in memory — and writes nothing.

use std::path::Path;

use crate::diagnostics::Diagnostics;
use crate::export;
use crate::load::{self, Fatal};
use crate::model::Portal;
use crate::render::{self, RenderOptions, Rendered};
use crate::source::SourceMap;

/// The outcome of loading, validating and planning a project.
pub struct Checked {
    pub portal: Portal,
    pub diags: Diagnostics,
    pub sources: SourceMap,
    /// The gateway export planned for the flavor checked (its problems are in `diags`).
    pub export: export::Plan,
}

/// [`check_for`] the flavor in portal.yaml (`gateway.flavor`).
pub fn check(root: &Path) -> Result<Checked, Fatal> {
    check_for(root, None)
}

/// Load and validate the project at `root`, plan its gateway export for `flavor` (`None`:
/// portal.yaml's `gateway.flavor`) and plan the public build: everything `build` would refuse
/// (clashing or unwritable output names, two guides on one URL) and the guides' broken links
/// are reported without rendering anything. A project that overrides templates is also
/// rendered in memory (nothing is written): only rendering every page proves that a user
/// template compiles and works on each of them. The built-in templates need no such proof.
/// Diagnostics are sorted.
pub fn check_for(root: &Path, flavor: Option<export::Flavor>) -> Result<Checked, Fatal> {
    let checked = load_and_validate(root, flavor)?;
    Ok(plan_and_render(checked))
}

/// [`check_for`] a project read through `files` (any [`load::Backend`]: the working tree, a
/// project held in memory, a git revision), for portal.yaml's flavor.
pub fn check_files(files: load::Files) -> Result<Checked, Fatal> {
    let sources = SourceMap::default();
    let (project, diags) = load::load_from(files, &sources)?;
    Ok(plan_and_render(validate_and_plan(
        project, diags, sources, None,
    )))
}

/// The part of `check` after validation: the render plan and, with overrides, the render.
fn plan_and_render(mut checked: Checked) -> Checked {
    let mut plan = render::plan::plan(&checked.portal, &[]);
    std::mem::take(&mut plan.diagnostics)
        .into_iter()
        .for_each(|d| checked.diags.push(d));
    if !checked.portal.templates.is_empty() {
        let _ = render::render(
            &checked.portal,
            plan,
            &RenderOptions::default(),
            &mut checked.diags,
        );
    }
    checked.diags.sort();
    checked
}

/// Load, validate and plan the gateway export.
fn load_and_validate(root: &Path, flavor: Option<export::Flavor>) -> Result<Checked, Fatal> {
    load_and_validate_with(root, flavor, &load::load_api)
}

/// [`load_and_validate`], each API loaded through `load_api`.
fn load_and_validate_with(
    root: &Path,
    flavor: Option<export::Flavor>,
    load_api: &load::ApiLoader<'_>,
) -> Result<Checked, Fatal> {
    let sources = SourceMap::default();
    let (project, diags) = load::load_with(root, &sources, load_api)?;
    Ok(validate_and_plan(project, diags, sources, flavor))
}

fn validate_and_plan(
    project: load::Project,
    mut diags: Diagnostics,
    sources: SourceMap,
    flavor: Option<export::Flavor>,
) -> Checked {
    let mut portal = crate::validate::validate(project, &mut diags);
    let (export, d) = export::plan(&portal, flavor.unwrap_or(portal.config.gateway.flavor));
    diags.extend(d);
    // What the gateway enforces is what the portal's pages and reports show.
    portal.enforcement = export.enforcement.clone();
    Checked {
        portal,
        diags,
        sources,
        export,
    }
}

/// Load, validate and, when that leaves no failure, render into memory.
pub struct Built {
    pub checked: Checked,
    pub rendered: Option<Rendered>,
}

/// Load, validate, plan the export and the build for `opts.audiences` and, when nothing fails,
/// render it. The portal may only promise what the gateway export enforces, so an export the
/// gateway cannot enforce fails the build too. Each problem is reported once: the plans'
/// (for this audience), then the renderer's.
pub fn build(root: &Path, opts: &RenderOptions, strict: bool) -> Result<Built, Fatal> {
    let Planned { mut checked, plan } = plan_build(root, &opts.audiences, strict, &load::load_api)?;
    let Some(plan) = plan else {
        return Ok(Built {
            checked,
            rendered: None,
        });
    };
    let rendered = render::render(&checked.portal, plan, opts, &mut checked.diags);
    checked.diags.sort();
    Ok(Built { checked, rendered })
}

/// A project checked and planned for one build, not rendered yet.
pub struct Planned {
    pub checked: Checked,
    /// The build's plan; `None` when the diagnostics already fail the build.
    pub plan: Option<render::plan::Plan>,
}

/// Everything [`build`] does before rendering, each API loaded through `load_api`: `serve`
/// renders the plan itself, only the files a change touched ([`render::render_files`]).
/// Diagnostics are sorted.
pub fn plan_build(
    root: &Path,
    audiences: &[String],
    strict: bool,
    load_api: &load::ApiLoader<'_>,
) -> Result<Planned, Fatal> {
    let mut checked = load_and_validate_with(root, None, load_api)?;
    crate::validate::audiences(&checked.portal, audiences, &mut checked.diags);
    let mut plan = render::plan::plan(&checked.portal, audiences);
    std::mem::take(&mut plan.diagnostics)
        .into_iter()
        .for_each(|d| checked.diags.push(d));
    checked.diags.sort();
    let plan = (!checked.diags.fails(strict)).then_some(plan);
    Ok(Planned { checked, plan })
}
