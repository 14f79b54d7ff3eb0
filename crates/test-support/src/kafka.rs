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
        // Kafka may answer NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS for a while (a
        // broker just restarted, a group's coordinator moving): ask again, for up to a minute.
        let got = tokio::task::spawn_blocking(move || {
            let deadline = std::time::Instant::now() + Duration::from_secs(60);
            loop {
                match c.committed_offsets(tpl.clone(), Duration::from_secs(10)) {
                    Ok(got) => break got,
                    Err(e) if std::time::Instant::now() < deadline => {
                        eprintln!("[test-support] committed offsets: {e}; asking again");
                        std::thread::sleep(Duration::from_millis(500));
                    }
                    Err(e) => panic!("committed offsets: {e}"),
                }
            }
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
