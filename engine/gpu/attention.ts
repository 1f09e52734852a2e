// Causal attention on GPU.js, over BH independent heads, one kernel per step of the maths
// (the same maths as engine/cpu/attention.ts):
//
//   forward:   S = Q K^T / sqrt(D), masked to j <= i + (Tk - Tq)       scores     (BH, Tq, Tk)
//              m = row max of S                                        rowMax     (BH, Tq)
//              l = row sum of exp(S - m)                               rowSum     (BH, Tq)
//              P = exp(S - m) / l  (0 where masked)                    softmax    (BH, Tq, Tk)
//              O = P V                                                 weighted   (BH, Tq, D)
//   backward:  dP = dO V^T                                             probGrad   (BH, Tq, Tk)
//              r = rowsum(P * dP)                                      rowDot     (BH, Tq)
//              dS = P (dP - r) / sqrt(D)                               scoreGrad  (BH, Tq, Tk)
//              dQ += dS K,   dK += dS^T Q,   dV += P^T dO
//
// What stays on the device and what is read back: S, m, l, P, dP, r and dS are pipeline stages
// (textures in headlessgl) that go straight into the next kernel. Read back to the host: O, and
// P once when the engine keeps it for backward; in backward only dQ, dK and dV. The inputs
// (Q, K, V, dO, and P in backward) are uploaded by each kernel that reads them.
import type { GPU } from 'gpu.js';
import { makeKernel, makeStage, readBack, release, runKernel } from './device.ts';

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

// thread = one row (h, i): m = the max of its scores
function rowMax(this: This, s: number[], Tk: number): number {
  const o = this.thread.x * Tk;
  let m = -1e30;
  for (let j = 0; j < Tk; j++) m = Math.max(m, s[o + j]);
  return m;
}

// thread = one row (h, i): l = sum of exp(s - m) over its unmasked keys
function rowSum(this: This, s: number[], m: number[], Tk: number): number {
  const o = this.thread.x * Tk;
  let l = 0;
  for (let j = 0; j < Tk; j++) {
    if (s[o + j] > -1e29) l += Math.exp(s[o + j] - m[this.thread.x]);
  }
  return l;
}

// thread = (row, j) of P
function softmax(this: This, s: number[], m: number[], l: number[], Tk: number): number {
  const row = Math.floor((this.thread.x + 0.5) / Tk);
  const v = s[this.thread.x];
  if (v < -1e29) return 0;
  return Math.exp(v - m[row]) / l[row];
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
function probGrad(this: This, dout: number[], v: number[], Tq: number, Tk: number, D: number): number {
  const h = Math.floor((this.thread.x + 0.5) / (Tq * Tk));
  const rest = this.thread.x - h * Tq * Tk;
  const i = Math.floor((rest + 0.5) / Tk);
  const j = rest - i * Tk;
  let s = 0;
  for (let d = 0; d < D; d++) s += dout[(h * Tq + i) * D + d] * v[(h * Tk + j) * D + d];
  return s;
}

// thread = one row (h, i): r = sum_j P dP
function rowDot(this: This, p: number[], dp: number[], Tk: number): number {
  const o = this.thread.x * Tk;
  let r = 0;
  for (let j = 0; j < Tk; j++) r += p[o + j] * dp[o + j];
  return r;
}

// thread = (h, i, j): dS = P (dP - r) * scale
function scoreGrad(this: This, p: number[], dp: number[], r: number[], Tk: number, scale: number): number {
  const row = Math.floor((this.thread.x + 0.5) / Tk);
  return p[this.thread.x] * (dp[this.thread.x] - r[row]) * scale;
}

// dQ = acc + dS K: thread = (h, i, d) over Tq query rows, summing over the Tk keys j.
// transposed = 1 gives dK = acc + dS^T Q (and dV = acc + P^T dO): thread = (h, j, d) over Tk
// key rows, summing over the Tq queries i.
function headProduct(this: This, acc: number[], ds: number[], x: number[], Tq: number, Tk: number, D: number, transposed: number): number {
  const row = Math.floor((this.thread.x + 0.5) / D);
  const d = this.thread.x - row * D;
  let rows = Tq;
  let inner = Tk;
  if (transposed === 1) {
    rows = Tk;
    inner = Tq;
  }
  const h = Math.floor((row + 0.5) / rows);
  const i = row - h * rows;
  let s = 0;
  for (let j = 0; j < inner; j++) {
    let w = ds[(h * Tq + i) * Tk + j];
    if (transposed === 1) w = ds[(h * Tq + j) * Tk + i];
    s += w * x[(h * inner + j) * D + d];
  }
  return acc[this.thread.x] + s;
}

export function makeAttention(gpu: GPU) {
  const k = {
    scores: makeStage(gpu, scores), rowMax: makeStage(gpu, rowMax), rowSum: makeStage(gpu, rowSum), softmax: makeStage(gpu, softmax),
    weighted: makeKernel(gpu, weighted),
    probGrad: makeStage(gpu, probGrad), rowDot: makeStage(gpu, rowDot), scoreGrad: makeStage(gpu, scoreGrad), headProduct: makeKernel(gpu, headProduct),
    // dV runs headProduct on P from the host: its own kernel, because a GPU.js kernel must not see
    // one argument change between a texture (dS) and a host array (it corrupts memory in headlessgl)
    valueGrad: makeKernel(gpu, headProduct),
  };

  function attentionForward(q: Float32Array, kk: Float32Array, v: Float32Array, out: Float32Array, probs: Float32Array | null,
    BH: number, Tq: number, Tk: number, D: number, kvStride: number): void {
    const scale = 1 / Math.sqrt(D);
    const s = runKernel(k.scores, BH * Tq * Tk, q, kk, Tq, Tk, D, kvStride, scale);
    const m = runKernel(k.rowMax, BH * Tq, s, Tk);
    const l = runKernel(k.rowSum, BH * Tq, s, m, Tk);
    const p = runKernel(k.softmax, BH * Tq * Tk, s, m, l, Tk);
    out.set(readBack(runKernel(k.weighted, BH * Tq * D, p, v, Tq, Tk, D, kvStride)));
    if (probs !== null) probs.set(readBack(p));
    release(s, m, l, p);
  }

  function attentionBackward(dout: Float32Array, q: Float32Array, kk: Float32Array, v: Float32Array, probs: Float32Array,
    dq: Float32Array, dk: Float32Array, dv: Float32Array, BH: number, Tq: number, Tk: number, D: number): void {
    const scale = 1 / Math.sqrt(D);
    const dp = runKernel(k.probGrad, BH * Tq * Tk, dout, v, Tq, Tk, D);
    const r = runKernel(k.rowDot, BH * Tq, probs, dp, Tk);
    const ds = runKernel(k.scoreGrad, BH * Tq * Tk, probs, dp, r, Tk, scale);
    dq.set(readBack(runKernel(k.headProduct, BH * Tq * D, dq, ds, kk, Tq, Tk, D, 0)));
    dk.set(readBack(runKernel(k.headProduct, BH * Tk * D, dk, ds, q, Tq, Tk, D, 1)));
    dv.set(readBack(runKernel(k.valueGrad, BH * Tk * D, dv, probs, dout, Tq, Tk, D, 1))); // dV = P^T dO: the same product with P for dS
    release(dp, r, ds);
  }

  return { attentionForward, attentionBackward };
}
