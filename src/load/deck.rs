//! Reading decK files: the spanned tree of each YAML/JSON file turned into the typed entities of
//! [`crate::model::gateway`] (services with nested routes, top-level routes, plugins wherever
//! decK lets them be written, consumers with their ACL groups and key-auth credentials,
//! consumer groups), with decK's own file rules only: the shape of each entity (known keys,
//! value types, `name` or `id`), `_format_version`, `_info.select_tags`, and the name/id
//! references between entities. [`Merger`] merges files as `deck gateway sync a.yaml b.yaml`
//! does: entity lists are concatenated, `_info` merged, references resolved against every file.
//!
//! Like decK, the reader renders the files before reading them: decK's `${{ ... }}` template
//! actions (`${{ env "DECK_NAME" }}`, decK's env references) are accepted anywhere in the text
//! ([`mask_env`]); a typed field holding one is unknown ([`crate::model::gateway::EnvFields`])
//! and its written text is kept, quotes included, so the export writes it back byte for byte.
//! `_info.defaults` (route and service defaults) are applied as decK's defaulter applies them:
//! merged across the files, to every field an entity does not set. Files of different
//! `_workspace`s are refused, as decK refuses to sync them together.
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
    AclGroup, Consumer, ConsumerGroup, EnvFields, Header, KeyAuthCredential, Manifest, Net, Owner,
    Passthrough, PathHandling, Plugin, PluginScope, Protocol, Route, RouteMethod, ScopeRef,
    Service, ServiceRef, Spanned, Tags, Target, is_env, unprefixed_env_vars,
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

/// decK's template actions in a file's text, masked for the YAML reader.
///
/// decK renders every file as a Go template with the delimiters `${{` and `}}` before reading
/// it (`renderTemplate` in go-database-reconciler `pkg/file/template.go`), so an action may
/// stand anywhere in the text, also where YAML would not take its characters as they are (a
/// flow list `[${{ env "DECK_P" }}]`). Each action on one line is replaced by a token of the
/// same length made of letters and digits, so the YAML parser reads the file as decK's
/// rendered file would read, and every position after it on the line stays where it is.
/// [`Masked::restore`] puts the actions back into the values that hold them.
pub struct Masked {
    /// The text with every action replaced by its token.
    pub text: String,
    /// The actions as written, by token number.
    actions: Vec<String>,
    /// The byte offset of each action in the original text.
    offsets: Vec<usize>,
}

/// Token `n` of an action `len` bytes long: `Zz<n>` padded with `z` and closed by `zZ`.
fn token(n: usize, len: usize) -> String {
    let head = format!("Zz{n}");
    let pad = len.saturating_sub(head.len() + 2);
    format!("{head}{}zZ", "z".repeat(pad))
}

/// Mask the decK template actions (`${{ … }}` on one line) of `text`.
pub fn mask_env(text: &str) -> Masked {
    let mut out = String::with_capacity(text.len());
    let mut actions = Vec::new();
    let mut offsets = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let after = &rest[start + 3..];
        let line_end = after.find('\n').unwrap_or(after.len());
        let Some(end) = after[..line_end].find("}}") else {
            out.push_str(&rest[..start + 3]);
            rest = after;
            continue;
        };
        let action = &rest[start..start + 3 + end + 2];
        offsets.push(text.len() - rest.len() + start);
        out.push_str(&rest[..start]);
        out.push_str(&token(actions.len(), action.len()));
        actions.push(action.to_string());
        rest = &rest[start + action.len()..];
    }
    out.push_str(rest);
    Masked {
        text: out,
        actions,
        offsets,
    }
}

impl Masked {
    /// `s` with every token replaced by its action.
    fn unmask(&self, s: &str) -> Option<String> {
        if !s.contains("Zz") {
            return None;
        }
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        let mut found = false;
        while let Some(i) = rest.find("Zz") {
            out.push_str(&rest[..i]);
            let tail = &rest[i + 2..];
            let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
            let n: Option<usize> = tail[..digits].parse().ok();
            let zs = tail[digits..].bytes().take_while(|&b| b == b'z').count();
            let closed = zs >= 1 && tail[digits + zs..].starts_with('Z');
            match (n, closed) {
                (Some(n), true) if n < self.actions.len() => {
                    out.push_str(&self.actions[n]);
                    rest = &tail[digits + zs + 1..];
                    found = true;
                }
                _ => {
                    out.push_str("Zz");
                    rest = tail;
                }
            }
        }
        out.push_str(rest);
        found.then_some(out)
    }

    /// Put the actions back into every string (and mapping key) of `node`, and record how each
    /// value holding one is written in `original` (quotes included) in `written`.
    pub fn restore(
        &self,
        node: &mut Node,
        original: &str,
        written: &mut std::collections::BTreeMap<String, String>,
    ) {
        if self.actions.is_empty() {
            return;
        }
        let lines: Vec<&str> = original.lines().collect();
        self.restore_node(node, &lines, written);
    }

    fn restore_node(
        &self,
        node: &mut Node,
        lines: &[&str],
        written: &mut std::collections::BTreeMap<String, String>,
    ) {
        match &mut node.value {
            Value::String(s) => {
                if let Some(value) = self.unmask(s) {
                    let style = lines
                        .get((node.line as usize).saturating_sub(1))
                        .and_then(|l| l.chars().nth((node.column as usize).saturating_sub(1)));
                    let line = lines
                        .get((node.line as usize).saturating_sub(1))
                        .copied()
                        .unwrap_or("");
                    let raw = written_form(&value, style, line, node.column as usize);
                    written.entry(value.clone()).or_insert(raw);
                    *s = value;
                }
            }
            Value::Seq(items) => {
                for item in items {
                    self.restore_node(item, lines, written);
                }
            }
            Value::Map(map) => {
                let keyed = map.keys().any(|k| k.contains("Zz"));
                if keyed {
                    let old = std::mem::take(map).into_entries();
                    let mut entries = Vec::with_capacity(old.len());
                    for (name, (key, mut value)) in old {
                        let name = self.unmask(&name).map(Arc::from).unwrap_or(name);
                        self.restore_node(&mut value, lines, written);
                        entries.push((name, (key, value)));
                    }
                    *map = crate::tree::Map::from_entries(entries);
                } else {
                    for (_, value) in map.values_mut() {
                        self.restore_node(value, lines, written);
                    }
                }
            }
            _ => {}
        }
    }
}

/// How a scalar holding a template action is written: as in the file for one-line scalars
/// (plain, single- or double-quoted), else single-quoted.
fn written_form(value: &str, style: Option<char>, line: &str, column: usize) -> String {
    let single = || format!("'{}'", value.replace('\'', "''"));
    if value.contains('\n') {
        return single();
    }
    match style {
        Some('\'') => single(),
        Some('"') => {
            // The double-quoted scalar as written, up to its closing quote.
            let rest: String = line.chars().skip(column.saturating_sub(1)).collect();
            let mut escaped = false;
            for (i, c) in rest.char_indices().skip(1) {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => return rest[..i + 1].to_string(),
                    _ => escaped = false,
                }
            }
            single()
        }
        Some('|' | '>') => single(),
        _ => value.to_string(),
    }
}

/// The value of one typed field as read: absent, known, or a decK env reference (unknown).
enum Read<T> {
    Absent,
    Known(T),
    Env,
}

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
    section_spans: Vec<(String, Span)>,
    diags: Diagnostics,
    /// The files parsed (actions restored), read by [`Merger::finish`] once `_info.defaults`
    /// of every file is known: decK merges the files first and applies the defaults after.
    pending: Vec<(Arc<str>, Node)>,
    /// `_info.defaults.route` / `.service` merged over the files: key → (value, file).
    route_defaults: Defaults,
    service_defaults: Defaults,
    /// `_workspace` of each file that sets one, with its position.
    workspaces: Vec<(String, Span)>,
    env_written: std::collections::BTreeMap<String, String>,
}

/// Merged `_info.defaults` of one entity kind: field → (value as written, its file).
type Defaults = std::collections::BTreeMap<String, (Node, Arc<str>)>;

/// Route fields decK's defaulter may fill (`kong.Route`; `id` and `name` are restricted).
const ROUTE_DEFAULT_KEYS: &[&str] = &[
    "destinations",
    "expression",
    "headers",
    "hosts",
    "https_redirect_status_code",
    "methods",
    "path_handling",
    "paths",
    "preserve_host",
    "priority",
    "protocols",
    "regex_priority",
    "request_buffering",
    "response_buffering",
    "snis",
    "sources",
    "strip_path",
    "tags",
];

/// Service fields decK's defaulter may fill (`kong.Service`; `id` and `name` are restricted).
const SERVICE_DEFAULT_KEYS: &[&str] = &[
    "ca_certificates",
    "client_certificate",
    "connect_timeout",
    "enabled",
    "host",
    "path",
    "port",
    "protocol",
    "read_timeout",
    "retries",
    "tags",
    "tls_verify",
    "tls_verify_depth",
    "write_timeout",
];

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

    fn int(&mut self, node: Option<&Node>, field: &str) -> Option<i64> {
        Reader::strict(&self.file).integer(&format!("`{field}`"), node?, self.diags)
    }

    /// `node` is a string holding a decK env reference.
    fn is_env_node(node: &Node) -> bool {
        node.as_str().is_some_and(is_env)
    }

    fn env_string(&mut self, node: Option<&Node>, field: &str) -> Read<String> {
        match node {
            None => Read::Absent,
            Some(n) if Self::is_env_node(n) => Read::Env,
            Some(n) => self
                .string(Some(n), field)
                .map_or(Read::Absent, Read::Known),
        }
    }

    /// A list of strings (items may hold env references); `Env` when the whole value is one.
    fn env_strings<'n>(
        &mut self,
        node: Option<&'n Node>,
        field: &str,
    ) -> Read<Vec<(String, &'n Node)>> {
        match node {
            None => Read::Absent,
            Some(n) if Self::is_env_node(n) => Read::Env,
            Some(n) => self
                .strings(Some(n), field)
                .map_or(Read::Absent, Read::Known),
        }
    }

    fn env_bool(&mut self, node: Option<&Node>, field: &str) -> Read<bool> {
        match node {
            None => Read::Absent,
            Some(n) if Self::is_env_node(n) => Read::Env,
            Some(n) => Reader::strict(&self.file)
                .bool(&format!("`{field}`"), n, self.diags)
                .map_or(Read::Absent, Read::Known),
        }
    }

    fn env_int(&mut self, node: Option<&Node>, field: &str) -> Read<i64> {
        match node {
            None => Read::Absent,
            Some(n) if Self::is_env_node(n) => Read::Env,
            Some(n) => self.int(Some(n), field).map_or(Read::Absent, Read::Known),
        }
    }

    fn env_port(&mut self, node: Option<&Node>, field: &str) -> Read<u16> {
        match node {
            None => Read::Absent,
            Some(n) if Self::is_env_node(n) => Read::Env,
            Some(n) => self.port(Some(n), field).map_or(Read::Absent, Read::Known),
        }
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

/// Run `f` in the file context of a value: the entity's own file (`from` = `None`), or the file
/// of an `_info.defaults` value (its problems were reported once, where it is written).
fn field_ctx<T>(
    cx: &mut FileCtx<'_>,
    from: Option<Arc<str>>,
    f: impl FnOnce(&mut FileCtx<'_>) -> T,
) -> T {
    match from {
        None => f(cx),
        Some(file) => {
            let mut sink = Diagnostics::new();
            let mut dcx = FileCtx {
                file,
                diags: &mut sink,
            };
            f(&mut dcx)
        }
    }
}

/// Keep the written value of every typed field of `node` that holds a decK env reference, so
/// the export writes it back as written (the typed field holds only a placeholder).
fn keep_env(extra: &mut Passthrough, node: &Node, env: &EnvFields) {
    for field in env.fields() {
        if let Some(v) = node.get(field) {
            extra.keep(field, v.to_json());
        }
    }
    if (env.has("protocol") || env.has("host") || env.has("port") || env.has("path"))
        && let Some(v) = node.get("url")
    {
        extra.keep("url", v.to_json());
    }
}

/// A service `url` holding decK env references: the parts that hold one are unknown (marked in
/// `env`), the others are read (`https://${{ env "DECK_HOST" }}/orders` has path `/orders`).
#[allow(clippy::too_many_arguments)]
fn url_with_env(
    url: &str,
    env: &mut EnvFields,
    protocol: &mut Option<Protocol>,
    host: &mut Option<String>,
    port: &mut Option<u16>,
    path: &mut Option<Spanned<String>>,
    span: Span,
) {
    // Each action becomes one private-use character, so the url splits as decK will split it.
    const MARK: char = '\u{E000}';
    let mut masked = String::new();
    let mut rest = url;
    while let Some(i) = rest.find("${{") {
        masked.push_str(&rest[..i]);
        masked.push(MARK);
        rest = match rest[i..].find("}}") {
            Some(j) => &rest[i + j + 2..],
            None => "",
        };
    }
    masked.push_str(rest);
    let Some((scheme, rest)) = masked.split_once("://") else {
        // The reference may hold the whole url: nothing is known.
        for f in ["protocol", "host", "port", "path"] {
            env.add(f);
        }
        return;
    };
    match Protocol::parse(&scheme.to_ascii_lowercase()) {
        Some(p) if !scheme.contains(MARK) => *protocol = Some(p),
        _ => env.add("protocol"),
    }
    let (authority, p) = match rest.find('/') {
        Some(i) => (&rest[..i], Some(&rest[i..])),
        None => (rest, None),
    };
    if authority.contains(MARK) {
        env.add("host");
        env.add("port");
    } else if let UrlParts {
        host: Some(h),
        port: pt,
        ..
    } = UrlParts::split(&format!("x://{authority}"))
    {
        *host = Some(h);
        *port = pt;
    }
    match p {
        Some(p) if p.contains(MARK) => env.add("path"),
        Some(p) => {
            let p = p.split(['?', '#']).next().unwrap_or(p);
            *path = Some(Spanned::new(p.to_string(), span));
        }
        None => {}
    }
}

impl Merger {
    /// Parse one decK file (already registered in the source map under `rel`), with a node
    /// budget of its own. Its entities are read by [`Merger::finish`].
    pub fn add_file(&mut self, rel: &str, text: &str) {
        self.add_file_in(rel, text, &tree::Budget::default());
    }

    /// Parse one decK file drawing on the run's node `budget`.
    pub fn add_file_in(&mut self, rel: &str, text: &str, budget: &tree::Budget) {
        self.files.push(rel.to_string());
        let file: Arc<str> = Arc::from(rel);
        let masked = mask_env(text);
        let mut root = match tree::parse_in(&masked.text, budget) {
            Ok(root) => root,
            Err(e) => {
                self.diags
                    .push(e.diagnostic(file, "cannot parse decK file: ", 0));
                return;
            }
        };
        masked.restore(&mut root, text, &mut self.env_written);
        for (action, &offset) in masked.actions.iter().zip(&masked.offsets) {
            let bad = unprefixed_env_vars(action);
            if bad.is_empty() {
                continue;
            }
            let (line, column) = crate::source::line_col(text, offset);
            self.diags.push(
                Diagnostic::new(
                    codes::DECK_ENV_PREFIX,
                    format!(
                        "environment variable `{}` has no `DECK_` prefix; decK refuses to render the file (\"environment variables in the state file must be prefixed with 'DECK_'\")",
                        bad.join("`, `")
                    ),
                )
                .at(&Span::new(file.clone(), line, column))
                .help(format!("rename it `DECK_{}`", bad[0])),
            );
        }
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
        self.collect_defaults(&file, &root);
        if let Some(ws) = root.get("_workspace")
            && let Some(name) = ws.scalar_text()
        {
            self.workspaces.push((name, ws.span(&file)));
        }
        self.pending.push((file, root));
    }

    /// Check one file's `_info.defaults` and merge its route and service defaults into the
    /// run's: the first file's value of a field wins, lists are concatenated (decK merges
    /// files with `mergo.WithAppendSlice`).
    fn collect_defaults(&mut self, file: &Arc<str>, root: &Node) {
        let Some(defaults) = root.get("_info").and_then(|i| get(i, "defaults")) else {
            return;
        };
        let mut diags = std::mem::take(&mut self.diags);
        let mut cx = FileCtx {
            file: file.clone(),
            diags: &mut diags,
        };
        if cx.mapping(defaults, "`_info.defaults`").is_some() {
            cx.unknown_keys(
                defaults,
                &["route", "service", "upstream", "target"],
                "`_info.defaults`",
            );
            for (kind, allowed) in [
                ("route", ROUTE_DEFAULT_KEYS),
                ("service", SERVICE_DEFAULT_KEYS),
            ] {
                let Some(d) = get(defaults, kind) else {
                    continue;
                };
                if cx.mapping(d, &format!("`_info.defaults.{kind}`")).is_none() {
                    continue;
                }
                let mut keys: Vec<&str> = allowed.to_vec();
                keys.extend(["id", "name"]);
                cx.unknown_keys(d, &keys, &format!("`_info.defaults.{kind}`"));
                for restricted in ["id", "name"] {
                    if let Some(n) = d.get(restricted) {
                        cx.report(
                            codes::DECK_INVALID_DEFAULTS,
                            format!(
                                "`_info.defaults.{kind}` sets `{restricted}`, which decK refuses (\"{kind} defaults cannot have these restricted fields set: {restricted}\")"
                            ),
                            n,
                        );
                    }
                }
                let merged = if kind == "route" {
                    &mut self.route_defaults
                } else {
                    &mut self.service_defaults
                };
                for (key, (_, value)) in d.as_map().into_iter().flatten() {
                    if !allowed.contains(&&**key) || value.value == Value::Null {
                        continue;
                    }
                    match merged.get_mut(&**key) {
                        None => {
                            merged.insert(key.to_string(), (value.clone(), file.clone()));
                        }
                        Some((have, _)) => {
                            if let (Value::Seq(a), Value::Seq(b)) = (&mut have.value, &value.value)
                            {
                                a.extend(b.iter().cloned());
                            }
                        }
                    }
                }
                // The values are checked where they are written, once: read as an entity of
                // their own (a route or service called "defaults").
                let mut m = d.clone();
                if let Value::Map(map) = &mut m.value {
                    let mut entries = map
                        .select(|k| k != "name" && allowed.contains(&k))
                        .into_entries();
                    entries.push((
                        "name".into(),
                        (
                            crate::tree::Key {
                                line: d.line,
                                column: d.column,
                            },
                            Node {
                                value: Value::String("defaults".into()),
                                line: d.line,
                                column: d.column,
                            },
                        ),
                    ));
                    *map = crate::tree::Map::from_entries(entries);
                }
                let mut probe = Merger::default();
                let mut pcx = FileCtx {
                    file: file.clone(),
                    diags: &mut *cx.diags,
                };
                if kind == "route" {
                    probe.read_route(&mut pcx, &m, None);
                } else {
                    probe.read_service(&mut pcx, &m);
                }
            }
        }
        self.diags = diags;
    }

    /// Read the entities of one parsed file.
    fn read_file(&mut self, file: &Arc<str>, root: &Node) {
        let file = file.clone();
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
        cx.unknown_keys(root, ROOT_KEYS, "a decK file");

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

        let mut sections = passthrough(root, TYPED_SECTIONS, ROOT_KEYS);
        // A typed section written as `null` is a type error above; nothing to keep.
        for key in TYPED_SECTIONS {
            if root.get(key).is_some() {
                sections.typed(key);
            }
        }
        self.sections.merge(sections, true);
        for (key, (_, node)) in root.as_map().into_iter().flatten() {
            if !self.section_spans.iter().any(|(k, _)| **k == **key) {
                self.section_spans.push((key.to_string(), node.span(&file)));
            }
        }
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
        let mut env = EnvFields::default();
        let mut protocol = None;
        let mut host = None;
        let mut port = None;
        let mut path = None;
        let url = cx.string(get(node, "url"), "url");
        if let (Some(url), Some(n)) = (&url, get(node, "url")) {
            if is_env(url) {
                // decK parses the url once the reference is replaced: every part holding the
                // reference is unknown, the others are read (`http://${{ env "H" }}/api`).
                url_with_env(
                    url,
                    &mut env,
                    &mut protocol,
                    &mut host,
                    &mut port,
                    &mut path,
                    cx.span(n),
                );
            } else {
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
                            protocol = Some(p);
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
        }
        // Fields of the service itself, else `_info.defaults.service` (decK's defaulter fills
        // what the service and its url leave unset).
        let defaults = std::mem::take(&mut self.service_defaults);
        let own_or_default = |key: &str| -> Option<(&Node, Option<Arc<str>>)> {
            match get(node, key) {
                Some(n) => Some((n, None)),
                None => defaults.get(key).map(|(n, f)| (n, Some(f.clone()))),
            }
        };
        if let Some((n, from)) = own_or_default("protocol")
            && (protocol.is_none() || from.is_none())
        {
            match field_ctx(cx, from.clone(), |c| c.env_string(Some(n), "protocol")) {
                Read::Known(p) => {
                    if let Some(p) = field_ctx(cx, from.clone(), |c| {
                        c.one_of(&p, n, "protocol", Protocol::parse, &protocol_names())
                    }) {
                        protocol = Some(p);
                    }
                }
                Read::Env => env.add("protocol"),
                Read::Absent => {}
            }
        }
        if let Some((n, from)) = own_or_default("host")
            && (host.is_none() || from.is_none())
        {
            match field_ctx(cx, from, |c| c.env_string(Some(n), "host")) {
                Read::Known(h) => host = Some(h),
                Read::Env => env.add("host"),
                Read::Absent => {}
            }
        }
        if let Some((n, from)) = own_or_default("port")
            && (port.is_none() || from.is_none())
        {
            match field_ctx(cx, from, |c| c.env_port(Some(n), "port")) {
                Read::Known(p) => port = Some(p),
                Read::Env => env.add("port"),
                Read::Absent => {}
            }
        }
        if let Some((n, from)) = own_or_default("path")
            && (path.is_none() || from.is_none())
            && !(from.is_some() && env.has("path"))
        {
            let span = match &from {
                None => cx.span(n),
                Some(f) => n.span(f),
            };
            match field_ctx(cx, from, |c| c.env_string(Some(n), "path")) {
                Read::Known(p) => path = Some(Spanned::new(p, span)),
                Read::Env => {
                    env.add("path");
                    path = None;
                }
                Read::Absent => {}
            }
        }
        self.service_defaults = defaults;
        let tags = cx.tags(node);
        let index = ServiceId::new(self.services.len());
        let mut extra = passthrough(node, SERVICE_TYPED, SERVICE_KEYS);
        keep_env(&mut extra, node, &env);
        self.services.push(Service {
            name,
            id,
            url,
            protocol: protocol.unwrap_or(Protocol::Http),
            host,
            port,
            path,
            routes: Vec::new(),
            tags,
            env,
            span: cx.span(node),
            extra,
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

    /// A route, nested under `service` or (`None`) at the top level. Fields the route does not
    /// set come from `_info.defaults.route`, as decK's defaulter fills them.
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
            && !is_env(i)
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
        let defaults = std::mem::take(&mut self.route_defaults);
        let mut env = EnvFields::default();
        let src = |key: &str| -> Option<(&Node, Option<Arc<str>>)> {
            match get(node, key) {
                Some(n) => Some((n, None)),
                None => defaults.get(key).map(|(n, f)| (n, Some(f.clone()))),
            }
        };
        // A list of strings with positions; `None` (and the field marked unknown) when the
        // whole list is one env reference.
        let spanned = |cx: &mut FileCtx<'_>, env: &mut EnvFields, field: &'static str| {
            let Some((n, from)) = src(field) else {
                return (Vec::new(), false);
            };
            let list: Vec<Spanned<String>> =
                match field_ctx(cx, from, |c| match c.env_strings(Some(n), field) {
                    Read::Known(v) => Read::Known(
                        v.into_iter()
                            .map(|(s, item)| Spanned::new(s, c.span(item)))
                            .collect::<Vec<_>>(),
                    ),
                    Read::Env => Read::Env,
                    Read::Absent => Read::Absent,
                }) {
                    Read::Known(v) => v,
                    Read::Env => {
                        env.add(field);
                        return (Vec::new(), true);
                    }
                    Read::Absent => return (Vec::new(), false),
                };
            if list.iter().any(|s| is_env(s)) {
                env.add(field);
            }
            let present = n.as_seq().is_some();
            (list, present)
        };
        let (methods, _) = spanned(cx, &mut env, "methods");
        let methods = methods
            .into_iter()
            .map(|m| Spanned::new(RouteMethod::parse(&m.value), m.span))
            .collect();
        let (hosts, hosts_present) = spanned(cx, &mut env, "hosts");
        let (paths, _) = spanned(cx, &mut env, "paths");
        let headers = match src("headers") {
            Some((n, from)) => {
                let (h, has_env) = field_ctx(cx, from, |c| read_headers(c, n));
                if has_env {
                    env.add("headers");
                }
                h
            }
            None => Vec::new(),
        };
        let (snis, _) = spanned(cx, &mut env, "snis");
        let snis = snis.into_iter().map(|s| s.value).collect();
        let nets = |cx: &mut FileCtx<'_>, env: &mut EnvFields, field: &'static str| match src(field)
        {
            Some((n, from)) => {
                let (list, has_env) = field_ctx(cx, from, |c| read_nets(c, Some(n), field));
                if has_env {
                    env.add(field);
                }
                list
            }
            None => Vec::new(),
        };
        let sources = nets(cx, &mut env, "sources");
        let destinations = nets(cx, &mut env, "destinations");
        let protocols = match src("protocols") {
            Some((n, from)) => {
                match field_ctx(cx, from.clone(), |c| c.env_strings(Some(n), "protocols")) {
                    Read::Known(list) => {
                        let mut out = Vec::new();
                        for (p, item) in list {
                            if is_env(&p) {
                                env.add("protocols");
                                continue;
                            }
                            if let Some(p) = field_ctx(cx, from.clone(), |c| {
                                c.one_of(&p, item, "protocols", Protocol::parse, &protocol_names())
                            }) {
                                out.push(p);
                            }
                        }
                        if env.has("protocols") && out.is_empty() {
                            vec![Protocol::Http, Protocol::Https]
                        } else {
                            out
                        }
                    }
                    Read::Env => {
                        env.add("protocols");
                        vec![Protocol::Http, Protocol::Https]
                    }
                    Read::Absent => vec![Protocol::Http, Protocol::Https],
                }
            }
            None => vec![Protocol::Http, Protocol::Https],
        };
        let flag =
            |cx: &mut FileCtx<'_>, env: &mut EnvFields, field: &'static str, default: bool| {
                match src(field) {
                    Some((n, from)) => match field_ctx(cx, from, |c| c.env_bool(Some(n), field)) {
                        Read::Known(b) => b,
                        Read::Env => {
                            env.add(field);
                            default
                        }
                        Read::Absent => default,
                    },
                    None => default,
                }
            };
        // decK sets `strip_path: false` on grpc(s) routes before applying defaults.
        let grpc = get(node, "protocols")
            .and_then(Node::as_seq)
            .is_some_and(|l| {
                l.iter()
                    .any(|p| matches!(p.as_str(), Some("grpc" | "grpcs")))
            });
        let strip_path = if grpc && get(node, "strip_path").is_none() {
            false
        } else {
            flag(cx, &mut env, "strip_path", true)
        };
        let preserve_host = flag(cx, &mut env, "preserve_host", false);
        let regex_priority = match src("regex_priority") {
            Some((n, from)) => {
                match field_ctx(cx, from, |c| c.env_int(Some(n), "regex_priority")) {
                    Read::Known(v) => v,
                    Read::Env => {
                        env.add("regex_priority");
                        0
                    }
                    Read::Absent => 0,
                }
            }
            None => 0,
        };
        let path_handling = match src("path_handling") {
            Some((n, from)) => {
                match field_ctx(cx, from.clone(), |c| c.env_string(Some(n), "path_handling")) {
                    Read::Known(p) => field_ctx(cx, from.clone(), |c| {
                        c.one_of(&p, n, "path_handling", PathHandling::parse, &["v0", "v1"])
                    })
                    .unwrap_or_default(),
                    Read::Env => {
                        env.add("path_handling");
                        PathHandling::V0
                    }
                    Read::Absent => PathHandling::V0,
                }
            }
            None => PathHandling::V0,
        };
        let expression = match src("expression") {
            Some((n, from)) => {
                let span = match &from {
                    None => cx.span(n),
                    Some(f) => n.span(f),
                };
                match field_ctx(cx, from, |c| c.env_string(Some(n), "expression")) {
                    Read::Known(e) => Some(Spanned::new(e, span)),
                    Read::Env => {
                        env.add("expression");
                        None
                    }
                    Read::Absent => None,
                }
            }
            None => None,
        };
        let priority = match src("priority") {
            Some((n, from)) => {
                let span = match &from {
                    None => cx.span(n),
                    Some(f) => n.span(f),
                };
                match field_ctx(cx, from, |c| c.env_int(Some(n), "priority")) {
                    Read::Known(p) => Some(Spanned::new(p, span)),
                    Read::Env => {
                        env.add("priority");
                        None
                    }
                    Read::Absent => None,
                }
            }
            None => None,
        };
        self.route_defaults = defaults;
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
        let mut extra = passthrough(node, &typed, ROUTE_KEYS);
        keep_env(&mut extra, node, &env);
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
            env,
            span: cx.span(node),
            extra,
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
        let mut env = EnvFields::default();
        let enabled = match cx.env_bool(get(node, "enabled"), "enabled") {
            Read::Known(b) => b,
            Read::Env => {
                env.add("enabled");
                true
            }
            Read::Absent => true,
        };
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
        if json_has_env(&serde_json::Value::Object(config.clone())) {
            env.add("config");
        }
        let mut extra = passthrough(node, &typed, keys);
        keep_env(&mut extra, node, &env);
        self.plugins.push(Plugin {
            name,
            enabled,
            config,
            tags,
            scope,
            owner,
            env,
            span: cx.span(node),
            extra,
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
                if !is_env(&key)
                    && let Some(n) = get(k, "key")
                {
                    literal_secret(
                        cx,
                        n,
                        "key",
                        "keyauth_credentials",
                        username.as_deref().or(custom_id.as_deref()),
                    );
                }
                keyauth_credentials.push(KeyAuthCredential {
                    key,
                    span: cx.span(k),
                    extra: passthrough(k, &["key"], KEYAUTH_KEYS),
                });
            }
        }
        // Secrets of the other credential types, kept as written.
        for (list, field) in [
            ("basicauth_credentials", "password"),
            ("hmacauth_credentials", "secret"),
            ("jwt_secrets", "secret"),
            ("oauth2_credentials", "client_secret"),
        ] {
            for item in get(node, list).and_then(Node::as_seq).unwrap_or_default() {
                if let Some(n) = get(item, field)
                    && n.as_str().is_some_and(|v| !is_env(v))
                {
                    literal_secret(
                        cx,
                        n,
                        field,
                        list,
                        username.as_deref().or(custom_id.as_deref()),
                    );
                }
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

    /// Read every file's entities (with the merged `_info.defaults`), resolve cross-file
    /// references and return the merged manifest.
    pub fn finish(mut self) -> (Manifest, Diagnostics) {
        for (file, root) in std::mem::take(&mut self.pending) {
            self.read_file(&file, &root);
        }
        // decK syncs one workspace at a time (`validateWorkspaces`).
        let mut workspace: Option<(String, Span)> = None;
        for (name, span) in std::mem::take(&mut self.workspaces) {
            match &workspace {
                None => workspace = Some((name, span)),
                Some((first, at)) if *first != name => self.diags.push(
                    Diagnostic::new(
                        codes::DECK_SEVERAL_WORKSPACES,
                        format!(
                            "`_workspace: {name}` differs from `_workspace: {first}` at {at}; decK refuses to sync several workspaces at once, and one export cannot enforce packages across workspaces (consumers and plugins belong to one workspace)"
                        ),
                    )
                    .at(&span)
                    .help("give every decK file of the project the same `_workspace`, or make one portalgen project per workspace"),
                ),
                _ => {}
            }
        }
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
            section_spans: self.section_spans,
            workspace: workspace.map(|(w, _)| w),
            env_written: self.env_written,
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

/// Any string of `v` holds a decK env reference.
fn json_has_env(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => is_env(s),
        serde_json::Value::Array(a) => a.iter().any(json_has_env),
        serde_json::Value::Object(m) => m.iter().any(|(k, v)| is_env(k) || json_has_env(v)),
        _ => false,
    }
}

/// `DECK_` and `text` upper-cased, every run of other characters than letters and digits one
/// `_`: a variable name decK accepts.
pub fn env_var_name(text: &str) -> String {
    let mut out = String::from("DECK_");
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// A credential secret written literally in a decK file: it ends up in version control, and in
/// every export. decK reads `${{ env "DECK_…" }}` from the environment instead.
fn literal_secret(
    cx: &mut FileCtx<'_>,
    node: &Node,
    field: &str,
    list: &str,
    consumer: Option<&str>,
) {
    let who = consumer.unwrap_or("(unnamed)");
    let var = env_var_name(&format!("{who}_{field}"));
    cx.diags.push(
        Diagnostic::new(
            codes::DECK_LITERAL_SECRET,
            format!(
                "the `{field}` of a `{list}` entry of consumer `{who}` is written literally: the secret is in version control and in every exported file"
            ),
        )
        .at(&cx.span(node))
        .help(format!(
            "write `{field}: '${{{{ env \"{var}\" }}}}'` and set {var} where decK runs"
        )),
    );
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

/// A route's `headers` (the node `h`): header name → list of values (a single string is one
/// value); with whether some value holds a decK env reference.
fn read_headers(cx: &mut FileCtx<'_>, h: &Node) -> (Vec<Header>, bool) {
    let Some(map) = h.as_map() else {
        if FileCtx::is_env_node(h) {
            return (Vec::new(), true);
        }
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
        return (Vec::new(), false);
    };
    let mut headers = Vec::new();
    let mut has_env = false;
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
        has_env |= is_env(name) || list.iter().any(|v| is_env(v));
        headers.push(Header {
            name: Spanned::new(
                name.to_string(),
                Span::new(cx.file.clone(), key.line, key.column),
            ),
            values: list,
            values_span: cx.span(values),
        });
    }
    (headers, has_env)
}

/// `sources` / `destinations`: a list of `{ip, port}`; with whether some value holds a decK
/// env reference.
fn read_nets(cx: &mut FileCtx<'_>, node: Option<&Node>, field: &str) -> (Vec<Net>, bool) {
    let mut nets = Vec::new();
    let mut has_env = false;
    if node.is_some_and(FileCtx::is_env_node) {
        return (nets, true);
    }
    for item in cx.list(node, field) {
        let Some(item) = cx.mapping(item, &format!("a `{field}` entry")) else {
            continue;
        };
        cx.unknown_keys(item, NET_KEYS, &format!("a `{field}` entry"));
        let ip = get(item, "ip").and_then(Node::scalar_text);
        has_env |= ip.as_deref().is_some_and(is_env);
        let port = match cx.env_port(get(item, "port"), "port") {
            Read::Known(p) => Some(p),
            Read::Env => {
                has_env = true;
                None
            }
            Read::Absent => None,
        };
        if ip.is_some() || port.is_some() {
            nets.push(Net { ip, port });
        }
    }
    (nets, has_env)
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
             - username: alice\n  acls: [{group: a}]\n  keyauth_credentials: [{key: '${{ env \"DECK_K1\" }}', ttl: 5}]\n  plugins:\n  - name: rate-limiting\n    route: r\n    config: {minute: 5}\n\
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
        assert_eq!(alice.keyauth_credentials[0].key, "${{ env \"DECK_K1\" }}");
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
