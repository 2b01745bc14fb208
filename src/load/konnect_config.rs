//! The Konnect parts of `portal.yaml`, read strictly with positions: `konnect:` (control plane,
//! Dev Portal, kongctl namespace, region), `gateway.select_tags` and `gateway.ace` (the ACE
//! plugin's rate-limiting storage, checked against Kong 3.13's schema of `ace`). Called by
//! [`super::portal_config`]; the rules that need the whole project live in
//! `validate::konnect`.

use std::sync::Arc;

use serde_json::Value as Json;

use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::load::read::Fields;
use crate::model::config::{AceRateLimiting, KonnectSettings};
use crate::model::gateway::Spanned;
use crate::tree::{Node, Value};

/// `konnect:`.
pub fn read_konnect(node: &Node, file: &Arc<str>, diags: &mut Diagnostics) -> KonnectSettings {
    let mut k = KonnectSettings::default();
    let Some(f) = Fields::new(node, file, "`konnect`", diags) else {
        return k;
    };
    f.deny_unknown(&["control_plane", "portal", "namespace", "region"], diags);
    let named = |key: &str, diags: &mut Diagnostics| {
        let n = f.get(key)?;
        let s = f.as_string(key, n, diags)?;
        if s.trim().is_empty() || s.chars().count() > 255 {
            diags.push(
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    format!("`konnect.{key}` must have 1 to 255 characters"),
                )
                .at(&f.span_of(n)),
            );
            return None;
        }
        Some(Spanned::new(s, f.span_of(n)))
    };
    k.control_plane = named("control_plane", diags);
    k.portal = named("portal", diags);
    if let Some(n) = f.get("namespace")
        && let Some(ns) = f.as_string("namespace", n, diags)
    {
        if is_namespace(&ns) {
            k.namespace = ns;
        } else {
            diags.push(
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    format!("`konnect.namespace: {ns}` is not a kongctl namespace"),
                )
                .at(&f.span_of(n))
                .help("1 to 63 lowercase letters, digits and `-`, starting and ending with a letter or digit"),
            );
        }
    }
    if let Some((r, _)) = f.one_of("region", &KonnectSettings::REGIONS, diags) {
        k.region = r;
    }
    k
}

/// kongctl's namespace rule: 1–63 lowercase alphanumerics or `-`, alphanumeric at both ends.
fn is_namespace(s: &str) -> bool {
    let ok = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| ok(b) || b == b'-')
        && ok(s.as_bytes()[0])
        && ok(s.as_bytes()[s.len() - 1])
}

/// `gateway.select_tags`: a tag or a list of tags, as decK's `_info.select_tags`.
pub fn read_select_tags(f: &Fields<'_>, diags: &mut Diagnostics) -> Option<Spanned<Vec<String>>> {
    let n = f.get("select_tags")?;
    let tags = f.string_list("select_tags", diags);
    let span = f.span_of(n);
    // Kong's tag rule: printable, no spaces, commas or slashes.
    for t in &tags {
        if t.is_empty()
            || t.chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == ',' || c == '/')
        {
            diags.push(
                Diagnostic::new(codes::INVALID_VALUE, format!("`{t}` is not a Kong tag"))
                    .at(&span)
                    .help("tags are printable and hold no spaces, commas or slashes, e.g. `team-payments`"),
            );
        }
    }
    if tags.is_empty() {
        diags.push(
            Diagnostic::new(codes::INVALID_VALUE, "`select_tags` lists no tag")
                .at(&span)
                .help("name at least one tag, or remove the key to keep the decK files' own"),
        );
    }
    Some(Spanned::new(tags, span))
}

/// `gateway.ace`: `{rate_limiting: {sync_rate, redis}}`.
pub fn read_ace(
    node: &Node,
    file: &Arc<str>,
    diags: &mut Diagnostics,
) -> Option<Spanned<AceRateLimiting>> {
    let f = Fields::new(node, file, "`gateway.ace`", diags)?;
    f.deny_unknown(&["rate_limiting"], diags);
    let rl = f.get("rate_limiting")?;
    let rf = Fields::new(rl, file, "`gateway.ace.rate_limiting`", diags)?;
    rf.deny_unknown(&["sync_rate", "redis"], diags);
    let sync_rate = rf.get("sync_rate").and_then(|n| {
        let v = match n.value {
            Value::Int(i) => i as f64,
            Value::Float(x) => x,
            _ => {
                rf.reader.wrong_type("`sync_rate`", "a number", n, diags);
                return None;
            }
        };
        if !(0.0..=3600.0).contains(&v) || (v > 0.0 && v < 0.02) {
            diags.push(
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    format!("`sync_rate: {v}` is out of range"),
                )
                .at(&rf.span_of(n))
                .help("0 syncs on every request; otherwise 0.02 to 3600 seconds between syncs"),
            );
        }
        // Kept even when out of range (the run fails anyway): it is written.
        Some(v)
    });
    let redis = rf.get("redis").and_then(|n| {
        let map = Fields::new(n, file, "`gateway.ace.rate_limiting.redis`", diags)?;
        check_fields(&map, REDIS, diags);
        match n.to_json() {
            Json::Object(m) => Some(m),
            _ => None,
        }
    });
    Some(Spanned::new(
        AceRateLimiting { sync_rate, redis },
        f.span_of(rl),
    ))
}

/// The type of one Redis setting of Kong's `redis-ee` partial (the `ace` schema of 3.13).
enum Kind {
    Str,
    Bool,
    /// An integer in the range (a vault reference when `referenceable`).
    Int(i64, i64, bool),
    OneOf(&'static [&'static str]),
    /// A list of `{<host key>, port}` mappings (at least one).
    Nodes(&'static str),
    Fields(&'static [(&'static str, Kind)]),
}

const MAX: i64 = 2_147_483_646;

const REDIS: &[(&str, Kind)] = &[
    ("host", Kind::Str),
    ("port", Kind::Int(0, 65535, true)),
    ("database", Kind::Int(i64::MIN, i64::MAX, false)),
    ("username", Kind::Str),
    ("password", Kind::Str),
    ("ssl", Kind::Bool),
    ("ssl_verify", Kind::Bool),
    ("server_name", Kind::Str),
    ("connect_timeout", Kind::Int(0, MAX, false)),
    ("read_timeout", Kind::Int(0, MAX, false)),
    ("send_timeout", Kind::Int(0, MAX, false)),
    ("keepalive_pool_size", Kind::Int(1, MAX, false)),
    ("keepalive_backlog", Kind::Int(0, MAX, false)),
    ("sentinel_master", Kind::Str),
    ("sentinel_role", Kind::OneOf(&["any", "master", "slave"])),
    ("sentinel_nodes", Kind::Nodes("host")),
    ("sentinel_username", Kind::Str),
    ("sentinel_password", Kind::Str),
    ("cluster_nodes", Kind::Nodes("ip")),
    (
        "cluster_max_redirections",
        Kind::Int(i64::MIN, i64::MAX, false),
    ),
    ("connection_is_proxied", Kind::Bool),
    ("cloud_authentication", Kind::Fields(CLOUD)),
];

const CLOUD: &[(&str, Kind)] = &[
    ("auth_provider", Kind::OneOf(&["aws", "azure", "gcp"])),
    ("aws_access_key_id", Kind::Str),
    ("aws_assume_role_arn", Kind::Str),
    ("aws_cache_name", Kind::Str),
    ("aws_is_serverless", Kind::Bool),
    ("aws_region", Kind::Str),
    ("aws_role_session_name", Kind::Str),
    ("aws_secret_access_key", Kind::Str),
    ("azure_client_id", Kind::Str),
    ("azure_client_secret", Kind::Str),
    ("azure_tenant_id", Kind::Str),
    ("gcp_service_account_json", Kind::Str),
];

fn check_fields(f: &Fields<'_>, table: &[(&str, Kind)], diags: &mut Diagnostics) {
    let keys: Vec<&str> = table.iter().map(|(k, _)| *k).collect();
    f.deny_unknown(&keys, diags);
    for (key, kind) in table {
        if let Some(n) = f.node.get(key) {
            check_value(f, key, kind, n, diags);
        }
    }
}

fn check_value(f: &Fields<'_>, key: &str, kind: &Kind, n: &Node, diags: &mut Diagnostics) {
    let what = format!("`{key}`");
    let out_of_range = |diags: &mut Diagnostics, range: String| {
        diags.push(
            Diagnostic::new(
                codes::INVALID_VALUE,
                format!("{what} is out of range ({range})"),
            )
            .at(&f.span_of(n)),
        );
    };
    match kind {
        Kind::Str => {
            f.reader.string(&what, n, diags);
        }
        Kind::Bool => {
            f.reader.bool(&what, n, diags);
        }
        Kind::Int(lo, hi, referenceable) => match &n.value {
            Value::Int(i) if i < lo || i > hi => out_of_range(diags, format!("{lo} to {hi}")),
            Value::Int(_) => {}
            Value::String(s) if *referenceable && s.starts_with("{vault://") => {}
            _ => f.reader.wrong_type(&what, "an integer", n, diags),
        },
        Kind::OneOf(allowed) => {
            if let Some(s) = f.reader.string(&what, n, diags)
                && !allowed.contains(&s.as_str())
            {
                diags.push(
                    Diagnostic::new(
                        codes::INVALID_VALUE,
                        format!(
                            "`{key}: {s}` is not allowed; use one of: {}",
                            allowed.join(", ")
                        ),
                    )
                    .at(&f.span_of(n)),
                );
            }
        }
        Kind::Nodes(host) => {
            let Some(items) = f.reader.seq(&what, n, diags) else {
                return;
            };
            if items.is_empty() {
                out_of_range(diags, "at least one node".into());
            }
            let table = [(*host, Kind::Str), ("port", Kind::Int(0, 65535, false))];
            for item in items {
                if let Some(nf) = Fields::with(item, f.reader, "a Redis node", diags) {
                    check_fields(&nf, &table, diags);
                }
            }
        }
        Kind::Fields(table) => {
            if let Some(nf) = Fields::with(n, f.reader, "`cloud_authentication`", diags) {
                check_fields(&nf, table, diags);
            }
        }
    }
}
