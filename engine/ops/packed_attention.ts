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
// and calls the attention kernels with Tq queries against Tk = P + Tq keys. That is the plain
// path, the one to read; a backend may do all the parts in one call instead, reading the rows in
// place (the CPU's engine/cpu/packed_attention_simd.ts, with the same bits).
import { Tensor } from '../tensor.ts';
import { getKernels } from '../kernels.ts';
import type { AttentionPart } from '../kernels.ts';
import { sameShape, shapeStr } from '../shape.ts';
import { saveActivation, saveForBackward, storageCopy, toStorage } from '../precision.ts';
import { floats, floatsToOverwrite } from '../step_buffers.ts';
import { partForward, partBackward } from '../heads.ts';

/** Which rows of a packed batch are the shared prefix and which belong to each sequence. */
export interface PackedLayout {
  /** rows 0..prefix-1, read by every sequence */
  prefix: number;
  /** the number of own rows of each sequence, stored in this order after the prefix */
  lengths: number[];
}

/** The attention calls of a layout: the prefix against itself, then each sequence against the
 * prefix and its own rows; their probabilities (H, Tq, Tk) one after another. */
function partsOf(layout: PackedLayout, H: number): AttentionPart[] {
  const P = layout.prefix;
  const parts: AttentionPart[] = [];
  let probOffset = 0;
  const add = (queries: [number, number], keyRanges: Array<[number, number]>) => {
    const Tq = queries[1] - queries[0];
    const Tk = keyRanges.reduce((n, [a, b]) => n + b - a, 0);
    parts.push({ queries, keyRanges, Tq, Tk, probOffset });
    probOffset += H * Tq * Tk;
  };
  if (P > 0) add([0, P], [[0, P]]);
  let start = P;
  for (const n of layout.lengths) {
    add([start, start + n], P > 0 ? [[0, P], [start, start + n]] : [[start, start + n]]);
    start += n;
  }
  return parts;
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
  const parts = partsOf(layout, H);
  // in a 16-bit dtype q, k, v are read rounded and the output rounded (engine/precision.ts)
  const [qd, kd, vd] = [storageCopy(q.data), storageCopy(k.data), storageCopy(v.data)];
  const data = floats(q.size);
  const record = Tensor.willRecord([q, k, v]);
  // every part's probabilities, kept for backward
  const lastPart = parts[parts.length - 1];
  const probs = record ? floatsToOverwrite(lastPart.probOffset + H * lastPart.Tq * lastPart.Tk) : null;
  if (kern.packedAttentionForward) kern.packedAttentionForward(qd, kd, vd, data, probs, parts, R, H, D);
  else for (const p of parts) partForward(kern.attentionForward, qd, kd, vd, data, probs, p, H, D);
  toStorage(data);
  const saved = record ? [saveForBackward(q, qd), saveForBackward(k, kd), saveForBackward(v, vd), saveActivation(probs!)] : [];
  return Tensor.fromOp('packedAttention', data, q.shape.slice(), [q, k, v], (out) => {
    const [qs, ks, vs, ps] = saved.map((s) => s.get());
    const dout = toStorage(out.grad!);
    const [dq, dk, dv] = [q, k, v].map((t) => (t.requiresGrad ? t.gradBuffer() : floats(t.size)));
    if (kern.packedAttentionBackward) kern.packedAttentionBackward(dout, qs, ks, vs, ps, dq, dk, dv, parts, R, H, D);
    else for (const p of parts) partBackward(kern.attentionBackward, dout, qs, ks, vs, ps, dq, dk, dv, p, H, D);
    for (const s of saved) s.release();
  });
}
