import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseOverrides, defaultTrainConfig, validateTrainConfig, resumeOverrides, scaleWithMaxIters } from './config.ts';
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
  assert.throws(() => parseOverrides(defaultTrainConfig, ['--optimizer=sgd']), /--optimizer must be one of adamw, muon, got 'sgd'/);
  assert.throws(() => parseOverrides({ decoding: 'copy' }, ['--decoding=greedy']), /--decoding must be one of free, schema, copy, got 'greedy'/); // any script's settings
  assert.throws(() => parseOverrides(defaultTrainConfig, ['--gpu_mode=webgpu']), /--gpu_mode must be one of auto, headlessgl, webasm, cpu, got 'webgpu'/);
  assert.throws(() => parseOverrides({ tokenizer_pattern: 'digits' }, ['--tokenizer_pattern=trailing']), /--tokenizer_pattern must be one of gpt2, digits, got 'trailing'/);
  assert.throws(() => validateTrainConfig({ ...defaultTrainConfig, init_from: 'gpt2' as never }), /--init_from must be one of scratch, resume, pretrained, got "gpt2"/);
  assert.throws(() => validateTrainConfig({ ...defaultTrainConfig, init_from: 'pretrained' }), /needs --pretrained_dir/);
  assert.throws(() => validateTrainConfig({ ...defaultTrainConfig, batch_size: 0 }), /--batch_size must be a positive integer, got 0/);
  assert.throws(() => validateTrainConfig({ ...defaultTrainConfig, optimizer: 'sgd' as never }), /--optimizer must be one of adamw, muon, got "sgd"/);
});

test('every range is checked before any work: learning rate, betas, warmup, dropout, widths', () => {
  const bad: Array<[Partial<typeof defaultTrainConfig>, RegExp]> = [
    [{ learning_rate: -1 }, /--learning_rate must be a number > 0, got -1/],
    [{ learning_rate: 0 }, /--learning_rate must be a number > 0, got 0/],
    [{ beta2: 1.5 }, /--beta2 must be in \[0, 1\), got 1.5/],
    [{ beta2: 1 }, /--beta2 must be in \[0, 1\), got 1/],
    [{ beta1: -0.1 }, /--beta1 must be in \[0, 1\)/],
    [{ warmup_iters: -5 }, /--warmup_iters must be a non-negative integer, got -5/],
    [{ max_iters: 2.5 }, /--max_iters must be a non-negative integer, got 2.5/],
    [{ dropout: 1 }, /--dropout must be in \[0, 1\), got 1/],
    [{ n_embd: 100, n_head: 3 }, /--n_embd \(100\) must be a multiple of --n_head \(3\)/],
    [{ weight_decay: -0.1 }, /--weight_decay must be a number >= 0/],
    [{ min_lr: 1 }, /--min_lr \(1\) must not exceed --learning_rate/],
    [{ grad_clip: -1 }, /--grad_clip must be a number >= 0/],
    [{ growth_factor: 1 }, /--growth_factor must be a number > 1/],
    [{ seed: 1.5 }, /--seed must be an integer/],
    [{ out_dir: '' }, /--out_dir must not be empty/],
  ];
  for (const [change, re] of bad) assert.throws(() => validateTrainConfig({ ...defaultTrainConfig, ...change }), re, JSON.stringify(change));
  validateTrainConfig(defaultTrainConfig); // the defaults pass
});

test('resume: the saved run\'s settings, the command line over them, and the log says which came from where', () => {
  const saved = { ...defaultTrainConfig, init_from: 'pretrained', out_dir: 'elsewhere', max_iters: 700, batch_size: 8, learning_rate: 5e-4, unknown_key: 1, dropout: 'x' };
  const { config, fromCheckpoint, fromCommandLine } = resumeOverrides(defaultTrainConfig, saved, ['--init_from=resume', '--out_dir=out/a', '--max_iters=900']);
  assert.is(config.init_from, 'resume');
  assert.is(config.out_dir, 'out/a');
  assert.is(config.max_iters, 900); // the command line wins
  assert.is(config.batch_size, 8); // the run's own settings, not the defaults
  assert.is(config.learning_rate, 5e-4);
  assert.is(config.dropout, defaultTrainConfig.dropout); // a saved value of the wrong type is ignored
  assert.equal(fromCheckpoint, ['batch_size=8', 'learning_rate=0.0005']);
  assert.equal(fromCommandLine, ['init_from=resume', 'out_dir=out/a', 'max_iters=900']);
});

test('--max_iters alone: evals, samples, warmup and decay keep their share of the run; given ones stay', () => {
  const defaults = { ...defaultTrainConfig, max_iters: 2500, eval_interval: 625, sample_interval: 625, warmup_iters: 125, lr_decay_iters: 2500 };
  const argv = ['--max_iters=30'];
  const { config, scaled } = scaleWithMaxIters(defaults, parseOverrides(defaults, argv), argv);
  assert.equal([config.eval_interval, config.sample_interval, config.warmup_iters, config.lr_decay_iters], [8, 8, 2, 30]);
  assert.equal(scaled, ['eval_interval=8', 'sample_interval=8', 'warmup_iters=2', 'lr_decay_iters=30']);
  const given = ['--max_iters=30', '--eval_interval=10'];
  assert.is(scaleWithMaxIters(defaults, parseOverrides(defaults, given), given).config.eval_interval, 10);
  assert.equal(scaleWithMaxIters(defaults, defaults, []).scaled, []); // the defaults: nothing changes
  assert.is(scaleWithMaxIters({ ...defaults, sample_interval: 0 }, { ...defaults, sample_interval: 0, max_iters: 30 }, argv).config.sample_interval, 0); // never stays never
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
