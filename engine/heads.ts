// A packed batch's rows (R, H*D), their columns cut into H heads of D, and the (H, T, D) blocks
// the attention kernels read: one block of T rows per head, the rows taken from row ranges in order.
// With them, one part of a packed batch's attention (engine/ops/packed_attention.ts) the plain way:
// gather its heads, call the kernels' attention, scatter the result back.
import { floats, floatsToOverwrite } from './step_buffers.ts';
import type { AttentionPart, Kernels } from './kernels.ts';

/** Rows of `ranges` from x (R, H*D) into (H, T, D): one block of rows per head. */
export function gatherHeads(x: Float32Array, ranges: Array<[number, number]>, T: number, H: number, D: number): Float32Array {
  const C = H * D;
  const out = floatsToOverwrite(H * T * D);
  let t = 0;
  for (const [start, end] of ranges) {
    for (let r = start; r < end; r++, t++) {
      // a loop, not out.set(x.subarray(...)): a subarray is an object to make and collect, and D is small
      for (let h = 0; h < H; h++) {
        const s = r * C + h * D;
        const o = (h * T + t) * D;
        for (let d = 0; d < D; d++) out[o + d] = x[s + d];
      }
    }
  }
  return out;
}

/** The inverse of gatherHeads, adding into dst (a row read twice gets both contributions). */
export function scatterAddHeads(src: Float32Array, dst: Float32Array, ranges: Array<[number, number]>, T: number, H: number, D: number): void {
  const C = H * D;
  let t = 0;
  for (const [start, end] of ranges) {
    for (let r = start; r < end; r++, t++) {
      for (let h = 0; h < H; h++) {
        const s = (h * T + t) * D;
        const o = r * C + h * D;
        for (let d = 0; d < D; d++) dst[o + d] += src[s + d];
      }
    }
  }
}

/** Adds the part's attention output into out (R, H*D), its probabilities into probs (when given) at part.probOffset. */
export function partForward(attend: Kernels['attentionForward'], q: Float32Array, k: Float32Array, v: Float32Array, out: Float32Array,
  probs: Float32Array | null, part: AttentionPart, H: number, D: number): void {
  const { Tq, Tk, queries, keyRanges, probOffset } = part;
  const o = floatsToOverwrite(H * Tq * D);
  const pr = probs === null ? null : probs.subarray(probOffset, probOffset + H * Tq * Tk);
  attend(gatherHeads(q, [queries], Tq, H, D), gatherHeads(k, keyRanges, Tk, H, D), gatherHeads(v, keyRanges, Tk, H, D), o, pr, H, Tq, Tk, D, Tk);
  scatterAddHeads(o, out, [queries], Tq, H, D);
}

/** Adds the part's gradients into dq, dk, dv (R, H*D). */
export function partBackward(attendBackward: Kernels['attentionBackward'], dout: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array,
  probs: Float32Array, dq: Float32Array, dk: Float32Array, dv: Float32Array, part: AttentionPart, H: number, D: number): void {
  const { Tq, Tk, queries, keyRanges, probOffset } = part;
  const [gq, gk, gv] = [floats(H * Tq * D), floats(H * Tk * D), floats(H * Tk * D)];
  attendBackward(gatherHeads(dout, [queries], Tq, H, D), gatherHeads(q, [queries], Tq, H, D), gatherHeads(k, keyRanges, Tk, H, D),
    gatherHeads(v, keyRanges, Tk, H, D), probs.subarray(probOffset, probOffset + H * Tq * Tk), gq, gk, gv, H, Tq, Tk, D);
  scatterAddHeads(gq, dq, [queries], Tq, H, D);
  scatterAddHeads(gk, dk, keyRanges, Tk, H, D);
  scatterAddHeads(gv, dv, keyRanges, Tk, H, D);
}
