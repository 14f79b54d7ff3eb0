//! Query strings read as Kafka Connect's JAX-RS resources read them: percent- and
//! `+`-decoded, a repeated key's first value for a single parameter, every value for a list
//! (`?expand=status&expand=info`), booleans by Java's `Boolean.valueOf` (`true` in any case
//! is true, anything else false, never an error), unknown keys ignored. Clients such as
//! kafka-connect-py send `?includeTasks=False`, which a strict parser refuses.

use axum::extract::RawQuery;

/// A request's decoded query parameters, in order.
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(raw: RawQuery) -> Params {
        let raw = raw.0.unwrap_or_default();
        Params(
            form_urlencoded::parse(raw.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// Whether the key appears at all (`?expand` counts).
    pub fn has(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    /// Every value of the key.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The key's first value.
    pub fn first(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Java's `Boolean.valueOf` of the first value: absent, empty or anything but `true`
    /// (any case) is false.
    pub fn flag(&self, key: &str) -> bool {
        self.first(key)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &str) -> Params {
        Params::parse(RawQuery(Some(q.to_owned())))
    }

    #[test]
    fn booleans_as_java_reads_them() {
        let p = params("includeTasks=True&onlyFailed=False&a=TRUE&b=1&c=&d");
        assert!(p.flag("includeTasks"));
        assert!(!p.flag("onlyFailed"));
        assert!(p.flag("a"));
        assert!(!p.flag("b") && !p.flag("c") && !p.flag("d") && !p.flag("absent"));
        assert!(params("x=true&x=false").flag("x"), "the first value wins");
    }

    #[test]
    fn values_are_decoded_and_lists_kept() {
        let p = params("expand=st%61tus&expand=info&scope=+cluster");
        assert_eq!(p.all("expand"), ["status", "info"]);
        assert_eq!(p.first("scope"), Some(" cluster"));
        assert!(params("expand").has("expand"));
    }
}
