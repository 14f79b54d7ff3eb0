//! The keys each connector takes, described as Kafka Connect's `ConfigDef` describes keys,
//! for the REST API's validate endpoint, `--help`-style listings and the README.

#[derive(Debug, Clone, Copy)]
pub struct KeyDef {
    pub name: &'static str,
    /// Connect's type names: STRING, INT, LONG, BOOLEAN, PASSWORD, CLASS, LIST.
    pub kind: &'static str,
    pub required: bool,
    pub default: Option<&'static str>,
    pub importance: &'static str,
    pub group: &'static str,
    pub doc: &'static str,
}

const fn key(
    name: &'static str,
    kind: &'static str,
    default: Option<&'static str>,
    importance: &'static str,
    group: &'static str,
    doc: &'static str,
) -> KeyDef {
    KeyDef {
        name,
        kind,
        required: default.is_none(),
        default,
        importance,
        group,
        doc,
    }
}

const COMMON: [KeyDef; 15] = [
    key(
        "name",
        "STRING",
        None,
        "HIGH",
        "Common",
        "Globally unique name to use for this connector.",
    ),
    key(
        "connector.class",
        "STRING",
        None,
        "HIGH",
        "Common",
        "The connector's class: the sink or the source.",
    ),
    key(
        "tasks.max",
        "INT",
        Some("1"),
        "HIGH",
        "Common",
        "Accepted for compatibility; one task runs (Diffusion topics have no partitions to split).",
    ),
    key(
        "key.converter",
        "CLASS",
        Some(""),
        "LOW",
        "Common",
        "StringConverter, JsonConverter or ByteArrayConverter; the worker's when unset.",
    ),
    key(
        "value.converter",
        "CLASS",
        Some(""),
        "LOW",
        "Common",
        "StringConverter, JsonConverter or ByteArrayConverter; the worker's when unset.",
    ),
    key(
        "key.converter.schemas.enable",
        "BOOLEAN",
        Some("true"),
        "LOW",
        "Common",
        "JsonConverter: the {\"schema\", \"payload\"} envelope (true) or plain JSON (false).",
    ),
    key(
        "value.converter.schemas.enable",
        "BOOLEAN",
        Some("true"),
        "LOW",
        "Common",
        "JsonConverter: the {\"schema\", \"payload\"} envelope (true) or plain JSON (false).",
    ),
    key(
        "diffusion.url",
        "STRING",
        None,
        "HIGH",
        "Diffusion",
        "The Diffusion server's URL, ws:// or wss://.",
    ),
    key(
        "diffusion.username",
        "STRING",
        None,
        "HIGH",
        "Diffusion",
        "The principal to authenticate as.",
    ),
    key(
        "diffusion.password",
        "PASSWORD",
        None,
        "HIGH",
        "Diffusion",
        "The principal's password; never logged, masked by the REST API.",
    ),
    key(
        "diffusion.ssl.ca.location",
        "STRING",
        Some(""),
        "MEDIUM",
        "Diffusion",
        "A PEM file of CAs to trust for wss:// besides the system's (an on-prem server's private CA).",
    ),
    key(
        "errors.tolerance",
        "STRING",
        Some("none"),
        "MEDIUM",
        "Error Handling",
        "none: a bad record fails the task; all: it is skipped (and dead-lettered by a sink).",
    ),
    key(
        "errors.log.enable",
        "BOOLEAN",
        Some("false"),
        "MEDIUM",
        "Error Handling",
        "Log each failed record.",
    ),
    key(
        "errors.log.include.messages",
        "BOOLEAN",
        Some("false"),
        "MEDIUM",
        "Error Handling",
        "Include the record's key and value in that log.",
    ),
    key(
        "errors.retry.timeout",
        "LONG",
        Some("0"),
        "MEDIUM",
        "Error Handling",
        "Accepted for compatibility; Diffusion operations are retried across reconnections.",
    ),
];

const SINK: [KeyDef; 10] = [
    key("topics", "LIST", Some(""), "HIGH", "Common", "Kafka topics to read (or topics.regex)."),
    key("topics.regex", "STRING", Some(""), "HIGH", "Common", "A regular expression over Kafka topic names to read."),
    key("diffusion.destination", "STRING", None, "HIGH", "Diffusion", "The Diffusion topic path pattern: text with ${topic}, ${key}, ${key.version}, ${value.version}; any other ${...} stays as text (a warning at start)."),
    key("diffusion.destination.unresolved", "STRING", Some("fail"), "LOW", "Diffusion", "fail: a record whose token has no value fails; keep: the token stays as text, and a null key fills only ${topic} (the Java connector's paths)."),
    key("diffusion.tombstone.behavior", "STRING", Some("null"), "LOW", "Diffusion", "null: a null record value sets JSON null; remove: it removes the Diffusion topic."),
    key("diffusion.max.in.flight", "INT", Some("1024"), "LOW", "Diffusion", "Most updates awaiting Diffusion's confirmation at once."),
    key("errors.deadletterqueue.topic.name", "STRING", Some(""), "MEDIUM", "Error Handling", "Kafka topic for records that failed (with errors.tolerance=all)."),
    key("errors.deadletterqueue.context.headers.enable", "BOOLEAN", Some("false"), "MEDIUM", "Error Handling", "Add Kafka Connect's __connect.errors.* headers to dead-lettered records."),
    key("errors.deadletterqueue.topic.replication.factor", "INT", Some("3"), "MEDIUM", "Error Handling", "Replication factor of the dead-letter topic if it is created."),
    key("offset.flush.interval.ms", "LONG", Some("60000"), "LOW", "Common", "How often confirmed offsets are committed (a worker property; may be set per connector)."),
];

const SOURCE: [KeyDef; 7] = [
    key("diffusion.selector", "STRING", None, "HIGH", "Diffusion", "The topic selector to subscribe to, e.g. ?source/kafka/.*"),
    key("diffusion.poll.interval", "INT", Some("1000"), "LOW", "Diffusion", "Milliseconds without updates after which an empty poll is counted; 0: never (no idle wake-ups)."),
    key("diffusion.poll.size", "INT", Some("128"), "LOW", "Diffusion", "Most updates handed to Kafka in one batch."),
    key("kafka.topic", "STRING", None, "HIGH", "Kafka", "The Kafka topic pattern; ${topic} is the Diffusion topic path, with characters Kafka refuses made _. Any other ${...} stays as text (a warning at start), and Kafka refuses such a name: each record fails."),
    key("topic.creation.default.partitions", "INT", Some("-1"), "LOW", "Kafka", "Partitions of Kafka topics the source creates (-1: the broker's default)."),
    key("topic.creation.default.replication.factor", "INT", Some("-1"), "LOW", "Kafka", "Replication factor of Kafka topics the source creates (-1: the broker's default)."),
    key("source.max.buffered.records", "INT", Some("10000"), "LOW", "Kafka", "Most records awaiting Kafka's acknowledgement; beyond it Diffusion is not read."),
];

/// Every key the connector of this class takes, common keys first.
pub fn keys(class: &str) -> Vec<KeyDef> {
    let specific: &[KeyDef] = match class {
        crate::SINK_CLASS => &SINK,
        crate::SOURCE_CLASS => &SOURCE,
        _ => &[],
    };
    COMMON.iter().chain(specific).copied().collect()
}

/// The README's configuration reference: one table per connector, every key with its type,
/// default and meaning, straight from the definitions above (a test keeps the README equal
/// to this; `cargo run -p connectors --example config-reference` prints it).
pub fn reference_markdown() -> String {
    let mut out = String::new();
    let table = |out: &mut String, title: &str, defs: &[KeyDef]| {
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
                d.kind,
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
