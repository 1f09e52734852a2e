import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../index.ts';
import { reshape, permute, transpose, concat, slice, split } from './shape.ts';
import { add, mul } from './elementwise.ts';
import { sum } from './reduce.ts';
import { gradCheck } from '../gradcheck.ts';
import { withStepBuffers, fillPooled } from '../step_buffers.ts';
import { param } from './testing.ts';
import { tensor, arange, Tensor } from '../tensor.ts';

const TOL = 1e-3;

test('reshape: -1, gradient check, errors', () => {
  const x = param([2, 3, 4]);
  assert.equal(reshape(x, [4, -1]).shape, [4, 6]);
  // multiply after reshaping so the check sees values moved, not only copied
  const w = param([6, 4]);
  assert.ok(gradCheck(() => mul(reshape(x, [6, 4]), w), [x, w]).maxRelError < TOL);
  assert.throws(() => reshape(x, [5, -1]), /reshape: cannot view \[2,3,4\] \(24 values\) as \[5,-1\]/);
  assert.throws(() => reshape(x, [-1, -1]), /reshape/);
});

test('permute and transpose: values and gradient check', () => {
  const t = tensor(arange(6).data, [2, 3]);
  assert.equal(transpose(t, 0, 1).toArray(), [[0, 3], [1, 4], [2, 5]]);
  const x = param([2, 3, 1, 5]);
  const y = permute(x, [3, 0, 2, 1]);
  assert.equal(y.shape, [5, 2, 1, 3]);
  assert.is(y.data[1 * 6 + 1 * 3 + 2], x.data[1 * 15 + 2 * 5 + 1]);
  assert.ok(gradCheck(() => permute(x, [3, 0, 2, 1]), [x]).maxRelError < TOL);
  assert.ok(gradCheck(() => transpose(x, 1, -1), [x]).maxRelError < TOL);
  assert.throws(() => permute(x, [0, 1, 2]), /permute: \[0,1,2\] is not a permutation of the axes of \[2,3,1,5\]/);
});

test('concat: values along each axis, gradient check, errors', () => {
  assert.equal(concat([tensor([[1, 2]]), tensor([[3, 4], [5, 6]])], 0).toArray(), [[1, 2], [3, 4], [5, 6]]);
  assert.equal(concat([tensor([[1], [2]]), tensor([[3, 4], [5, 6]])], 1).toArray(), [[1, 3, 4], [2, 5, 6]]);
  const a = param([2, 3, 4]);
  const b = param([2, 1, 4]);
  const c = param([2, 5, 4]);
  assert.ok(gradCheck(() => concat([a, b, c], 1), [a, b, c]).maxRelError < TOL);
  assert.throws(() => concat([a, param([3, 3, 4])], 1), /concat: shapes \[2,3,4\], \[3,3,4\] differ outside axis 1/);
});

test('slice and split: values, gradient check, errors', () => {
  const t = tensor(arange(12).data, [3, 4]);
  assert.equal(slice(t, 1, 1, 3).toArray(), [[1, 2], [5, 6], [9, 10]]);
  const [p, q] = split(t, [1, 2], 0);
  assert.equal(p.toArray(), [[0, 1, 2, 3]]);
  assert.equal(q.shape, [2, 4]);
  assert.equal(split(t, 3, 1).map((s) => s.shape), [[3, 3], [3, 1]]);
  const x = param([3, 7, 2]);
  const w = param([3, 4, 2]);
  assert.ok(gradCheck(() => mul(slice(x, 1, 2, 6), w), [x, w]).maxRelError < TOL);
  assert.ok(gradCheck(() => concat(split(x, [3, 4], 1).reverse(), 1), [x]).maxRelError < TOL);
  assert.throws(() => slice(x, 1, 5, 9), /slice: range \[5, 9\) is outside axis 1 of \[3,7,2\]/);
  assert.throws(() => split(x, [3, 3], 1), /split: sizes \[3,3\] do not add up to 7/);
});

test('split\'s backward, one pass over the pieces: a piece left unused adds nothing, a gradient x already has is added to, the same as slices', () => {
  const x = param([3, 7, 2]);
  const [w1, w3] = [param([3, 2, 2]), param([3, 1, 2])];
  // pieces 1 and 3 used, piece 2 not; x also used directly, before or after the split in the graph
  const viaSplit = () => {
    const [a, , c] = split(x, [2, 4, 1], 1);
    return add(add(sum(mul(a, w1)), sum(mul(c, w3))), sum(mul(x, x)));
  };
  const viaSlices = () => add(add(sum(mul(slice(x, 1, 0, 2), w1)), sum(mul(slice(x, 1, 6, 7), w3))), sum(mul(x, x)));
  assert.ok(gradCheck(viaSplit, [x, w1, w3]).maxRelError < TOL);
  const grads = (f: () => Tensor) => {
    for (const t of [x, w1, w3]) t.zeroGrad();
    f().backward();
    return [x, w1, w3].map((t) => [...t.grad!]);
  };
  assert.equal(grads(viaSplit), grads(viaSlices));
  // x used only through the split: its gradient is written whole, 0 where no piece reached, even in
  // a reused array that held other numbers (NaN here: engine/step_buffers.ts)
  const y = param([3, 7, 4]);
  const wy = param([3, 2, 4]);
  const gradOfY = () => withStepBuffers(() => {
    y.zeroGrad();
    const h = mul(y, 1); // not a parameter: its gradient comes from the pool, and passes to y's
    sum(mul(split(h, [2, 4, 1], 1)[0], wy)).backward();
    return [...y.grad!];
  });
  gradOfY(); // fills the pool
  fillPooled(NaN);
  const g = gradOfY();
  for (let b = 0; b < 3; b++) for (let i = 0; i < 7; i++) for (let d = 0; d < 4; d++) {
    assert.is(g[(b * 7 + i) * 4 + d], i < 2 ? wy.data[(b * 2 + i) * 4 + d] : 0);
  }
});

test.run();
