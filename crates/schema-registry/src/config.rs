//! The registry settings of a converter, read from its properties.
//!
//! The keys are Confluent's (`AbstractKafkaSchemaSerDeConfig` / `SchemaRegistryClientConfig`),
//! given without the `key.converter.` / `value.converter.` prefix the worker strips. Keys
//! this crate does not know are ignored: a converter's properties also hold the settings of
//! the converter itself.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::subject::SubjectNameStrategy;

/// `schema.registry.url` (required): a comma-separated list of registry URLs (`http://` or
/// `https://`). Requests go to the first; on a connection failure or a 5xx the next is tried,
/// in order. With `basic.auth.credentials.source=URL` the credentials are the URLs'
/// `user:password@`.
pub const URL: &str = "schema.registry.url";

/// `basic.auth.credentials.source` (default `URL`): where the HTTP basic auth credentials
/// come from: `URL` (the `user:password@` of each URL, none if absent) or `USER_INFO`
/// (`basic.auth.user.info`). Confluent's `SASL_INHERIT` is not supported.
pub const CREDENTIALS_SOURCE: &str = "basic.auth.credentials.source";

/// `basic.auth.user.info` (no default): `user:password`, used when the credentials source is
/// `USER_INFO`.
pub const USER_INFO: &str = "basic.auth.user.info";

/// `schema.registry.basic.auth.user.info`: the same as [`USER_INFO`] under the client-config
/// name; [`USER_INFO`] wins when both are given.
pub const REGISTRY_USER_INFO: &str = "schema.registry.basic.auth.user.info";

/// `schema.registry.ssl.truststore.location` (no default): a PEM file of the CA certificates
/// that `https://` registries must chain to. Without it, the system's CA certificates.
pub const TRUSTSTORE_LOCATION: &str = "schema.registry.ssl.truststore.location";

/// `schema.registry.ssl.truststore.type` (default `PEM` here): only `PEM` is accepted.
/// Confluent's default is `JKS`, which this client cannot read; a Java key store must be
/// exported to PEM first.
pub const TRUSTSTORE_TYPE: &str = "schema.registry.ssl.truststore.type";

/// `http.connect.timeout.ms` (default 60000): how long to wait for a TCP (and TLS)
/// connection to one registry URL before trying the next. 0 waits forever.
pub const CONNECT_TIMEOUT_MS: &str = "http.connect.timeout.ms";

/// `http.read.timeout.ms` (default 60000): how long to wait for a registry's answer once
/// connected before trying the next URL. 0 waits forever.
pub const READ_TIMEOUT_MS: &str = "http.read.timeout.ms";

/// `latest.cache.ttl.sec` (default -1): how long the latest version of a subject is kept
/// before it is asked for again. Negative keeps it for ever; 0 does not keep it.
pub const LATEST_CACHE_TTL_SEC: &str = "latest.cache.ttl.sec";

/// `latest.cache.size` (default 1000): how many subjects' latest versions are kept.
pub const LATEST_CACHE_SIZE: &str = "latest.cache.size";

/// `auto.register.schemas` (default true): whether a serializer registers the schema it
/// writes with (rather than only looking it up).
pub const AUTO_REGISTER: &str = "auto.register.schemas";

/// `use.latest.version` (default false): whether a serializer writes with the subject's
/// latest registered schema instead of its own.
pub const USE_LATEST_VERSION: &str = "use.latest.version";

/// `key.subject.name.strategy` (default `TopicNameStrategy`): how the subject of a record
/// key's schema is named (see [`SubjectNameStrategy`]).
pub const KEY_SUBJECT_NAME_STRATEGY: &str = "key.subject.name.strategy";

/// `value.subject.name.strategy` (default `TopicNameStrategy`): how the subject of a record
/// value's schema is named (see [`SubjectNameStrategy`]).
pub const VALUE_SUBJECT_NAME_STRATEGY: &str = "value.subject.name.strategy";

/// Confluent's default for both HTTP timeouts.
const DEFAULT_TIMEOUT_MS: u64 = 60_000;

/// Confluent's default number of cached latest versions.
const DEFAULT_LATEST_CACHE_SIZE: usize = 1000;

/// A setting that could not be used: the key, the value given, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A required key is absent or empty.
    #[error("{key} is required")]
    Missing {
        /// The key.
        key: &'static str,
    },
    /// A key has a value this client cannot use.
    #[error("{key}={value:?} is not valid: {reason}")]
    Invalid {
        /// The key.
        key: &'static str,
        /// The value given (a password in it is masked).
        value: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl ConfigError {
    fn invalid(key: &'static str, value: &str, reason: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            key,
            value: value.to_owned(),
            reason: reason.into(),
        }
    }
}

/// HTTP basic auth credentials. `Debug` masks the password so that configs can be logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name.
    pub user: String,
    /// The password.
    pub password: String,
}

impl Credentials {
    /// Splits `user:password` at its first colon (a password may hold colons; a user name
    /// cannot, as in HTTP basic auth itself).
    fn parse(user_info: &str) -> Option<Credentials> {
        let (user, password) = user_info.split_once(':')?;
        Some(Credentials {
            user: user.to_owned(),
            password: password.to_owned(),
        })
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &"****")
            .finish()
    }
}

/// One registry URL: its base (scheme, host, port and any path, without credentials or a
/// trailing slash) and the credentials it carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryUrl {
    /// `http(s)://host:port[/path]`, no trailing slash, no `user:password@`.
    pub base: String,
    /// The `user:password@` the URL carried, if any.
    pub credentials: Option<Credentials>,
}

impl RegistryUrl {
    /// Parses one entry of `schema.registry.url`.
    fn parse(raw: &str) -> Result<RegistryUrl, ConfigError> {
        // The error must not echo a password, so it shows the URL with credentials masked.
        let bad = |reason: &str| ConfigError::invalid(URL, &mask_url(raw), reason);
        let (scheme, rest) = raw
            .split_once("://")
            .ok_or_else(|| bad("a registry URL must start with http:// or https://"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(bad("a registry URL must start with http:// or https://"));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        // The last '@' ends the user info: a password may itself hold '@'.
        let (credentials, host) = match authority.rsplit_once('@') {
            Some((info, host)) => (
                Some(Credentials::parse(info).ok_or_else(|| {
                    bad("the credentials in a registry URL must be user:password@")
                })?),
                host,
            ),
            None => (None, authority),
        };
        if host.is_empty() {
            return Err(bad("a registry URL needs a host"));
        }
        if path.contains(['?', '#']) {
            return Err(bad("a registry URL cannot have a query or fragment"));
        }
        Ok(RegistryUrl {
            base: format!("{scheme}://{host}{}", path.trim_end_matches('/')),
            credentials,
        })
    }
}

/// A URL with any `user:password@` shown as `user:****@`.
fn mask_url(raw: &str) -> String {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return raw.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((info, _)) => {
            let user = info.split_once(':').map_or(info, |(user, _)| user);
            let after = &rest[info.len()..];
            format!("{scheme}://{user}:****{after}")
        }
        None => raw.to_owned(),
    }
}

/// Where basic auth credentials come from (`basic.auth.credentials.source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CredentialsSource {
    /// The `user:password@` of each URL.
    #[default]
    Url,
    /// `basic.auth.user.info`, for every URL.
    UserInfo,
}

/// The settings the registry client and the converters take from a converter's properties.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryConfig {
    /// The registry URLs in the order they are tried ([`URL`]).
    pub urls: Vec<RegistryUrl>,
    /// Where the basic auth credentials come from ([`CREDENTIALS_SOURCE`]).
    pub credentials_source: CredentialsSource,
    /// [`USER_INFO`] (or [`REGISTRY_USER_INFO`]), if given.
    pub user_info: Option<Credentials>,
    /// [`TRUSTSTORE_LOCATION`]: the PEM file of trusted CA certificates, if given.
    pub truststore: Option<PathBuf>,
    /// [`CONNECT_TIMEOUT_MS`]; `None` waits forever.
    pub connect_timeout: Option<Duration>,
    /// [`READ_TIMEOUT_MS`]; `None` waits forever.
    pub read_timeout: Option<Duration>,
    /// [`LATEST_CACHE_TTL_SEC`]; `None` keeps latest versions for ever.
    pub latest_cache_ttl: Option<Duration>,
    /// [`LATEST_CACHE_SIZE`].
    pub latest_cache_size: usize,
    /// [`AUTO_REGISTER`].
    pub auto_register: bool,
    /// [`USE_LATEST_VERSION`].
    pub use_latest_version: bool,
    /// [`KEY_SUBJECT_NAME_STRATEGY`].
    pub key_subject_name_strategy: SubjectNameStrategy,
    /// [`VALUE_SUBJECT_NAME_STRATEGY`].
    pub value_subject_name_strategy: SubjectNameStrategy,
}

impl RegistryConfig {
    /// Reads the settings from a converter's properties (keys without the converter
    /// prefix). The last value of a key given twice wins; unknown keys are ignored.
    pub fn from_properties<I, K, V>(properties: I) -> Result<RegistryConfig, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let props: std::collections::HashMap<String, String> = properties
            .into_iter()
            .map(|(k, v)| (k.as_ref().trim().to_owned(), v.as_ref().trim().to_owned()))
            .collect();
        // An empty value means "not set", as in Kafka's own config parsing of lists and
        // passwords.
        let get = |key: &str| props.get(key).map(String::as_str).filter(|v| !v.is_empty());

        let urls = get(URL)
            .ok_or(ConfigError::Missing { key: URL })?
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(RegistryUrl::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if urls.is_empty() {
            return Err(ConfigError::Missing { key: URL });
        }

        let credentials_source = match get(CREDENTIALS_SOURCE) {
            None => CredentialsSource::Url,
            Some(v) if v.eq_ignore_ascii_case("URL") => CredentialsSource::Url,
            Some(v) if v.eq_ignore_ascii_case("USER_INFO") => CredentialsSource::UserInfo,
            Some(v) => {
                return Err(ConfigError::invalid(
                    CREDENTIALS_SOURCE,
                    v,
                    "supported sources are URL and USER_INFO",
                ))
            }
        };
        let (info_key, info) = match get(USER_INFO) {
            Some(v) => (USER_INFO, Some(v)),
            None => (REGISTRY_USER_INFO, get(REGISTRY_USER_INFO)),
        };
        let user_info = match info {
            Some(v) => Some(Credentials::parse(v).ok_or_else(|| {
                // Without a colon there is no password to leak, so the value can be shown.
                ConfigError::invalid(info_key, v, "expected user:password")
            })?),
            None => None,
        };
        if credentials_source == CredentialsSource::UserInfo && user_info.is_none() {
            return Err(ConfigError::Invalid {
                key: USER_INFO,
                value: String::new(),
                reason: format!("required when {CREDENTIALS_SOURCE} is USER_INFO"),
            });
        }

        let truststore = get(TRUSTSTORE_LOCATION).map(PathBuf::from);
        if let Some(kind) = get(TRUSTSTORE_TYPE) {
            if !kind.eq_ignore_ascii_case("PEM") {
                return Err(ConfigError::invalid(
                    TRUSTSTORE_TYPE,
                    kind,
                    "only PEM trust stores are supported (export a JKS or PKCS12 store to PEM)",
                ));
            }
        }

        let latest_cache_ttl = match get(LATEST_CACHE_TTL_SEC) {
            None => None,
            Some(v) => {
                let secs: i64 = v.parse().map_err(|_| {
                    ConfigError::invalid(LATEST_CACHE_TTL_SEC, v, "expected a whole number")
                })?;
                u64::try_from(secs).ok().map(Duration::from_secs)
            }
        };

        Ok(RegistryConfig {
            urls,
            credentials_source,
            user_info,
            truststore,
            connect_timeout: timeout(get(CONNECT_TIMEOUT_MS), CONNECT_TIMEOUT_MS)?,
            read_timeout: timeout(get(READ_TIMEOUT_MS), READ_TIMEOUT_MS)?,
            latest_cache_ttl,
            latest_cache_size: match get(LATEST_CACHE_SIZE) {
                None => DEFAULT_LATEST_CACHE_SIZE,
                Some(v) => v.parse().map_err(|_| {
                    ConfigError::invalid(LATEST_CACHE_SIZE, v, "expected a whole number >= 0")
                })?,
            },
            auto_register: boolean(get(AUTO_REGISTER), AUTO_REGISTER, true)?,
            use_latest_version: boolean(get(USE_LATEST_VERSION), USE_LATEST_VERSION, false)?,
            key_subject_name_strategy: strategy(
                get(KEY_SUBJECT_NAME_STRATEGY),
                KEY_SUBJECT_NAME_STRATEGY,
            )?,
            value_subject_name_strategy: strategy(
                get(VALUE_SUBJECT_NAME_STRATEGY),
                VALUE_SUBJECT_NAME_STRATEGY,
            )?,
        })
    }

    /// The subject name strategy for keys (`is_key`) or values.
    pub fn subject_name_strategy(&self, is_key: bool) -> SubjectNameStrategy {
        if is_key {
            self.key_subject_name_strategy
        } else {
            self.value_subject_name_strategy
        }
    }

    /// The basic auth credentials to send to `url`, per the credentials source.
    pub fn credentials_for<'a>(&'a self, url: &'a RegistryUrl) -> Option<&'a Credentials> {
        match self.credentials_source {
            CredentialsSource::Url => url.credentials.as_ref(),
            CredentialsSource::UserInfo => self.user_info.as_ref(),
        }
    }
}

/// A timeout in milliseconds; 0 means none (as for Java's URL connections).
fn timeout(value: Option<&str>, key: &'static str) -> Result<Option<Duration>, ConfigError> {
    let ms = match value {
        None => DEFAULT_TIMEOUT_MS,
        Some(v) => v
            .parse::<u64>()
            .map_err(|_| ConfigError::invalid(key, v, "expected milliseconds >= 0"))?,
    };
    Ok((ms > 0).then(|| Duration::from_millis(ms)))
}

/// A boolean as Kafka's config parser reads it: `true` or `false` in any case.
fn boolean(value: Option<&str>, key: &'static str, default: bool) -> Result<bool, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some(v) => Err(ConfigError::invalid(key, v, "expected true or false")),
    }
}

fn strategy(value: Option<&str>, key: &'static str) -> Result<SubjectNameStrategy, ConfigError> {
    match value {
        None => Ok(SubjectNameStrategy::default()),
        Some(v) => v
            .parse()
            .map_err(|e: crate::subject::SubjectError| ConfigError::invalid(key, v, e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<RegistryConfig, ConfigError> {
        RegistryConfig::from_properties(pairs.iter().copied())
    }

    #[test]
    fn defaults() {
        let c = parse(&[(URL, "http://r:8081/"), ("converter.thing", "x")]).unwrap();
        assert_eq!(c.urls.len(), 1);
        assert_eq!(c.urls[0].base, "http://r:8081");
        assert_eq!(c.credentials_source, CredentialsSource::Url);
        assert_eq!(c.user_info, None);
        assert_eq!(c.truststore, None);
        assert_eq!(c.connect_timeout, Some(Duration::from_secs(60)));
        assert_eq!(c.read_timeout, Some(Duration::from_secs(60)));
        assert_eq!(c.latest_cache_ttl, None);
        assert_eq!(c.latest_cache_size, 1000);
        assert!(c.auto_register);
        assert!(!c.use_latest_version);
        assert_eq!(c.key_subject_name_strategy, SubjectNameStrategy::TopicName);
        assert_eq!(
            c.value_subject_name_strategy,
            SubjectNameStrategy::TopicName
        );
    }

    #[test]
    fn url_list_and_credentials_in_urls() {
        let c = parse(&[(
            URL,
            " https://alice:s3:cr@t@a:1/base/ , http://b:2,HTTP://c",
        )])
        .unwrap();
        let bases: Vec<_> = c.urls.iter().map(|u| u.base.as_str()).collect();
        assert_eq!(bases, ["https://a:1/base", "http://b:2", "http://c"]);
        let creds = c.urls[0].credentials.as_ref().unwrap();
        assert_eq!(
            (creds.user.as_str(), creds.password.as_str()),
            ("alice", "s3:cr@t")
        );
        assert_eq!(c.credentials_for(&c.urls[0]), Some(creds));
        assert_eq!(c.credentials_for(&c.urls[1]), None);
    }

    #[test]
    fn user_info_source() {
        let c = parse(&[
            (URL, "http://u:p@a"),
            (CREDENTIALS_SOURCE, "USER_INFO"),
            (REGISTRY_USER_INFO, "bob:pw"),
        ])
        .unwrap();
        assert_eq!(c.credentials_for(&c.urls[0]).unwrap().user, "bob");
        let c = parse(&[
            (URL, "http://a"),
            (CREDENTIALS_SOURCE, "USER_INFO"),
            (REGISTRY_USER_INFO, "bob:pw"),
            (USER_INFO, "carol:pw"),
        ])
        .unwrap();
        assert_eq!(c.user_info.unwrap().user, "carol");
        let e = parse(&[(URL, "http://a"), (CREDENTIALS_SOURCE, "USER_INFO")]).unwrap_err();
        assert!(e.to_string().contains(USER_INFO), "{e}");
        let e = parse(&[(URL, "http://a"), (CREDENTIALS_SOURCE, "SASL_INHERIT")]).unwrap_err();
        assert!(e.to_string().contains("SASL_INHERIT"), "{e}");
        let e = parse(&[(URL, "http://a"), (USER_INFO, "nocolon")]).unwrap_err();
        assert!(e.to_string().contains(USER_INFO), "{e}");
    }

    #[test]
    fn debug_masks_passwords() {
        let c = parse(&[
            (URL, "http://alice:urlsecret@a"),
            (USER_INFO, "bob:infosecret"),
        ])
        .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("urlsecret"), "{shown}");
        assert!(!shown.contains("infosecret"), "{shown}");
        assert!(shown.contains("alice") && shown.contains("bob"), "{shown}");
    }

    #[test]
    fn bad_urls_are_named_without_their_password() {
        assert_eq!(parse(&[]).unwrap_err(), ConfigError::Missing { key: URL });
        assert_eq!(
            parse(&[(URL, " , ")]).unwrap_err(),
            ConfigError::Missing { key: URL }
        );
        for bad in ["localhost:8081", "ftp://a", "http://", "http://a/?x=1"] {
            let e = parse(&[(URL, bad)]).unwrap_err();
            assert!(e.to_string().contains(URL), "{e}");
        }
        let e = parse(&[(URL, "ftp://u:hidden@a")]).unwrap_err();
        assert!(!e.to_string().contains("hidden"), "{e}");
        assert!(e.to_string().contains("u:****@a"), "{e}");
    }

    #[test]
    fn truststore() {
        let c = parse(&[(URL, "https://a"), (TRUSTSTORE_LOCATION, "/ca.pem")]).unwrap();
        assert_eq!(c.truststore, Some(PathBuf::from("/ca.pem")));
        parse(&[(URL, "https://a"), (TRUSTSTORE_TYPE, "pem")]).unwrap();
        let e = parse(&[(URL, "https://a"), (TRUSTSTORE_TYPE, "JKS")]).unwrap_err();
        let shown = e.to_string();
        assert!(
            shown.contains(TRUSTSTORE_TYPE) && shown.contains("JKS"),
            "{shown}"
        );
    }

    #[test]
    fn numbers_and_booleans() {
        let c = parse(&[
            (URL, "http://a"),
            (CONNECT_TIMEOUT_MS, "0"),
            (READ_TIMEOUT_MS, "1500"),
            (LATEST_CACHE_TTL_SEC, "30"),
            (LATEST_CACHE_SIZE, "5"),
            (AUTO_REGISTER, "FALSE"),
            (USE_LATEST_VERSION, "True"),
        ])
        .unwrap();
        assert_eq!(c.connect_timeout, None);
        assert_eq!(c.read_timeout, Some(Duration::from_millis(1500)));
        assert_eq!(c.latest_cache_ttl, Some(Duration::from_secs(30)));
        assert_eq!(c.latest_cache_size, 5);
        assert!(!c.auto_register);
        assert!(c.use_latest_version);
        let c = parse(&[(URL, "http://a"), (LATEST_CACHE_TTL_SEC, "0")]).unwrap();
        assert_eq!(c.latest_cache_ttl, Some(Duration::ZERO));
        for (key, value) in [
            (CONNECT_TIMEOUT_MS, "-1"),
            (READ_TIMEOUT_MS, "soon"),
            (LATEST_CACHE_TTL_SEC, "1.5"),
            (LATEST_CACHE_SIZE, "-3"),
            (AUTO_REGISTER, "yes"),
        ] {
            let e = parse(&[(URL, "http://a"), (key, value)]).unwrap_err();
            assert!(
                matches!(&e, ConfigError::Invalid { key: k, value: v, .. } if *k == key && v == value),
                "{e}"
            );
        }
    }

    #[test]
    fn strategies() {
        let c = parse(&[
            (URL, "http://a"),
            (
                KEY_SUBJECT_NAME_STRATEGY,
                "io.confluent.kafka.serializers.subject.RecordNameStrategy",
            ),
            (VALUE_SUBJECT_NAME_STRATEGY, "TopicRecordNameStrategy"),
        ])
        .unwrap();
        assert_eq!(
            c.subject_name_strategy(true),
            SubjectNameStrategy::RecordName
        );
        assert_eq!(
            c.subject_name_strategy(false),
            SubjectNameStrategy::TopicRecordName
        );
        let e = parse(&[(URL, "http://a"), (VALUE_SUBJECT_NAME_STRATEGY, "Nope")]).unwrap_err();
        assert!(e.to_string().contains(VALUE_SUBJECT_NAME_STRATEGY), "{e}");
    }
}
