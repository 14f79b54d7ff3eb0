//! A registry converter: Confluent's framing (magic byte 0, the schema's 4-byte id, the
//! payload) around a [`Format`]'s payloads, with the registry asked once per schema.
//!
//! Reading: the id is read from the bytes; a cached schema converts at once, an unknown
//! one answers `NotReady` and [`Converter::fetch`] gets it by id (ids never change, so it
//! is kept). Writing: the Connect schema's registered id is cached per Kafka topic; the
//! first record of a schema answers `NotReady` and the fetch derives the format's schema,
//! names its subject by the strategy and registers it (`auto.register.schemas`), looks
//! it up, or takes the subject's latest (`use.latest.version`).

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use connect_data::converter::Fetch;
use connect_data::{ConvertError, Converter, Input, Schema, SchemaAndValue, Value};
use schema_registry::wire::{frame, unframe};
use schema_registry::{
    ConfigError, Reference, RegisteredSchema, RegistryConfig, RegistryError, SchemaRegistryClient,
    SchemaType, SubjectNameStrategy,
};

use crate::format::Format;
use crate::project::project;
use crate::schema_key::schema_hash;

/// Most schemas kept per converter, each way (Confluent's `schemas.cache.config`
/// default); past it, the oldest half is forgotten and fetched again if needed.
const CACHE_SIZE: usize = 1000;

/// A converter of one side (key or value) of a connector's records in format `F`.
pub struct RegistryConverter<F: Format> {
    client: SchemaRegistryClient,
    is_key: bool,
    strategy: SubjectNameStrategy,
    auto_register: bool,
    use_latest: bool,
    /// How long a subject's latest schema is trusted (`latest.cache.ttl.sec`); `None`:
    /// for ever.
    latest_ttl: Option<std::time::Duration>,
    /// Schemas read, by id.
    read: RwLock<HashMap<u32, Arc<F::Parsed>>>,
    /// Schemas written, by Kafka topic and Connect schema hash.
    written: RwLock<WrittenCache<F>>,
    format: PhantomData<F>,
}

/// Schemas written, by Kafka topic and Connect schema hash (entries sharing a hash are
/// told apart by comparing schemas).
/// A cached write: the id, the format's schema and, with `use.latest.version`, the
/// registered schema's Connect schema.
type WrittenWith<F> = (u32, Arc<<F as Format>::Parsed>, Option<Arc<Schema>>);

type WrittenCache<F> = HashMap<String, HashMap<u64, Vec<Written<F>>>>;

/// A Connect schema a record was written with, its registered id and the format's schema.
struct Written<F: Format> {
    connect: Option<Schema>,
    id: u32,
    parsed: Arc<F::Parsed>,
    /// With `use.latest.version`, the registered schema's Connect schema, which the
    /// record's data is matched to before it is written.
    writer: Option<Arc<Schema>>,
    /// When it was learnt: a `use.latest.version` schema is asked for again after
    /// `latest.cache.ttl.sec`.
    at: Instant,
}

impl<F: Format> std::fmt::Debug for RegistryConverter<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryConverter")
            .field("class", &F::CLASS)
            .field("registry", &self.client)
            .field("is_key", &self.is_key)
            .field("strategy", &self.strategy)
            .finish()
    }
}

impl<F: Format> RegistryConverter<F> {
    /// A converter for the key (`is_key`) or value side, with the registry and serde
    /// settings of `config`.
    pub fn new(config: &RegistryConfig, is_key: bool) -> Result<RegistryConverter<F>, ConfigError> {
        Ok(RegistryConverter {
            is_key,
            strategy: config.subject_name_strategy(is_key),
            auto_register: config.auto_register,
            use_latest: config.use_latest_version,
            latest_ttl: config.latest_cache_ttl,
            client: SchemaRegistryClient::new(config)?,
            read: RwLock::new(HashMap::new()),
            written: RwLock::new(HashMap::new()),
            format: PhantomData,
        })
    }

    fn cached_read(&self, id: u32) -> Option<Arc<F::Parsed>> {
        self.read.read().expect("schema cache").get(&id).cloned()
    }

    fn cached_written(&self, topic: &str, schema: Option<&Schema>) -> Option<WrittenWith<F>> {
        // Looked up by `&str`: no allocation per record.
        let written = self.written.read().expect("schema cache");
        let entry = written
            .get(topic)?
            .get(&schema.map_or(0, schema_hash))?
            .iter()
            .find(|w| w.connect.as_ref() == schema)?;
        if self.use_latest {
            if let Some(ttl) = self.latest_ttl {
                if entry.at.elapsed() > ttl {
                    return None;
                }
            }
        }
        Some((entry.id, entry.parsed.clone(), entry.writer.clone()))
    }

    async fn fetch_by_id(&self, bytes: Option<&[u8]>) -> Result<(), ConvertError> {
        let Some(bytes) = bytes else { return Ok(()) };
        let (id, _) = unframe(bytes).map_err(|e| ConvertError::record(e.to_string()))?;
        if self.cached_read(id).is_some() {
            return Ok(());
        }
        let registered = self
            .client
            .schema_by_id(id)
            .await
            .map_err(|e| registry(e, id))?;
        if registered.schema_type != F::SCHEMA_TYPE {
            return Err(ConvertError::record(format!(
                "schema id {id} is a {} schema, which {} does not read",
                type_name(registered.schema_type),
                F::CLASS
            )));
        }
        let references = self.references(&registered).await?;
        let parsed = F::parse(&registered, &references)
            .map_err(|e| ConvertError::record(format!("schema id {id} cannot be read: {e}")))?;
        let mut read = self.read.write().expect("schema cache");
        if read.len() >= CACHE_SIZE {
            let drop: Vec<u32> = read.keys().take(CACHE_SIZE / 2).copied().collect();
            for k in drop {
                read.remove(&k);
            }
        }
        read.insert(id, Arc::new(parsed));
        Ok(())
    }

    /// The texts of every schema `schema` references, directly or not, by reference name.
    async fn references(
        &self,
        schema: &RegisteredSchema,
    ) -> Result<Vec<(String, String)>, ConvertError> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut todo: Vec<Reference> = schema.references.clone();
        while let Some(r) = todo.pop() {
            if out.iter().any(|(name, _)| *name == r.name) {
                continue;
            }
            let referenced = self
                .client
                .subject_version(&r.subject, r.version)
                .await
                .map_err(|e| registry_subject(e, &r.subject))?;
            todo.extend(referenced.schema.references.iter().cloned());
            out.push((r.name.clone(), referenced.schema.schema.clone()));
        }
        Ok(out)
    }

    async fn fetch_for_write(
        &self,
        topic: &str,
        data: &SchemaAndValue,
    ) -> Result<(), ConvertError> {
        let schema = data.schema.as_ref();
        if self.cached_written(topic, schema).is_some() {
            return Ok(());
        }
        let derived = F::from_connect(schema).map_err(ConvertError::record)?;
        let subject = self
            .strategy
            .subject(topic, self.is_key, F::record_name(&derived))
            .map_err(|e| ConvertError::record(e.to_string()))?;
        let (id, parsed, writer) = if self.use_latest {
            let latest = self
                .client
                .latest(&subject)
                .await
                .map_err(|e| registry_subject(e, &subject))?;
            let references = self.references(&latest.schema).await?;
            let parsed = F::parse(&latest.schema, &references).map_err(|e| {
                ConvertError::record(format!(
                    "the latest schema of {subject} cannot be read: {e}"
                ))
            })?;
            let writer = F::connect_schema(&parsed).map(Arc::new);
            (latest.schema.id, parsed, writer)
        } else if self.auto_register {
            let id = self
                .client
                .register(&subject, F::SCHEMA_TYPE, F::text(&derived), &[])
                .await
                .map_err(|e| registry_subject(e, &subject))?;
            (id, derived, None)
        } else {
            let id = self
                .client
                .lookup(&subject, F::SCHEMA_TYPE, F::text(&derived), &[])
                .await
                .map_err(|e| registry_subject(e, &subject))?;
            (id, derived, None)
        };
        let mut written = self.written.write().expect("schema cache");
        let count: usize = written.values().map(HashMap::len).sum();
        if count >= CACHE_SIZE {
            // Forget everything: rare, and what is needed again is fetched again.
            written.clear();
        }
        let entries = written
            .entry(topic.to_owned())
            .or_default()
            .entry(schema.map_or(0, schema_hash))
            .or_default();
        entries.retain(|w| w.connect.as_ref() != schema);
        entries.push(Written {
            connect: schema.cloned(),
            id,
            parsed: Arc::new(parsed),
            writer,
            at: Instant::now(),
        });
        Ok(())
    }
}

impl<F: Format> Converter for RegistryConverter<F> {
    fn class(&self) -> &str {
        F::CLASS
    }

    fn to_connect(
        &self,
        _topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConvertError> {
        // A null is a null, as Confluent's converters read it (a tombstone, a null key).
        let Some(bytes) = bytes else {
            return Ok(SchemaAndValue::schemaless(Value::Null));
        };
        let (id, payload) = unframe(bytes).map_err(|e| ConvertError::record(e.to_string()))?;
        let parsed = self.cached_read(id).ok_or(ConvertError::NotReady)?;
        F::decode(&parsed, payload)
            .map_err(|e| ConvertError::record(format!("schema id {id}: {e}")))
    }

    fn from_connect(
        &self,
        topic: &str,
        data: &SchemaAndValue,
    ) -> Result<Option<Vec<u8>>, ConvertError> {
        // A null writes a null (a tombstone), with or without a schema, as Confluent's do.
        if data.is_null() {
            return Ok(None);
        }
        let (id, parsed, writer) = self
            .cached_written(topic, data.schema.as_ref())
            .ok_or(ConvertError::NotReady)?;
        let payload = match writer {
            None => F::encode(&parsed, data),
            Some(writer) => project(&data.value, &writer).and_then(|value| {
                F::encode(
                    &parsed,
                    &SchemaAndValue {
                        schema: Some(Schema::clone(&writer)),
                        value,
                    },
                )
            }),
        }
        .map_err(|e| ConvertError::record(format!("schema id {id}: {e}")))?;
        let mut out = Vec::with_capacity(5 + payload.len());
        frame(id, &mut out);
        out.extend_from_slice(&payload);
        Ok(Some(out))
    }

    fn fetch<'a>(&'a self, topic: &'a str, input: Input<'a>) -> Fetch<'a> {
        Box::pin(async move {
            match input {
                Input::Bytes(bytes) => self.fetch_by_id(bytes).await,
                Input::Data(data) => self.fetch_for_write(topic, data).await,
            }
        })
    }
}

/// The registry's name of a schema type.
fn type_name(t: SchemaType) -> &'static str {
    match t {
        SchemaType::Avro => "AVRO",
        SchemaType::Json => "JSON",
        SchemaType::Protobuf => "PROTOBUF",
    }
}

/// A registry's answer for schema `id` as the converter's caller must take it.
fn registry(e: RegistryError, id: u32) -> ConvertError {
    match e {
        RegistryError::NotFound { .. } => {
            ConvertError::record(format!("schema id {id} is not in the registry: {e}"))
        }
        other => classify(other),
    }
}

/// A registry's answer for `subject` as the converter's caller must take it.
fn registry_subject(e: RegistryError, subject: &str) -> ConvertError {
    match e {
        RegistryError::NotFound { .. } | RegistryError::Rejected { .. } => {
            ConvertError::record(format!("subject {subject}: {e}"))
        }
        other => classify(other),
    }
}

/// Unreachable: retried by the task; refused credentials: the task fails; anything else
/// is this record's.
fn classify(e: RegistryError) -> ConvertError {
    if e.is_retriable() {
        ConvertError::Unavailable(e.to_string())
    } else if matches!(e, RegistryError::Refused { .. }) {
        ConvertError::Fatal(e.to_string())
    } else {
        ConvertError::record(e.to_string())
    }
}
