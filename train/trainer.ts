// The training loop, after nanoGPT's train.py:
//
//   for each iteration: set the lr from the schedule; every eval_interval estimate train/val loss
//   and checkpoint if val improved; then forward + backward over gradient_accumulation_steps
//   fresh micro-batches, clip the global gradient norm, step AdamW, and log
//   iter | loss | lr | ms/iter | tokens/s | MFU.
//
// What a run never does: replace a checkpoint with a worse or non-finite model (a NaN or inf loss
// stops the run with an error, the checkpoint untouched), or lose its work to Ctrl-C (SIGINT or
// SIGTERM: the current iteration finishes, the model is saved, the run ends with 128 + signal).
// One run at a time per out_dir (train/lock.ts).
//
// The data comes from a BatchSource, so the same loop pretrains on plain text and fine-tunes on
// masked function-calling examples. Randomness: the model init, dropout and training batches
// draw from the global seeded stream (saved in checkpoints, so a resumed run continues it);
// evaluation batches come from their own stream and never disturb it.
import { manualSeed, getRngState, setRngState, withEngine, cpuKernels } from '../engine/index.ts';
import type { Kernels } from '../engine/index.ts';
import type { GradScalerState } from '../engine/index.ts';
import { random } from '../engine/random.ts';
import type { Optimizer } from '../engine/index.ts';
import { GPT } from '../model/gpt.ts';
import { saveCheckpoint, loadCheckpoint, loadOptimizerState, readCheckpointInfo } from '../model/checkpoint.ts';
import type { TrainConfig } from './config.ts';
import { validateTrainConfig } from './config.ts';
import { getLr } from './lr.ts';
import { estimateCpuPeakFlops } from './peakflops.ts';
import { Progress, formatDuration } from './progress.ts';
import { DataParallel } from './parallel.ts';
import { trainStep, SHARDS } from './step.ts';
import { estimateLoss } from './estimate_loss.ts';
import { fitToRun, gradScalerFor, modelConfigFor, smoothedMfu } from './run_parts.ts';
import type { BatchSource } from '../data/batch.ts';
import { parseTargets } from '../model/lora.ts';
import { lockOutDir } from './lock.ts';
import { simdKernel } from '../engine/cpu/matmul_simd.ts';
import { RunMetrics } from './metrics.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, constants } from 'node:os';

export { estimateLoss };

export interface TrainHooks {
  /** Called every sample_interval iterations and at the end, e.g. to write a samples file. */
  sample?: (model: GPT, iter: number) => void;
  /** Extra fields for checkpoint.json (e.g. the tokenizer file). */
  checkpointInfo?: Record<string, unknown>;
  /**
   * Called once, PACE_STEPS iterations in, with the seconds this run still needs at the pace it
   * goes (steps, evals and samples), e.g. to say how long the whole walkthrough will take.
   */
  pace?: (p: { secondsLeft: number; secondsPerStep: number }) => void;
  /** The loss chart's title (default: training). */
  title?: string;
  /** Where log lines go (default: stdout, with a live bar on a TTY). */
  log?: (line: string) => void;
}

export interface EvalPoint {
  iter: number;
  train: number;
  val: number;
}

export interface TrainResult {
  model: GPT;
  iterNum: number;
  bestValLoss: number;
  /** Training loss of every iteration run in this call, in order. */
  losses: number[];
  evals: EvalPoint[];
  interrupted: boolean;
  /** the signal that interrupted the run (SIGINT, SIGTERM), if one did */
  signal: NodeJS.Signals | null;
  seconds: number;
}

/** A run stopped because its loss or its weights are no longer numbers. */
export class TrainingDiverged extends Error {}

/**
 * Under `npx tsx` (its launcher process), Ctrl-C cannot save: the launcher passes the signal on,
 * waits 30 ms for the program to answer and then kills it, while a training iteration blocks for
 * longer. The npm scripts start node itself (node --import tsx). True when our parent is tsx's CLI.
 */
function underTsxLauncher(): boolean {
  try {
    return /tsx[\\/]dist[\\/]cli\.mjs|[\\/]\.bin[\\/]tsx\b/.test(readFileSync(`/proc/${process.ppid}/cmdline`, 'utf8'));
  } catch {
    return false; // not Linux, or no /proc: nothing to say
  }
}

/**
 * The model's shape comes from the checkpoint when continuing one, as in nanoGPT: resume takes
 * block_size, n_layer, n_head, n_embd and bias from it; a fine-tune from a pretrained model takes
 * the layers and may only shorten block_size. Called before datasets are built, so batches fit.
 */
export function withCheckpointShape<T extends TrainConfig>(cfg: T, log: (s: string) => void = () => {}): T {
  if (cfg.init_from === 'scratch') return cfg;
  const dir = cfg.init_from === 'resume' ? cfg.out_dir : cfg.pretrained_dir;
  const m = readCheckpointInfo(dir).model_config;
  const blockSize = cfg.init_from === 'resume' ? m.block_size : Math.min(cfg.block_size, m.block_size);
  if (cfg.init_from === 'pretrained' && cfg.block_size > m.block_size) log(`block_size ${cfg.block_size} is longer than the pretrained model's ${m.block_size}: using ${m.block_size}`);
  return { ...cfg, block_size: blockSize, n_layer: m.n_layer, n_head: m.n_head, n_embd: m.n_embd, bias: m.bias };
}

/** The optimizer cfg.optimizer asks for; with Muon, the log says which tensors it updates. */
function makeOptimizer(model: GPT, cfg: TrainConfig, log: (s: string) => void): Optimizer {
  const opt = model.configureOptimizers(cfg.weight_decay, cfg.learning_rate, [cfg.beta1, cfg.beta2], cfg.optimizer);
  if (cfg.optimizer === 'muon') {
    const matrices = opt.groups.filter((g) => g.muon).flatMap((g) => g.params).length;
    log(matrices > 0 ? `optimizer: Muon for the blocks' ${matrices} weight matrices, AdamW for the embeddings, biases and LayerNorm gains` : 'optimizer: AdamW (LoRA adapters are trained with AdamW, not Muon)');
  }
  return opt;
}

/** Build (or load) the model and optimizer that init_from asks for. */
function initModel(cfg: TrainConfig, vocabSize: number, log: (s: string) => void): { model: GPT; opt: Optimizer; iterNum: number; bestValLoss: number; scalerState?: GradScalerState } {
  if (cfg.init_from === 'scratch') {
    if (cfg.lora) throw new Error('train: --lora=true fine-tunes a trained model: use --init_from=pretrained --pretrained_dir=DIR');
    manualSeed(cfg.seed);
    const model = new GPT(modelConfigFor(cfg, vocabSize));
    return { model, opt: makeOptimizer(model, cfg, log), iterNum: 0, bestValLoss: Infinity };
  }
  const dir = cfg.init_from === 'resume' ? cfg.out_dir : cfg.pretrained_dir;
  const { model, info } = loadCheckpoint(dir);
  if (cfg.init_from === 'pretrained') manualSeed(cfg.seed); // a new run: its own stream (LoRA init, batches)
  if (info.model_config.vocab_size !== vocabSize) {
    throw new Error(`train: checkpoint in ${dir} has vocab_size ${info.model_config.vocab_size} but the data's tokenizer has ${vocabSize} tokens`);
  }
  fitToRun(model, cfg); // the shape comes from the checkpoint
  if (cfg.lora && model.lora === null) {
    if (cfg.init_from !== 'pretrained') throw new Error('train: --lora=true fine-tunes a trained model: use --init_from=pretrained --pretrained_dir=DIR');
    model.applyLora({ targets: parseTargets(cfg.lora_targets), rank: cfg.lora_rank, alpha: cfg.lora_alpha, dropout: cfg.lora_dropout });
    let trainable = 0;
    for (const t of model.namedAdapters().values()) trainable += t.size;
    log(`LoRA on ${cfg.lora_targets} (rank ${cfg.lora_rank}, alpha ${cfg.lora_alpha}): ${trainable} trainable of ${trainable + model.numParams(false)} parameters (${((100 * trainable) / (trainable + model.numParams(false))).toFixed(2)}%)`);
  }
  const opt = makeOptimizer(model, cfg, log);
  if (cfg.init_from === 'resume') {
    loadOptimizerState(dir, model, opt);
    if (info.rng_state !== undefined) setRngState(info.rng_state as Parameters<typeof setRngState>[0]);
    log(`resuming from ${dir} at iteration ${info.iter_num} (best val loss ${info.best_val_loss.toFixed(4)})`);
    return { model, opt, iterNum: info.iter_num, bestValLoss: info.best_val_loss, scalerState: info.grad_scaler as GradScalerState | undefined };
  }
  log(`initialised from the pretrained model in ${dir} (trained ${info.iter_num} iterations)`);
  return { model, opt, iterNum: 0, bestValLoss: Infinity };
}

export async function train(config: TrainConfig, data: BatchSource, hooks: TrainHooks = {}): Promise<TrainResult> {
  validateTrainConfig(config);
  const cfg = withCheckpointShape(config);
  const progress = new Progress(cfg.max_iters, 'train');
  const log = (s: string) => progress.log(s, hooks.log);
  const unlock = lockOutDir(cfg.out_dir, log);
  try {
    // every op of this run uses these kernels and this storage dtype; the previous ones come back when it ends
    const kernels = cfg.device === 'gpu' ? await gpuKernels(cfg, log) : cpuKernels;
    return await withEngine({ kernels, dtype: cfg.dtype }, () => trainLocked(cfg, data, hooks, progress, log));
  } finally {
    unlock();
  }
}

/** GPU.js's kernels in the mode cfg.gpu_mode asks for (engine/gpu), loaded only when a run asks for them. */
async function gpuKernels(cfg: TrainConfig, log: (s: string) => void): Promise<Kernels> {
  const { createGpuKernels } = await import('../engine/gpu/index.ts');
  const { kernels, device } = createGpuKernels(cfg.gpu_mode);
  log(`device gpu: GPU.js runs its kernels in ${device.mode} mode${device.note === '' ? '' : ` (${device.note})`}`);
  return kernels;
}

/** The explanation a diverged run ends with: where it stopped, what is kept, what to try. */
function divergedError(what: string, iter: number, cfg: TrainConfig, saved: { iter: number; val: number } | null): TrainingDiverged {
  const kept = saved === null ? `nothing was saved to ${cfg.out_dir}` : `the checkpoint in ${cfg.out_dir} is kept as it was (iteration ${saved.iter}, val loss ${saved.val.toFixed(4)})`;
  return new TrainingDiverged(`train: ${what} at iteration ${iter}: training diverged, stopped; ${kept}. Try a lower --learning_rate (now ${cfg.learning_rate}), --grad_clip=1, or check --beta1/--beta2 (now ${cfg.beta1}, ${cfg.beta2})`);
}

/**
 * The run says how long it still needs after PACE_STEPS iterations, timed from PACE_SKIP on: the
 * first ones (JIT, thread start, the heap growing) can take twice as long as the rest, and timing
 * steps 3-19 once told a walkthrough it needed 18 minutes where it took 11.
 */
const PACE_STEPS = 50;
const PACE_SKIP = 10;

/** How many multiples of `every` lie in (from, to]: the evals or samples still to come. */
const countIn = (from: number, to: number, every: number) => (every > 0 ? Math.floor(to / every) - Math.floor(from / every) : 0);

/** With loss scaling, a non-finite loss may be an overflow the scaler skips; this many in a row is divergence. */
const MAX_NONFINITE_SKIPS = 20;

/** --workers=N threads; 0: one per core, at most SHARDS (more would have no shard to run). */
export function threadCount(workers: number): number {
  return workers > 0 ? Math.min(workers, SHARDS) : Math.max(1, Math.min(availableParallelism(), SHARDS));
}

async function trainLocked(cfg: TrainConfig, data: BatchSource, hooks: TrainHooks, progress: Progress, log: (s: string) => void): Promise<TrainResult> {
  const started = performance.now();
  const { model, opt, iterNum: startIter, bestValLoss: startBest, scalerState } = initModel(cfg, data.vocabSize, log);
  // mixed precision: the storage dtype is set for the run (train, above); here the loss scaler
  const scaler = gradScalerFor(cfg);
  if (scalerState !== undefined && scaler.enabled) scaler.loadState(scalerState);
  if (cfg.dtype !== 'float32') log(`mixed precision: ${cfg.dtype} storage for matmul inputs and saved activations, float32 master weights; loss scaling ${scaler.enabled ? `on (scale ${scaler.scale})` : 'off'}`);
  let bestValLoss = startBest;
  const peak = cfg.peak_flops > 0 ? { flops: cfg.peak_flops, description: 'from --peak_flops' } : estimateCpuPeakFlops();
  log(`model: ${(model.numParams() / 1e6).toFixed(2)}M parameters (${model.config.n_layer} layers, ${model.config.n_head} heads, ${model.config.n_embd} wide, block ${model.config.block_size}, vocab ${model.config.vocab_size})`);
  log(`tokens per iteration: ${cfg.gradient_accumulation_steps} x ${cfg.batch_size} x ${model.config.block_size} = ${cfg.gradient_accumulation_steps * cfg.batch_size * model.config.block_size}`);
  if (cfg.device === 'cpu') log(`kernels: cpu, matmul's micro-kernel ${simdKernel === 'wasm-simd-fma' ? 'WebAssembly SIMD with fused multiply-add (relaxed SIMD)' : simdKernel === 'wasm-simd' ? 'WebAssembly SIMD (multiply, then add: no relaxed SIMD here)' : 'plain TypeScript (no WebAssembly SIMD here)'}`);
  log(`MFU is measured against a peak of ${(peak.flops / 1e9).toFixed(0)} GFLOP/s (${peak.description})`);
  const threads = threadCount(cfg.workers);
  const parallel = threads > 1 ? new DataParallel(model, threads, cfg.seed, cfg.device === 'gpu' ? cfg.gpu_mode : null) : null;
  if (parallel !== null) {
    log(`data parallel: each batch's ${SHARDS} shards are shared by ${parallel.threads} threads${cfg.workers === 0 ? ` (--workers=0: one per core, ${availableParallelism()} here, at most ${SHARDS})` : cfg.workers > SHARDS ? ` (--workers=${cfg.workers}: a step has ${SHARDS} shards, so no more threads)` : ''}; the same loss curve as on one thread`);
    opt.shareUpdates(parallel.runUpdates); // the optimizer's step too: Muon's Newton-Schulz is most of it
  }
  // V8 collects garbage on helper threads of its own; with every core already training, they take
  // turns with the training threads and a step gets ~20% slower (bench/RESULTS.md). npm run
  // train, pretrain-lm, finetune and bench start node with --single-threaded-gc.
  if (parallel !== null && !process.execArgv.includes('--single-threaded-gc')) {
    log('note: node runs without --single-threaded-gc, so its garbage collector\'s helper threads compete with the training threads for the cores (node --single-threaded-gc --import tsx scripts/..., as the npm scripts do)');
  }

  // the model in out_dir that this run must not replace with a worse one: the one it resumed, or its own last save
  let saved: { iter: number; val: number } | null = cfg.init_from === 'resume' ? { iter: startIter, val: startBest } : null;
  const save = (iter: number, why: string, val: number, dir = cfg.out_dir) => {
    saveCheckpoint(dir, model, opt, {
      model_config: model.config, train_config: { ...cfg }, iter_num: iter, best_val_loss: Math.min(bestValLoss, val), rng_state: getRngState(),
      grad_scaler: scaler.state(), ...hooks.checkpointInfo,
    });
    if (dir === cfg.out_dir) saved = { iter, val };
    log(`saved checkpoint to ${dir} (${why})`);
  };

  // Ctrl-C (SIGINT) or SIGTERM: finish the current iteration, save, end. One key press can arrive
  // twice (from the terminal and from npm, which passes signals on to its script), so a second
  // signal quits without saving only when it comes a second or more after the first.
  let stopSignal: NodeJS.Signals | null = null;
  let stopAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopSignal !== null) {
      if (performance.now() - stopAt < 1000) return;
      log(`\n${signal} again: quitting without saving`);
      process.exit(128 + constants.signals[signal]);
    }
    stopSignal = signal;
    stopAt = performance.now();
    log(`\n${signal === 'SIGINT' ? 'interrupted (Ctrl-C)' : `got ${signal}`}: saving a checkpoint at the end of this iteration (Ctrl-C again to quit without saving)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (underTsxLauncher()) log('note: started by tsx\'s launcher (npx tsx), which kills the program 60 ms after a Ctrl-C, before it can save. To be able to stop and save: node --import tsx scripts/... (as the npm scripts do)');

  /**
   * Save at a stop (signal or max_seconds). If this run already saved a better model to out_dir,
   * that one stays, and the state to resume from goes to out_dir/interrupted.
   */
  const saveAtStop = (iter: number, why: string) => {
    const l = saved === null ? null : estimateLoss(model, data, cfg, iter);
    if (l !== null && !Number.isFinite(l.val)) throw divergedError(`the val loss is ${l.val}`, iter, cfg, saved);
    if (saved !== null && l !== null && l.val > saved.val) {
      const dir = join(cfg.out_dir, 'interrupted');
      log(`val loss now ${l.val.toFixed(4)}, worse than the checkpoint's ${saved.val.toFixed(4)} (iteration ${saved.iter}): ${cfg.out_dir} keeps that one`);
      save(iter, `${why}; continue with --init_from=resume --out_dir=${dir}`, l.val, dir);
    } else save(iter, `${why}; continue with --init_from=resume --out_dir=${cfg.out_dir}`, l?.val ?? Infinity);
  };
  let nonFiniteRun = 0;
  // the pace of this run, to say how long it still needs: seconds per step, per eval, per sample
  const pace = { stepSeconds: 0, steps: 0, evalSeconds: 0, sampleSeconds: 0 };

  const losses: number[] = [];
  const evals: EvalPoint[] = [];
  let iter = startIter;
  let runningMfu = -1;
  const metrics = new RunMetrics(cfg.out_dir, `${hooks.title ?? 'training'}: ${(model.numParams() / 1e6).toFixed(2)}M parameters, ${cfg.optimizer}, lr ${cfg.learning_rate}`, cfg.init_from === 'resume' ? startIter : null);
  log(`metrics: ${metrics.jsonlPath} (a JSON line per log line) and ${metrics.svgPath} (the loss curve, redrawn at every eval)`);
  let lastLoss = NaN;
  try {
    model.train();
    for (;;) {
      // let the event loop run, so a Ctrl-C is noticed between iterations
      await new Promise((resolve) => setImmediate(resolve));
      const overBudget = cfg.max_seconds > 0 && (performance.now() - started) / 1000 > cfg.max_seconds;
      if (stopSignal !== null || overBudget) {
        if (stopSignal === null) log(`max_seconds=${cfg.max_seconds} reached at iteration ${iter}`);
        saveAtStop(iter, stopSignal !== null ? `stopped by ${stopSignal}` : 'max_seconds reached');
        break;
      }
      const lr = getLr(iter, cfg);
      opt.lr = lr;

      if (iter % cfg.eval_interval === 0 || iter === cfg.max_iters) {
        const te = performance.now();
        const l = estimateLoss(model, data, cfg, iter);
        pace.evalSeconds = (performance.now() - te) / 1000;
        evals.push({ iter, ...l });
        log(`step ${iter}: train loss ${l.train.toFixed(4)}, val loss ${l.val.toFixed(4)}`);
        metrics.evaluated({ iter, train_loss: l.train, val_loss: l.val });
        if (!Number.isFinite(l.train) || !Number.isFinite(l.val)) throw divergedError(`the eval loss is ${Number.isFinite(l.train) ? l.val : l.train}`, iter, cfg, saved);
        // a checkpoint is replaced only by a better model, unless always_save_checkpoint asks for the latest
        const better = l.val < bestValLoss;
        bestValLoss = Math.min(bestValLoss, l.val);
        // a run that ends without having saved (no eval beat its first) still leaves its model
        const lastChance = saved === null && iter >= cfg.max_iters;
        if ((better || cfg.always_save_checkpoint || lastChance) && (iter > startIter || cfg.always_save_checkpoint)) {
          const why = better ? 'best val loss so far' : lastChance ? 'the end of a run that saved nothing before' : `the latest model, as always_save_checkpoint asks (the lowest val loss so far: ${bestValLoss.toFixed(4)})`;
          save(iter, why, l.val);
        } else if (!better) log(`val loss ${l.val.toFixed(4)} is not below the best ${bestValLoss.toFixed(4)}: the checkpoint in ${cfg.out_dir} stays`);
      }
      if (iter >= cfg.max_iters) break;

      // one optimisation step over gradient_accumulation_steps fresh micro-batches (train/step.ts)
      const t0 = performance.now();
      const batches = Array.from({ length: cfg.gradient_accumulation_steps }, () => data.getBatch('train', cfg.batch_size, random));
      const { loss, savedPeak, tokens, flops } = await trainStep(model, opt, scaler, batches, cfg.grad_clip, parallel);
      const dt = (performance.now() - t0) / 1000;
      if (iter - startIter >= PACE_SKIP) [pace.stepSeconds, pace.steps] = [pace.stepSeconds + dt, pace.steps + 1];
      if (pace.steps === PACE_STEPS - PACE_SKIP && cfg.max_iters - iter > PACE_STEPS) {
        const perStep = pace.stepSeconds / pace.steps;
        const left = (cfg.max_iters - iter - 1) * perStep + countIn(iter, cfg.max_iters, cfg.eval_interval) * pace.evalSeconds + countIn(iter, cfg.max_iters, cfg.sample_interval) * pace.sampleSeconds;
        log(`pace: ${(perStep * 1000).toFixed(0)} ms a step on this machine; the remaining ${cfg.max_iters - iter - 1} iterations, evals included, take about ${formatDuration(left)}`);
        hooks.pace?.({ secondsLeft: left, secondsPerStep: perStep });
      }
      // NaN or inf: with loss scaling an overflow the scaler has just skipped, a few times at most; else divergence
      nonFiniteRun = Number.isFinite(loss) ? 0 : nonFiniteRun + 1;
      if (nonFiniteRun > (scaler.enabled ? MAX_NONFINITE_SKIPS : 0)) throw divergedError(`the training loss is ${loss}`, iter, cfg, saved);
      losses.push(loss);
      lastLoss = loss;

      if (iter % cfg.log_interval === 0) {
        // tok/s counts the batch's tokens; MFU the FLOPs of the positions actually computed
        const mfu = flops / dt / peak.flops;
        runningMfu = smoothedMfu(runningMfu, mfu);
        const scaling = scaler.enabled ? `, scale ${scaler.scale}, skipped ${scaler.skipped}` : '';
        log(`iter ${iter}: loss ${loss.toFixed(4)}, lr ${lr.toExponential(2)}, time ${(dt * 1000).toFixed(0)}ms, ${Math.round(tokens / dt)} tok/s, mfu ${(runningMfu * 100).toFixed(2)}%, ` +
          `activations ${(savedPeak / 2 ** 20).toFixed(1)} MiB${scaling}`);
        metrics.step({ iter, loss, lr, ms: dt * 1000, tok_s: tokens / dt, mfu: runningMfu });
      }
      iter++;
      progress.update(iter, `loss ${lastLoss.toFixed(4)}`);
      if (cfg.sample_interval > 0 && iter % cfg.sample_interval === 0 && hooks.sample) {
        const ts = performance.now();
        hooks.sample(model, iter);
        pace.sampleSeconds = (performance.now() - ts) / 1000;
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.done();
    await parallel?.close();
  }
  const interrupted = stopSignal !== null;
  const sampledLast = cfg.sample_interval > 0 && iter % cfg.sample_interval === 0 && iter > startIter;
  if (hooks.sample && !interrupted && !sampledLast) hooks.sample(model, iter);
  const seconds = (performance.now() - started) / 1000;
  log(`training done: ${iter - startIter} iterations in ${formatDuration(seconds)}, best val loss ${bestValLoss.toFixed(4)}`);
  return { model, iterNum: iter, bestValLoss, losses, evals, interrupted, signal: stopSignal, seconds };
}
