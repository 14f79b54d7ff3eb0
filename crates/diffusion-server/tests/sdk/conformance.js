// Drives the official Diffusion JavaScript SDK against a server and prints what it
// observes, one event per line, in the same format as conformance.py:
//   auth <outcome> | add <path> <result> | <session> sub|val|unsub ... | removed <n> |
//   load <path> <count> <in-order>
// Usage: node conformance.js URL PREFIX
const diffusion = require('diffusion');

const [url, P] = process.argv.slice(2);
const { hostname, port } = new URL(url);
const options = { host: hostname, port: Number(port), secure: false, principal: 'admin', reconnect: false };
const TopicType = diffusion.topics.TopicType;
const spec = (t) => new diffusion.topics.TopicSpecification(t);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const NAMED = {
  json: [diffusion.datatypes.json(), TopicType.JSON],
  string: [diffusion.datatypes.string(), TopicType.STRING],
  int: [diffusion.datatypes.int64(), TopicType.INT64],
  double: [diffusion.datatypes.double(), TopicType.DOUBLE],
  binary: [diffusion.datatypes.binary(), TopicType.BINARY],
};
const REASONS = ['REQUESTED', 'CONTROL', 'REMOVAL', 'AUTHORIZATION'];

const TYPE_NAMES = { 14: 'BINARY', 15: 'JSON', 17: 'STRING', 18: 'INT64', 19: 'DOUBLE' };

function plain(v) {
  // JSON and binary values unwrap with get(); binary ones are byte arrays.
  const x = v && typeof v.get === 'function' ? v.get() : v;
  return ArrayBuffer.isView(x) ? Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString() : x;
}

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  }
  return v;
}

function watch(session, name, events) {
  for (const [topic, [dt]] of Object.entries(NAMED)) {
    session.addStream(`>${P}/${topic}`, dt).on({
      subscribe: (path, s) => events.push(`${name} sub ${path} ${TYPE_NAMES[s.type.id !== undefined ? s.type.id : s.type] || s.type}`),
      value: (path, s, v) => events.push(`${name} val ${path} ${JSON.stringify(sortKeys(plain(v)))}`),
      unsubscribe: (path, s, reason) => events.push(`${name} unsub ${path} ${REASONS[reason.id] || reason}`),
    });
  }
}

async function main() {
  try {
    const bad = await diffusion.connect({ ...options, credentials: 'wrong' });
    console.log('auth accepted');
    bad.close();
  } catch (e) {
    console.log('auth', /authentication/i.test(String(e && (e.message || e))) ? 'AUTHENTICATION_FAILED' : String(e));
  }

  const events = [];
  const a = await diffusion.connect({ ...options, credentials: 'password' });
  const b = await diffusion.connect({ ...options, credentials: 'password' });
  watch(a, 'a', events);
  await a.select(`?${P}/.*//`);
  const added = async (path, p) => {
    const r = await p;
    console.log('add', path, r && r.added === false ? 'EXISTS' : 'CREATED');
  };
  await added(`${P}/json`, b.topics.add(`${P}/json`, TopicType.JSON));
  await added(`${P}/json`, b.topics.add(`${P}/json`, TopicType.JSON));
  await b.topicUpdate.set(`${P}/json`, diffusion.datatypes.json(), { bid: 1.5, sym: 'ABC' });
  watch(b, 'b', events);
  await b.select(`>${P}/json`);
  await b.select(`*${P}/s.*`);
  await b.select(`#>${P}/json////*${P}/s.*`);
  await sleep(300);
  for (const bid of [2.5, 3.5]) {
    await b.topicUpdate.set(`${P}/json`, diffusion.datatypes.json(), { bid, sym: 'ABC' });
  }
  const values = { string: 'hello', int: 42, double: 2.5, binary: Buffer.from('raw') };
  for (const [topic, v] of Object.entries(values)) {
    const [dt, tt] = NAMED[topic];
    const value = topic === 'binary' ? dt.from(v) : v;
    await added(`${P}/${topic}`, b.topicUpdate.set(`${P}/${topic}`, dt, value, { specification: spec(tt) }));
  }
  await b.topicUpdate.set(`${P}/string`, diffusion.datatypes.string(), 'world');
  await sleep(500);
  const removed = await b.topics.remove(`?${P}/(int|double)`);
  console.log('removed', removed.removedCount);
  await sleep(300);

  const seen = {};
  a.addStream(`?${P}/load/`, diffusion.datatypes.json()).on('value', (path, s, v) => {
    (seen[path] = seen[path] || []).push(v.get().n);
  });
  await a.select(`?${P}/load/`);
  const paths = Array.from({ length: 100 }, (_, i) => `${P}/load/${i}`);
  const json = diffusion.datatypes.json();
  await Promise.all(paths.map((p) => b.topicUpdate.set(p, json, { n: 0 }, { specification: spec(TopicType.JSON) })));
  for (let n = 1; n < 100; n++) {
    await Promise.all(paths.map((p) => b.topicUpdate.set(p, json, { n })));
  }
  for (let i = 0; i < 200; i++) {
    if (Object.values(seen).reduce((s, v) => s + v.length, 0) >= 100 * 100) break;
    await sleep(50);
  }
  for (const p of paths) {
    const got = seen[p] || [];
    const inOrder = got.length === 100 && got.every((n, i) => n === i);
    console.log('load', p, got.length, inOrder ? 'True' : 'False');
  }
  a.close();
  b.close();
  for (const e of events) console.log(e);
}

main().then(() => process.exit(0), (e) => { console.error('FAILED', e); process.exit(1); });
