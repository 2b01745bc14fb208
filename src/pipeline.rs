//! The stages wired together: load → validate → plan (→ render). Every command goes through here, so
//! `check`, `build`, `export` and `serve` see exactly the same problems for the same project.

use std::path::Path;

use crate::diagnostics::Diagnostics;
use crate::load::{self, Fatal};
use crate::model::Portal;
use crate::render::{self, RenderOptions, Rendered};
use crate::source::SourceMap;

/// The outcome of loading and validating a project.
pub struct Checked {
    pub portal: Portal,
    pub diags: Diagnostics,
    pub sources: SourceMap,
}

/// Load and validate the project at `root`, and plan the public build: everything `build`
/// would refuse (clashing or unwritable output names, two guides on one URL) and the guides'
/// broken links are reported without rendering anything. A project that overrides templates
/// is also rendered in memory (nothing is written): only rendering every page proves that a
/// user template compiles and works on each of them, and `check` must find what `build`
/// would refuse. The built-in templates need no such proof. Diagnostics are sorted.
pub fn check(root: &Path) -> Result<Checked, Fatal> {
    let mut checked = load_and_validate(root)?;
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
    Ok(checked)
}

fn load_and_validate(root: &Path) -> Result<Checked, Fatal> {
    let sources = SourceMap::default();
    let (project, mut diags) = load::load(root, &sources)?;
    let portal = crate::validate::validate(project, &mut diags);
    Ok(Checked {
        portal,
        diags,
        sources,
    })
}

/// Load, validate and, when that leaves no failure, render into memory.
pub struct Built {
    pub checked: Checked,
    pub rendered: Option<Rendered>,
}

/// Load, validate, plan the build for `opts.audiences` and, when nothing fails, render it.
/// Each problem is reported once: the plan's (for this audience), then the renderer's.
pub fn build(root: &Path, opts: &RenderOptions, strict: bool) -> Result<Built, Fatal> {
    let mut checked = load_and_validate(root)?;
    crate::validate::audiences(&checked.portal, &opts.audiences, &mut checked.diags);
    let mut plan = render::plan::plan(&checked.portal, &opts.audiences);
    std::mem::take(&mut plan.diagnostics)
        .into_iter()
        .for_each(|d| checked.diags.push(d));
    checked.diags.sort();
    if checked.diags.fails(strict) {
        return Ok(Built {
            checked,
            rendered: None,
        });
    }
    let rendered = render::render(&checked.portal, plan, opts, &mut checked.diags);
    checked.diags.sort();
    Ok(Built { checked, rendered })
}
