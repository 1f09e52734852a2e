import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../index.ts';
import { sum, mean, max } from './reduce.ts';
import { gradCheck } from '../gradcheck.ts';
import { param, spreadParam } from './testing.ts';
import { tensor } from '../tensor.ts';

test('sum and mean: every axis, keepdim, all values; gradient check', () => {
  const x = param([2, 3, 4]);
  for (const axis of [undefined, 0, 1, 2, -1]) {
    for (const keepdim of [false, true]) {
      assert.ok(gradCheck(() => sum(x, axis, keepdim), [x]).maxRelError < 1e-3, `sum ${axis} ${keepdim}`);
      assert.ok(gradCheck(() => mean(x, axis, keepdim), [x]).maxRelError < 1e-3, `mean ${axis} ${keepdim}`);
    }
  }
  const t = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.equal(sum(t, 0).toArray(), [5, 7, 9]);
  assert.equal(sum(t, 1, true).toArray(), [[6], [15]]);
  assert.equal(mean(t).item(), 3.5);
  assert.equal(sum(t, 1, true).shape, [2, 1]);
  assert.throws(() => sum(t, 2), /sum: axis 2 is out of range for a 2-d tensor/);
});

test('max: values, argmax routing of the gradient, gradient check', () => {
  const t = tensor([[1, 9, 3], [7, 5, 6]]);
  assert.equal(max(t, 1).toArray(), [9, 7]);
  assert.equal(max(t, 0, true).toArray(), [[7, 9, 6]]);
  assert.is(max(t).item(), 9);
  const x = spreadParam([3, 4, 5], -3, 3);
  for (const axis of [undefined, 0, 1, 2]) {
    assert.ok(gradCheck(() => max(x, axis, true), [x]).maxRelError < 1e-3, `max ${axis}`);
  }
});

test.run();
