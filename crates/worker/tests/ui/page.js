// Opens the worker's /ui page in headless Chromium (Debian's, driven by playwright-core)
// and prints what a person would see: the connectors' states and the successive values of
// the kafka/price row. Usage: page.js URL
const { chromium } = require("playwright-core");

const url = process.argv[2];

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.DKC_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
  const page = await browser.newPage();
  await page.goto(url);
  const cell = 'tr[data-path="kafka/price"] td.value';
  await page.waitForSelector(cell, { timeout: 30000 });
  const values = [];
  const start = Date.now();
  while (values.length < 3 && Date.now() - start < 30000) {
    const v = await page.textContent(cell);
    if (values[values.length - 1] !== v) values.push(v);
    await page.waitForTimeout(20);
  }
  await page.waitForFunction(
    () => document.querySelectorAll("#connectors tr[data-connector] .state.RUNNING").length === 2,
    null,
    { timeout: 30000 },
  );
  const connectors = await page.$$eval("#connectors tr[data-connector]", (rows) =>
    rows.map((r) => `${r.dataset.connector} ${r.querySelector(".state").textContent}`),
  );
  console.log(JSON.stringify({ values: values.map((v) => JSON.parse(v)), connectors }));
  await browser.close();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
