//! The gateway enforcement a page shows (the `enforcement` field of the operation and package
//! views, worded by `partials/enforcement.html`): what the export verified Kong enforces, or
//! what Konnect's ACE is configured to enforce, limited to the packages the build may show.

use crate::model::audience::Visible;
use crate::model::{OperationId, Portal};
use crate::render::context::{EnforcedLimit, EnforcementView, LimitScope};
use crate::render::views::rate_limit_view;

/// What the gateway enforces for `ops` (one operation, or a package's), with the limits of the
/// visible packages only.
pub fn view(portal: &Portal, visible: &Visible, ops: &[OperationId]) -> Option<EnforcementView> {
    use crate::model::enforcement::{Counter, PolicyStatus};
    let policies: Vec<_> = ops
        .iter()
        .filter_map(|&o| portal.enforcement.of(o))
        .collect();
    let first = policies.first()?;
    let status_of = |s: PolicyStatus| match s {
        PolicyStatus::Enforced => "enforced",
        PolicyStatus::Open => "open",
        PolicyStatus::Terminated => "terminated",
        PolicyStatus::Unrouted => "unrouted",
        PolicyStatus::Unchecked => "unchecked",
        PolicyStatus::Konnect => "konnect",
    };
    let status = if policies.iter().all(|p| p.status == first.status) {
        status_of(first.status)
    } else {
        "mixed"
    };
    let auth = policies.iter().find_map(|p| p.auth.as_ref());
    let shown = |group: &str| {
        portal.package_ids().all(|(id, p)| {
            crate::model::enforcement::package_group(&p.slug) != group || visible.package(id)
        })
    };
    let mut limits: Vec<EnforcedLimit> = Vec::new();
    for p in &policies {
        for l in p.limits.iter().filter(|l| shown(&l.group)) {
            let view = EnforcedLimit {
                name: l.name.clone(),
                limit: l.limit.as_ref().map(|rl| {
                    rate_limit_view(
                        rl,
                        match l.counter {
                            Some(Counter::Operation) => LimitScope::Operation,
                            _ => LimitScope::Package,
                        },
                    )
                }),
                counter: l.counter.map(|c| match c {
                    Counter::Package => "package",
                    Counter::Operation => "operation",
                }),
            };
            // A package page lists its package-wide limit once.
            if ops.len() > 1 && l.counter == Some(Counter::Operation) {
                continue;
            }
            if !limits
                .iter()
                .any(|x| x.name == view.name && x.counter == view.counter)
            {
                limits.push(view);
            }
        }
    }
    Some(EnforcementView {
        gateway: portal.enforcement.flavor,
        status,
        auth_plugin: auth.map(|a| a.plugin),
        key_names: auth.map(|a| a.key_names.clone()).unwrap_or_default(),
        key_in_query: auth.and_then(|a| a.key_in_query).unwrap_or(false),
        hide_credentials: auth.and_then(|a| a.hide_credentials).unwrap_or(false),
        issuer: auth.and_then(|a| a.issuer.clone()),
        limits,
        status_code: first.status_code,
        verified: policies
            .iter()
            .filter(|p| matches!(p.status, PolicyStatus::Enforced | PolicyStatus::Konnect))
            .count(),
        total: policies.len(),
    })
}
