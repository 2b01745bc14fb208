//! The registry of every diagnostic code portalgen can report: one constant per code, with its
//! severity, whether it is fatal (exit code 2 instead of 1) and a one-line meaning. Stages
//! never spell a code as a string; they name a constant here, so a code cannot drift between
//! two places, and `docs/diagnostics.md` is generated from [`ALL`] (a test fails when it is
//! stale: `PORTALGEN_BLESS=1 cargo test diagnostics_doc` rewrites it).
//!
//! Codes are stable: scripts match on them. Add new ones; never rename or reuse one.

use super::Severity;

/// One diagnostic code: a pointer to its [`CodeInfo`], so a diagnostic stays small.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(&'static CodeInfo);

/// What the registry knows about a code.
#[derive(Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CodeInfo {
    /// The stable kebab-case identifier printed with the diagnostic.
    pub id: &'static str,
    /// The severity a diagnostic of this code has unless the reporting rule says otherwise
    /// (documented in [`Code::meaning`] where it does).
    pub severity: Severity,
    /// A fatal problem makes the command exit with 2 (it could not do its work at all), not 1.
    pub fatal: bool,
    /// What the code means, in one line (the text of docs/diagnostics.md).
    pub meaning: &'static str,
    /// The section of docs/diagnostics.md.
    pub section: &'static str,
}

impl Code {
    pub fn as_str(&self) -> &'static str {
        self.0.id
    }

    pub fn id(&self) -> &'static str {
        self.0.id
    }

    pub fn severity(&self) -> Severity {
        self.0.severity
    }

    pub fn fatal(&self) -> bool {
        self.0.fatal
    }

    pub fn meaning(&self) -> &'static str {
        self.0.meaning
    }

    pub fn section(&self) -> &'static str {
        self.0.section
    }

    /// The code named `id`, if there is one.
    pub fn find(id: &str) -> Option<Code> {
        ALL.iter().copied().find(|c| c.id() == id)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.id)
    }
}

/// Scripts and tests compare codes with their ids.
impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.0.id == *other
    }
}

impl PartialEq<String> for Code {
    fn eq(&self, other: &String) -> bool {
        self.0.id == other
    }
}

/// A code reads as its id (`code.starts_with("route-")`).
impl std::ops::Deref for Code {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.id
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.0.id == other
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.id)
    }
}

macro_rules! codes {
    ($( section $section:literal { $( $name:ident = $id:literal, $sev:ident $(, $fatal:ident)? : $meaning:literal; )* } )*) => {
        $( $(
            #[doc = $meaning]
            pub const $name: Code = Code(&CodeInfo {
                id: $id,
                severity: Severity::$sev,
                fatal: codes!(@fatal $($fatal)?),
                meaning: $meaning,
                section: $section,
            });
        )* )*
        /// Every code, in the order of docs/diagnostics.md.
        pub const ALL: &[Code] = &[ $( $( $name, )* )* ];
    };
    (@fatal fatal) => { true };
    (@fatal) => { false };
}

codes! {
    section "Reading files" {
        FILE_UNREADABLE = "file-unreadable", Error: "A file of the project (or one a `$ref` or a glob names) cannot be read: it is a folder, a FIFO, device or socket (refused without opening it), a link to nothing, or the file system refuses it. Located at the `$ref` when there is one.";
        FILE_OUTSIDE_PROJECT = "file-outside-project", Error: "A file to read resolves, after symbolic links, outside the project folder and its `read_roots`; it is not read, and nothing of it is shown.";
        FILE_TOO_LARGE = "file-too-large", Error: "An input file is larger than `limits.file_size` (64 MiB by default); it is not read.";
        INPUT_TOO_LARGE = "input-too-large", Error: "The input files together would be larger than `limits.input_size` (512 MiB by default).";
        UNUSED_INPUT = "unused-input", Error: "Something where portalgen looks for inputs is not used: a folder named like an input file, an API folder without an OpenAPI document, a file in templates/ that is no template (a warning).";
        INVALID_UTF8 = "invalid-utf8", Error: "A file is not valid UTF-8.";
        YAML_SYNTAX = "yaml-syntax", Error: "A YAML or JSON file does not parse.";
        DUPLICATE_KEY = "duplicate-key", Error: "A mapping has the same key twice (YAML and JSON keys must be unique).";
        YAML_TOO_LARGE = "yaml-too-large", Error: "The YAML and JSON files of a run expand to more nodes than `limits.yaml_nodes`, or their aliases to more than `limits.alias_nodes` (alias bombs); one budget for all files.";
        YAML_TOO_DEEP = "yaml-too-deep", Error: "A YAML or JSON file nests deeper than 255 levels.";
        EMPTY_DOCUMENT = "empty-document", Error: "A file that must hold a document is empty.";
        MULTIPLE_DOCUMENTS = "multiple-documents", Error: "A YAML file holds several `---` documents; portalgen reads exactly one.";
        UNKNOWN_KEY = "unknown-key", Error: "A key that the file format does not define (usually a typo; the help names the closest key).";
        WRONG_TYPE = "wrong-type", Error: "A value has the wrong type (a string where a list is expected, …); a warning in OpenAPI documents, where the value is ignored.";
        MISSING_FIELD = "missing-field", Error: "A required key is missing.";
        MISSING_VALUE = "missing-value", Error: "A key is written without a value.";
        INVALID_VALUE = "invalid-value", Error: "A value is not one of the values the key allows.";
    }
    section "portal.yaml" {
        INVALID_BASE_URL = "invalid-base-url", Error: "`base_url` is not an absolute http(s) URL.";
        INVALID_URL = "invalid-url", Error: "A registration URL is not an absolute URL.";
        UNKNOWN_THEME = "unknown-theme", Error: "`theme` names a theme that does not exist.";
        DUPLICATE_AUTH_STRATEGY = "duplicate-auth-strategy", Error: "Two auth strategies have the same name.";
        RESERVED_NAME = "reserved-name", Error: "An auth strategy uses a reserved name (`none`, `default`).";
        INVALID_KEY_NAMES = "invalid-key-names", Error: "A key-auth strategy's `key_names` is empty or holds an invalid name.";
        TOO_MANY_KEY_NAMES = "too-many-key-names", Error: "A key-auth strategy lists more than 10 `key_names` (Konnect's limit).";
        UNKNOWN_AUTH_STRATEGY = "unknown-auth-strategy", Error: "An API or package names an auth strategy portal.yaml does not define.";
        TOO_MANY_AUTH_STRATEGIES = "too-many-auth-strategies", Error: "An API or package names more than one auth strategy; a Konnect publication takes at most one.";
        INVALID_PATH_PREFIX = "invalid-path-prefix", Error: "`apis.<slug>.gateway.path_prefix` does not start with `/`.";
        INVALID_TEAM = "invalid-team", Error: "A team name is not lowercase letters, digits and `-`.";
        TEAMS_ON_PUBLIC = "teams-on-public", Warning: "`teams` is set on public content, where it has no effect.";
        UNKNOWN_API = "unknown-api", Error: "portal.yaml or a package names an API that no file of apis/ defines.";
        INVALID_GLOB = "invalid-glob", Error: "A `gateway.manifests` pattern is not a valid glob.";
        GLOB_MATCHES_NOTHING = "glob-matches-nothing", Error: "A `gateway.manifests` pattern matches no file (a warning when another pattern matches some).";
        INVALID_READ_ROOT = "invalid-read-root", Error: "A `read_roots` entry is not a folder, or one portalgen never reads from (the file-system root, /proc, /sys, /dev).";
        INVALID_RATE_LIMIT = "invalid-rate-limit", Error: "A rate limit is not `{limit: N, duration: seconds|minutes|hours}` (Konnect's units).";
    }
    section "API packages" {
        INVALID_NAME = "invalid-name", Error: "A package name is empty or longer than 255 characters (Konnect's limit).";
        INVALID_SLUG = "invalid-slug", Error: "A slug (from a file name or `slug:`) is not lowercase letters, digits and `-`.";
        DUPLICATE_SLUG = "duplicate-slug", Error: "Two packages, or a package and an API, have the same slug.";
        DUPLICATE_PACKAGE = "duplicate-package", Error: "Two packages have the same name and version (Konnect requires them unique).";
        DUPLICATE_API = "duplicate-api", Error: "Several files of apis/ define the same API slug.";
        EMPTY_PACKAGE = "empty-package", Warning: "A package lists no operations.";
        EMPTY_TAGS = "empty-tags", Error: "A package item selects by `tags` but lists none.";
        CONFLICTING_SELECTOR = "conflicting-selector", Error: "A package item selects by more than one of method + path, `operation_id` and `tags`.";
        INVALID_METHOD = "invalid-method", Error: "A package item's `method` is not an HTTP method.";
        INVALID_PATH = "invalid-path", Error: "A package item's `path` does not start with `/`.";
        UNKNOWN_OPERATION = "unknown-operation", Error: "A package item matches no operation of its API (the help lists the closest ones).";
        DUPLICATE_PACKAGE_OPERATION = "duplicate-package-operation", Warning: "A package selects the same operation twice.";
        CONFLICTING_PACKAGE_OPERATION = "conflicting-package-operation", Warning: "Two items of a package give one operation different limits or routes; the later wins.";
        PACKAGE_PATH_CLASH = "package-path-clash", Warning: "A package holds the same method and path from two APIs; its OpenAPI download can describe only one.";
        SECURITY_MISMATCH = "security-mismatch", Warning: "An operation's own OpenAPI security cannot be met by its package's auth strategy.";
        UNKNOWN_AUDIENCE = "unknown-audience", Warning: "`--audience` names a team no package, API or page names.";
    }
    section "Guides" {
        UNCLOSED_FRONT_MATTER = "unclosed-front-matter", Error: "A guide's front matter is opened with `---` and never closed.";
        INVALID_PAGE_NAME = "invalid-page-name", Error: "A guide's file or folder name cannot be part of a URL.";
        DUPLICATE_PAGE = "duplicate-page", Error: "Two guides would be written to the same URL.";
        BROKEN_LINK = "broken-link", Warning: "A guide links to a file or page the build does not produce; the link is dropped, its text kept.";
        BROKEN_ANCHOR = "broken-anchor", Warning: "A guide links to a heading or anchor (`#keys`) that the target page does not have; the link still goes to the page.";
    }
    section "OpenAPI documents" {
        OPENAPI_VERSION = "openapi-version", Error: "The document is not OpenAPI 2.0, 3.0 or 3.1 (or not a mapping).";
        MISSING_INFO = "missing-info", Warning: "The document has no `info` section.";
        MISSING_TITLE = "missing-title", Warning: "`info` has no `title`; the API is shown under its file name.";
        MISSING_PATHS = "missing-paths", Warning: "The document has no `paths`.";
        INVALID_PATH_ITEM = "invalid-path-item", Error: "A path item is not a mapping of methods to operations.";
        PATH_NOT_ABSOLUTE = "path-not-absolute", Warning: "A path does not start with `/`.";
        UNKNOWN_PATH_ITEM_FIELD = "unknown-path-item-field", Warning: "A path item has a key that is neither an HTTP method nor a path item field.";
        INVALID_OPERATION = "invalid-operation", Error: "An operation is not a mapping.";
        DUPLICATE_OPERATION = "duplicate-operation", Warning: "Two operations differ only by path parameter names; only the first is kept.";
        TRAILING_SLASH_DUPLICATE = "trailing-slash-duplicate", Warning: "Two operations differ only by a trailing slash; only the first is kept.";
        DUPLICATE_OPERATION_ID = "duplicate-operation-id", Error: "Two operations share an operationId (OpenAPI requires them unique; code generators and Konnect rely on it).";
        MISSING_RESPONSES = "missing-responses", Warning: "An operation describes no responses.";
        INVALID_STATUS = "invalid-status", Warning: "A response key is not a status code, a range like `4XX`, or `default`.";
        INVALID_PARAMETER = "invalid-parameter", Warning: "A parameter is malformed (no name, unknown location); it is ignored.";
        DUPLICATE_PARAMETER = "duplicate-parameter", Warning: "A parameter is declared twice; the first is used.";
        PARAMETER_WITHOUT_SCHEMA = "parameter-without-schema", Warning: "A parameter has no schema, so its type is unknown.";
        PATH_PARAMETER_NOT_REQUIRED = "path-parameter-not-required", Warning: "A path parameter is not `required: true`.";
        UNDECLARED_PATH_PARAMETER = "undeclared-path-parameter", Warning: "A `{parameter}` of the path template is not declared.";
        UNUSED_PATH_PARAMETER = "unused-path-parameter", Warning: "A declared path parameter does not appear in the path.";
        REQUEST_BODY_WITHOUT_CONTENT = "request-body-without-content", Warning: "A request body has no `content`.";
        BODY_AND_FORM_DATA = "body-and-form-data", Warning: "A Swagger 2.0 operation has both `body` and `formData` parameters; the form is ignored.";
        INVALID_SCHEMA = "invalid-schema", Warning: "A schema is malformed; the malformed part is ignored.";
        SCHEMA_TOO_DEEP = "schema-too-deep", Warning: "Inline schemas nest too deep; the rest is not shown.";
        INVALID_SERVER = "invalid-server", Warning: "A server entry is malformed.";
        DUPLICATE_TAG = "duplicate-tag", Warning: "A tag is declared twice.";
        INVALID_TAG = "invalid-tag", Warning: "A tag has no name.";
        INVALID_SECURITY_SCHEME = "invalid-security-scheme", Warning: "A security scheme has no or an unknown type; it is ignored.";
        UNKNOWN_SECURITY_SCHEME = "unknown-security-scheme", Warning: "A security requirement names a scheme that is not declared.";
        REF_NOT_A_STRING = "ref-not-a-string", Error: "A `$ref` is not a string.";
        REF_BAD_POINTER = "ref-bad-pointer", Error: "A `$ref` is malformed or points at nothing.";
        REF_MISSING_FILE = "ref-missing-file", Error: "A `$ref` names a file that does not exist.";
        REF_REMOTE = "ref-remote", Error: "A `$ref` names a remote URL; portalgen only reads files of the project.";
        REF_CYCLE = "ref-cycle", Error: "`$ref`s lead back to themselves without reaching an object.";
        REF_CHAIN_TOO_LONG = "ref-chain-too-long", Error: "More than 64 `$ref`s follow one another (without a cycle) before reaching an object.";
    }
    section "decK files" {
        DECK_FORMAT_VERSION = "deck-format-version", Warning: "`_format_version` is missing, not \"3.0\", or differs between files.";
        DECK_SELECT_TAGS = "deck-select-tags", Warning: "decK files carry different `_info.select_tags`.";
        DECK_REGEX_WITHOUT_TILDE = "deck-regex-without-tilde", Warning: "A route path looks like a regex but has no `~`, so Kong 3.x matches it as a prefix.";
        SERVICE_MISSING_NAME = "service-missing-name", Error: "A service has neither `name` nor `id`.";
        SERVICE_INVALID_URL = "service-invalid-url", Error: "A service `url` has no scheme or host.";
        SERVICE_INVALID_PATH = "service-invalid-path", Error: "A service `path` does not start with `/`.";
        DUPLICATE_SERVICE = "duplicate-service", Error: "Two services have the same name or id (decK refuses them).";
        DUPLICATE_ROUTE = "duplicate-route", Error: "Two routes have the same name or id (decK refuses them).";
        UNKNOWN_SERVICE = "unknown-service", Error: "A route or plugin refers to a service no decK file defines.";
        UNKNOWN_ROUTE = "unknown-route", Error: "A plugin's `route` names no route of the decK files (and `_info.default_lookup_tags` lets decK look up none in Kong).";
        UNKNOWN_CONSUMER = "unknown-consumer", Error: "A plugin's `consumer` names no consumer of the decK files (and `_info.default_lookup_tags` lets decK look up none in Kong).";
        UNKNOWN_CONSUMER_GROUP = "unknown-consumer-group", Error: "A plugin's `consumer_group` names no consumer group of the decK files (and `_info.default_lookup_tags` lets decK look up none in Kong).";
        ROUTE_MISSING_NAME = "route-missing-name", Error: "A route has neither `name` nor `id`.";
        ROUTE_INVALID_ID = "route-invalid-id", Error: "A route id is not a UUID.";
        ROUTE_INVALID_METHOD = "route-invalid-method", Error: "A route method is not upper-case letters.";
        ROUTE_INVALID_HOST = "route-invalid-host", Error: "A route host is not one Kong accepts (wildcards only at one end, …).";
        ROUTE_INVALID_HEADER = "route-invalid-header", Error: "A route header match is one Kong rejects (e.g. on `host`).";
        ROUTE_INVALID_PATH = "route-invalid-path", Error: "A route path does not start with `/` or `~/`, or holds `//`.";
        ROUTE_PATH_NOT_NORMALIZED = "route-path-not-normalized", Error: "A route path is not normalised; Kong rejects it.";
        ROUTE_INVALID_REGEX = "route-invalid-regex", Error: "A regex path or header is not a valid regex for Kong's router.";
        ROUTE_INVALID_PRIORITY = "route-invalid-priority", Error: "A route `priority` is outside 0 … 2^46-1.";
        ROUTE_INVALID_EXPRESSION = "route-invalid-expression", Error: "A route `expression` does not parse.";
        ROUTE_NO_MATCH_FIELDS = "route-no-match-fields", Error: "A route sets none of `methods`, `hosts`, `headers`, `paths` (or `snis`).";
        ROUTE_EXPRESSION_MIXED = "route-expression-mixed", Error: "A route sets `expression` together with fields Kong rejects beside it.";
        ROUTE_EXPRESSION_UNSUPPORTED = "route-expression-unsupported", Error: "A route uses `expression` under the `traditional_compatible` router flavor.";
        ROUTE_PRIORITY_IGNORED = "route-priority-ignored", Warning: "A route sets `priority`, which Kong only uses for expression routes.";
        PATH_HANDLING_IGNORED = "path-handling-ignored", Warning: "A route sets `path_handling: v1`, which the ATC router flavors do not honour.";
        ROUTE_REJECTED = "route-rejected", Error: "Kong's router rejects the route's expression.";
        CONSUMER_MISSING_NAME = "consumer-missing-name", Error: "A consumer has neither `username` nor `custom_id` (decK refuses it).";
        DECK_LITERAL_SECRET = "deck-literal-secret", Warning: "A consumer credential's secret (key, password, secret) is written literally in a decK file instead of as a decK env reference.";
        DECK_ENV_PREFIX = "deck-env-prefix", Error: "A decK env reference names a variable without decK's `DECK_` prefix, which decK refuses to render.";
        DECK_INVALID_DEFAULTS = "deck-invalid-defaults", Error: "`_info.defaults` sets a field decK refuses to default (`id`, `name`).";
        DECK_SEVERAL_WORKSPACES = "deck-several-workspaces", Error: "The decK files of one project name different `_workspace`s (decK syncs one workspace at a time).";
    }
    section "Routing" {
        NO_GATEWAY_MANIFEST = "no-gateway-manifest", Warning: "The project has no decK file at all (nothing matches `gateway.manifests`): the portal is built without checking which Kong route serves each operation.";
        OPERATION_UNMATCHED = "operation-unmatched", Error: "No route serves an operation (a warning when the operation is in no package).";
        OPERATION_AMBIGUOUS = "operation-ambiguous", Error: "Several routes tie for an operation's requests (a warning when the operation is in no package).";
        METHOD_NOT_EXPOSED = "method-not-exposed", Warning: "The route serving an operation's path does not accept its method.";
        FRAGILE_PRECEDENCE = "fragile-precedence", Warning: "Which route wins depends on Kong's 32-bit priority quirk, not on the documented order.";
        STRIP_PATH_DROPS_PATH = "strip-path-drops-path", Warning: "`strip_path` sends the operation upstream without its documented path.";
        PINNED_ROUTE_UNKNOWN = "pinned-route-unknown", Error: "A package item pins a route that is not in the decK files.";
        PINNED_ROUTE_MISMATCH = "pinned-route-mismatch", Error: "The route that really serves an operation is not the route its package item pins.";
        ROUTE_UNDOCUMENTED = "route-undocumented", Info: "A route serves no documented operation.";
        ROUTE_ENV_UNKNOWN = "route-env-unknown", Warning: "A route's matching fields hold decK env references, so which requests it takes is unknown; the operations it may take are unchecked.";
    }
    section "Applications" {
        APPLICATION_INVALID_NAME = "application-invalid-name", Error: "An application's `name` is not lowercase letters, digits and `-` (it names the application's consumers).";
        DUPLICATE_APPLICATION = "duplicate-application", Error: "Two applications have the same `name`.";
        APPLICATION_UNKNOWN_PACKAGE = "application-unknown-package", Error: "An application registers for a package no file of packages/ defines.";
        APPLICATION_UNKNOWN_API = "application-unknown-api", Error: "An application registers for an API no file of apis/ defines.";
        APPLICATION_API_NOT_PUBLISHED = "application-api-not-published", Error: "An application registers for an API that portal.yaml does not publish on its own (`apis.<slug>.auth_strategy` or `rate_limit`).";
        APPLICATION_DUPLICATE_REGISTRATION = "application-duplicate-registration", Error: "An application registers twice for one package or API.";
        APPLICATION_LITERAL_SECRET = "application-literal-secret", Error: "An application's key is written literally; applications hold credentials as decK env references only.";
        APPLICATION_CREDENTIAL_MISMATCH = "application-credential-mismatch", Error: "A credential does not fit its registration's auth strategy (`key` for key_auth, `client_id` for openid_connect, none for `none`).";
        APPLICATION_NO_CREDENTIALS = "application-no-credentials", Error: "A registration for a package or API with application auth has no credential, so the application cannot call it.";
        DUPLICATE_CREDENTIAL = "duplicate-credential", Error: "Two credentials hold the same key or client id (Kong requires them unique).";
        APPLICATION_CONSUMER_CLASH = "application-consumer-clash", Error: "The consumer of an application registration has the name of a consumer of the decK files.";
    }
    section "Rendering and output" {
        TEMPLATE_ERROR = "template-error", Error: "A template does not compile or fails to render.";
        TEMPLATE_OUT_OF_FUEL = "template-out-of-fuel", Error: "A template runs more instructions than `limits.template_fuel` for one page (an endless or very long loop).";
        UNKNOWN_TEMPLATE = "unknown-template", Error: "A file of templates/ replaces no template of the theme and no other template names it, so it would never be used.";
        PAGE_TOO_LARGE = "page-too-large", Error: "A generated file would be larger than `limits.page_size` (64 MiB by default).";
        OUTPUT_CLASH = "output-clash", Error: "Two files of the portal would be written to the same path, or one path would be both a file and a folder.";
        OUTPUT_FAILED = "output-failed", Error, fatal: "The output folder cannot be written.";
        SEARCH_INDEX_FAILED = "search-index-failed", Error: "Pagefind could not build the search index (a bug: please report it).";
    }
    section "Gateway export" {
        ACE_POLICY_MISMATCH = "ace-policy-mismatch", Warning: "The manifest's `ace` plugin has another `match_policy` than portal.yaml.";
        KONG_ACE_PLUGIN = "kong-ace-plugin", Warning: "The manifest has an `ace` plugin, which self-managed Kong cannot load.";
        KONG_AUTH_CONFLICT = "kong-auth-conflict", Error: "An operation is in packages (or an API publication) with different auth strategies; one route enforces only one.";
        KONG_ROUTE_INSEPARABLE = "kong-route-inseparable", Error: "A route serves operations enforced differently and cannot be split into routes that match and forward exactly as it does; the help names the least manifest change.";
        KONG_VERIFY_MISMATCH = "kong-verify-mismatch", Error: "Self-verification: what Kong would enforce with the exported file differs from what the portal promises for an operation; nothing is exported.";
        KONG_VERIFY_UNCHECKED = "kong-verify-unchecked", Warning: "Self-verification cannot check an operation, because decK env references decide its route or its plugins.";
        KONG_ROUTING_CHANGED = "kong-routing-changed", Error: "A route portalgen derives would change which route takes some request, or the path the upstream receives.";
        KONG_PLUGIN_EXISTS = "kong-plugin-exists", Warning: "The manifest already has an enabled plugin portalgen would add at that scope; the manifest's is kept (self-verification checks what it does).";
        KONG_PLUGIN_DISABLED = "kong-plugin-disabled", Warning: "A disabled manifest plugin sits where portalgen adds the same plugin; Kong never runs it, so portalgen's replaces it.";
        KONG_PLUGIN_OUTRANKED = "kong-plugin-outranked", Warning: "A manifest plugin at a broader scope no longer applies where portalgen's instance of the same plugin outranks it (Kong runs one instance per plugin name).";
        KONG_RATE_LIMIT_WITHOUT_AUTH = "kong-rate-limit-without-auth", Warning: "A package has rate limits but no auth strategy, so Kong cannot count per application.";
        KONG_PACKAGE_NO_CONSUMERS = "kong-package-no-consumers", Info: "No application or manifest consumer is registered for a package yet.";
        KONG_CONSUMER_UNNAMED = "kong-consumer-unnamed", Error: "A registered consumer with rate limits has neither `username` nor `id`, so no plugin can be scoped to it (a warning without limits).";
        KONG_CONSUMER_SEVERAL_PACKAGES = "kong-consumer-several-packages", Error: "A manifest consumer is registered for several packages of which some have rate limits; one consumer carries one package's limits.";
        KONG_OIDC_AUTH_METHOD = "kong-oidc-auth-method", Warning: "An OpenID Connect strategy lists auth methods the plugin does not know.";
        ACE_MATCH_POLICY_REQUIRED = "ace-match-policy-required", Warning: "`gateway.match_policy: required` makes ACE answer 404 to every request that matches no documented operation (an info when every route serves documented operations).";
        ACE_RATE_LIMITING_INCOMPLETE = "ace-rate-limiting-incomplete", Warning: "`gateway.ace.rate_limiting` sets `redis` without `sync_rate` (Redis is never used) or `sync_rate` without `redis` (Kong's default Redis at 127.0.0.1).";
        ACE_RATE_LIMITING_MISMATCH = "ace-rate-limiting-mismatch", Warning: "The manifest's `ace` plugin has other `rate_limiting` settings than `gateway.ace`; the manifest's plugin is kept.";
        SELECT_TAGS_MISMATCH = "select-tags-mismatch", Error: "`gateway.select_tags` differ from the decK files' `_info.select_tags`, so a sync would not find the entities it manages.";
    }
    section "Konnect catalog" {
        KONNECT_UNSUPPORTED_SECTION = "konnect-unsupported-section", Warning: "The manifest has a section Konnect does not accept (`_workspace`, `rbac_roles`, `licenses`); the Konnect export leaves it out.";
        KONNECT_CONTROL_PLANE_MISMATCH = "konnect-control-plane-mismatch", Error: "`konnect.control_plane` names another control plane than the manifest's `_konnect.control_plane_name`.";
        KONNECT_API_NOT_IMPLEMENTED = "konnect-api-not-implemented", Error: "A package holds operations of an API that no route of the control plane serves, so Konnect cannot link the API to it.";
        KONNECT_DUPLICATE_API = "konnect-duplicate-api", Error: "Two APIs have the same name (title) and version; Konnect requires them unique.";
        KONNECT_INVALID_VALUE = "konnect-invalid-value", Error: "A value Konnect refuses: an API name or version over 255 characters, an OpenID Connect issuer that is not an http(s) URL of at most 256 characters, more than 10 credential claims or auth methods, or more than 50 scopes.";
        KONNECT_SPEC_SPLIT = "konnect-spec-split", Warning: "An API's document is read from a folder (split across files); Konnect receives only the entry file, so its `$ref`s to other files break.";
    }
}

/// docs/diagnostics.md, generated from [`ALL`].
pub fn markdown() -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "# Diagnostics\n\n\
         <!-- Generated from src/diagnostics/codes.rs; `PORTALGEN_BLESS=1 cargo test diagnostics_doc` rewrites it. -->\n\n\
         Every problem portalgen reports has a stable code. An **error** fails the run (exit code 1); \
         a **warning** fails it only under `--strict`; an **info** never does. A **fatal** problem \
         means the command could not do its work at all (exit code 2).\n",
    );
    let mut section = "";
    for c in ALL {
        if c.section() != section {
            section = c.section();
            let _ = write!(
                out,
                "\n## {section}\n\n| code | severity | meaning |\n|---|---|---|\n"
            );
        }
        let severity = if c.fatal() {
            format!("{} (fatal)", c.severity().as_str())
        } else {
            c.severity().as_str().to_string()
        };
        let _ = writeln!(
            out,
            "| `{}` | {severity} | {} |",
            c.id(),
            c.meaning().replace('|', "\\|")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for c in ALL {
            assert!(seen.insert(c.id()), "code `{}` is registered twice", c.id());
            assert!(
                c.id().split('-').all(|w| !w.is_empty()
                    && w.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
                "code `{}` is not kebab-case",
                c.id()
            );
            assert!(
                c.meaning().ends_with('.'),
                "meaning of `{}` is not a sentence",
                c.id()
            );
        }
    }

    #[test]
    fn diagnostics_doc() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md");
        let want = markdown();
        if std::env::var_os("PORTALGEN_BLESS").is_some() {
            std::fs::write(&path, &want).unwrap();
            return;
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "docs/diagnostics.md is stale: run `PORTALGEN_BLESS=1 cargo test diagnostics_doc`"
        );
    }
}
