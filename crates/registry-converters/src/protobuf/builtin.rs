//! The .proto files a Confluent schema may import without registering them (the registry and
//! its clients know them): Confluent's `confluent/meta.proto` and `confluent/type/decimal.proto`,
//! Google's `google/type/date.proto` and `google/type/timeofday.proto`, written here from
//! their published definitions, and `google/protobuf/wrappers.proto`, whose text is the schema
//! Confluent registers for a primitive Connect value. The other `google/protobuf/*` files come
//! with protox.

/// `confluent/meta.proto`: the `(confluent.field_meta)` option and friends.
pub const META: &str = r#"syntax = "proto3";
package confluent;

import "google/protobuf/descriptor.proto";

option java_package = "io.confluent.protobuf";
option java_outer_classname = "MetaProto";

message Meta {
  string doc = 1;
  map<string, string> params = 2;
  repeated string tags = 3;
  repeated Rule rules = 4;
}
message Rule {
  string name = 1;
  string doc = 2;
  string expr = 3;
  string sql = 4;
}

extend google.protobuf.FileOptions {
  Meta file_meta = 1088;
}
extend google.protobuf.MessageOptions {
  Meta message_meta = 1088;
}
extend google.protobuf.FieldOptions {
  Meta field_meta = 1088;
}
extend google.protobuf.EnumOptions {
  Meta enum_meta = 1088;
}
extend google.protobuf.EnumValueOptions {
  Meta enum_value_meta = 1088;
}
"#;

/// `confluent/type/decimal.proto`: `confluent.type.Decimal`.
pub const DECIMAL: &str = r#"syntax = "proto3";
package confluent.type;

option java_package = "io.confluent.protobuf.type";
option java_multiple_files = true;
option java_outer_classname = "DecimalProto";

message Decimal {
  // The two's-complement representation of the unscaled integer value in big-endian byte order
  bytes value = 1;
  // The precision (zero indicates unlimited precision)
  uint32 precision = 2;
  // The scale
  int32 scale = 3;
}
"#;

/// `google/type/date.proto`: `google.type.Date`.
pub const DATE: &str = r#"syntax = "proto3";
package google.type;

option cc_enable_arenas = true;
option go_package = "google.golang.org/genproto/googleapis/type/date;date";
option java_multiple_files = true;
option java_outer_classname = "DateProto";
option java_package = "com.google.type";
option objc_class_prefix = "GTP";

message Date {
  int32 year = 1;
  int32 month = 2;
  int32 day = 3;
}
"#;

/// `google/type/timeofday.proto`: `google.type.TimeOfDay`.
pub const TIME_OF_DAY: &str = r#"syntax = "proto3";
package google.type;

option cc_enable_arenas = true;
option go_package = "google.golang.org/genproto/googleapis/type/timeofday;timeofday";
option java_multiple_files = true;
option java_outer_classname = "TimeOfDayProto";
option java_package = "com.google.type";
option objc_class_prefix = "GTP";

message TimeOfDay {
  int32 hours = 1;
  int32 minutes = 2;
  int32 seconds = 3;
  int32 nanos = 4;
}
"#;

/// `google/protobuf/wrappers.proto`, messages in their published order (the order fixes the
/// message indexes: `StringValue` is `[7]`). This text is what a primitive value's schema
/// registers as, so it leaves out the file's two boolean options (`cc_enable_arenas`,
/// `java_multiple_files`): they change no byte on the wire, and Karapace 3.15 fails (500)
/// to serve a schema carrying a boolean file option in its `format=serialized` form.
pub const WRAPPERS: &str = r#"syntax = "proto3";
package google.protobuf;

option go_package = "google.golang.org/protobuf/types/known/wrapperspb";
option java_package = "com.google.protobuf";
option java_outer_classname = "WrappersProto";
option objc_class_prefix = "GPB";
option csharp_namespace = "Google.Protobuf.WellKnownTypes";

message DoubleValue {
  double value = 1;
}
message FloatValue {
  float value = 1;
}
message Int64Value {
  int64 value = 1;
}
message UInt64Value {
  uint64 value = 1;
}
message Int32Value {
  int32 value = 1;
}
message UInt32Value {
  uint32 value = 1;
}
message BoolValue {
  bool value = 1;
}
message StringValue {
  string value = 1;
}
message BytesValue {
  bytes value = 1;
}
"#;

/// The built-in texts by import name (the `google/protobuf/*` files other than these come
/// from protox).
pub const FILES: &[(&str, &str)] = &[
    ("confluent/meta.proto", META),
    ("confluent/type/decimal.proto", DECIMAL),
    ("google/type/date.proto", DATE),
    ("google/type/timeofday.proto", TIME_OF_DAY),
];

/// Whether the registry and Confluent's serializers know `import` without a reference
/// (Confluent's `ProtobufSchema.knownTypes()`; with `skip.known.types`=true, the default, the
/// serializer registers no reference for them).
pub fn is_known(import: &str) -> bool {
    import.starts_with("confluent/")
        || import.starts_with("google/type/")
        || import.starts_with("google/protobuf/")
}
