// One training step, in one place: the trainer, the data-parallel workers and the benchmark all
// run this code.
//
//   forwardBackward   forward + backward of weighted shards on one model; gradients accumulate
//   optimizerStep     unscale the gradients, clip their global norm, step the optimizer
//   trainStep         both, on one thread or shared out to DataParallel's threads
//
// A step's loss is the mean over micro-batches of each micro-batch's mean loss (nanoGPT's
// gradient accumulation). Cut into shards for threads, each shard's loss is weighted by its share
// of its micro-batch's counted (not -1) targets, so a masked batch gives the same loss and
// gradient however it is cut.
import { clipGradNorm, resetSavedPeak, savedBytes } from '../engine/index.ts';
import type { GradScaler, Optimizer } from '../engine/index.ts';
import type { GPT } from '../model/gpt.ts';
import type { Batch } from '../data/batch.ts';

/** One shard of work: rows of a micro-batch and the weight of its mean loss in the step's loss. */
export interface WorkItem {
  batch: Batch;
  weight: number;
}

/** What one thread's share of a step gives back. */
export interface ItemsResult {
  /** the weighted loss (unscaled) */
  loss: number;
  /** peak bytes of activations kept for backward during these items (engine/precision.ts) */
  savedPeak: number;
  /** positions the model computed (fewer than B*T when a batch is packed, model/packing.ts) */
  rows: number;
}

/** Something that can run a step's shards on several threads (train/parallel.ts). */
export interface ShardRunner {
  readonly threads: number;
  step(items: WorkItem[], lossScale: number): Promise<ItemsResult>;
}

function countTargets(t: Int32Array): number {
  let n = 0;
  for (let i = 0; i < t.length; i++) if (t[i] !== -1) n++;
  return n;
}

/** Cut each micro-batch into `parts` row shards, each weighted by its share of the counted targets. */
export function splitWork(batches: Batch[], parts: number): WorkItem[] {
  const items: WorkItem[] = [];
  for (const b of batches) {
    const counted = countTargets(b.targets);
    const rowsPer = Math.ceil(b.B / parts);
    for (let r0 = 0; r0 < b.B; r0 += rowsPer) {
      const rows = Math.min(rowsPer, b.B - r0);
      const shard: Batch = {
        idx: b.idx.slice(r0 * b.T, (r0 + rows) * b.T), targets: b.targets.slice(r0 * b.T, (r0 + rows) * b.T), B: rows, T: b.T,
      };
      const share = counted === 0 ? rows / b.B : countTargets(shard.targets) / counted;
      if (share > 0) items.push({ batch: shard, weight: share / batches.length });
    }
  }
  return items;
}

/**
 * Forward + backward of weighted shards on one model; gradients accumulate. lossScale multiplies
 * the gradients (mixed precision's loss scaling).
 */
export function forwardBackward(model: GPT, items: WorkItem[], lossScale = 1): ItemsResult {
  resetSavedPeak();
  let loss = 0;
  let rows = 0;
  for (const { batch, weight } of items) {
    const out = model.forward(batch.idx, batch.B, batch.T, batch.targets);
    out.loss!.backward(Float32Array.of(weight * lossScale));
    loss += out.loss!.item() * weight;
    rows += out.rows;
  }
  return { loss, savedPeak: savedBytes.peak, rows };
}

/**
 * The gradients were computed for loss * scale: divide it out, clip the global norm (0 = off),
 * and step, unless the scaler found an inf or NaN among them (then it skips and halves the scale).
 */
export function optimizerStep(opt: Optimizer, scaler: GradScaler, gradClip: number): void {
  scaler.unscale(opt.params());
  if (gradClip > 0) clipGradNorm(opt.params(), gradClip);
  scaler.step(() => opt.step());
  scaler.update();
}

export interface StepResult extends ItemsResult {
  /** tokens in the batches, B x T each (padding included) */
  tokens: number;
  /** FLOPs of the positions actually computed: the numerator of MFU */
  flops: number;
}

/** One optimisation step over these micro-batches: zero the gradients, forward + backward (on `threads` if given), step. */
export async function trainStep(model: GPT, opt: Optimizer, scaler: GradScaler, batches: Batch[], gradClip: number, threads: ShardRunner | null = null): Promise<StepResult> {
  opt.zeroGrad();
  const result = threads === null
    ? forwardBackward(model, batches.map((batch) => ({ batch, weight: 1 / batches.length })), scaler.scale)
    : await threads.step(splitWork(batches, threads.threads), scaler.scale);
  optimizerStep(opt, scaler, gradClip);
  const tokens = batches.reduce((n, b) => n + b.B * b.T, 0);
  // fine-tuning batches are shorter than block_size, and packing computes fewer positions still
  return { ...result, tokens, flops: model.flopsPerToken(batches[0].T) * result.rows };
}
