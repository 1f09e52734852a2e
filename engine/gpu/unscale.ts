// Loss scaling's unscale + finite check on GPU.js, in one pass: each thread returns its gradient
// times 1/scale and a flag that is 1 when the result is inf or NaN. The check is written as a
// range test: GLSL compilers may fold x - x to 0 and x == x to true, but a NaN fails every
// comparison and an infinity lies outside +-3.4e38.
import type { GPU } from 'gpu.js';
import { makeKernel, runKernel } from './device.ts';

function unscale(this: { thread: { x: number } }, g: number[], invScale: number): number[] {
  const v = g[this.thread.x] * invScale;
  let bad = 1;
  if (v <= 3.4028234e38 && v >= -3.4028234e38) bad = 0;
  return [v, bad];
}

export function makeUnscale(gpu: GPU) {
  const kernel = makeKernel(gpu, unscale, 'Array(2)');
  return function unscaleGradients(grad: Float32Array, invScale: number): boolean {
    if (grad.length === 0) return false;
    const pairs = runKernel<Float32Array[]>(kernel, grad.length, grad, invScale);
    let nonFinite = false;
    for (let i = 0; i < grad.length; i++) {
      grad[i] = pairs[i][0];
      if (pairs[i][1] !== 0) nonFinite = true;
    }
    return nonFinite;
  };
}
