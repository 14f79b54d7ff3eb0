//! Kafka Connect's `Values.parseString`: the schema and value a literal's text gives
//! (InsertHeader's `value.literal`), ported from connect-api's `Values` (`Parser`,
//! `ValueParser`, `SchemaMerger`): the smallest integer type for a whole number, FLOAT32
//! for other numbers, `true`/`false` only in lower case, `null`, ISO dates, times and
//! timestamps (by length, parsed leniently in UTC), arrays and maps of embedded values
//! (quoted strings), and the whole text as a STRING for anything else. Tokens after a
//! top-level number are ignored (`1:2` is INT8 1).
//!
//! Not reproduced: numbers beyond 128-bit unscaled Decimals (Java's BigDecimal has no
//! bound); such a literal is kept as a STRING.

use connect_data::schema::{DATE, DECIMAL, TIME, TIMESTAMP};
use connect_data::{Schema, SchemaAndValue, SchemaType, Value};

use crate::date_format::DateFormat;

/// A Java value as `Values` builds it.
#[derive(Debug, Clone, PartialEq)]
enum J {
    Byte(i8),
    Short(i16),
    Int(i32),
    Long(i64),
    Float(f32),
    Double(f64),
    Decimal(i128, i32),
    Bool(bool),
    Str(String),
    List(Vec<Option<J>>),
    Map(Vec<(J, Option<J>)>),
    /// A `java.util.Date`: epoch milliseconds.
    Date(i64),
}

/// A `SchemaAndValue`; `None` is Java's null result.
type Parsed = Option<(Option<Schema>, Option<J>)>;

/// Kafka's `DataException` inside the parser (always caught: the text becomes a STRING).
struct Fail;

/// The literal's schema and value; a `null` literal has neither.
pub(crate) fn parse_string(text: &str) -> SchemaAndValue {
    if text.is_empty() {
        return sv(
            Some(Schema::new(SchemaType::String)),
            Value::String(String::new()),
        );
    }
    let mut p = ValueParser {
        p: Parser::new(text),
    };
    match p.parse(false) {
        Ok(Some((schema, v))) => {
            let value = v.map_or(Value::Null, |v| to_value(schema.as_ref(), v));
            sv(schema, value)
        }
        // A top-level parse never fails: arrays and maps fall back to a STRING.
        Ok(None) | Err(Fail) => sv(None, Value::Null),
    }
}

fn sv(schema: Option<Schema>, value: Value) -> SchemaAndValue {
    SchemaAndValue { schema, value }
}

/// The Connect value of a Java value under `schema` (what the JsonConverter writes).
fn to_value(schema: Option<&Schema>, v: J) -> Value {
    match v {
        J::Byte(n) => Value::Int8(n),
        J::Short(n) => Value::Int16(n),
        J::Int(n) => Value::Int32(n),
        J::Long(n) => Value::Int64(n),
        J::Float(f) => Value::Float32(f),
        J::Double(f) => Value::Float64(f),
        J::Decimal(unscaled, scale) => Value::Decimal { unscaled, scale },
        J::Bool(b) => Value::Boolean(b),
        J::Str(s) => Value::String(s),
        J::Date(ms) => match schema.and_then(|s| s.name.as_deref()) {
            Some(DATE) => Value::Int32(ms.div_euclid(86_400_000) as i32),
            Some(TIME) => Value::Int32(ms as i32),
            _ => Value::Int64(ms),
        },
        J::List(items) => {
            let items_schema = schema.and_then(|s| s.value_schema.as_deref());
            Value::Array(
                items
                    .into_iter()
                    .map(|x| x.map_or(Value::Null, |x| to_value(items_schema, x)))
                    .collect(),
            )
        }
        J::Map(entries) => {
            let ks = schema.and_then(|s| s.key_schema.as_deref());
            let vs = schema.and_then(|s| s.value_schema.as_deref());
            Value::Map(
                entries
                    .into_iter()
                    .map(|(k, x)| (to_value(ks, k), x.map_or(Value::Null, |x| to_value(vs, x))))
                    .collect(),
            )
        }
    }
}

fn logical(t: SchemaType, name: &str) -> Schema {
    let mut s = Schema::new(t).named(name);
    s.version = Some(1);
    s
}

/// Java's `String.trim()`.
fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

fn is_blank(s: &str) -> bool {
    trim(s).is_empty()
}

/// Connect's `Values.Parser`: tokens split at `" , : [ ] { }`, `\` escaping one.
struct Parser {
    original: Vec<char>,
    pos: usize,
    next_token: Option<String>,
    previous: Option<String>,
}

impl Parser {
    fn new(s: &str) -> Parser {
        Parser {
            original: s.chars().collect(),
            pos: 0,
            next_token: None,
            previous: None,
        }
    }

    fn original(&self) -> String {
        self.original.iter().collect()
    }

    fn mark(&self) -> usize {
        self.pos - self.next_token.as_ref().map_or(0, |t| t.chars().count())
    }

    fn rewind_to(&mut self, p: usize) {
        self.pos = p;
        self.next_token = None;
        self.previous = None;
    }

    fn can_consume_next_token(&self) -> bool {
        self.pos < self.original.len()
    }

    fn has_next(&self) -> bool {
        self.next_token.is_some() || self.can_consume_next_token()
    }

    fn next(&mut self) -> String {
        let t = match self.next_token.take() {
            Some(t) => t,
            None => self.consume_next_token(),
        };
        self.previous = Some(t.clone());
        t
    }

    fn next_n(&mut self, n: usize) -> Option<String> {
        let current = self.mark();
        for _ in 0..n {
            if !self.has_next() {
                self.rewind_to(current);
                return None;
            }
            self.next();
        }
        Some(self.original[current..self.pos].iter().collect())
    }

    fn consume_next_token(&mut self) -> String {
        let mut escaped = false;
        let start = self.pos;
        while self.can_consume_next_token() {
            match self.original[self.pos] {
                '\\' => escaped = !escaped,
                ':' | ',' | '{' | '}' | '[' | ']' | '"' => {
                    if !escaped {
                        if start < self.pos {
                            return self.original[start..self.pos].iter().collect();
                        }
                        self.pos += 1;
                        return self.original[start..start + 1].iter().collect();
                    }
                    escaped = false;
                }
                _ => escaped = false,
            }
            self.pos += 1;
        }
        self.original[start..self.pos].iter().collect()
    }

    fn can_consume(&mut self, expected: &str) -> bool {
        if self.is_next(expected) {
            self.next_token = None;
            return true;
        }
        false
    }

    fn is_next(&mut self, expected: &str) -> bool {
        if self.next_token.is_none() {
            if !self.has_next() {
                return false;
            }
            self.next_token = Some(self.consume_next_token());
        }
        while self.next_token.as_deref().is_some_and(is_blank) && self.can_consume_next_token() {
            self.next_token = Some(self.consume_next_token());
        }
        self.next_token.as_deref().map(trim) == Some(expected)
    }
}

/// Connect's `Values.ValueParser`.
struct ValueParser {
    p: Parser,
}

const TIME_FORMAT: &str = "HH:mm:ss.SSS'Z'";
const DATE_FORMAT: &str = "yyyy-MM-dd";
const TIMESTAMP_FORMAT: &str = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'";

impl ValueParser {
    fn can_parse_single_token_literal(&mut self, embedded: bool, literal: &str) -> bool {
        let start = self.p.mark();
        if self.p.can_consume(literal) && (embedded || !self.p.has_next()) {
            return true;
        }
        self.p.rewind_to(start);
        false
    }

    fn parse(&mut self, embedded: bool) -> Result<Parsed, Fail> {
        if !self.p.has_next() {
            return Ok(None);
        }
        if embedded && self.p.can_consume("\"") {
            return Ok(Some(self.parse_quoted_string()));
        }
        if self.can_parse_single_token_literal(embedded, "null") {
            return Ok(None);
        }
        let boolean = || Some(Schema::new(SchemaType::Boolean));
        if self.can_parse_single_token_literal(embedded, "true") {
            return Ok(Some((boolean(), Some(J::Bool(true)))));
        }
        if self.can_parse_single_token_literal(embedded, "false") {
            return Ok(Some((boolean(), Some(J::Bool(false)))));
        }
        let start = self.p.mark();
        let nested = if self.p.can_consume("[") {
            Some(self.parse_array())
        } else if self.p.can_consume("{") {
            Some(self.parse_map())
        } else {
            None
        };
        match nested {
            Some(Ok(r)) => return Ok(Some(r)),
            Some(Err(Fail)) => self.p.rewind_to(start),
            None => {}
        }
        let token = self.p.next();
        if is_blank(&token) {
            return Ok(Some((
                Some(Schema::new(SchemaType::String)),
                Some(J::Str(token)),
            )));
        }
        self.parse_next_token(embedded, trim(&token)).map(Some)
    }

    fn parse_next_token(
        &mut self,
        embedded: bool,
        token: &str,
    ) -> Result<(Option<Schema>, Option<J>), Fail> {
        let first = token.chars().next().unwrap_or(' ');
        let digit = first.is_ascii_digit();
        if digit {
            if let Some(t) = self.parse_multiple_tokens_as_temporal(token) {
                return Ok(t);
            }
        }
        if digit || first == '+' || first == '-' {
            if let Some(n) = parse_as_number(token) {
                return Ok(n);
            }
        }
        if embedded {
            return Err(Fail);
        }
        Ok((
            Some(Schema::new(SchemaType::String)),
            Some(J::Str(self.p.original())),
        ))
    }

    fn parse_quoted_string(&mut self) -> (Option<Schema>, Option<J>) {
        let mut content = String::new();
        while self.p.has_next() {
            if self.p.can_consume("\"") {
                break;
            }
            content.push_str(&self.p.next());
        }
        parse_as_temporal(&content)
            .unwrap_or((Some(Schema::new(SchemaType::String)), Some(J::Str(content))))
    }

    fn parse_array(&mut self) -> Result<(Option<Schema>, Option<J>), Fail> {
        let mut result = Vec::new();
        let mut merger = Merger::default();
        while self.p.has_next() {
            if self.p.can_consume("]") {
                return Ok(match merger.common {
                    Some(common) => {
                        let items = result
                            .into_iter()
                            .map(|v| convert_to(&common, v).map(Some))
                            .collect::<Result<Vec<_>, _>>()?;
                        (
                            Some(Schema::new(SchemaType::Array).items(common)),
                            Some(J::List(items)),
                        )
                    }
                    None => {
                        let mut s = Schema::new(SchemaType::Array);
                        s.value_schema = None;
                        (Some(s), Some(J::List(result)))
                    }
                });
            }
            if self.p.can_consume(",") {
                return Err(Fail);
            }
            let element = self.parse(true)?;
            merger.merge(&element);
            result.push(element.and_then(|(_, v)| v));
            let current = self.p.mark();
            if self.p.can_consume("]") {
                self.p.rewind_to(current);
            } else if !self.p.can_consume(",") {
                return Err(Fail);
            }
        }
        Err(Fail)
    }

    fn parse_map(&mut self) -> Result<(Option<Schema>, Option<J>), Fail> {
        let mut result: Vec<(J, Option<J>)> = Vec::new();
        let mut keys = Merger::default();
        let mut values = Merger::default();
        while self.p.has_next() {
            if self.p.can_consume("}") {
                let mut schema = Schema::new(SchemaType::Map);
                let entries = match (keys.common, values.common) {
                    (Some(ks), Some(vs)) => {
                        let e = result
                            .into_iter()
                            .map(|(k, v)| {
                                let k = convert_to(&ks, Some(k))?;
                                Ok((k, Some(convert_to(&vs, v)?)))
                            })
                            .collect::<Result<Vec<_>, Fail>>()?;
                        schema.key_schema = Some(Box::new(ks));
                        schema.value_schema = Some(Box::new(vs));
                        e
                    }
                    (Some(ks), None) => {
                        let e = result
                            .into_iter()
                            .map(|(k, v)| Ok((convert_to(&ks, Some(k))?, v)))
                            .collect::<Result<Vec<_>, Fail>>()?;
                        schema.key_schema = Some(Box::new(ks));
                        e
                    }
                    _ => result,
                };
                return Ok((Some(schema), Some(J::Map(dedup(entries)))));
            }
            if self.p.can_consume(",") {
                return Err(Fail);
            }
            let key = self.parse(true)?;
            let Some((ks, Some(k))) = key.clone() else {
                return Err(Fail);
            };
            if !self.p.can_consume(":") {
                return Err(Fail);
            }
            let value = self.parse(true)?;
            result.push((k, value.clone().and_then(|(_, v)| v)));
            self.p.can_consume(",");
            keys.merge(&Some((ks, None)));
            values.merge(&value);
        }
        Err(Fail)
    }

    fn parse_multiple_tokens_as_temporal(
        &mut self,
        token: &str,
    ) -> Option<(Option<Schema>, Option<J>)> {
        let position = self.p.mark();
        if let Some(rest) = self.p.next_n(4) {
            if let Some(t) = parse_as_temporal(&format!("{token}{rest}")) {
                return Some(t);
            }
        }
        self.p.rewind_to(position);
        parse_as_temporal(token)
    }
}

/// A `LinkedHashMap`: a repeated key keeps its place and takes the later value.
fn dedup(entries: Vec<(J, Option<J>)>) -> Vec<(J, Option<J>)> {
    let mut out: Vec<(J, Option<J>)> = Vec::new();
    for (k, v) in entries {
        match out.iter_mut().find(|(x, _)| *x == k) {
            Some(e) => e.1 = v,
            None => out.push((k, v)),
        }
    }
    out
}

fn parse_as_temporal(token: &str) -> Option<(Option<Schema>, Option<J>)> {
    let token = token.replace("\\:", ":");
    let (schema, pattern) = match token.chars().count() {
        13 => (logical(SchemaType::Int32, TIME), TIME_FORMAT),
        24 => (logical(SchemaType::Int64, TIMESTAMP), TIMESTAMP_FORMAT),
        10 => (logical(SchemaType::Int32, DATE), DATE_FORMAT),
        _ => return None,
    };
    let (ms, end) = DateFormat::parse(pattern).ok()?.parse_text(&token)?;
    (end != 0).then_some((Some(schema), Some(J::Date(ms))))
}

/// A Java `BigDecimal` read from text: digits, sign and scale; `None` where Java's
/// constructor throws `NumberFormatException` (or the number is beyond 128 bits).
fn big_decimal(s: &str) -> Option<(i128, i32)> {
    let (negative, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => {
            let e = &rest[i + 1..];
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (&rest[..i], e.parse::<i64>().ok()?)
        }
        None => (rest, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let digits = format!("{int}{frac}");
    let trimmed = digits.trim_start_matches('0');
    let unscaled: i128 = if trimmed.is_empty() {
        0
    } else {
        trimmed.parse().ok()?
    };
    let scale = i32::try_from(frac.len() as i64 - exponent).ok()?;
    Some((if negative { -unscaled } else { unscaled }, scale))
}

/// `ValueParser.parseAsNumber`; `None` is Java's `NumberFormatException`.
fn parse_as_number(token: &str) -> Option<(Option<Schema>, Option<J>)> {
    let (unscaled, scale) = big_decimal(token)?;
    if let Some(exact) = exact_integer(unscaled, scale) {
        return Some(exact);
    }
    // Java's BigDecimal.floatValue/doubleValue round correctly, as Rust's parsers do.
    let f: f32 = token.parse().ok()?;
    let d: f64 = token.parse().ok()?;
    if f.is_finite() && scale != 0 {
        return Some((Some(Schema::new(SchemaType::Float32)), Some(J::Float(f))));
    }
    if d.is_finite() && scale != 0 {
        return Some((Some(Schema::new(SchemaType::Float64)), Some(J::Double(d))));
    }
    let mut s = Schema::new(SchemaType::Bytes).named(DECIMAL);
    s.version = Some(1);
    s.parameters.insert("scale".into(), scale.to_string());
    Some((Some(s), Some(J::Decimal(unscaled, scale))))
}

/// `parseAsExactDecimal`: a whole number within a long, as the smallest integer type.
fn exact_integer(unscaled: i128, scale: i32) -> Option<(Option<Schema>, Option<J>)> {
    let integral: i128 = if scale <= 0 {
        if unscaled == 0 {
            0
        } else {
            let factor = 10i128.checked_pow(u32::try_from(-i64::from(scale)).ok()?)?;
            unscaled.checked_mul(factor)?
        }
    } else {
        let factor = match 10i128.checked_pow(scale as u32) {
            Some(f) => f,
            None if unscaled == 0 => return exact_integer(0, 0),
            None => return None,
        };
        if unscaled % factor != 0 {
            return None;
        }
        unscaled / factor
    };
    let n = i64::try_from(integral).ok()?;
    let (schema, v) = if let Ok(b) = i8::try_from(n) {
        (SchemaType::Int8, J::Byte(b))
    } else if let Ok(s) = i16::try_from(n) {
        (SchemaType::Int16, J::Short(s))
    } else if let Ok(i) = i32::try_from(n) {
        (SchemaType::Int32, J::Int(i))
    } else {
        (SchemaType::Int64, J::Long(n))
    };
    Some((Some(Schema::new(schema)), Some(v)))
}

/// `Values.SchemaMerger`: the common schema of the elements seen.
#[derive(Default)]
struct Merger {
    common: Option<Schema>,
    incompatible: bool,
}

impl Merger {
    fn merge(&mut self, latest: &Parsed) {
        let Some((Some(schema), _)) = latest else {
            return;
        };
        if self.incompatible {
            return;
        }
        self.common = match self.common.take() {
            None => Some(schema.clone()),
            Some(previous) => {
                let merged = merge_schemas(previous, schema.clone());
                self.incompatible = merged.is_none();
                merged
            }
        };
    }
}

fn rank(t: SchemaType) -> Option<u8> {
    use SchemaType as T;
    Some(match t {
        T::Int8 => 0,
        T::Int16 => 1,
        T::Int32 => 2,
        T::Int64 => 3,
        T::Float32 => 4,
        T::Float64 => 5,
        _ => return None,
    })
}

fn merge_schemas(previous: Schema, new: Schema) -> Option<Schema> {
    if previous.schema_type != new.schema_type {
        let (p, n) = (rank(previous.schema_type)?, rank(new.schema_type)?);
        return Some(if n > p { new } else { previous });
    }
    if previous.optional == new.optional {
        return Some(if previous.optional { previous } else { new });
    }
    (previous == new).then_some(previous)
}

/// `Values.convertTo(schema, null, value)` for the schemas a merger gives (all required).
fn convert_to(schema: &Schema, v: Option<J>) -> Result<J, Fail> {
    let v = v.ok_or(Fail)?;
    let long = |v: &J| -> Result<i64, Fail> {
        Ok(match v {
            J::Byte(n) => i64::from(*n),
            J::Short(n) => i64::from(*n),
            J::Int(n) => i64::from(*n),
            J::Long(n) => *n,
            J::Float(f) => *f as i64,
            J::Double(f) => *f as i64,
            J::Decimal(u, s) => exact_integer(*u, *s)
                .and_then(|(_, v)| match v {
                    Some(J::Long(n)) => Some(n),
                    Some(J::Int(n)) => Some(n.into()),
                    Some(J::Short(n)) => Some(n.into()),
                    Some(J::Byte(n)) => Some(n.into()),
                    _ => None,
                })
                .ok_or(Fail)?,
            _ => return Err(Fail),
        })
    };
    let double = |v: &J| -> Result<f64, Fail> {
        Ok(match v {
            J::Float(f) => f64::from(*f),
            J::Double(f) => *f,
            J::Decimal(u, s) => format!("{u}e{}", -i64::from(*s))
                .parse()
                .map_err(|_| Fail)?,
            other => long(other)? as f64,
        })
    };
    let name = schema.name.as_deref();
    Ok(match schema.schema_type {
        SchemaType::Int8 => match v {
            J::Byte(_) => v,
            other => J::Byte(long(&other)? as i8),
        },
        SchemaType::Int16 => match v {
            J::Short(_) => v,
            other => J::Short(long(&other)? as i16),
        },
        SchemaType::Int32 if name == Some(DATE) => match v {
            J::Date(_) => v,
            other => J::Date(i64::from(long(&other)? as i32) * 86_400_000),
        },
        SchemaType::Int32 if name == Some(TIME) => match v {
            J::Date(_) => v,
            other => J::Date(i64::from(long(&other)? as i32)),
        },
        SchemaType::Int32 => match v {
            J::Int(_) => v,
            other => J::Int(long(&other)? as i32),
        },
        SchemaType::Int64 if name == Some(TIMESTAMP) => match v {
            J::Date(_) => v,
            other => J::Date(long(&other)?),
        },
        SchemaType::Int64 => match v {
            J::Long(_) => v,
            other => J::Long(long(&other)?),
        },
        SchemaType::Float32 => match v {
            J::Float(_) => v,
            other => J::Float(double(&other)? as f32),
        },
        SchemaType::Float64 => match v {
            J::Double(_) => v,
            other => J::Double(double(&other)?),
        },
        SchemaType::Array => match v {
            J::List(_) => v,
            _ => return Err(Fail),
        },
        SchemaType::Map => match v {
            J::Map(_) => v,
            _ => return Err(Fail),
        },
        // Strings, booleans and Decimals merge only with their own kind.
        _ => v,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The schema (as JsonConverter writes it) and value a literal gives.
    fn p(s: &str) -> (serde_json::Value, Value) {
        let sv = parse_string(s);
        (
            sv.schema.map_or(serde_json::Value::Null, |s| s.to_json()),
            sv.value,
        )
    }

    fn ty(t: &str) -> serde_json::Value {
        json!({"type": t, "optional": false})
    }

    #[test]
    fn scalars_take_the_smallest_type() {
        assert_eq!(p("42"), (ty("int8"), Value::Int8(42)));
        assert_eq!(p("-128"), (ty("int8"), Value::Int8(-128)));
        assert_eq!(p("1000"), (ty("int16"), Value::Int16(1000)));
        assert_eq!(p("100000"), (ty("int32"), Value::Int32(100_000)));
        assert_eq!(
            p("10000000000"),
            (ty("int64"), Value::Int64(10_000_000_000))
        );
        assert_eq!(p("1.0"), (ty("int8"), Value::Int8(1)));
        assert_eq!(p("1e3"), (ty("int16"), Value::Int16(1000)));
        assert_eq!(p("+5"), (ty("int8"), Value::Int8(5)));
        assert_eq!(p("0.1"), (ty("float"), Value::Float32(0.1)));
        assert_eq!(p("1.5"), (ty("float"), Value::Float32(1.5)));
        assert_eq!(p("1e20"), (ty("float"), Value::Float32(1e20)));
        assert_eq!(p("1e300"), (ty("double"), Value::Float64(1e300)));
        let (s, v) = p("99999999999999999999");
        assert_eq!(s["name"], json!(DECIMAL));
        assert_eq!(
            v,
            Value::Decimal {
                unscaled: 99_999_999_999_999_999_999,
                scale: 0
            }
        );
        assert_eq!(p("1:2"), (ty("int8"), Value::Int8(1)));
        assert_eq!(p("1,2"), (ty("int8"), Value::Int8(1)));
    }

    #[test]
    fn words_booleans_and_null() {
        assert_eq!(p("true"), (ty("boolean"), Value::Boolean(true)));
        assert_eq!(p("false"), (ty("boolean"), Value::Boolean(false)));
        assert_eq!(p("TRUE"), (ty("string"), Value::String("TRUE".into())));
        assert_eq!(p("true}"), (ty("string"), Value::String("true}".into())));
        assert_eq!(p("null"), (serde_json::Value::Null, Value::Null));
        assert_eq!(p(""), (ty("string"), Value::String(String::new())));
        assert_eq!(
            p("hello world"),
            (ty("string"), Value::String("hello world".into()))
        );
        assert_eq!(
            p("abc,def"),
            (ty("string"), Value::String("abc,def".into()))
        );
        assert_eq!(
            p("\"quoted\""),
            (ty("string"), Value::String("\"quoted\"".into()))
        );
        assert_eq!(p("{a:1}"), (ty("string"), Value::String("{a:1}".into())));
        assert_eq!(p("1a"), (ty("string"), Value::String("1a".into())));
    }

    #[test]
    fn temporals_by_length() {
        let named =
            |t: &str, n: &str| json!({"type": t, "optional": false, "name": n, "version": 1});
        assert_eq!(
            p("2024-01-02"),
            (named("int32", DATE), Value::Int32(19_724))
        );
        assert_eq!(
            p("12:34:56.789Z"),
            (named("int32", TIME), Value::Int32(45_296_789))
        );
        assert_eq!(
            p("2024-01-02T03:04:05.678Z"),
            (named("int64", TIMESTAMP), Value::Int64(1_704_164_645_678))
        );
    }

    #[test]
    fn arrays_and_maps() {
        let (s, v) = p("[1,2,300]");
        assert_eq!(
            s,
            json!({"type": "array", "items": ty("int16"), "optional": false})
        );
        assert_eq!(
            v,
            Value::Array(vec![Value::Int16(1), Value::Int16(2), Value::Int16(300)])
        );
        let (s, v) = p("[1,\"x\"]");
        assert_eq!(
            s,
            json!({"type": "array", "items": null, "optional": false})
        );
        assert_eq!(
            v,
            Value::Array(vec![Value::Int8(1), Value::String("x".into())])
        );
        assert_eq!(p("[1, x]").1, Value::String("[1, x]".into()));
        assert_eq!(p("[1,,2]").1, Value::String("[1,,2]".into()));
        assert_eq!(p("[1, null]").1, Value::String("[1, null]".into()));
        assert_eq!(
            p("[1.5, 2]").1,
            Value::Array(vec![Value::Float32(1.5), Value::Float32(2.0)])
        );
        let (s, v) = p("{\"a\":1,\"b\":2}");
        assert_eq!(
            s,
            json!({"type": "map", "keys": ty("string"), "values": ty("int8"), "optional": false})
        );
        assert_eq!(
            v,
            Value::Map(vec![
                (Value::String("a".into()), Value::Int8(1)),
                (Value::String("b".into()), Value::Int8(2))
            ])
        );
    }
}
