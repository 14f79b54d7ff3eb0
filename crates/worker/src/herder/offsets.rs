//! Connectors' offsets through the herder (KIP-875): read at any time, altered or reset
//! only while the connector is stopped. A sink's are its consumer group's; a source's are
//! in the worker's offset store (time series topics' sequences).

use connectors::source_offsets::SourceOffset;

use super::kind::Validated;
use super::{Herder, HerderError, Kind};
use crate::config_store::TargetState;
use crate::sink_offsets::{self, OffsetsError, PartitionOffset};

impl Herder {
    /// The committed offsets of a sink's consumer group, per topic partition it reads.
    pub async fn sink_offsets(&self, name: &str) -> Result<Vec<(String, i32, i64)>, HerderError> {
        let config = self.raw_config(name).await?;
        let Validated::Sink(sink) = self.parse(name, &config).map_err(HerderError::Invalid)? else {
            return Ok(vec![]);
        };
        sink_offsets::read(&self.kafka, &sink_offsets::group_of(name), sink.topics)
            .await
            .map_err(|e| {
                HerderError::Internal(format!("cannot read the committed offsets from Kafka: {e}"))
            })
    }

    /// A source's stored offsets: one per time series topic it has sent events of.
    pub async fn source_offsets(&self, name: &str) -> Result<Vec<SourceOffset>, HerderError> {
        let (store, connector) = (self.offsets.clone(), name.to_owned());
        let loaded = tokio::task::spawn_blocking(move || store.load(&connector))
            .await
            .map_err(|e| HerderError::Internal(e.to_string()))?;
        loaded.map_err(|e| HerderError::Internal(format!("cannot read the source offsets: {e}")))
    }

    /// Sets a stopped sink's committed offsets (KIP-875's `PATCH .../offsets`).
    pub async fn alter_offsets(
        &self,
        name: &str,
        offsets: Vec<PartitionOffset>,
    ) -> Result<(), HerderError> {
        if self.stopped_kind(name).await? == Kind::Source {
            return Err(HerderError::BadRequest(format!(
                "Connector {name} is a source: its offsets are {{\"partition\": {{\"topic\": <Diffusion path>}}, \"offset\": {{\"sequence\": <number>}}}}"
            )));
        }
        sink_offsets::alter(&self.kafka, &sink_offsets::group_of(name), offsets)
            .await
            .map_err(|e| offsets_error(name, "alter", e))
    }

    /// Writes a stopped source's offsets (KIP-875's `PATCH .../offsets`; a null offset
    /// forgets its topic).
    pub async fn alter_source_offsets(
        &self,
        name: &str,
        offsets: Vec<SourceOffset>,
    ) -> Result<(), HerderError> {
        if self.stopped_kind(name).await? != Kind::Source {
            return Err(HerderError::BadRequest(format!(
                "Connector {name} is a sink: its offsets are {{\"partition\": {{\"kafka_topic\", \"kafka_partition\"}}, \"offset\": {{\"kafka_offset\"}}}}"
            )));
        }
        self.store_source_offsets(name, offsets).await
    }

    async fn store_source_offsets(
        &self,
        name: &str,
        offsets: Vec<SourceOffset>,
    ) -> Result<(), HerderError> {
        let (store, connector) = (self.offsets.clone(), name.to_owned());
        let stored = tokio::task::spawn_blocking(move || store.store(&connector, &offsets))
            .await
            .map_err(|e| HerderError::Internal(e.to_string()))?;
        stored.map_err(|e| {
            HerderError::Internal(format!(
                "Failed to alter the offsets of source connector {name}: {e}"
            ))
        })
    }

    /// Forgets a stopped connector's offsets (KIP-875's `DELETE .../offsets`): a sink then
    /// starts from the earliest records, a source's time series topics from what their
    /// subscriptions deliver.
    pub async fn reset_offsets(&self, name: &str) -> Result<(), HerderError> {
        if self.stopped_kind(name).await? == Kind::Source {
            let forget = self
                .source_offsets(name)
                .await?
                .into_iter()
                .map(|o| SourceOffset {
                    partition: o.partition,
                    offset: serde_json::Value::Null,
                })
                .collect();
            return self.store_source_offsets(name, forget).await;
        }
        sink_offsets::reset(&self.kafka, &sink_offsets::group_of(name))
            .await
            .map_err(|e| offsets_error(name, "reset", e))
    }

    /// The connector's kind, if it exists and is stopped (offsets change only then).
    pub async fn stopped_kind(&self, name: &str) -> Result<Kind, HerderError> {
        let map = self.connectors.lock().await;
        let e = map.get(name).ok_or_else(|| HerderError::not_found(name))?;
        if e.target != TargetState::Stopped {
            return Err(HerderError::BadRequest(format!(
                "Connectors must be in the STOPPED state before their offsets can be modified. \
                 This can be done for the specified connector by issuing a 'PUT' request to the \
                 '/connectors/{name}/stop' endpoint"
            )));
        }
        Ok(e.kind)
    }
}

/// Kafka Connect's answers when a sink's offsets cannot be changed (`verb`: alter, reset).
fn offsets_error(name: &str, verb: &str, e: OffsetsError) -> HerderError {
    HerderError::Internal(match e {
        OffsetsError::Busy { .. } => format!(
            "Failed to {verb} consumer group offsets for connector {name} either because its tasks \
             haven't stopped completely yet or the connector was resumed before the request to \
             {verb} its offsets could be successfully completed. If the connector is in a stopped \
             state, this operation can be safely retried. If it doesn't eventually succeed, the \
             Connect cluster may need to be restarted to get rid of the zombie sink tasks. (A \
             stopped sink of a standalone worker stays in its group, a static member, for the \
             consumer's session.timeout.ms.)"
        ),
        OffsetsError::Kafka(why) => {
            format!("Failed to {verb} consumer group offsets for sink connector {name}: {why}")
        }
    })
}
