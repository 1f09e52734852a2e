// Training configuration, like nanoGPT's train.py globals: a typed object of defaults that any
// `--key=value` on the command line overrides. Values are checked against the default's type,
// a setting with a fixed set of values (SETTING_CHOICES) against that set, and an unknown key is
// an error that lists the valid ones.
import { DTYPES } from '../engine/precision.ts';
import type { Dtype } from '../engine/precision.ts';
import { GPU_MODES } from '../engine/gpu/modes.ts';
import type { GpuMode } from '../engine/gpu/modes.ts';
import { TOKENIZER_PATTERNS } from '../data/tokenizer.ts';
import type { ModelShape } from '../model/config.ts';

export const INIT_FROM = ['scratch', 'resume', 'pretrained'] as const;
export const OPTIMIZERS = ['adamw', 'muon'] as const;
export const DEVICES = ['cpu', 'gpu'] as const;
export const LOSS_SCALING = ['auto', 'true', 'false'] as const;
/**
 * How answers are decoded (greedy in all three). free: the model's most likely token, always.
 * schema: the most likely token that keeps the answer a valid call of the API. copy: schema, and
 * free-text values (destination, track) copied from the command, ended where the model more
 * likely than not ends them (train/fc_eval.ts constrainedPick, data/call_grammar.ts).
 */
export const DECODINGS = ['free', 'schema', 'copy'] as const;
export type Decoding = (typeof DECODINGS)[number];
/** What npm run export writes (train/export.ts): Hugging Face's GPT-2 files, or nanoGPT's. */
export const EXPORT_FORMATS = ['hf', 'nanogpt'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Every setting, in any script, that takes one of a fixed set of values: the parser refuses others. */
export const SETTING_CHOICES: Record<string, readonly string[]> = {
  init_from: INIT_FROM, optimizer: OPTIMIZERS, device: DEVICES, gpu_mode: GPU_MODES, dtype: DTYPES, loss_scaling: LOSS_SCALING,
  decoding: DECODINGS, tokenizer_pattern: TOKENIZER_PATTERNS, format: EXPORT_FORMATS,
};

/** Every setting of a run; the model's shape (block_size, n_layer, n_head, n_embd, dropout, bias) is model/config.ts's. */
export interface TrainConfig extends ModelShape {
  // I/O
  out_dir: string;
  /** scratch: new model | resume: continue out_dir's checkpoint | pretrained: start from pretrained_dir's weights */
  init_from: (typeof INIT_FROM)[number];
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
  // optimizer: 'adamw', or 'muon' for the blocks' weight matrices and AdamW for the rest (engine/muon.ts)
  optimizer: (typeof OPTIMIZERS)[number];
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
  /** threads training in parallel on shards of each batch (train/parallel.ts); 1 = this thread only, 0 = one per core (at most train/step.ts's SHARDS) */
  workers: number;
  /** cpu: typed-array kernels (engine/cpu) | gpu: GPU.js kernels (engine/gpu) */
  device: (typeof DEVICES)[number];
  /** with device=gpu: auto | headlessgl | webasm | cpu (GPU.js's own modes; engine/gpu/modes.ts says why not webgpu) */
  gpu_mode: GpuMode;
  // mixed precision (engine/precision.ts, engine/grad_scaler.ts)
  /** float32 | float16 | bfloat16: how matmul inputs and the activations kept for backward are stored */
  dtype: Dtype;
  /** dynamic loss scaling: auto (on for float16 only), true or false */
  loss_scaling: (typeof LOSS_SCALING)[number];
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
  // only a model with a lower val loss replaces the checkpoint (nanoGPT's small-data configs);
  // true saves the latest at every eval, as nanoGPT's default does, even when it is worse
  always_save_checkpoint: false,
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
    const choices = SETTING_CHOICES[key];
    if (choices !== undefined && !choices.includes(raw)) throw new Error(`config: --${key} must be one of ${choices.join(', ')}, got '${raw}'`);
  }
  return config as T;
}

/** The keys a command line sets (--key=value or a bare --flag), in order. */
export function givenKeys(argv: string[]): string[] {
  return argv.map((a) => /^--([A-Za-z_][A-Za-z0-9_]*)/.exec(a)?.[1]).filter((k): k is string => k !== undefined);
}

/**
 * --init_from=resume continues a run as it was started: the settings saved in its checkpoint
 * (train_config) replace the defaults, and the command line's replace both. Returns the config and
 * which settings came from where, for the log.
 */
export function resumeOverrides<T extends object>(defaults: T, saved: Record<string, unknown>, argv: string[]): { config: T; fromCheckpoint: string[]; fromCommandLine: string[] } {
  const given = new Set(givenKeys(argv));
  const base = { ...defaults } as Record<string, ConfigValue>;
  const fromCheckpoint: string[] = [];
  for (const [key, value] of Object.entries(saved)) {
    // init_from and out_dir say where this run starts, not how the first one did
    if (!(key in base) || given.has(key) || key === 'init_from' || key === 'out_dir' || typeof value !== typeof base[key]) continue;
    if (value !== base[key]) fromCheckpoint.push(`${key}=${value}`);
    base[key] = value as ConfigValue;
  }
  const config = parseOverrides(base as T, argv);
  const fromCommandLine = argv.map((a) => a.replace(/^--/, ''));
  return { config, fromCheckpoint, fromCommandLine };
}

/** Settings counted in iterations: when a run is made longer or shorter, they follow it. */
const PER_RUN_KEYS = ['eval_interval', 'sample_interval', 'warmup_iters', 'lr_decay_iters'] as const;

/**
 * `--max_iters=N` alone: the evals, samples, warmup and decay keep their share of the run (a
 * default eval every 625 of 2500 iterations becomes one every 8 of 30), unless given too.
 * Returns the config and what was scaled, for the log.
 */
export function scaleWithMaxIters<T extends TrainConfig>(defaults: T, cfg: T, argv: string[]): { config: T; scaled: string[] } {
  const given = new Set(givenKeys(argv));
  if (!given.has('max_iters') || cfg.max_iters === defaults.max_iters || defaults.max_iters <= 0) return { config: cfg, scaled: [] };
  const ratio = cfg.max_iters / defaults.max_iters;
  const config = { ...cfg };
  const scaled: string[] = [];
  for (const key of PER_RUN_KEYS) {
    if (given.has(key) || defaults[key] === 0) continue; // 0 means never (sample_interval) or none (warmup): it stays
    const value = key === 'warmup_iters' ? Math.round(defaults[key] * ratio) : Math.max(1, Math.round(defaults[key] * ratio));
    config[key] = value;
    scaled.push(`${key}=${value}`);
  }
  return { config, scaled };
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

/** One-line errors for a setting out of range, named as the user typed it: --key=value. */
export class ConfigCheck {
  constructor(private readonly c: Record<string, unknown>, private readonly prefix = 'config') {}

  private fail(key: string, what: string): never {
    throw new Error(`${this.prefix}: --${key} must be ${what}, got ${JSON.stringify(this.c[key])}`);
  }

  oneOf(key: string, choices: readonly string[]): this {
    if (!choices.includes(this.c[key] as string)) this.fail(key, `one of ${choices.join(', ')}`);
    return this;
  }

  /** an integer >= min (1 unless told) */
  int(key: string, min = 1): this {
    const v = this.c[key] as number;
    if (!Number.isInteger(v) || v < min) this.fail(key, min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `an integer >= ${min}`);
    return this;
  }

  /** a number in [min, max], or [min, max) when maxOpen */
  range(key: string, min: number, max = Infinity, maxOpen = false): this {
    const v = this.c[key] as number;
    const ok = Number.isFinite(v) && v >= min && (maxOpen ? v < max : v <= max);
    if (!ok) this.fail(key, max === Infinity ? `a number >= ${min}` : `in [${min}, ${max}${maxOpen ? ')' : ']'}`);
    return this;
  }

  /** a number > min */
  above(key: string, min: number): this {
    const v = this.c[key] as number;
    if (!Number.isFinite(v) || v <= min) this.fail(key, `a number > ${min}`);
    return this;
  }
}

/**
 * Check every setting before any data is read or file written: choices, integers, ranges. A bad
 * value found after an hour of training is an hour lost.
 */
export function validateTrainConfig(c: TrainConfig): void {
  const check = new ConfigCheck(c as unknown as Record<string, unknown>);
  check.oneOf('init_from', INIT_FROM);
  if (c.init_from === 'pretrained' && c.pretrained_dir === '') throw new Error('config: init_from=pretrained needs --pretrained_dir=DIR');
  if (c.out_dir === '') throw new Error('config: --out_dir must not be empty');
  for (const key of ['batch_size', 'gradient_accumulation_steps', 'block_size', 'eval_iters', 'log_interval', 'eval_interval', 'n_layer', 'n_head', 'n_embd', 'growth_interval', 'lora_rank'] as const) check.int(key);
  for (const key of ['max_iters', 'warmup_iters', 'lr_decay_iters', 'sample_interval', 'workers'] as const) check.int(key, 0);
  if (c.n_embd % c.n_head !== 0) throw new Error(`config: --n_embd (${c.n_embd}) must be a multiple of --n_head (${c.n_head})`);
  check.oneOf('optimizer', OPTIMIZERS).oneOf('device', DEVICES).oneOf('gpu_mode', GPU_MODES).oneOf('dtype', DTYPES).oneOf('loss_scaling', LOSS_SCALING);
  check.above('learning_rate', 0).range('min_lr', 0).range('weight_decay', 0).range('grad_clip', 0);
  check.range('beta1', 0, 1, true).range('beta2', 0, 1, true).range('dropout', 0, 1, true).range('lora_dropout', 0, 1, true);
  check.range('max_seconds', 0).range('peak_flops', 0).above('lora_alpha', 0);
  check.above('init_scale', 0).above('growth_factor', 1).above('backoff_factor', 0).range('backoff_factor', 0, 1, true);
  if (!Number.isSafeInteger(c.seed)) throw new Error(`config: --seed must be an integer, got ${c.seed}`);
  if (c.decay_lr && c.min_lr > c.learning_rate) throw new Error(`config: --min_lr (${c.min_lr}) must not exceed --learning_rate (${c.learning_rate})`);
}

/** Whether the loss is scaled: loss_scaling=auto turns it on for float16 only (bfloat16 has float32's range). */
export function usesLossScaling(c: TrainConfig): boolean {
  return c.loss_scaling === 'auto' ? c.dtype === 'float16' : c.loss_scaling === 'true';
}
