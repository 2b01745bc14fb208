//! Kong's router engine, for real: every route of the manifest is translated ([`translate`])
//! and prioritised ([`priority`]) as Kong does and added to an `atc_router::Router` built on
//! the schema Kong declares (`kong/router/fields.lua`). A probe request fills an ATC context
//! the way `atc.lua` does and the router picks the winner. Each matcher is also compiled on
//! its own so portalgen can list *every* matching route, which Kong never needs but the
//! ambiguity and documented-order checks do.

use std::collections::HashMap;
use std::sync::LazyLock;

use atc_router::ast::{Expression, Type, Value};
use atc_router::context::{Context, Match};
use atc_router::interpreter::Execute;
use atc_router::router::Router;
use atc_router::schema::Schema;
use atc_router::semantics::Validate;
use uuid::Uuid;

use super::priority::{self, DocKey, Inputs};
use super::translate;
use crate::config::RouterFlavor;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::gateway::Manifest;

/// `HTTP_FIELDS` of `kong/router/fields.lua`.
static SCHEMA: LazyLock<Schema> = LazyLock::new(|| {
    let mut s = Schema::default();
    for f in [
        "net.protocol",
        "tls.sni",
        "http.method",
        "http.host",
        "http.path",
        "http.path.segments.*",
        "http.headers.*",
        "http.queries.*",
    ] {
        s.add_field(f, Type::String);
    }
    for f in ["net.src.port", "net.dst.port", "http.path.segments.len"] {
        s.add_field(f, Type::Int);
    }
    for f in ["net.src.ip", "net.dst.ip"] {
        s.add_field(f, Type::IpAddr);
    }
    s
});

/// One matcher added to the router.
#[derive(Debug)]
pub struct Matcher {
    /// Index into [`Manifest::routes`].
    pub route: usize,
    pub uuid: Uuid,
    /// The route has an explicit `id` (so ties with it are decided by UUID, not by chance).
    pub explicit_id: bool,
    pub expression: String,
    pub inputs: Inputs,
    /// Priority as Kong's code computes it (what the router uses).
    pub priority: u64,
    /// Rank in the documented order.
    pub documented: DocKey,
    pub paths: Vec<String>,
    compiled: Expression,
}

/// A request as Kong's router sees it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// `Host` header without port.
    pub host: Option<String>,
    pub port: u16,
    /// `http` or `https`.
    pub scheme: String,
    /// Normalised path (no query).
    pub path: String,
    /// Lower-cased header names (dashes kept) with values.
    pub headers: Vec<(String, String)>,
}

/// The router's answer for one request.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Index into [`Engine::matchers`].
    pub matcher: usize,
    /// What matched of the path (prefix string, or the whole regex match).
    pub matched_path: Option<String>,
}

/// The compiled router of one manifest.
pub struct Engine {
    pub matchers: Vec<Matcher>,
    by_uuid: HashMap<Uuid, usize>,
    router: Router<'static>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("matchers", &self.matchers.len()).finish()
    }
}

impl Engine {
    /// Translate and add every HTTP route of `manifest`. Routes Kong would reject (bad regex,
    /// expression in the wrong flavor, …) are reported and left out, as Kong leaves them out.
    pub fn build(manifest: &Manifest, flavor: RouterFlavor) -> (Engine, Diagnostics) {
        let mut diags = Diagnostics::new();
        let mut router = Router::new(&SCHEMA);
        let mut matchers: Vec<Matcher> = Vec::new();
        for (index, route) in manifest.routes.iter().enumerate() {
            if translate::is_stream_route(route) {
                continue;
            }
            let has_classic = !route.paths.is_empty()
                || !route.methods.is_empty()
                || !route.hosts.is_empty()
                || !route.headers.is_empty()
                || !route.snis.is_empty();
            match (flavor, &route.expression) {
                (RouterFlavor::TraditionalCompatible, Some(_)) => {
                    diags.push(
                        Diagnostic::error(
                            "route-expression-unsupported",
                            format!(
                                "route `{}` uses `expression`, which the `traditional_compatible` router flavor does not accept",
                                route.label()
                            ),
                        )
                        .at(&route.span)
                        .help("set `gateway.router_flavor: expressions` in portal.yaml, or write the route with paths/methods/hosts"),
                    );
                    continue;
                }
                (RouterFlavor::Expressions, Some(_)) if has_classic => {
                    diags.push(
                        Diagnostic::error(
                            "route-expression-mixed",
                            format!(
                                "route `{}` sets both `expression` and classic matching fields; Kong accepts one or the other",
                                route.label()
                            ),
                        )
                        .at(&route.span),
                    );
                    continue;
                }
                _ => {}
            }
            let (id, explicit_id) = translate::route_uuid(route, index);
            let expression_route = flavor == RouterFlavor::Expressions && route.expression.is_some();
            for group in translate::split(route, id, flavor) {
                let expression = translate::expression(route, &group, flavor);
                let inputs = Inputs::of(route, &group.paths, expression_route);
                let effective = priority::effective(&inputs);
                let compiled = match atc_router::parser::parse(&expression)
                    .map_err(|e| e.to_string())
                    .and_then(|ast| ast.validate(&SCHEMA).map(|_| ast))
                {
                    Ok(ast) => ast,
                    Err(e) => {
                        diags.push(
                            Diagnostic::error(
                                "route-rejected",
                                format!(
                                    "Kong's router rejects route `{}`: {}",
                                    route.label(),
                                    e.split_whitespace().collect::<Vec<_>>().join(" ")
                                ),
                            )
                            .at(&route.span)
                            .help(format!("ATC expression: {expression}")),
                        );
                        continue;
                    }
                };
                if let Err(e) = router.add_matcher(effective as usize, group.uuid, &expression) {
                    diags.push(
                        Diagnostic::error(
                            "route-rejected",
                            format!("Kong's router rejects route `{}`: {e}", route.label()),
                        )
                        .at(&route.span),
                    );
                    continue;
                }
                matchers.push(Matcher {
                    route: index,
                    uuid: group.uuid,
                    explicit_id,
                    expression,
                    inputs,
                    priority: effective,
                    documented: priority::documented(&inputs),
                    paths: group.paths,
                    compiled,
                });
            }
        }
        // atc-router's scan order: (priority, uuid) descending.
        matchers.sort_by(|a, b| (b.priority, b.uuid).cmp(&(a.priority, a.uuid)));
        let by_uuid = matchers.iter().enumerate().map(|(i, m)| (m.uuid, i)).collect();
        (
            Engine {
                matchers,
                by_uuid,
                router,
            },
            diags,
        )
    }

    /// Fill an ATC context for `req` with the fields the router uses (`fields_visitor`).
    fn context(&self, req: &Request) -> Context<'static> {
        let mut c = Context::new(&SCHEMA);
        let segments: Vec<&str> = req.path.get(1..).unwrap_or("").split('/').collect();
        for field in self.router.fields.keys() {
            match field.as_str() {
                "http.method" => c.add_value(field, Value::String(req.method.clone())),
                "http.path" => c.add_value(field, Value::String(req.path.clone())),
                "http.host" => {
                    if let Some(h) = &req.host {
                        c.add_value(field, Value::String(h.clone()));
                    }
                }
                "net.dst.port" => c.add_value(field, Value::Int(i64::from(req.port))),
                "net.protocol" => c.add_value(field, Value::String(req.scheme.clone())),
                "tls.sni" => {
                    if let (Some(h), "https") = (&req.host, req.scheme.as_str()) {
                        c.add_value(field, Value::String(h.clone()));
                    }
                }
                "http.path.segments.len" => c.add_value(field, Value::Int(segments.len() as i64)),
                f if f.starts_with("http.path.segments.") => {
                    if let Some(v) = segment_value(&segments, &f["http.path.segments.".len()..]) {
                        c.add_value(field, Value::String(v));
                    }
                }
                f if f.starts_with("http.headers.") => {
                    let name = &f["http.headers.".len()..];
                    for (h, v) in &req.headers {
                        if h.replace('-', "_").to_lowercase() == name {
                            c.add_value(field, Value::String(v.to_lowercase()));
                        }
                    }
                }
                // Queries, client and server addresses: a probe has none.
                _ => {}
            }
        }
        c
    }

    /// The route Kong's router picks for `req`.
    pub fn select(&self, req: &Request) -> Option<Selection> {
        let mut c = self.context(req);
        if !self.router.execute(&mut c) {
            return None;
        }
        let result = c.result.take()?;
        let matcher = *self.by_uuid.get(&result.uuid)?;
        Some(Selection {
            matcher,
            matched_path: matched_path(&result),
        })
    }

    /// Every matcher whose expression is true for `req`, in the router's scan order.
    pub fn all_matches(&self, req: &Request) -> Vec<usize> {
        let mut c = self.context(req);
        self.matchers
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                let mut mat = Match::new();
                m.compiled.execute(&mut c, &mut mat)
            })
            .map(|(i, _)| i)
            .collect()
    }
}

fn matched_path(m: &Match) -> Option<String> {
    match m.matches.get("http.path") {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// `http.path.segments.<i>` / `.<i>_<j>` of fields.lua (0-based).
fn segment_value(segments: &[&str], range: &str) -> Option<String> {
    match range.split_once('_') {
        None => segments.get(range.parse::<usize>().ok()?).map(|s| s.to_string()),
        Some((a, b)) => {
            let (a, b) = (a.parse::<usize>().ok()?, b.parse::<usize>().ok()?);
            if a >= b || b >= segments.len() {
                return None;
            }
            Some(segments[a..=b].join("/"))
        }
    }
}
