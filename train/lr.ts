// The learning-rate schedule of nanoGPT: linear warmup, cosine decay, then a floor.
//
//   it < warmup:              lr * (it + 1) / (warmup + 1)
//   it > lr_decay_iters:      min_lr
//   otherwise:                min_lr + 0.5 * (1 + cos(pi * r)) * (lr - min_lr),  r = (it - warmup) / (decay - warmup)
export interface LrSchedule {
  learning_rate: number;
  min_lr: number;
  warmup_iters: number;
  lr_decay_iters: number;
  decay_lr: boolean;
}

export function getLr(it: number, s: LrSchedule): number {
  if (!s.decay_lr) return s.learning_rate;
  if (it < s.warmup_iters) return (s.learning_rate * (it + 1)) / (s.warmup_iters + 1);
  if (it > s.lr_decay_iters) return s.min_lr;
  const ratio = (it - s.warmup_iters) / Math.max(1, s.lr_decay_iters - s.warmup_iters);
  const coeff = 0.5 * (1 + Math.cos(Math.PI * ratio));
  return s.min_lr + coeff * (s.learning_rate - s.min_lr);
}
