// The engine has two settings that every op reads: the kernel set (engine/kernels.ts: CPU or
// GPU.js) and the storage dtype (engine/precision.ts: float32, float16, bfloat16). A run that
// wants others sets them here, for the length of one function, and gets the previous ones back
// when it ends, even by an error: one visible place instead of a set and a restore far apart.
import { getKernels, setKernels } from './kernels.ts';
import type { Kernels } from './kernels.ts';
import { getDtype, setDtype } from './precision.ts';
import type { Dtype } from './precision.ts';

export interface EngineSettings {
  kernels: Kernels;
  dtype: Dtype;
}

/** Run fn (it may be async) with these kernels and this dtype, then restore the previous ones. */
export async function withEngine<T>(settings: EngineSettings, fn: () => Promise<T> | T): Promise<T> {
  const previous: EngineSettings = { kernels: getKernels(), dtype: getDtype() };
  setKernels(settings.kernels);
  setDtype(settings.dtype);
  try {
    return await fn();
  } finally {
    setKernels(previous.kernels);
    setDtype(previous.dtype);
  }
}
