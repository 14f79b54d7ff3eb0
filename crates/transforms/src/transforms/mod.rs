//! Kafka's transforms (`org.apache.kafka.connect.transforms.*`), one file each, and the
//! class names that pick them: all of Kafka's built-in set.

mod cast;
mod drop_headers;
mod extract_field;
mod filter;
mod flatten;
mod header_from;
mod hoist_field;
mod insert_field;
mod insert_header;
mod mask_field;
mod regex_router;
mod replace_field;
mod set_schema_metadata;
mod timestamp_converter;
mod timestamp_router;
mod value_to_key;

use crate::error::Failure;
use crate::props::Props;
use crate::record::ConnectRecord;
use crate::side::Side;

/// One transform, configured.
pub(crate) trait Transform: Send + Sync {
    /// Kafka's class name, for errors and the dead-letter topic.
    fn class(&self) -> &'static str;
    /// The transformed record; `None` drops it.
    fn apply(&self, record: ConnectRecord) -> Result<Option<ConnectRecord>, Failure>;
}

const PACKAGE: &str = "org.apache.kafka.connect.transforms.";

/// Transforms with `$Key` and `$Value` variants (the bare class is abstract).
const SIDED: [&str; 10] = [
    "Cast",
    "ExtractField",
    "Flatten",
    "HeaderFrom",
    "HoistField",
    "InsertField",
    "MaskField",
    "ReplaceField",
    "SetSchemaMetadata",
    "TimestampConverter",
];

/// The transform a class names, configured from `p`: `Err` says why the class cannot be
/// used; `Ok(None)`: its config has errors, noted in `p`.
pub(crate) fn build(class: &str, p: &mut Props) -> Result<Option<Box<dyn Transform>>, String> {
    let Some(name) = class.strip_prefix(PACKAGE) else {
        return Err(format!("Class {class} could not be found."));
    };
    let (base, side) = match name.split_once('$') {
        Some((base, "Key")) => (base, Some(Side::Key)),
        Some((base, "Value")) => (base, Some(Side::Value)),
        Some(_) => return Err(format!("Class {class} could not be found.")),
        None => (name, None),
    };
    if SIDED.contains(&base) && side.is_none() {
        return Err(format!(
            "This class is abstract and cannot be created. Did you mean {PACKAGE}{base}$Key, {PACKAGE}{base}$Value?"
        ));
    }
    let side = side.unwrap_or(Side::Value);
    Ok(match base {
        "Cast" => cast::Cast::build(p, side),
        "DropHeaders" => drop_headers::DropHeaders::build(p),
        "ExtractField" => extract_field::ExtractField::build(p, side),
        "Filter" => Some(Box::new(filter::Filter)),
        "Flatten" => flatten::Flatten::build(p, side),
        "HeaderFrom" => header_from::HeaderFrom::build(p, side),
        "HoistField" => hoist_field::HoistField::build(p, side),
        "InsertField" => insert_field::InsertField::build(p, side),
        "InsertHeader" => insert_header::InsertHeader::build(p),
        "MaskField" => mask_field::MaskField::build(p, side),
        "RegexRouter" => regex_router::RegexRouter::build(p),
        "ReplaceField" => replace_field::ReplaceField::build(p, side),
        "SetSchemaMetadata" => set_schema_metadata::SetSchemaMetadata::build(p, side),
        "TimestampConverter" => timestamp_converter::TimestampConverter::build(p, side),
        "TimestampRouter" => timestamp_router::TimestampRouter::build(p),
        "ValueToKey" => value_to_key::ValueToKey::build(p),
        _ => return Err(format!("Class {class} could not be found.")),
    })
}

/// Kafka's class name for a sided transform.
pub(crate) fn sided(side: Side, key: &'static str, value: &'static str) -> &'static str {
    match side {
        Side::Key => key,
        Side::Value => value,
    }
}
