// The mini-program container behaving as WeChat's page frame does, in real Chromium: window
// and tabBar configuration, pull-down refresh, reaching the bottom and scrolling, toasts,
// loading, action sheets and modals, touch events and long presses, page transitions,
// Relaunch, the swipeable feed, and the container as a modal dialog.
// CAPSULE_BIN names the capsule binary; CHROMIUM the browser (Debian's by default).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { baseUrl, newPage, openShopFromFeed, shots, startHost } from './harness.mjs';

startHost();

const CINEMA = 'tt00000000ticket';
const WAIT = { polling: 100, timeout: 20000 };

/** Opens the cinema at `route` (its home page by default) as a shared link would. */
async function openCinema(page, route = '', query = '') {
  const params = new URLSearchParams({ appid: CINEMA, path: route, query });
  await page.goto(`${baseUrl()}/?${params}`);
  const cinema = page.getByRole('dialog', { name: 'Cinema Tickets' });
  await cinema.locator('.page:not([hidden])').first().waitFor();
  return cinema;
}

/** Waits until the top page of the container is `route`. */
function shown(page, route) {
  return page.waitForFunction((route) => {
    const pages = [...document.querySelectorAll('.container .page')].filter((p) => !p.hidden);
    return pages.length > 0 && pages.at(-1).dataset.route === route;
  }, route, WAIT);
}

/** The computed style `property` of the element `selector` finds in the container. */
function style(page, selector, property) {
  return page.evaluate(([selector, property]) =>
    getComputedStyle(document.querySelector(`.container ${selector}`))[property], [selector, property]);
}

/** Runs `body` in the visible page element (the scroller holding the mini-program page). */
function inTopPage(page, body, arg) {
  return page.evaluate(([body, arg]) => {
    const top = [...document.querySelectorAll('.container .page')].filter((p) => !p.hidden).at(-1);
    return new Function('page', 'arg', body)(top, arg);
  }, [body, arg]);
}

test('the navigation bar takes its colours from app.json, the page JSON and the page; Home relaunches', async () => {
  const page = await newPage();
  const cinema = await openCinema(page);
  await cinema.getByText('Cinemas in').waitFor();
  // app.json's window: a dark bar with white text.
  assert.equal(await style(page, '.navbar', 'backgroundColor'), 'rgb(31, 31, 46)');
  assert.equal(await style(page, '.navbar', 'color'), 'rgb(255, 255, 255)');
  assert.equal(await cinema.getByRole('heading').textContent(), 'Now showing');
  assert.equal(await cinema.getByRole('button', { name: 'Home' }).isVisible(), false);

  // The film page sets its bar to the film's colour (setNavigationBarColor).
  await cinema.locator('.film').filter({ hasText: 'The Grinch' }).click();
  await cinema.getByRole('heading', { name: 'The Grinch' }).waitFor();
  await page.waitForFunction(() => getComputedStyle(document.querySelector('.container .navbar')).backgroundColor === 'rgb(47, 74, 42)', null, WAIT);

  // The seat map's page JSON overrides app.json's bar colour.
  await cinema.getByRole('button', { name: 'Choose seats for 19:10' }).click();
  await cinema.getByText('Pick up to 6 seats').waitFor();
  assert.equal(await style(page, '.navbar', 'backgroundColor'), 'rgb(0, 0, 0)');
  await page.screenshot({ path: path.join(shots, 'container-seats-bar.png') });

  // Opened at a page that is not the home page: Home (in place of Back) relaunches to it.
  const film = await openCinema(page, 'pages/film/film', 'id=f2');
  await film.getByText('96 min · score').waitFor();
  assert.equal(await film.getByRole('button', { name: 'Back' }).isVisible(), false);
  await film.getByRole('button', { name: 'Home' }).click();
  await shown(page, 'pages/index/index');
  await film.getByText('Cinemas in').waitFor();
  assert.equal(await film.getByRole('button', { name: 'Home' }).isVisible(), false);
  await page.context().close();
});

test('a page with a custom navigation bar fills the window under the floating capsule', async () => {
  const page = await newPage();
  const cinema = await openCinema(page, 'pages/film/film', 'id=f3');
  await cinema.getByRole('button', { name: 'Options' }).click();
  await cinema.getByRole('menuitem', { name: 'See the poster' }).click();
  await shown(page, 'pages/poster/poster');
  await cinema.getByText('Now showing at Capsule Cinema').waitFor();
  // No host bar: the page starts at the top, and the capsule floats over it, still usable.
  assert.equal(await page.locator('.container .navbar').isVisible(), false);
  const layout = await page.evaluate(() => {
    const container = document.querySelector('.container').getBoundingClientRect();
    const poster = document.querySelector('.container .page[data-route="pages/poster/poster"]').getBoundingClientRect();
    const more = document.querySelector('.container .capsule-menu .more').getBoundingClientRect();
    const hit = document.elementFromPoint(more.left + more.width / 2, more.top + more.height / 2);
    return { top: poster.top - container.top, capsuleOnTop: hit?.classList.contains('more'), capsuleOverPage: more.top >= poster.top };
  });
  assert.deepEqual(layout, { top: 0, capsuleOnTop: true, capsuleOverPage: true });
  assert.equal(await style(page, '.capsule-menu .more', 'color'), 'rgb(255, 255, 255)');
  await page.screenshot({ path: path.join(shots, 'container-custom-navigation.png') });
  // The page's own back button; the host bar is back on the film page.
  await cinema.getByRole('button', { name: 'Back to the film' }).click();
  await shown(page, 'pages/film/film');
  await page.locator('.container .navbar').waitFor();
  await page.context().close();
});

test('the tabBar draws its colours, border and icons from app.json', async () => {
  const page = await newPage();
  const shop = await openShopFromFeed(page);
  const tabbar = shop.locator('.tabbar');
  assert.equal(await style(page, '.tabbar', 'backgroundColor'), 'rgb(255, 255, 255)');
  assert.equal(await style(page, '.tabbar', 'borderTopColor'), 'rgba(0, 0, 0, 0.33)');
  assert.equal(await style(page, '.tabbar [aria-current="page"]', 'color'), 'rgb(255, 106, 0)');
  assert.equal(await style(page, '.tabbar [data-route="pages/cart/cart"]', 'color'), 'rgb(136, 136, 136)');
  const icons = () => tabbar.locator('img').evaluateAll((images) => images.map((i) => `${i.src.split('/').pop()} ${i.naturalWidth > 0}`));
  await page.waitForFunction(() => [...document.querySelectorAll('.tabbar img')].every((i) => i.complete && i.naturalWidth > 0), null, WAIT);
  assert.deepEqual(await icons(), ['home-active.png true', 'cart.png true', 'me.png true']);

  await tabbar.getByRole('button', { name: 'Cart' }).click();
  await shown(page, 'pages/cart/cart');
  await page.waitForFunction(() => document.querySelector('.tabbar [aria-current="page"]')?.dataset.route === 'pages/cart/cart', null, WAIT);
  assert.equal(await style(page, '.tabbar [data-route="pages/cart/cart"]', 'color'), 'rgb(255, 106, 0)');
  await page.waitForFunction(() => [...document.querySelectorAll('.tabbar img')].every((i) => i.complete && i.naturalWidth > 0), null, WAIT);
  assert.deepEqual(await icons(), ['home.png true', 'cart-active.png true', 'me.png true']);
  await page.screenshot({ path: path.join(shots, 'container-shop-tabbar.png') });

  // The cinema's tabBar: its own colours on a dark bar with a light border.
  const cinema = await openCinema(page);
  await cinema.getByText('Cinemas in').waitFor();
  assert.equal(await style(page, '.tabbar', 'backgroundColor'), 'rgb(31, 31, 46)');
  assert.equal(await style(page, '.tabbar', 'borderTopColor'), 'rgba(255, 255, 255, 0.33)');
  assert.equal(await style(page, '.tabbar [aria-current="page"]', 'color'), 'rgb(255, 59, 92)');
  assert.equal(await style(page, '.tabbar [data-route="pages/tickets/tickets"]', 'color'), 'rgb(160, 160, 176)');
  await page.context().close();
});

test('pulling the page down shows the loading area in the window background and refreshes', async () => {
  const page = await newPage();
  const cinema = await openCinema(page);
  await cinema.getByText('Showtimes refreshed 0 times').waitFor();
  // What the loading area went through, however fast the refresh.
  await page.evaluate(() => {
    const area = document.querySelector('.container .pull-refresh');
    window.pullStates = [];
    new MutationObserver(() => window.pullStates.push({
      active: area.classList.contains('active'),
      background: getComputedStyle(area).backgroundColor,
      style: area.dataset.style,
      label: area.textContent.trim(),
    })).observe(area, { attributes: true, attributeFilter: ['class'] });
  });
  const start = await cinema.getByText('Cinemas in').boundingBox();
  await page.mouse.move(start.x + 20, start.y + 5);
  await page.mouse.down();
  await page.mouse.move(start.x + 20, start.y + 205, { steps: 12 });
  await page.mouse.up();
  await cinema.getByText('Showtimes refreshed 1 times').waitFor();
  await page.waitForFunction(() => window.pullStates.some((s) => !s.active), null, WAIT);
  const states = await page.evaluate(() => window.pullStates);
  assert.deepEqual(states[0], { active: true, background: 'rgb(18, 18, 26)', style: 'light', label: 'Refreshing' });
  assert.equal(states.at(-1).active, false);
  // The page is back in its place.
  await page.waitForFunction(() => {
    const top = [...document.querySelectorAll('.container .page')].find((p) => !p.hidden);
    return getComputedStyle(top).transform === 'none';
  }, null, WAIT);
  // A drag is no tap: the banner it started on did not open anything.
  await shown(page, 'pages/index/index');
  await page.context().close();
});

test('reaching the bottom loads more behind a masked loading; scrolling shows Back to top; pageScrollTo', async () => {
  const page = await newPage();
  const cinema = await openCinema(page);
  await cinema.getByText('Harbour Lights').waitFor();
  assert.equal(await cinema.locator('.upcoming').count(), 4);
  // While "Loading films" shows, its mask is what a tap on the page would reach.
  await page.evaluate(() => {
    const container = document.querySelector('.container');
    window.loadings = [];
    new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (!node.classList?.contains('toast-layer')) continue;
          const box = container.querySelector('.pages').getBoundingClientRect();
          const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
          window.loadings.push({ text: node.textContent, masked: node.contains(hit), busy: node.querySelector('[aria-busy="true"]') !== null });
        }
      }
    }).observe(container, { childList: true });
  });
  await inTopPage(page, 'page.scrollTop = page.scrollHeight;');
  await cinema.getByText('Glass Garden').waitFor();
  assert.equal(await cinema.locator('.upcoming').count(), 8);
  assert.deepEqual(await page.evaluate(() => window.loadings), [{ text: 'Loading films', masked: true, busy: true }]);
  await cinema.getByRole('status').filter({ hasText: 'Loading films' }).waitFor({ state: 'detached' });

  // onPageScroll: scrolled down, the page offers Back to top, which scrolls it up.
  await cinema.getByRole('button', { name: 'Back to top' }).click();
  await page.waitForFunction(() => [...document.querySelectorAll('.container .page')].find((p) => !p.hidden).scrollTop === 0, null, WAIT);
  await cinema.getByRole('button', { name: 'Back to top' }).waitFor({ state: 'detached' });

  // pageScrollTo with a selector: "Coming soon" brings its section to the top of the page.
  await cinema.getByRole('button', { name: 'Coming soon' }).click();
  await page.waitForFunction(() => {
    const top = [...document.querySelectorAll('.container .page')].find((p) => !p.hidden);
    const section = top.shadowRoot.querySelector('.coming');
    return Math.abs(section.getBoundingClientRect().top - top.getBoundingClientRect().top) < 2;
  }, null, WAIT);
  await page.screenshot({ path: path.join(shots, 'container-coming-soon.png') });
  await page.context().close();
});

test('an action sheet, an editable modal, a modal without Cancel, and the tabBar badge', async () => {
  const page = await newPage();
  const cinema = await openCinema(page, 'pages/film/film', 'id=f1');
  const options = cinema.getByRole('button', { name: 'Options' });
  await options.click();
  const sheet = cinema.getByRole('menu', { name: 'Actions' });
  await sheet.waitFor();
  assert.deepEqual(await sheet.getByRole('menuitem').allTextContents(), ['Want to see', 'Write a review', 'Report a problem', 'See the poster', 'Cancel']);
  assert.equal(await sheet.getByRole('menuitem', { name: 'Write a review' }).evaluate((b) => getComputedStyle(b).color), 'rgb(31, 31, 46)');
  // The first item has the focus; arrow keys move down the list and wrap at its ends.
  const focused = (name) => sheet.getByRole('menuitem', { name }).evaluate((b) => b.matches(':focus'));
  assert.equal(await focused('Want to see'), true);
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused('Write a review'), true);
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  assert.equal(await focused('Cancel'), true);
  // Escape closes the sheet (answering cancel), not the mini-program; focus goes back.
  await page.keyboard.press('Escape');
  await sheet.waitFor({ state: 'detached' });
  assert.ok(await cinema.isVisible());
  assert.equal(await options.evaluate((b) => b.matches(':focus')), true);

  // An editable modal: its own button texts and colour; Not now answers cancel.
  await options.click();
  await sheet.getByRole('menuitem', { name: 'Write a review' }).click();
  const review = cinema.getByRole('alertdialog', { name: 'Your review' });
  const text = review.getByRole('textbox', { name: 'What did you think?' });
  assert.equal(await text.getAttribute('placeholder'), 'What did you think?');
  assert.equal(await review.getByRole('button', { name: 'Post' }).evaluate((b) => getComputedStyle(b).color), 'rgb(255, 59, 92)');
  await text.fill('Not this time');
  await review.getByRole('button', { name: 'Not now' }).click();
  await review.waitFor({ state: 'detached' });
  // Post answers what was written.
  await options.click();
  await sheet.getByRole('menuitem', { name: 'Write a review' }).click();
  await text.fill('Loved it');
  await review.getByRole('button', { name: 'Post' }).click();
  await cinema.getByText('Your review: Loved it').waitFor();
  assert.equal(await cinema.getByText('Not this time').count(), 0);
  await cinema.getByRole('status').filter({ hasText: 'Review posted' }).waitFor();

  // showCancel: false — one answer only.
  await options.click();
  await sheet.getByRole('menuitem', { name: 'Report a problem' }).click();
  const report = cinema.getByRole('alertdialog', { name: 'Report a problem' });
  await report.getByText('Thanks: the cinema will look into it.').waitFor();
  assert.deepEqual(await report.getByRole('button').allTextContents(), ['Got it']);
  await report.getByRole('button', { name: 'Got it' }).click();
  await report.waitFor({ state: 'detached' });

  // Want to see: the "My tickets" tab shows a badge on the home page until it is looked at.
  await options.click();
  await sheet.getByRole('menuitem', { name: 'Want to see' }).click();
  await cinema.getByRole('status').filter({ hasText: 'Added to Want to see' }).waitFor();
  await cinema.getByRole('button', { name: 'Home' }).click();
  const ticketsTab = cinema.locator('.tabbar').getByRole('button', { name: /My tickets/ });
  await ticketsTab.locator('.tab-badge').filter({ hasText: '1' }).waitFor();
  await page.screenshot({ path: path.join(shots, 'container-tab-badge.png') });
  await ticketsTab.click();
  await cinema.getByText('Want to see: The Grinch').waitFor();
  await ticketsTab.locator('.tab-badge').waitFor({ state: 'hidden' });
  await page.context().close();
});

test('touches reach the page\'s handlers; a long press is not a tap where the element binds it', async () => {
  const page = await newPage();
  const cinema = await openCinema(page);
  const grinch = cinema.locator('.film').filter({ hasText: 'The Grinch' });
  await grinch.waitFor();
  // Whether the card was lit, each time that changed (the page's setData, however fast: two
  // answers applied in one frame come to the observer together, so each record's value counts).
  await page.evaluate(() => {
    const card = document.querySelector('.container .page[data-route="pages/index/index"]').shadowRoot.querySelector('.film');
    window.lit = [];
    new MutationObserver((records) => {
      // The value after each change: the next record's old value, and the last one's is now.
      const values = records.slice(1).map((record) => record.oldValue || '').concat(card.className);
      for (const value of values) {
        const lit = value.split(/\s+/).includes('film-pressed');
        if (window.lit.at(-1) !== lit) window.lit.push(lit);
      }
    }).observe(card, { attributes: true, attributeFilter: ['class'], attributeOldValue: true });
  });
  const litThenOut = () => page.waitForFunction(() => window.lit.join() === 'true,false', null, WAIT);

  // touchstart lights the card up and touchmove puts it out; a drag is no tap.
  const box = await grinch.boundingBox();
  await page.mouse.move(box.x + 20, box.y + 10);
  await page.mouse.down();
  await page.mouse.move(box.x + 60, box.y + 10, { steps: 4 });
  await page.mouse.up();
  await litThenOut();
  // A machine stalled past the long-press time between the press and the move has opened the
  // card's sheet: that is right too, and is put away.
  if (await cinema.getByRole('menu').count()) await page.keyboard.press('Escape');
  // touchend puts it out too; a press without moving is a tap, which opens the film.
  await page.evaluate(() => { window.lit = []; });
  await page.mouse.down();
  await page.mouse.up();
  await litThenOut();
  await shown(page, 'pages/film/film');
  await cinema.getByRole('button', { name: 'Back' }).click();
  await shown(page, 'pages/index/index');

  // Held: the card's long press offers its actions, and no tap opens the film.
  await page.mouse.move(box.x + 20, box.y + 10);
  await page.mouse.down();
  const sheet = cinema.getByRole('menu', { name: 'The Grinch' });
  await sheet.waitFor();
  await page.mouse.up();
  await sheet.getByRole('menuitem', { name: 'Want to see' }).click();
  await cinema.getByRole('status').filter({ hasText: 'Added to Want to see' }).waitFor();
  await cinema.locator('.tabbar .tab-badge').filter({ hasText: '1' }).waitFor();
  assert.equal(await inTopPage(page, 'return page.dataset.route;'), 'pages/index/index');

  // Held on what binds no long press, the tap still comes: the list jumps to the last film.
  const jump = await cinema.getByRole('button', { name: 'Jump to the last film' }).boundingBox();
  await page.mouse.move(jump.x + 10, jump.y + 5);
  await page.mouse.down();
  await page.waitForTimeout(700); // held past the long-press time: the gesture itself
  await page.mouse.up();
  await page.waitForFunction(() => {
    const top = [...document.querySelectorAll('.container .page')].find((p) => !p.hidden);
    return top.shadowRoot.querySelector('wx-scroll-view').scrollTop > 0;
  }, null, WAIT);
  await page.context().close();
});

test('with motion: a push slides in, a back slides out, a tab switch does not slide', async () => {
  const page = await newPage();
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  const cinema = await openCinema(page);
  await cinema.getByText('Cinemas in').waitFor();
  // Every transition a page runs, with the classes it had when it started.
  await page.evaluate(() => {
    window.slides = [];
    document.addEventListener('transitionrun', (e) => {
      // The page's own slide, not a transition inside it (the banner's).
      if (e.target.classList?.contains('page') && e.composedPath()[0] === e.target && e.propertyName === 'transform') {
        window.slides.push(`${e.target.dataset.route} ${[...e.target.classList].filter((c) => c !== 'page').join(' ')}`.trim());
      }
    });
  });
  await cinema.locator('.film').filter({ hasText: 'Night Train' }).click();
  await shown(page, 'pages/film/film');
  await page.waitForFunction(() => window.slides.includes('pages/film/film'), null, WAIT);
  assert.ok((await page.evaluate(() => window.slides)).includes('pages/index/index covered'));
  // Once it is in, the page it covers is hidden and back in its place.
  await page.waitForFunction(() => {
    const index = document.querySelector('.container .page[data-route="pages/index/index"]');
    return index.hidden && !index.classList.contains('covered');
  }, null, WAIT);

  await page.evaluate(() => { window.slides = []; });
  await cinema.getByRole('button', { name: 'Back' }).click();
  await page.waitForFunction(() => window.slides.includes('pages/film/film leaving'), null, WAIT);
  await page.locator('.container .page[data-route="pages/film/film"]').waitFor({ state: 'detached' });
  await shown(page, 'pages/index/index');
  assert.equal(await page.locator('.container .page').count(), 1);

  // A tab switch swaps pages without a slide.
  await page.evaluate(() => { window.slides = []; });
  await cinema.locator('.tabbar').getByRole('button', { name: 'My tickets' }).click();
  await shown(page, 'pages/tickets/tickets');
  // The home tab stays alive, hidden, as the session keeps it; only the new tab shows.
  await page.waitForFunction(() => document.querySelectorAll('.container .page:not([hidden])').length === 1, null, WAIT);
  assert.deepEqual(await page.evaluate(() => window.slides), []);
  // Back to the home tab (after declining the log-in "My tickets" asks for): the kept page
  // shows again, with its content, and still no slide.
  await page.getByRole('dialog', { name: 'Log in' }).getByRole('button', { name: 'Cancel' }).click();
  await cinema.locator('.tabbar').getByRole('button', { name: 'Now showing' }).click();
  await shown(page, 'pages/index/index');
  await cinema.locator('.film').filter({ hasText: 'Night Train' }).waitFor();
  assert.deepEqual(await page.evaluate(() => window.slides), []);
  await page.context().close();
});

test('Relaunch from the capsule menu starts the mini-program again at its launch page', async () => {
  const page = await newPage();
  await page.getByRole('button', { name: 'Cinema Tickets: Buy tickets' }).click();
  const cinema = page.getByRole('dialog', { name: 'Cinema Tickets' });
  await cinema.getByText('Harbour Lights').waitFor();
  await inTopPage(page, 'page.scrollTop = page.scrollHeight;');
  await cinema.getByText('Glass Garden').waitFor();
  await cinema.locator('.film').filter({ hasText: 'Night Train' }).click();
  await shown(page, 'pages/film/film');
  await page.evaluate(() => {
    window.closings = 0;
    document.addEventListener('capsule-closed', () => { window.closings += 1; });
  });

  await cinema.getByRole('button', { name: 'More' }).click();
  await cinema.getByRole('menuitem', { name: 'Relaunch' }).click();
  await page.waitForFunction(() => document.querySelectorAll('.container').length === 1
    && document.querySelectorAll('.container .page').length === 1, null, WAIT);
  await shown(page, 'pages/index/index');
  await cinema.getByText('Harbour Lights').waitFor();
  // Fresh: the first four films coming soon again, and no Back.
  assert.equal(await cinema.locator('.upcoming').count(), 4);
  assert.equal(await cinema.getByRole('button', { name: 'Back' }).isVisible(), false);
  // The host never took over meanwhile: no "closed", and its feed stays paused.
  assert.equal(await page.evaluate(() => window.closings), 0);
  assert.ok(await page.evaluate(() => [...document.querySelectorAll('#feed video')].every((v) => v.paused)));
  await page.context().close();
});

test('the feed swipes one video at a time by keyboard, mouse drag and wheel', async () => {
  const page = await newPage();
  const feed = page.locator('#feed');
  await page.locator('article.video').nth(2).waitFor();
  /** Waits until video `n` fills the feed, then checks its anchor is the one on screen. */
  const showing = async (n) => {
    await page.waitForFunction((n) => {
      const feed = document.getElementById('feed');
      return Math.abs(feed.scrollTop - feed.children[n].offsetTop) < 2;
    }, n, WAIT);
    return page.evaluate((n) => {
      const anchor = document.getElementById('feed').children[n].querySelector('.anchor');
      const box = anchor.getBoundingClientRect();
      return document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2)?.closest('.anchor') === anchor
        ? anchor.getAttribute('aria-label') : null;
    }, n);
  };
  assert.match(await showing(0), /^Capsule Shop/);

  await feed.focus();
  await page.keyboard.press('ArrowDown');
  assert.equal(await showing(1), 'Cinema Tickets: Buy tickets');
  await page.keyboard.press('PageDown');
  assert.match(await showing(2), /^2048/);
  await page.keyboard.press('ArrowUp');
  assert.equal(await showing(1), 'Cinema Tickets: Buy tickets');

  // A mouse drags the feed up to the next video.
  const box = await feed.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 200, { steps: 8 });
  await page.mouse.up();
  assert.match(await showing(2), /^2048/);

  // One turn of the wheel, one video.
  await page.mouse.wheel(0, -120);
  assert.equal(await showing(1), 'Cinema Tickets: Buy tickets');
  await page.context().close();
});

test('the container is a modal dialog: focus moves in and back, Escape closes only the topmost menu', async () => {
  const page = await newPage();
  const anchor = page.getByRole('button', { name: /Capsule Shop: Shop the look/ });
  await anchor.click();
  const shop = page.getByRole('dialog', { name: 'Capsule Shop' });
  await shop.getByText('Ceramic mug').first().waitFor();
  assert.equal(await shop.getAttribute('aria-modal'), 'true');
  assert.ok(await page.evaluate(() => document.querySelector('.container').contains(document.activeElement)));

  const more = shop.getByRole('button', { name: 'More' });
  await more.click();
  await shop.getByRole('menuitem', { name: 'Share' }).waitFor();
  assert.equal(await shop.getByRole('menuitem', { name: 'Share' }).evaluate((b) => b.matches(':focus')), true);
  // Arrow keys, Home and End move between the menu's items.
  const focused = (name) => shop.getByRole('menuitem', { name }).evaluate((b) => b.matches(':focus'));
  await page.keyboard.press('ArrowRight');
  assert.equal(await focused('QR code'), true);
  await page.keyboard.press('End');
  assert.equal(await focused('Cancel'), true);
  await page.keyboard.press('ArrowRight');
  assert.equal(await focused('Share'), true);
  await page.keyboard.press('Escape');
  await shop.getByRole('menu', { name: 'More' }).waitFor({ state: 'detached' });
  assert.ok(await shop.isVisible());
  assert.equal(await more.evaluate((b) => b.matches(':focus')), true);

  await shop.getByRole('button', { name: 'Close' }).click();
  await page.waitForFunction(() => document.querySelector('.container') === null, null, WAIT);
  assert.equal(await anchor.evaluate((b) => b.matches(':focus')), true);
  await page.context().close();
});

test('an opened container is in place, first page inside, in the frame that first shows it; with motion it slides up', async () => {
  const page = await newPage();
  // What the container looks like when it enters the document, before any frame is drawn.
  const watchEntry = () => page.evaluate(() => {
    window.entered = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        const container = document.querySelector('#containers .container');
        if (!container) return;
        observer.disconnect();
        const shown = container.querySelector('.page:not([hidden])');
        const slide = container.getAnimations().find((a) => a.animationName === 'container-enter');
        resolve({
          open: container.classList.contains('open'),
          transform: getComputedStyle(container).transform,
          content: Boolean(shown?.shadowRoot?.querySelector('wx-product-card')),
          slideFrom: slide ? slide.effect.getKeyframes()[0].transform : null,
        });
      });
      observer.observe(document.getElementById('containers'), { childList: true });
    });
  });
  const anchor = page.getByRole('button', { name: /Capsule Shop: Shop the look/ });
  await watchEntry();
  await anchor.click();
  // Reduced motion: it stands in its place with the shop's products, no frame later.
  assert.deepEqual(await page.evaluate(() => window.entered), { open: true, transform: 'none', content: true, slideFrom: null });
  const shop = page.getByRole('dialog', { name: 'Capsule Shop' });
  await shop.getByRole('button', { name: 'Close' }).click();
  await page.waitForFunction(() => document.querySelector('.container') === null, null, WAIT);

  // With motion it slides up from below by an animation that starts with it, and ends in place.
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await watchEntry();
  await anchor.click();
  const entered = await page.evaluate(() => window.entered);
  assert.equal(entered.content, true);
  assert.equal(entered.slideFrom, 'translateY(100%)');
  await page.waitForFunction(() => document.querySelector('.container').getAnimations().length === 0, null, WAIT);
  assert.equal(await style(page, '', 'transform'), 'none');
  await page.context().close();
});

test('a reply the container makes by itself holds no frame; the person\'s choice does', async () => {
  const page = await newPage();
  // Every frame that looks for the session's answer leaves a user timing mark.
  await page.addInitScript(() => {
    window.settleWaits = 0;
    new PerformanceObserver((list) => {
      window.settleWaits += list.getEntriesByName('capsule-settle-wait').length;
    }).observe({ entryTypes: ['mark'] });
  });
  // The film page sets its bar's title and colour as it loads: host calls the container
  // answers by itself, with no one touching anything.
  const film = await openCinema(page, 'pages/film/film', 'id=f1');
  await page.waitForFunction(() => document.querySelector('.container .title').textContent === 'The Grinch', null, WAIT);
  await film.locator('.page:not([hidden])').evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  assert.equal(await page.evaluate(() => window.settleWaits), 0, 'an automatic reply made a frame wait');

  // Choosing in the action sheet answers the person: the next frame looks for what it causes.
  await film.getByRole('button', { name: 'Options' }).click();
  const sheet = film.getByRole('menu', { name: 'Actions' });
  await sheet.waitFor();
  const before = await page.evaluate(() => window.settleWaits);
  await sheet.getByRole('menuitem', { name: 'Want to see' }).click();
  await page.getByText('Added to Want to see').waitFor();
  assert.ok(await page.evaluate(() => window.settleWaits) > before, 'the choice\'s reply did not wait for its answer');
  await page.context().close();
});

test('a tap\'s answer is painted in the next frame, from the worker\'s shared mailbox, once', async () => {
  const page = await newPage();
  // The host page is cross-origin isolated, so it can share memory with its socket worker.
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  const shop = await openShopFromFeed(page);
  await shop.getByText('4 of 4 products').waitFor();
  // Every frame callback notes whether the footer changed while it ran; a change applied from
  // a task (the socket message by postMessage) cannot be in one. Each change to the footer's
  // text is counted too: a message applied twice would count twice.
  await page.evaluate(() => {
    const footer = () => document.querySelector('.container .page:not([hidden])').shadowRoot.querySelector('.footer');
    window.footerChanges = 0;
    window.footerChangesInFrames = 0;
    new MutationObserver((records) => { window.footerChanges += records.length; })
      .observe(footer(), { characterData: true, childList: true, subtree: true });
    const request = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (callback) => request((time) => {
      const before = footer().textContent;
      callback(time);
      if (footer().textContent !== before) window.footerChangesInFrames += 1;
    });
  });
  const taps = 6;
  for (let i = 0; i < taps; i++) {
    const [tab, footer] = i % 2 === 0 ? ['Tea', '1 of 4 products'] : ['All', '4 of 4 products'];
    await shop.getByRole('tab', { name: tab, exact: true }).click();
    await shop.getByText(footer).waitFor();
  }
  const { changes, inFrames } = await page.evaluate(() => ({ changes: window.footerChanges, inFrames: window.footerChangesInFrames }));
  assert.equal(changes, taps);
  // The frame after a tap waits a few milliseconds for the answer; on loopback most arrive.
  assert.ok(inFrames >= 1, `no answer of ${taps} was painted in the frame after its tap`);
});
