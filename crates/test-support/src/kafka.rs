//! Reading what a consumer group has committed, the way tests check that a sink committed
//! only what Diffusion confirmed.

use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};

impl crate::Broker {
    /// The offset `group` committed for partition 0 of `topic`; -1 when it has none.
    pub async fn committed(&self, group: &str, topic: &str) -> i64 {
        self.committed_partitions(group, topic, 1).await[0]
    }

    /// The offsets `group` committed for partitions `0..partitions` of `topic`; -1 for a
    /// partition it has none for.
    pub async fn committed_partitions(
        &self,
        group: &str,
        topic: &str,
        partitions: i32,
    ) -> Vec<i64> {
        let c: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", self.bootstrap())
            .set("group.id", group)
            .create()
            .expect("consumer");
        let mut tpl = TopicPartitionList::new();
        for p in 0..partitions {
            tpl.add_partition(topic, p);
        }
        let got = tokio::task::spawn_blocking(move || {
            c.committed_offsets(tpl, Duration::from_secs(10))
                .expect("committed offsets")
        })
        .await
        .expect("committed offsets task");
        (0..partitions)
            .map(|p| {
                got.find_partition(topic, p)
                    .and_then(|p| match p.offset() {
                        Offset::Offset(o) => Some(o),
                        _ => None,
                    })
                    .unwrap_or(-1)
            })
            .collect()
    }
}
