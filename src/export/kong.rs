//! `export --flavor kong`: the decK configuration that enforces the portal's API packages on a
//! self-managed Kong Gateway (no Konnect, no `ace` plugin), following the mapping proposed in
//! `kong-reference.md` section 5.2 (b), cut down to what a static generator knows.
//!
//! - Every package `P` is an ACL group `pkg-<slug>`. Each route that wins at least one package
//!   operation (Kong's own router, [`crate::kong`]) gets a route-scoped `acl` allowing the
//!   groups of every package it serves, and the auth plugin of those packages' strategy
//!   (`key-auth`, or Enterprise `openid-connect`). Packages with different strategies on one
//!   route are an error.
//! - Applications are not known to portalgen: each consumer already in the manifest whose
//!   `acls` hold `pkg-<slug>` is one registration. It gets a consumer-scoped `rate-limiting`
//!   (`limit_by: credential`) with the package limit (no route/service scope, so one counter
//!   across all of the package's routes), and consumer+route `rate-limiting` for operations
//!   with their own limit when that operation has a route to itself (Consumer+Route beats
//!   Consumer, so the package counter is not touched, as in Konnect).
//! - `match_policy: required` puts `request-termination` (404) on routes that serve no
//!   package operation.
//! - The manifest's entities are kept as written; a plugin the manifest already has with the
//!   same name and scope is kept and ours dropped, with a warning.
//!
//! Everything added is tagged `portalgen` and sorted, so the output is deterministic.

use crate::diagnostics::codes;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value, json};

use super::TAG;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::config::{AuthChoice, AuthKind, AuthStrategy, MatchPolicy};
use crate::model::{Duration, Portal, RateLimit};

/// The ACL group of a package.
pub fn group(slug: &str) -> String {
    format!("pkg-{slug}")
}

/// `auth_methods` values the 3.13 `openid-connect` schema accepts.
const OIDC_AUTH_METHODS: &[&str] = &[
    "authorization_code",
    "bearer",
    "client_credentials",
    "introspection",
    "kong_oauth2",
    "password",
    "refresh_token",
    "session",
    "userinfo",
];

/// A plugin's identity for Kong's uniqueness rule: name + every scope field.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct ScopeKey {
    name: String,
    service: Option<String>,
    route: Option<String>,
    consumer: Option<String>,
    consumer_group: Option<String>,
}

/// A consumer of the manifest, as far as enforcement needs it.
struct Consumer {
    /// How a plugin refers to it (`username`, else `id`).
    reference: Option<String>,
    /// Every name it can be referred to by (`username`, `id`, `custom_id`).
    aliases: Vec<String>,
    /// Display name for messages.
    label: String,
    groups: BTreeSet<String>,
}

/// The auth a package resolves to.
#[derive(Clone, Copy)]
enum Auth<'a> {
    None,
    Strategy(&'a AuthStrategy),
}

impl Auth<'_> {
    fn name(&self) -> &str {
        match self {
            Auth::None => "none",
            Auth::Strategy(s) => &s.name,
        }
    }
}

/// Rate-limiting periods in Kong's order (shortest first).
const PERIODS: [&str; 3] = ["second", "minute", "hour"];

fn period(d: Duration) -> usize {
    match d {
        Duration::Seconds => 0,
        Duration::Minutes => 1,
        Duration::Hours => 2,
    }
}

/// Limits of one rate-limiting instance (per period), and the packages they come from.
#[derive(Default)]
struct Limits {
    periods: [Option<u64>; 3],
    packages: BTreeSet<String>,
}

impl Limits {
    fn add(&mut self, limit: RateLimit, package: &str) {
        let p = &mut self.periods[period(limit.duration)];
        *p = Some(p.map_or(limit.limit, |have| have.min(limit.limit)));
        self.packages.insert(package.to_string());
    }

    /// The plugin enforcing these limits: `rate-limiting`, or `request-termination` (429)
    /// when some limit is 0 (Kong's `rate-limiting` needs numbers above 0).
    fn plugin(&self) -> (&'static str, Value) {
        if self.periods.iter().flatten().any(|&n| n == 0) {
            return (
                "request-termination",
                json!({"status_code": 429, "message": "API rate limit exceeded"}),
            );
        }
        // Kong refuses a longer period lower than a shorter one: the longer, stricter window
        // dominates anyway, so the shorter is lowered to it.
        let mut periods = self.periods;
        for i in (0..periods.len()).rev() {
            let longer = periods[i + 1..].iter().flatten().min().copied();
            if let (Some(v), Some(l)) = (periods[i], longer) {
                periods[i] = Some(v.min(l));
            }
        }
        let mut config = Map::new();
        for (name, v) in PERIODS.iter().zip(periods) {
            if let Some(v) = v {
                config.insert((*name).to_string(), json!(v));
            }
        }
        config.insert("limit_by".into(), json!("credential"));
        config.insert("policy".into(), json!("local"));
        ("rate-limiting", Value::Object(config))
    }
}

/// A plugin portalgen wants to add.
struct Planned {
    key: ScopeKey,
    config: Value,
}

/// An operation a route wins, with the slugs of the packages holding it.
struct Routed<'a> {
    api: &'a str,
    method: &'static str,
    path: &'a str,
    packages: Vec<&'a str>,
}

/// Build the `kong` flavor's decK document.
pub fn export(portal: &Portal, diags: &mut Diagnostics) -> Value {
    let manifest = &portal.manifest;
    let mut doc: Map<String, Value> = manifest.document.clone();
    doc.insert("_format_version".into(), json!("3.0"));

    // Canonical names: a route or service referred to by name or id becomes its label.
    let mut route_names: HashMap<&str, &str> = HashMap::new();
    for r in &manifest.routes {
        for n in [r.id.as_deref(), r.name.as_deref()].into_iter().flatten() {
            route_names.insert(n, r.label());
        }
    }
    let mut service_names: HashMap<&str, &str> = HashMap::new();
    for s in &manifest.services {
        for n in [s.id.as_deref(), s.name.as_deref()].into_iter().flatten() {
            service_names.insert(n, s.label());
        }
    }
    let consumers = consumers(&doc);
    let mut consumer_names: HashMap<&str, &str> = HashMap::new();
    for c in &consumers {
        if let Some(r) = &c.reference {
            for a in &c.aliases {
                consumer_names.insert(a, r);
            }
        }
    }
    let canon = |map: &HashMap<&str, &str>, v: Option<String>| {
        v.map(|v| map.get(v.as_str()).map_or(v.clone(), |c| c.to_string()))
    };
    let existing: BTreeSet<ScopeKey> = existing_plugins(&doc)
        .into_iter()
        .map(|k| ScopeKey {
            route: canon(&route_names, k.route),
            service: canon(&service_names, k.service),
            consumer: canon(&consumer_names, k.consumer),
            ..k
        })
        .collect();
    if existing.iter().any(|k| k.name == "ace") {
        diags.push(
            Diagnostic::new(
                codes::KONG_ACE_PLUGIN,
                "the manifest has an `ace` plugin, which works only on Konnect-managed gateways; it is kept, but a self-managed Kong will refuse to load it",
            )
            .help("remove the `ace` plugin from the manifest for self-managed gateways, or use `--flavor konnect`"),
        );
    }

    // Packages: auth and limits.
    let auth_of = |choice: &AuthChoice| -> Auth<'_> {
        match choice {
            AuthChoice::None => Auth::None,
            AuthChoice::Default => portal
                .config
                .default_auth_strategy()
                .map_or(Auth::None, Auth::Strategy),
            AuthChoice::Named(n) => portal
                .config
                .auth_strategy(n)
                .map_or(Auth::None, Auth::Strategy),
        }
    };
    let packages: BTreeMap<&str, &crate::model::Package> = portal
        .packages
        .iter()
        .map(|p| (p.slug.as_str(), p))
        .collect();

    // Routes → the operations they win.
    let mut route_ops: BTreeMap<&str, Vec<Routed<'_>>> = BTreeMap::new();
    for (id, api, op) in portal.operations() {
        if let Some(route) = portal.routing_of(id).matched_route() {
            route_ops
                .entry(manifest.route_at(route).label())
                .or_default()
                .push(Routed {
                    api: api.slug.as_str(),
                    method: op.method.as_str(),
                    path: &op.path,
                    packages: portal
                        .packages_of(id)
                        .iter()
                        .map(|p| portal.package(*p).slug.as_str())
                        .collect(),
                });
        }
    }
    let route_span = |label: &str| {
        manifest
            .routes
            .iter()
            .find(|r| r.label() == label)
            .map(|r| r.span.clone())
    };

    let mut planned: Vec<Planned> = Vec::new();
    let plan = |planned: &mut Vec<Planned>,
                name: &str,
                route: Option<&str>,
                consumer: Option<&str>,
                config: Value| {
        planned.push(Planned {
            key: ScopeKey {
                name: name.to_string(),
                service: None,
                route: route.map(str::to_string),
                consumer: consumer.map(str::to_string),
                consumer_group: None,
            },
            config,
        })
    };

    // Access: acl + auth per package route.
    let mut package_routes: BTreeSet<&str> = BTreeSet::new();
    for (&route, ops) in &route_ops {
        let served: BTreeSet<&str> = ops
            .iter()
            .flat_map(|o| o.packages.iter().copied())
            .filter(|p| packages.contains_key(p))
            .collect();
        if served.is_empty() {
            continue;
        }
        package_routes.insert(route);
        let others: Vec<String> = ops
            .iter()
            .filter(|o| o.packages.is_empty())
            .map(|o| format!("{} {} ({})", o.method, o.path, o.api))
            .collect();
        let mut mixed = None;
        if !others.is_empty() {
            let mut d = Diagnostic::new(
                codes::KONG_ROUTE_MIXED,
                format!(
                    "route `{route}` serves package operations and operations of no package ({}); the route's acl and auth plugins apply to all of them, unlike Konnect, which leaves non-package operations to `match_policy`",
                    others.join(", ")
                ),
            )
            .help("give the package operations a route of their own, or add the other operations to a package");
            if let Some(s) = route_span(route) {
                d = d.at(&s);
            }
            // Reported only when the route really gets acl and auth plugins (below).
            mixed = Some(d);
        }
        let mut by_auth: BTreeMap<&str, (Auth<'_>, Vec<&str>)> = BTreeMap::new();
        for &slug in &served {
            let auth = auth_of(&packages[slug].auth_strategy);
            by_auth
                .entry(match auth {
                    Auth::None => "none",
                    Auth::Strategy(s) => s.name.as_str(),
                })
                .or_insert((auth, Vec::new()))
                .1
                .push(slug);
        }
        if by_auth.len() > 1 {
            let parts: Vec<String> = by_auth
                .values()
                .map(|(auth, slugs)| {
                    format!(
                        "{} ({})",
                        slugs
                            .iter()
                            .map(|s| format!("`{s}`"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        auth.name()
                    )
                })
                .collect();
            let mut d = Diagnostic::new(
                codes::KONG_AUTH_CONFLICT,
                format!(
                    "route `{route}` serves packages with different auth strategies: {}; one route can enforce only one",
                    parts.join(" and ")
                ),
            )
            .help("give these packages the same `auth_strategy`, or serve their operations from separate routes");
            if let Some(s) = route_span(route) {
                d = d.at(&s);
            }
            diags.push(d);
            continue;
        }
        let Some((auth, _)) = by_auth.values().next().map(|(a, s)| (*a, s)) else {
            continue;
        };
        let Auth::Strategy(strategy) = auth else {
            // No application auth: anyone may call, there is nothing to check groups against.
            continue;
        };
        if let Some(d) = mixed {
            diags.push(d);
        }
        let allow: Vec<String> = served.iter().map(|s| group(s)).collect();
        plan(
            &mut planned,
            "acl",
            Some(route),
            None,
            json!({ "allow": allow }),
        );
        let (name, config) = auth_plugin(strategy, diags);
        plan(&mut planned, name, Some(route), None, config);
    }

    // match_policy: required → 404 on every other route.
    if portal.config.gateway.match_policy == MatchPolicy::Required {
        let mut others: BTreeSet<&str> = BTreeSet::new();
        for r in &manifest.routes {
            if r.is_http() && !r.label().is_empty() && !package_routes.contains(r.label()) {
                others.insert(r.label());
            }
        }
        for route in others {
            plan(
                &mut planned,
                "request-termination",
                Some(route),
                None,
                json!({
                    "status_code": 404,
                    "message": "no API package operation matches the request",
                }),
            );
        }
    }

    // Rate limits.
    // Per package: which overridden operations have a route to themselves.
    let mut op_routes: BTreeMap<&str, Vec<(&str, RateLimit)>> = BTreeMap::new();
    for (&slug, pkg) in &packages {
        let auth = auth_of(&pkg.auth_strategy);
        let limited =
            pkg.rate_limit.is_some() || pkg.operations.iter().any(|o| o.rate_limit.is_some());
        if limited && matches!(auth, Auth::None) {
            diags.push(
                Diagnostic::new(
                    codes::KONG_RATE_LIMIT_WITHOUT_AUTH,
                    format!(
                        "package `{slug}` has rate limits but no auth strategy: without a consumer Kong cannot count them per application, so they are not enforced"
                    ),
                )
                .at(&pkg.span),
            );
            continue;
        }
        for item in &pkg.operations {
            let Some(limit) = item.rate_limit else {
                continue;
            };
            let Some(route) = portal
                .routing_of(item.operation)
                .matched_route()
                .map(|r| manifest.route_at(r).label())
            else {
                // Unrouted operations are reported by the routing check.
                continue;
            };
            let (api, op) = portal.operation(item.operation);
            if route_ops.get(route).is_some_and(|ops| ops.len() == 1) {
                op_routes.entry(slug).or_default().push((route, limit));
            } else {
                diags.push(
                    Diagnostic::new(
                        codes::KONG_OPERATION_LIMIT_NOT_ENFORCED,
                        format!(
                            "the rate limit of {} {} ({}) in package `{slug}` cannot be enforced: route `{route}` serves other operations too, and Kong rate-limits per route",
                            op.method.as_str(),
                            op.path,
                            api.slug
                        ),
                    )
                    .at(&item.span)
                    .help("add a route that serves only this operation; the package limit applies to it meanwhile"),
                );
            }
        }
    }
    let mut limits: BTreeMap<(String, Option<String>), Limits> = BTreeMap::new();
    let mut registered: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &consumers {
        let slugs: Vec<&str> = packages
            .keys()
            .copied()
            .filter(|s| c.groups.contains(&group(s)))
            .collect();
        if slugs.is_empty() {
            continue;
        }
        for &slug in &slugs {
            *registered.entry(slug).or_default() += 1;
        }
        let Some(reference) = &c.reference else {
            diags.push(
                Diagnostic::new(
                    codes::KONG_CONSUMER_UNNAMED,
                    format!(
                        "consumer `{}` is in a package group but has neither `username` nor `id`, so no plugin can be scoped to it; its package rate limits are not enforced",
                        c.label
                    ),
                )
                .help("give the consumer a `username`"),
            );
            continue;
        };
        for &slug in &slugs {
            let pkg = packages[slug];
            if matches!(auth_of(&pkg.auth_strategy), Auth::None) {
                continue;
            }
            if let Some(limit) = pkg.rate_limit {
                limits
                    .entry((reference.clone(), None))
                    .or_default()
                    .add(limit, slug);
            }
            for &(route, limit) in op_routes.get(slug).into_iter().flatten() {
                limits
                    .entry((reference.clone(), Some(route.to_string())))
                    .or_default()
                    .add(limit, slug);
            }
        }
    }
    for ((consumer, route), l) in &limits {
        if l.packages.len() > 1 {
            let list: Vec<String> = l.packages.iter().map(|p| format!("`{p}`")).collect();
            let where_ = route
                .as_ref()
                .map(|r| format!(" on route `{r}`"))
                .unwrap_or_default();
            diags.push(
                Diagnostic::new(
                    codes::KONG_CONSUMER_SEVERAL_PACKAGES,
                    format!(
                        "consumer `{consumer}` is registered for packages {}; Kong runs one rate-limiting instance per consumer{where_}, so the strictest of their limits is applied to their combined traffic",
                        list.join(", ")
                    ),
                )
                .help("register one consumer per application and package (`<app>--<package>`)"),
            );
        }
        let (name, config) = l.plugin();
        plan(&mut planned, name, route.as_deref(), Some(consumer), config);
    }
    for (&slug, pkg) in &packages {
        let limited =
            pkg.rate_limit.is_some() || pkg.operations.iter().any(|o| o.rate_limit.is_some());
        if limited
            && !matches!(auth_of(&pkg.auth_strategy), Auth::None)
            && !registered.contains_key(slug)
        {
            diags.push(
                Diagnostic::new(
                    codes::KONG_PACKAGE_NO_CONSUMERS,
                    format!(
                        "no consumer of the manifest is in group `{}`, so package `{slug}`'s rate limits have no consumer to attach to yet",
                        group(slug)
                    ),
                )
                .at(&pkg.span)
                .help(format!(
                    "register an application as a consumer with a credential and `acls: [{{group: {}}}]`, then export again",
                    group(slug)
                )),
            );
        }
    }

    // Drop what the manifest already has; emit the rest sorted.
    let mut added: BTreeMap<(String, String, String), Value> = BTreeMap::new();
    for p in planned {
        if existing.contains(&p.key) {
            let scope = scope_words(&p.key);
            diags.push(
                Diagnostic::new(
                    codes::KONG_PLUGIN_EXISTS,
                    format!(
                        "the manifest already has a `{}` plugin {scope}; it is kept and portalgen's is not added",
                        p.key.name
                    ),
                )
                .help(format!(
                    "check that the manifest's plugin does what the packages need (portalgen would have set {})",
                    p.config
                )),
            );
            continue;
        }
        let mut plugin = Map::new();
        plugin.insert("name".into(), json!(p.key.name));
        if let Some(r) = &p.key.route {
            plugin.insert("route".into(), json!(r));
        }
        if let Some(c) = &p.key.consumer {
            plugin.insert("consumer".into(), json!(c));
        }
        plugin.insert("config".into(), p.config);
        plugin.insert("tags".into(), json!([TAG]));
        added.insert(
            (
                p.key.route.clone().unwrap_or_default(),
                p.key.consumer.clone().unwrap_or_default(),
                p.key.name.clone(),
            ),
            Value::Object(plugin),
        );
    }
    let list = doc
        .entry("plugins")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !list.is_array() {
        *list = Value::Array(Vec::new());
    }
    if let Value::Array(list) = list {
        list.extend(added.into_values());
    }
    Value::Object(doc)
}

/// The auth plugin of a strategy.
fn auth_plugin(strategy: &AuthStrategy, diags: &mut Diagnostics) -> (&'static str, Value) {
    match &strategy.kind {
        AuthKind::KeyAuth { key_names } => {
            let key_names = if key_names.is_empty() {
                vec!["apikey".to_string()]
            } else {
                key_names.clone()
            };
            ("key-auth", json!({ "key_names": key_names }))
        }
        AuthKind::OpenidConnect {
            issuer,
            scopes,
            credential_claim,
            auth_methods,
        } => {
            let mut config = Map::new();
            config.insert("issuer".into(), json!(issuer));
            let scopes = if scopes.is_empty() {
                vec!["openid".to_string()]
            } else {
                scopes.clone()
            };
            config.insert("scopes".into(), json!(scopes));
            let claim = if credential_claim.is_empty() {
                vec!["sub".to_string()]
            } else {
                credential_claim.clone()
            };
            // The application is found as the consumer whose custom_id is the claim's value.
            config.insert("consumer_claim".into(), json!(claim));
            config.insert("consumer_by".into(), json!(["custom_id"]));
            config.insert("credential_claim".into(), json!(claim));
            let (known, unknown): (Vec<&String>, Vec<&String>) = auth_methods
                .iter()
                .partition(|m| OIDC_AUTH_METHODS.contains(&m.as_str()));
            if !unknown.is_empty() {
                let mut d = Diagnostic::new(
                    codes::KONG_OIDC_AUTH_METHOD,
                    format!(
                        "auth strategy `{}` lists auth methods the openid-connect plugin does not know ({}); they are left out",
                        strategy.name,
                        unknown
                            .iter()
                            .map(|m| format!("`{m}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                if strategy.span.line > 0 {
                    d = d.at(&strategy.span);
                }
                diags.push(d);
            }
            if !known.is_empty() {
                config.insert("auth_methods".into(), json!(known));
            }
            ("openid-connect", Value::Object(config))
        }
    }
}

fn scope_words(k: &ScopeKey) -> String {
    let mut parts = Vec::new();
    if let Some(r) = &k.route {
        parts.push(format!("route `{r}`"));
    }
    if let Some(c) = &k.consumer {
        parts.push(format!("consumer `{c}`"));
    }
    if parts.is_empty() {
        "globally".to_string()
    } else {
        format!("on {}", parts.join(" and "))
    }
}

/// A reference field of a plugin: a string, or `{name|id|username}`.
fn reference(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Object(m) => ["name", "username", "id"]
            .iter()
            .find_map(|k| m.get(*k).and_then(Value::as_str))
            .map(str::to_string),
        _ => None,
    }
}

fn list(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn label_of(entity: &Value, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| entity.get(*k).and_then(Value::as_str))
        .map(str::to_string)
}

/// Every plugin of the manifest, wherever it is nested, with its scope (names as written).
fn existing_plugins(doc: &Map<String, Value>) -> Vec<ScopeKey> {
    let mut out = Vec::new();
    let mut add = |p: &Value,
                   service: Option<String>,
                   route: Option<String>,
                   consumer: Option<String>,
                   consumer_group: Option<String>| {
        let Some(name) = p.get("name").and_then(Value::as_str) else {
            return;
        };
        out.push(ScopeKey {
            name: name.to_string(),
            service: service.or_else(|| reference(p.get("service"))),
            route: route.or_else(|| reference(p.get("route"))),
            consumer: consumer.or_else(|| reference(p.get("consumer"))),
            consumer_group: consumer_group.or_else(|| reference(p.get("consumer_group"))),
        });
    };
    for p in list(doc.get("plugins")) {
        add(p, None, None, None, None);
    }
    for s in list(doc.get("services")) {
        let service = label_of(s, &["name", "id"]);
        for p in list(s.get("plugins")) {
            add(p, service.clone(), None, None, None);
        }
        for r in list(s.get("routes")) {
            let route = label_of(r, &["name", "id"]);
            for p in list(r.get("plugins")) {
                add(p, None, route.clone(), None, None);
            }
        }
    }
    for r in list(doc.get("routes")) {
        let route = label_of(r, &["name", "id"]);
        for p in list(r.get("plugins")) {
            add(p, None, route.clone(), None, None);
        }
    }
    for c in list(doc.get("consumers")) {
        let consumer = label_of(c, &["username", "id", "custom_id"]);
        for p in list(c.get("plugins")) {
            add(p, None, None, consumer.clone(), None);
        }
    }
    for g in list(doc.get("consumer_groups")) {
        let name = label_of(g, &["name", "id"]);
        for p in list(g.get("plugins")) {
            add(p, None, None, None, name.clone());
        }
    }
    out
}

fn consumers(doc: &Map<String, Value>) -> Vec<Consumer> {
    list(doc.get("consumers"))
        .iter()
        .map(|c| {
            let field = |k: &str| c.get(k).and_then(Value::as_str).map(str::to_string);
            let (username, id, custom_id) = (field("username"), field("id"), field("custom_id"));
            Consumer {
                reference: username.clone().or_else(|| id.clone()),
                aliases: [&username, &id, &custom_id]
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect(),
                label: username
                    .or(custom_id)
                    .or(id)
                    .unwrap_or_else(|| "(unnamed)".to_string()),
                groups: list(c.get("acls"))
                    .iter()
                    .filter_map(|a| a.get("group").and_then(Value::as_str))
                    .map(str::to_string)
                    .collect(),
            }
        })
        .collect()
}
