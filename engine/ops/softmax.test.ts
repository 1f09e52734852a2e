import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../index.ts';
import { softmax, logSoftmax, crossEntropy } from './softmax.ts';
import { gradCheck } from '../gradcheck.ts';
import { param, randomInts } from './testing.ts';
import { tensor } from '../tensor.ts';

test('softmax and logSoftmax: gradient check, rows sum to 1', () => {
  const x = param([2, 3, 7], -3, 3);
  assert.ok(gradCheck(() => softmax(x), [x]).maxRelError < 1e-3);
  assert.ok(gradCheck(() => logSoftmax(x), [x]).maxRelError < 1e-3);
  const s = softmax(x).data;
  for (let r = 0; r < 6; r++) assert.ok(Math.abs(s.subarray(r * 7, r * 7 + 7).reduce((a, b) => a + b, 0) - 1) < 1e-6);
});

test('softmax, logSoftmax and crossEntropy stay finite on logits of +-1e4', () => {
  const x = tensor([[1e4, -1e4, 0], [-1e4, -1e4, -1e4]], undefined, { requiresGrad: true });
  assert.ok(softmax(x).data.every(Number.isFinite));
  assert.ok(logSoftmax(x).data.every(Number.isFinite));
  const loss = crossEntropy(x, [1, 2]);
  assert.ok(Number.isFinite(loss.item()));
  assert.ok(Math.abs(loss.item() - (2e4 + Math.log(3)) / 2) < 1);
  loss.backward();
  assert.ok(x.grad!.every(Number.isFinite));
});

test('crossEntropy: gradient check with ignored positions; value against logSoftmax', () => {
  const logits = param([2, 5, 11], -2, 2);
  const targets = randomInts(10, 11);
  targets[3] = -1;
  targets[7] = -1;
  assert.ok(gradCheck(() => crossEntropy(logits, targets), [logits]).maxRelError < 1e-3);
  const ls = logSoftmax(logits).data;
  let want = 0;
  let n = 0;
  targets.forEach((t, r) => {
    if (t !== -1) {
      want -= ls[r * 11 + t];
      n++;
    }
  });
  assert.ok(Math.abs(crossEntropy(logits, targets).item() - want / n) < 1e-5);
});

test('crossEntropy: every position ignored gives loss 0 and zero gradients, never NaN', () => {
  const logits = param([3, 4]);
  const loss = crossEntropy(logits, [-1, -1, -1]);
  assert.is(loss.item(), 0);
  loss.backward();
  assert.ok(logits.grad === null || logits.grad.every((g) => g === 0));
});

test('crossEntropy: shape and target errors', () => {
  assert.throws(() => crossEntropy(param([3, 4]), [0, 1]), /crossEntropy: logits \[3,4\] have 3 rows but there are 2 targets/);
  assert.throws(() => crossEntropy(param([1, 4]), [4]), /crossEntropy: target 4 at row 0 is outside \[0, 4\)/);
});

test.run();
