//! `konnect-packages.json`: the part of the Konnect catalog kongctl cannot declare, as the
//! bodies of Konnect's v3 requests, in the order they are applied (docs/export.md):
//!
//! 1. `implementations`: link each API the control plane implements to the control plane
//!    (`POST /v3/apis/{apiId}/implementations`, `{"control_plane": {"control_plane_id"}}`);
//! 2. `api_publications`: the publications kongctl cannot write (no application auth:
//!    `auth_strategy_ids: null`), `PUT /v3/apis/{apiId}/publications/{portalId}`;
//! 3. `packages`: each package's create/update body (`POST /v3/api-packages`), its
//!    operations by API + method + path with their own limits and the route portalgen expects
//!    to serve each (`PATCH /v3/api-packages/{id}/operations`), its publication
//!    (`PUT /v3/api-packages/{id}/publications/{portalId}`) and the teams of a private package.
//!
//! Konnect ids do not exist before the resources do, so the document names what each id is
//! looked up by: APIs by name + version, the control plane, portal and auth strategies by
//! name, operations by method + path among `GET /v3/apis/{apiId}/operations`. Its JSON Schema
//! is docs/konnect-packages.schema.json.

use serde::Serialize;

use super::KONGCTL_FILE;
use super::konnect::{Catalog, CatalogApi, Publication};
use crate::model::{RateLimit, Visibility};

/// The format's name and version (`format`, `format_version`).
pub const FORMAT: &str = "portalgen-konnect-packages";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    format_version: u32,
    generated_by: String,
    project: &'a str,
    namespace: &'a str,
    control_plane: &'a str,
    portal: Option<&'a str>,
    region: &'a str,
    /// The decK file and the kongctl file applied before this document.
    deck_file: &'a str,
    kongctl_file: &'static str,
    implementations: Vec<Implementation<'a>>,
    api_publications: Vec<ApiPublication<'a>>,
    packages: Vec<Package<'a>>,
}

/// How an API is found: Konnect keeps `name` + `version` unique.
#[derive(Serialize)]
struct ApiRef<'a> {
    name: &'a str,
    version: &'a str,
    slug: &'a str,
}

impl<'a> ApiRef<'a> {
    fn of(api: &'a CatalogApi) -> Self {
        ApiRef {
            name: &api.name,
            version: &api.version,
            slug: &api.slug,
        }
    }
}

#[derive(Serialize)]
struct Implementation<'a> {
    api: ApiRef<'a>,
    control_plane: &'a str,
}

#[derive(Serialize)]
struct ApiPublication<'a> {
    api: ApiRef<'a>,
    portal: &'a str,
    #[serde(flatten)]
    body: PublicationBody<'a>,
}

/// A publication's body, with the auth strategy by name (`null`: no application auth).
#[derive(Serialize)]
struct PublicationBody<'a> {
    visibility: &'static str,
    auth_strategy: Option<&'a str>,
    auto_approve_registrations: bool,
}

#[derive(Serialize)]
struct Package<'a> {
    /// The body of `POST /v3/api-packages` (and `PATCH /v3/api-packages/{id}`).
    package: PackageBody<'a>,
    operations: Vec<Operation<'a>>,
    publication: Option<PackagePublication<'a>>,
    teams: Vec<Team<'a>>,
}

#[derive(Serialize)]
struct PackageBody<'a> {
    name: &'a str,
    slug: &'a str,
    version: Option<&'a str>,
    description: Option<&'a str>,
    rate_limiting_config: Option<RateLimit>,
    labels: Labels<'a>,
}

#[derive(Serialize)]
struct Labels<'a> {
    #[serde(rename = "portalgen-namespace")]
    namespace: &'a str,
}

#[derive(Serialize)]
struct Operation<'a> {
    api: ApiRef<'a>,
    method: &'static str,
    path: &'a str,
    operation_id: Option<&'a str>,
    rate_limiting_config: Option<RateLimit>,
    route: Option<Route<'a>>,
}

#[derive(Serialize)]
struct Route<'a> {
    name: Option<&'a str>,
    id: Option<&'a str>,
    service: Option<&'a str>,
}

#[derive(Serialize)]
struct PackagePublication<'a> {
    portal: &'a str,
    #[serde(flatten)]
    body: PublicationBody<'a>,
}

#[derive(Serialize)]
struct Team<'a> {
    name: &'a str,
    roles: [&'static str; 2],
}

fn body<'a>(p: &Publication, catalog: &'a Catalog) -> PublicationBody<'a> {
    PublicationBody {
        visibility: match p.visibility {
            Visibility::Public => "public",
            Visibility::Private => "private",
        },
        auth_strategy: p
            .auth_strategy
            .map(|i| catalog.strategies[i].strategy.name.as_str()),
        auto_approve_registrations: p.auto_approve_registrations,
    }
}

/// The document of `catalog` (pretty JSON, final newline).
pub fn to_json(catalog: &Catalog, title: &str, deck_name: &str) -> Result<String, String> {
    let portal = catalog.portal.as_ref().map(|p| p.name.as_str());
    let doc = Document {
        format: FORMAT,
        format_version: FORMAT_VERSION,
        generated_by: format!("portalgen {}", env!("CARGO_PKG_VERSION")),
        project: title,
        namespace: &catalog.namespace,
        control_plane: &catalog.control_plane,
        portal,
        region: &catalog.region,
        deck_file: deck_name,
        kongctl_file: KONGCTL_FILE,
        implementations: catalog
            .apis
            .iter()
            .filter(|a| a.implemented)
            .map(|a| Implementation {
                api: ApiRef::of(a),
                control_plane: &catalog.control_plane,
            })
            .collect(),
        api_publications: match portal {
            None => Vec::new(),
            Some(portal) => catalog
                .apis
                .iter()
                .filter(|a| a.publication.auth_strategy.is_none())
                .map(|a| ApiPublication {
                    api: ApiRef::of(a),
                    portal,
                    body: body(&a.publication, catalog),
                })
                .collect(),
        },
        packages: catalog
            .packages
            .iter()
            .map(|p| Package {
                package: PackageBody {
                    name: &p.name,
                    slug: &p.slug,
                    version: p.version.as_deref(),
                    description: p.description.as_deref(),
                    rate_limiting_config: p.rate_limit,
                    labels: Labels {
                        namespace: &catalog.namespace,
                    },
                },
                operations: p
                    .operations
                    .iter()
                    .map(|o| Operation {
                        api: ApiRef::of(&catalog.apis[o.api]),
                        method: o.method.as_str(),
                        path: &o.path,
                        operation_id: o.operation_id.as_deref(),
                        rate_limiting_config: o.rate_limit,
                        route: o.route.as_ref().map(|r| Route {
                            name: r.name.as_deref(),
                            id: r.id.as_deref(),
                            service: r.service.as_deref(),
                        }),
                    })
                    .collect(),
                publication: portal.map(|portal| PackagePublication {
                    portal,
                    body: body(&p.publication, catalog),
                }),
                teams: p
                    .publication
                    .teams
                    .iter()
                    .map(|t| Team {
                        name: t,
                        roles: ["API Viewer", "API Consumer"],
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&doc)
        .map_err(|e| format!("cannot serialize {}: {e}", super::PACKAGES_FILE))?;
    text.push('\n');
    Ok(text)
}
