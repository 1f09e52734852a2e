import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, ops, GradScaler, withDtype, savedBytes, resetSavedPeak, getKernels, noGrad } from './index.ts';
import { param } from './ops/testing.ts';

// y = x W^T, loss = 1e-8 * sum(y): every weight gradient is about 1e-8 * x, under float16's 6e-8
function tinyGradient(dtype: 'float16' | 'bfloat16', scaler: GradScaler): Float32Array {
  const x = tensor([[0.5, -1.25, 2, 0.75]]);
  const w = tensor([[0.1, 0.2, -0.3, 0.4], [0.5, -0.6, 0.7, 0.8]], undefined, { requiresGrad: true });
  withDtype(dtype, () => ops.sum(ops.mul(ops.linear(x, w), 1e-8)).backward(Float32Array.of(scaler.scale)));
  scaler.unscale([w]);
  return w.grad!;
}

test('a gradient of ~1e-8 is lost in float16 without loss scaling and survives with it', () => {
  const lost = tinyGradient('float16', new GradScaler({ enabled: false }));
  assert.ok(lost.every((g) => g === 0), `without scaling: ${Array.from(lost)}`);
  const kept = tinyGradient('float16', new GradScaler());
  const expected = [0.5e-8, -1.25e-8, 2e-8, 0.75e-8];
  for (let i = 0; i < 8; i++) assert.ok(Math.abs(kept[i] - expected[i % 4]) < 2e-3 * Math.abs(expected[i % 4]), `with scaling: ${kept[i]}`);
  // bfloat16 has float32's range: no scaling needed
  const bf = tinyGradient('bfloat16', new GradScaler({ enabled: false }));
  for (let i = 0; i < 8; i++) assert.ok(Math.abs(bf[i] - expected[i % 4]) < 1e-2 * Math.abs(expected[i % 4]), `bfloat16: ${bf[i]}`);
});

test('GradScaler: an overflow skips exactly one step and halves the scale; the scale grows after growth_interval clean steps', () => {
  const p = tensor([1, 2, 3], undefined, { requiresGrad: true });
  const scaler = new GradScaler({ initScale: 1024, growthInterval: 3 });
  let stepsRun = 0;
  const step = (grad: number[]) => {
    p.grad = Float32Array.from(grad.map((g) => g * scaler.scale));
    scaler.unscale([p]);
    if (scaler.step(() => stepsRun++)) assert.equal(Array.from(p.grad), grad, 'gradients unscaled');
    scaler.update();
  };
  step([0.5, 0.25, 1]);
  assert.is(stepsRun, 1);
  step([0.5, Infinity, 1]); // injected overflow
  assert.is(stepsRun, 1, 'the overflowing step is skipped');
  assert.is(scaler.scale, 512);
  assert.is(scaler.skipped, 1);
  step([0.5, 0.25, NaN]);
  assert.is(scaler.scale, 256, 'NaN backs off too');
  step([1, 1, 1]);
  step([1, 1, 1]);
  assert.is(scaler.scale, 256);
  step([1, 1, 1]);
  assert.is(scaler.scale, 512, 'grown after 3 clean steps');
  assert.is(stepsRun, 4);
  assert.is(scaler.skipped, 2);
  assert.throws(() => scaler.step(() => {}), /unscale/);
});

test('unscaleGradients kernel: divides in place and reports inf/NaN in the same pass', () => {
  const k = getKernels();
  const g = Float32Array.from([2, -4, 8.5, 1e-3]);
  assert.is(k.unscaleGradients(g, 0.5), false);
  assert.equal(Array.from(g), [1, -2, 4.25, Math.fround(1e-3) * 0.5].map(Math.fround));
  assert.is(k.unscaleGradients(Float32Array.from([1, -Infinity, 2]), 0.5), true);
  assert.is(k.unscaleGradients(Float32Array.from([NaN]), 1), true);
  // a finite value that overflows only after scaling up is reported too
  assert.is(k.unscaleGradients(Float32Array.from([3e38]), 4), true);
});

test('nothing is saved (or counted) when no graph is recorded; a graph dropped without backward does not skew the next count', () => {
  resetSavedPeak();
  const w = param([3, 4]);
  noGrad(() => ops.gelu(ops.linear(param([2, 4]), w)));
  assert.is(savedBytes.peak, 0);
  const dropped = ops.gelu(ops.linear(param([2, 4]), w));
  assert.is(savedBytes.live, 2 * (2 * 3 * 4), "gelu's input and tanh(u) count; linear's x is a leaf (a parameter), not an activation");
  resetSavedPeak();
  ops.sum(dropped).backward(); // a graph from before the reset
  assert.is(savedBytes.live, 0);
});

test.run();
