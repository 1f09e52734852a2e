import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../index.ts';
import { layerNorm } from './layernorm.ts';
import { embedding } from './embedding.ts';
import { dropout } from './dropout.ts';
import { mul } from './elementwise.ts';
import { gradCheck } from '../gradcheck.ts';
import { param, randomInts } from './testing.ts';
import { tensor, ones } from '../tensor.ts';
import { manualSeed } from '../random.ts';

test('layerNorm: gradient check for x, weight and bias; with and without bias', () => {
  const x = param([2, 3, 9], -2, 2);
  const w = param([9], 0.5, 1.5);
  const b = param([9]);
  assert.ok(gradCheck(() => layerNorm(x, w, b), [x, w, b]).maxRelError < 1e-3);
  assert.ok(gradCheck(() => layerNorm(x, w, null), [x, w]).maxRelError < 1e-3);
  assert.throws(() => layerNorm(x, param([8]), null), /layerNorm: input \[2,3,9\] does not fit weight \[8\]/);
});

test('layerNorm: a constant row gives the bias, finite everywhere', () => {
  const x = tensor([[5, 5, 5, 5]], undefined, { requiresGrad: true });
  const b = tensor([0.1, 0.2, 0.3, 0.4]);
  const y = layerNorm(x, ones([4]), b);
  y.data.forEach((v, i) => assert.ok(Math.abs(v - b.data[i]) < 1e-6));
  y.backward(new Float32Array([1, -2, 3, 0.5]));
  assert.ok(x.grad!.every(Number.isFinite));
});

test('layerNorm: normalised rows have mean 0 and variance 1', () => {
  const y = layerNorm(param([4, 16], -3, 5), ones([16]), null).data;
  for (let r = 0; r < 4; r++) {
    const row = Array.from(y.subarray(r * 16, r * 16 + 16));
    const m = row.reduce((a, v) => a + v, 0) / 16;
    const v = row.reduce((a, x) => a + (x - m) ** 2, 0) / 16;
    assert.ok(Math.abs(m) < 1e-5 && Math.abs(v - 1) < 1e-3);
  }
});

test('embedding: lookup, scatter-add backward for repeated ids, gradient check, bad id', () => {
  const w = param([7, 3]);
  const ids = Int32Array.from([2, 5, 2, 0, 6, 2]);
  const y = embedding(w, ids, [2, 3]);
  assert.equal(y.shape, [2, 3, 3]);
  assert.equal(Array.from(y.data.subarray(3, 6)), Array.from(w.data.subarray(15, 18)));
  assert.ok(gradCheck(() => embedding(w, ids, [2, 3]), [w]).maxRelError < 1e-3);
  w.zeroGrad();
  embedding(w, ids).backward(new Float32Array(18).fill(1));
  assert.equal(Array.from(w.grad!.subarray(6, 9)), [3, 3, 3]); // id 2 seen three times
  assert.equal(Array.from(w.grad!.subarray(3, 6)), [0, 0, 0]); // id 1 never seen
  assert.throws(() => embedding(w, [7]), /embedding: id 7 at position 0 is outside the table of 7 rows/);
});

test('dropout: seeded, scales kept values, identity in eval, gradient check', () => {
  const x = param([20, 50]);
  manualSeed(1);
  const a = dropout(x, 0.3, true);
  manualSeed(1);
  const b = dropout(x, 0.3, true);
  assert.equal(Array.from(a.data), Array.from(b.data));
  const zeros = a.data.filter((v) => v === 0).length / a.size;
  assert.ok(zeros > 0.25 && zeros < 0.35, `dropped ${zeros}`);
  a.data.forEach((v, i) => assert.ok(v === 0 || Math.abs(v - x.data[i] / 0.7) < 1e-6));
  assert.is(dropout(x, 0.3, false), x);
  const w = param([20, 50]);
  assert.ok(gradCheck(() => {
    manualSeed(7);
    return mul(dropout(x, 0.5, true), w);
  }, [x, w]).maxRelError < 1e-3);
  assert.throws(() => dropout(x, 1, true), /dropout: p must be in \[0, 1\)/);
});

test('randomInts helper covers its range (sanity of the test inputs)', () => {
  const r = randomInts(200, 5);
  assert.equal(new Set(r).size, 5);
});

test.run();
