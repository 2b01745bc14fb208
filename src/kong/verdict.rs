//! The verdict for one operation: run its probes through the engine, decide matched /
//! unmatched / ambiguous, compute the upstream path, and explain every problem (ties,
//! split probes, documented-vs-actual precedence, methods no route accepts, strip_path eating
//! part of the documented path, pinned routes that do not win).

use crate::diagnostics::codes;
use std::collections::BTreeSet;

use super::engine::{Engine, Request};
use super::probe::{self, ProbeRequest};
use super::{OperationInput, priority, uri};
use crate::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::model::gateway::Manifest;
use crate::model::routing::{OperationRoute, Probe, Status};
use crate::model::{Method, RouteId};

/// What one probe found.
struct ProbeResult {
    probe: ProbeRequest,
    /// Winning matcher (router's pick).
    winner: Option<usize>,
    matched_path: Option<String>,
    /// Other routes' matchers tied with the winner at the same effective priority.
    ties: Vec<usize>,
    /// The tie is decided by chance (some tied route has no explicit id).
    tie_by_chance: bool,
    /// Best matchers in the documented order, when the winner is not among them.
    documented_instead: Vec<usize>,
}

/// Evaluation of one operation: the verdict and its diagnostics.
pub struct Evaluation {
    pub routing: OperationRoute,
    pub diagnostics: Diagnostics,
}

fn route_label(manifest: &Manifest, engine: &Engine, matcher: usize) -> String {
    manifest.routes[engine.matchers[matcher].route]
        .label()
        .to_string()
}

fn explain(engine: &Engine, matcher: usize) -> String {
    let m = &engine.matchers[matcher];
    priority::describe(&m.inputs, m.priority)
}

fn run_probe(engine: &Engine, probe: ProbeRequest) -> ProbeResult {
    let selection = engine.select(&probe.request);
    let (winner, matched_path) = match selection {
        Some(s) => (Some(s.matcher), s.matched_path),
        None => (None, None),
    };
    let mut ties = Vec::new();
    let mut tie_by_chance = false;
    let mut documented_instead = Vec::new();
    if let Some(w) = winner {
        let wm = &engine.matchers[w];
        // Only ties and routes ranked above the winner in the documented order matter.
        let all = engine.matches_where(&probe.request, |m| {
            m.priority == wm.priority || m.documented > wm.documented
        });
        for &m in &all {
            let other = &engine.matchers[m];
            if m != w && other.priority == wm.priority && other.route != wm.route {
                ties.push(m);
                if !(other.explicit_id && wm.explicit_id) {
                    tie_by_chance = true;
                }
            }
        }
        if let Some(best) = all
            .iter()
            .map(|&m| engine.matchers[m].documented)
            .max()
            .filter(|b| *b > wm.documented)
        {
            let best_set: Vec<usize> = all
                .iter()
                .copied()
                .filter(|&m| engine.matchers[m].documented == best)
                .collect();
            if !best_set
                .iter()
                .any(|&m| engine.matchers[m].route == wm.route)
            {
                documented_instead = best_set;
            }
        }
    }
    ProbeResult {
        probe,
        winner,
        matched_path,
        ties,
        tie_by_chance,
        documented_instead,
    }
}

const METHODS: [&str; 9] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT",
];

/// Route one operation.
pub fn evaluate(engine: &Engine, manifest: &Manifest, input: &OperationInput<'_>) -> Evaluation {
    let api = input.api;
    let op = input.operation;
    let mut diags = Diagnostics::new();
    let target = probe::target(
        api,
        op,
        input.gateway_host.as_deref(),
        input.path_prefix.as_deref(),
    );
    let results: Vec<ProbeResult> = probe::probes(api, op, &target)
        .into_iter()
        .map(|p| run_probe(engine, p))
        .collect();
    let op_name = format!("{} {}", op.method, op.path);
    let in_package = !input.packages.is_empty();
    let severity = if in_package {
        Severity::Error
    } else {
        Severity::Warning
    };

    let winners: Vec<Option<usize>> = results
        .iter()
        .map(|r| r.winner.map(|m| engine.matchers[m].route))
        .collect();
    let distinct: BTreeSet<Option<usize>> = winners.iter().copied().collect();
    let tie = results.iter().find(|r| r.tie_by_chance);
    let status = if winners.iter().all(Option::is_none) {
        Status::Unmatched
    } else if distinct.len() > 1 || tie.is_some() {
        Status::Ambiguous
    } else {
        Status::Matched
    };
    let mut notes: Vec<String> = Vec::new();
    let show = |r: &ProbeResult| {
        format!(
            "{} {}{}",
            r.probe.request.method,
            r.probe.host_header.as_deref().unwrap_or(""),
            r.probe.raw_path
        )
    };

    match status {
        Status::Unmatched => {
            let message = format!(
                "no Kong route serves {op_name} of API `{}` (probe: {})",
                api.slug,
                results.first().map(show).unwrap_or_default()
            );
            notes.push(message.clone());
            diags.push(
                Diagnostic::new(codes::OPERATION_UNMATCHED, message)
                    .severity(severity)
                    .at(&op.span)
                    .help("add a route whose paths/methods/hosts match this operation, or pin one with `route:` and fix it"),
            );
        }
        Status::Ambiguous => {
            let message = if let Some(r) = tie {
                let w = r.winner.unwrap_or(0);
                let mut names = vec![format!("`{}`", route_label(manifest, engine, w))];
                names.extend(
                    r.ties
                        .iter()
                        .map(|&t| format!("`{}`", route_label(manifest, engine, t))),
                );
                names.dedup();
                format!(
                    "routes {} tie for {op_name} of API `{}` ({}); without explicit ids Kong's pick is arbitrary",
                    names.join(" and "),
                    api.slug,
                    explain(engine, w)
                )
            } else {
                let parts: Vec<String> = results
                    .iter()
                    .map(|r| {
                        let to = r
                            .winner
                            .map(|w| format!("`{}`", route_label(manifest, engine, w)))
                            .unwrap_or_else(|| "no route".into());
                        format!("{} → {to}", r.probe.raw_path)
                    })
                    .collect();
                format!(
                    "probes of {op_name} of API `{}` land on different routes: {}",
                    api.slug,
                    parts.join(", ")
                )
            };
            notes.push(message.clone());
            diags.push(
                Diagnostic::new(codes::OPERATION_AMBIGUOUS, message)
                    .severity(severity)
                    .at(&op.span)
                    .help("make one route win for every valid request (give tied routes distinct priorities or explicit ids, or fix the route's regex)"),
            );
        }
        Status::Matched => {}
    }

    // Documented vs actual precedence.
    if let Some(r) = results.iter().find(|r| !r.documented_instead.is_empty()) {
        let w = r.winner.unwrap_or(0);
        let doc: Vec<String> = r
            .documented_instead
            .iter()
            .map(|&d| {
                format!(
                    "`{}` ({})",
                    route_label(manifest, engine, d),
                    explain(engine, d)
                )
            })
            .collect();
        let message = format!(
            "fragile precedence for {op_name} of API `{}`: Kong's code picks route `{}` ({}) but the documented order picks {}",
            api.slug,
            route_label(manifest, engine, w),
            explain(engine, w),
            doc.join(" or ")
        );
        notes.push(message.clone());
        diags.push(
            Diagnostic::new(codes::FRAGILE_PRECEDENCE, message)
                .at(&op.span)
                .help("Kong computes route priorities with 32-bit shifts (reference 3.5); make the intended route win under both orders"),
        );
    }

    // Some route matches the path, none the method.
    if results.iter().any(|r| r.winner.is_none()) {
        let first = results
            .iter()
            .find(|r| r.winner.is_none())
            .map(|r| &r.probe);
        if let Some(p) = first {
            let mut others: BTreeSet<String> = BTreeSet::new();
            let mut methods: BTreeSet<&str> = BTreeSet::new();
            for m in METHODS.iter().filter(|m| **m != p.request.method) {
                let req = Request {
                    method: m.to_string(),
                    ..p.request.clone()
                };
                if let Some(s) = engine.select(&req) {
                    others.insert(route_label(manifest, engine, s.matcher));
                    methods.insert(m);
                }
            }
            if !others.is_empty() {
                let message = format!(
                    "route(s) {} match the path of {op_name} (API `{}`) but none accepts {} (they accept {})",
                    others
                        .iter()
                        .map(|o| format!("`{o}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    api.slug,
                    op.method,
                    methods.into_iter().collect::<Vec<_>>().join(", ")
                );
                notes.push(message.clone());
                diags.push(Diagnostic::new(codes::METHOD_NOT_EXPOSED, message).at(&op.span));
            }
        }
    }

    // Upstream path.
    let mut upstream_path = None;
    if status == Status::Matched
        && let Some(r) = results.first()
        && let Some(w) = r.winner
    {
        let route = &manifest.routes[engine.matchers[w].route];
        if let Some(service) = manifest.service_of(route) {
            let base = service.path.as_ref().map_or("/", |p| p.as_str());
            let upstream = uri::upstream_path(
                &r.probe.request.path,
                r.matched_path.as_deref(),
                route.strip_path,
                base,
            );
            let op_path = &r.probe.op_path;
            if upstream.ends_with(op_path.as_str()) {
                let keep = &upstream[..upstream.len() - op_path.len()];
                upstream_path = Some(format!("{keep}{}", op.path));
            } else {
                if route.strip_path {
                    let message = format!(
                        "route `{}` has strip_path: true and service `{}` path `{base}`: {op_name} reaches the upstream as `{upstream}`, which drops part of the documented path `{op_path}`",
                        route.label(),
                        service.label(),
                    );
                    notes.push(message.clone());
                    diags.push(
                                Diagnostic::new(codes::STRIP_PATH_DROPS_PATH, message)
                                    .at(&op.span)
                                    .help("set `strip_path: false` or give the service the stripped prefix as its `path`"),
                            );
                }
                upstream_path = Some(upstream);
            }
        }
    }

    // Pinned routes.
    for (pin, span) in &input.pinned_routes {
        let Some(pinned) = manifest.route(pin).map(RouteId::index) else {
            let names: Vec<&str> = manifest.routes.iter().map(|r| r.label()).collect();
            let help = match crate::diagnostics::suggest::did_you_mean(pin, &names) {
                Some(s) => format!("did you mean `{s}`? `route:` names a route of the decK files by its name or id"),
                None if names.is_empty() => {
                    "`route:` names a route of the decK files by its name or id, and they define none".to_string()
                }
                None => "`route:` names a route of the decK files by its name or id; remove it to let Kong's router decide".to_string(),
            };
            diags.push(
                // Worded without the operation: a pin selecting several operations (by tags)
                // is one mistake, reported once at its line.
                Diagnostic::new(
                    codes::PINNED_ROUTE_UNKNOWN,
                    format!("`route: {pin}` pins a route that is not in the decK files"),
                )
                .at(span)
                .help(help),
            );
            continue;
        };
        if let Some(r) = results
            .iter()
            .find(|r| r.winner.map(|w| engine.matchers[w].route) != Some(pinned) || r.tie_by_chance)
        {
            let why = match r.winner {
                None => format!("no route matches {}", show(r)),
                Some(w) if engine.matchers[w].route == pinned => format!(
                    "it ties with `{}` and wins only by chance",
                    r.ties
                        .first()
                        .map(|&t| route_label(manifest, engine, t))
                        .unwrap_or_default()
                ),
                Some(w) => format!(
                    "`{}` wins ({}) for {}",
                    route_label(manifest, engine, w),
                    explain(engine, w),
                    r.probe.raw_path
                ),
            };
            let message = format!("pinned route `{pin}` does not serve {op_name}: {why}");
            notes.push(message.clone());
            diags.push(Diagnostic::new(codes::PINNED_ROUTE_MISMATCH, message).at(span));
        }
    }

    let mut served: Vec<usize> = Vec::new();
    for r in &results {
        if let Some(w) = r.winner {
            served.push(engine.matchers[w].route);
        }
        served.extend(r.ties.iter().map(|&t| engine.matchers[t].route));
    }
    served.sort_unstable();
    served.dedup();
    let (route, service) = match (status, winners.first().copied().flatten()) {
        (Status::Matched, Some(ri)) => (Some(RouteId::new(ri)), manifest.routes[ri].service),
        _ => (None, None),
    };
    let probes = results
        .iter()
        .map(|r| Probe {
            method: Method::parse(&r.probe.request.method).unwrap_or(op.method),
            host: r.probe.host_header.clone(),
            path: r.probe.raw_path.clone(),
            route: r.winner.map(|w| RouteId::new(engine.matchers[w].route)),
            headers: r.probe.request.headers.clone(),
        })
        .collect();
    Evaluation {
        routing: OperationRoute {
            status,
            route,
            service,
            probes,
            upstream_path,
            notes,
            reached: served.into_iter().map(RouteId::new).collect(),
        },
        diagnostics: diags,
    }
}
