// The typed-array implementation of the Kernels interface. Matmul runs the WebAssembly SIMD
// micro-kernel where the runtime has it (matmul_simd.ts) and the plain TypeScript one otherwise
// (matmul.ts, the readable reference); GELU, LayerNorm and the bias gradient likewise run in SIMD
// (elementwise_simd.ts) with gelu.ts and layernorm.ts as their references.
import type { Kernels } from '../kernels.ts';
import { matmulSimd, simdAvailable } from './matmul_simd.ts';
import { attentionForward, attentionBackward } from './attention.ts';
import { packedAttentionForward, packedAttentionBackward } from './packed_attention_simd.ts';
import { crossEntropyForward, crossEntropyBackward } from './crossentropy.ts';
import { geluForward, geluBackward, layerNormForward, layerNormBackward, sumRows } from './elementwise_simd.ts';
import { adamwStep } from './adamw.ts';
import { unscaleGradients } from './unscale.ts';

export const cpuKernels: Kernels = {
  name: 'cpu',
  matmul: matmulSimd,
  attentionForward,
  attentionBackward,
  ...(simdAvailable ? { packedAttentionForward, packedAttentionBackward } : {}), // they need the SIMD matmul's module; without it the op gathers
  layerNormForward,
  layerNormBackward,
  crossEntropyForward,
  crossEntropyBackward,
  geluForward,
  geluBackward,
  sumRows,
  unscaleGradients,
  adamwStep,
};
