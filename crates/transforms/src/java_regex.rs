//! Java's regular expressions as Kafka's `RegexRouter` and `TopicNameMatches` use them: a
//! *whole* topic must match (`Matcher.matches`), and a replacement takes `$n` (the longest
//! group number that exists), `${name}` and `\x` (a literal x).
//!
//! The expressions themselves are run by the `regex` crate, whose syntax is Java's for
//! what topic patterns use (classes, groups, alternation, repetition); Java's lookaround
//! and backreferences are not available and are refused when the config is read.

use regex::{Captures, Regex};

/// A pattern that must match the whole text.
#[derive(Debug, Clone)]
pub(crate) struct WholeMatch(Regex);

impl WholeMatch {
    /// Compiles `pattern`; the error says why not.
    pub(crate) fn new(pattern: &str) -> Result<WholeMatch, String> {
        Regex::new(&format!("^(?:{pattern})$"))
            .map(WholeMatch)
            .map_err(|e| format!("Invalid regex: {e}"))
    }

    /// The captures when the whole of `text` matches.
    pub(crate) fn captures<'t>(&self, text: &'t str) -> Option<Captures<'t>> {
        self.0.captures(text)
    }

    /// Whether the whole of `text` matches.
    pub(crate) fn matches(&self, text: &str) -> bool {
        self.0.is_match(text)
    }
}

/// Java's `Matcher.replaceFirst(replacement)` for a whole match: the replacement with its
/// group references filled. Errors are Java's (`No group 2`, `Illegal group reference`).
pub(crate) fn expand(caps: &Captures<'_>, replacement: &str) -> Result<String, (bool, String)> {
    let groups = caps.len() - 1;
    let mut out = String::new();
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(x) => out.push(x),
                None => {
                    return Err((false, "character to be escaped is missing".into()));
                }
            },
            '$' => match chars.peek() {
                Some('{') => {
                    chars.next();
                    let name: String = chars.by_ref().take_while(|&c| c != '}').collect();
                    match caps.name(&name) {
                        Some(m) => out.push_str(m.as_str()),
                        None => return Err((false, format!("No group with name {{{name}}}"))),
                    }
                }
                Some(d) if d.is_ascii_digit() => {
                    // The first digit always counts; more digits while the number names a group.
                    let mut n = chars.next().and_then(|d| d.to_digit(10)).unwrap_or(0) as usize;
                    while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                        let longer = n * 10 + d as usize;
                        if longer > groups {
                            break;
                        }
                        n = longer;
                        chars.next();
                    }
                    if n > groups {
                        return Err((true, format!("No group {n}")));
                    }
                    out.push_str(caps.get(n).map_or("", |m| m.as_str()));
                }
                _ => return Err((false, "Illegal group reference".into())),
            },
            c => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(
        pattern: &str,
        replacement: &str,
        topic: &str,
    ) -> Option<Result<String, (bool, String)>> {
        let re = WholeMatch::new(pattern).unwrap();
        re.captures(topic).map(|c| expand(&c, replacement))
    }

    #[test]
    fn replacements_read_as_javas() {
        assert_eq!(
            route("orders-(.*)", "by-region-$1", "orders-eu")
                .unwrap()
                .unwrap(),
            "by-region-eu"
        );
        assert!(
            route("orders", "x", "orders-17").is_none(),
            "a whole match only"
        );
        assert_eq!(route("(a)(b)", "$12", "ab").unwrap().unwrap(), "a2");
        assert_eq!(
            route("(?P<r>.*)-x", "${r}!", "eu-x").unwrap().unwrap(),
            "eu!"
        );
        assert_eq!(route("(.*)", "\\$1", "t").unwrap().unwrap(), "$1");
        assert_eq!(
            route("(.*)", "$2", "t").unwrap().unwrap_err().1,
            "No group 2"
        );
        assert_eq!(
            route("(.*)", "$x", "t").unwrap().unwrap_err().1,
            "Illegal group reference"
        );
    }
}
