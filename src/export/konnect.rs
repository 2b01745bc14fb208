//! `export --flavor konnect`: the manifest plus the one global `ace` plugin Konnect's API
//! packages need (`config.match_policy` from `gateway.match_policy`). Packages, publications
//! and applications live in Konnect, not in the decK file. A global `ace` plugin the manifest
//! already has is kept (with a warning when its `match_policy` disagrees with portal.yaml).

use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::model::config::{AuthChoice, AuthStrategy};
use crate::model::enforcement::{
    Counter, Enforcement, LimitPolicy, OperationPolicy, PolicyStatus, api_group, package_group,
};
use crate::model::gateway::Owner;
use crate::model::{OperationId, Portal};

use super::plugin::{AceConfig, NewPlugin, PluginConfig};

/// The plugins the konnect flavor adds, and its problems.
pub fn plan(portal: &Portal) -> (Vec<NewPlugin>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let policy = portal.config.gateway.match_policy;
    let existing = portal
        .manifest
        .plugins
        .iter()
        .find(|p| p.owner == Owner::Root && p.name == "ace" && p.scope.is_global());
    let Some(existing) = existing else {
        let ace = NewPlugin {
            route: None,
            consumer: None,
            config: PluginConfig::Ace(AceConfig {
                match_policy: policy,
            }),
        };
        return (vec![ace], diags);
    };
    let have = existing
        .config
        .get("match_policy")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("if_present");
    if have != policy.as_str() {
        diags.push(
            Diagnostic::new(
                codes::ACE_POLICY_MISMATCH,
                format!(
                    "the manifest's global `ace` plugin has match_policy `{have}` but portal.yaml says `{}`; the manifest's plugin is kept",
                    policy.as_str()
                ),
            )
            .at(&existing.span)
            .help("set `gateway.match_policy` in portal.yaml to match, or remove the plugin from the manifest"),
        );
    }
    (Vec::new(), diags)
}

/// What Konnect's ACE enforces for each operation: the auth strategy and limits of its
/// packages and of its API's publication (portalgen cannot verify Konnect; it reports the
/// promise ACE is configured to keep).
pub fn enforcement(portal: &Portal) -> Enforcement {
    let operations = portal
        .api_ids()
        .map(|(ai, api)| {
            let publication = portal.config.api(&api.slug).filter(|s| s.published());
            (0..api.operations.len())
                .map(|oi| {
                    let id = OperationId::new(ai, oi);
                    let mut limits = Vec::new();
                    let mut auth = None;
                    for &p in portal.packages_of(id) {
                        let pkg = portal.package(p);
                        let own = pkg
                            .operations
                            .iter()
                            .find(|o| o.operation == id)
                            .and_then(|o| o.rate_limit);
                        limits.push(LimitPolicy {
                            group: package_group(&pkg.slug),
                            name: pkg.name.clone(),
                            limit: own.or(pkg.rate_limit),
                            counter: own
                                .map(|_| Counter::Operation)
                                .or(pkg.rate_limit.map(|_| Counter::Package)),
                        });
                        auth = auth.or_else(|| strategy(portal, &pkg.auth_strategy));
                    }
                    if let Some(s) = publication {
                        limits.push(LimitPolicy {
                            group: api_group(&api.slug),
                            name: api.title.clone(),
                            limit: s.rate_limit,
                            counter: s.rate_limit.map(|_| Counter::Package),
                        });
                        auth = auth.or_else(|| {
                            strategy(
                                portal,
                                s.auth_strategy.as_ref().unwrap_or(&AuthChoice::Default),
                            )
                        });
                    }
                    OperationPolicy {
                        status: PolicyStatus::Konnect,
                        route: portal
                            .routing_of(id)
                            .matched_route()
                            .map(|r| portal.manifest.route_at(r).label().to_string()),
                        // Where the key may travel is Konnect's strategy setting, not
                        // portalgen's key-auth options.
                        auth: auth.map(|s| crate::model::enforcement::AuthIntent {
                            hide_credentials: None,
                            key_in_query: None,
                            ..super::kong::auth_intent(s)
                        }),
                        acl: limits.iter().map(|l| l.group.clone()).collect(),
                        limits,
                        registrations: Vec::new(),
                        status_code: None,
                        note: None,
                    }
                })
                .collect()
        })
        .collect();
    Enforcement {
        flavor: "konnect",
        operations,
    }
}

fn strategy<'a>(portal: &'a Portal, choice: &AuthChoice) -> Option<&'a AuthStrategy> {
    match choice {
        AuthChoice::None => None,
        AuthChoice::Default => portal.config.default_auth_strategy(),
        AuthChoice::Named(n) => portal.config.auth_strategy(n),
    }
}
