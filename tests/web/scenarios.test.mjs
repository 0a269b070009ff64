// Plays every shared scenario in tests/scenarios in the host web app with Chromium, as a person
// would (taps, typing, the navigation bar's Back, the tabBar); tests/automator/scenarios.test.mjs
// plays the same files with WeChat's miniprogram-automator, so both must see the same pages.
import { test } from 'node:test';
import path from 'node:path';
import { baseUrl, newPage, shots, startHost } from './harness.mjs';
import { launchUrl, playScenario, scenarios } from '../scenarios/play.mjs';

startHost();

/** The DOM selector for a template selector: tags are the view's `wx-` elements. */
const domSelector = (selector) => (/^[a-z]/.test(selector) ? `wx-${selector}` : selector);

/** The steps' driver: the container's top page, its Shadow DOM pierced by Playwright. */
function driver(container) {
  const top = () => container.locator('.page:not([hidden])');
  const find = (step, selector) => {
    const [first, ...rest] = Array.isArray(selector) ? selector : [selector];
    let element = top().locator(domSelector(first)).nth(step.index ?? 0);
    for (const inner of rest) element = element.locator(domSelector(inner)).first();
    return element;
  };
  return {
    route: () => top().getAttribute('data-route', { timeout: 200 }).catch(() => null),
    text: async (step, selector) => {
      const element = find(step, selector);
      // The element may go between count() and textContent(): then it is absent, not awaited.
      if ((await element.count()) === 0) return null;
      return element.textContent({ timeout: 500 }).catch(() => null);
    },
    tap: (step, selector) => find(step, selector).click(),
    input: (step, selector, value) => find(step, selector).locator('input, textarea').fill(value),
    back: () => container.getByRole('button', { name: 'Back' }).click(),
    switchTab: (url, label) => container.locator('.tabbar').getByRole('button', { name: label, exact: true }).click(),
  };
}

/** The host's shared-link address that opens the scenario's mini-program on its launch page. */
function sharedLink(scenario) {
  const link = new URLSearchParams({ appid: scenario.appid });
  if (launchUrl(scenario)) {
    link.set('path', scenario.path);
    link.set('query', scenario.query || '');
  }
  return `${baseUrl()}/?${link}`;
}

for (const { file, scenario } of scenarios()) {
  test(`scenario ${file}: ${scenario.about}`, async () => {
    const page = await newPage();
    await page.goto(sharedLink(scenario));
    const container = page.getByRole('dialog', { name: scenario.name });
    await playScenario(scenario, driver(container)).catch(async (error) => {
      await page.screenshot({ path: path.join(shots, `scenario-${file}-failed.png`) });
      throw error;
    });
    await page.screenshot({ path: path.join(shots, `scenario-${file}.png`) });
    await page.context().close();
  });
}
