//! Server settings, and principals from a TOML file.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

/// Why a principals file could not be added to a [`ServerConfig`].
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read principals file {path}: {source}")]
    Read {
        /// The file's path, as given.
        path: String,
        /// The I/O error from reading it.
        source: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape, or a principal has an empty name.
    #[error("principals file {path} is not valid: {why}")]
    Parse {
        /// The file's path, as given.
        path: String,
        /// What the TOML parser or the validation found wrong.
        why: String,
    },
}

/// How an embedded server listens, whom it admits and how it treats sessions; `Default` listens on
/// 127.0.0.1:8080 with `admin`/`password`.
#[derive(Clone)]
pub struct ServerConfig {
    /// Address to listen on; port 0 picks a free port (see
    /// [`ServerHandle::local_addr`](crate::ServerHandle::local_addr)).
    pub listen: SocketAddr,
    /// Principal name to password. A locally installed Diffusion server has `admin` /
    /// `password`, and so does this one unless told otherwise.
    pub principals: HashMap<String, String>,
    /// How often the server pings each session; also sent to clients in the handshake.
    pub ping_period: Duration,
    /// Frames above this size close the session that sent them.
    pub max_message_size: u32,
    /// Messages queued for one session before it is judged too slow and closed, so that
    /// one stalled subscriber cannot grow the server's memory without bound.
    pub session_queue: usize,
    /// Serve `wss://` with this certificate chain and key (PEM files); plain `ws://`
    /// when `None`.
    pub tls: Option<TlsFiles>,
}

/// The PEM files of the certificate chain and private key a `wss://` server presents.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// PEM file of the server's certificate, followed by any intermediate certificates.
    pub cert_chain: std::path::PathBuf,
    /// PEM file of the private key for the first certificate of `cert_chain`.
    pub private_key: std::path::PathBuf,
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<_> = self.principals.keys().collect();
        names.sort();
        f.debug_struct("ServerConfig")
            .field("listen", &self.listen)
            .field("principals", &names)
            .field("ping_period", &self.ping_period)
            .field("max_message_size", &self.max_message_size)
            .field("session_queue", &self.session_queue)
            .field("tls", &self.tls)
            .finish()
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            principals: HashMap::from([("admin".to_owned(), "password".to_owned())]),
            ping_period: Duration::from_secs(90),
            max_message_size: 32 * 1024 * 1024,
            session_queue: 16 * 1024,
            tls: None,
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PrincipalsFile {
    principals: Vec<PrincipalEntry>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PrincipalEntry {
    name: String,
    password: String,
}

impl ServerConfig {
    /// Adds the principals of a TOML file:
    ///
    /// ```toml
    /// [[principals]]
    /// name = "control"
    /// password = "secret"
    /// ```
    pub fn add_principals_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        self.add_principals_toml(&text)
            .map_err(|why| ConfigError::Parse {
                path: path.display().to_string(),
                why,
            })
    }

    /// Adds the principals of a TOML text in the [`add_principals_file`](Self::add_principals_file)
    /// format; a name already present gets the new password.
    pub fn add_principals_toml(&mut self, text: &str) -> Result<(), String> {
        let file: PrincipalsFile = toml::from_str(text).map_err(|e| e.to_string())?;
        for p in file.principals {
            if p.name.is_empty() {
                return Err("a principal has an empty name".into());
            }
            self.principals.insert(p.name, p.password);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_from_toml() {
        let mut c = ServerConfig::default();
        c.add_principals_toml("[[principals]]\nname = \"ops\"\npassword = \"s3cret\"\n")
            .unwrap();
        assert_eq!(c.principals["ops"], "s3cret");
        assert_eq!(c.principals["admin"], "password");
        let e = c
            .add_principals_toml("[[principals]]\nname = \"x\"\n")
            .unwrap_err();
        assert!(e.contains("password"), "{e}");
        // Secrets never reach a debug log.
        assert!(!format!("{c:?}").contains("s3cret"));
    }
}
