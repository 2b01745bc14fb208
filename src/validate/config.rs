//! Rules that relate portal.yaml to the rest of the project: `apis.<slug>` settings name APIs
//! that exist, named auth strategies are defined, and the settings' title and version
//! overrides reach the APIs.

use crate::diagnostics::suggest::did_you_mean;
use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::model::Api;
use crate::model::config::{AuthChoice, PortalConfig};
use crate::source::Span;

/// Check `apis.<slug>` against the loaded APIs and apply their title and version overrides.
pub fn api_settings(config: &PortalConfig, apis: &mut [Api], diags: &mut Diagnostics) {
    for (slug, settings) in &config.apis {
        if let (Some(AuthChoice::Named(name)), Some(at)) =
            (&settings.auth_strategy, &settings.auth_strategy_at)
        {
            strategy_exists(name, at, config, diags);
        }
        let Some(api) = apis.iter_mut().find(|a| a.slug == *slug) else {
            if let Some(span) = &settings.span {
                let names: Vec<&str> = apis.iter().map(|a| a.slug.as_str()).collect();
                let d = Diagnostic::new(
                    codes::UNKNOWN_API,
                    format!("`apis.{slug}` configures an API that does not exist"),
                )
                .at(span);
                diags.push(match did_you_mean(slug, &names) {
                    Some(m) => d.help(format!(
                        "did you mean `{m}`? APIs are named after their files in apis/"
                    )),
                    None => d.help(
                        "APIs are named after their files: apis/<slug>.yaml or apis/<slug>/openapi.yaml",
                    ),
                });
            }
            continue;
        };
        if let Some(t) = &settings.title {
            api.title = t.clone();
        }
        if let Some(v) = &settings.version {
            api.version = v.clone();
        }
    }
}

/// Report `name` (written at `span`) unless portal.yaml defines that auth strategy.
pub fn strategy_exists(name: &str, span: &Span, config: &PortalConfig, diags: &mut Diagnostics) {
    if config.auth_strategy(name).is_some() {
        return;
    }
    let names: Vec<&str> = config
        .auth_strategies
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    let mut d = Diagnostic::new(
        codes::UNKNOWN_AUTH_STRATEGY,
        format!("auth strategy `{name}` is not defined in portal.yaml"),
    )
    .at(span);
    d = match did_you_mean(name, &names) {
        Some(m) => d.help(format!("did you mean `{m}`?")),
        None if names.is_empty() => {
            d.help("define it under `auth_strategies` in portal.yaml, or use `none`")
        }
        None => d.help(format!(
            "defined strategies: {}, or `none`",
            names.join(", ")
        )),
    };
    diags.push(d);
}
