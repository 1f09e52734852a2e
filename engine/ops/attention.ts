// Causal scaled-dot-product attention as one fused op over (B, H, T, D): the causal mask lives
// inside the kernel (engine/cpu/attention.ts has the maths), never as a T x T tensor.
import { Tensor } from '../tensor.ts';
import { getKernels } from '../kernels.ts';
import { sameShape, shapeStr } from '../shape.ts';
import { saveActivation, saveForBackward, storageCopy, toStorage } from '../precision.ts';
import { floats, floatsToOverwrite } from '../step_buffers.ts';

export function causalAttention(q: Tensor, k: Tensor, v: Tensor): Tensor {
  if (q.ndim !== 4 || !sameShape(q.shape, k.shape) || !sameShape(q.shape, v.shape)) {
    throw new Error(`causalAttention: q, k, v must share one (B, H, T, D) shape, got ${shapeStr(q.shape)}, ${shapeStr(k.shape)}, ${shapeStr(v.shape)}`);
  }
  const [B, H, T, D] = q.shape;
  const kern = getKernels();
  // in a 16-bit dtype q, k, v are read rounded and the output rounded (engine/precision.ts)
  const [qd, kd, vd] = [storageCopy(q.data), storageCopy(k.data), storageCopy(v.data)];
  const data = floatsToOverwrite(q.size);
  // the probabilities are kept for backward only when a graph is being recorded
  const record = Tensor.willRecord([q, k, v]);
  const probs = record ? floatsToOverwrite(B * H * T * T) : null; // the future's 0s included
  kern.attentionForward(qd, kd, vd, data, probs, B * H, T, T, D, T);
  toStorage(data);
  const saved = record ? [saveForBackward(q, qd), saveForBackward(k, kd), saveForBackward(v, vd), saveActivation(probs!)] : [];
  return Tensor.fromOp('causalAttention', data, q.shape.slice(), [q, k, v], (out) => {
    const scratch = () => floats(q.size);
    const [qs, ks, vs, ps] = saved.map((s) => s.get());
    kern.attentionBackward(toStorage(out.grad!), qs, ks, vs, ps,
      q.requiresGrad ? q.gradBuffer() : scratch(), k.requiresGrad ? k.gradBuffer() : scratch(), v.requiresGrad ? v.gradBuffer() : scratch(),
      B * H, T, T, D);
    for (const s of saved) s.release();
  });
}
