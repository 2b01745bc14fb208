//! The operation → packages index and the routing inputs, built once from the validated
//! packages and APIs: for every operation of every API, the packages that hold it, the routes
//! its package items pin, and the API's gateway host and path prefix from portal.yaml. The
//! verdicts themselves come from [`crate::kong::check`].

use crate::diagnostics::{Diagnostic, codes};
use crate::kong::OperationInput;
use crate::model::config::PortalConfig;
use crate::model::{Api, OperationRoute, Package, PackageId, Status};

/// Which packages hold each operation: `index[api][operation]`, in package order.
pub type PackageIndex = Vec<Vec<Vec<PackageId>>>;

/// Build the operation → packages index (the one place this relation is computed).
pub fn package_index(apis: &[Api], packages: &[Package]) -> PackageIndex {
    let mut index: PackageIndex = apis
        .iter()
        .map(|a| vec![Vec::new(); a.operations.len()])
        .collect();
    for (pi, package) in packages.iter().enumerate() {
        for item in &package.operations {
            let holders = &mut index[item.operation.api.index()][item.operation.index()];
            let id = PackageId::new(pi);
            if !holders.contains(&id) {
                holders.push(id);
            }
        }
    }
    index
}

/// One [`OperationInput`] per operation of `apis` (webhooks are not routed), in API order.
pub fn inputs<'a>(
    apis: &'a [Api],
    packages: &[Package],
    index: &PackageIndex,
    config: &PortalConfig,
) -> Vec<OperationInput<'a>> {
    let mut out = Vec::new();
    for (ai, api) in apis.iter().enumerate() {
        let settings = config.api(&api.slug);
        for (oi, op) in api.operations.iter().enumerate() {
            let holders = &index[ai][oi];
            let pins = holders
                .iter()
                .flat_map(|p| &packages[p.index()].operations)
                .filter(|item| item.operation.api.index() == ai && item.operation.index() == oi)
                .filter_map(|item| item.route.clone().map(|r| (r, item.span.clone())))
                .collect();
            out.push(OperationInput {
                api,
                operation: op,
                packages: holders.clone(),
                pinned_routes: pins,
                gateway_host: settings.and_then(|s| s.gateway_host.clone()),
                path_prefix: settings.and_then(|s| s.gateway_path_prefix.clone()),
            });
        }
    }
    out
}

/// The one diagnostic of a project without any decK file: what was looked for, what the build
/// does without it, and how to turn the routing check on.
pub fn no_manifest(config: &PortalConfig) -> Diagnostic {
    let globs = config
        .gateway
        .manifests
        .iter()
        .map(|(g, _)| format!("`{g}`"))
        .collect::<Vec<_>>()
        .join(", ");
    Diagnostic::new(
        codes::NO_GATEWAY_MANIFEST,
        format!(
            "no gateway manifest found (`gateway.manifests`: {globs} match no file), so the portal is built without checking which Kong route serves each operation"
        ),
    )
    .in_file("portal.yaml")
    .help("to check routing, add your decK files under gateway/ or point `gateway.manifests` in portal.yaml at them; a portal for APIs that are not behind Kong needs nothing more")
}

/// The verdict of every operation when there is no gateway to route through: unmatched, with
/// no probes and no diagnostics of its own ([`no_manifest`] says it once).
pub fn unrouted(apis: &[Api]) -> Vec<OperationRoute> {
    apis.iter()
        .flat_map(|a| &a.operations)
        .map(|_| OperationRoute {
            status: Status::Unmatched,
            route: None,
            service: None,
            probes: Vec::new(),
            upstream_path: None,
            notes: vec!["no gateway manifest: routing was not checked".into()],
            reached: Vec::new(),
        })
        .collect()
}
