//! `export --flavor konnect`: everything Kong's "Package APIs with Dev Portal" walk-through
//! sets up by hand, planned from the project.
//!
//! - The decK file: the manifest plus the one global `ace` plugin Konnect's API packages need
//!   (`config.match_policy` from `gateway.match_policy`, `config.rate_limiting` from
//!   `gateway.ace.rate_limiting`). A global `ace` plugin the manifest already has is kept, with
//!   a warning when its settings disagree with portal.yaml.
//! - The [`Catalog`]: auth strategies, APIs with their specs and publications, which APIs the
//!   control plane implements, the packages with their operations (and the route the routing
//!   check found for each), publications and teams. [`super::kongctl`] writes what kongctl can
//!   declare, [`super::konnect_packages`] the rest as Konnect v3 request bodies.
//!
//! Konnect's own rules run here too ([`crate::validate::konnect`]), so `check` reports them.
//! Refs are derived from slugs and names, never from positions, so they survive reordering.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostics::{Diagnostic, Diagnostics, Severity, codes};
use crate::model::config::{AuthChoice, AuthStrategy, PortalConfig};
use crate::model::enforcement::{
    Counter, Enforcement, LimitPolicy, OperationPolicy, PolicyStatus, api_group, package_group,
};
use crate::model::gateway::Owner;
use crate::model::ids::RouteId;
use crate::model::{Method, OperationId, Portal, RateLimit, Slug, Visibility};

use super::plugin::{AceConfig, NewPlugin, PluginConfig};

/// The Konnect side of the project, as [`super::kongctl`] and [`super::konnect_packages`]
/// write it.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    /// The control plane the decK file is synced to and the APIs are linked to.
    pub control_plane: String,
    /// The Dev Portal to publish to (none: nothing is published).
    pub portal: Option<Named>,
    pub namespace: String,
    pub region: String,
    pub strategies: Vec<CatalogStrategy>,
    pub apis: Vec<CatalogApi>,
    pub packages: Vec<CatalogPackage>,
    /// Portal teams that may see private APIs or packages, by name.
    pub teams: Vec<CatalogTeam>,
}

/// A name and the kongctl ref derived from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    pub name: String,
    pub kongctl_ref: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CatalogStrategy {
    pub kongctl_ref: String,
    pub strategy: AuthStrategy,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CatalogApi {
    pub slug: String,
    pub kongctl_ref: String,
    /// Refs of the API's version and publication.
    pub version_ref: String,
    pub publication_ref: String,
    /// Konnect's API `name` (the portal's title).
    pub name: String,
    pub version: String,
    pub description: Option<String>,
    /// The API's document, relative to the project folder.
    pub spec: String,
    /// Some route of the control plane serves one of its operations: the API is linked to the
    /// control plane.
    pub implemented: bool,
    pub publication: Publication,
}

/// How an API or a package is published to the portal.
#[derive(Debug, Clone, PartialEq)]
pub struct Publication {
    pub visibility: Visibility,
    /// The application auth strategy (its index in [`Catalog::strategies`]); `None`: no
    /// application auth.
    pub auth_strategy: Option<usize>,
    pub auto_approve_registrations: bool,
    /// Teams that may see it (private only).
    pub teams: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CatalogPackage {
    pub slug: String,
    pub name: String,
    pub version: Option<String>,
    pub description: Option<String>,
    pub rate_limit: Option<RateLimit>,
    pub operations: Vec<CatalogOperation>,
    pub publication: Publication,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CatalogOperation {
    /// Index in [`Catalog::apis`].
    pub api: usize,
    pub method: Method,
    /// The path as the API's document writes it.
    pub path: String,
    pub operation_id: Option<String>,
    pub rate_limit: Option<RateLimit>,
    /// The route the routing check found serving the operation.
    pub route: Option<CatalogRoute>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CatalogRoute {
    pub name: Option<String>,
    pub id: Option<String>,
    pub service: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CatalogTeam {
    pub kongctl_ref: String,
    pub name: String,
    /// Private APIs the team may see and use (indexes in [`Catalog::apis`]), each with the
    /// refs of its two role assignments (API Viewer, API Consumer).
    pub apis: Vec<(usize, [String; 2])>,
}

/// The plugins the konnect flavor adds, the catalog, and every problem of both.
pub fn plan(portal: &Portal) -> (Vec<NewPlugin>, Catalog, Diagnostics) {
    let mut diags = crate::validate::konnect::check(portal);
    let plugins = ace(portal, &mut diags);
    (plugins, catalog(portal), diags)
}

/// The global `ace` plugin, unless the manifest has one (then its settings are compared).
fn ace(portal: &Portal, diags: &mut Diagnostics) -> Vec<NewPlugin> {
    let gw = &portal.config.gateway;
    let policy = gw.match_policy;
    let rate_limiting = gw.ace_rate_limiting.as_ref().map(|s| s.value.clone());
    if let Some(rl) = &gw.ace_rate_limiting {
        let problem = match (rl.value.sync_rate, &rl.value.redis) {
            (None, Some(_)) => Some(
                "`gateway.ace.rate_limiting` sets `redis` but no `sync_rate`: ACE then keeps its counters in each node's memory and never uses Redis",
            ),
            (Some(_), None) => Some(
                "`gateway.ace.rate_limiting` sets `sync_rate` but no `redis`: ACE syncs its counters with Kong's default Redis at 127.0.0.1:6379",
            ),
            _ => None,
        };
        if let Some(message) = problem {
            diags.push(
                Diagnostic::new(codes::ACE_RATE_LIMITING_INCOMPLETE, message)
                    .at(&rl.span)
                    .help("set both `sync_rate` and `redis` to share counters across data planes, or neither for per-node counters"),
            );
        }
    }
    if policy == crate::model::config::MatchPolicy::Required {
        required_tradeoff(portal, diags);
    }
    let existing = portal
        .manifest
        .plugins
        .iter()
        .find(|p| p.owner == Owner::Root && p.name == "ace" && p.scope.is_global());
    let Some(existing) = existing else {
        return vec![NewPlugin {
            route: None,
            consumer: None,
            config: PluginConfig::Ace(AceConfig {
                match_policy: policy,
                rate_limiting,
            }),
        }];
    };
    let have = existing
        .config
        .get("match_policy")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("if_present");
    if have != policy.as_str() {
        diags.push(
            Diagnostic::new(
                codes::ACE_POLICY_MISMATCH,
                format!(
                    "the manifest's global `ace` plugin has match_policy `{have}` but portal.yaml says `{}`; the manifest's plugin is kept",
                    policy.as_str()
                ),
            )
            .at(&existing.span)
            .help("set `gateway.match_policy` in portal.yaml to match, or remove the plugin from the manifest"),
        );
    }
    if let Some(want) = &rate_limiting {
        let want = serde_json::to_value(want).unwrap_or_default();
        let have = existing.config.get("rate_limiting");
        if have != Some(&want) {
            diags.push(
                Diagnostic::new(
                    codes::ACE_RATE_LIMITING_MISMATCH,
                    format!(
                        "the manifest's global `ace` plugin has rate_limiting {} but `gateway.ace.rate_limiting` is {want}; the manifest's plugin is kept",
                        have.map_or("unset".to_string(), |v| v.to_string())
                    ),
                )
                .at(&existing.span)
                .help("make `gateway.ace` match the plugin, or remove the plugin from the manifest"),
            );
        }
    }
    Vec::new()
}

/// `match_policy: required` answers 404 to every request that matches no operation: a warning
/// naming the routes that would lose all their traffic, an info when there are none.
fn required_tradeoff(portal: &Portal, diags: &mut Diagnostics) {
    let served: BTreeSet<RouteId> = portal
        .routing
        .iter()
        .flatten()
        .flat_map(|r| r.route.iter().chain(&r.reached))
        .copied()
        .collect();
    let lost: Vec<String> = portal
        .manifest
        .route_ids()
        .filter(|(id, r)| r.is_http() && !served.contains(id))
        .map(|(_, r)| format!("`{}`", r.label()))
        .collect();
    let cp = crate::validate::konnect::control_plane(portal);
    let (severity, message) = if lost.is_empty() {
        (
            Severity::Info,
            format!(
                "`match_policy: required`: ACE answers 404 to every request on control plane `{cp}` that matches no documented operation; every route serves documented operations, so only undocumented paths and methods on them are refused"
            ),
        )
    } else {
        (
            Severity::Warning,
            format!(
                "`match_policy: required`: ACE answers 404 to every request on control plane `{cp}` that matches no documented operation, and route{} {} serve{} none, so all their traffic would be refused",
                if lost.len() == 1 { "" } else { "s" },
                lost.join(", "),
                if lost.len() == 1 { "s" } else { "" },
            ),
        )
    };
    let mut d = Diagnostic::new(codes::ACE_MATCH_POLICY_REQUIRED, message)
        .severity(severity)
        .help("`if_present` lets requests that match no operation through to the other plugins, without access control by ACE; `required` refuses them, which is safer only when every route is documented");
    if let Some(at) = &portal.config.gateway.match_policy_at {
        d = d.at(at);
    }
    diags.push(d);
}

/// Allocates kongctl refs: `^[A-Za-z0-9][A-Za-z0-9._-]*$`, at most 63 characters, unique.
#[derive(Default)]
struct Refs(BTreeSet<String>);

impl Refs {
    const MAX: usize = 63;

    /// `base` (already ref-safe), shortened with a hash of `base` and `original` when too
    /// long or taken.
    fn take(&mut self, base: &str, original: &str) -> String {
        let hash = || {
            let key = format!("{base}\n{original}");
            let u = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, key.as_bytes());
            u.simple().to_string()[..8].to_string()
        };
        let mut r = base.to_string();
        if r.len() > Self::MAX || self.0.contains(&r) {
            let keep = base.len().min(Self::MAX - 9);
            r = format!("{}-{}", base[..keep].trim_end_matches(['-', '.']), hash());
        }
        self.0.insert(r.clone());
        r
    }
}

/// The strategy an `AuthChoice` stands for (`Default`: the first of portal.yaml, if any).
fn strategy_index(config: &PortalConfig, choice: &AuthChoice) -> Option<usize> {
    match choice {
        AuthChoice::None => None,
        AuthChoice::Default => (!config.auth_strategies.is_empty()).then_some(0),
        AuthChoice::Named(n) => config.auth_strategies.iter().position(|s| &s.name == n),
    }
}

fn catalog(portal: &Portal) -> Catalog {
    let config = &portal.config;
    let mut refs = Refs::default();
    let strategies = config
        .auth_strategies
        .iter()
        .map(|s| CatalogStrategy {
            kongctl_ref: refs.take(
                &format!("auth-{}", Slug::from_name(&s.name).as_str()),
                &s.name,
            ),
            strategy: s.clone(),
        })
        .collect();
    let portal_named = config.konnect.portal.as_ref().map(|p| Named {
        name: p.value.clone(),
        kongctl_ref: refs.take(
            &format!("portal-{}", Slug::from_name(&p.value).as_str()),
            &p.value,
        ),
    });
    let implemented = crate::validate::konnect::implemented(portal);
    let mut apis = Vec::new();
    for (ai, api) in portal.api_ids() {
        let settings = config.api(&api.slug);
        let visibility = settings.map(|s| s.visibility).unwrap_or_default();
        let choice = settings
            .and_then(|s| s.auth_strategy.clone())
            .unwrap_or(AuthChoice::Default);
        let kongctl_ref = refs.take(&format!("api-{}", api.slug.as_str()), api.slug.as_str());
        apis.push(CatalogApi {
            slug: api.slug.as_str().to_string(),
            version_ref: refs.take(&format!("{kongctl_ref}.version"), &kongctl_ref),
            publication_ref: refs.take(&format!("{kongctl_ref}.publication"), &kongctl_ref),
            kongctl_ref,
            name: api.title.clone(),
            version: api.version.clone(),
            description: api.description.clone(),
            spec: api.source.file.to_string(),
            implemented: implemented[ai.index()],
            publication: Publication {
                visibility,
                auth_strategy: strategy_index(config, &choice),
                auto_approve_registrations: settings.is_some_and(|s| s.auto_approve_registrations),
                teams: if visibility == Visibility::Private {
                    settings.map(|s| s.teams.clone()).unwrap_or_default()
                } else {
                    Vec::new()
                },
            },
        });
    }
    let manifest = &portal.manifest;
    let packages = portal
        .packages
        .iter()
        .map(|p| CatalogPackage {
            slug: p.slug.as_str().to_string(),
            name: p.name.clone(),
            version: p.version.clone(),
            description: p.description.clone(),
            rate_limit: p.rate_limit,
            operations: p
                .operations
                .iter()
                .map(|item| {
                    let (_, op) = portal.operation(item.operation);
                    let route = portal.routing_of(item.operation).matched_route().map(|id| {
                        let r = manifest.route_at(id);
                        CatalogRoute {
                            name: r.name.clone(),
                            id: r.id.clone(),
                            service: manifest.service_of(r).map(|s| s.label().to_string()),
                        }
                    });
                    CatalogOperation {
                        api: item.operation.api.index(),
                        method: op.method,
                        path: op.path.clone(),
                        operation_id: op.operation_id.clone(),
                        rate_limit: item.rate_limit,
                        route,
                    }
                })
                .collect(),
            publication: Publication {
                visibility: p.visibility,
                auth_strategy: strategy_index(config, &p.auth_strategy),
                auto_approve_registrations: p.auto_approve_registrations,
                teams: if p.visibility == Visibility::Private {
                    p.teams.clone()
                } else {
                    Vec::new()
                },
            },
        })
        .collect::<Vec<CatalogPackage>>();
    // Teams: every team a private API or package names, sorted by name.
    let mut by_team: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, a) in apis.iter().enumerate() {
        for t in &a.publication.teams {
            by_team.entry(t.clone()).or_default().push(i);
        }
    }
    for p in &packages {
        for t in &p.publication.teams {
            by_team.entry(t.clone()).or_default();
        }
    }
    let teams = by_team
        .into_iter()
        .map(|(name, team_apis)| {
            let kongctl_ref = refs.take(&format!("team-{name}"), &name);
            let apis = team_apis
                .into_iter()
                .map(|i| {
                    let base = format!("{kongctl_ref}.{}", apis[i].kongctl_ref);
                    let viewer = refs.take(&format!("{base}.viewer"), &base);
                    let consumer = refs.take(&format!("{base}.consumer"), &base);
                    (i, [viewer, consumer])
                })
                .collect();
            CatalogTeam {
                kongctl_ref,
                name,
                apis,
            }
        })
        .collect();
    Catalog {
        control_plane: crate::validate::konnect::control_plane(portal).to_string(),
        portal: portal_named,
        namespace: config.konnect.namespace.clone(),
        region: config.konnect.region.clone(),
        strategies,
        apis,
        packages,
        teams,
    }
}

/// What Konnect's ACE enforces for each operation: the auth strategy and limits of its
/// packages and of its API's publication (portalgen cannot verify Konnect; it reports the
/// promise ACE is configured to keep).
pub fn enforcement(portal: &Portal) -> Enforcement {
    let operations = portal
        .api_ids()
        .map(|(ai, api)| {
            let publication = portal.config.api(&api.slug).filter(|s| s.published());
            (0..api.operations.len())
                .map(|oi| {
                    let id = OperationId::new(ai, oi);
                    let mut limits = Vec::new();
                    let mut auth = None;
                    for &p in portal.packages_of(id) {
                        let pkg = portal.package(p);
                        let own = pkg
                            .operations
                            .iter()
                            .find(|o| o.operation == id)
                            .and_then(|o| o.rate_limit);
                        limits.push(LimitPolicy {
                            group: package_group(&pkg.slug),
                            name: pkg.name.clone(),
                            limit: own.or(pkg.rate_limit),
                            counter: own
                                .map(|_| Counter::Operation)
                                .or(pkg.rate_limit.map(|_| Counter::Package)),
                        });
                        auth = auth.or_else(|| strategy(portal, &pkg.auth_strategy));
                    }
                    if let Some(s) = publication {
                        limits.push(LimitPolicy {
                            group: api_group(&api.slug),
                            name: api.title.clone(),
                            limit: s.rate_limit,
                            counter: s.rate_limit.map(|_| Counter::Package),
                        });
                        auth = auth.or_else(|| {
                            strategy(
                                portal,
                                s.auth_strategy.as_ref().unwrap_or(&AuthChoice::Default),
                            )
                        });
                    }
                    OperationPolicy {
                        status: PolicyStatus::Konnect,
                        route: portal
                            .routing_of(id)
                            .matched_route()
                            .map(|r| portal.manifest.route_at(r).label().to_string()),
                        // Where the key may travel is Konnect's strategy setting, not
                        // portalgen's key-auth options.
                        auth: auth.map(|s| crate::model::enforcement::AuthIntent {
                            hide_credentials: None,
                            key_in_query: None,
                            ..super::kong::auth_intent(s)
                        }),
                        acl: limits.iter().map(|l| l.group.clone()).collect(),
                        limits,
                        registrations: Vec::new(),
                        status_code: None,
                        note: None,
                    }
                })
                .collect()
        })
        .collect();
    Enforcement {
        flavor: "konnect",
        operations,
    }
}

fn strategy<'a>(portal: &'a Portal, choice: &AuthChoice) -> Option<&'a AuthStrategy> {
    match choice {
        AuthChoice::None => None,
        AuthChoice::Default => portal.config.default_auth_strategy(),
        AuthChoice::Named(n) => portal.config.auth_strategy(n),
    }
}

#[cfg(test)]
mod tests {
    use super::Refs;

    #[test]
    fn refs_stay_short_unique_and_stable() {
        let mut refs = Refs::default();
        assert_eq!(refs.take("api-orders", "orders"), "api-orders");
        let again = refs.take("api-orders", "orders-2");
        assert!(again.starts_with("api-orders-") && again.len() == "api-orders-".len() + 8);
        let long = "api-".to_string() + &"x".repeat(80);
        let r = refs.take(&long, &long);
        assert!(r.len() <= 63, "{r}");
        assert_eq!(r, Refs::default().take(&long, &long));
    }
}
