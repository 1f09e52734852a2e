import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseOverrides, defaultTrainConfig, validateTrainConfig } from './config.ts';
import { getLr } from './lr.ts';

test('overrides are typed: numbers, booleans, strings', () => {
  const c = parseOverrides(defaultTrainConfig, ['--batch_size=4', '--learning_rate=3e-4', '--decay_lr=false', '--out_dir=out/x=y']);
  assert.is(c.batch_size, 4);
  assert.is(c.learning_rate, 3e-4);
  assert.is(c.decay_lr, false);
  assert.is(c.out_dir, 'out/x=y');
  assert.is(defaultTrainConfig.batch_size, 16); // defaults untouched
  assert.is(parseOverrides(defaultTrainConfig, ['--lora']).lora, true);
  assert.throws(() => parseOverrides(defaultTrainConfig, ['--batch_size']), /expected --key=value, got '--batch_size'/);
});

test('unknown key lists the valid keys; wrong types and malformed flags are errors', () => {
  assert.throws(() => parseOverrides(defaultTrainConfig, ['--batchsize=4']), /unknown key 'batchsize'. Valid keys: out_dir, init_from, .*batch_size/);
  assert.throws(() => parseOverrides(defaultTrainConfig, ['--batch_size=four']), /batch_size must be a number, got 'four'/);
  assert.throws(() => parseOverrides(defaultTrainConfig, ['--bias=yes']), /bias must be true or false, got 'yes'/);
  assert.throws(() => parseOverrides(defaultTrainConfig, ['batch_size=4']), /expected --key=value, got 'batch_size=4'/);
  assert.throws(() => validateTrainConfig({ ...defaultTrainConfig, init_from: 'gpt2' }), /init_from must be scratch, resume or pretrained/);
  assert.throws(() => validateTrainConfig({ ...defaultTrainConfig, init_from: 'pretrained' }), /needs --pretrained_dir/);
  assert.throws(() => validateTrainConfig({ ...defaultTrainConfig, batch_size: 0 }), /batch_size must be a positive integer/);
  assert.throws(() => validateTrainConfig({ ...defaultTrainConfig, optimizer: 'sgd' }), /optimizer must be adamw or muon/);
});

test('lr schedule: warmup, peak, mid-decay, end, and flat when decay_lr is off', () => {
  const s = { learning_rate: 1e-3, min_lr: 1e-4, warmup_iters: 10, lr_decay_iters: 110, decay_lr: true };
  assert.ok(Math.abs(getLr(0, s) - 1e-3 / 11) < 1e-12);
  assert.ok(Math.abs(getLr(4, s) - 5e-3 / 11) < 1e-12);
  assert.ok(Math.abs(getLr(10, s) - 1e-3) < 1e-12); // peak
  assert.ok(Math.abs(getLr(60, s) - 5.5e-4) < 1e-12); // halfway down the cosine: (lr + min_lr) / 2
  assert.ok(Math.abs(getLr(110, s) - 1e-4) < 1e-12);
  assert.is(getLr(500, s), 1e-4);
  assert.is(getLr(5, { ...s, decay_lr: false }), 1e-3);
});

test.run();
