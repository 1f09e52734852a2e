// GPU.js's modes, in a file of their own that does not load gpu.js: the config checks
// --gpu_mode against them, and importing gpu.js slows a process's CPU kernels (bench/RESULTS.md).
// No webgpu: GPU.js's WebGPU kernels return Promises, and the engine's Kernels interface is synchronous.
export const GPU_MODES = ['auto', 'headlessgl', 'webasm', 'cpu'] as const;
export type GpuMode = (typeof GPU_MODES)[number];
