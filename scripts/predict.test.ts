import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { prepareData, runFinetune } from '../train/fc_pipeline.ts';
import { defaultFinetuneConfig } from '../train/stage_config.ts';

const dir = mkdtempSync(join(tmpdir(), 'predict-'));
const model = join(dir, 'model');

test.before(async () => {
  const log = () => {};
  prepareData({ data_dir: join(dir, 'data'), num_train: 300, num_val: 20, num_unseen: 0, vocab_size: 320, tokenizer_pattern: 'digits', incomplete_rate: 0.05, copy_boost: 1, agent_fraction: 0, noise_rate: 0, seed: 4 }, log);
  await runFinetune({
    ...defaultFinetuneConfig, init_from: 'scratch', fc_data_dir: join(dir, 'data'), out_dir: model, block_size: 128,
    n_layer: 1, n_head: 2, n_embd: 16, max_iters: 2, eval_interval: 2, eval_iters: 1, batch_size: 4, sample_interval: 0, eval_examples: 0,
  }, log);
});

const predict = (args: string[], input = '') =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/predict.ts', `--out_dir=${model}`, '--decoding=schema', ...args], { input, encoding: 'utf8', timeout: 60_000 });

/** stdout as JSON lines: it must hold nothing else. */
function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout.replace(/\n$/, '').split('\n').map((l) => JSON.parse(l));
}

const input = 'lock the doors\n\nturn on the fan\n   \nopen the window\n';

test('piped stdin: one JSON line per input line, empty ones too, and nothing else on stdout', () => {
  const r = predict([], input);
  assert.is(r.status, 0, r.stderr);
  const out = jsonLines(r.stdout);
  assert.equal(out.map((o) => o.user), ['lock the doors', '', 'turn on the fan', '', 'open the window']);
  assert.equal(out[1], { user: '', call: null, error: 'empty command' });
  assert.ok(typeof out[0].confidence === 'number');
});

test('--file: the same lines; the last newline starts no line of its own; CRLF files too', () => {
  const file = join(dir, 'commands.txt');
  writeFileSync(file, input);
  const out = jsonLines(predict([`--file=${file}`]).stdout);
  assert.equal(out.map((o) => o.user), ['lock the doors', '', 'turn on the fan', '', 'open the window']);
  writeFileSync(file, input.replace(/\n/g, '\r\n'));
  assert.is(jsonLines(predict([`--file=${file}`]).stdout).length, 5);
  const missing = predict([`--file=${join(dir, 'none.txt')}`]);
  assert.is(missing.status, 1);
  assert.match(missing.stderr, /predict: cannot read --file=.*none.txt/);
  assert.is(missing.stdout, '');
});

test.run();
