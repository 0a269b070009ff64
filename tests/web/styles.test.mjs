// Style isolation in a real page, the 2048 game, checked by computed styles inside the pages'
// shadow roots: an isolated component (score-box) keeps the page's and the app's classes out
// but takes `:host` and an external class; an `addGlobalClass` component (game-button) takes
// the app's classes; a `shared` component (tile) lends its styles, imported from a shared
// file, to the page; two pages' styles stay apart, and the host's CSS stays out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { baseUrl, newPage, shots, signUpInSheet, startHost } from './harness.mjs';

startHost();

const WAIT_MS = 15000;

/** A computed style property of the element `locator` finds. */
function computed(locator, property) {
  return locator.evaluate((element, name) => getComputedStyle(element).getPropertyValue(name), property);
}

/** Waits until the computed `property` is `expected` (sheets may come after the first frame). */
async function expectStyle(locator, property, expected, why) {
  const deadline = Date.now() + WAIT_MS;
  let seen = await computed(locator, property);
  while (seen !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    seen = await computed(locator, property);
  }
  assert.equal(seen, expected, `${why}: ${property}`);
}

/** One rpx in px in the container (750 rpx is its width). */
async function rpx(game) {
  const value = await game.locator('.pages').evaluate((pages) => getComputedStyle(pages).getPropertyValue('--capsule-rpx'));
  return parseFloat(value);
}

async function openGame() {
  const page = await newPage();
  await page.goto(`${baseUrl()}/?appid=tt00000000game48&path=pages/index/index&query=seed%3D7`);
  const game = page.getByRole('dialog', { name: '2048' });
  await game.getByText('Join the tiles, get to 2048!').waitFor();
  return { page, game };
}

test('2048: isolated, apply-shared and shared components, external classes, :host and @import', async () => {
  const { page, game } = await openGame();
  const top = game.locator('.page:not([hidden])');

  // score-box is isolated: the app's `.caption` (small print with a margin) styles the page's
  // own caption but not the box's inner node of the same class name.
  const pageCaption = top.locator('.caption').filter({ hasText: 'Swipe on the board' });
  const one = await rpx(game);
  assert.ok(one > 0, 'the container measures rpx');
  await pageCaption.waitFor();
  const margin = parseFloat(await computed(pageCaption, 'margin-top'));
  assert.ok(Math.abs(margin - 16 * one) < 0.5, `the app's .caption on the page: margin-top ${margin}px, not 16rpx`);
  const scoreBox = game.locator('wx-score-box').first();
  const boxCaption = scoreBox.locator('wx-view').first();
  await expectStyle(boxCaption, 'display', 'flex', 'score-box\'s own caption rule');
  assert.equal(await computed(boxCaption, 'margin-top'), '0px', 'the app\'s .caption reached an isolated component');
  assert.equal(await computed(boxCaption, 'text-align'), 'start', 'the app\'s .caption reached an isolated component');

  // :host styles the box itself; the page colours the Best number through `value-class`.
  await expectStyle(scoreBox, 'background-color', 'rgb(187, 173, 160)', 'score-box :host');
  await expectStyle(scoreBox.locator('.score'), 'color', 'rgb(255, 255, 255)', 'score-box\'s own .value');
  await expectStyle(game.locator('wx-score-box').nth(1).locator('.best'), 'color', 'rgb(119, 110, 101)', 'the page\'s .best through value-class');
  assert.equal(await game.locator('wx-score-box').first().textContent(), 'Score 0');

  // game-button asks for global classes: the app's button looks reach its button, next to
  // its own rule.
  const newGame = game.getByRole('button', { name: 'New game' });
  await expectStyle(newGame, 'background-color', 'rgb(143, 122, 102)', 'the app\'s .button-primary in game-button');
  await expectStyle(newGame, 'display', 'inline-block', 'game-button\'s own rule');
  const leaderboard = game.getByRole('button', { name: 'Leaderboard' });
  await expectStyle(leaderboard, 'background-color', 'rgb(238, 228, 218)', 'the app\'s .button-plain in game-button');

  // tile is shared: the palette it imports colours the board's tiles and, on the page, the
  // logo drawn as the 2048 tile.
  const tile = top.locator('.tile').first();
  await expectStyle(tile, 'background-color', 'rgb(238, 228, 218)', 'the imported .tile-2 on a tile');
  await expectStyle(tile, 'display', 'flex', 'the imported .tile on a tile');
  await expectStyle(top.locator('.logo'), 'background-color', 'rgb(237, 194, 46)', 'the shared component\'s .tile-2048 on the page\'s logo');

  // 750 rpx is the container's width, in the page and in a component's shadow root alike,
  // and follows it when the window (so the container) changes width.
  const viewport = page.viewportSize();
  assert.ok(Math.abs(one - Math.min(viewport.width, 480) / 750) < 0.001, `one rpx is ${one}px`);
  // score-box pads itself 20 rpx from its own shadow root's :host rule.
  const boxPadding = async () => parseFloat(await computed(scoreBox, 'padding-left'));
  const widePadding = await boxPadding();
  assert.ok(Math.abs(widePadding - 20 * one) < 0.05, `score-box's 20rpx padding is ${widePadding}px`);
  await page.setViewportSize({ width: 300, height: viewport.height });
  await expectStyle(game.locator('.pages'), '--capsule-rpx', '0.4px', 'one rpx in a 300 px container');
  const narrowPadding = await boxPadding();
  assert.ok(Math.abs(narrowPadding - 20 * 0.4) < 0.05, `score-box's 20rpx padding in 300 px: ${narrowPadding}px`);
  await page.setViewportSize(viewport);
  assert.ok(Math.abs((await rpx(game)) - one) < 0.001, 'one rpx back at the first width');
  assert.ok(Math.abs((await boxPadding()) - widePadding) < 0.05, 'score-box\'s padding back at the first width');

  // The host's own CSS (`* { box-sizing: border-box }`) stays outside.
  assert.equal(await computed(top.locator('.game'), 'box-sizing'), 'content-box', 'the host\'s box-sizing reached the page');
  await page.screenshot({ path: path.join(shots, 'styles-game.png') });
  await page.context().close();
});

test('2048: the game page\'s styles do not reach the leaderboard page, which offers a log-in', async () => {
  const { page, game } = await openGame();
  const gameHead = game.locator('[data-route="pages/index/index"]').locator('.head');
  await expectStyle(gameHead, 'align-items', 'center', 'the game page\'s .head');
  assert.notEqual(await computed(gameHead, 'column-gap'), 'normal');

  await game.getByRole('button', { name: 'Leaderboard' }).click();
  const board = game.locator('[data-route="pages/leaderboard/leaderboard"]');
  await board.getByText('Top ten', { exact: true }).waitFor();
  // Looking needs no log-in: someone the host does not know is offered one instead.
  await board.getByText('Log in to see the best players.').waitFor();

  const head = board.locator('.head');
  await expectStyle(head, 'align-items', 'baseline', 'the leaderboard\'s own .head');
  assert.equal(await computed(head, 'column-gap'), 'normal', 'the game page\'s .head gap reached the leaderboard');
  // The app's styles reach every page and the components on it.
  await expectStyle(board.getByRole('button', { name: 'Log in' }), 'background-color', 'rgb(143, 122, 102)', 'the app\'s .button-primary on the leaderboard');
  await expectStyle(board.locator('.caption'), 'text-align', 'center', 'the app\'s .caption on the leaderboard');
  await page.screenshot({ path: path.join(shots, 'styles-leaderboard.png') });

  // Its Log in button asks the host, and then the list loads.
  await board.getByRole('button', { name: 'Log in' }).click();
  const sheet = await signUpInSheet(page, 'onlooker');
  await sheet.waitFor({ state: 'detached' });
  await board.getByText('No scores yet. Be the first!').waitFor();
  await page.context().close();
});
