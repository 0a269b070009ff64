// Plays every shared scenario in tests/scenarios with WeChat's `miniprogram-automator` against
// `capsule automator`; tests/web/scenarios.test.mjs plays the same files in Chromium.
// CAPSULE_BIN names the capsule binary (.ci/run builds it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import automator from 'miniprogram-automator';
import { launchUrl, playScenario, scenarios } from '../scenarios/play.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = process.env.CAPSULE_BIN || path.join(root, 'target/release/capsule');

async function launch(project, port) {
  const server = spawn(bin, ['automator', path.join(root, 'examples', project), '--port', String(port)], {
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  await new Promise((resolve, reject) => {
    server.stderr.on('data', (chunk) => { if (String(chunk).includes('automation on')) resolve(); });
    server.on('exit', (code) => reject(new Error(`capsule automator exited with ${code}`)));
  });
  const miniProgram = await automator.connect({ wsEndpoint: `ws://127.0.0.1:${port}` });
  return { server, miniProgram };
}

/** Starts on the scenario's launch page, query and all, as WeChat's tools do: a reLaunch. */
async function openLaunchPage(miniProgram, scenario) {
  const url = launchUrl(scenario);
  if (url) await miniProgram.reLaunch(url);
}

/** The steps' driver: the automator's pages and elements. */
function driver(miniProgram) {
  // The element a step's selector names on the current page, or null.
  const find = async (step, selector) => {
    const page = await miniProgram.currentPage();
    const [first, ...rest] = Array.isArray(selector) ? selector : [selector];
    let element = (await page.$$(first))[step.index ?? 0] ?? null;
    for (const inner of rest) {
      if (element === null) break;
      element = await element.$(inner);
    }
    return element;
  };
  const found = async (step, selector) => {
    const element = await find(step, selector);
    assert.ok(element, `no element at ${JSON.stringify(selector)}`);
    return element;
  };
  return {
    route: async () => (await miniProgram.currentPage()).path,
    text: async (step, selector) => {
      const element = await find(step, selector);
      return element === null ? null : element.text();
    },
    tap: async (step, selector) => (await found(step, selector)).tap(),
    input: async (step, selector, value) => (await found(step, selector)).input(value),
    back: () => miniProgram.navigateBack(),
    switchTab: (url) => miniProgram.switchTab(url),
  };
}

scenarios().forEach(({ file, scenario }, number) => {
  test(`scenario ${file}: ${scenario.about}`, async () => {
    const { server, miniProgram } = await launch(scenario.project, 9920 + (process.pid % 400) + number * 1000);
    try {
      await openLaunchPage(miniProgram, scenario);
      await playScenario(scenario, driver(miniProgram));
    } finally {
      miniProgram.disconnect();
      server.kill();
    }
  });
});
