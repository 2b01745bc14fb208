//! Reads `packages/*.yaml`: one API package per file, as written. Operation selectors stay
//! unresolved here; [`crate::validate::packages`] resolves them against the loaded APIs.

use crate::diagnostics::codes;
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::portal_config::{read_auth_choice, read_visibility};
use crate::load::rate_limit;
use crate::load::read::Fields;
use crate::model::config::AuthChoice;
use crate::model::{Method, RateLimit, Slug, Visibility};
use crate::source::Span;
use crate::tree::Node;

/// A package file as written.
#[derive(Debug, Clone)]
pub struct RawPackage {
    pub slug: String,
    pub slug_span: Span,
    pub name: String,
    pub version: Option<String>,
    pub description: Option<String>,
    pub rate_limit: Option<RateLimit>,
    pub auth_strategy: Option<(AuthChoice, Span)>,
    pub visibility: Visibility,
    pub teams: Vec<String>,
    pub auto_approve_registrations: bool,
    pub selectors: Vec<Selector>,
    /// The file as a whole (line 1).
    pub span: Span,
}

/// One item of `operations:`.
#[derive(Debug, Clone)]
pub struct Selector {
    pub api: String,
    pub api_span: Span,
    pub pick: Pick,
    pub rate_limit: Option<RateLimit>,
    pub route: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Pick {
    /// Every operation of the API.
    All,
    MethodPath {
        method: Method,
        path: String,
    },
    OperationId(String),
    Tags(Vec<String>),
}

const PACKAGE_KEYS: &[&str] = &[
    "name",
    "slug",
    "version",
    "description",
    "rate_limit",
    "auth_strategy",
    "visibility",
    "teams",
    "auto_approve_registrations",
    "operations",
];

const SELECTOR_KEYS: &[&str] = &[
    "api",
    "method",
    "path",
    "operation_id",
    "tags",
    "rate_limit",
    "route",
];

/// Read one package file's tree. `stem` is the file name without extension (default slug).
pub fn read(
    root: &Node,
    file: &Arc<str>,
    stem: &str,
    diags: &mut Diagnostics,
) -> Option<RawPackage> {
    let f = Fields::new(root, file, "a package", diags)?;
    f.deny_unknown(PACKAGE_KEYS, diags);
    let name = f.required_string("name", diags);
    if let Some(n) = &name
        && (n.trim().is_empty() || n.chars().count() > 255)
    {
        diags.push(
            Diagnostic::new(
                codes::INVALID_NAME,
                "a package `name` must have 1 to 255 characters (Konnect's limit)",
            )
            .at(&f.span_of(f.get("name").unwrap_or(root))),
        );
    }
    let (slug, slug_span) = match f.get("slug") {
        Some(n) => (
            f.as_string("slug", n, diags).unwrap_or_default(),
            f.span_of(n),
        ),
        None => (stem.to_string(), Span::new(file.clone(), 1, 1)),
    };
    if !Slug::is_valid(&slug) {
        let from = if f.get("slug").is_some() {
            "`slug`"
        } else {
            "the file name (the default slug)"
        };
        diags.push(
            Diagnostic::new(
                codes::INVALID_SLUG,
                format!(
                    "package slug `{slug}` from {from} must match {}",
                    Slug::PATTERN
                ),
            )
            .at(&slug_span)
            .help("use lowercase letters, digits and `-`, e.g. `slug: company-package`"),
        );
    }
    let version = f.string("version", diags);
    let description = f.string("description", diags);
    let rate_limit = f
        .get("rate_limit")
        .and_then(|n| rate_limit::read(n, file, diags));
    let auth_strategy = read_auth_choice(&f, diags);
    // Konnect publishes packages as private unless told otherwise.
    let (visibility, teams) = read_visibility(&f, Visibility::Private, diags);
    let auto_approve_registrations = f.bool("auto_approve_registrations", diags).unwrap_or(false);
    let mut selectors = Vec::new();
    match f.get("operations") {
        None => diags.push(
            Diagnostic::new(codes::EMPTY_PACKAGE, format!("package `{slug}` lists no operations"))
                .at(&f.span())
                .help("add `operations:` items such as `- api: my-api` (every operation) or `- {api: my-api, method: GET, path: /items}`"),
        ),
        Some(n) => match n.as_seq() {
            Some([]) => diags.push(
                Diagnostic::new(codes::EMPTY_PACKAGE, format!("package `{slug}` lists no operations"))
                    .at(&f.span_of(n))
                    .help("add `operations:` items such as `- api: my-api` (every operation)"),
            ),
            Some(items) => {
                for item in items {
                    if let Some(s) = read_selector(item, file, diags) {
                        selectors.push(s);
                    }
                }
            }
            None => diags.push(
                Diagnostic::new(codes::WRONG_TYPE, format!("`operations` must be a list, found {}", n.kind())).at(&f.span_of(n)),
            ),
        },
    }
    Some(RawPackage {
        slug,
        slug_span,
        name: name?,
        version,
        description,
        rate_limit,
        auth_strategy,
        visibility,
        teams,
        auto_approve_registrations,
        selectors,
        span: Span::new(file.clone(), 1, 1),
    })
}

fn read_selector(node: &Node, file: &Arc<str>, diags: &mut Diagnostics) -> Option<Selector> {
    let f = Fields::new(node, file, "an `operations` item", diags)?;
    f.deny_unknown(SELECTOR_KEYS, diags);
    let api_node = f.required("api", diags)?;
    let api = f.as_string("api", api_node, diags)?;
    let has = |k: &str| f.get(k).is_some();
    let picks = [
        has("method") || has("path"),
        has("operation_id"),
        has("tags"),
    ];
    if picks.iter().filter(|b| **b).count() > 1 {
        diags.push(
            Diagnostic::new(
                codes::CONFLICTING_SELECTOR,
                "an `operations` item picks by one of `method` + `path`, `operation_id` or `tags`, not several",
            )
            .at(&f.span())
            .help("split it into separate items"),
        );
        return None;
    }
    let pick = if picks[0] {
        let method_node = f.required("method", diags);
        let path = f.required_string("path", diags);
        let method = match method_node {
            Some(n) => {
                match n.as_str().and_then(Method::parse) {
                    Some(m) => Some(m),
                    None => {
                        diags.push(
                        Diagnostic::new(
                            codes::INVALID_METHOD,
                            format!("`method: {}` is not an HTTP method", n.scalar_text().unwrap_or_default()),
                        )
                        .at(&f.span_of(n))
                        .help("use GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD, TRACE or CONNECT"),
                    );
                        None
                    }
                }
            }
            None => None,
        };
        if let Some(p) = &path
            && !p.starts_with('/')
        {
            diags.push(
                Diagnostic::new(
                    codes::INVALID_PATH,
                    format!("`path: {p}` must start with `/` as in the OpenAPI document"),
                )
                .at(&f.span_of(f.get("path").unwrap_or(node))),
            );
            return None;
        }
        Pick::MethodPath {
            method: method?,
            path: path?,
        }
    } else if picks[1] {
        Pick::OperationId(f.string("operation_id", diags)?)
    } else if picks[2] {
        let tags = f.string_list("tags", diags);
        if tags.is_empty() {
            diags.push(Diagnostic::new(codes::EMPTY_TAGS, "`tags` lists no tag").at(&f.span()));
            return None;
        }
        Pick::Tags(tags)
    } else {
        Pick::All
    };
    let rate_limit = f
        .get("rate_limit")
        .and_then(|n| rate_limit::read(n, file, diags));
    let route = f.string("route", diags);
    Some(Selector {
        api,
        api_span: f.span_of(api_node),
        pick,
        rate_limit,
        route,
        span: f.span(),
    })
}
