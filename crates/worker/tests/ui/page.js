// Opens the worker's /ui page in headless Chromium (Debian's, driven by playwright-core)
// and prints what a person would see: the connectors' states and the successive values of
// the kafka/price topic (its node opened in the tree). Usage: page.js URL
const { chromium } = require("playwright-core");

const url = process.argv[2];

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.DKC_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
  const page = await browser.newPage();
  await page.goto(url);
  await page.click('li[data-path="kafka"] > .row', { timeout: 30000 });
  const cell = 'li[data-path="kafka/price"] > .row .value';
  await page.waitForSelector(cell, { timeout: 30000 });
  // Each change of the cell, as the page shows it: the price and how long after it was
  // produced in Kafka it became visible (the demo stamps each price with "ts").
  await page.evaluate((sel) => {
    window.__changes = [];
    const target = document.querySelector(sel);
    new MutationObserver(() => {
      window.__changes.push({ text: target.textContent, at: Date.now() });
    }).observe(target, { childList: true, characterData: true, subtree: true });
  }, cell);
  await page.waitForFunction(() => window.__changes.length >= 10, null, { timeout: 30000 });
  const changes = await page.evaluate(() => window.__changes);
  const values = changes.slice(0, 3).map((c) => c.text);
  const delays = changes.map((c) => c.at - JSON.parse(c.text).ts).sort((a, b) => a - b);
  await page.waitForFunction(
    () => document.querySelectorAll(".connector[data-connector] .state.RUNNING").length === 2,
    null,
    { timeout: 30000 },
  );
  const connectors = await page.$$eval(".connector[data-connector]", (rows) =>
    rows.map((r) => `${r.dataset.connector} ${r.querySelector(".state").textContent}`),
  );
  console.log(JSON.stringify({
    values: values.map((v) => JSON.parse(v)),
    connectors,
    visible_after_ms: { median: delays[Math.floor(delays.length / 2)], max: delays[delays.length - 1] },
  }));
  await browser.close();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
