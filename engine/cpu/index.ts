// The typed-array implementation of the Kernels interface.
import type { Kernels } from '../kernels.ts';
import { matmul } from './matmul.ts';
import { attentionForward, attentionBackward } from './attention.ts';
import { layerNormForward, layerNormBackward } from './layernorm.ts';
import { crossEntropyForward, crossEntropyBackward } from './crossentropy.ts';
import { adamwStep } from './adamw.ts';

export const cpuKernels: Kernels = {
  name: 'cpu',
  matmul,
  attentionForward,
  attentionBackward,
  layerNormForward,
  layerNormBackward,
  crossEntropyForward,
  crossEntropyBackward,
  adamwStep,
};
