// npm run demo [-- --out_dir=out/finetune --port=8000 --host=127.0.0.1 --build=DIR]
// Builds the page (web/) and serves it on localhost with the checkpoint in out_dir, printing the
// URL; with --build=DIR it writes the page and the checkpoint's files as a static folder instead.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, runMain } from './cli.ts';
import { validateSettings } from './validate.ts';
import { buildPage, checkpointFileNames, servePage, writeStaticSite } from './demo_site.ts';

const defaults = { out_dir: 'out/finetune', port: 8000, host: '127.0.0.1', build: '' };

runMain(async () => {
  const cfg = parseArgs(defaults);
  validateSettings('demo', cfg, { port: 'non-negative integer' });
  const names = checkpointFileNames(cfg.out_dir);
  if (names.length === 0) console.error(`demo: no checkpoint in ${cfg.out_dir} (${join(cfg.out_dir, 'checkpoint.json')}): "Ask the car" will say so; train one with npm run train, or in "Watch it learn"`);
  const t0 = performance.now();
  const page = await buildPage();
  console.error(`built the page in ${((performance.now() - t0) / 1000).toFixed(1)} s (esbuild, ${page.size} files)`);
  if (cfg.build !== '') {
    const written = writeStaticSite(page, cfg.out_dir, cfg.build);
    console.log(`wrote ${written.length} files to ${cfg.build}${existsSync(join(cfg.build, 'checkpoint', 'checkpoint.json')) ? `, with the checkpoint of ${cfg.out_dir} in ${join(cfg.build, 'checkpoint')}` : ''}; serve the folder with any web server`);
    return;
  }
  const site = await servePage(page, cfg.out_dir, cfg.port, cfg.host);
  console.log(`serving ${names.length > 0 ? `the model in ${cfg.out_dir}` : 'the page (no model yet)'} at ${site.url}  (Ctrl-C to stop)`);
});
