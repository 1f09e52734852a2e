// LayerNorm over the last axis, fused into one kernel call forward and one backward (maths in
// engine/cpu/layernorm.ts). Mean and 1/std per row are saved for the backward.
import { Tensor } from '../tensor.ts';
import { getKernels } from '../kernels.ts';
import { shapeStr } from '../shape.ts';
import { saveFloat32, saveForBackward } from '../precision.ts';
import { floats, floatsToOverwrite } from '../step_buffers.ts';

export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor | null, eps = 1e-5): Tensor {
  const C = x.shape[x.ndim - 1];
  if (weight.ndim !== 1 || weight.shape[0] !== C || (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== C))) {
    throw new Error(`layerNorm: input ${shapeStr(x.shape)} does not fit weight ${shapeStr(weight.shape)}` + (bias ? ` and bias ${shapeStr(bias.shape)}` : ''));
  }
  const rows = x.size / C;
  const k = getKernels();
  const data = floatsToOverwrite(x.size);
  const mean = floatsToOverwrite(rows);
  const rstd = floatsToOverwrite(rows);
  k.layerNormForward(x.data, weight.data, bias?.data ?? null, data, mean, rstd, rows, C, eps);
  const parents = bias === null ? [x, weight] : [x, weight, bias];
  // kept for backward: x (16-bit in a half dtype), mean and rstd (always float32, one per row)
  const saved = Tensor.willRecord(parents) ? [saveForBackward(x), saveFloat32(mean), saveFloat32(rstd)] : [];
  return Tensor.fromOp('layerNorm', data, x.shape.slice(), parents, (out) => {
    // the kernel writes all three gradients; scratch buffers stand in for those not needed
    const dx = x.requiresGrad ? x.gradBuffer() : floats(x.size);
    const dw = weight.requiresGrad ? weight.gradBuffer() : floats(C);
    const db = bias === null ? null : bias.requiresGrad ? bias.gradBuffer() : floats(C);
    const [xs, ms, rs] = saved.map((s) => s.get());
    k.layerNormBackward(out.grad!, xs, weight.data, ms, rs, dx, dw, db, rows, C);
    for (const s of saved) s.release();
  });
}
