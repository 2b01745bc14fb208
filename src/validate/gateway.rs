//! Gateway rules of the validate stage: Kong's own rules for the manifest's routes and services
//! ([`crate::kong::rules`]: what Kong's schema refuses and what its router of the configured
//! `router_flavor` refuses or ignores), reported at the values they are about. The decK reader
//! only reads; the routing check ([`crate::kong::check`]) only routes.

use crate::diagnostics::Diagnostics;
use crate::model::config::PortalConfig;
use crate::model::gateway::Manifest;

/// Run every Kong rule over `manifest`.
pub fn check(manifest: &Manifest, config: &PortalConfig, diags: &mut Diagnostics) {
    diags.extend(crate::kong::rules::check(
        manifest,
        config.gateway.router_flavor,
    ));
}
