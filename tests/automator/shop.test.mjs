// The npm client `miniprogram-automator` drives the example shop through `capsule automator`.
// CAPSULE_BIN names the capsule binary (.ci/run builds it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import automator from 'miniprogram-automator';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = process.env.CAPSULE_BIN || path.join(root, 'target/release/capsule');
const port = 9420 + (process.pid % 500);
let server;
let miniProgram;

before(async () => {
  server = spawn(bin, ['automator', path.join(root, 'examples/shop'), '--port', String(port)], { stdio: ['ignore', 'inherit', 'pipe'] });
  await new Promise((resolve, reject) => {
    server.stderr.on('data', (chunk) => { if (String(chunk).includes('automation on')) resolve(); });
    server.on('exit', (code) => reject(new Error(`capsule automator exited with ${code}`)));
  });
  miniProgram = await automator.connect({ wsEndpoint: `ws://127.0.0.1:${port}` });
});

after(async () => {
  if (miniProgram) miniProgram.disconnect();
  server.kill();
});

test('current page, data, elements and text', async () => {
  const page = await miniProgram.currentPage();
  assert.equal(page.path, 'pages/index/index');
  const data = await page.data();
  assert.equal(data.total, data.shown.length);
  const cards = await page.$$('product-card');
  assert.ok(cards.length >= 2);
  const title = await cards[0].$('.card-title');
  assert.equal(await title.text(), data.shown[0].title);
  assert.equal(await page.$('.no-such-thing'), null);
  const footer = await page.$('.footer');
  assert.match(await footer.text(), /of \d+ products/);
  assert.match(await footer.outerWxml(), /^<view class="footer">/);
});

test('custom components: data, setData, callMethod', async () => {
  const page = await miniProgram.currentPage();
  const card = await page.$('product-card');
  const product = await card.data('product');
  assert.equal(typeof product.id, 'string');
  await card.setData({ product: { ...product, title: 'Renamed' } });
  assert.equal(await (await card.$('.card-title')).text(), 'Renamed');
});

test('typing filters through setData; page.callMethod and setData', async () => {
  const page = await miniProgram.currentPage();
  const input = await page.$('.search-input');
  await input.input('zzz');
  assert.equal(await input.value(), 'zzz');
  await page.waitFor('.empty');
  assert.match(await (await page.$('.empty')).text(), /No products match/);
  await page.callMethod('onPullDownRefresh');
  assert.equal((await page.data('keyword')), '');
  await page.setData({ keyword: 'direct' });
  assert.equal(await page.data('keyword'), 'direct');
});

test('wx methods: call, mock, restore, evaluate', async () => {
  await miniProgram.callWxMethod('setStorageSync', 'greeting', 'hello');
  assert.equal(await miniProgram.callWxMethod('getStorageSync', 'greeting'), 'hello');
  await miniProgram.mockWxMethod('getStorageSync', 'mocked');
  assert.equal(await miniProgram.callWxMethod('getStorageSync', 'greeting'), 'mocked');
  await miniProgram.restoreWxMethod('getStorageSync');
  assert.equal(await miniProgram.callWxMethod('getStorageSync', 'greeting'), 'hello');
  const info = await miniProgram.systemInfo();
  assert.equal(typeof info.windowWidth, 'number');
  assert.equal(await miniProgram.evaluate((a, b) => a + b, 2, 3), 5);
});

test('taps, navigation and the page stack', async () => {
  let page = await miniProgram.currentPage();
  const add = await (await page.$('product-card')).$('.card-add');
  await add.tap();
  const detail = await miniProgram.navigateTo('/packageProduct/pages/detail/detail?id=p1');
  assert.equal(detail.path, 'packageProduct/pages/detail/detail');
  assert.equal(detail.query.id, 'p1');
  assert.equal((await miniProgram.pageStack()).length, 2);
  page = await miniProgram.navigateBack();
  assert.equal(page.path, 'pages/index/index');
  const cart = await miniProgram.switchTab('/pages/cart/cart');
  assert.equal(cart.path, 'pages/cart/cart');
  const lines = await cart.data('lines');
  assert.ok(lines.length >= 1);
});
