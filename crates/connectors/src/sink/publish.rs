//! The in-flight window: updates sent to Diffusion and not yet confirmed, settled in the
//! order their records were read.
//!
//! Up to `diffusion.max.in.flight` updates await confirmation; answers are taken in send
//! order, so per-partition offsets settle in order and each Diffusion topic sees its
//! updates in order. If the connection drops, the window waits for the client to
//! reconnect and sends every unconfirmed update again, in order (a duplicate is harmless:
//! Diffusion keeps the last value); nothing unconfirmed settles meanwhile. Records that
//! took the error path wait here too (for the dead-letter topic's acknowledgement), so
//! their offsets settle in order with the rest.

use std::collections::VecDeque;

use foldhash::HashSet;
use futures_util::FutureExt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use diffusion_client::{
    AddTopicResult, ClientError, EventMetadata, Pending, Session, SessionState, TopicSpecification,
};
use tokio::sync::watch;

use super::event_time::EventClock;
use super::prepare::Update;
use crate::errors::{DeadLetterError, RecordInfo};
use crate::task_error::TaskError;

/// What the window needs of a Diffusion session: the real one ([`DiffusionTopics`]) in
/// production, an in-memory stand-in in the unit tests.
pub(super) trait Publisher {
    /// Diffusion's answer to one request, awaited (kept in the window unboxed).
    type Answer: Answer;

    /// Sends `update` (creating its topic first unless `known`); resolves once it is on
    /// its way, with the wait for Diffusion's answer.
    fn send(
        &self,
        update: &Update,
        known: bool,
    ) -> impl Future<Output = Result<Self::Answer, ClientError>> + Send;

    /// [`send`](Publisher::send) without waiting, for the updates that can go that way:
    /// `None` (nothing sent) when it would wait or the update needs `send`. Most records
    /// go this way, with no future built per record (bench/profile.sh).
    fn try_send(&self, update: &Update, known: bool) -> Option<Result<Self::Answer, ClientError>>;

    /// The connection's state, to wait for a reconnection.
    fn state(&self) -> watch::Receiver<SessionState>;
}

/// Diffusion's answer to one request, as the window holds it: awaited for the oldest
/// entry, looked at without waiting for the ones behind it.
pub(super) trait Answer: Future<Output = Result<(), ClientError>> + Send + Unpin {
    /// The answer if it is in, `None` while it is to come; by default a poll with a no-op
    /// waker.
    fn try_answer(&mut self) -> Option<Result<(), ClientError>> {
        self.now_or_never()
    }
}

/// The sink's Diffusion side: its session, and the properties of the topics it creates
/// (`diffusion.topic.properties`).
pub(super) struct DiffusionTopics {
    pub(super) session: Session,
    pub(super) properties: Vec<(String, String)>,
    /// Time series events' timestamps, kept from going backwards per topic.
    pub(super) event_clock: EventClock,
}

/// Diffusion's answer to one of the sink's requests, whatever the request was.
pub(super) enum Confirmation {
    Set(Pending<()>),
    Created(Pending<AddTopicResult>),
    Appended(Pending<EventMetadata>),
    Removed(Pending<i32>),
}

impl Future for Confirmation {
    type Output = Result<(), ClientError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            Confirmation::Set(p) => Pin::new(p).poll(cx),
            Confirmation::Created(p) => Pin::new(p).poll(cx).map_ok(drop),
            Confirmation::Appended(p) => Pin::new(p).poll(cx).map_ok(drop),
            Confirmation::Removed(p) => Pin::new(p).poll(cx).map_ok(drop),
        }
    }
}

impl Answer for Confirmation {
    fn try_answer(&mut self) -> Option<Result<(), ClientError>> {
        match self {
            Confirmation::Set(p) => p.try_answer(),
            Confirmation::Created(p) => p.try_answer().map(|r| r.map(drop)),
            Confirmation::Appended(p) => p.try_answer().map(|r| r.map(drop)),
            Confirmation::Removed(p) => p.try_answer().map(|r| r.map(drop)),
        }
    }
}

impl Publisher for DiffusionTopics {
    type Answer = Confirmation;

    fn try_send(&self, update: &Update, known: bool) -> Option<Result<Confirmation, ClientError>> {
        match update {
            // A value for a topic that exists: the common case.
            Update::Set {
                path,
                value,
                topic_type,
                append: None,
            } if known => self
                .session
                .try_start_set_raw(path, *topic_type, value)
                .transpose()
                .map(|sent| sent.map(Confirmation::Set)),
            _ => None,
        }
    }

    async fn send(&self, update: &Update, known: bool) -> Result<Confirmation, ClientError> {
        Ok(match update {
            Update::Set {
                path,
                value,
                topic_type,
                append: Some(append),
            } => {
                if !known {
                    // Events cannot be added with their topic in one request: the topic is
                    // created first (once per path), then the append goes in order behind it.
                    let mut spec = TopicSpecification::time_series(*topic_type);
                    spec.properties.extend(self.properties.iter().cloned());
                    self.session.add_topic(path, spec).await?;
                }
                let timestamp = self.event_clock.stamp(path, append.timestamp_ms);
                Confirmation::Appended(
                    self.session
                        .start_append_raw(path, *topic_type, value.clone(), timestamp)
                        .await?,
                )
            }
            Update::Set {
                path,
                value,
                topic_type,
                ..
            } if known => Confirmation::Set(
                self.session
                    .start_set_raw(path, *topic_type, value.clone())
                    .await?,
            ),
            // First sight of a path: create the topic and set it in one round trip.
            Update::Set {
                path,
                value,
                topic_type,
                ..
            } => {
                let mut spec = TopicSpecification::new(*topic_type);
                spec.properties.clone_from(&self.properties);
                Confirmation::Created(
                    self.session
                        .start_add_and_set_raw(path, spec, value.clone())
                        .await?,
                )
            }
            Update::Remove { path } => {
                Confirmation::Removed(self.session.start_remove(&format!(">{path}")).await?)
            }
        })
    }

    fn state(&self) -> watch::Receiver<SessionState> {
        self.session.state()
    }
}

/// Why an entry did not settle.
pub(super) enum Failure {
    /// Diffusion's answer was an error.
    Diffusion(ClientError),
    /// The dead-letter topic did not take the failed record.
    DeadLetter(String),
}

/// What an entry waits for: Diffusion's answer, a dead-letter acknowledgement, or nothing.
pub(super) type Wait = Pin<Box<dyn Future<Output = Result<(), Failure>> + Send>>;

/// An entry that waits for nothing.
pub(super) fn ready() -> Wait {
    Box::pin(async { Ok(()) })
}

/// What an entry is.
pub(super) enum Work {
    /// An update for Diffusion.
    Update(Update),
    /// Nothing for Diffusion: the record took the error path (its wait is the
    /// dead-letter topic's acknowledgement, if there is one).
    Reported,
    /// A record that fails the task once everything before it has settled.
    Fatal(TaskError),
    /// Nothing for Diffusion: a transform dropped the record (`Filter`).
    Dropped,
}

/// Where a record came from.
pub(super) struct Origin {
    pub(super) topic: Arc<str>,
    pub(super) partition: i32,
    pub(super) offset: i64,
    /// The record's Kafka timestamp, for the age of what was last delivered.
    pub(super) timestamp_ms: Option<i64>,
    /// Its coordinates and bytes, kept while the error path may still need them (boxed:
    /// most entries have none, and every entry is moved in and out of the window).
    pub(super) info: Option<Box<RecordInfo>>,
}

impl Origin {
    /// `topic-partition@offset`, as the error path names records.
    pub(super) fn coordinates(&self) -> String {
        format!("{}-{}@{}", self.topic, self.partition, self.offset)
    }
}

/// What an entry in the window waits for: Diffusion's answer (unboxed: one per record)
/// or another wait (the dead-letter topic's, or none).
enum Waiting<A> {
    Answer(A),
    Other(Wait),
}

impl<A: Answer> Waiting<A> {
    /// Its outcome if it is in, without waiting.
    fn try_ready(&mut self) -> Option<Result<(), Failure>> {
        match self {
            Waiting::Answer(a) => a.try_answer().map(|r| r.map_err(Failure::Diffusion)),
            Waiting::Other(w) => w.as_mut().now_or_never(),
        }
    }
}

impl<A: Future<Output = Result<(), ClientError>> + Unpin> Future for Waiting<A> {
    type Output = Result<(), Failure>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            Waiting::Answer(a) => Pin::new(a).poll(cx).map_err(Failure::Diffusion),
            Waiting::Other(w) => w.as_mut().poll(cx),
        }
    }
}

/// One record in the window (`A`: the publisher's answer).
pub(super) struct Entry<A = Confirmation> {
    pub(super) origin: Origin,
    pub(super) work: Work,
    /// When its update was first sent, for the publish latency.
    pub(super) sent_at: Instant,
    /// Sent as "create and set": its path is known once confirmed.
    creates: bool,
    wait: Waiting<A>,
    /// Offsets (same topic and partition) of the records this one replaced while they
    /// waited (conflation); they settle with it.
    pub(super) superseded: Vec<i64>,
}

/// What became of the front entry.
pub(super) enum Settled<A = Confirmation> {
    /// Confirmed (or, for a record on the error path, acknowledged): its offset may settle.
    Done(Entry<A>),
    /// Diffusion will never take this update (wrong type, bad path, bad value): the record
    /// takes the error path.
    Refused(Entry<A>, ClientError),
    /// The connection dropped and was restored: everything unconfirmed was sent again.
    Resent,
}

/// The window over one Diffusion session.
pub(super) struct Window<P: Publisher> {
    publisher: P,
    /// The connector, for the log.
    connector: String,
    /// The server's URL, for errors.
    url: String,
    /// Paths whose topics exist (created or confirmed by an update). Looked up per record:
    /// foldhash, seeded per process, rather than SipHash.
    known: HashSet<String>,
    entries: VecDeque<Entry<P::Answer>>,
    max: usize,
}

impl<P: Publisher> Window<P> {
    /// An empty window of at most `max` entries.
    pub(super) fn new(publisher: P, connector: &str, url: &str, max: usize) -> Self {
        Window {
            publisher,
            connector: connector.to_owned(),
            url: url.to_owned(),
            known: HashSet::default(),
            entries: VecDeque::new(),
            max: max.max(1),
        }
    }

    pub(super) fn publisher(&self) -> &P {
        &self.publisher
    }

    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether another record may be taken.
    pub(super) fn has_room(&self) -> bool {
        self.entries.len() < self.max
    }

    /// Waits for the front entry's answer. Cancel-safe: the wait stays in the window.
    /// Pending for ever when the window is empty.
    pub(super) async fn next(&mut self) -> Result<(), Failure> {
        match self.entries.front_mut() {
            Some(front) => (&mut front.wait).await,
            None => std::future::pending().await,
        }
    }

    /// The front entry's answer if it is in already (looked at without registering a
    /// waker: a later [`Window::next`] registers the task's own).
    pub(super) fn next_ready(&mut self) -> Option<Result<(), Failure>> {
        self.entries.front_mut()?.wait.try_ready()
    }

    /// Sends `update` and adds it; waits while the connection is down (it was not even
    /// sent), fails on what no retry cures.
    pub(super) async fn send(&mut self, origin: Origin, update: Update) -> Result<(), TaskError> {
        self.send_superseding(origin, update, Vec::new()).await
    }

    /// [`Window::send`] when it need not wait: sent and added, or handed back to go
    /// through `send` (which waits, or says what failed). Most records go this way: no
    /// future per record, nor a move of the record into one (bench/profile.sh).
    pub(super) fn try_send(
        &mut self,
        origin: Origin,
        update: Update,
    ) -> Result<(), (Origin, Update)> {
        let Some(Ok((answer, creates))) = dispatch_now(&self.publisher, &self.known, &update)
        else {
            // Nothing was sent: `send` tries again and deals with what it meets.
            return Err((origin, update));
        };
        self.add_sent(origin, update, answer, creates, Vec::new());
        Ok(())
    }

    /// [`Window::send`] for an update that replaced the waiting records at `superseded`.
    pub(super) async fn send_superseding(
        &mut self,
        origin: Origin,
        update: Update,
        superseded: Vec<i64>,
    ) -> Result<(), TaskError> {
        let mut now = dispatch_now(&self.publisher, &self.known, &update);
        let (answer, creates) = loop {
            let sent = match now.take() {
                Some(sent) => sent,
                None => dispatch(&self.publisher, &self.known, &update).await,
            };
            match sent {
                Ok(sent) => break sent,
                Err(e) if e.is_transient() => {
                    tracing::warn!(connector = %self.connector, error = %e, "cannot send to Diffusion; waiting for the connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(source) => {
                    return Err(TaskError::Diffusion {
                        url: self.url.clone(),
                        source,
                    })
                }
            }
        };
        self.add_sent(origin, update, answer, creates, superseded);
        Ok(())
    }

    /// Adds an update just sent, awaiting `answer`.
    fn add_sent(
        &mut self,
        origin: Origin,
        update: Update,
        answer: P::Answer,
        creates: bool,
        superseded: Vec<i64>,
    ) {
        self.entries.push_back(Entry {
            origin,
            work: Work::Update(update),
            sent_at: Instant::now(),
            creates,
            wait: Waiting::Answer(answer),
            superseded,
        });
    }

    /// Adds an entry with nothing for Diffusion (a reported or fatal record).
    pub(super) fn push(&mut self, origin: Origin, work: Work, wait: Wait) {
        self.entries.push_back(Entry {
            origin,
            work,
            sent_at: Instant::now(),
            creates: false,
            wait: Waiting::Other(wait),
            superseded: Vec::new(),
        });
    }

    /// Acts on the front entry's answer (from [`Window::next`]).
    pub(super) async fn settle(
        &mut self,
        answer: Result<(), Failure>,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<Settled<P::Answer>, TaskError> {
        let front = self.entries.front().expect("settle follows next");
        if let Work::Fatal(_) = front.work {
            let Some(Entry {
                work: Work::Fatal(why),
                ..
            }) = self.entries.pop_front()
            else {
                unreachable!("the front is fatal")
            };
            return Err(why);
        }
        match answer {
            Ok(()) => Ok(Settled::Done(self.pop())),
            Err(Failure::DeadLetter(reason)) => Err(DeadLetterError::Delivery {
                record: front.origin.coordinates(),
                reason,
            }
            .into()),
            Err(Failure::Diffusion(e)) if e.is_transient() || is_no_such_topic(&e) => {
                match (&e, &front.work) {
                    // Removed behind our back: create it again.
                    (ClientError::NoSuchTopic(_), Work::Update(Update::Set { path, .. })) => {
                        let path = path.clone();
                        self.known.remove(&path);
                    }
                    _ => {
                        tracing::warn!(connector = %self.connector, error = %e, in_flight = self.entries.len(),
                            "Diffusion updates unconfirmed; sending them again once reconnected");
                        self.wait_connected(stop).await?;
                    }
                }
                self.resend().await?;
                Ok(Settled::Resent)
            }
            Err(Failure::Diffusion(
                e @ (ClientError::InvalidPath(_)
                | ClientError::IncompatibleExistingTopic(_)
                | ClientError::IncompatibleUpdate(_)
                | ClientError::InvalidValue(_)),
            )) => Ok(Settled::Refused(self.pop(), e)),
            // Permissions, a closed session, anything else: the task cannot go on.
            Err(Failure::Diffusion(source)) => Err(TaskError::Diffusion {
                url: self.url.clone(),
                source,
            }),
        }
    }

    /// Takes the settled front entry, noting what its confirmation says of its path.
    fn pop(&mut self) -> Entry<P::Answer> {
        self.note_front();
        self.entries.pop_front().expect("a front entry")
    }

    /// What the front entry's confirmation says of its path: created, or removed.
    fn note_front(&mut self) {
        let Some(entry) = self.entries.front() else {
            return;
        };
        match &entry.work {
            Work::Update(Update::Set { path, .. }) if entry.creates => {
                self.known.insert(path.clone());
            }
            Work::Update(Update::Remove { path }) => {
                self.known.remove(path);
            }
            _ => {}
        }
    }

    /// The front entry, if an `Ok` answer settles it as done (what [`Window::settle`]
    /// would return as `Settled::Done`): anything but a fatal record.
    pub(super) fn front_confirmable(&self) -> Option<&Entry<P::Answer>> {
        self.entries
            .front()
            .filter(|e| !matches!(e.work, Work::Fatal(_)))
    }

    /// Removes the front entry after [`Window::front_confirmable`] gave it and its `Ok`
    /// answer was acted on, as [`Window::settle`] does for `Settled::Done`.
    pub(super) fn pop_confirmed(&mut self) {
        self.note_front();
        self.entries.pop_front();
    }

    async fn wait_connected(&mut self, stop: &mut watch::Receiver<bool>) -> Result<(), TaskError> {
        let mut state = self.publisher.state();
        tokio::select! {
            r = state.wait_for(|s| matches!(s, SessionState::Connected | SessionState::Closed(_))) => {
                match r.map(|s| s.clone()) {
                    Ok(SessionState::Connected) => Ok(()),
                    Ok(SessionState::Closed(why)) => Err(TaskError::SessionClosed(why)),
                    _ => Err(TaskError::SessionClosed(Some("the session is gone".into()))),
                }
            }
            _ = stop.changed() => Err(TaskError::StoppedWhileDisconnected),
        }
    }

    /// Sends every unconfirmed update again, in the original order. Entries on the error
    /// path keep their waits: their dead-letter acknowledgement is still to come.
    async fn resend(&mut self) -> Result<(), TaskError> {
        for i in 0..self.entries.len() {
            let Work::Update(update) = &self.entries[i].work else {
                continue;
            };
            let update = update.clone();
            // Release the old request's slot before taking a new one.
            self.entries[i].wait = Waiting::Other(ready());
            let (answer, creates) = loop {
                match dispatch(&self.publisher, &self.known, &update).await {
                    Ok(sent) => break sent,
                    Err(e) if e.is_transient() => {
                        tokio::time::sleep(Duration::from_millis(100)).await
                    }
                    Err(source) => {
                        return Err(TaskError::Diffusion {
                            url: self.url.clone(),
                            source,
                        })
                    }
                }
            };
            self.entries[i].wait = Waiting::Answer(answer);
            self.entries[i].creates = creates;
        }
        Ok(())
    }

    /// On a graceful stop: settles what Diffusion confirms by `deadline`, in order,
    /// stopping at the first entry that fails or is fatal.
    pub(super) async fn drain(&mut self, deadline: tokio::time::Instant) -> Vec<Entry<P::Answer>> {
        let mut done = Vec::new();
        while let Some(front) = self.entries.front_mut() {
            if matches!(front.work, Work::Fatal(_)) {
                break;
            }
            match tokio::time::timeout_at(deadline, &mut front.wait).await {
                Ok(Ok(())) => done.push(self.pop()),
                Ok(Err(_)) | Err(_) => break,
            }
        }
        done
    }
}

/// Sends `update`, as "create and set" if its path is not known; says which it was.
/// A free function borrowing only the publisher and the known paths across the send, not
/// the window's entries (whose waits are `Send` but not `Sync`), so the task stays `Send`.
async fn dispatch<P: Publisher>(
    publisher: &P,
    known: &HashSet<String>,
    update: &Update,
) -> Result<(P::Answer, bool), ClientError> {
    let known = is_known(known, update);
    Ok((publisher.send(update, known).await?, !known))
}

/// [`dispatch`] without waiting, when the publisher can (see [`Publisher::try_send`]).
fn dispatch_now<P: Publisher>(
    publisher: &P,
    known: &HashSet<String>,
    update: &Update,
) -> Option<Result<(P::Answer, bool), ClientError>> {
    let known = is_known(known, update);
    publisher
        .try_send(update, known)
        .map(|sent| sent.map(|answer| (answer, !known)))
}

/// Whether `update`'s topic exists as far as the window knows (a removal needs no topic).
fn is_known(known: &HashSet<String>, update: &Update) -> bool {
    match update {
        Update::Set { path, .. } => known.contains(path),
        Update::Remove { .. } => true,
    }
}

fn is_no_such_topic(e: &ClientError) -> bool {
    matches!(e, ClientError::NoSuchTopic(_))
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use bytes::Bytes;
    use diffusion_client::TopicType;
    use futures_util::FutureExt;
    use tokio::sync::oneshot;

    use super::*;

    /// The stand-in's answer to one request.
    type Answer = Pin<Box<dyn Future<Output = Result<(), ClientError>> + Send>>;

    impl super::Answer for Answer {}

    /// Answers one request.
    type Responder = oneshot::Sender<Result<(), ClientError>>;

    /// A Diffusion session in memory: records what is sent, answers when told to.
    struct Fake {
        sent: Mutex<Vec<(Update, bool)>>,
        answers: Mutex<Vec<Option<Responder>>>,
        state: watch::Sender<SessionState>,
    }

    impl Fake {
        fn new() -> Self {
            Fake {
                sent: Mutex::new(Vec::new()),
                answers: Mutex::new(Vec::new()),
                state: watch::Sender::new(SessionState::Connected),
            }
        }
        /// Answers the `n`th request sent (from 0).
        fn answer(&self, n: usize, result: Result<(), ClientError>) {
            let tx = self.answers.lock().unwrap()[n]
                .take()
                .expect("not answered yet");
            let _ = tx.send(result);
        }
        fn sent(&self) -> Vec<(Update, bool)> {
            self.sent.lock().unwrap().clone()
        }
    }

    impl Fake {
        fn send_now(&self, update: &Update, known: bool) -> Result<Answer, ClientError> {
            if *self.state.borrow() != SessionState::Connected {
                return Err(ClientError::ConnectionLost("down".into()));
            }
            let (tx, rx) = oneshot::channel();
            self.sent.lock().unwrap().push((update.clone(), known));
            self.answers.lock().unwrap().push(Some(tx));
            Ok(Box::pin(async move {
                rx.await
                    .unwrap_or(Err(ClientError::ConnectionLost("dropped".into())))
            }))
        }
    }

    /// Like the real one: known paths' values go the synchronous way, the rest (topic
    /// creation, removals) the waiting way.
    impl Publisher for &Fake {
        type Answer = Answer;

        async fn send(&self, update: &Update, known: bool) -> Result<Answer, ClientError> {
            self.send_now(update, known)
        }
        fn try_send(&self, update: &Update, known: bool) -> Option<Result<Answer, ClientError>> {
            matches!(update, Update::Set { .. } if known).then(|| self.send_now(update, known))
        }
        fn state(&self) -> watch::Receiver<SessionState> {
            self.state.subscribe()
        }
    }

    fn set(path: &str, v: u8) -> Update {
        Update::Set {
            path: path.into(),
            value: Bytes::from(vec![v]),
            topic_type: TopicType::Json,
            append: None,
        }
    }

    fn origin(offset: i64) -> Origin {
        Origin {
            topic: "t".into(),
            partition: 0,
            offset,
            timestamp_ms: None,
            info: None,
        }
    }

    fn window(fake: &Fake) -> Window<&Fake> {
        Window::new(fake, "c", "ws://test", 8)
    }

    fn stop() -> (watch::Sender<bool>, watch::Receiver<bool>) {
        watch::channel(false)
    }

    /// Waits for the front entry and settles it.
    async fn step(
        w: &mut Window<&Fake>,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<Settled<Answer>, TaskError> {
        let answer = w.next().await;
        w.settle(answer, stop).await
    }

    fn done_offset(s: Settled<Answer>) -> i64 {
        match s {
            Settled::Done(e) => e.origin.offset,
            Settled::Refused(..) => panic!("refused"),
            Settled::Resent => panic!("resent"),
        }
    }

    #[tokio::test]
    async fn answers_out_of_order_settle_in_send_order() {
        let fake = Fake::new();
        let mut w = window(&fake);
        let (_s, mut stop) = stop();
        for i in 0..3 {
            w.send(origin(i), set("a", i as u8)).await.unwrap();
        }
        fake.answer(2, Ok(()));
        fake.answer(1, Ok(()));
        assert!(w.next().now_or_never().is_none(), "the front is unanswered");
        fake.answer(0, Ok(()));
        let order: Vec<i64> = [
            step(&mut w, &mut stop).await.unwrap(),
            step(&mut w, &mut stop).await.unwrap(),
            step(&mut w, &mut stop).await.unwrap(),
        ]
        .into_iter()
        .map(done_offset)
        .collect();
        assert_eq!(order, [0, 1, 2]);
        assert!(w.is_empty());
    }

    /// `try_send` sends what needs no wait (a value for a known path) and hands back the
    /// rest, unsent, for `send`; both keep the window's order.
    #[tokio::test]
    async fn try_send_sends_a_known_paths_value_and_hands_back_the_rest_unsent() {
        let fake = Fake::new();
        let mut w = window(&fake);
        let (_s, mut stop) = stop();
        let Err((o, u)) = w.try_send(origin(0), set("a", 0)) else {
            panic!("a new path was sent without waiting");
        };
        assert_eq!((o.offset, &u), (0, &set("a", 0)));
        assert!(fake.sent().is_empty() && w.is_empty(), "nothing sent");
        w.send(o, u).await.unwrap();
        fake.answer(0, Ok(()));
        assert_eq!(done_offset(step(&mut w, &mut stop).await.unwrap()), 0);
        // "a" is known now: its next value goes without waiting.
        assert!(
            w.try_send(origin(1), set("a", 1)).is_ok(),
            "sent without waiting"
        );
        assert_eq!(fake.sent()[1], (set("a", 1), true));
        fake.answer(1, Ok(()));
        assert_eq!(done_offset(step(&mut w, &mut stop).await.unwrap()), 1);
        assert!(w.is_empty());
    }

    #[tokio::test]
    async fn a_path_is_created_on_first_sight_and_forgotten_when_removed() {
        let fake = Fake::new();
        let mut w = window(&fake);
        let (_s, mut stop) = stop();
        w.send(origin(0), set("a", 0)).await.unwrap();
        fake.answer(0, Ok(()));
        step(&mut w, &mut stop).await.unwrap();
        w.send(origin(1), set("a", 1)).await.unwrap();
        w.send(origin(2), Update::Remove { path: "a".into() })
            .await
            .unwrap();
        fake.answer(1, Ok(()));
        fake.answer(2, Ok(()));
        step(&mut w, &mut stop).await.unwrap();
        step(&mut w, &mut stop).await.unwrap();
        w.send(origin(3), set("a", 3)).await.unwrap();
        let known: Vec<bool> = fake.sent().into_iter().map(|(_, k)| k).collect();
        assert_eq!(known, [false, true, true, false]);
    }

    /// The sink's usual path: a confirmation settles the front entry in place.
    async fn step_in_place(w: &mut Window<&Fake>) -> i64 {
        assert!(w.next().await.is_ok(), "confirmed");
        let offset = w
            .front_confirmable()
            .expect("a confirmable front")
            .origin
            .offset;
        w.pop_confirmed();
        offset
    }

    #[tokio::test]
    async fn settling_in_place_notes_paths_as_settle_does_and_stops_at_a_fatal_record() {
        let fake = Fake::new();
        let mut w = window(&fake);
        w.send(origin(0), set("a", 0)).await.unwrap();
        fake.answer(0, Ok(()));
        assert_eq!(step_in_place(&mut w).await, 0);
        w.send(origin(1), set("a", 1)).await.unwrap();
        w.send(origin(2), Update::Remove { path: "a".into() })
            .await
            .unwrap();
        fake.answer(2, Ok(()));
        fake.answer(1, Ok(()));
        assert_eq!(step_in_place(&mut w).await, 1);
        assert_eq!(step_in_place(&mut w).await, 2);
        w.send(origin(3), set("a", 3)).await.unwrap();
        let known: Vec<bool> = fake.sent().into_iter().map(|(_, k)| k).collect();
        assert_eq!(known, [false, true, true, false], "created, then removed");
        fake.answer(3, Ok(()));
        assert_eq!(step_in_place(&mut w).await, 3);
        w.push(
            origin(4),
            Work::Fatal(TaskError::SessionClosed(None)),
            ready(),
        );
        assert!(
            w.front_confirmable().is_none(),
            "a fatal record is not settled"
        );
    }

    #[tokio::test]
    async fn after_a_reconnection_only_the_unconfirmed_are_sent_again_in_order() {
        let fake = Fake::new();
        let mut w = window(&fake);
        let (_s, mut stop) = stop();
        for i in 0..3 {
            w.send(origin(i), set(&format!("p{i}"), i as u8))
                .await
                .unwrap();
        }
        // The first is confirmed; then the connection drops under the other two.
        fake.answer(0, Ok(()));
        assert_eq!(done_offset(step(&mut w, &mut stop).await.unwrap()), 0);
        fake.state.send_replace(SessionState::Recovering);
        fake.answer(1, Err(ClientError::ConnectionLost("reset".into())));
        let answer = w.next().await;
        {
            let settling = w.settle(answer, &mut stop);
            tokio::pin!(settling);
            assert!(
                (&mut settling).now_or_never().is_none(),
                "waits for the reconnection"
            );
            fake.state.send_replace(SessionState::Connected);
            assert!(matches!(settling.await.unwrap(), Settled::Resent));
        }
        let sent = fake.sent();
        assert_eq!(sent.len(), 5);
        assert_eq!(sent[3].0, set("p1", 1));
        assert_eq!(sent[4].0, set("p2", 2));
        // Request 2's old answer no longer counts; the resent ones do.
        fake.answer(3, Ok(()));
        fake.answer(4, Ok(()));
        assert_eq!(done_offset(step(&mut w, &mut stop).await.unwrap()), 1);
        assert_eq!(done_offset(step(&mut w, &mut stop).await.unwrap()), 2);
    }

    #[tokio::test]
    async fn stopping_while_disconnected_settles_nothing() {
        let fake = Fake::new();
        let mut w = window(&fake);
        let (s, mut stop) = stop();
        w.send(origin(0), set("a", 0)).await.unwrap();
        fake.state.send_replace(SessionState::Recovering);
        fake.answer(0, Err(ClientError::ConnectionLost("reset".into())));
        s.send_replace(true);
        let e = step(&mut w, &mut stop).await.err().unwrap();
        assert!(matches!(e, TaskError::StoppedWhileDisconnected), "{e}");
        assert_eq!(w.len(), 1, "still unconfirmed");
    }

    #[tokio::test]
    async fn a_session_closed_for_good_fails_the_task() {
        let fake = Fake::new();
        let mut w = window(&fake);
        let (_s, mut stop) = stop();
        w.send(origin(0), set("a", 0)).await.unwrap();
        fake.state
            .send_replace(SessionState::Closed(Some("expired".into())));
        fake.answer(0, Err(ClientError::ConnectionLost("reset".into())));
        let e = step(&mut w, &mut stop).await.err().unwrap();
        assert_eq!(e.to_string(), "the Diffusion session closed: expired");
    }

    #[tokio::test]
    async fn a_refused_update_is_handed_back_for_the_error_path_and_the_rest_goes_on() {
        let fake = Fake::new();
        let mut w = window(&fake);
        let (_s, mut stop) = stop();
        w.send(origin(0), set("a", 0)).await.unwrap();
        w.send(origin(1), set("b", 1)).await.unwrap();
        fake.answer(0, Err(ClientError::IncompatibleUpdate("not JSON".into())));
        fake.answer(1, Ok(()));
        match step(&mut w, &mut stop).await.unwrap() {
            Settled::Refused(e, ClientError::IncompatibleUpdate(_)) => {
                assert_eq!(e.origin.offset, 0)
            }
            _ => panic!("refused expected"),
        }
        assert_eq!(done_offset(step(&mut w, &mut stop).await.unwrap()), 1);
    }

    #[tokio::test]
    async fn a_topic_removed_behind_our_back_is_created_again() {
        let fake = Fake::new();
        let mut w = window(&fake);
        let (_s, mut stop) = stop();
        w.send(origin(0), set("a", 0)).await.unwrap();
        fake.answer(0, Ok(()));
        step(&mut w, &mut stop).await.unwrap();
        w.send(origin(1), set("a", 1)).await.unwrap();
        fake.answer(1, Err(ClientError::NoSuchTopic("a".into())));
        assert!(matches!(
            step(&mut w, &mut stop).await.unwrap(),
            Settled::Resent
        ));
        assert_eq!(fake.sent()[2], (set("a", 1), false), "create and set");
        fake.answer(2, Ok(()));
        assert_eq!(done_offset(step(&mut w, &mut stop).await.unwrap()), 1);
    }

    #[tokio::test]
    async fn permission_denied_fails_the_task_naming_the_server() {
        let fake = Fake::new();
        let mut w = window(&fake);
        let (_s, mut stop) = stop();
        w.send(origin(0), set("a", 0)).await.unwrap();
        fake.answer(0, Err(ClientError::PermissionDenied("a".into())));
        let e = step(&mut w, &mut stop).await.err().unwrap();
        assert_eq!(
            e.to_string(),
            "Diffusion at ws://test: permission denied: a"
        );
    }

    #[tokio::test]
    async fn a_fatal_record_fails_the_task_only_once_those_before_it_settled() {
        let fake = Fake::new();
        let mut w = window(&fake);
        let (_s, mut stop) = stop();
        w.send(origin(0), set("a", 0)).await.unwrap();
        w.push(
            origin(1),
            Work::Fatal(TaskError::SessionClosed(None)),
            ready(),
        );
        fake.answer(0, Ok(()));
        assert_eq!(done_offset(step(&mut w, &mut stop).await.unwrap()), 0);
        assert!(step(&mut w, &mut stop).await.is_err());
        // A graceful drain stops before a fatal record: it is never settled.
        w.push(
            origin(2),
            Work::Fatal(TaskError::SessionClosed(None)),
            ready(),
        );
        let deadline = tokio::time::Instant::now() + Duration::from_millis(10);
        assert!(w.drain(deadline).await.is_empty());
    }

    #[tokio::test]
    async fn a_dead_letter_acknowledgement_is_still_awaited_after_a_resend() {
        let fake = Fake::new();
        let mut w = window(&fake);
        let (_s, mut stop) = stop();
        w.send(origin(0), set("a", 0)).await.unwrap();
        let (dlq, acked) = oneshot::channel::<()>();
        w.push(
            origin(1),
            Work::Reported,
            Box::pin(async move {
                acked
                    .await
                    .map_err(|_| Failure::DeadLetter("closed".into()))
            }),
        );
        fake.answer(0, Err(ClientError::ConnectionLost("reset".into())));
        assert!(matches!(
            step(&mut w, &mut stop).await.unwrap(),
            Settled::Resent
        ));
        fake.answer(1, Ok(()));
        assert_eq!(done_offset(step(&mut w, &mut stop).await.unwrap()), 0);
        assert!(
            w.next().now_or_never().is_none(),
            "the dead-letter topic has not acknowledged"
        );
        dlq.send(()).unwrap();
        assert_eq!(done_offset(step(&mut w, &mut stop).await.unwrap()), 1);
    }

    #[tokio::test]
    async fn a_dead_letter_failure_fails_the_task_naming_the_record() {
        let fake = Fake::new();
        let mut w = window(&fake);
        let (_s, mut stop) = stop();
        w.push(
            origin(7),
            Work::Reported,
            Box::pin(async { Err(Failure::DeadLetter("broker down".into())) }),
        );
        let e = step(&mut w, &mut stop).await.err().unwrap();
        assert_eq!(
            e.to_string(),
            "record t-0@7 could not be written to the dead-letter topic: broker down"
        );
    }

    #[tokio::test]
    async fn a_send_while_the_connection_is_down_waits_for_it() {
        let fake = Fake::new();
        let mut w = window(&fake);
        fake.state.send_replace(SessionState::Recovering);
        let fake_ref = &fake;
        let reconnect = async {
            tokio::time::sleep(Duration::from_millis(150)).await;
            fake_ref.state.send_replace(SessionState::Connected);
        };
        let (sent, ()) = tokio::join!(w.send(origin(0), set("a", 0)), reconnect);
        sent.unwrap();
        assert_eq!(fake.sent().len(), 1);
        assert!(!w.has_room() || w.len() == 1);
    }
}
