// WeChat's built-in components as the shop uses them, in real Chromium: text (decode, space,
// line breaks, selectable), hover-class, every navigator open-type, the region picker, image
// modes with lazy-load and errors, button looks, text fields (caret, clearing, keyboard types,
// confirm), progress, icons, radio groups and labels, the slider while dragged, and defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { newPage, openShopFromFeed, shots, signUpInSheet, startHost } from './harness.mjs';

startHost();

const INDEX = 'pages/index/index';
const CART = 'pages/cart/cart';
const PROFILE = 'pages/profile/profile';
const CHECKOUT = 'pages/checkout/checkout';
const DETAIL = 'packageProduct/pages/detail/detail';
const ADDRESS = 'packageAccount/pages/address/address';
const ORDERS = 'packageAccount/pages/orders/orders';
const WAIT = { timeout: 20000 };

const css = (locator, property, pseudo = null) =>
  locator.evaluate((el, [p, pseudo]) => getComputedStyle(el, pseudo)[p], [property, pseudo]);
// The page shown for `route` (a tab page the person left may stay behind, hidden).
const pageOf = (container, route) => container.locator(`div.page:not([hidden])[data-route="${route}"]`);
// What a `text` shows from its shadow root (decoded or spaced text).
const shownText = (locator) => locator.evaluate((el) => el.shadowRoot.textContent);

async function tab(container, name) {
  await container.locator('.tabbar').getByRole('button', { name, exact: true }).click();
}

async function openProfile(page) {
  const container = await openShopFromFeed(page);
  await tab(container, 'Me');
  const me = pageOf(container, PROFILE);
  await me.getByText('Notifications off').waitFor();
  return { container, me };
}

/** The shop with a Ceramic mug (¥39) in the cart, showing the cart. */
async function openCartWithMug(page) {
  const container = await openShopFromFeed(page);
  await container.getByRole('button', { name: 'Add Ceramic mug to cart' }).click();
  await container.getByRole('status').filter({ hasText: 'Added' }).waitFor();
  await tab(container, 'Cart');
  const cart = pageOf(container, CART);
  await cart.getByText('Total: ¥39').waitFor();
  return { container, cart };
}

async function openDetail(container, title) {
  await container.getByText(title).first().click();
  const detail = pageOf(container, DETAIL);
  await detail.getByText(/^Photo 1 of/).waitFor();
  return detail;
}

/**
 * Holds the pointer down on `locator` (at its centre) while `check` runs, then lets go there,
 * or first slides away off the mini-program (which is no tap on anything).
 */
async function press(page, locator, check, { slideAway = false } = {}) {
  const box = await locator.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  try {
    await check();
    if (slideAway) await page.mouse.move(2, 2, { steps: 4 });
  } finally {
    await page.mouse.up();
  }
}

const hasClass = (locator, name) => locator.evaluate((el, n) => el.classList.contains(n), name);
const waitForClass = (locator, name, present) =>
  locator.evaluate((el, [n, want, timeout]) => new Promise((resolve, reject) => {
    const done = () => { if (el.classList.contains(n) === want) { observer.disconnect(); resolve(); } };
    const observer = new MutationObserver(done);
    observer.observe(el, { attributes: true, attributeFilter: ['class'] });
    setTimeout(() => { observer.disconnect(); reject(new Error(`class ${n} never ${want ? 'came' : 'went'}`)); }, timeout);
    done();
  }), [name, present, WAIT.timeout]);

test('text decodes entities, keeps spaces and line breaks, and is selectable only when asked', async () => {
  const page = await newPage();
  const { cart } = await openCartWithMug(page);

  // decode: the entities the mini-program wrote show as characters.
  const rule = cart.locator('wx-text.express-rule');
  assert.equal(await shownText(rule), 'Orders >= ¥99 ship express for free & arrive the next day.');
  // space="ensp": the spaces around the count are en spaces, which do not collapse.
  assert.equal(await shownText(cart.locator('wx-text.count')), '\u20021\u2002');
  await cart.getByText('+').click();
  await cart.getByText('Total: ¥78').waitFor();
  assert.equal(await shownText(cart.locator('wx-text.count')), '\u20022\u2002', 'a patched count is shown spaced too');
  // Text is not selectable by default.
  assert.equal(await css(rule, 'userSelect'), 'none');
  await page.context().close();
});

test('a saved address keeps its line breaks and can be selected', async () => {
  const page = await newPage();
  const container = await openShopFromFeed(page);
  await tab(container, 'Me');
  await container.getByText('My addresses').click();
  const form = pageOf(container, ADDRESS);
  await form.getByText('Not saved yet.').waitFor();
  await form.getByRole('textbox', { name: 'Recipient' }).fill('Han Meimei');
  await form.getByRole('textbox', { name: 'Street and number' }).fill('Building 3\nRoom 201');
  await form.getByRole('button', { name: 'Save' }).click();
  await signUpInSheet(page, 'two-lines');
  const where = form.locator('wx-text.where').first();
  await where.waitFor(WAIT);
  assert.equal(await where.textContent(), 'Building 3\nRoom 201');
  // "\n" in text breaks the line: its text lies on two lines.
  const lines = await where.evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
  });
  assert.equal(lines, 2);
  assert.equal(await css(where, 'userSelect'), 'text', 'selectable');
  assert.equal(await css(form.locator('wx-text.who').first(), 'userSelect'), 'none');
  // A success icon marks the saved form.
  await form.getByRole('img', { name: 'Saved' }).waitFor();
  await page.context().close();
});

test('hover-class: cards, rows, buttons and navigators look pressed while held', async () => {
  const page = await newPage();
  const container = await openShopFromFeed(page);

  // Held: the product card's own hover-class (inside its component) after its start time.
  const home = pageOf(container, INDEX);
  const card = home.locator('wx-view.card').first();
  await press(page, card.locator('wx-view.card-title'), async () => {
    await waitForClass(card, 'card-hover', true);
    assert.equal(await css(card, 'backgroundColor'), 'rgb(242, 242, 242)');
  }, { slideAway: true });
  // Sliding away ends the pressed look at once.
  assert.equal(await hasClass(card, 'card-hover'), false);
  // hover-stop-propagation: pressing "Add to cart" does not press the card around it.
  const add = card.getByRole('button', { name: 'Add Ceramic mug to cart' });
  await press(page, add, async () => {
    await waitForClass(add, 'card-add-hover', true);
    assert.equal(await hasClass(card, 'card-hover'), false);
  }, { slideAway: true });

  // hover-class="none": the product page's suggestions never look pressed.
  const detail = await openDetail(container, 'Ceramic mug');
  const suggestion = detail.getByRole('link', { name: 'Green tea, 100 g', exact: true });
  await suggestion.scrollIntoViewIfNeeded();
  await press(page, suggestion, async () => {
    // Well past a navigator's 50 ms start time.
    await page.waitForTimeout(300);
    assert.equal(await suggestion.evaluate((el) => el.className), 'related-item');
  }, { slideAway: true });
  await container.getByRole('button', { name: 'Back' }).click();

  // Let go where it was pressed: the row keeps its look for the stay time, then it goes.
  await tab(container, 'Me');
  const me = pageOf(container, PROFILE);
  const help = me.locator('wx-view.menu-item').filter({ hasText: 'Help' });
  const plainBackground = await css(help, 'backgroundColor');
  await press(page, help, async () => {
    await waitForClass(help, 'menu-item-hover', true);
    assert.equal(await css(help, 'backgroundColor'), 'rgb(242, 242, 242)');
  });
  await waitForClass(help, 'menu-item-hover', false);
  assert.equal(await css(help, 'backgroundColor'), plainBackground);

  // A button's default hover-class is button-hover.
  const login = me.getByRole('button', { name: 'Log in' });
  await press(page, login, async () => {
    await waitForClass(login, 'button-hover', true);
    assert.equal(await css(login, 'backgroundColor'), 'rgb(222, 222, 222)');
  }, { slideAway: true });

  // A navigator's default hover-class is navigator-hover (the empty cart's "Go shopping").
  await tab(container, 'Cart');
  const shopping = pageOf(container, CART).getByRole('link', { name: 'Go shopping' });
  await press(page, shopping, async () => {
    await waitForClass(shopping, 'navigator-hover', true);
    assert.equal(await css(shopping, 'opacity'), '0.7');
  }, { slideAway: true });
  await page.context().close();
});

test('navigators: redirect, navigateBack with delta, switchTab, reLaunch, exit, another mini-program', async () => {
  const page = await newPage();
  const container = await openShopFromFeed(page);
  const home = pageOf(container, INDEX);
  const back = container.getByRole('button', { name: 'Back' });
  await home.getByRole('textbox', { name: 'Search products' }).pressSequentially('tea');
  await home.getByText('1 of 4 products').waitFor();

  // redirect: a suggestion replaces the product page, so Back leads to the list.
  let detail = await openDetail(container, 'Green tea, 100 g');
  await detail.getByText('Spring harvest from Hangzhou.').waitFor();
  await detail.getByRole('link', { name: 'Ceramic mug', exact: true }).click();
  await detail.getByText('Glazed stoneware, 350 ml.').waitFor();
  await back.click();
  await home.getByText('1 of 4 products').waitFor();
  assert.equal(await back.isVisible(), false);

  // navigateBack with delta 2: from checkout past the product page to the list, as it was.
  detail = await openDetail(container, 'Green tea, 100 g');
  await detail.getByRole('button', { name: 'Buy now' }).click();
  await signUpInSheet(page, 'navigator');
  const checkout = pageOf(container, CHECKOUT);
  await checkout.getByText('Green tea, 100 g × 1').waitFor(WAIT);
  // No address yet: the form's first field has the focus (auto-focus).
  await page.waitForFunction((el) => el.shadowRoot.activeElement === el.shadowRoot.querySelector('input'),
    await checkout.locator('wx-input[placeholder="Name"]').elementHandle(), { polling: 100, ...WAIT });
  // loading="false" is off: no spinner on Pay.
  assert.equal(await css(checkout.getByRole('button', { name: /^Pay/ }), 'content', '::before'), 'none');
  await checkout.getByRole('link', { name: 'Continue shopping' }).click();
  await home.getByText('1 of 4 products').waitFor();
  assert.equal(await home.getByRole('textbox', { name: 'Search products' }).inputValue(), 'tea');
  assert.equal(await back.isVisible(), false);
  assert.equal(await container.locator(`div.page[data-route="${DETAIL}"]`).count(), 0, 'the product page is closed');

  // switchTab: the empty cart's "Go shopping".
  await tab(container, 'Cart');
  const cart = pageOf(container, CART);
  await cart.getByText('Green tea, 100 g').waitFor();
  await cart.getByText('−').click();
  await cart.getByRole('link', { name: 'Go shopping' }).click();
  await home.getByText('1 of 4 products').waitFor();
  assert.equal(await container.locator('.tabbar').getByRole('button', { name: 'Home' }).getAttribute('aria-current'), 'page');

  // reLaunch: "Start shopping" from an empty order list opens a fresh home page.
  await tab(container, 'Me');
  await container.getByText('My orders').click();
  const orders = pageOf(container, ORDERS);
  await orders.getByText('No orders yet.').waitFor(WAIT);
  await orders.getByRole('link', { name: 'Start shopping' }).click();
  await home.getByText('4 of 4 products').waitFor();
  assert.equal(await home.getByRole('textbox', { name: 'Search products' }).inputValue(), '');
  assert.equal(await back.isVisible(), false);

  // target="miniProgram": opening another one is refused, and bindfail tells the page.
  await tab(container, 'Me');
  const me = pageOf(container, PROFILE);
  await me.getByRole('link', { name: 'Cinema Tickets: films near you' }).click();
  await me.getByText('Cinema Tickets cannot be opened from here.', { exact: false }).waitFor();
  // open-type="exit" closes the mini-program.
  await me.getByRole('link', { name: 'Leave the shop' }).click();
  await container.waitFor({ state: 'detached' });
  await page.context().close();
});

/** Opens the region picker, chooses a province, city and district by name, and confirms. */
async function pickRegion(form, shown, [province, city, district]) {
  await form.getByRole('button', { name: shown }).click();
  const sheet = form.getByRole('dialog');
  await sheet.waitFor();
  await sheet.getByRole('listbox', { name: 'Province' }).selectOption({ label: province });
  await sheet.getByRole('listbox', { name: 'City' }).getByRole('option', { name: city, exact: true }).waitFor();
  await sheet.getByRole('listbox', { name: 'City' }).selectOption({ label: city });
  await sheet.getByRole('listbox', { name: 'District' }).getByRole('option', { name: district, exact: true }).waitFor();
  await sheet.getByRole('listbox', { name: 'District' }).selectOption({ label: district });
  await sheet.getByRole('button', { name: 'OK' }).click();
  await sheet.waitFor({ state: 'detached' });
}

test('region picker: province, city and district with codes; a custom item; a radio group by its labels', async () => {
  const page = await newPage();
  const container = await openShopFromFeed(page);
  await tab(container, 'Me');
  await container.getByText('My addresses').click();
  const form = pageOf(container, ADDRESS);
  await form.getByText('Not saved yet.').waitFor();

  // The custom item heads every column; under it, the later columns hold only it.
  await form.getByRole('button', { name: /Region: not chosen/ }).click();
  const sheet = form.getByRole('dialog');
  await sheet.getByRole('listbox', { name: 'Province' }).selectOption({ label: 'Any' });
  assert.deepEqual(await sheet.getByRole('listbox', { name: 'City' }).getByRole('option').allTextContents(), ['Any']);
  await sheet.getByRole('button', { name: 'OK' }).click();
  await form.getByText('Region: anywhere').waitFor();

  await pickRegion(form, /Region: anywhere/, ['Zhejiang', 'Ningbo', 'Any']);
  await form.getByText('Region: Zhejiang, Ningbo', { exact: true }).waitFor();
  // The change detail carries the district's code and postcode.
  await pickRegion(form, /Region: Zhejiang, Ningbo/, ['Zhejiang', 'Hangzhou', 'Xihu']);
  await form.getByText('Region: Zhejiang, Hangzhou, Xihu (330106, postcode 310013)').waitFor();
  // Reopened, the sheet shows the chosen region.
  await form.getByRole('button', { name: /Region: Zhejiang, Hangzhou/ }).click();
  assert.equal(await sheet.getByRole('listbox', { name: 'District' }).evaluate((s) => s.selectedOptions[0].text), 'Xihu');
  await sheet.getByRole('button', { name: 'Cancel' }).click();

  // A tap on a label's text chooses its radio; the group tells the page.
  const callMe = form.getByRole('radio', { name: 'Call me' });
  assert.equal(await form.getByRole('radio', { name: 'Leave at the door' }).getAttribute('aria-checked'), 'true');
  await form.getByText('Call me', { exact: true }).click();
  assert.equal(await callMe.getAttribute('aria-checked'), 'true');
  assert.equal(await form.getByRole('radio', { name: 'Leave at the door' }).getAttribute('aria-checked'), 'false');
  // The radio's colour fills it when checked.
  assert.equal(await callMe.evaluate((r) => getComputedStyle(r.shadowRoot.querySelector('.box')).backgroundColor), 'rgb(255, 106, 0)');
  // Arrow keys move within the group.
  await callMe.focus();
  await callMe.press('ArrowUp');
  await form.getByRole('radio', { name: 'Leave with the concierge' }).and(form.locator('[aria-checked="true"]')).waitFor();

  // The page's input handler returns the name tidied: no leading or doubled spaces.
  const recipient = form.getByRole('textbox', { name: 'Recipient' });
  await recipient.pressSequentially('  Li   Lei');
  await page.waitForFunction(() => document.querySelector('.page:not([hidden])').shadowRoot
    .querySelector('wx-input[name="name"]').value === 'Li Lei', null, WAIT);
  // An ID-card keyboard: digits and X (as a capital).
  const id = form.getByRole('textbox', { name: 'ID card number' });
  await id.pressSequentially('11010519491231002-x');
  assert.equal(await id.inputValue(), '11010519491231002X');
  await form.getByRole('textbox', { name: 'Street and number' }).fill('18 Wensan Road');
  await form.getByRole('button', { name: 'Save' }).click();
  await signUpInSheet(page, 'regional');
  const saved = form.getByText(/^Saved: /);
  await saved.waitFor(WAIT);
  const text = await saved.textContent();
  const value = JSON.parse(text.slice('Saved: '.length, text.indexOf('; slot')));
  assert.deepEqual(value.region, ['Zhejiang', 'Hangzhou', 'Xihu']);
  assert.equal(value.dropOff, 'concierge');
  assert.equal(value.idNumber, '11010519491231002X');
  await form.getByText('18 Wensan Road, Zhejiang Hangzhou Xihu').waitFor();
  await page.screenshot({ path: path.join(shots, 'shop-region.png') });
  await page.context().close();
});

// A picture as the browser decoded it.
const decoded = (image) => image.evaluate((el) => {
  const img = el.shadowRoot.querySelector('img');
  return img.decode().then(() => [img.naturalWidth, img.naturalHeight]);
});
const fitOf = (image) => image.evaluate((el) => {
  const style = getComputedStyle(el.shadowRoot.querySelector('img'));
  return [style.objectFit, style.objectPosition];
});
const near = (a, b) => Math.abs(a - b) <= 1;

test('image modes, widthFix and heightFix sizes, lazy-load below the fold, and the error event', async () => {
  const page = await newPage();
  // A short window: the product page's long photos are more than three screens down.
  await page.setViewportSize({ width: 400, height: 300 });
  const container = await openShopFromFeed(page);

  // aspectFit on the gallery; widthFix and lazy-load on the long photos at the end.
  const detail = await openDetail(container, 'Ceramic mug');
  assert.deepEqual(await fitOf(detail.locator('wx-image.photo').first()), ['contain', '50% 50%']);
  const long = detail.locator('wx-image.more-photo').last();
  const longImg = long.locator('img');
  assert.equal(await longImg.getAttribute('src'), null, 'not loaded while far below');
  assert.ok(await detail.getByText('Loading photos…').count());
  await detail.evaluate((p) => p.scrollTo({ top: p.scrollHeight, behavior: 'instant' }));
  // bindload: the page hears that a picture arrived, with its size.
  await detail.getByText('Loading photos…').waitFor({ state: 'detached', ...WAIT });
  await page.waitForFunction((el) => el.shadowRoot.querySelector('img').complete && el.shadowRoot.querySelector('img').naturalWidth > 0,
    await long.elementHandle(), { polling: 100, ...WAIT });
  assert.deepEqual(await decoded(long), [750, 750]);
  // widthFix: the width stays, the height follows the picture (square).
  await page.waitForFunction((el) => Math.abs(el.clientHeight - el.clientWidth) <= 1, await long.elementHandle(), { polling: 100, ...WAIT });
  await page.setViewportSize({ width: 360, height: 300 });
  // On a resize it follows again.
  await page.waitForFunction((el) => el.clientWidth < 330 && Math.abs(el.clientHeight - el.clientWidth) <= 1,
    await long.elementHandle(), { polling: 100, ...WAIT });
  await page.setViewportSize({ width: 400, height: 760 });

  // scaleToFill on the cart's thumbnails.
  await container.getByRole('button', { name: 'Back' }).click();
  await container.getByRole('button', { name: 'Add Ceramic mug to cart' }).click();
  await tab(container, 'Cart');
  const thumb = pageOf(container, CART).locator('wx-image.line-photo');
  await thumb.waitFor();
  assert.deepEqual(await fitOf(thumb), ['fill', '50% 50%']);

  // heightFix: the offer keeps its height and takes the banner's width for it (750 × 300).
  await tab(container, 'Me');
  const me = pageOf(container, PROFILE);
  const offer = me.locator('wx-image.offer-picture');
  await page.waitForFunction((el) => el.clientHeight > 0 && Math.abs(el.clientWidth - el.clientHeight * 2.5) <= 1,
    await offer.elementHandle(), { polling: 100, ...WAIT });
  // A crop mode: the picture unscaled, its bottom right corner in view.
  assert.deepEqual(await fitOf(me.locator('wx-image.header-art')), ['none', '100% 100%']);
  // binderror: the guest picture is missing, and the page shows the initial instead.
  await me.getByRole('img', { name: 'Your avatar' }).filter({ hasText: 'G' }).waitFor(WAIT);
  await page.screenshot({ path: path.join(shots, 'shop-profile-images.png') });
  await page.context().close();
});

test('buttons look as WeChat\'s: default, primary, plain with a type, mini, and "false" meaning off', async () => {
  const page = await newPage();
  const container = await openShopFromFeed(page);

  // Plain primary and mini (the product page's Share); disabled="false" is not disabled.
  let detail = await openDetail(container, 'Ceramic mug');
  const share = detail.getByRole('button', { name: 'Share' });
  assert.equal(await css(share, 'display'), 'inline-block', 'mini');
  assert.equal(await css(share, 'fontSize'), '13px');
  assert.equal(await css(share, 'color'), 'rgb(7, 193, 96)');
  assert.equal(await css(share, 'borderTopColor'), 'rgb(7, 193, 96)');
  assert.equal(await css(share, 'backgroundColor'), 'rgba(0, 0, 0, 0)');
  const buy = detail.getByRole('button', { name: 'Buy now' });
  assert.equal(await buy.getAttribute('disabled'), 'false');
  assert.equal(await buy.getAttribute('aria-disabled'), null);
  assert.equal(await css(buy, 'pointerEvents'), 'auto');
  // A sold-out product's buttons are disabled.
  await container.getByRole('button', { name: 'Back' }).click();
  detail = await openDetail(container, 'Linen tote bag');
  assert.equal(await detail.getByRole('button', { name: 'Buy now' }).getAttribute('aria-disabled'), 'true');
  assert.equal(await css(detail.getByRole('button', { name: 'Buy now' }), 'pointerEvents'), 'none');
  await container.getByRole('button', { name: 'Back' }).click();

  // The default look.
  await tab(container, 'Me');
  const me = pageOf(container, PROFILE);
  const login = me.getByRole('button', { name: 'Log in' });
  assert.equal(await css(login, 'backgroundColor'), 'rgb(248, 248, 248)');
  assert.equal(await css(login, 'color'), 'rgb(0, 0, 0)');
  assert.equal(await css(login, 'borderTopLeftRadius'), '5px');

  // Full-width primary, and plain warn: the type's colour on a transparent background.
  await me.getByText('My addresses').click();
  const form = pageOf(container, ADDRESS);
  const save = form.getByRole('button', { name: 'Save' });
  await save.waitFor();
  assert.equal(await css(save, 'backgroundColor'), 'rgb(7, 193, 96)');
  assert.equal(await css(save, 'color'), 'rgb(255, 255, 255)');
  assert.equal(await css(save, 'paddingLeft'), '14px');
  assert.equal(await css(save, 'fontSize'), '18px');
  assert.equal(await css(save, 'display'), 'block');
  const formWidth = await form.locator('wx-form').evaluate((f) => f.clientWidth - parseFloat(getComputedStyle(f).paddingLeft) * 2);
  assert.ok(near((await save.boundingBox()).width, formWidth), 'a block button is as wide as its container');
  const clear = form.getByRole('button', { name: 'Clear' });
  assert.equal(await css(clear, 'backgroundColor'), 'rgba(0, 0, 0, 0)');
  assert.equal(await css(clear, 'color'), 'rgb(230, 67, 64)');
  assert.equal(await css(clear, 'borderTopColor'), 'rgb(230, 67, 64)');
  await page.context().close();
});

test('text fields: the caret stays, the page clears after sending, keyboard types, password, confirm', async () => {
  const page = await newPage();
  const container = await openShopFromFeed(page);
  const detail = await openDetail(container, 'Ceramic mug');
  const ask = detail.getByRole('textbox', { name: 'Your question' });

  // Typing in the middle of a value: the page's echoes do not move the caret.
  await ask.pressSequentially('Is it safe?');
  await ask.press('Home');
  for (let i = 0; i < 'Is it '.length; i++) await ask.press('ArrowRight');
  await ask.pressSequentially('dishwasher ');
  // A round trip after the typing: every echo has arrived by the time the quantity changes.
  await detail.getByRole('button', { name: 'Increase quantity' }).click();
  await detail.getByText('Chosen: White × 2').waitFor();
  assert.equal(await ask.inputValue(), 'Is it dishwasher safe?');
  assert.equal(await ask.evaluate((i) => i.selectionStart), 'Is it dishwasher '.length);

  // Send (confirm): the question is listed and the page empties the box; confirm-hold keeps focus.
  await ask.focus();
  await ask.press('End');
  await ask.press('Enter');
  await detail.getByText('Questions (1)').waitFor();
  await detail.getByText('Is it dishwasher safe?', { exact: true }).waitFor();
  await page.waitForFunction((el) => el.value === '', await ask.elementHandle(), { polling: 100, ...WAIT });
  assert.equal(await ask.evaluate((i) => i.getRootNode().activeElement === i), true);
  // After erasing once, a second question still empties the box.
  await ask.pressSequentially('x');
  await ask.press('Backspace');
  await ask.pressSequentially('Does it chip?');
  await ask.press('Enter');
  await detail.getByText('Questions (2)').waitFor();
  await page.waitForFunction((el) => el.value === '', await ask.elementHandle(), { polling: 100, ...WAIT });

  // A number keyboard has no letters; a password is masked; Done confirms and closes the keyboard.
  await container.getByRole('button', { name: 'Back' }).click();
  await tab(container, 'Me');
  const me = pageOf(container, PROFILE);
  const number = me.getByRole('textbox', { name: 'Gift card number' });
  await number.pressSequentially('12ab34');
  assert.equal(await number.inputValue(), '1234');
  await number.fill('98x76');
  assert.equal(await number.inputValue(), '9876', 'pasted letters are dropped too');
  // Masked: a password field (it has no textbox role).
  const pin = me.locator('input[type="password"]');
  assert.equal(await pin.getAttribute('aria-label'), 'Gift card PIN');
  await pin.pressSequentially('000000');
  await pin.press('Enter');
  await me.getByText('No gift card ends in 9876.').waitFor();
  assert.equal(await pin.evaluate((i) => i.getRootNode().activeElement === i), false, 'no confirm-hold: the field lets go');
  await page.context().close();
});

test('progress: the free-delivery bar fills on from where it was, styled by its attributes, then activeend', async () => {
  const page = await newPage();
  const { cart } = await openCartWithMug(page);
  const bar = cart.getByRole('progressbar', { name: 'Towards free express delivery' });
  assert.equal(await bar.getAttribute('aria-valuenow'), '39');
  await cart.getByText('Add ¥60 more for free express delivery').waitFor();
  const part = (selector, property) => bar.evaluate((el, [s, p]) => getComputedStyle(el.shadowRoot.querySelector(s))[p], [selector, property]);
  assert.equal(await part('.info', 'fontSize'), '12px');
  assert.equal(await bar.evaluate((el) => el.shadowRoot.querySelector('.info').textContent), '39%');
  assert.equal(await part('.bar', 'height'), '6px');
  assert.equal(await part('.bar', 'borderTopLeftRadius'), '3px');
  assert.equal(await part('.bar', 'backgroundColor'), 'rgb(255, 227, 204)');
  assert.equal(await part('.fill', 'backgroundColor'), 'rgb(255, 106, 0)');

  // With motion allowed, active-mode="forwards" animates on from 39%, never from 0.
  await page.waitForFunction((el) => el.shadowRoot.querySelector('.fill').style.width === '39%',
    await bar.elementHandle(), { polling: 100, ...WAIT });
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await bar.evaluate((el) => {
    window.barWidths = [];
    new MutationObserver(() => window.barWidths.push(parseFloat(el.shadowRoot.querySelector('.fill').style.width)))
      .observe(el.shadowRoot.querySelector('.fill'), { attributes: true, attributeFilter: ['style'] });
  });
  await cart.getByText('+').click();
  await cart.getByText('Total: ¥78').waitFor();
  await page.waitForFunction(() => window.barWidths.at(-1) === 79, null, { polling: 100, ...WAIT });
  const widths = await page.evaluate(() => window.barWidths);
  assert.ok(Math.min(...widths) >= 39, `from the last percent: ${widths}`);

  // Full: the page says so once the bar has finished (bindactiveend).
  await cart.getByText('+').click();
  await cart.getByText('Free express delivery unlocked').waitFor(WAIT);
  assert.equal(await bar.getAttribute('aria-valuenow'), '100');
  assert.equal(await bar.evaluate((el) => el.shadowRoot.querySelector('.fill').style.width), '100%');
  assert.equal(await bar.evaluate((el) => el.shadowRoot.querySelector('.info').textContent), '100%');
  await page.screenshot({ path: path.join(shots, 'shop-cart-progress.png') });
  await page.context().close();
});

test('icons are vector pictures with WeChat\'s colours, sizes and names', async () => {
  const page = await newPage();
  const container = await openShopFromFeed(page);
  const home = pageOf(container, INDEX);
  const search = home.getByRole('img', { name: 'Search' });
  assert.equal(await css(search, 'color'), 'rgb(178, 178, 178)');
  assert.equal(await css(search, 'width'), '14px');
  assert.equal(await search.evaluate((el) => el.shadowRoot.querySelectorAll('svg circle, svg path').length > 0), true);

  // The clear icon is a button: it appears with a keyword and empties the search.
  const box = home.getByRole('textbox', { name: 'Search products' });
  await box.pressSequentially('mug');
  await home.getByText('1 of 4 products').waitFor();
  await home.getByRole('button', { name: 'Clear the search' }).click();
  await home.getByText('4 of 4 products').waitFor();
  await page.waitForFunction((el) => el.value === '', await box.elementHandle(), { polling: 100, ...WAIT });

  // Each type draws; a size in rpx follows the page width; the default is 23px.
  const drawn = await home.evaluate((p) => {
    const holder = document.createElement('div');
    p.shadowRoot.appendChild(holder);
    const types = ['success', 'success_no_circle', 'info', 'warn', 'waiting', 'cancel', 'download', 'search', 'clear'];
    const icons = types.map((type) => {
      const icon = holder.appendChild(document.createElement('wx-icon'));
      icon.setAttribute('type', type);
      return icon;
    });
    const rpx = document.createElement('wx-icon');
    rpx.setAttribute('type', 'success');
    rpx.setAttribute('size', '750rpx');
    holder.appendChild(rpx);
    const out = {
      colours: icons.map((icon) => getComputedStyle(icon).color),
      shapes: icons.map((icon) => icon.shadowRoot.querySelector('svg').childElementCount),
      defaultSize: getComputedStyle(icons[0]).width,
      rpxWidth: rpx.getBoundingClientRect().width,
      pageWidth: p.clientWidth,
    };
    holder.remove();
    return out;
  });
  assert.deepEqual(drawn.colours, ['rgb(7, 193, 96)', 'rgb(7, 193, 96)', 'rgb(16, 174, 255)', 'rgb(247, 98, 96)',
    'rgb(16, 174, 255)', 'rgb(244, 53, 48)', 'rgb(9, 187, 7)', 'rgb(178, 178, 178)', 'rgb(178, 178, 178)']);
  assert.ok(drawn.shapes.every((n) => n > 0));
  assert.equal(drawn.defaultSize, '23px');
  assert.ok(near(drawn.rpxWidth, drawn.pageWidth), `750rpx is the page's width: ${drawn.rpxWidth} vs ${drawn.pageWidth}`);
  // A colour the page gives wins over the type's.
  await container.getByRole('button', { name: 'Add Ceramic mug to cart' }).click();
  await tab(container, 'Cart');
  const info = pageOf(container, CART).getByRole('img', { name: 'Information' });
  assert.equal(await css(info, 'color'), 'rgb(255, 106, 0)');
  await page.context().close();
});

test('labels toggle what they name; the slider reports changing while dragged; checkbox colour', async () => {
  const page = await newPage();
  const { me } = await openProfile(page);

  // A label with `for` toggles the switch it names, which it also names.
  await me.getByText('Order notifications').click();
  await me.getByText('Notifications on').waitFor();
  assert.equal(await me.getByRole('switch', { name: 'Order notifications' }).getAttribute('aria-checked'), 'true');

  // A label around a checkbox: a tap on its text toggles it.
  await me.getByText('Kitchen', { exact: true }).click();
  await me.getByText('likes: kitchen').waitFor();
  const kitchen = me.getByRole('checkbox', { name: 'Kitchen' });
  assert.equal(await kitchen.getAttribute('aria-checked'), 'true');
  assert.equal(await kitchen.evaluate((c) => getComputedStyle(c.shadowRoot.querySelector('.box')).color), 'rgb(255, 106, 0)');

  // The slider: block-size; changing while the thumb is dragged, change when it is let go.
  const slider = me.getByRole('slider', { name: 'Spending limit' });
  assert.equal(await css(slider, 'height'), '20px');
  assert.equal(await slider.evaluate((s) => getComputedStyle(s).getPropertyValue('--active').trim()), '#ff6a00');
  assert.equal(await slider.evaluate((s) => getComputedStyle(s).getPropertyValue('--thumb').trim()), '#ffffff');
  const box = await slider.boundingBox();
  const thumbX = box.x + box.width / 2;
  await page.mouse.move(thumbX, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(thumbX + box.width / 4, box.y + box.height / 2, { steps: 8 });
  await me.getByText(/Spending limit: up to ¥1[4-6]0/).waitFor();
  assert.ok(await me.getByText('budget ¥100').isVisible(), 'no change before the thumb is let go');
  await page.mouse.up();
  await me.getByText(/budget ¥1[4-6]0/).waitFor();
  await page.context().close();
});

test('components have WeChat\'s default layout', async () => {
  const page = await newPage();
  const container = await openShopFromFeed(page);
  const defaults = await pageOf(container, INDEX).evaluate((p) => {
    const holder = document.createElement('div');
    holder.style.width = '300px';
    p.shadowRoot.appendChild(holder);
    const make = (tag) => holder.appendChild(document.createElement(tag));
    const view = make('wx-view');
    const text = make('wx-text');
    const image = make('wx-image');
    const button = make('wx-button');
    button.textContent = 'OK';
    const navigator = make('wx-navigator');
    const input = make('wx-input');
    const icon = make('wx-icon');
    const style = (el) => getComputedStyle(el);
    const out = {
      view: style(view).display,
      text: [style(text).display, style(text).whiteSpace, style(text).userSelect],
      image: [image.getBoundingClientRect().width, image.getBoundingClientRect().height],
      button: [style(button).display, button.getBoundingClientRect().width, style(button).paddingLeft,
        style(button).fontSize, style(button).borderTopLeftRadius, style(button).backgroundColor],
      navigator: style(navigator).display,
      input: style(input).display,
      icon: style(icon).display,
    };
    holder.remove();
    return out;
  });
  assert.deepEqual(defaults, {
    view: 'block',
    text: ['inline', 'pre-line', 'none'],
    image: [320, 240],
    button: ['block', 300, '14px', '18px', '5px', 'rgb(248, 248, 248)'],
    navigator: 'block',
    input: 'block',
    icon: 'inline-block',
  });
  await page.context().close();
});
