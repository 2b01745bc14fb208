//! Which Kong route would really serve each documented operation. Every operation becomes a
//! few probe requests ([`probe`]) that run through Kong's own matcher, atc-router, fed with
//! the expressions and priorities Kong itself would compute ([`translate`], [`priority`],
//! [`engine`]); [`verdict`] turns the answers into matched / unmatched / ambiguous with
//! explanations. Kong's own rules for routes and services (what its schema and router refuse)
//! are [`rules`], run by the validate stage. Pure: no IO, no knowledge of files.

pub mod effective;
pub mod engine;
pub mod priority;
pub mod probe;
pub mod rules;
pub mod translate;
pub mod unknown;
pub mod uri;
pub mod verdict;
pub mod verify;

use crate::diagnostics::codes;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::config::RouterFlavor;
use crate::model::gateway::Manifest;
use crate::model::{Api, Operation, OperationRoute, PackageId, RouteId};
use crate::source::Span;

/// One operation to route, with what the portal knows about it.
#[derive(Debug, Clone)]
pub struct OperationInput<'a> {
    pub api: &'a Api,
    pub operation: &'a Operation,
    /// The packages holding the operation: an operation in a package must be routed (errors),
    /// others only should be (warnings).
    pub packages: Vec<PackageId>,
    /// Routes pinned by package items (`route:`), with the item's position.
    pub pinned_routes: Vec<(String, Span)>,
    /// `apis.<slug>.gateway.host` from portal.yaml.
    pub gateway_host: Option<String>,
    /// `apis.<slug>.gateway.path_prefix` from portal.yaml.
    pub path_prefix: Option<String>,
}

/// Route every operation against the manifest; diagnostics for unmatched, ambiguous, fragile
/// and pinned-route problems.
pub fn check(
    inputs: &[OperationInput<'_>],
    manifest: &Manifest,
    flavor: RouterFlavor,
) -> (Vec<OperationRoute>, Diagnostics) {
    let (engine, diags) = engine::Engine::build(manifest, flavor);
    check_with(inputs, manifest, &engine, diags)
}

/// [`check`] with an engine already built (`diags` holds the engine's build diagnostics).
/// The verdicts come in the order of `inputs`.
pub fn check_with(
    inputs: &[OperationInput<'_>],
    manifest: &Manifest,
    engine: &engine::Engine,
    mut diags: Diagnostics,
) -> (Vec<OperationRoute>, Diagnostics) {
    use rayon::prelude::*;

    let evaluations: Vec<verdict::Evaluation> = inputs
        .par_iter()
        .map(|input| verdict::evaluate(engine, manifest, input))
        .collect();
    let mut served = vec![false; manifest.routes.len()];
    let mut results = Vec::with_capacity(evaluations.len());
    for e in evaluations {
        for r in &e.routing.reached {
            served[r.index()] = true;
        }
        diags.extend(e.diagnostics);
        results.push(e.routing);
    }
    // Routes with decK env references in their matching fields: the operations they may take
    // are unchecked.
    for u in unknown::unknown_routes(manifest, flavor_of(engine), inputs) {
        let route = manifest.route_at(u.route);
        let ops: Vec<String> = u
            .operations
            .iter()
            .map(|&i| {
                let input = &inputs[i];
                format!(
                    "{} {} ({})",
                    input.operation.method.as_str(),
                    input.operation.path,
                    input.api.slug
                )
            })
            .collect();
        let which = if ops.is_empty() {
            "no documented operation can reach it".to_string()
        } else {
            format!(
                "it may take {}, whose routing is therefore unchecked",
                ops.join(", ")
            )
        };
        diags.push(
            Diagnostic::new(
                codes::ROUTE_ENV_UNKNOWN,
                format!(
                    "route `{}` has decK env references in `{}`, so which requests it takes is known only when decK renders the file; {which}",
                    route.label(),
                    u.fields.join("`, `")
                ),
            )
            .at(&route.span)
            .help("write the route's matching fields as values; keep env references for secrets and upstream addresses"),
        );
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
    diags.sort();
    (results, diags)
}

/// The router flavor an engine was built for.
fn flavor_of(engine: &engine::Engine) -> RouterFlavor {
    engine.flavor
}

/// The route of `manifest` called `id`'s label (for messages).
pub fn route_label(manifest: &Manifest, id: RouteId) -> &str {
    manifest.routes[id.index()].label()
}
