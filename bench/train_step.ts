// End to end: a training step (forward + backward + clip + AdamW, or Muon as the walkthrough fine-tunes) on a GPT, in tokens/s and MFU,
// with one thread and with data-parallel workers; and greedy decoding speed with the KV cache.
import { manualSeed, GradScaler, withEngine, cpuKernels } from '../engine/index.ts';
import type { Dtype } from '../engine/index.ts';
import { GPT } from '../model/gpt.ts';
import type { GPTConfig } from '../model/config.ts';
import { generate } from '../model/generate.ts';
import { DataParallel } from '../train/parallel.ts';
import { trainStep } from '../train/step.ts';
import type { Batch } from '../data/batch.ts';
import { generateRecords } from '../data/generator.ts';
import { FcDataset } from '../data/dataset.ts';
import { makeRng } from '../engine/random.ts';
import { estimateCpuPeakFlops } from '../train/peakflops.ts';
import { defaultFinetuneConfig } from '../train/stage_config.ts';
import { trainFcTokenizer } from '../train/fc_data.ts';

export interface StepRow {
  name: string;
  config: string;
  workers: number;
  dtype: Dtype;
  /** peak bytes of activations kept for backward during a step (all threads) */
  saved_bytes: number;
  tokens_per_s: number;
  ms_per_step: number;
  mfu_percent: number;
}

/**
 * finetune: batches of generated function-calling examples, masked and packed as in `npm run finetune`;
 * optimizer: 'adamw' (the default) or 'muon' (engine/muon.ts)
 */
export type StepModel = GPTConfig & { batch: number; finetune?: boolean; optimizer?: 'adamw' | 'muon' };
export const REFERENCE: StepModel = { vocab_size: 512, block_size: 128, n_layer: 4, n_head: 4, n_embd: 128, dropout: 0, bias: true, batch: 8 };
/** The model and batch of `npm run train`'s fine-tuning, read from its defaults so the two cannot drift apart. */
const ft = defaultFinetuneConfig;
export const WALKTHROUGH: StepModel = {
  vocab_size: ft.vocab_size, block_size: ft.block_size, n_layer: ft.n_layer, n_head: ft.n_head, n_embd: ft.n_embd, dropout: 0, bias: ft.bias, batch: ft.batch_size,
};
export const WALKTHROUGH_FINETUNE: StepModel = { ...WALKTHROUGH, finetune: true, optimizer: ft.optimizer };

/** B rows of arbitrary tokens, every position a target: the LM step's batch (bench/compare_trees.ts times it too). */
export function randomBatch(cfg: StepModel, B: number, seed: number): Batch {
  const T = cfg.block_size;
  const idx = Int32Array.from({ length: B * T }, (_, i) => (i * 7919 + seed * 104729) % cfg.vocab_size);
  const targets = Int32Array.from({ length: B * T }, (_, i) => (i * 6151 + seed) % cfg.vocab_size);
  return { idx, targets, B, T };
}

/** Batches of the walkthrough's fine-tuning: 2,000 generated examples and a tokenizer trained on them. */
function finetuneBatches(cfg: StepModel): (B: number, seed: number) => Batch {
  const records = generateRecords(2000, 'bench');
  const tok = trainFcTokenizer(records, cfg.vocab_size);
  const data = new FcDataset(tok, records, records.slice(0, 10), cfg.block_size);
  return (B, seed) => data.getBatch('train', B, makeRng(`bench/${seed}`));
}

/**
 * The trainer's step (train/step.ts): forward + backward (loss scaled in float16), unscale, clip,
 * AdamW (or Muon + AdamW), timed over `steps`. `warmup` steps run untimed first: one is enough to
 * start the workers, not to reach the speed of a long run. V8 optimises each thread's hot functions
 * only after they have run a while: on a 2-core AMD EPYC VM the 2-thread fine-tune step took 118 ms
 * timed after 1 warm-up step and 92 ms after 10, which is what the trainer's thousands of steps see.
 */
export async function trainStepRow(name: string, cfg: StepModel, workers: number, steps: number, dtype: Dtype = 'float32', warmup = 1): Promise<StepRow> {
  // the CPU kernels and this storage dtype for the row, as the trainer sets them for a run
  return withEngine({ kernels: cpuKernels, dtype }, () => stepRow(name, cfg, workers, steps, dtype, warmup));
}

async function stepRow(name: string, cfg: StepModel, workers: number, steps: number, dtype: Dtype, warmup: number): Promise<StepRow> {
  manualSeed(0);
  const model = new GPT(cfg);
  const opt = model.configureOptimizers(0.1, 1e-3, [0.9, 0.99], cfg.optimizer ?? 'adamw');
  const scaler = new GradScaler({ enabled: dtype === 'float16' });
  const parallel = workers > 1 ? new DataParallel(model, workers, 0) : null;
  if (parallel !== null) opt.shareUpdates(parallel.runUpdates); // as the trainer does
  const nextBatch = cfg.finetune ? finetuneBatches(cfg) : (B: number, seed: number) => randomBatch(cfg, B, seed);
  let [savedPeak, tokens, flops] = [0, 0, 0];
  // the trainer's own step (train/step.ts), with its grad_clip of 1
  const step = async (s: number) => {
    const r = await trainStep(model, opt, scaler, [nextBatch(cfg.batch, s)], 1, parallel);
    savedPeak = r.savedPeak;
    tokens += r.tokens;
    flops += r.flops;
  };
  try {
    for (let s = 0; s < warmup; s++) await step(s); // warm up (worker start, JIT)
    [tokens, flops] = [0, 0];
    const t0 = performance.now();
    for (let s = warmup; s < warmup + steps; s++) await step(s);
    const seconds = (performance.now() - t0) / 1000;
    // tokens: the batches' B x T (padding included, as the trainer logs them); MFU: the FLOPs of
    // the positions computed (fewer when a fine-tuning batch is packed)
    return {
      name, workers, dtype, saved_bytes: savedPeak, config: `vocab ${cfg.vocab_size}, block ${cfg.block_size}, ${cfg.n_layer}L ${cfg.n_head}H ${cfg.n_embd}C, batch ${cfg.batch}${cfg.finetune ? ', generated examples' : ''}${cfg.optimizer === 'muon' ? ', Muon' : ''}`,
      tokens_per_s: tokens / seconds, ms_per_step: (seconds / steps) * 1000, mfu_percent: (100 * flops) / seconds / estimateCpuPeakFlops().flops,
    };
  } finally {
    await parallel?.close();
  }
}

/** Greedy decoding with the KV cache: new tokens per second for a batch of prompts. */
export function decodeRow(cfg: GPTConfig, prompts: number, promptLength: number, newTokens: number): { tokens_per_s: number; config: string } {
  manualSeed(0);
  const model = new GPT(cfg);
  const ps = Array.from({ length: prompts }, (_, b) => Array.from({ length: promptLength }, (_, i) => (b * 31 + i * 17) % cfg.vocab_size));
  generate(model, ps.slice(0, 2), 4, { temperature: 0 }); // warm up
  const t0 = performance.now();
  const out = generate(model, ps, newTokens, { temperature: 0 });
  const dt = (performance.now() - t0) / 1000;
  const produced = out.reduce((n, o) => n + o.length, 0);
  return { tokens_per_s: produced / dt, config: `${prompts} prompts x ${promptLength} tokens, ${newTokens} new each` };
}
