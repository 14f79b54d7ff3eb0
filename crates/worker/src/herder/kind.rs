//! Which connector a config is for, and the config parsed for it: provider references
//! resolved, then the sink's or the source's own checks, every bad key named.

use std::collections::BTreeMap;

use connectors::definitions::CONNECTOR_CLASS;
use connectors::{
    ConfigError, ConnectorConfig, SinkConfig, SourceConfig, SINK_CLASS, SOURCE_CLASS,
};

/// The two connectors this worker runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `DiffusionSinkConnector`: Kafka to Diffusion.
    Sink,
    /// `DiffusionSourceConnector`: Diffusion to Kafka.
    Source,
}

impl Kind {
    /// Connect's `type` in the status and plugin answers.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Sink => "sink",
            Kind::Source => "source",
        }
    }

    /// The kind a `connector.class` names: the Java connector's class, or the short
    /// aliases Connect accepts.
    pub fn of(class: &str) -> Option<Kind> {
        match class {
            SINK_CLASS | "DiffusionSinkConnector" | "DiffusionSink" => Some(Kind::Sink),
            SOURCE_CLASS | "DiffusionSourceConnector" | "DiffusionSource" => Some(Kind::Source),
            _ => None,
        }
    }
}

/// A config that validated, for its connector.
pub(super) enum Validated {
    Sink(SinkConfig),
    Source(SourceConfig),
}

impl Validated {
    pub(super) fn kind(&self) -> Kind {
        match self {
            Validated::Sink(_) => Kind::Sink,
            Validated::Source(_) => Kind::Source,
        }
    }
}

/// Validates a connector config against the worker's properties, providers resolved.
pub fn validate_alone(
    name: &str,
    config: &BTreeMap<String, String>,
    worker: &BTreeMap<String, String>,
) -> Result<Kind, Vec<ConfigError>> {
    parse(name, config, worker).map(|v| v.kind())
}

pub(super) fn parse(
    name: &str,
    config: &BTreeMap<String, String>,
    worker: &BTreeMap<String, String>,
) -> Result<Validated, Vec<ConfigError>> {
    let mut props = config.clone();
    props.remove("name");
    crate::properties::resolve_providers(&mut props).map_err(|e| vec![e])?;
    let c = ConnectorConfig {
        name: name.to_owned(),
        props,
    };
    let class = c.class().map(str::to_owned);
    match class.as_deref().and_then(Kind::of) {
        Some(Kind::Sink) => SinkConfig::parse(&c, worker).map(Validated::Sink),
        Some(Kind::Source) => SourceConfig::parse(&c, worker).map(Validated::Source),
        None => Err(vec![ConfigError {
            key: CONNECTOR_CLASS.name().into(),
            message: match class {
                Some(other) => {
                    format!("{other:?} is not provided here; use {SINK_CLASS} or {SOURCE_CLASS}")
                }
                None => "is required".into(),
            },
        }]),
    }
}
