// npm run sample -- --out_dir=DIR [--start="..."|FILE:path] [--num_samples=3] [--max_new_tokens=100]
//                   [--temperature=0.8 (0: greedy)] [--top_k=50 (0: all)] [--seed=1337]
// Free-running generation from a checkpoint, like nanoGPT's sample.py.
import './node_flags.ts'; // first: lets the engine use WebAssembly's FMA on Node 20
import { readFileSync } from 'node:fs';
import { parseArgs, runMain } from './cli.ts';
import { validateSettings } from './validate.ts';
import { loadTrained } from '../train/load_trained.ts';
import { generate } from '../model/generate.ts';
import { manualSeed } from '../engine/index.ts';
import { SPECIAL } from '../data/format.ts';

const defaults = { out_dir: 'out/finetune', start: '<|im_start|>', num_samples: 3, max_new_tokens: 100, temperature: 0.8, top_k: 50, seed: 1337 };

runMain(() => {
  const cfg = parseArgs(defaults);
  validateSettings('sample', cfg, { num_samples: 'positive integer', max_new_tokens: 'positive integer', temperature: 'non-negative number', top_k: 'non-negative integer' });
  const { model, tokenizer } = loadTrained(cfg.out_dir);
  manualSeed(cfg.seed);
  const start = cfg.start.startsWith('FILE:') ? readFileSync(cfg.start.slice(5), 'utf8') : cfg.start.replace(/\\n/g, '\n');
  const prompt = tokenizer.encode(start);
  if (prompt.length === 0) throw new Error('sample: --start must not be empty');
  const prompts = Array.from({ length: cfg.num_samples }, () => prompt);
  const outs = generate(model, prompts, cfg.max_new_tokens, { temperature: cfg.temperature, topK: cfg.top_k > 0 ? cfg.top_k : undefined, stopTokens: [tokenizer.specialId(SPECIAL.endoftext)] });
  for (const o of outs) console.log(`${start}${tokenizer.decode(o)}\n---------------`);
});
