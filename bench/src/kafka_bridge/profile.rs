//! What `bench/profile.sh` runs under callgrind: the topics it reads, and the bare
//! consumer it compares the sink with. The sink itself runs as `bench sink-child`.

use std::io::Read;
use std::process::ExitCode;

use test_support::{unique_name, Broker};

use super::{consume, produce, record};

pub const PROFILE_TOPICS: &str = "profile-topics";
pub const CONSUME_CHILD: &str = "consume-child";

/// Child mode: `bench profile-topics [N...]` starts the bench's broker, fills one fresh
/// topic (one partition) per `N` with exactly `N` of the sink suite's JSON records, prints
/// `BOOTSTRAP TOPIC...` on one line (no `N`: the broker alone, for
/// bench/profile-source.sh), reads each topic once (Kafka's first read of fresh
/// records is slow and uneven), then keeps the broker until stdin closes.
pub fn profile_topics(args: &[String]) -> ExitCode {
    let sizes: Vec<usize> = match args.iter().map(|a| a.parse()).collect() {
        Ok(s) => s,
        _ => {
            eprintln!("usage: bench {PROFILE_TOPICS} [N...]");
            return ExitCode::FAILURE;
        }
    };
    let broker = Broker::shared();
    let bootstrap = broker.bootstrap();
    let rt = super::child_runtime();
    let topics: Vec<String> = sizes
        .iter()
        .map(|&n| {
            let topic = unique_name(&format!("bench-profile-{n}"));
            rt.block_on(broker.create_topic(&topic, 1));
            produce(&bootstrap, &topic, n, record);
            consume(&bootstrap, &topic, n);
            topic
        })
        .collect();
    println!("{bootstrap} {}", topics.join(" "));
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    ExitCode::SUCCESS
}

/// Child mode: `bench consume-child BOOTSTRAP TOPIC N`: the sink suite's baseline, a bare
/// `BaseConsumer` in a fresh group reading `N` records, in a process of its own.
pub fn consume_child(args: &[String]) -> ExitCode {
    let [bootstrap, topic, n] = args else {
        eprintln!("usage: bench {CONSUME_CHILD} BOOTSTRAP TOPIC N");
        return ExitCode::FAILURE;
    };
    let n: usize = n.parse().expect("N");
    println!("{}", consume(bootstrap, topic, n));
    ExitCode::SUCCESS
}
