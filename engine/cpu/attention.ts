// Causal scaled-dot-product attention, one head at a time, fused: no mask tensor exists.
//
//   S = Q K^T / sqrt(D),   P = softmax(S) over keys j <= i (+ offset),   O = P V
//
// Backward (dO given):
//   dV = P^T dO,   dP = dO V^T,   dS = P * (dP - rowsum(P * dP)) / sqrt(D),   dQ = dS K,   dK = dS^T Q
//
// The four products per head go through the blocked SIMD matmul; the softmax and its backward are
// the loops here, which run in SIMD where there is SIMD (attention_softmax_simd.ts, the same maths
// for a head's rows at once). Masked scores are never used (their probabilities are exactly 0).
import { matmulSimd as matmul } from './matmul_simd.ts';
import { causalSoftmaxRows, causalSoftmaxBackwardRows } from './attention_softmax_simd.ts';

export function attentionForward(q: Float32Array, k: Float32Array, v: Float32Array, out: Float32Array, probs: Float32Array | null,
  BH: number, Tq: number, Tk: number, D: number, kvStride: number): void {
  const scale = 1 / Math.sqrt(D);
  const offset = Tk - Tq; // query i sits at absolute position i + offset
  const scratch = probs === null ? new Float32Array(Tq * Tk) : null;
  for (let h = 0; h < BH; h++) {
    const qh = q.subarray(h * Tq * D, (h + 1) * Tq * D);
    const kh = k.subarray(h * kvStride * D, (h * kvStride + Tk) * D);
    const vh = v.subarray(h * kvStride * D, (h * kvStride + Tk) * D);
    const p = probs === null ? scratch! : probs.subarray(h * Tq * Tk, (h + 1) * Tq * Tk);
    matmul(qh, kh, p, Tq, Tk, D, { transB: true }); // S = Q K^T
    if (!causalSoftmaxRows(p, Tq, Tk, offset + 1, scale)) for (let i = 0; i < Tq; i++) softmaxCausalRow(p, i * Tk, i + offset, Tk, scale);
    matmul(p, vh, out.subarray(h * Tq * D, (h + 1) * Tq * D), Tq, D, Tk); // O = P V
  }
}

/** p[row..row+Tk) <- softmax(scale * p) over columns 0..last, 0 beyond (numerically stable). */
export function softmaxCausalRow(p: Float32Array, row: number, last: number, Tk: number, scale: number): void {
  let max = -Infinity;
  for (let j = 0; j <= last; j++) if (p[row + j] > max) max = p[row + j];
  let sum = 0;
  for (let j = 0; j <= last; j++) {
    const e = Math.exp((p[row + j] - max) * scale);
    p[row + j] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let j = 0; j <= last; j++) p[row + j] *= inv;
  p.fill(0, row + last + 1, row + Tk);
}

/**
 * The softmax's backward for one row: g[gAt..gAt+Tk) holds dP and becomes dS,
 * dS_j = P_j (dP_j - sum_j P_j dP_j) * scale for j <= last, 0 beyond (where P is 0).
 */
export function softmaxBackwardRow(p: Float32Array, pAt: number, g: Float32Array, gAt: number, last: number, Tk: number, scale: number): void {
  let dot = 0;
  for (let j = 0; j <= last; j++) dot += p[pAt + j] * g[gAt + j];
  for (let j = 0; j <= last; j++) g[gAt + j] = p[pAt + j] * (g[gAt + j] - dot) * scale;
  g.fill(0, gAt + last + 1, gAt + Tk);
}

export function attentionBackward(dout: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, probs: Float32Array,
  dq: Float32Array, dk: Float32Array, dv: Float32Array, BH: number, Tq: number, Tk: number, D: number): void {
  const scale = 1 / Math.sqrt(D);
  const offset = Tk - Tq; // query i sits at absolute position i + offset
  const ds = new Float32Array(Tq * Tk);
  for (let h = 0; h < BH; h++) {
    const queries = (x: Float32Array) => x.subarray(h * Tq * D, (h + 1) * Tq * D);
    const keys = (x: Float32Array) => x.subarray(h * Tk * D, (h + 1) * Tk * D);
    const p = probs.subarray(h * Tq * Tk, (h + 1) * Tq * Tk);
    matmul(p, queries(dout), keys(dv), Tk, D, Tq, { transA: true, accumulate: true }); // dV += P^T dO
    matmul(queries(dout), keys(v), ds, Tq, Tk, D, { transB: true }); // dP = dO V^T (into ds)
    if (!causalSoftmaxBackwardRows(p, ds, Tq, Tk, offset + 1, scale)) for (let i = 0; i < Tq; i++) softmaxBackwardRow(p, i * Tk, ds, i * Tk, i + offset, Tk, scale);
    matmul(ds, keys(k), queries(dq), Tq, D, Tk, { accumulate: true }); // dQ += dS K
    matmul(ds, queries(q), keys(dk), Tk, D, Tq, { transA: true, accumulate: true }); // dK += dS^T Q
  }
}
