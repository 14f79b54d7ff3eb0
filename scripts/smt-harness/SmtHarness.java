/*
 * SmtHarness: runs Apache Kafka's own Single Message Transforms and predicates
 * (org.apache.kafka:connect-transforms, the version in pom.xml next to this file) on records
 * described in JSON, so the Rust tests can compare our transforms' output with Kafka's.
 *
 * A TEST-TIME REFEREE ONLY, never part of the product: scripts/setup.sh installs its jars into
 * .tools/smt-harness/lib and compiles it into .tools/smt-harness/classes, and
 * crates/test-support/src/smt.rs (run_kafka) runs it as
 *
 *   java -Duser.timezone=UTC -Duser.language=en -Duser.country=US \
 *        -cp '.tools/smt-harness/classes:.tools/smt-harness/lib/*' SmtHarness < cases.json
 *
 * UTC and en_US matter: Cast's Date -> string, InsertHeader's temporal literals and
 * TimestampConverter's SimpleDateFormat use the JVM's default zone and locale.
 *
 * Input (stdin, UTF-8): a JSON array of cases.
 *   {"name": "cast-1",
 *    "kind": "sink" | "source",                      (default sink: a SinkRecord, else a SourceRecord)
 *    "transforms": [{"type": "org.apache.kafka.connect.transforms.Cast$Value",
 *                    "config": {"spec": "a:int8"},     (strings; other scalars are stringified,
 *                                                       as the worker passes strings)
 *                    "predicate": {"type": "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
 *                                  "config": {"pattern": "t.*"}},        (optional)
 *                    "negate": false}],                                   (optional)
 *    "record": {"topic": "t", "partition": 0, "offset": 42, "timestamp": 1700000000000,
 *               "timestampType": "CreateTime",
 *               "keySchema": null, "key": null,
 *               "valueSchema": {"type": "struct", "optional": false,
 *                               "fields": [{"field": "a", "type": "int64", "optional": false}]},
 *               "value": {"a": 300},
 *               "headers": [{"key": "h", "schema": {"type": "string", "optional": false}, "value": "v"}]}}
 *   Without "record" the case only configures its transforms and predicates.
 *   Schemas are JsonConverter's schema JSON (int8 int16 int32 int64 float double boolean string
 *   bytes array map struct; optional, default, name, version, doc, parameters, fields, items,
 *   keys, values); values are JsonConverter's payload JSON (bytes and Decimals as base64,
 *   dates as days, timestamps as millis). A null schema with a null value is a tombstone; a
 *   null schema with a value is schemaless (Long, Double, String, Boolean, ArrayList, HashMap).
 *
 * Output (stdout, UTF-8): a JSON array with one result per case, in order.
 *   success: {"name", "ok": true, "dropped": bool,
 *             "record": {"topic", "partition", "timestamp", "offset" (sink only),
 *                        "keySchema", "key", "valueSchema", "value",
 *                        "headers": [{"key", "valueSchema", "value"}]}}
 *            ("record" is absent when dropped, and both are absent for a configure-only case;
 *            a key, value or header the converter cannot write carries "<x>Error" and
 *            "<x>JavaString" instead of "<x>", and a schema it cannot write "<x>SchemaError")
 *   failure: {"name", "ok": false, "stage": "configure" | "input" | "apply",
 *             "exception": "<Java class>", "message": "<getMessage()>",
 *             "cause": "<class>: <message>" (only when there is a cause)}
 *   "input" means JsonConverter could not build the case's record: the case cannot be
 *   expressed through JsonConverter, it says nothing about the transforms.
 *
 * The converter runs with schemas.enable=true, decimal.format=NUMERIC and
 * replace.null.with.default=false (its default, true, would replace nulls in the output with
 * schema defaults and hide what the transforms did).
 */

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public class SmtHarness {
    static final ObjectMapper M = new ObjectMapper();
    static final JsonNodeFactory F = JsonNodeFactory.instance;
    static JsonConverter conv;

    public static void main(String[] args) throws Exception {
        conv = new JsonConverter();
        Map<String, Object> cc = new HashMap<>();
        cc.put("schemas.enable", "true");
        cc.put("decimal.format", "NUMERIC");
        cc.put("replace.null.with.default", "false");
        conv.configure(cc, false);

        JsonNode cases = M.readTree(System.in);
        if (cases == null || !cases.isArray()) {
            System.err.println("SmtHarness: expected a JSON array of cases on stdin");
            System.exit(2);
        }
        ArrayNode out = F.arrayNode();
        for (JsonNode c : cases) out.add(runCase(c));
        // Bytes, not a Writer: Jackson writes UTF-8 whatever the platform's default charset.
        PrintStream stdout = System.out;
        stdout.write(M.writerWithDefaultPrettyPrinter().writeValueAsBytes(out));
        stdout.write('\n');
        stdout.flush();
    }

    /** Builds a case's record; a failure is reported as stage "input". */
    interface RecordBuilder<R> {
        R build(JsonNode record) throws Exception;
    }

    /** One entry of the chain, as the worker's TransformationStage holds it. */
    static final class Stage<R extends ConnectRecord<R>> {
        final Transformation<R> transform;
        final Predicate<R> predicate;
        final boolean negate;

        Stage(Transformation<R> transform, Predicate<R> predicate, boolean negate) {
            this.transform = transform;
            this.predicate = predicate;
            this.negate = negate;
        }
    }

    static ObjectNode runCase(JsonNode c) {
        ObjectNode res = F.objectNode();
        res.put("name", c.path("name").asText());
        if ("source".equals(c.path("kind").asText("sink"))) return run(c, res, SmtHarness::sourceRecord);
        return run(c, res, SmtHarness::sinkRecord);
    }

    static <R extends ConnectRecord<R>> ObjectNode run(JsonNode c, ObjectNode res, RecordBuilder<R> builder) {
        List<Stage<R>> stages = new ArrayList<>();
        try {
            try {
                for (JsonNode t : c.path("transforms")) {
                    Transformation<R> tr = instantiate(t.get("type").asText());
                    // Added before configure, so that it is closed even if configure fails.
                    Stage<R> st = new Stage<>(tr, null, false);
                    stages.add(st);
                    tr.configure(strMap(t.path("config")));
                    if (t.hasNonNull("predicate")) {
                        Predicate<R> p = instantiate(t.get("predicate").get("type").asText());
                        stages.set(stages.size() - 1, new Stage<>(tr, p, t.path("negate").asBoolean(false)));
                        p.configure(strMap(t.get("predicate").path("config")));
                    }
                }
            } catch (Throwable e) {
                return error(res, "configure", e);
            }
            if (!c.has("record")) return res.put("ok", true);

            R rec;
            try {
                rec = builder.build(c.get("record"));
            } catch (Throwable e) {
                return error(res, "input", e);
            }
            try {
                for (Stage<R> st : stages) {
                    boolean apply = st.predicate == null || (st.negate ^ st.predicate.test(rec));
                    if (apply) rec = st.transform.apply(rec);
                    if (rec == null) break;
                }
            } catch (Throwable e) {
                return error(res, "apply", e);
            }
            res.put("ok", true);
            res.put("dropped", rec == null);
            if (rec != null) res.set("record", fromRecord(rec));
            return res;
        } finally {
            for (Stage<R> st : stages) {
                closeQuietly(st.transform);
                closeQuietly(st.predicate);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static <T> T instantiate(String className) throws Exception {
        return (T) Class.forName(className).getDeclaredConstructor().newInstance();
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Throwable ignored) {
            // Closing is housekeeping; it never changes a case's result.
        }
    }

    static ObjectNode error(ObjectNode res, String stage, Throwable e) {
        res.put("ok", false);
        res.put("stage", stage);
        res.put("exception", e.getClass().getName());
        res.put("message", e.getMessage());
        if (e.getCause() != null) res.put("cause", e.getCause().getClass().getName() + ": " + e.getCause().getMessage());
        return res;
    }

    /** Config as the worker passes it: strings (other JSON scalars are stringified). */
    static Map<String, String> strMap(JsonNode n) {
        Map<String, String> m = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            m.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
        }
        return m;
    }

    static SchemaAndValue toConnect(String topic, JsonNode schema, JsonNode value) throws Exception {
        if ((schema == null || schema.isNull()) && (value == null || value.isNull())) return SchemaAndValue.NULL;
        ObjectNode env = F.objectNode();
        env.set("schema", schema == null ? F.nullNode() : schema);
        env.set("payload", value == null ? F.nullNode() : value);
        return conv.toConnectData(topic, M.writeValueAsBytes(env));
    }

    static ConnectHeaders headers(String topic, JsonNode r) throws Exception {
        ConnectHeaders hs = new ConnectHeaders();
        for (JsonNode h : r.path("headers")) hs.add(h.get("key").asText(), toConnect(topic, h.get("schema"), h.get("value")));
        return hs;
    }

    static SinkRecord sinkRecord(JsonNode r) throws Exception {
        String topic = r.path("topic").asText("t");
        SchemaAndValue k = toConnect(topic, r.get("keySchema"), r.get("key"));
        SchemaAndValue v = toConnect(topic, r.get("valueSchema"), r.get("value"));
        Long ts = r.hasNonNull("timestamp") ? r.get("timestamp").asLong() : null;
        return new SinkRecord(topic, r.path("partition").asInt(0), k.schema(), k.value(), v.schema(), v.value(),
                r.path("offset").asLong(0), ts, TimestampType.forName(r.path("timestampType").asText("CreateTime")),
                headers(topic, r));
    }

    static SourceRecord sourceRecord(JsonNode r) throws Exception {
        String topic = r.path("topic").asText("t");
        Integer partition = r.hasNonNull("partition") ? r.get("partition").asInt() : null;
        SchemaAndValue k = toConnect(topic, r.get("keySchema"), r.get("key"));
        SchemaAndValue v = toConnect(topic, r.get("valueSchema"), r.get("value"));
        Long ts = r.hasNonNull("timestamp") ? r.get("timestamp").asLong() : null;
        return new SourceRecord(null, null, topic, partition, k.schema(), k.value(), v.schema(), v.value(), ts,
                headers(topic, r));
    }

    /** Writes "<prefix>Schema" and "<prefix>" (or the converter's error instead). */
    static void put(ObjectNode o, String prefix, String topic, Schema s, Object v) {
        try {
            o.set(prefix + "Schema", s == null ? F.nullNode() : conv.asJsonSchema(s));
        } catch (Throwable e) {
            o.put(prefix + "SchemaError", e.getClass().getName() + ": " + e.getMessage());
        }
        try {
            byte[] b = conv.fromConnectData(topic, s, v);
            o.set(prefix, b == null ? F.nullNode() : M.readTree(b).get("payload"));
        } catch (Throwable e) {
            o.put(prefix + "Error", e.getClass().getName() + ": " + e.getMessage());
            o.put(prefix + "JavaString", String.valueOf(v));
        }
    }

    static ObjectNode fromRecord(ConnectRecord<?> r) {
        ObjectNode o = F.objectNode();
        o.put("topic", r.topic());
        if (r.kafkaPartition() == null) o.putNull("partition"); else o.put("partition", r.kafkaPartition());
        if (r.timestamp() == null) o.putNull("timestamp"); else o.put("timestamp", r.timestamp());
        if (r instanceof SinkRecord) o.put("offset", ((SinkRecord) r).kafkaOffset());
        put(o, "key", r.topic(), r.keySchema(), r.key());
        put(o, "value", r.topic(), r.valueSchema(), r.value());
        ArrayNode hs = o.putArray("headers");
        for (Header h : r.headers()) {
            ObjectNode ho = hs.addObject();
            ho.put("key", h.key());
            put(ho, "value", r.topic(), h.schema(), h.value());
        }
        return o;
    }
}
