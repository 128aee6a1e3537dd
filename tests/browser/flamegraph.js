// Opens a flame graph SVG in headless Chromium as a person would, and reports as JSON what they
// would see: a screenshot, the details line when a frame is hovered, the frame's width before and
// after a click (zoom) and after "Reset zoom", and the line a search shows.
//   node flamegraph.js GRAPH.svg SCREENSHOT.png FUNCTION
// FUNCTION is a function the graph must hold: the frame hovered, clicked and searched for.
// Run by tests/Integration/FlamegraphTests.cs, with NODE_PATH set to where ./test installed
// playwright-core (tests/browser/package.json); the browser is Debian's, never a download.
'use strict';
const path = require('path');
const { pathToFileURL } = require('url');
const { chromium } = require('playwright-core');

// Nothing that reaches out: the graph is a local file and must need nothing else.
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function main() {
  const [graph, screenshot, name] = process.argv.slice(2);
  if (!graph || !screenshot || !name) throw new Error('usage: node flamegraph.js GRAPH.svg SCREENSHOT.png FUNCTION');
  const browser = await chromium.launch({
    executablePath: process.env.HOST_TEST_CHROMIUM || '/usr/bin/chromium',
    args: chromiumArgs,
  });
  try {
    // Twice the pixels, as on a high-density screen: sharper text for the OCR of the screenshot.
    const page = await browser.newPage({ viewport: { width: 1200, height: 600 }, deviceScaleFactor: 2 });
    const errors = [];
    const requests = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
    page.on('request', (request) => { if (!request.url().startsWith('file:')) requests.push(request.url()); });
    await page.goto(pathToFileURL(path.resolve(graph)).href);
    // The window made the SVG's own size: Playwright's fullPage waits forever on an SVG document.
    const size = await page.evaluate(() => ({
      width: Math.ceil(document.documentElement.width.baseVal.value),
      height: Math.ceil(document.documentElement.height.baseVal.value),
    }));
    await page.setViewportSize(size);
    await page.screenshot({ path: screenshot });

    // By attribute value, not a CSS selector: a function's name may hold anything.
    const frames = page.locator('g.frame').filter({ has: page.locator('rect') });
    const all = await frames.evaluateAll((gs, wanted) => gs
      .map((g, i) => ({ i, name: g.getAttribute('data-name') }))
      .filter((f) => f.name === wanted)
      .map((f) => f.i), name);
    const result = { frames: await frames.count(), named: all.length, errors, requests };
    if (all.length === 0) {
      console.log(JSON.stringify(result));
      return;
    }
    const frame = frames.nth(all[0]);
    const rect = frame.locator('rect');
    const width = async () => Number(await rect.getAttribute('width'));

    result.details = await page.textContent('#details');
    await rect.hover();
    result.hovered = await page.textContent('#details');
    result.widthBefore = await width();
    await rect.click();
    result.widthZoomed = await width();
    result.resetShown = await page.isVisible('#reset-zoom');
    // The pointer off the graph: the details line back to its hint, so the name is read from the frame.
    await page.mouse.move(0, 0);
    await page.screenshot({ path: screenshot.replace(/\.png$/, '') + '-zoomed.png' });
    await page.click('#reset-zoom');
    result.widthReset = await width();

    // The search box, reached as a person would: "/" focuses it, then the term is typed.
    await page.keyboard.press('/');
    await page.keyboard.type(name);
    result.matched = await page.textContent('#matched');
    result.matchedFrames = await page.locator('g.frame.match').count();
    await page.screenshot({ path: screenshot.replace(/\.png$/, '') + '-search.png' });
    console.log(JSON.stringify(result));
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
