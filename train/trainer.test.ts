import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GPU } from 'gpu.js';
import type { GpuMode } from '../engine/gpu/modes.ts';
import { train, TrainingDiverged } from './trainer.ts';
import type { BatchSource } from '../data/batch.ts';
import { defaultTrainConfig } from './config.ts';
import type { TrainConfig } from './config.ts';

/** A toy language: token t is followed by (3t + 1) mod 23, with every 5th target masked. */
const toy: BatchSource = {
  vocabSize: 23,
  getBatch(split, batchSize, rng) {
    const T = 8;
    const idx = new Int32Array(batchSize * T);
    const targets = new Int32Array(batchSize * T);
    for (let b = 0; b < batchSize; b++) {
      let t = Math.floor(rng() * 23);
      if (split === 'val') t = (t * 7) % 23;
      for (let i = 0; i < T; i++) {
        idx[b * T + i] = t;
        t = (3 * t + 1) % 23;
        targets[b * T + i] = i % 5 === 4 ? -1 : t;
      }
    }
    return { idx, targets, B: batchSize, T };
  },
};

function config(overrides: Partial<TrainConfig>): TrainConfig {
  return {
    ...defaultTrainConfig, out_dir: mkdtempSync(join(tmpdir(), 'train-')), batch_size: 4, block_size: 8, n_layer: 2, n_head: 2, n_embd: 16,
    dropout: 0.1, max_iters: 20, eval_interval: 10, eval_iters: 2, log_interval: 100, warmup_iters: 5, lr_decay_iters: 20, learning_rate: 3e-3,
    gradient_accumulation_steps: 2, always_save_checkpoint: false, ...overrides,
  };
}
const quiet = { log: () => {} };

test('same seed and config: identical losses for 20 steps, twice; and the loss falls', async () => {
  const a = await train(config({}), toy, quiet);
  const b = await train(config({}), toy, quiet);
  assert.is(a.losses.length, 20);
  assert.equal(a.losses, b.losses);
  assert.ok(a.losses[19] < a.losses[0], `${a.losses[0]} -> ${a.losses[19]}`);
  const c = await train(config({ seed: 7 }), toy, quiet);
  assert.not.equal(c.losses, a.losses);
});

test('stop after 10 steps, resume: steps 11-20 equal the uninterrupted run', async () => {
  const full = await train(config({ always_save_checkpoint: true }), toy, quiet);
  const cfg = config({ always_save_checkpoint: true, max_iters: 10 });
  const first = await train(cfg, toy, quiet);
  assert.ok(existsSync(join(cfg.out_dir, 'model.safetensors')));
  const rest = await train({ ...cfg, max_iters: 20, init_from: 'resume' }, toy, quiet);
  assert.equal([...first.losses, ...rest.losses], full.losses);
});

test('eval points and best checkpoint', async () => {
  const cfg = config({});
  const r = await train(cfg, toy, quiet);
  assert.equal(r.evals.map((e) => e.iter), [0, 10, 20]);
  assert.ok(r.bestValLoss === Math.min(...r.evals.map((e) => e.val)));
  assert.ok(existsSync(join(cfg.out_dir, 'checkpoint.json')));
});

test('fine-tuning from a pretrained checkpoint and a clear error for a vocab mismatch', async () => {
  const pre = config({ always_save_checkpoint: true, max_iters: 10 });
  await train(pre, toy, quiet);
  const ft = await train(config({ init_from: 'pretrained', pretrained_dir: pre.out_dir, max_iters: 5, eval_interval: 5 }), toy, quiet);
  assert.is(ft.iterNum, 5);
  let message = '';
  try {
    await train(config({ init_from: 'pretrained', pretrained_dir: pre.out_dir }), { ...toy, vocabSize: 30 }, quiet);
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(message, /has vocab_size 23 but the data's tokenizer has 30 tokens/);
});


for (const optimizer of ['adamw', 'muon'] as const) {
  test(`two worker threads give the loss curve of one, bit for bit (same shards, added in the same order), ${optimizer}`, async () => {
    const one = await train(config({ dropout: 0, max_iters: 8, optimizer }), toy, quiet);
    const two = await train(config({ dropout: 0, max_iters: 8, workers: 2, optimizer }), toy, quiet);
    assert.is(two.losses.length, 8);
    assert.equal(two.losses, one.losses);
  });
}

test('--lora=true fine-tunes only adapters from a pretrained checkpoint, on two threads too', async () => {
  const pre = config({ always_save_checkpoint: true, max_iters: 10, dropout: 0 });
  await train(pre, toy, quiet);
  const lines: string[] = [];
  const one = await train(config({ init_from: 'pretrained', pretrained_dir: pre.out_dir, lora: true, max_iters: 6, eval_interval: 6, dropout: 0, lora_dropout: 0 }), toy, { log: (s) => lines.push(s) });
  assert.ok(lines.some((l) => /LoRA on c_attn,c_proj,c_fc \(rank 8, alpha 16\): \d+ trainable of \d+ parameters/.test(l)));
  assert.ok(one.model.lora !== null);
  const two = await train(config({ init_from: 'pretrained', pretrained_dir: pre.out_dir, lora: true, max_iters: 6, eval_interval: 6, dropout: 0, lora_dropout: 0, workers: 2 }), toy, quiet);
  assert.equal(two.losses, one.losses);
});

test('resume takes the model shape from the checkpoint, whatever the command line says', async () => {
  const cfg = config({ always_save_checkpoint: true, max_iters: 4, block_size: 8, n_embd: 16 });
  await train(cfg, toy, quiet);
  const resumed = await train({ ...cfg, init_from: 'resume', max_iters: 6, block_size: 128, n_embd: 64 }, toy, quiet);
  assert.is(resumed.model.config.block_size, 8);
  assert.is(resumed.model.config.n_embd, 16);
  assert.is(resumed.iterNum, 6);
});

test('float16 training: loss scale and skipped steps on the log line, 1 and 2 threads agree, the scaler state is checkpointed', async () => {
  const lines: string[] = [];
  const cfg = config({ dtype: 'float16', dropout: 0, log_interval: 1, init_scale: 2 ** 24, growth_interval: 5, always_save_checkpoint: true });
  const one = await train(cfg, toy, { log: (l) => lines.push(l) });
  assert.ok(one.losses.every(Number.isFinite));
  assert.ok(one.losses[19] < one.losses[0]);
  const iterLines = lines.filter((l) => l.startsWith('iter '));
  assert.match(iterLines[0], /activations \d+\.\d MiB, scale \d+, skipped \d+$/);
  // 2^24 overflows float16 gradients at first: the scaler backs off until they fit
  const skipped = Number(/skipped (\d+)$/.exec(iterLines.at(-1)!)![1]);
  assert.ok(skipped >= 1, iterLines.join('\n'));
  const two = await train({ ...cfg, workers: 2, out_dir: cfg.out_dir + '-2' }, toy, quiet);
  assert.equal(two.losses, one.losses);
  const info = JSON.parse(readFileSync(join(cfg.out_dir, 'checkpoint.json'), 'utf8'));
  assert.is(info.grad_scaler.skipped, skipped);
  assert.ok(info.grad_scaler.scale < 2 ** 24);
  const lossesF32 = (await train(config({ dropout: 0 }), toy, quiet)).losses;
  assert.ok(Math.abs(one.losses[19] - lossesF32[19]) < 0.05 * lossesF32[19], `float16 ${one.losses[19]} vs float32 ${lossesF32[19]}`);
});

test('device=gpu: 20 steps give losses within 1e-4 of device=cpu, in every GPU.js mode that works here', async () => {
  const base = config({ dropout: 0 });
  const cpu = await train(base, toy, quiet);
  const modes: GpuMode[] = ['webasm', ...(GPU.isHeadlessGLSupported ? ['headlessgl' as const] : [])];
  for (const gpu_mode of modes) {
    const lines: string[] = [];
    const gpu = await train({ ...base, device: 'gpu', gpu_mode, out_dir: `${base.out_dir}-${gpu_mode}` }, toy, { log: (l) => lines.push(l) });
    assert.ok(lines.some((l) => l.includes(`GPU.js runs its kernels in ${gpu_mode} mode`)), lines.join('\n'));
    for (let i = 0; i < 20; i++) assert.ok(Math.abs(gpu.losses[i] - cpu.losses[i]) < 1e-4, `${gpu_mode} step ${i}: ${gpu.losses[i]} vs ${cpu.losses[i]}`);
  }
});

/** The toy language for training, and for val a contrary rule: learning one makes the other worse. */
const contrary: BatchSource = {
  vocabSize: 23,
  getBatch(split, batchSize, rng) {
    const b = toy.getBatch('train', batchSize, rng);
    if (split === 'val') for (let i = 0; i < b.targets.length; i++) if (b.targets[i] !== -1) b.targets[i] = (b.targets[i] + 5) % 23;
    return b;
  },
};

/** The promise must reject with a message matching re. */
async function rejects(run: () => Promise<unknown>, re: RegExp): Promise<void> {
  let message: string | null = null;
  try {
    await run();
  } catch (e) {
    message = (e as Error).message;
  }
  assert.ok(message !== null, `expected an error matching ${re}`);
  assert.match(message!, re);
}

const checkpointBytes = (dir: string) => ['model.safetensors', 'optimizer.safetensors', 'checkpoint.json'].map((f) => readFileSync(join(dir, f)).toString('base64'));

test('a NaN loss stops the run with a clear error and leaves the checkpoint byte for byte as it was', async () => {
  const cfg = config({ max_iters: 40, eval_interval: 10, sample_interval: 12 });
  let before: string[] = [];
  const poison = {
    log: () => {},
    // at iteration 12 (after the save at 10) a weight becomes NaN, as a diverging step would leave it
    sample: (model: { wte: { data: Float32Array } }) => {
      before = checkpointBytes(cfg.out_dir);
      model.wte.data[3] = NaN;
    },
  };
  let error: unknown = null;
  try {
    await train(cfg, toy, poison as never);
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof TrainingDiverged, String(error));
  assert.match((error as Error).message, /the training loss is NaN at iteration 12: training diverged, stopped; the checkpoint in .* is kept as it was \(iteration 10, val loss \d\.\d{4}\)\. Try a lower --learning_rate/);
  assert.equal(checkpointBytes(cfg.out_dir), before);
  assert.ok(!existsSync(join(cfg.out_dir, '.lock')), 'the lock is released after an error');
});

test('settings that can only diverge are refused up front; a NaN from the first iteration saves nothing', async () => {
  await rejects(() => train(config({ beta2: 1.5 }), toy, quiet), /--beta2 must be in \[0, 1\), got 1.5/);
  await rejects(() => train(config({ learning_rate: -1 }), toy, quiet), /--learning_rate must be a number > 0, got -1/);
  // a learning rate of 1e38 takes the weights past float32's range in one step: NaN from iteration 1
  const cfg = config({ learning_rate: 1e38, min_lr: 0, warmup_iters: 0, grad_clip: 0, optimizer: 'adamw' });
  await rejects(() => train(cfg, toy, quiet), /the training loss is NaN at iteration 1: training diverged, stopped; nothing was saved to/);
  assert.ok(!existsSync(join(cfg.out_dir, 'checkpoint.json')));
});

test('a worse model never replaces the checkpoint; a stop then saves the run beside it, in out_dir/interrupted', async () => {
  const cfg = config({ max_iters: 10, eval_interval: 5 });
  await train(cfg, toy, quiet);
  const best = JSON.parse(readFileSync(join(cfg.out_dir, 'checkpoint.json'), 'utf8'));
  const before = checkpointBytes(cfg.out_dir);
  // the same run continued on data whose val gets worse as it trains
  const lines: string[] = [];
  await train({ ...cfg, init_from: 'resume', max_iters: 20 }, contrary, { log: (l) => lines.push(l) });
  assert.ok(lines.some((l) => /is not below the best .*: the checkpoint in .* stays/.test(l)), lines.join('\n'));
  assert.equal(checkpointBytes(cfg.out_dir), before);
  // a stop (here max_seconds) with a worse model: out_dir keeps the best, the state to resume goes beside it
  const stopped = await train({ ...cfg, init_from: 'resume', max_iters: 20, max_seconds: 1e-6 }, contrary, { log: (l) => lines.push(l) });
  assert.equal(checkpointBytes(cfg.out_dir), before);
  const side = JSON.parse(readFileSync(join(cfg.out_dir, 'interrupted', 'checkpoint.json'), 'utf8'));
  assert.is(side.iter_num, stopped.iterNum);
  assert.is(best.iter_num, 10);
  // always_save_checkpoint=true asks for the latest at every eval, better or not
  await train({ ...cfg, init_from: 'resume', max_iters: 15, always_save_checkpoint: true }, contrary, quiet);
  assert.is(JSON.parse(readFileSync(join(cfg.out_dir, 'checkpoint.json'), 'utf8')).iter_num, 15);
});

test('one run per out_dir: a live run\'s lock is an error before any work; a dead run\'s lock is taken over', async () => {
  const cfg = config({ max_iters: 2 });
  // a lock held by a live process on this machine (the test runner's parent)
  writeFileSync(join(cfg.out_dir, '.lock'), JSON.stringify({ pid: process.ppid, host: (await import('node:os')).hostname(), started: 'now', command: 'other run' }));
  await rejects(() => train(cfg, toy, quiet), /is in use by another training run \(pid \d+, started now: other run\)/);
  assert.ok(!existsSync(join(cfg.out_dir, 'checkpoint.json')));
  // a lock left by a process that has exited
  const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)']).stdout.toString().trim();
  writeFileSync(join(cfg.out_dir, '.lock'), JSON.stringify({ pid: Number(dead), host: (await import('node:os')).hostname(), started: 'then', command: 'killed run' }));
  const lines: string[] = [];
  await train(cfg, toy, { log: (l) => lines.push(l) });
  assert.ok(lines.some((l) => l.includes(`the run that left it (pid ${dead}) is no longer running`)), lines.join('\n'));
  assert.ok(!existsSync(join(cfg.out_dir, '.lock')));
});

test('every run writes metrics.jsonl (a line per logged iteration and per eval) and loss.svg; a resumed run continues both', async () => {
  const cfg = config({ max_iters: 10, eval_interval: 5, log_interval: 2, always_save_checkpoint: true });
  await train(cfg, toy, quiet);
  const read = () => readFileSync(join(cfg.out_dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const first = read();
  assert.equal(first.filter((l) => 'loss' in l).map((l) => l.iter), [0, 2, 4, 6, 8]);
  assert.equal(first.filter((l) => 'val_loss' in l).map((l) => l.iter), [0, 5, 10]);
  for (const l of first.filter((x) => 'loss' in x)) assert.ok(['lr', 'ms', 'tok_s', 'mfu'].every((k) => Number.isFinite(l[k])), JSON.stringify(l));
  const svg = readFileSync(join(cfg.out_dir, 'loss.svg'), 'utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  for (const label of ['train loss (iteration)', 'val loss (eval)', 'learning rate', 'loss (log scale)']) assert.ok(svg.includes(label), label);
  assert.is((svg.match(/<path /g) ?? []).length, 4); // train per iteration, train and val per eval, learning rate
  await train({ ...cfg, init_from: 'resume', max_iters: 14 }, toy, quiet);
  const both = read();
  assert.equal(both.filter((l) => 'loss' in l).map((l) => l.iter), [0, 2, 4, 6, 8, 10, 12]);
  assert.equal(both.filter((l) => 'val_loss' in l).map((l) => l.iter), [0, 5, 10, 14]);
  // a new run into the same directory starts them over
  await train({ ...cfg, max_iters: 4 }, toy, quiet);
  assert.equal(read().filter((l) => 'val_loss' in l).map((l) => l.iter), [0, 4]);
});


test('a few steps in, the run says how long it still needs, once', async () => {
  const calls: Array<{ secondsLeft: number; secondsPerStep: number }> = [];
  const lines: string[] = [];
  await train(config({ max_iters: 110, eval_interval: 30 }), toy, { log: (l) => lines.push(l), pace: (p) => calls.push(p) });
  assert.is(calls.length, 1);
  assert.ok(calls[0].secondsPerStep > 0 && calls[0].secondsLeft > 30 * calls[0].secondsPerStep, JSON.stringify(calls));
  assert.is(lines.filter((l) => /^pace: \d+ ms a step on this machine; the remaining 60 iterations, evals included, take about /.test(l)).length, 1, lines.join('\n'));
});

test.run();
