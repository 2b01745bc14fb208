//! Reading decK files: the spanned tree of each YAML/JSON file turned into the typed entities of
//! [`crate::model::gateway`] (services with nested routes, top-level routes, plugins wherever
//! decK lets them be written, consumers with their ACL groups and key-auth credentials,
//! consumer groups), with decK's own file rules only: the shape of each entity (known keys,
//! value types, `name` or `id`), `_format_version`, `_info.select_tags`, and the name/id
//! references between entities. [`Merger`] merges files as `deck gateway sync a.yaml b.yaml`
//! does: entity lists are concatenated, `_info` merged, references resolved against every file.
//!
//! What Kong itself accepts (path forms, regexes, host wildcards, header rules, priorities,
//! expressions, router flavors) is not decided here: those rules are [`crate::kong::rules`],
//! run by the validate stage. Values portalgen does not interpret are kept as written in each
//! entity's [`Passthrough`] so the export can write them back.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::{Code, Diagnostic, Diagnostics, codes};
use crate::load::files::{FileError, Files, normalize};
use crate::load::read::Reader;
use crate::model::gateway::{
    AclGroup, Consumer, ConsumerGroup, Header, KeyAuthCredential, Manifest, Net, Owner,
    Passthrough, PathHandling, Plugin, PluginScope, Protocol, Route, RouteMethod, ScopeRef,
    Service, ServiceRef, Spanned, Tags, Target,
};
use crate::model::ids::{ConsumerGroupId, ConsumerId, RouteId, ServiceId};
use crate::model::url::UrlParts;
use crate::source::{SourceMap, Span};
use crate::tree::{self, Node, Value};

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

/// Root sections read into typed entities (the others are kept as written).
const TYPED_SECTIONS: &[&str] = &[
    "_format_version",
    "_info",
    "services",
    "routes",
    "plugins",
    "consumers",
    "consumer_groups",
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

/// Route fields read into [`Route`] (`service` only for top-level routes).
const ROUTE_TYPED: &[&str] = &[
    "name",
    "id",
    "methods",
    "hosts",
    "paths",
    "headers",
    "snis",
    "sources",
    "destinations",
    "protocols",
    "strip_path",
    "preserve_host",
    "regex_priority",
    "path_handling",
    "expression",
    "priority",
    "tags",
    "plugins",
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

const SERVICE_TYPED: &[&str] = &[
    "name", "id", "url", "protocol", "host", "port", "path", "tags", "routes", "plugins",
];

/// `FPlugin` properties of decK's schema.
const PLUGIN_KEYS: &[&str] = &[
    "_config",
    "condition",
    "config",
    "consumer",
    "consumer_group",
    "created_at",
    "enabled",
    "id",
    "instance_name",
    "name",
    "ordering",
    "partials",
    "protocols",
    "route",
    "run_on",
    "service",
    "tags",
];

/// `ConsumerGroupPlugin` properties (plugins nested under `consumer_groups`).
const GROUP_PLUGIN_KEYS: &[&str] = &[
    "_config",
    "config",
    "consumer_group",
    "created_at",
    "id",
    "instance_name",
    "name",
    "partials",
    "tags",
];

/// The scope fields of a plugin.
const SCOPE_KEYS: [&str; 4] = ["service", "route", "consumer", "consumer_group"];

/// `FConsumer` properties of decK's schema.
const CONSUMER_KEYS: &[&str] = &[
    "acls",
    "basicauth_credentials",
    "created_at",
    "custom_id",
    "groups",
    "hmacauth_credentials",
    "id",
    "jwt_secrets",
    "keyauth_credentials",
    "mtls_auth_credentials",
    "oauth2_credentials",
    "plugins",
    "tags",
    "username",
];

const CONSUMER_TYPED: &[&str] = &[
    "username",
    "custom_id",
    "id",
    "acls",
    "keyauth_credentials",
    "tags",
    "plugins",
];

/// `ACLGroup` properties.
const ACL_KEYS: &[&str] = &["consumer", "created_at", "group", "id", "tags"];

/// `KeyAuth` properties.
const KEYAUTH_KEYS: &[&str] = &["consumer", "created_at", "id", "key", "tags", "ttl"];

/// `FConsumerGroupObject` properties.
const CONSUMER_GROUP_KEYS: &[&str] = &["consumers", "created_at", "id", "name", "plugins", "tags"];

const CONSUMER_GROUP_TYPED: &[&str] = &["name", "id", "tags", "plugins"];

const INFO_KEYS: &[&str] = &[
    "default_lookup_tags",
    "defaults",
    "select_tags",
    "consumer_group_policy_overrides",
    "include_plugin_definitions",
    "skip_hash_for_basic_auth",
];

/// `CIDRPort` properties (`sources`, `destinations`).
const NET_KEYS: &[&str] = &["ip", "port"];

/// A top-level route's `service: {name|id}` reference, resolved once every file is read.
struct PendingServiceRef {
    route: usize,
    reference: ServiceRef,
}

/// Accumulates decK files in order and produces the merged [`Manifest`].
#[derive(Default)]
pub struct Merger {
    files: Vec<String>,
    services: Vec<Service>,
    routes: Vec<Route>,
    plugins: Vec<Plugin>,
    consumers: Vec<Consumer>,
    consumer_groups: Vec<ConsumerGroup>,
    refs: Vec<PendingServiceRef>,
    format_version: Option<(String, Span)>,
    select_tags: Vec<String>,
    /// Each file's select_tags with the position they are written at.
    file_select_tags: Vec<(Vec<String>, Span)>,
    info: Passthrough,
    sections: Passthrough,
    /// Plugin scope references as written: (plugin index, scope key, where the value is).
    scope_refs: Vec<(usize, &'static str, Span)>,
    /// Per file: the entity kinds `_info.default_lookup_tags` lets decK look up in Kong, where
    /// a reference to an entity no file defines is resolved at sync time.
    lookup_kinds: Vec<(Arc<str>, Vec<String>)>,
    diags: Diagnostics,
}

/// Per-file reading context: the file (for positions and the strict [`Reader`]) and the run's
/// diagnostics.
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

    /// The mapping `node` (a `what` item of a list), or a wrong-type report.
    fn mapping<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n Node> {
        if node.as_map().is_some() {
            return Some(node);
        }
        self.report(
            codes::WRONG_TYPE,
            format!("{what} must be a mapping, found {}", node.kind()),
            node,
        );
        None
    }

    /// The items of the list `node` (field `field`), or a wrong-type report.
    fn list<'n>(&mut self, node: Option<&'n Node>, field: &str) -> &'n [Node] {
        let Some(node) = node else {
            return &[];
        };
        match &node.value {
            Value::Seq(items) => items,
            Value::Null => &[],
            _ => {
                self.report(
                    codes::WRONG_TYPE,
                    format!("`{field}` must be a list, found {}", node.kind()),
                    node,
                );
                &[]
            }
        }
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

    /// A port number (0 … 65535).
    fn port(&mut self, node: Option<&Node>, field: &str) -> Option<u16> {
        let n = node?;
        let p = self.int(Some(n), field)?;
        match u16::try_from(p) {
            Ok(p) => Some(p),
            Err(_) => {
                self.report(
                    codes::INVALID_VALUE,
                    format!("`{field}` {p} is not a port number (0 … 65535)"),
                    n,
                );
                None
            }
        }
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

    fn tags(&mut self, node: &Node) -> Tags {
        Tags {
            written: self
                .strings(node.get("tags"), "tags")
                .map(|v| v.into_iter().map(|(s, _)| s).collect())
                .unwrap_or_default(),
            select: Vec::new(),
        }
    }

    /// A value of a closed set (`protocols` items, `path_handling`, …), reported at its node.
    fn one_of<T>(
        &mut self,
        value: &str,
        node: &Node,
        field: &str,
        parse: impl Fn(&str) -> Option<T>,
        allowed: &[&str],
    ) -> Option<T> {
        let parsed = parse(value);
        if parsed.is_none() {
            let mut d = Diagnostic::new(
                codes::INVALID_VALUE,
                format!(
                    "`{field}: {value}` is not allowed; use one of: {}",
                    allowed.join(", ")
                ),
            )
            .at(&self.span(node));
            if let Some(m) = crate::diagnostics::suggest::did_you_mean(value, allowed) {
                d = d.help(format!("did you mean `{m}`?"));
            }
            self.diags.push(d);
        }
        parsed
    }
}

/// The [`Passthrough`] of the mapping `node`: `typed` keys as placeholders (a `null` value is
/// kept as written, the typed field stays at its default), other `allowed` keys kept as JSON.
/// Unknown keys are reported elsewhere and dropped.
fn passthrough(node: &Node, typed: &[&str], allowed: &[&str]) -> Passthrough {
    let mut p = Passthrough::default();
    for (name, (_, value)) in node.as_map().into_iter().flatten() {
        if typed.contains(&&**name) && value.value != Value::Null {
            p.typed(name);
        } else if allowed.contains(&&**name) {
            p.keep(name, value.to_json());
        }
    }
    p
}

/// The value of `key`, unless absent or `null`.
fn get<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    node.get(key).filter(|n| n.value != Value::Null)
}

fn protocol_names() -> Vec<&'static str> {
    Protocol::ALL.iter().map(|p| p.as_str()).collect()
}

impl Merger {
    /// Parse one decK file (already registered in the source map under `rel`), with a node
    /// budget of its own.
    pub fn add_file(&mut self, rel: &str, text: &str) {
        self.add_file_in(rel, text, &tree::Budget::default());
    }

    /// Parse one decK file drawing on the run's node `budget`.
    pub fn add_file_in(&mut self, rel: &str, text: &str, budget: &tree::Budget) {
        self.files.push(rel.to_string());
        let file: Arc<str> = Arc::from(rel);
        let root = match tree::parse_in(text, budget) {
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
        let first_plugin = self.plugins.len();
        let first_consumer = self.consumers.len();
        let first_group = self.consumer_groups.len();
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
                if let Some(kinds) = info.get("default_lookup_tags").and_then(Node::as_map) {
                    self.lookup_kinds
                        .push((file.clone(), kinds.keys().map(|k| k.to_string()).collect()));
                }
                if let Some(tags) = cx.strings(info.get("select_tags"), "select_tags") {
                    file_tags = tags.into_iter().map(|(s, _)| s).collect();
                    let span = cx.span(info.get("select_tags").unwrap_or(info));
                    self.file_select_tags.push((file_tags.clone(), span));
                }
                self.info
                    .merge(passthrough(info, &["select_tags"], INFO_KEYS), false);
            } else {
                cx.report(
                    codes::WRONG_TYPE,
                    format!("`_info` must be a mapping, found {}", info.kind()),
                    info,
                );
            }
        }

        // services (with nested routes and plugins)
        if let Some(list) = root.get("services") {
            if list.as_seq().is_none() {
                cx.report(
                    codes::WRONG_TYPE,
                    format!("`services` must be a list, found {}", list.kind()),
                    list,
                );
            }
            for item in list.as_seq().unwrap_or_default() {
                self.read_service(&mut cx, item);
            }
        }

        // top-level routes with `service: {name|id}`
        if let Some(list) = root.get("routes") {
            if list.as_seq().is_none() {
                cx.report(
                    codes::WRONG_TYPE,
                    format!("`routes` must be a list, found {}", list.kind()),
                    list,
                );
            }
            for item in list.as_seq().unwrap_or_default() {
                self.read_route(&mut cx, item, None);
            }
        }

        // top-level plugins, consumers (with nested plugins), consumer groups
        for item in cx.list(root.get("plugins"), "plugins") {
            self.read_plugin(&mut cx, item, Owner::Root);
        }
        for item in cx.list(root.get("consumers"), "consumers") {
            self.read_consumer(&mut cx, item);
        }
        for item in cx.list(root.get("consumer_groups"), "consumer_groups") {
            self.read_consumer_group(&mut cx, item);
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
                                    "path `{}` of route `{}` looks like a regex but has no `~`: Kong 3.x matches it as a plain prefix",
                                    p.value,
                                    route.label()
                                ),
                            )
                            .at(&route.span)
                            .help(format!("write `~{}` (what `deck file convert --from kong-gateway-2.x` does)", p.value)),
                        );
                    }
                }
            }
        }

        // decK adds the file's select_tags to every entity it manages.
        if !file_tags.is_empty() {
            let tags = self.services[first_service..]
                .iter_mut()
                .map(|s| &mut s.tags)
                .chain(self.routes[first_route..].iter_mut().map(|r| &mut r.tags))
                .chain(self.plugins[first_plugin..].iter_mut().map(|p| &mut p.tags))
                .chain(
                    self.consumers[first_consumer..]
                        .iter_mut()
                        .map(|c| &mut c.tags),
                )
                .chain(
                    self.consumer_groups[first_group..]
                        .iter_mut()
                        .map(|g| &mut g.tags),
                );
            for t in tags {
                t.select = file_tags.clone();
            }
            for t in &file_tags {
                if !self.select_tags.contains(t) {
                    self.select_tags.push(t.clone());
                }
            }
        }

        let mut sections = passthrough(&root, TYPED_SECTIONS, ROOT_KEYS);
        // A typed section written as `null` is a type error above; nothing to keep.
        for key in TYPED_SECTIONS {
            if root.get(key).is_some() {
                sections.typed(key);
            }
        }
        self.sections.merge(sections, true);
        self.diags = diags;
    }

    fn read_service(&mut self, cx: &mut FileCtx<'_>, item: &Node) {
        let Some(node) = cx.mapping(item, "a service") else {
            return;
        };
        cx.unknown_keys(node, SERVICE_KEYS, "a service");
        let name = cx.string(get(node, "name"), "name");
        let id = cx.string(get(node, "id"), "id");
        if name.is_none() && id.is_none() {
            cx.report(
                codes::SERVICE_MISSING_NAME,
                "service has neither `name` nor `id`",
                node,
            );
        }
        let mut protocol = Protocol::Http;
        let mut host = None;
        let mut port = None;
        let mut path = None;
        let url = cx.string(get(node, "url"), "url");
        if let (Some(url), Some(n)) = (&url, get(node, "url")) {
            match UrlParts::split(url) {
                UrlParts {
                    scheme: Some(scheme),
                    host: Some(h),
                    port: p,
                    path: pth,
                } => {
                    if let Some(p) =
                        cx.one_of(&scheme, n, "url scheme", Protocol::parse, &protocol_names())
                    {
                        protocol = p;
                    }
                    host = Some(h);
                    port = p;
                    path = (!pth.is_empty()).then(|| Spanned::new(pth, cx.span(n)));
                }
                _ => cx.report(
                    codes::SERVICE_INVALID_URL,
                    format!("service url `{url}` has no scheme or host"),
                    n,
                ),
            }
        }
        if let (Some(p), Some(n)) = (
            cx.string(get(node, "protocol"), "protocol"),
            get(node, "protocol"),
        ) && let Some(p) = cx.one_of(&p, n, "protocol", Protocol::parse, &protocol_names())
        {
            protocol = p;
        }
        if let Some(h) = cx.string(get(node, "host"), "host") {
            host = Some(h);
        }
        if let Some(p) = cx.port(get(node, "port"), "port") {
            port = Some(p);
        }
        if let (Some(p), Some(n)) = (cx.string(get(node, "path"), "path"), get(node, "path")) {
            path = Some(Spanned::new(p, cx.span(n)));
        }
        let tags = cx.tags(node);
        let index = ServiceId::new(self.services.len());
        self.services.push(Service {
            name,
            id,
            url,
            protocol,
            host,
            port,
            path,
            routes: Vec::new(),
            tags,
            span: cx.span(node),
            extra: passthrough(node, SERVICE_TYPED, SERVICE_KEYS),
        });
        for r in cx.list(node.get("routes"), "routes") {
            if let Some(route) = self.read_route(cx, r, Some(index)) {
                self.services[index.index()].routes.push(route);
            }
        }
        for p in cx.list(node.get("plugins"), "plugins") {
            self.read_plugin(cx, p, Owner::Service(index));
        }
    }

    /// A route, nested under `service` or (`None`) at the top level.
    fn read_route(
        &mut self,
        cx: &mut FileCtx<'_>,
        item: &Node,
        service: Option<ServiceId>,
    ) -> Option<RouteId> {
        let node = cx.mapping(item, "a route")?;
        cx.unknown_keys(node, ROUTE_KEYS, "a route");
        let name = cx.string(get(node, "name"), "name");
        let mut id = cx.string(get(node, "id"), "id");
        if let (Some(i), Some(n)) = (&id, get(node, "id"))
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
        let spanned = |cx: &mut FileCtx<'_>, field: &str| -> Vec<Spanned<String>> {
            cx.strings(node.get(field), field)
                .unwrap_or_default()
                .into_iter()
                .map(|(s, n)| Spanned::new(s, cx.span(n)))
                .collect()
        };
        let methods = spanned(cx, "methods")
            .into_iter()
            .map(|m| Spanned::new(RouteMethod::parse(&m.value), m.span))
            .collect();
        let hosts_present = get(node, "hosts").is_some_and(|h| h.as_seq().is_some());
        let hosts = spanned(cx, "hosts");
        let paths = spanned(cx, "paths");
        let headers = read_headers(cx, node);
        let snis = spanned(cx, "snis").into_iter().map(|s| s.value).collect();
        let sources = read_nets(cx, get(node, "sources"), "sources");
        let destinations = read_nets(cx, get(node, "destinations"), "destinations");
        let protocols = match cx.strings(node.get("protocols"), "protocols") {
            Some(list) => list
                .into_iter()
                .filter_map(|(p, n)| {
                    cx.one_of(&p, n, "protocols", Protocol::parse, &protocol_names())
                })
                .collect(),
            None => vec![Protocol::Http, Protocol::Https],
        };
        let strip_path = cx.bool(get(node, "strip_path"), "strip_path", true);
        let preserve_host = cx.bool(get(node, "preserve_host"), "preserve_host", false);
        let regex_priority = cx
            .int(get(node, "regex_priority"), "regex_priority")
            .unwrap_or(0);
        let path_handling = match (
            cx.string(get(node, "path_handling"), "path_handling"),
            get(node, "path_handling"),
        ) {
            (Some(p), Some(n)) => cx
                .one_of(&p, n, "path_handling", PathHandling::parse, &["v0", "v1"])
                .unwrap_or_default(),
            _ => PathHandling::V0,
        };
        let expression = match (
            cx.string(get(node, "expression"), "expression"),
            get(node, "expression"),
        ) {
            (Some(e), Some(n)) => Some(Spanned::new(e, cx.span(n))),
            _ => None,
        };
        let priority = match (
            cx.int(get(node, "priority"), "priority"),
            get(node, "priority"),
        ) {
            (Some(p), Some(n)) => Some(Spanned::new(p, cx.span(n))),
            _ => None,
        };
        let tags = cx.tags(node);

        // A top-level route's service reference.
        let mut service_ref = None;
        let mut typed: Vec<&str> = ROUTE_TYPED.to_vec();
        if service.is_none()
            && let Some(svc) = get(node, "service")
        {
            typed.push("service");
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
                service_ref = Some(ServiceRef {
                    name,
                    id,
                    span: cx.span(svc),
                });
            }
        }

        let index = self.routes.len();
        if let Some(reference) = &service_ref {
            self.refs.push(PendingServiceRef {
                route: index,
                reference: reference.clone(),
            });
        }
        self.routes.push(Route {
            name,
            id,
            service,
            service_ref,
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
            extra: passthrough(node, &typed, ROUTE_KEYS),
        });
        let id = RouteId::new(index);
        for p in cx.list(node.get("plugins"), "plugins") {
            self.read_plugin(cx, p, Owner::Route(id));
        }
        Some(id)
    }

    /// A plugin written under `owner` (which scopes it).
    fn read_plugin(&mut self, cx: &mut FileCtx<'_>, item: &Node, owner: Owner) {
        let Some(node) = cx.mapping(item, "a plugin") else {
            return;
        };
        let (keys, what) = match owner {
            Owner::ConsumerGroup(_) => (GROUP_PLUGIN_KEYS, "a consumer group plugin"),
            _ => (PLUGIN_KEYS, "a plugin"),
        };
        cx.unknown_keys(node, keys, what);
        let name = match get(node, "name") {
            Some(n) => cx.string(Some(n), "name"),
            None => {
                cx.report(
                    codes::MISSING_FIELD,
                    format!("{what} is missing required key `name`"),
                    node,
                );
                None
            }
        };
        let enabled = cx.bool(get(node, "enabled"), "enabled", true);
        let config = match get(node, "config") {
            Some(c) => match c.to_json() {
                serde_json::Value::Object(m) => m,
                _ => {
                    cx.report(
                        codes::WRONG_TYPE,
                        format!("`config` must be a mapping, found {}", c.kind()),
                        c,
                    );
                    serde_json::Map::new()
                }
            },
            None => serde_json::Map::new(),
        };
        let tags = cx.tags(node);
        // The owner's own scope field is implied; the other scope fields are references.
        let implied = match owner {
            Owner::Root => None,
            Owner::Service(_) => Some("service"),
            Owner::Route(_) => Some("route"),
            Owner::Consumer(_) => Some("consumer"),
            Owner::ConsumerGroup(_) => Some("consumer_group"),
        };
        let mut scope = PluginScope::default();
        let mut typed: Vec<&str> = vec!["name", "enabled", "config", "tags"];
        if keys == PLUGIN_KEYS {
            for key in SCOPE_KEYS {
                if Some(key) == implied {
                    continue;
                }
                let Some(text) = cx.string(get(node, key), key) else {
                    continue;
                };
                if let Some(at) = get(node, key) {
                    self.scope_refs.push((self.plugins.len(), key, cx.span(at)));
                }
                typed.push(key);
                // Resolved in `finish`, once every file is read.
                let written = Some(text.clone());
                match key {
                    "service" => {
                        scope.service = Some(ScopeRef {
                            target: Target::Other(text),
                            written,
                        })
                    }
                    "route" => {
                        scope.route = Some(ScopeRef {
                            target: Target::Other(text),
                            written,
                        })
                    }
                    "consumer" => {
                        scope.consumer = Some(ScopeRef {
                            target: Target::Other(text),
                            written,
                        })
                    }
                    _ => {
                        scope.consumer_group = Some(ScopeRef {
                            target: Target::Other(text),
                            written,
                        })
                    }
                }
            }
        }
        match owner {
            Owner::Root => {}
            Owner::Service(s) => scope.service = Some(implied_ref(s)),
            Owner::Route(r) => scope.route = Some(implied_ref(r)),
            Owner::Consumer(c) => scope.consumer = Some(implied_ref(c)),
            Owner::ConsumerGroup(g) => scope.consumer_group = Some(implied_ref(g)),
        }
        let Some(name) = name else {
            // Not kept, so its references are not checked either.
            let n = self.plugins.len();
            self.scope_refs.retain(|(i, _, _)| *i != n);
            return;
        };
        self.plugins.push(Plugin {
            name,
            enabled,
            config,
            tags,
            scope,
            owner,
            span: cx.span(node),
            extra: passthrough(node, &typed, keys),
        });
    }

    fn read_consumer(&mut self, cx: &mut FileCtx<'_>, item: &Node) {
        let Some(node) = cx.mapping(item, "a consumer") else {
            return;
        };
        cx.unknown_keys(node, CONSUMER_KEYS, "a consumer");
        let username = cx.string(get(node, "username"), "username");
        let custom_id = cx.string(get(node, "custom_id"), "custom_id");
        let id = cx.string(get(node, "id"), "id");
        if username.is_none() && custom_id.is_none() {
            cx.report(
                codes::CONSUMER_MISSING_NAME,
                "consumer has neither `username` nor `custom_id`",
                node,
            );
        }
        let mut acls = Vec::new();
        for a in cx.list(node.get("acls"), "acls") {
            let Some(a) = cx.mapping(a, "an `acls` entry") else {
                continue;
            };
            cx.unknown_keys(a, ACL_KEYS, "an `acls` entry");
            if let Some(group) = required_string(cx, a, "group", "an `acls` entry") {
                acls.push(AclGroup {
                    group,
                    span: cx.span(a),
                    extra: passthrough(a, &["group"], ACL_KEYS),
                });
            }
        }
        let mut keyauth_credentials = Vec::new();
        for k in cx.list(node.get("keyauth_credentials"), "keyauth_credentials") {
            let Some(k) = cx.mapping(k, "a `keyauth_credentials` entry") else {
                continue;
            };
            cx.unknown_keys(k, KEYAUTH_KEYS, "a `keyauth_credentials` entry");
            if let Some(key) = required_string(cx, k, "key", "a `keyauth_credentials` entry") {
                keyauth_credentials.push(KeyAuthCredential {
                    key,
                    span: cx.span(k),
                    extra: passthrough(k, &["key"], KEYAUTH_KEYS),
                });
            }
        }
        let tags = cx.tags(node);
        let index = ConsumerId::new(self.consumers.len());
        self.consumers.push(Consumer {
            username,
            custom_id,
            id,
            acls,
            keyauth_credentials,
            tags,
            span: cx.span(node),
            extra: passthrough(node, CONSUMER_TYPED, CONSUMER_KEYS),
        });
        for p in cx.list(node.get("plugins"), "plugins") {
            self.read_plugin(cx, p, Owner::Consumer(index));
        }
    }

    fn read_consumer_group(&mut self, cx: &mut FileCtx<'_>, item: &Node) {
        let Some(node) = cx.mapping(item, "a consumer group") else {
            return;
        };
        cx.unknown_keys(node, CONSUMER_GROUP_KEYS, "a consumer group");
        let name = cx.string(get(node, "name"), "name");
        let id = cx.string(get(node, "id"), "id");
        let tags = cx.tags(node);
        let index = ConsumerGroupId::new(self.consumer_groups.len());
        self.consumer_groups.push(ConsumerGroup {
            name,
            id,
            tags,
            span: cx.span(node),
            extra: passthrough(node, CONSUMER_GROUP_TYPED, CONSUMER_GROUP_KEYS),
        });
        for p in cx.list(node.get("plugins"), "plugins") {
            self.read_plugin(cx, p, Owner::ConsumerGroup(index));
        }
    }

    /// Resolve cross-file references and return the merged manifest.
    pub fn finish(mut self) -> (Manifest, Diagnostics) {
        for r in std::mem::take(&mut self.refs) {
            let reference = &r.reference;
            let found = reference
                .name
                .as_deref()
                .and_then(|n| {
                    self.services
                        .iter()
                        .position(|s| s.name.as_deref() == Some(n))
                })
                .or_else(|| {
                    reference.id.as_deref().and_then(|i| {
                        self.services
                            .iter()
                            .position(|s| s.id.as_deref() == Some(i))
                    })
                });
            match found {
                Some(i) => self.routes[r.route].service = Some(ServiceId::new(i)),
                None => {
                    let what = reference
                        .name
                        .as_deref()
                        .map(|n| format!("name `{n}`"))
                        .or_else(|| reference.id.as_deref().map(|i| format!("id `{i}`")))
                        .unwrap_or_default();
                    self.diags.push(
                        Diagnostic::new(
                            codes::UNKNOWN_SERVICE,
                            format!(
                                "route `{}` refers to a service with {what} that no decK file defines",
                                self.routes[r.route].label()
                            ),
                        )
                        .at(&reference.span),
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
        let mut manifest = Manifest {
            files,
            services: self.services,
            routes: self.routes,
            plugins: Vec::new(),
            consumers: self.consumers,
            consumer_groups: self.consumer_groups,
            format_version: self.format_version.map(|(v, _)| v),
            select_tags: self.select_tags,
            info: self.info,
            sections: self.sections,
        };
        // Plugin scope references: by name or id (consumers by username or id), as decK
        // resolves them; a reference to no entity of the files stays as written.
        let mut plugins = self.plugins;
        for p in &mut plugins {
            let s = &mut p.scope;
            resolve(&mut s.service, |t| manifest.service(t));
            resolve(&mut s.route, |t| manifest.route(t));
            resolve(&mut s.consumer, |t| manifest.consumer(t));
            resolve(&mut s.consumer_group, |t| manifest.consumer_group(t));
        }
        // A reference no file resolves is an error decK would stop the sync with, unless the
        // file lets decK look that kind of entity up in Kong (`_info.default_lookup_tags`).
        for (i, key, at) in &self.scope_refs {
            let p = &plugins[*i];
            let s = &p.scope;
            let unresolved = match *key {
                "service" => s.service.as_ref().map(|r| &r.target).and_then(other),
                "route" => s.route.as_ref().map(|r| &r.target).and_then(other),
                "consumer" => s.consumer.as_ref().map(|r| &r.target).and_then(other),
                _ => s.consumer_group.as_ref().map(|r| &r.target).and_then(other),
            };
            let Some(text) = unresolved else {
                continue;
            };
            let kinds = format!("{key}s");
            let looked_up = self
                .lookup_kinds
                .iter()
                .any(|(f, k)| **f == *at.file && k.contains(&kinds));
            if looked_up {
                continue;
            }
            let (code, what) = match *key {
                "service" => (codes::UNKNOWN_SERVICE, "service"),
                "route" => (codes::UNKNOWN_ROUTE, "route"),
                "consumer" => (codes::UNKNOWN_CONSUMER, "consumer"),
                _ => (codes::UNKNOWN_CONSUMER_GROUP, "consumer group"),
            };
            self.diags.push(
                Diagnostic::new(
                    code,
                    format!(
                        "plugin `{}` is scoped to {what} `{text}`, which no decK file defines",
                        p.name
                    ),
                )
                .at(at)
                .help(format!(
                    "name a {what} of the decK files (by name or id), or set `_info.default_lookup_tags.{kinds}` if it is managed elsewhere in Kong"
                )),
            );
        }
        manifest.plugins = plugins;
        (manifest, self.diags)
    }
}

/// The written text of a reference no entity resolved.
fn other<I>(t: &Target<I>) -> Option<&str> {
    match t {
        Target::Other(text) => Some(text),
        Target::Entity(_) => None,
    }
}

fn implied_ref<I>(id: I) -> ScopeRef<I> {
    ScopeRef {
        target: Target::Entity(id),
        written: None,
    }
}

fn resolve<I>(r: &mut Option<ScopeRef<I>>, find: impl Fn(&str) -> Option<I>) {
    if let Some(r) = r
        && let Target::Other(text) = &r.target
        && let Some(id) = find(text)
    {
        r.target = Target::Entity(id);
    }
}

/// A required string field of a list entry.
fn required_string(cx: &mut FileCtx<'_>, node: &Node, key: &str, what: &str) -> Option<String> {
    match get(node, key) {
        Some(n) => cx.string(Some(n), key),
        None => {
            cx.report(
                codes::MISSING_FIELD,
                format!("{what} is missing required key `{key}`"),
                node,
            );
            None
        }
    }
}

/// A route's `headers`: header name → list of values (a single string is one value).
fn read_headers(cx: &mut FileCtx<'_>, route: &Node) -> Vec<Header> {
    let Some(h) = route.get("headers") else {
        return Vec::new();
    };
    let Some(map) = h.as_map() else {
        if !matches!(h.value, Value::Null) {
            cx.report(
                codes::WRONG_TYPE,
                format!(
                    "`headers` must be a mapping of header names to lists, found {}",
                    h.kind()
                ),
                h,
            );
        }
        return Vec::new();
    };
    let mut headers = Vec::new();
    for (name, (key, values)) in map {
        let list: Vec<String> = match &values.value {
            Value::String(s) => vec![s.clone()],
            _ => cx
                .strings(Some(values), &format!("headers.{name}"))
                .unwrap_or_default()
                .into_iter()
                .map(|(s, _)| s)
                .collect(),
        };
        headers.push(Header {
            name: Spanned::new(
                name.to_string(),
                Span::new(cx.file.clone(), key.line, key.column),
            ),
            values: list,
            values_span: cx.span(values),
        });
    }
    headers
}

/// `sources` / `destinations`: a list of `{ip, port}`.
fn read_nets(cx: &mut FileCtx<'_>, node: Option<&Node>, field: &str) -> Vec<Net> {
    let mut nets = Vec::new();
    for item in cx.list(node, field) {
        let Some(item) = cx.mapping(item, &format!("a `{field}` entry")) else {
            continue;
        };
        cx.unknown_keys(item, NET_KEYS, &format!("a `{field}` entry"));
        let ip = get(item, "ip").and_then(Node::scalar_text);
        let port = cx.port(get(item, "port"), "port");
        if ip.is_some() || port.is_some() {
            nets.push(Net { ip, port });
        }
    }
    nets
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

/// True when a pre-3.0 path contains regex syntax (what decK's 1.1→3.0 conversion looks for).
pub fn looks_like_regex(path: &str) -> bool {
    path.contains([
        '\\', '^', '$', '(', ')', '[', ']', '{', '}', '*', '+', '?', '|',
    ])
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

/// Load and merge the decK files matching `patterns` (globs relative to `root`) from disk,
/// confined to `root` with the default limits. Used by tests and the benchmark.
pub fn load(root: &Path, patterns: &[String], sources: &SourceMap) -> (Manifest, Diagnostics) {
    let files = match Files::disk(root) {
        Ok(f) => f,
        Err(e) => {
            let mut diags = Diagnostics::new();
            diags.push(
                Diagnostic::new(
                    codes::FILE_UNREADABLE,
                    format!("cannot open the folder `{}`: {e}", root.display()),
                )
                .in_file(root.display().to_string()),
            );
            return (Manifest::default(), diags);
        }
    };
    let patterns: Vec<(String, Option<Span>)> =
        patterns.iter().map(|p| (p.clone(), None)).collect();
    load_from(&files, &patterns, sources)
}

/// Load and merge the decK files matching `patterns` (globs relative to the project root,
/// each with where portal.yaml writes it), read through `files`.
pub fn load_from(
    files: &Files,
    patterns: &[(String, Option<Span>)],
    sources: &SourceMap,
) -> (Manifest, Diagnostics) {
    let mut diags = Diagnostics::new();
    let paths = find_files(files, patterns, &mut diags);
    let mut merger = Merger::default();
    for path in paths {
        match files.read_text(&path, sources) {
            Ok(text) => merger.add_file_in(&text.rel, &text.text, files.budget()),
            Err(e) => diags.push(e.diagnostic(&files.display(&path), None)),
        }
    }
    let (manifest, more) = merger.finish();
    diags.extend(more);
    (manifest, diags)
}

/// Files matching any of `patterns`, sorted by project-relative path. Only the literal folder
/// part of each pattern is walked, and only as deep as the pattern reaches unless it has `**`.
/// A pattern whose folder lies outside the project (and the read roots) is refused before
/// anything is looked at; a pattern written in portal.yaml that matches no file is reported
/// (an error when no pattern matches anything, since then no decK file is read at all).
fn find_files(
    files: &Files,
    patterns: &[(String, Option<Span>)],
    diags: &mut Diagnostics,
) -> Vec<PathBuf> {
    let mut globs: Vec<(globset::GlobMatcher, PathBuf, Option<usize>)> = Vec::new();
    let mut usable: Vec<usize> = Vec::new();
    for (i, (p, at)) in patterns.iter().enumerate() {
        let glob = match globset::GlobBuilder::new(p).literal_separator(true).build() {
            Ok(g) => g.compile_matcher(),
            Err(e) => {
                let d = Diagnostic::new(
                    codes::INVALID_GLOB,
                    format!("invalid gateway.manifests pattern `{p}`: {e}"),
                );
                diags.push(match at {
                    Some(at) => d.at(at),
                    None => d,
                });
                continue;
            }
        };
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
        let base = normalize(&files.root().join(parts[..dir_len].join("/")));
        if !files.is_allowed(&base) {
            let d = Diagnostic::new(
                codes::FILE_OUTSIDE_PROJECT,
                format!("`gateway.manifests` pattern `{p}` reaches outside the project folder, so nothing is read through it"),
            )
            .help("portalgen reads only files inside the project: move the decK files into it, or list their folder under `read_roots:` in portal.yaml");
            diags.push(match at {
                Some(at) => d.at(at),
                None => d,
            });
            continue;
        }
        usable.push(i);
        globs.push((glob, base, depth));
    }
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    let mut matched = vec![false; patterns.len()];
    for (n, (glob, base, depth)) in globs.iter().enumerate() {
        // (folder, its depth below the base)
        let mut stack: Vec<(PathBuf, usize)> = vec![(base.clone(), 0)];
        let mut seen: std::collections::BTreeSet<PathBuf> = Default::default();
        while let Some((dir, level)) = stack.pop() {
            match files.resolve(&dir) {
                Ok((canonical, crate::load::files::Kind::Dir)) => {
                    if !seen.insert(canonical) {
                        continue;
                    }
                }
                _ => continue,
            }
            let Ok(entries) = files.list(&dir) else {
                continue;
            };
            for entry in entries {
                let rel = files.display(&entry.path);
                let hit = glob.is_match(&rel);
                match &entry.kind {
                    Ok(crate::load::files::Kind::File { .. }) if hit => {
                        matched[usable[n]] = true;
                        found.push((rel, entry.path));
                    }
                    Ok(crate::load::files::Kind::Dir) => {
                        if hit {
                            diags.push(
                                Diagnostic::new(
                                    codes::UNUSED_INPUT,
                                    format!("`{rel}` matches `gateway.manifests` but is a folder, not a decK file"),
                                )
                                .in_file(&rel)
                                .help("rename the folder, or write a pattern that matches only decK files"),
                            );
                        }
                        if depth.is_none_or(|d| level + 1 < d) {
                            stack.push((entry.path.clone(), level + 1));
                        }
                    }
                    Ok(crate::load::files::Kind::Special(what)) if hit => {
                        matched[usable[n]] = true;
                        diags.push(FileError::NotRegular(what).diagnostic(&rel, None));
                    }
                    Err(e) if hit => {
                        matched[usable[n]] = true;
                        diags.push(e.diagnostic(&rel, None));
                    }
                    _ => {}
                }
            }
        }
    }
    let any = matched.iter().any(|m| *m);
    for &i in &usable {
        let (p, at) = &patterns[i];
        if matched[i] {
            continue;
        }
        // The default patterns match nothing in a project without gateway/: no decK files.
        let Some(at) = at else {
            continue;
        };
        let mut d = Diagnostic::new(
            codes::GLOB_MATCHES_NOTHING,
            format!("`gateway.manifests` pattern `{p}` matches no file"),
        )
        .at(at)
        .help("patterns are relative to the project folder, e.g. `gateway/*.yaml`; `**` matches folders at any depth");
        if any {
            d = d.severity(crate::diagnostics::Severity::Warning);
        }
        diags.push(d);
    }
    found.sort();
    found.dedup_by(|a, b| a.0 == b.0);
    found.into_iter().map(|(_, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(text: &str) -> (Manifest, Diagnostics) {
        from_texts(
            &[("gateway/kong.yaml".to_string(), text.to_string())],
            &SourceMap::default(),
        )
    }

    #[test]
    fn plugins_and_consumers_are_read_with_scope_and_position() {
        let (m, d) = read(
            "_format_version: \"3.0\"\n\
             _info: {default_lookup_tags: {consumer_groups: [shared]}}\n\
             services:\n\
             - name: s\n  url: http://x\n  plugins:\n  - name: cors\n  routes:\n  - name: r\n    paths: [/r]\n    plugins:\n    - name: acl\n      consumer: alice\n      config: {allow: [a]}\n\
             consumers:\n\
             - username: alice\n  acls: [{group: a}]\n  keyauth_credentials: [{key: k1, ttl: 5}]\n  plugins:\n  - name: rate-limiting\n    route: r\n    config: {minute: 5}\n\
             plugins:\n\
             - name: ace\n  consumer_group: gold\n  instance_name: x\n",
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(m.plugins.len(), 4);
        let by_name = |n: &str| m.plugins.iter().find(|p| p.name == n).unwrap();
        let cors = by_name("cors");
        assert_eq!(cors.owner, Owner::Service(ServiceId(0)));
        assert_eq!((cors.span.line, cors.span.column), (7, 5));
        let acl = by_name("acl");
        assert_eq!(acl.owner, Owner::Route(RouteId(0)));
        assert_eq!(
            acl.scope.consumer.as_ref().map(|c| &c.target),
            Some(&Target::Entity(ConsumerId(0)))
        );
        assert_eq!(acl.config.get("allow"), Some(&json!(["a"])));
        let rl = by_name("rate-limiting");
        assert_eq!(rl.owner, Owner::Consumer(ConsumerId(0)));
        assert_eq!(
            rl.scope.route.as_ref().map(|r| &r.target),
            Some(&Target::Entity(RouteId(0)))
        );
        let ace = by_name("ace");
        assert_eq!(ace.owner, Owner::Root);
        assert_eq!(
            ace.scope.consumer_group.as_ref().map(|g| &g.target),
            Some(&Target::Other("gold".into()))
        );
        assert_eq!(ace.extra.get("instance_name"), Some(&json!("x")));
        let alice = &m.consumers[0];
        assert_eq!(alice.span.line, 16);
        assert!(alice.in_group("a"));
        assert_eq!(alice.keyauth_credentials[0].key, "k1");
        assert_eq!(
            alice.keyauth_credentials[0].extra.get("ttl"),
            Some(&json!(5))
        );
    }

    #[test]
    fn plugin_references_to_nothing_are_errors_unless_looked_up_in_kong() {
        let text = |info: &str| {
            format!(
                "_format_version: \"3.0\"\n{info}services:\n- name: s\n  url: http://x\n  routes:\n  - name: r\n    paths: [/r]\nplugins:\n- name: cors\n  route: nope\n- name: acl\n  service: s\n  consumer: ghost\n- name: key-auth\n  consumer_group: gold\n  service: missing\n"
            )
        };
        let (_, d) = read(&text(""));
        let got: Vec<(&str, Option<u32>)> = d.iter().map(|d| (d.code.id(), d.line)).collect();
        assert_eq!(
            got,
            vec![
                ("unknown-route", Some(10)),
                ("unknown-consumer", Some(13)),
                ("unknown-service", Some(16)),
                ("unknown-consumer-group", Some(15)),
            ],
            "{d:?}"
        );
        assert!(d.iter().next().unwrap().message.contains("`nope`"), "{d:?}");
        // decK looks routes and consumers up in Kong: only the other two stay errors.
        let (_, d) = read(&text(
            "_info: {default_lookup_tags: {routes: [t], consumers: [t]}}\n",
        ));
        let got: Vec<&str> = d.iter().map(|d| d.code.id()).collect();
        assert_eq!(
            got,
            vec!["unknown-service", "unknown-consumer-group"],
            "{d:?}"
        );
    }

    #[test]
    fn other_sections_are_kept_and_merged() {
        let (m, d) = from_texts(
            &[
                (
                    "gateway/a.yaml".into(),
                    "_format_version: \"3.0\"\nupstreams: [{name: u1}]\n_info: {select_tags: [t], defaults: {}}\n".into(),
                ),
                (
                    "gateway/b.yaml".into(),
                    "_format_version: \"3.0\"\nupstreams: [{name: u2}]\nvaults: [{prefix: env, name: env}]\n_info: {select_tags: [t]}\n".into(),
                ),
            ],
            &SourceMap::default(),
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            m.sections.get("upstreams"),
            Some(&json!([{"name": "u1"}, {"name": "u2"}]))
        );
        assert!(m.sections.get("vaults").is_some());
        assert!(m.sections.has("_info") && m.sections.get("_info").is_none());
        assert_eq!(m.info.get("defaults"), Some(&json!({})));
        assert_eq!(m.select_tags, ["t"]);
    }

    #[test]
    fn consumers_need_a_username_or_custom_id() {
        let (_, d) = read("_format_version: \"3.0\"\nconsumers:\n- id: x\n  tags: []\n");
        let d: Vec<_> = d.iter().collect();
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, codes::CONSUMER_MISSING_NAME);
        assert_eq!(d[0].line, Some(3));
    }
}
