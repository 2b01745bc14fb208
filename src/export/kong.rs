//! `export --flavor kong`: the plugins that enforce the portal's API packages on a self-managed
//! Kong Gateway (no Konnect, no `ace` plugin), following the mapping proposed in
//! `kong-reference.md` section 5.2 (b), cut down to what a static generator knows. The plan is
//! a few steps over the typed manifest:
//!
//! - `access`: every package `P` is an ACL group `pkg-<slug>`. Each route that wins at least
//!   one package operation (Kong's own router, [`crate::kong`]) gets a route-scoped `acl`
//!   allowing the groups of every package it serves, and the auth plugin of those packages'
//!   strategy (`key-auth`, or Enterprise `openid-connect`). Packages with different strategies
//!   on one route are an error.
//! - `match_policy`: `required` puts `request-termination` (404) on routes that serve no
//!   package operation.
//! - `operation_routes` and `rate_limits`: applications are not known to portalgen; each
//!   consumer of the manifest whose `acls` hold `pkg-<slug>` is one registration. It gets a
//!   consumer-scoped `rate-limiting` (`limit_by: credential`) with the package limit (no
//!   route/service scope, so one counter across all of the package's routes), and
//!   consumer+route `rate-limiting` for operations with their own limit when that operation
//!   has a route to itself (Consumer+Route beats Consumer, so the package counter is not
//!   touched, as in Konnect).
//! - `assemble`: a plugin the manifest already has with the same name and scope is kept and
//!   ours dropped, with a warning at the manifest's plugin; the rest is sorted by (route,
//!   consumer, name), so the output is deterministic.
//!
//! Everything added is tagged `portalgen` when written ([`super::deck`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::plugin::{
    AclConfig, KeyAuthConfig, NewPlugin, OpenidConnectConfig, PluginConfig, RateLimitingConfig,
    RequestTerminationConfig,
};
use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::model::config::{AuthChoice, AuthKind, AuthStrategy, MatchPolicy};
use crate::model::gateway::{Manifest, Plugin, ScopeRef, Target};
use crate::model::ids::{ConsumerGroupId, ConsumerId, RouteId, ServiceId};
use crate::model::{Duration, Package, Portal, RateLimit};

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

/// An operation a route wins, with the slugs of the packages holding it.
struct Routed<'a> {
    api: &'a str,
    method: &'static str,
    path: &'a str,
    packages: Vec<&'a str>,
}

/// What every step reads: the portal, its packages by slug, and per route the operations it
/// wins.
struct Context<'a> {
    portal: &'a Portal,
    manifest: &'a Manifest,
    packages: BTreeMap<&'a str, &'a Package>,
    route_ops: BTreeMap<RouteId, Vec<Routed<'a>>>,
}

impl<'a> Context<'a> {
    fn new(portal: &'a Portal) -> Self {
        let mut route_ops: BTreeMap<RouteId, Vec<Routed<'a>>> = BTreeMap::new();
        for (id, api, op) in portal.operations() {
            if let Some(route) = portal.routing_of(id).matched_route() {
                route_ops.entry(route).or_default().push(Routed {
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
        Context {
            portal,
            manifest: &portal.manifest,
            packages: portal
                .packages
                .iter()
                .map(|p| (p.slug.as_str(), p))
                .collect(),
            route_ops,
        }
    }

    fn auth(&self, choice: &AuthChoice) -> Auth<'a> {
        let config = &self.portal.config;
        match choice {
            AuthChoice::None => Auth::None,
            AuthChoice::Default => config
                .default_auth_strategy()
                .map_or(Auth::None, Auth::Strategy),
            AuthChoice::Named(n) => config.auth_strategy(n).map_or(Auth::None, Auth::Strategy),
        }
    }

    fn route_label(&self, route: RouteId) -> &'a str {
        self.manifest.route_at(route).label()
    }

    /// The package has a rate limit or an operation with one.
    fn limited(pkg: &Package) -> bool {
        pkg.rate_limit.is_some() || pkg.operations.iter().any(|o| o.rate_limit.is_some())
    }
}

/// The plugins the kong flavor adds, and its problems.
pub fn plan(portal: &Portal) -> (Vec<NewPlugin>, Diagnostics) {
    let cx = Context::new(portal);
    let mut diags = Diagnostics::new();
    ace_plugin(&cx, &mut diags);
    let mut planned = Vec::new();
    let package_routes = access(&cx, &mut planned, &mut diags);
    if portal.config.gateway.match_policy == MatchPolicy::Required {
        match_policy(&cx, &package_routes, &mut planned);
    }
    let op_routes = operation_routes(&cx, &mut diags);
    rate_limits(&cx, &op_routes, &mut planned, &mut diags);
    let added = assemble(&cx, planned, &mut diags);
    (added, diags)
}

/// A manifest `ace` plugin cannot load on a self-managed gateway.
fn ace_plugin(cx: &Context<'_>, diags: &mut Diagnostics) {
    if let Some(ace) = cx.manifest.plugins.iter().find(|p| p.name == "ace") {
        diags.push(
            Diagnostic::new(
                codes::KONG_ACE_PLUGIN,
                "the manifest has an `ace` plugin, which works only on Konnect-managed gateways; it is kept, but a self-managed Kong will refuse to load it",
            )
            .at(&ace.span)
            .help("remove the `ace` plugin from the manifest for self-managed gateways, or use `--flavor konnect`"),
        );
    }
}

/// `acl` + auth plugin on every route serving package operations. Returns those routes.
fn access(
    cx: &Context<'_>,
    planned: &mut Vec<NewPlugin>,
    diags: &mut Diagnostics,
) -> BTreeSet<RouteId> {
    let mut package_routes = BTreeSet::new();
    for (&route_id, ops) in &cx.route_ops {
        let route = cx.route_label(route_id);
        let span = &cx.manifest.route_at(route_id).span;
        let served: BTreeSet<&str> = ops
            .iter()
            .flat_map(|o| o.packages.iter().copied())
            .filter(|p| cx.packages.contains_key(p))
            .collect();
        if served.is_empty() {
            continue;
        }
        package_routes.insert(route_id);
        let others: Vec<String> = ops
            .iter()
            .filter(|o| o.packages.is_empty())
            .map(|o| format!("{} {} ({})", o.method, o.path, o.api))
            .collect();
        // Reported only when the route really gets acl and auth plugins (below).
        let mixed = (!others.is_empty()).then(|| {
            Diagnostic::new(
                codes::KONG_ROUTE_MIXED,
                format!(
                    "route `{route}` serves package operations and operations of no package ({}); the route's acl and auth plugins apply to all of them, unlike Konnect, which leaves non-package operations to `match_policy`",
                    others.join(", ")
                ),
            )
            .help("give the package operations a route of their own, or add the other operations to a package")
            .at(span)
        });
        let mut by_auth: BTreeMap<&str, (Auth<'_>, Vec<&str>)> = BTreeMap::new();
        for &slug in &served {
            let auth = cx.auth(&cx.packages[slug].auth_strategy);
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
            diags.push(
                Diagnostic::new(
                    codes::KONG_AUTH_CONFLICT,
                    format!(
                        "route `{route}` serves packages with different auth strategies: {}; one route can enforce only one",
                        parts.join(" and ")
                    ),
                )
                .help("give these packages the same `auth_strategy`, or serve their operations from separate routes")
                .at(span),
            );
            continue;
        }
        let Some(&(Auth::Strategy(strategy), _)) = by_auth.values().next() else {
            // No application auth: anyone may call, there is nothing to check groups against.
            continue;
        };
        if let Some(d) = mixed {
            diags.push(d);
        }
        let allow: Vec<String> = served.iter().map(|s| group(s)).collect();
        planned.push(NewPlugin {
            route: Some(route_id),
            consumer: None,
            config: PluginConfig::Acl(AclConfig { allow }),
        });
        planned.push(NewPlugin {
            route: Some(route_id),
            consumer: None,
            config: auth_plugin(strategy, diags),
        });
    }
    package_routes
}

/// `match_policy: required`: 404 on every HTTP route that serves no package operation.
fn match_policy(
    cx: &Context<'_>,
    package_routes: &BTreeSet<RouteId>,
    planned: &mut Vec<NewPlugin>,
) {
    for (id, r) in cx.manifest.route_ids() {
        if r.is_http() && !r.label().is_empty() && !package_routes.contains(&id) {
            planned.push(NewPlugin {
                route: Some(id),
                consumer: None,
                config: PluginConfig::RequestTermination(RequestTerminationConfig {
                    status_code: 404,
                    message: "no API package operation matches the request",
                }),
            });
        }
    }
}

/// Per package (slug): the routes of its operations with their own limit, when the route
/// serves that one operation only (else the limit is reported as not enforceable).
fn operation_routes<'a>(
    cx: &Context<'a>,
    diags: &mut Diagnostics,
) -> BTreeMap<&'a str, Vec<(RouteId, RateLimit)>> {
    let mut op_routes: BTreeMap<&str, Vec<(RouteId, RateLimit)>> = BTreeMap::new();
    for (&slug, pkg) in &cx.packages {
        if Context::limited(pkg) && matches!(cx.auth(&pkg.auth_strategy), Auth::None) {
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
            // Unrouted operations are reported by the routing check.
            let Some(route) = cx.portal.routing_of(item.operation).matched_route() else {
                continue;
            };
            if cx.route_ops.get(&route).is_some_and(|ops| ops.len() == 1) {
                op_routes.entry(slug).or_default().push((route, limit));
            } else {
                let (api, op) = cx.portal.operation(item.operation);
                diags.push(
                    Diagnostic::new(
                        codes::KONG_OPERATION_LIMIT_NOT_ENFORCED,
                        format!(
                            "the rate limit of {} {} ({}) in package `{slug}` cannot be enforced: route `{}` serves other operations too, and Kong rate-limits per route",
                            op.method.as_str(),
                            op.path,
                            api.slug,
                            cx.route_label(route),
                        ),
                    )
                    .at(&item.span)
                    .help("add a route that serves only this operation; the package limit applies to it meanwhile"),
                );
            }
        }
    }
    op_routes
}

/// Rate-limiting periods in Kong's order (shortest first).
const PERIODS: usize = 3;

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
    periods: [Option<u64>; PERIODS],
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
    fn plugin(&self) -> PluginConfig {
        if self.periods.iter().flatten().any(|&n| n == 0) {
            return PluginConfig::RequestTermination(RequestTerminationConfig {
                status_code: 429,
                message: "API rate limit exceeded",
            });
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
        PluginConfig::RateLimiting(RateLimitingConfig {
            second: periods[0],
            minute: periods[1],
            hour: periods[2],
            limit_by: "credential",
            policy: "local",
        })
    }
}

/// Per registered consumer: its package limits (consumer scope) and operation limits
/// (consumer + route scope); packages with limits and no registration yet are reported.
fn rate_limits(
    cx: &Context<'_>,
    op_routes: &BTreeMap<&str, Vec<(RouteId, RateLimit)>>,
    planned: &mut Vec<NewPlugin>,
    diags: &mut Diagnostics,
) {
    let mut limits: BTreeMap<(ConsumerId, Option<RouteId>), Limits> = BTreeMap::new();
    let mut registered: BTreeSet<&str> = BTreeSet::new();
    for (id, c) in cx.manifest.consumer_ids() {
        let slugs: Vec<&str> = cx
            .packages
            .keys()
            .copied()
            .filter(|s| c.in_group(&group(s)))
            .collect();
        if slugs.is_empty() {
            continue;
        }
        registered.extend(slugs.iter().copied());
        if c.reference().is_none() {
            diags.push(
                Diagnostic::new(
                    codes::KONG_CONSUMER_UNNAMED,
                    format!(
                        "consumer `{}` is in a package group but has neither `username` nor `id`, so no plugin can be scoped to it; its package rate limits are not enforced",
                        c.label()
                    ),
                )
                .help("give the consumer a `username`")
                .at(&c.span),
            );
            continue;
        }
        for &slug in &slugs {
            let pkg = cx.packages[slug];
            if matches!(cx.auth(&pkg.auth_strategy), Auth::None) {
                continue;
            }
            if let Some(limit) = pkg.rate_limit {
                limits.entry((id, None)).or_default().add(limit, slug);
            }
            for &(route, limit) in op_routes.get(slug).into_iter().flatten() {
                limits
                    .entry((id, Some(route)))
                    .or_default()
                    .add(limit, slug);
            }
        }
    }
    for ((consumer, route), l) in &limits {
        let c = cx.manifest.consumer_at(*consumer);
        if l.packages.len() > 1 {
            let list: Vec<String> = l.packages.iter().map(|p| format!("`{p}`")).collect();
            let where_ = route
                .map(|r| format!(" on route `{}`", cx.route_label(r)))
                .unwrap_or_default();
            diags.push(
                Diagnostic::new(
                    codes::KONG_CONSUMER_SEVERAL_PACKAGES,
                    format!(
                        "consumer `{}` is registered for packages {}; Kong runs one rate-limiting instance per consumer{where_}, so the strictest of their limits is applied to their combined traffic",
                        c.reference().unwrap_or_default(),
                        list.join(", ")
                    ),
                )
                .help("register one consumer per application and package (`<app>--<package>`)")
                .at(&c.span),
            );
        }
        planned.push(NewPlugin {
            route: *route,
            consumer: Some(*consumer),
            config: l.plugin(),
        });
    }
    for (&slug, pkg) in &cx.packages {
        if Context::limited(pkg)
            && !matches!(cx.auth(&pkg.auth_strategy), Auth::None)
            && !registered.contains(slug)
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
}

/// A plugin's identity for Kong's uniqueness rule: name + every scope field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ScopeKey {
    name: String,
    service: Option<Target<ServiceId>>,
    route: Option<Target<RouteId>>,
    consumer: Option<Target<ConsumerId>>,
    consumer_group: Option<Target<ConsumerGroupId>>,
}

fn target<I: Clone>(r: &Option<ScopeRef<I>>) -> Option<Target<I>> {
    r.as_ref().map(|r| r.target.clone())
}

impl ScopeKey {
    fn of_manifest(p: &Plugin) -> ScopeKey {
        ScopeKey {
            name: p.name.clone(),
            service: target(&p.scope.service),
            route: target(&p.scope.route),
            consumer: target(&p.scope.consumer),
            consumer_group: target(&p.scope.consumer_group),
        }
    }

    fn of_new(p: &NewPlugin) -> ScopeKey {
        ScopeKey {
            name: p.name().to_string(),
            service: None,
            route: p.route.map(Target::Entity),
            consumer: p.consumer.map(Target::Entity),
            consumer_group: None,
        }
    }
}

/// Drop what the manifest already has (warning at the manifest's plugin); the rest sorted by
/// (route, consumer, name).
fn assemble(cx: &Context<'_>, planned: Vec<NewPlugin>, diags: &mut Diagnostics) -> Vec<NewPlugin> {
    let mut existing: HashMap<ScopeKey, &Plugin> = HashMap::new();
    for p in &cx.manifest.plugins {
        existing.entry(ScopeKey::of_manifest(p)).or_insert(p);
    }
    let mut added: BTreeMap<(String, String, &'static str), NewPlugin> = BTreeMap::new();
    for p in planned {
        if let Some(have) = existing.get(&ScopeKey::of_new(&p)) {
            diags.push(
                Diagnostic::new(
                    codes::KONG_PLUGIN_EXISTS,
                    format!(
                        "the manifest already has a `{}` plugin {}; it is kept and portalgen's is not added",
                        p.name(),
                        p.scope_words(cx.manifest)
                    ),
                )
                .help(format!(
                    "check that the manifest's plugin does what the packages need (portalgen would have set {})",
                    p.config.to_json_text()
                ))
                .at(&have.span),
            );
            continue;
        }
        let key = (
            p.route_ref(cx.manifest).unwrap_or_default().to_string(),
            p.consumer_ref(cx.manifest).unwrap_or_default().to_string(),
            p.name(),
        );
        added.insert(key, p);
    }
    added.into_values().collect()
}

/// The auth plugin of a strategy.
fn auth_plugin(strategy: &AuthStrategy, diags: &mut Diagnostics) -> PluginConfig {
    match &strategy.kind {
        AuthKind::KeyAuth { key_names } => {
            let key_names = if key_names.is_empty() {
                vec!["apikey".to_string()]
            } else {
                key_names.clone()
            };
            PluginConfig::KeyAuth(KeyAuthConfig { key_names })
        }
        AuthKind::OpenidConnect {
            issuer,
            scopes,
            credential_claim,
            auth_methods,
        } => {
            let scopes = if scopes.is_empty() {
                vec!["openid".to_string()]
            } else {
                scopes.clone()
            };
            let claim = if credential_claim.is_empty() {
                vec!["sub".to_string()]
            } else {
                credential_claim.clone()
            };
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
            // The application is found as the consumer whose custom_id is the claim's value.
            PluginConfig::OpenidConnect(OpenidConnectConfig {
                issuer: issuer.clone(),
                scopes,
                consumer_claim: claim.clone(),
                consumer_by: vec!["custom_id".to_string()],
                credential_claim: claim,
                auth_methods: (!known.is_empty()).then(|| known.into_iter().cloned().collect()),
            })
        }
    }
}
