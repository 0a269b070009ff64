#!/usr/bin/env node
// Times one render of the same large list page and data, side by side in one run:
// WeChat's wcc-compiled render function under Node (V8) against `capsule render --repeat N`.
//
//   (cd bench && npm ci) && node bench/render-vs-wcc.mjs target/release/capsule [ITEMS] [N]
//
// Capsule's time per render is (time of N+1 renders - time of 1 render) / N, which takes the
// process start, file reading and compilation out; wcc's is N calls of its render function
// after a warm-up, in-process. Both build the whole tree each time.
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const require = createRequire(path.join(here, 'package.json'));
const [binary = 'target/release/capsule', itemsArg = '1000', repeatArg = '200'] = process.argv.slice(2);
const items = Number(itemsArg);
const repeat = Number(repeatArg);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capsule-bench-'));
fs.copyFileSync(path.join(here, 'list-page.wxml'), path.join(dir, 'index.wxml'));
const goods = Array.from({ length: items }, (_, i) => ({
  id: i, title: `Product ${i}`, price: (i * 137) % 10000, image: `/img/${i}.png`, soldOut: i % 7 === 0, tags: ['new'],
}));
const dataText = JSON.stringify({ goods });
fs.writeFileSync(path.join(dir, 'data.json'), dataText);

function countNodes(nodes) {
  return nodes.reduce((n, node) => n + 1 + (typeof node === 'string' ? 0 : countNodes(node.children || [])), 0);
}

function timeWcc() {
  const compiler = require('miniprogram-compiler');
  const source = compiler.wxmlToJs(dir);
  // Run in Node's main realm (not a vm context, whose global lookups are far slower), as a
  // browser would: wcc's output keeps its state in globals.
  globalThis.window = globalThis;
  globalThis.__wxAppCode__ = {};
  const quiet = console.log;
  console.log = () => {};
  const gwx = new Function('global', source)({});
  const render = gwx('index.wxml');
  const data = JSON.parse(dataText);
  let root;
  for (let i = 0; i < Math.max(20, repeat / 5); i++) root = render(data); // warm-up: let V8 optimise
  const start = process.hrtime.bigint();
  for (let i = 0; i < repeat; i++) root = render(data);
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / repeat;
  console.log = quiet;
  return { ms, nodes: countNodes(root.children) };
}

function timeCapsule(n) {
  const start = process.hrtime.bigint();
  const out = execFileSync(binary, ['render', path.join(dir, 'index.wxml'), '--data', path.join(dir, 'data.json'), '--repeat', String(n)],
    { maxBuffer: 1 << 30 });
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, tree: JSON.parse(out).tree };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const wcc = [];
const capsule = [];
let nodes = 0;
let capsuleNodes = 0;
for (let round = 0; round < 5; round++) {
  const w = timeWcc();
  wcc.push(w.ms);
  nodes = w.nodes;
  const one = timeCapsule(1);
  const many = timeCapsule(repeat + 1);
  capsule.push((many.ms - one.ms) / repeat);
  capsuleNodes = countNodes(one.tree);
}
fs.rmSync(dir, { recursive: true, force: true });
const w = median(wcc);
const c = median(capsule);
console.log(`list page: ${items} items, ${nodes} nodes (wcc) / ${capsuleNodes} nodes (capsule), ${repeat} renders, median of 5 rounds`);
console.log(`wcc render function (Node ${process.version}): ${w.toFixed(3)} ms per render`);
console.log(`capsule render:                  ${c.toFixed(3)} ms per render`);
console.log(`capsule / wcc time ratio: ${(c / w).toFixed(2)} (below 1 means Capsule is faster)`);
