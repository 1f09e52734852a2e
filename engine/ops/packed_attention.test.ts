import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../index.ts';
import { packedAttention } from './packed_attention.ts';
import type { PackedLayout } from './packed_attention.ts';
import { causalAttention } from './attention.ts';
import { gradCheck } from '../gradcheck.ts';
import { param, relError } from './testing.ts';
import { Tensor } from '../tensor.ts';

const [H, D] = [2, 3];
const C = H * D;

/** Sequence b written out in full, prefix rows then its own rows, as (1, H, T, D) for causalAttention. */
function unpacked(x: Float32Array, layout: PackedLayout, b: number): Tensor {
  const start = layout.prefix + layout.lengths.slice(0, b).reduce((a, n) => a + n, 0);
  const rows = [...Array(layout.prefix).keys(), ...Array.from({ length: layout.lengths[b] }, (_, i) => start + i)];
  const T = rows.length;
  const out = new Float32Array(H * T * D);
  rows.forEach((r, t) => {
    for (let h = 0; h < H; h++) for (let d = 0; d < D; d++) out[(h * T + t) * D + d] = x[r * C + h * D + d];
  });
  return new Tensor(out, [1, H, T, D], true);
}

test('packedAttention equals causalAttention on every sequence written out in full, and so do the gradients', () => {
  for (const layout of [{ prefix: 4, lengths: [3, 1, 5] }, { prefix: 0, lengths: [2, 6] }, { prefix: 7, lengths: [1] }]) {
    const R = layout.prefix + layout.lengths.reduce((a, n) => a + n, 0);
    const [q, k, v] = [param([R, C], -2, 2), param([R, C], -2, 2), param([R, C])];
    const out = packedAttention(q, k, v, H, layout);
    const dout = param([R, C]).data;
    out.backward(dout);
    // reference: each sequence in full; the gradient of the output rows it owns, and of the prefix
    // rows once (from sequence 0), since the packed op computes the prefix once
    const want = { q: new Float32Array(R * C), k: new Float32Array(R * C), v: new Float32Array(R * C) };
    const got = new Float32Array(R * C);
    let start = layout.prefix;
    layout.lengths.forEach((n, b) => {
      const [qb, kb, vb] = [q, k, v].map((t) => unpacked(t.data, layout, b));
      const ob = causalAttention(qb, kb, vb);
      const T = layout.prefix + n;
      const rows = [...Array(layout.prefix).keys(), ...Array.from({ length: n }, (_, i) => start + i)];
      const seed = new Float32Array(H * T * D);
      rows.forEach((r, t) => {
        if (t < layout.prefix && b > 0) return;
        for (let h = 0; h < H; h++) {
          for (let d = 0; d < D; d++) {
            seed[(h * T + t) * D + d] = dout[r * C + h * D + d];
            got[r * C + h * D + d] = ob.data[(h * T + t) * D + d];
          }
        }
      });
      ob.backward(seed);
      for (const [name, t] of [['q', qb], ['k', kb], ['v', vb]] as const) {
        rows.forEach((r, i) => {
          for (let h = 0; h < H; h++) for (let d = 0; d < D; d++) want[name][r * C + h * D + d] += t.grad![(h * T + i) * D + d];
        });
      }
      start += n;
    });
    const at = `prefix ${layout.prefix}, lengths ${layout.lengths}`;
    assert.ok(relError(out.data, got) < 1e-6, `output, ${at}`);
    assert.ok(relError(q.grad!, want.q) < 1e-5, `dq, ${at}`);
    assert.ok(relError(k.grad!, want.k) < 1e-5, `dk, ${at}`);
    assert.ok(relError(v.grad!, want.v) < 1e-5, `dv, ${at}`);
  }
});

test('packedAttention: gradient check for q, k and v', () => {
  const layout = { prefix: 3, lengths: [2, 4, 1] };
  const [q, k, v] = [param([10, C], -2, 2), param([10, C], -2, 2), param([10, C])];
  const r = gradCheck(() => packedAttention(q, k, v, H, layout), [q, k, v]);
  assert.ok(r.maxRelError < 1e-3, `${r.perInput}`);
});

test('packedAttention: a layout that does not fit the rows, and bad heads, are errors', () => {
  const [q, k, v] = [param([6, C]), param([6, C]), param([6, C])];
  assert.throws(() => packedAttention(q, k, v, H, { prefix: 2, lengths: [3] }), /layout \(prefix 2, lengths \[3\]\) does not describe the 6 rows of \[6,6\]/);
  assert.throws(() => packedAttention(q, k, v, H, { prefix: 2, lengths: [4, 0] }), /does not describe/);
  assert.throws(() => packedAttention(q, k, v, 4, { prefix: 2, lengths: [4] }), /6 columns do not split into 4 heads/);
});

test.run();
