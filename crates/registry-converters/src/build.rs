//! The registry converters by class name, configured from the keys under their class key.

use std::collections::BTreeMap;
use std::sync::Arc;

use connect_data::SharedConverter;
use schema_registry::{ConfigError, RegistryConfig};

use crate::avro::Avro;
use crate::converter::RegistryConverter;
use crate::format::Format;
use crate::json_schema::Json;
use crate::protobuf::Protobuf;

/// The classes this crate provides.
pub const CLASSES: &[&str] = &[Avro::CLASS, Json::CLASS, Protobuf::CLASS];

/// The registry converter `class` names, for the key (`is_key`) or value side, from
/// `props` (the keys under `key.converter.`/`value.converter.`, prefix removed); `None` if
/// `class` is not a registry converter.
pub fn build(
    class: &str,
    props: &BTreeMap<String, String>,
    is_key: bool,
) -> Option<Result<SharedConverter, ConfigError>> {
    let config = || RegistryConfig::from_properties(props);
    Some(match class {
        c if c == Avro::CLASS => config().and_then(|config| {
            RegistryConverter::<Avro>::new(&config, is_key).map(|c| Arc::new(c) as SharedConverter)
        }),
        c if c == Json::CLASS => config().and_then(|config| {
            RegistryConverter::<Json>::new(&config, is_key).map(|c| Arc::new(c) as SharedConverter)
        }),
        c if c == Protobuf::CLASS => config().and_then(|config| {
            RegistryConverter::<Protobuf>::new(&config, is_key)
                .map(|c| Arc::new(c) as SharedConverter)
        }),
        _ => return None,
    })
}
