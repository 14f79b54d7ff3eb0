//! Destination patterns: literal text with tokens filled from each record.
//!
//! The Java connector's four tokens, read as it reads them: `${topic}`, `${key}`,
//! `${key.version}` and `${value.version}`; anything else, an unknown `${...}` included, is
//! literal text that stays in the path (the config is accepted;
//! [`Pattern::unknown_tokens`] lets the config warn about them). Beyond them, any part of
//! the record: `${value.<path>}` and `${key.<path>}` (a field of a struct, a map or
//! schemaless JSON: `customer.id`, `items[0].sku`, `["a.b"]`), `${header.<name>}`,
//! `${partition}`, `${offset}` and `${timestamp}` (epoch ms).
//!
//! A field's text goes into one path segment: a `/`, a `%` or a control character in it
//! is percent-encoded (`%2F`, `%25`, `%0A`), so a value never splits the path
//! (`diffusion.destination.escape=percent`, the default); with `escape=fail` such a value
//! fails the record instead. `${key}` and `${topic}` are left as the Java connector left
//! them (a key `a/b` makes two segments).
//!
//! A token a record cannot fill (a null key, a key or value without a schema version, a
//! missing, null or composite field, an absent header): the Java connector left it in the
//! path as text, which silently sends unrelated records to one topic such as
//! `kafka/price/${key}`. By default such a record fails, naming the token, and takes the
//! error path (`errors.tolerance`, the dead-letter topic).
//! `diffusion.destination.unresolved=keep` gives the Java connector's paths exactly: the
//! token stays as text, and a record with a null key gets only `${topic}` filled (Java
//! stops there), every other token staying as text.

use std::borrow::Cow;

use connect_data::lookup::{Found, ValuePath};

/// A placeholder a destination pattern may hold, filled from each record.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// `${partition}`: the record's Kafka partition.
    Partition,
    /// `${offset}`: the record's offset in its partition.
    Offset,
    /// `${timestamp}`: the record's Kafka timestamp, epoch milliseconds.
    Timestamp,
    /// `${header.<name>}`: the value of the record's last header of that name, as text.
    Header(String),
    /// `${key.<path>}`: a field of the key.
    KeyField(ValuePath),
    /// `${value.<path>}`: a field of the value.
    ValueField(ValuePath),
}

impl Token {
    /// The token as written in a pattern, `${...}` included; also what stays in the path
    /// when a record cannot fill it and `diffusion.destination.unresolved=keep`.
    pub fn text(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            Token::Topic => "${topic}",
            Token::Key => "${key}",
            Token::KeyVersion => "${key.version}",
            Token::ValueVersion => "${value.version}",
            Token::Partition => "${partition}",
            Token::Offset => "${offset}",
            Token::Timestamp => "${timestamp}",
            Token::Header(name) => return Cow::Owned(format!("${{header.{name}}}")),
            Token::KeyField(p) => return Cow::Owned(field_text("key", p)),
            Token::ValueField(p) => return Cow::Owned(field_text("value", p)),
        })
    }

    /// What an inner text (between `${` and `}`) is: a token, not one (literal text), or
    /// a malformed field token (the error says why).
    fn classify(inner: &str) -> Result<Option<Token>, String> {
        Ok(Some(match inner {
            "topic" => Token::Topic,
            "key" => Token::Key,
            "key.version" => Token::KeyVersion,
            "value.version" => Token::ValueVersion,
            "partition" => Token::Partition,
            "offset" => Token::Offset,
            "timestamp" => Token::Timestamp,
            _ => {
                if let Some(name) = inner.strip_prefix("header.") {
                    if name.is_empty() {
                        return Err(format!("${{{inner}}}: a header token needs a name"));
                    }
                    return Ok(Some(Token::Header(name.to_owned())));
                }
                let field = |rest: &str| {
                    let path = rest.strip_prefix('.').unwrap_or(rest);
                    ValuePath::parse(path).map_err(|e| format!("${{{inner}}}: {e}"))
                };
                if let Some(rest) = inner.strip_prefix("key") {
                    if rest.starts_with(['.', '[']) {
                        return field(rest).map(|p| Some(Token::KeyField(p)));
                    }
                }
                if let Some(rest) = inner.strip_prefix("value") {
                    if rest.starts_with(['.', '[']) {
                        return field(rest).map(|p| Some(Token::ValueField(p)));
                    }
                }
                return Ok(None);
            }
        }))
    }
}

fn field_text(side: &str, p: &ValuePath) -> String {
    let p = p.to_string();
    if p.starts_with('[') {
        format!("${{{side}{p}}}")
    } else {
        format!("${{{side}.{p}}}")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Token(Token),
}

/// Where field and header tokens are read from: the record as the sink decoded it.
pub trait Fields {
    /// A field of the key.
    fn key_field(&self, path: &ValuePath) -> Found;
    /// A field of the value.
    fn value_field(&self, path: &ValuePath) -> Found;
    /// The last header of that name: `Missing` if none, `Null` for a null value,
    /// `Composite` for one that is not UTF-8 text.
    fn header(&self, name: &str) -> Found;
}

/// A record with no fields and no headers.
pub struct NoFields;

impl Fields for NoFields {
    fn key_field(&self, _: &ValuePath) -> Found {
        Found::Missing
    }
    fn value_field(&self, _: &ValuePath) -> Found {
        Found::Missing
    }
    fn header(&self, _: &str) -> Found {
        Found::Missing
    }
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
    /// The record's partition, for `${partition}`.
    pub partition: i32,
    /// The record's offset, for `${offset}`.
    pub offset: i64,
    /// The record's timestamp (epoch ms), for `${timestamp}`; `None` if it has none.
    pub timestamp: Option<i64>,
    /// Its key and value fields and headers.
    pub fields: &'a dyn Fields,
}

/// What to do with a field's text holding a `/`, a `%` or a control character
/// (`diffusion.destination.escape`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// Percent-encode them (`%2F`, `%25`, `%0A`): one segment, always.
    Percent,
    /// Fail the record, naming the token.
    Fail,
}

/// A parsed `diffusion.destination`: literal text and tokens in order, plus whether a
/// token a record cannot fill fails the record or stays as text
/// (`diffusion.destination.unresolved`) and how field text is escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    parts: Vec<Part>,
    keep_unresolved: bool,
    escape: Escape,
    unknown: Vec<String>,
}

impl Pattern {
    /// Parses a pattern. An empty one is refused, and so is a malformed field token
    /// (`${value.}`, `${value.a[x]}`, `${header.}`); other `${...}` texts that are not
    /// tokens are kept as literal text (see [`unknown_tokens`](Self::unknown_tokens)).
    pub fn parse(text: &str, keep_unresolved: bool) -> Result<Pattern, String> {
        Pattern::parse_with(text, keep_unresolved, Escape::Percent)
    }

    /// As [`parse`](Self::parse), with the escape rule for field text.
    pub fn parse_with(
        text: &str,
        keep_unresolved: bool,
        escape: Escape,
    ) -> Result<Pattern, String> {
        if text.trim().is_empty() {
            return Err("the pattern is empty".into());
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        // The earliest `${...}` that is a token each time, as Java's replace finds the
        // earliest token text: `${${topic}}` is `${` + topic + `}`.
        while let Some(start) = rest.find("${") {
            let after = &rest[start + 2..];
            let token = match after.find('}') {
                Some(end) => Token::classify(&after[..end])?.map(|t| (t, end)),
                None => None,
            };
            match token {
                Some((token, end)) => {
                    literal.push_str(&rest[..start]);
                    if !literal.is_empty() {
                        parts.push(Part::Literal(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Token(token));
                    rest = &after[end + 1..];
                }
                None => {
                    literal.push_str(&rest[..start + 2]);
                    rest = after;
                }
            }
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
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
            escape,
            unknown,
        })
    }

    /// Whether any token reads a record header (`${header.<name>}`): only then does the
    /// sink read each record's headers (a call into librdkafka per record otherwise).
    pub fn reads_headers(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Token(Token::Header(_))))
    }

    /// Whether any token reads the key as Connect data (`${key.version}`, a key field):
    /// otherwise `${key}` needs only the key's text, which a `StringConverter` gives
    /// without building a Connect value (prepare.rs).
    pub fn reads_key_data(&self) -> bool {
        self.parts.iter().any(|p| {
            matches!(
                p,
                Part::Token(Token::KeyVersion) | Part::Token(Token::KeyField(_))
            )
        })
    }

    /// The `${...}` texts of the pattern that are not tokens (an unclosed `${` runs to the
    /// end of the text): kept in every path as they are, worth a warning.
    pub fn unknown_tokens(&self) -> &[String] {
        &self.unknown
    }

    /// The destination for one record, or which token it could not fill and why.
    pub fn resolve(&self, ctx: &Context) -> Result<String, String> {
        // The Java connector fills ${topic} and stops when the key is null.
        let java_null_key = self.keep_unresolved && ctx.key.is_none();
        let mut out = String::with_capacity(64);
        for p in &self.parts {
            let t = match p {
                Part::Literal(s) => {
                    out.push_str(s);
                    continue;
                }
                Part::Token(Token::Topic) => {
                    out.push_str(ctx.topic);
                    continue;
                }
                Part::Token(t) if java_null_key => {
                    out.push_str(&t.text());
                    continue;
                }
                Part::Token(t) => t,
            };
            let filled: Result<Cow<str>, &str> = match t {
                Token::Topic => unreachable!("filled above"),
                Token::Key => ctx.key.map(Cow::Borrowed).ok_or("the key is null"),
                Token::KeyVersion => ctx
                    .key_version
                    .map(|v| v.to_string().into())
                    .ok_or("the key has no schema version"),
                Token::ValueVersion => ctx
                    .value_version
                    .map(|v| v.to_string().into())
                    .ok_or("the value has no schema version"),
                Token::Partition => Ok(ctx.partition.to_string().into()),
                Token::Offset => Ok(ctx.offset.to_string().into()),
                Token::Timestamp => ctx
                    .timestamp
                    .map(|v| v.to_string().into())
                    .ok_or("the record has no timestamp"),
                Token::Header(name) => self.segment(t, ctx.fields.header(name))?,
                Token::KeyField(path) => self.segment(t, ctx.fields.key_field(path))?,
                Token::ValueField(path) => self.segment(t, ctx.fields.value_field(path))?,
            };
            match filled {
                Ok(v) => out.push_str(&v),
                Err(_) if self.keep_unresolved => out.push_str(&t.text()),
                Err(why) => {
                    return Err(format!(
                        "{} has no value for this record ({why}); set diffusion.destination.unresolved=keep to keep it as text, as the Java connector did",
                        t.text(),
                    ))
                }
            }
        }
        Ok(out)
    }

    /// A field's or header's text as one path segment: `Err` (outer) when it cannot be
    /// escaped and must fail the record; `Ok(Err)` when it has no text to give.
    fn segment(
        &self,
        t: &Token,
        found: Found,
    ) -> Result<Result<Cow<'static, str>, &'static str>, String> {
        let text = match found {
            Found::Text(s) | Found::Scalar(s) => s,
            Found::Null => return Ok(Err("it is null")),
            Found::Missing => return Ok(Err("there is no such field")),
            Found::Composite => {
                return Ok(Err("it is not a single value (an object, an array, bytes)"))
            }
        };
        let needs = |c: char| c == '/' || c == '%' || c.is_control();
        if !text.contains(needs) {
            return Ok(Ok(Cow::Owned(text)));
        }
        match self.escape {
            Escape::Fail => Err(format!(
                "{} is {text:?}, which holds '/', '%' or a control character; diffusion.destination.escape=fail",
                t.text()
            )),
            Escape::Percent => {
                let mut out = String::with_capacity(text.len() + 8);
                for c in text.chars() {
                    if needs(c) {
                        let mut buf = [0u8; 4];
                        for b in c.encode_utf8(&mut buf).bytes() {
                            out.push_str(&format!("%{b:02X}"));
                        }
                    } else {
                        out.push(c);
                    }
                }
                Ok(Ok(Cow::Owned(out)))
            }
        }
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

/// Checks a resolved Diffusion path: no leading `/`, no empty segment, not empty, no
/// control character. It runs for every record, so the common case is two branch-free
/// passes the compiler vectorises (the byte-at-a-time loop with its state was ~570
/// instructions for a 20-byte path): C0 controls and DEL are single bytes; a `/` after
/// another `/`, or at the end, makes an empty segment; only a path that is not ASCII is
/// looked at by character for C1 controls (U+0080..U+009F).
pub fn validate_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("the destination path is empty".into());
    }
    if path.starts_with('/') {
        return Err(format!("the destination path {path:?} starts with '/'"));
    }
    let bytes = path.as_bytes();
    let empty_segment = bytes.last() == Some(&b'/')
        || bytes
            .iter()
            .zip(&bytes[1..])
            .fold(false, |seen, (&a, &b)| seen | ((a == b'/') & (b == b'/')));
    if empty_segment {
        return Err(format!(
            "the destination path {path:?} has an empty segment"
        ));
    }
    let c0 = bytes
        .iter()
        .fold(false, |seen, &b| seen | (b < 0x20) | (b == 0x7f));
    if c0 || (!path.is_ascii() && path.chars().any(char::is_control)) {
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
            partition: 3,
            offset: 42,
            timestamp: Some(1_700_000_000_000),
            fields: &NoFields,
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
        let p = Pattern::parse("a/${part}/${topic}/${x", false).unwrap();
        assert_eq!(p.unknown_tokens(), ["${part}", "${x"]);
        assert_eq!(resolve("a/${part}").unwrap(), "a/${part}");
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
            partition: 0,
            offset: 0,
            timestamp: None,
            fields: &NoFields,
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

    /// A record's fields for the tests: values by path text, headers by name.
    struct Map(Vec<(&'static str, Found)>);

    impl Fields for Map {
        fn key_field(&self, p: &ValuePath) -> Found {
            self.get(&format!("key:{p}"))
        }
        fn value_field(&self, p: &ValuePath) -> Found {
            self.get(&format!("value:{p}"))
        }
        fn header(&self, name: &str) -> Found {
            self.get(&format!("header:{name}"))
        }
    }

    impl Map {
        fn get(&self, k: &str) -> Found {
            self.0
                .iter()
                .find(|(n, _)| *n == k)
                .map_or(Found::Missing, |(_, f)| f.clone())
        }
    }

    fn record(fields: &Map) -> Context<'_> {
        Context {
            topic: "prices",
            key: Some("k1"),
            key_version: None,
            value_version: None,
            partition: 3,
            offset: 42,
            timestamp: Some(1_700_000_000_000),
            fields,
        }
    }

    fn text(s: &str) -> Found {
        Found::Text(s.into())
    }

    #[test]
    fn any_part_of_the_record_fills_a_token() {
        let fields = Map(vec![
            ("value:exchange", text("XLON")),
            ("value:symbol", text("VOD")),
            ("value:customer.id", Found::Scalar("17".into())),
            ("value:items[0].sku", text("s-1")),
            ("value:[\"a.b\"]", text("dotted")),
            ("key:region", text("eu")),
            ("header:region", text("west")),
        ]);
        let ctx = record(&fields);
        let fill = |p: &str| Pattern::parse(p, false).unwrap().resolve(&ctx);
        assert_eq!(
            fill("prices/${value.exchange}/${value.symbol}").unwrap(),
            "prices/XLON/VOD"
        );
        assert_eq!(fill("orders/${value.customer.id}").unwrap(), "orders/17");
        assert_eq!(fill("i/${value.items[0].sku}").unwrap(), "i/s-1");
        assert_eq!(fill("d/${value[\"a.b\"]}").unwrap(), "d/dotted");
        assert_eq!(
            fill("fleet/${header.region}/${key}").unwrap(),
            "fleet/west/k1"
        );
        assert_eq!(fill("k/${key.region}").unwrap(), "k/eu");
        assert_eq!(
            fill("${topic}/${partition}/${offset}/${timestamp}").unwrap(),
            "prices/3/42/1700000000000"
        );
        // The Java connector's tokens keep their meaning.
        assert!(fill("${value.version}")
            .unwrap_err()
            .contains("no schema version"));
    }

    #[test]
    fn a_missing_null_or_composite_field_fails_naming_the_token_or_stays_as_text() {
        let fields = Map(vec![
            ("value:gone", Found::Null),
            ("value:obj", Found::Composite),
        ]);
        let ctx = record(&fields);
        for (token, why) in [
            ("${value.nope}", "no such field"),
            ("${value.gone}", "null"),
            ("${value.obj}", "not a single value"),
            ("${header.h}", "no such field"),
        ] {
            let e = Pattern::parse(&format!("a/{token}"), false)
                .unwrap()
                .resolve(&ctx)
                .unwrap_err();
            assert!(e.contains(token) && e.contains(why), "{e}");
            let kept = Pattern::parse(&format!("a/{token}"), true)
                .unwrap()
                .resolve(&ctx);
            assert_eq!(kept.unwrap(), format!("a/{token}"));
        }
    }

    #[test]
    fn field_text_never_splits_the_path() {
        let fields = Map(vec![("value:s", text("a/b%c\n"))]);
        let ctx = record(&fields);
        let percent = Pattern::parse("x/${value.s}", false).unwrap();
        assert_eq!(percent.resolve(&ctx).unwrap(), "x/a%2Fb%25c%0A");
        let fail = Pattern::parse_with("x/${value.s}", false, Escape::Fail).unwrap();
        assert!(fail.resolve(&ctx).unwrap_err().contains("${value.s}"));
    }

    #[test]
    fn malformed_field_tokens_are_refused_when_parsed() {
        for bad in [
            "${value.}",
            "${value.a[x]}",
            "${key.a..b}",
            "${header.}",
            "${value[}",
        ] {
            let e = Pattern::parse(&format!("a/{bad}"), false).unwrap_err();
            assert!(e.contains(bad.trim_end_matches('}')), "{bad}: {e}");
        }
        // Not a field token at all: literal text, as in the Java connector.
        let p = Pattern::parse("a/${values}/${keys.x}", false).unwrap();
        assert_eq!(p.unknown_tokens(), ["${values}", "${keys.x}"]);
    }

    #[test]
    fn paths() {
        assert!(validate_path("a/b").is_ok());
        assert!(validate_path("a/${b}").is_ok());
        assert!(validate_path("/a").is_err());
        assert!(validate_path("a//b").is_err());
        assert!(validate_path("").is_err());
    }

    /// The checks as first written (three passes), which the one-pass version must equal.
    fn validate_path_by_passes(path: &str) -> Result<(), String> {
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

    proptest::proptest! {
        #[test]
        fn one_pass_path_checks_equal_the_three_passes(path in "(/|a|\\PC|[\\u{0}-\\u{a0}]){0,12}") {
            proptest::prop_assert_eq!(validate_path(&path), validate_path_by_passes(&path));
        }
    }

    #[test]
    fn path_checks_at_the_edges() {
        for p in ["a", "a/b", "é/ü", "a\u{a0}b"] {
            assert_eq!(validate_path(p), Ok(()), "{p:?}");
        }
        for p in [
            "", "/a", "a/", "a//b", "a\u{0}", "a\u{7f}", "a\u{85}b", "a/\u{9f}",
        ] {
            assert_eq!(validate_path(p), validate_path_by_passes(p), "{p:?}");
            assert!(validate_path(p).is_err(), "{p:?}");
        }
    }
}
