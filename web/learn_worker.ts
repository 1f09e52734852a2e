// The Web Worker of "Watch it learn": the walkthrough's stages at browser size (web/walkthrough.ts),
// off the page's thread so the page stays responsive. Each stage reports what it did; training
// reports every step. At the end the model goes back to the page as a checkpoint's three files,
// which "Ask the car" loads as it loads any other (train/load_trained_bytes.ts).
import { cpuKernels } from '../engine/index.ts';
import type { Kernels } from '../engine/index.ts';
import { simdKernel } from '../engine/cpu/matmul_simd.ts';
import { FcDataset, TextStream, encodeExample } from '../data/dataset.ts';
import { userText } from '../data/format.ts';
import { loopExampleCount } from '../data/agent.ts';
import { encodeSafetensors, storedTensors } from '../model/safetensors.ts';
import type { GPT } from '../model/gpt.ts';
import { trainInMemory } from '../train/memory_trainer.ts';
import { evaluateRecords } from '../train/fc_eval.ts';
import { tokenizerFingerprint } from '../train/fc_tokenizer.ts';
import { SAMPLE_COMMANDS, finetuneSettings, pageData, pageFinetune, pagePretrain, pagePrepare, pretrainSettings } from './walkthrough.ts';
import type { FromWorker, ToWorker } from './learn_messages.ts';

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(m, transfer);
let stopRequested = false;

/**
 * MFU's denominator for the one thread a worker trains on: the browser says neither the clock nor
 * the vector units, so a core is taken as 3 GHz x 8 fp32 lanes (AVX2) x 2 (FMA) x 2 FMA units
 * (train/peakflops.ts's formula) = 96 GFLOP/s.
 */
const PEAK_FLOPS_ONE_CORE = 3e9 * 8 * 2 * 2;

async function kernelsFor(backend: 'cpu' | 'gpu'): Promise<{ kernels: Kernels; mode: string }> {
  if (backend === 'cpu') {
    const how = simdKernel === 'wasm-simd-fma' ? 'WebAssembly SIMD with FMA' : simdKernel === 'wasm-simd' ? 'WebAssembly SIMD, no FMA' : 'plain JavaScript, no WebAssembly SIMD';
    return { kernels: cpuKernels, mode: `the CPU (${how})` };
  }
  const { createGpuKernels } = await import('../engine/gpu/index.ts');
  const { kernels, device } = createGpuKernels('auto');
  return { kernels, mode: `GPU.js in ${device.mode} mode${device.note === '' ? '' : ` (${device.note})`}` };
}

/** The model as a checkpoint's files: what `npm run finetune` would have written, in memory. */
function checkpointFiles(model: GPT, iter: number, val: number, tokenizerText: string, extra: Record<string, unknown>) {
  const weights = storedTensors(model.namedParameters());
  const info = { model_config: model.config, iter_num: iter, best_val_loss: val, tokenizer: 'tokenizer.json', ...extra };
  return { checkpoint: JSON.stringify(info), model: encodeSafetensors(weights, { format: 'pt' }), tokenizer: tokenizerText };
}

async function run(msg: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  stopRequested = false;
  const { kernels, mode } = await kernelsFor(msg.backend);
  post({ type: 'backend', mode });

  let t0 = performance.now();
  const data = pageData(pagePrepare);
  const loopExamples = loopExampleCount(data.train);
  const ex = encodeExample(data.tokenizer, data.train[0]);
  post({ type: 'mask', tokens: Array.from(ex.ids, (id) => data.tokenizer.tokenText(id)), learn: Array.from(ex.learn) });
  post({ type: 'stage', stage: 'data', text: `generated ${data.train.length} training examples (${loopExamples} of them Thought -> Act -> Observe) and ${data.val.length} validation examples, and trained a byte-level BPE tokenizer of ${data.tokenizer.vocabSize} tokens, in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    examples: data.train.slice(0, 3).map((r) => ({ user: userText(r), assistant: r.assistant.trim() })) });


  const common = { kernels, peakFlops: PEAK_FLOPS_ONE_CORE, between: () => new Promise<void>((r) => setTimeout(r, 0)), stopped: () => stopRequested };
  t0 = performance.now();
  const pre = await trainInMemory(pretrainSettings(msg.pretrainSteps), new TextStream(data.tokenizer, data.train, data.val, pagePretrain.block_size), {
    ...common, onStep: (s) => post({ type: 'step', stage: 'pretrain', step: s }), onEval: (e) => post({ type: 'eval', stage: 'pretrain', point: e }),
  });
  post({ type: 'stage', stage: 'pretrain', text: `pretrained ${pre.losses.length} steps in ${pre.seconds.toFixed(1)} s: loss ${pre.losses[0]?.toFixed(3)} -> ${pre.losses.at(-1)?.toFixed(3)}`, losses: pre.losses });

  const ds = new FcDataset(data.tokenizer, data.train, data.val, pageFinetune.block_size);
  const ft = await trainInMemory(finetuneSettings(msg.finetuneSteps), ds, {
    ...common, from: pre.model, onStep: (s) => post({ type: 'step', stage: 'finetune', step: s }), onEval: (e) => post({ type: 'eval', stage: 'finetune', point: e }),
  });
  post({ type: 'stage', stage: 'finetune', text: `fine-tuned ${ft.losses.length} steps in ${ft.seconds.toFixed(1)} s: loss ${ft.losses[0]?.toFixed(3)} -> ${ft.losses.at(-1)?.toFixed(3)} (answers only: the prompt is masked)`, losses: ft.losses });

  t0 = performance.now();
  const report = evaluateRecords(ft.model, data.tokenizer, data.val.slice(0, SAMPLE_COMMANDS), { decoding: 'copy' });
  post({ type: 'samples', exact: report.exact, n: report.n, seconds: (performance.now() - t0) / 1000, rows: report.rows.map((r) => ({ user: r.user, expected: JSON.stringify(r.expected), predicted: r.raw.trim(), ok: r.ok })) });

  const files = checkpointFiles(ft.model, ft.losses.length, ft.evals.at(-1)?.val ?? Infinity, data.tokenizer.toText(), {
    stage: 'finetune', tokenizer_sha256: tokenizerFingerprint(data.tokenizer), loop_examples: loopExamples,
  });
  post({ type: 'done', files }, [files.model.buffer as ArrayBuffer]);
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  if (e.data.type === 'stop') {
    stopRequested = true;
    return;
  }
  run(e.data).catch((err: Error) => post({ type: 'error', message: err.message, stack: err.stack ?? '' }));
};
