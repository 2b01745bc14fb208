//! How a fuzz input becomes several files: parts separated by two NUL bytes (plain text stays
//! plain text, so libFuzzer's mutations and dictionaries work on YAML as written).

pub fn parts(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some(i) = rest.windows(2).position(|w| w == [0, 0]) {
        out.push(&rest[..i]);
        rest = &rest[i + 2..];
    }
    out.push(rest);
    out
}

/// The first two parts (the second empty when there is one).
pub fn two(data: &[u8]) -> (&[u8], &[u8]) {
    let p = parts(data);
    (p[0], p.get(1).copied().unwrap_or_default())
}
