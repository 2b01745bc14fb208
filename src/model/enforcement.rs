//! Who may call what through the gateway: the applications of `applications/*.yaml` and their
//! registrations for API packages and API publications, what the portal promises for each
//! documented operation (its [`OperationIntent`]), and what the exported gateway configuration
//! was verified to enforce (its [`OperationPolicy`]). Plain data: the applications are read by
//! [`crate::load`] and resolved by [`crate::validate`], intents are derived and policies
//! verified by [`crate::export`] with Kong's semantics from [`crate::kong`].

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::ids::{ApiId, OperationId, PackageId};
use crate::model::{Duration, RateLimit};
use crate::source::Span;

/// What applications register for: an API package, or an API published on its own (portal.yaml
/// `apis.<slug>` with an `auth_strategy` or a `rate_limit`), which Konnect's ACE enforces like a
/// package of all the API's operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnitId {
    Package(PackageId),
    Api(ApiId),
}

/// The ACL group of a package (`pkg-<slug>`).
pub fn package_group(slug: &str) -> String {
    format!("pkg-{slug}")
}

/// The ACL group of an API publication (`api-<slug>`).
pub fn api_group(slug: &str) -> String {
    format!("api-{slug}")
}

/// The consumer of one application's registration: `<application>--<group>`.
pub fn registration_consumer(application: &str, group: &str) -> String {
    format!("{application}--{group}")
}

/// One application of `applications/*.yaml`.
#[derive(Debug, Clone)]
pub struct Application {
    /// Lowercase letters, digits and `-`; names the application's consumers.
    pub name: String,
    pub display_name: Option<String>,
    /// Resolved registrations, in file order (unknown targets are dropped by validation).
    pub registrations: Vec<Registration>,
    /// The file (line 1).
    pub span: Span,
}

/// An application's registration for one package or API publication.
#[derive(Debug, Clone)]
pub struct Registration {
    pub unit: UnitId,
    pub credentials: Vec<Credential>,
    pub span: Span,
}

/// A credential of a registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A key-auth key: a decK env reference (`${{ env "DECK_…" }}`), never a literal secret.
    Key { value: String, span: Span },
    /// An OpenID Connect client id: the consumer's `custom_id`.
    ClientId { value: String, span: Span },
}

impl Credential {
    pub fn value(&self) -> &str {
        match self {
            Credential::Key { value, .. } | Credential::ClientId { value, .. } => value,
        }
    }

    pub fn span(&self) -> &Span {
        match self {
            Credential::Key { span, .. } | Credential::ClientId { span, .. } => span,
        }
    }
}

/// Which counter a limit uses: one shared by every operation of the package (or API), or the
/// operation's own (Konnect's per-operation override).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Counter {
    Package,
    Operation,
}

/// The auth an operation promises: a strategy of portal.yaml and what its plugin must do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthIntent {
    pub strategy: String,
    /// `key-auth` or `openid-connect`.
    pub plugin: &'static str,
    /// key-auth: where the key may be sent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub key_names: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hide_credentials: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_in_query: Option<bool>,
    /// openid-connect: the issuer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

/// One registration that may call an operation, and the limit it must get there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationIntent {
    /// The consumer (username, else id) that stands for the registration.
    pub consumer: String,
    /// The ACL group of the package or API it registers for.
    pub group: String,
    /// `None`: no limit of the portal's applies.
    pub limit: Option<RateLimit>,
    pub counter: Counter,
}

/// What the portal promises for one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntentKind {
    /// In no package and no publication: `match_policy: if_present` leaves it to the manifest,
    /// `required` answers 404.
    Unpackaged,
    /// Only in packages without application auth (`auth_strategy: none`): anyone may call.
    Open,
    /// Application auth, exactly the ACL groups of its packages and publications, and each
    /// registration's limit.
    Enforced {
        auth: AuthIntent,
        groups: BTreeSet<String>,
        /// Per group, the limit every registration of it gets on this operation (also for
        /// groups no application is registered for yet).
        limits: BTreeMap<String, (Option<RateLimit>, Counter)>,
        registrations: Vec<RegistrationIntent>,
    },
    /// Its packages disagree on the auth strategy (reported; nothing is exported).
    Conflict,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationIntent {
    pub operation: OperationId,
    pub kind: IntentKind,
}

/// What the exported configuration does with an operation, as the verification found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyStatus {
    /// Application auth, ACL groups and limits, verified.
    Enforced,
    /// Reaches the upstream without portalgen's auth (unpackaged under `if_present`, or a
    /// package without application auth).
    Open,
    /// Answered by a `request-termination` (404 for unpackaged operations under `required`).
    Terminated,
    /// No route serves it (the routing check reports it): nothing to enforce.
    Unrouted,
    /// decK env references decide its route or plugins: not verifiable.
    Unchecked,
    /// `--flavor konnect`: Konnect's ACE enforces the packages; portalgen reports the intent.
    Konnect,
}

/// A limit as the gateway enforces it for one package or API on an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LimitPolicy {
    /// The ACL group of the package or API (`pkg-…`, `api-…`).
    pub group: String,
    /// Its name in the portal.
    pub name: String,
    /// `None`: no limit.
    pub limit: Option<RateLimit>,
    pub counter: Option<Counter>,
}

/// What one registration gets on an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegistrationPolicy {
    pub consumer: String,
    pub group: String,
    /// Passes auth and ACL.
    pub allowed: bool,
    pub limit: Option<RateLimit>,
    pub counter: Option<Counter>,
}

/// The verified enforcement of one operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationPolicy {
    pub status: PolicyStatus,
    /// The route of the exported configuration that serves it.
    pub route: Option<String>,
    pub auth: Option<AuthIntent>,
    /// The ACL groups allowed (empty: no ACL).
    pub acl: Vec<String>,
    /// Per package or API holding the operation, its limit.
    pub limits: Vec<LimitPolicy>,
    /// Per registration that may call it.
    pub registrations: Vec<RegistrationPolicy>,
    /// The status code of a terminating plugin (`terminated`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    /// Why an operation is unchecked or unrouted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl OperationPolicy {
    /// A policy with only a status (and a note).
    pub fn bare(status: PolicyStatus, note: Option<String>) -> OperationPolicy {
        OperationPolicy {
            status,
            route: None,
            auth: None,
            acl: Vec::new(),
            limits: Vec::new(),
            registrations: Vec::new(),
            status_code: None,
            note,
        }
    }
}

/// The enforcement of every operation for the flavor planned: `operations[api][operation]`.
#[derive(Debug, Clone, Default)]
pub struct Enforcement {
    /// `kong` or `konnect` (empty before the export is planned).
    pub flavor: &'static str,
    pub operations: Vec<Vec<OperationPolicy>>,
}

impl Enforcement {
    pub fn of(&self, op: OperationId) -> Option<&OperationPolicy> {
        self.operations.get(op.api.index())?.get(op.index())
    }
}

/// "5 requests per minute" for a limit, "blocked" for a limit of 0.
pub fn limit_words(limit: &RateLimit) -> String {
    if limit.limit == 0 {
        format!("no requests (a limit of 0 per {})", limit.duration.unit())
    } else {
        limit.words()
    }
}

/// The shortest period first: second, minute, hour.
pub fn period_index(d: Duration) -> usize {
    match d {
        Duration::Seconds => 0,
        Duration::Minutes => 1,
        Duration::Hours => 2,
    }
}
