/*
 * Drives the official Diffusion Java SDK against a server and prints what it observes, one
 * fact a line, for the Rust tests (crates/diffusion-server/tests/sdk_java.rs) to compare as a
 * whole list. Test-time only: scripts/setup.sh compiles this against the SDK it copied into
 * the tools folder (scripts/java-sdk/pom.xml); nothing of it is shipped.
 *
 * Usage: java -cp classes:lib/* DiffusionJavaCheck MODE URL PREFIX
 *
 * conformance:
 *     auth <exception class>           a connection with a wrong password
 *     add <path> <result>              addTopic (AddTopicResult) / addAndSet (TopicCreationResult)
 *     removed <count>                  removeTopics
 *     fetch <path> <TYPE> <value>      a fetch with values, in path order (or
 *     fetch refused <exception class>  if the server refused it)
 *     load <path> <count> <in-order>   one line per topic of the load phase (100 topics x
 *                                      100 updates)
 *     <session> sub <path> <TYPE>      subscription notifications
 *     <session> val <path> <value>     values received (deltas applied by the SDK)
 *     <session> unsub <path> <reason>  unsubscription notifications
 *   The stream lines come last, grouped by session and then topic path (each group in the
 *   order received), so the whole output is deterministic.
 *
 * time-series:
 *     append <topic> <seq> <author>         metadata of each append
 *     append-at <topic> <seq> <kept>        an append with a timestamp: whether it was kept
 *     edit <topic> <seq> <original-seq>     metadata of an edit
 *     query <name> <events> <selected> <complete>   a range query's events as seq[/orig]=value
 *     error <operation> <exception class>   an operation the server refused
 *     ev <topic> <seq> <orig-seq|-> <json>  an event the time series stream received (last)
 *
 * Values print as compact JSON (strings quoted, binary as its bytes quoted).
 */
import com.pushtechnology.diffusion.client.Diffusion;
import com.pushtechnology.diffusion.client.features.TimeSeries;
import com.pushtechnology.diffusion.client.features.TimeSeries.Event;
import com.pushtechnology.diffusion.client.features.TimeSeries.EventMetadata;
import com.pushtechnology.diffusion.client.features.TimeSeries.QueryResult;
import com.pushtechnology.diffusion.client.features.TimeSeries.RangeQuery;
import com.pushtechnology.diffusion.client.features.Topics;
import com.pushtechnology.diffusion.client.features.Topics.UnsubscribeReason;
import com.pushtechnology.diffusion.client.features.control.topics.TopicControl;
import com.pushtechnology.diffusion.client.session.Session;
import com.pushtechnology.diffusion.client.topics.details.TopicSpecification;
import com.pushtechnology.diffusion.client.topics.details.TopicType;
import com.pushtechnology.diffusion.datatype.Bytes;
import com.pushtechnology.diffusion.datatype.binary.Binary;
import com.pushtechnology.diffusion.datatype.json.JSON;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

public final class DiffusionJavaCheck {
    private static final long WAIT_SECONDS = 20;

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: DiffusionJavaCheck conformance|time-series URL PREFIX");
            System.exit(2);
        }
        String url = args[1];
        String p = args[2];
        switch (args[0]) {
            case "conformance":
                conformance(url, p);
                break;
            case "time-series":
                timeSeries(url, p);
                break;
            default:
                System.err.println("unknown mode " + args[0]);
                System.exit(2);
        }
        System.out.flush();
        // The SDK's threads are not daemons.
        System.exit(0);
    }

    private static Session open(String url, String password) {
        return Diffusion.sessions().principal("admin").password(password).open(url);
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Waits until the collected events hold at least n lines (or the wait runs out). */
    private static void awaitCount(Events events, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (events.count() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    static String text(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof JSON) {
            return ((JSON) v).toJsonString();
        }
        if (v instanceof Binary) {
            return quote(new String(((Bytes) v).toByteArray(), StandardCharsets.UTF_8));
        }
        if (v instanceof String) {
            return quote((String) v);
        }
        return String.valueOf(v);
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Stream events per (session, path), each list in the order received. */
    static final class Events {
        private final Map<String, List<String>> byKey = new TreeMap<>();
        private int count;

        synchronized void add(String session, String path, String line) {
            byKey.computeIfAbsent(session + " " + path, k -> new ArrayList<>()).add(line);
            count++;
        }

        synchronized int count() {
            return count;
        }

        synchronized void print() {
            byKey.values().forEach(l -> l.forEach(System.out::println));
        }
    }

    static <V> Topics.ValueStream<V> stream(String session, Events events) {
        return new Topics.ValueStream.Default<V>() {
            @Override
            public void onSubscription(String path, TopicSpecification spec) {
                events.add(session, path, session + " sub " + path + " " + spec.getType());
            }

            @Override
            public void onValue(String path, TopicSpecification spec, V old, V value) {
                events.add(session, path, session + " val " + path + " " + text(value));
            }

            @Override
            public void onUnsubscription(String path, TopicSpecification spec, UnsubscribeReason reason) {
                events.add(session, path, session + " unsub " + path + " " + reason);
            }
        };
    }

    /** One value stream per topic, of that topic's type (as the Python program does). */
    static void watch(Topics topics, String session, String p, Events events) {
        topics.addStream(">" + p + "/json", JSON.class, stream(session, events));
        topics.addStream(">" + p + "/string", String.class, stream(session, events));
        topics.addStream(">" + p + "/int", Long.class, stream(session, events));
        topics.addStream(">" + p + "/double", Double.class, stream(session, events));
        topics.addStream(">" + p + "/binary", Binary.class, stream(session, events));
    }

    static void conformance(String url, String p) throws Exception {
        try {
            open(url, "wrong").close();
            System.out.println("auth accepted");
        } catch (Exception e) {
            System.out.println("auth " + e.getClass().getSimpleName());
        }

        JSON json1 = Diffusion.dataTypes().json().fromJsonString("{\"bid\":1.5,\"sym\":\"ABC\"}");
        Events events = new Events();
        Session a = open(url, "password");
        Session b = open(url, "password");
        Topics ta = a.feature(Topics.class);
        Topics tb = b.feature(Topics.class);
        TopicControl control = b.feature(TopicControl.class);

        // Session a subscribes before the topics exist: they must arrive when added.
        watch(ta, "a", p, events);
        await(ta.subscribe("?" + p + "/.*//"));
        // An existing topic, then subscriptions by path, full-path pattern and set.
        System.out.println("add " + p + "/json " + await(control.addTopic(p + "/json", TopicType.JSON)));
        System.out.println("add " + p + "/json " + await(control.addTopic(p + "/json", TopicType.JSON)));
        await(tb.set(p + "/json", JSON.class, json1));
        watch(tb, "b", p, events);
        await(tb.subscribe(">" + p + "/json"));
        await(tb.subscribe("*" + p + "/s.*"));
        await(tb.subscribe("#>" + p + "/json////*" + p + "/s.*"));
        // b's initial JSON value (a has had it since the set).
        awaitCount(events, 4);
        for (String bid : new String[] {"2.5", "3.5"}) {
            JSON v = Diffusion.dataTypes().json().fromJsonString("{\"bid\":" + bid + ",\"sym\":\"ABC\"}");
            await(tb.set(p + "/json", JSON.class, v));
        }
        System.out.println("add " + p + "/string " + await(tb.addAndSet(p + "/string",
            Diffusion.newTopicSpecification(TopicType.STRING), String.class, "hello")));
        System.out.println("add " + p + "/int " + await(tb.addAndSet(p + "/int",
            Diffusion.newTopicSpecification(TopicType.INT64), Long.class, 42L)));
        System.out.println("add " + p + "/double " + await(tb.addAndSet(p + "/double",
            Diffusion.newTopicSpecification(TopicType.DOUBLE), Double.class, 2.5)));
        Binary raw = Diffusion.dataTypes().binary().readValue("raw".getBytes(StandardCharsets.UTF_8));
        System.out.println("add " + p + "/binary " + await(tb.addAndSet(p + "/binary",
            Diffusion.newTopicSpecification(TopicType.BINARY), Binary.class, raw)));
        await(tb.set(p + "/string", String.class, "world"));
        // a: 4 subs, json x3, string x2, int, double, binary; b: 2 subs, json x3, string x2.
        awaitCount(events, 13 + 7);
        System.out.println("removed "
            + await(control.removeTopics("?" + p + "/(int|double)")).getRemovedCount());
        awaitCount(events, 13 + 7 + 2);

        try {
            Topics.FetchResult<Object> fetched =
                await(ta.fetchRequest().withValues(Object.class).fetch("?" + p + "//"));
            for (Topics.FetchResult.TopicResult<Object> r : fetched.results()) {
                System.out.println("fetch " + r.path() + " " + r.type() + " " + text(r.value()));
            }
        } catch (ExecutionException e) {
            System.out.println("fetch refused " + e.getCause().getClass().getSimpleName());
            System.err.println("fetch refused: " + e.getCause().getMessage());
        }

        // Load: 100 topics x 100 updates, checked complete and in order per topic.
        Map<String, List<Long>> seen = new TreeMap<>();
        ta.addStream("?" + p + "/load/", JSON.class, new Topics.ValueStream.Default<JSON>() {
            @Override
            public void onValue(String path, TopicSpecification spec, JSON old, JSON value) {
                long n = Long.parseLong(value.toJsonString().replaceAll("[^0-9]", ""));
                synchronized (seen) {
                    seen.computeIfAbsent(path, k -> new ArrayList<>()).add(n);
                }
            }
        });
        await(ta.subscribe("?" + p + "/load/"));
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            pending.add(tb.addAndSet(p + "/load/" + i, Diffusion.newTopicSpecification(TopicType.JSON),
                JSON.class, json("{\"n\":0}")));
        }
        await(CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])));
        for (int n = 1; n < 100; n++) {
            pending.clear();
            for (int i = 0; i < 100; i++) {
                pending.add(tb.set(p + "/load/" + i, JSON.class, json("{\"n\":" + n + "}")));
            }
            await(CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            synchronized (seen) {
                if (seen.values().stream().mapToInt(List::size).sum() >= 100 * 100) {
                    break;
                }
            }
            Thread.sleep(20);
        }
        List<Long> inOrder = new ArrayList<>();
        for (long n = 0; n < 100; n++) {
            inOrder.add(n);
        }
        synchronized (seen) {
            for (int i = 0; i < 100; i++) {
                List<Long> got = seen.getOrDefault(p + "/load/" + i, List.of());
                System.out.println("load " + p + "/load/" + i + " " + got.size() + " " + got.equals(inOrder));
            }
        }

        // Give any stray event (a duplicate, a late value) the chance to show up.
        Thread.sleep(300);
        a.close();
        b.close();
        events.print();
    }

    static String eventText(Event<?> e) {
        String orig = e.isEditEvent() ? String.valueOf(e.originalEvent().sequence()) : "-";
        return e.sequence() + " " + orig + " " + text(e.value());
    }

    static <V> String queryText(String name, QueryResult<V> result) {
        String events = result.stream()
            .map(e -> e.sequence()
                + (e.isEditEvent() ? "/" + e.originalEvent().sequence() : "")
                + "=" + text(e.value()))
            .collect(Collectors.joining(","));
        return "query " + name + " " + (events.isEmpty() ? "-" : events) + " "
            + result.selectedCount() + " " + result.isComplete();
    }

    static void timeSeries(String url, String p) throws Exception {
        Session a = open(url, "password");
        Session b = open(url, "password");
        TopicControl control = a.feature(TopicControl.class);
        TimeSeries series = a.feature(TimeSeries.class);
        String jpath = p + "/json";
        String spath = p + "/str";
        String plainPath = p + "/plain";
        await(control.addTopic(jpath, Diffusion.newTopicSpecification(TopicType.TIME_SERIES)
            .withProperty(TopicSpecification.TIME_SERIES_EVENT_VALUE_TYPE, "json")
            .withProperty(TopicSpecification.TIME_SERIES_RETAINED_RANGE, "limit 100")
            .withProperty(TopicSpecification.TIME_SERIES_SUBSCRIPTION_RANGE, "limit 2")));
        await(control.addTopic(spath, Diffusion.newTopicSpecification(TopicType.TIME_SERIES)
            .withProperty(TopicSpecification.TIME_SERIES_EVENT_VALUE_TYPE, "string")));
        await(control.addTopic(plainPath, TopicType.JSON));

        for (int n = 0; n < 3; n++) {
            EventMetadata m = await(series.append(jpath, JSON.class, json("{\"n\":" + n + "}")));
            System.out.println("append " + jpath + " " + m.sequence() + " " + m.author());
        }

        Events events = new Events();
        Topics tb = b.feature(Topics.class);
        tb.addTimeSeriesStream(">" + jpath, JSON.class, new Topics.ValueStream.Default<Event<JSON>>() {
            @Override
            public void onValue(String path, TopicSpecification spec, Event<JSON> old, Event<JSON> e) {
                events.add("b", path, "ev " + path + " " + eventText(e));
            }
        });
        await(tb.subscribe(">" + jpath));
        // The subscription range: the last two events.
        awaitCount(events, 2);

        EventMetadata m = await(series.append(jpath, JSON.class, json("{\"n\":3}")));
        System.out.println("append " + jpath + " " + m.sequence() + " " + m.author());
        long third = m.timestamp();
        m = await(series.edit(jpath, 1, JSON.class, json("{\"n\":\"one\"}")));
        System.out.println("edit " + jpath + " " + m.sequence() + " " + 1);
        for (String s : new String[] {"s0", "s1"}) {
            m = await(series.append(spath, String.class, s));
            System.out.println("append " + spath + " " + m.sequence() + " " + m.author());
        }
        // With the caller's timestamp (TIME_SERIES_TIMESTAMP_APPEND): a minute ahead.
        long stamp = System.currentTimeMillis() + 60_000;
        m = await(series.append(spath, String.class, "s2", Instant.ofEpochMilli(stamp)));
        System.out.println("append-at " + spath + " " + m.sequence() + " " + (m.timestamp() == stamp));

        RangeQuery<JSON> rq = series.rangeQuery().as(JSON.class);
        System.out.println(queryText("all", await(rq.selectFrom(jpath))));
        System.out.println(queryText("fromstart", await(rq.fromStart().selectFrom(jpath))));
        System.out.println(queryText("from1next2", await(rq.from(1).next(2).selectFrom(jpath))));
        System.out.println(queryText("from3", await(rq.from(3).selectFrom(jpath))));
        System.out.println(queryText("edits", await(rq.forEdits().selectFrom(jpath))));
        System.out.println(queryText("limit2", await(rq.limit(2).selectFrom(jpath))));
        System.out.println(queryText("fromtime3",
            await(rq.from(Instant.ofEpochMilli(third)).selectFrom(jpath))));
        System.out.println(queryText("to2", await(rq.fromStart().to(2).selectFrom(jpath))));
        System.out.println(queryText("fromlast2", await(rq.fromLast(2).selectFrom(jpath))));
        System.out.println(queryText("str",
            await(series.rangeQuery().as(String.class).selectFrom(spath))));

        printError("append-json-topic", series.append(plainPath, JSON.class, json("{\"n\":0}")));
        printError("edit-unknown", series.edit(jpath, 99, JSON.class, json("{\"n\":0}")));

        // 2 from the subscription range, then the append and the edit.
        awaitCount(events, 4);
        Thread.sleep(300);
        a.close();
        b.close();
        events.print();
    }

    static JSON json(String s) {
        return Diffusion.dataTypes().json().fromJsonString(s);
    }

    static void printError(String name, CompletableFuture<?> op) throws Exception {
        try {
            await(op);
            System.out.println("error " + name + " none");
        } catch (ExecutionException e) {
            System.out.println("error " + name + " " + e.getCause().getClass().getSimpleName());
        }
    }
}
