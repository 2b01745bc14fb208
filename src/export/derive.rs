//! Splitting a route whose operations are enforced differently (other packages, another auth,
//! an operation's own limit) into routes Kong can enforce one by one, with the least change
//! that keeps the route's matching and the path its upstream receives exactly as they are:
//!
//! 1. **Method copies**: when each method of the route serves operations enforced alike, a
//!    copy of the route per enforcement with just those `methods` (paths, hosts, headers,
//!    `strip_path` unchanged). The route keeps the other methods as the fallback for
//!    undocumented requests; a route without `methods` (all methods) stays as it is and the
//!    copies outrank it, having one matching field more.
//! 2. **`<path>/` copies**: when one method's operations split into the route's path itself
//!    and the paths below it, a copy with the prefix `<path>/`. Kong strips a prefix and then
//!    adds back exactly the one `/` that tells `<path>/x` from `<path>x`
//!    (`get_upstream_uri_v0`), so with `strip_path: true` the upstream path is the same as the
//!    route's, for every request.
//! 3. **Regex routes per path template** (`~/orders/[^#?/]+/?$`, a trailing `/` accepted as
//!    Konnect takes it): regex paths outrank prefix paths in Kong's real priorities
//!    ([`crate::kong::priority`]: bit 51 is a true 64-bit bit) and in the documented order. With
//!    `strip_path: true` Kong strips the *whole* regex match (`atc.lua`: the matched path is
//!    `captures[0]`), so the path below the route's prefix is captured as `rest` and put back
//!    by a route-scoped `request-transformer` with `replace.uri: <service path>$(uri_captures["rest"])`
//!    (rendered in Kong's default `untrusted_lua = sandbox`; `kong.service.request.set_path`
//!    escapes the path as the router's own upstream path is escaped).
//!
//! What cannot be split so is refused with the reason and the least manifest change that
//! would fix it. The export's self-verification proves every split on the real router.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::Method;
use crate::model::OperationId;
use crate::model::gateway::Route;

/// One operation the route serves, with its enforcement signature.
#[derive(Debug, Clone)]
pub struct RouteOp<S> {
    pub op: OperationId,
    pub method: Method,
    /// The request path template as clients send it (gateway path prefix included).
    pub template: String,
    /// A short name of the operation for route names.
    pub slug: String,
    pub sig: S,
}

/// A route to add beside the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived<S> {
    pub sig: S,
    pub methods: Vec<String>,
    /// `None`: the original's paths.
    pub paths: Option<Vec<String>>,
    /// `request-transformer` `replace.uri` that restores the upstream path.
    pub rewrite: Option<String>,
    /// Appended to the original's name (`<route>--<suffix>`).
    pub suffix: String,
    pub ops: Vec<OperationId>,
}

/// How a route is split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<S> {
    /// The original route's new `methods` (`None`: unchanged).
    pub methods: Option<Vec<String>>,
    /// What the original route enforces after the split.
    pub sig: S,
    pub derived: Vec<Derived<S>>,
}

/// The methods and operations of one enforcement on one path template.
type TemplateOps<'a, S> = (BTreeSet<&'static str>, Vec<&'a RouteOp<S>>);

/// Why a route cannot be split faithfully, and the least manifest change that fixes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: String,
    pub help: String,
}

/// Regex metacharacters of a literal path part escaped (as openapi2kong escapes them).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The regex of a path template part: literal text escaped, each `{param}` one segment.
fn template_regex(t: &str) -> String {
    let mut out = String::new();
    let mut rest = t;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&escape(&rest[..start]));
        out.push_str("[^#?/]+");
        rest = &rest[start + len + 1..];
    }
    out.push_str(&escape(rest));
    out
}

/// The literal text of a template before its first parameter.
fn head(t: &str) -> &str {
    t.split('{').next().unwrap_or(t)
}

fn kebab(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn methods_suffix(methods: &BTreeSet<&'static str>) -> String {
    methods
        .iter()
        .map(|m| m.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("-")
}

/// Split `route` (serving `ops`) so that each enforcement signature gets routes of its own.
/// `fallback` is the signature of operations no package holds (they stay on the original
/// route, the fallback for undocumented requests). `service_path` is the upstream path of the
/// route's service (`None` when a decK env reference decides it).
pub fn split<S: Ord + Clone>(
    route: &Route,
    service_path: Option<&str>,
    ops: &[RouteOp<S>],
    fallback: &S,
) -> Result<Split<S>, Refusal> {
    let label = route.label();
    let every = || {
        format!(
            "write one route per package in the decK file (each with the paths and methods of its operations) instead of route `{label}`"
        )
    };
    if route.expression.is_some() {
        return Err(Refusal {
            reason: "it matches with an `expression`".into(),
            help: every(),
        });
    }
    if !route.env.is_empty() {
        return Err(Refusal {
            reason: format!(
                "its `{}` hold decK env references",
                route.env.fields().join("`, `")
            ),
            help: "write the route's fields as values".into(),
        });
    }
    let mut by_method: BTreeMap<&'static str, Vec<&RouteOp<S>>> = BTreeMap::new();
    for o in ops {
        by_method.entry(o.method.as_str()).or_default().push(o);
    }
    let prefixes: Vec<&str> = route
        .paths
        .iter()
        .map(|p| p.value.as_str())
        .filter(|p| !p.starts_with('~'))
        .collect();
    let single_prefix = (route.paths.len() == 1 && prefixes.len() == 1).then(|| prefixes[0]);

    let mut whole: BTreeMap<S, BTreeSet<&'static str>> = BTreeMap::new();
    let mut slash: BTreeMap<S, BTreeSet<&'static str>> = BTreeMap::new();
    let mut templ: BTreeMap<(S, String), TemplateOps<'_, S>> = BTreeMap::new();
    let mut whole_ops: BTreeMap<S, Vec<OperationId>> = BTreeMap::new();
    let mut slash_ops: BTreeMap<S, Vec<OperationId>> = BTreeMap::new();
    for (&m, list) in &by_method {
        let sigs: BTreeSet<&S> = list.iter().map(|o| &o.sig).collect();
        if sigs.len() == 1 {
            let s = sigs.into_iter().next().expect("one signature");
            if s != fallback {
                whole.entry(s.clone()).or_default().insert(m);
                whole_ops
                    .entry(s.clone())
                    .or_default()
                    .extend(list.iter().map(|o| o.op));
            }
            continue;
        }
        // The route's path itself, and the paths below it.
        if let Some(p) = single_prefix {
            let below = format!("{}/", p.trim_end_matches('/'));
            let (exact, under): (Vec<&&RouteOp<S>>, Vec<&&RouteOp<S>>) =
                list.iter().partition(|o| o.template == p);
            let all_under = under.iter().all(|o| o.template.starts_with(&below));
            let exact_sigs: BTreeSet<&S> = exact.iter().map(|o| &o.sig).collect();
            let under_sigs: BTreeSet<&S> = under.iter().map(|o| &o.sig).collect();
            if !p.ends_with('/') && all_under && exact_sigs.len() <= 1 && under_sigs.len() == 1 {
                let s_exact = exact_sigs.into_iter().next().unwrap_or(fallback).clone();
                let s_under = under_sigs.into_iter().next().expect("one").clone();
                if s_exact != *fallback {
                    whole.entry(s_exact.clone()).or_default().insert(m);
                    whole_ops
                        .entry(s_exact)
                        .or_default()
                        .extend(exact.iter().map(|o| o.op));
                }
                slash.entry(s_under.clone()).or_default().insert(m);
                slash_ops
                    .entry(s_under)
                    .or_default()
                    .extend(under.iter().map(|o| o.op));
                continue;
            }
        }
        // One regex route per path template.
        if prefixes.len() != route.paths.len() {
            return Err(Refusal {
                reason: format!(
                    "its {m} operations are enforced differently and it matches with regex paths, which portalgen does not narrow per operation"
                ),
                help: every(),
            });
        }
        for o in list.iter().filter(|o| o.sig != *fallback) {
            let e = templ
                .entry((o.sig.clone(), o.template.clone()))
                .or_insert_with(|| (BTreeSet::new(), Vec::new()));
            e.0.insert(m);
            e.1.push(o);
        }
    }

    let mut derived: Vec<Derived<S>> = Vec::new();
    // Method copies.
    for (s, methods) in &whole {
        derived.push(Derived {
            sig: s.clone(),
            methods: methods.iter().map(|m| m.to_string()).collect(),
            paths: None,
            rewrite: None,
            suffix: methods_suffix(methods),
            ops: whole_ops.get(s).cloned().unwrap_or_default(),
        });
    }
    // `<path>/` copies.
    if let Some(p) = single_prefix {
        for (s, methods) in &slash {
            derived.push(Derived {
                sig: s.clone(),
                methods: methods.iter().map(|m| m.to_string()).collect(),
                paths: Some(vec![format!("{}/", p.trim_end_matches('/'))]),
                rewrite: None,
                suffix: format!("{}-below", methods_suffix(methods)),
                ops: slash_ops.get(s).cloned().unwrap_or_default(),
            });
        }
    }
    // Regex routes.
    for ((s, template), (methods, list)) in &templ {
        // The prefix of the route that takes this template's requests: the longest path the
        // template's literal head starts with.
        let Some(p) = prefixes
            .iter()
            .filter(|p| head(template).starts_with(*p) || template == *p)
            .max_by_key(|p| p.len())
            .copied()
        else {
            return Err(Refusal {
                reason: format!(
                    "a parameter of `{template}` falls inside its path prefix, so no regex can take exactly its requests"
                ),
                help: every(),
            });
        };
        let trimmed = if template.len() > 1 {
            template.trim_end_matches('/')
        } else {
            template.as_str()
        };
        let (path, rewrite) = if route.strip_path {
            if prefixes
                .iter()
                .any(|q| q.len() > p.len() && q.starts_with(p) && head(template).starts_with(q))
            {
                return Err(Refusal {
                    reason: format!("several of its paths are prefixes of `{template}`"),
                    help: every(),
                });
            }
            let Some(base) = service_path else {
                return Err(Refusal {
                    reason: "it strips its path (`strip_path: true`) and a decK env reference decides its service's path, so the upstream path cannot be restored".into(),
                    help: format!("write the path of route `{label}`'s service without env references, or set `strip_path: false` on the route"),
                });
            };
            let rest = trimmed.get(p.len()..).unwrap_or("");
            if rest.starts_with('.') || rest.contains("$(") || base.contains("$(") {
                return Err(Refusal {
                    reason: format!(
                        "the part of `{template}` below its prefix `{p}` cannot be restored exactly"
                    ),
                    help: every(),
                });
            }
            let path = format!("~{}(?<rest>{}/?)$", escape(p), template_regex(rest));
            let trimmed_base = base.trim_end_matches('/');
            let uri = if rest.is_empty() && base == "/" {
                "/".to_string()
            } else if rest.is_empty() || rest.starts_with('/') {
                format!("{trimmed_base}$(uri_captures[\"rest\"])")
            } else {
                format!("{trimmed_base}/$(uri_captures[\"rest\"])")
            };
            (path, Some(uri))
        } else {
            (format!("~{}/?$", template_regex(trimmed)), None)
        };
        let suffix = if list.len() == 1 {
            kebab(&list[0].slug)
        } else {
            format!("{}-{}", methods_suffix(methods), kebab(template))
        };
        derived.push(Derived {
            sig: s.clone(),
            methods: methods.iter().map(|m| m.to_string()).collect(),
            paths: Some(vec![path]),
            rewrite,
            suffix,
            ops: list.iter().map(|o| o.op).collect(),
        });
    }

    // The original route: the fallback, with the methods no copy took; when none are left, it
    // takes over the largest method copy itself.
    let mut methods = None;
    let mut sig = fallback.clone();
    if !route.methods.is_empty() {
        let taken: BTreeSet<&str> = whole.values().flatten().copied().collect();
        let left: Vec<String> = route
            .methods
            .iter()
            .map(|m| m.as_str().to_string())
            .filter(|m| !taken.contains(m.as_str()))
            .collect();
        if left.is_empty() {
            let largest = derived
                .iter()
                .enumerate()
                .filter(|(_, d)| d.paths.is_none())
                .max_by_key(|(i, d)| (d.ops.len(), std::cmp::Reverse(*i)))
                .map(|(i, _)| i);
            if let Some(i) = largest {
                let d = derived.remove(i);
                sig = d.sig;
                methods = Some(d.methods);
            }
        } else if left.len() != route.methods.len() {
            methods = Some(left);
        }
    }
    Ok(Split {
        methods,
        sig,
        derived,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::gateway::{PathHandling, Protocol, RouteMethod, Spanned, Tags};
    use crate::source::Span;

    fn route(paths: &[&str], methods: &[&str], strip: bool) -> Route {
        let sp = |s: &str| Spanned::new(s.to_string(), Span::file("x"));
        Route {
            name: Some("r".into()),
            id: None,
            service: None,
            service_ref: None,
            methods: methods
                .iter()
                .map(|m| Spanned::new(RouteMethod::parse(m), Span::file("x")))
                .collect(),
            hosts: vec![],
            hosts_present: false,
            paths: paths.iter().map(|p| sp(p)).collect(),
            headers: vec![],
            snis: vec![],
            sources: vec![],
            destinations: vec![],
            protocols: vec![Protocol::Http, Protocol::Https],
            strip_path: strip,
            preserve_host: false,
            regex_priority: 0,
            path_handling: PathHandling::V0,
            expression: None,
            priority: None,
            tags: Tags::default(),
            env: Default::default(),
            span: Span::file("x"),
            extra: Default::default(),
        }
    }

    fn op(i: usize, m: Method, t: &str, sig: u8) -> RouteOp<u8> {
        RouteOp {
            op: OperationId::new(crate::model::ApiId::new(0), i),
            method: m,
            template: t.into(),
            slug: format!("op{i}"),
            sig,
        }
    }

    #[test]
    fn methods_first_then_the_path_below_then_regex() {
        // GET and POST enforced differently: one method copy, the route keeps GET.
        let r = route(&["/orders"], &["GET", "POST"], false);
        let s = split(
            &r,
            Some("/"),
            &[
                op(0, Method::Get, "/orders", 1),
                op(1, Method::Post, "/orders", 2),
            ],
            &0,
        )
        .unwrap();
        assert_eq!(s.sig, 1);
        assert_eq!(s.methods, Some(vec!["GET".to_string()]));
        assert_eq!(s.derived.len(), 1);
        assert_eq!(s.derived[0].methods, ["POST"]);
        // GET /orders and GET /orders/{id} differ: a `/orders/` copy.
        let s = split(
            &r,
            Some("/"),
            &[
                op(0, Method::Get, "/orders", 1),
                op(1, Method::Get, "/orders/{id}", 2),
            ],
            &0,
        )
        .unwrap();
        let below = s.derived.iter().find(|d| d.sig == 2).unwrap();
        assert_eq!(below.paths, Some(vec!["/orders/".to_string()]));
        // Two templates below the path: regex routes, with the path restored under strip_path.
        let r = route(&["/orders"], &[], true);
        let s = split(
            &r,
            Some("/api"),
            &[
                op(0, Method::Get, "/orders/{id}", 1),
                op(1, Method::Get, "/orders/{id}/items", 2),
            ],
            &0,
        )
        .unwrap();
        let items = s.derived.iter().find(|d| d.sig == 2).unwrap();
        assert_eq!(
            items.paths,
            Some(vec!["~/orders(?<rest>/[^#?/]+/items/?)$".to_string()])
        );
        assert_eq!(
            items.rewrite.as_deref(),
            Some("/api$(uri_captures[\"rest\"])")
        );
        // A regex route cannot be narrowed per path.
        let r = route(&["~/orders/\\d+$"], &["GET"], false);
        assert!(
            split(
                &r,
                Some("/"),
                &[
                    op(0, Method::Get, "/orders/{id}", 1),
                    op(1, Method::Get, "/orders/{x}", 2)
                ],
                &0
            )
            .is_err()
        );
    }
}
