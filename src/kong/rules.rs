//! Kong's own rules for the manifest's routes and services: what Kong's schema refuses (route
//! methods, path forms and normalisation, Rust-regex validity, host wildcards, header rules,
//! the priority range, expressions that do not parse, routes with nothing to match on, service
//! paths) and what its router does with a route under a router flavor before compiling it
//! (expression routes in the wrong flavor, `expression` mixed with classic fields, `priority`
//! or `path_handling: v1` that are ignored).
//!
//! Pure functions over the typed model, run by the validate stage
//! ([`crate::validate::gateway`]); the decK reader only reads. The engine asks
//! [`admission`] which routes the router takes, so that decision is made in one place.

use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::model::config::RouterFlavor;
use crate::model::gateway::{Header, Manifest, PathHandling, Route, Service, is_env};

use super::translate;

/// Kong's `priority` range for expression routes: 0 … 2^46-1.
const PRIORITY_MAX: i64 = 1 << 46;

/// Every rule for every route and service of `manifest`, as Kong with `flavor` applies them.
pub fn check(manifest: &Manifest, flavor: RouterFlavor) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for service in &manifest.services {
        for d in service_rules(service) {
            diags.push(d);
        }
    }
    for route in &manifest.routes {
        for d in route_rules(route) {
            diags.push(d);
        }
        for d in admission(route, flavor).diagnostics {
            diags.push(d);
        }
    }
    diags
}

/// The route's name or id, for messages.
fn label(route: &Route) -> &str {
    match route.label() {
        "" => "(unnamed)",
        l => l,
    }
}

/// `priority` when it is within Kong's range (Kong refuses the route otherwise; portalgen
/// routes it as if `priority` were not set).
pub fn priority(route: &Route) -> Option<u64> {
    route
        .priority
        .as_ref()
        .map(|p| p.value)
        .filter(|p| (0..PRIORITY_MAX).contains(p))
        .map(|p| p as u64)
}

/// The headers a route matches on. A `host` entry is refused by Kong (hosts are matched by
/// `hosts`) and takes no part in matching.
pub fn match_headers(route: &Route) -> impl Iterator<Item = &Header> {
    route
        .headers
        .iter()
        .filter(|h| !h.name.eq_ignore_ascii_case("host"))
}

/// The route sets classic matching fields (what `expression` excludes).
fn has_classic_fields(route: &Route) -> bool {
    !route.paths.is_empty()
        || !route.methods.is_empty()
        || !route.hosts.is_empty()
        || match_headers(route).next().is_some()
        || !route.snis.is_empty()
}

/// Kong's schema rules for one service.
pub fn service_rules(service: &Service) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(path) = &service.path
        && !is_env(path)
        && !path.starts_with('/')
    {
        out.push(
            Diagnostic::new(
                codes::SERVICE_INVALID_PATH,
                format!("service path `{}` must start with `/`", path.value),
            )
            .at(&path.span),
        );
    }
    out
}

/// Kong's schema rules for one route, each at the value it is about.
pub fn route_rules(route: &Route) -> Vec<Diagnostic> {
    let label = label(route);
    let mut out = Vec::new();
    for m in &route.methods {
        if !m.is_valid() && !is_env(m.as_str()) {
            out.push(
                Diagnostic::new(
                    codes::ROUTE_INVALID_METHOD,
                    format!(
                        "method `{}` of route `{label}` must be upper-case letters",
                        m.as_str()
                    ),
                )
                .at(&m.span),
            );
        }
    }
    for h in route.hosts.iter().filter(|h| !is_env(h)) {
        if let Some(problem) = host_problem(h) {
            out.push(
                Diagnostic::new(
                    codes::ROUTE_INVALID_HOST,
                    format!("host `{}` of route `{label}`: {problem}", h.value),
                )
                .at(&h.span),
            );
        }
    }
    for p in route.paths.iter().filter(|p| !is_env(p)) {
        if let Some((code, message)) = path_problem(p, label) {
            out.push(Diagnostic::new(code, message).at(&p.span));
        }
    }
    for h in &route.headers {
        if h.name.eq_ignore_ascii_case("host") {
            out.push(
                Diagnostic::new(
                    codes::ROUTE_INVALID_HEADER,
                    format!("route `{label}` cannot match on the `host` header: use `hosts`"),
                )
                .at(&h.name.span),
            );
            continue;
        }
        for v in h.values.iter().filter(|v| !is_env(v)) {
            if let Some(re) = v.strip_prefix("~*")
                && let Err(e) = regex::Regex::new(&re.to_lowercase())
            {
                out.push(
                    Diagnostic::new(
                        codes::ROUTE_INVALID_REGEX,
                        format!(
                            "header regex `{v}` of route `{label}` is not a valid Rust regex: {}",
                            one_line(&e.to_string())
                        ),
                    )
                    .at(&h.values_span),
                );
            }
        }
    }
    if let Some(p) = &route.priority
        && priority(route).is_none()
    {
        out.push(
            Diagnostic::new(
                codes::ROUTE_INVALID_PRIORITY,
                format!(
                    "priority {} of route `{label}` is outside 0 … 2^46-1",
                    p.value
                ),
            )
            .at(&p.span),
        );
    }
    if let Some(expr) = &route.expression
        && !is_env(expr)
        && let Err(e) = atc_router::parser::parse(expr)
    {
        out.push(
            Diagnostic::new(
                codes::ROUTE_INVALID_EXPRESSION,
                format!(
                    "expression of route `{label}` does not parse: {}",
                    one_line(&e.to_string())
                ),
            )
            .at(&expr.span),
        );
    }
    if route.expression.is_none()
        && route.env_matching_fields().is_empty()
        && route.is_http()
        && route.methods.is_empty()
        && route.hosts.is_empty()
        && route.paths.is_empty()
        && match_headers(route).next().is_none()
        && route.snis.is_empty()
        && route.sources.is_empty()
        && route.destinations.is_empty()
    {
        out.push(
            Diagnostic::new(
                codes::ROUTE_NO_MATCH_FIELDS,
                format!("route `{label}` must set at least one of `methods`, `hosts`, `headers`, `paths` (or `snis` for https)"),
            )
            .at(&route.span),
        );
    }
    out
}

/// What Kong's router does with a route under a flavor, before compiling it.
#[derive(Debug)]
pub struct Admission {
    /// The router takes the route (an HTTP route Kong does not refuse for this flavor).
    pub admitted: bool,
    /// Why it is refused, or what of it is ignored.
    pub diagnostics: Vec<Diagnostic>,
}

/// Whether the HTTP router of `flavor` takes `route`, and what it refuses or ignores. Stream
/// routes are not the HTTP router's: not admitted, nothing to say.
pub fn admission(route: &Route, flavor: RouterFlavor) -> Admission {
    let mut diagnostics = Vec::new();
    // A route whose matching fields are decK env references cannot be compiled: which requests
    // it takes is unknown ([`super::env_unknown`] reports the operations it may take).
    if translate::is_stream_route(route) || !route.env_matching_fields().is_empty() {
        return Admission {
            admitted: false,
            diagnostics,
        };
    }
    let refuse = |d: Diagnostic| Admission {
        admitted: false,
        diagnostics: vec![d],
    };
    match (flavor, &route.expression) {
        (RouterFlavor::TraditionalCompatible, Some(_)) => {
            return refuse(
                Diagnostic::new(
                    codes::ROUTE_EXPRESSION_UNSUPPORTED,
                    format!(
                        "route `{}` uses `expression`, which the `traditional_compatible` router flavor does not accept",
                        route.label()
                    ),
                )
                .at(&route.span)
                .help("set `gateway.router_flavor: expressions` in portal.yaml, or write the route with paths/methods/hosts"),
            );
        }
        (_, None) if priority(route).is_some() => {
            diagnostics.push(
                Diagnostic::new(
                    codes::ROUTE_PRIORITY_IGNORED,
                    format!(
                        "route `{}` sets `priority`, which Kong only uses for `expression` routes (expressions flavor); its rank comes from its matching fields",
                        route.label()
                    ),
                )
                .at(&route.span),
            );
        }
        (RouterFlavor::Expressions, Some(_)) if route.regex_priority != 0 => {
            return refuse(
                Diagnostic::new(
                    codes::ROUTE_EXPRESSION_MIXED,
                    format!(
                        "route `{}` sets `regex_priority` with `expression`; Kong rejects it (use `priority`)",
                        route.label()
                    ),
                )
                .at(&route.span),
            );
        }
        (RouterFlavor::Expressions, Some(_)) if has_classic_fields(route) => {
            return refuse(
                Diagnostic::new(
                    codes::ROUTE_EXPRESSION_MIXED,
                    format!(
                        "route `{}` sets both `expression` and classic matching fields; Kong accepts one or the other",
                        route.label()
                    ),
                )
                .at(&route.span),
            );
        }
        _ => {}
    }
    if route.path_handling == PathHandling::V1 && route.expression.is_none() {
        diagnostics.push(
            Diagnostic::new(
                codes::PATH_HANDLING_IGNORED,
                format!(
                    "route `{}` sets `path_handling: v1`, which the ATC router flavors do not honour: Kong computes the upstream path as v0",
                    route.label()
                ),
            )
            .at(&route.span),
        );
    }
    Admission {
        admitted: true,
        diagnostics,
    }
}

/// Kong's host rules: at most one `*`, only as the leftmost or rightmost label.
pub fn host_problem(host: &str) -> Option<&'static str> {
    let stars = host.matches('*').count();
    if host.is_empty() {
        return Some("empty host");
    }
    if stars > 1 {
        return Some("only one wildcard is allowed");
    }
    if stars == 1 {
        let (h, _) = host
            .split_once(':')
            .filter(|(_, p)| p.parse::<u16>().is_ok())
            .unwrap_or((host, ""));
        if !(h.starts_with("*.") || h.ends_with(".*")) {
            return Some(
                "the wildcard must be the leftmost or rightmost label (`*.example.com`, `example.*`)",
            );
        }
    }
    None
}

/// Kong's `router_path` checks for one path of the route called `label`.
pub fn path_problem(path: &str, label: &str) -> Option<(crate::diagnostics::Code, String)> {
    if !(path.starts_with('/') || path.starts_with("~/")) {
        return Some((
            codes::ROUTE_INVALID_PATH,
            format!(
                "path `{path}` of route `{label}` must start with `/` (prefix) or `~/` (regex)"
            ),
        ));
    }
    if path.contains("//") {
        return Some((
            codes::ROUTE_INVALID_PATH,
            format!("path `{path}` of route `{label}` must not have empty segments (`//`)"),
        ));
    }
    if let Some(re) = path.strip_prefix('~') {
        let translated = format!("^{}", re.replace("?<", "?P<"));
        return regex::Regex::new(&translated).err().map(|e| {
            (
                codes::ROUTE_INVALID_REGEX,
                format!(
                    "regex path `{path}` of route `{label}` is not a valid Rust regex (atc-router rejects the route): {}",
                    one_line(&e.to_string().replace('\n', " "))
                ),
            )
        });
    }
    // Percent-encoding must be well formed.
    let bytes = path.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'%'
            && !(i + 2 < bytes.len()
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit())
        {
            return Some((
                codes::ROUTE_INVALID_PATH,
                format!("path `{path}` of route `{label}` has an invalid url-encoded value"),
            ));
        }
    }
    let normalized = super::uri::normalize(path, true);
    (normalized != path).then(|| {
        (
            codes::ROUTE_PATH_NOT_NORMALIZED,
            format!("path `{path}` of route `{label}` is not normalised: Kong rejects it (\"non-normalized path, consider use '{normalized}' instead\")"),
        )
    })
}

fn one_line(s: &str) -> String {
    let lines: Vec<&str> = s.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    lines.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert!(path_problem("/orders", "r").is_none());
        assert!(path_problem("~/orders/\\d+$", "r").is_none());
        let code = |p: &str| path_problem(p, "r").map(|(c, _)| c.id());
        assert_eq!(code("orders"), Some("route-invalid-path"));
        assert_eq!(code("/a//b"), Some("route-invalid-path"));
        assert_eq!(code("/%zz"), Some("route-invalid-path"));
        assert_eq!(code("~/(?=x)"), Some("route-invalid-regex"));
        assert_eq!(code("/a/../b"), Some("route-path-not-normalized"));
        let (_, m) = path_problem("/orders/./x", "r").unwrap();
        assert!(m.contains("consider use '/orders/x' instead"), "{m}");
    }

    #[test]
    fn hosts() {
        for ok in ["a.com", "*.a.com", "a.*", "*.a.com:8000"] {
            assert_eq!(host_problem(ok), None, "{ok}");
        }
        for bad in ["", "*.*.a", "a*b", "a.*.b"] {
            assert!(host_problem(bad).is_some(), "{bad}");
        }
    }
}
