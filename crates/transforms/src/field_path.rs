//! Field access as Kafka's transforms do it: `SingleFieldPath` (a top-level name in
//! `field.syntax.version=V1`; dotted steps with backtick quoting in `V2`), and a struct
//! field's value with or without its schema default (`replace.null.with.default`).

use connect_data::builtin::value_from_json;
use connect_data::{Schema, Value};

/// The steps of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldPath {
    /// The config text, which some transforms use as a name.
    pub(crate) text: String,
    pub(crate) steps: Vec<String>,
}

impl FieldPath {
    /// `V1`: the whole text is one name, dots included.
    pub(crate) fn v1(text: &str) -> FieldPath {
        FieldPath {
            text: text.to_owned(),
            steps: vec![text.to_owned()],
        }
    }

    /// `V2`: steps separated by `.`; a step in backticks may hold dots; `` \` `` before a
    /// closing backtick escapes it. The error is Kafka's.
    pub(crate) fn v2(text: &str) -> Result<FieldPath, String> {
        let chars: Vec<char> = text.chars().collect();
        let mut steps = Vec::new();
        let mut i = 0;
        let incomplete = |b: usize| {
            format!("Incomplete backtick pair in path: [{text}], consider adding a backslash before backtick at position {b} to escape it")
        };
        while i < chars.len() {
            if chars[i] != '`' {
                let end = chars[i..].iter().position(|&c| c == '.').map(|p| i + p);
                match end {
                    Some(e) => {
                        steps.push(chars[i..e].iter().collect());
                        i = e + 1;
                    }
                    None => {
                        steps.push(chars[i..].iter().collect());
                        i = chars.len();
                    }
                }
                continue;
            }
            let b = i;
            let mut name = String::new();
            let mut j = i + 1;
            loop {
                let Some(close) = chars[j..].iter().position(|&c| c == '`').map(|p| j + p) else {
                    return Err(incomplete(b));
                };
                let escaped = close > 0 && chars[close - 1] == '\\';
                if close == chars.len() - 1 {
                    if escaped {
                        return Err(incomplete(b));
                    }
                    name.extend(&chars[j..close]);
                    steps.push(name);
                    return Ok(FieldPath {
                        text: text.to_owned(),
                        steps,
                    });
                }
                if chars[close + 1] != '.' {
                    name.extend(&chars[j..=close]);
                    j = close + 1;
                    continue;
                }
                if escaped {
                    name.extend(&chars[j..close - 1]);
                    name.push('`');
                    j = close + 1;
                    continue;
                }
                name.extend(&chars[j..close]);
                steps.push(std::mem::take(&mut name));
                i = close + 2;
                break;
            }
        }
        if !text.is_empty() && text.ends_with('.') {
            steps.push(String::new());
        }
        Ok(FieldPath {
            text: text.to_owned(),
            steps,
        })
    }
}

/// A struct field's value: with `defaults`, a null field with a schema default reads as
/// the default (Kafka's `Struct.get`), else as it is (`getWithoutDefault`).
pub(crate) fn struct_field(
    schema: &Schema,
    fields: &[(String, Value)],
    name: &str,
    defaults: bool,
) -> Value {
    let v = fields
        .iter()
        .find(|(n, _)| n == name)
        .map_or(Value::Null, |(_, v)| v.clone());
    if !defaults || !matches!(v, Value::Null) {
        return v;
    }
    let Some(f) = schema.fields.iter().find(|f| f.name == name) else {
        return v;
    };
    match &f.schema.default {
        Some(d) => value_from_json(&f.schema, d.clone()).unwrap_or(Value::Null),
        None => v,
    }
}

impl FieldPath {
    /// The value at this path in a schemaless map: a null or missing step gives null; a
    /// step through anything but a map is Kafka's error.
    pub(crate) fn in_map(
        &self,
        map: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<serde_json::Value, crate::error::Failure> {
        let (last, inner) = self
            .steps
            .split_last()
            .ok_or_else(|| crate::error::Failure {
                exception: crate::error::INDEX_OUT_OF_BOUNDS,
                message: "Index 0 out of bounds for length 0".into(),
            })?;
        let mut at = map;
        for step in inner {
            match at.get(step) {
                Some(serde_json::Value::Object(m)) => at = m,
                None | Some(serde_json::Value::Null) => return Ok(serde_json::Value::Null),
                Some(other) => {
                    return Err(crate::error::Failure::data(format!(
                        "Only Map objects supported in absence of schema for [nested field access], found: {}",
                        crate::side::java_class(&Value::Json(other.clone()))
                    )))
                }
            }
        }
        Ok(at.get(last).cloned().unwrap_or(serde_json::Value::Null))
    }

    /// The schema of the field at this path; `None` if a step is not a field.
    pub(crate) fn schema_in<'s>(&self, schema: &'s Schema) -> Option<&'s Schema> {
        let mut at = schema;
        for step in &self.steps {
            at = &at.fields.iter().find(|f| &f.name == step)?.schema;
        }
        Some(at)
    }

    /// The value at this path in a struct of `schema`; a null step gives null.
    pub(crate) fn in_struct(
        &self,
        schema: &Schema,
        fields: &[(String, Value)],
        defaults: bool,
    ) -> Value {
        let Some((last, inner)) = self.steps.split_last() else {
            return Value::Null;
        };
        let (mut s, mut f) = (schema, fields.to_vec());
        for step in inner {
            let v = struct_field(s, &f, step, defaults);
            let (Value::Struct(next), Some(sub)) = (v, s.fields.iter().find(|x| &x.name == step))
            else {
                return Value::Null;
            };
            s = &sub.schema;
            f = next;
        }
        struct_field(s, &f, last, defaults)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(p: &str) -> Result<Vec<String>, String> {
        FieldPath::v2(p).map(|p| p.steps)
    }

    #[test]
    fn v2_paths_split_as_kafkas() {
        let ok = |p: &str, want: &[&str]| assert_eq!(steps(p).unwrap(), want, "{p}");
        ok("a.b", &["a", "b"]);
        ok("`a.b`.c", &["a.b", "c"]);
        ok("a.`b.c`", &["a", "b.c"]);
        ok("a..b", &["a", "", "b"]);
        ok("a.", &["a", ""]);
        ok(".a", &["", "a"]);
        ok("``", &[""]);
        ok("`a\\`.b`.c", &["a`.b", "c"]);
        ok("`a`b`.c", &["a`b", "c"]);
        ok("a`.b", &["a`", "b"]);
        ok("\\`a.b", &["\\`a", "b"]);
        ok("`a\\``", &["a\\`"]);
        assert!(steps("`a.b").unwrap_err().contains("position 0"));
        assert!(steps("`a\\`").is_err());
        assert!(steps("`ab`c.d").is_err());
        assert!(steps("").unwrap().is_empty());
    }
}
