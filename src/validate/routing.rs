//! The operation → packages index and the routing inputs, built once from the validated
//! packages and APIs: for every operation of every API, the packages that hold it, the routes
//! its package items pin, and the API's gateway host and path prefix from portal.yaml. The
//! verdicts themselves come from [`crate::kong::check`].

use crate::kong::OperationInput;
use crate::model::config::PortalConfig;
use crate::model::{Api, Package, PackageId};

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
