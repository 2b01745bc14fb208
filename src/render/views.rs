//! View models from the validated model: every value a template receives is built here, from
//! the [`Portal`] and the build's [`Visible`] set, so private content cannot leak into a page
//! by way of a helper that forgot to ask. The types are the contract of [`super::context`];
//! URLs come from [`super::urls`], code samples from [`super::samples`], schema trees from
//! [`super::schema`] and examples from [`super::examples`].

use crate::kong::probe;
use crate::model::api::{self, Api, SchemaRef, SecuritySchemeKind};
use crate::model::audience::Visible;
use crate::model::config::{AuthChoice, AuthKind, AuthStrategy, PortalConfig};
use crate::model::{ApiId, OperationId, Package, PackageId, PageId, Portal, RateLimit};
use crate::render::context::*;
use crate::render::schema::{Direction, Tree};
use crate::render::{examples, highlight, markdown, samples, urls};

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

/// A meta description: plain text cut at a word boundary to [`DESCRIPTION_MAX`] characters.
pub fn meta_description(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= DESCRIPTION_MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(DESCRIPTION_MAX - 1).collect();
    let at = cut
        .rfind(' ')
        .filter(|i| *i > DESCRIPTION_MAX / 2)
        .unwrap_or(cut.len());
    format!("{}…", cut[..at].trim_end_matches([',', ';', ':', '.', ' ']))
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

/// Links to the downloads written beside a package page: the package's own OpenAPI document
/// and Postman collection (exactly its operations).
pub fn package_downloads(page_url: &str) -> Vec<Download> {
    vec![
        Download {
            label: "OpenAPI 3.1 of this package (JSON)".into(),
            url: urls::openapi_download(page_url),
            kind: "openapi",
        },
        Download {
            label: "Postman collection".into(),
            url: urls::postman_download(page_url),
            kind: "postman",
        },
    ]
}

/// Whether this build offers the API's document as the project has it: only when every
/// operation of it is visible (the file would otherwise show private operations) and it holds
/// no HTML comment (notes that never reach readers). The computed documents are offered always.
pub fn original_offered(portal: &Portal, visible: &Visible, ai: ApiId) -> bool {
    let api = portal.api(ai);
    !api.original.html_comment
        && (0..api.operations.len()).all(|i| visible.operation(OperationId::new(ai, i)))
}

/// Links to the downloads beside an API page: the document as the project has it, then the
/// OpenAPI 3.1 document and Postman collection of the operations this portal shows.
pub fn api_downloads(api: &Api, original: bool) -> Vec<Download> {
    let page_url = urls::api(&api.slug);
    let o = &api.original;
    let dialect = match api.spec_version {
        api::SpecVersion::Swagger2 => "Swagger",
        _ => "OpenAPI",
    };
    let label = match (&o.bundled, o.yaml) {
        (Some(_), _) => format!("Original {dialect} {} document, bundled (JSON)", o.version),
        (None, true) => format!("Original {dialect} {} document (YAML)", o.version),
        (None, false) => format!("Original {dialect} {} document (JSON)", o.version),
    };
    let mut out = Vec::new();
    if original {
        out.push(Download {
            label,
            url: urls::original_download(&api.slug, o.yaml && o.bundled.is_none()),
            kind: "original",
        });
    }
    out.extend([
        Download {
            label: "OpenAPI 3.1 of the operations shown here (JSON)".into(),
            url: urls::openapi_download(&page_url),
            kind: "openapi",
        },
        Download {
            label: "Postman collection".into(),
            url: urls::postman_download(&page_url),
            kind: "postman",
        },
    ]);
    out
}

/// Kinds of security the document declares for `ops` (in a fixed order).
pub fn declared_security<'a>(
    api_ops: impl IntoIterator<Item = (&'a Api, &'a api::Operation)>,
) -> Vec<&'static str> {
    let mut kinds: Vec<&'static str> = Vec::new();
    for (api, op) in api_ops {
        for req in api.effective_security(op) {
            for (name, _) in &req.schemes {
                if let Some(s) = api.security_schemes.iter().find(|s| &s.name == name) {
                    let k = scheme_kind(&s.kind);
                    if !kinds.contains(&k) {
                        kinds.push(k);
                    }
                }
            }
        }
    }
    kinds.sort_by_key(|k| {
        ["oauth2", "openIdConnect", "apiKey", "http", "mutualTLS"]
            .iter()
            .position(|x| x == k)
    });
    kinds
}

fn scheme_kind(k: &SecuritySchemeKind) -> &'static str {
    match k {
        SecuritySchemeKind::ApiKey { .. } => "apiKey",
        SecuritySchemeKind::Http { .. } => "http",
        SecuritySchemeKind::OAuth2 { .. } => "oauth2",
        SecuritySchemeKind::OpenIdConnect { .. } => "openIdConnect",
        SecuritySchemeKind::MutualTls => "mutualTLS",
    }
}

/// The id of a security scheme's explanation on the API page.
pub fn scheme_anchor(name: &str) -> String {
    format!("scheme-{}", markdown::slugify(name))
}

/// The id of a tag's section on the API page.
pub fn tag_anchor(name: &str) -> String {
    format!("tag-{}", markdown::slugify(name))
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

pub fn op_row(portal: &Portal, visible: &Visible, id: OperationId, packages: bool) -> OpRow {
    let (api, op) = portal.operation(id);
    OpRow {
        method: op.method.as_str(),
        path: op.path.clone(),
        summary: op.summary.clone(),
        url: urls::operation(&api.slug, &op.slug),
        deprecated: op.deprecated,
        operation_id: op.operation_id.clone(),
        packages: if packages {
            visible_packages(portal, visible, id)
                .map(|(_, p)| LinkRef {
                    name: p.name.clone(),
                    url: urls::package(&p.slug),
                })
                .collect()
        } else {
            Vec::new()
        },
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

/// Visible operations of an API grouped by their first tag: in `x-tagGroups` order when the
/// document groups its tags, else the document's tag order; untagged last.
pub fn tag_groups(api_id: ApiId, api: &Api, visible: &Visible) -> Vec<TagGroup> {
    let mut groups: Vec<TagGroup> = ordered_tags(api)
        .into_iter()
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

/// The document's tags in display order: the tags of each `x-tagGroups` group in turn, then
/// the rest in document order.
pub fn ordered_tags(api: &Api) -> Vec<&api::Tag> {
    let mut out: Vec<&api::Tag> = Vec::new();
    for g in &api.tag_groups {
        for name in &g.tags {
            if let Some(t) = api.tags.iter().find(|t| &t.name == name)
                && !out.iter().any(|o| o.name == t.name)
            {
                out.push(t);
            }
        }
    }
    for t in &api.tags {
        if !out.iter().any(|o| o.name == t.name) {
            out.push(t);
        }
    }
    out
}

/// The `x-tagGroups` group of a tag.
pub fn group_of<'a>(api: &'a Api, tag: &str) -> Option<&'a str> {
    api.tag_groups
        .iter()
        .find(|g| g.tags.iter().any(|t| t == tag))
        .map(|g| g.name.as_str())
}

/// Examples longer than this many lines are cut on the page (the downloads hold them whole).
const EXAMPLE_LINES: usize = 120;

fn content_view(api: &Api, mt: &api::MediaType, dir: Direction, page: &str) -> ContentView {
    let example = examples::media(api, mt, dir);
    ContentView {
        media_type: mt.media_type.clone(),
        schema_html: mt
            .schema
            .as_ref()
            .map(|s| Tree::new(api, dir, page).body(s, true))
            .unwrap_or_default(),
        example_generated: !examples::documented(mt),
        example_html: example.as_ref().map(example_html),
    }
}

/// An example as highlighted JSON, cut after [`EXAMPLE_LINES`] lines with a note saying so.
pub fn example_html(v: &serde_json::Value) -> String {
    let html = highlight::json(v);
    let mut lines = html.split_inclusive('\n');
    let kept: String = lines.by_ref().take(EXAMPLE_LINES).collect();
    let rest = lines.count();
    if rest == 0 {
        return kept;
    }
    // Cut between lines: spans never cross a line break in highlight::json's output.
    format!(
        "{kept}<span class=\"hl-comment\">… {rest} more lines (the whole example is in the OpenAPI download)</span>"
    )
}

pub fn operation_view(
    portal: &Portal,
    visible: &Visible,
    id: OperationId,
    page: &str,
) -> OperationView {
    let (api, op) = portal.operation(id);
    let base = gateway_base(portal, api);
    let url = samples::sample_url(api, &base, op);
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
    let samples = samples::operation_samples(&samples::request(api, op, &url, auth));
    let api_url = urls::api(&api.slug);
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
                        url: format!("{api_url}#{}", scheme_anchor(n)),
                    })
                    .collect(),
            })
            .collect(),
        parameters: op
            .parameters
            .iter()
            .map(|p| {
                let mut tree = Tree::new(api, Direction::Request, page);
                ParamView {
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
                    constraints_html: p
                        .schema
                        .as_ref()
                        .map(|s| tree.constraints(s))
                        .unwrap_or_default(),
                    schema_html: p
                        .schema
                        .as_ref()
                        .filter(|s| tree.has_children(s))
                        .map(|s| Tree::new(api, Direction::Request, page).body(s, false))
                        .unwrap_or_default(),
                }
            })
            .collect(),
        request_body: op.request_body.as_ref().map(|b| BodyView {
            description_html: md(&b.description),
            required: b.required,
            content: b
                .content
                .iter()
                .map(|mt| content_view(api, mt, Direction::Request, page))
                .collect(),
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
                content: r
                    .content
                    .iter()
                    .map(|mt| content_view(api, mt, Direction::Response, page))
                    .collect(),
            })
            .collect(),
        packages,
        samples,
        enforcement: super::enforcement::view(portal, visible, &[id]),
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
            samples::sample_url(api, &gateway_base(portal, api), op)
        })
        .unwrap_or_else(|| "https://api.example.com/".into());
    let registration = strategy.and_then(|_| registration_url(&portal.config, None, &p.slug));
    let mut sections: Vec<PackageSection> = Vec::new();
    for po in &p.operations {
        let (api, op) = portal.operation(po.operation);
        let tag = op
            .tags
            .first()
            .cloned()
            .unwrap_or_else(|| "Other operations".into());
        let row = PackageOpRow {
            method: op.method.as_str(),
            path: op.path.clone(),
            summary: op.summary.clone(),
            url: urls::operation(&api.slug, &op.slug),
            deprecated: op.deprecated,
            own_limit: po
                .rate_limit
                .as_ref()
                .map(|rl| rate_limit_view(rl, LimitScope::Operation)),
        };
        let api_url = urls::api(&api.slug);
        match sections
            .iter_mut()
            .find(|s| s.api_url == api_url && s.tag == tag)
        {
            Some(s) => s.operations.push(row),
            None => sections.push(PackageSection {
                api_title: api.title.clone(),
                api_url,
                tag,
                operations: vec![row],
            }),
        }
    }
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
        has_own_limits: p.operations.iter().any(|po| po.rate_limit.is_some()),
        operation_count: p.operations.len(),
        sections,
        declared_security: declared_security(
            p.operations.iter().map(|po| portal.operation(po.operation)),
        ),
        downloads,
        enforcement: super::enforcement::view(
            portal,
            visible,
            &p.operations
                .iter()
                .map(|po| po.operation)
                .collect::<Vec<_>>(),
        ),
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

pub fn api_view(portal: &Portal, visible: &Visible, api_id: ApiId, schema_count: usize) -> ApiView {
    let api = portal.api(api_id);
    let settings = portal.config.api(&api.slug);
    let strategy = strategy(&portal.config, &api_auth_choice(portal, api));
    let visible_ops: Vec<OperationId> = (0..api.operations.len())
        .map(|oi| OperationId::new(api_id, oi))
        .filter(|id| visible.operation(*id))
        .collect();
    let example = visible_ops
        .first()
        .map(|id| samples::sample_url(api, &gateway_base(portal, api), &api.operations[id.index()]))
        .unwrap_or_else(|| gateway_base(portal, api));
    let registration = strategy.and_then(|_| {
        registration_url(
            &portal.config,
            settings.and_then(|s| s.registration_url.as_deref()),
            &api.slug,
        )
    });
    // When every operation is in the same packages, say so once instead of on every row.
    let packages_of = |id: &OperationId| -> Vec<PackageId> {
        visible_packages(portal, visible, *id)
            .map(|(p, _)| p)
            .collect()
    };
    let common = visible_ops.first().map(packages_of).filter(|first| {
        !first.is_empty() && visible_ops.iter().all(|id| packages_of(id) == *first)
    });
    let common_packages: Vec<LinkRef> = common
        .iter()
        .flatten()
        .map(|p| {
            let p = portal.package(*p);
            LinkRef {
                name: p.name.clone(),
                url: urls::package(&p.slug),
            }
        })
        .collect();
    let rows_have_packages = common_packages.is_empty();
    let tags: Vec<(Option<&str>, TagView)> = tag_groups(api_id, api, visible)
        .into_iter()
        .map(|(name, desc, ops)| {
            let tag = api.tags.iter().find(|t| t.name == name);
            (
                group_of(api, &name),
                TagView {
                    anchor: tag_anchor(&name),
                    external_docs: tag
                        .and_then(|t| t.external_docs.as_ref())
                        .map(external_docs),
                    name,
                    description_html: md(&desc),
                    operations: ops
                        .into_iter()
                        .map(|o| op_row(portal, visible, o, rows_have_packages))
                        .collect(),
                },
            )
        })
        .collect();
    let mut groups: Vec<TagGroupView> = Vec::new();
    for (group, tag) in tags {
        let name = group.map(str::to_string);
        match groups.last_mut() {
            Some(g) if g.name == name => g.tags.push(tag),
            _ => groups.push(TagGroupView {
                name,
                tags: vec![tag],
            }),
        }
    }
    let visible_api_ops: Vec<&api::Operation> = visible_ops
        .iter()
        .map(|id| &api.operations[id.index()])
        .collect();
    ApiView {
        slug: api.slug.to_string(),
        title: api.title.clone(),
        version: api.version.clone(),
        spec_version: api.original.version.clone(),
        url: urls::api(&api.slug),
        description_html: md(&api.description),
        servers: reader_servers(portal, api, &api.servers),
        auth: strategy.map(|s| auth_view(s, &format!("'{example}'"))),
        registration_url: registration,
        declared_security: declared_security(visible_api_ops.iter().map(|op| (api, *op))),
        rate_limit: settings
            .and_then(|s| s.rate_limit.as_ref())
            .map(|rl| rate_limit_view(rl, LimitScope::Api)),
        tag_groups: groups,
        common_packages,
        security_schemes: api
            .security_schemes
            .iter()
            .map(|s| scheme_view(api, s, &visible_api_ops))
            .collect(),
        contact: api.info.contact.as_ref().map(|c| ContactView {
            name: c.name.clone(),
            url: c.url.clone(),
            email: c.email.clone(),
        }),
        license: api.info.license.as_ref().map(|l| LinkRef {
            name: l.name.clone(),
            url: l.url.clone().unwrap_or_default(),
        }),
        terms_of_service: api.info.terms_of_service.clone(),
        external_docs: api.info.external_docs.as_ref().map(external_docs),
        downloads: api_downloads(api, original_offered(portal, visible, api_id)),
        schemas_url: urls::schemas(&api.slug),
        schema_count,
    }
}

fn external_docs(e: &api::ExternalDocs) -> ExternalDocsView {
    ExternalDocsView {
        url: e.url.clone(),
        description: e.description.as_deref().map(markdown::to_text),
    }
}

fn scheme_view(api: &Api, s: &api::SecurityScheme, ops: &[&api::Operation]) -> SchemeView {
    let mut v = SchemeView {
        name: s.name.clone(),
        anchor: scheme_anchor(&s.name),
        kind: scheme_kind(&s.kind),
        description_html: md(&s.description),
        location: None,
        param_name: None,
        scheme: None,
        bearer_format: None,
        url: None,
        flows: Vec::new(),
        operation_count: ops
            .iter()
            .filter(|op| {
                api.effective_security(op)
                    .iter()
                    .any(|r| r.schemes.iter().any(|(n, _)| *n == s.name))
            })
            .count(),
    };
    match &s.kind {
        SecuritySchemeKind::ApiKey {
            location,
            param_name,
        } => {
            v.location = Some(location.clone());
            v.param_name = Some(param_name.clone());
        }
        SecuritySchemeKind::Http {
            scheme,
            bearer_format,
        } => {
            v.scheme = Some(scheme.to_ascii_lowercase());
            v.bearer_format = bearer_format.clone();
        }
        SecuritySchemeKind::OAuth2 { flows } => {
            v.flows = flows
                .iter()
                .map(|f| FlowView {
                    kind: f.kind.clone(),
                    authorization_url: f.authorization_url.clone(),
                    token_url: f.token_url.clone(),
                    refresh_url: f.refresh_url.clone(),
                    scopes: f
                        .scopes
                        .iter()
                        .map(|(n, d)| ScopeView {
                            name: n.clone(),
                            description: d.clone(),
                        })
                        .collect(),
                })
                .collect();
        }
        SecuritySchemeKind::OpenIdConnect { url } => v.url = Some(url.clone()),
        SecuritySchemeKind::MutualTls => {}
    }
    v
}

/// The index of an API's named schemas.
pub fn schema_cards(api: &Api, names: &[String]) -> Vec<SchemaCard> {
    names
        .iter()
        .filter_map(|n| {
            let id = api.schema_names.get(n)?;
            let s = api.schema(*id);
            Some(SchemaCard {
                name: n.clone(),
                url: urls::schema(&api.slug, api.schema_slug(n)?),
                type_label: api::schema_label(api, s),
                summary: s
                    .description
                    .as_deref()
                    .map(summary_text)
                    .map(|t| meta_description(&t)),
            })
        })
        .collect()
}

/// One named schema's page.
pub fn schema_view(api: &Api, name: &str, page: &str) -> Option<SchemaView> {
    let id = *api.schema_names.get(name)?;
    let s = api.schema(id);
    let as_ref = SchemaRef::Ref {
        name: name.to_string(),
        target: id,
    };
    let example = examples::schema(api, &as_ref, Direction::Both);
    Some(SchemaView {
        name: name.to_string(),
        url: urls::schema(&api.slug, api.schema_slug(name)?),
        type_label: api::schema_label(api, s),
        description_html: md(&s.description),
        tree_html: Tree::new(api, Direction::Both, page).page(name, id),
        example_generated: s.examples.is_empty(),
        example_html: (!example.is_null()).then(|| example_html(&example)),
    })
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
    /// Summaries that several visible operations share (their page titles add the endpoint).
    pub duplicate_summaries: std::collections::HashSet<String>,
    /// Per API (by index), per operation (by index): its page's URL, computed once (every
    /// page's navigation compares against them).
    op_urls: Vec<Vec<String>>,
}

/// Above this many operations, an operation page's navigation lists only its own tag's
/// operations (other tags become links with a count).
const NAV_OP_LIMIT: usize = 150;
/// On an operation page, a tag with more operations than this lists only a window of this
/// many around the current one (with the counts before and after), keeping the navigation
/// of every page small.
const NAV_WINDOW: usize = 10;

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
        let mut seen = std::collections::HashSet::new();
        let mut duplicate_summaries = std::collections::HashSet::new();
        for id in &visible.operations {
            let (_, op) = portal.operation(*id);
            if let Some(s) = &op.summary
                && !seen.insert(s.as_str())
            {
                duplicate_summaries.insert(s.clone());
            }
        }
        SiteViews {
            portal,
            visible,
            duplicate_summaries,
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
            op_urls: portal
                .apis
                .iter()
                .map(|a| {
                    a.operations
                        .iter()
                        .map(|o| urls::operation(&a.slug, &o.slug))
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
                    let op_urls = &self.op_urls[ai.index()];
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
                                let holds_current = ops.iter().any(|oi| active_url == op_urls[*oi]);
                                // On a large API every page but the current tag's operation pages shows tags
                                // as links (the API page lists every operation itself).
                                let expand = count <= NAV_OP_LIMIT || holds_current;
                                // A window around the current operation on its page.
                                let (from, to) = if on_op_page && ops.len() > NAV_WINDOW {
                                    let at = ops
                                        .iter()
                                        .position(|oi| active_url == op_urls[*oi])
                                        .unwrap_or(0);
                                    let from = at
                                        .saturating_sub(NAV_WINDOW / 2)
                                        .min(ops.len() - NAV_WINDOW);
                                    (from, from + NAV_WINDOW)
                                } else {
                                    (0, ops.len())
                                };
                                NavTag {
                                    name: name.clone(),
                                    anchor: tag_anchor(name),
                                    count: ops.len(),
                                    before: if expand { from } else { 0 },
                                    after: if expand { ops.len() - to } else { 0 },
                                    group: group_of(a, name).map(str::to_string),
                                    operations: if expand {
                                        ops[from..to]
                                            .iter()
                                            .map(|oi| {
                                                let o = &a.operations[*oi];
                                                let url = &op_urls[*oi];
                                                NavOp {
                                                    method: o.method.as_str(),
                                                    path: o.path.clone(),
                                                    summary: o.summary.clone(),
                                                    deprecated: o.deprecated,
                                                    active: active_url == url,
                                                    url: url.clone(),
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
