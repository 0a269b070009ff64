// Host accounts in Chromium: a mini-program's wx.login asks the person to log in with the
// host's sheet (sign up there), then gets its code; the profile shows who is logged in and
// logs out; a wrong password is said plainly and loses nothing typed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { newPage, openShopFromFeed, shots, startHost } from './harness.mjs';

startHost();

test('wx.login asks the host to log in; the profile shows the account and logs out', async () => {
  const page = await newPage();
  const logs = [];
  page.on('console', (message) => logs.push(message.text()));
  const container = await openShopFromFeed(page);
  await container.locator('.tabbar').getByRole('button', { name: 'Me', exact: true }).click();
  await container.getByRole('button', { name: 'Log in' }).click();

  // Not logged in: the host's sheet, over the mini-program, names it.
  const sheet = page.getByRole('dialog', { name: 'Log in' });
  await sheet.getByText('Capsule Shop asks you to log in').waitFor();
  await sheet.getByLabel('Username').fill('viewer');
  await sheet.getByLabel('Password').fill('short');
  await sheet.getByRole('button', { name: 'Sign up' }).click();
  await sheet.getByRole('alert').filter({ hasText: '8 to 256 characters' }).waitFor();
  assert.equal(await sheet.getByLabel('Username').inputValue(), 'viewer');
  await sheet.getByLabel('Password').fill('correct horse');
  await sheet.getByRole('button', { name: 'Sign up' }).click();
  await sheet.waitFor({ state: 'detached' });
  await container.getByText('Logged in').waitFor();
  const code = logs.map((text) => /login code for the shop server: (\w+)/.exec(text)).find(Boolean);
  assert.ok(code && code[1].length === 32, logs.join('\n'));
  await page.screenshot({ path: path.join(shots, 'login.png') });

  // Close the shop: the host's profile knows the person and logs them out.
  await container.getByRole('button', { name: 'Close' }).dispatchEvent('click');
  await page.getByRole('button', { name: 'Profile' }).click();
  await page.getByText('Logged in as viewer').waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByText('Not logged in').waitFor();
  await page.context().close();
});

test('a wrong password is refused with a clear message; cancel fails wx.login', async () => {
  const page = await newPage();
  const container = await openShopFromFeed(page);
  await container.locator('.tabbar').getByRole('button', { name: 'Me', exact: true }).click();
  await container.getByRole('button', { name: 'Log in' }).click();
  const sheet = page.getByRole('dialog', { name: 'Log in' });
  await sheet.getByLabel('Username').fill('nobody-here');
  await sheet.getByLabel('Password').fill('correct horse');
  await sheet.getByRole('button', { name: 'Log in' }).click();
  await sheet.getByRole('alert').filter({ hasText: 'wrong username or password' }).waitFor();
  await sheet.getByRole('button', { name: 'Cancel' }).click();
  await container.getByRole('status').filter({ hasText: 'Not logged in' }).waitFor();
  await page.context().close();
});
