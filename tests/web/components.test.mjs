// Built-in components in real Chromium, driven as a person would, each change reaching the
// mini-program through its WeChat event: form submit and reset with named values, text fields,
// every picker mode, picker-view, swiper, scroll-view thresholds, rich-text sanitising, video,
// cover-view, movable-view and a share button.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { newPage, openShopFromFeed, shots, signUpInSheet, startHost } from './harness.mjs';

startHost();

const ADDRESS = 'packageAccount/pages/address/address';
const DETAIL = 'packageProduct/pages/detail/detail';

async function openAddressForm(page) {
  const container = await openShopFromFeed(page);
  await container.locator('.tabbar').getByRole('button', { name: 'Me', exact: true }).click();
  await container.getByText('My addresses').click();
  const form = container.locator(`[data-route="${ADDRESS}"]`);
  await form.getByText('Not saved yet.').waitFor();
  // Not a tab page: no tabBar.
  assert.equal(await container.locator('.tabbar').isVisible(), false);
  return { container, form };
}

/** Opens a picker by its shown text, acts in its sheet, and confirms. */
async function pick(form, shown, act) {
  await form.getByRole('button', { name: shown }).click();
  const sheet = form.getByRole('dialog');
  await sheet.waitFor();
  await act(sheet);
  await sheet.getByRole('button', { name: 'OK' }).click();
  await sheet.waitFor({ state: 'detached' });
}

test('a form submits its named controls, every picker mode and picker-view included, and resets', async () => {
  const page = await newPage();
  const { form } = await openAddressForm(page);

  await form.getByRole('textbox', { name: 'Recipient' }).fill('Li Lei');
  await form.locator('input[placeholder="Mobile number"]').fill('13800000000');
  const street = form.getByRole('textbox', { name: 'Street and number' });
  await street.fill('1 West Lake Road');
  await street.press('Shift+Enter');

  // multiSelector: choosing a kind of place is a columnchange the page answers with its lockers.
  await pick(form, /Pick-up locker: none/, async (sheet) => {
    await sheet.getByRole('listbox', { name: 'Column 1' }).selectOption('1');
    await sheet.getByRole('option', { name: 'Wumart, Qingchun Road' }).waitFor();
    await sheet.getByRole('listbox', { name: 'Column 2' }).selectOption('1');
  });
  await form.getByText('Pick-up locker: Supermarket: Wumart, Qingchun Road').waitFor();

  // region: province, city and district.
  await pick(form, /Region: not chosen/, async (sheet) => {
    await sheet.getByRole('listbox', { name: 'Province' }).selectOption({ label: 'Guangdong' });
    await sheet.getByRole('listbox', { name: 'City' }).selectOption({ label: 'Shenzhen' });
    await sheet.getByRole('listbox', { name: 'District' }).selectOption({ label: 'Nanshan' });
  });
  await form.getByText('Region: Guangdong, Shenzhen, Nanshan (440305, postcode 518052)').waitFor();

  // selector with range-key.
  await pick(form, /Type: Home/, (sheet) => sheet.getByRole('listbox', { name: 'Options' }).selectOption('1'));
  await form.getByText('Type: Office').waitFor();

  // date and time; a time outside start/end is clamped to the range.
  await pick(form, /Delivery date/, (sheet) => sheet.getByLabel('Date').fill('2027-01-15'));
  await form.getByText('Delivery date: 2027-01-15').waitFor();
  await pick(form, /Delivery time/, (sheet) => sheet.getByLabel('Time').fill('23:30'));
  await form.getByText('Delivery time: 21:00').waitFor();

  // Cancel leaves the value alone.
  await form.getByRole('button', { name: /Type: Office/ }).click();
  await form.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await form.getByText('Type: Office').waitFor();
  // So does Escape, which closes the sheet and leaves the mini-program open.
  await form.getByRole('button', { name: /Type: Office/ }).click();
  await form.getByRole('dialog').waitFor();
  await page.keyboard.press('Escape');
  await form.getByRole('dialog').waitFor({ state: 'detached' });
  await form.getByText('Type: Office').waitFor();
  assert.equal(await page.getByRole('dialog', { name: 'Capsule Shop' }).count(), 1);

  // picker-view: keys move a column; the change reports every column's index.
  const windows = form.getByRole('listbox', { name: 'Window' });
  await windows.focus();
  await windows.press('ArrowDown');
  await windows.press('ArrowDown');

  await form.getByRole('switch').click();
  await form.getByRole('button', { name: 'Save' }).click();
  // The shop's backend keeps addresses: saving asks the person to log in first.
  await signUpInSheet(page, 'addresser');
  const saved = form.getByText(/^Saved: /);
  await saved.waitFor();
  const text = await saved.textContent();
  const value = JSON.parse(text.slice('Saved: '.length, text.indexOf('; slot')));
  assert.deepEqual(value, {
    name: 'Li Lei', phone: '13800000000', street: '1 West Lake Road\n', region: ['Guangdong', 'Shenzhen', 'Nanshan'],
    type: 1, date: '2027-01-15', time: '21:00', locker: [1, 1], dropOff: 'door', isDefault: true, idNumber: '',
  });
  assert.match(text, /slot Today 15:00-18:00$/);
  await form.getByText('1 West Lake Road, Guangdong Shenzhen Nanshan').waitFor();
  await page.screenshot({ path: path.join(shots, 'shop-address.png') });
  await form.locator('wx-picker-view').screenshot({ path: path.join(shots, 'shop-picker-view.png') });

  // Reset clears the form's controls and tells the page.
  await form.getByRole('button', { name: 'Clear' }).click();
  await form.getByText('Cleared.').waitFor();
  assert.equal(await form.getByRole('textbox', { name: 'Recipient' }).inputValue(), '');
  assert.equal(await form.getByRole('switch').getAttribute('aria-checked'), 'false');
  await page.context().close();
});

test('text fields keep WeChat maxlength and an empty name is refused by the page', async () => {
  const page = await newPage();
  const { container, form } = await openAddressForm(page);
  const name = form.getByRole('textbox', { name: 'Recipient' });
  await name.pressSequentially('abcdefghijklmnopqrstuvwxyz');
  assert.equal(await name.inputValue(), 'abcdefghijklmnopqrst', 'maxlength="20"');
  await name.fill('');
  await form.getByRole('button', { name: 'Save' }).click();
  await container.getByRole('status').filter({ hasText: 'Enter a name' }).waitFor();
  // wx.hideShareMenu: this page's menu has no Share.
  await container.getByRole('button', { name: 'More' }).click();
  await container.getByRole('menuitem', { name: 'About' }).waitFor();
  assert.equal(await container.getByRole('menuitem', { name: 'Share' }).count(), 0);
  await page.context().close();
});

// A pointer swipe from right to left across most of `locator`.
async function swipeLeft(page, locator) {
  const box = await locator.boundingBox();
  await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
}

async function openDetail(page) {
  const container = await openShopFromFeed(page);
  await container.getByText('Ceramic mug').first().click();
  const detail = container.locator(`[data-route="${DETAIL}"]`);
  await detail.getByText('Photo 1 of 3').waitFor();
  return { container, detail };
}

test('swiper, rich-text, video with cover-view, movable-view, scroll-view and a share button', async () => {
  const page = await newPage();
  const { detail } = await openDetail(page);

  // swiper: its dots and keys move it; bindchange reaches the page.
  const gallery = detail.getByRole('region', { name: 'Photos' });
  await gallery.getByRole('button', { name: 'Slide 3' }).click();
  await detail.getByText('Photo 3 of 3').waitFor();
  await gallery.focus();
  await gallery.press('ArrowRight');
  await detail.getByText('Photo 1 of 3').waitFor(); // circular
  // Swiping with the pointer.
  await swipeLeft(page, gallery);
  await detail.getByText('Photo 2 of 3').waitFor();

  // rich-text: the HTML string rendered.
  const rich = detail.locator('wx-rich-text');
  assert.equal(await rich.locator('b').textContent(), 'Jingdezhen');
  assert.equal(await rich.locator('li').count(), 2);

  // video with controls and WeChat's play event; the cover-view sits over it until then.
  await detail.getByText('Watch it in use').waitFor();
  const video = detail.locator('wx-video video');
  assert.equal(await video.evaluate((v) => v.controls), true);
  assert.equal(await video.getAttribute('aria-label'), 'Ceramic mug video');
  assert.match(await video.getAttribute('src'), /^\/api\/sessions\/\w+\/files\/packageProduct\/media\/mug\.mp4$/);
  await video.evaluate((v) => v.play());
  await detail.getByText('Watch it in use').waitFor({ state: 'detached' });

  // movable-view: dragged within its area; the change reaches the page, clamped to the area.
  const logo = detail.getByRole('button', { name: 'Initials' });
  await logo.scrollIntoViewIfNeeded();
  const at = await logo.boundingBox();
  // From its centre: it is round, and a browser hit-tests the rounded shape.
  const centre = { x: at.x + at.width / 2, y: at.y + at.height / 2 };
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.down();
  await page.mouse.move(centre.x + 60, centre.y + 20, { steps: 6 });
  await page.mouse.up();
  await detail.getByText('Place your initials: 60, 20').waitFor();
  await logo.focus();
  for (let i = 0; i < 10; i++) await logo.press('ArrowDown');
  const area = await detail.locator('wx-movable-area').boundingBox();
  const bottom = Math.round(area.height - at.height);
  await detail.getByText(`Place your initials: 60, ${bottom}`).waitFor();

  // scroll-view: reaching the end (lower-threshold) loads more, once per arrival.
  const related = detail.locator('wx-scroll-view');
  await related.evaluate((s) => s.scrollTo({ left: s.scrollWidth }));
  await detail.getByText('Loaded 4 more.').waitFor();
  await related.evaluate((s) => s.scrollTo({ left: s.scrollWidth }));
  await detail.getByText('(set of 3)').first().waitFor();

  // A share button asks the page for its share content.
  await detail.getByRole('button', { name: 'Share' }).click();
  await detail.getByText('Shared from the button').waitFor();
  await page.screenshot({ path: path.join(shots, 'shop-detail-components.png') });
  await page.context().close();
});

// A picture as the browser decoded it (it rejects when the picture cannot load).
const decoded = (img) => img.evaluate((el) => el.decode().then(() => [el.naturalWidth, el.naturalHeight]));

test('image shows the package\'s pictures; a spec turns the gallery; previewImage shows them full screen', async () => {
  const page = await newPage();
  const container = await openShopFromFeed(page);
  // The card's thumbnail, from the main package by an absolute path, through the session.
  const thumb = container.getByRole('img', { name: 'Ceramic mug' });
  assert.deepEqual(await decoded(thumb), [300, 300]);
  assert.match(await thumb.getAttribute('src'), /^\/api\/sessions\/\w+\/files\/images\/thumbs\/p1\.jpg$/);
  // aspectFill covers its box.
  assert.equal(await thumb.evaluate((el) => getComputedStyle(el).objectFit), 'cover');
  await page.screenshot({ path: path.join(shots, 'shop-home.png') });

  await container.getByText('Ceramic mug').first().click();
  const detail = container.locator(`[data-route="${DETAIL}"]`);
  await detail.getByText('Photo 1 of 3').waitFor();
  assert.deepEqual(await decoded(detail.getByRole('img', { name: 'Ceramic mug, photo 1' })), [750, 750]);
  // Each colour has its photo: choosing one turns the gallery to it.
  await detail.getByRole('radio', { name: 'Sage green' }).click();
  await detail.getByText('Photo 3 of 3').waitFor();
  const sage = detail.getByRole('img', { name: 'Ceramic mug, photo 3' });
  assert.deepEqual(await decoded(sage), [750, 750]);
  await page.screenshot({ path: path.join(shots, 'detail-photos.png') });

  // A tap on it: wx.previewImage, the host's viewer, on that photo.
  await sage.click();
  const viewer = page.getByRole('dialog', { name: 'Picture 3 of 3' });
  await viewer.waitFor();
  assert.deepEqual(await decoded(viewer.getByRole('img', { name: 'Picture 3 of 3' })), [750, 750]);
  await page.screenshot({ path: path.join(shots, 'preview-image.png') });
  await viewer.getByRole('button', { name: 'Next picture' }).click();
  const first = page.getByRole('dialog', { name: 'Picture 1 of 3' });
  await first.waitFor();
  await page.keyboard.press('ArrowLeft');
  await page.getByRole('dialog', { name: 'Picture 3 of 3' }).waitFor();
  await page.getByRole('button', { name: 'Close' }).filter({ hasText: 'Close' }).click();
  await page.getByRole('dialog', { name: /^Picture/ }).waitFor({ state: 'detached' });
  // Swiping the gallery is not a tap: no viewer opens.
  await swipeLeft(page, detail.getByRole('region', { name: 'Photos' }));
  await detail.getByText('Photo 1 of 3').waitFor();
  await page.waitForTimeout(300);
  assert.equal(await page.getByRole('dialog', { name: /^Picture/ }).count(), 0);
  await page.context().close();
});

test('rich-text drops script, handlers and unsafe URLs', async () => {
  const page = await newPage();
  const { detail } = await openDetail(page);
  const rich = detail.locator('wx-rich-text');
  const result = await rich.evaluate(async (element) => {
    window.__ran = false;
    element.setAttribute('nodes', '<p onclick="window.__ran=true" class="x">ok<script>window.__ran=true</script>'
      + '<img src="javascript:window.__ran=true" onerror="window.__ran=true"><a href="javascript:alert(1)">a</a>'
      + '<iframe src="https://example.com"></iframe><span style="background:url(javascript:x);color:red">s</span></p>');
    const nodes = [{ name: 'div', attrs: { onmouseover: 'x', style: 'color: blue' }, children: [{ type: 'text', text: 'from nodes' }] }];
    await new Promise((r) => setTimeout(r, 50));
    const content = () => [...element.shadowRoot.childNodes].filter((n) => n.localName !== 'style').map((n) => n.outerHTML ?? n.data).join('');
    const html = content();
    element.setAttribute('nodes', JSON.stringify(nodes));
    const fromNodes = content();
    return { html, fromNodes, ran: window.__ran };
  });
  assert.equal(result.ran, false);
  assert.ok(!/script|onclick|onerror|javascript|iframe|url\(/i.test(result.html), result.html);
  assert.match(result.html, /<p class="x">ok/);
  assert.match(result.fromNodes, /<div style="color: blue">from nodes<\/div>/);
  await page.context().close();
});

async function openTickets(page) {
  await page.getByRole('button', { name: 'Mini Programs' }).click();
  await page.locator('#panel').getByRole('button', { name: 'Open Cinema Tickets' }).first().click();
  const container = page.getByRole('dialog', { name: 'Cinema Tickets' });
  await container.getByText(/^Cinemas in /).waitFor();
  return container;
}

test('swiper autoplay, scroll-into-view and the scroll-view refresher', async () => {
  const page = await newPage();
  const tickets = await openTickets(page);

  // Autoplay moves the banner on its own; each move is a change the page hears.
  await tickets.getByText(/featured 2 of 3/).waitFor({ timeout: 5000 });

  // scroll-into-view: the page names an element id; the list scrolls to it.
  const list = tickets.locator('wx-scroll-view');
  assert.equal(await list.evaluate((s) => s.scrollTop), 0);
  await tickets.getByText('Jump to the last film').click();
  await page.waitForFunction(() => {
    const page = [...document.querySelectorAll('.container .page')].find((p) => !p.hidden);
    return page.shadowRoot.querySelector('wx-scroll-view').scrollTop > 0;
  }, null, { polling: 100 });

  // The refresher: pulled down at the top past its threshold, it refreshes until the page
  // sets refresher-triggered back to false, then folds away.
  await list.evaluate((s) => s.scrollTo({ top: 0, behavior: 'instant' }));
  const box = await list.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + 10);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + 160, { steps: 10 });
  await page.mouse.up();
  await tickets.getByText('Showtimes refreshed 1 times').waitFor();
  await page.waitForFunction(() => {
    const page = [...document.querySelectorAll('.container .page')].find((p) => !p.hidden);
    const refresher = page.shadowRoot.querySelector('wx-scroll-view').shadowRoot.querySelector('.refresher');
    return parseFloat(refresher.style.height) === 0;
  }, null, { polling: 100 });
  await page.screenshot({ path: path.join(shots, 'tickets-list.png') });
  await page.context().close();
});
