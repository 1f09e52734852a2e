// The GPU.js implementation of the Kernels interface: matmul, attention, layerNorm and the loss
// scaler's unscale run as GPU.js kernels; cross-entropy, GELU and AdamW are the CPU's kernels,
// named below. Each of those is one pass over memory, and the engine's tensors live on the host
// between ops: copying the arrays to the device and back costs more than the pass itself
// (measured for AdamW, bench/RESULTS.md).
import type { Kernels } from '../kernels.ts';
import { cpuKernels } from '../cpu/index.ts';
import { openGpu } from './device.ts';
import type { GpuDevice, GpuMode } from './device.ts';
import { makeMatmul } from './matmul.ts';
import { makeAttention } from './attention.ts';
import { makeLayerNorm } from './layernorm.ts';
import { makeUnscale } from './unscale.ts';

export { GPU_MODES, openGpu } from './device.ts';
export type { GpuMode, GpuDevice } from './device.ts';

export function createGpuKernels(requested: GpuMode = 'auto'): { kernels: Kernels; device: GpuDevice } {
  const device = openGpu(requested);
  const { layerNormForward, layerNormBackward } = makeLayerNorm(device.gpu);
  const kernels: Kernels = {
    name: `gpu.js (${device.mode})`,
    matmul: makeMatmul(device.gpu),
    ...makeAttention(device.gpu),
    layerNormForward,
    layerNormBackward,
    unscaleGradients: makeUnscale(device.gpu),
    // on the host, as on the CPU
    crossEntropyForward: cpuKernels.crossEntropyForward,
    crossEntropyBackward: cpuKernels.crossEntropyBackward,
    geluForward: cpuKernels.geluForward,
    geluBackward: cpuKernels.geluBackward,
    sumRows: cpuKernels.sumRows,
    adamwStep: cpuKernels.adamwStep,
  };
  return { kernels, device };
}
