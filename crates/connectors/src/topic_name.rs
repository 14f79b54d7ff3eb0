//! `kafka.topic`: the Kafka topic a source record goes to, from a pattern whose only token
//! is `${topic}` (the Diffusion topic path).
//!
//! The seed README says invalid characters become `_`; the Java connector's code replaced
//! only `/`, so a path such as `a b/c:d` gave a name Kafka refuses. Here every character
//! outside Kafka's legal set `[A-Za-z0-9._-]` becomes `_`.
//!
//! Any other `${...}` (`${key}`, `${foo.bar}`) is not a token of a source pattern: as in the
//! Java connector it stays in the name as text, exactly where Java keeps it (with `/` made
//! `_`), and the config is accepted with a warning ([`TopicNamePattern::warnings`]). Kafka
//! refuses `$`, `{` and `}` in topic names, so each record for such a name fails, saying
//! why (it takes the error path of `errors.tolerance`), instead of reaching Kafka. So does
//! a name that is otherwise not legal: longer than 249 characters, or `.` or `..`.

const TOKEN: &str = "${topic}";
const MAX_LEN: usize = 249;

/// A parsed `kafka.topic`: the source's Kafka topic name for each Diffusion topic path,
/// with `${topic}` the only token. A pattern without it names one fixed topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicNamePattern {
    /// The literal text around each `${topic}`, made a legal name once.
    pieces: Vec<String>,
    /// `${...}` texts that are not `${topic}`, kept as they are.
    unknown: Vec<String>,
}

impl TopicNamePattern {
    /// Parses a pattern; only an empty one is refused (see [`warnings`](Self::warnings)).
    pub fn parse(text: &str) -> Result<TopicNamePattern, String> {
        if text.trim().is_empty() {
            return Err("the pattern is empty".into());
        }
        let pieces: Vec<String> = text.split(TOKEN).map(piece).collect();
        let unknown = text
            .split(TOKEN)
            .flat_map(crate::pattern::unknown_tokens)
            .collect();
        Ok(TopicNamePattern { pieces, unknown })
    }

    fn has_token(&self) -> bool {
        self.pieces.len() > 1
    }

    /// What the connector should be told at startup: `${...}` texts that stay in every
    /// name, and a fixed name Kafka refuses. Empty for a pattern that works.
    pub fn warnings(&self) -> Vec<String> {
        let mut w: Vec<String> = self
            .unknown
            .iter()
            .map(|t| {
                format!(
                    "{t} is not a token (a source pattern has only ${{topic}}, the Diffusion topic path); \
                     it stays in the Kafka topic name as text, as in the Java connector"
                )
            })
            .collect();
        if !self.has_token() {
            if let Err(e) = check_made(&self.pieces[0], &self.unknown) {
                w.push(format!("every record will fail: {e}"));
            }
        }
        w
    }

    /// The name for a Diffusion topic path, as the Java connector would give it for a
    /// pattern of tokens and slashes (other characters Kafka refuses made `_`), legal or
    /// not.
    pub fn name(&self, path: &str) -> String {
        if !self.has_token() {
            return self.pieces[0].clone();
        }
        self.pieces.join(&sanitise(path))
    }

    /// The Kafka topic for a Diffusion topic path, or why Kafka would refuse its name.
    pub fn resolve(&self, path: &str) -> Result<String, String> {
        let name = self.name(path);
        check_made(&name, &self.unknown)?;
        Ok(name)
    }
}

/// Whether Kafka takes `name` as a topic name: Kafka's own rules (1 to 249 characters of
/// `A-Z a-z 0-9 . _ -`, not `.` or `..`), the one check of every topic name a config gives.
pub fn check(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("an empty name is not a Kafka topic name".into());
    }
    if name.len() > MAX_LEN {
        let head: String = name.chars().take(40).collect();
        return Err(format!(
            "Kafka topic name {head}… is {} characters; Kafka allows at most {MAX_LEN}",
            name.len()
        ));
    }
    if name == "." || name == ".." {
        return Err(format!("{name:?} is not a legal Kafka topic name"));
    }
    let mut bad: Vec<char> = name.chars().filter(|c| !legal(*c)).collect();
    if !bad.is_empty() {
        bad.sort_unstable();
        bad.dedup();
        let bad: Vec<String> = bad.iter().map(|c| format!("{c:?}")).collect();
        return Err(format!(
            "Kafka refuses the topic name {name:?}: {} not allowed (only A-Z, a-z, 0-9, '.', '_' and '-')",
            bad.join(", "),
        ));
    }
    Ok(())
}

/// `check` of a name the pattern made; the error names the unknown tokens that put
/// characters Kafka refuses in it.
fn check_made(name: &str, unknown: &[String]) -> Result<(), String> {
    check(name).map_err(|e| {
        if unknown.is_empty() {
            e
        } else {
            format!(
                "{e}; kafka.topic keeps {} as text, as the Java connector did",
                unknown.join(", ")
            )
        }
    })
}

fn legal(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// Literal pattern text: `${...}` spans kept as text with `/` made `_` (the Java
/// connector's name), everything else made legal.
fn piece(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    for token in crate::pattern::unknown_tokens(text) {
        let at = rest.find(&token).expect("found in this text");
        out.push_str(&sanitise(&rest[..at]));
        out.push_str(&token.replace('/', "_"));
        rest = &rest[at + token.len()..];
    }
    out.push_str(&sanitise(rest));
    out
}

/// Every character outside `[A-Za-z0-9._-]` becomes `_`.
pub fn sanitise(s: &str) -> String {
    s.chars().map(|c| if legal(c) { c } else { '_' }).collect()
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
    fn unknown_tokens_stay_as_text_and_fail_each_record_clearly() {
        let p = TopicNamePattern::parse("k/${key}/${topic}").unwrap();
        assert_eq!(p.name("a/b"), "k_${key}_a_b");
        let e = p.resolve("a/b").unwrap_err();
        assert!(
            e.contains("\"k_${key}_a_b\"") && e.contains("'$'") && e.contains("keeps ${key}"),
            "{e}"
        );
        assert_eq!(p.warnings().len(), 1);
        assert!(p.warnings()[0].contains("${key}"));
        // A '/' inside an unknown token becomes '_', as Java's replace makes it.
        assert_eq!(
            TopicNamePattern::parse("${a/b}").unwrap().name("x"),
            "${a_b}"
        );
        assert_eq!(
            TopicNamePattern::parse("x ${oops").unwrap().name("x"),
            "x_${oops"
        );
        assert!(TopicNamePattern::parse("${topic}")
            .unwrap()
            .warnings()
            .is_empty());
    }

    #[test]
    fn illegal_names_fail_clearly() {
        let long = "a/".repeat(200);
        let e = resolve("${topic}", &long).unwrap_err();
        assert!(e.contains("400 characters") && e.contains("249"), "{e}");
        assert!(resolve("${topic}", "..").is_err());
        assert!(TopicNamePattern::parse(" ").is_err());
        // A fixed name Kafka refuses: accepted (as Java accepts it), with a warning.
        let dots = TopicNamePattern::parse("..").unwrap();
        assert!(dots.warnings()[0].contains("every record will fail"));
        assert!(dots.resolve("x").is_err());
    }
}
