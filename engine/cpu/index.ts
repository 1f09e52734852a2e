// The typed-array implementation of the Kernels interface. Matmul runs the WebAssembly SIMD
// micro-kernel where the runtime has it (matmul_simd.ts) and the plain TypeScript one otherwise
// (matmul.ts, the readable reference).
import type { Kernels } from '../kernels.ts';
import { matmulSimd } from './matmul_simd.ts';
import { attentionForward, attentionBackward } from './attention.ts';
import { layerNormForward, layerNormBackward } from './layernorm.ts';
import { crossEntropyForward, crossEntropyBackward } from './crossentropy.ts';
import { geluForward, geluBackward } from './gelu.ts';
import { adamwStep } from './adamw.ts';
import { unscaleGradients } from './unscale.ts';

export const cpuKernels: Kernels = {
  name: 'cpu',
  matmul: matmulSimd,
  attentionForward,
  attentionBackward,
  layerNormForward,
  layerNormBackward,
  crossEntropyForward,
  crossEntropyBackward,
  geluForward,
  geluBackward,
  unscaleGradients,
  adamwStep,
};
