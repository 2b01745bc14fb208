//! Which plugin instances Kong runs for a request, as `kong/runloop/plugins_iterator.lua`
//! decides: disabled plugins are never loaded (`get_plugin_config` returns nothing for them,
//! so a broader enabled instance takes their place), and of each plugin name exactly one
//! instance runs, the most specific that applies (`lookup_cfg`): consumer+route+service,
//! consumer+route, consumer+service, route+service, consumer, route, service, global; with
//! Enterprise consumer groups slotted in as Kong documents them (a group ranks just below the
//! consumer at the same route/service scope). A plugin's consumer scope only applies once a
//! consumer is authenticated, i.e. for plugins that run after the authentication plugins
//! (`acl` 950, `rate-limiting` 910, `request-transformer` 801, `request-termination` 2);
//! `key-auth` (1250) and `openid-connect` (1050) are looked up without a consumer.
//!
//! Pure functions over the typed manifest, used by the export's self-verification.

use crate::model::gateway::{Manifest, Plugin, ScopeRef, Target};
use crate::model::ids::{ConsumerGroupId, ConsumerId, RouteId, ServiceId};

/// Plugins that authenticate: looked up before a consumer is known.
pub const AUTH_PLUGINS: &[&str] = &[
    "key-auth",
    "openid-connect",
    "basic-auth",
    "jwt",
    "hmac-auth",
    "oauth2",
    "ldap-auth",
    "mtls-auth",
];

/// The request a plugin lookup is made for.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub route: Option<RouteId>,
    pub service: Option<ServiceId>,
    /// The authenticated consumer.
    pub consumer: Option<ConsumerId>,
    /// The consumer groups of the authenticated consumer, in name order (Kong takes the
    /// alphabetically first group's instance when several apply).
    pub groups: Vec<ConsumerGroupId>,
}

/// Kong's specificity rank of a plugin scope (higher wins), `None` when it does not apply.
fn rank(p: &Plugin, cx: &Scope, with_consumer: bool) -> Option<(u8, usize)> {
    fn matches<I: PartialEq + Clone>(r: &Option<ScopeRef<I>>, want: Option<I>) -> Option<bool> {
        match r {
            None => Some(false),
            Some(ScopeRef {
                target: Target::Entity(id),
                ..
            }) => (Some(id.clone()) == want).then_some(true),
            // An entity no decK file defines: never one of the manifest's.
            Some(_) => None,
        }
    }
    let route = matches(&p.scope.route, cx.route)?;
    let service = matches(&p.scope.service, cx.service)?;
    let consumer = matches(
        &p.scope.consumer,
        if with_consumer { cx.consumer } else { None },
    )?;
    // The group: the first of the consumer's groups (by name order) the plugin names.
    let group = match &p.scope.consumer_group {
        None => None,
        Some(ScopeRef {
            target: Target::Entity(g),
            ..
        }) => {
            if !with_consumer {
                return None;
            }
            Some(cx.groups.iter().position(|x| x == g)?)
        }
        Some(_) => return None,
    };
    if consumer && group.is_some() {
        // Consumer and consumer group together: not a scope Kong builds.
        return None;
    }
    let r = match (consumer, group.is_some(), route, service) {
        (true, _, true, true) => 12,
        (_, true, true, true) => 11,
        (true, _, true, false) => 10,
        (true, _, false, true) => 9,
        (_, true, true, false) => 8,
        (_, true, false, true) => 7,
        (false, false, true, true) => 6,
        (true, _, false, false) => 5,
        (_, true, false, false) => 4,
        (false, false, true, false) => 3,
        (false, false, false, true) => 2,
        (false, false, false, false) => 1,
    };
    // Among groups, the first in name order wins: a lower position ranks higher.
    Some((r, usize::MAX - group.unwrap_or(0)))
}

/// The instance of plugin `name` Kong runs for a request in `cx` (disabled ones skipped), with
/// its index in `manifest.plugins`.
pub fn winner<'m>(manifest: &'m Manifest, name: &str, cx: &Scope) -> Option<(usize, &'m Plugin)> {
    let with_consumer = !AUTH_PLUGINS.contains(&name);
    manifest
        .plugins
        .iter()
        .enumerate()
        .filter(|(_, p)| p.name == name && p.enabled && p.env.is_empty())
        .filter_map(|(i, p)| rank(p, cx, with_consumer).map(|r| (r, i, p)))
        .max_by_key(|(r, i, _)| (*r, std::cmp::Reverse(*i)))
        .map(|(_, i, p)| (i, p))
}

/// A plugin of `name` that could apply to `cx` holds a decK env reference in `enabled` or
/// `config`, so what runs is unknown.
pub fn unknown<'m>(manifest: &'m Manifest, name: &str, cx: &Scope) -> Option<&'m Plugin> {
    let with_consumer = !AUTH_PLUGINS.contains(&name);
    manifest
        .plugins
        .iter()
        .find(|p| p.name == name && !p.env.is_empty() && rank(p, cx, with_consumer).is_some())
}

/// The consumer groups of a consumer, in name order (memberships written on the consumer or
/// on the group).
pub fn groups_of(manifest: &Manifest, consumer: ConsumerId) -> Vec<ConsumerGroupId> {
    let c = manifest.consumer_at(consumer);
    let names = c.group_memberships();
    let reference = c.reference().map(str::to_string);
    let mut out: Vec<(String, ConsumerGroupId)> = manifest
        .consumer_groups
        .iter()
        .enumerate()
        .filter(|(_, g)| {
            names.iter().any(|n| {
                Some(n.as_str()) == g.name.as_deref() || Some(n.as_str()) == g.id.as_deref()
            }) || reference.as_ref().is_some_and(|r| g.members().contains(r))
        })
        .map(|(i, g)| (g.label().to_string(), ConsumerGroupId::new(i)))
        .collect();
    out.sort();
    out.dedup();
    out.into_iter().map(|(_, g)| g).collect()
}

/// The instance's scope as (route, service, consumer) presence, for counters: a
/// `rate-limiting` instance counts per route and service it is scoped to (the empty UUID
/// otherwise), so a consumer-only instance has one counter across every route.
pub fn counter_scope(p: &Plugin) -> (bool, bool, bool) {
    (
        p.scope.route.is_some(),
        p.scope.service.is_some(),
        p.scope.consumer.is_some(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(deck: &str) -> Manifest {
        let (m, d) = crate::load::deck::from_texts(
            &[("gateway/kong.yaml".into(), deck.into())],
            &crate::source::SourceMap::default(),
        );
        assert!(!d.has_errors(), "{d:?}");
        m
    }

    #[test]
    fn most_specific_enabled_instance_wins() {
        let m = manifest(
            "_format_version: \"3.0\"\nservices:\n- name: s\n  url: http://x\n  plugins: [{name: rate-limiting, config: {minute: 1000}}]\n  routes:\n  - name: r\n    paths: [/r]\n    plugins:\n    - {name: acl, enabled: false, config: {allow: [a]}}\n    - {name: rate-limiting, consumer: c, config: {minute: 3}}\nconsumers:\n- username: c\n- username: d\nplugins:\n- {name: acl, config: {allow: [g]}}\n- {name: rate-limiting, consumer: c, config: {minute: 5}}\n",
        );
        let r = m.route("r").unwrap();
        let s = m.service("s").unwrap();
        let c = m.consumer("c").unwrap();
        let d = m.consumer("d").unwrap();
        let cx = |consumer| Scope {
            route: Some(r),
            service: Some(s),
            consumer,
            groups: vec![],
        };
        // The route's acl is disabled: the global one runs.
        let (_, acl) = winner(&m, "acl", &cx(Some(c))).unwrap();
        assert_eq!(acl.config["allow"], serde_json::json!(["g"]));
        // consumer+route (3) beats consumer (5) beats service (1000).
        let (_, rl) = winner(&m, "rate-limiting", &cx(Some(c))).unwrap();
        assert_eq!(rl.config["minute"], 3);
        let (_, rl) = winner(&m, "rate-limiting", &cx(Some(d))).unwrap();
        assert_eq!(rl.config["minute"], 1000);
        // Consumer beats route in Kong's order.
        let (_, rl) = winner(
            &m,
            "rate-limiting",
            &Scope {
                route: None,
                service: Some(s),
                consumer: Some(c),
                groups: vec![],
            },
        )
        .unwrap();
        assert_eq!(rl.config["minute"], 5);
    }
}
