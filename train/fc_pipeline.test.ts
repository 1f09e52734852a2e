import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultFinetuneConfig, defaultPrepareConfig, validateFcConfig, validatePrepareConfig } from './stage_config.ts';
import { loadTrained } from './load_trained.ts';
import { prepareData, runFinetune } from './fc_pipeline.ts';
import { tokenizerFingerprint, trainFcTokenizer } from './fc_data.ts';
import { saveTokenizer } from '../data/tokenizer_file.ts';
import { generateRecords } from '../data/generator.ts';
import { userText } from '../data/format.ts';
import type { FcRecord } from '../data/format.ts';

const root = mkdtempSync(join(tmpdir(), 'pipeline-'));
const dataDir = join(root, 'data');
prepareData({ ...defaultPrepareConfig, data_dir: dataDir, num_train: 300, num_val: 20, vocab_size: 320 }, () => {});

/** A fine-tune from scratch small enough for a test. */
const tiny = {
  ...defaultFinetuneConfig, init_from: 'scratch' as const, fc_data_dir: dataDir, n_layer: 1, n_head: 2, n_embd: 16, block_size: 128, batch_size: 4,
  max_iters: 2, eval_interval: 2, eval_iters: 1, warmup_iters: 0, lr_decay_iters: 2, sample_interval: 0, eval_examples: 0, workers: 1, always_save_checkpoint: true,
};

test('prepare writes an unseen-phrasing val set in a directory of its own, none of its commands in training', () => {
  const unseen = JSON.parse(readFileSync(join(dataDir, 'unseen', 'fc_unseen_phrasings_val.json'), 'utf8'));
  assert.is(unseen.length, defaultPrepareConfig.num_unseen);
  const train = new Set(JSON.parse(readFileSync(join(dataDir, 'fc_generated_train.json'), 'utf8')).map(userText));
  assert.is(unseen.filter((r: FcRecord) => train.has(userText(r))).length, 0);
  assert.throws(() => validatePrepareConfig({ ...defaultPrepareConfig, num_unseen: -1 }), /--num_unseen must be a non-negative integer/);
});

test('a bad setting is reported before any data is read or file written', async () => {
  const outDir = join(root, 'never');
  let message = '';
  try {
    await runFinetune({ ...tiny, decoding: 'bogus' as never, fc_data_dir: join(root, 'no-such-dir'), out_dir: outDir }, () => {});
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(message, /--decoding must be one of free, schema, copy, got "bogus"/);
  assert.ok(!existsSync(outDir));
  assert.throws(() => validateFcConfig({ ...tiny, val_fraction: 1 }), /--val_fraction must be in \[0, 1\)/);
  assert.throws(() => validatePrepareConfig({ ...defaultPrepareConfig, num_train: 0 }), /prepare: --num_train must be a positive integer, got 0/);
  assert.throws(() => validatePrepareConfig({ ...defaultPrepareConfig, tokenizer_pattern: 'words' }), /--tokenizer_pattern must be one of gpt2, digits, got/);
});

test('the checkpoint records its tokenizer\'s fingerprint: a tokenizer of the same size swapped in is refused', async () => {
  const outDir = join(root, 'ft');
  await runFinetune({ ...tiny, out_dir: outDir }, () => {});
  const info = JSON.parse(readFileSync(join(outDir, 'checkpoint.json'), 'utf8'));
  const { tokenizer } = loadTrained(outDir);
  assert.is(info.tokenizer_sha256, tokenizerFingerprint(tokenizer));
  // another tokenizer of the same size, trained on other examples
  const other = trainFcTokenizer(generateRecords(300, 'other'), tokenizer.vocabSize);
  assert.is(other.vocabSize, tokenizer.vocabSize);
  assert.is.not(tokenizerFingerprint(other), info.tokenizer_sha256);
  saveTokenizer(other, join(outDir, 'tokenizer.json'));
  assert.throws(() => loadTrained(outDir), /tokenizer.json is not the tokenizer the model in .* was trained with \(fingerprints differ/);
  // and training on from it with that tokenizer is refused too
  let message = '';
  try {
    await runFinetune({ ...tiny, init_from: 'resume', out_dir: outDir }, () => {});
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(message, /is not the tokenizer the model in .* was trained with/);
});

test('val_sample.txt keeps every sample step, newest last; a new run starts it over', async () => {
  const outDir = join(root, 'samples');
  await runFinetune({ ...tiny, out_dir: outDir, max_iters: 3, sample_interval: 1, sample_examples: 2 }, () => {});
  const text = () => readFileSync(join(outDir, 'samples', 'val_sample.txt'), 'utf8');
  assert.equal([...text().matchAll(/^iteration (\d+): \d+\/2 exact matches$/gm)].map((m) => Number(m[1])), [1, 2, 3]);
  assert.is((text().match(/^Input: /gm) ?? []).length, 6);
  await runFinetune({ ...tiny, out_dir: outDir, max_iters: 1, sample_interval: 1, sample_examples: 2 }, () => {});
  assert.equal([...text().matchAll(/^iteration (\d+):/gm)].map((m) => Number(m[1])), [1]);
});

test.run();
