//! Java `.properties` files (worker properties, connector properties) and Kafka Connect's
//! config providers: `${env:VAR}` and `${file:/path/to/file.properties:key}` in any value,
//! so that secrets can stay out of the config files.

use std::collections::BTreeMap;
use std::path::Path;

use connectors::ConfigError;

use crate::error::FileError;

/// Reads a Java `.properties` file.
pub fn load(path: &Path) -> Result<BTreeMap<String, String>, FileError> {
    let f = std::fs::File::open(path).map_err(|source| FileError::Read {
        path: path.to_owned(),
        source,
    })?;
    let map =
        java_properties::read(std::io::BufReader::new(f)).map_err(|e| FileError::Invalid {
            path: path.to_owned(),
            what: "properties file",
            reason: e.to_string(),
        })?;
    Ok(map.into_iter().collect())
}

/// Replaces every provider reference in every value; an unresolvable one is an error
/// naming the key (never the value, which may be meant to be secret).
pub fn resolve_providers(props: &mut BTreeMap<String, String>) -> Result<(), ConfigError> {
    for (key, value) in props.iter_mut() {
        if value.contains("${env:") || value.contains("${file:") {
            *value = resolve(value).map_err(|message| ConfigError {
                key: key.clone(),
                message,
            })?;
        }
    }
    Ok(())
}

fn resolve(value: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let reference = &rest[start + 2..start + end];
        match reference.split_once(':') {
            Some(("env", var)) => out.push_str(
                &std::env::var(var)
                    .map_err(|_| format!("environment variable {var} is not set"))?,
            ),
            Some(("file", spec)) => {
                let (path, key) = spec
                    .rsplit_once(':')
                    .ok_or_else(|| format!("${{file:{spec}}} needs the form ${{file:PATH:KEY}}"))?;
                let props = load(Path::new(path)).map_err(|e| e.to_string())?;
                out.push_str(
                    props
                        .get(key)
                        .ok_or_else(|| format!("{path} has no key {key}"))?,
                );
            }
            // Not a provider reference (e.g. a destination pattern's ${topic}): keep it.
            _ => out.push_str(&rest[start..start + end + 1]),
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_resolve_and_patterns_stay() {
        std::env::set_var("DKC_TEST_SECRET", "s3cret");
        let dir = std::env::temp_dir().join(format!("dkc-props-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("secrets.properties");
        std::fs::write(&file, "diffusion.password=from-file\n").unwrap();
        let mut props: BTreeMap<String, String> = [
            ("a".to_owned(), "${env:DKC_TEST_SECRET}".to_owned()),
            (
                "b".to_owned(),
                format!("${{file:{}:diffusion.password}}", file.display()),
            ),
            (
                "diffusion.destination".to_owned(),
                "kafka/${topic}/${key}".to_owned(),
            ),
        ]
        .into();
        resolve_providers(&mut props).unwrap();
        assert_eq!(props["a"], "s3cret");
        assert_eq!(props["b"], "from-file");
        assert_eq!(props["diffusion.destination"], "kafka/${topic}/${key}");
        let mut bad: BTreeMap<String, String> =
            [("k".to_owned(), "${env:DKC_UNSET_VAR_X}".to_owned())].into();
        let e = resolve_providers(&mut bad).unwrap_err();
        assert_eq!(e.key, "k");
        assert!(e.message.contains("DKC_UNSET_VAR_X"), "{e}");
    }
}
