//! What a task hears from librdkafka besides its records: errors no retry will cure.
//!
//! librdkafka reports a refused login or an untrusted broker certificate through its error
//! callback and then keeps reconnecting, for ever: a consumer simply gets no records and a
//! producer's records wait until they time out. Kafka Connect's Java clients throw instead
//! (`SaslAuthenticationException`, `SslAuthenticationException`) and the task fails. This
//! context keeps the first such error so the task can fail the same way, saying why.

use rdkafka::consumer::ConsumerContext;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::ClientContext;
use tokio::sync::watch;

/// A librdkafka client context that notes the first error no retry can cure.
#[derive(Clone)]
pub struct KafkaContext {
    fatal: watch::Sender<Option<String>>,
}

impl Default for KafkaContext {
    fn default() -> Self {
        KafkaContext {
            fatal: watch::Sender::new(None),
        }
    }
}

impl KafkaContext {
    /// Waits for an error that retrying will not cure, and says what it was.
    pub async fn fatal(&self) -> String {
        let mut rx = self.fatal.subscribe();
        // The sender lives in `self`, so waiting ends only with a value.
        let seen = rx.wait_for(Option::is_some).await.is_ok();
        let why = rx.borrow().clone();
        match why {
            Some(why) if seen => why,
            _ => std::future::pending().await,
        }
    }
}

/// Says why an error from librdkafka's error callback will not pass by itself, if it won't.
pub(crate) fn incurable(error: &KafkaError, reason: &str) -> Option<String> {
    match error.rdkafka_error_code()? {
        RDKafkaErrorCode::Authentication | RDKafkaErrorCode::SaslAuthenticationFailed => {
            Some(format!("Kafka refused the credentials: {reason}"))
        }
        // A handshake can also fail because the broker went away mid-way; a certificate
        // that does not verify fails every time.
        RDKafkaErrorCode::SSL if reason.contains("certificate") => Some(format!(
            "the broker's TLS certificate was not accepted: {reason}"
        )),
        _ => None,
    }
}

impl ClientContext for KafkaContext {
    fn error(&self, error: KafkaError, reason: &str) {
        match incurable(&error, reason) {
            Some(why) => {
                tracing::error!("librdkafka: {error}: {reason}");
                self.fatal.send_if_modified(|f| {
                    let first = f.is_none();
                    if first {
                        *f = Some(why);
                    }
                    first
                });
            }
            // librdkafka retries these itself (a broker down, a topic not created yet).
            None => tracing::warn!("librdkafka: {error}: {reason}"),
        }
    }
}

impl ConsumerContext for KafkaContext {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_logins_and_untrusted_certificates_are_incurable_others_not() {
        let auth = KafkaError::Global(RDKafkaErrorCode::Authentication);
        assert!(
            incurable(&auth, "SASL authentication error: invalid credentials")
                .unwrap()
                .contains("credentials")
        );
        let ssl = KafkaError::Global(RDKafkaErrorCode::SSL);
        let why = incurable(&ssl, "SSL handshake failed: certificate verify failed").unwrap();
        assert!(why.contains("certificate"), "{why}");
        assert_eq!(incurable(&ssl, "SSL handshake failed: Disconnected"), None);
        let down = KafkaError::Global(RDKafkaErrorCode::BrokerTransportFailure);
        assert_eq!(incurable(&down, "Connection refused"), None);
    }

    #[tokio::test]
    async fn the_first_incurable_error_is_kept() {
        let c = KafkaContext::default();
        c.error(
            KafkaError::Global(RDKafkaErrorCode::BrokerTransportFailure),
            "Connection refused",
        );
        c.error(
            KafkaError::Global(RDKafkaErrorCode::Authentication),
            "first",
        );
        c.error(
            KafkaError::Global(RDKafkaErrorCode::Authentication),
            "second",
        );
        assert_eq!(c.fatal().await, "Kafka refused the credentials: first");
    }
}
