// The page's loop (train/memory_trainer.ts) is the trainer's: same settings and seed, same losses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateRecords } from '../data/generator.ts';
import { FcDataset } from '../data/dataset.ts';
import { defaultTrainConfig } from './config.ts';
import type { TrainConfig } from './config.ts';
import { train } from './trainer.ts';
import { trainInMemory } from './memory_trainer.ts';
import { trainFcTokenizer } from './fc_tokenizer.ts';

test('trainInMemory gives train()\'s losses, step for step, and continues a model as a fine-tune', async () => {
  const records = generateRecords(60, 'memory-trainer');
  const tok = trainFcTokenizer(records, 400);
  const data = new FcDataset(tok, records.slice(10), records.slice(0, 10), 128);
  const cfg: TrainConfig = {
    ...defaultTrainConfig, out_dir: mkdtempSync(join(tmpdir(), 'memory-trainer-')), max_iters: 6, eval_interval: 3, eval_iters: 2, log_interval: 100,
    batch_size: 4, n_layer: 1, n_head: 2, n_embd: 16, warmup_iters: 2, lr_decay_iters: 6, optimizer: 'muon', seed: 5,
  };
  const node = await train(cfg, data, { log: () => {} });
  const mem = await trainInMemory(cfg, data, { peakFlops: 1e9 });
  assert.equal(mem.losses, node.losses);
  assert.equal(mem.evals, node.evals);
  const more = await trainInMemory({ ...cfg, max_iters: 2 }, data, { peakFlops: 1e9, from: mem.model });
  assert.is(more.model, mem.model);
  assert.is(more.losses.length, 2);
});

test.run();
