//! Kong's translation of a route into ATC matchers, ported line by line from
//! `kong/router/transform.lua` (`get_expression`, `split_routes_and_services_by_path`) and
//! `kong/router/expressions.lua`: classic fields become one expression string, a route whose
//! paths mix regexes and prefixes of different lengths is split into one matcher per group
//! with a UUIDv5 sub-id, and the `expressions` flavor appends the protocol test. Keeping the
//! exact strings means atc-router parses and evaluates exactly what Kong would hand it.

use uuid::Uuid;

use super::rules;
use crate::model::config::RouterFlavor;
use crate::model::gateway::{Net, Protocol, Route};

/// Namespace of `uuid.factory_v5(...)` in transform.lua for split routes.
const SPLIT_NAMESPACE: Uuid = Uuid::from_u128(0x7f145bf9_0dce_4f91_98eb_debbce4b9f6b);

/// Namespace for the ids portalgen invents for routes written without `id` (Kong would assign
/// a random one; ties involving such routes are reported as ambiguous).
const SYNTHETIC_NAMESPACE: Uuid = Uuid::from_u128(0x5d1c_7a2e_8f3b_4c60_9a1d_2e7f_0b3c_4d5e);

/// One matcher as Kong adds it to atc-router: a route or one path group of a split route.
#[derive(Debug, Clone)]
pub struct Group {
    /// Paths of this group (all regex, or prefixes of one length); empty for no paths.
    pub paths: Vec<String>,
    pub uuid: Uuid,
    /// True when this is a sub-matcher of a split route.
    pub split: bool,
}

/// Kong's `is_regex_magic`: a path starting with `~`.
pub fn is_regex(path: &str) -> bool {
    path.starts_with('~')
}

/// A route's id as atc-router sees it: the explicit `id`, else a stable invented one.
pub fn route_uuid(route: &Route, index: usize) -> (Uuid, bool) {
    if let Some(id) = route.id.as_deref().and_then(|i| Uuid::parse_str(i).ok()) {
        return (id, true);
    }
    let seed = format!(
        "{}#{}#{}:{}",
        index,
        route.label(),
        route.span.file,
        route.span.line
    );
    (Uuid::new_v5(&SYNTHETIC_NAMESPACE, seed.as_bytes()), false)
}

/// `split_route_by_path_into`: one group per regex set / prefix length when there are several
/// paths; the route unchanged otherwise (or when it has an `expression`).
pub fn split(route: &Route, id: Uuid, flavor: RouterFlavor) -> Vec<Group> {
    let expression_route = flavor == RouterFlavor::Expressions && route.expression.is_some();
    if route.paths.len() <= 1 || expression_route {
        return vec![Group {
            paths: route.paths.iter().map(|p| p.value.clone()).collect(),
            uuid: id,
            split: false,
        }];
    }
    // group_by(paths, is_regex_magic(path) or #path), keys in first-seen order.
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for p in &route.paths {
        let key = if is_regex(p) {
            "true".to_string()
        } else {
            p.len().to_string()
        };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(p.value.clone()),
            None => groups.push((key, vec![p.value.clone()])),
        }
    }
    let id_text = id.hyphenated().to_string();
    groups
        .into_iter()
        .map(|(key, paths)| Group {
            paths,
            uuid: Uuid::new_v5(&SPLIT_NAMESPACE, format!("{id_text}#{key}").as_bytes()),
            split: true,
        })
        .collect()
}

/// `escape_str` of transform.lua: a raw string unless the value contains `"#`.
pub fn escape_str(s: &str) -> String {
    if !s.contains("\"#") {
        return format!("r#\"{s}\"#");
    }
    let s = s.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{s}\"")
}

fn gen_for_field(
    name: &str,
    values: &[String],
    op: impl Fn(&str) -> &'static str,
    transform: impl Fn(&str, &str) -> String,
) -> Option<String> {
    if values.is_empty() {
        return None;
    }
    let parts: Vec<String> = values
        .iter()
        .map(|v| {
            let op = op(v);
            format!("{name} {op} {}", escape_str(&transform(op, v)))
        })
        .collect();
    Some(format!("({})", parts.join(" || ")))
}

/// `parse_ip_addr`: an IPv4 CIDR has its address masked; anything else is kept.
fn parse_ip_addr(ip: &str) -> (String, Option<u32>) {
    let Some((addr, mask)) = ip.split_once('/') else {
        return (ip.to_string(), None);
    };
    let Ok(mask) = mask.parse::<u32>() else {
        return (ip.to_string(), None);
    };
    match addr.parse::<std::net::Ipv4Addr>() {
        Ok(v4) if mask <= 32 => {
            let bits = u32::from(v4);
            let masked = if mask == 0 {
                0
            } else {
                bits & (u32::MAX << (32 - mask))
            };
            (std::net::Ipv4Addr::from(masked).to_string(), Some(mask))
        }
        _ => (addr.to_string(), Some(mask)),
    }
}

fn gen_for_nets(ip_field: &str, port_field: &str, values: &[Net]) -> Option<String> {
    if values.is_empty() {
        return None;
    }
    let parts: Vec<String> = values
        .iter()
        .map(|Net { ip, port }| {
            let exp_ip = ip.as_deref().map(|ip| match parse_ip_addr(ip) {
                (addr, Some(mask)) => format!("{ip_field} in {addr}/{mask}"),
                (addr, None) => format!("{ip_field} == {addr}"),
            });
            let exp_port = port.map(|p| format!("{port_field} == {p}"));
            match (exp_ip, exp_port) {
                (Some(i), Some(p)) => format!("({i} && {p})"),
                (Some(i), None) => i,
                (None, Some(p)) => p,
                (None, None) => String::new(),
            }
        })
        .collect();
    Some(format!("({})", parts.join(" || ")))
}

/// `split_host_port`: `example.com:123` → (`example.com`, 123); a non-numeric tail is kept.
pub fn split_host_port(key: &str) -> (&str, Option<u16>) {
    match key.find(':') {
        None => (key, None),
        Some(p) => match key[p + 1..].parse::<u16>() {
            Ok(port) => (&key[..p], Some(port)),
            Err(_) => (key, None),
        },
    }
}

/// Stream routes (first protocol tcp/udp/tls/tls_passthrough) are not HTTP routes.
pub fn is_stream_route(route: &Route) -> bool {
    route.protocols.first().is_some_and(|p| p.is_stream())
}

/// `get_expression` of transform.lua for the classic fields of `route`, with `paths`
/// replaced by one split group.
pub fn classic_expression(route: &Route, paths: &[String]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let snis: Vec<String> = route
        .snis
        .iter()
        .map(|p| {
            if p.len() > 1 && p.ends_with('.') {
                p[..p.len() - 1].to_string()
            } else {
                p.clone()
            }
        })
        .collect();
    if let Some(sni) = gen_for_field("tls.sni", &snis, |_| "==", |_, v| v.to_string()) {
        parts.push(format!("(net.protocol != r#\"https\"# || {sni})"));
    }
    if let Some(g) = gen_for_nets("net.src.ip", "net.src.port", &route.sources) {
        parts.push(g);
    }
    if let Some(g) = gen_for_nets("net.dst.ip", "net.dst.port", &route.destinations) {
        parts.push(g);
    }
    let methods: Vec<String> = route
        .methods
        .iter()
        .map(|m| m.as_str().to_string())
        .collect();
    if let Some(g) = gen_for_field("http.method", &methods, |_| "==", |_, v| v.to_string()) {
        parts.push(g);
    }
    if !route.hosts.is_empty() {
        let hosts: Vec<String> = route
            .hosts
            .iter()
            .map(|h| {
                let (host, port) = split_host_port(h);
                let (op, host) = if let Some(rest) = host.strip_prefix('*') {
                    ("=^", rest)
                } else if let Some(rest) = host.strip_suffix('*') {
                    ("^=", rest)
                } else {
                    ("==", host)
                };
                let exp = format!("http.host {op} r#\"{host}\"#");
                match port {
                    Some(port) => format!("({exp} && net.dst.port == {port})"),
                    None => exp,
                }
            })
            .collect();
        parts.push(format!("({})", hosts.join(" || ")));
    }
    if let Some(g) = gen_for_field(
        "http.path",
        paths,
        |p| if is_regex(p) { "~" } else { "^=" },
        |op, p| {
            if op == "~" {
                // strip `~`, anchor with `^`, `(?<name>` → `(?P<name>` for the regex crate.
                format!("^{}", p[1..].replace("?<", "?P<"))
            } else {
                p.to_string()
            }
        },
    ) {
        parts.push(g);
    }
    if rules::match_headers(route).next().is_some() {
        // A `host` entry is refused by Kong's schema (reported by the rules) and not matched.
        let headers: Vec<String> = rules::match_headers(route)
            .map(|h| {
                let (name, values) = (&h.name.value, &h.values);
                let field = format!(
                    "any(lower(http.headers.{}))",
                    name.replace('-', "_").to_lowercase()
                );
                let alts: Vec<String> = values
                    .iter()
                    .map(|v| match v.strip_prefix("~*") {
                        Some(re) => format!("{field} ~ {}", escape_str(&re.to_lowercase())),
                        None => format!("{field} == {}", escape_str(&v.to_lowercase())),
                    })
                    .collect();
                format!("({})", alts.join(" || "))
            })
            .collect();
        parts.push(headers.join(" && "));
    }
    parts.join(" && ")
}

/// The expression Kong hands atc-router for one group of `route` in `flavor`.
pub fn expression(route: &Route, group: &Group, flavor: RouterFlavor) -> String {
    match flavor {
        RouterFlavor::TraditionalCompatible => classic_expression(route, &group.paths),
        RouterFlavor::Expressions => {
            let exp = match &route.expression {
                Some(e) => e.value.replace("net.port", "net.dst.port"),
                None => classic_expression(route, &group.paths),
            };
            let protocols = &route.protocols;
            if protocols.len() == 1
                && matches!(
                    protocols[0],
                    Protocol::Https | Protocol::Tls | Protocol::TlsPassthrough
                )
            {
                return exp;
            }
            let mapped: Vec<String> = protocols
                .iter()
                .map(|p| match p.as_str() {
                    "tls_passthrough" => "tcp".to_string(),
                    "grpc" => "http".to_string(),
                    "grpcs" => "https".to_string(),
                    other => other.to_string(),
                })
                .collect();
            match gen_for_field("net.protocol", &mapped, |_| "==", |_, v| v.to_string()) {
                Some(g) => format!("{exp} && {g}"),
                None => exp,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::gateway::{Header, PathHandling, RouteMethod, Spanned, Tags};
    use crate::source::Span;

    fn sp<T>(value: T) -> Spanned<T> {
        Spanned::new(value, Span::file("x"))
    }

    fn strings(list: &[&str]) -> Vec<Spanned<String>> {
        list.iter().map(|s| sp(s.to_string())).collect()
    }

    fn route() -> Route {
        Route {
            name: Some("r".into()),
            id: Some("e8fb37f1-102d-461e-9c51-6608a6bb8101".into()),
            service: None,
            service_ref: None,
            methods: vec![],
            hosts: vec![],
            hosts_present: false,
            paths: vec![],
            headers: vec![],
            snis: vec![],
            sources: vec![],
            destinations: vec![],
            protocols: vec![Protocol::Http, Protocol::Https],
            strip_path: true,
            preserve_host: false,
            regex_priority: 0,
            path_handling: PathHandling::V0,
            env: Default::default(),
            expression: None,
            priority: None,
            tags: Tags::default(),
            span: Span::file("x"),
            extra: Default::default(),
        }
    }

    #[test]
    fn expression_strings_match_kong() {
        let mut r = route();
        r.methods = vec![
            sp(RouteMethod::parse("GET")),
            sp(RouteMethod::parse("POST")),
        ];
        r.hosts = strings(&["*.example.com", "api.*", "a.com:8000"]);
        r.paths = strings(&["/orders"]);
        r.headers = vec![Header {
            name: sp("X-Version".into()),
            values: vec!["V1".into(), "~*^v[23]$".into()],
            values_span: Span::file("x"),
        }];
        let g = &split(&r, Uuid::nil(), RouterFlavor::TraditionalCompatible)[0];
        assert_eq!(
            expression(&r, g, RouterFlavor::TraditionalCompatible),
            "(http.method == r#\"GET\"# || http.method == r#\"POST\"#) && \
             (http.host =^ r#\".example.com\"# || http.host ^= r#\"api.\"# || (http.host == r#\"a.com\"# && net.dst.port == 8000)) && \
             (http.path ^= r#\"/orders\"#) && \
             (any(lower(http.headers.x_version)) == r#\"v1\"# || any(lower(http.headers.x_version)) ~ r#\"^v[23]$\"#)"
        );
        for g in split(&r, Uuid::nil(), RouterFlavor::TraditionalCompatible) {
            let e = expression(&r, &g, RouterFlavor::TraditionalCompatible);
            assert!(atc_router::parser::parse(&e).is_ok(), "{e}");
        }
    }

    #[test]
    fn regex_paths_are_anchored_and_named_groups_rewritten() {
        let mut r = route();
        r.paths = strings(&["~/orders/(?<id>\\d+)$"]);
        let g = &split(&r, Uuid::nil(), RouterFlavor::TraditionalCompatible)[0];
        assert_eq!(
            classic_expression(&r, &g.paths),
            "(http.path ~ r#\"^/orders/(?P<id>\\d+)$\"#)"
        );
        assert_eq!(escape_str("a\"#b\\"), "\"a\\\"#b\\\\\"");
    }

    #[test]
    fn split_groups_regex_and_prefix_lengths_with_v5_ids() {
        let mut r = route();
        r.paths = strings(&["/abc", "~/x$", "/abd", "/longer"]);
        let id = Uuid::parse_str("e8fb37f1-102d-461e-9c51-6608a6bb8101").unwrap();
        let groups = split(&r, id, RouterFlavor::TraditionalCompatible);
        assert_eq!(groups.len(), 3);
        assert_eq!(
            groups[0].paths,
            vec!["/abc".to_string(), "/abd".to_string()]
        );
        assert_eq!(groups[1].paths, vec!["~/x$".to_string()]);
        assert_eq!(
            groups[0].uuid,
            Uuid::new_v5(&SPLIT_NAMESPACE, b"e8fb37f1-102d-461e-9c51-6608a6bb8101#4")
        );
        assert_eq!(
            groups[1].uuid,
            Uuid::new_v5(
                &SPLIT_NAMESPACE,
                b"e8fb37f1-102d-461e-9c51-6608a6bb8101#true"
            )
        );
        // A single path is never split.
        r.paths = strings(&["/abc"]);
        assert_eq!(
            split(&r, id, RouterFlavor::TraditionalCompatible)[0].uuid,
            id
        );
    }

    #[test]
    fn expressions_flavor_appends_protocols() {
        let mut r = route();
        r.expression = Some(sp("http.path == \"/a\"".into()));
        r.priority = Some(sp(5));
        let g = &split(&r, Uuid::nil(), RouterFlavor::Expressions)[0];
        assert_eq!(
            expression(&r, g, RouterFlavor::Expressions),
            "http.path == \"/a\" && (net.protocol == r#\"http\"# || net.protocol == r#\"https\"#)"
        );
        r.protocols = vec![Protocol::Https];
        assert_eq!(
            expression(&r, g, RouterFlavor::Expressions),
            "http.path == \"/a\""
        );
    }
}
