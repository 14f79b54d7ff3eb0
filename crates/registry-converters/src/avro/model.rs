//! The Avro schema as a typed tree read from its JSON text, keeping every custom property
//! (`connect.*`, `logicalType`, `scale`, ...) on the node that carries it: apache-avro's
//! `Schema` drops the custom properties of primitive types, which Confluent's mapping
//! depends on. Named types (record, enum, fixed) live in one table and are referred to by
//! index, so recursive schemas can be represented (and refused where Connect cannot).

use serde_json::{Map, Value as J};

use super::error::{AvroError, Path};

/// JSON properties of a node that are not part of its Avro definition.
pub(crate) type Props = Map<String, J>;

/// One Avro type at one place in the schema.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub kind: Kind,
    /// Custom properties of a primitive, array or map; a named type's are on [`Named`].
    pub props: Props,
}

/// The Avro type of a node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Array(Box<Node>),
    Map(Box<Node>),
    Union(Vec<Node>),
    /// A record, enum or fixed: an index into [`Model::named`].
    Named(usize),
}

/// A record, enum or fixed definition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Named {
    /// `namespace.name`, or just `name` without a namespace.
    pub full_name: String,
    pub doc: Option<String>,
    pub props: Props,
    pub def: NamedDef,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NamedDef {
    Record(Vec<RecordField>),
    Enum {
        symbols: Vec<String>,
        default: Option<String>,
    },
    Fixed(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RecordField {
    pub name: String,
    pub doc: Option<String>,
    pub default: Option<J>,
    pub props: Props,
    pub node: Node,
}

/// A parsed Avro schema: its root node and the named types it defines.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Model {
    pub root: Node,
    pub named: Vec<Named>,
}

impl Named {
    /// The simple name (after the last dot).
    pub fn simple_name(&self) -> &str {
        self.full_name.rsplit('.').next().unwrap_or(&self.full_name)
    }
    pub fn kind_name(&self) -> &'static str {
        match self.def {
            NamedDef::Record(_) => "record",
            NamedDef::Enum { .. } => "enum",
            NamedDef::Fixed(_) => "fixed",
        }
    }
}

impl Node {
    pub fn new(kind: Kind) -> Node {
        Node {
            kind,
            props: Props::new(),
        }
    }

    /// Whether this is the `null` type.
    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }
}

/// Avro's primitive type names.
fn primitive(name: &str) -> Option<Kind> {
    Some(match name {
        "null" => Kind::Null,
        "boolean" => Kind::Boolean,
        "int" => Kind::Int,
        "long" => Kind::Long,
        "float" => Kind::Float,
        "double" => Kind::Double,
        "bytes" => Kind::Bytes,
        "string" => Kind::String,
        _ => return None,
    })
}

impl Model {
    /// Reads an Avro schema from its JSON.
    pub fn parse(j: &J) -> Result<Model, AvroError> {
        let mut m = Model {
            root: Node::new(Kind::Null),
            named: Vec::new(),
        };
        m.root = m.node(j, "", &Path::root())?;
        Ok(m)
    }

    /// The named type `full_name`, if defined.
    pub fn find(&self, full_name: &str) -> Option<usize> {
        self.named.iter().position(|n| n.full_name == full_name)
    }

    fn reference(&self, name: &str, ns: &str, path: &Path) -> Result<Node, AvroError> {
        let candidates = if name.contains('.') || ns.is_empty() {
            vec![name.to_owned()]
        } else {
            vec![format!("{ns}.{name}"), name.to_owned()]
        };
        candidates
            .iter()
            .find_map(|c| self.find(c))
            .map(|i| Node::new(Kind::Named(i)))
            .ok_or_else(|| path.invalid(format!("unknown type {name:?}")))
    }

    fn node(&mut self, j: &J, ns: &str, path: &Path) -> Result<Node, AvroError> {
        match j {
            J::String(s) => match primitive(s) {
                Some(k) => Ok(Node::new(k)),
                None => self.reference(s, ns, path),
            },
            J::Array(members) => {
                let mut nodes = Vec::with_capacity(members.len());
                for (i, m) in members.iter().enumerate() {
                    let n = self.node(m, ns, &path.index(i))?;
                    if matches!(n.kind, Kind::Union(_)) {
                        return Err(path.invalid("a union cannot directly contain a union"));
                    }
                    nodes.push(n);
                }
                Ok(Node::new(Kind::Union(nodes)))
            }
            J::Object(o) => self.object(o, ns, path),
            other => Err(path.invalid(format!(
                "a type must be a string, array or object, not {other}"
            ))),
        }
    }

    fn object(&mut self, o: &Map<String, J>, ns: &str, path: &Path) -> Result<Node, AvroError> {
        let ty = match o.get("type") {
            Some(J::String(t)) => t.as_str(),
            // {"type": {...}} or {"type": [...]}: the inner type (Avro Java accepts it).
            Some(inner) => return self.node(inner, ns, path),
            None => return Err(path.invalid("an object type needs \"type\"")),
        };
        let props_except = |reserved: &[&str]| -> Props {
            o.iter()
                .filter(|(k, _)| !reserved.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        match ty {
            "array" => {
                let items = o
                    .get("items")
                    .ok_or_else(|| path.invalid("an array needs \"items\""))?;
                let items = self.node(items, ns, &path.tag("items"))?;
                Ok(Node {
                    kind: Kind::Array(Box::new(items)),
                    props: props_except(&["type", "items"]),
                })
            }
            "map" => {
                let values = o
                    .get("values")
                    .ok_or_else(|| path.invalid("a map needs \"values\""))?;
                let values = self.node(values, ns, &path.tag("values"))?;
                Ok(Node {
                    kind: Kind::Map(Box::new(values)),
                    props: props_except(&["type", "values"]),
                })
            }
            "record" | "error" | "enum" | "fixed" => self.named_type(ty, o, ns, path),
            t => match primitive(t) {
                Some(k) => Ok(Node {
                    kind: k,
                    props: props_except(&["type"]),
                }),
                // {"type": "ns.Name"}: a reference to a named type.
                None => self.reference(t, ns, path),
            },
        }
    }

    fn named_type(
        &mut self,
        ty: &str,
        o: &Map<String, J>,
        ns: &str,
        path: &Path,
    ) -> Result<Node, AvroError> {
        let name = o
            .get("name")
            .and_then(J::as_str)
            .ok_or_else(|| path.invalid(format!("a {ty} needs a \"name\" string")))?;
        let full_name = if name.contains('.') {
            name.to_owned()
        } else {
            match o.get("namespace").and_then(J::as_str) {
                Some("") => name.to_owned(),
                Some(explicit) => format!("{explicit}.{name}"),
                None if !ns.is_empty() => format!("{ns}.{name}"),
                None => name.to_owned(),
            }
        };
        if !full_name.split('.').all(valid_name) {
            return Err(path.invalid(format!("{full_name:?} is not a valid Avro name")));
        }
        if self.find(&full_name).is_some() {
            return Err(path.invalid(format!("{full_name:?} is defined twice")));
        }
        let own_ns = full_name
            .rsplit_once('.')
            .map_or(String::new(), |(n, _)| n.to_owned());
        let doc = o.get("doc").and_then(J::as_str).map(str::to_owned);
        let reserved: &[&str] = match ty {
            "enum" => &[
                "type",
                "name",
                "namespace",
                "doc",
                "aliases",
                "symbols",
                "default",
            ],
            "fixed" => &["type", "name", "namespace", "doc", "aliases", "size"],
            _ => &["type", "name", "namespace", "doc", "aliases", "fields"],
        };
        let props: Props = o
            .iter()
            .filter(|(k, _)| !reserved.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let path = path.tag(full_name.clone());
        let def = match ty {
            "enum" => {
                let symbols: Vec<String> = o
                    .get("symbols")
                    .and_then(J::as_array)
                    .ok_or_else(|| path.invalid("an enum needs \"symbols\""))?
                    .iter()
                    .map(|s| s.as_str().map(str::to_owned))
                    .collect::<Option<_>>()
                    .ok_or_else(|| path.invalid("enum symbols must be strings"))?;
                let default = o.get("default").and_then(J::as_str).map(str::to_owned);
                NamedDef::Enum { symbols, default }
            }
            "fixed" => {
                let size = o
                    .get("size")
                    .and_then(J::as_u64)
                    .and_then(|s| usize::try_from(s).ok())
                    .ok_or_else(|| path.invalid("a fixed needs a non-negative \"size\""))?;
                NamedDef::Fixed(size)
            }
            _ => NamedDef::Record(Vec::new()),
        };
        let index = self.named.len();
        self.named.push(Named {
            full_name,
            doc,
            props,
            def,
        });
        if matches!(self.named[index].def, NamedDef::Record(_)) {
            let fields = o
                .get("fields")
                .and_then(J::as_array)
                .ok_or_else(|| path.invalid("a record needs \"fields\""))?;
            let mut out: Vec<RecordField> = Vec::with_capacity(fields.len());
            for f in fields {
                let fo = f
                    .as_object()
                    .ok_or_else(|| path.invalid("a record field must be an object"))?;
                let fname = fo
                    .get("name")
                    .and_then(J::as_str)
                    .ok_or_else(|| path.invalid("a record field needs a \"name\""))?;
                let fpath = path.field(fname);
                if out.iter().any(|x| x.name == fname) {
                    return Err(fpath.invalid("duplicate field name"));
                }
                let ftype = fo
                    .get("type")
                    .ok_or_else(|| fpath.invalid("a record field needs a \"type\""))?;
                let node = self.node(ftype, &own_ns, &fpath)?;
                out.push(RecordField {
                    name: fname.to_owned(),
                    doc: fo.get("doc").and_then(J::as_str).map(str::to_owned),
                    default: fo.get("default").cloned(),
                    props: fo
                        .iter()
                        .filter(|(k, _)| {
                            !["name", "type", "doc", "default", "order", "aliases"]
                                .contains(&k.as_str())
                        })
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                    node,
                });
            }
            self.named[index].def = NamedDef::Record(out);
        }
        Ok(Node::new(Kind::Named(index)))
    }
}

fn valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
