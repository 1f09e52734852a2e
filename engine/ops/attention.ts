// Causal scaled-dot-product attention as one fused op over (B, H, T, D): the causal mask lives
// inside the kernel (engine/cpu/attention.ts has the maths), never as a T x T tensor.
import { Tensor } from '../tensor.ts';
import { getKernels } from '../kernels.ts';
import { sameShape, shapeStr } from '../shape.ts';

export function causalAttention(q: Tensor, k: Tensor, v: Tensor): Tensor {
  if (q.ndim !== 4 || !sameShape(q.shape, k.shape) || !sameShape(q.shape, v.shape)) {
    throw new Error(`causalAttention: q, k, v must share one (B, H, T, D) shape, got ${shapeStr(q.shape)}, ${shapeStr(k.shape)}, ${shapeStr(v.shape)}`);
  }
  const [B, H, T, D] = q.shape;
  const kern = getKernels();
  const data = new Float32Array(q.size);
  // the probabilities are kept for backward only when a graph is being recorded
  const probs = q.requiresGrad || k.requiresGrad || v.requiresGrad ? new Float32Array(B * H * T * T) : null;
  kern.attentionForward(q.data, k.data, v.data, data, probs, B * H, T, T, D, T);
  return Tensor.fromOp('causalAttention', data, q.shape.slice(), [q, k, v], (out) => {
    const scratch = () => new Float32Array(q.size);
    kern.attentionBackward(out.grad!, q.data, k.data, v.data, probs!,
      q.requiresGrad ? q.gradBuffer() : scratch(), k.requiresGrad ? k.gradBuffer() : scratch(), v.requiresGrad ? v.gradBuffer() : scratch(),
      B * H, T, D);
  });
}
