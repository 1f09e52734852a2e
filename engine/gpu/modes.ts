// GPU.js's modes, in a file of their own that does not load gpu.js: the config checks
// --gpu_mode against them, and importing gpu.js slows a process's CPU kernels (bench/RESULTS.md).
export const GPU_MODES = ['auto', 'headlessgl', 'webgpu', 'webasm', 'cpu'] as const;
export type GpuMode = (typeof GPU_MODES)[number];
