//! A hash of a Connect schema, so that a source's schemas find their registered ids
//! without the format's schema being derived (and its text built) for every record.

use std::hash::{Hash, Hasher};

use connect_data::Schema;

/// Hashes what identifies `schema`: everything but defaults (JSON, compared by equality
/// after a hash hit, so leaving them out only costs a comparison).
pub(crate) fn schema_hash(schema: &Schema) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    feed(schema, &mut h);
    h.finish()
}

fn feed(s: &Schema, h: &mut impl Hasher) {
    s.schema_type.json_name().hash(h);
    s.optional.hash(h);
    s.name.hash(h);
    s.version.hash(h);
    s.doc.hash(h);
    s.parameters.hash(h);
    s.fields.len().hash(h);
    for f in &s.fields {
        f.name.hash(h);
        feed(&f.schema, h);
    }
    for sub in [&s.key_schema, &s.value_schema] {
        match sub {
            None => 0u8.hash(h),
            Some(sub) => {
                1u8.hash(h);
                feed(sub, h);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use connect_data::SchemaType;

    use super::*;

    #[test]
    fn equal_schemas_hash_alike_and_differences_show() {
        let a = Schema::new(SchemaType::Struct)
            .field("id", Schema::new(SchemaType::Int64))
            .field("name", Schema::new(SchemaType::String).optional());
        assert_eq!(schema_hash(&a), schema_hash(&a.clone()));
        let b = Schema::new(SchemaType::Struct)
            .field("id", Schema::new(SchemaType::Int64))
            .field("name", Schema::new(SchemaType::String));
        assert_ne!(schema_hash(&a), schema_hash(&b));
        let c = Schema::new(SchemaType::Struct).field("id", Schema::new(SchemaType::Int64));
        assert_ne!(schema_hash(&a), schema_hash(&c));
    }
}
