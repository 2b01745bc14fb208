//! Downloadable OpenAPI 3.1 documents: for a package (exactly its operations, from any number
//! of APIs) or an API (its visible operations), with the components they reference
//! transitively and nothing else, `servers` pointing at the gateway, the auth strategy as a
//! security scheme, and `x-rate-limit` extensions describing the limits.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use crate::model::api::{Api, MediaType, Operation, Schema, SchemaId, SchemaRef};
use crate::model::config::{AuthKind, AuthStrategy};
use crate::model::{RateLimit, reach};

/// One operation of a downloadable document.
pub struct DocOperation<'a> {
    pub api: &'a Api,
    pub op: &'a Operation,
    /// The gateway base URL (`https://host/prefix`) for this operation's API.
    pub server: String,
    /// Its own limit (replaces the document-level one).
    pub own_limit: Option<RateLimit>,
}

pub struct DocInfo<'a> {
    pub title: &'a str,
    pub version: &'a str,
    pub description: Option<&'a str>,
    pub strategy: Option<&'a AuthStrategy>,
    /// The shared limit, with its scope (`package` or `api`).
    pub limit: Option<(RateLimit, &'a str)>,
}

fn rate_limit_ext(rl: &RateLimit, scope: &str, shared: bool) -> Value {
    json!({
        "limit": rl.limit,
        "duration": rl.duration.as_str(),
        "per": "application",
        "scope": scope,
        "shared": shared,
    })
}

/// Component names for every schema reachable from the operations: named components keep
/// their name, prefixed by the API slug when two APIs use the same name.
struct Names {
    by_id: BTreeMap<(String, SchemaId), String>,
}

impl Names {
    fn new<'a>(ops: &[DocOperation<'a>]) -> (Names, Vec<(String, &'a Api, SchemaId)>) {
        let mut per_api: IndexMap<&str, (&'a Api, BTreeSet<SchemaId>)> = IndexMap::new();
        for d in ops {
            let entry = per_api
                .entry(d.api.slug.as_str())
                .or_insert_with(|| (d.api, BTreeSet::new()));
            entry.1.extend(reach::reachable_schemas(d.api, [d.op]));
        }
        // Candidate names.
        let mut wanted: Vec<(String, &'a Api, SchemaId)> = Vec::new();
        for (_, (api, ids)) in &per_api {
            let named: BTreeMap<SchemaId, &String> =
                api.schema_names.iter().map(|(n, id)| (*id, n)).collect();
            for id in ids {
                // Only schemas that are targets of references need a component; inline ones
                // are written inline. Named components and ref targets both get names.
                let name = named
                    .get(id)
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| format!("Schema{}", id.0));
                wanted.push((name, *api, *id));
            }
        }
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for (n, _, _) in &wanted {
            *count.entry(n.as_str()).or_default() += 1;
        }
        let mut by_id = BTreeMap::new();
        let mut out = Vec::new();
        for (n, api, id) in &wanted {
            let unique = if count[n.as_str()] > 1 {
                format!("{}_{}", api.slug, n)
            } else {
                n.clone()
            };
            by_id.insert((api.slug.to_string(), *id), unique.clone());
            out.push((unique, *api, *id));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        (Names { by_id }, out)
    }

    fn get(&self, api: &Api, id: SchemaId) -> String {
        self.by_id
            .get(&(api.slug.to_string(), id))
            .cloned()
            .unwrap_or_else(|| format!("Schema{}", id.0))
    }
}

fn schema_ref(api: &Api, r: &SchemaRef, names: &Names) -> Value {
    match r {
        SchemaRef::Ref { target, .. } => {
            json!({ "$ref": format!("#/components/schemas/{}", pointer_escape(&names.get(api, *target))) })
        }
        SchemaRef::Inline(s) => schema(api, s, names),
    }
}

fn pointer_escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn schema(api: &Api, s: &Schema, names: &Names) -> Value {
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    if let Some(t) = &s.title {
        put("title", json!(t));
    }
    if let Some(d) = &s.description {
        put("description", text(d));
    }
    match s.types.len() {
        0 => {}
        1 => put("type", json!(s.types[0])),
        _ => put("type", json!(s.types)),
    }
    if let Some(f) = &s.format {
        put("format", json!(f));
    }
    if !s.enum_values.is_empty() {
        put("enum", Value::Array(s.enum_values.clone()));
    }
    if let Some(c) = &s.const_value {
        put("const", c.clone());
    }
    if let Some(d) = &s.default {
        put("default", d.clone());
    }
    if !s.examples.is_empty() {
        put("examples", Value::Array(s.examples.clone()));
    }
    if !s.properties.is_empty() {
        let props: Map<String, Value> = s
            .properties
            .iter()
            .map(|p| (p.name.clone(), schema_ref(api, &p.schema, names)))
            .collect();
        put("properties", Value::Object(props));
    }
    if !s.required.is_empty() {
        put("required", json!(s.required));
    }
    if let Some(ap) = &s.additional_properties {
        put("additionalProperties", schema_ref(api, ap, names));
    }
    if let Some(items) = &s.items {
        put("items", schema_ref(api, items, names));
    }
    if !s.prefix_items.is_empty() {
        put(
            "prefixItems",
            Value::Array(
                s.prefix_items
                    .iter()
                    .map(|r| schema_ref(api, r, names))
                    .collect(),
            ),
        );
    }
    for (k, list) in [
        ("allOf", &s.all_of),
        ("oneOf", &s.one_of),
        ("anyOf", &s.any_of),
    ] {
        if !list.is_empty() {
            put(
                k,
                Value::Array(list.iter().map(|r| schema_ref(api, r, names)).collect()),
            );
        }
    }
    if let Some(n) = &s.not {
        put("not", schema_ref(api, n, names));
    }
    if let Some(d) = &s.discriminator {
        put("discriminator", json!({ "propertyName": d }));
    }
    for (k, b) in [
        ("readOnly", s.read_only),
        ("writeOnly", s.write_only),
        ("deprecated", s.deprecated),
    ] {
        if b {
            put(k, json!(true));
        }
    }
    if let Some(v) = s.min_length {
        put("minLength", json!(v));
    }
    if let Some(v) = s.max_length {
        put("maxLength", json!(v));
    }
    if let Some(p) = &s.pattern {
        put("pattern", json!(p));
    }
    if let Some(v) = s.minimum {
        put("minimum", number(v));
    }
    if let Some(v) = s.maximum {
        put("maximum", number(v));
    }
    for (k, v) in &s.extensions {
        put(k, v.clone());
    }
    Value::Object(m)
}

/// Description text for a download: HTML comments (internal notes) removed.
fn text(s: &str) -> Value {
    json!(crate::render::markdown::strip_html_comments(s))
}

fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

fn content(api: &Api, list: &[MediaType], names: &Names) -> Value {
    let mut m = Map::new();
    for mt in list {
        let mut o = Map::new();
        if let Some(s) = &mt.schema {
            o.insert("schema".into(), schema_ref(api, s, names));
        }
        if let Some(e) = &mt.example {
            o.insert("example".into(), (**e).clone());
        }
        if !mt.examples.is_empty() {
            o.insert(
                "examples".into(),
                Value::Object(
                    mt.examples
                        .iter()
                        .map(|(k, v)| (k.clone(), json!({ "value": v })))
                        .collect(),
                ),
            );
        }
        m.insert(mt.media_type.clone(), Value::Object(o));
    }
    Value::Object(m)
}

fn operation(
    d: &DocOperation<'_>,
    names: &Names,
    security_name: Option<&str>,
    scope: &str,
) -> Value {
    let (api, op) = (d.api, d.op);
    let mut m = Map::new();
    if let Some(id) = &op.operation_id {
        m.insert("operationId".into(), json!(id));
    }
    if let Some(s) = &op.summary {
        m.insert("summary".into(), json!(s));
    }
    if let Some(s) = &op.description {
        m.insert("description".into(), text(s));
    }
    let mut tags = vec![api.title.clone()];
    tags.extend(op.tags.iter().cloned());
    tags.dedup();
    m.insert("tags".into(), json!(tags));
    if op.deprecated {
        m.insert("deprecated".into(), json!(true));
    }
    if !op.parameters.is_empty() {
        let params: Vec<Value> = op
            .parameters
            .iter()
            .map(|p| {
                let mut o = Map::new();
                o.insert("name".into(), json!(p.name));
                o.insert("in".into(), json!(p.location.as_str()));
                // Path parameters are always required in OpenAPI.
                let required = p.required || p.location == crate::model::api::ParamLocation::Path;
                if required {
                    o.insert("required".into(), json!(true));
                }
                if p.deprecated {
                    o.insert("deprecated".into(), json!(true));
                }
                if let Some(desc) = &p.description {
                    o.insert("description".into(), text(desc));
                }
                o.insert(
                    "schema".into(),
                    p.schema
                        .as_ref()
                        .map(|s| schema_ref(api, s, names))
                        .unwrap_or_else(|| json!({ "type": "string" })),
                );
                if let Some(e) = &p.example {
                    o.insert("example".into(), (**e).clone());
                }
                Value::Object(o)
            })
            .collect();
        m.insert("parameters".into(), Value::Array(params));
    }
    if let Some(b) = &op.request_body {
        let mut o = Map::new();
        if let Some(desc) = &b.description {
            o.insert("description".into(), text(desc));
        }
        if b.required {
            o.insert("required".into(), json!(true));
        }
        o.insert("content".into(), content(api, &b.content, names));
        m.insert("requestBody".into(), Value::Object(o));
    }
    let mut responses = Map::new();
    for r in &op.responses {
        let mut o = Map::new();
        o.insert(
            "description".into(),
            text(r.description.as_deref().unwrap_or_default()),
        );
        if !r.headers.is_empty() {
            let headers: Map<String, Value> = r
                .headers
                .iter()
                .map(|h| {
                    let mut ho = Map::new();
                    if let Some(d) = &h.description {
                        ho.insert("description".into(), text(d));
                    }
                    ho.insert(
                        "schema".into(),
                        h.schema
                            .as_ref()
                            .map(|s| schema_ref(api, s, names))
                            .unwrap_or_else(|| json!({ "type": "string" })),
                    );
                    (h.name.clone(), Value::Object(ho))
                })
                .collect();
            o.insert("headers".into(), Value::Object(headers));
        }
        if !r.content.is_empty() {
            o.insert("content".into(), content(api, &r.content, names));
        }
        responses.insert(r.status.clone(), Value::Object(o));
    }
    if !responses.keys().any(|k| k.starts_with('4')) {
        // Document what the gateway answers over the limit.
        if d.own_limit.is_some() || scope == "package" {
            responses.insert("429".into(), json!({ "description": "Too many requests: the rate limit is exceeded. Wait for the number of seconds in Retry-After." }));
        }
    }
    if responses.is_empty() {
        responses.insert("default".into(), json!({ "description": "Response" }));
    }
    m.insert("responses".into(), Value::Object(responses));
    if let Some(name) = security_name {
        m.insert("security".into(), json!([{ name: [] }]));
    }
    if let Some(rl) = &d.own_limit {
        m.insert(
            "x-rate-limit".into(),
            rate_limit_ext(rl, "operation", false),
        );
    }
    Value::Object(m)
}

/// Build the document.
pub fn document(info: &DocInfo<'_>, ops: &[DocOperation<'_>]) -> Value {
    let (names, components) = Names::new(ops);
    let security_name = info.strategy.map(|s| s.name.as_str());
    let first_server = ops.first().map(|d| d.server.clone());
    let scope = info.limit.map(|(_, s)| s).unwrap_or("package");
    let mut paths: IndexMap<String, Map<String, Value>> = IndexMap::new();
    for d in ops {
        let item = paths.entry(d.op.path.clone()).or_default();
        if item.contains_key(d.op.method.lower()) {
            continue;
        }
        let mut operation = operation(d, &names, security_name, scope);
        // Operations of another API than the first are served from their own gateway base.
        if Some(&d.server) != first_server.as_ref() {
            operation["servers"] = json!([{ "url": d.server, "description": "Kong Gateway" }]);
        }
        item.insert(d.op.method.lower().to_string(), operation);
    }
    let mut doc = Map::new();
    doc.insert("openapi".into(), json!("3.1.0"));
    let mut inf = Map::new();
    inf.insert("title".into(), json!(info.title));
    inf.insert("version".into(), json!(info.version));
    if let Some(d) = info.description {
        inf.insert("description".into(), text(d));
    }
    doc.insert("info".into(), Value::Object(inf));
    if let Some(s) = first_server {
        doc.insert(
            "servers".into(),
            json!([{ "url": s, "description": "Kong Gateway" }]),
        );
    }
    if let Some(name) = security_name {
        doc.insert("security".into(), json!([{ name: [] }]));
    }
    if let Some((rl, scope)) = info.limit {
        doc.insert("x-rate-limit".into(), rate_limit_ext(&rl, scope, true));
    }
    let mut tags: Vec<String> = Vec::new();
    for d in ops {
        if !tags.contains(&d.api.title) {
            tags.push(d.api.title.clone());
        }
    }
    doc.insert(
        "tags".into(),
        Value::Array(tags.iter().map(|t| json!({ "name": t })).collect()),
    );
    doc.insert(
        "paths".into(),
        Value::Object(
            paths
                .into_iter()
                .map(|(k, v)| (k, Value::Object(v)))
                .collect(),
        ),
    );
    let mut comps = Map::new();
    if !components.is_empty() {
        comps.insert(
            "schemas".into(),
            Value::Object(
                components
                    .iter()
                    .map(|(n, api, id)| (n.clone(), schema(api, api.schema(*id), &names)))
                    .collect(),
            ),
        );
    }
    if let Some(s) = info.strategy {
        comps.insert(
            "securitySchemes".into(),
            json!({ s.name.clone(): security_scheme(s) }),
        );
    }
    if !comps.is_empty() {
        doc.insert("components".into(), Value::Object(comps));
    }
    Value::Object(doc)
}

pub fn security_scheme(s: &AuthStrategy) -> Value {
    match &s.kind {
        AuthKind::KeyAuth { key_names } => json!({
            "type": "apiKey",
            "in": "header",
            "name": key_names.first().cloned().unwrap_or_else(|| "apikey".into()),
            "description": format!("{}: send your application's key in the `{}` header.", s.display_name, key_names.join("` or `")),
        }),
        AuthKind::OpenidConnect { issuer, .. } => json!({
            "type": "openIdConnect",
            "openIdConnectUrl": format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/')),
            "description": s.display_name,
        }),
    }
}
