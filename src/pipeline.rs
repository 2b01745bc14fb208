//! The stages wired together: load → validate (→ render). Every command goes through here, so
//! `check`, `build`, `export` and `serve` see exactly the same problems for the same project.

use std::path::Path;

use crate::diagnostics::Diagnostics;
use crate::export;
use crate::load::{self, Fatal};
use crate::model::Portal;
use crate::render::{self, RenderOptions, Rendered};
use crate::source::SourceMap;

/// The outcome of loading and validating a project.
pub struct Checked {
    pub portal: Portal,
    pub diags: Diagnostics,
    pub sources: SourceMap,
    /// The gateway export planned for the flavor checked (its problems are in `diags`).
    pub export: export::Plan,
}

/// Load and validate the project at `root`, and plan its gateway export for portal.yaml's
/// `gateway.flavor`. Diagnostics are sorted.
pub fn check(root: &Path) -> Result<Checked, Fatal> {
    check_for(root, None)
}

/// [`check`] with the export planned for `flavor` (`None`: portal.yaml's `gateway.flavor`).
pub fn check_for(root: &Path, flavor: Option<export::Flavor>) -> Result<Checked, Fatal> {
    let sources = SourceMap::default();
    let (project, mut diags) = load::load(root, &sources)?;
    let portal = crate::validate::validate(project, &mut diags);
    let (export, d) = export::plan(&portal, flavor.unwrap_or(portal.config.gateway.flavor));
    diags.extend(d);
    diags.sort();
    Ok(Checked {
        portal,
        diags,
        sources,
        export,
    })
}

/// Load, validate and, when that leaves no failure, render into memory.
pub struct Built {
    pub checked: Checked,
    pub rendered: Option<Rendered>,
}

pub fn build(root: &Path, opts: &RenderOptions, strict: bool) -> Result<Built, Fatal> {
    let mut checked = check(root)?;
    crate::validate::audiences(&checked.portal, &opts.audiences, &mut checked.diags);
    if checked.diags.fails(strict) {
        return Ok(Built {
            checked,
            rendered: None,
        });
    }
    let rendered = render::render(&checked.portal, opts, &mut checked.diags);
    checked.diags.sort();
    Ok(Built { checked, rendered })
}
