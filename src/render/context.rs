//! View models: the serializable data each template receives. Templates never see the model
//! itself, so the model can change without breaking a project's template overrides; this file
//! is the versioned template contract documented in docs/templates.md.

use serde::Serialize;

use crate::model::api::{self, Api, Operation, ParamLocation, SchemaRef};
use crate::model::audience::Visible;
use crate::model::config::{AuthChoice, AuthKind, AuthStrategy, PortalConfig};
use crate::model::{ApiId, OperationId, Package, PackageId, Portal, RateLimit};
use crate::render::markdown;

#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: Option<String>,
    pub base_url: String,
    pub generator: String,
    pub custom_css: bool,
    /// Audience builds ask search engines not to index them.
    pub noindex: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageMeta {
    pub kind: &'static str,
    pub url: String,
    pub title: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Nav {
    pub apis: Vec<NavApi>,
    pub packages: Vec<NavLink>,
    pub guides: Vec<NavLink>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavApi {
    pub slug: String,
    pub title: String,
    pub version: String,
    pub url: String,
    pub active: bool,
    pub operation_count: usize,
    /// Only the API being viewed carries its tags (the navigation expands only that one).
    pub tags: Vec<NavTag>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavTag {
    pub name: String,
    /// Visible operations under the tag.
    pub count: usize,
    /// The operations to list; empty when the tag is collapsed to a link (large APIs).
    pub operations: Vec<NavOp>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavOp {
    pub method: &'static str,
    pub path: String,
    pub summary: Option<String>,
    pub url: String,
    pub deprecated: bool,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavLink {
    pub slug: String,
    #[serde(rename = "name")]
    pub name: String,
    pub title: String,
    pub url: String,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiCard {
    pub slug: String,
    pub title: String,
    pub version: String,
    pub description_html: String,
    pub url: String,
    pub operation_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackageCard {
    pub slug: String,
    pub name: String,
    pub version: Option<String>,
    pub description_html: String,
    pub url: String,
    pub rate_limit_words: Option<String>,
    pub auth_name: Option<String>,
    pub operation_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct GuideCard {
    pub title: String,
    pub description: Option<String>,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RateLimitView {
    pub limit: u64,
    pub duration: &'static str,
    pub words: String,
    pub sentence_html: String,
    pub over_limit_html: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuthView {
    pub name: String,
    pub display_name: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub key_names: Vec<String>,
    pub issuer: Option<String>,
    pub scopes: Vec<String>,
    pub explanation_html: String,
    pub curl_example: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Download {
    pub label: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpRow {
    pub method: &'static str,
    pub path: String,
    pub summary: Option<String>,
    pub url: String,
    pub deprecated: bool,
    pub operation_id: Option<String>,
    pub packages: Vec<LinkRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LinkRef {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TagView {
    pub name: String,
    pub description_html: String,
    pub operations: Vec<OpRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServerView {
    pub url: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiView {
    pub slug: String,
    pub title: String,
    pub version: String,
    pub spec_version: &'static str,
    pub url: String,
    pub description_html: String,
    pub servers: Vec<ServerView>,
    pub auth: Option<AuthView>,
    pub registration_url: Option<String>,
    pub access_html: String,
    pub rate_limit: Option<RateLimitView>,
    pub tags: Vec<TagView>,
    pub downloads: Vec<Download>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Prop {
    pub name: String,
    #[serde(rename = "type")]
    pub type_label: String,
    pub required: bool,
    pub description_html: String,
    #[serde(rename = "ref")]
    pub reference: Option<LinkRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContentView {
    pub media_type: String,
    #[serde(rename = "type")]
    pub type_label: String,
    pub properties: Vec<Prop>,
    pub example_json: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParamView {
    pub name: String,
    pub location: &'static str,
    pub required: bool,
    pub deprecated: bool,
    #[serde(rename = "type")]
    pub type_label: String,
    pub description_html: String,
    pub example: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BodyView {
    pub description_html: String,
    pub required: bool,
    pub content: Vec<ContentView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HeaderView {
    pub name: String,
    #[serde(rename = "type")]
    pub type_label: String,
    pub description_html: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResponseView {
    pub status: String,
    pub description_html: String,
    pub headers: Vec<HeaderView>,
    pub content: Vec<ContentView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SecurityView {
    pub schemes: Vec<SchemeUse>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SchemeUse {
    pub name: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpPackage {
    pub name: String,
    pub url: String,
    pub limit_words: Option<String>,
    pub own_limit: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    pub label: String,
    pub lang: &'static str,
    pub code: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OperationView {
    pub method: &'static str,
    pub path: String,
    pub summary: Option<String>,
    pub description_html: String,
    pub deprecated: bool,
    pub operation_id: Option<String>,
    pub tags: Vec<String>,
    pub servers: Vec<ServerView>,
    pub security: Vec<SecurityView>,
    pub parameters: Vec<ParamView>,
    pub request_body: Option<BodyView>,
    pub responses: Vec<ResponseView>,
    pub packages: Vec<OpPackage>,
    pub samples: Vec<Sample>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackageOpRow {
    pub method: &'static str,
    pub path: String,
    pub summary: Option<String>,
    pub url: String,
    pub api_title: String,
    pub api_url: String,
    pub own_limit_html: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackageView {
    pub slug: String,
    pub name: String,
    pub version: Option<String>,
    pub description_html: String,
    pub visibility: &'static str,
    pub teams: Vec<String>,
    pub rate_limit: Option<RateLimitView>,
    pub auth: Option<AuthView>,
    pub registration_url: Option<String>,
    pub access_html: String,
    pub operations: Vec<PackageOpRow>,
    pub downloads: Vec<Download>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SchemaView {
    pub name: String,
    pub anchor: String,
    #[serde(rename = "type")]
    pub type_label: String,
    pub description_html: String,
    pub properties: Vec<Prop>,
    pub enum_values: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// URLs

pub fn api_url(api: &str) -> String {
    format!("apis/{api}/")
}

pub fn operation_url(api: &str, op_slug: &str) -> String {
    format!("apis/{api}/{op_slug}/")
}

pub fn package_url(pkg: &str) -> String {
    format!("packages/{pkg}/")
}

pub fn schemas_url(api: &str) -> String {
    format!("apis/{api}/schemas/")
}

/// Relative prefix from a page at `url` (directory style, e.g. `apis/x/`) to the root.
pub fn root_prefix(url: &str) -> String {
    "../".repeat(url.matches('/').count())
}

// ---------------------------------------------------------------------------------------------
// Builders

/// Descriptions from API documents and packages: markdown, HTML sanitised.
fn md(s: &Option<String>) -> String {
    s.as_deref().map(markdown::to_safe_html).unwrap_or_default()
}

/// Plain words for a limit shared by a package (or an API).
pub fn rate_limit_view(rl: &RateLimit, scope: &str) -> RateLimitView {
    let words = rl.words();
    let sentence_html = if scope == "package" {
        format!(
            "<strong>{words}</strong> per application, shared by all operations of this package. \
             Operations with their own limit count against that limit instead of the package limit."
        )
    } else {
        format!("<strong>{words}</strong> per application, shared by all operations of this API.")
    };
    RateLimitView {
        limit: rl.limit,
        duration: rl.duration.as_str(),
        words,
        sentence_html,
        over_limit_html: over_limit_html(),
    }
}

pub fn over_limit_html() -> String {
    "Over the limit, the gateway answers <code>429 Too Many Requests</code>. \
     Every response carries <code>RateLimit-Limit</code>, <code>RateLimit-Remaining</code> and \
     <code>RateLimit-Reset</code> headers; a rejected request also carries <code>Retry-After</code> \
     with the number of seconds to wait before retrying."
        .to_string()
}

pub fn own_limit_html(rl: &RateLimit) -> String {
    format!(
        "<strong>{}</strong> for this operation, instead of the package limit",
        rl.words()
    )
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The auth strategy in force for a choice.
pub fn strategy<'a>(config: &'a PortalConfig, choice: &AuthChoice) -> Option<&'a AuthStrategy> {
    match choice {
        AuthChoice::Default => config.default_auth_strategy(),
        AuthChoice::None => None,
        AuthChoice::Named(n) => config.auth_strategy(n),
    }
}

pub fn auth_view(s: &AuthStrategy, example_url: &str) -> AuthView {
    match &s.kind {
        AuthKind::KeyAuth { key_names } => {
            let first = key_names
                .first()
                .cloned()
                .unwrap_or_else(|| "apikey".into());
            let names = key_names
                .iter()
                .map(|k| format!("<code>{}</code>", esc(k)))
                .collect::<Vec<_>>()
                .join(" or ");
            AuthView {
                name: s.name.clone(),
                display_name: s.display_name.clone(),
                kind: "key_auth",
                key_names: key_names.clone(),
                issuer: None,
                scopes: Vec::new(),
                explanation_html: format!(
                    "Send your application's API key in the {names} header with every request \
                     (the gateway also accepts it as a query parameter of the same name). \
                     You get a key when you register an application for this product. \
                     Requests without a valid key are rejected with <code>401 Unauthorized</code>."
                ),
                curl_example: format!("curl {example_url} \\\n  -H '{first}: <your-api-key>'"),
            }
        }
        AuthKind::OpenidConnect {
            issuer,
            scopes,
            credential_claim,
            auth_methods,
        } => {
            let flow = if auth_methods.is_empty()
                || auth_methods.iter().any(|m| m == "client_credentials")
            {
                "Use the OAuth 2.0 client credentials flow: exchange your application's client ID and secret for an access token at the issuer's token endpoint"
            } else {
                "Obtain an access token from the issuer with one of the flows it allows"
            };
            AuthView {
                name: s.name.clone(),
                display_name: s.display_name.clone(),
                kind: "openid_connect",
                key_names: Vec::new(),
                issuer: Some(issuer.clone()),
                scopes: scopes.clone(),
                explanation_html: format!(
                    "This product uses OpenID Connect with the issuer <code>{}</code> \
                     (its endpoints are listed at <code>{}/.well-known/openid-configuration</code>). \
                     {flow}, requesting the scopes {}, then send it as <code>Authorization: Bearer &lt;token&gt;</code>. \
                     The gateway identifies your application by the token's {} claim.",
                    esc(issuer),
                    esc(issuer.trim_end_matches('/')),
                    scopes
                        .iter()
                        .map(|s| format!("<code>{}</code>", esc(s)))
                        .collect::<Vec<_>>()
                        .join(", "),
                    credential_claim
                        .iter()
                        .map(|s| format!("<code>{}</code>", esc(s)))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                curl_example: format!(
                    "curl {example_url} \\\n  -H 'Authorization: Bearer <access-token>'"
                ),
            }
        }
    }
}

/// "Register an application" target for a package or API slug.
pub fn registration_url(
    config: &PortalConfig,
    template: Option<&str>,
    slug: &str,
) -> Option<String> {
    let t = template.or(config.registration_url.as_deref())?;
    let enc =
        percent_encoding::utf8_percent_encode(slug, percent_encoding::NON_ALPHANUMERIC).to_string();
    Some(t.replace("{package}", &enc))
}

pub fn access_html(has_auth: bool) -> String {
    if has_auth {
        "This portal has no self-service registration. To get credentials, contact the team that \
         runs this portal and name the product you want to use."
            .into()
    } else {
        "No credentials are needed: you can call these operations right away.".into()
    }
}

/// The gateway base URL of an API: `https://host` + path prefix, from portal.yaml or servers.
pub fn gateway_base(portal: &Portal, api: &Api) -> String {
    let settings = portal.config.api(&api.slug);
    let first = api.servers.first().map(|s| s.url.as_str()).unwrap_or("");
    let (scheme_host, server_path) = split_url(first);
    let host = settings
        .and_then(|s| s.gateway_host.clone())
        .map(|h| format!("https://{h}"))
        .unwrap_or_else(|| {
            if scheme_host.is_empty() {
                "https://api.example.com".into()
            } else {
                scheme_host
            }
        });
    let prefix = settings
        .and_then(|s| s.gateway_path_prefix.clone())
        .unwrap_or(server_path);
    format!("{host}{}", prefix.trim_end_matches('/'))
}

fn split_url(url: &str) -> (String, String) {
    if let Some(i) = url.find("://") {
        let after = &url[i + 3..];
        let (host, path) = match after.find('/') {
            Some(j) => (&after[..j], &after[j..]),
            None => (after, ""),
        };
        (format!("{}{}", &url[..i + 3], host), path.to_string())
    } else {
        (String::new(), url.to_string())
    }
}

pub fn op_row(portal: &Portal, visible: &Visible, id: OperationId) -> OpRow {
    let (api, op) = portal.operation(id);
    OpRow {
        method: op.method.as_str(),
        path: op.path.clone(),
        summary: op.summary.clone(),
        url: operation_url(&api.slug, &op.slug),
        deprecated: op.deprecated,
        operation_id: op.operation_id.clone(),
        packages: visible_packages(portal, visible, id)
            .map(|(_, p)| LinkRef {
                name: p.name.clone(),
                url: package_url(&p.slug),
            })
            .collect(),
    }
}

/// The visible packages holding operation `id`, in package order.
pub fn visible_packages<'a>(
    portal: &'a Portal,
    visible: &'a Visible,
    id: OperationId,
) -> impl Iterator<Item = (PackageId, &'a Package)> + 'a {
    portal
        .packages_of(id)
        .iter()
        .filter(|p| visible.package(**p))
        .map(|p| (*p, portal.package(*p)))
}

/// A tag and the visible operations grouped under it.
pub type TagGroup = (String, Option<String>, Vec<OperationId>);

/// Visible operations of an API grouped by their first tag (document tag order first,
/// untagged last).
pub fn tag_groups(api_id: ApiId, api: &Api, visible: &Visible) -> Vec<TagGroup> {
    let mut groups: Vec<TagGroup> = api
        .tags
        .iter()
        .map(|t| (t.name.clone(), t.description.clone(), Vec::new()))
        .collect();
    let mut untagged = Vec::new();
    for (oi, op) in api.operations.iter().enumerate() {
        let id = OperationId::new(api_id, oi);
        if !visible.operation(id) {
            continue;
        }
        match op.tags.first() {
            Some(t) => match groups.iter_mut().find(|g| &g.0 == t) {
                Some(g) => g.2.push(id),
                None => groups.push((t.clone(), None, vec![id])),
            },
            None => untagged.push(id),
        }
    }
    if !untagged.is_empty() {
        groups.push(("Other operations".into(), None, untagged));
    }
    groups.retain(|g| !g.2.is_empty());
    groups
}

pub fn prop_list(api: &Api, schema: &SchemaRef) -> Vec<Prop> {
    let target = match schema {
        SchemaRef::Ref { target, .. } => api.schema(*target),
        SchemaRef::Inline(s) => s.as_ref(),
    };
    // Arrays: describe the items' properties.
    let target = match (&target.items, target.types.iter().any(|t| t == "array")) {
        (Some(items), true) => match items.as_ref() {
            SchemaRef::Ref { target, .. } => api.schema(*target),
            SchemaRef::Inline(s) => s.as_ref(),
        },
        _ => target,
    };
    let mut props: Vec<Prop> = Vec::new();
    let push_from = |s: &api::Schema, props: &mut Vec<Prop>| {
        for p in &s.properties {
            if props.iter().any(|x| x.name == p.name) {
                continue;
            }
            props.push(prop(api, &p.name, &p.schema, s.required.contains(&p.name)));
        }
    };
    push_from(target, &mut props);
    // allOf members contribute their properties (one level).
    for member in &target.all_of {
        let s = match member {
            SchemaRef::Ref { target, .. } => api.schema(*target),
            SchemaRef::Inline(s) => s.as_ref(),
        };
        push_from(s, &mut props);
    }
    props
}

fn prop(api: &Api, name: &str, schema: &SchemaRef, required: bool) -> Prop {
    let reference = referenced_name(schema).map(|n| LinkRef {
        url: format!("{}#{}", schemas_url(&api.slug), schema_anchor(&n)),
        name: n,
    });
    let description = match schema {
        SchemaRef::Inline(s) => s.description.clone(),
        SchemaRef::Ref { target, .. } => api.schema(*target).description.clone(),
    };
    Prop {
        name: name.to_string(),
        type_label: api::type_label(api, schema),
        required,
        description_html: md(&description),
        reference,
    }
}

/// The named schema a use site refers to (directly or as array items).
fn referenced_name(schema: &SchemaRef) -> Option<String> {
    match schema {
        SchemaRef::Ref { name, .. } => Some(name.clone()),
        SchemaRef::Inline(s) => s.items.as_deref().and_then(|i| match i {
            SchemaRef::Ref { name, .. } => Some(name.clone()),
            _ => None,
        }),
    }
}

pub fn schema_anchor(name: &str) -> String {
    format!("schema-{}", markdown::slugify(name))
}

fn content_view(api: &Api, mt: &api::MediaType) -> ContentView {
    let example = mt.example.as_ref().or_else(|| mt.examples.values().next());
    ContentView {
        media_type: mt.media_type.clone(),
        type_label: mt
            .schema
            .as_ref()
            .map(|s| api::type_label(api, s))
            .unwrap_or_default(),
        properties: mt
            .schema
            .as_ref()
            .map(|s| prop_list(api, s))
            .unwrap_or_default(),
        example_json: example.and_then(|e| serde_json::to_string_pretty(e).ok()),
    }
}

pub fn operation_view(portal: &Portal, visible: &Visible, id: OperationId) -> OperationView {
    let (api, op) = portal.operation(id);
    let base = gateway_base(portal, api);
    let url = sample_url(&base, op);
    let packages: Vec<OpPackage> = visible_packages(portal, visible, id)
        .filter_map(|(_, p)| {
            let po = p.operations.iter().find(|po| po.operation == id)?;
            let (limit, own) = match (po.rate_limit, p.rate_limit) {
                (Some(own), _) => (Some(own.words()), true),
                (None, Some(pl)) => (Some(pl.words()), false),
                (None, None) => (None, false),
            };
            Some(OpPackage {
                name: p.name.clone(),
                url: package_url(&p.slug),
                limit_words: limit,
                own_limit: own,
            })
        })
        .collect();
    // Samples use the auth of the first visible package holding the operation, else the API's.
    let auth = visible_packages(portal, visible, id)
        .next()
        .map(|(_, p)| strategy(&portal.config, &p.auth_strategy))
        .unwrap_or_else(|| strategy(&portal.config, &api_auth_choice(portal, api)));
    let mut curl = format!("curl -X {} '{}'", op.method, url);
    if let Some(s) = auth {
        match &s.kind {
            AuthKind::KeyAuth { key_names } => curl.push_str(&format!(
                " \\\n  -H '{}: <your-api-key>'",
                key_names.first().map(String::as_str).unwrap_or("apikey")
            )),
            AuthKind::OpenidConnect { .. } => {
                curl.push_str(" \\\n  -H 'Authorization: Bearer <access-token>'")
            }
        }
    }
    for p in op
        .parameters
        .iter()
        .filter(|p| p.location == ParamLocation::Header && p.required)
    {
        curl.push_str(&format!(" \\\n  -H '{}: <{}>'", p.name, p.name));
    }
    if let Some(body) = &op.request_body
        && let Some(mt) = body.content.first()
    {
        curl.push_str(&format!(" \\\n  -H 'Content-Type: {}'", mt.media_type));
        let example = mt.example.as_ref().or_else(|| mt.examples.values().next());
        let data = example
            .and_then(|e| serde_json::to_string(e).ok())
            .unwrap_or_else(|| "{}".into());
        curl.push_str(&format!(" \\\n  -d '{}'", data.replace('\'', "'\\''")));
    }
    let mut samples = vec![Sample {
        label: "curl".into(),
        lang: "bash",
        code: curl,
    }];
    if let Some(resp) = op.responses.iter().find(|r| r.status.starts_with('2'))
        && let Some(mt) = resp.content.first()
        && let Some(ex) = mt.example.as_ref().or_else(|| mt.examples.values().next())
        && let Ok(json) = serde_json::to_string_pretty(ex)
    {
        samples.push(Sample {
            label: format!("Response {}", resp.status),
            lang: "json",
            code: json,
        });
    }
    OperationView {
        method: op.method.as_str(),
        path: op.path.clone(),
        summary: op.summary.clone(),
        description_html: md(&op.description),
        deprecated: op.deprecated,
        operation_id: op.operation_id.clone(),
        tags: op.tags.clone(),
        servers: if op.servers.is_empty() {
            &api.servers
        } else {
            &op.servers
        }
        .iter()
        .map(|s| ServerView {
            url: s.url.clone(),
            description: s.description.clone(),
        })
        .collect(),
        security: api
            .effective_security(op)
            .iter()
            .map(|r| SecurityView {
                schemes: r
                    .schemes
                    .iter()
                    .map(|(n, s)| SchemeUse {
                        name: n.clone(),
                        scopes: s.clone(),
                    })
                    .collect(),
            })
            .collect(),
        parameters: op
            .parameters
            .iter()
            .map(|p| ParamView {
                name: p.name.clone(),
                location: p.location.as_str(),
                required: p.required,
                deprecated: p.deprecated,
                type_label: p
                    .schema
                    .as_ref()
                    .map(|s| api::type_label(api, s))
                    .unwrap_or_default(),
                description_html: md(&p.description),
                example: p.example.as_ref().map(|e| match e {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                }),
            })
            .collect(),
        request_body: op.request_body.as_ref().map(|b| BodyView {
            description_html: md(&b.description),
            required: b.required,
            content: b.content.iter().map(|mt| content_view(api, mt)).collect(),
        }),
        responses: op
            .responses
            .iter()
            .map(|r| ResponseView {
                status: r.status.clone(),
                description_html: md(&r.description),
                headers: r
                    .headers
                    .iter()
                    .map(|h| HeaderView {
                        name: h.name.clone(),
                        type_label: h
                            .schema
                            .as_ref()
                            .map(|s| api::type_label(api, s))
                            .unwrap_or_default(),
                        description_html: md(&h.description),
                    })
                    .collect(),
                content: r.content.iter().map(|mt| content_view(api, mt)).collect(),
            })
            .collect(),
        packages,
        samples,
    }
}

/// Concrete sample URL: path parameters become `{name}` placeholders kept readable.
fn sample_url(base: &str, op: &Operation) -> String {
    let mut url = format!("{base}{}", op.path);
    let query: Vec<String> = op
        .parameters
        .iter()
        .filter(|p| p.location == ParamLocation::Query && p.required)
        .map(|p| format!("{}=<{}>", p.name, p.name))
        .collect();
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    url
}

/// The base URLs readers should call: the gateway when portal.yaml configures its host or
/// path prefix for the API, else the document's servers.
fn reader_servers(portal: &Portal, api: &Api, servers: &[api::Server]) -> Vec<ServerView> {
    let configured = portal
        .config
        .api(&api.slug)
        .is_some_and(|s| s.gateway_host.is_some() || s.gateway_path_prefix.is_some());
    if configured || servers.is_empty() {
        return vec![ServerView {
            url: gateway_base(portal, api),
            description: Some("Kong Gateway".into()),
        }];
    }
    servers
        .iter()
        .map(|s| ServerView {
            url: s.url.clone(),
            description: s.description.clone(),
        })
        .collect()
}

pub fn api_auth_choice(portal: &Portal, api: &Api) -> AuthChoice {
    portal
        .config
        .api(&api.slug)
        .and_then(|s| s.auth_strategy.clone())
        .unwrap_or(AuthChoice::Default)
}

pub fn package_view(
    portal: &Portal,
    visible: &Visible,
    p: &Package,
    downloads: Vec<Download>,
) -> PackageView {
    let strategy = strategy(&portal.config, &p.auth_strategy);
    let example_url = p
        .operations
        .first()
        .map(|po| {
            let (api, op) = portal.operation(po.operation);
            sample_url(&gateway_base(portal, api), op)
        })
        .unwrap_or_else(|| "https://api.example.com/".into());
    let registration = strategy.and_then(|_| registration_url(&portal.config, None, &p.slug));
    PackageView {
        slug: p.slug.to_string(),
        name: p.name.clone(),
        version: p.version.clone(),
        description_html: md(&p.description),
        visibility: match p.visibility {
            crate::model::Visibility::Public => "public",
            crate::model::Visibility::Private => "private",
        },
        teams: visible.shown_teams(&p.teams),
        rate_limit: p
            .rate_limit
            .as_ref()
            .map(|rl| rate_limit_view(rl, "package")),
        auth: strategy.map(|s| auth_view(s, &format!("'{example_url}'"))),
        registration_url: registration,
        access_html: access_html(strategy.is_some()),
        operations: p
            .operations
            .iter()
            .map(|po| {
                let (api, op) = portal.operation(po.operation);
                PackageOpRow {
                    method: op.method.as_str(),
                    path: op.path.clone(),
                    summary: op.summary.clone(),
                    url: operation_url(&api.slug, &op.slug),
                    api_title: api.title.clone(),
                    api_url: api_url(&api.slug),
                    own_limit_html: po.rate_limit.as_ref().map(own_limit_html),
                }
            })
            .collect(),
        downloads,
    }
}

pub fn api_view(
    portal: &Portal,
    visible: &Visible,
    api_id: ApiId,
    downloads: Vec<Download>,
) -> ApiView {
    let api = portal.api(api_id);
    let settings = portal.config.api(&api.slug);
    let strategy = strategy(&portal.config, &api_auth_choice(portal, api));
    let example = (0..api.operations.len())
        .find(|oi| visible.operation(OperationId::new(api_id, *oi)))
        .map(|oi| sample_url(&gateway_base(portal, api), &api.operations[oi]))
        .unwrap_or_else(|| gateway_base(portal, api));
    let registration = strategy.and_then(|_| {
        registration_url(
            &portal.config,
            settings.and_then(|s| s.registration_url.as_deref()),
            &api.slug,
        )
    });
    ApiView {
        slug: api.slug.to_string(),
        title: api.title.clone(),
        version: api.version.clone(),
        spec_version: match api.spec_version {
            api::SpecVersion::Swagger2 => "2.0",
            api::SpecVersion::OpenApi30 => "3.0",
            api::SpecVersion::OpenApi31 => "3.1",
        },
        url: api_url(&api.slug),
        description_html: md(&api.description),
        servers: reader_servers(portal, api, &api.servers),
        auth: strategy.map(|s| auth_view(s, &format!("'{example}'"))),
        registration_url: registration,
        access_html: access_html(strategy.is_some()),
        rate_limit: settings
            .and_then(|s| s.rate_limit.as_ref())
            .map(|rl| rate_limit_view(rl, "api")),
        tags: tag_groups(api_id, api, visible)
            .into_iter()
            .map(|(name, desc, ops)| TagView {
                name,
                description_html: md(&desc),
                operations: ops
                    .into_iter()
                    .map(|o| op_row(portal, visible, o))
                    .collect(),
            })
            .collect(),
        downloads,
    }
}

/// Named schemas of an API that visible operations reference (transitively).
pub fn schema_views(api: &Api, names: &[String]) -> Vec<SchemaView> {
    names
        .iter()
        .filter_map(|n| {
            let id = api.schema_names.get(n)?;
            let s = api.schema(*id);
            let as_ref = SchemaRef::Ref {
                name: n.clone(),
                target: *id,
            };
            let inline_label = api::type_label(api, &SchemaRef::Inline(Box::new(s.clone())));
            Some(SchemaView {
                name: n.clone(),
                anchor: schema_anchor(n),
                type_label: inline_label,
                description_html: md(&s.description),
                properties: prop_list(api, &as_ref),
                enum_values: s
                    .enum_values
                    .iter()
                    .map(|v| match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect(),
            })
        })
        .collect()
}
