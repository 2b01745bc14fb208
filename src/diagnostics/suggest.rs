//! "Did you mean": the candidate closest to a misspelt name, for the help line of a diagnostic.
//! One rule for every suggestion portalgen makes (keys, APIs, auth strategies, operations,
//! `$ref` targets): case-insensitive optimal-string-alignment distance (`strsim`, so a swap of
//! two letters is one edit), close enough when at most a third of the longer name differs.

/// Case-insensitive edit distance between two names.
pub fn distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(&a.to_lowercase(), &b.to_lowercase())
}

/// Whether a candidate at `distance` from `word` is close enough to suggest.
fn close_enough(word: &str, candidate: &str, distance: usize) -> bool {
    distance <= (word.chars().count().max(candidate.chars().count()) / 3).max(1)
}

/// The closest candidate to `word`, when close enough to be a likely typo (never `word` itself).
pub fn did_you_mean<'c, S: AsRef<str>>(word: &str, candidates: &'c [S]) -> Option<&'c str> {
    let mut budget = usize::MAX;
    closest(word, candidates.iter().map(AsRef::as_ref), &mut budget)
}

/// [`did_you_mean`] over any candidates, with `budget` bounding the work (characters compared)
/// across calls: thousands of misses against a huge mapping stay cheap, and an exhausted
/// budget gives no suggestion rather than more work.
pub fn closest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
    budget: &mut usize,
) -> Option<&'a str> {
    let len = word.chars().count();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let clen = c.chars().count();
        *budget = budget.checked_sub(clen + 1)?;
        if c == word || clen.abs_diff(len) > (len.max(clen) / 3).max(1) {
            continue;
        }
        *budget = budget.checked_sub(len * clen)?;
        let d = distance(word, c);
        if close_enough(word, c, d) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(distance("rate_limt", "rate_limit"), 1);
        assert_eq!(distance("theem", "theme"), 1);
        assert_eq!(
            did_you_mean("ratelimit", &["rate_limit", "teams"]),
            Some("rate_limit")
        );
        assert_eq!(did_you_mean("zzz", &["rate_limit", "teams"]), None);
        assert_eq!(did_you_mean("Title", &["title"]), Some("title"));
        // The same name is no suggestion.
        assert_eq!(did_you_mean("s.yaml", &["s.yaml"]), None);
        let mut budget = 3;
        assert_eq!(closest("Pett", ["Pet"].into_iter(), &mut budget), None);
    }
}
