//! A session's in-flight slots: at most `max_in_flight` requests await their answers.
//!
//! A count and a wake-up for whoever waits, rather than tokio's `Semaphore`: the
//! semaphore locks its waiter list on every release, once per answer, though a caller
//! keeping many requests in flight almost never waits for a slot (~120 instructions a
//! request in the sink, bench/profile.sh). Taking a slot is one compare-and-swap,
//! giving it back one subtraction and one load.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

use tokio::sync::Notify;

/// The slots of one session.
pub(crate) struct Slots {
    used: AtomicUsize,
    max: usize,
    /// Callers waiting in [`Slots::take`]; a slot given back wakes one only if there are.
    waiting: AtomicUsize,
    freed: Notify,
}

/// A slot held until dropped.
pub(crate) struct Slot(Arc<Slots>);

impl Slots {
    /// `max` slots (at least one).
    pub(crate) fn new(max: usize) -> Arc<Slots> {
        Arc::new(Slots {
            used: AtomicUsize::new(0),
            max: max.max(1),
            waiting: AtomicUsize::new(0),
            freed: Notify::new(),
        })
    }

    /// A slot if one is free now.
    pub(crate) fn try_take(self: &Arc<Self>) -> Option<Slot> {
        let mut used = self.used.load(SeqCst);
        loop {
            if used >= self.max {
                return None;
            }
            match self
                .used
                .compare_exchange_weak(used, used + 1, SeqCst, SeqCst)
            {
                Ok(_) => return Some(Slot(self.clone())),
                Err(now) => used = now,
            }
        }
    }

    /// A slot, waiting for one to be given back if none is free.
    ///
    /// No wake-up is lost: the waiter counts itself, registers for a wake-up and tries
    /// again before it sleeps, all sequentially consistent with the giver's subtraction
    /// and look at the count. So either the giver sees the waiter (and wakes one), or
    /// the giver's slot was free before the waiter's second try (which takes it).
    pub(crate) async fn take(self: &Arc<Self>) -> Slot {
        loop {
            if let Some(slot) = self.try_take() {
                return slot;
            }
            let _counted = Counted::new(&self.waiting);
            let notified = self.freed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(slot) = self.try_take() {
                return slot;
            }
            notified.await;
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.used.fetch_sub(1, SeqCst);
        if self.0.waiting.load(SeqCst) > 0 {
            self.0.freed.notify_one();
        }
    }
}

/// One more waiter while it lives (also when the wait is given up: a timeout drops it).
struct Counted<'a>(&'a AtomicUsize);

impl<'a> Counted<'a> {
    fn new(n: &'a AtomicUsize) -> Self {
        n.fetch_add(1, SeqCst);
        Counted(n)
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn no_more_than_max_are_taken_and_each_comes_back() {
        let slots = Slots::new(2);
        let a = slots.try_take().expect("one");
        let b = slots.try_take().expect("two");
        assert!(slots.try_take().is_none(), "only two");
        drop(a);
        let c = slots.try_take().expect("given back");
        drop((b, c));
        assert_eq!(slots.used.load(SeqCst), 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn many_waiters_all_get_a_slot_and_never_more_than_max_at_once() {
        let slots = Slots::new(3);
        let held = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..200)
            .map(|_| {
                let (slots, held, most) = (slots.clone(), held.clone(), most.clone());
                tokio::spawn(async move {
                    for _ in 0..20 {
                        let slot = slots.take().await;
                        let now = held.fetch_add(1, SeqCst) + 1;
                        most.fetch_max(now, SeqCst);
                        tokio::task::yield_now().await;
                        held.fetch_sub(1, SeqCst);
                        drop(slot);
                    }
                })
            })
            .collect();
        for t in tasks {
            tokio::time::timeout(Duration::from_secs(30), t)
                .await
                .expect("every waiter gets its slots (no wake-up lost)")
                .unwrap();
        }
        assert!(most.load(SeqCst) <= 3, "{} held at once", most.load(SeqCst));
        assert_eq!(slots.used.load(SeqCst), 0);
        assert_eq!(slots.waiting.load(SeqCst), 0);
    }

    #[tokio::test]
    async fn a_wait_given_up_is_no_longer_counted() {
        let slots = Slots::new(1);
        let held = slots.try_take().unwrap();
        let gave_up = tokio::time::timeout(Duration::from_millis(20), slots.take()).await;
        assert!(gave_up.is_err());
        assert_eq!(slots.waiting.load(SeqCst), 0);
        drop(held);
        assert!(slots.try_take().is_some());
    }
}
