//! `export --flavor konnect`: the manifest plus the one global `ace` plugin Konnect's API
//! packages need (`config.match_policy` from `gateway.match_policy`). Packages, publications
//! and applications live in Konnect, not in the decK file. A global `ace` plugin the manifest
//! already has is kept (with a warning when its `match_policy` disagrees with portal.yaml).

use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::model::Portal;
use crate::model::gateway::Owner;

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
