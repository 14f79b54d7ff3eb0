//! Source offsets in the cluster's offsets topic (`offset.storage.topic`), for
//! `distributed` mode, in Kafka Connect's layout: key `["<connector>", <partition>]`,
//! value `<offset>`, both JSON; a null value forgets the partition. The topic is compacted
//! (the worker creates it so), so it holds the latest offset of every partition.
//!
//! Whichever worker runs a source reads the topic to its end when the task starts, so a
//! source moved to another worker resumes from what the previous one stored. Writes wait
//! for the brokers' acknowledgement (acks=all, idempotent).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use connectors::kafka::KafkaSettings;
use connectors::source_offsets::{
    key_bytes, MemoryOffsetStore, OffsetStore, OffsetStoreError, SourceOffset,
};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};
use rdkafka::{ClientContext, Offset, TopicPartitionList};
use serde_json::Value as J;

/// How long a read to the end or a write may take before it is reported as failed.
const WITHIN: Duration = Duration::from_secs(30);

/// Remembers the first refusal since the last store, so a store reports it.
#[derive(Default)]
struct Refusals(Mutex<Option<String>>);

impl ClientContext for Refusals {}

impl ProducerContext for Refusals {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        if let Err((e, _)) = result {
            self.0.lock().unwrap().get_or_insert_with(|| e.to_string());
        }
    }
}

/// The offsets topic, read and written by this worker.
pub struct TopicOffsetStore {
    kafka: KafkaSettings,
    topic: String,
    /// The cluster's group id: readers' group name derives from it (they join no group).
    group: String,
    producer: Mutex<Option<ThreadedProducer<Refusals>>>,
}

impl TopicOffsetStore {
    pub fn new(kafka: KafkaSettings, topic: String, group: String) -> TopicOffsetStore {
        TopicOffsetStore {
            kafka,
            topic,
            group,
            producer: Mutex::new(None),
        }
    }

    fn error(&self, why: impl std::fmt::Display) -> OffsetStoreError {
        OffsetStoreError::Kafka {
            topic: self.topic.clone(),
            why: why.to_string(),
        }
    }

    /// Every record of the topic, up to the end it had when the read began, applied in
    /// order (later records replace earlier ones).
    fn read_all(&self) -> Result<MemoryOffsetStore, OffsetStoreError> {
        let mut cc = self
            .kafka
            .consumer(&format!("{}-offset-readers", self.group));
        cc.remove("group.instance.id");
        let consumer: BaseConsumer = cc.create().map_err(|e| self.error(e))?;
        let md = consumer
            .fetch_metadata(Some(&self.topic), WITHIN)
            .map_err(|e| self.error(e))?;
        let partitions: Vec<i32> = md
            .topics()
            .iter()
            .flat_map(|t| t.partitions().iter().map(|p| p.id()))
            .collect();
        let memory = MemoryOffsetStore::default();
        let deadline = Instant::now() + WITHIN;
        for p in partitions {
            let (low, high) = consumer
                .fetch_watermarks(&self.topic, p, WITHIN)
                .map_err(|e| self.error(e))?;
            if high <= low {
                continue;
            }
            let mut tpl = TopicPartitionList::new();
            tpl.add_partition_offset(&self.topic, p, Offset::Beginning)
                .map_err(|e| self.error(e))?;
            consumer.assign(&tpl).map_err(|e| self.error(e))?;
            let mut next = low;
            while next < high {
                if Instant::now() > deadline {
                    return Err(self.error(format!(
                        "read only to offset {next} of {high} in partition {p} within {WITHIN:?}"
                    )));
                }
                let Some(m) = consumer.poll(Duration::from_millis(200)) else {
                    continue;
                };
                let m = m.map_err(|e| self.error(e))?;
                next = m.offset() + 1;
                let Some(key) = m.key() else { continue };
                let value = match m.payload() {
                    None => J::Null,
                    // A value that is not JSON is not ours (or damaged): skipped, not fatal,
                    // as Connect's reader logs and skips what it cannot convert.
                    Some(v) => match serde_json::from_slice(v) {
                        Ok(j) => j,
                        Err(e) => {
                            tracing::warn!(topic = %self.topic, offset = m.offset(), "skipping an offset record that is not JSON: {e}");
                            continue;
                        }
                    },
                };
                memory.apply(key.to_vec(), value);
            }
        }
        Ok(memory)
    }
}

impl OffsetStore for TopicOffsetStore {
    fn load(&self, connector: &str) -> Result<Vec<SourceOffset>, OffsetStoreError> {
        self.read_all()?.load(connector)
    }

    fn store(&self, connector: &str, offsets: &[SourceOffset]) -> Result<(), OffsetStoreError> {
        let mut guard = self.producer.lock().unwrap();
        if guard.is_none() {
            let mut config = self.kafka.producer();
            config.set("acks", "all");
            *guard = Some(
                config
                    .create_with_context(Refusals::default())
                    .map_err(|e| self.error(e))?,
            );
        }
        let producer = guard.as_ref().expect("made above");
        for o in offsets {
            let key = key_bytes(connector, &o.partition);
            let value = (!o.offset.is_null()).then(|| o.offset.to_string());
            let mut record: BaseRecord<'_, [u8], str> = BaseRecord::to(&self.topic).key(&key);
            if let Some(v) = &value {
                record = record.payload(v.as_str());
            }
            producer
                .send(record)
                .map_err(|(e, _)| self.error(format!("cannot send an offset: {e}")))?;
        }
        // Waits for every acknowledgement; a refusal is reported below.
        producer.flush(WITHIN).map_err(|e| self.error(e))?;
        if producer.in_flight_count() > 0 {
            return Err(self.error("offsets not acknowledged in time"));
        }
        let refused = producer.context().0.lock().unwrap().take();
        match refused {
            Some(why) => Err(self.error(format!("an offset was refused: {why}"))),
            None => Ok(()),
        }
    }
}
