// GELU over an array, GPT-2's tanh approximation (the maths is above the op, engine/ops/elementwise.ts):
//   out = 0.5 x (1 + tanh u),  u = sqrt(2/pi) (x + 0.044715 x^3)
// tanh(u) = 1 - 2 / (e^(2u) + 1): the same value, with every e^(2u) in one vectorised call (exp_simd.ts).
import { expInPlace } from './exp_simd.ts';

const GELU_C = Math.sqrt(2 / Math.PI);

export function geluForward(x: Float32Array, out: Float32Array, tanhU: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) tanhU[i] = 2 * GELU_C * (x[i] + 0.044715 * x[i] * x[i] * x[i]);
  expInPlace(tanhU, n);
  for (let i = 0; i < n; i++) {
    const t = 1 - 2 / (tanhU[i] + 1);
    tanhU[i] = t;
    out[i] = 0.5 * x[i] * (1 + t);
  }
}

export function geluBackward(dout: Float32Array, x: Float32Array, tanhU: Float32Array, dx: Float32Array, n: number, accumulate = true): void {
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const t = tanhU[i];
    const d = dout[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * v * v));
    dx[i] = accumulate ? dx[i] + d : d;
  }
}
