//! View models from the validated model: every value a template receives is built here, from
//! the [`Portal`] and the build's [`Visible`] set, so private content cannot leak into a page
//! by way of a helper that forgot to ask. The types are the contract of [`super::context`];
//! URLs come from [`super::urls`], code samples from [`super::samples`].

use crate::kong::probe;
use crate::model::api::{self, Api, SchemaRef};
use crate::model::audience::Visible;
use crate::model::config::{AuthChoice, AuthKind, AuthStrategy, PortalConfig};
use crate::model::{ApiId, OperationId, Package, PackageId, PageId, Portal, RateLimit};
use crate::render::context::*;
use crate::render::{markdown, samples, urls};

/// Descriptions from API documents and packages: markdown, HTML sanitised.
fn md(s: &Option<String>) -> String {
    s.as_deref().map(markdown::to_safe_html).unwrap_or_default()
}

/// A description's first paragraph as sanitised HTML (cards).
pub fn summary_html(md: &str) -> String {
    markdown::to_safe_html(first_paragraph(md))
}

/// A description's first paragraph as plain text (meta descriptions, llms.txt).
pub fn summary_text(md: &str) -> String {
    markdown::to_text(first_paragraph(md))
}

/// How many characters a page's `<meta name="description">` (and `og:description`) holds:
/// about what search engines show.
pub const META_DESCRIPTION_CHARS: usize = 160;

/// `text` as a meta description: whitespace collapsed, cut at a word boundary to at most
/// [`META_DESCRIPTION_CHARS`] characters (with `…` when cut).
pub fn meta_description(text: &str) -> String {
    let mut out = String::new();
    for word in text.split_whitespace() {
        let needed = out.chars().count() + usize::from(!out.is_empty()) + word.chars().count();
        if needed > META_DESCRIPTION_CHARS - 1 {
            if out.is_empty() {
                out = word.chars().take(META_DESCRIPTION_CHARS - 1).collect();
            }
            out.push('…');
            return out;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn first_paragraph(md: &str) -> &str {
    md.trim_start().split("\n\n").next().unwrap_or("")
}

pub fn rate_limit_view(rl: &RateLimit, scope: LimitScope) -> RateLimitView {
    RateLimitView {
        limit: rl.limit,
        duration: rl.duration.as_str(),
        words: rl.words(),
        scope,
    }
}

/// The auth strategy in force for a choice.
pub fn strategy<'a>(config: &'a PortalConfig, choice: &AuthChoice) -> Option<&'a AuthStrategy> {
    match choice {
        AuthChoice::Default => config.default_auth_strategy(),
        AuthChoice::None => None,
        AuthChoice::Named(n) => config.auth_strategy(n),
    }
}

/// An auth strategy as facts; `example_url` (shell-quoted) is what its example request calls.
pub fn auth_view(s: &AuthStrategy, example_url: &str) -> AuthView {
    let mut view = AuthView {
        name: s.name.clone(),
        display_name: s.display_name.clone(),
        kind: "key_auth",
        key_names: Vec::new(),
        issuer: None,
        discovery_url: None,
        scopes: Vec::new(),
        credential_claim: Vec::new(),
        auth_methods: Vec::new(),
        curl_example: samples::auth_example(s, example_url),
    };
    match &s.kind {
        AuthKind::KeyAuth { key_names } => view.key_names = key_names.clone(),
        AuthKind::OpenidConnect {
            issuer,
            scopes,
            credential_claim,
            auth_methods,
        } => {
            view.kind = "openid_connect";
            view.discovery_url = Some(format!(
                "{}/.well-known/openid-configuration",
                issuer.trim_end_matches('/')
            ));
            view.issuer = Some(issuer.clone());
            view.scopes = scopes.clone();
            view.credential_claim = credential_claim.clone();
            view.auth_methods = auth_methods.clone();
        }
    }
    view
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

/// Links to the downloads written beside a package or API page.
pub fn download_links(page_url: &str) -> Vec<Download> {
    vec![
        Download {
            label: "OpenAPI 3.1 (JSON)".into(),
            url: urls::openapi_download(page_url),
        },
        Download {
            label: "Postman collection".into(),
            url: urls::postman_download(page_url),
        },
    ]
}

/// The gateway base URL of an API as samples and downloads show it: the routing check's own
/// target ([`probe::api_target`]), with a placeholder host when nothing names one.
pub fn gateway_base(portal: &Portal, api: &Api) -> String {
    let settings = portal.config.api(&api.slug);
    let target = probe::api_target(
        api,
        settings.and_then(|s| s.gateway_host.as_deref()),
        settings.and_then(|s| s.gateway_path_prefix.as_deref()),
    );
    let host = target.host.as_deref().unwrap_or("api.example.com");
    format!("{}://{host}{}", target.scheme, target.prefix)
}

pub fn op_row(portal: &Portal, visible: &Visible, id: OperationId) -> OpRow {
    let (api, op) = portal.operation(id);
    OpRow {
        method: op.method.as_str(),
        path: op.path.clone(),
        summary: op.summary.clone(),
        url: urls::operation(&api.slug, &op.slug),
        deprecated: op.deprecated,
        operation_id: op.operation_id.clone(),
        packages: visible_packages(portal, visible, id)
            .map(|(_, p)| LinkRef {
                name: p.name.clone(),
                url: urls::package(&p.slug),
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
        url: urls::schema(&api.slug, &n),
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

fn content_view(api: &Api, mt: &api::MediaType) -> ContentView {
    let example = mt
        .example
        .as_deref()
        .or_else(|| mt.examples.values().next().map(|e| &**e));
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
    let url = samples::sample_url(&base, op);
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
                url: urls::package(&p.slug),
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
    let samples = samples::operation_samples(op, &url, auth);
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
                example: p.example.as_deref().map(|e| match e {
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
            samples::sample_url(&gateway_base(portal, api), op)
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
            .map(|rl| rate_limit_view(rl, LimitScope::Package)),
        auth: strategy.map(|s| auth_view(s, &format!("'{example_url}'"))),
        registration_url: registration,
        operations: p
            .operations
            .iter()
            .map(|po| {
                let (api, op) = portal.operation(po.operation);
                PackageOpRow {
                    method: op.method.as_str(),
                    path: op.path.clone(),
                    summary: op.summary.clone(),
                    url: urls::operation(&api.slug, &op.slug),
                    api_title: api.title.clone(),
                    api_url: urls::api(&api.slug),
                    own_limit: po
                        .rate_limit
                        .as_ref()
                        .map(|rl| rate_limit_view(rl, LimitScope::Operation)),
                }
            })
            .collect(),
        downloads,
    }
}

/// The API an operation or schema page belongs to.
pub fn api_ref(api: &Api) -> ApiRef {
    ApiRef {
        slug: api.slug.to_string(),
        title: api.title.clone(),
        version: api.version.clone(),
        url: urls::api(&api.slug),
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
        .map(|oi| samples::sample_url(&gateway_base(portal, api), &api.operations[oi]))
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
        url: urls::api(&api.slug),
        description_html: md(&api.description),
        servers: reader_servers(portal, api, &api.servers),
        auth: strategy.map(|s| auth_view(s, &format!("'{example}'"))),
        registration_url: registration,
        rate_limit: settings
            .and_then(|s| s.rate_limit.as_ref())
            .map(|rl| rate_limit_view(rl, LimitScope::Api)),
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
                anchor: urls::schema_anchor(n),
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

// ---------------------------------------------------------------------------------------------
// Parts shared by every page of a build

/// What every page of one build shares, computed once: the `site` view, the navigation's
/// groups and the guides in navigation order.
pub struct SiteViews<'a> {
    pub portal: &'a Portal,
    pub visible: &'a Visible,
    pub site: SiteView,
    /// Visible guides in navigation order (weight, title, URL), with their URLs.
    pub guides: Vec<(PageId, String)>,
    /// Per API (by index): its visible operations grouped by tag, computed once.
    pub nav_groups: Vec<Vec<(String, Vec<usize>)>>,
}

/// Above this many operations, an operation page's navigation lists only its own tag's
/// operations (other tags become links with a count).
const NAV_OP_LIMIT: usize = 150;

impl<'a> SiteViews<'a> {
    pub fn new(portal: &'a Portal, visible: &'a Visible, base_url: &str) -> Self {
        let mut guides: Vec<(PageId, String)> = visible
            .pages
            .iter()
            .map(|id| (*id, urls::guide(&portal.page(*id).path)))
            .collect();
        guides.sort_by(|(a, ua), (b, ub)| {
            let (pa, pb) = (portal.page(*a), portal.page(*b));
            pa.weight
                .cmp(&pb.weight)
                .then(pa.title.cmp(&pb.title))
                .then(ua.trim_end_matches('/').cmp(ub.trim_end_matches('/')))
        });
        SiteViews {
            portal,
            visible,
            site: SiteView {
                title: portal.config.title.clone(),
                description: portal.config.description.as_deref().map(markdown::to_text),
                base_url: base_url.to_string(),
                generator: format!("portalgen {}", env!("CARGO_PKG_VERSION")),
                custom_css: portal.static_files.contains_key("theme.css"),
                noindex: !visible.audiences.is_empty(),
            },
            guides,
            nav_groups: portal
                .api_ids()
                .map(|(ai, a)| {
                    tag_groups(ai, a, visible)
                        .into_iter()
                        .map(|(name, _, ops)| (name, ops.iter().map(|o| o.index()).collect()))
                        .collect()
                })
                .collect(),
        }
    }

    pub fn nav(&self, active_url: &str) -> Nav {
        let p = self.portal;
        Nav {
            apis: p
                .api_ids()
                .filter(|(ai, _)| self.visible.api(*ai))
                .map(|(ai, a)| {
                    let active = active_url.starts_with(&urls::api(&a.slug));
                    let groups = &self.nav_groups[ai.index()];
                    let count: usize = groups.iter().map(|(_, ops)| ops.len()).sum();
                    // Pages carry only the current API's operations, and on a large API's
                    // operation pages only the current tag's: every page stays small and a
                    // build stays linear in the number of operations.
                    let on_op_page = active && active_url != urls::api(&a.slug);
                    let tags = if !active {
                        Vec::new()
                    } else {
                        groups
                            .iter()
                            .map(|(name, ops)| {
                                let holds_current = ops.iter().any(|oi| {
                                    active_url == urls::operation(&a.slug, &a.operations[*oi].slug)
                                });
                                let expand = count <= NAV_OP_LIMIT || !on_op_page || holds_current;
                                NavTag {
                                    name: name.clone(),
                                    count: ops.len(),
                                    operations: if expand {
                                        ops.iter()
                                            .map(|oi| {
                                                let o = &a.operations[*oi];
                                                let url = urls::operation(&a.slug, &o.slug);
                                                NavOp {
                                                    method: o.method.as_str(),
                                                    path: o.path.clone(),
                                                    summary: o.summary.clone(),
                                                    deprecated: o.deprecated,
                                                    active: active_url == url,
                                                    url,
                                                }
                                            })
                                            .collect()
                                    } else {
                                        Vec::new()
                                    },
                                }
                            })
                            .collect()
                    };
                    NavApi {
                        slug: a.slug.to_string(),
                        title: a.title.clone(),
                        version: a.version.clone(),
                        url: urls::api(&a.slug),
                        active,
                        operation_count: count,
                        tags,
                    }
                })
                .collect(),
            packages: self
                .visible
                .packages
                .iter()
                .map(|id| p.package(*id))
                .map(|pk| NavLink {
                    slug: pk.slug.to_string(),
                    name: pk.name.clone(),
                    title: pk.name.clone(),
                    url: urls::package(&pk.slug),
                    active: active_url == urls::package(&pk.slug),
                })
                .collect(),
            guides: self
                .guides
                .iter()
                .map(|(i, url)| {
                    let g = p.page(*i);
                    NavLink {
                        slug: url.trim_end_matches('/').to_string(),
                        name: g.title.clone(),
                        title: g.title.clone(),
                        active: active_url == url,
                        url: url.clone(),
                    }
                })
                .collect(),
        }
    }

    pub fn api_cards(&self) -> Vec<ApiCard> {
        self.portal
            .api_ids()
            .filter(|(ai, _)| self.visible.api(*ai))
            .map(|(ai, a)| ApiCard {
                slug: a.slug.to_string(),
                title: a.title.clone(),
                version: a.version.clone(),
                description_html: a
                    .description
                    .as_deref()
                    .map(summary_html)
                    .unwrap_or_default(),
                url: urls::api(&a.slug),
                operation_count: self
                    .visible
                    .operations
                    .iter()
                    .filter(|o| o.api == ai)
                    .count(),
            })
            .collect()
    }

    pub fn package_cards(&self) -> Vec<PackageCard> {
        self.visible
            .packages
            .iter()
            .map(|id| self.portal.package(*id))
            .map(|p| PackageCard {
                slug: p.slug.to_string(),
                name: p.name.clone(),
                version: p.version.clone(),
                description_html: p
                    .description
                    .as_deref()
                    .map(summary_html)
                    .unwrap_or_default(),
                url: urls::package(&p.slug),
                rate_limit_words: p.rate_limit.map(|r| r.words()),
                auth_name: strategy(&self.portal.config, &p.auth_strategy)
                    .map(|s| s.display_name.clone()),
                operation_count: p.operations.len(),
            })
            .collect()
    }

    pub fn guide_cards(&self) -> Vec<GuideCard> {
        self.guides
            .iter()
            .map(|(i, url)| {
                let g = self.portal.page(*i);
                GuideCard {
                    title: g.title.clone(),
                    description: g.description.clone(),
                    url: url.clone(),
                }
            })
            .collect()
    }
}
