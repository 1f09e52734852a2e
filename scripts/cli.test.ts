import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTrainArgs } from './cli.ts';
import { defaultFinetuneConfig, defaultPrepareConfig } from '../train/stage_config.ts';
import { prepareData, runFinetune } from '../train/fc_pipeline.ts';

const root = mkdtempSync(join(tmpdir(), 'cli-'));

test('resume continues the run with its own settings; flags given override them, and the log says which came from where', async () => {
  const dataDir = join(root, 'data');
  prepareData({ ...defaultPrepareConfig, data_dir: dataDir, num_train: 300, num_val: 20, vocab_size: 320 }, () => {});
  const outDir = join(root, 'ft');
  const first = parseTrainArgs(defaultFinetuneConfig, () => {}, [
    '--init_from=scratch', `--fc_data_dir=${dataDir}`, `--out_dir=${outDir}`, '--n_layer=1', '--n_head=2', '--n_embd=16', '--batch_size=4', '--max_iters=4',
    '--eval_interval=2', '--eval_iters=1', '--warmup_iters=1', '--lr_decay_iters=4', '--learning_rate=0.003', '--sample_interval=0', '--eval_examples=0', '--workers=1', '--always_save_checkpoint=true',
  ]);
  await runFinetune(first, () => {});
  const lines: string[] = [];
  const resumed = parseTrainArgs(defaultFinetuneConfig, (l) => lines.push(l), ['--init_from=resume', `--out_dir=${outDir}`, '--max_iters=6']);
  assert.is(resumed.batch_size, 4);
  assert.is(resumed.learning_rate, 0.003);
  assert.is(resumed.fc_data_dir, dataDir);
  assert.is(resumed.max_iters, 6);
  assert.is(resumed.init_from, 'resume');
  assert.match(lines[0], new RegExp(`resume: settings of the run saved in ${outDir}/checkpoint.json \\(.*batch_size=4.*learning_rate=0.003.*\\); from the command line: init_from=resume out_dir=${outDir} max_iters=6`));
  const { train } = await runFinetune(resumed, () => {});
  assert.is(train.iterNum, 6);
});

test('the walkthrough checks every stage\'s settings before the first stage runs', () => {
  const dataDir = join(root, 'walk-data');
  const r = spawnSync('npm', ['run', '-s', 'train', '--', `--prepare.data_dir=${dataDir}`, '--finetune.decoding=bogus'], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
  assert.is(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /error: config: --decoding must be one of free, schema, copy, got 'bogus'/);
  assert.ok(!existsSync(dataDir), 'no data was generated');
});

test.run();
