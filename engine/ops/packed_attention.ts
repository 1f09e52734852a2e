// Causal attention over a packed batch: sequences of different lengths stored one after another
// as rows of one (R, C) matrix, with no padding, after a prefix that all of them share.
//
//   rows:   [ prefix (P rows) | sequence 0 (n0 rows) | sequence 1 (n1 rows) | ... ]
//
// Every sequence reads as "prefix + its own rows": its query i (absolute position P + i) sees
// the P prefix keys and its own keys up to i. The prefix rows attend among themselves only, so
// they are computed once for all sequences; in backward the gradients of the prefix keys and
// values are summed over the sequences that read them. That is the same result as running
// causalAttention on each sequence written out in full, at a fraction of the rows.
//
// The heads are the C columns cut into nHead groups of D (as in CausalSelfAttention). For each
// part (the prefix, then each sequence) the op gathers that part's rows into (H, T, D) blocks
// and calls the attention kernels with Tq queries against Tk = P + Tq keys.
import { Tensor } from '../tensor.ts';
import { getKernels } from '../kernels.ts';
import { sameShape, shapeStr } from '../shape.ts';
import { saveActivation, saveForBackward, storageCopy, toStorage } from '../precision.ts';
import { floats, floatsToOverwrite } from '../step_buffers.ts';

/** Which rows of a packed batch are the shared prefix and which belong to each sequence. */
export interface PackedLayout {
  /** rows 0..prefix-1, read by every sequence */
  prefix: number;
  /** the number of own rows of each sequence, stored in this order after the prefix */
  lengths: number[];
}

/** One attention call: the Tq rows of `queries` against the Tk key rows of `keyRanges`. */
interface Part {
  /** the one [start, end) range of this part's query rows */
  queries: Array<[number, number]>;
  Tq: number;
  /** [start, end) row ranges whose rows, in order, are the keys and values */
  keyRanges: Array<[number, number]>;
  Tk: number;
}

function partsOf(layout: PackedLayout): Part[] {
  const P = layout.prefix;
  const parts: Part[] = [];
  if (P > 0) parts.push({ queries: [[0, P]], Tq: P, keyRanges: [[0, P]], Tk: P });
  let start = P;
  for (const n of layout.lengths) {
    parts.push({ queries: [[start, start + n]], Tq: n, keyRanges: P > 0 ? [[0, P], [start, start + n]] : [[start, start + n]], Tk: P + n });
    start += n;
  }
  return parts;
}

/** Rows of `ranges` from x (R, H*D) into (H, T, D): one block of rows per head. */
function gatherHeads(x: Float32Array, ranges: Array<[number, number]>, T: number, H: number, D: number): Float32Array {
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
function scatterAddHeads(src: Float32Array, dst: Float32Array, ranges: Array<[number, number]>, T: number, H: number, D: number): void {
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

export function packedAttention(q: Tensor, k: Tensor, v: Tensor, nHead: number, layout: PackedLayout): Tensor {
  if (!sameShape(q.shape, k.shape) || !sameShape(q.shape, v.shape)) {
    throw new Error(`packedAttention: q, k, v must share one shape, got ${shapeStr(q.shape)}, ${shapeStr(k.shape)}, ${shapeStr(v.shape)}`);
  }
  const C = q.shape[q.ndim - 1];
  const R = q.size / C;
  if (!Number.isInteger(nHead) || nHead <= 0 || C % nHead !== 0) throw new Error(`packedAttention: ${C} columns do not split into ${nHead} heads`);
  const rows = layout.prefix + layout.lengths.reduce((a, b) => a + b, 0);
  if (!(layout.prefix >= 0) || layout.lengths.some((n) => !(n >= 1)) || rows !== R) {
    throw new Error(`packedAttention: layout (prefix ${layout.prefix}, lengths [${layout.lengths}]) does not describe the ${R} rows of ${shapeStr(q.shape)}`);
  }
  const [H, D] = [nHead, C / nHead];
  const kern = getKernels();
  const parts = partsOf(layout);
  // in a 16-bit dtype q, k, v are read rounded and the output rounded (engine/precision.ts)
  const [qd, kd, vd] = [storageCopy(q.data), storageCopy(k.data), storageCopy(v.data)];
  const data = floats(q.size);
  const record = Tensor.willRecord([q, k, v]);
  // every part's probabilities (H, Tq, Tk), one after another, kept for backward
  const probOffsets: number[] = [];
  let probSize = 0;
  for (const p of parts) {
    probOffsets.push(probSize);
    probSize += H * p.Tq * p.Tk;
  }
  const probs = record ? floatsToOverwrite(probSize) : null;
  parts.forEach((p, i) => {
    const out = floatsToOverwrite(H * p.Tq * D);
    const pr = probs === null ? null : probs.subarray(probOffsets[i], probOffsets[i] + H * p.Tq * p.Tk);
    kern.attentionForward(gatherHeads(qd, p.queries, p.Tq, H, D), gatherHeads(kd, p.keyRanges, p.Tk, H, D), gatherHeads(vd, p.keyRanges, p.Tk, H, D),
      out, pr, H, p.Tq, p.Tk, D, p.Tk);
    scatterAddHeads(out, data, p.queries, p.Tq, H, D);
  });
  toStorage(data);
  const saved = record ? [saveForBackward(q, qd), saveForBackward(k, kd), saveForBackward(v, vd), saveActivation(probs!)] : [];
  return Tensor.fromOp('packedAttention', data, q.shape.slice(), [q, k, v], (out) => {
    const [qs, ks, vs, ps] = saved.map((s) => s.get());
    const dout = toStorage(out.grad!);
    const [dq, dk, dv] = [q, k, v].map((t) => (t.requiresGrad ? t.gradBuffer() : floats(t.size)));
    parts.forEach((p, i) => {
      const [gq, gk, gv] = [floats(H * p.Tq * D), floats(H * p.Tk * D), floats(H * p.Tk * D)];
      kern.attentionBackward(gatherHeads(dout, p.queries, p.Tq, H, D), gatherHeads(qs, p.queries, p.Tq, H, D),
        gatherHeads(ks, p.keyRanges, p.Tk, H, D), gatherHeads(vs, p.keyRanges, p.Tk, H, D),
        ps.subarray(probOffsets[i], probOffsets[i] + H * p.Tq * p.Tk), gq, gk, gv, H, p.Tq, p.Tk, D);
      scatterAddHeads(gq, dq, p.queries, p.Tq, H, D);
      scatterAddHeads(gk, dk, p.keyRanges, p.Tk, H, D);
      scatterAddHeads(gv, dv, p.keyRanges, p.Tk, H, D);
    });
    for (const s of saved) s.release();
  });
}
