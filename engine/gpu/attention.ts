// Causal attention on GPU.js, over BH independent heads, one kernel per step of the maths
// (the same maths as engine/cpu/attention.ts):
//
//   forward:   S = Q K^T / sqrt(D), masked to j <= i + (Tk - Tq)       scores     (BH, Tq, Tk)
//              m, l = row max and sum of exp(S - m)                    rowStats   (BH, Tq) x 2
//              P = exp(S - m) / l  (0 where masked)                    softmax    (BH, Tq, Tk)
//              O = P V                                                 weighted   (BH, Tq, D)
//   backward:  dP = dO V^T,  r = rowsum(P * dP),  dS = P (dP - r) / sqrt(D)
//              dQ += dS K,   dK += dS^T Q,   dV += P^T dO
//
// (GPU.js hoists loop variables: two loops in one kernel need two names.)
// Each kernel's result is read back to a Float32Array and passed to the next one; out and
// probs must come back anyway (the engine keeps probs for backward on the host).
import type { GPU } from 'gpu.js';
import { flatPairs, makeKernel, runKernel } from './device.ts';

type This = { thread: { x: number } };
// thread = (h, i, j) of S; masked scores are -1e30 (a literal: kernels see nothing outside their own body)
function scores(this: This, q: number[], k: number[], Tq: number, Tk: number, D: number, kvStride: number, scale: number): number {
  const h = Math.floor((this.thread.x + 0.5) / (Tq * Tk));
  const rest = this.thread.x - h * Tq * Tk;
  const i = Math.floor((rest + 0.5) / Tk);
  const j = rest - i * Tk;
  if (j > i + Tk - Tq) return -1e30;
  let s = 0;
  for (let d = 0; d < D; d++) s += q[(h * Tq + i) * D + d] * k[(h * kvStride + j) * D + d];
  return s * scale;
}

// thread = one row (h, i): [max, sum of exp(s - max)] over its unmasked keys
function rowStats(this: This, s: number[], Tk: number): number[] {
  const o = this.thread.x * Tk;
  let m = -1e30;
  for (let j = 0; j < Tk; j++) m = Math.max(m, s[o + j]);
  let l = 0;
  for (let j2 = 0; j2 < Tk; j2++) {
    if (s[o + j2] > -1e29) l += Math.exp(s[o + j2] - m);
  }
  return [m, l];
}

// thread = (row, j) of P
function softmax(this: This, s: number[], stats: number[], Tk: number): number {
  const row = Math.floor((this.thread.x + 0.5) / Tk);
  const v = s[this.thread.x];
  if (v < -1e29) return 0;
  return Math.exp(v - stats[row * 2]) / stats[row * 2 + 1];
}

// thread = (h, i, d) of O = P V
function weighted(this: This, p: number[], v: number[], Tq: number, Tk: number, D: number, kvStride: number): number {
  const row = Math.floor((this.thread.x + 0.5) / D);
  const d = this.thread.x - row * D;
  const h = Math.floor((row + 0.5) / Tq);
  let s = 0;
  for (let j = 0; j < Tk; j++) s += p[row * Tk + j] * v[(h * kvStride + j) * D + d];
  return s;
}

// thread = (h, i, j): dP = dO V^T
function probGrad(this: This, dout: number[], v: number[], T: number, D: number): number {
  const h = Math.floor((this.thread.x + 0.5) / (T * T));
  const rest = this.thread.x - h * T * T;
  const i = Math.floor((rest + 0.5) / T);
  const j = rest - i * T;
  let s = 0;
  for (let d = 0; d < D; d++) s += dout[(h * T + i) * D + d] * v[(h * T + j) * D + d];
  return s;
}

// thread = (h, i, j): dS = P (dP - sum_j' P dP) * scale; the row sum is recomputed per thread (T is small)
function scoreGrad(this: This, p: number[], dp: number[], T: number, scale: number): number {
  const row = Math.floor((this.thread.x + 0.5) / T);
  let r = 0;
  for (let j = 0; j < T; j++) r += p[row * T + j] * dp[row * T + j];
  return p[this.thread.x] * (dp[this.thread.x] - r) * scale;
}

// thread = (h, i, d): dQ = acc + dS K  (with K -> Q, dS^T for dK: transposed = 1)
function headProduct(this: This, acc: number[], ds: number[], x: number[], T: number, D: number, transposed: number): number {
  const row = Math.floor((this.thread.x + 0.5) / D);
  const d = this.thread.x - row * D;
  const h = Math.floor((row + 0.5) / T);
  const i = row - h * T;
  let s = 0;
  for (let j = 0; j < T; j++) {
    // transposed: sum over queries j of dS[h, j, i] x[h, j, d]; else sum over keys j of dS[h, i, j] x[h, j, d]
    let w = ds[(h * T + i) * T + j];
    if (transposed === 1) w = ds[(h * T + j) * T + i];
    s += w * x[(h * T + j) * D + d];
  }
  return acc[this.thread.x] + s;
}

export function makeAttention(gpu: GPU) {
  const k = {
    scores: makeKernel(gpu, scores), rowStats: makeKernel(gpu, rowStats, 'Array(2)'), softmax: makeKernel(gpu, softmax), weighted: makeKernel(gpu, weighted),
    probGrad: makeKernel(gpu, probGrad), scoreGrad: makeKernel(gpu, scoreGrad), headProduct: makeKernel(gpu, headProduct),
  };

  function attentionForward(q: Float32Array, kk: Float32Array, v: Float32Array, out: Float32Array, probs: Float32Array | null,
    BH: number, Tq: number, Tk: number, D: number, kvStride: number): void {
    const scale = 1 / Math.sqrt(D);
    const s = runKernel(k.scores, BH * Tq * Tk, q, kk, Tq, Tk, D, kvStride, scale);
    const stats = flatPairs(runKernel<Float32Array[]>(k.rowStats, BH * Tq, s, Tk));
    const p = runKernel(k.softmax, BH * Tq * Tk, s, stats, Tk);
    out.set(runKernel(k.weighted, BH * Tq * D, p, v, Tq, Tk, D, kvStride));
    if (probs !== null) probs.set(p);
  }

  function attentionBackward(dout: Float32Array, q: Float32Array, kk: Float32Array, v: Float32Array, probs: Float32Array,
    dq: Float32Array, dk: Float32Array, dv: Float32Array, BH: number, T: number, D: number): void {
    const scale = 1 / Math.sqrt(D);
    const n = BH * T * D;
    const dp = runKernel(k.probGrad, BH * T * T, dout, v, T, D);
    const ds = runKernel(k.scoreGrad, BH * T * T, probs, dp, T, scale);
    dq.set(runKernel(k.headProduct, n, dq, ds, kk, T, D, 0));
    dk.set(runKernel(k.headProduct, n, dk, ds, q, T, D, 1));
    dv.set(runKernel(k.headProduct, n, dv, probs, dout, T, D, 1)); // dV = P^T dO: the same product with P for dS
  }

  return { attentionForward, attentionBackward };
}
