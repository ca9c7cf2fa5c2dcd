#!/usr/bin/env node
// Runs axe-core's WCAG 2 A and AA rules on each page given as a URL, in Debian's Chromium
// driven by puppeteer-core, and prints the violations as JSON on standard output.
//
//   node tests/support/axe.js http://127.0.0.1:8080/ http://127.0.0.1:8080/2024/05/01/post/
//
// With ROUNDTABLE_AXE_COOKIE=name=value in the environment, the browser sends that cookie (an
// editor's session, say) to every http:// page it checks.
//
// Exit status: 0 when no page has a violation, 1 when one has, 2 when the check itself failed.
// Needs the global npm packages `axe-core` and `puppeteer-core` (scripts/test installs them);
// they are found through NODE_PATH or, failing that, `npm root -g`.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

function requireGlobal(name) {
  try {
    return require(name);
  } catch (_) {
    const root = execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim();
    return require(path.join(root, name));
  }
}

function axeSource() {
  const dir = process.env.ROUNDTABLE_TEST_AXE_DIR;
  if (dir) {
    return fs.readFileSync(path.join(dir, 'axe.min.js'), 'utf8');
  }
  const axe = requireGlobal('axe-core');
  return axe.source;
}

async function main() {
  const urls = process.argv.slice(2);
  if (urls.length === 0) {
    console.error('usage: axe.js URL...');
    process.exit(2);
  }
  const puppeteer = requireGlobal('puppeteer-core');
  const source = axeSource();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'roundtable-axe-'));
  const browser = await puppeteer.launch({
    executablePath: process.env.ROUNDTABLE_TEST_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    userDataDir: profile,
    // Without these Chromium refuses to run as root or tries to reach the internet.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const report = [];
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const cookie = process.env.ROUNDTABLE_AXE_COOKIE;
    for (const url of urls) {
      if (cookie && url.startsWith('http')) {
        const at = cookie.indexOf('=');
        await page.setCookie({ name: cookie.slice(0, at), value: cookie.slice(at + 1), url });
      }
      const response = await page.goto(url, { waitUntil: 'load', timeout: 60000 });
      // Error pages are pages too: check them whatever their status.
      if (!response) {
        throw new Error(`${url} answered nothing`);
      }
      // A signed-in check that lands on the sign-in page would check the wrong page.
      if (cookie && response.request().redirectChain().length > 0) {
        throw new Error(`${url} sent the browser on to ${page.url()}: is the cookie a session?`);
      }
      await page.evaluate(source);
      const result = await page.evaluate(() =>
        // eslint-disable-next-line no-undef
        axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'], resultTypes: ['violations'] }),
      );
      report.push({
        url,
        status: response.status(),
        violations: result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          helpUrl: v.helpUrl,
          nodes: v.nodes.map((n) => ({
            target: n.target,
            html: n.html,
            summary: n.failureSummary,
          })),
        })),
      });
    }
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(JSON.stringify(report, null, 2));
  process.exit(report.some((page) => page.violations.length > 0) ? 1 : 0);
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(2);
});
