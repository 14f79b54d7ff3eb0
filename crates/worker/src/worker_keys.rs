//! The worker's own properties, each declared once (name, type, default, documentation,
//! rule), as the connectors declare theirs (`connectors::definitions`): the REST listener,
//! the advertised address, basic authentication, the `worker` command's store, topic
//! tracking and the live page's Diffusion feed. The cluster's keys are in `cluster`; the
//! Kafka client keys pass to librdkafka (`connectors::kafka`).

use std::collections::BTreeMap;

use connectors::keys::{Importance::*, Key, Reader, Rule};
use connectors::ConfigError;

/// `listeners`.
pub const LISTENERS: Key<String> = Key::new(
    "listeners",
    Rule::Text,
    Some("http://127.0.0.1:8083"),
    High,
    "Worker",
    "Where the REST API listens: http://HOST:PORT (the first of a list; plain HTTP).",
);

/// `rest.advertised.host.name`.
pub const REST_ADVERTISED_HOST_NAME: Key<Option<String>> = Key::new(
    "rest.advertised.host.name",
    Rule::Text,
    Some(""),
    Low,
    "Worker",
    "The host other workers reach this one by (its worker id); the bound address, or the host name when bound to all.",
);

/// `rest.advertised.port`.
pub const REST_ADVERTISED_PORT: Key<Option<u16>> = Key::new(
    "rest.advertised.port",
    Rule::Number {
        min: 0,
        long: false,
    },
    Some(""),
    Low,
    "Worker",
    "The port other workers reach this one by; the bound port when unset.",
);

/// `rest.basic.auth.username`.
pub const REST_BASIC_AUTH_USERNAME: Key<Option<String>> = Key::new(
    "rest.basic.auth.username",
    Rule::Text,
    Some(""),
    Medium,
    "Worker",
    "With rest.basic.auth.password: the REST API asks for HTTP basic authentication.",
);

/// `rest.basic.auth.password`.
pub const REST_BASIC_AUTH_PASSWORD: Key<Option<String>> = Key::new(
    "rest.basic.auth.password",
    Rule::Password,
    Some(""),
    Medium,
    "Worker",
    "The REST API's password (with rest.basic.auth.username).",
);

/// `config.storage.file.filename`.
pub const CONFIG_STORAGE_FILE_FILENAME: Key<String> = Key::new(
    "config.storage.file.filename",
    Rule::Text,
    Some("connect-configs.json"),
    Medium,
    "Worker",
    "The `worker` command's file of connector configs and target states.",
);

/// `offset.storage.file.filename`.
pub const OFFSET_STORAGE_FILE_FILENAME: Key<Option<String>> = Key::new(
    "offset.storage.file.filename",
    Rule::Text,
    Some(""),
    Medium,
    "Worker",
    "`standalone` and `worker` mode: the file of source offsets (time series topics resume from them; JSON in Connect's key/value layout). Unset: kept in memory, so they survive a task's restart but not the worker's.",
);

/// `topic.tracking.enable`.
pub const TOPIC_TRACKING_ENABLE: Key<bool> = Key::new(
    "topic.tracking.enable",
    Rule::Bool,
    Some("true"),
    Low,
    "Worker",
    "Record the topics each connector uses (KIP-558's active topics).",
);

/// `topic.tracking.allow.reset`.
pub const TOPIC_TRACKING_ALLOW_RESET: Key<bool> = Key::new(
    "topic.tracking.allow.reset",
    Rule::Bool,
    Some("true"),
    Low,
    "Worker",
    "Allow PUT /connectors/{name}/topics/reset.",
);

/// `ui.diffusion.url`.
pub const UI_DIFFUSION_URL: Key<Option<String>> = Key::new(
    "ui.diffusion.url",
    Rule::Text,
    Some(""),
    Low,
    "Live page",
    "A Diffusion server whose topics the live page (/ui) shows; none when unset.",
);

/// `ui.diffusion.username`.
pub const UI_DIFFUSION_USERNAME: Key<String> = Key::new(
    "ui.diffusion.username",
    Rule::Text,
    Some("admin"),
    Low,
    "Live page",
    "The principal the live page's feed connects as.",
);

/// `ui.diffusion.password`.
pub const UI_DIFFUSION_PASSWORD: Key<String> = Key::new(
    "ui.diffusion.password",
    Rule::Password,
    Some("password"),
    Low,
    "Live page",
    "Its password.",
);

/// `ui.diffusion.selector`.
pub const UI_DIFFUSION_SELECTOR: Key<String> = Key::new(
    "ui.diffusion.selector",
    Rule::Text,
    Some("?.*//"),
    Low,
    "Live page",
    "The topics the live page shows.",
);

/// Reads worker properties by their declarations, every bad key named.
pub fn reader(props: &BTreeMap<String, String>) -> Reader<'_> {
    static NONE: BTreeMap<String, String> = BTreeMap::new();
    Reader::new(props, &NONE)
}

/// The problems of a finished reader, as one result.
pub fn finish(r: Reader<'_>) -> Result<(), Vec<ConfigError>> {
    r.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_their_rules_and_bad_values_are_named() {
        for d in [
            &LISTENERS.def,
            &REST_ADVERTISED_HOST_NAME.def,
            &REST_ADVERTISED_PORT.def,
            &CONFIG_STORAGE_FILE_FILENAME.def,
            &OFFSET_STORAGE_FILE_FILENAME.def,
            &TOPIC_TRACKING_ENABLE.def,
            &UI_DIFFUSION_SELECTOR.def,
        ] {
            if let Some(v) = d.default.filter(|v| !v.is_empty()) {
                assert_eq!(d.check(v), Ok(()), "{}", d.name);
            }
        }
        let props: BTreeMap<String, String> = [
            ("rest.advertised.port".to_owned(), "70000".to_owned()),
            ("topic.tracking.enable".to_owned(), "yes".to_owned()),
        ]
        .into();
        let mut r = reader(&props);
        assert_eq!(r.read(&REST_ADVERTISED_PORT), None);
        assert!(r.read(&TOPIC_TRACKING_ENABLE));
        let keys: Vec<String> = finish(r).unwrap_err().into_iter().map(|e| e.key).collect();
        assert_eq!(keys, ["rest.advertised.port", "topic.tracking.enable"]);
    }
}
