// Interoperation with our Rust client, with the official JavaScript SDK on the other side:
// the same two phases and output as interop.py. Usage: node interop.js URL PREFIX
const diffusion = require('diffusion');

const [url, P] = process.argv.slice(2);
const { hostname, port } = new URL(url);

function plain(v) {
  const x = v && typeof v.get === 'function' ? v.get() : v;
  return ArrayBuffer.isView(x) ? Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString() : x;
}

function sorted(v) {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])]));
  return v;
}

async function main() {
  const s = await diffusion.connect({ host: hostname, port: Number(port), secure: false, principal: 'admin', credentials: 'password', reconnect: false });
  const types = { json: diffusion.datatypes.json(), string: diffusion.datatypes.string(), int: diffusion.datatypes.int64(), double: diffusion.datatypes.double(), binary: diffusion.datatypes.binary() };
  let finish;
  const done = new Promise((r) => { finish = r; });
  for (const [name, dt] of Object.entries(types)) {
    s.addStream(`>${P}/rs/${name}`, dt).on('value', (path, spec, v) => {
      const x = plain(v);
      console.log('val', path, JSON.stringify(sorted(x)));
      if (name === 'json' && x.n === 19) finish();
    });
  }
  await s.select(`?${P}/rs/`);
  const TopicSpecification = diffusion.topics.TopicSpecification;
  const TopicType = diffusion.topics.TopicType;
  await s.topicUpdate.set(`${P}/ready`, types.string, 'javascript', { specification: new TopicSpecification(TopicType.STRING) });
  await Promise.race([done, new Promise((_, no) => setTimeout(() => no(new Error('no final value')), 30000))]);
  const jsonSpec = { specification: new TopicSpecification(TopicType.JSON) };
  for (let n = 0; n < 20; n++) {
    await s.topicUpdate.set(`${P}/py/json`, types.json, { n, pad: 'p'.repeat(300) }, jsonSpec);
  }
  await s.topicUpdate.set(`${P}/py/string`, types.string, 'from javascript', { specification: new TopicSpecification(TopicType.STRING) });
  s.close();
}

main().then(() => process.exit(0), (e) => { console.error('FAILED', e); process.exit(1); });
