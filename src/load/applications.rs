//! Reads `applications/*.yaml`: one application per file, with the packages and APIs it is
//! registered for and the credentials of each registration, as written. Which packages and
//! APIs exist, whether a credential fits its auth strategy and whether a key is a decK env
//! reference (never a literal secret) are decided by [`crate::validate::applications`].
//!
//! ```yaml
//! name: acme-shop                  # names the consumers: acme-shop--pkg-starter
//! display_name: Acme Shop
//! registrations:
//!   - package: starter
//!     credentials:
//!       - key: '${{ env "DECK_ACME_SHOP_STARTER_KEY" }}'
//!   - api: orders
//!     credentials:
//!       - client_id: acme-shop-orders
//! ```

use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::load::read::Fields;
use crate::source::Span;
use crate::tree::Node;

/// An application file as written.
#[derive(Debug, Clone)]
pub struct RawApplication {
    pub name: Option<(String, Span)>,
    pub display_name: Option<String>,
    pub registrations: Vec<RawRegistration>,
    /// The file (line 1).
    pub span: Span,
}

/// What a registration is for, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawTarget {
    Package(String),
    Api(String),
}

/// One item of `registrations:`.
#[derive(Debug, Clone)]
pub struct RawRegistration {
    pub target: RawTarget,
    /// Where the package or API is named.
    pub target_span: Span,
    pub credentials: Vec<RawCredential>,
    pub span: Span,
}

/// The kind of a credential, by its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    Key,
    ClientId,
}

/// One item of `credentials:`.
#[derive(Debug, Clone)]
pub struct RawCredential {
    pub kind: CredentialKind,
    pub value: String,
    /// Where the value is written.
    pub span: Span,
}

const KEYS: &[&str] = &["name", "display_name", "registrations"];
const REGISTRATION_KEYS: &[&str] = &["package", "api", "credentials"];
const CREDENTIAL_KEYS: &[&str] = &["key", "client_id"];

/// Read one application file (its tree, already parsed).
pub fn read(root: &Node, file: &Arc<str>, diags: &mut Diagnostics) -> Option<RawApplication> {
    let f = Fields::new(root, file, "an application", diags)?;
    f.deny_unknown(KEYS, diags);
    let name = f
        .required("name", diags)
        .and_then(|n| f.as_string("name", n, diags).map(|s| (s, f.span_of(n))));
    let display_name = f.string("display_name", diags);
    let mut registrations = Vec::new();
    if let Some(list) = f.get("registrations") {
        match list.as_seq() {
            Some(items) => {
                for item in items {
                    if let Some(r) = registration(item, file, diags) {
                        registrations.push(r);
                    }
                }
            }
            None => f
                .reader
                .wrong_type("`registrations`", "a list", list, diags),
        }
    }
    Some(RawApplication {
        name,
        display_name,
        registrations,
        span: Span::new(file.clone(), 1, 1),
    })
}

fn registration(item: &Node, file: &Arc<str>, diags: &mut Diagnostics) -> Option<RawRegistration> {
    let f = Fields::new(item, file, "a registration", diags)?;
    f.deny_unknown(REGISTRATION_KEYS, diags);
    let target = match (f.get("package"), f.get("api")) {
        (Some(p), None) => f
            .as_string("package", p, diags)
            .map(|s| (RawTarget::Package(s), f.span_of(p))),
        (None, Some(a)) => f
            .as_string("api", a, diags)
            .map(|s| (RawTarget::Api(s), f.span_of(a))),
        (Some(_), Some(a)) => {
            diags.push(
                Diagnostic::new(
                    codes::CONFLICTING_SELECTOR,
                    "a registration names both a `package` and an `api`; register for each in its own item",
                )
                .at(&f.span_of(a)),
            );
            None
        }
        (None, None) => {
            diags.push(
                Diagnostic::new(
                    codes::MISSING_FIELD,
                    "a registration is missing required key `package` (or `api`)",
                )
                .at(&f.span()),
            );
            None
        }
    };
    let mut credentials = Vec::new();
    if let Some(list) = f.get("credentials") {
        match list.as_seq() {
            Some(items) => {
                for c in items {
                    let Some(cf) = Fields::new(c, file, "a credential", diags) else {
                        continue;
                    };
                    cf.deny_unknown(CREDENTIAL_KEYS, diags);
                    for (key, kind) in [
                        ("key", CredentialKind::Key),
                        ("client_id", CredentialKind::ClientId),
                    ] {
                        if let Some(n) = cf.get(key)
                            && let Some(value) = cf.as_string(key, n, diags)
                        {
                            credentials.push(RawCredential {
                                kind,
                                value,
                                span: cf.span_of(n),
                            });
                        }
                    }
                    if cf.get("key").is_none() && cf.get("client_id").is_none() {
                        diags.push(
                            Diagnostic::new(
                                codes::MISSING_FIELD,
                                "a credential is missing required key `key` (or `client_id`)",
                            )
                            .at(&cf.span()),
                        );
                    }
                }
            }
            None => f.reader.wrong_type("`credentials`", "a list", list, diags),
        }
    }
    let (target, target_span) = target?;
    Some(RawRegistration {
        target,
        target_span,
        credentials,
        span: f.span(),
    })
}
