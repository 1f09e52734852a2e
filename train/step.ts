// One training step, in one place: the trainer, the data-parallel workers and the benchmark all
// run this code.
//
//   forwardBackward   forward + backward of one weighted shard; gradients accumulate
//   shardGradients    forward + backward of each shard on its own, its gradient into a flat vector
//   foldGradients     the shards' gradients added in shard order, into the model's .grad
//   optimizerStep     unscale the gradients, clip their global norm, step the optimizer
//   trainStep         all of it, on one thread or shared out to DataParallel's threads
//
// A step's loss is the mean over micro-batches of each micro-batch's mean loss (nanoGPT's
// gradient accumulation). Each micro-batch is cut into SHARDS row shards, each shard's loss
// weighted by its share of the micro-batch's counted (not -1) targets, so a masked batch gives the
// same loss and gradient however it is cut. Each shard's gradient is computed on its own and the
// shards' gradients are added in shard order, on one thread or many: the same seed gives the same
// loss curve, bit for bit, whatever --workers is and however many cores the machine has.
import { clipGradNorm, resetSavedPeak, savedBytes, withStepBuffers } from '../engine/index.ts';
import { scaleAdd } from '../engine/cpu/elementwise_simd.ts';
import type { GradScaler, Optimizer } from '../engine/index.ts';
import type { GPT } from '../model/gpt.ts';
import type { Tensor } from '../engine/index.ts';
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

/**
 * Shards per micro-batch, whatever the number of threads: so at most this many threads share a
 * step. Four shards of 8 rows instead of one batch of 32 cost no time that the bench can see, and
 * keep a quarter of the activations (bench/RESULTS.md).
 */
export const SHARDS = 4;

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
 * Forward + backward of one weighted shard; its gradients accumulate into the model's .grad.
 * lossScale multiplies the gradients (mixed precision's loss scaling).
 */
function forwardBackward(model: GPT, { batch, weight }: WorkItem, lossScale: number): ItemsResult {
  resetSavedPeak();
  const out = model.forward(batch.idx, batch.B, batch.T, batch.targets);
  out.loss!.backward(Float32Array.of(weight * lossScale));
  return { loss: out.loss!.item() * weight, savedPeak: savedBytes.peak, rows: out.rows };
}

/** A trainable tensor and where its gradient sits in a flat vector of all of them. */
export interface GradSlot {
  tensor: Tensor;
  offset: number;
  size: number;
}

/** The model's trainable tensors, packed into one flat gradient vector of `total` floats (the same order on every thread). */
export function gradSlots(model: GPT): { slots: GradSlot[]; total: number } {
  const slots: GradSlot[] = [];
  let total = 0;
  for (const t of model.allNamedTensors().values()) {
    if (!t.requiresGrad) continue;
    slots.push({ tensor: t, offset: total, size: t.size });
    total += t.size;
  }
  return { slots, total };
}

/** What a thread's items give back: ItemsResult, and each item's weighted loss on its own. */
export interface ShardResult extends ItemsResult {
  losses: number[];
}

/**
 * Forward + backward of each item on its own; item k's gradients, flat in gradSlots' order, into
 * grads[k]. The parameters' .grad are views of grads[k] while item k runs, so backward accumulates
 * straight into it: no gradient arrays to allocate, none to copy.
 */
export function shardGradients(model: GPT, items: WorkItem[], lossScale: number, grads: Float32Array[]): ShardResult {
  const { slots } = gradSlots(model);
  const losses: number[] = [];
  let [savedPeak, rows] = [0, 0];
  items.forEach((item, k) => {
    gradsInto(slots, grads[k].fill(0));
    // the shard's activations and their gradients come from arrays the previous shard used and
    // go back when it is done (engine/step_buffers.ts); all that leaves is its loss and grads[k]
    const r = withStepBuffers(() => forwardBackward(model, item, lossScale));
    losses.push(r.loss);
    rows += r.rows;
    savedPeak = Math.max(savedPeak, r.savedPeak);
  });
  return { losses, savedPeak, rows, loss: sum(losses) };
}

/** Every trainable tensor's .grad becomes its slot of the flat vector (which it then adds into). */
function gradsInto(slots: GradSlot[], flat: Float32Array): void {
  for (const { tensor, offset, size } of slots) tensor.useGrad(flat.subarray(offset, offset + size));
}

/**
 * The shards' gradients added in shard order, g0 + g1 + g2 + ..., into grads[0], whose slots
 * become the trainable tensors' .grad (so grads[0] must outlive the optimizer's step).
 */
export function foldGradients(model: GPT, grads: Float32Array[]): void {
  const g = grads[0];
  // g += grads[k] four floats at a time: one float32 add per element, the bits of a plain loop
  for (let k = 1; k < grads.length; k++) scaleAdd(1, g, 1, grads[k], g, g.length);
  gradsInto(gradSlots(model).slots, g);
}

/** Left to right, so that every thread count adds the losses in one order. */
export function sum(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

/** The gradient buffers of one thread's steps, kept between steps (a step of the walkthrough has 4 of 2.5 MB). */
const buffers = new WeakMap<GPT, Float32Array[]>();

/** All shards on this thread: each on its own, then added in shard order, as DataParallel does across threads. */
function shardsHere(model: GPT, items: WorkItem[], lossScale: number): ItemsResult {
  const total = gradSlots(model).total;
  let grads = buffers.get(model) ?? [];
  if (grads.length < items.length || grads[0].length !== total) grads = Array.from({ length: items.length }, () => new Float32Array(total));
  buffers.set(model, grads);
  const result = shardGradients(model, items, lossScale, grads);
  foldGradients(model, grads.slice(0, items.length));
  return result;
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
  const items = splitWork(batches, SHARDS);
  const result = threads === null ? shardsHere(model, items, scaler.scale) : await threads.step(items, scaler.scale);
  optimizerStep(opt, scaler, gradClip);
  const tokens = batches.reduce((n, b) => n + b.B * b.T, 0);
  // fine-tuning batches are shorter than block_size, and packing computes fewer positions still
  return { ...result, tokens, flops: model.flopsPerToken(batches[0].T) * result.rows };
}
