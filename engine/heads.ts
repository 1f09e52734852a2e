// A packed batch's rows (R, H*D), their columns cut into H heads of D, and the (H, T, D) blocks
// the attention kernels read: one block of T rows per head, the rows taken from row ranges in order.
import { floatsToOverwrite } from './step_buffers.ts';

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
