// The engine's public face: tensors, autograd, ops, optimiser, randomness. Importing it
// registers the CPU kernels as the default implementation of the Kernels interface.
import { setKernels } from './kernels.ts';
import { cpuKernels } from './cpu/index.ts';

setKernels(cpuKernels);

export { Tensor, tensor, zeros, ones, full, arange, randn, rand, noGrad, isGradEnabled } from './tensor.ts';
export * as ops from './ops/index.ts';
export { Optimizer, clipGradNorm } from './optim.ts';
export type { ParamGroup } from './optim.ts';
export { manualSeed, getRngState, setRngState, makeRng } from './random.ts';
export { getKernels, setKernels } from './kernels.ts';
export type { Kernels } from './kernels.ts';
export { cpuKernels } from './cpu/index.ts';
export { GradScaler } from './grad_scaler.ts';
export type { GradScalerOptions, GradScalerState } from './grad_scaler.ts';
export { setDtype, getDtype, withDtype, savedBytes, resetSavedPeak, DTYPES } from './precision.ts';
export type { Dtype } from './precision.ts';
export { withEngine } from './scope.ts';
export { withStepBuffers } from './step_buffers.ts';
export type { EngineSettings } from './scope.ts';
