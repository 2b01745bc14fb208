//! `rate_limit: {limit: N, duration: seconds|minutes|hours}` as Konnect defines it, read with
//! positions. Shared by packages, package operations and APIs.

use crate::diagnostics::codes;
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::read::Fields;
use crate::model::{Duration, RateLimit};
use crate::tree::Node;

pub fn read(node: &Node, file: &Arc<str>, diags: &mut Diagnostics) -> Option<RateLimit> {
    let f = Fields::new(node, file, "`rate_limit`", diags)?;
    f.deny_unknown(&["limit", "duration"], diags);
    let limit_node = f.required("limit", diags);
    let limit = match limit_node {
        Some(n) => match n.as_i64() {
            Some(i) if i >= 0 => Some(i as u64),
            _ => {
                diags.push(
                    Diagnostic::new(
                        codes::INVALID_RATE_LIMIT,
                        format!(
                            "`limit` must be a non-negative integer, found {}",
                            describe(n)
                        ),
                    )
                    .at(&f.span_of(n))
                    .help("write a whole number of requests, e.g. `limit: 5`"),
                );
                None
            }
        },
        None => None,
    };
    let duration = match f.required("duration", diags) {
        Some(n) => match n.as_str() {
            Some("seconds") => Some(Duration::Seconds),
            Some("minutes") => Some(Duration::Minutes),
            Some("hours") => Some(Duration::Hours),
            _ => {
                let found = n.scalar_text().unwrap_or_else(|| n.kind().to_string());
                let hint = match found.as_str() {
                    "second" | "sec" | "s" => " (did you mean `seconds`?)",
                    "minute" | "min" | "m" => " (did you mean `minutes`?)",
                    "hour" | "h" => " (did you mean `hours`?)",
                    "day" | "days" | "month" | "months" | "year" | "years" => {
                        " (Konnect has no longer windows: express it in hours)"
                    }
                    _ => "",
                };
                diags.push(
                    Diagnostic::new(
                        codes::INVALID_RATE_LIMIT,
                        format!("`duration: {found}` is not a Konnect rate-limit unit{hint}"),
                    )
                    .at(&f.span_of(n))
                    .help("allowed units: seconds, minutes, hours"),
                );
                None
            }
        },
        None => None,
    };
    Some(RateLimit {
        limit: limit?,
        duration: duration?,
    })
}

fn describe(n: &Node) -> String {
    if let crate::tree::Value::Float(f) = n.value {
        return format!("`{f:?}`");
    }
    match n.scalar_text() {
        Some(t) => format!("`{t}`"),
        None => n.kind().to_string(),
    }
}
