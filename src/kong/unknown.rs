//! Routes whose matching fields are decK env references (`paths: ['${{ env "DECK_P" }}']`):
//! their values are known only when decK renders the file, so Kong's router cannot be asked
//! about them. portalgen leaves them out of the router and finds every operation such a route
//! *may* take: the route with its unknown fields relaxed to "anything" is run against each
//! operation's probes. Those operations are unchecked, both by the routing check and by the
//! export's self-verification.

use super::OperationInput;
use super::engine::Engine;
use super::probe;
use crate::model::RouteId;
use crate::model::config::RouterFlavor;
use crate::model::gateway::{EnvFields, Manifest, Protocol, Route, Spanned};

/// One route with unknown matching fields and the operations it may take.
#[derive(Debug, Clone)]
pub struct UnknownRoute {
    pub route: RouteId,
    /// The matching fields holding env references.
    pub fields: Vec<&'static str>,
    /// Indices into the inputs of the operations the route may take.
    pub operations: Vec<usize>,
}

/// `route` with its unknown matching fields relaxed (left out of the match).
fn relaxed(route: &Route) -> Route {
    let mut r = route.clone();
    for f in route.env_matching_fields() {
        match f {
            "methods" => r.methods.clear(),
            "hosts" => {
                r.hosts.clear();
                r.hosts_present = false;
            }
            "paths" => r.paths.clear(),
            "headers" => r.headers.clear(),
            "snis" => r.snis.clear(),
            "sources" => r.sources.clear(),
            "destinations" => r.destinations.clear(),
            "protocols" => r.protocols = vec![Protocol::Http, Protocol::Https],
            "regex_priority" => r.regex_priority = 0,
            "expression" | "priority" => {
                r.expression = None;
                r.priority = None;
            }
            _ => {}
        }
    }
    // Nothing left to match on: the route may take any request.
    if r.methods.is_empty()
        && r.hosts.is_empty()
        && r.paths.is_empty()
        && r.headers.is_empty()
        && r.snis.is_empty()
    {
        r.paths = vec![Spanned::new("/".to_string(), route.span.clone())];
    }
    r.env = EnvFields::default();
    r
}

/// Every route of `manifest` with unknown matching fields, with the operations of `inputs` it
/// may take.
pub fn unknown_routes(
    manifest: &Manifest,
    flavor: RouterFlavor,
    inputs: &[OperationInput<'_>],
) -> Vec<UnknownRoute> {
    let unknown: Vec<(RouteId, Vec<&'static str>)> = manifest
        .route_ids()
        .filter(|(_, r)| !super::translate::is_stream_route(r))
        .map(|(id, r)| (id, r.env_matching_fields()))
        .filter(|(_, f)| !f.is_empty())
        .collect();
    if unknown.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (id, fields) in unknown {
        let only = Manifest {
            routes: vec![relaxed(manifest.route_at(id))],
            ..Manifest::default()
        };
        let (engine, _) = Engine::build(&only, flavor);
        let operations = inputs
            .iter()
            .enumerate()
            .filter(|(_, input)| {
                let target = probe::target(
                    input.api,
                    input.operation,
                    input.gateway_host.as_deref(),
                    input.path_prefix.as_deref(),
                );
                probe::probes(input.api, input.operation, &target)
                    .iter()
                    .any(|p| !engine.all_matches(&p.request).is_empty())
            })
            .map(|(i, _)| i)
            .collect();
        out.push(UnknownRoute {
            route: id,
            fields,
            operations,
        });
    }
    out
}
