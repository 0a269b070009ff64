// Plays the shared scenarios: reads every JSON file here and runs its steps against a driver,
// the one part that differs between the automator suite and the browser suite. A driver has
// route(), text(step, selector) (null when absent), tap(step, selector),
// input(step, selector, value), back() and switchTab(url, label); see README.md for the steps
// and for a scenario's launch `path` and `query`, which each runner opens its own way.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const folder = path.dirname(fileURLToPath(import.meta.url));
// Generous: the machines that run these are slow and shared.
const WAIT_MS = 15000;

/** The page a scenario starts on, as a mini-program URL (`/pages/x/x?a=1`), or null for the app's first page. */
export function launchUrl(scenario) {
  if (!scenario.path) return null;
  return `/${scenario.path.replace(/^\//, '')}${scenario.query ? `?${scenario.query}` : ''}`;
}

/** Every scenario, as `{ file, scenario }`, in file order. */
export function scenarios() {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((file) => ({ file, scenario: JSON.parse(readFileSync(path.join(folder, file), 'utf8')) }));
}

/** Polls `probe` until it answers `{ ok: true }`, or fails with what it last saw. */
async function until(what, probe) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const { ok, seen } = await probe();
    if (ok) return;
    if (Date.now() > deadline) assert.fail(`${what}: last saw ${JSON.stringify(seen)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const collapse = (text) => text.replace(/\s+/g, ' ').trim();

/** What a `text` step asks of the shown text: exactly `equals`, or a match of `matches`. */
function textCheck(step) {
  if (step.equals !== undefined) return (shown) => shown === step.equals;
  const pattern = new RegExp(step.matches);
  return (shown) => pattern.test(shown);
}

async function play(driver, step) {
  if (step.page !== undefined) {
    await until(`page ${step.page}`, async () => {
      const route = await driver.route();
      return { ok: route === step.page, seen: route };
    });
  } else if (step.text !== undefined) {
    const fits = textCheck(step);
    await until(`text of ${JSON.stringify(step.text)}`, async () => {
      const text = await driver.text(step, step.text);
      const shown = text === null ? null : collapse(text);
      return { ok: shown !== null && fits(shown), seen: shown };
    });
  } else if (step.absent !== undefined) {
    await until(`no ${step.absent}`, async () => {
      const text = await driver.text(step, step.absent);
      return { ok: text === null, seen: text };
    });
  } else if (step.tap !== undefined) {
    await driver.tap(step, step.tap);
  } else if (step.input !== undefined) {
    await driver.input(step, step.input, step.value);
  } else if (step.back) {
    await driver.back();
  } else if (step.switchTab !== undefined) {
    await driver.switchTab(step.switchTab, step.label);
  } else {
    assert.fail(`unknown step ${JSON.stringify(step)}`);
  }
}

/** Runs every step in order; a failure names the step. */
export async function playScenario(scenario, driver) {
  for (const [index, step] of scenario.steps.entries()) {
    await play(driver, step).catch((error) => {
      error.message = `step ${index + 1} ${JSON.stringify(step)}: ${error.message}`;
      throw error;
    });
  }
}
