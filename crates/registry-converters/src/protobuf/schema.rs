//! A registry Protobuf schema: the .proto text, compiled with its references into a
//! descriptor pool (protox, no protoc), the message it stands for, and the Connect schemas of
//! its messages, built when first asked for.

use std::collections::HashMap;
use std::sync::Mutex;

use connect_data::Schema;
use prost_reflect::{DescriptorPool, FileDescriptor, MessageDescriptor};
use protox::file::{File, FileResolver, GoogleFileResolver};

use super::builtin;
use super::error::ProtobufError;

/// The name the registry text is compiled under (imports never name it).
const MAIN_FILE: &str = "__registry_schema__.proto";

/// A Protobuf schema as the registry holds it, compiled.
pub struct ProtobufSchema {
    text: String,
    pool: DescriptorPool,
    file: FileDescriptor,
    /// Path (message indexes) of the message a Connect value is written as: the first
    /// message of a parsed schema, the generated one of [`ProtobufSchema::from_connect`].
    root: Vec<i32>,
    /// Full name of the root message.
    root_name: Option<String>,
    /// The references given to [`ProtobufSchema::parse`].
    references: Vec<(String, String)>,
    /// Connect schemas by message full name.
    connect: Mutex<HashMap<String, Schema>>,
}

impl std::fmt::Debug for ProtobufSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProtobufSchema")
            .field("record_name", &self.record_name())
            .field("text", &self.text)
            .finish()
    }
}

struct Resolver {
    main: String,
    references: Vec<(String, String)>,
    google: GoogleFileResolver,
}

impl FileResolver for Resolver {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        if name == MAIN_FILE {
            return File::from_source(name, &self.main);
        }
        if let Some((_, text)) = self.references.iter().find(|(n, _)| n == name) {
            return File::from_source(name, text);
        }
        if let Some((_, text)) = builtin::FILES.iter().find(|(n, _)| *n == name) {
            return File::from_source(name, text);
        }
        self.google.open_file(name)
    }
}

impl ProtobufSchema {
    /// Compiles the registry text of a .proto file; `references`: (import name, .proto text)
    /// of every file it imports, transitively. Confluent's well-known imports
    /// (`confluent/meta.proto`, `confluent/type/decimal.proto`, `google/type/date.proto`,
    /// `google/type/timeofday.proto`, `google/protobuf/*.proto`) need no reference.
    pub fn parse(
        text: &str,
        references: &[(String, String)],
    ) -> Result<ProtobufSchema, ProtobufError> {
        let mut compiler = protox::Compiler::with_file_resolver(Resolver {
            main: text.to_owned(),
            references: references.to_vec(),
            google: GoogleFileResolver::new(),
        });
        compiler.include_source_info(false).include_imports(true);
        compiler
            .open_file(MAIN_FILE)
            .map_err(|e| ProtobufError::InvalidSchema(e.to_string()))?;
        let pool = compiler.descriptor_pool();
        let file = pool
            .get_file_by_name(MAIN_FILE)
            .ok_or_else(|| ProtobufError::InvalidSchema("the file did not compile".into()))?;
        let root_name = file.messages().next().map(|m| m.full_name().to_owned());
        Ok(ProtobufSchema {
            text: text.to_owned(),
            pool,
            file,
            root: vec![0],
            root_name,
            references: references.to_vec(),
            connect: Mutex::new(HashMap::new()),
        })
    }

    /// The same schema, writing Connect values as the message at `path`.
    pub(crate) fn with_root(mut self, path: Vec<i32>) -> Result<Self, ProtobufError> {
        let m = self.message_at(&path)?;
        self.root_name = Some(m.full_name().to_owned());
        self.root = path;
        Ok(self)
    }

    /// The .proto text (as registered).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Full name of the message a Connect value is written as: the first message of a parsed
    /// schema (what RecordNameStrategy names); `None` if the file has no message.
    pub fn record_name(&self) -> Option<&str> {
        self.root_name.as_deref()
    }

    /// The imports the schema needs registered as references: (import name, .proto text),
    /// those given to [`ProtobufSchema::parse`] that the registry does not know already.
    /// Empty for every schema [`ProtobufSchema::from_connect`] writes, as with Confluent's
    /// serializer (`skip.known.types`=true): all its imports (`confluent/meta.proto`,
    /// `confluent/type/decimal.proto`, `google/type/*`, `google/protobuf/*`) are known.
    pub fn references(&self) -> Vec<(String, String)> {
        self.references
            .iter()
            .filter(|(n, _)| !builtin::is_known(n))
            .cloned()
            .collect()
    }

    /// Every file the schema imports, directly or not, with its text when we have it
    /// (references and built-ins; the `google/protobuf/*` files protox supplies have none).
    pub fn imports(&self) -> Vec<(String, Option<String>)> {
        self.pool
            .files()
            .filter(|f| f.name() != MAIN_FILE)
            .map(|f| {
                let name = f.name().to_owned();
                let text = self
                    .references
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, t)| t.clone())
                    .or_else(|| {
                        builtin::FILES
                            .iter()
                            .find(|(n, _)| *n == name)
                            .map(|(_, t)| (*t).to_owned())
                    });
                (name, text)
            })
            .collect()
    }

    /// The compiled file and its imports as a serialized `FileDescriptorSet` (what the
    /// registry's `format=serialized` gives, for clients that prefer descriptors).
    pub fn file_descriptor_set(&self) -> Vec<u8> {
        use prost_reflect::prost::Message;
        prost_reflect::prost_types::FileDescriptorSet {
            file: self
                .pool
                .files()
                .map(|f| f.file_descriptor_proto().clone())
                .collect(),
        }
        .encode_to_vec()
    }

    /// The message at a path of message indexes.
    pub fn message_at(&self, path: &[i32]) -> Result<MessageDescriptor, ProtobufError> {
        let missing = || ProtobufError::NoSuchMessage(path.to_vec());
        let (first, rest) = path.split_first().ok_or_else(missing)?;
        let mut m = usize::try_from(*first)
            .ok()
            .and_then(|i| self.file.messages().nth(i))
            .ok_or_else(|| {
                if self.file.messages().len() == 0 {
                    ProtobufError::NoMessage
                } else {
                    missing()
                }
            })?;
        for i in rest {
            m = usize::try_from(*i)
                .ok()
                .and_then(|i| m.child_messages().nth(i))
                .ok_or_else(missing)?;
        }
        Ok(m)
    }

    /// The path of the message Connect values are written as.
    pub(crate) fn root_path(&self) -> &[i32] {
        &self.root
    }

    /// The Connect schema of the message at `path` (cached).
    pub(crate) fn connect_schema(
        &self,
        message: &MessageDescriptor,
    ) -> Result<Schema, ProtobufError> {
        if let Some(s) = self.connect.lock().unwrap().get(message.full_name()) {
            return Ok(s.clone());
        }
        let s = super::to_connect::root_schema(message)?;
        self.connect
            .lock()
            .unwrap()
            .insert(message.full_name().to_owned(), s.clone());
        Ok(s)
    }
}
