//! Config keys, each declared once: its name, Connect type, default, importance, group,
//! documentation, and the rule its value is read and checked by. The typed configs
//! (`SinkConfig`, `SourceConfig`, the worker's cluster settings) read values through
//! [`Reader::read`], the REST API's validate endpoint and README's reference list the same
//! declarations (`definitions`), so a default or a rule cannot differ between them.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use crate::config::{ConfigError, Secret};

/// How much a key matters, as Connect's `ConfigDef.Importance` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Importance {
    /// Needed by nearly every user.
    High,
    /// Worth knowing.
    Medium,
    /// Rarely changed.
    Low,
}

impl Importance {
    /// Connect's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Importance::High => "HIGH",
            Importance::Medium => "MEDIUM",
            Importance::Low => "LOW",
        }
    }
}

/// How a key's value is read and checked; it also gives the key's Connect type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Free text (`STRING`).
    Text,
    /// A secret (`PASSWORD`): masked in logs and API answers.
    Password,
    /// `true` or `false`, any case (`BOOLEAN`).
    Bool,
    /// A whole number of at least `min`; `long` makes it Connect's `LONG`, else `INT`.
    Number {
        /// The smallest value accepted.
        min: i64,
        /// Connect's `LONG` rather than `INT`.
        long: bool,
    },
    /// One of these words, any case (`STRING`).
    OneOf(&'static [&'static str]),
    /// Comma-separated values (`LIST`).
    List,
    /// A class name (`CLASS`).
    Class,
}

/// One key, as Connect's `ConfigDef` describes it.
#[derive(Debug, Clone, Copy)]
pub struct KeyDef {
    /// The key.
    pub name: &'static str,
    /// How its value is read and checked.
    pub rule: Rule,
    /// Its default as text; `None`: required.
    pub default: Option<&'static str>,
    /// How much it matters.
    pub importance: Importance,
    /// Connect's group, for listings (`Common`, `Diffusion`, `Error Handling`, ...).
    pub group: &'static str,
    /// What it means, one sentence or two.
    pub doc: &'static str,
}

impl KeyDef {
    /// Connect's type name: STRING, INT, LONG, BOOLEAN, PASSWORD, CLASS or LIST.
    pub fn kind(&self) -> &'static str {
        match self.rule {
            Rule::Text | Rule::OneOf(_) => "STRING",
            Rule::Password => "PASSWORD",
            Rule::Bool => "BOOLEAN",
            Rule::Number { long: true, .. } => "LONG",
            Rule::Number { long: false, .. } => "INT",
            Rule::List => "LIST",
            Rule::Class => "CLASS",
        }
    }

    /// Whether the key has no default.
    pub fn required(&self) -> bool {
        self.default.is_none()
    }

    /// Why `value` breaks the rule, if it does.
    pub fn check(&self, value: &str) -> Result<(), String> {
        match self.rule {
            Rule::Bool
                if !["true", "false"]
                    .iter()
                    .any(|b| b.eq_ignore_ascii_case(value)) =>
            {
                Err(format!("must be true or false, not {value:?}"))
            }
            Rule::Number { min, .. } => match value.parse::<i64>() {
                Ok(n) if n >= min => Ok(()),
                _ => Err(format!(
                    "must be a whole number of at least {min}, not {value:?}"
                )),
            },
            Rule::OneOf(allowed) if !allowed.iter().any(|a| a.eq_ignore_ascii_case(value)) => Err(
                format!("must be one of {}, not {value:?}", allowed.join(", ")),
            ),
            _ => Ok(()),
        }
    }
}

/// A key whose value reads as a `T` (see [`FromKey`]).
#[derive(Debug)]
pub struct Key<T> {
    /// Its declaration.
    pub def: KeyDef,
    value: PhantomData<fn() -> T>,
}

impl<T> Key<T> {
    /// Declares a key. `default`: `None` makes it required.
    pub const fn new(
        name: &'static str,
        rule: Rule,
        default: Option<&'static str>,
        importance: Importance,
        group: &'static str,
        doc: &'static str,
    ) -> Key<T> {
        Key {
            def: KeyDef {
                name,
                rule,
                default,
                importance,
                group,
                doc,
            },
            value: PhantomData,
        }
    }

    /// The key.
    pub const fn name(&self) -> &'static str {
        self.def.name
    }
}

/// Reads a config's keys, collecting every error rather than stopping at the first.
pub struct Reader<'a> {
    props: &'a BTreeMap<String, String>,
    /// Where a key the config lacks is looked up next (the worker's properties, from
    /// which converters are inherited as in Kafka Connect).
    fallback: &'a BTreeMap<String, String>,
    errors: Vec<ConfigError>,
}

impl<'a> Reader<'a> {
    /// A reader of `props`, falling back to `fallback` for keys it lacks.
    pub fn new(
        props: &'a BTreeMap<String, String>,
        fallback: &'a BTreeMap<String, String>,
    ) -> Reader<'a> {
        Reader {
            props,
            fallback,
            errors: Vec::new(),
        }
    }

    /// A key's value as given, trimmed; `None` if it is absent or empty.
    pub fn raw(&self, name: &str) -> Option<&'a str> {
        self.props
            .get(name)
            .or_else(|| self.fallback.get(name))
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    /// The keys under `prefix` (without it), from wherever `class` was read: the
    /// connector's config when it names the class itself, else the worker's, as Kafka
    /// Connect configures a converter (`value.converter.schema.registry.url` goes with
    /// `value.converter`).
    pub fn prefixed(&self, class: &str, prefix: &str) -> BTreeMap<String, String> {
        let from = if self.props.get(class).is_some_and(|v| !v.trim().is_empty()) {
            self.props
        } else {
            self.fallback
        };
        from.iter()
            .filter_map(|(k, v)| Some((k.strip_prefix(prefix)?.to_owned(), v.clone())))
            .collect()
    }

    /// The key's value, checked by its rule; on an error (noted) its default.
    pub fn read<T: FromKey>(&mut self, key: &Key<T>) -> T {
        let value = match self.raw(key.def.name) {
            Some(v) => match key.def.check(v) {
                Ok(()) => Some(v),
                Err(message) => {
                    self.error(key.def.name, message);
                    None
                }
            },
            None => None,
        };
        let value = value.or(key.def.default).filter(|v| !v.is_empty());
        match T::from_value(value, &key.def) {
            Ok(v) => v,
            Err(message) => {
                if !self.errors.iter().any(|e| e.key == key.def.name) {
                    self.error(key.def.name, message);
                }
                T::placeholder()
            }
        }
    }

    /// Notes a problem with `key`.
    pub fn error(&mut self, key: &str, message: impl Into<String>) {
        self.errors.push(ConfigError {
            key: key.to_owned(),
            message: message.into(),
        });
    }

    /// Whether a problem was noted.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Every problem noted, in the order found.
    pub fn finish(self) -> Result<(), Vec<ConfigError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

/// A type a key's value reads as. `value` has passed the key's rule (or is its default);
/// `None`: absent with no default.
pub trait FromKey: Sized {
    /// The typed value, or why there is none.
    fn from_value(value: Option<&str>, def: &KeyDef) -> Result<Self, String>;
    /// What a config with errors carries instead (it is never used).
    fn placeholder() -> Self;
}

const REQUIRED: &str = "is required (no default)";

/// A required text value.
impl FromKey for String {
    fn from_value(value: Option<&str>, _: &KeyDef) -> Result<Self, String> {
        value.map(str::to_owned).ok_or_else(|| REQUIRED.to_owned())
    }
    fn placeholder() -> Self {
        String::new()
    }
}

/// An optional text value.
impl FromKey for Option<String> {
    fn from_value(value: Option<&str>, _: &KeyDef) -> Result<Self, String> {
        Ok(value.map(str::to_owned))
    }
    fn placeholder() -> Self {
        None
    }
}

/// A required secret.
impl FromKey for Secret {
    fn from_value(value: Option<&str>, def: &KeyDef) -> Result<Self, String> {
        String::from_value(value, def).map(Secret)
    }
    fn placeholder() -> Self {
        Secret(String::new())
    }
}

impl FromKey for bool {
    fn from_value(value: Option<&str>, _: &KeyDef) -> Result<Self, String> {
        let value = value.ok_or(REQUIRED)?;
        Ok(value.eq_ignore_ascii_case("true"))
    }
    fn placeholder() -> Self {
        false
    }
}

/// One of the key's words, as declared (whatever case was given).
impl FromKey for &'static str {
    fn from_value(value: Option<&str>, def: &KeyDef) -> Result<Self, String> {
        let value = value.ok_or(REQUIRED)?;
        match def.rule {
            Rule::OneOf(allowed) => allowed
                .iter()
                .find(|a| a.eq_ignore_ascii_case(value))
                .copied()
                .ok_or_else(|| format!("must be one of {}", allowed.join(", "))),
            _ => Err("is not a choice of words".into()),
        }
    }
    fn placeholder() -> Self {
        ""
    }
}

/// Comma-separated values, trimmed, empty ones dropped.
impl FromKey for Vec<String> {
    fn from_value(value: Option<&str>, _: &KeyDef) -> Result<Self, String> {
        Ok(value
            .unwrap_or("")
            .split(',')
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect())
    }
    fn placeholder() -> Self {
        Vec::new()
    }
}

macro_rules! numbers {
    ($($t:ty),*) => {$(
        impl FromKey for $t {
            fn from_value(value: Option<&str>, _: &KeyDef) -> Result<Self, String> {
                let value = value.ok_or(REQUIRED)?;
                value
                    .parse::<$t>()
                    .map_err(|_| format!("must be a whole number that fits {}, not {value:?}", stringify!($t)))
            }
            fn placeholder() -> Self {
                0
            }
        }
    )*};
}

numbers!(u16, i32, i64, u32, u64, usize);

macro_rules! optional_numbers {
    ($($t:ty),*) => {$(
        /// An optional number: absent (or empty) is `None`.
        impl FromKey for Option<$t> {
            fn from_value(value: Option<&str>, def: &KeyDef) -> Result<Self, String> {
                match value {
                    None => Ok(None),
                    Some(_) => <$t>::from_value(value, def).map(Some),
                }
            }
            fn placeholder() -> Self {
                None
            }
        }
    )*};
}

optional_numbers!(u16, i32, u64);

#[cfg(test)]
mod tests {
    use super::*;

    const POLL: Key<u64> = Key::new(
        "poll",
        Rule::Number {
            min: 0,
            long: false,
        },
        Some("1000"),
        Importance::Low,
        "G",
        "d",
    );
    const MODE: Key<&'static str> = Key::new(
        "mode",
        Rule::OneOf(&["none", "all"]),
        Some("none"),
        Importance::Low,
        "G",
        "d",
    );
    const URL: Key<String> = Key::new("url", Rule::Text, None, Importance::High, "G", "d");
    const FLAG: Key<bool> = Key::new("flag", Rule::Bool, Some("false"), Importance::Low, "G", "d");

    fn props(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn absent_keys_take_their_declared_default_and_required_ones_are_named() {
        let (p, none) = (props(&[]), BTreeMap::new());
        let mut r = Reader::new(&p, &none);
        assert_eq!(r.read(&POLL), 1000);
        assert_eq!(r.read(&MODE), "none");
        assert!(!r.read(&FLAG));
        r.read(&URL);
        let errors = r.finish().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].key.as_str(), errors[0].message.as_str()),
            ("url", REQUIRED)
        );
    }

    #[test]
    fn values_are_checked_by_their_rule_and_every_bad_key_is_named() {
        let p = props(&[
            ("poll", "-1"),
            ("mode", "ALL"),
            ("flag", "yes"),
            ("url", " ws://x "),
        ]);
        let none = BTreeMap::new();
        let mut r = Reader::new(&p, &none);
        assert_eq!(r.read(&POLL), 1000, "the default stands in");
        assert_eq!(r.read(&MODE), "all", "any case, the declared spelling back");
        r.read(&FLAG);
        assert_eq!(r.read(&URL), "ws://x");
        let errors = r.finish().unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["poll", "flag"]);
        assert!(
            errors[0].message.contains("at least 0"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn the_fallback_fills_what_the_config_lacks() {
        let (p, worker) = (props(&[]), props(&[("url", "ws://worker")]));
        let mut r = Reader::new(&p, &worker);
        assert_eq!(r.read(&URL), "ws://worker");
    }
}
