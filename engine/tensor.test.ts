import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tensor, tensor, zeros, ones, full, arange, randn, rand, noGrad, manualSeed, ops } from './index.ts';

test('creation from nested arrays, typed arrays, and helpers', () => {
  const t = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.equal(t.shape, [2, 3]);
  assert.equal(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
  assert.equal(tensor(new Float32Array([1, 2, 3, 4]), [2, 2]).toArray(), [[1, 2], [3, 4]]);
  assert.equal(zeros([2]).toArray(), [0, 0]);
  assert.equal(ones([1, 2]).toArray(), [[1, 1]]);
  assert.equal(full([2], 7).toArray(), [7, 7]);
  assert.equal(arange(4).toArray(), [0, 1, 2, 3]);
  assert.equal(arange(1, 7, 2).toArray(), [1, 3, 5]);
  assert.is(tensor(3.5).item(), 3.5);
  assert.throws(() => tensor([[1, 2], [3]]), /ragged/);
  assert.throws(() => tensor([1, 2, 3], [2, 2]), /3 values do not fill shape \[2,2\]/);
  assert.throws(() => ones([2]).item(), /item: tensor of shape \[2\] has 2 values/);
});

test('seeded randn and rand repeat for the same seed and look normal / uniform', () => {
  manualSeed(42);
  const a = randn([10000]);
  manualSeed(42);
  const b = randn([10000]);
  assert.equal(Array.from(a.data), Array.from(b.data));
  const mean = a.data.reduce((s, v) => s + v, 0) / a.size;
  const variance = a.data.reduce((s, v) => s + (v - mean) ** 2, 0) / a.size;
  assert.ok(Math.abs(mean) < 0.05 && Math.abs(variance - 1) < 0.05, `mean ${mean}, var ${variance}`);
  const u = rand([1000], { low: 2, high: 3 });
  assert.ok(u.data.every((v) => v >= 2 && v < 3));
});

test('gradients accumulate for a tensor used twice', () => {
  const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
  const y = ops.sum(ops.add(ops.mul(x, x), x)); // d/dx (x^2 + x) = 2x + 1
  y.backward();
  assert.equal(Array.from(x.grad!), [3, 5, 7]);
  // a second forward + backward adds into the same grad, until zeroGrad
  ops.sum(x).backward();
  assert.equal(Array.from(x.grad!), [4, 6, 8]);
  x.zeroGrad();
  assert.is(x.grad, null);
});

test('backward errors: freed graph, non-scalar without seed, nothing requiring grad', () => {
  const x = tensor([1, 2], undefined, { requiresGrad: true });
  const y = ops.sum(ops.mul(x, 3));
  y.backward();
  assert.throws(() => y.backward(), /already freed/);
  const z = ops.mul(x, 2);
  assert.throws(() => z.backward(), /not a scalar; pass a seed gradient of 2 values/);
  z.backward(new Float32Array([1, 1]));
  assert.throws(() => ops.sum(tensor([1, 2])).backward(), /does not require grad/);
});

test('noGrad records no graph and detach cuts it', () => {
  const x = tensor([1, 2], undefined, { requiresGrad: true });
  const y = noGrad(() => ops.mul(x, 2));
  assert.is(y.requiresGrad, false);
  const d = ops.mul(x, 2).detach();
  assert.is(d.requiresGrad, false);
  assert.equal(Array.from(d.data), [2, 4]);
});

test('a deep chain does not overflow the stack', () => {
  const x = tensor([1], undefined, { requiresGrad: true });
  let y: Tensor = x;
  for (let i = 0; i < 20000; i++) y = ops.add(y, 0);
  ops.sum(y).backward();
  assert.equal(Array.from(x.grad!), [1]);
});

test('gradTarget: a tensor with no gradient gets an array to write whole (accumulate false), then adds into it', () => {
  const x = ops.mul(tensor([1, 2, 3], undefined, { requiresGrad: true }), 2); // an op's result: its gradient may be a reused array
  const first = x.gradTarget();
  assert.is(first.accumulate, false);
  assert.is(first.grad.length, 3);
  assert.is(x.grad, first.grad);
  const second = x.gradTarget();
  assert.is(second.accumulate, true);
  assert.is(second.grad, first.grad);
});

test.run();
