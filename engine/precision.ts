// Mixed precision, the AMP recipe on our engine. With the storage dtype set to float16 or
// bfloat16 (setDtype):
//   - matmul-type ops (linear, matmul, attention) read their weights and inputs rounded to 16 bits
//     and round their outputs to 16 bits, as a 16-bit matmul unit would; the sums inside still
//     run in float32, like tensor cores accumulating in float32;
//   - every activation an op keeps for its backward is stored as 16-bit values (a Uint16Array)
//     and widened when the backward reads it: half the bytes;
//   - the gradient flowing into a matmul-type op is rounded to 16 bits as well. This is where
//     float16 loses small gradients (below 2^-24 they become 0) and why the loss is scaled;
//   - master weights, gradients of the weights, optimizer moments and all accumulations stay
//     float32.
// The kernels themselves always compute in float32: what changes is what is stored between them.
import type { Tensor } from './tensor.ts';
import { narrow, roundInPlace, widen } from './half.ts';
import type { HalfDtype } from './half.ts';

export type Dtype = 'float32' | HalfDtype;
export const DTYPES: readonly Dtype[] = ['float32', 'float16', 'bfloat16'];

let dtype: Dtype = 'float32';

export function setDtype(d: Dtype): void {
  if (!DTYPES.includes(d)) throw new Error(`dtype must be one of ${DTYPES.join(', ')}, got '${d}'`);
  dtype = d;
}

export function getDtype(): Dtype {
  return dtype;
}

/** Run fn with another storage dtype, then restore the previous one. */
export function withDtype<T>(d: Dtype, fn: () => T): T {
  const prev = dtype;
  setDtype(d);
  try {
    return fn();
  } finally {
    dtype = prev;
  }
}

/** Round an op's output (or an incoming gradient) in place to the storage dtype; no-op in float32. */
export function toStorage(x: Float32Array): Float32Array {
  return dtype === 'float32' ? x : roundInPlace(x, dtype);
}

/** A float32 copy of x rounded to the storage dtype, or x itself in float32 (weights are never rounded in place). */
export function storageCopy(x: Float32Array): Float32Array {
  return dtype === 'float32' ? x : roundInPlace(new Float32Array(x), dtype);
}

// ---------------------------------------------------------------- tensors saved for backward

/** Bytes of activations held for backward right now, and the most at any moment since resetSavedPeak(). */
export const savedBytes = { live: 0, peak: 0 };
// each count starts a new epoch, so a graph dropped without its backward cannot skew later counts
let epoch = 0;

/** Start counting from zero (call at the start of a training step). */
export function resetSavedPeak(): void {
  epoch++;
  savedBytes.live = 0;
  savedBytes.peak = 0;
}

/**
 * An array an op keeps for its backward. In float32 it is the array itself; in a 16-bit dtype it
 * is a Uint16Array copy, widened by get(). Activations (not parameters) count in savedBytes from
 * save until the backward that reads them has run (release()).
 */
export class Saved {
  private readonly full: Float32Array | null;
  private readonly half: Uint16Array | null;
  private readonly storedAs: Dtype;
  readonly bytes: number;
  private released = false;
  private readonly epoch = epoch;

  constructor(data: Float32Array, counted: boolean, storedAs: Dtype = dtype) {
    this.storedAs = storedAs;
    this.full = storedAs === 'float32' ? data : null;
    this.half = storedAs === 'float32' ? null : narrow(data, storedAs);
    this.bytes = counted ? (this.half !== null ? this.half.byteLength : data.byteLength) : 0;
    savedBytes.live += this.bytes;
    savedBytes.peak = Math.max(savedBytes.peak, savedBytes.live);
  }

  get(): Float32Array {
    return this.half === null ? this.full! : widen(this.half, this.storedAs as HalfDtype);
  }

  /** Called by the backward once it has read the values: they stop counting. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.epoch === epoch) savedBytes.live -= this.bytes;
  }
}

/**
 * Keep t's values for backward (or `data`, t's values already rounded to the storage dtype).
 * Parameters (leaf tensors) are not counted: in float32 they are not copies, and in 16 bits they
 * are a copy of the weights, not an activation.
 */
export function saveForBackward(t: Tensor, data: Float32Array = t.data): Saved {
  return new Saved(data, t.op !== 'leaf');
}

/** Keep an array an op made for its backward (e.g. attention's probabilities): an activation, in the storage dtype. */
export function saveActivation(data: Float32Array): Saved {
  return new Saved(data, true);
}

/** Keep a float32 array an op made for its backward (e.g. layerNorm's mean and rstd) at full precision. */
export function saveFloat32(data: Float32Array): Saved {
  return new Saved(data, true, 'float32');
}
