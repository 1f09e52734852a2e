// Attention over a packed batch (engine/ops/packed_attention.ts), every part of a layer in one
// call, in the memory of the SIMD matmul's module (matmul_simd.ts): the maths of attention.ts,
// with no copies between the products.
//
// The op's plain path gathers each part's rows of q, k and v into (H, T, D) blocks, and every one
// of attention.ts's products copies its operands into the module again and its result out. Here
// q, k, v (and dout in backward) go into the module once, k and v also transposed, (C, R), and
// every product reads them in place through gemmBlock's strides. What the call adds into (out; dq,
// dk, dv) goes in once too, each head's block of rows is added there in SIMD (addRows), and it comes
// back out at the end. For head h of a part:
//
//   S  = Q K^T     A: q's query rows (row stride C)    B: k^T's key columns (row stride ~R)
//   O  = P V       A: P (row stride Tk, padded to 4)    B: v's key rows
//   dV = P^T dO    A: P read down its columns           B: dout's query rows
//   dP = dO V^T    A: dout's query rows                 B: v^T's key columns
//   dQ = dS K      A: dS                                B: k's key rows
//   dK = dS^T Q    A: dS read down its columns          B: q's query rows
//
// A part's keys are two row ranges (the shared prefix, then the sequence's own rows), so each
// product over keys is cut in two at the prefix: S and dP are two column blocks, dV and dK two
// row blocks, and O and dQ two calls that add along k. The kernel's accumulators are floats that
// go through memory between calls as they do between attention.ts's K blocks, and every sum runs
// over k = 0, 1, 2, ... as there: the same bits as the plain path. A part of fewer than 8 queries
// (a short shared prefix) takes the plain path itself, since matmul_simd.ts hands products of so
// few rows to matmul.ts, which adds in doubles; those products use the module's memory, so the
// operands are copied in again after them.
import type { AttentionPart } from '../kernels.ts';
import { simdModule, reserve, SIMD_MIN_ROWS } from './matmul_simd.ts';
import type { SimdModule } from './matmul_simd.ts';
import { instantiateOnMemory, op, I32 } from './wasm.ts';
import { vectorLoop, rowLoop, load as loadVector, at as address } from './elementwise_simd.ts';
import { attentionForward, attentionBackward } from './attention.ts';
import { causalSoftmaxInModule, causalSoftmaxBackwardInModule, rowsIn, rowsOut } from './attention_softmax_simd.ts';
import { partForward, partBackward } from '../heads.ts';

const pad = (n: number, to: number) => Math.ceil(n / to) * to;

/** Where everything lives in the module's memory for one call, in floats. */
interface Layout {
  q: number; k: number; v: number; dout: number;
  /** k^T and v^T, (C, Rp): Rp = R + 8, so that a padded column block never reads past a row */
  kT: number; vT: number; Rp: number;
  /** one head's probabilities (Tq, Tk), and its dS, rows pad(Tk, 4) floats apart (attention_softmax_simd.ts) */
  p: number; ds: number;
  /** three scratch outputs of gemmBlock (the first product into one writes it, fresh; later ones add) */
  c: [number, number, number];
  /** what the call adds into, (R, C) each: out; or dq, dk, dv. Kept here between parts, copied out at the end */
  sums: number[];
}

function layoutFor(m: SimdModule, parts: AttentionPart[], R: number, C: number, D: number, sumCount: number): Layout {
  const rows = R * C + 4 * C + 8; // a padded tile reads up to 3 rows past the last, 8 floats past a row
  const Rp = R + 8;
  const maxTq = pad(Math.max(...parts.map((p) => p.Tq)), 8);
  const maxTk = pad(Math.max(...parts.map((p) => p.Tk)), 8);
  const square = (maxTq + 8) * (maxTk + 8);
  const scratch = Math.max(square, (maxTk + 8) * pad(D, 8));
  let end = 0;
  const next = (n: number) => (end += n) - n; // the next n floats' first index
  const l: Layout = {
    q: next(rows), k: next(rows), v: next(rows), dout: next(rows), kT: next(C * Rp), vT: next(C * Rp), Rp,
    p: next(square), ds: next(square), c: [next(scratch), next(scratch), next(scratch)],
    sums: Array.from({ length: sumCount }, () => next(pad(R * C, 4))),
  };
  reserve(m, end);
  return l;
}

/** The operands into the module: some rows as they are, one matrix transposed (k for S, v for dP), and what the call adds into. */
function load(m: SimdModule, parts: AttentionPart[], R: number, C: number, D: number,
  rows: Array<['q' | 'k' | 'v' | 'dout', Float32Array]>, [at, x]: ['kT' | 'vT', Float32Array], sums: Float32Array[]): Layout {
  const l = layoutFor(m, parts, R, C, D, sums.length);
  for (const [name, rowsOf] of rows) m.heap.set(rowsOf.subarray(0, R * C), l[name]);
  transposeInto(m.heap, l[at], l.Rp, x, R, C);
  sums.forEach((s, i) => m.heap.set(s.subarray(0, R * C), l.sums[i]));
  return l;
}

/** The sums back out of the module (at the end, and before a plain part, whose products overwrite its memory). */
function unload(m: SimdModule, l: Layout, R: number, C: number, sums: Float32Array[]): void {
  sums.forEach((s, i) => s.set(m.heap.subarray(l.sums[i], l.sums[i] + R * C)));
}

/** heap[at + c*Rp + r] = x[r*C + c]: the (R, C) rows as (C, R) columns. */
function transposeInto(heap: Float32Array, at: number, Rp: number, x: Float32Array, R: number, C: number): void {
  for (let r = 0; r < R; r++) {
    const row = r * C;
    for (let c = 0; c < C; c++) heap[at + c * Rp + r] = x[row + c];
  }
}

/**
 * addRows(dst, dstRowBytes, src, srcRowBytes, rows, rowBytes): each of `rows` rows of rowBytes (a
 * multiple of 16) at src added into the row at dst, four floats at a time; rows >= 1.
 */
function addRowsBody(): number[][] {
  const [dst, dstRowBytes, src, srcRowBytes, rows, rowBytes, r, i] = [0, 1, 2, 3, 4, 5, 6, 7];
  return rowLoop(r, rows, [
    ...vectorLoop(i, rowBytes, [...address(dst, i), ...loadVector(dst, i), ...loadVector(src, i), op.f32x4Add(), op.v128Store(0)]),
    op.localGet(dst), op.localGet(dstRowBytes), op.i32Add(), op.localSet(dst),
    op.localGet(src), op.localGet(srcRowBytes), op.i32Add(), op.localSet(src),
  ]);
}

type AddRows = (dst: number, dstRowBytes: number, src: number, srcRowBytes: number, rows: number, rowBytes: number) => void;

/** addRows as a module on the matmul module's memory (it imports it), or null without SIMD. */
function instantiateAddRows(m: SimdModule | null): AddRows | null {
  if (m === null) return null;
  const exports = instantiateOnMemory([{ exportName: 'addRows', params: new Array(6).fill(I32), locals: [[2, I32]], body: addRowsBody().flat() }], m.memory);
  return exports === null ? null : (exports.addRows as AddRows);
}

const addRowsSimd = instantiateAddRows(simdModule);

/**
 * heap[dst + i*C + d] += heap[at + i*stride + d] for i < rows, d < D: a block's rows added into one of
 * the sums, in SIMD where D is a multiple of 4. A float32 add either way: the same bits.
 */
function addRows(m: SimdModule, at: number, stride: number, dst: number, rows: number, C: number, D: number): void {
  if (rows === 0) return;
  if (addRowsSimd !== null && D % 4 === 0) return addRowsSimd(dst * 4, C * 4, at * 4, stride * 4, rows, D * 4);
  const heap = m.heap;
  for (let i = 0; i < rows; i++) {
    const s = at + i * stride;
    const o = dst + i * C;
    for (let d = 0; d < D; d++) heap[o + d] += heap[s + d];
  }
}

/** gemmBlock's C = A @ B (fresh: C is written, never read): mc x nc padded, A and B given by byte address and strides. */
function product(m: SimdModule, mc: number, nc: number, kc: number, a: number, rsA: number, csA: number, b: number, rsB: number, csB: number, c: number): void {
  m.gemmBlock(pad(mc, 4), pad(nc, 8), kc, a * 4, rsA * 4, csA * 4, b * 4, rsB * 4, csB * 4, c * 4, 1);
}

/** Each key range of a part with its first column in the part's Tk keys. */
function keyBlocks(part: AttentionPart): Array<{ start: number; n: number; col: number }> {
  let col = 0;
  return part.keyRanges.map(([start, end]) => {
    const block = { start, n: end - start, col };
    col += end - start;
    return block;
  });
}

export function packedAttentionForward(q: Float32Array, k: Float32Array, v: Float32Array, out: Float32Array, probs: Float32Array | null,
  parts: AttentionPart[], R: number, H: number, D: number): void {
  const m = simdModule!;
  const C = H * D;
  const scale = 1 / Math.sqrt(D);
  const Dp = pad(D, 8);
  let l: Layout | null = null; // where the operands are, once they are in the module (again after a plain part)
  for (const part of parts) {
    const { Tq, Tk } = part;
    const q0 = part.queries[0];
    if (Tq < SIMD_MIN_ROWS) {
      if (l !== null) unload(m, l, R, C, [out]);
      partForward(attentionForward, q, k, v, out, probs, part, H, D);
      l = null;
      continue;
    }
    const L = (l ??= load(m, parts, R, C, D, [['q', q], ['v', v]], ['kT', k], [out]));
    const heap = m.heap;
    const blocks = keyBlocks(part);
    const Tkp = pad(Tk, 4);
    for (let h = 0; h < H; h++) {
      // S = Q K^T, one column block per key range, into c[0] and c[1]
      blocks.forEach((b, i) => product(m, Tq, b.n, D, L.q + q0 * C + h * D, C, 1, L.kT + h * D * L.Rp + b.start, L.Rp, 1, L.c[i]));
      // P = softmax(scale * S), causal, in place at p; kept for backward when probs is given
      gatherRows(heap, L.c, blocks, L.p, Tq, Tkp);
      causalSoftmaxInModule(L.p, Tq, Tkp, Tk - Tq + 1, scale);
      if (probs !== null) rowsOut(heap, L.p, probs.subarray(part.probOffset + h * Tq * Tk, part.probOffset + (h + 1) * Tq * Tk), Tq, Tk, Tkp);
      // O = P V, block by block along the keys into c[2]: the first writes it (fresh), the rest add
      const o = L.c[2];
      blocks.forEach((b, i) => m.gemmBlock(pad(Tq, 4), Dp, b.n, (L.p + b.col) * 4, Tkp * 4, 4, (L.v + b.start * C + h * D) * 4, C * 4, 4, o * 4, i === 0 ? 1 : 0));
      addRows(m, o, Dp, L.sums[0] + q0 * C + h * D, Tq, C, D);
    }
  }
  if (l !== null) unload(m, l, R, C, [out]);
}

/** The Tq rows of S (or dP) from the key blocks' outputs c[0], c[1] side by side at `at`, `stride` floats apart. */
function gatherRows(heap: Float32Array, c: Layout['c'], blocks: ReturnType<typeof keyBlocks>, at: number, Tq: number, stride: number): void {
  for (let i = 0; i < Tq; i++) {
    for (let bi = 0; bi < blocks.length; bi++) {
      const { n, col } = blocks[bi];
      const s = c[bi] + i * pad(n, 8);
      heap.copyWithin(at + i * stride + col, s, s + n);
    }
  }
}

export function packedAttentionBackward(dout: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, probs: Float32Array,
  dq: Float32Array, dk: Float32Array, dv: Float32Array, parts: AttentionPart[], R: number, H: number, D: number): void {
  const m = simdModule!;
  const C = H * D;
  const scale = 1 / Math.sqrt(D);
  const Dp = pad(D, 8);
  let l: Layout | null = null;
  for (const part of parts) {
    const { Tq, Tk } = part;
    const q0 = part.queries[0];
    const offset = Tk - Tq;
    if (Tq < SIMD_MIN_ROWS) {
      if (l !== null) unload(m, l, R, C, [dq, dk, dv]);
      partBackward(attentionBackward, dout, q, k, v, probs, dq, dk, dv, part, H, D);
      l = null;
      continue;
    }
    const L = (l ??= load(m, parts, R, C, D, [['q', q], ['k', k], ['dout', dout]], ['vT', v], [dq, dk, dv]));
    const heap = m.heap;
    const blocks = keyBlocks(part);
    const Tkp = pad(Tk, 4);
    for (let h = 0; h < H; h++) {
      rowsIn(heap, L.p, probs.subarray(part.probOffset + h * Tq * Tk, part.probOffset + (h + 1) * Tq * Tk), Tq, Tk, Tkp);
      const dO = L.dout + q0 * C + h * D;
      // dV = P^T dO, a row block per key range
      for (const b of blocks) {
        product(m, b.n, D, Tq, L.p + b.col, 1, Tkp, dO, C, 1, L.c[2]);
        addRows(m, L.c[2], Dp, L.sums[2] + b.start * C + h * D, b.n, C, D);
      }
      // dP = dO V^T, a column block per key range, into c[0] and c[1]
      blocks.forEach((b, i) => product(m, Tq, b.n, D, dO, C, 1, L.vT + h * D * L.Rp + b.start, L.Rp, 1, L.c[i]));
      // dS = the softmax's backward of dP, in place at ds
      gatherRows(heap, L.c, blocks, L.ds, Tq, Tkp);
      causalSoftmaxBackwardInModule(L.p, L.ds, Tq, Tkp, offset + 1, scale);
      // dQ = dS K, block by block along the keys: the first writes it (fresh), the rest add
      const gq = L.c[2];
      blocks.forEach((b, i) => m.gemmBlock(pad(Tq, 4), Dp, b.n, (L.ds + b.col) * 4, Tkp * 4, 4, (L.k + b.start * C + h * D) * 4, C * 4, 4, gq * 4, i === 0 ? 1 : 0));
      addRows(m, gq, Dp, L.sums[0] + q0 * C + h * D, Tq, C, D);
      // dK = dS^T Q, a row block per key range
      for (const b of blocks) {
        product(m, b.n, D, Tq, L.ds + b.col, 1, Tkp, L.q + q0 * C + h * D, C, 1, L.c[2]);
        addRows(m, L.c[2], Dp, L.sums[1] + b.start * C + h * D, b.n, C, D);
      }
    }
  }
  if (l !== null) unload(m, l, R, C, [dq, dk, dv]);
}
