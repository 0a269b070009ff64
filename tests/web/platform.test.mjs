// The open platform in Chromium, end to end: a person signs up in the host, opens a
// mini-program and logs in to it; the developer's server (this test, over HTTP) trades the
// code with jscode2session; the page is shared (its QR code and link), posted as a video with
// its anchor ("Make a video" asks for channel 'video'), scanned from a picture by the host's
// scanner and by tt.scanCode, and its link lands on the platform page that opens it in the
// host. The Toutiao-style host runs the same release.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { baseUrl, dataDir, newPage, root, shots, signUpInSheet, startHost } from './harness.mjs';

startHost();

const SHOP = 'tt0000000000shop';
const TICKETS = 'tt00000000ticket';
const work = mkdtempSync(path.join(tmpdir(), 'capsule-platform-'));

function secretOf(appid) {
  return JSON.parse(readFileSync(path.join(dataDir(), 'demo-secrets.json'), 'utf8'))[appid].secret;
}

/** What a developer's server does: POST JSON to the open API. */
async function openApi(route, body) {
  const response = await fetch(baseUrl() + route, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return response;
}

/** The open API's PNG QR code of a tickets page, saved as a picture to scan. */
async function ticketsCodePicture(page) {
  const token = await (await openApi('/api/apps/v2/token', { appid: TICKETS, secret: secretOf(TICKETS), grant_type: 'client_credential' })).json();
  assert.equal(token.err_no, 0, JSON.stringify(token));
  const png = await openApi('/api/apps/qrcode', {
    access_token: token.data.access_token, appname: 'douyin', path: encodeURIComponent(page), width: 430,
  });
  assert.equal(png.headers.get('content-type'), 'image/png');
  const file = path.join(work, 'code.png');
  writeFileSync(file, Buffer.from(await png.arrayBuffer()));
  return file;
}

test('sign up, log in to a mini-program, and the developer server trades the code', async () => {
  const page = await newPage();
  const logs = [];
  page.on('console', (message) => logs.push(message.text()));
  await page.getByRole('button', { name: 'Profile' }).click();
  await page.getByRole('button', { name: 'Log in' }).click();
  const sheet = page.getByRole('dialog', { name: 'Log in' });
  await sheet.getByLabel('Username').fill('traveller');
  await sheet.getByLabel('Password').fill('correct horse');
  await sheet.getByRole('button', { name: 'Sign up' }).click();
  await page.getByText('Logged in as traveller').waitFor();

  await page.getByRole('button', { name: 'Home' }).click();
  await page.getByRole('button', { name: /Capsule Shop/ }).first().click();
  const shop = page.getByRole('dialog', { name: 'Capsule Shop' });
  await shop.locator('.tabbar').getByRole('button', { name: 'Me', exact: true }).click();
  await shop.getByRole('button', { name: 'Log in' }).click();
  // Logged in to the host already: no sheet, the code comes at once.
  await shop.getByText('Logged in').waitFor();
  const code = logs.map((text) => /login code for the shop server: (\w+)/.exec(text)).find(Boolean)[1];

  const traded = await (await openApi('/api/apps/v2/jscode2session', { appid: SHOP, secret: secretOf(SHOP), code })).json();
  assert.equal(traded.err_no, 0, JSON.stringify(traded));
  assert.match(traded.data.openid, /^_000/);
  assert.ok(traded.data.unionid && traded.data.session_key);
  const again = await (await openApi('/api/apps/v2/jscode2session', { appid: SHOP, secret: secretOf(SHOP), code })).json();
  assert.notEqual(again.err_no, 0);
  await page.context().close();
});

test('share a page, post it as a video, scan its code, land on it', async () => {
  const page = await newPage();
  await page.getByRole('button', { name: /Cinema Tickets/ }).first().click();
  const tickets = page.getByRole('dialog', { name: 'Cinema Tickets' });
  await tickets.locator('.film').first().click();
  await tickets.getByText('min · score 8.7').waitFor();

  // Share from the capsule menu: the page's code and its platform link.
  await tickets.getByRole('button', { name: 'More' }).click();
  await tickets.getByRole('menuitem', { name: 'Share' }).click();
  const share = tickets.getByRole('dialog', { name: 'Share Cinema Tickets' });
  const link = await share.getByRole('textbox', { name: 'Share link' }).inputValue();
  assert.equal(link, `${baseUrl()}/s/${TICKETS}?host=douyin&path=pages/film/film&query=id%3Df1`);
  await page.waitForFunction(() => document.querySelector('.share-code img')?.naturalWidth > 0, null, { polling: 100 });
  await page.screenshot({ path: path.join(shots, 'platform-share.png') });
  await share.getByRole('button', { name: 'Done' }).click();

  // "Make a video" answers channel 'video': the host posts a video carrying the page. Posting
  // needs an account: the host asks first.
  await tickets.getByRole('button', { name: 'Make a video' }).click();
  await signUpInSheet(page, 'filmfan');
  const post = page.getByRole('dialog', { name: 'Post a video' });
  await post.getByText('Mini-program: Cinema Tickets · The Grinch').waitFor();
  await post.getByLabel('Video file').setInputFiles(path.join(root, 'web/media/night-sky.mp4'));
  await post.getByLabel('Caption').fill('Saw it twice already');
  await post.getByRole('button', { name: 'Post' }).click();
  await post.waitFor({ state: 'detached' });
  await tickets.getByRole('button', { name: 'Close' }).dispatchEvent('click');
  await tickets.waitFor({ state: 'detached' });
  const posted = page.getByRole('article', { name: '@filmfan: Saw it twice already' });
  await posted.getByRole('button', { name: 'Cinema Tickets: The Grinch' }).click();
  await tickets.getByText('min · score 8.7').waitFor();
  await tickets.getByRole('button', { name: 'Close' }).dispatchEvent('click');
  await tickets.waitFor({ state: 'detached' });

  // The host's scanner reads a picture of the open API's code and opens that page.
  const picture = await ticketsCodePicture('pages/film/film?id=f2');
  await page.getByRole('button', { name: 'Scan' }).click();
  await page.getByRole('dialog', { name: 'Scan with Douyin' }).getByLabel('Choose a picture with a QR code').setInputFiles(picture);
  const scanned = page.getByRole('dialog', { name: 'Cinema Tickets' });
  await scanned.getByText('min · score 7.9').waitFor();

  // tt.scanCode in the mini-program: the host's scanner answers with the code's text.
  await scanned.getByRole('button', { name: 'Scan a code' }).click();
  await page.getByRole('dialog', { name: 'Scan a QR code' }).getByLabel('Choose a picture with a QR code').setInputFiles(picture);
  await scanned.getByText(`Scanned: ${baseUrl()}/s/${TICKETS}?host=douyin&path=pages/film/film&query=id%3Df2`).waitFor();
  await page.screenshot({ path: path.join(shots, 'platform-scan-code.png') });

  // The shared link, reached from an ordinary browser: the platform's page, then the host.
  await page.goto(link);
  await page.getByRole('heading', { name: 'Cinema Tickets' }).waitFor();
  await page.getByRole('link', { name: 'Open in Douyin' }).click();
  await page.getByRole('dialog', { name: 'Cinema Tickets' }).getByText('min · score 8.7').waitFor();
  await page.context().close();
});

test('the Toutiao-style host runs the same release', async () => {
  const page = await newPage();
  await page.goto(baseUrl() + '/toutiao/');
  assert.equal(await page.title(), 'Toutiao · Capsule');
  await page.getByRole('main', { name: 'Recommended' }).waitFor();
  await page.getByRole('button', { name: 'Mini Programs' }).click();
  await page.getByRole('button', { name: 'Open Capsule Shop' }).first().click();
  const shop = page.getByRole('dialog', { name: 'Capsule Shop' });
  await shop.getByText('Ceramic mug').waitFor();
  await page.screenshot({ path: path.join(shots, 'toutiao-shop.png') });
  await page.context().close();
});
