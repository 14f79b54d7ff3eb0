//! A connector's offsets (KIP-875): `GET /connectors/{name}/offsets` at any time,
//! `PATCH` (alter) and `DELETE` (reset) once the connector is stopped. A sink's are its
//! consumer group's committed offsets, in Connect's shape
//! `{"partition": {"kafka_topic", "kafka_partition"}, "offset": {"kafka_offset"}}`; a
//! source's are its time series topics' `{"partition": {"topic"}, "offset": {"sequence"}}`
//! (value topics keep none: a subscription resumes from each topic's current value).

use std::sync::Arc;

use super::path::Path;
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value as J};

use super::{Api, ApiError};
use crate::herder::Kind;
use crate::sink_offsets::PartitionOffset;
use connectors::source_offsets::{
    event_offset, offset_sequence, offset_timestamp, partition_topic, sequence_offset, SourceOffset,
};

type Result<T> = std::result::Result<T, ApiError>;

pub async fn get(State(api): State<Arc<Api>>, Path(name): Path<String>) -> Result<Json<J>> {
    let offsets: Vec<J> = match api.herder.kind(&name).await? {
        Kind::Source => api
            .herder
            .source_offsets(&name)
            .await?
            .into_iter()
            .map(|o| json!({"partition": o.partition, "offset": o.offset}))
            .collect(),
        Kind::Sink => api
            .herder
            .sink_offsets(&name)
            .await?
            .into_iter()
            .map(|(topic, partition, offset)| {
                json!({"partition": {"kafka_topic": topic, "kafka_partition": partition},
                       "offset": {"kafka_offset": offset}})
            })
            .collect(),
    };
    Ok(Json(json!({ "offsets": offsets })))
}

pub async fn alter(
    State(api): State<Arc<Api>>,
    Path(name): Path<String>,
    bytes: Bytes,
) -> Result<Json<J>> {
    let j: J = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("Request body is not valid JSON: {e}")))?;
    let entries = match j.get("offsets").and_then(J::as_array) {
        Some(a) if !a.is_empty() => a,
        _ => {
            return Err(ApiError::bad_request(
                "Partitions / offsets need to be provided for an alter offsets request",
            ))
        }
    };
    // Connect checks the connector (exists, stopped) before the offsets' shape.
    if api.herder.stopped_kind(&name).await? == Kind::Source {
        let offsets = entries
            .iter()
            .map(parse_source_offset)
            .collect::<Result<Vec<_>>>()?;
        api.herder.alter_source_offsets(&name, offsets).await?;
    } else {
        let offsets = entries
            .iter()
            .map(parse_sink_offset)
            .collect::<Result<Vec<_>>>()?;
        api.herder.alter_offsets(&name, offsets).await?;
    }
    Ok(Json(
        json!({"message": "The offsets for this connector have been altered successfully"}),
    ))
}

pub async fn reset(State(api): State<Arc<Api>>, Path(name): Path<String>) -> Result<Json<J>> {
    api.herder.reset_offsets(&name).await?;
    Ok(Json(
        json!({"message": "The offsets for this connector have been reset successfully"}),
    ))
}

/// One entry of a source's offsets: a time series topic and its sequence (null: forget).
fn parse_source_offset(entry: &J) -> Result<SourceOffset> {
    let bad = |m: String| ApiError::bad_request(m);
    let partition = match entry.get("partition") {
        Some(p) if partition_topic(p).is_some() => p.clone(),
        _ => {
            return Err(bad(format!(
                "The partition for a source connector offset must be {{\"topic\": <Diffusion topic path>}}, not {}",
                entry.get("partition").unwrap_or(&J::Null)
            )))
        }
    };
    let offset = match entry.get("offset") {
        None | Some(J::Null) => J::Null,
        Some(o) => {
            let Some(n) = offset_sequence(o) else {
                return Err(bad(format!(
                    "The offset for a source connector must be null or {{\"sequence\": <number of the last event in Kafka>}}, not {o}"
                )));
            };
            match offset_timestamp(o) {
                Some(t) => event_offset(n, t),
                None => sequence_offset(n),
            }
        }
    };
    Ok(SourceOffset { partition, offset })
}

/// One entry of a sink's offsets, with Connect's messages for each malformed part. Numbers
/// may come as JSON numbers or as text, as Connect accepts them.
fn parse_sink_offset(entry: &J) -> Result<PartitionOffset> {
    let bad = |m: String| ApiError::bad_request(m);
    let partition = match entry.get("partition") {
        Some(p) if p.is_object() => p,
        _ => {
            return Err(bad(
                "The partition for a sink connector offset cannot be null or missing".into(),
            ))
        }
    };
    let (Some(topic), Some(number)) = (
        partition.get("kafka_topic"),
        partition.get("kafka_partition"),
    ) else {
        return Err(bad("The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'".into()));
    };
    let topic = topic
        .as_str()
        .ok_or_else(|| bad("Kafka topic names must be valid strings and may not be null".into()))?;
    if number.is_null() {
        return Err(bad(
            "Kafka partitions must be valid numbers and may not be null".into(),
        ));
    }
    let partition: i32 = integer(number).ok_or_else(|| {
        bad(format!("Failed to parse the following Kafka partition value in the provided offsets: '{}'. Partition values for sink connectors need to be integers.", text(number)))
    })?;
    let offset = match entry.get("offset") {
        None | Some(J::Null) => None,
        Some(o) => {
            let Some(v) = o.get("kafka_offset") else {
                return Err(bad("The offset for a sink connector should either be null or contain the key 'kafka_offset'".into()));
            };
            let n: i64 = integer(v).ok_or_else(|| {
                bad(format!("Failed to parse the following Kafka offset value in the provided offsets: '{}'. Offset values for sink connectors need to be integers.", text(v)))
            })?;
            if n < 0 {
                return Err(bad(format!(
                    "Kafka offsets cannot be negative: {n} for {topic}-{partition}"
                )));
            }
            Some(n)
        }
    };
    Ok(PartitionOffset {
        topic: topic.to_owned(),
        partition,
        offset,
    })
}

fn integer<T: std::str::FromStr>(v: &J) -> Option<T> {
    text(v).parse().ok()
}

fn text(v: &J) -> String {
    match v {
        J::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sink_offsets_parse_as_connect_takes_them() {
        let p = parse_sink_offset(
            &json!({"partition": {"kafka_topic": "t", "kafka_partition": "2"},
                                          "offset": {"kafka_offset": 5}}),
        )
        .unwrap();
        assert_eq!(
            p,
            PartitionOffset {
                topic: "t".into(),
                partition: 2,
                offset: Some(5)
            }
        );
        let reset = parse_sink_offset(
            &json!({"partition": {"kafka_topic": "t", "kafka_partition": 0},
                                              "offset": null}),
        )
        .unwrap();
        assert_eq!(reset.offset, None);
        let message = |j: J| match parse_sink_offset(&j) {
            Err(ApiError(_, m)) => m,
            Ok(p) => panic!("accepted {p:?}"),
        };
        assert!(
            message(json!({"offset": {"kafka_offset": 1}})).contains("cannot be null or missing")
        );
        assert!(
            message(json!({"partition": {"kafka_topic": "t"}})).contains("must contain the keys")
        );
        assert!(
            message(json!({"partition": {"kafka_topic": "t", "kafka_partition": "x"}}))
                .contains("'x'")
        );
        assert!(message(
            json!({"partition": {"kafka_topic": "t", "kafka_partition": 0}, "offset": {}})
        )
        .contains("'kafka_offset'"));
        assert!(message(json!({"partition": {"kafka_topic": "t", "kafka_partition": 0}, "offset": {"kafka_offset": -1}})).contains("negative"));
    }

    #[test]
    fn source_offsets_parse_as_time_series_sequences() {
        let o = parse_source_offset(
            &json!({"partition": {"topic": "a/b"}, "offset": {"sequence": "12"}}),
        )
        .unwrap();
        assert_eq!(o.partition, json!({"topic": "a/b"}));
        assert_eq!(o.offset, json!({"sequence": 12}));
        let forget = parse_source_offset(&json!({"partition": {"topic": "a"}})).unwrap();
        assert_eq!(forget.offset, J::Null);
        let message = |j: J| match parse_source_offset(&j) {
            Err(ApiError(_, m)) => m,
            Ok(o) => panic!("accepted {o:?}"),
        };
        assert!(message(json!({"partition": {"kafka_topic": "t"}})).contains("\"topic\""));
        assert!(
            message(json!({"partition": {"topic": "t"}, "offset": {"sequence": -3}}))
                .contains("sequence")
        );
    }
}
