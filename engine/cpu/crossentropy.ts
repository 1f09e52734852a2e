// Cross-entropy from logits, one row per position, targets of -1 ignored:
//
//   loss_r = logsumexp(x_r) - x_r[t_r]             (max subtracted first: finite for any logits)
//   dx_r   = softmax(x_r) - onehot(t_r)
//
// The forward pass already computes exp(x_r - max) for the sum; when asked, it keeps them as the
// softmax probabilities, and the backward pass is then one multiply-add per logit instead of a
// second max, exp and sum over the vocabulary. The exps themselves run four at a time in
// WebAssembly (exp_simd.ts): with Math.exp they were most of the cost of the loss.
// Where the vocabulary is a multiple of 4, the whole softmax runs in one WebAssembly SIMD call
// (elementwise_simd.ts, softmaxRows) and this file only adds up the loss; crossEntropyForwardPlain
// is the reference, and what runs otherwise.
import { expInPlace } from './exp_simd.ts';
import { scaleAdd, softmaxRows } from './elementwise_simd.ts';

export function crossEntropyForward(logits: Float32Array, targets: Int32Array, rows: number, V: number, probs: Float32Array | null = null): [number, number] {
  for (let r = 0; r < rows; r++) checkTarget(targets[r], r, V);
  const stats = softmaxRows(logits, rows, V, probs); // each row's max and sum of exps, or null
  if (stats === null) return crossEntropyForwardPlain(logits, targets, rows, V, probs);
  let sum = 0;
  let count = 0;
  for (let r = 0; r < rows; r++) {
    const t = targets[r];
    if (t === -1) continue;
    sum += Math.log(stats[2 * r + 1]) + stats[2 * r] - logits[r * V + t];
    count++;
  }
  return [sum, count];
}

function checkTarget(t: number, r: number, V: number): void {
  if (t !== -1 && (t < 0 || t >= V)) throw new Error(`crossEntropy: target ${t} at row ${r} is outside [0, ${V}) (use -1 to ignore a position)`);
}

export function crossEntropyForwardPlain(logits: Float32Array, targets: Int32Array, rows: number, V: number, probs: Float32Array | null = null): [number, number] {
  let sum = 0;
  let count = 0;
  const scratch = probs === null ? new Float32Array(V) : null;
  for (let r = 0; r < rows; r++) {
    const t = targets[r];
    if (t === -1) continue;
    checkTarget(t, r, V);
    const o = r * V;
    const e = scratch ?? probs!.subarray(o, o + V); // this row's exps: its row of probs, or scratch
    let max = -Infinity;
    for (let j = 0; j < V; j++) if (logits[o + j] > max) max = logits[o + j];
    for (let j = 0; j < V; j++) e[j] = logits[o + j] - max;
    expInPlace(e);
    let s = 0;
    for (let j = 0; j < V; j++) s += e[j];
    sum += Math.log(s) + max - logits[o + t];
    count++;
    if (probs !== null) {
      const inv = 1 / s;
      for (let j = 0; j < V; j++) e[j] *= inv;
    }
  }
  return [sum, count];
}

/**
 * dlogits += scale * (probs - onehot(t)) for the kept rows, probs from crossEntropyForward. With
 * accumulate false dlogits is a new gradient, written whole (ignored rows 0) without reading it.
 */
export function crossEntropyBackward(probs: Float32Array, targets: Int32Array, dlogits: Float32Array, rows: number, V: number, scale: number, accumulate = true): void {
  if (!targets.subarray(0, rows).includes(-1)) {
    // every row counts (the model computes logits only where the loss counts): one pass, in SIMD
    // when adding; a new gradient is float32(scale) * probs, the same bits as adding that to zeros
    if (accumulate) scaleAdd(1, dlogits, scale, probs, dlogits, rows * V);
    else scaleInto(dlogits, scale, probs, rows * V);
    for (let r = 0; r < rows; r++) dlogits[r * V + targets[r]] -= scale;
    return;
  }
  if (!accumulate) dlogits.fill(0, 0, rows * V);
  for (let r = 0; r < rows; r++) {
    const t = targets[r];
    if (t === -1) continue;
    const o = r * V;
    for (let j = 0; j < V; j++) dlogits[o + j] += scale * probs[o + j];
    dlogits[o + t] -= scale;
  }
}

/**
 * out[i] = float32(s) * x[i]. A JavaScript loop: it reads x once and writes out once, where the
 * SIMD kernels would first copy both into their memory; a product of two float32s rounded once
 * to float32 (the typed array's store) is the same number in any language.
 */
function scaleInto(out: Float32Array, s: number, x: Float32Array, n: number): void {
  const s32 = Math.fround(s);
  for (let i = 0; i < n; i++) out[i] = s32 * x[i];
}
