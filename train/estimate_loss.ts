// The trainer's eval: mean loss over eval_iters batches per split, each split's batches drawn from
// a stream of its own (seeded by the iteration), so an eval never disturbs the training stream.
// Shared by train/trainer.ts (Node) and train/memory_trainer.ts (the page's worker).
import { makeRng, noGrad } from '../engine/index.ts';
import type { GPT } from '../model/gpt.ts';
import type { BatchSource } from '../data/batch.ts';
import type { TrainConfig } from './config.ts';

/** Mean loss over eval_iters batches per split, drawn from a stream of their own. */
export function estimateLoss(model: GPT, data: BatchSource, cfg: TrainConfig, iter: number): { train: number; val: number } {
  const wasTraining = model.training;
  model.eval();
  const out = { train: 0, val: 0 };
  noGrad(() => {
    for (const split of ['train', 'val'] as const) {
      const rng = makeRng(`${cfg.seed}/eval/${split}/${iter}`);
      let total = 0;
      for (let k = 0; k < cfg.eval_iters; k++) {
        const b = data.getBatch(split, cfg.batch_size, rng);
        total += model.forward(b.idx, b.B, b.T, b.targets).loss!.item();
      }
      out[split] = total / cfg.eval_iters;
    }
  });
  model.training = wasTraining;
  return out;
}
