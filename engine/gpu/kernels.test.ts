// Every GPU.js kernel against its CPU twin, on random inputs of odd sizes, in every GPU.js mode
// that works on this machine (headlessgl only when a GL context opens: under xvfb-run in CI).
// The checks are engine/gpu/kernel_checks.ts's; the browser test runs them in the page's WebGL.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GPU } from 'gpu.js';
import { createGpuKernels } from './index.ts';
import { cpuKernels } from '../cpu/index.ts';
import { kernelChecks } from './kernel_checks.ts';

const modes: Array<'headlessgl' | 'webasm' | 'cpu'> = ['cpu'];
if (GPU.isWebAssemblySupported) modes.push('webasm');
if (GPU.isHeadlessGLSupported) modes.push('headlessgl');
console.log(`GPU.js modes tested here: ${modes.join(', ')}${GPU.isHeadlessGLSupported ? '' : ' (headlessgl: no GL context; CI runs these under xvfb-run)'}`);

test('headlessgl opens when CI requires it (REQUIRE_HEADLESSGL=1: .ci/run runs the tests under xvfb-run)', () => {
  if (process.env.REQUIRE_HEADLESSGL === '1') assert.ok(GPU.isHeadlessGLSupported, 'headless-gl did not open a GL context: is gl built (npm ci after the apt packages) and is there an X display?');
});

for (const mode of modes) {
  const { kernels: gpu, device } = createGpuKernels(mode);

  test(`[${mode}] opens in the mode asked for`, () => {
    assert.is(device.mode, mode);
    assert.is(gpu.name, `gpu.js (${mode})`);
  });

  for (const check of kernelChecks(gpu, cpuKernels)) test(`[${mode}] ${check.name}`, check.run);

  test(`[${mode}] cross-entropy, GELU and AdamW are the CPU's own kernels (one pass over host memory each)`, () => {
    for (const k of ['crossEntropyForward', 'crossEntropyBackward', 'geluForward', 'geluBackward', 'sumRows', 'adamwStep'] as const) assert.is(gpu[k], cpuKernels[k], k);
  });
}

test.run();
