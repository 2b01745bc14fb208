//! The partitioned engine (several atc-router instances keyed by method and first path
//! segment) must pick exactly what one Kong-style router holding every matcher picks. Checked
//! on a generated manifest mixing prefixes, regexes, methods, hosts, headers and split routes,
//! against many requests, with both engines running the real atc-router.

use portalgen::kong::engine::{Engine, Request};
use portalgen::model::config::RouterFlavor;
use portalgen::source::SourceMap;

/// Small deterministic generator (no external randomness: failures reproduce).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() as usize) % items.len()]
    }
}

const SEGMENTS: &[&str] = &["orders", "users", "repos", "items", "ord", "v1", "admin"];
const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE"];
const HOSTS: &[&str] = &[
    "api.example.com",
    "*.example.com",
    "api.*",
    "shop.example.com:8443",
];

fn generated_manifest(seed: u64, routes: usize) -> String {
    let mut rng = Lcg(seed);
    let mut out = String::from(
        "_format_version: \"3.0\"\nservices:\n- name: s\n  url: http://backend\n  routes:\n",
    );
    for i in 0..routes {
        out.push_str(&format!("  - name: r{i}\n"));
        let paths: Vec<String> = (0..1 + rng.next() % 3)
            .map(|_| {
                let a = rng.pick(SEGMENTS);
                let b = rng.pick(SEGMENTS);
                match rng.next() % 6 {
                    0 => format!("/{a}"),
                    1 => format!("/{a}/{b}"),
                    2 => format!("'~/{a}/\\d+$'"),
                    3 => format!("'~/{a}/(?<id>[^/]+)/{b}$'"),
                    4 => format!("'~/({a}|{b})/x'"),
                    _ => "/".to_string(),
                }
            })
            .collect();
        out.push_str(&format!("    paths: [{}]\n", paths.join(", ")));
        if rng.next().is_multiple_of(2) {
            out.push_str(&format!("    methods: [{}]\n", rng.pick(METHODS)));
        }
        if rng.next().is_multiple_of(4) {
            out.push_str(&format!("    hosts: ['{}']\n", rng.pick(HOSTS)));
        }
        if rng.next().is_multiple_of(6) {
            out.push_str("    headers: {x-version: [v1, '~*^v[23]$']}\n");
        }
        if rng.next().is_multiple_of(5) {
            out.push_str(&format!("    regex_priority: {}\n", rng.next() % 3));
        }
    }
    out
}

fn requests(seed: u64, n: usize) -> Vec<Request> {
    let mut rng = Lcg(seed);
    (0..n)
        .map(|_| {
            let a = rng.pick(SEGMENTS);
            let b = rng.pick(SEGMENTS);
            let path = match rng.next() % 5 {
                0 => format!("/{a}"),
                1 => format!("/{a}/{}", rng.next() % 100),
                2 => format!("/{a}/{b}/{b}"),
                3 => format!("/{a}/x/{b}"),
                _ => format!("/{a}{b}"),
            };
            let host = rng.pick(&[
                "api.example.com",
                "eu.example.com",
                "api.example.org",
                "shop.example.com",
            ]);
            Request {
                method: rng.pick(METHODS).to_string(),
                host: Some(host.to_string()),
                port: if rng.next().is_multiple_of(3) {
                    8443
                } else {
                    443
                },
                scheme: "https".into(),
                path,
                headers: if rng.next().is_multiple_of(2) {
                    vec![(
                        "x-version".into(),
                        rng.pick(&["v1", "V2", "v9"]).to_string(),
                    )]
                } else {
                    vec![]
                },
            }
        })
        .collect()
}

#[test]
fn partitioned_engine_picks_what_one_router_picks() {
    for seed in [1u64, 7, 42] {
        let sources = SourceMap::default();
        let text = generated_manifest(seed, 150);
        let (manifest, diags) =
            portalgen::load::deck::from_texts(&[("gateway/gen.yaml".into(), text)], &sources);
        assert!(!diags.has_errors(), "{:?}", diags.into_vec());
        let (split, d1) = Engine::build_with(&manifest, RouterFlavor::TraditionalCompatible, true);
        let (single, d2) =
            Engine::build_with(&manifest, RouterFlavor::TraditionalCompatible, false);
        assert!(d1.is_empty() && d2.is_empty());
        assert_eq!(split.matchers.len(), single.matchers.len());
        let mut matched = 0;
        for req in requests(seed * 31, 3000) {
            let a = split
                .select(&req)
                .map(|s| (split.matchers[s.matcher].uuid, s.matched_path));
            let b = single
                .select(&req)
                .map(|s| (single.matchers[s.matcher].uuid, s.matched_path));
            assert_eq!(a, b, "seed {seed}, request {req:?}");
            matched += usize::from(a.is_some());
            // The router's winner is the first of all matches in scan order.
            let all = single.all_matches(&req);
            let first = all.first().map(|&i| single.matchers[i].uuid);
            // Listing every match through the partitions' prefilters loses nothing.
            let all_split: Vec<_> = split
                .all_matches(&req)
                .iter()
                .map(|&i| split.matchers[i].uuid)
                .collect();
            let all_single: Vec<_> = all.iter().map(|&i| single.matchers[i].uuid).collect();
            assert_eq!(all_split, all_single, "seed {seed}, request {req:?}");
            assert_eq!(
                first,
                b.as_ref().map(|(u, _)| *u),
                "seed {seed}, request {req:?}"
            );
        }
        assert!(
            matched > 500,
            "too few requests matched ({matched}) to prove anything"
        );
    }
}
