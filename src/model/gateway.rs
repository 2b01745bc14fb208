//! The Kong side of the portal: every entity of the project's decK files (services, routes,
//! plugins, consumers, consumer groups), merged as decK merges them. Plain typed data, no IO:
//! reading the files is [`crate::load::deck`]'s job, Kong's own rules and semantics (route
//! rules, routing, priorities) are [`crate::kong`]'s, writing a decK file is
//! [`crate::export`]'s.
//!
//! The fields portalgen interprets are typed, with the positions the rules point at (each path,
//! host and header of a route). Everything else an entity holds (timeouts, credentials other
//! than key-auth, a plugin's `ordering`, whole sections such as `upstreams` or `vaults`) is
//! kept as written in the entity's [`Passthrough`], together with the order its keys were
//! written in, so the export can write the manifest back as written without a raw copy of the
//! files.

use std::ops::Deref;

use serde_json::Value as Json;

use crate::model::api::Method;
use crate::model::ids::{ConsumerGroupId, ConsumerId, RouteId, ServiceId};
use crate::source::Span;

/// decK's environment references: a value containing a `${{ ... }}` template action (most
/// often `${{ env "DECK_NAME" }}`), which decK replaces in the file's text before reading it.
/// Its value is unknown until `deck gateway sync` runs, so portalgen never reasons about it.
pub fn is_env(value: &str) -> bool {
    value.contains("${{")
}

/// The variable names of the decK env references in `value` whose name lacks decK's `DECK_`
/// prefix (decK refuses to render them: "environment variables in the state file must be
/// prefixed with 'DECK_'").
pub fn unprefixed_env_vars(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(i) = rest.find("${{") {
        let action = &rest[i + 3..];
        let end = action.find("}}").unwrap_or(action.len());
        let inner = &action[..end];
        let mut words = inner.split_whitespace();
        while let Some(w) = words.next() {
            if w == "env"
                && let Some(arg) = words.next()
            {
                let name = arg.trim_matches(|c| c == '"' || c == '`');
                if !name.starts_with("DECK_") {
                    out.push(name.to_string());
                }
            }
        }
        rest = &action[end..];
    }
    out
}

/// The typed fields of an entity whose written value is a decK env reference: their typed
/// value is a placeholder (the default), the written text is kept in the entity's
/// [`Passthrough`] and written back as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvFields(Vec<&'static str>);

impl EnvFields {
    pub fn add(&mut self, field: &'static str) {
        if !self.0.contains(&field) {
            self.0.push(field);
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains(&field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fields, in the order they were found.
    pub fn fields(&self) -> &[&'static str] {
        &self.0
    }
}

/// A value with the position it is written at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl<T> Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// The keys of one decK mapping in the order they are written, with the value of every key
/// portalgen does not interpret (kept as written, as JSON). A key portalgen reads into a typed
/// field is only a placeholder here: the typed field holds its value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Passthrough {
    fields: Vec<(String, Option<Json>)>,
}

impl Passthrough {
    /// Record `key` as read into a typed field.
    pub fn typed(&mut self, key: &str) {
        if !self.has(key) {
            self.fields.push((key.to_string(), None));
        }
    }

    /// Keep `key` with its value as written.
    pub fn keep(&mut self, key: &str, value: Json) {
        match self.fields.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = Some(value),
            None => self.fields.push((key.to_string(), Some(value))),
        }
    }

    /// Every key in written order, with its kept value (`None` for typed keys).
    pub fn fields(&self) -> impl Iterator<Item = (&str, Option<&Json>)> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v.as_ref()))
    }

    /// `key` was written (typed or kept).
    pub fn has(&self, key: &str) -> bool {
        self.fields.iter().any(|(k, _)| k == key)
    }

    /// The kept value of `key`.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.as_ref())
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// decK's merge of the same mapping from a later file: keys new to `self` are appended;
    /// with `concat_lists`, a list kept in both is the concatenation; otherwise the first
    /// file's value stays.
    pub fn merge(&mut self, later: Passthrough, concat_lists: bool) {
        for (key, value) in later.fields {
            match self.fields.iter_mut().find(|(k, _)| *k == key) {
                None => self.fields.push((key, value)),
                Some((_, Some(Json::Array(have)))) if concat_lists => {
                    if let Some(Json::Array(more)) = value {
                        have.extend(more);
                    }
                }
                Some(_) => {}
            }
        }
    }
}

/// The tags of an entity: as written, and the `_info.select_tags` of its file, which decK adds
/// to every entity it manages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags {
    pub written: Vec<String>,
    pub select: Vec<String>,
}

impl Tags {
    /// The tags the entity carries once decK synced it: written ones, then the select tags.
    pub fn all(&self) -> Vec<String> {
        let mut all = self.written.clone();
        for t in &self.select {
            if !all.contains(t) {
                all.push(t.clone());
            }
        }
        all
    }
}

/// The merged decK configuration of the project.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    /// Project-relative paths of the files read, sorted.
    pub files: Vec<String>,
    pub services: Vec<Service>,
    /// Every route: nested under a service (in the service's order) or written at the top level.
    pub routes: Vec<Route>,
    /// Every plugin, wherever it is written ([`Plugin::owner`]).
    pub plugins: Vec<Plugin>,
    pub consumers: Vec<Consumer>,
    pub consumer_groups: Vec<ConsumerGroup>,
    /// `_format_version` of the first file that sets it.
    pub format_version: Option<String>,
    /// `_info.select_tags` (union over the files, in order of appearance).
    pub select_tags: Vec<String>,
    /// `_info` as written, merged (`select_tags` is the typed field above).
    pub info: Passthrough,
    /// `_workspace` of the files (decK refuses files of different workspaces in one sync).
    pub workspace: Option<String>,
    /// How each value holding a decK env reference is written in the files (quotes included),
    /// by its value: the export writes such values back byte for byte.
    pub env_written: std::collections::BTreeMap<String, String>,
    /// The top-level keys of the files in first-seen order. The sections read into the typed
    /// fields above are placeholders; every other section (`upstreams`, `certificates`,
    /// `vaults`, …) is kept as written, lists concatenated across files as decK does.
    pub sections: Passthrough,
    /// Where each top-level key is first written (the position of its value).
    pub section_spans: Vec<(String, Span)>,
}

impl Manifest {
    /// Where the top-level key `key` is first written.
    pub fn section_span(&self, key: &str) -> Option<&Span> {
        self.section_spans
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, s)| s)
    }

    /// The route called `name_or_id` (name first, then id).
    pub fn route(&self, name_or_id: &str) -> Option<RouteId> {
        self.routes
            .iter()
            .position(|r| r.name.as_deref() == Some(name_or_id))
            .or_else(|| {
                self.routes
                    .iter()
                    .position(|r| r.id.as_deref() == Some(name_or_id))
            })
            .map(RouteId::new)
    }

    /// The service called `name_or_id` (name first, then id).
    pub fn service(&self, name_or_id: &str) -> Option<ServiceId> {
        self.services
            .iter()
            .position(|s| s.name.as_deref() == Some(name_or_id))
            .or_else(|| {
                self.services
                    .iter()
                    .position(|s| s.id.as_deref() == Some(name_or_id))
            })
            .map(ServiceId::new)
    }

    /// The consumer a plugin's `consumer: <username or id>` names (username first).
    pub fn consumer(&self, username_or_id: &str) -> Option<ConsumerId> {
        self.consumers
            .iter()
            .position(|c| c.username.as_deref() == Some(username_or_id))
            .or_else(|| {
                self.consumers
                    .iter()
                    .position(|c| c.id.as_deref() == Some(username_or_id))
            })
            .map(ConsumerId::new)
    }

    /// The consumer group called `name_or_id` (name first, then id).
    pub fn consumer_group(&self, name_or_id: &str) -> Option<ConsumerGroupId> {
        self.consumer_groups
            .iter()
            .position(|g| g.name.as_deref() == Some(name_or_id))
            .or_else(|| {
                self.consumer_groups
                    .iter()
                    .position(|g| g.id.as_deref() == Some(name_or_id))
            })
            .map(ConsumerGroupId::new)
    }

    pub fn route_at(&self, id: RouteId) -> &Route {
        &self.routes[id.index()]
    }

    pub fn service_at(&self, id: ServiceId) -> &Service {
        &self.services[id.index()]
    }

    pub fn consumer_at(&self, id: ConsumerId) -> &Consumer {
        &self.consumers[id.index()]
    }

    pub fn consumer_group_at(&self, id: ConsumerGroupId) -> &ConsumerGroup {
        &self.consumer_groups[id.index()]
    }

    /// The service a route forwards to.
    pub fn service_of(&self, route: &Route) -> Option<&Service> {
        route.service.map(|s| self.service_at(s))
    }

    /// Every route with its id, in order.
    pub fn route_ids(&self) -> impl Iterator<Item = (RouteId, &Route)> {
        self.routes
            .iter()
            .enumerate()
            .map(|(i, r)| (RouteId::new(i), r))
    }

    /// Every consumer with its id, in order.
    pub fn consumer_ids(&self) -> impl Iterator<Item = (ConsumerId, &Consumer)> {
        self.consumers
            .iter()
            .enumerate()
            .map(|(i, c)| (ConsumerId::new(i), c))
    }

    /// The plugins written under `owner`, in written order.
    pub fn plugins_of(&self, owner: Owner) -> impl Iterator<Item = &Plugin> {
        self.plugins.iter().filter(move |p| p.owner == owner)
    }
}

/// A route's HTTP method as written: one of the methods OpenAPI knows, or another token (Kong
/// accepts any upper-case one, e.g. `PURGE` or WebDAV's `PROPFIND`; that rule is
/// [`crate::kong::rules`]'s).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RouteMethod {
    Http(Method),
    Other(String),
}

impl RouteMethod {
    /// `s` as written: a known method when it is one exactly (upper-case), else `Other`.
    pub fn parse(s: &str) -> RouteMethod {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .map_or_else(|| RouteMethod::Other(s.to_string()), RouteMethod::Http)
    }

    pub fn as_str(&self) -> &str {
        match self {
            RouteMethod::Http(m) => m.as_str(),
            RouteMethod::Other(s) => s,
        }
    }

    /// Kong's rule for a route method: upper-case letters only.
    pub fn is_valid(&self) -> bool {
        let s = self.as_str();
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_uppercase())
    }
}

/// A protocol of a route or service (Kong's `protocols` / `protocol` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    Http,
    Https,
    Grpc,
    Grpcs,
    Tcp,
    Tls,
    TlsPassthrough,
    Udp,
    Ws,
    Wss,
}

impl Protocol {
    pub const ALL: [Protocol; 10] = [
        Protocol::Http,
        Protocol::Https,
        Protocol::Grpc,
        Protocol::Grpcs,
        Protocol::Tcp,
        Protocol::Tls,
        Protocol::TlsPassthrough,
        Protocol::Udp,
        Protocol::Ws,
        Protocol::Wss,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "http",
            Protocol::Https => "https",
            Protocol::Grpc => "grpc",
            Protocol::Grpcs => "grpcs",
            Protocol::Tcp => "tcp",
            Protocol::Tls => "tls",
            Protocol::TlsPassthrough => "tls_passthrough",
            Protocol::Udp => "udp",
            Protocol::Ws => "ws",
            Protocol::Wss => "wss",
        }
    }

    pub fn parse(s: &str) -> Option<Protocol> {
        Protocol::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// A protocol of Kong's stream subsystem (not routed by the HTTP router).
    pub fn is_stream(self) -> bool {
        matches!(
            self,
            Protocol::Tcp | Protocol::Tls | Protocol::TlsPassthrough | Protocol::Udp
        )
    }
}

/// A route's `path_handling`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PathHandling {
    #[default]
    V0,
    V1,
}

impl PathHandling {
    pub fn as_str(self) -> &'static str {
        match self {
            PathHandling::V0 => "v0",
            PathHandling::V1 => "v1",
        }
    }

    pub fn parse(s: &str) -> Option<PathHandling> {
        match s {
            "v0" => Some(PathHandling::V0),
            "v1" => Some(PathHandling::V1),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Service {
    pub name: Option<String>,
    pub id: Option<String>,
    /// `url` as written.
    pub url: Option<String>,
    /// `protocol`, else the scheme of `url`; Kong's default is `http`.
    pub protocol: Protocol,
    /// `host`, else the host of `url`.
    pub host: Option<String>,
    /// `port`, else the port of `url`.
    pub port: Option<u16>,
    /// Upstream path: `path`, else the path of `url` (at the value it comes from).
    pub path: Option<Spanned<String>>,
    /// The routes written under the service's `routes`, in order.
    pub routes: Vec<RouteId>,
    pub tags: Tags,
    /// Typed fields (`protocol`, `host`, `port`, `path`) whose value comes from a decK env
    /// reference (in `url` or the field itself): unknown.
    pub env: EnvFields,
    pub span: Span,
    pub extra: Passthrough,
}

impl Service {
    /// Name, else id.
    pub fn label(&self) -> &str {
        self.name.as_deref().or(self.id.as_deref()).unwrap_or("")
    }
}

/// A top-level route's `service: {name|id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRef {
    pub name: Option<String>,
    pub id: Option<String>,
    pub span: Span,
}

/// One entry of a route's `headers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The header name, at its key.
    pub name: Spanned<String>,
    /// Values (a value starting with `~*` is a regex).
    pub values: Vec<String>,
    /// Where the values are written.
    pub values_span: Span,
}

/// One entry of a route's `sources` / `destinations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Net {
    /// IP address or CIDR range.
    pub ip: Option<String>,
    pub port: Option<u16>,
}

#[derive(Debug, Clone)]
pub struct Route {
    pub name: Option<String>,
    pub id: Option<String>,
    pub service: Option<ServiceId>,
    /// A top-level route's reference to its service as written (`None` for nested routes).
    pub service_ref: Option<ServiceRef>,
    pub methods: Vec<Spanned<RouteMethod>>,
    pub hosts: Vec<Spanned<String>>,
    /// `hosts` was written (even as an empty list): Kong's "plain hosts only" bit depends on
    /// `hosts` being a table, not on it being non-empty.
    pub hosts_present: bool,
    pub paths: Vec<Spanned<String>>,
    pub headers: Vec<Header>,
    pub snis: Vec<String>,
    pub sources: Vec<Net>,
    pub destinations: Vec<Net>,
    /// Kong's default is `["http", "https"]`.
    pub protocols: Vec<Protocol>,
    pub strip_path: bool,
    pub preserve_host: bool,
    pub regex_priority: i64,
    /// `v0` (default) or `v1`; the ATC flavors always behave as `v0`.
    pub path_handling: PathHandling,
    pub expression: Option<Spanned<String>>,
    /// `priority` as written (Kong's range is checked by [`crate::kong::rules`]).
    pub priority: Option<Spanned<i64>>,
    pub tags: Tags,
    /// Typed fields whose value is (or holds) a decK env reference: unknown to routing.
    pub env: EnvFields,
    pub span: Span,
    pub extra: Passthrough,
}

impl Route {
    /// Name, else id.
    pub fn label(&self) -> &str {
        self.name.as_deref().or(self.id.as_deref()).unwrap_or("")
    }

    /// True for routes Kong's HTTP subsystem routes (not tcp/tls/udp stream routes).
    pub fn is_http(&self) -> bool {
        self.protocols.iter().any(|p| {
            matches!(
                p,
                Protocol::Http
                    | Protocol::Https
                    | Protocol::Grpc
                    | Protocol::Grpcs
                    | Protocol::Ws
                    | Protocol::Wss
            )
        }) || self.protocols.is_empty()
    }

    /// The route is written under its service's `routes` (not at the top level).
    pub fn is_nested(&self) -> bool {
        self.service_ref.is_none() && self.service.is_some()
    }

    /// The fields Kong matches requests on (and ranks routes by) that hold a decK env
    /// reference: while any is set, which requests the route takes is unknown.
    pub fn env_matching_fields(&self) -> Vec<&'static str> {
        const MATCHING: [&str; 12] = [
            "methods",
            "hosts",
            "paths",
            "headers",
            "snis",
            "sources",
            "destinations",
            "protocols",
            "regex_priority",
            "expression",
            "priority",
            "service",
        ];
        self.env
            .fields()
            .iter()
            .copied()
            .filter(|f| MATCHING.contains(f))
            .collect()
    }
}

/// Where a plugin is written: at the top level or nested under an entity (which scopes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    Root,
    Service(ServiceId),
    Route(RouteId),
    Consumer(ConsumerId),
    ConsumerGroup(ConsumerGroupId),
}

/// What a plugin scope field refers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target<I> {
    /// An entity of the manifest.
    Entity(I),
    /// A name or id no decK file defines (an entity managed elsewhere).
    Other(String),
}

/// One scope field of a plugin.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScopeRef<I> {
    pub target: Target<I>,
    /// The reference as written; `None` when the scope comes from where the plugin is nested.
    pub written: Option<String>,
}

/// A plugin's scope: each field set narrows it (all unset: global). Kong runs the instance of
/// the most specific scope that applies to a request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PluginScope {
    pub service: Option<ScopeRef<ServiceId>>,
    pub route: Option<ScopeRef<RouteId>>,
    pub consumer: Option<ScopeRef<ConsumerId>>,
    pub consumer_group: Option<ScopeRef<ConsumerGroupId>>,
}

impl PluginScope {
    pub fn is_global(&self) -> bool {
        self.service.is_none()
            && self.route.is_none()
            && self.consumer.is_none()
            && self.consumer_group.is_none()
    }
}

#[derive(Debug, Clone)]
pub struct Plugin {
    pub name: String,
    /// Kong's default is `true`.
    pub enabled: bool,
    /// `config` as written (free-form: decK does not validate it either).
    pub config: serde_json::Map<String, Json>,
    pub tags: Tags,
    pub scope: PluginScope,
    pub owner: Owner,
    /// `enabled` or `config` hold a decK env reference.
    pub env: EnvFields,
    pub span: Span,
    pub extra: Passthrough,
}

impl Plugin {
    /// The plugin's scope in words, for messages: "on route `r` and consumer `c`", "globally".
    pub fn scope_words(&self, manifest: &Manifest) -> String {
        fn name<I: Clone>(r: &Option<ScopeRef<I>>, label: impl Fn(I) -> String) -> Option<String> {
            r.as_ref().map(|r| match &r.target {
                Target::Entity(id) => label(id.clone()),
                Target::Other(text) => text.clone(),
            })
        }
        let mut parts = Vec::new();
        if let Some(s) = name(&self.scope.service, |i| {
            manifest.service_at(i).label().to_string()
        }) {
            parts.push(format!("service `{s}`"));
        }
        if let Some(r) = name(&self.scope.route, |i| {
            manifest.route_at(i).label().to_string()
        }) {
            parts.push(format!("route `{r}`"));
        }
        if let Some(c) = name(&self.scope.consumer, |i| {
            manifest.consumer_at(i).label().to_string()
        }) {
            parts.push(format!("consumer `{c}`"));
        }
        if let Some(g) = name(&self.scope.consumer_group, |i| {
            manifest.consumer_group_at(i).label().to_string()
        }) {
            parts.push(format!("consumer group `{g}`"));
        }
        if parts.is_empty() {
            "globally".to_string()
        } else {
            format!("on {}", parts.join(" and "))
        }
    }
}

/// One `acls` entry of a consumer.
#[derive(Debug, Clone)]
pub struct AclGroup {
    pub group: String,
    pub span: Span,
    pub extra: Passthrough,
}

/// One `keyauth_credentials` entry of a consumer.
#[derive(Debug, Clone)]
pub struct KeyAuthCredential {
    /// The key as written: a decK env reference ([`is_env`]) or a literal secret.
    pub key: String,
    pub span: Span,
    pub extra: Passthrough,
}

#[derive(Debug, Clone)]
pub struct Consumer {
    pub username: Option<String>,
    pub custom_id: Option<String>,
    pub id: Option<String>,
    pub acls: Vec<AclGroup>,
    pub keyauth_credentials: Vec<KeyAuthCredential>,
    pub tags: Tags,
    pub span: Span,
    pub extra: Passthrough,
}

impl Consumer {
    /// How a plugin refers to the consumer: `username`, else `id`.
    pub fn reference(&self) -> Option<&str> {
        self.username.as_deref().or(self.id.as_deref())
    }

    /// For messages: `username`, else `custom_id`, else `id`.
    pub fn label(&self) -> &str {
        self.username
            .as_deref()
            .or(self.custom_id.as_deref())
            .or(self.id.as_deref())
            .unwrap_or("(unnamed)")
    }

    /// The consumer's ACL groups.
    pub fn in_group(&self, group: &str) -> bool {
        self.acls.iter().any(|a| a.group == group)
    }

    /// The consumer groups the consumer is a member of (`groups: [{name}]`, kept as written).
    pub fn group_memberships(&self) -> Vec<String> {
        self.extra
            .get("groups")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(|g| {
                g.get("name")
                    .or_else(|| g.get("id"))
                    .and_then(Json::as_str)
                    .map(str::to_string)
            })
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct ConsumerGroup {
    pub name: Option<String>,
    pub id: Option<String>,
    pub tags: Tags,
    pub span: Span,
    pub extra: Passthrough,
}

impl ConsumerGroup {
    /// Name, else id.
    pub fn label(&self) -> &str {
        self.name.as_deref().or(self.id.as_deref()).unwrap_or("")
    }

    /// The consumers the group lists (`consumers: [{username|id}]`, kept as written).
    pub fn members(&self) -> Vec<String> {
        self.extra
            .get("consumers")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| {
                c.get("username")
                    .or_else(|| c.get("id"))
                    .and_then(Json::as_str)
                    .map(str::to_string)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn route_methods_accept_kongs_upper_case_tokens() {
        assert_eq!(RouteMethod::parse("GET"), RouteMethod::Http(Method::Get));
        assert_eq!(
            RouteMethod::parse("PURGE"),
            RouteMethod::Other("PURGE".to_string())
        );
        assert!(RouteMethod::parse("PURGE").is_valid());
        for bad in ["", "get", "Get", "GET1", "G-T"] {
            assert!(!RouteMethod::parse(bad).is_valid(), "{bad}");
        }
    }

    #[test]
    fn passthrough_keeps_order_and_merges_as_deck() {
        let mut a = Passthrough::default();
        a.typed("services");
        a.keep("upstreams", json!([{"name": "u1"}]));
        a.keep("_konnect", json!({"control_plane_name": "a"}));
        let mut b = Passthrough::default();
        b.keep("upstreams", json!([{"name": "u2"}]));
        b.keep("_konnect", json!({"control_plane_name": "b"}));
        b.typed("plugins");
        a.merge(b, true);
        let keys: Vec<&str> = a.fields().map(|(k, _)| k).collect();
        assert_eq!(keys, ["services", "upstreams", "_konnect", "plugins"]);
        assert_eq!(
            a.get("upstreams"),
            Some(&json!([{"name": "u1"}, {"name": "u2"}]))
        );
        assert_eq!(a.get("_konnect"), Some(&json!({"control_plane_name": "a"})));
        assert_eq!(a.get("services"), None);
        assert!(a.has("services"));
    }

    #[test]
    fn env_prefix() {
        assert!(unprefixed_env_vars(r#"${{ env "DECK_A" }}"#).is_empty());
        assert_eq!(unprefixed_env_vars(r#"${{ env "HOME" }}"#), ["HOME"]);
        assert_eq!(
            unprefixed_env_vars(r#"x${{ env `SECRET` | toInt }}y"#),
            ["SECRET"]
        );
        assert!(is_env("a${{ env \"DECK_X\" }}"));
    }

    #[test]
    fn tags_add_select_tags_once() {
        let t = Tags {
            written: vec!["a".into(), "team".into()],
            select: vec!["team".into(), "b".into()],
        };
        assert_eq!(t.all(), ["a", "team", "b"]);
    }
}
