// The page: two views over the same engine, model and data code as Node.
//   Ask the car      the served checkpoint (npm run demo --out_dir=...) answers commands
//   Watch it learn   the walkthrough at browser size, in a Web Worker; its model then answers
// window.demo is what the browser test (scripts/test_browser.ts) drives.
import { cpuKernels } from '../engine/index.ts';
import { simdKernel } from '../engine/cpu/matmul_simd.ts';
import { loadTrainedFromBytes } from '../train/load_trained_bytes.ts';
import { AskView, fetchTrained } from './ask.ts';
import type { Answer } from './ask.ts';
import { LearnView } from './learn.ts';
import type { LearnResult } from './learn.ts';

const cpuName = simdKernel === 'wasm-simd-fma' ? 'CPU (WebAssembly SIMD with FMA)' : simdKernel === 'wasm-simd' ? 'CPU (WebAssembly SIMD, no FMA)' : 'CPU (plain JavaScript)';
const backendLabel = document.getElementById('backend')!;
backendLabel.textContent = `answers on the ${cpuName}`;

function show(view: 'ask' | 'learn'): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('nav button')) b.classList.toggle('active', b.dataset.view === view);
  for (const v of ['ask', 'learn']) document.getElementById(`view-${v}`)!.hidden = v !== view;
}
for (const b of document.querySelectorAll<HTMLButtonElement>('nav button')) b.addEventListener('click', () => show(b.dataset.view as 'ask' | 'learn'));

const ask = new AskView();
const learnedModel = (r: LearnResult) => {
  ask.setModel(loadTrainedFromBytes(r.files, 'trained in this page'), `trained in this page on ${r.mode}, in ${r.seconds.toFixed(0)} s`);
  backendLabel.textContent = `answers on the ${cpuName}; trained on ${r.mode}`;
  return r;
};
const learn = new LearnView(learnedModel);

/** The served checkpoint, loaded as soon as the page is: the time until it answers is the page's ready time. */
const ready = fetchTrained('checkpoint').then(
  (trained) => {
    ask.setModel(trained, 'the served checkpoint');
    return { ok: true, ms: performance.now(), error: '' };
  },
  (e: Error) => {
    ask.showError(`no model to answer with (${e.message}): train one with npm run train, or in "Watch it learn"`);
    return { ok: false, ms: performance.now(), error: e.message };
  },
);

/** Every GPU.js kernel against its CPU twin (engine/gpu/kernel_checks.ts), on this page's WebGL. */
async function checkKernels(): Promise<{ mode: string; note: string; results: Array<{ name: string; ok: boolean; error: string }> }> {
  const [{ createGpuKernels }, { kernelChecks }] = await Promise.all([import('../engine/gpu/index.ts'), import('../engine/gpu/kernel_checks.ts')]);
  const { kernels, device } = createGpuKernels('auto');
  const results = kernelChecks(kernels, cpuKernels).map((c) => {
    try {
      c.run();
      return { name: c.name, ok: true, error: '' };
    } catch (e) {
      return { name: c.name, ok: false, error: (e as Error).message };
    }
  });
  document.getElementById('learn-kernels')!.textContent = `GPU.js kernels in ${device.mode} mode: ${results.filter((r) => r.ok).length} of ${results.length} checks equal the CPU's`;
  return { mode: device.mode, note: device.note, results };
}

declare global {
  interface Window {
    demo: {
      ready: typeof ready;
      show: typeof show;
      ask: (command: string) => Answer | null;
      learn: (backend: 'cpu' | 'gpu', pretrainSteps: number, finetuneSteps: number) => Promise<{ mode: string; losses: LearnResult['losses']; seconds: number }>;
      checkKernels: typeof checkKernels;
      cpuName: string;
    };
  }
}

window.demo = {
  ready, show, cpuName, checkKernels,
  ask: (command) => ask.ask(command),
  learn: async (backend, pre, ft) => {
    const r = learnedModel(await learn.start(backend, pre, ft));
    return { mode: r.mode, losses: r.losses, seconds: r.seconds };
  },
};
