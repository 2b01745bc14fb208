//! `routing::inputs`: packages, pins and gateway settings reach each operation's input, and a
//! full check over them reports pin failures at the package item.

use crate::routing_support as support;

use indexmap::IndexMap;
use portalgen::kong;
use portalgen::model::config::{ApiSettings, AuthChoice, GatewaySettings, PortalConfig};
use portalgen::model::{
    Api, Method, OperationId, Package, PackageId, PackageOperation, Slug, Visibility,
};
use portalgen::source::{SourceMap, Span};

/// A package of `items` (API, method, path, pinned route, line), resolved against `apis`.
fn package(apis: &[Api], slug: &str, items: &[(&str, Method, &str, Option<&str>, u32)]) -> Package {
    Package {
        slug: Slug::parse(slug).unwrap(),
        name: slug.into(),
        version: None,
        description: None,
        rate_limit: None,
        auth_strategy: AuthChoice::Default,
        visibility: Visibility::Public,
        teams: vec![],
        auto_approve_registrations: false,
        operations: items
            .iter()
            .map(|(api, method, path, route, line)| PackageOperation {
                operation: {
                    let ai = apis.iter().position(|a| a.slug == *api).unwrap();
                    let oi = apis[ai]
                        .operations
                        .iter()
                        .position(|o| o.method == *method && o.path == *path)
                        .unwrap();
                    OperationId::new(portalgen::model::ApiId::new(ai), oi)
                },
                rate_limit: None,
                route: route.map(str::to_string),
                span: Span::new(format!("packages/{slug}.yaml"), *line, 5),
            })
            .collect(),
        span: Span::new(format!("packages/{slug}.yaml"), 1, 1),
    }
}

#[test]
fn inputs_carry_packages_pins_and_gateway_settings() {
    let ops = vec![
        support::operation("GET", "/orders", Some("list"), &[], 3),
        support::operation("POST", "/orders", Some("create"), &[], 7),
    ];
    let api = support::api("shop", &["https://backend.example.com/api"], ops);
    let other = support::api(
        "other",
        &["https://other.example.com"],
        vec![support::operation("POST", "/orders", Some("other"), &[], 3)],
    );
    let apis = vec![api, other];
    let packages = vec![
        package(
            &apis,
            "silver",
            &[("shop", Method::Get, "/orders", Some("orders-post"), 4)],
        ),
        package(
            &apis,
            "gold",
            &[
                ("shop", Method::Get, "/orders", None, 9),
                ("other", Method::Post, "/orders", None, 10),
            ],
        ),
    ];
    let mut settings = IndexMap::new();
    settings.insert(
        "shop".to_string(),
        ApiSettings {
            gateway_host: Some("api.example.com".into()),
            gateway_path_prefix: Some("/shop".into()),
            ..ApiSettings::default()
        },
    );
    let config = PortalConfig {
        title: "t".into(),
        base_url: "https://portal.example.com/".into(),
        description: None,
        theme: "default".into(),
        registration_url: None,
        auth_strategies: vec![],
        apis: settings,
        gateway: GatewaySettings::default(),
        read_roots: Vec::new(),
        limits: Default::default(),
        limit_spans: Default::default(),
        konnect: Default::default(),
        span: Span::file("portal.yaml"),
    };
    let index = portalgen::validate::routing::package_index(&apis, &packages);
    let inputs = portalgen::validate::routing::inputs(&apis, &packages, &index, &config);
    assert_eq!(inputs.len(), 3);
    // Both packages hold GET /orders of `shop`: silver (id 0) and gold (id 1).
    assert_eq!(inputs[0].packages, vec![PackageId(0), PackageId(1)]);
    assert_eq!(
        inputs[0].pinned_routes,
        vec![(
            "orders-post".to_string(),
            Span::new("packages/silver.yaml", 4, 5)
        )]
    );
    assert_eq!(inputs[0].gateway_host.as_deref(), Some("api.example.com"));
    assert_eq!(inputs[0].path_prefix.as_deref(), Some("/shop"));
    assert!(
        inputs[1].packages.is_empty(),
        "the POST item belongs to API `other`"
    );
    assert_eq!(inputs[2].packages, vec![PackageId(1)]);
    let inputs = &inputs[..2];

    let deck = "_format_version: \"3.0\"\nservices:\n- name: shop\n  url: http://shop.internal\n  routes:\n  - {name: orders-get, hosts: [api.example.com], methods: [GET], paths: [/shop/orders]}\n  - {name: orders-post, hosts: [api.example.com], methods: [POST], paths: [/shop/orders]}\n";
    let sources = SourceMap::default();
    let (manifest, _) =
        portalgen::load::deck::from_texts(&[("gateway/kong.yaml".into(), deck.into())], &sources);
    let (verdicts, diags) = kong::check(
        inputs,
        &manifest,
        portalgen::model::config::RouterFlavor::TraditionalCompatible,
    );
    let results = portalgen::cli::json::reports(inputs, &verdicts, &manifest, &[]);
    assert_eq!(results[0].route.as_deref(), Some("orders-get"));
    assert_eq!(results[1].route.as_deref(), Some("orders-post"));
    let pin = diags
        .iter()
        .find(|d| d.code == "pinned-route-mismatch")
        .expect("pin fails");
    assert_eq!(
        (pin.file.as_deref(), pin.line),
        (Some("packages/silver.yaml"), Some(4))
    );
    assert!(
        pin.message
            .contains("pinned route `orders-post` does not serve GET /orders: `orders-get` wins"),
        "{}",
        pin.message
    );
}
