//! Topic paths. Diffusion paths are `/`-separated parts; leading and trailing slashes are
//! not part of the path, and empty parts are not allowed.

/// Why a path is not a valid topic path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid topic path {path:?}: {why}")]
pub struct PathError {
    /// The path as given, before normalisation.
    pub path: String,
    /// What is wrong with it, as a clause ("it is empty").
    pub why: &'static str,
}

/// Normalises a path as the server does (strips the surrounding `/`) and validates it.
pub fn normalise(path: &str) -> Result<String, PathError> {
    let p = path.trim_matches('/');
    let err = |why| PathError {
        path: path.to_owned(),
        why,
    };
    if p.is_empty() {
        return Err(err("it is empty"));
    }
    if p.split('/').any(str::is_empty) {
        return Err(err("it has an empty part (`//`)"));
    }
    if p.chars().any(char::is_control) {
        return Err(err("it contains a control character"));
    }
    Ok(p.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_and_validates() {
        assert_eq!(normalise("/a/b/").unwrap(), "a/b");
        assert!(normalise("").is_err());
        assert!(normalise("a//b").is_err());
        assert!(normalise("a/\u{0}").is_err());
    }
}
