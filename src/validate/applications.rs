//! Rules of `applications/*.yaml`, and their resolution into [`Application`]s: names are
//! slugs and unique, every registration names a package or an API published on its own
//! (`apis.<slug>` with an `auth_strategy` or a `rate_limit`), once; each credential fits the
//! registration's auth strategy (a `key` for key_auth, a `client_id` for openid_connect); keys
//! are decK env references (`${{ env "DECK_…" }}`), never literal secrets, and no key or client
//! id is used twice, nor by a consumer of the decK files; the consumer a registration becomes
//! (`<application>--<group>`) is not already a consumer of the decK files.

use std::collections::BTreeMap;

use crate::diagnostics::suggest::did_you_mean;
use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::load::{CredentialKind, RawApplication, RawTarget};
use crate::model::config::{AuthChoice, AuthKind, PortalConfig};
use crate::model::enforcement::{
    Application, Credential, Registration, UnitId, api_group, package_group, registration_consumer,
};
use crate::model::gateway::{Manifest, is_env, unprefixed_env_vars};
use crate::model::{Api, ApiId, Package, PackageId, Slug};
use crate::source::Span;

/// The auth kind a unit resolves to: `None` for no application auth.
fn unit_auth<'a>(
    unit: UnitId,
    apis: &[Api],
    packages: &[Package],
    config: &'a PortalConfig,
) -> Option<&'a AuthKind> {
    let choice = match unit {
        UnitId::Package(p) => packages[p.index()].auth_strategy.clone(),
        UnitId::Api(a) => config
            .api(&apis[a.index()].slug)
            .and_then(|s| s.auth_strategy.clone())
            .unwrap_or(AuthChoice::Default),
    };
    match choice {
        AuthChoice::None => None,
        AuthChoice::Default => config.default_auth_strategy().map(|s| &s.kind),
        AuthChoice::Named(n) => config.auth_strategy(&n).map(|s| &s.kind),
    }
}

/// Check and resolve the applications.
pub fn resolve(
    raw: &[RawApplication],
    apis: &[Api],
    packages: &[Package],
    config: &PortalConfig,
    manifest: &Manifest,
    diags: &mut Diagnostics,
) -> Vec<Application> {
    let mut out: Vec<Application> = Vec::new();
    let mut names: BTreeMap<String, Span> = BTreeMap::new();
    // Every credential value in use: the manifest's consumers first.
    let mut credentials: BTreeMap<String, String> = BTreeMap::new();
    for c in &manifest.consumers {
        for k in &c.keyauth_credentials {
            credentials.insert(
                k.key.clone(),
                format!("consumer `{}` of the decK files", c.label()),
            );
        }
        if let Some(id) = &c.custom_id {
            credentials.insert(
                id.clone(),
                format!("consumer `{}` of the decK files", c.label()),
            );
        }
    }
    for app in raw {
        let Some((name, name_span)) = &app.name else {
            continue;
        };
        if !Slug::is_valid(name) {
            diags.push(
                Diagnostic::new(
                    codes::APPLICATION_INVALID_NAME,
                    format!(
                        "application name `{name}` must match {} (it names the application's consumers)",
                        Slug::PATTERN
                    ),
                )
                .at(name_span)
                .help("use lowercase letters, digits and `-`, e.g. `acme-shop`; `display_name` can hold any text"),
            );
            continue;
        }
        if let Some(first) = names.get(name) {
            diags.push(
                Diagnostic::new(
                    codes::DUPLICATE_APPLICATION,
                    format!("application `{name}` is already defined at {first}"),
                )
                .at(name_span),
            );
            continue;
        }
        names.insert(name.clone(), name_span.clone());
        let mut registrations: Vec<Registration> = Vec::new();
        for r in &app.registrations {
            let unit = match &r.target {
                RawTarget::Package(slug) => {
                    match packages.iter().position(|p| p.slug == slug.as_str()) {
                        Some(i) => UnitId::Package(PackageId::new(i)),
                        None => {
                            let known: Vec<&str> =
                                packages.iter().map(|p| p.slug.as_str()).collect();
                            let mut d = Diagnostic::new(
                                codes::APPLICATION_UNKNOWN_PACKAGE,
                                format!("application `{name}` registers for package `{slug}`, which no file of packages/ defines"),
                            )
                            .at(&r.target_span);
                            if let Some(m) = did_you_mean(slug, &known) {
                                d = d.help(format!("did you mean `{m}`?"));
                            }
                            diags.push(d);
                            continue;
                        }
                    }
                }
                RawTarget::Api(slug) => {
                    let Some(i) = apis.iter().position(|a| a.slug == slug.as_str()) else {
                        let known: Vec<&str> = apis.iter().map(|a| a.slug.as_str()).collect();
                        let mut d = Diagnostic::new(
                            codes::APPLICATION_UNKNOWN_API,
                            format!("application `{name}` registers for API `{slug}`, which no file of apis/ defines"),
                        )
                        .at(&r.target_span);
                        if let Some(m) = did_you_mean(slug, &known) {
                            d = d.help(format!("did you mean `{m}`?"));
                        }
                        diags.push(d);
                        continue;
                    };
                    if !config.api(slug).is_some_and(|s| s.published()) {
                        diags.push(
                            Diagnostic::new(
                                codes::APPLICATION_API_NOT_PUBLISHED,
                                format!("application `{name}` registers for API `{slug}`, but portal.yaml does not publish the API on its own"),
                            )
                            .at(&r.target_span)
                            .help(format!("give `apis.{slug}` an `auth_strategy` (and a `rate_limit` if it has one) in portal.yaml, or register for a package holding its operations")),
                        );
                        continue;
                    }
                    UnitId::Api(ApiId::new(i))
                }
            };
            let group = match unit {
                UnitId::Package(p) => package_group(packages[p.index()].slug.as_str()),
                UnitId::Api(a) => api_group(apis[a.index()].slug.as_str()),
            };
            if registrations.iter().any(|x| x.unit == unit) {
                diags.push(
                    Diagnostic::new(
                        codes::APPLICATION_DUPLICATE_REGISTRATION,
                        format!("application `{name}` registers for `{group}` twice"),
                    )
                    .at(&r.span)
                    .help("list each package or API once, with all its credentials"),
                );
                continue;
            }
            let consumer = registration_consumer(name, &group);
            if let Some(c) = manifest
                .consumers
                .iter()
                .find(|c| c.username.as_deref() == Some(consumer.as_str()))
            {
                diags.push(
                    Diagnostic::new(
                        codes::APPLICATION_CONSUMER_CLASH,
                        format!("the registration of application `{name}` for `{group}` becomes consumer `{consumer}`, which the decK files already define at {}", c.span),
                    )
                    .at(&r.span)
                    .help("remove the consumer from the decK files (the application replaces it), or rename the application"),
                );
                continue;
            }
            let auth = unit_auth(unit, apis, packages, config);
            let mut creds = Vec::new();
            for c in &r.credentials {
                let fits = matches!(
                    (auth, c.kind),
                    (Some(AuthKind::KeyAuth { .. }), CredentialKind::Key)
                        | (
                            Some(AuthKind::OpenidConnect { .. }),
                            CredentialKind::ClientId
                        )
                );
                if !fits {
                    let (have, want) = (
                        match c.kind {
                            CredentialKind::Key => "a `key`",
                            CredentialKind::ClientId => "a `client_id`",
                        },
                        match auth {
                            Some(AuthKind::KeyAuth { .. }) => {
                                "a `key` (its auth strategy is key_auth)"
                            }
                            Some(AuthKind::OpenidConnect { .. }) => {
                                "a `client_id` (its auth strategy is openid_connect)"
                            }
                            None => "no credential (it has no application auth)",
                        },
                    );
                    diags.push(
                        Diagnostic::new(
                            codes::APPLICATION_CREDENTIAL_MISMATCH,
                            format!("application `{name}` holds {have} for `{group}`, which takes {want}"),
                        )
                        .at(&c.span),
                    );
                    continue;
                }
                if c.kind == CredentialKind::Key && !is_env(&c.value) {
                    let var = crate::load::env_var_name(&format!("{name}_{group}_key"));
                    diags.push(
                        Diagnostic::new(
                            codes::APPLICATION_LITERAL_SECRET,
                            format!("the key of application `{name}` for `{group}` is written literally; a key in version control is a leaked key"),
                        )
                        .at(&c.span)
                        .help(format!("write `key: '${{{{ env \"{var}\" }}}}'` and set {var} where decK runs")),
                    );
                    // Kept: the project is refused for it anyway, and the registration stays
                    // whole so the export reports no follow-on mismatch.
                }
                let bad = unprefixed_env_vars(&c.value);
                if !bad.is_empty() {
                    diags.push(
                        Diagnostic::new(
                            codes::DECK_ENV_PREFIX,
                            format!("environment variable `{}` has no `DECK_` prefix; decK refuses to render it", bad.join("`, `")),
                        )
                        .at(&c.span)
                        .help(format!("rename it `DECK_{}`", bad[0])),
                    );
                }
                let owner = format!("application `{name}` for `{group}`");
                if let Some(first) = credentials.get(&c.value) {
                    diags.push(
                        Diagnostic::new(
                            codes::DUPLICATE_CREDENTIAL,
                            format!("this credential is also used by {first}; Kong needs each key and client id unique"),
                        )
                        .at(&c.span)
                        .help("give every registration its own key (one consumer per application and package)"),
                    );
                    continue;
                }
                credentials.insert(c.value.clone(), owner);
                creds.push(match c.kind {
                    CredentialKind::Key => Credential::Key {
                        value: c.value.clone(),
                        span: c.span.clone(),
                    },
                    CredentialKind::ClientId => Credential::ClientId {
                        value: c.value.clone(),
                        span: c.span.clone(),
                    },
                });
            }
            if auth.is_some() && creds.is_empty() && r.credentials.is_empty() {
                diags.push(
                    Diagnostic::new(
                        codes::APPLICATION_NO_CREDENTIALS,
                        format!("application `{name}` registers for `{group}` without a credential, so it cannot call its operations"),
                    )
                    .at(&r.span)
                    .help(match auth {
                        Some(AuthKind::OpenidConnect { .. }) => "add `credentials: [{client_id: <the client id of its tokens>}]`".to_string(),
                        _ => "add `credentials: [{key: '${{ env \"DECK_…_KEY\" }}'}]`".to_string(),
                    }),
                );
            }
            registrations.push(Registration {
                unit,
                credentials: creds,
                span: r.span.clone(),
            });
        }
        out.push(Application {
            name: name.clone(),
            display_name: app.display_name.clone(),
            registrations,
            span: app.span.clone(),
        });
    }
    out
}
