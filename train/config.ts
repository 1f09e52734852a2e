// Training configuration, like nanoGPT's train.py globals: a typed object of defaults that any
// `--key=value` on the command line overrides. Values are checked against the default's type,
// and an unknown key is an error that lists the valid ones.
import { DTYPES } from '../engine/precision.ts';
import { GPU_MODES } from '../engine/gpu/modes.ts';

export interface TrainConfig {
  // I/O
  out_dir: string;
  /** scratch: new model | resume: continue out_dir's checkpoint | pretrained: start from pretrained_dir's weights */
  init_from: string;
  pretrained_dir: string;
  eval_interval: number;
  eval_iters: number;
  log_interval: number;
  /** write a samples file every this many iterations (0 = never) */
  sample_interval: number;
  always_save_checkpoint: boolean;
  // data
  batch_size: number;
  gradient_accumulation_steps: number;
  block_size: number;
  // model
  n_layer: number;
  n_head: number;
  n_embd: number;
  dropout: number;
  bias: boolean;
  // optimizer: 'adamw', or 'muon' for the blocks' weight matrices and AdamW for the rest (engine/muon.ts)
  optimizer: string;
  learning_rate: number;
  max_iters: number;
  weight_decay: number;
  beta1: number;
  beta2: number;
  /** clip gradients at this global norm, 0 = off */
  grad_clip: number;
  // learning-rate schedule: linear warmup, then cosine decay to min_lr
  decay_lr: boolean;
  warmup_iters: number;
  lr_decay_iters: number;
  min_lr: number;
  // system
  seed: number;
  /** FLOP/s the MFU is measured against; 0 = estimate this CPU's fp32 peak (train/peakflops.ts) */
  peak_flops: number;
  /** stop (and save) after this many seconds of training, 0 = no limit: for slow machines */
  max_seconds: number;
  /** threads training in parallel on shards of each batch (train/parallel.ts); 1 = this thread only */
  workers: number;
  /** cpu: typed-array kernels (engine/cpu) | gpu: GPU.js kernels (engine/gpu) */
  device: string;
  /** with device=gpu: auto | headlessgl | webgpu | webasm | cpu (GPU.js's own modes) */
  gpu_mode: string;
  // mixed precision (engine/precision.ts, engine/grad_scaler.ts)
  /** float32 | float16 | bfloat16: how matmul inputs and the activations kept for backward are stored */
  dtype: string;
  /** dynamic loss scaling: auto (on for float16 only), true or false */
  loss_scaling: string;
  init_scale: number;
  growth_factor: number;
  backoff_factor: number;
  growth_interval: number;
  // LoRA (model/lora.ts): freeze the model, train low-rank adapters on these layers
  lora: boolean;
  lora_targets: string;
  lora_rank: number;
  lora_alpha: number;
  lora_dropout: number;
}

/**
 * nanoGPT's defaults, scaled to a laptop CPU the way its shakespeare_char config scales GPT-2
 * (small model, short context, higher learning rate, beta2 0.99 for few tokens per step).
 */
export const defaultTrainConfig: TrainConfig = {
  out_dir: 'out',
  init_from: 'scratch',
  pretrained_dir: '',
  eval_interval: 250,
  eval_iters: 20,
  log_interval: 10,
  sample_interval: 0,
  // as nanoGPT: save at every eval (the latest model), not only when the noisy val estimate improves
  always_save_checkpoint: true,
  batch_size: 16,
  gradient_accumulation_steps: 1,
  block_size: 128,
  n_layer: 4,
  n_head: 4,
  n_embd: 128,
  dropout: 0,
  bias: true,
  optimizer: 'adamw',
  learning_rate: 1e-3,
  max_iters: 2000,
  weight_decay: 0.1,
  beta1: 0.9,
  beta2: 0.99,
  grad_clip: 1.0,
  decay_lr: true,
  warmup_iters: 100,
  lr_decay_iters: 2000,
  min_lr: 1e-4,
  seed: 1337,
  peak_flops: 0,
  max_seconds: 0,
  workers: 1,
  device: 'cpu',
  gpu_mode: 'auto',
  dtype: 'float32',
  loss_scaling: 'auto',
  init_scale: 65536,
  growth_factor: 2,
  backoff_factor: 0.5,
  growth_interval: 2000,
  lora: false,
  lora_targets: 'c_attn,c_proj,c_fc',
  lora_rank: 8,
  lora_alpha: 16,
  lora_dropout: 0.05,
};

export type ConfigValue = string | number | boolean;

/**
 * Apply `--key=value` arguments to a copy of `defaults`. Every key must exist in defaults; the
 * value must parse as the default's type. A bare `--key` sets a boolean to true. Non-flag
 * arguments are an error too.
 */
export function parseOverrides<T extends object>(defaults: T, argv: string[]): T {
  const config = { ...defaults } as Record<string, ConfigValue>;
  const valid = Object.keys(defaults);
  for (const arg of argv) {
    const bare = /^--([A-Za-z_][A-Za-z0-9_]*)$/.exec(arg);
    if (bare !== null && typeof config[bare[1]] === 'boolean') {
      config[bare[1]] = true;
      continue;
    }
    const m = /^--([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(arg);
    if (m === null) throw new Error(`config: expected --key=value, got '${arg}'. Valid keys: ${valid.join(', ')}`);
    const [, key, raw] = m;
    if (!(key in config)) throw new Error(`config: unknown key '${key}'. Valid keys: ${valid.join(', ')}`);
    config[key] = parseValue(key, raw, config[key]);
  }
  return config as T;
}

function parseValue(key: string, raw: string, current: ConfigValue): ConfigValue {
  switch (typeof current) {
    case 'number': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) throw new Error(`config: ${key} must be a number, got '${raw}'`);
      return v;
    }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw new Error(`config: ${key} must be true or false, got '${raw}'`);
      return raw === 'true';
    default:
      return raw;
  }
}

/** Check values that have a fixed set of choices or a range. */
export function validateTrainConfig(c: TrainConfig): void {
  if (!['scratch', 'resume', 'pretrained'].includes(c.init_from)) {
    throw new Error(`config: init_from must be scratch, resume or pretrained, got '${c.init_from}'`);
  }
  if (c.init_from === 'pretrained' && c.pretrained_dir === '') throw new Error('config: init_from=pretrained needs --pretrained_dir=DIR');
  for (const key of ['batch_size', 'gradient_accumulation_steps', 'block_size', 'eval_iters', 'log_interval', 'eval_interval', 'workers'] as const) {
    if (!Number.isInteger(c[key]) || c[key] <= 0) throw new Error(`config: ${key} must be a positive integer, got ${c[key]}`);
  }
  if (!['adamw', 'muon'].includes(c.optimizer)) throw new Error(`config: optimizer must be adamw or muon, got '${c.optimizer}'`);
  if (!['cpu', 'gpu'].includes(c.device)) throw new Error(`config: device must be cpu or gpu, got '${c.device}'`);
  if (!(GPU_MODES as readonly string[]).includes(c.gpu_mode)) throw new Error(`config: gpu_mode must be one of ${GPU_MODES.join(', ')}, got '${c.gpu_mode}'`);
  if (!(DTYPES as readonly string[]).includes(c.dtype)) throw new Error(`config: dtype must be one of ${DTYPES.join(', ')}, got '${c.dtype}'`);
  if (!['auto', 'true', 'false'].includes(c.loss_scaling)) throw new Error(`config: loss_scaling must be auto, true or false, got '${c.loss_scaling}'`);
  if (!Number.isInteger(c.max_iters) || c.max_iters < 0) throw new Error(`config: max_iters must be a non-negative integer, got ${c.max_iters}`);
}

/** Whether the loss is scaled: loss_scaling=auto turns it on for float16 only (bfloat16 has float32's range). */
export function usesLossScaling(c: TrainConfig): boolean {
  return c.loss_scaling === 'auto' ? c.dtype === 'float16' : c.loss_scaling === 'true';
}
