import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../index.ts';
import { matmul, linear } from './matmul.ts';
import { gradCheck } from '../gradcheck.ts';
import { param } from './testing.ts';
import { tensor } from '../tensor.ts';

test('matmul: gradient check, 2-d and batched with broadcast batch dims', () => {
  const cases: Array<[number[], number[]]> = [[[3, 4], [4, 5]], [[1, 1], [1, 1]], [[2, 3, 4], [2, 4, 5]], [[2, 1, 3, 4], [3, 4, 2]], [[2, 5, 3], [3, 1]]];
  for (const [sa, sb] of cases) {
    const a = param(sa);
    const b = param(sb);
    const r = gradCheck(() => matmul(a, b), [a, b]);
    assert.ok(r.maxRelError < 1e-3, `${JSON.stringify([sa, sb])}: ${r.maxRelError}`);
  }
});

test('matmul: values, output shape and shape errors', () => {
  const c = matmul(tensor([[1, 2], [3, 4]]), tensor([[5], [6]]));
  assert.equal(c.toArray(), [[17], [39]]);
  assert.equal(matmul(param([2, 1, 3, 4]), param([5, 4, 2])).shape, [2, 5, 3, 2]);
  assert.throws(() => matmul(param([2, 3]), param([4, 5])), /matmul: cannot multiply \[2,3\] by \[4,5\]/);
  assert.throws(() => matmul(param([2, 2, 3]), param([3, 3, 5])), /matmul: cannot multiply \[2,2,3\] by \[3,3,5\]/);
});

test('linear: gradient check with and without bias, and against matmul', () => {
  const x = param([2, 3, 5]);
  const w = param([4, 5]);
  const b = param([4]);
  assert.ok(gradCheck(() => linear(x, w, b), [x, w, b]).maxRelError < 1e-3);
  assert.ok(gradCheck(() => linear(x, w), [x, w]).maxRelError < 1e-3);
  const viaMatmul = matmul(tensor(x.data, [6, 5]), transpose2(w));
  const direct = linear(x, w);
  viaMatmul.data.forEach((v, i) => assert.ok(Math.abs(v - direct.data[i]) < 1e-6));
  assert.throws(() => linear(x, param([4, 6])), /linear: input \[2,3,5\] does not fit weight \[4,6\]/);
});

function transpose2(w: ReturnType<typeof param>) {
  const [r, c] = w.shape;
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = w.data[i * c + j];
  return tensor(out, [c, r]);
}

test.run();
