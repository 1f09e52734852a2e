// The trainer's loop in memory: no files, no signals, no threads. What the page's Web Worker runs
// (web/learn_worker.ts): the same steps as train/trainer.ts for the same settings, so the same
// losses for the same seed (train/memory_trainer.test.ts checks it against train()):
//
//   seed the stream, build the model (or continue one: a fine-tune of a pretrained model), then
//   for each iteration: lr from the schedule, an eval every eval_interval, gradient_accumulation_steps
//   fresh batches from the training stream, one trainStep (train/step.ts).
//
// A checkpoint is the caller's business: the model is returned, and stays in memory.
import { cpuKernels, manualSeed, withEngine } from '../engine/index.ts';
import type { Kernels } from '../engine/index.ts';
import { random } from '../engine/random.ts';
import { GPT } from '../model/gpt.ts';
import type { BatchSource } from '../data/batch.ts';
import type { TrainConfig } from './config.ts';
import { validateTrainConfig } from './config.ts';
import { getLr } from './lr.ts';
import { trainStep } from './step.ts';
import { estimateLoss } from './estimate_loss.ts';
import { fitToRun, gradScalerFor, modelConfigFor, smoothedMfu } from './run_parts.ts';
import type { EvalPoint } from './trainer.ts';

export interface StepReport {
  iter: number;
  loss: number;
  lr: number;
  ms: number;
  tokensPerSecond: number;
  /** FLOPs done / (seconds x peakFlops), as the trainer's log (train/trainer.ts) */
  mfu: number;
}

export interface MemoryTrainOptions {
  /** the kernels every op runs on (engine/cpu by default; engine/gpu's GPU.js kernels) */
  kernels?: Kernels;
  /** a trained model to go on from, as init_from=pretrained does with a checkpoint (the page: pretraining, then fine-tuning) */
  from?: GPT;
  /** the machine's peak FLOP/s, MFU's denominator */
  peakFlops: number;
  onStep?: (s: StepReport) => void;
  onEval?: (e: EvalPoint) => void;
  /** awaited between iterations: lets a worker read its messages (a stop) */
  between?: () => Promise<void>;
  /** asked between iterations: true stops the run there */
  stopped?: () => boolean;
}

export interface MemoryTrainResult {
  model: GPT;
  losses: number[];
  evals: EvalPoint[];
  seconds: number;
}

/** The model a run starts from: a new one, seeded, or `from` re-seeded with the run's dropout and block size (trainer.ts initModel). */
function startModel(cfg: TrainConfig, vocabSize: number, from?: GPT): GPT {
  manualSeed(cfg.seed);
  if (from === undefined) return new GPT(modelConfigFor(cfg, vocabSize));
  if (from.config.vocab_size !== vocabSize) throw new Error(`train: the model has vocab_size ${from.config.vocab_size} but the data's tokenizer has ${vocabSize} tokens`);
  fitToRun(from, cfg);
  return from;
}

export async function trainInMemory(cfg: TrainConfig, data: BatchSource, opts: MemoryTrainOptions): Promise<MemoryTrainResult> {
  validateTrainConfig(cfg);
  if (cfg.lora) throw new Error('train: LoRA is not offered in memory (fine-tune the whole model)');
  const run = async (): Promise<MemoryTrainResult> => {
    const started = performance.now();
    const model = startModel(cfg, data.vocabSize, opts.from);
    const opt = model.configureOptimizers(cfg.weight_decay, cfg.learning_rate, [cfg.beta1, cfg.beta2], cfg.optimizer);
    const scaler = gradScalerFor(cfg);
    const losses: number[] = [];
    const evals: EvalPoint[] = [];
    let runningMfu = -1;
    model.train();
    for (let iter = 0; ; iter++) {
      await opts.between?.();
      if (opts.stopped?.()) break;
      const lr = getLr(iter, cfg);
      opt.lr = lr;
      if (iter % cfg.eval_interval === 0 || iter === cfg.max_iters) {
        const point = { iter, ...estimateLoss(model, data, cfg, iter) };
        evals.push(point);
        opts.onEval?.(point);
      }
      if (iter >= cfg.max_iters) break;
      const t0 = performance.now();
      const batches = Array.from({ length: cfg.gradient_accumulation_steps }, () => data.getBatch('train', cfg.batch_size, random));
      const { loss, tokens, flops } = await trainStep(model, opt, scaler, batches, cfg.grad_clip);
      const dt = (performance.now() - t0) / 1000;
      if (!Number.isFinite(loss) && !scaler.enabled) throw new Error(`train: the training loss is ${loss} at iteration ${iter}: training diverged; try a lower learning rate (now ${cfg.learning_rate})`);
      losses.push(loss);
      const mfu = flops / dt / opts.peakFlops;
      runningMfu = smoothedMfu(runningMfu, mfu);
      opts.onStep?.({ iter, loss, lr, ms: dt * 1000, tokensPerSecond: tokens / dt, mfu: runningMfu });
    }
    model.eval();
    return { model, losses, evals, seconds: (performance.now() - started) / 1000 };
  };
  // every op of this run uses these kernels and this storage dtype, as in train()
  return withEngine({ kernels: opts.kernels ?? cpuKernels, dtype: cfg.dtype }, run);
}
