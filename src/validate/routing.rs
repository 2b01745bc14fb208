//! Assembling the routing inputs from the validated model: for every operation of every API,
//! the packages that hold it, the routes its package items pin, and the API's gateway host and
//! path prefix from portal.yaml. Kept here so the check command only has to call
//! [`inputs`] and then [`super::check`].

use std::collections::BTreeSet;

use crate::kong::OperationInput;
use crate::model::config::PortalConfig;
use crate::model::{Api, Package};

/// One [`OperationInput`] per operation of `apis` (webhooks are not routed), in API order.
pub fn inputs<'a>(
    apis: &'a [Api],
    packages: &[Package],
    config: &PortalConfig,
) -> Vec<OperationInput<'a>> {
    let mut out = Vec::new();
    for api in apis {
        let settings = config.api(&api.slug);
        for op in &api.operations {
            let mut slugs: BTreeSet<String> = BTreeSet::new();
            let mut pins = Vec::new();
            for package in packages {
                for item in &package.operations {
                    if item.api == api.slug && item.method == op.method && item.path == op.path {
                        slugs.insert(package.slug.clone());
                        if let Some(route) = &item.route {
                            pins.push((route.clone(), item.span.clone()));
                        }
                    }
                }
            }
            out.push(OperationInput {
                api,
                operation: op,
                packages: slugs.into_iter().collect(),
                pinned_routes: pins,
                gateway_host: settings.and_then(|s| s.gateway_host.clone()),
                path_prefix: settings.and_then(|s| s.gateway_path_prefix.clone()),
            });
        }
    }
    out
}
