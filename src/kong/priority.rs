//! Route priorities, twice: as Kong's code really computes them (`get_priority` in
//! `kong/router/transform.lua`, run by LuaJIT) and as Kong's documentation describes the order.
//!
//! The code-effective value reproduces LuaJIT's arithmetic bit for bit (reference section 3.5):
//! `lshift_uint64(v, n)` only rebinds a local, so for the plain Lua numbers `match_weight`,
//! `headers_count` and `regex_priority` LuaJIT's 32-bit `bit.lshift` runs, with the shift count
//! taken mod 32 (61 → 29, 52 → 20, 19 → 19) and the operand and result as int32. Only
//! `PLAIN_HOST_ONLY_BIT` (2^60), `REGEX_URL_BIT` (2^51) and `EXPRESSION_ONLY_BIT` are real
//! 64-bit cdata. When `bit.bor` mixes numbers with 64-bit cdata, current LuaJIT 2.1 converts
//! each number through `tobit` and sign-extends it (`lj_carith_check64`); a negative 32-bit
//! term therefore sets the 32 high bits and the route jumps ahead of everything. The same
//! sign extension happens when an all-number (int32) priority is handed to the FFI `size_t`
//! parameter of `router_add_matcher`. (The reference observed 2^63 for such terms with an old
//! LuaJIT JIT path; both variants put the route first, only their relative order differs.)

use crate::model::gateway::Route;

/// The fields of a route (one split group) that priorities are computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inputs {
    /// Number of non-empty fields among sources, destinations, methods, hosts, headers,
    /// snis, paths.
    pub weight: u32,
    /// `hosts` is a list (possibly empty) without `*`.
    pub plain_hosts_only: bool,
    /// Number of header names, capped at 255.
    pub header_count: u32,
    /// The group's paths are regexes.
    pub regex: bool,
    /// `regex_priority` (only counted for regex groups).
    pub regex_priority: i64,
    /// Byte length of the group's prefix paths (0 for regex groups).
    pub uri_length: usize,
    /// `expression` routes (expressions flavor): their `priority`.
    pub expression_priority: Option<u64>,
}

impl Inputs {
    pub fn of(route: &Route, paths: &[String], expression_route: bool) -> Inputs {
        if expression_route {
            return Inputs {
                weight: 0,
                plain_hosts_only: false,
                header_count: 0,
                regex: false,
                regex_priority: 0,
                uri_length: 0,
                expression_priority: Some(super::rules::priority(route).unwrap_or(0)),
            };
        }
        let mut weight = 0;
        for present in [
            !route.sources.is_empty(),
            !route.destinations.is_empty(),
            !route.methods.is_empty(),
            !route.hosts.is_empty(),
            super::rules::match_headers(route).next().is_some(),
            !route.snis.is_empty(),
            !paths.is_empty(),
        ] {
            weight += u32::from(present);
        }
        let regex = paths.first().is_some_and(|p| p.starts_with('~'));
        Inputs {
            weight,
            plain_hosts_only: route.hosts_present && !route.hosts.iter().any(|h| h.contains('*')),
            header_count: (super::rules::match_headers(route).count() as u32).min(255),
            regex,
            regex_priority: if regex { route.regex_priority } else { 0 },
            uri_length: if regex {
                0
            } else {
                paths.first().map_or(0, String::len)
            },
            expression_priority: None,
        }
    }
}

/// LuaJIT `bit.lshift(x, n)` on a Lua number: `tobit(x) << (n & 31)` as int32.
fn lshift32(x: i64, n: u32) -> i32 {
    ((x as u32).wrapping_shl(n & 31)) as i32
}

/// A number operand of a 64-bit `bit.bor` (or of the `size_t` FFI argument): sign-extended.
fn widen(x: i32) -> u64 {
    x as i64 as u64
}

const PLAIN_HOST_ONLY_BIT: u64 = 1 << 60;
const REGEX_URL_BIT: u64 = 1 << 51;
const EXPRESSION_ONLY_BIT: u64 = 0xFF << 56;

/// The priority Kong's code hands atc-router.
pub fn effective(i: &Inputs) -> u64 {
    if let Some(p) = i.expression_priority {
        // bor(EXPRESSION_ONLY_BIT, route.priority): the number goes through tobit.
        return EXPRESSION_ONLY_BIT | widen(p as i64 as u32 as i32);
    }
    let weight = widen(lshift32(i64::from(i.weight), 61));
    let headers = widen(lshift32(i64::from(i.header_count), 52));
    let regex_priority = widen(lshift32(if i.regex { i.regex_priority } else { 0 }, 19));
    let max_length = (i.uri_length & 0x7FFFF) as u64;
    let mut p = weight | headers | regex_priority | max_length;
    if i.plain_hosts_only {
        p |= PLAIN_HOST_ONLY_BIT;
    }
    if i.regex {
        p |= REGEX_URL_BIT;
    }
    p
}

/// The 64-bit layout Kong's comment and documentation intend (real 64-bit shifts).
pub fn intended(i: &Inputs) -> u64 {
    if let Some(p) = i.expression_priority {
        return EXPRESSION_ONLY_BIT | p;
    }
    let mut p = (u64::from(i.weight.min(7)) << 61)
        | (u64::from(i.header_count) << 52)
        | ((i.uri_length & 0x7FFFF) as u64);
    if i.regex {
        p |= REGEX_URL_BIT | (((i.regex_priority as u64) << 19) & ((1u64 << 51) - (1u64 << 19)));
    }
    if i.plain_hosts_only {
        p |= PLAIN_HOST_ONLY_BIT;
    }
    p
}

/// Sort key of the documented order (traditional.md, "traditional compatible mode"); larger
/// wins: expression routes by `priority`; classic routes by match weight, plain hosts only,
/// header count, regex before prefix, then `regex_priority` (regexes) or length (prefixes).
pub type DocKey = (bool, u64, u32, bool, u32, bool, i64, usize);

pub fn documented(i: &Inputs) -> DocKey {
    match i.expression_priority {
        Some(p) => (true, p, 0, false, 0, false, 0, 0),
        None => (
            false,
            0,
            i.weight.min(7),
            i.plain_hosts_only,
            i.header_count,
            i.regex,
            i.regex_priority,
            i.uri_length,
        ),
    }
}

/// Short human description of what decided a matcher's rank, for messages.
pub fn describe(i: &Inputs, effective: u64) -> String {
    if let Some(p) = i.expression_priority {
        return format!("expression route, priority {p}, effective 0x{effective:016x}");
    }
    let kind = if i.regex {
        format!("regex path, regex_priority {}", i.regex_priority)
    } else if i.uri_length > 0 {
        format!("prefix path of length {}", i.uri_length)
    } else {
        "no path".to_string()
    };
    format!(
        "{kind}, {} matching field(s), priority 0x{effective:016x}",
        i.weight
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> Inputs {
        Inputs {
            weight: 0,
            plain_hosts_only: false,
            header_count: 0,
            regex: false,
            regex_priority: 0,
            uri_length: 0,
            expression_priority: None,
        }
    }

    #[test]
    fn effective_uses_32_bit_shifts() {
        // paths + methods, prefix /orders: weight 2 → 2 << 29, length 7.
        let i = Inputs {
            weight: 2,
            uri_length: 7,
            ..inputs()
        };
        assert_eq!(effective(&i), (2u64 << 29) | 7);
        assert_eq!(intended(&i), (2u64 << 61) | 7);
        // regex path alone, regex_priority 100: bit 51 | 1 << 29 | 100 << 19.
        let r = Inputs {
            weight: 1,
            regex: true,
            regex_priority: 100,
            ..inputs()
        };
        assert_eq!(effective(&r), (1u64 << 51) | (1 << 29) | (100 << 19));
        // The regex route outranks the prefix route with more fields in code, not in docs.
        assert!(effective(&r) > effective(&i));
        assert!(documented(&r) < documented(&i));
        assert!(intended(&r) < intended(&i));
    }

    #[test]
    fn header_count_and_regex_priority_overlap() {
        // 1 header → 1 << 20; regex_priority 2 → 2 << 19 = 1 << 20: OR, not add.
        let a = Inputs {
            weight: 2,
            header_count: 1,
            regex: true,
            regex_priority: 2,
            ..inputs()
        };
        let b = Inputs {
            weight: 2,
            header_count: 1,
            regex: true,
            regex_priority: 0,
            ..inputs()
        };
        assert_eq!(effective(&a), effective(&b) | (1 << 20));
        assert_eq!(effective(&a), effective(&b));
    }

    #[test]
    fn negative_terms_sign_extend() {
        let neg = Inputs {
            weight: 1,
            regex: true,
            regex_priority: -1,
            ..inputs()
        };
        assert!(effective(&neg) >= 0xFFFF_FFFF_0000_0000);
        // weight 4 → 4 << 29 = 2^31 → negative int32.
        let w4 = Inputs {
            weight: 4,
            uri_length: 3,
            ..inputs()
        };
        assert_eq!(effective(&w4), 0xFFFF_FFFF_8000_0003);
        // regex_priority ≥ 1024 spills into the weight bits.
        let spill = Inputs {
            weight: 1,
            regex: true,
            regex_priority: 1024,
            ..inputs()
        };
        assert_eq!(effective(&spill), (1u64 << 51) | (1 << 29));
    }

    #[test]
    fn expression_routes_come_first() {
        let e = Inputs {
            expression_priority: Some(7),
            ..inputs()
        };
        assert_eq!(effective(&e), (0xFFu64 << 56) | 7);
        // tobit: priorities above 2^31 wrap.
        let big = Inputs {
            expression_priority: Some(1 << 32),
            ..inputs()
        };
        assert_eq!(effective(&big), 0xFFu64 << 56);
        assert_eq!(intended(&big), (0xFFu64 << 56) | (1 << 32));
    }
}
