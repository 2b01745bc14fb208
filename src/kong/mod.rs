//! Which Kong route would really serve each documented operation. Every operation becomes a
//! few probe requests ([`probe`]) that run through Kong's own matcher, atc-router, fed with
//! the expressions and priorities Kong itself would compute ([`translate`], [`priority`],
//! [`engine`]); [`verdict`] turns the answers into matched / unmatched / ambiguous with
//! explanations, [`report`] into the coverage table, summary and HTML report.

pub mod engine;
pub mod priority;
pub mod probe;
pub mod translate;
pub mod uri;
pub mod verdict;

use crate::diagnostics::codes;
use serde::Serialize;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::config::RouterFlavor;
use crate::model::gateway::Manifest;
use crate::model::{Api, Operation};
use crate::source::Span;

/// One operation to route, with what the portal knows about it.
#[derive(Debug, Clone)]
pub struct OperationInput<'a> {
    pub api: &'a Api,
    pub operation: &'a Operation,
    /// Slugs of the packages holding the operation (sorted).
    pub packages: Vec<String>,
    /// Routes pinned by package items (`route:`), with the item's position.
    pub pinned_routes: Vec<(String, Span)>,
    /// `apis.<slug>.gateway.host` from portal.yaml.
    pub gateway_host: Option<String>,
    /// `apis.<slug>.gateway.path_prefix` from portal.yaml.
    pub path_prefix: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Matched,
    Unmatched,
    Ambiguous,
}

#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    pub method: String,
    pub host: Option<String>,
    pub path: String,
    pub route: Option<String>,
    /// Header values sent with the probe (documented header parameters); not in the JSON.
    #[serde(skip)]
    pub headers: Vec<(String, String)>,
}

/// The routing verdict for one operation (the `operations` entries of `check --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct OperationRouting {
    pub api: String,
    pub method: String,
    pub path: String,
    pub operation_id: Option<String>,
    pub packages: Vec<String>,
    pub status: Status,
    pub route: Option<String>,
    pub service: Option<String>,
    pub probes: Vec<Probe>,
    pub upstream_path: Option<String>,
    /// Human explanations of the verdict (ties, precedence, …) for reports; not in the JSON.
    #[serde(skip)]
    pub notes: Vec<String>,
    /// Routes that win or tie for some probe (for the "routes serving nothing" list).
    #[serde(skip)]
    pub reached: Vec<String>,
}

/// Route every operation against the manifest; diagnostics for unmatched, ambiguous, fragile
/// and pinned-route problems.
pub fn check(
    inputs: &[OperationInput<'_>],
    manifest: &Manifest,
    flavor: RouterFlavor,
) -> (Vec<OperationRouting>, Diagnostics) {
    let (engine, diags) = engine::Engine::build(manifest, flavor);
    check_with(inputs, manifest, &engine, diags)
}

/// [`check`] with an engine already built (`diags` holds the engine's build diagnostics).
pub fn check_with(
    inputs: &[OperationInput<'_>],
    manifest: &Manifest,
    engine: &engine::Engine,
    mut diags: Diagnostics,
) -> (Vec<OperationRouting>, Diagnostics) {
    use rayon::prelude::*;

    let evaluations: Vec<verdict::Evaluation> = inputs
        .par_iter()
        .map(|input| verdict::evaluate(engine, manifest, input))
        .collect();
    let mut served = vec![false; manifest.routes.len()];
    let mut results = Vec::with_capacity(evaluations.len());
    for e in evaluations {
        for r in e.served {
            served[r] = true;
        }
        diags.extend(e.diagnostics);
        results.push(e.routing);
    }
    // Routes that serve no documented operation (only routes the router accepted).
    let mut in_engine = vec![false; manifest.routes.len()];
    for m in &engine.matchers {
        in_engine[m.route] = true;
    }
    for (i, route) in manifest.routes.iter().enumerate() {
        if in_engine[i] && !served[i] {
            diags.push(
                Diagnostic::new(
                    codes::ROUTE_UNDOCUMENTED,
                    format!("route `{}` serves no documented operation", route.label()),
                )
                .at(&route.span),
            );
        }
    }
    sort_results(&mut results);
    diags.sort();
    (results, diags)
}

/// The contract's order: API slug, path, method.
pub fn sort_results(results: &mut [OperationRouting]) {
    results.sort_by(|a, b| (&a.api, &a.path, &a.method).cmp(&(&b.api, &b.path, &b.method)));
}
