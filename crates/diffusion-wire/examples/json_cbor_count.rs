//! Transcodes the bench's price records (bench/src/kafka_bridge/mod.rs, `record`) M times
//! through `json_text_to_cbor`, the sink's entry (connect-data's `json_cbor`), so that its
//! cost per record can be counted under callgrind without the rest of the sink:
//!
//! ```text
//! cargo build --release -p diffusion-wire --example json_cbor_count
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/json_cbor_count 100000
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/json_cbor_count 200000
//! ```
//!
//! The difference of the two totals ("Collected"), over 100,000, is the instructions per
//! record: the set-up (building the records, the process) is the same in both and cancels.
//! The records are built before the loop so their formatting is not counted.

use std::hint::black_box;

use diffusion_wire::json_text::{json_text_to_cbor, Transcoded};

/// Distinct records, cycled through; more than the bench's 997 bid/ask values and 1000 keys.
const RECORDS: usize = 4096;

/// The bench's record for `i`, as its producer writes it.
fn record(i: usize) -> String {
    format!(
        r#"{{"sym":"K{:04}","bid":{:.2},"ask":{:.2},"seq":{i},"ts":1732492800000,"venue":"XLON"}}"#,
        i % 1000,
        100.0 + (i % 997) as f64 / 100.0,
        100.01 + (i % 997) as f64 / 100.0
    )
}

fn main() {
    let m: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("M: how many records to transcode"))
        .unwrap_or(100_000);
    let records: Vec<String> = (0..RECORDS).map(record).collect();
    // One buffer, cleared per record: the transcoding is counted, not an allocation.
    let mut out = Vec::with_capacity(256);
    let mut bytes = 0usize;
    for i in 0..m {
        out.clear();
        let text = black_box(records[i % RECORDS].as_bytes());
        let r = json_text_to_cbor(text, &mut out);
        assert!(matches!(r, Ok(Transcoded::Done)));
        bytes += black_box(&out).len();
    }
    println!("{m} records, {bytes} bytes of CBOR");
}
