//! Why the process allocates with jemalloc.
//!
//! Catching up after an outage (a broker restart with the source buffering, a paused sink
//! resumed, a backlog) allocates tens of megabytes in many small pieces, in Rust and in
//! librdkafka alike, and frees them again seconds later. glibc's allocator kept part of
//! such a burst for good, even with `malloc_trim` every few seconds: the hour under load
//! in bench/RESULTS.md saw the live heap flat at 2-3 MiB and the RSS 4 MiB (19%) above
//! where it was before the broker restart, until the process restarted. glibc carves
//! every size from the same heap, so the few long-lived allocations made during the burst
//! (the producing thread's own, among librdkafka's queued messages) pin the pages around
//! them.
//!
//! jemalloc keeps each size class in its own slabs, so a burst of one size (librdkafka's
//! queued messages) is freed slab by slab, and its background thread returns freed pages
//! to the system a few seconds later (`dirty_decay_ms`, 10 s by default), with nothing to
//! call from here. Being unprefixed, it is the process's `malloc`, so librdkafka's C
//! allocations come from it too; Rust's come through `#[global_allocator]` in `main.rs`.
//!
//! mimalloc was tried first: it returned the burst as well, but its per-thread pages
//! doubled the worker's steady RSS (52 against 21 MiB in the soak), librdkafka running a
//! dozen threads.

/// The process's allocator, for Rust's allocations.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read when it starts (the symbol is jemalloc's own name for them;
/// `MALLOC_CONF` in the environment still overrides each). A background thread returns
/// pages freed for 5 s (`dirty_decay_ms`; jemalloc's default is 10 s, and without the
/// thread it purges only when the process allocates again); purged pages are released at
/// once (`muzzy_decay_ms:0`: `MADV_FREE`'d pages would still count in the RSS until the
/// kernel needs them).
#[export_name = "malloc_conf"]
static MALLOC_CONF: &[u8; 60] = b"background_thread:true,dirty_decay_ms:5000,muzzy_decay_ms:0\0";
