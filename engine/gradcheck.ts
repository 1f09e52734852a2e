// Finite-difference gradient checking: the test that an op's backward is the derivative of its
// forward. The output is reduced to a scalar with fixed random weights R (so every output value
// matters, with a different weight):  L = sum(out * R), accumulated in float64.
//   analytic:  out.backward(R)
//   numeric:   dL/dx_i ~ (L(x_i + h) - L(x_i - h)) / (x_i+h - (x_i-h))
// The divisor is the step actually taken after rounding to float32, which removes most of the
// representation error of a float32 input.
import { Tensor, noGrad } from './tensor.ts';
import { makeRng } from './random.ts';

export interface GradCheckResult {
  /**
   * max |analytic - numeric| / max(|numeric|, |analytic|, 1e-4) over every input (0 = perfect).
   * The floor keeps a gradient that is zero up to rounding (1e-9) from counting as 100% wrong.
   */
  maxRelError: number;
  perInput: number[];
}

export function gradCheck(fn: () => Tensor, inputs: Tensor[], h = 1e-2): GradCheckResult {
  for (const x of inputs) x.zeroGrad();
  const out = fn();
  const rng = makeRng('gradcheck');
  const R = new Float32Array(out.size).map(() => rng() * 2 - 1);
  out.backward(R);
  const analytic = inputs.map((x) => (x.grad === null ? new Float32Array(x.size) : Float32Array.from(x.grad)));

  const lossAt = (): number =>
    noGrad(() => {
      const o = fn();
      let s = 0;
      for (let i = 0; i < o.size; i++) s += o.data[i] * R[i];
      return s;
    });

  const perInput = inputs.map((x, n) => {
    let maxDiff = 0;
    let scale = 0;
    for (let i = 0; i < x.size; i++) {
      const orig = x.data[i];
      x.data[i] = orig + h;
      const hi = x.data[i];
      const up = lossAt();
      x.data[i] = orig - h;
      const lo = x.data[i];
      const down = lossAt();
      x.data[i] = orig;
      const numeric = (up - down) / (hi - lo);
      maxDiff = Math.max(maxDiff, Math.abs(numeric - analytic[n][i]));
      scale = Math.max(scale, Math.abs(numeric), Math.abs(analytic[n][i]));
    }
    return maxDiff / Math.max(scale, 1e-4);
  });
  return { maxRelError: Math.max(...perInput), perInput };
}
