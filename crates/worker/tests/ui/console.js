// Drives the worker's /ui console in headless Chromium (Debian's, through playwright-core)
// as a person would, saves screenshots, and prints what it saw as one JSON line.
//   console.js demo URL DIR   the demo: charts fill, pausing the sink from the page stops
//                             kafka/price and its chart drops to 0, resuming brings it
//                             back, a bad key shows its error inline, the tree opens to a
//                             live value, a selector narrows it; the created connector,
//                             edited to a wrong password, fails with its trace shown, and
//                             is deleted.
//   console.js auth URL DIR USER PASSWORD
//                             a worker with REST basic auth: the page asks, then works
//                             (its topic stream too).
const path = require("path");
const { chromium } = require("playwright-core");

const [mode, url, dir, user, password] = process.argv.slice(2);
const seen = { screenshots: [] };
const T = { timeout: 60000 };

async function shot(page, name) {
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  seen.screenshots.push(file);
}

// The named chart's dataset (points, lastIn, lastOut, ...).
function chart(page, connector, name) {
  return page.$eval(`.connector[data-connector="${connector}"] .chart[data-chart="${name}"]`, (c) => ({ ...c.dataset }));
}

async function demo(page) {
  const sink = '.connector[data-connector="DiffusionSinkConnector"]';
  const rate = `${sink} .chart[data-chart="rate"]`;
  // The charts fill while the demo runs (the sink delivers once its consumer has joined
  // its group: some seconds of latency charted).
  await page.selectOption("#window", "60000");
  await page.waitForFunction((sel) => {
    const c = document.querySelector(sel);
    return c && Number(c.dataset.points) >= 10 && Number(c.dataset.lastIn) > 0 && Number(c.dataset.lastOut) > 0;
  }, rate, T);
  await page.waitForFunction((sel) => Number(document.querySelector(sel).dataset.points) >= 10, `${sink} .chart[data-chart="latency"]`, T);
  seen.running = {
    rate: await chart(page, "DiffusionSinkConnector", "rate"),
    latency: await chart(page, "DiffusionSinkConnector", "latency"),
    source: await chart(page, "DiffusionSourceConnector", "rate"),
  };

  // The tree: open kafka, see price change, select it for its pretty value.
  await page.click('li[data-path="kafka"] > .row', T);
  const value = 'li[data-path="kafka/price"] > .row .value';
  await page.waitForSelector(value, T);
  const first = await page.textContent(value);
  await page.waitForFunction(([sel, v]) => document.querySelector(sel).textContent !== v, [value, first], T);
  await page.click('li[data-path="kafka/price"] > .row');
  await page.waitForFunction(() => document.getElementById("detail-value").textContent.includes('"symbol": "ACME"'), null, T);
  seen.tree = {
    value: JSON.parse(await page.textContent(value)),
    type: await page.textContent('li[data-path="kafka/price"] > .row .type'),
    rate: await page.textContent('li[data-path="kafka/price"] > .row .rate'),
    detail: await page.textContent("#detail-value"),
  };
  // Pointing at a chart reads its values at that moment.
  await page.hover(`${rate} svg`);
  seen.hover_legend = await page.$$eval(`${rate} .legend span`, (items) => items.map((i) => i.textContent));
  await shot(page, "running");

  // Pause the sink from the page: its state, its chart at 0, and kafka/price frozen.
  await page.click(`${sink} button[data-action="pause"]`);
  await page.waitForFunction((sel) => document.querySelector(sel).dataset.state === "PAUSED", sink, T);
  await page.waitForFunction((sel) => {
    const c = document.querySelector(sel).dataset;
    return c.lastIn === "0" && c.lastOut === "0";
  }, rate, T);
  await page.waitForTimeout(1500);
  const frozen = await page.textContent(value);
  await page.waitForTimeout(3000);
  seen.paused = {
    state: await page.$eval(sink, (c) => c.dataset.state),
    rate: await chart(page, "DiffusionSinkConnector", "rate"),
    price_changed_while_paused: (await page.textContent(value)) !== frozen,
  };
  await shot(page, "paused");

  // Resume: data flows again.
  await page.click(`${sink} button[data-action="resume"]`);
  await page.waitForFunction((sel) => Number(document.querySelector(sel).dataset.lastIn) > 0, rate, T);
  await page.waitForFunction(([sel, v]) => document.querySelector(sel).textContent !== v, [value, frozen], T);
  seen.resumed = await chart(page, "DiffusionSinkConnector", "rate");

  // A new connector from the sample sink with a bad value: the key's error shows inline.
  await page.click("#new-connector");
  await page.waitForSelector('#config-rows tr[data-key="topics"]', T);
  seen.sample_keys = await page.$$eval("#config-rows tr", (rows) => rows.map((r) => r.dataset.key));
  await page.fill("#connector-name", "console-created");
  await page.click("#add-key");
  const row = "#config-rows tr:last-child";
  await page.fill(`${row} .key`, "errors.tolerance");
  await page.fill(`${row} .val`, "sometimes");
  await page.click("#validate");
  const error = '#config-rows tr[data-key="errors.tolerance"] .key-error';
  await page.waitForFunction((sel) => document.querySelector(sel) && document.querySelector(sel).textContent !== "", error, T);
  seen.invalid = {
    error: await page.textContent(error),
    message: await page.textContent("#editor-message"),
    others_with_errors: await page.$$eval("#config-rows tr.invalid", (rows) => rows.map((r) => r.dataset.key)),
  };
  await shot(page, "invalid-config");
  // Corrected, it is created (publishing under console/ rather than over kafka/price).
  await page.fill(`${row} .val`, "all");
  await page.fill('#config-rows tr[data-key="diffusion.destination"] .val', "console/${topic}");
  await page.click("#save");
  await page.waitForSelector('.connector[data-connector="console-created"] .state.RUNNING', T);
  seen.created = true;

  // Edited from the page to a wrong Diffusion password: its task fails, the trace shows.
  const created = '.connector[data-connector="console-created"]';
  await page.click(`${created} button[data-action="edit"]`);
  const password = '#editor[open] #config-rows tr[data-key="diffusion.password"] .val';
  await page.waitForSelector(password, T);
  await page.fill(password, "wrong");
  await page.click("#save");
  await page.waitForSelector(`${created} .trace`, T);
  seen.failed = {
    state: await page.textContent(`${created} .state`),
    trace: await page.textContent(`${created} .trace`),
  };
  await shot(page, "failed");
  // Deleted (the button asks again, inline).
  await page.click(`${created} button[data-action="delete"]`);
  await page.click(`${created} button[data-action="delete"]`);
  await page.waitForSelector(created, { state: "detached", timeout: 30000 });
  seen.deleted = true;

  // A selector narrows the tree.
  await page.fill("#selector", "?source//");
  await page.click('#topic-search button[type="submit"]');
  await page.waitForFunction(() => document.getElementById("topics-status").textContent.includes("match"), null, T);
  seen.search = {
    status: await page.textContent("#topics-status"),
    shown: await page.$$eval("#tree li[data-path]", (lis) => lis.map((l) => l.dataset.path)),
  };
  await shot(page, "search");
}

async function auth(page) {
  await page.waitForSelector("#login[open]", T);
  await shot(page, "sign-in");
  await page.fill("#login-user", user);
  await page.fill("#login-password", password);
  await page.click('#login-form button[type="submit"]');
  await page.waitForFunction(() => document.getElementById("version").textContent.startsWith("v"), null, T);
  seen.signed_in = await page.isHidden("#sign-in");
  seen.empty = await page.isVisible("#connectors-empty");
  // The stream of topic values carries the credentials as well.
  await page.click('li[data-path="auth"] > .row', T);
  await page.waitForSelector('li[data-path="auth/check"] > .row .value', T);
  seen.topic = JSON.parse(await page.textContent('li[data-path="auth/check"] > .row .value'));
  await shot(page, "signed-in");
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.DKC_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const requests = new Set();
  page.on("request", (r) => requests.add(new URL(r.url()).origin));
  page.on("pageerror", (e) => { seen.page_errors = (seen.page_errors || []).concat(String(e)); });
  await page.goto(url);
  if (mode === "demo") await demo(page);
  else await auth(page);
  // Every request went to the worker.
  seen.origins = [...requests];
  console.log(JSON.stringify(seen));
  await browser.close();
})().catch((e) => {
  console.error(e);
  console.log(JSON.stringify(seen));
  process.exit(1);
});
