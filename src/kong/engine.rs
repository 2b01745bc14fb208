//! Kong's router engine, for real: every route of the manifest is translated ([`translate`])
//! and prioritised ([`priority`]) as Kong does and added to an `atc_router::Router` built on
//! the schema Kong declares (`kong/router/fields.lua`). A probe request fills an ATC context
//! the way `atc.lua` does and the router picks the winner. Each matcher is also compiled on
//! its own so portalgen can list *every* matching route, which Kong never needs but the
//! ambiguity and documented-order checks do. Which routes the router takes at all is decided
//! by [`super::rules::admission`]; this module only compiles and matches.

use crate::diagnostics::codes;
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
use super::{rules, translate};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::config::RouterFlavor;
use crate::model::gateway::Manifest;

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
    /// Cheap necessary conditions (classic routes only): accepted methods and literal path
    /// prefixes. `None` = no constraint known. Used to skip evaluating hopeless matchers when
    /// listing every match; the router itself always evaluates the real expression.
    methods: Option<Vec<String>>,
    literal_prefixes: Option<Vec<String>>,
}

/// The literal text every path matched by `path` (a route path, `~` for regexes) starts with;
/// `None` when that cannot be said simply (alternations, flags).
fn literal_prefix(path: &str) -> Option<String> {
    let Some(re) = path.strip_prefix('~') else {
        return Some(path.to_string());
    };
    if re.contains('|') {
        return None;
    }
    let mut out = String::new();
    for c in re.chars() {
        match c {
            '?' | '*' | '{' => {
                out.pop();
                break;
            }
            '\\' | '.' | '+' | '(' | ')' | '[' | ']' | '^' | '$' | '}' => break,
            c => out.push(c),
        }
    }
    Some(out)
}

/// One matcher waiting to be compiled: a route (or one path group of a split route) with the
/// expression Kong would hand atc-router.
struct Pending {
    /// Index into [`Manifest::routes`].
    route: usize,
    group: translate::Group,
    expression: String,
    /// The route has an explicit `id`.
    explicit_id: bool,
    /// An `expression` route of the expressions flavor (ranked by its `priority`).
    expression_route: bool,
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

/// The matchers of one partition with a `RegexSet` over their regex paths, so listing every
/// match of a request evaluates only matchers whose path can match (one automaton pass instead
/// of one regex per matcher). A prefilter only: survivors are evaluated with atc-router.
struct Members {
    indices: Vec<usize>,
    /// Per member: indices into `set` of its regex paths, and its prefix paths.
    paths: Vec<Option<(Vec<usize>, Vec<String>)>>,
    set: Option<regex::RegexSet>,
}

impl Members {
    fn build(indices: Vec<usize>, matchers: &[Matcher]) -> Members {
        let mut patterns: Vec<String> = Vec::new();
        let paths = indices
            .iter()
            .map(|&i| {
                let m = &matchers[i];
                m.literal_prefixes.as_ref()?;
                let mut regexes = Vec::new();
                let mut prefixes = Vec::new();
                for p in &m.paths {
                    match p.strip_prefix('~') {
                        Some(re) => {
                            regexes.push(patterns.len());
                            patterns.push(format!("^{}", re.replace("?<", "?P<")));
                        }
                        None => prefixes.push(p.clone()),
                    }
                }
                Some((regexes, prefixes))
            })
            .collect();
        let set = regex::RegexSet::new(&patterns).ok();
        // Without a set (should not happen: every pattern compiled before), filter nothing.
        let paths = if set.is_some() || patterns.is_empty() {
            paths
        } else {
            vec![None; indices.len()]
        };
        Members {
            indices,
            paths,
            set,
        }
    }
}

/// Partition key of a router: (method or `*`, first path segment or `*`).
type Key = (String, String);

/// The compiled router of one manifest.
///
/// Kong keeps one atc-router for all routes. Scanning ~1,000 regex routes per probe is too slow
/// for a CI check, so the matchers are spread over several real atc-router instances keyed by
/// (method, first path segment): a matcher goes to every key it could match (its methods or
/// `*`; the first segment of its literal path prefix or `*`). A request is run through the
/// routers of (M, S), (M, `*`), (`*`, S) and (`*`, `*`) and the winner is the match with the
/// highest (priority, uuid), exactly what the single router's descending scan returns, since
/// the matchers left out of those four routers cannot match the request.
pub struct Engine {
    pub matchers: Vec<Matcher>,
    by_uuid: HashMap<Uuid, usize>,
    routers: HashMap<Key, Router<'static>>,
    /// Per partition: its matchers (scan order) and a path prefilter for listing matches.
    members: HashMap<Key, Members>,
    /// Union of the fields used by all routers (what a context must carry).
    fields: Vec<String>,
    /// The router flavor the engine was built for.
    pub flavor: RouterFlavor,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("matchers", &self.matchers.len())
            .field("routers", &self.routers.len())
            .finish()
    }
}

/// First path segment of a literal prefix, when the prefix contains all of it.
fn first_segment(prefix: &str) -> Option<&str> {
    let rest = prefix.strip_prefix('/')?;
    let end = rest.find('/')?;
    Some(&rest[..end])
}

fn request_segment(path: &str) -> &str {
    let rest = path.strip_prefix('/').unwrap_or(path);
    rest.split('/').next().unwrap_or("")
}

impl Engine {
    /// Translate and add every HTTP route of `manifest` that the router of `flavor` admits
    /// ([`rules::admission`]; the validate stage reports the others). Routes whose expression
    /// atc-router rejects (bad regex, …) are reported here and left out, as Kong leaves them
    /// out.
    pub fn build(manifest: &Manifest, flavor: RouterFlavor) -> (Engine, Diagnostics) {
        Self::build_with(manifest, flavor, true)
    }

    /// [`Engine::build`] with partitioning on or off (off: one router, as in Kong).
    pub fn build_with(
        manifest: &Manifest,
        flavor: RouterFlavor,
        partition: bool,
    ) -> (Engine, Diagnostics) {
        let mut diags = Diagnostics::new();
        let mut matchers: Vec<Matcher> = Vec::new();
        let mut pending: Vec<Pending> = Vec::new();
        let mut keys_seen: std::collections::HashSet<(u64, Uuid)> =
            std::collections::HashSet::new();
        for (index, route) in manifest.routes.iter().enumerate() {
            // Stream routes and routes this flavor refuses never reach the router; the rules
            // report why ([`rules::admission`], run by the validate stage).
            if !rules::admission(route, flavor).admitted {
                continue;
            }
            let (id, explicit_id) = translate::route_uuid(route, index);
            let expression_route =
                flavor == RouterFlavor::Expressions && route.expression.is_some();
            for group in translate::split(route, id, flavor) {
                let expression = translate::expression(route, &group, flavor);
                pending.push(Pending {
                    route: index,
                    group,
                    expression,
                    explicit_id,
                    expression_route,
                });
            }
        }
        // Parsing compiles every regex: do it in parallel, keep the order.
        let parsed: Vec<Result<Expression, String>> = {
            use rayon::prelude::*;
            pending
                .par_iter()
                .map(|p| {
                    atc_router::parser::parse(&p.expression)
                        .map_err(|e| e.to_string())
                        .and_then(|ast| ast.validate(&SCHEMA).map(|_| ast))
                })
                .collect()
        };
        for (
            Pending {
                route: index,
                group,
                expression,
                explicit_id,
                expression_route,
            },
            compiled,
        ) in pending.into_iter().zip(parsed)
        {
            let route = &manifest.routes[index];
            let inputs = Inputs::of(route, &group.paths, expression_route);
            let effective = priority::effective(&inputs);
            let compiled = match compiled {
                Ok(ast) => ast,
                Err(e) => {
                    diags.push(
                        Diagnostic::new(
                            codes::ROUTE_REJECTED,
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
            if !keys_seen.insert((effective, group.uuid)) {
                diags.push(
                    Diagnostic::new(
                        codes::ROUTE_REJECTED,
                        format!(
                            "Kong's router rejects route `{}`: UUID {} already exists",
                            route.label(),
                            group.uuid
                        ),
                    )
                    .at(&route.span),
                );
                continue;
            }
            let classic = !expression_route;
            let methods = (classic && !route.methods.is_empty()).then(|| {
                route
                    .methods
                    .iter()
                    .map(|m| m.as_str().to_string())
                    .collect()
            });
            let literal_prefixes = if classic && !group.paths.is_empty() {
                group
                    .paths
                    .iter()
                    .map(|p| literal_prefix(p))
                    .collect::<Option<Vec<_>>>()
            } else {
                None
            };
            matchers.push(Matcher {
                methods,
                literal_prefixes,
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
        // atc-router's scan order: (priority, uuid) descending.
        matchers.sort_by_key(|m| std::cmp::Reverse((m.priority, m.uuid)));
        let mut member_lists: HashMap<Key, Vec<usize>> = HashMap::new();
        for (i, m) in matchers.iter().enumerate() {
            for key in partition_keys(m, partition) {
                member_lists.entry(key).or_default().push(i);
            }
        }
        // Each partition's router and prefilter are independent: build them in parallel.
        type Built = (Key, Router<'static>, Members, Vec<(usize, String)>);
        let built: Vec<Built> = {
            use rayon::prelude::*;
            let lists: Vec<(Key, Vec<usize>)> = member_lists.into_iter().collect();
            lists
                .into_par_iter()
                .map(|(key, indices)| {
                    let mut router = Router::new(&SCHEMA);
                    let mut errors = Vec::new();
                    for &i in &indices {
                        let m = &matchers[i];
                        if let Err(e) =
                            router.add_matcher(m.priority as usize, m.uuid, &m.expression)
                        {
                            errors.push((m.route, e));
                        }
                    }
                    let members = Members::build(indices, &matchers);
                    (key, router, members, errors)
                })
                .collect()
        };
        let mut routers: HashMap<Key, Router<'static>> = HashMap::new();
        let mut members: HashMap<Key, Members> = HashMap::new();
        let mut rejected: Vec<(usize, String)> = Vec::new();
        for (key, router, m, errors) in built {
            routers.insert(key.clone(), router);
            members.insert(key, m);
            rejected.extend(errors);
        }
        rejected.sort();
        rejected.dedup();
        for (route, e) in rejected {
            let route = &manifest.routes[route];
            diags.push(
                Diagnostic::new(
                    codes::ROUTE_REJECTED,
                    format!("Kong's router rejects route `{}`: {e}", route.label()),
                )
                .at(&route.span),
            );
        }
        let mut fields: Vec<String> = routers
            .values()
            .flat_map(|r| r.fields.keys().cloned())
            .collect();
        fields.sort();
        fields.dedup();
        let by_uuid = matchers
            .iter()
            .enumerate()
            .map(|(i, m)| (m.uuid, i))
            .collect();
        (
            Engine {
                matchers,
                by_uuid,
                routers,
                members,
                fields,
                flavor,
            },
            diags,
        )
    }

    /// Fill an ATC context for `req` with the fields the routers use (`fields_visitor`).
    fn context(&self, req: &Request) -> Context<'static> {
        let mut c = Context::new(&SCHEMA);
        let segments: Vec<&str> = req.path.get(1..).unwrap_or("").split('/').collect();
        for field in &self.fields {
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
        let seg = request_segment(&req.path);
        let mut best: Option<(u64, Uuid, Option<String>)> = None;
        let keys = [
            (req.method.as_str(), seg),
            (req.method.as_str(), "*"),
            ("*", seg),
            ("*", "*"),
        ];
        let mut tried: Vec<(&str, &str)> = Vec::with_capacity(4);
        for (m, s) in keys {
            if tried.contains(&(m, s)) {
                continue;
            }
            tried.push((m, s));
            let Some(router) = self.routers.get(&(m.to_string(), s.to_string())) else {
                continue;
            };
            c.result = None;
            if !router.execute(&mut c) {
                continue;
            }
            let Some(result) = c.result.take() else {
                continue;
            };
            let Some(&i) = self.by_uuid.get(&result.uuid) else {
                continue;
            };
            let key = (self.matchers[i].priority, result.uuid);
            if best.as_ref().is_none_or(|(p, u, _)| key > (*p, *u)) {
                best = Some((key.0, key.1, matched_path(&result)));
            }
        }
        let (_, uuid, matched_path) = best?;
        Some(Selection {
            matcher: *self.by_uuid.get(&uuid)?,
            matched_path,
        })
    }

    /// Every matcher satisfying `wanted` whose expression is true for `req`, in the router's
    /// scan order.
    pub fn matches_where(&self, req: &Request, wanted: impl Fn(&Matcher) -> bool) -> Vec<usize> {
        let seg = request_segment(&req.path);
        let mut candidates: Vec<usize> = Vec::new();
        let mut seen_keys: Vec<(&str, &str)> = Vec::with_capacity(4);
        for key in [
            (req.method.as_str(), seg),
            (req.method.as_str(), "*"),
            ("*", seg),
            ("*", "*"),
        ] {
            if seen_keys.contains(&key) {
                continue;
            }
            seen_keys.push(key);
            let Some(members) = self.members.get(&(key.0.to_string(), key.1.to_string())) else {
                continue;
            };
            let hits = members.set.as_ref().map(|s| s.matches(&req.path));
            for (n, &i) in members.indices.iter().enumerate() {
                let m = &self.matchers[i];
                if !wanted(m) || !could_match(m, req) {
                    continue;
                }
                if let (Some((regexes, prefixes)), Some(hits)) = (&members.paths[n], &hits) {
                    let path_ok = prefixes.iter().any(|p| req.path.starts_with(p.as_str()))
                        || regexes.iter().any(|&r| hits.matched(r));
                    if !path_ok {
                        continue;
                    }
                }
                candidates.push(i);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut c = None;
        candidates
            .into_iter()
            .filter(|&i| {
                let c = c.get_or_insert_with(|| self.context(req));
                let mut mat = Match::new();
                self.matchers[i].compiled.execute(c, &mut mat)
            })
            .collect()
    }

    /// Every matcher whose expression is true for `req`, in the router's scan order.
    pub fn all_matches(&self, req: &Request) -> Vec<usize> {
        self.matches_where(req, |_| true)
    }
}

/// The partitions a matcher belongs to: its methods (or `*`) × the first segments of its
/// literal path prefixes (or `*`).
fn partition_keys(m: &Matcher, partition: bool) -> Vec<Key> {
    let methods: Vec<String> = match (&m.methods, partition) {
        (Some(ms), true) => ms.clone(),
        _ => vec!["*".to_string()],
    };
    let segments: Vec<String> = match (&m.literal_prefixes, partition) {
        (Some(ps), true) => {
            let segs: Option<Vec<String>> = ps
                .iter()
                .map(|p| first_segment(p).map(str::to_string))
                .collect();
            let mut segs = segs.unwrap_or_else(|| vec!["*".to_string()]);
            segs.sort();
            segs.dedup();
            segs
        }
        _ => vec!["*".to_string()],
    };
    let mut keys = Vec::new();
    for method in &methods {
        for seg in &segments {
            keys.push((method.clone(), seg.clone()));
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

fn could_match(m: &Matcher, req: &Request) -> bool {
    if let Some(methods) = &m.methods
        && !methods.contains(&req.method)
    {
        return false;
    }
    if let Some(prefixes) = &m.literal_prefixes
        && !prefixes.iter().any(|p| req.path.starts_with(p.as_str()))
    {
        return false;
    }
    true
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
        None => segments
            .get(range.parse::<usize>().ok()?)
            .map(|s| s.to_string()),
        Some((a, b)) => {
            let (a, b) = (a.parse::<usize>().ok()?, b.parse::<usize>().ok()?);
            if a >= b || b >= segments.len() {
                return None;
            }
            Some(segments[a..=b].join("/"))
        }
    }
}
