// The developer console in Chromium: a developer signs up, creates an organisation and a
// mini-program (its AppSecret shown once), uploads a package whose page fails the checks and
// one built from examples/shop that passes, submits it; an operator of the organisation
// refuses to reject without a reason, then approves; the owner releases it to everyone and
// the release channel (and the host's list) shows it; then a trial version and tester, changed
// settings, a PNG icon, a new secret (shown once too) and unpublishing. API errors appear as alerts.
// CAPSULE_BIN names the capsule binary; CHROMIUM the browser (Debian's by default).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { baseUrl, newPage, root, shots, startHost } from './harness.mjs';

startHost();

const bin = process.env.CAPSULE_BIN || path.join(root, 'target/release/capsule');
const work = mkdtempSync(path.join(tmpdir(), 'capsule-console-'));

/** `capsule build DIR -o FILE`: the package a developer uploads. */
function build(dir, name) {
  const file = path.join(work, name);
  execFileSync(bin, ['build', dir, '-o', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  return file;
}

/** A one-page project whose page throws while loading: it builds, but fails the checks. */
function brokenProject() {
  const dir = path.join(work, 'broken');
  mkdirSync(path.join(dir, 'pages/index'), { recursive: true });
  writeFileSync(path.join(dir, 'app.json'), '{"pages": ["pages/index/index"]}');
  writeFileSync(path.join(dir, 'app.js'), 'App({})');
  writeFileSync(path.join(dir, 'pages/index/index.wxml'), '<view>hi</view>');
  writeFileSync(path.join(dir, 'pages/index/index.js'), "Page({ onLoad() { throw new Error('no stock list') } })");
  return dir;
}

async function openConsole(hash = '') {
  const page = await newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${baseUrl()}/console${hash}`);
  return page;
}

async function signUp(page, username) {
  await page.getByRole('heading', { name: 'Log in to the developer console' }).waitFor();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('correct horse');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.locator('#who').getByText(`Logged in as ${username}`).waitFor();
}

test('a wrong password is refused with an alert; nothing typed is lost', async () => {
  const page = await openConsole();
  await page.getByRole('heading', { name: 'Log in to the developer console' }).waitFor();
  await page.getByLabel('Username').fill('nobody-here');
  await page.getByLabel('Password').fill('correct horse');
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'wrong username or password' }).waitFor();
  assert.equal(await page.getByLabel('Username').inputValue(), 'nobody-here');
  await page.context().close();
});

test('create, upload, check, review, release and manage a mini-program from the console', async () => {
  const shop = build(path.join(root, 'examples/shop'), 'shop.capsule');
  const broken = build(brokenProject(), 'broken.capsule');

  // The reviewer signs up first, so the owner can add them to the organisation.
  const reviewer = await openConsole();
  await signUp(reviewer, 'reviewer');
  const dev = await openConsole();
  await signUp(dev, 'developer');

  // An organisation, with the reviewer as its operator.
  await dev.getByRole('heading', { name: 'Organisations', level: 1 }).waitFor();
  await dev.getByLabel('Organisation name').fill('Mug Studio');
  await dev.getByRole('button', { name: 'Create organisation' }).click();
  await dev.getByRole('heading', { name: 'Mug Studio', level: 1 }).waitFor();
  await dev.getByRole('status').filter({ hasText: 'you are its owner' }).waitFor();
  await dev.getByLabel('Member username').fill('reviewer');
  await dev.getByLabel('Role').selectOption('operator');
  await dev.getByRole('button', { name: 'Add member' }).click();
  await dev.getByRole('status').filter({ hasText: 'reviewer is now an operator' }).waitFor();
  const members = dev.getByRole('table').filter({ hasText: 'Username' });
  await members.getByRole('row', { name: /reviewer.*operator/ }).waitFor();
  await members.getByRole('row', { name: /developer.*owner/ }).waitFor();

  // A mini-program with every setting; its secret is shown once.
  const create = dev.getByRole('form', { name: 'New mini-program' });
  await create.getByLabel('Name', { exact: true }).fill('Mugs');
  await create.getByLabel('Icon').fill('☕');
  await create.getByLabel('Description', { exact: true }).fill('Hand-thrown mugs.');
  await create.getByLabel('Category').fill('Shopping');
  await create.getByLabel('Keywords').fill('mug, cup');
  await create.getByLabel('Request domains').fill('https://api.mugs.example');
  await create.getByLabel('Payment notify URL').fill('https://mugs.example/pay/notify');
  await create.getByLabel('Allow mounting on videos').check();
  await create.getByRole('button', { name: 'Create mini-program' }).click();
  const secretDialog = dev.getByRole('dialog', { name: 'Save the AppSecret of Mugs' });
  await secretDialog.getByText('Shown once: copy it now.').waitFor();
  const appid = await secretDialog.getByLabel('AppID', { exact: true }).inputValue();
  assert.match(appid, /^tt[0-9a-f]+$/);
  assert.match(await secretDialog.getByLabel('AppSecret', { exact: true }).inputValue(), /^[0-9a-f]{32,}$/);
  assert.match(await secretDialog.getByLabel('Payment salt', { exact: true }).inputValue(), /^[0-9a-f]{16,}$/);
  await dev.screenshot({ path: path.join(shots, 'console-secret.png') });
  await secretDialog.getByRole('button', { name: 'I have saved it' }).click();
  await secretDialog.waitFor({ state: 'detached' });

  // The app's page keeps the settings.
  await dev.getByRole('link', { name: 'Mugs', exact: true }).click();
  await dev.getByRole('heading', { name: 'Mugs', level: 1 }).waitFor();
  const settings = dev.getByRole('region', { name: 'Settings' });
  assert.equal(await settings.getByLabel('Request domains').inputValue(), 'https://api.mugs.example');
  assert.equal(await settings.getByLabel('Keywords').inputValue(), 'mug, cup');
  assert.equal(await settings.getByLabel('Allow mounting on videos').isChecked(), true);

  // A package whose page throws: the report names the page and its error.
  const upload = dev.getByRole('region', { name: 'Upload a version' });
  await upload.getByLabel('Package (.capsule)').setInputFiles(broken);
  await upload.getByLabel('Version', { exact: true }).fill('0.9.0');
  await upload.getByRole('button', { name: 'Upload and check' }).click();
  await upload.getByRole('heading', { name: 'Check report for 0.9.0: failed' }).waitFor({ timeout: 60_000 });
  const failedRow = upload.getByRole('row', { name: /pages\/index\/index/ });
  assert.match(await failedRow.textContent(), /Failed.*no stock list/s);
  const failedVersion = dev.getByRole('article', { name: 'Version 0.9.0' });
  await failedVersion.getByText('Checks failed', { exact: true }).waitFor();
  assert.equal(await failedVersion.getByRole('button', { name: 'Submit for review' }).count(), 0);

  // The shop example passes every page's check and becomes the develop version.
  await upload.getByLabel('Package (.capsule)').setInputFiles(shop);
  await upload.getByLabel('Version', { exact: true }).fill('1.0.0');
  await upload.getByLabel('Version description').fill('First release');
  await upload.getByRole('button', { name: 'Upload and check' }).click();
  await upload.getByRole('heading', { name: 'Check report for 1.0.0: passed' }).waitFor({ timeout: 60_000 });
  assert.match(await upload.getByRole('row', { name: /pages\/index\/index/ }).textContent(), /Passed/);
  const channels = dev.getByRole('region', { name: 'Channels' });
  await channels.getByRole('row', { name: /^Develop 1\.0\.0/ }).waitFor();
  await dev.screenshot({ path: path.join(shots, 'console-upload.png'), fullPage: true });

  const version = dev.getByRole('article', { name: 'Version 1.0.0' });
  await version.getByRole('button', { name: 'Submit for review' }).click();
  await version.getByText('In review', { exact: true }).waitFor();
  // The owner is no reviewer: the API's refusal is shown, not lost.
  await version.getByRole('button', { name: 'Approve' }).click();
  await version.getByRole('alert').filter({ hasText: 'needs operator' }).waitFor();

  // The operator: no rejection without a reason (nothing is sent), then an approval.
  const reviews = [];
  reviewer.on('request', (request) => { if (request.url().endsWith('/review')) reviews.push(request.url()); });
  await reviewer.goto(`${baseUrl()}/console#/apps/${appid}`);
  await reviewer.getByRole('heading', { name: 'Mugs', level: 1 }).waitFor();
  const toReview = reviewer.getByRole('article', { name: 'Version 1.0.0' });
  await toReview.getByRole('button', { name: 'Reject' }).click();
  await toReview.getByRole('alert').filter({ hasText: 'Write a reason before rejecting' }).waitFor();
  assert.deepEqual(reviews, []);
  await toReview.getByText('In review', { exact: true }).waitFor();
  await toReview.getByLabel('Review reason').fill('Prices and pages look right.');
  await toReview.getByRole('button', { name: 'Approve' }).click();
  await toReview.getByText('Approved', { exact: true }).waitFor();
  await toReview.getByText('Prices and pages look right.').waitFor();
  assert.equal(reviews.length, 1);

  // The owner releases to everyone; the release channel and the host's list show it.
  await dev.reload();
  const approved = dev.getByRole('article', { name: 'Version 1.0.0' });
  await approved.getByText('Approved', { exact: true }).waitFor();
  await approved.getByLabel('Release percentage').fill('100');
  await approved.getByRole('button', { name: 'Release', exact: true }).click();
  await dev.getByRole('status').filter({ hasText: 'Version 1.0.0 released to everyone' }).waitFor();
  await approved.getByText('Released', { exact: true }).waitFor();
  await channels.getByRole('row', { name: /^Release 1\.0\.0/ }).waitFor();
  await dev.getByText('Published', { exact: true }).waitFor();
  await dev.screenshot({ path: path.join(shots, 'console-released.png'), fullPage: true });
  const listed = await (await dev.request.get(`${baseUrl()}/api/miniapps`)).json();
  assert.ok(listed.all.some((app) => app.appid === appid), JSON.stringify(listed));

  // The rest of the app's page: trial version and a tester, settings, a new secret, unpublish.
  await approved.getByRole('button', { name: 'Set as trial version' }).click();
  await channels.getByRole('row', { name: /^Trial 1\.0\.0/ }).waitFor();
  const testers = dev.getByRole('region', { name: 'Testers' });
  await testers.getByLabel('Tester username').fill('reviewer');
  await testers.getByRole('button', { name: 'Add tester' }).click();
  await dev.getByRole('status').filter({ hasText: 'reviewer can now open the trial version' }).waitFor();
  await settings.getByLabel('Description', { exact: true }).fill('Hand-thrown stoneware mugs.');
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await dev.getByRole('status').filter({ hasText: 'Settings of Mugs saved' }).waitFor();
  assert.equal(await settings.getByLabel('Description', { exact: true }).inputValue(), 'Hand-thrown stoneware mugs.');

  // A PNG icon: what is not a PNG is refused in the section, then the icon shows and the host lists it.
  const icon = dev.getByRole('region', { name: 'Icon' });
  await icon.getByLabel('Icon (PNG)').setInputFiles({ name: 'icon.png', mimeType: 'image/png', buffer: Buffer.from('not a png') });
  await icon.getByRole('button', { name: 'Upload icon' }).click();
  await icon.getByRole('alert').filter({ hasText: 'not a PNG' }).waitFor();
  await icon.getByLabel('Icon (PNG)').setInputFiles(path.join(root, 'web/media/shop-icon.png'));
  await icon.getByRole('button', { name: 'Upload icon' }).click();
  await dev.getByRole('status').filter({ hasText: 'The icon of Mugs is saved' }).waitFor();
  const withIcon = await (await dev.request.get(`${baseUrl()}/api/miniapps`)).json();
  assert.match(withIcon.all.find((app) => app.appid === appid).icon, /^\/icons\/[0-9a-f]{64}\.png$/);
  await dev.waitForFunction(() => document.querySelector('h1 img.icon')?.naturalWidth === 128);
  await settings.getByLabel('Request domains').fill('http://plain.example');
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await settings.getByRole('alert').filter({ hasText: 'is not an https origin' }).waitFor();

  const secret = dev.getByRole('region', { name: 'AppSecret' });
  await secret.getByRole('button', { name: 'Reset secret…' }).click();
  await secret.getByRole('button', { name: 'Reset now' }).click();
  const newSecret = dev.getByRole('dialog', { name: 'Save the new AppSecret of Mugs' });
  await newSecret.getByText('Shown once: copy it now.').waitFor();
  assert.match(await newSecret.getByLabel('AppSecret', { exact: true }).inputValue(), /^[0-9a-f]{32,}$/);
  await newSecret.getByRole('button', { name: 'I have saved it' }).click();
  await newSecret.waitFor({ state: 'detached' });

  await channels.getByRole('button', { name: 'Unpublish…' }).click();
  await channels.getByRole('button', { name: 'Unpublish now' }).click();
  await dev.getByText('Not published', { exact: true }).waitFor();
  await channels.getByRole('row', { name: /^Release none/ }).waitFor();
  const after = await (await dev.request.get(`${baseUrl()}/api/miniapps`)).json();
  assert.ok(!after.all.some((app) => app.appid === appid), JSON.stringify(after));

  await reviewer.context().close();
  await dev.context().close();
});
