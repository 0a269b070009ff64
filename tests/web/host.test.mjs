// The host web app in real Chromium: feed, anchor, the mini-program rendered and driven (tap,
// type, navigate, back, close), the entrance, search, and the first frame without a socket.
// CAPSULE_BIN names the capsule binary; CHROMIUM the browser (Debian's by default).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { baseUrl, newPage, openShopFromFeed, shots, startHost } from './harness.mjs';

startHost();

test('the feed shows videos with their anchors', async () => {
  const page = await newPage();
  await page.locator('article.video').first().waitFor();
  assert.equal(await page.locator('article.video').count(), 6);
  assert.equal(await page.locator('article.video video').first().evaluate((v) => v.src.endsWith('.mp4')), true);
  await page.getByRole('button', { name: /Capsule Shop: Shop the look/ }).waitFor();
  await page.getByRole('button', { name: /Cinema Tickets/ }).first().waitFor();
  await page.getByRole('button', { name: /2048: Play 2048/ }).waitFor();
  await page.screenshot({ path: path.join(shots, 'feed.png') });
  await page.context().close();
});

test('an anchor coming into view gets its mini-program ready to open, once', async () => {
  // A page of its own, watched from before it loads (the first page's own preloads, still
  // on their way, are not this page's).
  const page = await (await newPage()).context().newPage();
  const preloads = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/api/sessions/preload')) preloads.push(request);
  });
  await page.goto(baseUrl() + '/');
  const asked = async (count) => {
    const deadline = Date.now() + 20000;
    while (preloads.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return Promise.all(preloads.map(async (request) => {
      const response = await request.response();
      return `${JSON.parse(request.postData()).appid} ${response.status()}`;
    }));
  };
  // The first video carries the shop: it is made ready while it plays.
  assert.deepEqual(await asked(1), ['tt0000000000shop 200']);
  const feed = page.locator('#feed');
  await feed.focus();
  await page.keyboard.press('ArrowDown');
  assert.deepEqual(await asked(2), ['tt0000000000shop 200', 'tt00000000ticket 200']);
  // Back to the shop: it is ready already, nothing is asked again.
  await page.keyboard.press('ArrowUp');
  await page.waitForFunction(() => document.getElementById('feed').scrollTop === 0);
  await page.getByRole('button', { name: /Capsule Shop: Shop the look/ }).click();
  await page.getByRole('dialog', { name: 'Capsule Shop' }).getByText('Ceramic mug').waitFor();
  assert.equal(preloads.length, 2);
  await page.context().close();
});

test('an anchor opens the mini-program; tap, type, navigate, back and close', async () => {
  const page = await newPage();
  const container = await openShopFromFeed(page);
  assert.equal(await container.locator('.title').textContent(), 'Capsule Shop');
  await page.screenshot({ path: path.join(shots, 'shop-open.png') });

  // Styles: app.wxss's `page` rule; the card's own rules, scoped to it, with rpx measured
  // against the container (750rpx = its width); app.wxss's `.price` reaching the card because
  // it is apply-shared.
  const styles = await container.locator('wx-product-card').first().evaluate((host) => {
    const shadow = host.getRootNode();
    const card = host.firstElementChild;
    const price = host.querySelector('wx-text');
    const width = shadow.host.closest('.pages').clientWidth;
    const css = (el) => getComputedStyle(el);
    return {
      page: css(shadow.querySelector('wx-page')).backgroundColor,
      radius: parseFloat(css(card).borderTopLeftRadius),
      expected: width / 750 * 16,
      price: css(price).color,
      classes: card.className,
    };
  });
  assert.equal(styles.page, 'rgb(245, 245, 245)');
  assert.ok(Math.abs(styles.radius - styles.expected) < 0.01, JSON.stringify(styles));
  assert.equal(styles.price, 'rgb(255, 106, 0)');
  assert.match(styles.classes, /components-product-card-product-card--card/);

  // Tap: the card's button adds to the cart; the host shows the mini-program's toast.
  await container.getByText('Add to cart').first().click();
  await container.getByRole('status').filter({ hasText: 'Added' }).waitFor();
  // The shop counts the cart on the Cart tab's badge.
  await container.locator('.tabbar .tab-badge').filter({ hasText: '1' }).waitFor();

  // Type: the search box filters through setData and patches.
  const search = container.getByRole('textbox', { name: 'Search products' });
  await search.pressSequentially('zzz');
  await container.getByText('No products match').waitFor();
  await search.fill('');
  await search.press('Backspace');
  await container.getByText('Ceramic mug').waitFor();

  // Navigate: the card opens the detail page; back returns.
  await container.getByText('Ceramic mug').first().click();
  await container.locator('[data-route="packageProduct/pages/detail/detail"]').waitFor();
  await container.getByText('Glazed stoneware, 350 ml.').waitFor();
  await page.screenshot({ path: path.join(shots, 'shop-detail.png') });
  await container.getByRole('button', { name: 'Back' }).click();
  await container.locator('[data-route="packageProduct/pages/detail/detail"]').waitFor({ state: 'detached' });

  // The tabBar switches tabs.
  await container.locator('.tabbar').getByRole('button', { name: 'Cart' }).click();
  // Interval polling, not Playwright's frame-driven checks: headless Chromium here sometimes
  // stops producing frames after the tab switch (seen about once in 30 runs; see the notes).
  const shown = (route) => page.waitForFunction((route) => {
    const element = document.querySelector(`.container .page[data-route="${route}"]`);
    return element !== null && !element.hidden;
  }, route, { polling: 100 });
  await shown('pages/cart/cart');

  await container.getByRole('button', { name: 'Close' }).dispatchEvent('click');
  await page.waitForFunction(() => document.querySelector('.container') === null, null, { polling: 100 });
  await page.context().close();
});

test('the entrance lists recently used, popular and all mini-programs, and opens one', async () => {
  const page = await newPage();
  await openShopFromFeed(page);
  await page.getByRole('dialog', { name: 'Capsule Shop' }).getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Mini Programs' }).click();
  const panel = page.locator('#panel');
  await panel.getByRole('button', { name: 'Open Capsule Shop' }).first().waitFor();
  assert.equal(await panel.getByRole('button', { name: 'Open Capsule Shop' }).count(), 3, 'recent, popular and all');
  await panel.getByRole('heading', { name: 'Popular' }).waitFor();
  await panel.getByRole('button', { name: 'Open Cinema Tickets' }).last().click();
  const container = page.getByRole('dialog', { name: 'Cinema Tickets' });
  await container.getByText('Cinemas in').waitFor();
  await page.screenshot({ path: path.join(shots, 'tickets-open.png') });
  await page.context().close();
});

test('search ranks mini-programs above videos', async () => {
  const page = await newPage();
  await page.getByRole('searchbox', { name: /Search/ }).fill('grinch');
  const panel = page.locator('#panel');
  await panel.getByRole('button', { name: 'Open Cinema Tickets' }).waitFor();
  const names = await panel.getByRole('button').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label')));
  assert.equal(names[0], 'Open Cinema Tickets');
  assert.ok(names.slice(1).some((n) => n.startsWith('Video ')), JSON.stringify(names));
  await page.context().close();
});

test('the first frame arrives with the response, before any socket', async () => {
  const page = await newPage();
  await page.routeWebSocket(/\/socket$/, (socket) => socket.close());
  await openShopFromFeed(page);
  assert.ok(await page.getByRole('dialog', { name: 'Capsule Shop' }).getByText('Linen tote bag').isVisible());
  await page.context().close();
});

test('form controls change the page through their change events', async () => {
  const page = await newPage();
  const container = await openShopFromFeed(page);
  await container.locator('.tabbar').getByRole('button', { name: 'Me', exact: true }).click();
  const me = container.locator('[data-route="pages/profile/profile"]');
  await me.getByText('Notifications off').waitFor();

  await me.getByRole('switch').click();
  await me.getByText('Notifications on').waitFor();
  assert.equal(await me.getByRole('switch').getAttribute('aria-checked'), 'true');

  await me.getByRole('checkbox').nth(0).click();
  await me.getByRole('checkbox').nth(2).click();
  await me.getByText('likes: tea, stationery').waitFor();

  const slider = me.getByRole('slider');
  await slider.focus();
  await slider.press('ArrowRight');
  await me.getByText('budget ¥110').waitFor();
  await page.screenshot({ path: path.join(shots, 'shop-me.png') });
  await page.context().close();
});

test('the capsule menu shows the page as a QR code and the app\'s details; a host link opens that page', async () => {
  const page = await newPage();
  const container = await openShopFromFeed(page);
  await container.getByText('Green tea, 100 g').first().click();
  await container.getByText('Spring harvest from Hangzhou.').waitFor();

  await container.getByRole('button', { name: 'More' }).click();
  await container.getByRole('menuitem', { name: 'Share' }).waitFor();
  await container.getByRole('menuitem', { name: 'QR code' }).click();
  const share = container.getByRole('dialog', { name: 'Share Capsule Shop' });
  const code = share.getByRole('img', { name: 'QR code: Capsule Shop, Green tea, 100 g' });
  await code.waitFor();
  await page.waitForFunction(() => document.querySelector('.share-code img')?.naturalWidth > 0, null, { polling: 100 });
  const link = await share.getByRole('textbox', { name: 'Share link' }).inputValue();
  assert.equal(link, `${baseUrl()}/s/tt0000000000shop?host=douyin&path=packageProduct/pages/detail/detail&query=id%3Dp3`);
  await page.screenshot({ path: path.join(shots, 'shop-share-code.png') });
  await share.getByRole('button', { name: 'Done' }).click();

  await container.getByRole('button', { name: 'More' }).click();
  await container.getByRole('menuitem', { name: 'About' }).click();
  const about = container.getByRole('dialog', { name: 'About Capsule Shop' });
  await about.getByText('AppID tt0000000000shop').waitFor();
  await about.getByRole('button', { name: 'Done' }).click();

  // What the code holds: the host opens the mini-program at that page and query.
  await page.goto(baseUrl() + '/?appid=tt0000000000shop&path=packageProduct/pages/detail/detail&query=id%3Dp3');
  const opened = page.getByRole('dialog', { name: 'Capsule Shop' });
  await opened.getByText('Spring harvest from Hangzhou.').waitFor();
  assert.equal(new URL(page.url()).search, '');
  await page.context().close();
});

test('a modal from the mini-program is answered in the host', async () => {
  const page = await newPage();
  const container = await openShopFromFeed(page);
  await container.getByText('Add to cart').first().click();
  await container.locator('.tabbar').getByRole('button', { name: 'Cart' }).click();
  await container.getByRole('button', { name: 'Clear the cart' }).click();
  const modal = container.getByRole('alertdialog', { name: 'Clear the cart' });
  await modal.getByText('Remove 1 item(s)?').waitFor();
  await modal.getByRole('button', { name: 'OK' }).click();
  await container.getByRole('status').filter({ hasText: 'Cart cleared' }).waitFor();
  assert.equal(await modal.count(), 0);
  await container.getByText('Your cart is empty.').waitFor();
  await page.context().close();
});
