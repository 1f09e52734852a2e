import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../index.ts';
import { causalAttention } from './attention.ts';
import { matmul } from './matmul.ts';
import { softmax } from './softmax.ts';
import { transpose } from './shape.ts';
import { mul, add } from './elementwise.ts';
import { gradCheck } from '../gradcheck.ts';
import { param } from './testing.ts';
import { tensor, noGrad } from '../tensor.ts';

/** The unfused reference: softmax(Q K^T / sqrt(D) + mask) V, built from the basic ops. */
function reference(q: ReturnType<typeof param>, k: ReturnType<typeof param>, v: ReturnType<typeof param>) {
  const [, , T, D] = q.shape;
  const mask = new Float32Array(T * T).map((_, i) => (i % T > Math.floor(i / T) ? -1e9 : 0));
  const scores = add(mul(matmul(q, transpose(k, 2, 3)), 1 / Math.sqrt(D)), tensor(mask, [T, T]));
  return matmul(softmax(scores), v);
}

test('causalAttention equals softmax(QK^T/sqrt(D) + mask) V', () => {
  const [q, k, v] = [param([2, 3, 7, 4]), param([2, 3, 7, 4]), param([2, 3, 7, 4])];
  const got = noGrad(() => causalAttention(q, k, v)).data;
  const want = noGrad(() => reference(q, k, v)).data;
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) < 1e-5));
  // the first position sees only itself: its output is v[0]
  assert.equal(Array.from(got.subarray(0, 4)), Array.from(v.data.subarray(0, 4)));
});

test('causalAttention: gradient check for q, k and v on odd sizes', () => {
  for (const shape of [[1, 1, 1, 3], [2, 3, 5, 4], [1, 2, 9, 5]]) {
    const [q, k, v] = [param(shape, -2, 2), param(shape, -2, 2), param(shape)];
    const r = gradCheck(() => causalAttention(q, k, v), [q, k, v]);
    assert.ok(r.maxRelError < 1e-3, `${shape}: ${r.perInput}`);
  }
});

test('causalAttention: shape errors', () => {
  assert.throws(() => causalAttention(param([1, 2, 3, 4]), param([1, 2, 4, 4]), param([1, 2, 3, 4])),
    /causalAttention: q, k, v must share one \(B, H, T, D\) shape, got \[1,2,3,4\], \[1,2,4,4\], \[1,2,3,4\]/);
});

test.run();
