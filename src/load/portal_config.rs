//! Reads `portal.yaml` strictly into [`PortalConfig`]: unknown keys, wrong types and bad values
//! are errors at their line, all reported in one run.

use crate::diagnostics::codes;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::read::Fields;
use crate::load::{konnect_config, rate_limit};
use crate::model::config::{
    ApiSettings, AuthChoice, AuthKind, AuthStrategy, GatewayFlavor, GatewaySettings,
    KeyAuthOptions, Limits, MatchPolicy, PortalConfig, RouterFlavor, parse_size,
};
use crate::model::{Slug, Visibility};
use crate::tree::Node;

const TOP_KEYS: &[&str] = &[
    "title",
    "base_url",
    "description",
    "theme",
    "registration",
    "auth_strategies",
    "apis",
    "gateway",
    "read_roots",
    "limits",
    "konnect",
];

/// Parse the already-read tree of portal.yaml. Always returns a config (with defaults where
/// the file is wrong) so later stages can still run and report their own problems.
pub fn read(root: &Node, file: &Arc<str>, diags: &mut Diagnostics) -> PortalConfig {
    let mut config = PortalConfig {
        title: "API Portal".into(),
        base_url: "http://localhost/".into(),
        description: None,
        theme: "default".into(),
        registration_url: None,
        auth_strategies: Vec::new(),
        apis: IndexMap::new(),
        gateway: GatewaySettings::default(),
        read_roots: Vec::new(),
        limits: Limits::default(),
        limit_spans: IndexMap::new(),
        konnect: Default::default(),
        span: root.span(file),
    };
    let Some(f) = Fields::new(root, file, "portal.yaml", diags) else {
        return config;
    };
    f.deny_unknown(TOP_KEYS, diags);
    if let Some(t) = f.required_string("title", diags) {
        config.title = t;
    }
    if let Some(n) = f.required("base_url", diags)
        && let Some(url) = f.as_string("base_url", n, diags)
    {
        match crate::model::config::parse_base_url(&url) {
            Ok(u) => config.base_url = u,
            Err(msg) => diags.push(
                Diagnostic::new(codes::INVALID_BASE_URL, msg)
                    .at(&f.span_of(n))
                    .help("write an absolute URL such as `https://developer.example.com/` or `https://example.com/dev/`"),
            ),
        }
    }
    config.description = f.string("description", diags);
    if let Some((theme, span)) = f
        .string("theme", diags)
        .map(|t| (t, f.span_of(f.get("theme").unwrap_or(root))))
    {
        if theme != "default" {
            diags.push(
                Diagnostic::new(codes::UNKNOWN_THEME, format!("unknown theme `{theme}`"))
                    .at(&span)
                    .help("the built-in theme is `default`; customise it with templates/ and static/theme.css"),
            );
        }
        config.theme = theme;
    }
    if let Some(reg) = f.get("registration")
        && let Some(rf) = Fields::new(reg, file, "`registration`", diags)
    {
        rf.deny_unknown(&["url"], diags);
        if let Some(n) = rf.get("url")
            && let Some(url) = rf.as_string("url", n, diags)
        {
            if !(url.starts_with("https://") || url.starts_with("http://") || url.starts_with('/'))
            {
                diags.push(
                    Diagnostic::new(
                        codes::INVALID_URL,
                        format!("registration URL `{url}` is not an absolute URL"),
                    )
                    .at(&rf.span_of(n))
                    .help("use e.g. `https://portal.example.com/apps/new?package={package}`"),
                );
            } else {
                config.registration_url = Some(url);
            }
        }
    }
    if let Some(list) = f.get("auth_strategies") {
        config.auth_strategies = read_auth_strategies(list, file, diags);
    }
    if let Some(apis) = f.get("apis")
        && let Some(af) = Fields::new(apis, file, "`apis`", diags)
    {
        for (slug, (key, node)) in af.node.as_map().into_iter().flatten() {
            let mut settings = read_api_settings(slug, node, file, diags);
            settings.span = Some(af.key_span(key));
            config.apis.insert(slug.to_string(), settings);
        }
    }
    if let Some(gw) = f.get("gateway") {
        config.gateway = read_gateway(gw, file, diags);
    }
    if f.get("read_roots").is_some() {
        let node = f.get("read_roots").unwrap_or(root);
        let items: Vec<&Node> = match node.as_seq() {
            Some(items) => items.iter().collect(),
            None => vec![node],
        };
        for item in items {
            if let Some(dir) = f.as_string("read_roots", item, diags) {
                config.read_roots.push((dir, f.span_of(item)));
            }
        }
    }
    if let Some(limits) = f.get("limits")
        && let Some(lf) = Fields::new(limits, file, "`limits`", diags)
    {
        let keys: Vec<&str> = Limits::KEYS.iter().map(|(k, _)| *k).collect();
        lf.deny_unknown(&keys, diags);
        for (key, is_size) in Limits::KEYS {
            let Some(n) = lf.get(key) else {
                continue;
            };
            let value = match (&n.value, is_size) {
                (crate::tree::Value::Int(i), _) => u64::try_from(*i).ok(),
                (crate::tree::Value::String(t), true) => parse_size(t),
                (crate::tree::Value::String(t), false) => t.replace('_', "").parse::<u64>().ok(),
                _ => None,
            };
            match value.filter(|v| *v > 0) {
                Some(v) => {
                    if let Some(slot) = config.limits.get_mut(key) {
                        *slot = v;
                    }
                    config.limit_spans.insert(key.to_string(), lf.span_of(n));
                }
                None => {
                    let shown = n.scalar_text().unwrap_or_else(|| n.kind().to_string());
                    let (what, example) = if is_size {
                        ("a size in bytes", "`64 MiB`, `1.5 GB` or `1048576`")
                    } else {
                        ("a count", "`20000000`")
                    };
                    diags.push(
                        Diagnostic::new(
                            codes::INVALID_VALUE,
                            format!("`limits.{key}: {shown}` is not {what} above 0"),
                        )
                        .at(&lf.span_of(n))
                        .help(format!("write e.g. {example}")),
                    );
                }
            }
        }
    }
    if let Some(k) = f.get("konnect") {
        config.konnect = konnect_config::read_konnect(k, file, diags);
    }
    config
}

fn read_auth_strategies(
    list: &Node,
    file: &Arc<str>,
    diags: &mut Diagnostics,
) -> Vec<AuthStrategy> {
    let Some(items) = list.as_seq() else {
        diags.push(
            Diagnostic::new(
                codes::WRONG_TYPE,
                format!("`auth_strategies` must be a list, found {}", list.kind()),
            )
            .at(&list.span(file)),
        );
        return Vec::new();
    };
    let mut out: Vec<AuthStrategy> = Vec::new();
    for item in items {
        let Some(f) = Fields::new(item, file, "an auth strategy", diags) else {
            continue;
        };
        let Some(name) = f.required_string("name", diags) else {
            continue;
        };
        if name == "none" || name == "default" {
            diags.push(
                Diagnostic::new(
                    codes::RESERVED_NAME,
                    format!("`{name}` is reserved and cannot name an auth strategy"),
                )
                .at(&f.span_of(f.get("name").unwrap_or(item))),
            );
            continue;
        }
        if let Some(first) = out.iter().find(|s| s.name == name) {
            diags.push(
                Diagnostic::new(
                    codes::DUPLICATE_AUTH_STRATEGY,
                    format!("auth strategy `{name}` is defined twice"),
                )
                .at(&f.span())
                .help(format!("first defined at {}", first.span)),
            );
            continue;
        }
        let display_name = f
            .string("display_name", diags)
            .unwrap_or_else(|| name.clone());
        let Some((kind, _)) = f
            .one_of("type", &["key_auth", "openid_connect"], diags)
            .or_else(|| {
                if f.get("type").is_none() {
                    f.required("type", diags);
                }
                None
            })
        else {
            continue;
        };
        let mut key_auth = KeyAuthOptions::default();
        let kind = if kind == "key_auth" {
            f.deny_unknown(
                &[
                    "name",
                    "display_name",
                    "type",
                    "key_names",
                    "hide_credentials",
                    "key_in_query",
                ],
                diags,
            );
            if let Some(b) = f.bool("hide_credentials", diags) {
                key_auth.hide_credentials = b;
            }
            if let Some(b) = f.bool("key_in_query", diags) {
                key_auth.key_in_query = b;
            }
            let key_names = if f.get("key_names").is_some() {
                f.string_list("key_names", diags)
            } else {
                // Kong's key-auth default.
                vec!["apikey".to_string()]
            };
            let at = f.span_of(f.get("key_names").unwrap_or(item));
            if key_names.is_empty() {
                diags.push(
                    Diagnostic::new(codes::INVALID_KEY_NAMES, "`key_names` lists no name; Konnect needs 1 to 10")
                        .at(&at)
                        .help("e.g. `key_names: [apikey]`, or leave the key out for Kong's default `apikey`"),
                );
            }
            for k in &key_names {
                let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
                if k.is_empty() || k.len() > 256 || !k.bytes().all(token) || k.contains('\'') {
                    diags.push(
                        Diagnostic::new(codes::INVALID_KEY_NAMES, format!("`{k}` is not a valid header name for an API key"))
                            .at(&at)
                            .help("use letters, digits and `-` or `_`, at most 256 characters, e.g. `x-api-key`"),
                    );
                }
            }
            if key_names.len() > 10 {
                diags.push(
                    Diagnostic::new(
                        codes::TOO_MANY_KEY_NAMES,
                        "`key_names` may list at most 10 names (Konnect's limit)",
                    )
                    .at(&f.span_of(f.get("key_names").unwrap_or(item))),
                );
            }
            AuthKind::KeyAuth { key_names }
        } else {
            f.deny_unknown(
                &[
                    "name",
                    "display_name",
                    "type",
                    "issuer",
                    "scopes",
                    "credential_claim",
                    "auth_methods",
                ],
                diags,
            );
            let issuer = f.required_string("issuer", diags).unwrap_or_default();
            let mut scopes = f.string_list("scopes", diags);
            if scopes.is_empty() {
                scopes.push("openid".into());
            }
            let mut credential_claim = f.string_list("credential_claim", diags);
            if credential_claim.is_empty() {
                credential_claim.push("sub".into());
            }
            let auth_methods = f.string_list("auth_methods", diags);
            AuthKind::OpenidConnect {
                issuer,
                scopes,
                credential_claim,
                auth_methods,
            }
        };
        out.push(AuthStrategy {
            name,
            display_name,
            kind,
            key_auth,
            span: f.span(),
        });
    }
    out
}

/// `visibility` + `teams` as packages, APIs and pages write them.
pub fn read_visibility(
    f: &Fields<'_>,
    default: Visibility,
    diags: &mut Diagnostics,
) -> (Visibility, Vec<String>) {
    let vis = match f.one_of("visibility", &["public", "private"], diags) {
        Some((v, _)) if v == "private" => Visibility::Private,
        Some(_) => Visibility::Public,
        None => default,
    };
    let teams = f.string_list("teams", diags);
    for t in &teams {
        if !Slug::is_valid(t) {
            diags.push(
                Diagnostic::new(
                    codes::INVALID_TEAM,
                    format!("team name `{t}` must be lowercase letters, digits and `-`"),
                )
                .at(&f.span_of(f.get("teams").unwrap_or(f.node))),
            );
        }
    }
    if vis == Visibility::Public && !teams.is_empty() {
        diags.push(
            Diagnostic::new(
                codes::TEAMS_ON_PUBLIC,
                "`teams` has no effect on public content: everyone sees it",
            )
            .at(&f.span_of(f.get("teams").unwrap_or(f.node)))
            .help("set `visibility: private` to restrict it to these teams"),
        );
    }
    (vis, teams)
}

/// `none`, a strategy name, or absent (inherit the default).
pub fn read_auth_choice(
    f: &Fields<'_>,
    diags: &mut Diagnostics,
) -> Option<(AuthChoice, crate::source::Span)> {
    let mut n = f.get("auth_strategy")?;
    // A Konnect publication takes `auth_strategy_ids`, a list of at most one: a one-item list
    // is read as its item.
    if let Some(items) = n.as_seq() {
        match items {
            [one] => n = one,
            _ => {
                let (code, message) = if items.is_empty() {
                    (
                        codes::INVALID_VALUE,
                        "`auth_strategy: []` names no strategy".to_string(),
                    )
                } else {
                    (
                        codes::TOO_MANY_AUTH_STRATEGIES,
                        format!(
                            "`auth_strategy` lists {} strategies; a Konnect publication takes at most one",
                            items.len()
                        ),
                    )
                };
                diags.push(
                    Diagnostic::new(code, message)
                        .at(&f.span_of(n))
                        .help("name one strategy, or `none` for no application auth; publish a second package for another strategy"),
                );
                return None;
            }
        }
    }
    let s = f.as_string("auth_strategy", n, diags)?;
    let choice = if s == "none" {
        AuthChoice::None
    } else {
        AuthChoice::Named(s)
    };
    Some((choice, f.span_of(n)))
}

fn read_api_settings(
    slug: &str,
    node: &Node,
    file: &Arc<str>,
    diags: &mut Diagnostics,
) -> ApiSettings {
    let what = format!("`apis.{slug}`");
    let mut s = ApiSettings {
        span: Some(node.span(file)),
        ..Default::default()
    };
    let Some(f) = Fields::new(node, file, &what, diags) else {
        return s;
    };
    f.deny_unknown(
        &[
            "title",
            "version",
            "visibility",
            "teams",
            "gateway",
            "auth_strategy",
            "registration_url",
            "rate_limit",
            "auto_approve_registrations",
        ],
        diags,
    );
    s.auto_approve_registrations = f.bool("auto_approve_registrations", diags).unwrap_or(false);
    s.title = f.string("title", diags);
    s.version = f.string("version", diags);
    let (vis, teams) = read_visibility(&f, Visibility::Public, diags);
    s.visibility = vis;
    s.teams = teams;
    if let Some((choice, span)) = read_auth_choice(&f, diags) {
        s.auth_strategy = Some(choice);
        s.auth_strategy_at = Some(span);
    }
    s.registration_url = f.string("registration_url", diags);
    if let Some(rl) = f.get("rate_limit") {
        s.rate_limit = rate_limit::read(rl, file, diags);
    }
    if let Some(gw) = f.get("gateway")
        && let Some(gf) = Fields::new(gw, file, "`gateway`", diags)
    {
        gf.deny_unknown(&["host", "path_prefix"], diags);
        s.gateway_host = gf.string("host", diags);
        if let Some(n) = gf.get("path_prefix")
            && let Some(p) = gf.as_string("path_prefix", n, diags)
        {
            if p.starts_with('/') {
                s.gateway_path_prefix = Some(p);
            } else {
                diags.push(
                    Diagnostic::new(
                        codes::INVALID_PATH_PREFIX,
                        format!("`path_prefix` `{p}` must start with `/`"),
                    )
                    .at(&gf.span_of(n)),
                );
            }
        }
    }
    s
}

fn read_gateway(node: &Node, file: &Arc<str>, diags: &mut Diagnostics) -> GatewaySettings {
    let mut g = GatewaySettings::default();
    let Some(f) = Fields::new(node, file, "`gateway`", diags) else {
        return g;
    };
    f.deny_unknown(
        &[
            "manifests",
            "match_policy",
            "router_flavor",
            "flavor",
            "select_tags",
            "ace",
        ],
        diags,
    );
    g.select_tags = konnect_config::read_select_tags(&f, diags);
    g.ace_rate_limiting = f
        .get("ace")
        .and_then(|n| konnect_config::read_ace(n, file, diags));
    if let Some(list) = f.get("manifests") {
        let items: Vec<&Node> = match list.as_seq() {
            Some(items) => items.iter().collect(),
            None => vec![list],
        };
        g.manifests = Vec::new();
        for item in items {
            let Some(glob) = f.as_string("manifests", item, diags) else {
                continue;
            };
            let at = f.span_of(item);
            match globset::Glob::new(&glob) {
                Ok(_) => g.manifests.push((glob, Some(at))),
                Err(e) => diags.push(
                    Diagnostic::new(
                        codes::INVALID_GLOB,
                        format!("`{glob}` is not a valid glob: {e}"),
                    )
                    .at(&at),
                ),
            }
        }
    }
    if let Some((p, at)) = f.one_of("match_policy", &["if_present", "required"], diags) {
        g.match_policy_at = Some(at);
        g.match_policy = if p == "required" {
            MatchPolicy::Required
        } else {
            MatchPolicy::IfPresent
        };
    }
    if let Some((p, _)) = f.one_of(
        "router_flavor",
        &["traditional_compatible", "expressions"],
        diags,
    ) {
        g.router_flavor = if p == "expressions" {
            RouterFlavor::Expressions
        } else {
            RouterFlavor::TraditionalCompatible
        };
    }
    if let Some((p, _)) = f.one_of("flavor", &GatewayFlavor::NAMES, diags) {
        g.flavor = GatewayFlavor::parse(&p).unwrap_or_default();
    }
    g
}
