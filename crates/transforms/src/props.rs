//! A transform's or predicate's own config (the keys after `transforms.<alias>.`), read as
//! Kafka's `ConfigDef` reads them: strings trimmed, lists split on commas, every problem
//! noted with the full key and Kafka's message.

use std::collections::BTreeMap;

use crate::error::ConfigError;

/// The keys of one transform or predicate.
pub(crate) struct Props<'a> {
    /// `transforms.<alias>.` or `predicates.<alias>.`.
    prefix: String,
    keys: BTreeMap<String, String>,
    errors: &'a mut Vec<ConfigError>,
}

impl<'a> Props<'a> {
    /// The keys of `props` under `prefix`, prefix removed.
    pub(crate) fn new(
        prefix: &str,
        props: &BTreeMap<String, String>,
        errors: &'a mut Vec<ConfigError>,
    ) -> Props<'a> {
        let keys = props
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix(prefix)?.to_owned(), v.clone())))
            .collect();
        Props {
            prefix: prefix.to_owned(),
            keys,
            errors,
        }
    }

    /// Notes a problem with `key` (unprefixed).
    pub(crate) fn error(&mut self, key: &str, message: impl Into<String>) {
        self.errors.push(ConfigError {
            key: format!("{}{key}", self.prefix),
            message: message.into(),
        });
    }

    /// Kafka's `Invalid value <v> for configuration <key>: <why>`.
    pub(crate) fn invalid(&mut self, key: &str, value: &str, why: &str) {
        self.error(
            key,
            format!("Invalid value {value} for configuration {key}: {why}"),
        );
    }

    /// A STRING key, trimmed; `None` if absent.
    pub(crate) fn string(&self, key: &str) -> Option<String> {
        self.keys.get(key).map(|v| v.trim().to_owned())
    }

    /// A required STRING key; noted if absent.
    pub(crate) fn required(&mut self, key: &str) -> Option<String> {
        let v = self.string(key);
        if v.is_none() {
            let full = format!("{}{key}", self.prefix);
            self.error(
                key,
                format!("Missing required configuration \"{full}\" which has no default value."),
            );
        }
        v
    }

    /// A BOOLEAN key.
    pub(crate) fn boolean(&mut self, key: &str, default: bool) -> bool {
        match self.string(key) {
            None => default,
            Some(v) if v.eq_ignore_ascii_case("true") => true,
            Some(v) if v.eq_ignore_ascii_case("false") => false,
            Some(v) => {
                self.invalid(key, &v, "Expected value to be either true or false");
                default
            }
        }
    }

    /// An INT key.
    pub(crate) fn int(&mut self, key: &str) -> Option<i32> {
        let v = self.string(key)?;
        match v.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                self.invalid(key, &v, "Not a number of type INT");
                None
            }
        }
    }

    /// A LIST key: comma-separated, each element trimmed; empty when absent or blank.
    pub(crate) fn list(&self, key: &str) -> Option<Vec<String>> {
        let v = self.string(key)?;
        if v.is_empty() {
            return Some(Vec::new());
        }
        Some(v.split(',').map(|e| e.trim().to_owned()).collect())
    }

    /// A LIST key as Kafka 4.x validates most of them: duplicates dropped (keeping the
    /// first), no empty element, and (unless `empty_ok`) not empty.
    pub(crate) fn distinct_list(&mut self, key: &str, empty_ok: bool) -> Vec<String> {
        let Some(list) = self.list(key) else {
            return Vec::new();
        };
        let mut out: Vec<String> = Vec::new();
        for e in list {
            if !out.contains(&e) {
                out.push(e);
            }
        }
        if out.iter().any(String::is_empty) {
            self.error(
                key,
                format!("Configuration '{key}' values must not be empty."),
            );
        } else if out.is_empty() && !empty_ok {
            self.error(
                key,
                format!("Configuration '{key}' must not be empty. Valid values include: any non-empty value"),
            );
        }
        out
    }

    /// A required LIST key (see [`Props::distinct_list`]).
    pub(crate) fn required_list(&mut self, key: &str) -> Vec<String> {
        if self.string(key).is_none() {
            self.required(key);
            return Vec::new();
        }
        self.distinct_list(key, false)
    }
}
