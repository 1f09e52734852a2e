// Packing a masked batch: compute only the rows the loss can see.
//
// A fine-tuning batch is B padded rows of T tokens. Two kinds of work in it change nothing:
//   - positions after a row's last counted target (its padding): attention is causal, so no
//     counted position ever reads them;
//   - the prompt's start, which is the same tokens in every row (the system prompt): every row
//     computes the same activations for it.
// Packing keeps the shared start once, then each row's remaining positions up to its last
// counted target, one after another:
//
//   padded (B = 3)                          packed
//   [ sys sys sys u1 u1 a a a pad pad ]     [ sys sys sys | u1 u1 a a a | u2 a a | u3 u3 u3 a a a a ]
//   [ sys sys sys u2 a a pad pad pad pad ]    prefix P=3    row 0 (5)     row 1 (3)  row 2 (7)
//   [ sys sys sys u3 u3 u3 a a a a ]
//
// Each packed row keeps its position in its sequence (the prefix is 0..P-1, row b continues at P),
// and attention lets each row see the prefix and its own rows (engine/ops/packed_attention.ts).
// The shared prefix stops before any counted target, so the loss and every gradient are those of
// the padded batch; only the rows that cannot matter are gone.
import type { PackedLayout } from '../engine/ops/packed_attention.ts';

export interface PackedBatch {
  /** token ids of the packed rows */
  ids: Int32Array;
  /** each row's position in its sequence (for the position embedding) */
  positions: Int32Array;
  /** each row's target, -1 where the loss does not count */
  targets: Int32Array;
  layout: PackedLayout;
}

/**
 * Pack a (B, T) batch with targets (-1 = not counted). Rows with no counted target are left out.
 * Returns null when packing would compute every position anyway (no padding and no shared prefix,
 * as in pretraining) or when no target counts at all.
 */
export function packBatch(idx: Int32Array, targets: Int32Array, B: number, T: number): PackedBatch | null {
  // each row's length: up to and including its last counted target
  const rows: Array<{ b: number; length: number }> = [];
  for (let b = 0; b < B; b++) {
    let last = -1;
    for (let t = 0; t < T; t++) if (targets[b * T + t] !== -1) last = t;
    if (last >= 0) rows.push({ b, length: last + 1 });
  }
  if (rows.length === 0) return null;
  // the shared prefix: the same token in every row, and no counted target, at each position
  let P = 0;
  const first = rows[0].b * T;
  while (P < T && rows.every(({ b }) => idx[b * T + P] === idx[first + P] && targets[b * T + P] === -1)) P++;
  if (P === 0 && rows.length === B && rows.every((r) => r.length === T)) return null;

  const lengths = rows.map((r) => r.length - P);
  const R = P + lengths.reduce((a, n) => a + n, 0);
  const ids = new Int32Array(R);
  const positions = new Int32Array(R);
  const packedTargets = new Int32Array(R);
  for (let t = 0; t < P; t++) {
    ids[t] = idx[first + t];
    positions[t] = t;
    packedTargets[t] = -1;
  }
  let r = P;
  for (const { b, length } of rows) {
    for (let t = P; t < length; t++, r++) {
      ids[r] = idx[b * T + t];
      positions[r] = t;
      packedTargets[r] = targets[b * T + t];
    }
  }
  return { ids, positions, targets: packedTargets, layout: { prefix: P, lengths } };
}
