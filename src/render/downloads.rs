//! The files offered for download beside every visible package and API page: an OpenAPI 3.1
//! document ([`super::openapi_doc`]) and a Postman collection ([`super::postman`]) of exactly
//! the operations the page shows.

use serde_json::Value;

use crate::model::audience::Visible;
use crate::model::{ApiId, OperationId, PackageId, Portal};
use crate::render::openapi_doc::{self, DocInfo, DocOperation};
use crate::render::postman;
use crate::render::views::{api_auth_choice, gateway_base, strategy};

/// Whose operations a download holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Package(PackageId),
    Api(ApiId),
}

/// Which file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    OpenApi,
    Postman,
}

/// The bytes of one download (compact JSON with a final newline).
pub fn render(portal: &Portal, visible: &Visible, owner: Owner, format: Format) -> Vec<u8> {
    let (info, ops) = match owner {
        Owner::Package(id) => {
            let p = portal.package(id);
            let ops: Vec<DocOperation<'_>> = p
                .operations
                .iter()
                .map(|po| {
                    let (api, op) = portal.operation(po.operation);
                    DocOperation {
                        api,
                        op,
                        server: gateway_base(portal, api),
                        own_limit: po.rate_limit,
                    }
                })
                .collect();
            let info = DocInfo {
                title: &p.name,
                version: p.version.as_deref().unwrap_or("1.0.0"),
                description: p.description.as_deref(),
                strategy: strategy(&portal.config, &p.auth_strategy),
                limit: p.rate_limit.map(|rl| (rl, "package")),
            };
            (info, ops)
        }
        Owner::Api(ai) => {
            let api = portal.api(ai);
            let ops: Vec<DocOperation<'_>> = api
                .operations
                .iter()
                .enumerate()
                .filter(|(oi, _)| visible.operation(OperationId::new(ai, *oi)))
                .map(|(_, op)| DocOperation {
                    api,
                    op,
                    server: gateway_base(portal, api),
                    own_limit: None,
                })
                .collect();
            let info = DocInfo {
                title: &api.title,
                version: &api.version,
                description: api.description.as_deref(),
                strategy: strategy(&portal.config, &api_auth_choice(portal, api)),
                limit: portal
                    .config
                    .api(&api.slug)
                    .and_then(|s| s.rate_limit)
                    .map(|rl| (rl, "api")),
            };
            (info, ops)
        }
    };
    let value = match format {
        Format::OpenApi => openapi_doc::document(&info, &ops),
        Format::Postman => postman::collection(info.title, info.description, info.strategy, &ops),
    };
    json_bytes(&value)
}

/// Compact JSON with a final newline: these files are read by tools (Postman, code
/// generators), and on a large API indentation would double their size.
fn json_bytes(v: &Value) -> Vec<u8> {
    let mut s = serde_json::to_string(v).expect("JSON serializes");
    s.push('\n');
    s.into_bytes()
}
