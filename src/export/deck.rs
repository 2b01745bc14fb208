//! The decK document the export writes, assembled from typed entities: every entity of the
//! manifest written back as written (its typed fields from the model, everything else from its
//! [`Passthrough`], keys in the order they were written, nested entities where they were
//! nested), followed by the plugins of the plan, tagged `portalgen`. Top-level sections come
//! in decK's own order, then the remaining sections sorted, so the same input gives the same
//! bytes. Serialised once, by [`super::to_yaml`]. [`TopLevel`] holds what an export changes
//! at the top of the file: sections left out, `_info.select_tags` and
//! `_konnect.control_plane_name` from portal.yaml.

use std::cell::RefCell;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value as Json;

use super::plugin::NewPlugin;
use super::{Flavor, TAG};
use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::model::Portal;
use crate::model::gateway::{
    AclGroup, Consumer, ConsumerGroup, Header, KeyAuthCredential, Manifest, Net, Owner,
    Passthrough, Plugin, Route, ScopeRef, Service, ServiceRef, is_env,
};
use crate::model::ids::{ConsumerGroupId, ConsumerId, RouteId, ServiceId};

/// Top-level sections in decK's order; the others follow sorted by name.
const SECTION_ORDER: &[&str] = &[
    "_format_version",
    "_info",
    "_konnect",
    "services",
    "routes",
    "upstreams",
    "consumers",
    "consumer_groups",
    "plugins",
];

/// The document: the manifest plus the plugins portalgen adds.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    manifest: &'a Manifest,
    added: &'a [NewPlugin],
    top: Option<&'a TopLevel>,
}

impl<'a> Document<'a> {
    pub fn new(manifest: &'a Manifest, added: &'a [NewPlugin]) -> Self {
        Document {
            manifest,
            added,
            top: None,
        }
    }

    /// With the top-level changes of an export.
    pub fn with_top_level(mut self, top: &'a TopLevel) -> Self {
        self.top = Some(top);
        self
    }
}

/// What an export changes at the top level of the manifest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TopLevel {
    /// Sections left out (Konnect refuses `_workspace`, …).
    pub drop: Vec<&'static str>,
    /// `_info.select_tags` to write instead of the manifest's (`gateway.select_tags`).
    pub select_tags: Option<Vec<String>>,
    /// `_konnect.control_plane_name` to write (`konnect.control_plane`).
    pub control_plane_name: Option<String>,
}

/// The top-level changes of an export of `portal` for `flavor`, and their problems: the
/// select tags of portal.yaml must be the manifest's own when the manifest has some (decK
/// finds the entities it manages by them).
pub fn top_level(portal: &Portal, flavor: Flavor) -> (TopLevel, Diagnostics) {
    let mut diags = Diagnostics::new();
    let m = &portal.manifest;
    let mut top = TopLevel::default();
    if let Some(tags) = &portal.config.gateway.select_tags {
        let sorted = |t: &[String]| {
            let mut t = t.to_vec();
            t.sort();
            t.dedup();
            t
        };
        if !m.select_tags.is_empty() && sorted(&m.select_tags) != sorted(&tags.value) {
            let mut help =
                "use the decK files' tags in portal.yaml, or remove `select_tags` from one of them"
                    .to_string();
            if let Some(at) = m.section_span("_info") {
                help.push_str(&format!(" (the decK files' `_info` is at {at})"));
            }
            diags.push(Diagnostic::new(
                codes::SELECT_TAGS_MISMATCH,
                format!(
                    "`gateway.select_tags` [{}] differ from the decK files' `_info.select_tags` [{}]: decK would look for the entities under the new tags, not find them and create them again",
                    tags.value.join(", "),
                    m.select_tags.join(", ")
                ),
            )
            .at(&tags.span)
            .help(help));
        }
        top.select_tags = Some(tags.value.clone());
    }
    if flavor == Flavor::Konnect {
        top.drop = crate::validate::konnect::UNSUPPORTED_SECTIONS
            .into_iter()
            .filter(|k| m.sections.has(k))
            .collect();
        top.control_plane_name = portal
            .config
            .konnect
            .control_plane
            .as_ref()
            .map(|c| c.value.clone());
    }
    (top, diags)
}

thread_local! {
    /// While [`serialize`] runs: the written form of each value holding a decK env reference,
    /// by the token that stands for it in the serializer's output.
    static ENV: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
    /// While [`serialize`] runs: how the manifest's env values are written in its files.
    static WRITTEN: RefCell<std::collections::BTreeMap<String, String>> =
        const { RefCell::new(std::collections::BTreeMap::new()) };
}

/// The token standing for env value `n` (letters, digits and `_`: the YAML writer leaves it
/// unquoted, so it is replaced by the written form verbatim).
fn env_token(n: usize) -> String {
    format!("__portalgen_env_{n}__")
}

/// Write a string; a value holding a decK env reference is written as in its decK file
/// (quotes included), or single-quoted when portalgen made it, so that decK's rendering of
/// the file gives the same YAML value.
fn write_str<S: Serializer>(v: &str, s: S) -> Result<S::Ok, S::Error> {
    if is_env(v) {
        let token = ENV.with(|e| {
            e.borrow_mut().as_mut().map(|list| {
                let raw = WRITTEN
                    .with(|w| w.borrow().get(v).cloned())
                    .unwrap_or_else(|| format!("'{}'", v.replace('\'', "''")));
                list.push(raw);
                env_token(list.len() - 1)
            })
        });
        if let Some(t) = token {
            return s.serialize_str(&t);
        }
    }
    s.serialize_str(v)
}

/// A JSON value written with env-aware strings.
struct JsonOut<'a>(&'a Json);

impl Serialize for JsonOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Json::String(v) => write_str(v, s),
            Json::Array(items) => s.collect_seq(items.iter().map(JsonOut)),
            Json::Object(map) => {
                let mut m = s.serialize_map(Some(map.len()))?;
                for (k, v) in map {
                    m.serialize_entry(&StrOut(k), &JsonOut(v))?;
                }
                m.end()
            }
            other => other.serialize(s),
        }
    }
}

/// A string written with [`write_str`].
struct StrOut<'a>(&'a str);

impl Serialize for StrOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        write_str(self.0, s)
    }
}

/// The YAML of a document, with every value holding a decK env reference written as written.
pub fn serialize(doc: &Document<'_>) -> Result<String, String> {
    ENV.with(|e| *e.borrow_mut() = Some(Vec::new()));
    WRITTEN.with(|w| *w.borrow_mut() = doc.manifest.env_written.clone());
    let body = serde_saphyr::to_string(doc);
    let raws = ENV.with(|e| e.borrow_mut().take()).unwrap_or_default();
    let mut body = body.map_err(|e| format!("cannot serialize the configuration: {e}"))?;
    // Longest tokens first, so `__portalgen_env_1__` never replaces part of `…_11__`.
    for (n, raw) in raws.iter().enumerate().rev() {
        body = body.replace(&env_token(n), raw);
    }
    Ok(body)
}

/// One value of an entity's typed field, as decK writes it.
enum Field<'a> {
    Str(&'a str),
    List(Vec<&'a str>),
    Bool(bool),
    Int(i64),
    Headers(&'a [Header]),
    Nets(&'a [Net]),
    ServiceRef(&'a ServiceRef),
    Config(&'a serde_json::Map<String, Json>),
    Entities(Vec<Entity<'a>>),
}

/// An entity ready to write: its passthrough (key order, kept values) and its typed fields.
struct Entity<'a> {
    extra: &'a Passthrough,
    typed: Vec<(&'static str, Field<'a>)>,
}

impl Serialize for Entity<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (key, kept) in self.extra.fields() {
            match kept {
                Some(value) => map.serialize_entry(key, &JsonOut(value))?,
                // A typed key whose value did not read (an error) has nothing to write.
                None => {
                    if let Some((_, field)) = self.typed.iter().find(|(k, _)| *k == key) {
                        map.serialize_entry(key, field)?;
                    }
                }
            }
        }
        map.end()
    }
}

impl Serialize for Field<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Str(v) => write_str(v, s),
            Field::List(v) => s.collect_seq(v.iter().map(|x| StrOut(x))),
            Field::Bool(v) => v.serialize(s),
            Field::Int(v) => v.serialize(s),
            Field::Headers(headers) => {
                let mut map = s.serialize_map(Some(headers.len()))?;
                for h in *headers {
                    let values: Vec<StrOut<'_>> = h.values.iter().map(|v| StrOut(v)).collect();
                    map.serialize_entry(&StrOut(h.name.as_str()), &values)?;
                }
                map.end()
            }
            Field::Nets(nets) => s.collect_seq(nets.iter().map(|n| {
                let mut m = serde_json::Map::new();
                if let Some(ip) = &n.ip {
                    m.insert("ip".into(), Json::from(ip.as_str()));
                }
                if let Some(port) = n.port {
                    m.insert("port".into(), Json::from(port));
                }
                m
            })),
            Field::ServiceRef(r) => {
                let mut map = s.serialize_map(None)?;
                if let Some(name) = &r.name {
                    map.serialize_entry("name", name)?;
                }
                if let Some(id) = &r.id {
                    map.serialize_entry("id", id)?;
                }
                map.end()
            }
            Field::Config(c) => {
                let mut map = s.serialize_map(Some(c.len()))?;
                for (k, v) in *c {
                    map.serialize_entry(&StrOut(k), &JsonOut(v))?;
                }
                map.end()
            }
            Field::Entities(list) => list.serialize(s),
        }
    }
}

fn opt<'a>(typed: &mut Vec<(&'static str, Field<'a>)>, key: &'static str, v: Option<&'a str>) {
    if let Some(v) = v {
        typed.push((key, Field::Str(v)));
    }
}

fn strings<'a, T: AsRef<str> + 'a>(v: impl IntoIterator<Item = &'a T>) -> Field<'a> {
    Field::List(v.into_iter().map(AsRef::as_ref).collect())
}

impl<'a> Document<'a> {
    fn service(&self, id: ServiceId) -> Entity<'a> {
        let s: &'a Service = self.manifest.service_at(id);
        let mut typed = Vec::new();
        opt(&mut typed, "name", s.name.as_deref());
        opt(&mut typed, "id", s.id.as_deref());
        opt(&mut typed, "url", s.url.as_deref());
        typed.push(("protocol", Field::Str(s.protocol.as_str())));
        opt(&mut typed, "host", s.host.as_deref());
        if let Some(port) = s.port {
            typed.push(("port", Field::Int(i64::from(port))));
        }
        opt(&mut typed, "path", s.path.as_ref().map(|p| p.as_str()));
        typed.push(("tags", strings(&s.tags.written)));
        typed.push((
            "routes",
            Field::Entities(s.routes.iter().map(|r| self.route(*r)).collect()),
        ));
        typed.push(("plugins", self.plugins_of(Owner::Service(id))));
        Entity {
            extra: &s.extra,
            typed,
        }
    }

    fn route(&self, id: RouteId) -> Entity<'a> {
        let r: &'a Route = self.manifest.route_at(id);
        let mut typed = Vec::new();
        opt(&mut typed, "name", r.name.as_deref());
        opt(&mut typed, "id", r.id.as_deref());
        if let Some(s) = &r.service_ref {
            typed.push(("service", Field::ServiceRef(s)));
        }
        typed.push((
            "methods",
            Field::List(r.methods.iter().map(|m| m.as_str()).collect()),
        ));
        if r.hosts_present {
            typed.push(("hosts", strings(r.hosts.iter().map(|h| &h.value))));
        }
        typed.push(("paths", strings(r.paths.iter().map(|p| &p.value))));
        typed.push(("headers", Field::Headers(&r.headers)));
        typed.push(("snis", strings(&r.snis)));
        typed.push(("sources", Field::Nets(&r.sources)));
        typed.push(("destinations", Field::Nets(&r.destinations)));
        typed.push((
            "protocols",
            Field::List(r.protocols.iter().map(|p| p.as_str()).collect()),
        ));
        typed.push(("strip_path", Field::Bool(r.strip_path)));
        typed.push(("preserve_host", Field::Bool(r.preserve_host)));
        typed.push(("regex_priority", Field::Int(r.regex_priority)));
        typed.push(("path_handling", Field::Str(r.path_handling.as_str())));
        opt(
            &mut typed,
            "expression",
            r.expression.as_ref().map(|e| e.as_str()),
        );
        if let Some(p) = &r.priority {
            typed.push(("priority", Field::Int(p.value)));
        }
        typed.push(("tags", strings(&r.tags.written)));
        typed.push(("plugins", self.plugins_of(Owner::Route(id))));
        Entity {
            extra: &r.extra,
            typed,
        }
    }

    fn plugin(&self, p: &'a Plugin) -> Entity<'a> {
        let mut typed = vec![
            ("name", Field::Str(p.name.as_str())),
            ("enabled", Field::Bool(p.enabled)),
            ("config", Field::Config(&p.config)),
            ("tags", strings(&p.tags.written)),
        ];
        fn written<I>(r: &Option<ScopeRef<I>>) -> Option<&str> {
            r.as_ref().and_then(|r| r.written.as_deref())
        }
        opt(&mut typed, "service", written(&p.scope.service));
        opt(&mut typed, "route", written(&p.scope.route));
        opt(&mut typed, "consumer", written(&p.scope.consumer));
        opt(
            &mut typed,
            "consumer_group",
            written(&p.scope.consumer_group),
        );
        Entity {
            extra: &p.extra,
            typed,
        }
    }

    fn plugins_of(&self, owner: Owner) -> Field<'a> {
        Field::Entities(
            self.manifest
                .plugins_of(owner)
                .map(|p| self.plugin(p))
                .collect(),
        )
    }

    fn consumer(&self, id: ConsumerId) -> Entity<'a> {
        let c: &'a Consumer = self.manifest.consumer_at(id);
        let mut typed = Vec::new();
        opt(&mut typed, "username", c.username.as_deref());
        opt(&mut typed, "custom_id", c.custom_id.as_deref());
        opt(&mut typed, "id", c.id.as_deref());
        let acl = |a: &'a AclGroup| Entity {
            extra: &a.extra,
            typed: vec![("group", Field::Str(&a.group))],
        };
        typed.push(("acls", Field::Entities(c.acls.iter().map(acl).collect())));
        let key = |k: &'a KeyAuthCredential| Entity {
            extra: &k.extra,
            typed: vec![("key", Field::Str(&k.key))],
        };
        typed.push((
            "keyauth_credentials",
            Field::Entities(c.keyauth_credentials.iter().map(key).collect()),
        ));
        typed.push(("tags", strings(&c.tags.written)));
        typed.push(("plugins", self.plugins_of(Owner::Consumer(id))));
        Entity {
            extra: &c.extra,
            typed,
        }
    }

    fn consumer_group(&self, id: ConsumerGroupId) -> Entity<'a> {
        let g: &'a ConsumerGroup = self.manifest.consumer_group_at(id);
        let mut typed = Vec::new();
        opt(&mut typed, "name", g.name.as_deref());
        opt(&mut typed, "id", g.id.as_deref());
        typed.push(("tags", strings(&g.tags.written)));
        typed.push(("plugins", self.plugins_of(Owner::ConsumerGroup(id))));
        Entity {
            extra: &g.extra,
            typed,
        }
    }

    /// The value of the typed top-level section `key`.
    fn section(&self, key: &str) -> Option<SectionValue<'a>> {
        let m = self.manifest;
        let entities = |list: Vec<Entity<'a>>| Some(SectionValue::Entities(list));
        match key {
            "_format_version" => Some(SectionValue::Str("3.0")),
            "_info" => match self.top.and_then(|t| t.select_tags.as_ref()) {
                None => Some(SectionValue::Entity(Entity {
                    extra: &m.info,
                    typed: vec![("select_tags", strings(&m.select_tags))],
                })),
                Some(tags) => {
                    let mut info = serde_json::Map::new();
                    for (k, v) in m.info.fields() {
                        match (k, v) {
                            ("select_tags", _) => {
                                info.insert(k.into(), Json::from(tags.clone()));
                            }
                            (_, Some(v)) => {
                                info.insert(k.into(), v.clone());
                            }
                            (_, None) => {}
                        }
                    }
                    info.entry("select_tags")
                        .or_insert_with(|| Json::from(tags.clone()));
                    Some(SectionValue::Json(Json::Object(info)))
                }
            },
            "_konnect" => {
                let name = self.top.and_then(|t| t.control_plane_name.as_ref())?;
                let mut k = match m.sections.get("_konnect") {
                    Some(Json::Object(o)) => o.clone(),
                    _ => serde_json::Map::new(),
                };
                if !k.contains_key("runtime_group_name") {
                    k.insert("control_plane_name".into(), Json::from(name.as_str()));
                }
                Some(SectionValue::Json(Json::Object(k)))
            }
            "services" => entities(
                (0..m.services.len())
                    .map(|i| self.service(ServiceId::new(i)))
                    .collect(),
            ),
            "routes" => entities(
                m.route_ids()
                    .filter(|(_, r)| !r.is_nested())
                    .map(|(id, _)| self.route(id))
                    .collect(),
            ),
            "consumers" => entities(m.consumer_ids().map(|(id, _)| self.consumer(id)).collect()),
            "consumer_groups" => entities(
                (0..m.consumer_groups.len())
                    .map(|i| self.consumer_group(ConsumerGroupId::new(i)))
                    .collect(),
            ),
            "plugins" => Some(SectionValue::Plugins(
                m.plugins_of(Owner::Root).map(|p| self.plugin(p)).collect(),
                self.added
                    .iter()
                    .map(|p| Added {
                        manifest: m,
                        plugin: p,
                    })
                    .collect(),
            )),
            _ => None,
        }
    }
}

/// A top-level section's value.
enum SectionValue<'a> {
    Str(&'static str),
    Json(Json),
    Entity(Entity<'a>),
    Entities(Vec<Entity<'a>>),
    /// The manifest's top-level plugins, then portalgen's.
    Plugins(Vec<Entity<'a>>, Vec<Added<'a>>),
}

impl Serialize for SectionValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        match self {
            SectionValue::Str(v) => v.serialize(s),
            SectionValue::Json(v) => v.serialize(s),
            SectionValue::Entity(e) => e.serialize(s),
            SectionValue::Entities(list) => list.serialize(s),
            SectionValue::Plugins(own, added) => {
                let mut seq = s.serialize_seq(Some(own.len() + added.len()))?;
                for p in own {
                    seq.serialize_element(p)?;
                }
                for p in added {
                    seq.serialize_element(p)?;
                }
                seq.end()
            }
        }
    }
}

/// A plugin portalgen adds, as written: name, scope, config, the `portalgen` tag.
struct Added<'a> {
    manifest: &'a Manifest,
    plugin: &'a NewPlugin,
}

impl Serialize for Added<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("name", self.plugin.name())?;
        if let Some(r) = self.plugin.route_ref(self.manifest) {
            map.serialize_entry("route", r)?;
        }
        if let Some(c) = self.plugin.consumer_ref(self.manifest) {
            map.serialize_entry("consumer", c)?;
        }
        map.serialize_entry("config", &self.plugin.config)?;
        map.serialize_entry("tags", &[TAG])?;
        map.end()
    }
}

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let sections = &self.manifest.sections;
        let top = self.top.cloned().unwrap_or_default();
        let mut map = s.serialize_map(None)?;
        for &key in SECTION_ORDER {
            // `_format_version` is always written ("3.0"); `plugins` always (portalgen's go
            // there); `_info` and `_konnect` when the export sets select tags or a control plane.
            let always = matches!(key, "_format_version" | "plugins")
                || (key == "_info" && top.select_tags.is_some())
                || (key == "_konnect" && top.control_plane_name.is_some());
            if !always && !sections.has(key) {
                continue;
            }
            let computed = matches!(key, "_konnect") && top.control_plane_name.is_some();
            match sections.get(key) {
                Some(kept) if !computed => map.serialize_entry(key, &JsonOut(kept))?,
                _ => {
                    if let Some(v) = self.section(key) {
                        map.serialize_entry(key, &v)?;
                    }
                }
            }
        }
        let mut rest: Vec<(&str, &Json)> = sections
            .fields()
            .filter(|(k, _)| !SECTION_ORDER.contains(k) && !top.drop.contains(k))
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect();
        rest.sort_by(|a, b| a.0.cmp(b.0));
        for (k, v) in rest {
            map.serialize_entry(k, &JsonOut(v))?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    /// The YAML of `deck` written back with nothing added.
    fn round_trip(deck: &str) -> serde_json::Value {
        let (m, d) = crate::load::deck::from_texts(
            &[("gateway/kong.yaml".into(), deck.into())],
            &SourceMap::default(),
        );
        assert!(!d.has_errors(), "{d:?}");
        let yaml = serde_saphyr::to_string(&Document::new(&m, &[])).unwrap();
        crate::tree::parse(&yaml).unwrap().to_json()
    }

    #[test]
    fn entities_are_written_back_as_written() {
        let deck = "_format_version: \"3.0\"\n\
            _info: {select_tags: [team], defaults: {}}\n\
            vaults: [{name: env, prefix: env}]\n\
            services:\n\
            - url: http://x:81/p\n  name: s\n  retries: 3\n  tags: [a]\n  routes:\n\
            \x20 - name: r\n    hosts: []\n    headers: {x-v: [a, b]}\n    paths: [/r]\n    strip_path: false\n    sources: [{ip: 10.0.0.0/8, port: 1}]\n    https_redirect_status_code: 301\n    plugins: [{name: cors, ordering: {before: {access: [x]}}}]\n\
            routes:\n- name: top\n  service: {name: s}\n  methods: [PURGE]\n  protocols: [https]\n  priority: 3\n\
            consumers:\n- username: u\n  acls: [{group: g, tags: [t]}]\n  keyauth_credentials: [{key: k, ttl: 60}]\n  basicauth_credentials: [{username: u, password: p}]\n\
            consumer_groups:\n- name: gold\n  plugins: [{name: rate-limiting-advanced, config: {limit: [5]}}]\n\
            upstreams: [{name: up}]\n\
            plugins:\n- name: prometheus\n  enabled: false\n  protocols: [http]\n";
        let written = round_trip(deck);
        // Equal as JSON (key order aside): everything read comes back, nothing is added.
        assert_eq!(written, crate::tree::parse(deck).unwrap().to_json());
        // Key order of entities and sections as decK writes them.
        let keys: Vec<&String> = written.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "_format_version",
                "_info",
                "services",
                "routes",
                "upstreams",
                "consumers",
                "consumer_groups",
                "plugins",
                "vaults"
            ]
        );
        let service: Vec<&String> = written["services"][0].as_object().unwrap().keys().collect();
        assert_eq!(service, ["url", "name", "retries", "tags", "routes"]);
    }
}
