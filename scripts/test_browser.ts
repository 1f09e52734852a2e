// npm run test:browser [-- --screenshots=out/browser --chromium=/usr/bin/chromium]
// The page in a real browser: Debian's chromium, driven by puppeteer-core (which downloads
// nothing). It trains a tiny checkpoint in Node first, so it needs no network and no earlier run:
//   1. the page loads with no console error, and the served checkpoint answers
//   2. "Ask the car" gives the calls `npm run -s predict` gives on the same checkpoint
//   3. every GPU.js kernel in the page (WebGL, or what GPU.js falls back to) equals its CPU twin
//   4. 30 training steps in the page's worker give Node's trainer's losses (within 1e-4)
//   5. a screenshot of each view
// Times are reported, never asserted (a shared CI machine's speed varies). Not part of npm test.
import './node_flags.ts'; // first: lets the engine use WebAssembly's FMA on Node 20
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import puppeteer from 'puppeteer-core';
import type { Browser, Page } from 'puppeteer-core';
import { parseArgs } from './cli.ts';
import { buildPage, servePage } from './demo_site.ts';
import type { RunningSite } from './demo_site.ts';
import { prepareData, runFinetune } from '../train/fc_pipeline.ts';
import { defaultFinetuneConfig } from '../train/stage_config.ts';
import { train } from '../train/trainer.ts';
import { TextStream } from '../data/dataset.ts';
import { pageData, pagePrepare, pretrainSettings } from '../web/walkthrough.ts';

const cfg = parseArgs({ screenshots: 'out/browser', chromium: '/usr/bin/chromium', steps: 30, keep: false });
const COMMANDS = ['turn up the heat for the driver', 'set the fan to high for the rear passengers', 'navigate to 12 oak street'];

let failures = 0;
const times: string[] = [];
async function check(name: string, fn: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  try {
    await fn();
    console.log(`ok    ${name} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failures++;
    console.log(`FAIL  ${name}\n      ${(e as Error).message.replace(/\n/g, '\n      ')}`);
  }
}
function expect(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

const dir = mkdtempSync(join(tmpdir(), 'browser-test-'));
const model = join(dir, 'model');
let browser: Browser | null = null;
let site: RunningSite | null = null;
const consoleErrors: string[] = [];

try {
  console.log(`browser test: scratch directory ${dir}`);
  // a tiny checkpoint, a fifth of its examples in the loop format, so the page shows thought and answer too
  const t0 = performance.now();
  const log = () => {};
  prepareData({ data_dir: join(dir, 'data'), num_train: 300, num_val: 20, num_unseen: 0, vocab_size: 320, tokenizer_pattern: 'digits', incomplete_rate: 0.05, copy_boost: 1, agent_fraction: 0.2, noise_rate: 0, seed: 4 }, log);
  await runFinetune({
    ...defaultFinetuneConfig, init_from: 'scratch', fc_data_dir: join(dir, 'data'), out_dir: model, block_size: 192,
    n_layer: 1, n_head: 2, n_embd: 32, max_iters: 20, eval_interval: 20, eval_iters: 1, batch_size: 8, sample_interval: 0, eval_examples: 0, workers: 1,
  }, log);
  console.log(`trained a tiny checkpoint in Node in ${((performance.now() - t0) / 1000).toFixed(1)} s -> ${model}`);

  // what npm run -s predict says for the commands (its default decoding, copy)
  const predicted = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/predict.ts', `--out_dir=${model}`], { input: COMMANDS.join('\n') + '\n', encoding: 'utf8', timeout: 120_000 });
  if (predicted.status !== 0) throw new Error(`npm run predict failed: ${predicted.stderr}`);
  const nodeCalls = predicted.stdout.trim().split('\n').map((l) => JSON.parse(l) as { call: unknown; raw: string });

  site = await servePage(await buildPage(), model, 0);
  console.log(`serving the page at ${site.url}`);
  if (!existsSync(cfg.chromium)) throw new Error(`no browser at ${cfg.chromium}: apt-get install -y chromium (or --chromium=PATH)`);
  browser = await puppeteer.launch({
    executablePath: cfg.chromium, headless: true, protocolTimeout: 900_000,
    // WebGL without a GPU: ANGLE on SwiftShader, Chrome's software renderer
    args: ['--no-sandbox', '--headless=new', '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--window-size=1280,1000'],
  });
  console.log(`browser: ${await browser.version()}`);
  const page: Page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1000 });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`page error: ${(e as Error).message}`));
  page.on('requestfailed', (r) => consoleErrors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  mkdirSync(cfg.screenshots, { recursive: true });

  await check('the page loads and the served checkpoint answers', async () => {
    await page.goto(site!.url, { waitUntil: 'load', timeout: 120_000 });
    const ready = await page.evaluate(() => window.demo.ready);
    expect(ready.ok, `the checkpoint did not load: ${ready.error}`);
    times.push(`page ready (model loaded, Ask enabled): ${ready.ms.toFixed(0)} ms after navigation (target < 3000 ms)`);
    const isolated = await page.evaluate(() => crossOriginIsolated);
    expect(isolated, 'the page is not cross-origin isolated: COOP/COEP headers missing');
    console.log(`      the page answers on: ${await page.evaluate(() => window.demo.cpuName)}`);
  });

  await check(`"Ask the car" gives npm run predict's calls for ${COMMANDS.length} commands`, async () => {
    for (let i = 0; i < COMMANDS.length; i++) {
      const a = await page.evaluate((c) => window.demo.ask(c), COMMANDS[i]);
      expect(a !== null, 'no answer: is the model loaded?');
      if (i === 0) times.push(`first answer: ${a!.ms.toFixed(0)} ms (target < 1000 ms)`);
      console.log(`      ${JSON.stringify(COMMANDS[i])} -> ${JSON.stringify(a!.call)} (${a!.ms.toFixed(0)} ms)${a!.thought === null ? '' : `; thought: ${JSON.stringify(a!.thought)}`}`);
      expect(JSON.stringify(a!.call) === JSON.stringify(nodeCalls[i].call), `command ${JSON.stringify(COMMANDS[i])}: the page's call ${JSON.stringify(a!.call)} is not predict's ${JSON.stringify(nodeCalls[i].call)}`);
      expect(a!.raw === nodeCalls[i].raw, `command ${JSON.stringify(COMMANDS[i])}: the page wrote ${JSON.stringify(a!.raw)}, predict ${JSON.stringify(nodeCalls[i].raw)}`);
    }
    await page.screenshot({ path: join(cfg.screenshots, 'ask-the-car.png'), fullPage: true });
  });

  await check('every GPU.js kernel in the page equals its CPU twin', async () => {
    const r = await page.evaluate(() => window.demo.checkKernels());
    console.log(`      GPU.js runs in the page in ${r.mode} mode${r.note === '' ? '' : ` (${r.note})`}`);
    for (const x of r.results) console.log(`      ${x.ok ? 'ok  ' : 'FAIL'} [${r.mode}] ${x.name}${x.ok ? '' : `: ${x.error}`}`);
    expect(r.results.length > 0 && r.results.every((x) => x.ok), `${r.results.filter((x) => !x.ok).length} kernel checks failed`);
  });

  await check(`${cfg.steps} training steps in the page's worker give Node's losses (within 1e-4)`, async () => {
    await page.evaluate(() => window.demo.show('learn'));
    const inPage = await page.evaluate((steps) => window.demo.learn('cpu', steps, 10), cfg.steps);
    console.log(`      the worker trained on ${inPage.mode}, ${inPage.seconds.toFixed(1)} s for the whole walkthrough`);
    times.push(`walkthrough in the page (${cfg.steps} + 10 steps, cpu): ${inPage.seconds.toFixed(1)} s`);
    const data = pageData(pagePrepare);
    const settings = { ...pretrainSettings(cfg.steps), out_dir: join(dir, 'node-pretrain') };
    const node = await train(settings, new TextStream(data.tokenizer, data.train, data.val, settings.block_size), { log: () => {} });
    expect(inPage.losses.pretrain.length === cfg.steps, `the page ran ${inPage.losses.pretrain.length} steps, not ${cfg.steps}`);
    const diffs = node.losses.map((l, i) => Math.abs(l - inPage.losses.pretrain[i]));
    const worst = Math.max(...diffs);
    console.log(`      losses ${node.losses[0].toFixed(4)} -> ${node.losses.at(-1)!.toFixed(4)} in Node; largest difference from the page's ${worst.toExponential(2)}`);
    expect(worst <= 1e-4, `step ${diffs.indexOf(worst)}: Node ${node.losses[diffs.indexOf(worst)]}, page ${inPage.losses.pretrain[diffs.indexOf(worst)]}`);
    await page.screenshot({ path: join(cfg.screenshots, 'watch-it-learn.png'), fullPage: true });
  });

  await check('the GPU.js backend trains in the worker too (a few steps; the mode it got is printed)', async () => {
    const r = await page.evaluate(() => window.demo.learn('gpu', 3, 2));
    console.log(`      the worker trained on ${r.mode}: pretraining losses ${r.losses.pretrain.map((l) => l.toFixed(4)).join(', ')}`);
    expect(r.losses.pretrain.length === 3 && r.losses.pretrain.every(Number.isFinite), 'the losses are not 3 finite numbers');
  });

  await check('no console error in the page', async () => {
    expect(consoleErrors.length === 0, consoleErrors.join('\n'));
  });
  console.log(`screenshots: ${resolve(cfg.screenshots, 'ask-the-car.png')}, ${resolve(cfg.screenshots, 'watch-it-learn.png')}`);
} catch (e) {
  failures++;
  console.log(`FAIL  ${(e as Error).message}`);
} finally {
  await browser?.close();
  await site?.close();
  if (!cfg.keep) rmSync(dir, { recursive: true, force: true });
}
for (const t of times) console.log(`time: ${t}`);
console.log(failures === 0 ? 'browser test: all passed' : `browser test: ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
