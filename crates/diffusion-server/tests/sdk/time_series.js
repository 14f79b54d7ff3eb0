// Drives the official Diffusion JavaScript SDK's time series feature against a server and
// prints what it observes in the same lines as time_series.py (errors as reason codes).
// Usage: node time_series.js URL PREFIX
const diffusion = require('diffusion');

const [url, P] = process.argv.slice(2);
const { hostname, port } = new URL(url);
const options = { host: hostname, port: Number(port), secure: false, principal: 'admin', credentials: 'password', reconnect: false };
const { TopicType, TopicSpecification } = diffusion.topics;
const json = diffusion.datatypes.json();
const string = diffusion.datatypes.string();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  }
  return v;
}

// JSON values unwrap with get(); strings are plain.
const text = (v) => JSON.stringify(sortKeys(v && typeof v.get === 'function' ? v.get() : v));

function queryText(name, result) {
  const events = result.events
    .map((e) => `${e.sequence}${e.isEditEvent ? `/${e.originalEvent.sequence}` : ''}=${text(e.value)}`)
    .join(',');
  const complete = result.isComplete ? 'True' : 'False';
  return `query ${name} ${events || '-'} ${result.selectedCount} ${complete}`;
}

async function main() {
  const a = await diffusion.connect(options);
  const b = await diffusion.connect(options);
  const lines = [];
  const [jpath, spath, plainPath] = [`${P}/json`, `${P}/str`, `${P}/plain`];
  await a.topics.add(jpath, new TopicSpecification(TopicType.TIME_SERIES, {
    TIME_SERIES_EVENT_VALUE_TYPE: 'json',
    TIME_SERIES_RETAINED_RANGE: 'limit 100',
    TIME_SERIES_SUBSCRIPTION_RANGE: 'limit 2',
  }));
  await a.topics.add(spath, new TopicSpecification(TopicType.TIME_SERIES, { TIME_SERIES_EVENT_VALUE_TYPE: 'string' }));
  await a.topics.add(plainPath, new TopicSpecification(TopicType.JSON));

  for (let n = 0; n < 3; n++) {
    const m = await a.timeseries.append(jpath, { n }, json);
    console.log('append', jpath, m.sequence, m.author);
  }

  b.addStream(`>${jpath}`, diffusion.datatypes.timeseries(json)).on('value', (topic, spec, e) => {
    lines.push(`ev ${topic} ${e.sequence} ${e.isEditEvent ? e.originalEvent.sequence : '-'} ${text(e.value)}`);
  });
  await b.select(`>${jpath}`);
  await sleep(500);

  let m = await a.timeseries.append(jpath, { n: 3 }, json);
  console.log('append', jpath, m.sequence, m.author);
  const third = m.timestamp;
  m = await a.timeseries.edit(jpath, 1, { n: 'one' }, json);
  console.log('edit', jpath, m.sequence, 1);
  for (const s of ['s0', 's1']) {
    m = await a.timeseries.append(spath, s, string);
    console.log('append', spath, m.sequence, m.author);
  }
  // With the caller's timestamp (TIME_SERIES_TIMESTAMP_APPEND): a minute ahead.
  const stamp = Date.now() + 60000;
  m = await a.timeseries.append(spath, 's2', string, stamp);
  console.log('append-at', spath, m.sequence, m.timestamp === stamp ? 'True' : 'False');

  const rq = a.timeseries.rangeQuery().as(json);
  console.log(queryText('all', await rq.selectFrom(jpath)));
  console.log(queryText('from1next2', await rq.from(1).next(2).selectFrom(jpath)));
  console.log(queryText('from3', await rq.from(3).selectFrom(jpath)));
  console.log(queryText('edits', await rq.forEdits().selectFrom(jpath)));
  console.log(queryText('limit2', await rq.limit(2).selectFrom(jpath)));
  console.log(queryText('fromtime3', await rq.from(new Date(third)).selectFrom(jpath)));
  console.log(queryText('to2', await rq.fromStart().to(2).selectFrom(jpath)));
  console.log(queryText('fromlast2', await rq.fromLast(2).selectFrom(jpath)));
  console.log(queryText('str', await a.timeseries.rangeQuery().as(string).selectFrom(spath)));

  for (const [name, op] of [
    ['append-json-topic', () => a.timeseries.append(plainPath, { n: 0 }, json)],
    ['edit-unknown', () => a.timeseries.edit(jpath, 99, { n: 0 }, json)],
  ]) {
    try {
      await op();
      console.log('error', name, 'none');
    } catch (e) {
      console.log('error', name, e && e.id !== undefined ? String(e.id) : String(e));
    }
  }
  // The stream's 4 events (2 of the subscription range, the append, the edit): waited for,
  // however busy the machine; then a moment for a stray one (a duplicate).
  const deadline = Date.now() + 30000;
  while (lines.length < 4 && Date.now() < deadline) await sleep(50);
  await sleep(300);
  for (const l of lines) console.log(l);
  await a.close();
  await b.close();
}

main().then(() => process.exit(0), (e) => { console.error('FAILED', e); process.exit(1); });
