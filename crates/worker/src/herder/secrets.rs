//! Secrets in connector configs as the API shows them: masked (`config::MASK`), unless the
//! value is a config provider reference, and kept when a masked config is sent back.

use std::collections::BTreeMap;

use connectors::config::{is_sensitive, MASK};

/// Secrets masked, unless the value is a config provider reference (which is no secret).
pub fn masked(config: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    config
        .iter()
        .map(|(k, v)| {
            let shown = if is_sensitive(k) && !v.trim_start().starts_with("${") {
                MASK.to_owned()
            } else {
                v.clone()
            };
            (k.clone(), shown)
        })
        .collect()
}

/// A config read back from the API and sent again carries the mask: keep the secret.
pub(super) fn keep_masked_secrets(
    new: &mut BTreeMap<String, String>,
    old: &BTreeMap<String, String>,
) {
    for (k, v) in new.iter_mut() {
        if v == MASK && is_sensitive(k) {
            if let Some(secret) = old.get(k) {
                v.clone_from(secret);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_unless_references_and_survive_a_round_trip() {
        let config: BTreeMap<String, String> = [
            ("diffusion.password".to_owned(), "s3cret".to_owned()),
            ("ssl.key.password".to_owned(), "${env:KEY_PW}".to_owned()),
            ("diffusion.url".to_owned(), "ws://x".to_owned()),
        ]
        .into();
        let shown = masked(&config);
        assert_eq!(shown["diffusion.password"], MASK);
        assert_eq!(shown["ssl.key.password"], "${env:KEY_PW}");
        assert_eq!(shown["diffusion.url"], "ws://x");
        let mut back = shown.clone();
        keep_masked_secrets(&mut back, &config);
        assert_eq!(back, config);
    }
}
