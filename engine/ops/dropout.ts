// Dropout (inverted): in training, zero each value with probability p and scale the rest by
// 1/(1-p) so the expectation is unchanged; in eval mode it is the identity.  dx = mask * dy.
import { Tensor } from '../tensor.ts';
import { random } from '../random.ts';
import { floatsToOverwrite } from '../step_buffers.ts';

export function dropout(x: Tensor, p: number, training: boolean): Tensor {
  if (!(p >= 0 && p < 1)) throw new Error(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const keep = 1 / (1 - p);
  const mask = floatsToOverwrite(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = random() < p ? 0 : keep;
  const data = floatsToOverwrite(x.size);
  for (let i = 0; i < data.length; i++) data[i] = x.data[i] * mask[i];
  return Tensor.fromOp('dropout', data, x.shape.slice(), [x], (out) => {
    const g = out.grad!;
    const gx = x.gradBuffer();
    for (let i = 0; i < g.length; i++) gx[i] += g[i] * mask[i];
  });
}
