//! `kafka.topic`: the Kafka topic a source record goes to, from a pattern whose only token
//! is `${topic}` (the Diffusion topic path).
//!
//! The seed README says invalid characters become `_`; the Java connector's code replaced
//! only `/`, so a path such as `a b/c:d` gave a name Kafka refuses. Here every character
//! outside Kafka's legal set `[A-Za-z0-9._-]` becomes `_`, and a name that is still not
//! legal (longer than 249 characters, or `.`/`..`) fails that record, saying why.

const TOKEN: &str = "${topic}";
const MAX_LEN: usize = 249;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicNamePattern {
    /// The literal text around each `${topic}`, sanitised once.
    pieces: Vec<String>,
}

impl TopicNamePattern {
    pub fn parse(text: &str) -> Result<TopicNamePattern, String> {
        if text.trim().is_empty() {
            return Err("the pattern is empty".into());
        }
        let pieces: Vec<String> = text.split(TOKEN).map(sanitise).collect();
        let others = text.replace(TOKEN, "");
        if let Some(start) = others.find("${") {
            let rest = &others[start..];
            let end = rest.find('}').map_or(rest.len(), |e| e + 1);
            return Err(format!(
                "unknown token {} (a source pattern has only ${{topic}}, the Diffusion topic path)",
                &rest[..end]
            ));
        }
        let p = TopicNamePattern { pieces };
        if !p.has_token() {
            p.check(&p.pieces[0])?;
        }
        Ok(p)
    }

    fn has_token(&self) -> bool {
        self.pieces.len() > 1
    }

    /// The Kafka topic for a Diffusion topic path.
    pub fn resolve(&self, path: &str) -> Result<String, String> {
        if !self.has_token() {
            return Ok(self.pieces[0].clone());
        }
        let path = sanitise(path);
        let name = self.pieces.join(&path);
        self.check(&name)?;
        Ok(name)
    }

    fn check(&self, name: &str) -> Result<(), String> {
        if name.len() > MAX_LEN {
            return Err(format!(
                "Kafka topic name {}… is {} characters; Kafka allows at most {MAX_LEN}",
                &name[..40],
                name.len()
            ));
        }
        if name == "." || name == ".." {
            return Err(format!("{name:?} is not a legal Kafka topic name"));
        }
        Ok(())
    }
}

/// Every character outside `[A-Za-z0-9._-]` becomes `_`.
fn sanitise(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(pattern: &str, path: &str) -> Result<String, String> {
        TopicNamePattern::parse(pattern)?.resolve(path)
    }

    #[test]
    fn the_seed_examples_table() {
        assert_eq!(resolve("foo", "foo/bar").unwrap(), "foo");
        assert_eq!(resolve("${topic}", "foo/bar").unwrap(), "foo_bar");
        assert_eq!(
            resolve("diffusion_${topic}", "foo/bar").unwrap(),
            "diffusion_foo_bar"
        );
        // The seed's sample config.
        assert_eq!(
            resolve("diffusion.price", "source/kafka/price").unwrap(),
            "diffusion.price"
        );
    }

    #[test]
    fn every_illegal_character_becomes_an_underscore() {
        assert_eq!(resolve("${topic}", "a b/c:d/é").unwrap(), "a_b_c_d__");
        assert_eq!(resolve("x-${topic}-${topic}", "p/q").unwrap(), "x-p_q-p_q");
        assert_eq!(resolve("prices/${topic}", "eu").unwrap(), "prices_eu");
    }

    #[test]
    fn illegal_names_and_patterns_fail_clearly() {
        let long = "a/".repeat(200);
        let e = resolve("${topic}", &long).unwrap_err();
        assert!(e.contains("400 characters") && e.contains("249"), "{e}");
        assert!(resolve("${topic}", "..").is_err());
        let e = TopicNamePattern::parse("k_${key}").unwrap_err();
        assert!(e.contains("${key}"), "{e}");
        assert!(TopicNamePattern::parse(" ").is_err());
        assert!(TopicNamePattern::parse("..").is_err());
    }
}
