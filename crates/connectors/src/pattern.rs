//! Destination patterns: literal text with `${topic}`, `${key}`, `${key.version}` and
//! `${value.version}` tokens, resolved per record.
//!
//! The Java connector leaves a token it cannot fill in the path as literal text, which
//! silently creates topics such as `kafka/price/${key}`. Here such a record fails, naming
//! the token, unless `diffusion.destination.unresolved=keep` asks for the old behaviour.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    Topic,
    Key,
    KeyVersion,
    ValueVersion,
}

impl Token {
    fn text(self) -> &'static str {
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
    pub topic: &'a str,
    pub key: Option<&'a str>,
    pub key_version: Option<i32>,
    pub value_version: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    parts: Vec<Part>,
    keep_unresolved: bool,
}

impl Pattern {
    /// Parses a pattern; an unknown `${...}` token is an error naming it and the tokens
    /// that exist.
    pub fn parse(text: &str, keep_unresolved: bool) -> Result<Pattern, String> {
        if text.trim().is_empty() {
            return Err("the pattern is empty".into());
        }
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            if start > 0 {
                parts.push(Part::Literal(rest[..start].to_owned()));
            }
            let end = rest[start..]
                .find('}')
                .ok_or_else(|| format!("unclosed token at {:?}", &rest[start..]))?;
            let token = match &rest[start..start + end + 1] {
                "${topic}" => Token::Topic,
                "${key}" => Token::Key,
                "${key.version}" => Token::KeyVersion,
                "${value.version}" => Token::ValueVersion,
                other => {
                    return Err(format!(
                        "unknown token {other}; the tokens are ${{topic}}, ${{key}}, ${{key.version}} and ${{value.version}}"
                    ))
                }
            };
            parts.push(Part::Token(token));
            rest = &rest[start + end + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        Ok(Pattern {
            parts,
            keep_unresolved,
        })
    }

    pub fn uses(&self, token: Token) -> bool {
        self.parts.contains(&Part::Token(token))
    }

    /// The destination for one record, or which token it could not fill.
    pub fn resolve(&self, ctx: &Context) -> Result<String, String> {
        let mut out = String::with_capacity(64);
        for p in &self.parts {
            match p {
                Part::Literal(s) => out.push_str(s),
                Part::Token(t) => {
                    let value = match t {
                        Token::Topic => Some(ctx.topic.to_owned()),
                        Token::Key => ctx.key.map(str::to_owned),
                        Token::KeyVersion => ctx.key_version.map(|v| v.to_string()),
                        Token::ValueVersion => ctx.value_version.map(|v| v.to_string()),
                    };
                    match value {
                        Some(v) => out.push_str(&v),
                        None if self.keep_unresolved => out.push_str(t.text()),
                        None => {
                            return Err(format!(
                                "{} has no value for this record ({})",
                                t.text(),
                                match t {
                                    Token::Key => "the key is null",
                                    Token::KeyVersion => "the key has no schema version",
                                    Token::ValueVersion => "the value has no schema version",
                                    Token::Topic => "no topic",
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
    fn unknown_tokens_and_unfilled_tokens() {
        assert!(resolve("a/${partition}")
            .unwrap_err()
            .contains("${partition}"));
        assert!(resolve("a/${topic").unwrap_err().contains("unclosed"));
        let p = Pattern::parse("kafka/${key}", false).unwrap();
        let ctx = Context {
            topic: "t",
            key: None,
            key_version: None,
            value_version: None,
        };
        assert!(p.resolve(&ctx).unwrap_err().contains("${key}"));
        let keep = Pattern::parse("kafka/${key}", true).unwrap();
        assert_eq!(keep.resolve(&ctx).unwrap(), "kafka/${key}");
    }

    #[test]
    fn paths() {
        assert!(validate_path("a/b").is_ok());
        assert!(validate_path("/a").is_err());
        assert!(validate_path("a//b").is_err());
        assert!(validate_path("").is_err());
    }
}
