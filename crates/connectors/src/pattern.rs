//! Destination patterns: literal text with `${topic}`, `${key}`, `${key.version}` and
//! `${value.version}` tokens, resolved per record.
//!
//! Read as the Java connector reads them: those four token texts are filled, and anything
//! else, an unknown `${...}` included, is literal text that stays in the path (the config
//! is accepted; [`Pattern::unknown_tokens`] lets the config warn about them).
//!
//! A token a record cannot fill (a null key, a key or value without a schema version):
//! the Java connector left it in the path as text, which silently sends unrelated records
//! to one topic such as `kafka/price/${key}`. By default such a record fails, naming the
//! token, and takes the error path (`errors.tolerance`, the dead-letter topic).
//! `diffusion.destination.unresolved=keep` gives the Java connector's paths exactly: the
//! token stays as text, and a record with a null key gets only `${topic}` filled (Java
//! stops there), every other token staying as text.

/// A placeholder a destination pattern may hold, filled from each record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// `${topic}`: the Kafka topic the record was read from; every record fills it.
    Topic,
    /// `${key}`: the record key as text; a null key cannot fill it.
    Key,
    /// `${key.version}`: the version of the key's schema; a key without a versioned
    /// schema cannot fill it.
    KeyVersion,
    /// `${value.version}`: the version of the value's schema; a value without a versioned
    /// schema (schemaless JSON included) cannot fill it.
    ValueVersion,
}

const TOKENS: [Token; 4] = [
    Token::Topic,
    Token::Key,
    Token::KeyVersion,
    Token::ValueVersion,
];

impl Token {
    /// The token as written in a pattern, `${...}` included; also what stays in the path
    /// when a record cannot fill it and `diffusion.destination.unresolved=keep`.
    pub fn text(self) -> &'static str {
        match self {
            Token::Topic => "${topic}",
            Token::Key => "${key}",
            Token::KeyVersion => "${key.version}",
            Token::ValueVersion => "${value.version}",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Token(Token),
}

/// What a record offers to fill the tokens.
pub struct Context<'a> {
    /// The record's Kafka topic, for `${topic}`.
    pub topic: &'a str,
    /// The key as text (`toString()` in Java); `None` for a null key.
    pub key: Option<&'a str>,
    /// The key schema's version, for `${key.version}`; `None` when the key has no schema
    /// or its schema no version.
    pub key_version: Option<i32>,
    /// The value schema's version, for `${value.version}`; `None` when the value has no
    /// schema or its schema no version.
    pub value_version: Option<i32>,
}

/// A parsed `diffusion.destination`: literal text and tokens in order, plus whether a
/// token a record cannot fill fails the record or stays as text
/// (`diffusion.destination.unresolved`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    parts: Vec<Part>,
    keep_unresolved: bool,
    unknown: Vec<String>,
}

impl Pattern {
    /// Parses a pattern. Only an empty one is refused; `${...}` texts that are not tokens
    /// are kept as literal text (see [`unknown_tokens`](Self::unknown_tokens)).
    pub fn parse(text: &str, keep_unresolved: bool) -> Result<Pattern, String> {
        if text.trim().is_empty() {
            return Err("the pattern is empty".into());
        }
        let mut parts = Vec::new();
        let mut rest = text;
        // The earliest token each time; tokens cannot overlap (each ends at its first '}').
        while let Some((at, token)) = TOKENS
            .iter()
            .filter_map(|t| rest.find(t.text()).map(|at| (at, *t)))
            .min_by_key(|(at, _)| *at)
        {
            if at > 0 {
                parts.push(Part::Literal(rest[..at].to_owned()));
            }
            parts.push(Part::Token(token));
            rest = &rest[at + token.text().len()..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        let unknown = parts
            .iter()
            .filter_map(|p| match p {
                Part::Literal(s) => Some(unknown_tokens(s)),
                Part::Token(_) => None,
            })
            .flatten()
            .collect();
        Ok(Pattern {
            parts,
            keep_unresolved,
            unknown,
        })
    }

    /// Whether the pattern contains `token`, e.g. whether resolving it needs the record's
    /// key at all.
    pub fn uses(&self, token: Token) -> bool {
        self.parts.contains(&Part::Token(token))
    }

    /// The `${...}` texts of the pattern that are not tokens (an unclosed `${` runs to the
    /// end of the text): kept in every path as they are, worth a warning.
    pub fn unknown_tokens(&self) -> &[String] {
        &self.unknown
    }

    /// The destination for one record, or which token it could not fill.
    pub fn resolve(&self, ctx: &Context) -> Result<String, String> {
        // The Java connector fills ${topic} and stops when the key is null.
        let java_null_key = self.keep_unresolved && ctx.key.is_none();
        let mut out = String::with_capacity(64);
        for p in &self.parts {
            match p {
                Part::Literal(s) => out.push_str(s),
                Part::Token(Token::Topic) => out.push_str(ctx.topic),
                Part::Token(t) if java_null_key => out.push_str(t.text()),
                Part::Token(t) => {
                    let value = match t {
                        Token::Topic => unreachable!("filled above"),
                        Token::Key => ctx.key.map(str::to_owned),
                        Token::KeyVersion => ctx.key_version.map(|v| v.to_string()),
                        Token::ValueVersion => ctx.value_version.map(|v| v.to_string()),
                    };
                    match value {
                        Some(v) => out.push_str(&v),
                        None if self.keep_unresolved => out.push_str(t.text()),
                        None => {
                            return Err(format!(
                                "{} has no value for this record ({}); set diffusion.destination.unresolved=keep to keep it as text, as the Java connector did",
                                t.text(),
                                match t {
                                    Token::Key => "the key is null",
                                    Token::KeyVersion => "the key has no schema version",
                                    Token::ValueVersion => "the value has no schema version",
                                    Token::Topic => unreachable!("filled above"),
                                }
                            ))
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}

/// The `${...}` spans of a text (an unclosed `${` runs to its end).
pub(crate) fn unknown_tokens(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        found.push(rest[start..end].to_owned());
        rest = &rest[end..];
    }
    found
}

/// Checks a resolved Diffusion path: no leading `/`, no empty segment, not empty.
pub fn validate_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("the destination path is empty".into());
    }
    if path.starts_with('/') {
        return Err(format!("the destination path {path:?} starts with '/'"));
    }
    if path.split('/').any(str::is_empty) {
        return Err(format!(
            "the destination path {path:?} has an empty segment"
        ));
    }
    if path.chars().any(char::is_control) {
        return Err(format!(
            "the destination path {path:?} contains a control character"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(p: &str) -> Result<String, String> {
        // The seed README's example record: topic "bar", key "baz", key schema version
        // "1.2" (an integer version here: 12), value schema version 31.
        Pattern::parse(p, false)?.resolve(&Context {
            topic: "bar",
            key: Some("baz"),
            key_version: Some(12),
            value_version: Some(31),
        })
    }

    #[test]
    fn the_seed_examples_table() {
        assert_eq!(resolve("foo").unwrap(), "foo");
        assert_eq!(resolve("foo/${topic}").unwrap(), "foo/bar");
        assert_eq!(
            resolve("foo/${topic}/${key.version}").unwrap(),
            "foo/bar/12"
        );
        assert_eq!(
            resolve("foo/${value.version}/${topic}").unwrap(),
            "foo/31/bar"
        );
        assert_eq!(resolve("kafka/${topic}/${key}").unwrap(), "kafka/bar/baz");
        assert_eq!(resolve("${topic}-${key}x").unwrap(), "bar-bazx");
    }

    #[test]
    fn unknown_tokens_stay_as_text_and_are_named() {
        let p = Pattern::parse("a/${partition}/${topic}/${x", false).unwrap();
        assert_eq!(p.unknown_tokens(), ["${partition}", "${x"]);
        assert_eq!(resolve("a/${partition}").unwrap(), "a/${partition}");
        assert_eq!(resolve("a/${topic").unwrap(), "a/${topic");
        // Java's replace: the earliest token text wins, the rest is literal.
        assert_eq!(resolve("${${topic}}").unwrap(), "${bar}");
        assert_eq!(resolve("${key}.version}").unwrap(), "baz.version}");
        assert!(Pattern::parse("kafka/${topic}", false)
            .unwrap()
            .unknown_tokens()
            .is_empty());
        assert!(Pattern::parse(" ", false).is_err());
    }

    #[test]
    fn unfilled_tokens_fail_or_stay_as_text() {
        let p = Pattern::parse("kafka/${key}", false).unwrap();
        let ctx = Context {
            topic: "t",
            key: None,
            key_version: None,
            value_version: Some(4),
        };
        let e = p.resolve(&ctx).unwrap_err();
        assert!(e.contains("${key}") && e.contains("unresolved=keep"), "{e}");
        let keep = Pattern::parse("kafka/${key}", true).unwrap();
        assert_eq!(keep.resolve(&ctx).unwrap(), "kafka/${key}");
        // A null key: Java fills ${topic} and nothing else, a value version neither.
        let keep = Pattern::parse("${topic}/${value.version}/${key.version}", true).unwrap();
        assert_eq!(
            keep.resolve(&ctx).unwrap(),
            "t/${value.version}/${key.version}"
        );
        let fill = Pattern::parse("${topic}/${value.version}", false).unwrap();
        assert_eq!(fill.resolve(&ctx).unwrap(), "t/4");
    }

    #[test]
    fn paths() {
        assert!(validate_path("a/b").is_ok());
        assert!(validate_path("a/${b}").is_ok());
        assert!(validate_path("/a").is_err());
        assert!(validate_path("a//b").is_err());
        assert!(validate_path("").is_err());
    }
}
