// Helpers shared by the op tests: seeded random inputs that need gradients.
import { Tensor } from '../tensor.ts';
import { makeRng } from '../random.ts';

const rng = makeRng('op-tests');

/** Uniform in [low, high), requiring grad. Never all zeros or ones. */
export function param(shape: number[], low = -1, high = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n).map(() => low + (high - low) * rng());
  return new Tensor(data, shape, true);
}

/** Values in [low, high) kept at least `gap` away from each other, for ops with kinks (max, relu). */
export function spreadParam(shape: number[], low: number, high: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => low + ((high - low) * (i + 0.5)) / n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [values[i], values[j]] = [values[j], values[i]];
  }
  return new Tensor(Float32Array.from(values), shape, true);
}

export function randomInts(n: number, high: number): Int32Array {
  return new Int32Array(n).map(() => Math.floor(rng() * high));
}

/** max |got - want| / max |want|: an error relative to the array's scale, so values near 0 do not dominate. */
export function relError(got: Float32Array, want: Float32Array): number {
  let diff = 0;
  let size = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    size = Math.max(size, Math.abs(want[i]));
  }
  return diff / Math.max(size, 1e-30);
}
