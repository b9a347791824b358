//! Did-you-mean suggestions for misspelt names.

/// The candidate closest to `input`, if any is close enough to be a plausible typo.
///
/// Uses Damerau-Levenshtein distance so that transpositions such as `amd46` → `amd64`
/// count as one edit; a candidate must be within a third of the input's length.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (input.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|candidate| (strsim::damerau_levenshtein(input, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, candidate)| (*distance, *candidate))
        .map(|(_, candidate)| candidate)
}

/// The ` (hint: did you mean "x"?)` tail of a message, or nothing without a suggestion.
pub fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion
        .map(|s| format!(" (hint: did you mean {s:?}?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggests_transpositions_and_typos() {
        assert_eq!(closest("amd46", ["amd64", "arm64", "386"]), Some("amd64"));
        assert_eq!(closest("linxu", ["linux", "darwin"]), Some("linux"));
        assert_eq!(closest("arhc", ["arch", "os"]), Some("arch"));
        assert_eq!(closest("zzzzzz", ["linux", "darwin"]), None);
    }
}
