// Pieces of a training run that both loops use: train/trainer.ts (Node: files, signals, threads)
// and train/memory_trainer.ts (the page's worker). Nothing here touches Node, so the page can
// import it.
import { GradScaler } from '../engine/index.ts';
import type { GPT } from '../model/gpt.ts';
import type { GPTConfig } from '../model/config.ts';
import type { TrainConfig } from './config.ts';
import { usesLossScaling } from './config.ts';

/** The model's shape a run asks for, with the data's vocabulary size. */
export function modelConfigFor(cfg: TrainConfig, vocabSize: number): GPTConfig {
  return { block_size: cfg.block_size, vocab_size: vocabSize, n_layer: cfg.n_layer, n_head: cfg.n_head, n_embd: cfg.n_embd, dropout: cfg.dropout, bias: cfg.bias };
}

/** A trained model taken on by a run: the shape stays, dropout may change (as nanoGPT allows when fine-tuning), the window may shrink. */
export function fitToRun(model: GPT, cfg: TrainConfig): void {
  model.setDropout(cfg.dropout);
  if (cfg.block_size < model.config.block_size) model.cropBlockSize(cfg.block_size);
}

/** The run's loss scaler (mixed precision, engine/grad_scaler.ts): on when the settings ask for it. */
export function gradScalerFor(cfg: TrainConfig): GradScaler {
  return new GradScaler({
    enabled: usesLossScaling(cfg), initScale: cfg.init_scale, growthFactor: cfg.growth_factor, backoffFactor: cfg.backoff_factor, growthInterval: cfg.growth_interval,
  });
}

/** The MFU a log line shows: a running mean (0.9 old, 0.1 new) that starts at the first step's. */
export function smoothedMfu(previous: number, mfu: number): number {
  return previous < 0 ? mfu : 0.9 * previous + 0.1 * mfu;
}
