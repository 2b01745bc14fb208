//! One decK file at a time: the spanned tree of a decK YAML/JSON file turned into services and
//! routes, with decK's shape rules (known keys, `name` or `id`) and Kong's route rules (path
//! forms, normalised prefixes, Rust-regex validity, host wildcards) checked at the line where
//! the value is written. [`Merger`] then merges files as `deck gateway sync a.yaml b.yaml`
//! does: entity lists are concatenated, `_info` merged, and top-level routes resolved against
//! the services of every file.

use crate::diagnostics::codes;
use std::sync::Arc;

use serde_json::Value as J;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::load::read::Reader;
use crate::model::ServiceId;
use crate::model::gateway::{Manifest, Route, Service};
use crate::source::SourceMap;
use crate::source::Span;
use crate::tree::{self, Node, Value};
use std::path::{Path, PathBuf};

/// Root keys accepted by decK's JSON schema (`additionalProperties: false`).
const ROOT_KEYS: &[&str] = &[
    "_format_version",
    "_info",
    "_konnect",
    "_plugin_configs",
    "_transform",
    "_workspace",
    "ca_certificates",
    "certificates",
    "cloned_plugins",
    "consumer_groups",
    "consumers",
    "custom_plugins",
    "filter_chains",
    "licenses",
    "key_sets",
    "keys",
    "custom_entities",
    "partials",
    "plugins",
    "rbac_roles",
    "routes",
    "service_packages",
    "services",
    "upstreams",
    "vaults",
];

/// `FRoute` properties of decK's schema.
const ROUTE_KEYS: &[&str] = &[
    "created_at",
    "destinations",
    "expression",
    "filter_chains",
    "headers",
    "hosts",
    "https_redirect_status_code",
    "id",
    "methods",
    "name",
    "path_handling",
    "paths",
    "plugins",
    "preserve_host",
    "priority",
    "protocols",
    "regex_priority",
    "request_buffering",
    "response_buffering",
    "service",
    "snis",
    "sources",
    "strip_path",
    "tags",
    "updated_at",
];

/// `FService` properties of decK's schema.
const SERVICE_KEYS: &[&str] = &[
    "ca_certificates",
    "client_certificate",
    "connect_timeout",
    "created_at",
    "enabled",
    "filter_chains",
    "host",
    "id",
    "name",
    "path",
    "plugins",
    "port",
    "protocol",
    "read_timeout",
    "retries",
    "routes",
    "tags",
    "tls_sans",
    "tls_verify",
    "tls_verify_depth",
    "updated_at",
    "url",
    "write_timeout",
];

const INFO_KEYS: &[&str] = &[
    "default_lookup_tags",
    "defaults",
    "select_tags",
    "consumer_group_policy_overrides",
    "include_plugin_definitions",
    "skip_hash_for_basic_auth",
];

/// A top-level route's `service: {name|id}` reference, resolved once every file is read.
struct ServiceRef {
    route: usize,
    name: Option<String>,
    id: Option<String>,
    span: Span,
}

/// Accumulates decK files in order and produces the merged [`Manifest`].
#[derive(Default)]
pub struct Merger {
    files: Vec<String>,
    services: Vec<Service>,
    routes: Vec<Route>,
    refs: Vec<ServiceRef>,
    document: serde_json::Map<String, J>,
    format_version: Option<(String, Span)>,
    select_tags: Vec<String>,
    /// Each file's select_tags with the position they are written at.
    file_select_tags: Vec<(Vec<String>, Span)>,
    diags: Diagnostics,
}

/// Per-file parsing context: the file's strict [`Reader`] and the run's diagnostics.
struct FileCtx<'a> {
    file: Arc<str>,
    diags: &'a mut Diagnostics,
}

impl FileCtx<'_> {
    fn span(&self, node: &Node) -> Span {
        node.span(&self.file)
    }

    fn report(&mut self, code: Code, message: impl Into<String>, node: &Node) {
        let span = self.span(node);
        self.diags.push(Diagnostic::new(code, message).at(&span));
    }

    /// Report keys of `node` that decK's file schema does not allow.
    fn unknown_keys(&mut self, node: &Node, known: &[&str], what: &str) {
        Reader::strict(&self.file).deny_unknown(node, known, what, self.diags);
    }

    fn string(&mut self, node: Option<&Node>, field: &str) -> Option<String> {
        Reader::strict(&self.file).string(&format!("`{field}`"), node?, self.diags)
    }

    fn bool(&mut self, node: Option<&Node>, field: &str, default: bool) -> bool {
        node.and_then(|n| Reader::strict(&self.file).bool(&format!("`{field}`"), n, self.diags))
            .unwrap_or(default)
    }

    fn int(&mut self, node: Option<&Node>, field: &str) -> Option<i64> {
        Reader::strict(&self.file).integer(&format!("`{field}`"), node?, self.diags)
    }

    /// A list of strings, each with its node (for positions); `None` when absent.
    fn strings<'n>(
        &mut self,
        node: Option<&'n Node>,
        field: &str,
    ) -> Option<Vec<(String, &'n Node)>> {
        let node = node.filter(|n| n.value != Value::Null)?;
        Some(Reader::strict(&self.file).strings(&format!("`{field}`"), node, false, self.diags))
    }
}

impl Merger {
    /// Parse one decK file (already registered in the source map under `rel`).
    pub fn add_file(&mut self, rel: &str, text: &str) {
        self.files.push(rel.to_string());
        let file: Arc<str> = Arc::from(rel);
        let root = match tree::parse(text) {
            Ok(root) => root,
            Err(e) => {
                self.diags
                    .push(e.diagnostic(file, "cannot parse decK file: ", 0));
                return;
            }
        };
        if root.as_map().is_none() {
            self.diags.push(
                Diagnostic::new(
                    codes::WRONG_TYPE,
                    format!("a decK file must be a mapping, found {}", root.kind()),
                )
                .at(&root.span(&file)),
            );
            return;
        }
        let first_route = self.routes.len();
        let first_service = self.services.len();
        let mut diags = std::mem::take(&mut self.diags);
        let mut cx = FileCtx {
            file: file.clone(),
            diags: &mut diags,
        };
        cx.unknown_keys(&root, ROOT_KEYS, "a decK file");

        // _format_version
        let version = root.get("_format_version").and_then(Node::scalar_text);
        match (&version, root.get("_format_version")) {
            (None, _) => cx.diags.push(
                Diagnostic::new(
                    codes::DECK_FORMAT_VERSION,
                    "the decK file has no `_format_version` (\"3.0\" expected)",
                )
                .at(&Span::new(file.clone(), 1, 1)),
            ),
            (Some(v), Some(node)) if v != "3.0" => {
                let message = if v == "1.1" {
                    "`_format_version: \"1.1\"` is the pre-3.0 format; Kong 3.x expects \"3.0\" (regex paths need a leading `~`)".to_string()
                } else {
                    format!("unsupported `_format_version` \"{v}\" (\"3.0\" expected)")
                };
                cx.report(codes::DECK_FORMAT_VERSION, message, node);
            }
            _ => {}
        }
        if let (Some(v), Some(node)) = (&version, root.get("_format_version")) {
            match &self.format_version {
                None => self.format_version = Some((v.clone(), cx.span(node))),
                Some((first, at)) if first != v => cx.report(
                    codes::DECK_FORMAT_VERSION,
                    format!("`_format_version` \"{v}\" differs from \"{first}\" set at {at}"),
                    node,
                ),
                _ => {}
            }
        }

        // _info.select_tags
        let mut file_tags: Vec<String> = Vec::new();
        if let Some(info) = root.get("_info") {
            if info.as_map().is_some() {
                cx.unknown_keys(info, INFO_KEYS, "`_info`");
                if let Some(tags) = cx.strings(info.get("select_tags"), "select_tags") {
                    file_tags = tags.into_iter().map(|(s, _)| s).collect();
                    let span = cx.span(info.get("select_tags").unwrap_or(info));
                    self.file_select_tags.push((file_tags.clone(), span));
                }
            } else {
                cx.report(
                    codes::WRONG_TYPE,
                    format!("`_info` must be a mapping, found {}", info.kind()),
                    info,
                );
            }
        }

        // services (with nested routes)
        if let Some(list) = root.get("services") {
            match list.as_seq() {
                Some(items) => {
                    for item in items {
                        let Some(service) = parse_service(&mut cx, item) else {
                            continue;
                        };
                        let index = self.services.len();
                        self.services.push(service);
                        if let Some(routes) = item.get("routes") {
                            match routes.as_seq() {
                                Some(routes) => {
                                    for r in routes {
                                        if let Some(route) = parse_route(&mut cx, r, Some(index)) {
                                            self.routes.push(route);
                                        }
                                    }
                                }
                                None => cx.report(
                                    codes::WRONG_TYPE,
                                    format!("`routes` must be a list, found {}", routes.kind()),
                                    routes,
                                ),
                            }
                        }
                    }
                }
                None => cx.report(
                    codes::WRONG_TYPE,
                    format!("`services` must be a list, found {}", list.kind()),
                    list,
                ),
            }
        }

        // top-level routes with `service: {name|id}`
        if let Some(list) = root.get("routes") {
            match list.as_seq() {
                Some(items) => {
                    for item in items {
                        let Some(route) = parse_route(&mut cx, item, None) else {
                            continue;
                        };
                        let index = self.routes.len();
                        if let Some(svc) = item.get("service") {
                            let (name, id) = match &svc.value {
                                Value::String(s) => (Some(s.clone()), None),
                                Value::Map(_) => (
                                    svc.get("name").and_then(Node::scalar_text),
                                    svc.get("id").and_then(Node::scalar_text),
                                ),
                                _ => (None, None),
                            };
                            if name.is_none() && id.is_none() {
                                cx.report(
                                    codes::WRONG_TYPE,
                                    "`service` must be `{name: ...}` or `{id: ...}`",
                                    svc,
                                );
                            } else {
                                self.refs.push(ServiceRef {
                                    route: index,
                                    name,
                                    id,
                                    span: cx.span(svc),
                                });
                            }
                        }
                        self.routes.push(route);
                    }
                }
                None => cx.report(
                    codes::WRONG_TYPE,
                    format!("`routes` must be a list, found {}", list.kind()),
                    list,
                ),
            }
        }

        // Pre-3.0 format: regex paths were written without `~`.
        if version.as_deref() == Some("1.1") {
            for route in &self.routes[first_route..] {
                for p in &route.paths {
                    if !p.starts_with('~') && looks_like_regex(p) {
                        cx.diags.push(
                            Diagnostic::new(
                                codes::DECK_REGEX_WITHOUT_TILDE,
                                format!(
                                    "path `{p}` of route `{}` looks like a regex but has no `~`: Kong 3.x matches it as a plain prefix",
                                    route.label()
                                ),
                            )
                            .at(&route.span)
                            .help(format!("write `~{p}` (what `deck file convert --from kong-gateway-2.x` does)")),
                        );
                    }
                }
            }
        }

        // decK adds the file's select_tags to every entity it manages.
        if !file_tags.is_empty() {
            for s in &mut self.services[first_service..] {
                add_tags(&mut s.tags, &file_tags);
            }
            for r in &mut self.routes[first_route..] {
                add_tags(&mut r.tags, &file_tags);
            }
            add_tags(&mut self.select_tags, &file_tags);
        }

        merge_document(&mut self.document, &root);
        self.diags = diags;
    }

    /// Resolve cross-file references and return the merged manifest.
    pub fn finish(mut self) -> (Manifest, Diagnostics) {
        for r in std::mem::take(&mut self.refs) {
            let found = r
                .name
                .as_deref()
                .and_then(|n| {
                    self.services
                        .iter()
                        .position(|s| s.name.as_deref() == Some(n))
                })
                .or_else(|| {
                    r.id.as_deref().and_then(|i| {
                        self.services
                            .iter()
                            .position(|s| s.id.as_deref() == Some(i))
                    })
                });
            match found {
                Some(i) => self.routes[r.route].service = Some(ServiceId::new(i)),
                None => {
                    let what = r
                        .name
                        .as_deref()
                        .map(|n| format!("name `{n}`"))
                        .or_else(|| r.id.as_deref().map(|i| format!("id `{i}`")))
                        .unwrap_or_default();
                    self.diags.push(
                        Diagnostic::new(
                            codes::UNKNOWN_SERVICE,
                            format!(
                                "route `{}` refers to a service with {what} that no decK file defines",
                                self.routes[r.route].label()
                            ),
                        )
                        .at(&r.span),
                    );
                }
            }
        }
        // Duplicate names / ids (decK refuses them).
        duplicates(
            &mut self.diags,
            self.routes
                .iter()
                .map(|r| (r.name.as_deref(), r.id.as_deref(), &r.span)),
            "route",
            codes::DUPLICATE_ROUTE,
        );
        duplicates(
            &mut self.diags,
            self.services
                .iter()
                .map(|s| (s.name.as_deref(), s.id.as_deref(), &s.span)),
            "service",
            codes::DUPLICATE_SERVICE,
        );
        // Files synced together must use the same select_tags.
        if let Some((first, _)) = self.file_select_tags.first() {
            for (tags, span) in &self.file_select_tags[1..] {
                let mut a = first.clone();
                let mut b = tags.clone();
                a.sort();
                b.sort();
                if a != b {
                    self.diags.push(
                        Diagnostic::new(
                            codes::DECK_SELECT_TAGS,
                            format!(
                                "`_info.select_tags` [{}] differ from [{}] of the first file; decK syncs a file only with the select_tags it was dumped with",
                                tags.join(", "),
                                first.join(", ")
                            ),
                        )
                        .at(span),
                    );
                }
            }
        }
        let mut files = self.files;
        files.sort();
        files.dedup();
        let manifest = Manifest {
            files,
            services: self.services,
            routes: self.routes,
            document: self.document,
            format_version: self.format_version.map(|(v, _)| v),
            select_tags: self.select_tags,
        };
        (manifest, self.diags)
    }
}

fn add_tags(tags: &mut Vec<String>, extra: &[String]) {
    for t in extra {
        if !tags.contains(t) {
            tags.push(t.clone());
        }
    }
}

fn duplicates<'a>(
    diags: &mut Diagnostics,
    items: impl Iterator<Item = (Option<&'a str>, Option<&'a str>, &'a Span)>,
    what: &str,
    code: Code,
) {
    let mut names: std::collections::HashMap<&str, &Span> = std::collections::HashMap::new();
    let mut ids: std::collections::HashMap<&str, &Span> = std::collections::HashMap::new();
    for (name, id, span) in items {
        for (value, seen, field) in [(name, &mut names, "name"), (id, &mut ids, "id")] {
            if let Some(v) = value {
                if let Some(first) = seen.get(v) {
                    diags.push(
                        Diagnostic::new(
                            code,
                            format!("{what} {field} `{v}` is already used at {first}"),
                        )
                        .at(span),
                    );
                } else {
                    seen.insert(v, span);
                }
            }
        }
    }
}

/// decK's merge of several files: entity lists are appended, `_info.select_tags` united, other
/// values keep the first file's.
fn merge_document(document: &mut serde_json::Map<String, J>, root: &Node) {
    let Some(map) = root.as_map() else {
        return;
    };
    for (key, (_, node)) in map {
        let value = node.to_json();
        match (document.get_mut(key), value) {
            (Some(J::Array(a)), J::Array(b)) => a.extend(b),
            (Some(J::Object(a)), J::Object(b)) if key == "_info" => {
                for (k, v) in b {
                    match (a.get_mut(&k), v) {
                        (Some(J::Array(x)), J::Array(y)) if k == "select_tags" => {
                            for t in y {
                                if !x.contains(&t) {
                                    x.push(t);
                                }
                            }
                        }
                        (Some(_), _) => {}
                        (None, v) => {
                            a.insert(k, v);
                        }
                    }
                }
            }
            (Some(_), _) => {}
            (None, value) => {
                document.insert(key.clone(), value);
            }
        }
    }
}

/// True when a pre-3.0 path contains regex syntax (what decK's 1.1→3.0 conversion looks for).
pub fn looks_like_regex(path: &str) -> bool {
    path.contains([
        '\\', '^', '$', '(', ')', '[', ']', '{', '}', '*', '+', '?', '|',
    ])
}

fn parse_service(cx: &mut FileCtx<'_>, node: &Node) -> Option<Service> {
    if node.as_map().is_none() {
        cx.report(
            codes::WRONG_TYPE,
            format!("a service must be a mapping, found {}", node.kind()),
            node,
        );
        return None;
    }
    cx.unknown_keys(node, SERVICE_KEYS, "a service");
    let name = cx.string(node.get("name"), "name");
    let id = cx.string(node.get("id"), "id");
    if name.is_none() && id.is_none() {
        cx.report(
            codes::SERVICE_MISSING_NAME,
            "service has neither `name` nor `id`",
            node,
        );
    }
    let mut protocol = "http".to_string();
    let mut host = None;
    let mut port = None;
    let mut path = None;
    if let Some(url) = cx.string(node.get("url"), "url") {
        match split_url(&url) {
            Some((scheme, h, p, pth)) => {
                protocol = scheme;
                host = Some(h);
                port = p;
                path = pth;
            }
            None => {
                if let Some(n) = node.get("url") {
                    cx.report(
                        codes::SERVICE_INVALID_URL,
                        format!("service url `{url}` has no scheme or host"),
                        n,
                    );
                }
            }
        }
    }
    if let Some(p) = cx.string(node.get("protocol"), "protocol") {
        protocol = p;
    }
    if let Some(h) = cx.string(node.get("host"), "host") {
        host = Some(h);
    }
    if let Some(p) = cx.int(node.get("port"), "port") {
        port = u16::try_from(p).ok();
    }
    if let Some(p) = cx.string(node.get("path"), "path") {
        if !p.starts_with('/')
            && let Some(n) = node.get("path")
        {
            cx.report(
                codes::SERVICE_INVALID_PATH,
                format!("service path `{p}` must start with `/`"),
                n,
            );
        }
        path = Some(p);
    }
    let tags = cx
        .strings(node.get("tags"), "tags")
        .map(|v| v.into_iter().map(|(s, _)| s).collect())
        .unwrap_or_default();
    Some(Service {
        name,
        id,
        path,
        protocol,
        host,
        port,
        tags,
        span: cx.span(node),
    })
}

/// `scheme://host[:port][/path]` → parts (path without query).
pub fn split_url(url: &str) -> Option<(String, String, Option<u16>, Option<String>)> {
    let (scheme, rest) = url.split_once("://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], Some(&rest[i..])),
        None => (rest, None),
    };
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    if authority.is_empty() {
        return None;
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => match p.parse::<u16>() {
            Ok(p) => (h.to_string(), Some(p)),
            Err(_) => (authority.to_string(), None),
        },
        _ => (authority.to_string(), None),
    };
    let path = path.map(|p| p.split(['?', '#']).next().unwrap_or(p).to_string());
    Some((scheme.to_ascii_lowercase(), host, port, path))
}

fn parse_route(cx: &mut FileCtx<'_>, node: &Node, service: Option<usize>) -> Option<Route> {
    if node.as_map().is_none() {
        cx.report(
            codes::WRONG_TYPE,
            format!("a route must be a mapping, found {}", node.kind()),
            node,
        );
        return None;
    }
    cx.unknown_keys(node, ROUTE_KEYS, "a route");
    let name = cx.string(node.get("name"), "name");
    let mut id = cx.string(node.get("id"), "id");
    if let (Some(i), Some(n)) = (&id, node.get("id"))
        && uuid::Uuid::parse_str(i).is_err()
    {
        cx.report(
            codes::ROUTE_INVALID_ID,
            format!("route id `{i}` is not a UUID"),
            n,
        );
        id = None;
    }
    if name.is_none() && id.is_none() {
        cx.report(
            codes::ROUTE_MISSING_NAME,
            "route has neither `name` nor `id`",
            node,
        );
    }
    let label = name
        .clone()
        .or(id.clone())
        .unwrap_or_else(|| "(unnamed)".into());

    let methods: Vec<String> = cx
        .strings(node.get("methods"), "methods")
        .unwrap_or_default()
        .into_iter()
        .map(|(m, n)| {
            if m.is_empty() || !m.bytes().all(|b| b.is_ascii_uppercase()) {
                cx.report(
                    codes::ROUTE_INVALID_METHOD,
                    format!("method `{m}` of route `{label}` must be upper-case letters"),
                    n,
                );
            }
            m
        })
        .collect();

    let hosts_list = cx.strings(node.get("hosts"), "hosts");
    let hosts_present = hosts_list.is_some();
    let hosts: Vec<String> = hosts_list
        .unwrap_or_default()
        .into_iter()
        .map(|(h, n)| {
            if let Some(problem) = host_problem(&h) {
                cx.report(
                    codes::ROUTE_INVALID_HOST,
                    format!("host `{h}` of route `{label}`: {problem}"),
                    n,
                );
            }
            h
        })
        .collect();

    let paths: Vec<String> = cx
        .strings(node.get("paths"), "paths")
        .unwrap_or_default()
        .into_iter()
        .map(|(p, n)| {
            check_path(cx, &p, &label, n);
            p
        })
        .collect();

    let mut headers: Vec<(String, Vec<String>)> = Vec::new();
    if let Some(h) = node.get("headers") {
        match h.as_map() {
            Some(map) => {
                for (hname, (key, values)) in map {
                    if hname.eq_ignore_ascii_case("host") {
                        let span = Span::new(cx.file.clone(), key.line, key.column);
                        cx.diags.push(
                            Diagnostic::new(
                                codes::ROUTE_INVALID_HEADER,
                                format!(
                                    "route `{label}` cannot match on the `host` header: use `hosts`"
                                ),
                            )
                            .at(&span),
                        );
                        continue;
                    }
                    let values: Vec<String> = match &values.value {
                        Value::String(s) => vec![s.clone()],
                        _ => cx
                            .strings(Some(values), &format!("headers.{hname}"))
                            .unwrap_or_default()
                            .into_iter()
                            .map(|(s, _)| s)
                            .collect(),
                    };
                    for v in &values {
                        if let Some(re) = v.strip_prefix("~*")
                            && let Err(e) = regex::Regex::new(&re.to_lowercase())
                        {
                            cx.report(
                                    codes::ROUTE_INVALID_REGEX,
                                    format!(
                                        "header regex `{v}` of route `{label}` is not a valid Rust regex: {}",
                                        one_line(&e.to_string())
                                    ),
                                    values_node(node, hname),
                                );
                        }
                    }
                    headers.push((hname.clone(), values));
                }
            }
            None if matches!(h.value, Value::Null) => {}
            None => cx.report(
                codes::WRONG_TYPE,
                format!(
                    "`headers` must be a mapping of header names to lists, found {}",
                    h.kind()
                ),
                h,
            ),
        }
    }

    let snis = cx
        .strings(node.get("snis"), "snis")
        .map(|v| v.into_iter().map(|(s, _)| s).collect())
        .unwrap_or_default();
    let sources = nets(cx, node.get("sources"), "sources");
    let destinations = nets(cx, node.get("destinations"), "destinations");
    let protocols = cx
        .strings(node.get("protocols"), "protocols")
        .map(|v| v.into_iter().map(|(s, _)| s).collect())
        .unwrap_or_else(|| vec!["http".to_string(), "https".to_string()]);
    let strip_path = cx.bool(node.get("strip_path"), "strip_path", true);
    let preserve_host = cx.bool(node.get("preserve_host"), "preserve_host", false);
    let regex_priority = cx
        .int(node.get("regex_priority"), "regex_priority")
        .unwrap_or(0);
    let path_handling = cx
        .string(node.get("path_handling"), "path_handling")
        .unwrap_or_else(|| "v0".into());
    let expression = cx.string(node.get("expression"), "expression");
    let priority = match cx.int(node.get("priority"), "priority") {
        Some(p) if (0..(1i64 << 46)).contains(&p) => Some(p as u64),
        Some(p) => {
            if let Some(n) = node.get("priority") {
                cx.report(
                    codes::ROUTE_INVALID_PRIORITY,
                    format!("priority {p} of route `{label}` is outside 0 … 2^46-1"),
                    n,
                );
            }
            None
        }
        None => None,
    };
    if let (Some(expr), Some(n)) = (&expression, node.get("expression"))
        && let Err(e) = atc_router::parser::parse(expr)
    {
        cx.report(
            codes::ROUTE_INVALID_EXPRESSION,
            format!(
                "expression of route `{label}` does not parse: {}",
                one_line(&e.to_string())
            ),
            n,
        );
    }
    let tags = cx
        .strings(node.get("tags"), "tags")
        .map(|v| v.into_iter().map(|(s, _)| s).collect())
        .unwrap_or_default();

    let route = Route {
        name,
        id,
        service: service.map(ServiceId::new),
        methods,
        hosts,
        hosts_present,
        paths,
        headers,
        snis,
        sources,
        destinations,
        protocols,
        strip_path,
        preserve_host,
        regex_priority,
        path_handling,
        expression,
        priority,
        tags,
        span: cx.span(node),
    };
    if route.expression.is_none()
        && route.is_http()
        && route.methods.is_empty()
        && route.hosts.is_empty()
        && route.paths.is_empty()
        && route.headers.is_empty()
        && route.snis.is_empty()
        && route.sources.is_empty()
        && route.destinations.is_empty()
    {
        cx.report(
            codes::ROUTE_NO_MATCH_FIELDS,
            format!("route `{label}` must set at least one of `methods`, `hosts`, `headers`, `paths` (or `snis` for https)"),
            node,
        );
    }
    Some(route)
}

fn values_node<'a>(route: &'a Node, header: &str) -> &'a Node {
    route
        .get("headers")
        .and_then(|h| h.get(header))
        .unwrap_or(route)
}

fn nets(
    cx: &mut FileCtx<'_>,
    node: Option<&Node>,
    field: &str,
) -> Vec<(Option<String>, Option<u16>)> {
    let Some(node) = node else {
        return Vec::new();
    };
    let Some(items) = node.as_seq() else {
        if !matches!(node.value, Value::Null) {
            cx.report(
                codes::WRONG_TYPE,
                format!("`{field}` must be a list, found {}", node.kind()),
                node,
            );
        }
        return Vec::new();
    };
    items
        .iter()
        .map(|i| {
            (
                i.get("ip").and_then(Node::scalar_text),
                i.get("port")
                    .and_then(Node::as_i64)
                    .and_then(|p| u16::try_from(p).ok()),
            )
        })
        .filter(|(ip, port)| ip.is_some() || port.is_some())
        .collect()
}

/// Kong's host rules: at most one `*`, only as the leftmost or rightmost label.
fn host_problem(host: &str) -> Option<&'static str> {
    let stars = host.matches('*').count();
    if host.is_empty() {
        return Some("empty host");
    }
    if stars > 1 {
        return Some("only one wildcard is allowed");
    }
    if stars == 1 {
        let (h, _) = host
            .split_once(':')
            .filter(|(_, p)| p.parse::<u16>().is_ok())
            .unwrap_or((host, ""));
        if !(h.starts_with("*.") || h.ends_with(".*")) {
            return Some(
                "the wildcard must be the leftmost or rightmost label (`*.example.com`, `example.*`)",
            );
        }
    }
    None
}

/// Kong's `router_path` checks for one path, at the path's line.
fn check_path(cx: &mut FileCtx<'_>, path: &str, label: &str, node: &Node) {
    if !(path.starts_with('/') || path.starts_with("~/")) {
        cx.report(
            codes::ROUTE_INVALID_PATH,
            format!(
                "path `{path}` of route `{label}` must start with `/` (prefix) or `~/` (regex)"
            ),
            node,
        );
        return;
    }
    if path.contains("//") {
        cx.report(
            codes::ROUTE_INVALID_PATH,
            format!("path `{path}` of route `{label}` must not have empty segments (`//`)"),
            node,
        );
        return;
    }
    if let Some(re) = path.strip_prefix('~') {
        let translated = format!("^{}", re.replace("?<", "?P<"));
        if let Err(e) = regex::Regex::new(&translated) {
            cx.report(
                codes::ROUTE_INVALID_REGEX,
                format!(
                    "regex path `{path}` of route `{label}` is not a valid Rust regex (atc-router rejects the route): {}",
                    one_line(&e.to_string().replace('\n', " "))
                ),
                node,
            );
        }
        return;
    }
    // Percent-encoding must be well formed.
    let bytes = path.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'%'
            && !(i + 2 < bytes.len()
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit())
        {
            cx.report(
                codes::ROUTE_INVALID_PATH,
                format!("path `{path}` of route `{label}` has an invalid url-encoded value"),
                node,
            );
            return;
        }
    }
    let normalized = crate::kong::uri::normalize(path, true);
    if normalized != path {
        cx.report(
            codes::ROUTE_PATH_NOT_NORMALIZED,
            format!("path `{path}` of route `{label}` is not normalised: Kong rejects it (\"non-normalized path, consider use '{normalized}' instead\")"),
            node,
        );
    }
}

fn one_line(s: &str) -> String {
    let lines: Vec<&str> = s.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    lines.join(" ")
}

/// Build a manifest from decK texts held in memory (`(path, text)` pairs, in order), as
/// [`load`] does for files on disk. Used by tests and the benchmark.
pub fn from_texts(files: &[(String, String)], sources: &SourceMap) -> (Manifest, Diagnostics) {
    let mut merger = Merger::default();
    for (rel, text) in files {
        let text = sources.add(rel, text.as_str());
        merger.add_file(rel, &text);
    }
    merger.finish()
}

/// Load and merge the decK files matching `patterns` (globs relative to `root`).
pub fn load(root: &Path, patterns: &[String], sources: &SourceMap) -> (Manifest, Diagnostics) {
    let mut diags = Diagnostics::new();
    let files = match find_files(root, patterns) {
        Ok(files) => files,
        Err(message) => {
            diags.push(Diagnostic::new(codes::INVALID_GLOB, message));
            return (Manifest::default(), diags);
        }
    };
    let mut merger = Merger::default();
    for path in files {
        let rel = crate::source::relative(root, &path);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let text = sources.add(&rel, text);
                merger.add_file(&rel, &text);
            }
            Err(e) => {
                diags.push(
                    Diagnostic::new(
                        codes::FILE_UNREADABLE,
                        format!("cannot read decK file: {e}"),
                    )
                    .in_file(&rel),
                );
            }
        }
    }
    let (manifest, more) = merger.finish();
    diags.extend(more);
    (manifest, diags)
}

/// Files below `root` matching any of `patterns`, sorted by project-relative path. Only the
/// literal directory part of each pattern is walked.
fn find_files(root: &Path, patterns: &[String]) -> Result<Vec<PathBuf>, String> {
    let mut builder = globset::GlobSetBuilder::new();
    // (directory to walk, depth limit) per pattern: only the literal directory part of a
    // pattern is walked, and only as deep as the pattern reaches unless it has `**`.
    let mut bases: Vec<(PathBuf, Option<usize>)> = Vec::new();
    for p in patterns {
        let glob = globset::GlobBuilder::new(p)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("invalid gateway.manifests pattern `{p}`: {e}"))?;
        builder.add(glob);
        let parts: Vec<&str> = p.split('/').collect();
        let literal = parts
            .iter()
            .take_while(|c| !c.contains(['*', '?', '[', '{']))
            .count();
        // The last component is the file name unless the pattern continues with a glob.
        let dir_len = if literal == parts.len() {
            literal.saturating_sub(1)
        } else {
            literal
        };
        let depth = (!p.contains("**")).then(|| parts.len() - dir_len);
        bases.push((root.join(parts[..dir_len].join("/")), depth));
    }
    let set = builder.build().map_err(|e| e.to_string())?;
    bases.sort();
    bases.dedup();
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    for (base, depth) in bases {
        if !base.exists() {
            continue;
        }
        for entry in ignore::WalkBuilder::new(&base)
            .standard_filters(false)
            .max_depth(depth)
            .build()
            .flatten()
        {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let rel = crate::source::relative(root, entry.path());
            if set.is_match(&rel) {
                found.push((rel, entry.path().to_path_buf()));
            }
        }
    }
    found.sort();
    found.dedup_by(|a, b| a.0 == b.0);
    Ok(found.into_iter().map(|(_, p)| p).collect())
}
