//! `routing::inputs`: packages, pins and gateway settings reach each operation's input, and a
//! full check over them reports pin failures at the package item.

use crate::routing_support as support;

use indexmap::IndexMap;
use portalgen::config::{ApiSettings, AuthChoice, GatewaySettings, PortalConfig};
use portalgen::gateway::Manifest;
use portalgen::model::{Method, Package, PackageOperation, Visibility};
use portalgen::routing;
use portalgen::source::{SourceMap, Span};

fn package(slug: &str, items: &[(&str, Method, &str, Option<&str>, u32)]) -> Package {
    Package {
        slug: slug.into(),
        name: slug.into(),
        version: None,
        description: None,
        rate_limit: None,
        auth_strategy: AuthChoice::Default,
        visibility: Visibility::Public,
        teams: vec![],
        operations: items
            .iter()
            .map(|(api, method, path, route, line)| PackageOperation {
                api: api.to_string(),
                method: *method,
                path: path.to_string(),
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
    let apis = vec![api];
    let packages = vec![
        package(
            "silver",
            &[("shop", Method::Get, "/orders", Some("orders-post"), 4)],
        ),
        package(
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
        span: Span::file("portal.yaml"),
    };
    let inputs = routing::inputs(&apis, &packages, &config);
    assert_eq!(inputs.len(), 2);
    assert_eq!(
        inputs[0].packages,
        vec!["gold".to_string(), "silver".to_string()]
    );
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

    let deck = "_format_version: \"3.0\"\nservices:\n- name: shop\n  url: http://shop.internal\n  routes:\n  - {name: orders-get, hosts: [api.example.com], methods: [GET], paths: [/shop/orders]}\n  - {name: orders-post, hosts: [api.example.com], methods: [POST], paths: [/shop/orders]}\n";
    let sources = SourceMap::default();
    let (manifest, _) =
        Manifest::from_texts(&[("gateway/kong.yaml".into(), deck.into())], &sources);
    let (results, diags) = routing::check(
        &inputs,
        &manifest,
        portalgen::config::RouterFlavor::TraditionalCompatible,
    );
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
