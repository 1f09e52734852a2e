import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, Optimizer, clipGradNorm, ops } from './index.ts';

const close = (a: number, b: number, tol = 1e-6) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

test('AdamW first step by hand: p(1 - lr*wd) - lr * g / (|g| + eps)', () => {
  const p = tensor([0.5, -1.5], undefined, { requiresGrad: true });
  p.grad = Float32Array.from([0.2, -3]);
  const opt = new Optimizer([{ params: [p], weightDecay: 0.1 }], { lr: 0.01, betas: [0.9, 0.95], eps: 1e-8 });
  opt.step();
  assert.ok(close(p.data[0], 0.5 * (1 - 0.001) - 0.01 * 0.2 / (0.2 + 1e-8)));
  assert.ok(close(p.data[1], -1.5 * (1 - 0.001) + 0.01 * 3 / (3 + 1e-8)));
});

test('AdamW: five steps on a quadratic match PyTorch formulas (float64 reference), per-group decay', () => {
  const w = tensor([1.0, -2.0, 0.3], undefined, { requiresGrad: true });
  const b = tensor([0.7], undefined, { requiresGrad: true });
  const opt = new Optimizer([{ params: [w], weightDecay: 0.1 }, { params: [b], weightDecay: 0 }], { lr: 0.05, betas: [0.9, 0.99], eps: 1e-8 });
  // the reference, exactly torch.optim.AdamW's single-tensor path
  const ref = { p: [1.0, -2.0, 0.3, 0.7], m: [0, 0, 0, 0], v: [0, 0, 0, 0] };
  const wd = [0.1, 0.1, 0.1, 0];
  for (let t = 1; t <= 5; t++) {
    opt.zeroGrad();
    // loss = sum(w^2 * [1,2,3]) + (b - 2)^2
    const loss = ops.add(ops.sum(ops.mul(ops.mul(w, w), tensor([1, 2, 3]))), ops.sum(ops.pow(ops.sub(b, 2), 2)));
    loss.backward();
    const g = [2 * ref.p[0] * 1, 2 * ref.p[1] * 2, 2 * ref.p[2] * 3, 2 * (ref.p[3] - 2)];
    for (let i = 0; i < 4; i++) {
      ref.p[i] *= 1 - 0.05 * wd[i];
      ref.m[i] = 0.9 * ref.m[i] + 0.1 * g[i];
      ref.v[i] = 0.99 * ref.v[i] + 0.01 * g[i] * g[i];
      const stepSize = 0.05 / (1 - 0.9 ** t);
      const denom = Math.sqrt(ref.v[i]) / Math.sqrt(1 - 0.99 ** t) + 1e-8;
      ref.p[i] -= stepSize * ref.m[i] / denom;
    }
    opt.step();
  }
  const got = [...w.data, ...b.data];
  got.forEach((v, i) => assert.ok(close(v, ref.p[i], 1e-5), `param ${i}: ${v} vs ${ref.p[i]}`));
});

test('AdamW skips parameters without a gradient', () => {
  const p = tensor([1, 2], undefined, { requiresGrad: true });
  new Optimizer([{ params: [p], weightDecay: 0.1 }], { lr: 0.1 }).step();
  assert.equal(Array.from(p.data), [1, 2]);
});

test('clipGradNorm returns the norm before clipping and scales to maxNorm', () => {
  const a = tensor([0, 0], undefined, { requiresGrad: true });
  const b = tensor([0], undefined, { requiresGrad: true });
  a.grad = Float32Array.from([3, 0]);
  b.grad = Float32Array.from([4]);
  assert.ok(close(clipGradNorm([a, b], 1), 5));
  const after = Math.hypot(a.grad[0], a.grad[1], b.grad[0]);
  assert.ok(close(after, 1, 1e-5));
  // below the limit nothing changes
  a.grad = Float32Array.from([0.3, 0.4]);
  b.grad = null;
  assert.ok(close(clipGradNorm([a, b], 1), 0.5));
  assert.equal(Array.from(a.grad), [Math.fround(0.3), Math.fround(0.4)]);
});

test.run();
