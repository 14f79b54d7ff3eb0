//! Every key the connectors take, each declared once (name, type, default, importance,
//! group, documentation, rule): the typed configs read them (`config`, `source_config`),
//! the REST API's validate endpoint lists them, and README's configuration reference is
//! generated from them.

use crate::config::Secret;
use crate::keys::{Importance::*, Key, KeyDef, Rule};

/// `name`.
pub const NAME: Key<String> = Key::new(
    "name",
    Rule::Text,
    None,
    High,
    "Common",
    "Globally unique name to use for this connector.",
);
/// `connector.class`.
pub const CONNECTOR_CLASS: Key<String> = Key::new(
    "connector.class",
    Rule::Text,
    None,
    High,
    "Common",
    "The connector's class: the sink or the source.",
);
/// `tasks.max`.
pub const TASKS_MAX: Key<u32> = Key::new(
    "tasks.max",
    Rule::Number {
        min: 1,
        long: false,
    },
    Some("1"),
    High,
    "Common",
    "Accepted for compatibility; one task runs (Diffusion topics have no partitions to split).",
);
/// `key.converter`.
pub const KEY_CONVERTER: Key<Option<String>> = Key::new(
    "key.converter",
    Rule::Class,
    Some(""),
    Low,
    "Common",
    "StringConverter, JsonConverter, ByteArrayConverter, or Confluent's AvroConverter, JsonSchemaConverter or ProtobufConverter (with `<this key>.schema.registry.url`); the worker's when unset, with the worker's keys under it.",
);
/// `value.converter`.
pub const VALUE_CONVERTER: Key<Option<String>> = Key::new(
    "value.converter",
    Rule::Class,
    Some(""),
    Low,
    "Common",
    "StringConverter, JsonConverter, ByteArrayConverter, or Confluent's AvroConverter, JsonSchemaConverter or ProtobufConverter (with `<this key>.schema.registry.url`); the worker's when unset, with the worker's keys under it.",
);
/// `key.converter.schemas.enable`.
pub const KEY_CONVERTER_SCHEMAS_ENABLE: Key<bool> = Key::new(
    "key.converter.schemas.enable",
    Rule::Bool,
    Some("true"),
    Low,
    "Common",
    "JsonConverter: the {\"schema\", \"payload\"} envelope (true) or plain JSON (false).",
);
/// `value.converter.schemas.enable`.
pub const VALUE_CONVERTER_SCHEMAS_ENABLE: Key<bool> = Key::new(
    "value.converter.schemas.enable",
    Rule::Bool,
    Some("true"),
    Low,
    "Common",
    "JsonConverter: the {\"schema\", \"payload\"} envelope (true) or plain JSON (false).",
);
/// `diffusion.url`.
pub const DIFFUSION_URL: Key<String> = Key::new(
    "diffusion.url",
    Rule::Text,
    None,
    High,
    "Diffusion",
    "The Diffusion server's URL, ws:// or wss://.",
);
/// `diffusion.username`.
pub const DIFFUSION_USERNAME: Key<String> = Key::new(
    "diffusion.username",
    Rule::Text,
    None,
    High,
    "Diffusion",
    "The principal to authenticate as.",
);
/// `diffusion.password`.
pub const DIFFUSION_PASSWORD: Key<Secret> = Key::new(
    "diffusion.password",
    Rule::Password,
    None,
    High,
    "Diffusion",
    "The principal's password; never logged, masked by the REST API.",
);
/// `diffusion.ssl.ca.location`.
pub const DIFFUSION_SSL_CA_LOCATION: Key<Option<String>> = Key::new(
    "diffusion.ssl.ca.location",
    Rule::Text,
    Some(""),
    Medium,
    "Diffusion",
    "A PEM file of CAs to trust for wss:// besides the system's (an on-prem server's private CA).",
);
/// `errors.tolerance`.
pub const ERRORS_TOLERANCE: Key<&'static str> = Key::new(
    "errors.tolerance",
    Rule::OneOf(&["none", "all"]),
    Some("none"),
    Medium,
    "Error Handling",
    "none: a bad record fails the task; all: it is skipped (and dead-lettered by a sink).",
);
/// `errors.log.enable`.
pub const ERRORS_LOG_ENABLE: Key<bool> = Key::new(
    "errors.log.enable",
    Rule::Bool,
    Some("false"),
    Medium,
    "Error Handling",
    "Log each failed record.",
);
/// `errors.log.include.messages`.
pub const ERRORS_LOG_INCLUDE_MESSAGES: Key<bool> = Key::new(
    "errors.log.include.messages",
    Rule::Bool,
    Some("false"),
    Medium,
    "Error Handling",
    "Include the record's key and value in that log.",
);
/// `errors.retry.timeout`.
pub const ERRORS_RETRY_TIMEOUT: Key<i64> = Key::new(
    "errors.retry.timeout",
    Rule::Number {
        min: -1,
        long: true,
    },
    Some("0"),
    Medium,
    "Error Handling",
    "Accepted for compatibility; Diffusion operations are retried across reconnections.",
);
/// `topics`.
pub const TOPICS: Key<Vec<String>> = Key::new(
    "topics",
    Rule::List,
    Some(""),
    High,
    "Common",
    "Kafka topics to read (or topics.regex).",
);
/// `topics.regex`.
pub const TOPICS_REGEX: Key<Option<String>> = Key::new(
    "topics.regex",
    Rule::Text,
    Some(""),
    High,
    "Common",
    "A regular expression over Kafka topic names to read.",
);
/// `diffusion.destination`.
pub const DIFFUSION_DESTINATION: Key<String> = Key::new(
    "diffusion.destination",
    Rule::Text,
    None,
    High,
    "Diffusion",
    "The Diffusion topic path pattern: text with the Java connector's tokens ${topic}, ${key}, ${key.version}, ${value.version}, and any part of the record: ${value.<path>} and ${key.<path>} (a field: customer.id, items[0].sku, [\"a.b\"]), ${header.<name>}, ${partition}, ${offset}, ${timestamp} (epoch ms). E.g. prices/${value.exchange}/${value.symbol}. Any other ${...} stays as text (a warning at start).",
);

/// `diffusion.topic.type`.
pub const DIFFUSION_TOPIC_TYPE: Key<&'static str> = Key::new(
    "diffusion.topic.type",
    Rule::OneOf(&["JSON", "STRING", "INT64", "DOUBLE", "BINARY", "TIME_SERIES"]),
    Some("JSON"),
    Medium,
    "Diffusion",
    "The type of the Diffusion topics the sink creates and sets: JSON (the Java connector's), STRING (text; a struct, map or array as JSON text), INT64 (integers), DOUBLE (numbers) or BINARY (bytes, or a string's UTF-8). A value the type cannot hold takes the error path naming the type. TIME_SERIES: each record is appended as an event (of diffusion.time.series.event.type, stamped with the record's timestamp), in order per partition; retention through diffusion.topic.properties (TIME_SERIES_RETAINED_RANGE, TIME_SERIES_SUBSCRIPTION_RANGE).",
);

/// `diffusion.time.series.event.type`.
pub const DIFFUSION_TIME_SERIES_EVENT_TYPE: Key<&'static str> = Key::new(
    "diffusion.time.series.event.type",
    Rule::OneOf(&["JSON", "STRING", "INT64", "DOUBLE", "BINARY"]),
    Some("JSON"),
    Medium,
    "Diffusion",
    "With diffusion.topic.type=TIME_SERIES: the type of the events (their values are converted as for a topic of that type).",
);

/// `diffusion.topic.properties`.
pub const DIFFUSION_TOPIC_PROPERTIES: Key<Vec<String>> = Key::new(
    "diffusion.topic.properties",
    Rule::List,
    Some(""),
    Medium,
    "Diffusion",
    "Properties of the topics the sink creates, NAME=value pairs: DONT_RETAIN_VALUE, PUBLISH_VALUES_ONLY, TIDY_ON_UNSUBSCRIBE, VALIDATE_VALUES, PERSISTENT (true/false), CONFLATION (off, conflate, unsubscribe, always), COMPRESSION (off, low, medium, high), PRIORITY (low, default, high), REMOVAL (Diffusion's removal expression), OWNER; for time series TIME_SERIES_RETAINED_RANGE (e.g. limit 10000, last 1h) and TIME_SERIES_SUBSCRIPTION_RANGE. A topic that exists with other properties takes the error path with the server's reason.",
);

/// `diffusion.destination.escape`.
pub const DIFFUSION_DESTINATION_ESCAPE: Key<&'static str> = Key::new(
    "diffusion.destination.escape",
    Rule::OneOf(&["percent", "fail"]),
    Some("percent"),
    Low,
    "Diffusion",
    "A field or header token's text holding '/', '%' or a control character: percent: encoded (%2F, %25, %0A), so it stays one path segment; fail: the record fails.",
);

/// `diffusion.destination.unresolved`.
pub const DIFFUSION_DESTINATION_UNRESOLVED: Key<&'static str> = Key::new(
    "diffusion.destination.unresolved",
    Rule::OneOf(&["fail", "keep"]),
    Some("fail"),
    Low,
    "Diffusion",
    "fail: a record whose token has no value fails; keep: the token stays as text, and a null key fills only ${topic} (the Java connector's paths).",
);
/// `diffusion.tombstone.behavior`.
pub const DIFFUSION_TOMBSTONE_BEHAVIOR: Key<&'static str> = Key::new(
    "diffusion.tombstone.behavior",
    Rule::OneOf(&["null", "remove"]),
    Some("null"),
    Low,
    "Diffusion",
    "null: a null record value sets JSON null; remove: it removes the Diffusion topic.",
);
/// `diffusion.conflation`.
pub const DIFFUSION_CONFLATION: Key<&'static str> = Key::new(
    "diffusion.conflation",
    Rule::OneOf(&["none", "latest"]),
    Some("none"),
    Medium,
    "Diffusion",
    "latest: while the in-flight window is full, a newer record for the same path and partition replaces a waiting one (superseded; committed with it). none: every record is sent.",
);
/// `diffusion.conflation.max.pending`.
pub const DIFFUSION_CONFLATION_MAX_PENDING: Key<usize> = Key::new(
    "diffusion.conflation.max.pending",
    Rule::Number {
        min: 1,
        long: false,
    },
    Some("100000"),
    Low,
    "Diffusion",
    "With conflation: most records waiting for the in-flight window (after conflation, about one per destination); reading pauses at it.",
);
/// `diffusion.max.in.flight`.
pub const DIFFUSION_MAX_IN_FLIGHT: Key<usize> = Key::new(
    "diffusion.max.in.flight",
    Rule::Number {
        min: 1,
        long: false,
    },
    Some("1024"),
    Low,
    "Diffusion",
    "Most updates awaiting Diffusion's confirmation at once.",
);
/// `errors.deadletterqueue.topic.name`.
pub const ERRORS_DEADLETTERQUEUE_TOPIC_NAME: Key<Option<String>> = Key::new(
    "errors.deadletterqueue.topic.name",
    Rule::Text,
    Some(""),
    Medium,
    "Error Handling",
    "Kafka topic for records that failed (with errors.tolerance=all).",
);
/// `errors.deadletterqueue.context.headers.enable`.
pub const ERRORS_DEADLETTERQUEUE_CONTEXT_HEADERS_ENABLE: Key<bool> = Key::new(
    "errors.deadletterqueue.context.headers.enable",
    Rule::Bool,
    Some("false"),
    Medium,
    "Error Handling",
    "Add Kafka Connect's __connect.errors.* headers to dead-lettered records.",
);
/// `errors.deadletterqueue.topic.replication.factor`.
pub const ERRORS_DEADLETTERQUEUE_TOPIC_REPLICATION_FACTOR: Key<i32> = Key::new(
    "errors.deadletterqueue.topic.replication.factor",
    Rule::Number {
        min: 1,
        long: false,
    },
    Some("3"),
    Medium,
    "Error Handling",
    "Replication factor of the dead-letter topic if it is created.",
);
/// `offset.flush.interval.ms`.
pub const OFFSET_FLUSH_INTERVAL_MS: Key<u64> = Key::new(
    "offset.flush.interval.ms",
    Rule::Number { min: 1, long: true },
    Some("60000"),
    Low,
    "Common",
    "How often offsets are committed: the sink's once Diffusion confirmed the records, the source's (time series topics) once Kafka acknowledged them (a worker property; may be set per connector).",
);
/// `diffusion.selector`.
pub const DIFFUSION_SELECTOR: Key<String> = Key::new(
    "diffusion.selector",
    Rule::Text,
    None,
    High,
    "Diffusion",
    "The topic selector to subscribe to, e.g. ?source/kafka/.*",
);
/// `diffusion.poll.interval`.
pub const DIFFUSION_POLL_INTERVAL: Key<u64> = Key::new(
    "diffusion.poll.interval",
    Rule::Number { min: 0, long: false },
    Some("1000"),
    Low,
    "Diffusion",
    "Milliseconds without updates after which an empty poll is counted; 0: never (no idle wake-ups).",
);
/// `diffusion.poll.size`.
pub const DIFFUSION_POLL_SIZE: Key<usize> = Key::new(
    "diffusion.poll.size",
    Rule::Number {
        min: 1,
        long: false,
    },
    Some("128"),
    Low,
    "Diffusion",
    "Most updates handed to Kafka in one batch.",
);
/// `kafka.topic`.
pub const KAFKA_TOPIC: Key<String> = Key::new(
    "kafka.topic",
    Rule::Text,
    None,
    High,
    "Kafka",
    "The Kafka topic pattern; ${topic} is the Diffusion topic path, with characters Kafka refuses made _. Any other ${...} stays as text (a warning at start), and Kafka refuses such a name: each record fails.",
);
/// `topic.creation.default.partitions`.
pub const TOPIC_CREATION_DEFAULT_PARTITIONS: Key<i32> = Key::new(
    "topic.creation.default.partitions",
    Rule::Number {
        min: -1,
        long: false,
    },
    Some("-1"),
    Low,
    "Kafka",
    "Partitions of Kafka topics the source creates (-1: the broker's default).",
);
/// `topic.creation.default.replication.factor`.
pub const TOPIC_CREATION_DEFAULT_REPLICATION_FACTOR: Key<i32> = Key::new(
    "topic.creation.default.replication.factor",
    Rule::Number {
        min: -1,
        long: false,
    },
    Some("-1"),
    Low,
    "Kafka",
    "Replication factor of Kafka topics the source creates (-1: the broker's default).",
);
/// `source.max.buffered.records`.
pub const SOURCE_MAX_BUFFERED_RECORDS: Key<usize> = Key::new(
    "source.max.buffered.records",
    Rule::Number {
        min: 1,
        long: false,
    },
    Some("10000"),
    Low,
    "Kafka",
    "Most records awaiting Kafka's acknowledgement; beyond it Diffusion is not read.",
);
/// The keys both connectors take.
const COMMON: [&KeyDef; 16] = [
    &NAME.def,
    &CONNECTOR_CLASS.def,
    &TASKS_MAX.def,
    &KEY_CONVERTER.def,
    &VALUE_CONVERTER.def,
    &KEY_CONVERTER_SCHEMAS_ENABLE.def,
    &VALUE_CONVERTER_SCHEMAS_ENABLE.def,
    &DIFFUSION_URL.def,
    &DIFFUSION_USERNAME.def,
    &DIFFUSION_PASSWORD.def,
    &DIFFUSION_SSL_CA_LOCATION.def,
    &ERRORS_TOLERANCE.def,
    &ERRORS_LOG_ENABLE.def,
    &ERRORS_LOG_INCLUDE_MESSAGES.def,
    &ERRORS_RETRY_TIMEOUT.def,
    &OFFSET_FLUSH_INTERVAL_MS.def,
];

/// The sink's own keys.
const SINK: [&KeyDef; 15] = [
    &TOPICS.def,
    &TOPICS_REGEX.def,
    &DIFFUSION_DESTINATION.def,
    &DIFFUSION_DESTINATION_UNRESOLVED.def,
    &DIFFUSION_DESTINATION_ESCAPE.def,
    &DIFFUSION_TOPIC_TYPE.def,
    &DIFFUSION_TIME_SERIES_EVENT_TYPE.def,
    &DIFFUSION_TOPIC_PROPERTIES.def,
    &DIFFUSION_TOMBSTONE_BEHAVIOR.def,
    &DIFFUSION_MAX_IN_FLIGHT.def,
    &DIFFUSION_CONFLATION.def,
    &DIFFUSION_CONFLATION_MAX_PENDING.def,
    &ERRORS_DEADLETTERQUEUE_TOPIC_NAME.def,
    &ERRORS_DEADLETTERQUEUE_CONTEXT_HEADERS_ENABLE.def,
    &ERRORS_DEADLETTERQUEUE_TOPIC_REPLICATION_FACTOR.def,
];

/// The source's own keys.
const SOURCE: [&KeyDef; 7] = [
    &DIFFUSION_SELECTOR.def,
    &DIFFUSION_POLL_INTERVAL.def,
    &DIFFUSION_POLL_SIZE.def,
    &KAFKA_TOPIC.def,
    &TOPIC_CREATION_DEFAULT_PARTITIONS.def,
    &TOPIC_CREATION_DEFAULT_REPLICATION_FACTOR.def,
    &SOURCE_MAX_BUFFERED_RECORDS.def,
];

/// Every key the connector of this class takes, common keys first.
pub fn keys(class: &str) -> Vec<KeyDef> {
    let specific: &[&KeyDef] = match class {
        crate::SINK_CLASS => &SINK,
        crate::SOURCE_CLASS => &SOURCE,
        _ => &[],
    };
    COMMON.iter().chain(specific).map(|d| **d).collect()
}

/// The README's configuration reference: one table per connector, every key with its type,
/// default and meaning, straight from the definitions above (a test keeps the README equal
/// to this; `cargo run -p connectors --example config-reference` prints it).
pub fn reference_markdown() -> String {
    let mut out = String::new();
    let table = |out: &mut String, title: &str, defs: &[&KeyDef]| {
        out.push_str(&format!(
            "#### {title}\n\n| key | type | default | meaning |\n|---|---|---|---|\n"
        ));
        for d in defs {
            let default = match d.default {
                None => "required".to_owned(),
                Some("") => "-".to_owned(),
                Some(v) => format!("`{v}`"),
            };
            out.push_str(&format!(
                "| `{}` | {} | {default} | {} |\n",
                d.name,
                d.kind(),
                d.doc.replace('|', "\\\\|")
            ));
        }
        out.push('\n');
    };
    table(&mut out, "Both connectors", &COMMON);
    table(&mut out, &format!("Sink (`{}`)", crate::SINK_CLASS), &SINK);
    table(
        &mut out,
        &format!("Source (`{}`)", crate::SOURCE_CLASS),
        &SOURCE,
    );
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_default_passes_its_own_rule_and_every_name_is_declared_once() {
        for class in [crate::SINK_CLASS, crate::SOURCE_CLASS] {
            let defs = keys(class);
            let names: BTreeSet<&str> = defs.iter().map(|d| d.name).collect();
            assert_eq!(names.len(), defs.len(), "{class}: a key listed twice");
            for d in defs {
                if let Some(v) = d.default.filter(|v| !v.is_empty()) {
                    assert_eq!(d.check(v), Ok(()), "{}'s default {v:?}", d.name);
                }
            }
        }
    }
}
