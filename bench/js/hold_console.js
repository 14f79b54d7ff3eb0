// Holds the worker's /ui console open in headless Chromium (Debian's, through
// playwright-core) as a person watching it would: the charts over the last minute, the
// Diffusion tree opened to kafka/price. For the console suite, which measures what the
// open page costs the worker. Usage: hold_console.js URL SECONDS
const { chromium } = require("playwright-core");

const [url, seconds] = process.argv.slice(2);

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.DKC_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
  const page = await browser.newPage();
  await page.goto(url);
  await page.selectOption("#window", "60000", { timeout: 30000 });
  await page.click('li[data-path="kafka"] > .row', { timeout: 30000 });
  await page.waitForSelector('li[data-path="kafka/price"] > .row .value', { timeout: 30000 });
  await page.click('li[data-path="kafka/price"] > .row');
  console.log("open");
  await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
  await browser.close();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
