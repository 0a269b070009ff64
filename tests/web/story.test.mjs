// The whole story in Chromium: a promotional video's anchor opens the shop; the person searches
// the store, opens a product, buys it, logs in, pays with the sandbox Alipay PIN in the host's
// cashier; the shop's own backend (started by `capsule serve`) shows the paid order in the
// shop's "My orders", and the host's "Services and Orders" does not list it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { newPage, openShopFromFeed, shots, startHost } from './harness.mjs';

startHost();

test('video, anchor, store search, detail, buy, cashier, paid order in the shop only', async () => {
  const page = await newPage();
  const container = await openShopFromFeed(page);

  // In-store search: results, then the empty state.
  const search = container.getByRole('textbox', { name: 'Search products' });
  await search.pressSequentially('tea');
  await container.getByText('Green tea, 100 g').waitFor();
  await container.getByText('Ceramic mug').first().waitFor({ state: 'detached' });
  await search.fill('');
  await search.pressSequentially('zzz');
  await container.getByText('No products match').waitFor();
  await search.fill('');
  await search.pressSequentially('mug');

  // Detail, into the cart, to checkout.
  await container.getByText('Ceramic mug').first().click();
  await container.getByText('Glazed stoneware, 350 ml.').waitFor();
  await container.getByRole('button', { name: 'Add to cart' }).click();
  await container.getByRole('status').filter({ hasText: 'Added' }).waitFor();
  await container.getByRole('button', { name: 'Back' }).click();
  await container.locator('.tabbar').getByRole('button', { name: 'Cart' }).click();
  await container.getByRole('button', { name: 'Check out' }).click();

  // The shop's backend needs the person: the host asks them to log in (sign up here).
  const login = page.getByRole('dialog', { name: 'Log in' });
  await login.getByLabel('Username').fill('shopper');
  await login.getByLabel('Password').fill('correct horse');
  await login.getByRole('button', { name: 'Sign up' }).click();
  await login.waitFor({ state: 'detached' });

  // No address yet: add one, kept by the shop's backend.
  await container.locator('input[placeholder="Name"]').fill('Li Lei');
  await container.locator('input[placeholder="Phone"]').fill('13800000000');
  await container.locator('input[placeholder="Street and number"]').fill('1 West Lake Road, Hangzhou');
  await container.getByRole('button', { name: 'Save address' }).click();
  await container.getByText('1 West Lake Road, Hangzhou').waitFor();

  // Pay: the host's cashier names the merchant, the subject and the amount.
  await container.getByRole('button', { name: 'Pay ¥39' }).click();
  const cashier = page.getByRole('dialog', { name: 'Cashier' });
  await cashier.getByText('Pay with Alipay').waitFor();
  await cashier.getByText('Capsule Shop').waitFor();
  await cashier.getByText('Ceramic mug').waitFor();
  assert.equal(await cashier.getByLabel('Amount').textContent(), '¥39.00');
  await cashier.getByLabel('Alipay payment PIN').fill('000000');
  await cashier.getByRole('button', { name: 'Pay ¥39.00' }).click();
  await cashier.getByRole('alert').filter({ hasText: /PIN/ }).waitFor();
  await cashier.getByLabel('Alipay payment PIN').fill('111111');
  await page.screenshot({ path: path.join(shots, 'story-cashier.png') });
  await cashier.getByRole('button', { name: 'Pay ¥39.00' }).click();
  await cashier.waitFor({ state: 'detached' });

  // tt.pay answered code 0: the shop shows its order, paid.
  await container.getByText('Paid', { exact: true }).waitFor();
  await container.getByText('Ceramic mug × 1').waitFor();
  await page.screenshot({ path: path.join(shots, 'story-paid.png') });

  // The shop's "My orders" lists it; the cart is empty again.
  await container.getByRole('button', { name: 'Back' }).click();
  await container.getByText('Your cart is empty.').waitFor();
  await container.locator('.tabbar').getByRole('button', { name: 'Me', exact: true }).click();
  await container.getByText('My orders').click();
  await container.getByRole('link', { name: /Order Ceramic mug, Paid/ }).waitFor();

  // The host's "Services and Orders" does not: the shop keeps its orders to itself.
  await container.getByRole('button', { name: 'Close' }).dispatchEvent('click');
  await page.getByRole('button', { name: 'Profile' }).click();
  await page.getByText('Logged in as shopper').waitFor();
  await page.getByText(/No orders yet/).waitFor();
  assert.equal(await page.getByRole('list', { name: 'Services and Orders' }).count(), 0);
  await page.context().close();
});
