//! Gives memory back to the system after a burst.
//!
//! Catching up after an outage (a broker restart with the source buffering, a paused sink
//! resumed, a backlog) allocates tens of megabytes in many small pieces, in Rust and in
//! librdkafka alike. glibc's allocator keeps what was freed inside its arenas, so the
//! process's RSS stays at the burst's high-water mark for good, which looks like a leak to
//! anyone watching it (and to the soak benchmark). `malloc_trim` hands the free pages
//! back; it walks the arenas' free lists, which takes well under a millisecond at our
//! sizes, so doing it every few seconds costs nothing measurable per record.

use std::time::Duration;

/// How often free memory is returned.
const EVERY: Duration = Duration::from_secs(5);

/// Runs for the life of the process.
pub async fn trim_periodically() {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        trim();
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: malloc_trim only releases free memory; it is safe to call at any time.
    unsafe {
        libc::malloc_trim(0);
    }
    // What the heap holds after the trim, for anyone asking why the RSS is what it is: in
    // use (live allocations, Rust's and librdkafka's) against free but kept (fragments
    // the trim could not return). mallinfo2 walks every arena: cheap at our sizes.
    if tracing::enabled!(target: "memory", tracing::Level::DEBUG) {
        // SAFETY: mallinfo2 only reads the allocator's statistics.
        let m = unsafe { libc::mallinfo2() };
        tracing::debug!(target: "memory",
            in_use_kib = m.uordblks / 1024, free_kib = m.fordblks / 1024,
            mmapped_kib = m.hblkhd / 1024, arena_kib = m.arena / 1024, "heap after trim");
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}
