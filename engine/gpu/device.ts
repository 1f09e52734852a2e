// Opening GPU.js. GPU.js turns a JavaScript function into a shader (GLSL through headless-gl in
// Node), or runs it as WebAssembly or plain JavaScript where no GPU is reachable. Every kernel is
// "one function run once per output element": this.thread.x is the element's index.
//
// Modes: auto (GPU.js picks: headlessgl if a GL context opens, in a browser webgl2 or webgl, else webasm, else cpu),
// headlessgl, webasm, cpu (not GPU.js's webgpu: its kernels return Promises, and our Kernels
// interface is synchronous).
import { GPU } from 'gpu.js';
import type { IKernelRunShortcut, KernelFunction } from 'gpu.js';
import { GPU_MODES } from './modes.ts';
import type { GpuMode } from './modes.ts';

export { GPU_MODES };
export type { GpuMode };

export interface GpuDevice {
  gpu: GPU;
  /** The mode GPU.js actually runs kernels in: headlessgl, webgl2 or webgl (a browser), webasm or cpu. */
  mode: string;
  /** Why the mode differs from the one asked for, or '' when it does not. */
  note: string;
}

/** Open GPU.js in the requested mode, falling back (and saying why) where that mode cannot run here. */
export function openGpu(requested: GpuMode): GpuDevice {
  if (!GPU_MODES.includes(requested)) throw new Error(`gpu_mode must be one of ${GPU_MODES.join(', ')}, got '${requested}'`);
  let note = '';
  let gpu: GPU;
  if (requested === 'headlessgl' && !GPU.isHeadlessGLSupported) {
    note = 'headless-gl cannot open a GL context here (not built, or no X display: run under xvfb-run): using auto instead';
    gpu = new GPU({ mode: 'gpu' });
  } else {
    gpu = new GPU({ mode: requested === 'auto' ? 'gpu' : requested });
  }
  const mode = actualMode(gpu);
  if (note === '' && requested === 'auto' && !GL_MODES.includes(mode)) note = 'no GL context (no GPU, or no X display): GPU.js fell back';
  return { gpu, mode, note };
}

/** Modes that run kernels as shaders: headless-gl in Node, WebGL in a browser (auto picks WebGL2 there). */
const GL_MODES = ['headlessgl', 'webgl2', 'webgl'];

/** The backend a kernel of this GPU instance really runs on, found by building a tiny one. */
function actualMode(gpu: GPU): string {
  const probe = gpu.createKernel(function (this: { thread: { x: number } }) {
    return this.thread.x;
  }, { output: [1] });
  probe();
  const impl = (probe as unknown as { kernel: { constructor: { name: string; mode?: string } } }).kernel.constructor;
  const byName: Record<string, string> = {
    HeadlessGLKernel: 'headlessgl', WebGL2Kernel: 'webgl2', WebGLKernel: 'webgl', WebAssemblyKernel: 'webasm', CPUKernel: 'cpu',
  };
  return byName[impl.name] ?? impl.mode ?? impl.name;
}

/**
 * A kernel whose output length and argument sizes may change from call to call (so one compiled
 * shader serves every shape), in single precision, with loops as long as our largest sums.
 * Its result is read back to the host: a Float32Array (or one small array per element for Array(k)).
 */
export function makeKernel(gpu: GPU, fn: (...args: never[]) => number | number[], returnType: 'Number' | 'Array(2)' | 'Array(4)' = 'Number', constants: Record<string, number> = {}): IKernelRunShortcut {
  return gpu.createKernel(fn as unknown as KernelFunction, {
    output: [1], dynamicOutput: true, dynamicArguments: true, precision: 'single', tactic: 'precision', loopMaxIterations: 1 << 20, returnType, constants,
  } as Parameters<GPU['createKernel']>[1]);
}

/**
 * A pipeline stage: a kernel whose result stays on the device (a texture in headlessgl; webasm and
 * cpu have no device memory and hand back a typed array) and goes straight into the next kernel,
 * with no readback. Each call gets a fresh output ("immutable": GPU.js's reused outputs keep their
 * first size when a later call's output is larger), so release() it when done.
 */
export function makeStage(gpu: GPU, fn: (...args: never[]) => number): IKernelRunShortcut {
  const kernel = makeKernel(gpu, fn);
  kernel.setPipeline(true);
  kernel.setImmutable(true);
  return kernel;
}

/** What a kernel or a stage returns: host arrays, or a texture that only the GPU holds. */
export type KernelResult = Float32Array | { toArray(): Float32Array };

/** Run a kernel over n output elements. */
export function runKernel<T = KernelResult>(kernel: IKernelRunShortcut, n: number, ...args: Array<KernelResult | number>): T {
  kernel.setOutput([n]);
  return (kernel as unknown as (...a: unknown[]) => T)(...args);
}

/** A kernel's result on the host: a texture is read back here, and only here. */
export function readBack(result: KernelResult): Float32Array {
  return result instanceof Float32Array ? result : result.toArray();
}

/** Free the device memory of stage outputs that are no longer needed (host arrays are left to the GC). */
export function release(...results: KernelResult[]): void {
  for (const r of results) if (!(r instanceof Float32Array)) (r as { delete?: () => void }).delete?.();
}
