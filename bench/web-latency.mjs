// Browser latency of the host web app, measured in Debian's Chromium against `capsule serve`
// on loopback: opening a mini-program (anchor tap to its first paint) and a tap-like event
// (typing in the shop's search box to the patched frame being painted). Prints p50/p95.
//
//   (cd tests/web && npm ci) && cargo build --release -p capsule-cli && \
//     node bench/web-latency.mjs target/release/capsule [ROUNDS]
import { spawn } from 'node:child_process';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from '../tests/web/node_modules/playwright-core/index.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = process.argv[2] || path.join(root, 'target/release/capsule');
const rounds = Number(process.argv[3] || 40);

const server = spawn(bin, ['serve', '--bind', '127.0.0.1:0', '--examples', path.join(root, 'examples'), '--data-dir', mkdtempSync(path.join(tmpdir(), 'capsule-'))], { stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((resolve) => server.stdout.on('data', (c) => {
  const m = /http:\/\/127\.0\.0\.1:\d+/.exec(String(c));
  if (m) resolve(m[0]);
}));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-background-networking'] });
const page = await browser.newPage({ viewport: { width: 400, height: 760 } });
await page.goto(base + '/');
await page.getByRole('button', { name: /Capsule Shop/ }).first().waitFor();

// In the page: time from a click on the anchor until the frame after the mini-program's
// content is in the DOM.
async function openOnce() {
  return page.evaluate(() => new Promise((resolve) => {
    const start = performance.now();
    const containers = document.getElementById('containers');
    const observer = new MutationObserver(() => {
      const pageElement = containers.querySelector('.page');
      const content = pageElement && pageElement.shadowRoot && pageElement.shadowRoot.querySelector('wx-product-card');
      if (content) {
        observer.disconnect();
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start), 0));
      }
    });
    observer.observe(containers, { childList: true, subtree: true });
    document.querySelector('.anchor').click();
  }));
}

async function closeAll() {
  await page.evaluate(() => {
    for (const c of document.querySelectorAll('.container .close')) c.click();
  });
  await page.waitForFunction(() => document.querySelectorAll('.container').length === 0);
}

// In the page: time from an input event until the frame after its patches are applied.
async function typeOnce(value) {
  return page.evaluate((value) => new Promise((resolve) => {
    const pageElement = document.querySelector('.container .page:not([hidden])');
    const host = pageElement.shadowRoot.querySelector('wx-input');
    const root = pageElement.shadowRoot.querySelector('wx-page');
    const start = performance.now();
    const observer = new MutationObserver(() => {
      observer.disconnect();
      requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start), 0));
    });
    observer.observe(root, { childList: true, subtree: true, characterData: true, attributes: true });
    host.field.value = value;
    host.field.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  }), value);
}

// Reference, in the same run: a change made by the page itself (no server) until its frame is
// painted: the floor that frame timing puts under any event-to-paint figure.
async function localOnce() {
  return page.evaluate(() => new Promise((resolve) => {
    const root = document.querySelector('.container .page:not([hidden])').shadowRoot.querySelector('wx-page');
    const start = performance.now();
    root.dataset.tick = String(start);
    requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start), 0));
  }));
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

const opens = [];
for (let i = 0; i < rounds; i++) {
  opens.push(await openOnce());
  await closeAll();
}
await openOnce();
const events = [];
const local = [];
for (let i = 0; i < rounds; i++) {
  events.push(await typeOnce(i % 2 === 0 ? 'zzz' : ''));
  local.push(await localOnce());
}

const row = (name, values, target) =>
  `| ${name} | ${values.length} | ${percentile(values, 50).toFixed(1)} ms | ${percentile(values, 95).toFixed(1)} ms | ${target} |`;
console.log('| measure | rounds | p50 | p95 | target |');
console.log('|---|---|---|---|---|');
console.log(row('open: anchor tap → first paint of the mini-program', opens, 'under 100 ms'));
console.log(row('event: input → patched frame painted', events, 'under 30 ms'));
console.log(row('reference: a local DOM change → frame painted', local, ''));
await browser.close();
server.kill();
