//! The export's self-verification: the exported decK file, read back as decK reads it, run on
//! Kong's own router ([`super::engine`]) and Kong's plugin precedence ([`super::effective`]),
//! checked for every documented operation against what the portal promises
//! ([`IntentKind`]):
//!
//! - routing is unchanged: each probe of the operation lands on the route it landed on before
//!   (or on a route derived from it), and the upstream receives the same path (a derived
//!   regex route's `request-transformer` `replace.uri` rendered with the match's captures);
//!   derived routes take no request that another route serves today (witness requests built
//!   from every route's literal path prefix);
//! - an enforced operation runs the strategy's auth plugin with its key names,
//!   `hide_credentials` and `key_in_query`; an `acl` allowing exactly the groups of its packages
//!   and publications; every registration of those passes and gets its limit, counted on the
//!   package-wide counter (a consumer-only `rate-limiting` instance) or on the operation's own
//!   (a consumer+route instance no other operation shares); every other registration is
//!   refused (no leak between packages); anonymous requests are refused;
//! - an unpackaged operation under `match_policy: if_present` (and an operation of packages
//!   without application auth) runs exactly the plugins it ran before the export; under
//!   `required` it is answered 404.
//!
//! Operations whose route or plugins decK env references decide are reported unchecked.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::OperationInput;
use super::effective::{self, Scope};
use super::engine::{Engine, Request};
use super::probe;
use super::uri;
use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::model::config::RouterFlavor;
use crate::model::enforcement::{
    AuthIntent, Counter, IntentKind, LimitPolicy, OperationPolicy, PolicyStatus,
    RegistrationPolicy, period_index,
};
use crate::model::gateway::{Manifest, Plugin, Route};
use crate::model::ids::{ConsumerId, RouteId};
use crate::model::{Api, Duration, Operation, OperationId, RateLimit};

/// One documented operation to verify.
pub struct Subject<'a> {
    pub op: OperationId,
    pub api: &'a Api,
    pub operation: &'a Operation,
    pub input: &'a OperationInput<'a>,
    /// The route serving it in the project's manifest (`None`: unmatched or ambiguous).
    pub original: Option<RouteId>,
    pub intent: &'a IntentKind,
    /// Why it cannot be verified (decK env references), if so.
    pub unchecked: Option<String>,
}

/// Everything the verification compares.
pub struct Check<'a> {
    /// The project's manifest.
    pub original: &'a Manifest,
    /// The exported file, read back.
    pub exported: &'a Manifest,
    pub flavor: RouterFlavor,
    /// `match_policy: required`.
    pub required: bool,
    /// Exported route → the project's route it comes from (by label).
    pub origins: &'a BTreeMap<String, String>,
    /// Every registration's consumer (reference) with what it stands for.
    pub registrations: &'a [(String, String)],
    /// ACL group → package or API name.
    pub unit_names: &'a BTreeMap<String, String>,
    pub subjects: &'a [Subject<'a>],
}

/// The plugins Kong's precedence picks for one request context.
const RELEVANT: &[&str] = &[
    "key-auth",
    "openid-connect",
    "acl",
    "rate-limiting",
    "request-termination",
    "request-transformer",
];

/// The enabled plugins that run for a context, by name, as (config, tags).
fn running(m: &Manifest, cx: &Scope) -> BTreeMap<&'static str, (Json, Vec<String>)> {
    RELEVANT
        .iter()
        .filter_map(|n| {
            effective::winner(m, n, cx)
                .map(|(_, p)| (*n, (Json::Object(p.config.clone()), p.tags.written.clone())))
        })
        .collect()
}

fn is_ours(p: &Plugin) -> bool {
    p.tags.written.iter().any(|t| t == "portalgen")
}

/// The limit of a `rate-limiting` config, when it holds exactly one period.
fn limit_of(config: &serde_json::Map<String, Json>) -> Option<RateLimit> {
    let mut found = None;
    for (key, duration) in [
        ("second", Duration::Seconds),
        ("minute", Duration::Minutes),
        ("hour", Duration::Hours),
        ("day", Duration::Hours),
        ("month", Duration::Hours),
        ("year", Duration::Hours),
    ] {
        if let Some(v) = config.get(key).and_then(Json::as_f64) {
            if found.is_some() || matches!(key, "day" | "month" | "year") {
                return None;
            }
            found = Some(RateLimit {
                limit: v as u64,
                duration,
            });
        }
    }
    found
}

fn bool_or(config: &serde_json::Map<String, Json>, key: &str, default: bool) -> bool {
    config.get(key).and_then(Json::as_bool).unwrap_or(default)
}

/// The route a probe lands on, with what it matched of the path.
fn land(engine: &Engine, req: &Request) -> Option<(usize, Option<String>)> {
    engine
        .select(req)
        .map(|s| (engine.matchers[s.matcher].route, s.matched_path))
}

/// The upstream path Kong sends for `req` through `route` (with what it matched), after a
/// `request-transformer` `replace.uri` when one runs.
fn upstream(m: &Manifest, route: RouteId, req: &Request, matched: Option<&str>) -> Option<String> {
    let r = m.route_at(route);
    let service = m.service_of(r)?;
    if service.env.has("path") {
        return None;
    }
    let base = service.path.as_ref().map_or("/", |p| p.as_str());
    let plain = uri::upstream_path(&req.path, matched, r.strip_path, base);
    let cx = Scope {
        route: Some(route),
        service: r.service,
        consumer: None,
        groups: Vec::new(),
    };
    let Some((_, rt)) = effective::winner(m, "request-transformer", &cx) else {
        return Some(plain);
    };
    let Some(template) = rt
        .config
        .get("replace")
        .and_then(|r| r.get("uri"))
        .and_then(Json::as_str)
    else {
        return Some(plain);
    };
    Some(render_uri(template, &captures(r, &req.path)))
}

/// The named captures of the route's regex paths on `path`.
fn captures(r: &Route, path: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for p in &r.paths {
        let Some(re) = p.strip_prefix('~') else {
            continue;
        };
        let Ok(re) = regex::Regex::new(&format!("^{}", re.replace("?<", "?P<"))) else {
            continue;
        };
        if let Some(c) = re.captures(path) {
            for name in re.capture_names().flatten() {
                if let Some(v) = c.name(name) {
                    out.insert(name.to_string(), v.as_str().to_string());
                }
            }
            break;
        }
    }
    out
}

/// `request-transformer`'s template rendering, for the `$(uri_captures["name"])` and
/// `$(uri_captures.name)` expressions portalgen writes.
pub fn render_uri(template: &str, captures: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find("$(") {
        out.push_str(&rest[..i]);
        let Some(end) = rest[i..].find(')') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let expr = rest[i + 2..i + end].trim();
        let name = expr.strip_prefix("uri_captures").map(|s| {
            s.trim_start_matches('.')
                .trim_matches(|c| "[]\"'".contains(c))
        });
        if let Some(v) = name.and_then(|n| captures.get(n)) {
            out.push_str(v);
        }
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    out
}

fn consumer_by_ref(m: &Manifest, reference: &str) -> Option<ConsumerId> {
    m.consumer(reference)
}

/// Whether `consumer` gets past the auth plugin and the ACL of a route.
fn passes(
    m: &Manifest,
    consumer: ConsumerId,
    auth: Option<&Plugin>,
    allow: &BTreeSet<String>,
    deny: &BTreeSet<String>,
) -> bool {
    let c = m.consumer_at(consumer);
    let authenticated = match auth.map(|p| p.name.as_str()) {
        Some("key-auth") => !c.keyauth_credentials.is_empty(),
        Some("openid-connect") => c.custom_id.is_some(),
        _ => false,
    };
    let groups: BTreeSet<&str> = c.acls.iter().map(|a| a.group.as_str()).collect();
    authenticated
        && (allow.is_empty() || allow.iter().any(|g| groups.contains(g.as_str())))
        && !deny.iter().any(|g| groups.contains(g.as_str()))
}

fn strings(v: Option<&Json>) -> BTreeSet<String> {
    v.and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

/// Verify every subject; a policy per subject, in order.
pub fn verify(check: &Check<'_>) -> (Vec<OperationPolicy>, Diagnostics) {
    let (original, _) = Engine::build(check.original, check.flavor);
    let (exported, _) = Engine::build(check.exported, check.flavor);
    let mut diags = Diagnostics::new();
    let mut policies = Vec::with_capacity(check.subjects.len());
    // (consumer, rate-limiting instance) → operations counted on it with their own counter.
    let mut own_counters: BTreeMap<(String, usize), Vec<usize>> = BTreeMap::new();
    let mut counted: BTreeMap<(String, usize), BTreeSet<usize>> = BTreeMap::new();
    for (si, s) in check.subjects.iter().enumerate() {
        let (policy, problems, routing) = verify_one(
            check,
            &original,
            &exported,
            s,
            si,
            &mut own_counters,
            &mut counted,
        );
        let name = format!(
            "{} {} ({})",
            s.operation.method.as_str(),
            s.operation.path,
            s.api.slug
        );
        if policy.status == PolicyStatus::Unchecked
            && let Some(why) = &s.unchecked
        {
            diags.push(
                Diagnostic::new(
                    codes::KONG_VERIFY_UNCHECKED,
                    format!("self-verification cannot check {name}: {why}"),
                )
                .at(&s.operation.span),
            );
        }
        for p in routing {
            diags.push(
                Diagnostic::new(
                    codes::KONG_ROUTING_CHANGED,
                    format!("self-verification of {name}: {p}; nothing is exported"),
                )
                .at(&s.operation.span)
                .help("this is a bug of the route split or a manifest portalgen cannot split faithfully: give the operation a route of its own in the decK file"),
            );
        }
        if !problems.is_empty() {
            diags.push(
                Diagnostic::new(
                    codes::KONG_VERIFY_MISMATCH,
                    format!(
                        "self-verification of {name}: {}; nothing is exported",
                        problems.join("; ")
                    ),
                )
                .at(&s.operation.span)
                .help("Kong would enforce what this says with the exported file; fix the manifest plugin or consumer it names, or the package"),
            );
        }
        policies.push(policy);
    }
    // An operation's own counter is its own: no other operation counts on that instance.
    for ((consumer, _), ops) in &own_counters {
        for &si in ops {
            let key = counted
                .iter()
                .find(|((c, _), set)| c == consumer && set.contains(&si))
                .map(|(k, _)| k.clone());
            if let Some(k) = key
                && counted[&k].len() > 1
            {
                let s = &check.subjects[si];
                let others: Vec<String> = counted[&k]
                    .iter()
                    .filter(|&&o| o != si)
                    .map(|&o| {
                        let x = &check.subjects[o];
                        format!("{} {}", x.operation.method.as_str(), x.operation.path)
                    })
                    .collect();
                diags.push(
                    Diagnostic::new(
                        codes::KONG_VERIFY_MISMATCH,
                        format!(
                            "self-verification of {} {} ({}): its own limit for consumer `{consumer}` shares a counter with {}; nothing is exported",
                            s.operation.method.as_str(),
                            s.operation.path,
                            s.api.slug,
                            others.join(", ")
                        ),
                    )
                    .at(&s.operation.span),
                );
            }
        }
    }
    // Derived routes take no request another route serves today.
    witnesses(check, &original, &exported, &mut diags);
    (policies, diags)
}

#[allow(clippy::too_many_arguments)]
fn verify_one(
    check: &Check<'_>,
    original: &Engine,
    exported: &Engine,
    s: &Subject<'_>,
    si: usize,
    own_counters: &mut BTreeMap<(String, usize), Vec<usize>>,
    counted: &mut BTreeMap<(String, usize), BTreeSet<usize>>,
) -> (OperationPolicy, Vec<String>, Vec<String>) {
    let mut problems = Vec::new();
    let mut routing = Vec::new();
    if let Some(why) = &s.unchecked {
        return (
            OperationPolicy::bare(PolicyStatus::Unchecked, Some(why.clone())),
            problems,
            routing,
        );
    }
    if matches!(s.intent, IntentKind::Conflict) {
        return (
            OperationPolicy::bare(
                PolicyStatus::Unchecked,
                Some("its packages disagree on the auth strategy".into()),
            ),
            problems,
            routing,
        );
    }
    let Some(orig_route) = s.original else {
        return (
            OperationPolicy::bare(
                PolicyStatus::Unrouted,
                Some("no route serves it (see the routing check)".into()),
            ),
            problems,
            routing,
        );
    };
    let m = check.exported;
    let target = probe::target(
        s.api,
        s.operation,
        s.input.gateway_host.as_deref(),
        s.input.path_prefix.as_deref(),
    );
    let probes = probe::probes(s.api, s.operation, &target);
    let mut route: Option<RouteId> = None;
    let orig_label = check.original.route_at(orig_route).label();
    for p in &probes {
        let Some((r, matched)) = land(exported, &p.request) else {
            routing.push(format!("`{}` reaches no route", p.raw_path));
            continue;
        };
        let rid = RouteId::new(r);
        let label = m.route_at(rid).label();
        if check.origins.get(label).map(String::as_str) != Some(orig_label) {
            routing.push(format!(
                "`{} {}` lands on route `{label}` instead of `{orig_label}`",
                p.request.method, p.raw_path
            ));
        }
        if route.is_some_and(|x| x != rid) {
            routing.push(format!(
                "its requests land on routes `{}` and `{label}`",
                m.route_at(route.expect("set")).label()
            ));
        }
        route = Some(rid);
        let before = land(original, &p.request).and_then(|(or, om)| {
            upstream(check.original, RouteId::new(or), &p.request, om.as_deref())
        });
        let after = upstream(m, rid, &p.request, matched.as_deref());
        if before != after {
            routing.push(format!(
                "the upstream receives `{}` for `{}` instead of `{}`",
                after.as_deref().unwrap_or("?"),
                p.raw_path,
                before.as_deref().unwrap_or("?")
            ));
        }
    }
    let Some(route) = route else {
        return (
            OperationPolicy::bare(PolicyStatus::Unrouted, None),
            problems,
            routing,
        );
    };
    let r = m.route_at(route);
    let cx0 = Scope {
        route: Some(route),
        service: r.service,
        consumer: None,
        groups: Vec::new(),
    };
    let scope_of = |c: ConsumerId| Scope {
        consumer: Some(c),
        groups: effective::groups_of(m, c),
        ..cx0.clone()
    };
    for name in RELEVANT {
        if let Some(p) = effective::unknown(m, name, &cx0) {
            return (
                OperationPolicy::bare(
                    PolicyStatus::Unchecked,
                    Some(format!(
                        "decK env references decide the manifest's `{name}` plugin {}",
                        p.scope_words(m)
                    )),
                ),
                problems,
                routing,
            );
        }
    }
    let key_auth = effective::winner(m, "key-auth", &cx0).map(|(_, p)| p);
    let oidc = effective::winner(m, "openid-connect", &cx0).map(|(_, p)| p);
    let auth_plugin = key_auth.or(oidc);
    let acl = effective::winner(m, "acl", &cx0).map(|(_, p)| p);
    let allow = acl
        .map(|p| strings(p.config.get("allow")))
        .unwrap_or_default();
    let deny = acl
        .map(|p| strings(p.config.get("deny")))
        .unwrap_or_default();
    let termination = effective::winner(m, "request-termination", &cx0).map(|(_, p)| p);
    let auth_seen = auth_plugin.map(|p| AuthIntent {
        strategy: String::new(),
        plugin: if p.name == "key-auth" {
            "key-auth"
        } else {
            "openid-connect"
        },
        key_names: if p.name == "key-auth" {
            let names = strings(p.config.get("key_names"));
            if names.is_empty() {
                vec!["apikey".to_string()]
            } else {
                p.config
                    .get("key_names")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            }
        } else {
            Vec::new()
        },
        hide_credentials: (p.name == "key-auth")
            .then(|| bool_or(&p.config, "hide_credentials", false)),
        key_in_query: (p.name == "key-auth").then(|| bool_or(&p.config, "key_in_query", true)),
        issuer: p
            .config
            .get("issuer")
            .and_then(Json::as_str)
            .map(str::to_string),
    });
    let mut policy = OperationPolicy {
        status: PolicyStatus::Open,
        route: Some(r.label().to_string()),
        auth: auth_seen.clone(),
        acl: allow.iter().cloned().collect(),
        limits: Vec::new(),
        registrations: Vec::new(),
        status_code: termination
            .and_then(|t| t.config.get("status_code"))
            .and_then(Json::as_u64)
            .map(|c| c as u16),
        note: None,
    };
    match s.intent {
        IntentKind::Unpackaged | IntentKind::Open => {
            let unpackaged = matches!(s.intent, IntentKind::Unpackaged);
            if unpackaged && check.required {
                policy.status = PolicyStatus::Terminated;
                if policy.status_code != Some(404) {
                    problems.push(format!(
                        "it is in no package, so `match_policy: required` must answer 404, but {}",
                        match termination {
                            Some(_) => format!(
                                "route `{}` answers {}",
                                r.label(),
                                policy.status_code.unwrap_or(0)
                            ),
                            None => format!("route `{}` lets it through", r.label()),
                        }
                    ));
                }
            } else {
                // Untouched: what runs is what ran before the export.
                let before_cx = Scope {
                    route: Some(orig_route),
                    service: check.original.route_at(orig_route).service,
                    consumer: None,
                    groups: Vec::new(),
                };
                let before = running(check.original, &before_cx);
                let after = running(m, &cx0);
                let strip = |x: BTreeMap<&'static str, (Json, Vec<String>)>| -> BTreeMap<&'static str, Json> {
                    x.into_iter().map(|(k, (c, _))| (k, c)).collect()
                };
                let (before, after) = (strip(before), strip(after));
                if before != after {
                    let added: Vec<&str> = after
                        .iter()
                        .filter(|(k, v)| before.get(*k) != Some(v))
                        .map(|(k, _)| *k)
                        .collect();
                    let gone: Vec<&str> = before
                        .keys()
                        .filter(|k| !after.contains_key(*k))
                        .copied()
                        .collect();
                    problems.push(format!(
                        "it is {}, so it must run the plugins it ran before the export, but {}{}",
                        if unpackaged {
                            "in no package (`match_policy: if_present`)"
                        } else {
                            "only in packages without application auth"
                        },
                        if added.is_empty() {
                            String::new()
                        } else {
                            format!("`{}` now run(s) differently", added.join("`, `"))
                        },
                        if gone.is_empty() {
                            String::new()
                        } else {
                            format!(" and `{}` no longer run(s)", gone.join("`, `"))
                        }
                    ));
                }
                if termination.is_some() {
                    policy.status = PolicyStatus::Terminated;
                }
                // No registration's portalgen limits apply here.
                for (reference, what) in check.registrations {
                    let Some(c) = consumer_by_ref(m, reference) else {
                        continue;
                    };
                    let cx = scope_of(c);
                    for name in ["rate-limiting", "request-termination"] {
                        if let Some((_, p)) = effective::winner(m, name, &cx)
                            && is_ours(p)
                            && key_auth.is_some()
                        {
                            problems.push(format!(
                                "portalgen's `{name}` of {what} applies to it through the manifest's own auth plugin"
                            ));
                        }
                    }
                }
            }
        }
        IntentKind::Conflict => {}
        IntentKind::Enforced {
            auth,
            groups,
            limits,
            registrations,
        } => {
            policy.status = PolicyStatus::Enforced;
            match (auth.plugin, key_auth, oidc) {
                ("key-auth", Some(p), None) => {
                    let seen = auth_seen.clone().expect("seen");
                    if seen.key_names != auth.key_names {
                        problems.push(format!(
                            "`key-auth` reads the key from {:?}, not from {:?}",
                            seen.key_names, auth.key_names
                        ));
                    }
                    if seen.hide_credentials != auth.hide_credentials {
                        problems.push(format!(
                            "`key-auth` has `hide_credentials: {}`, not {}",
                            seen.hide_credentials.unwrap_or(false),
                            auth.hide_credentials.unwrap_or(true)
                        ));
                    }
                    if seen.key_in_query != auth.key_in_query {
                        problems.push(format!(
                            "`key-auth` has `key_in_query: {}`, not {}",
                            seen.key_in_query.unwrap_or(true),
                            auth.key_in_query.unwrap_or(false)
                        ));
                    }
                    if p.config.get("anonymous").is_some_and(|a| !a.is_null()) {
                        problems.push(
                            "`key-auth` lets anonymous requests through (`anonymous`)".into(),
                        );
                    }
                }
                ("openid-connect", None, Some(p)) => {
                    if p.config.get("issuer").and_then(Json::as_str) != auth.issuer.as_deref() {
                        problems.push(format!(
                            "`openid-connect` trusts issuer {:?}, not {:?}",
                            p.config.get("issuer").and_then(Json::as_str).unwrap_or(""),
                            auth.issuer.as_deref().unwrap_or("")
                        ));
                    }
                }
                (want, k, o) => problems.push(format!(
                    "it must run `{want}` (auth strategy `{}`), but {}",
                    auth.strategy,
                    match (k, o) {
                        (None, None) => "no auth plugin runs".to_string(),
                        (Some(_), Some(_)) =>
                            "both `key-auth` and `openid-connect` run".to_string(),
                        (Some(_), None) => "`key-auth` runs".to_string(),
                        (None, Some(_)) => "`openid-connect` runs".to_string(),
                    }
                )),
            }
            if let Some(a) = policy.auth.as_mut() {
                a.strategy = auth.strategy.clone();
            }
            if acl.is_none() {
                problems.push("no `acl` runs, so every holder of a credential gets in".into());
            } else if &allow != groups || !deny.is_empty() {
                problems.push(format!(
                    "the `acl` allows [{}]{}, not exactly [{}]",
                    allow.iter().cloned().collect::<Vec<_>>().join(", "),
                    if deny.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " and denies [{}]",
                            deny.iter().cloned().collect::<Vec<_>>().join(", ")
                        )
                    },
                    groups.iter().cloned().collect::<Vec<_>>().join(", ")
                ));
            }
            if let Some(t) = termination {
                problems.push(format!(
                    "`request-termination` {} answers every request with {}",
                    t.scope_words(m),
                    policy.status_code.unwrap_or(0)
                ));
            }
            // The limits promised, per package or API.
            // (Verified below for every registration; promised for groups no application is
            // registered for yet: their consumers get the same plugins when added.)
            for g in groups {
                let (limit, counter) = limits
                    .get(g.as_str())
                    .copied()
                    .unwrap_or((None, Counter::Package));
                policy.limits.push(LimitPolicy {
                    group: g.clone(),
                    name: check.unit_names.get(g).cloned().unwrap_or_default(),
                    limit,
                    counter: limit.map(|_| counter),
                });
            }
            let mine: BTreeSet<&str> = registrations.iter().map(|r| r.consumer.as_str()).collect();
            for reg in registrations {
                let Some(c) = consumer_by_ref(m, &reg.consumer) else {
                    problems.push(format!(
                        "consumer `{}` is not in the exported file",
                        reg.consumer
                    ));
                    continue;
                };
                let allowed = passes(m, c, auth_plugin, &allow, &deny);
                if !allowed {
                    problems.push(format!(
                        "consumer `{}` (group `{}`) is refused",
                        reg.consumer, reg.group
                    ));
                }
                let cx = scope_of(c);
                let rl = effective::winner(m, "rate-limiting", &cx);
                let rt = effective::winner(m, "request-termination", &cx).map(|(_, p)| p);
                let rt_429 = rt.is_some_and(|p| {
                    p.config.get("status_code").and_then(Json::as_u64) == Some(429)
                });
                let mut seen_limit = None;
                let mut seen_counter = None;
                if let Some((i, p)) = rl {
                    let (has_route, has_service, has_consumer) = effective::counter_scope(p);
                    seen_counter = Some(if has_route || has_service {
                        Counter::Operation
                    } else {
                        Counter::Package
                    });
                    seen_limit = limit_of(&p.config);
                    if has_consumer {
                        counted
                            .entry((reg.consumer.clone(), i))
                            .or_default()
                            .insert(si);
                    }
                    if reg.counter == Counter::Operation && reg.limit.is_some() {
                        own_counters
                            .entry((reg.consumer.clone(), i))
                            .or_default()
                            .push(si);
                    }
                }
                if rt_429 {
                    seen_limit = Some(RateLimit {
                        limit: 0,
                        duration: reg.limit.map_or(Duration::Seconds, |l| l.duration),
                    });
                }
                match reg.limit {
                    None => {
                        if let Some((_, p)) = rl
                            && is_ours(p)
                        {
                            problems.push(format!(
                                "consumer `{}` is limited by portalgen's `rate-limiting` {}, though `{}` promises no limit",
                                reg.consumer,
                                p.scope_words(m),
                                reg.group
                            ));
                        }
                        if rt.is_some() {
                            problems.push(format!(
                                "consumer `{}` is answered by a `request-termination`",
                                reg.consumer
                            ));
                        }
                        seen_limit = None;
                        seen_counter = None;
                    }
                    Some(l) if l.limit == 0 => {
                        if !rt_429 {
                            problems.push(format!(
                                "consumer `{}` must be refused with 429 (a limit of 0), but is not",
                                reg.consumer
                            ));
                        }
                        if reg.counter == Counter::Operation
                            && let Some((_, p)) = rl
                            && !effective::counter_scope(p).0
                        {
                            problems.push(format!(
                                "the requests of consumer `{}` count against the package counter, though the operation has its own limit",
                                reg.consumer
                            ));
                        }
                        seen_counter = Some(reg.counter);
                    }
                    Some(l) => {
                        if rt_429 || rt.is_some() {
                            problems.push(format!(
                                "consumer `{}` is answered by a `request-termination`",
                                reg.consumer
                            ));
                        }
                        match rl {
                            None => problems.push(format!(
                                "consumer `{}` is not limited, though `{}` promises {}",
                                reg.consumer,
                                reg.group,
                                l.words()
                            )),
                            Some((_, p)) => {
                                let got = limit_of(&p.config);
                                let by = p
                                    .config
                                    .get("limit_by")
                                    .and_then(Json::as_str)
                                    .unwrap_or("consumer");
                                if got != Some(l) || !matches!(by, "credential" | "consumer") {
                                    problems.push(format!(
                                        "consumer `{}` gets {} ({} {}), not {}",
                                        reg.consumer,
                                        got.map(|g| g.words())
                                            .unwrap_or_else(|| "another limit".into()),
                                        p.name,
                                        p.scope_words(m),
                                        l.words()
                                    ));
                                }
                                if seen_counter != Some(reg.counter) {
                                    problems.push(format!(
                                        "consumer `{}` is counted on {} counter, not on {}",
                                        reg.consumer,
                                        match seen_counter {
                                            Some(Counter::Package) => "the package-wide",
                                            _ => "a per-route",
                                        },
                                        match reg.counter {
                                            Counter::Package => "the package-wide one",
                                            Counter::Operation => "the operation's own",
                                        }
                                    ));
                                }
                            }
                        }
                    }
                }
                policy.registrations.push(RegistrationPolicy {
                    consumer: reg.consumer.clone(),
                    group: reg.group.clone(),
                    allowed,
                    limit: seen_limit,
                    counter: seen_limit.and(seen_counter),
                });
            }
            // No leak: every other registration is refused.
            for (reference, what) in check.registrations {
                if mine.contains(reference.as_str()) {
                    continue;
                }
                if let Some(c) = consumer_by_ref(m, reference)
                    && passes(m, c, auth_plugin, &allow, &deny)
                {
                    problems.push(format!(
                        "{what} (consumer `{reference}`), registered for another package, gets in"
                    ));
                }
            }
        }
    }
    let _ = period_index;
    (policy, problems, routing)
}

/// Requests a derived route might take from another route: each route's literal path prefix
/// and a few completions, with the derived route's methods. A derived route must take only
/// requests its original took.
fn witnesses(check: &Check<'_>, original: &Engine, exported: &Engine, diags: &mut Diagnostics) {
    let m = check.exported;
    let mut prefixes: BTreeSet<String> = BTreeSet::new();
    for r in &check.original.routes {
        for p in &r.paths {
            let lit = match p.strip_prefix('~') {
                Some(re) => re
                    .chars()
                    .take_while(|c| !"\\.+*?()|[]{}^$".contains(*c))
                    .collect::<String>(),
                None => p.value.clone(),
            };
            if lit.starts_with('/') {
                prefixes.insert(lit);
            }
        }
    }
    let mut reported: BTreeSet<(String, String)> = BTreeSet::new();
    for (rid, r) in m.route_ids() {
        let label = r.label();
        let Some(origin) = check.origins.get(label) else {
            continue;
        };
        if origin == label {
            continue;
        }
        let methods: Vec<String> = if r.methods.is_empty() {
            vec!["GET".into()]
        } else {
            r.methods.iter().map(|x| x.as_str().to_string()).collect()
        };
        let host = r
            .hosts
            .iter()
            .find(|h| !h.contains('*'))
            .map(|h| super::translate::split_host_port(h).0.to_string());
        for p in &prefixes {
            for w in [
                p.clone(),
                format!("{p}x"),
                format!("{}/x", p.trim_end_matches('/')),
                format!("{}/1", p.trim_end_matches('/')),
                format!("{}/x/y", p.trim_end_matches('/')),
            ] {
                for method in &methods {
                    let req = Request {
                        method: method.clone(),
                        host: host.clone(),
                        port: 443,
                        scheme: "https".into(),
                        path: uri::request_path(&w),
                        headers: Vec::new(),
                    };
                    let Some((now, matched)) = land(exported, &req) else {
                        continue;
                    };
                    if now != rid.index() {
                        continue;
                    }
                    let before = land(original, &req);
                    let before_label = before
                        .as_ref()
                        .map(|(b, _)| check.original.routes[*b].label().to_string());
                    let moved = before_label.as_deref() != Some(origin.as_str());
                    let path_changed = !moved
                        && before.as_ref().and_then(|(b, bm)| {
                            upstream(check.original, RouteId::new(*b), &req, bm.as_deref())
                        }) != upstream(m, rid, &req, matched.as_deref());
                    if (moved || path_changed) && reported.insert((label.to_string(), w.clone())) {
                        let base = check
                            .original
                            .route(origin)
                            .map(|b| check.original.route_at(b));
                        let message = if moved {
                            format!(
                                "route `{label}`, which portalgen derives from `{origin}`, would take `{method} {w}`, which {} serves today",
                                before_label
                                    .map(|b| format!("route `{b}`"))
                                    .unwrap_or_else(|| "no route".into())
                            )
                        } else {
                            format!(
                                "route `{label}`, which portalgen derives from `{origin}`, would send `{method} {w}` upstream with another path"
                            )
                        };
                        let mut d = Diagnostic::new(codes::KONG_ROUTING_CHANGED, format!("{message}; nothing is exported"))
                            .help(format!("give route `{origin}` `methods` (or narrower paths) so its operations can be split without taking other routes' requests"));
                        if let Some(b) = base {
                            d = d.at(&b.span);
                        }
                        diags.push(d);
                    }
                }
            }
        }
    }
}
