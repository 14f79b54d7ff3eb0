//! Session options, with the defaults a connector wants.

use std::time::Duration;

/// How a [`Session`](crate::Session) connects, times out, buffers and reconnects; `Default` suits a
/// connector.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// How long the WebSocket connection and the handshake may take.
    pub connect_timeout: Duration,
    /// How long a request may wait for its response.
    pub request_timeout: Duration,
    /// Most requests awaiting a response at once; further callers wait for a slot.
    pub max_in_flight: usize,
    /// Topic events buffered for the consumer before the socket reader waits.
    pub event_queue: usize,
    /// What to do when the connection drops; `None` closes the session.
    pub reconnect: Option<ReconnectPolicy>,
    /// Sent as the `$Environment` session property.
    pub environment: String,
    /// Trust settings for `wss://` URLs.
    pub tls: crate::tls::TlsOptions,
    /// Deliver topic values undecoded (`TopicEvent::RawValue`).
    pub raw_values: bool,
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_in_flight: 1024,
            event_queue: 1024,
            reconnect: Some(ReconnectPolicy::default()),
            environment: format!("RUST_diffusion-client_{}", env!("CARGO_PKG_VERSION")),
            tls: crate::tls::TlsOptions::default(),
            raw_values: false,
        }
    }
}

/// Capped exponential back-off between reconnection attempts.
#[derive(Debug, Clone)]
pub struct ReconnectPolicy {
    /// Delay before the first reconnection attempt; doubles with each failed attempt.
    pub initial_delay: Duration,
    /// Upper bound on the delay between attempts.
    pub max_delay: Duration,
    /// Give up (the session closes) once reconnecting has taken this long; `None` never.
    pub give_up_after: Option<Duration>,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        Self {
            initial_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(10),
            give_up_after: None,
        }
    }
}

impl ReconnectPolicy {
    /// The delay before attempt `n` (0-based): doubling from `initial_delay`, capped.
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX);
        self.initial_delay
            .saturating_mul(factor)
            .min(self.max_delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let p = ReconnectPolicy::default();
        assert_eq!(p.delay(0), Duration::from_millis(100));
        assert_eq!(p.delay(3), Duration::from_millis(800));
        assert_eq!(p.delay(50), Duration::from_secs(10));
    }
}
