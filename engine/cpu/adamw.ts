// AdamW as torch.optim.AdamW computes it (decoupled weight decay, bias-corrected moments):
//
//   p <- p * (1 - lr*wd)
//   m <- b1*m + (1-b1)*g          v <- b2*v + (1-b2)*g^2
//   p <- p - (lr / (1-b1^t)) * m / (sqrt(v) / sqrt(1-b2^t) + eps)
import type { AdamWStepParams } from '../kernels.ts';

export function adamwStep(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, hp: AdamWStepParams): void {
  const { lr, beta1, beta2, eps, weightDecay, step } = hp;
  const decay = 1 - lr * weightDecay;
  const stepSize = lr / (1 - beta1 ** step);
  const sqrtBc2 = Math.sqrt(1 - beta2 ** step);
  for (let i = 0; i < param.length; i++) {
    const g = grad[i];
    const mi = beta1 * m[i] + (1 - beta1) * g;
    const vi = beta2 * v[i] + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] = param[i] * decay - stepSize * mi / (Math.sqrt(vi) / sqrtBc2 + eps);
  }
}
