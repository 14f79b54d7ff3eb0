//! The process's log levels: set at start from `RUST_LOG` (or `--log`), changed at run time
//! through Kafka Connect's `/admin/loggers` (KIP-495). A logger is a tracing target prefix
//! (`connectors::sink`, `diffusion_client`, `librdkafka`); `root` is the level of every
//! target no directive names. Levels take Connect's names (log4j's), mapped onto tracing's.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{reload, EnvFilter, Registry};

/// The loggers worth naming: each crate of the product, and librdkafka's log lines.
const KNOWN: [&str; 6] = [
    "connectors",
    "connect_data",
    "diffusion_client",
    "diffusion_kafka_connect",
    "diffusion_server",
    "librdkafka",
];

/// A logger's level, as Connect reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggerLevel {
    /// Connect's name: OFF, ERROR, WARN, INFO, DEBUG, TRACE.
    pub level: String,
    /// When it was last set through the API (epoch milliseconds), if ever.
    pub last_modified: Option<i64>,
}

pub struct Loggers {
    handle: reload::Handle<EnvFilter, Registry>,
    state: Mutex<State>,
}

struct State {
    root: LoggerLevel,
    /// Loggers given a level of their own, at start or through the API.
    named: BTreeMap<String, LoggerLevel>,
}

static LOGGERS: OnceLock<Loggers> = OnceLock::new();

/// Installs the subscriber with `directives` (`RUST_LOG`'s syntax: `info,connectors=debug`).
pub fn init(directives: &str) {
    let directives = std::env::var("RUST_LOG").unwrap_or_else(|_| directives.to_owned());
    let state = parse(&directives);
    let filter = EnvFilter::try_new(render(&state)).unwrap_or_else(|_| EnvFilter::new("info"));
    let (filter, handle) = reload::Layer::new(filter);
    tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer().with_target(false))
        .init();
    let _ = LOGGERS.set(Loggers {
        handle,
        state: Mutex::new(state),
    });
}

/// The process's loggers, once `init` ran.
pub fn loggers() -> Option<&'static Loggers> {
    LOGGERS.get()
}

impl Loggers {
    /// Every logger with a level of its own, the known ones and `root`, by name.
    pub fn all(&self) -> BTreeMap<String, LoggerLevel> {
        let s = self.lock();
        let mut all: BTreeMap<String, LoggerLevel> = KNOWN
            .iter()
            .map(|k| ((*k).to_owned(), effective(&s, k)))
            .collect();
        all.extend(s.named.clone());
        all.insert("root".into(), s.root.clone());
        all
    }

    /// One logger's level: its own, or the one it inherits. `None` for a name that is
    /// neither set nor known.
    pub fn level(&self, name: &str) -> Option<LoggerLevel> {
        let s = self.lock();
        if name.eq_ignore_ascii_case("root") {
            return Some(s.root.clone());
        }
        let known = KNOWN
            .iter()
            .any(|k| is_within(k, name) || is_within(name, k));
        (known || s.named.contains_key(name)).then(|| effective(&s, name))
    }

    /// Sets `name` (and every named logger below it) to `level`; `root` sets every logger.
    /// Returns the loggers affected, sorted; an unknown level is refused.
    pub fn set(&self, name: &str, level: &str) -> Result<Vec<String>, LevelError> {
        let level = connect_level(level).ok_or_else(|| LevelError::Unknown(level.to_owned()))?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .ok();
        let set = LoggerLevel {
            level: level.to_owned(),
            last_modified: now,
        };
        let mut s = self.lock();
        let root = name.eq_ignore_ascii_case("root");
        let mut affected = Vec::new();
        for (n, l) in s.named.iter_mut() {
            if root || is_within(name, n) {
                *l = set.clone();
                affected.push(n.clone());
            }
        }
        if root {
            s.root = set;
            affected.push("root".into());
        } else if !s.named.contains_key(name) {
            s.named.insert(name.to_owned(), set);
            affected.push(name.to_owned());
        }
        affected.sort();
        let filter =
            EnvFilter::try_new(render(&s)).map_err(|e| LevelError::Filter(e.to_string()))?;
        self.handle
            .reload(filter)
            .map_err(|e| LevelError::Filter(e.to_string()))?;
        tracing::info!(logger = name, level, "log level changed");
        Ok(affected)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// `child` is `parent` or a target below it (`connectors::sink` within `connectors`).
fn is_within(parent: &str, child: &str) -> bool {
    child == parent || child.starts_with(&format!("{parent}::"))
}

/// The level `name` logs at: its own, its nearest named parent's, or root's.
fn effective(s: &State, name: &str) -> LoggerLevel {
    s.named
        .iter()
        .filter(|(n, _)| is_within(n, name))
        .max_by_key(|(n, _)| n.len())
        .map(|(_, l)| l.clone())
        .unwrap_or_else(|| s.root.clone())
}

/// Connect's (log4j's) level names, any case, to the name reported back; FATAL is ERROR and
/// ALL is TRACE in tracing.
fn connect_level(level: &str) -> Option<&'static str> {
    Some(match level.to_ascii_uppercase().as_str() {
        "OFF" => "OFF",
        "FATAL" | "ERROR" => "ERROR",
        "WARN" => "WARN",
        "INFO" => "INFO",
        "DEBUG" => "DEBUG",
        "TRACE" | "ALL" => "TRACE",
        _ => return None,
    })
}

/// `RUST_LOG`-style directives to levels by logger; directives that are not a plain
/// `target=level` (span filters) keep their place as text in the root's position.
fn parse(directives: &str) -> State {
    let mut state = State {
        root: LoggerLevel {
            level: "INFO".into(),
            last_modified: None,
        },
        named: BTreeMap::new(),
    };
    for d in directives
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        match d.split_once('=') {
            None => {
                if let Some(l) = connect_level(d) {
                    state.root.level = l.into();
                }
            }
            Some((target, level)) => {
                if let Some(l) = connect_level(level) {
                    state.named.insert(
                        target.to_owned(),
                        LoggerLevel {
                            level: l.into(),
                            last_modified: None,
                        },
                    );
                }
            }
        }
    }
    state
}

fn render(s: &State) -> String {
    let mut out = s.root.level.to_ascii_lowercase();
    for (name, l) in &s.named {
        out.push_str(&format!(",{name}={}", l.level.to_ascii_lowercase()));
    }
    out
}

/// Why a logger's level could not be set.
#[derive(Debug, thiserror::Error)]
pub enum LevelError {
    /// Not one of Connect's levels (Connect's own answer text).
    #[error("invalid log level '{0}'.")]
    Unknown(String),
    /// The filter could not be rebuilt or installed.
    #[error("cannot apply the log levels: {0}")]
    Filter(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_parse_to_levels_and_render_back() {
        let s = parse("warn,connectors=debug, diffusion_client=TRACE");
        assert_eq!(s.root.level, "WARN");
        assert_eq!(s.named["connectors"].level, "DEBUG");
        assert_eq!(render(&s), "warn,connectors=debug,diffusion_client=trace");
        assert_eq!(effective(&s, "connectors::sink").level, "DEBUG");
        assert_eq!(effective(&s, "diffusion_server").level, "WARN");
    }

    #[test]
    fn connect_level_names_in_any_case() {
        assert_eq!(connect_level("debug"), Some("DEBUG"));
        assert_eq!(connect_level("Fatal"), Some("ERROR"));
        assert_eq!(connect_level("ALL"), Some("TRACE"));
        assert_eq!(connect_level("nope"), None);
    }
}
