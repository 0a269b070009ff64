// What every browser suite shares: `capsule serve` on a free loopback port with the example
// apps, Debian's Chromium, a fresh context per test, and opening the shop from its anchor.
// CAPSULE_BIN names the capsule binary; CHROMIUM the browser (Debian's by default).
import { before, after } from 'node:test';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const shots = path.join(root, 'target/web-screenshots');
mkdirSync(shots, { recursive: true });

const bin = process.env.CAPSULE_BIN || path.join(root, 'target/release/capsule');
let server;
let browser;
let base;
let data;

/** Starts the server and the browser before the file's tests and stops them after. */
export function startHost() {
  before(async () => {
    data = mkdtempSync(path.join(tmpdir(), 'capsule-'));
    server = spawn(bin, ['serve', '--bind', '127.0.0.1:0', '--examples', path.join(root, 'examples'), '--data-dir', data], { stdio: ['ignore', 'pipe', 'inherit'] });
    base = await new Promise((resolve, reject) => {
      server.stdout.on('data', (chunk) => {
        const match = /http:\/\/127\.0\.0\.1:\d+/.exec(String(chunk));
        if (match) resolve(match[0]);
      });
      server.on('exit', (code) => reject(new Error(`capsule serve exited with ${code}`)));
    });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking'],
    });
  });
  after(async () => {
    if (browser) await browser.close();
    if (server) server.kill();
  });
}

/** The server's data folder (its database, package store and `demo-secrets.json`). */
export function dataDir() {
  return data;
}

/** The server's address, `http://127.0.0.1:PORT`. */
export function baseUrl() {
  return base;
}

export async function newPage() {
  // Reduced motion: no page transitions to wait out.
  const context = await browser.newContext({ viewport: { width: 400, height: 760 }, reducedMotion: 'reduce' });
  const page = await context.newPage();
  page.on('pageerror', (err) => { throw err; });
  await page.goto(base + '/');
  return page;
}

export async function openShopFromFeed(page) {
  const anchor = page.getByRole('button', { name: /Capsule Shop/ }).first();
  await anchor.click();
  const container = page.getByRole('dialog', { name: 'Capsule Shop' });
  await container.getByText('Ceramic mug').waitFor();
  return container;
}

/** Signs a new person up in the host's "Log in" sheet, when something asked them to log in. */
export async function signUpInSheet(page, username) {
  const sheet = page.getByRole('dialog', { name: 'Log in' });
  await sheet.getByLabel('Username').fill(username);
  await sheet.getByLabel('Password').fill('correct horse');
  await sheet.getByRole('button', { name: 'Sign up' }).click();
  return sheet;
}
