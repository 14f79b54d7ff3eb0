//! Topic selectors, as Diffusion defines them:
//!
//! - `>path` (or a bare path): exactly that topic;
//! - `?a/b.*/c`: split-path pattern, one regular expression per path part;
//! - `*a/.*`: full-path pattern, one regular expression over the whole path;
//! - `#sel////sel`: a selector set, the union of its members;
//! - a pattern ending in `/` also selects descendants only, `//` the match and descendants.
//!
//! Diffusion's patterns are Java regular expressions; here they are compiled with the
//! `regex` crate, which covers everything but backreferences and lookaround (reported as
//! invalid selectors rather than silently mis-matched).

use regex::Regex;

const SET_SEPARATOR: &str = "////";

/// Why a string is not a valid topic selector.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid topic selector {selector:?}: {why}")]
pub struct SelectorError {
    /// The selector text as given.
    pub selector: String,
    /// What is wrong with it, e.g. an empty pattern or a bad regular expression.
    pub why: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Descendants {
    /// Only the topics the pattern matches.
    No,
    /// `/`: only topics below a match.
    Exclusive,
    /// `//`: a match and every topic below it.
    Inclusive,
}

#[derive(Debug, Clone)]
enum Kind {
    Path(String),
    SplitPath(Vec<Regex>, Descendants),
    FullPath(Regex),
    Set(Vec<Selector>),
}

/// A parsed selector. Equality is on the original text, as in the SDKs.
#[derive(Debug, Clone)]
pub struct Selector {
    raw: String,
    kind: Kind,
}

impl PartialEq for Selector {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}
impl Eq for Selector {}

impl std::hash::Hash for Selector {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.raw.hash(state)
    }
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.raw)
    }
}

impl std::str::FromStr for Selector {
    type Err = SelectorError;
    fn from_str(s: &str) -> Result<Self, SelectorError> {
        Selector::parse(s)
    }
}

fn split_qualifier(body: &str) -> (&str, Descendants) {
    if let Some(b) = body.strip_suffix("//") {
        (b, Descendants::Inclusive)
    } else if let Some(b) = body.strip_suffix('/') {
        (b, Descendants::Exclusive)
    } else {
        (body, Descendants::No)
    }
}

impl Selector {
    /// Parses a selector from its text (`>path`, `?split/path`, `*full.*`, `#a////b`, or a bare
    /// path).
    pub fn parse(raw: &str) -> Result<Self, SelectorError> {
        let err = |why: String| SelectorError {
            selector: raw.to_owned(),
            why,
        };
        let compile = |pattern: &str| {
            Regex::new(&format!("^(?:{pattern})$"))
                .map_err(|e| err(format!("bad regular expression {pattern:?}: {e}")))
        };
        let kind = match raw.chars().next() {
            None => return Err(err("it is empty".into())),
            Some('#') => {
                let members = raw[1..]
                    .split(SET_SEPARATOR)
                    .filter(|m| !m.is_empty())
                    .map(Selector::parse)
                    .collect::<Result<Vec<_>, _>>()?;
                if members.is_empty() {
                    return Err(err("the selector set has no members".into()));
                }
                Kind::Set(members)
            }
            Some('?') => {
                let (body, q) = split_qualifier(&raw[1..]);
                let body = body.trim_start_matches('/');
                if body.is_empty() {
                    return Err(err("the split-path pattern is empty".into()));
                }
                let parts = body
                    .split('/')
                    .map(|p| {
                        if p.is_empty() {
                            Err(err("the split-path pattern has an empty part".into()))
                        } else {
                            compile(p)
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Kind::SplitPath(parts, q)
            }
            Some('*') => {
                let (body, q) = split_qualifier(&raw[1..]);
                let body = body.trim_start_matches('/');
                if body.is_empty() {
                    return Err(err("the full-path pattern is empty".into()));
                }
                let pattern = match q {
                    Descendants::No => format!("(?:{body})"),
                    Descendants::Exclusive => format!("(?:{body})/.+"),
                    Descendants::Inclusive => format!("(?:{body})(?:/.+)?"),
                };
                Kind::FullPath(compile(&pattern)?)
            }
            Some('$' | '&' | '<') => {
                return Err(err(format!(
                    "`{}` is a reserved prefix; use `>`, `?`, `*` or `#`",
                    &raw[..1]
                )))
            }
            Some(_) => {
                let path = raw.strip_prefix('>').unwrap_or(raw).trim_matches('/');
                if path.is_empty() {
                    return Err(err("the path is empty".into()));
                }
                Kind::Path(path.to_owned())
            }
        };
        Ok(Selector {
            raw: raw.to_owned(),
            kind,
        })
    }

    /// The selector's original text, which is what is sent on the wire and compared for equality.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Whether the topic at `path` (normalised: no leading or trailing `/`) is selected.
    pub fn matches(&self, path: &str) -> bool {
        match &self.kind {
            Kind::Path(p) => p == path,
            Kind::FullPath(re) => re.is_match(path),
            Kind::Set(members) => members.iter().any(|m| m.matches(path)),
            Kind::SplitPath(parts, q) => {
                let mut segs = path.split('/');
                for re in parts {
                    match segs.next() {
                        Some(seg) if re.is_match(seg) => {}
                        _ => return false,
                    }
                }
                let has_more = segs.next().is_some();
                match q {
                    Descendants::No => !has_more,
                    Descendants::Exclusive => has_more,
                    Descendants::Inclusive => true,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sel(s: &str) -> Selector {
        Selector::parse(s).unwrap()
    }

    #[test]
    fn each_form() {
        assert!(sel(">a/b").matches("a/b"));
        assert!(sel("a/b").matches("a/b"));
        assert!(sel("/a/b/").matches("a/b"));
        assert!(!sel(">a/b").matches("a/b/c"));

        assert!(sel("?source/kafka/.*").matches("source/kafka/price"));
        assert!(!sel("?source/kafka/.*").matches("source/kafka/price/x"));
        assert!(!sel("?source/kafka/.*").matches("source/kafka"));
        assert!(sel("?source/kafka/").matches("source/kafka/price/x"));
        assert!(!sel("?source/kafka/").matches("source/kafka"));
        assert!(sel("?source/kafka//").matches("source/kafka"));
        assert!(sel("?source/kafka//").matches("source/kafka/a/b"));
        assert!(!sel("?source/k").matches("source/kafka"));

        assert!(sel("*source/.*").matches("source/a/b"));
        assert!(!sel("*source/.*").matches("sourcex"));
        assert!(sel("*a/b//").matches("a/b"));
        assert!(sel("*a/b//").matches("a/b/c"));
        assert!(!sel("*a/b//").matches("a/bc"));
        assert!(sel("*a/b/").matches("a/b/c"));
        assert!(!sel("*a/b/").matches("a/b"));

        let set = sel("#>a////?b/.*");
        assert!(set.matches("a") && set.matches("b/x") && !set.matches("c"));
    }

    #[test]
    fn invalid_selectors_name_the_problem() {
        for bad in [
            "", "?", "*", "#", "?a//b", "?(", "*a(", "$a", "?a/(?=b)", ">",
        ] {
            let e = Selector::parse(bad).unwrap_err();
            assert_eq!(e.selector, bad);
            assert!(!e.why.is_empty());
        }
    }

    fn path() -> impl Strategy<Value = String> {
        proptest::collection::vec("[a-zA-Z0-9_.+*()-]{1,6}", 1..5).prop_map(|p| p.join("/"))
    }

    proptest! {
        #[test]
        fn escaped_patterns_match_exactly_their_path(p in path(), q in path()) {
            let split = p.split('/').map(regex::escape).collect::<Vec<_>>().join("/");
            let full = regex::escape(&p);
            let child = format!("{p}/{q}");
            for s in [format!(">{p}"), format!("?{split}"), format!("*{full}")] {
                let s = sel(&s);
                prop_assert!(s.matches(&p));
                prop_assert_eq!(s.matches(&q), p == q);
                prop_assert!(!s.matches(&child));
            }
            for s in [format!("?{split}//"), format!("*{full}//")] {
                let s = sel(&s);
                prop_assert!(s.matches(&p));
                prop_assert!(s.matches(&child));
            }
            for s in [format!("?{split}/"), format!("*{full}/")] {
                let s = sel(&s);
                prop_assert!(!s.matches(&p));
                prop_assert!(s.matches(&child));
            }
        }

        #[test]
        fn a_set_is_the_union(p in path(), q in path(), r in path()) {
            let s = sel(&format!("#>{p}////>{q}"));
            prop_assert_eq!(s.matches(&r), r == p || r == q);
        }

        #[test]
        fn parse_never_panics(s in ".{0,20}") {
            let _ = Selector::parse(&s);
        }
    }
}
