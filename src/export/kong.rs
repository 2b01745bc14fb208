//! `export --flavor kong`: what enforces the portal's API packages and API publications on a
//! self-managed Kong Gateway (no Konnect, no `ace` plugin) with OSS plugins, exactly as the
//! portal promises, and the proof that it does. The plan is a few steps over the typed model:
//!
//! - `units`: every package `P` is an ACL group `pkg-<slug>`; every API published on its own
//!   (portal.yaml `apis.<slug>` with an `auth_strategy` or a `rate_limit`) a group `api-<slug>`
//!   holding all its operations. Each operation gets an [`OperationIntent`]: unpackaged, open
//!   (packages without application auth), or enforced (one auth strategy, exactly the groups of
//!   its packages and publications, each registration's limit).
//! - `registrations`: one consumer per application of `applications/*.yaml` and package (or
//!   publication), `<application>--<group>`, with the ACL group, the credentials (decK env
//!   references) and a stable UUIDv5 id; consumers of the decK files in a group count too.
//! - `routes`: a route whose operations are enforced differently is split ([`super::derive`]):
//!   method copies, `<path>/` copies or regex routes per template, the original staying as the
//!   fallback for undocumented requests, gated per `match_policy`.
//! - `plugins`: `acl` + `key-auth`/`openid-connect` on every enforcing route;
//!   `request-termination` 404 on fallback routes under `required`; per registration a
//!   consumer-scoped `rate-limiting` for the package limit (one counter across all the
//!   package's routes) and consumer+route instances for an operation's own limit (Kong runs the
//!   most specific instance, so the package counter is not touched); limits of 0 as
//!   consumer+route `request-termination` 429 so that operations with their own limit keep it.
//! - `assemble`: an enabled manifest plugin with the same name and scope is kept (ours dropped,
//!   a warning); a disabled one is replaced; a broader manifest instance ours outranks is
//!   reported naming both. Sorted by (route, consumer, name): deterministic output.
//! - `verify`: the document is written, read back as decK reads it, and
//!   [`crate::kong::verify`] checks every documented operation on Kong's own router and
//!   plugin precedence against its intent. Any mismatch is an error; nothing is written.
//!
//! Everything added is tagged `portalgen` when written ([`super::deck`]).

use std::collections::{BTreeMap, BTreeSet};

use super::derive::{self, RouteOp};
use super::plugin::{
    AclConfig, KeyAuthConfig, NewPlugin, OpenidConnectConfig, PluginConfig, RateLimitingConfig,
    RequestTerminationConfig,
};
use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::kong::verify::{self, Subject};
use crate::kong::{OperationInput, probe};
use crate::model::config::{AuthChoice, AuthKind, AuthStrategy, MatchPolicy};
use crate::model::enforcement::{
    AuthIntent, Counter, Credential, Enforcement, IntentKind, OperationIntent, RegistrationIntent,
    UnitId, api_group, package_group, period_index, registration_consumer,
};
use crate::model::gateway::{
    AclGroup, Consumer, KeyAuthCredential, Manifest, Owner, Passthrough, Plugin, Route,
    RouteMethod, ScopeRef, Spanned, Tags, Target,
};
use crate::model::ids::{ConsumerId, RouteId, ServiceId};
use crate::model::{OperationId, Portal, RateLimit};
use crate::source::Span;

/// The ACL group of a package.
pub fn group(slug: &str) -> String {
    package_group(slug)
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

/// UUIDv5 namespace of the entities portalgen adds (routes, consumers).
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x2b1f_6f0e_93b4_4c2e_a7de_1c0f_5e8a_9d31);

fn stable_id(kind: &str, name: &str) -> String {
    uuid::Uuid::new_v5(&NAMESPACE, format!("{kind}:{name}").as_bytes())
        .hyphenated()
        .to_string()
}

/// The auth a package or publication resolves to.
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

/// A package or API publication.
struct Unit<'a> {
    id: UnitId,
    group: String,
    /// For messages: "package `x`", "API `y`".
    label: String,
    auth: Auth<'a>,
    limit: Option<RateLimit>,
    /// Operations with their own limit.
    overrides: BTreeMap<OperationId, RateLimit>,
    span: Span,
}

/// How an operation is enforced; operations of one route with different signatures need
/// routes of their own.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Sig {
    /// No package or publication (and `if_present` packages without auth): left alone, or 404
    /// under `required`.
    Fallback,
    /// Packages without application auth, under `required`: admitted, no plugins.
    Open,
    Enforced {
        strategy: String,
        groups: Vec<String>,
        /// An operation with its own limit in some unit: its own route, its own counter.
        own: Option<OperationId>,
    },
}

/// What one route of the exported manifest does.
#[derive(Debug, Clone)]
struct Role {
    sig: Sig,
}

/// A registration: a consumer (of the exported manifest) for one unit.
#[derive(Debug, Clone)]
struct Reg {
    consumer: ConsumerId,
    unit: usize,
}

/// What the kong flavor adds: the exported manifest (with derived routes and generated
/// consumers), the plugins, and the verified enforcement.
pub struct KongPlan {
    pub manifest: Manifest,
    pub plugins: Vec<NewPlugin>,
    pub enforcement: Enforcement,
}

/// Plan, write, read back and verify the kong export.
pub fn plan(portal: &Portal) -> (KongPlan, Diagnostics) {
    let mut diags = Diagnostics::new();
    ace_plugin(portal, &mut diags);
    let units = units(portal, &mut diags);
    let op_units = op_units(portal, &units);
    let required = portal.config.gateway.match_policy == MatchPolicy::Required;
    let mut out = portal.manifest.clone();
    let (regs, consumer_sources) = registrations(portal, &units, &mut out, &mut diags);
    let sigs = signatures(portal, &units, &op_units, required, &mut diags);
    let mut roles: BTreeMap<RouteId, Role> = BTreeMap::new();
    let mut planned: Vec<NewPlugin> = Vec::new();
    let mut origins: BTreeMap<String, String> = BTreeMap::new();
    split_routes(
        portal,
        &sigs,
        &mut out,
        &mut roles,
        &mut planned,
        &mut origins,
        &mut diags,
    );
    access_plugins(portal, &roles, &out, required, &mut planned, &mut diags);
    limit_plugins(&units, &regs, &roles, &out, &mut planned);
    let plugins = assemble(&mut out, planned, &mut diags);
    let intents = intents(portal, &units, &op_units, &regs, &out, &sigs);
    let enforcement = if diags.has_errors() {
        // The export is refused anyway; report what the portal promises, unverified.
        Enforcement {
            flavor: "kong",
            operations: Vec::new(),
        }
    } else {
        verify_export(
            portal,
            &out,
            &plugins,
            &intents,
            &regs,
            &consumer_sources,
            &origins,
            &mut diags,
        )
    };
    (
        KongPlan {
            manifest: out,
            plugins,
            enforcement,
        },
        diags,
    )
}

/// A manifest `ace` plugin cannot load on a self-managed gateway.
fn ace_plugin(portal: &Portal, diags: &mut Diagnostics) {
    if let Some(ace) = portal.manifest.plugins.iter().find(|p| p.name == "ace") {
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

fn resolve_auth<'a>(portal: &'a Portal, choice: &AuthChoice) -> Auth<'a> {
    let config = &portal.config;
    match choice {
        AuthChoice::None => Auth::None,
        AuthChoice::Default => config
            .default_auth_strategy()
            .map_or(Auth::None, Auth::Strategy),
        AuthChoice::Named(n) => config.auth_strategy(n).map_or(Auth::None, Auth::Strategy),
    }
}

/// Packages and API publications.
fn units<'a>(portal: &'a Portal, diags: &mut Diagnostics) -> Vec<Unit<'a>> {
    let mut out = Vec::new();
    for (id, p) in portal.package_ids() {
        out.push(Unit {
            id: UnitId::Package(id),
            group: package_group(&p.slug),
            label: format!("package `{}`", p.slug),
            auth: resolve_auth(portal, &p.auth_strategy),
            limit: p.rate_limit,
            overrides: p
                .operations
                .iter()
                .filter_map(|o| o.rate_limit.map(|l| (o.operation, l)))
                .collect(),
            span: p.span.clone(),
        });
    }
    for (id, api) in portal.api_ids() {
        let Some(settings) = portal.config.api(&api.slug).filter(|s| s.published()) else {
            continue;
        };
        out.push(Unit {
            id: UnitId::Api(id),
            group: api_group(&api.slug),
            label: format!("API `{}`", api.slug),
            auth: resolve_auth(
                portal,
                settings
                    .auth_strategy
                    .as_ref()
                    .unwrap_or(&AuthChoice::Default),
            ),
            limit: settings.rate_limit,
            overrides: BTreeMap::new(),
            span: settings
                .span
                .clone()
                .unwrap_or_else(|| portal.config.span.clone()),
        });
    }
    for u in &out {
        let limited = u.limit.is_some() || !u.overrides.is_empty();
        if limited && matches!(u.auth, Auth::None) {
            diags.push(
                Diagnostic::new(
                    codes::KONG_RATE_LIMIT_WITHOUT_AUTH,
                    format!(
                        "{} has rate limits but no auth strategy: without a consumer Kong cannot count them per application, so they are not enforced",
                        u.label
                    ),
                )
                .at(&u.span),
            );
        }
    }
    out
}

/// The units holding each operation, by group order.
fn op_units(portal: &Portal, units: &[Unit<'_>]) -> BTreeMap<OperationId, Vec<usize>> {
    let mut map: BTreeMap<OperationId, Vec<usize>> = BTreeMap::new();
    for (i, u) in units.iter().enumerate() {
        match u.id {
            UnitId::Package(p) => {
                for o in &portal.package(p).operations {
                    let e = map.entry(o.operation).or_default();
                    if !e.contains(&i) {
                        e.push(i);
                    }
                }
            }
            UnitId::Api(a) => {
                for oi in 0..portal.api(a).operations.len() {
                    map.entry(OperationId::new(a, oi)).or_default().push(i);
                }
            }
        }
    }
    for list in map.values_mut() {
        list.sort_by(|a, b| units[*a].group.cmp(&units[*b].group));
    }
    map
}

fn op_name(portal: &Portal, op: OperationId) -> String {
    let (api, o) = portal.operation(op);
    format!("{} {} ({})", o.method.as_str(), o.path, api.slug)
}

/// The enforcement signature of every operation; auth conflicts reported.
fn signatures(
    portal: &Portal,
    units: &[Unit<'_>],
    op_units: &BTreeMap<OperationId, Vec<usize>>,
    required: bool,
    diags: &mut Diagnostics,
) -> BTreeMap<OperationId, Sig> {
    let mut out = BTreeMap::new();
    for (id, _, op) in portal.operations() {
        let list = op_units.get(&id).map(Vec::as_slice).unwrap_or_default();
        if list.is_empty() {
            out.insert(id, Sig::Fallback);
            continue;
        }
        let mut by_auth: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for &u in list {
            by_auth
                .entry(units[u].auth.name())
                .or_default()
                .push(units[u].label.as_str());
        }
        if by_auth.len() > 1 {
            let parts: Vec<String> = by_auth
                .iter()
                .map(|(auth, labels)| format!("{} ({auth})", labels.join(", ")))
                .collect();
            let route = portal
                .routing_of(id)
                .matched_route()
                .map(|r| format!(" on route `{}`", portal.manifest.route_at(r).label()))
                .unwrap_or_default();
            diags.push(
                Diagnostic::new(
                    codes::KONG_AUTH_CONFLICT,
                    format!(
                        "{}{route} is in {}; one route enforces only one auth strategy",
                        op_name(portal, id),
                        parts.join(" and ")
                    ),
                )
                .help("give these packages the same `auth_strategy`, or take the operation out of all but one of them")
                .at(&op.span),
            );
            out.insert(id, Sig::Fallback);
            continue;
        }
        let sig = match units[list[0]].auth {
            Auth::None if required => Sig::Open,
            Auth::None => Sig::Fallback,
            Auth::Strategy(s) => Sig::Enforced {
                strategy: s.name.clone(),
                groups: list.iter().map(|&u| units[u].group.clone()).collect(),
                own: list
                    .iter()
                    .any(|&u| units[u].overrides.contains_key(&id))
                    .then_some(id),
            },
        };
        out.insert(id, sig);
    }
    out
}

/// One consumer per application registration (added to `out`) and every consumer of the decK
/// files in a unit's group. Returns the registrations and, per consumer, what it stands for.
fn registrations(
    portal: &Portal,
    units: &[Unit<'_>],
    out: &mut Manifest,
    diags: &mut Diagnostics,
) -> (Vec<Reg>, BTreeMap<ConsumerId, String>) {
    let mut regs = Vec::new();
    let mut sources = BTreeMap::new();
    let unit_of = |id: UnitId| units.iter().position(|u| u.id == id);
    let mut registered: BTreeSet<usize> = BTreeSet::new();
    for (id, c) in portal.manifest.consumer_ids() {
        let mine: Vec<usize> = units
            .iter()
            .enumerate()
            .filter(|(_, u)| c.in_group(&u.group))
            .map(|(i, _)| i)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let limited: Vec<&Unit<'_>> = mine
            .iter()
            .map(|&i| &units[i])
            .filter(|u| u.limit.is_some() || !u.overrides.is_empty())
            .collect();
        if c.reference().is_none() {
            let d = Diagnostic::new(
                codes::KONG_CONSUMER_UNNAMED,
                format!(
                    "consumer `{}` is in a package group but has neither `username` nor `id`, so no plugin can be scoped to it{}",
                    c.label(),
                    if limited.is_empty() { "" } else { "; its rate limits cannot be enforced" }
                ),
            )
            .help("give the consumer a `username`")
            .at(&c.span);
            diags.push(if limited.is_empty() {
                d.severity(crate::diagnostics::Severity::Warning)
            } else {
                d
            });
        }
        if mine.len() > 1 && !limited.is_empty() {
            let list: Vec<String> = mine
                .iter()
                .map(|&i| format!("`{}`", units[i].group))
                .collect();
            diags.push(
                Diagnostic::new(
                    codes::KONG_CONSUMER_SEVERAL_PACKAGES,
                    format!(
                        "consumer `{}` is in the groups {}; Kong runs one `rate-limiting` instance per consumer, so it cannot carry the limits of each package apart",
                        c.label(),
                        list.join(", ")
                    ),
                )
                .help("register one consumer per application and package (`<application>--<group>`), e.g. with an application in applications/")
                .at(&c.span),
            );
        }
        for &u in &mine {
            registered.insert(u);
            regs.push(Reg {
                consumer: id,
                unit: u,
            });
        }
        sources.insert(id, format!("consumer `{}` of the decK files", c.label()));
    }
    let mut added = false;
    for app in &portal.applications {
        for r in &app.registrations {
            let Some(u) = unit_of(r.unit) else {
                continue;
            };
            let unit = &units[u];
            let username = registration_consumer(&app.name, &unit.group);
            let mut extra = Passthrough::default();
            for k in [
                "username",
                "custom_id",
                "id",
                "acls",
                "keyauth_credentials",
                "tags",
            ] {
                extra.typed(k);
            }
            let mut keys = Vec::new();
            let mut custom_id = None;
            for c in &r.credentials {
                match c {
                    Credential::Key { value, span } => {
                        let mut kx = Passthrough::default();
                        kx.typed("key");
                        keys.push(KeyAuthCredential {
                            key: value.clone(),
                            span: span.clone(),
                            extra: kx,
                        });
                    }
                    Credential::ClientId { value, .. } => custom_id = Some(value.clone()),
                }
            }
            let mut ax = Passthrough::default();
            ax.typed("group");
            let consumer = Consumer {
                username: Some(username.clone()),
                custom_id,
                id: Some(stable_id("consumer", &username)),
                acls: vec![AclGroup {
                    group: unit.group.clone(),
                    span: r.span.clone(),
                    extra: ax,
                }],
                keyauth_credentials: keys,
                tags: Tags {
                    written: vec![super::TAG.to_string()],
                    select: Vec::new(),
                },
                span: r.span.clone(),
                extra,
            };
            let id = ConsumerId::new(out.consumers.len());
            out.consumers.push(consumer);
            added = true;
            registered.insert(u);
            regs.push(Reg {
                consumer: id,
                unit: u,
            });
            sources.insert(
                id,
                format!("application `{}` for `{}`", app.name, unit.group),
            );
        }
    }
    if added && !out.sections.has("consumers") {
        out.sections.typed("consumers");
    }
    for (i, u) in units.iter().enumerate() {
        let limited = u.limit.is_some() || !u.overrides.is_empty();
        if limited && !matches!(u.auth, Auth::None) && !registered.contains(&i) {
            diags.push(
                Diagnostic::new(
                    codes::KONG_PACKAGE_NO_CONSUMERS,
                    format!(
                        "no application or consumer is registered for {} (group `{}`) yet, so its rate limits have no consumer to attach to",
                        u.label, u.group
                    ),
                )
                .at(&u.span)
                .help(format!(
                    "add an application in applications/ registered for it, or a consumer with a credential and `acls: [{{group: {}}}]`, then export again",
                    u.group
                )),
            );
        }
    }
    (regs, sources)
}

/// The request path template of an operation as clients send it (gateway prefix included).
fn request_template(portal: &Portal, op: OperationId) -> String {
    let (api, o) = portal.operation(op);
    let settings = portal.config.api(&api.slug);
    let target = probe::target(
        api,
        o,
        settings.and_then(|s| s.gateway_host.as_deref()),
        settings.and_then(|s| s.gateway_path_prefix.as_deref()),
    );
    let path = if o.path.starts_with('/') {
        o.path.clone()
    } else {
        format!("/{}", o.path)
    };
    format!("{}{}", target.prefix, path)
}

/// A name for a new route, unique among the manifest's.
fn unique_route_name(out: &Manifest, wanted: String) -> String {
    let taken = |n: &str| out.routes.iter().any(|r| r.name.as_deref() == Some(n));
    if !taken(&wanted) {
        return wanted;
    }
    (2..)
        .map(|i| format!("{wanted}-{i}"))
        .find(|n| !taken(n))
        .expect("a free name")
}

/// Split every route whose operations are enforced differently; record each route's role.
#[allow(clippy::too_many_arguments)]
fn split_routes(
    portal: &Portal,
    sigs: &BTreeMap<OperationId, Sig>,
    out: &mut Manifest,
    roles: &mut BTreeMap<RouteId, Role>,
    planned: &mut Vec<NewPlugin>,
    origins: &mut BTreeMap<String, String>,
    diags: &mut Diagnostics,
) {
    let mut route_ops: BTreeMap<RouteId, Vec<OperationId>> = BTreeMap::new();
    for (id, _, _) in portal.operations() {
        if let Some(r) = portal.routing_of(id).matched_route() {
            route_ops.entry(r).or_default().push(id);
        }
    }
    for (rid, r) in portal.manifest.route_ids() {
        origins.insert(r.label().to_string(), r.label().to_string());
        let Some(ops) = route_ops.get(&rid) else {
            roles.insert(rid, Role { sig: Sig::Fallback });
            continue;
        };
        let distinct: BTreeSet<&Sig> = ops.iter().map(|o| &sigs[o]).collect();
        if distinct.len() == 1 {
            roles.insert(
                rid,
                Role {
                    sig: distinct.into_iter().next().expect("one").clone(),
                },
            );
            continue;
        }
        let route_ops: Vec<RouteOp<Sig>> = ops
            .iter()
            .map(|&op| {
                let (_, o) = portal.operation(op);
                RouteOp {
                    op,
                    method: o.method,
                    template: request_template(portal, op),
                    slug: o.slug.clone(),
                    sig: sigs[&op].clone(),
                }
            })
            .collect();
        let service = portal.manifest.service_of(r);
        let service_path = match service {
            Some(s) if s.env.has("path") => None,
            Some(s) => Some(s.path.as_ref().map_or("/", |p| p.as_str())),
            None => Some("/"),
        };
        let split = match derive::split(r, service_path, &route_ops, &Sig::Fallback) {
            Ok(s) => s,
            Err(refusal) => {
                let list: Vec<String> = ops.iter().map(|&o| op_name(portal, o)).collect();
                diags.push(
                    Diagnostic::new(
                        codes::KONG_ROUTE_INSEPARABLE,
                        format!(
                            "route `{}` serves operations that are enforced differently ({}), and it cannot be split into routes that match and forward exactly as it does: {}",
                            r.label(),
                            list.join(", "),
                            refusal.reason
                        ),
                    )
                    .at(&r.span)
                    .help(refusal.help),
                );
                roles.insert(rid, Role { sig: Sig::Fallback });
                continue;
            }
        };
        if let Some(methods) = &split.methods {
            let route = &mut out.routes[rid.index()];
            route.methods = methods
                .iter()
                .map(|m| Spanned::new(RouteMethod::parse(m), route.span.clone()))
                .collect();
            route.extra.typed("methods");
        }
        roles.insert(
            rid,
            Role {
                sig: split.sig.clone(),
            },
        );
        for d in &split.derived {
            let name = unique_route_name(out, format!("{}--{}", r.label(), d.suffix));
            let new = derive_route(out, rid, &name, d);
            origins.insert(name.clone(), r.label().to_string());
            roles.insert(new, Role { sig: d.sig.clone() });
            if let Some(uri) = &d.rewrite
                && let Err(why) = rewrite_plugin(portal, out, rid, new, uri, planned)
            {
                diags.push(
                    Diagnostic::new(
                        codes::KONG_ROUTE_INSEPARABLE,
                        format!(
                            "route `{}` needs a regex route for {} that restores the upstream path with a `request-transformer`, but {why}",
                            r.label(),
                            d.ops
                                .iter()
                                .map(|&o| op_name(portal, o))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                    .at(&r.span)
                    .help(format!(
                        "set `strip_path: false` on route `{}` (and the service's path to match), or give these operations a route of their own",
                        r.label()
                    )),
                );
            }
        }
    }
}

/// Add a copy of route `base` with the split's methods and paths; copy the plugins scoped to
/// `base` onto it. Returns the new route's id.
fn derive_route(
    out: &mut Manifest,
    base: RouteId,
    name: &str,
    d: &derive::Derived<impl Clone>,
) -> RouteId {
    let b: Route = out.routes[base.index()].clone();
    let mut r = b.clone();
    r.name = Some(name.to_string());
    r.id = Some(stable_id("route", name));
    r.methods = d
        .methods
        .iter()
        .map(|m| Spanned::new(RouteMethod::parse(m), b.span.clone()))
        .collect();
    if let Some(paths) = &d.paths {
        r.paths = paths
            .iter()
            .map(|p| Spanned::new(p.clone(), b.span.clone()))
            .collect();
        r.regex_priority = 0;
    }
    r.tags = Tags {
        written: {
            let mut t = b.tags.written.clone();
            t.push(super::TAG.to_string());
            t
        },
        select: b.tags.select.clone(),
    };
    // Every field that decides matching is written, so `_info.defaults` cannot change it.
    let mut extra = Passthrough::default();
    let mut typed: Vec<&str> = vec!["name", "id"];
    if b.service_ref.is_some() {
        typed.push("service");
    }
    typed.extend(["methods"]);
    if b.hosts_present {
        typed.push("hosts");
    }
    typed.push("paths");
    if !b.headers.is_empty() {
        typed.push("headers");
    }
    if !b.snis.is_empty() {
        typed.push("snis");
    }
    if !b.sources.is_empty() {
        typed.push("sources");
    }
    if !b.destinations.is_empty() {
        typed.push("destinations");
    }
    typed.extend([
        "protocols",
        "strip_path",
        "preserve_host",
        "regex_priority",
        "path_handling",
        "tags",
    ]);
    // Name and id, the base route's key order, then the keys it did not write.
    extra.typed("name");
    extra.typed("id");
    for (key, kept) in b.extra.fields() {
        if typed.contains(&key) {
            extra.typed(key);
        } else if let Some(v) = kept
            && key != "plugins"
        {
            extra.keep(key, v.clone());
        }
    }
    for k in &typed {
        extra.typed(k);
    }
    r.extra = extra;
    let id = RouteId::new(out.routes.len());
    out.routes.push(r);
    if let Some(s) = b.service
        && b.is_nested()
    {
        let list = &mut out.services[s.index()].routes;
        let at = list
            .iter()
            .position(|x| *x == base)
            .map_or(list.len(), |i| i + 1);
        let at = (at..list.len())
            .find(|&i| {
                !out.routes[list[i].index()]
                    .tags
                    .written
                    .contains(&super::TAG.to_string())
            })
            .unwrap_or(list.len());
        list.insert(at, id);
    }
    // The plugins scoped to the base route apply to its copies too.
    let copies: Vec<Plugin> = out
        .plugins
        .iter()
        .filter(|p| {
            matches!(&p.scope.route, Some(ScopeRef { target: Target::Entity(x), .. }) if *x == base)
        })
        .cloned()
        .collect();
    for mut p in copies {
        let nested = p.owner == Owner::Route(base);
        if nested {
            p.owner = Owner::Route(id);
            p.scope.route = Some(ScopeRef {
                target: Target::Entity(id),
                written: None,
            });
            out.routes[id.index()].extra.typed("plugins");
        } else {
            p.scope.route = Some(ScopeRef {
                target: Target::Entity(id),
                written: Some(name.to_string()),
            });
        }
        if p.extra.get("id").is_some() {
            p.extra.keep(
                "id",
                serde_json::Value::from(stable_id("plugin", &format!("{}:{name}", p.name))),
            );
        }
        if let Some(serde_json::Value::String(inst)) = p.extra.get("instance_name").cloned() {
            p.extra.keep(
                "instance_name",
                serde_json::Value::from(format!("{inst}-{name}")),
            );
        }
        p.tags.written.push(super::TAG.to_string());
        p.extra.typed("tags");
        out.plugins.push(p);
    }
    id
}

/// The `request-transformer` that restores the upstream path on derived route `new` (a copy of
/// `base`): the manifest's instance for the base route extended with `replace.uri`, or a new
/// one. Refused when a consumer-scoped instance would outrank it for some consumer.
fn rewrite_plugin(
    portal: &Portal,
    out: &mut Manifest,
    base: RouteId,
    new: RouteId,
    uri: &str,
    planned: &mut Vec<NewPlugin>,
) -> Result<(), String> {
    let route = portal.manifest.route_at(base);
    let service = route.service;
    let applies = |p: &Plugin| {
        let ok_route = match &p.scope.route {
            None => true,
            Some(ScopeRef {
                target: Target::Entity(r),
                ..
            }) => *r == base,
            Some(_) => false,
        };
        let ok_service = match &p.scope.service {
            None => true,
            Some(ScopeRef {
                target: Target::Entity(s),
                ..
            }) => Some(*s) == service,
            Some(_) => false,
        };
        p.name == "request-transformer" && p.enabled && ok_route && ok_service
    };
    let candidates: Vec<&Plugin> = portal
        .manifest
        .plugins
        .iter()
        .filter(|p| applies(p))
        .collect();
    if let Some(p) = candidates
        .iter()
        .find(|p| p.scope.consumer.is_some() || p.scope.consumer_group.is_some())
    {
        return Err(format!(
            "the manifest's consumer-scoped `request-transformer` {} would outrank it",
            p.scope_words(&portal.manifest)
        ));
    }
    // The instance that runs on the base route today: route+service, route, service, global.
    let current = candidates.iter().max_by_key(|p| {
        (
            p.scope.route.is_some() as u8 * 2 + p.scope.service.is_some() as u8,
            0,
        )
    });
    if let Some(p) = current
        && p.config
            .get("replace")
            .and_then(|r| r.get("uri"))
            .is_some_and(|u| !u.is_null())
    {
        // The manifest already sets the upstream path for every request of the route.
        return Ok(());
    }
    let mut config = current
        .map(|p| serde_json::Value::Object(p.config.clone()))
        .unwrap_or_else(|| serde_json::json!({}));
    config
        .as_object_mut()
        .expect("an object")
        .entry("replace")
        .or_insert_with(|| serde_json::json!({}))
        .as_object_mut()
        .map(|r| r.insert("uri".into(), serde_json::Value::from(uri)));
    // A copy of a route-scoped instance is on the new route already: extend it.
    if let Some(copy) = out.plugins.iter_mut().find(|p| {
        p.name == "request-transformer"
            && matches!(&p.scope.route, Some(ScopeRef { target: Target::Entity(r), .. }) if *r == new)
            && p.scope.consumer.is_none()
    }) {
        if let serde_json::Value::Object(m) = config {
            copy.config = m;
        }
        return Ok(());
    }
    planned.push(NewPlugin {
        route: Some(new),
        consumer: None,
        config: PluginConfig::RequestTransformer(config),
    });
    Ok(())
}

/// `acl` and the auth plugin on every enforcing route; 404 on fallback routes under
/// `required`.
fn access_plugins(
    portal: &Portal,
    roles: &BTreeMap<RouteId, Role>,
    out: &Manifest,
    required: bool,
    planned: &mut Vec<NewPlugin>,
    diags: &mut Diagnostics,
) {
    let mut oidc_reported = BTreeSet::new();
    for (&rid, role) in roles {
        match &role.sig {
            Sig::Enforced {
                strategy, groups, ..
            } => {
                let Some(strategy) = portal.config.auth_strategy(strategy) else {
                    continue;
                };
                planned.push(NewPlugin {
                    route: Some(rid),
                    consumer: None,
                    config: PluginConfig::Acl(AclConfig {
                        allow: groups.clone(),
                    }),
                });
                let report = oidc_reported.insert(strategy.name.clone());
                let mut sink = Diagnostics::new();
                planned.push(NewPlugin {
                    route: Some(rid),
                    consumer: None,
                    config: auth_plugin(strategy, if report { &mut *diags } else { &mut sink }),
                });
            }
            Sig::Fallback if required => {
                let r = out.route_at(rid);
                if r.is_http() && !r.label().is_empty() {
                    planned.push(NewPlugin {
                        route: Some(rid),
                        consumer: None,
                        config: PluginConfig::RequestTermination(RequestTerminationConfig {
                            status_code: 404,
                            message: "no API package operation matches the request",
                        }),
                    });
                }
            }
            _ => {}
        }
    }
}

/// The limit of a unit for an operation: its own, else the unit's.
fn limit_of(unit: &Unit<'_>, op: Option<OperationId>) -> (Option<RateLimit>, Counter) {
    match op.and_then(|o| unit.overrides.get(&o)) {
        Some(l) => (Some(*l), Counter::Operation),
        None => (unit.limit, Counter::Package),
    }
}

/// `rate-limiting` of one limit (Kong's periods: second, minute, hour).
fn rate_limiting(limit: RateLimit) -> PluginConfig {
    let mut periods = [None; 3];
    periods[period_index(limit.duration)] = Some(limit.limit);
    PluginConfig::RateLimiting(RateLimitingConfig {
        second: periods[0],
        minute: periods[1],
        hour: periods[2],
        limit_by: "credential",
        policy: "local",
        hide_client_headers: None,
    })
}

fn too_many_requests() -> PluginConfig {
    PluginConfig::RequestTermination(RequestTerminationConfig {
        status_code: 429,
        message: "API rate limit exceeded",
    })
}

/// Per registration: the package limit on the consumer (one counter across the package's
/// routes), an operation's own limit on the consumer and its route; limits of 0 as
/// consumer+route `request-termination`, so that operations with their own limit keep it.
fn limit_plugins(
    units: &[Unit<'_>],
    regs: &[Reg],
    roles: &BTreeMap<RouteId, Role>,
    out: &Manifest,
    planned: &mut Vec<NewPlugin>,
) {
    let mut consumer_limit: BTreeSet<ConsumerId> = BTreeSet::new();
    for reg in regs {
        let unit = &units[reg.unit];
        if matches!(unit.auth, Auth::None) || out.consumer_at(reg.consumer).reference().is_none() {
            continue;
        }
        if let Some(l) = unit.limit
            && l.limit > 0
            && consumer_limit.insert(reg.consumer)
        {
            planned.push(NewPlugin {
                route: None,
                consumer: Some(reg.consumer),
                config: rate_limiting(l),
            });
        }
        for (&rid, role) in roles {
            let Sig::Enforced { groups, own, .. } = &role.sig else {
                continue;
            };
            if !groups.contains(&unit.group) {
                continue;
            }
            let (limit, counter) = limit_of(unit, *own);
            let scoped = |config| NewPlugin {
                route: Some(rid),
                consumer: Some(reg.consumer),
                config,
            };
            match (limit, counter) {
                (Some(l), Counter::Operation) if l.limit > 0 => {
                    planned.push(scoped(rate_limiting(l)))
                }
                (Some(l), Counter::Operation) => {
                    // Blocked; a rate-limiting instance of its own keeps these requests off
                    // the package counter (Kong runs one rate-limiting instance per request).
                    planned.push(scoped(too_many_requests()));
                    if unit.limit.is_some_and(|p| p.limit > 0) {
                        let mut shadow = rate_limiting(RateLimit {
                            limit: 1,
                            duration: l.duration,
                        });
                        if let PluginConfig::RateLimiting(c) = &mut shadow {
                            c.hide_client_headers = Some(true);
                        }
                        planned.push(scoped(shadow));
                    }
                }
                (Some(l), Counter::Package) if l.limit == 0 => {
                    planned.push(scoped(too_many_requests()))
                }
                _ => {}
            }
        }
    }
}

/// A plugin's identity for Kong's uniqueness rule: name + every scope field.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct ScopeKey {
    name: String,
    service: Option<ServiceId>,
    route: Option<RouteId>,
    consumer: Option<ConsumerId>,
    other: bool,
}

fn key_of(p: &Plugin) -> ScopeKey {
    fn id<I: Clone>(r: &Option<ScopeRef<I>>, other: &mut bool) -> Option<I> {
        match r {
            Some(ScopeRef {
                target: Target::Entity(i),
                ..
            }) => Some(i.clone()),
            Some(_) => {
                *other = true;
                None
            }
            None => None,
        }
    }
    let mut other = p.scope.consumer_group.is_some();
    ScopeKey {
        name: p.name.clone(),
        service: id(&p.scope.service, &mut other),
        route: id(&p.scope.route, &mut other),
        consumer: id(&p.scope.consumer, &mut other),
        other,
    }
}

/// Kong's lookup rank of a scope (consumer+route+service … global), for "outranks".
fn scope_rank(route: bool, service: bool, consumer: bool) -> u8 {
    match (consumer, route, service) {
        (true, true, true) => 8,
        (true, true, false) => 7,
        (true, false, true) => 6,
        (false, true, true) => 5,
        (true, false, false) => 4,
        (false, true, false) => 3,
        (false, false, true) => 2,
        (false, false, false) => 1,
    }
}

/// Drop what the manifest already has enabled (warning at the manifest's plugin), replace
/// disabled manifest plugins, report broader manifest instances ours outrank; sort the rest
/// by (route, consumer, name).
fn assemble(
    out: &mut Manifest,
    planned: Vec<NewPlugin>,
    diags: &mut Diagnostics,
) -> Vec<NewPlugin> {
    let mut added: BTreeMap<(String, String, &'static str), NewPlugin> = BTreeMap::new();
    let mut drop_manifest: BTreeSet<usize> = BTreeSet::new();
    let mut outranked: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for p in planned {
        let key = ScopeKey {
            name: p.name().to_string(),
            service: None,
            route: p.route,
            consumer: p.consumer,
            other: false,
        };
        let same: Vec<usize> = out
            .plugins
            .iter()
            .enumerate()
            .filter(|(_, m)| key_of(m) == key)
            .map(|(i, _)| i)
            .collect();
        if let Some(&i) = same.iter().find(|&&i| out.plugins[i].enabled) {
            let have = &out.plugins[i];
            diags.push(
                Diagnostic::new(
                    codes::KONG_PLUGIN_EXISTS,
                    format!(
                        "the manifest already has a `{}` plugin {}; it is kept and portalgen's is not added",
                        p.name(),
                        p.scope_words(out)
                    ),
                )
                .help(format!(
                    "check that the manifest's plugin does what the packages need (portalgen would have set {}); the self-verification checks it",
                    p.config.to_json_text()
                ))
                .at(&have.span),
            );
            continue;
        }
        for &i in &same {
            if drop_manifest.insert(i) {
                let have = &out.plugins[i];
                diags.push(
                    Diagnostic::new(
                        codes::KONG_PLUGIN_DISABLED,
                        format!(
                            "the manifest's `{}` plugin {} is disabled, so Kong never runs it (a disabled instance does not count as present); portalgen's enabled one replaces it",
                            have.name,
                            have.scope_words(out)
                        ),
                    )
                    .help("remove the disabled plugin from the decK file, or enable it with the config portalgen writes")
                    .at(&have.span),
                );
            }
        }
        // Broader enabled manifest instances of the same name that ours outranks where it
        // applies.
        let our_rank = scope_rank(p.route.is_some(), false, p.consumer.is_some());
        let our_service = p.route.and_then(|r| out.route_at(r).service);
        for (i, m) in out.plugins.iter().enumerate() {
            if m.name != p.name() || !m.enabled || same.contains(&i) {
                continue;
            }
            let k = key_of(m);
            if k.other {
                continue;
            }
            let applies = k.route.is_none_or(|r| Some(r) == p.route)
                && k.consumer.is_none_or(|c| Some(c) == p.consumer)
                && k.service.is_none_or(|s| our_service.is_none_or(|o| o == s));
            let theirs = scope_rank(k.route.is_some(), k.service.is_some(), k.consumer.is_some());
            if applies && theirs < our_rank {
                outranked.entry(i).or_default().insert(p.scope_words(out));
            }
        }
        let sort_key = (
            p.route_ref(out).unwrap_or_default().to_string(),
            p.consumer_ref(out).unwrap_or_default().to_string(),
            p.name(),
        );
        added.insert(sort_key, p);
    }
    for (i, ours) in &outranked {
        let m = &out.plugins[*i];
        let list: Vec<&String> = ours.iter().collect();
        let shown: Vec<String> = list.iter().take(4).map(|s| s.to_string()).collect();
        let more = if list.len() > 4 {
            format!(" and {} more", list.len() - 4)
        } else {
            String::new()
        };
        diags.push(
            Diagnostic::new(
                codes::KONG_PLUGIN_OUTRANKED,
                format!(
                    "the manifest's `{}` plugin {} no longer runs where portalgen's `{}` is scoped more narrowly ({}{more}): Kong runs one instance per plugin name, the most specific",
                    m.name,
                    m.scope_words(out),
                    m.name,
                    shown.join("; ")
                ),
            )
            .help("if the manifest's instance must keep applying (a service-wide guard), move its limit into the package or scope it so it is not shadowed")
            .at(&m.span),
        );
    }
    // Disabled instances portalgen replaces leave the exported file.
    let mut index = 0;
    out.plugins.retain(|_| {
        let keep = !drop_manifest.contains(&index);
        index += 1;
        keep
    });
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
            PluginConfig::KeyAuth(KeyAuthConfig {
                key_names,
                hide_credentials: strategy.key_auth.hide_credentials,
                key_in_header: true,
                key_in_query: strategy.key_auth.key_in_query,
                key_in_body: false,
            })
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

/// What the portal promises for every operation.
fn intents(
    portal: &Portal,
    units: &[Unit<'_>],
    op_units: &BTreeMap<OperationId, Vec<usize>>,
    regs: &[Reg],
    out: &Manifest,
    sigs: &BTreeMap<OperationId, Sig>,
) -> Vec<OperationIntent> {
    let mut outv = Vec::new();
    for (id, _, _) in portal.operations() {
        let list = op_units.get(&id).map(Vec::as_slice).unwrap_or_default();
        let kind = match &sigs[&id] {
            Sig::Fallback if list.is_empty() => IntentKind::Unpackaged,
            Sig::Fallback => {
                let auths: BTreeSet<&str> = list.iter().map(|&u| units[u].auth.name()).collect();
                if auths.len() > 1 {
                    IntentKind::Conflict
                } else {
                    IntentKind::Open
                }
            }
            Sig::Open => IntentKind::Open,
            Sig::Enforced {
                strategy, groups, ..
            } => {
                let strategy = portal
                    .config
                    .auth_strategy(strategy)
                    .expect("a defined strategy");
                let registrations = regs
                    .iter()
                    .filter(|r| list.contains(&r.unit))
                    .filter_map(|r| {
                        let unit = &units[r.unit];
                        let consumer = out.consumer_at(r.consumer).reference()?.to_string();
                        let (limit, counter) = limit_of(unit, Some(id));
                        Some(RegistrationIntent {
                            consumer,
                            group: unit.group.clone(),
                            limit,
                            counter,
                        })
                    })
                    .collect();
                let limits = list
                    .iter()
                    .map(|&u| (units[u].group.clone(), limit_of(&units[u], Some(id))))
                    .collect();
                IntentKind::Enforced {
                    auth: auth_intent(strategy),
                    groups: groups.iter().cloned().collect(),
                    limits,
                    registrations,
                }
            }
        };
        outv.push(OperationIntent {
            operation: id,
            kind,
        });
    }
    outv
}

/// What a strategy's auth plugin must do.
pub fn auth_intent(strategy: &AuthStrategy) -> AuthIntent {
    match &strategy.kind {
        AuthKind::KeyAuth { key_names } => AuthIntent {
            strategy: strategy.name.clone(),
            plugin: "key-auth",
            key_names: if key_names.is_empty() {
                vec!["apikey".to_string()]
            } else {
                key_names.clone()
            },
            hide_credentials: Some(strategy.key_auth.hide_credentials),
            key_in_query: Some(strategy.key_auth.key_in_query),
            issuer: None,
        },
        AuthKind::OpenidConnect { issuer, .. } => AuthIntent {
            strategy: strategy.name.clone(),
            plugin: "openid-connect",
            key_names: Vec::new(),
            hide_credentials: None,
            key_in_query: None,
            issuer: Some(issuer.clone()),
        },
    }
}

/// Write the document, read it back as decK would, verify every operation.
#[allow(clippy::too_many_arguments)]
fn verify_export(
    portal: &Portal,
    out: &Manifest,
    plugins: &[NewPlugin],
    intents: &[OperationIntent],
    regs: &[Reg],
    sources: &BTreeMap<ConsumerId, String>,
    origins: &BTreeMap<String, String>,
    diags: &mut Diagnostics,
) -> Enforcement {
    let doc = super::deck::Document::new(out, plugins);
    let yaml = match super::to_yaml(&doc, &portal.config.title) {
        Ok(y) => y,
        Err(e) => {
            diags.push(Diagnostic::new(codes::KONG_VERIFY_MISMATCH, e));
            return Enforcement::default();
        }
    };
    let (exported, read_diags) =
        crate::load::deck_from_texts(&[("exported.yaml".to_string(), yaml)]);
    for d in read_diags
        .iter()
        .filter(|d| d.severity == crate::diagnostics::Severity::Error)
    {
        diags.push(Diagnostic::new(
            codes::KONG_VERIFY_MISMATCH,
            format!(
                "self-verification: the exported file does not read back as a decK file: {} (line {})",
                d.message,
                d.line.unwrap_or(0)
            ),
        ));
    }
    let inputs: Vec<OperationInput<'_>> = portal
        .operations()
        .map(|(id, api, op)| {
            let settings = portal.config.api(&api.slug);
            OperationInput {
                api,
                operation: op,
                packages: portal.packages_of(id).to_vec(),
                pinned_routes: Vec::new(),
                gateway_host: settings.and_then(|s| s.gateway_host.clone()),
                path_prefix: settings.and_then(|s| s.gateway_path_prefix.clone()),
            }
        })
        .collect();
    let flavor = portal.config.gateway.router_flavor;
    let mut unchecked: BTreeMap<usize, String> = BTreeMap::new();
    for u in crate::kong::unknown::unknown_routes(&portal.manifest, flavor, &inputs) {
        for i in u.operations {
            unchecked.entry(i).or_insert_with(|| {
                format!(
                    "route `{}` may take it, and decK env references decide its `{}`",
                    portal.manifest.route_at(u.route).label(),
                    u.fields.join("`, `")
                )
            });
        }
    }
    let subjects: Vec<Subject<'_>> = portal
        .operations()
        .zip(&inputs)
        .enumerate()
        .map(|(i, ((id, api, op), input))| Subject {
            op: id,
            api,
            operation: op,
            input,
            original: portal.routing_of(id).matched_route(),
            intent: &intents[i].kind,
            unchecked: unchecked.get(&i).cloned(),
        })
        .collect();
    let consumers: Vec<(String, String)> = regs
        .iter()
        .filter_map(|r| {
            Some((
                out.consumer_at(r.consumer).reference()?.to_string(),
                sources.get(&r.consumer).cloned().unwrap_or_default(),
            ))
        })
        .collect();
    let unit_names: BTreeMap<String, String> = portal
        .packages
        .iter()
        .map(|p| (package_group(&p.slug), p.name.clone()))
        .chain(
            portal
                .apis
                .iter()
                .map(|a| (api_group(&a.slug), a.title.clone())),
        )
        .collect();
    let (policies, d) = verify::verify(&verify::Check {
        original: &portal.manifest,
        exported: &exported,
        flavor,
        required: portal.config.gateway.match_policy == MatchPolicy::Required,
        origins,
        registrations: &consumers,
        unit_names: &unit_names,
        subjects: &subjects,
    });
    diags.extend(d);
    let mut operations: Vec<Vec<_>> = portal
        .apis
        .iter()
        .map(|a| Vec::with_capacity(a.operations.len()))
        .collect();
    for (s, p) in subjects.iter().zip(policies) {
        operations[s.op.api.index()].push(p);
    }
    Enforcement {
        flavor: "kong",
        operations,
    }
}
