//! portalgen: turns a portal project (OpenAPI documents, API packages, a Kong decK manifest and
//! markdown pages) into a static developer portal and a Kong gateway configuration.
//!
//! The modules read as the pipeline: [`load`] reads files into the model, [`validate`] resolves
//! references and runs every rule, [`render`] turns the validated [`model::Portal`] into pages,
//! [`output`] writes them; [`export`], [`serve`] and the `check` command reuse those stages.

pub mod audience;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod export;
pub mod gateway;
pub mod load;
pub mod markdown;
pub mod model;
pub mod openapi;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod routing;
pub mod serve;
pub mod source;
pub mod tree;
pub mod validate;
