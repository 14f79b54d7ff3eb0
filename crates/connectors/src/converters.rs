//! The converters a connector's `key.converter` and `value.converter` can name: Kafka
//! Connect's own (`connect-data`) and Confluent's registry converters
//! (`registry-converters`), each built from the keys under its class key.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use connect_data::builtin::{BYTE_ARRAY_CONVERTER, JSON_CONVERTER, STRING_CONVERTER};
use connect_data::{BuiltinConverter, SharedConverter};

/// Which side of a record a converter reads or writes; registry subjects differ by it
/// (`<topic>-key`, `<topic>-value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The record key (`key.converter`).
    Key,
    /// The record value (`value.converter`).
    Value,
}

/// The pause before converting again after a converter's registry could not be reached
/// `failures` times in a row (the sink's and the source's back-off): 500 ms after the
/// first, doubling to 8 s; nothing is skipped meanwhile.
pub(crate) fn retry_pause(failures: u32) -> Duration {
    Duration::from_millis(250).saturating_mul(1 << failures.min(5))
}

/// Why a converter could not be built: the key under the class key (e.g.
/// `schema.registry.url`), if the problem is one key's, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConverterConfigError {
    /// The key, without the `value.converter.` prefix; `None`: the class itself.
    pub key: Option<String>,
    /// What is wrong, for the validate endpoint and the log.
    pub message: String,
}

/// The converter `class` names, configured from `props` (the keys under the class key,
/// prefix removed), for `side`.
pub fn build(
    class: &str,
    props: &BTreeMap<String, String>,
    side: Side,
) -> Result<SharedConverter, ConverterConfigError> {
    let class = class.trim();
    if let Some(built) = registry_converters::build(class, props, side == Side::Key) {
        return built.map_err(|e| match e {
            schema_registry::ConfigError::Missing { key } => ConverterConfigError {
                key: Some(key.to_owned()),
                message: "is required by this converter".into(),
            },
            schema_registry::ConfigError::Invalid { key, value, reason } => ConverterConfigError {
                key: Some(key.to_owned()),
                message: format!("{value:?} is not valid: {reason}"),
            },
        });
    }
    match class {
        STRING_CONVERTER | JSON_CONVERTER | BYTE_ARRAY_CONVERTER => {
            let schemas_enable = props.get("schemas.enable").map(String::as_str);
            BuiltinConverter::from_class(class, schemas_enable)
                .map(|c| Arc::new(c) as SharedConverter)
                .map_err(|message| ConverterConfigError {
                    key: Some("schemas.enable".into()),
                    message,
                })
        }
        other => Err(ConverterConfigError {
            key: None,
            message: format!(
                "converter class {other:?} is not available; use {STRING_CONVERTER}, {JSON_CONVERTER}, \
                 {BYTE_ARRAY_CONVERTER} or one of {}",
                registry_converters::CLASSES.join(", ")
            ),
        }),
    }
}
