//! portalgen's integration tests, compiled as ONE test binary (`cargo test --test testsuite`),
//! the way ripgrep (`tests/`) and mdBook (`tests/testsuite/`) do: each former `tests/*.rs`
//! binary linked the whole crate on its own, which made `cargo test` spend most of its time
//! linking. One module per topic; the shared harness is `common` (see its header for skips
//! and for re-blessing the golden files).
//!
//! Run one module with a filter: `cargo test --test testsuite routing_cases::`.

mod common;
mod entries;
mod routing_support;

mod audience;
mod broken;
mod broken_table;
mod browser;
mod cli_build;
mod cli_progress;
mod downloads;
mod export_cases;
mod export_kong;
mod export_konnect;
mod export_plan;
mod export_property;
mod fuzz_findings;
mod golden;
mod guides;
mod invariant;
mod layout;
mod llms;
mod openapi_corpora;
mod openapi_errors;
mod openapi_frontends;
mod openapi_fuzz;
mod openapi_refs;
mod packages;
mod properties;
mod reference;
mod render_partials;
mod render_plan;
mod routing_bench;
mod routing_cases;
mod routing_diagnostics;
mod routing_engine;
mod routing_inputs;
mod routing_report;
mod routing_upstream;
mod search;
mod serve;
mod serve_incremental;
