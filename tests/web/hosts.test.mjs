// Each sample mini-program runs identically in the Douyin-style and the Toutiao-style hosts:
// opened from the same link in each, driven through the same steps, every page renders the
// same tree (the page's shadow DOM, byte for byte) and the same page stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseUrl, newPage, startHost } from './harness.mjs';

startHost();

const HOSTS = [['Douyin', '/'], ['Toutiao', '/toutiao/']];

const SAMPLES = [
  {
    name: 'Capsule Shop', appid: 'tt0000000000shop', path: 'pages/index/index', query: '',
    ready: (app) => app.getByText('4 of 4 products').waitFor(),
    steps: [
      async (app) => {
        await app.getByRole('tab', { name: 'Tea' }).click();
        await app.getByText('1 of 4 products').waitFor();
      },
      async (app) => {
        await app.getByText('Green tea, 100 g').first().click();
        await app.getByRole('radio', { name: 'Gift box' }).click();
        await app.getByText('Chosen: Gift box × 1, ¥88').waitFor();
      },
    ],
  },
  {
    name: 'Cinema Tickets', appid: 'tt00000000ticket', path: 'pages/film/film', query: 'id=f1',
    ready: (app) => app.getByText('86 min · score').waitFor(),
    steps: [
      async (app) => {
        await app.getByRole('button', { name: 'Choose seats for 13:30' }).click();
        await app.getByRole('button', { name: 'Seat C4, free' }).click();
        await app.getByText('Your seats: C4').waitFor();
      },
    ],
  },
  {
    name: '2048', appid: 'tt00000000game48', path: 'pages/index/index', query: 'seed=1',
    ready: (app) => app.getByText('Score 0').waitFor(),
    steps: [
      async (app) => {
        await app.getByRole('button', { name: 'Left', exact: true }).click();
        await app.locator('.tile').nth(2).waitFor();
      },
    ],
  },
];

/** The top page's route and its rendered tree. */
function topPage(app) {
  return app.evaluate((root) => {
    const pages = [...root.querySelectorAll('[data-route]')].filter((el) => el.shadowRoot && !el.hidden);
    const top = pages[pages.length - 1];
    return { route: top.dataset.route, stack: pages.length, tree: top.shadowRoot.innerHTML };
  });
}

/** Opens `sample` by its link in the host at `prefix`, plays its steps, and records each page. */
async function play(prefix, sample) {
  const page = await newPage();
  const query = new URLSearchParams({ appid: sample.appid, path: sample.path, query: sample.query });
  await page.goto(`${baseUrl()}${prefix}?${query}`);
  const app = page.getByRole('dialog', { name: sample.name });
  await sample.ready(app);
  const seen = [await topPage(app)];
  for (const step of sample.steps) {
    await step(app);
    seen.push(await topPage(app));
  }
  await page.context().close();
  return seen;
}

for (const sample of SAMPLES) {
  test(`${sample.name} is the same in the Douyin-style and Toutiao-style hosts`, async () => {
    const runs = [];
    for (const [, prefix] of HOSTS) runs.push(await play(prefix, sample));
    assert.equal(runs[0].length, sample.steps.length + 1);
    for (const [index, step] of runs[0].entries()) {
      assert.ok(step.tree.length > 100, `${sample.name}: page ${step.route} rendered`);
      assert.deepEqual(runs[1][index], step, `${sample.name}: step ${index} differs between the hosts`);
    }
  });
}
