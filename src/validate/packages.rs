//! Package rules, as Konnect defines them: selectors resolve against the loaded APIs (with
//! "did you mean" when they match nothing), slugs are unique across APIs and packages,
//! `name` + `version` are unique, auth strategies exist, and an operation's own OpenAPI
//! security does not contradict the package's strategy.

use crate::diagnostics::codes;
use std::collections::BTreeMap;

use crate::diagnostics::suggest::{did_you_mean, distance as edit_distance};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::{Pick, RawPackage, Selector};
use crate::model::api::SecuritySchemeKind;
use crate::model::config::{AuthChoice, AuthKind, PortalConfig};
use crate::model::{Api, ApiId, Operation, OperationId, Package, PackageOperation, Slug};

pub fn resolve(
    raw: &[RawPackage],
    apis: &[Api],
    config: &PortalConfig,
    diags: &mut Diagnostics,
) -> Vec<Package> {
    let mut packages = Vec::new();
    let mut slugs: BTreeMap<&str, &RawPackage> = BTreeMap::new();
    let mut names: BTreeMap<(&str, Option<&str>), &RawPackage> = BTreeMap::new();
    let mut sorted: Vec<&RawPackage> = raw.iter().collect();
    sorted.sort_by(|a, b| a.span.file.cmp(&b.span.file));
    for p in sorted {
        if let Some(api) = apis.iter().find(|a| a.slug == p.slug) {
            diags.push(
                Diagnostic::new(
                    codes::DUPLICATE_SLUG,
                    format!("package slug `{}` is already the slug of an API", p.slug),
                )
                .at(&p.slug_span)
                .help(format!(
                    "slugs are unique across APIs and packages (API from {}); set another `slug:`",
                    api.source.file
                )),
            );
            continue;
        }
        if let Some(first) = slugs.insert(&p.slug, p) {
            diags.push(
                Diagnostic::new(
                    codes::DUPLICATE_SLUG,
                    format!("package slug `{}` is used twice", p.slug),
                )
                .at(&p.slug_span)
                .help(format!(
                    "also used by {}; set a distinct `slug:`",
                    first.span.file
                )),
            );
            continue;
        }
        if let Some(first) = names.insert((&p.name, p.version.as_deref()), p) {
            diags.push(
                Diagnostic::new(
                    codes::DUPLICATE_PACKAGE,
                    format!(
                        "package name `{}`{} is used twice",
                        p.name,
                        p.version
                            .as_deref()
                            .map(|v| format!(" version `{v}`"))
                            .unwrap_or_default()
                    ),
                )
                .at(&p.span)
                .help(format!(
                    "also used by {}; name + version must be unique (as in Konnect)",
                    first.span.file
                )),
            );
        }
        let auth = match &p.auth_strategy {
            Some((AuthChoice::Named(n), span)) => {
                super::config::strategy_exists(n, span, config, diags);
                AuthChoice::Named(n.clone())
            }
            Some((c, _)) => c.clone(),
            None => AuthChoice::Default,
        };
        // An invalid slug is reported by the loader (invalid-slug) and fails the run; the
        // package is still validated so every other problem is reported too.
        let slug = Slug::parse(&p.slug).unwrap_or_else(|| Slug::from_name(&p.slug));
        let mut ops: Vec<PackageOperation> = Vec::new();
        for sel in &p.selectors {
            for po in select(sel, apis, diags) {
                if let Some(prev) = ops.iter_mut().find(|o| o.operation == po.operation) {
                    // A later item that sets a limit or pins a route for an operation already
                    // picked (e.g. by `- api: x`) refines it: the operation gets its own limit.
                    if po.rate_limit.is_some() || po.route.is_some() {
                        let conflict = (po.rate_limit.is_some()
                            && prev.rate_limit.is_some()
                            && prev.rate_limit != po.rate_limit)
                            || (po.route.is_some()
                                && prev.route.is_some()
                                && prev.route != po.route);
                        if conflict {
                            diags.push(
                                Diagnostic::new(
                                    codes::CONFLICTING_PACKAGE_OPERATION,
                                    format!(
                                        "{} gets a different limit or route here than at line {}; this item wins",
                                        describe(apis, po.operation), prev.span.line
                                    ),
                                )
                                .at(&po.span),
                            );
                        }
                        if po.rate_limit.is_some() {
                            prev.rate_limit = po.rate_limit;
                        }
                        if po.route.is_some() {
                            prev.route = po.route.clone();
                            prev.span = po.span.clone();
                        }
                        continue;
                    }
                    diags.push(
                        Diagnostic::new(
                            codes::DUPLICATE_PACKAGE_OPERATION,
                            format!(
                                "{} is already in package `{}`",
                                describe(apis, po.operation),
                                p.slug
                            ),
                        )
                        .at(&po.span)
                        .help(format!(
                            "first selected at line {}; remove one of the items",
                            prev.span.line
                        )),
                    );
                    continue;
                }
                ops.push(po);
            }
        }
        // One method + path from two APIs cannot both be in one OpenAPI document.
        for (i, a) in ops.iter().enumerate() {
            let op_a = operation(apis, a.operation);
            if let Some(b) = ops[..i].iter().find(|b| {
                let op_b = operation(apis, b.operation);
                op_b.method == op_a.method
                    && op_b.path == op_a.path
                    && b.operation.api != a.operation.api
            }) {
                diags.push(
                    Diagnostic::new(
                        codes::PACKAGE_PATH_CLASH,
                        format!(
                            "package `{}` holds {} {} of both `{}` and `{}`; its OpenAPI download can describe only the first",
                            p.slug,
                            op_a.method,
                            op_a.path,
                            apis[b.operation.api.index()].slug,
                            apis[a.operation.api.index()].slug
                        ),
                    )
                    .at(&a.span)
                    .help("split the package, or serve the two APIs under different path prefixes"),
                );
            }
        }
        let package = Package {
            slug,
            name: p.name.clone(),
            version: p.version.clone(),
            description: p.description.clone(),
            rate_limit: p.rate_limit,
            auth_strategy: auth,
            visibility: p.visibility,
            teams: p.teams.clone(),
            auto_approve_registrations: p.auto_approve_registrations,
            operations: ops,
            span: p.span.clone(),
        };
        check_security(&package, apis, config, diags);
        packages.push(package);
    }
    packages.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.slug.cmp(&b.slug))
    });
    packages
}

/// The operation `id` among `apis`.
fn operation(apis: &[Api], id: OperationId) -> &Operation {
    &apis[id.api.index()].operations[id.index()]
}

/// "GET /orders of `shop`", for messages.
fn describe(apis: &[Api], id: OperationId) -> String {
    let op = operation(apis, id);
    format!(
        "{} {} of `{}`",
        op.method,
        op.path,
        apis[id.api.index()].slug
    )
}

fn select(sel: &Selector, apis: &[Api], diags: &mut Diagnostics) -> Vec<PackageOperation> {
    let Some(api_index) = apis.iter().position(|a| a.slug == sel.api) else {
        let names: Vec<&str> = apis.iter().map(|a| a.slug.as_str()).collect();
        let mut d = Diagnostic::new(
            codes::UNKNOWN_API,
            format!("package refers to unknown API `{}`", sel.api),
        )
        .at(&sel.api_span);
        d = match did_you_mean(&sel.api, &names) {
            Some(m) => d.help(format!("did you mean `{m}`?")),
            None if names.is_empty() => {
                d.help("the project has no APIs: add OpenAPI documents under apis/")
            }
            None => d.help(format!("known APIs: {}", names.join(", "))),
        };
        diags.push(d);
        return Vec::new();
    };
    let api = &apis[api_index];
    let api_id = ApiId::new(api_index);
    let picked: Vec<&Operation> = match &sel.pick {
        Pick::All => api.operations.iter().collect(),
        Pick::MethodPath { method, path } => {
            let norm = |p: &str| p.trim_end_matches('/').to_string();
            api.operations
                .iter()
                .filter(|o| o.method == *method && (o.path == *path || norm(&o.path) == norm(path)))
                .take(1)
                .collect()
        }
        Pick::OperationId(id) => api
            .operations
            .iter()
            .filter(|o| o.operation_id.as_deref() == Some(id))
            .take(1)
            .collect(),
        Pick::Tags(tags) => api
            .operations
            .iter()
            .filter(|o| o.tags.iter().any(|t| tags.contains(t)))
            .collect(),
    };
    if picked.is_empty() {
        diags.push(no_match(sel, api));
    }
    picked
        .into_iter()
        .map(|o| PackageOperation {
            operation: OperationId::new(
                api_id,
                api.operations
                    .iter()
                    .position(|x| std::ptr::eq(x, o))
                    .expect("picked from this API"),
            ),
            rate_limit: sel.rate_limit,
            route: sel.route.clone(),
            span: sel.span.clone(),
        })
        .collect()
}

/// "No operation matches" with the closest existing operations.
fn no_match(sel: &Selector, api: &Api) -> Diagnostic {
    let (what, closest): (String, Vec<String>) = match &sel.pick {
        Pick::All => (format!("API `{}` has no operations", api.slug), Vec::new()),
        Pick::MethodPath { method, path } => {
            let target = format!("{method} {path}");
            let mut scored: Vec<(usize, String)> = api
                .operations
                .iter()
                .map(|o| {
                    let s = format!("{} {}", o.method, o.path);
                    (edit_distance(&target, &s), s)
                })
                .collect();
            scored.sort();
            (
                format!("API `{}` has no operation {target}", api.slug),
                scored.into_iter().take(3).map(|(_, s)| s).collect(),
            )
        }
        Pick::OperationId(id) => {
            let mut scored: Vec<(usize, String)> = api
                .operations
                .iter()
                .filter_map(|o| o.operation_id.as_ref())
                .map(|oid| (edit_distance(id, oid), oid.clone()))
                .collect();
            scored.sort();
            (
                format!(
                    "API `{}` has no operation with operationId `{id}`",
                    api.slug
                ),
                scored
                    .into_iter()
                    .take(3)
                    .map(|(_, s)| format!("`{s}`"))
                    .collect(),
            )
        }
        Pick::Tags(tags) => {
            let mut all: Vec<String> = api
                .operations
                .iter()
                .flat_map(|o| o.tags.iter().cloned())
                .collect();
            all.sort();
            all.dedup();
            (
                format!(
                    "no operation of API `{}` has tag {}",
                    api.slug,
                    tags.iter()
                        .map(|t| format!("`{t}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
                all.into_iter().take(5).map(|t| format!("`{t}`")).collect(),
            )
        }
    };
    let d = Diagnostic::new(codes::UNKNOWN_OPERATION, what).at(&sel.span);
    if closest.is_empty() {
        d
    } else {
        d.help(format!("did you mean: {}", closest.join(", ")))
    }
}

/// Warn when an operation's own OpenAPI security cannot be met by the package's strategy
/// (e.g. OAuth2-only operations in a key-auth package).
fn check_security(p: &Package, apis: &[Api], config: &PortalConfig, diags: &mut Diagnostics) {
    let strategy = match &p.auth_strategy {
        AuthChoice::Named(n) => config.auth_strategy(n),
        AuthChoice::Default => config.default_auth_strategy(),
        AuthChoice::None => None,
    };
    let Some(strategy) = strategy else { return };
    for po in &p.operations {
        let api = &apis[po.operation.api.index()];
        let op = operation(apis, po.operation);
        let reqs = api.effective_security(op);
        if reqs.is_empty() || reqs.iter().any(|r| r.schemes.is_empty()) {
            continue;
        }
        let compatible = reqs.iter().any(|r| {
            r.schemes.iter().all(|(name, _)| {
                    let Some(scheme) = api.security_schemes.iter().find(|s| &s.name == name) else {
                        return true;
                    };
                    match (&strategy.kind, &scheme.kind) {
                        (AuthKind::KeyAuth { .. }, SecuritySchemeKind::ApiKey { .. }) => true,
                        (AuthKind::OpenidConnect { .. }, SecuritySchemeKind::OAuth2 { .. })
                        | (
                            AuthKind::OpenidConnect { .. },
                            SecuritySchemeKind::OpenIdConnect { .. },
                        ) => true,
                        (
                            AuthKind::OpenidConnect { .. },
                            SecuritySchemeKind::Http { scheme, .. },
                        ) => scheme.eq_ignore_ascii_case("bearer"),
                        _ => false,
                    }
                })
        });
        if !compatible {
            let declared: Vec<String> = reqs
                .iter()
                .map(|r| {
                    r.schemes
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(" + ")
                })
                .collect();
            let kind = match strategy.kind {
                AuthKind::KeyAuth { .. } => "key auth",
                AuthKind::OpenidConnect { .. } => "OpenID Connect",
            };
            diags.push(
                Diagnostic::new(
                    codes::SECURITY_MISMATCH,
                    format!(
                        "{} {} of `{}` declares security {} but package `{}` uses {kind} strategy `{}`",
                        op.method,
                        op.path,
                        api.slug,
                        declared.join(" or "),
                        p.slug,
                        strategy.name
                    ),
                )
                .at(&po.span)
                .help("align the OpenAPI `security` of the operation with the package's auth strategy, or pick another strategy"),
            );
        }
    }
}
