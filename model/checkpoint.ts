// Checkpoints: a directory holding
//   model.safetensors      the weights under GPT-2 names, Linear weights (out, in)
//   optimizer.safetensors  AdamW's moments: "<param>.exp_avg", "<param>.exp_avg_sq"
//   checkpoint.json        model config, train config, iteration, best val loss, RNG state, ...
//   adapter_model.safetensors + adapter_config.json   LoRA adapters alone (PEFT's names), if any
//
// Saving is atomic per file (write "<file>.tmp", fsync, rename), the json last. All three carry
// the same save id, so a checkpoint whose files come from different saves (a kill in the
// microseconds between renames) is reported, never loaded half-old, half-new.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AdamW } from '../engine/index.ts';
import type { GPTConfig } from './config.ts';
import { GPT } from './gpt.ts';
import { encodeSafetensors, readSafetensors } from './safetensors.ts';
import type { StoredTensor } from './safetensors.ts';
import type { LoraConfig } from './lora.ts';

export interface CheckpointInfo {
  model_config: GPTConfig;
  train_config?: Record<string, unknown>;
  iter_num: number;
  best_val_loss: number;
  rng_state?: unknown;
  tokenizer?: string;
  save_id?: string;
  lora?: LoraConfig | null;
  [key: string]: unknown;
}

function writeAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function saveCheckpoint(dir: string, model: GPT, optimizer: AdamW | null, info: CheckpointInfo): void {
  mkdirSync(dir, { recursive: true });
  const saveId = `${Date.now().toString(36)}-${process.pid}-${Math.floor(performance.now() * 1000).toString(36)}`;
  const meta = { format: 'pt', save_id: saveId };
  const weights = new Map<string, StoredTensor>();
  for (const [name, t] of model.namedParameters()) weights.set(name, { shape: t.shape, data: t.data });
  const moments = new Map<string, StoredTensor>();
  const steps: Record<string, number> = {};
  if (optimizer !== null) {
    for (const [name, t] of model.allNamedTensors()) {
      const s = optimizer.state.get(t);
      if (s === undefined) continue;
      moments.set(`${name}.exp_avg`, { shape: t.shape, data: s.m });
      moments.set(`${name}.exp_avg_sq`, { shape: t.shape, data: s.v });
      steps[name] = s.step;
    }
  }
  writeAtomic(join(dir, 'optimizer.safetensors'), encodeSafetensors(moments, { ...meta, steps: JSON.stringify(steps) }));
  writeAtomic(join(dir, 'model.safetensors'), encodeSafetensors(weights, meta));
  if (model.lora !== null) saveAdapters(dir, model, saveId);
  writeAtomic(join(dir, 'checkpoint.json'), JSON.stringify({ ...info, lora: model.lora, save_id: saveId }, null, 2) + '\n');
}

/** The LoRA adapters alone: adapter_model.safetensors (PEFT names) and adapter_config.json. */
export function saveAdapters(dir: string, model: GPT, saveId = ''): void {
  if (model.lora === null) throw new Error('lora: this model has no adapters to save');
  mkdirSync(dir, { recursive: true });
  const merged = [...model.namedLinears().values()].some((l) => l.lora?.merged);
  if (merged) throw new Error('lora: unmerge the adapters (mergeLora(false)) before saving them');
  const tensors = new Map<string, StoredTensor>();
  for (const [name, t] of model.namedAdapters()) tensors.set(name, { shape: t.shape, data: t.data });
  writeAtomic(join(dir, 'adapter_model.safetensors'), encodeSafetensors(tensors, { format: 'pt', save_id: saveId }));
  const { rank, alpha, dropout, targets } = model.lora;
  writeAtomic(join(dir, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: rank, lora_alpha: alpha, lora_dropout: dropout, target_modules: targets }, null, 2) + '\n');
}

/** Put saved adapters onto a (base) model: applies LoRA with the saved settings, then loads A and B. */
export function loadAdapters(model: GPT, dir: string): void {
  const configPath = join(dir, 'adapter_config.json');
  if (!existsSync(configPath)) throw new Error(`lora: no adapter_config.json in ${dir}`);
  const c = JSON.parse(readFileSync(configPath, 'utf8')) as { r: number; lora_alpha: number; lora_dropout: number; target_modules: string[] };
  model.applyLora({ rank: c.r, alpha: c.lora_alpha, dropout: c.lora_dropout, targets: c.target_modules });
  const path = join(dir, 'adapter_model.safetensors');
  const file = readSafetensors(path);
  for (const [name, t] of model.namedAdapters()) {
    const stored = file.tensors.get(name);
    if (stored === undefined) throw new Error(`lora: ${path} has no tensor '${name}'`);
    if (stored.shape.join(',') !== t.shape.join(',')) throw new Error(`lora: ${path}: tensor '${name}' has shape [${stored.shape}] but the model needs [${t.shape}]`);
    t.data.set(stored.data);
  }
}

export function readCheckpointInfo(dir: string): CheckpointInfo {
  const path = join(dir, 'checkpoint.json');
  if (!existsSync(path)) throw new Error(`checkpoint: no checkpoint.json in ${dir} (train a model first, or check --out_dir)`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as CheckpointInfo;
  } catch (e) {
    throw new Error(`checkpoint: ${path} is not valid JSON (${(e as Error).message})`);
  }
}

/** Copy stored weights into a model, checking that every tensor is there with the right shape. */
export function loadWeights(model: GPT, tensors: Map<string, StoredTensor>, source: string): void {
  for (const [name, param] of model.namedParameters()) {
    const stored = tensors.get(name);
    if (stored === undefined) throw new Error(`checkpoint: ${source} has no tensor '${name}'`);
    if (stored.shape.join(',') !== param.shape.join(',')) {
      throw new Error(`checkpoint: ${source}: tensor '${name}' has shape [${stored.shape}] but the config needs [${param.shape}]`);
    }
    param.data.set(stored.data);
  }
}

export interface LoadedCheckpoint {
  model: GPT;
  info: CheckpointInfo;
}

/** Rebuild the model of a checkpoint directory from its config and weights. */
export function loadCheckpoint(dir: string): LoadedCheckpoint {
  const info = readCheckpointInfo(dir);
  const path = join(dir, 'model.safetensors');
  const file = readSafetensors(path);
  if (info.save_id !== undefined && file.metadata.save_id !== undefined && file.metadata.save_id !== info.save_id) {
    throw new Error(`checkpoint: ${path} and checkpoint.json come from different saves (an interrupted save?)`);
  }
  const model = new GPT(info.model_config);
  loadWeights(model, file.tensors, path);
  if (info.lora) loadAdapters(model, dir);
  return { model, info };
}

/** Restore AdamW's moments and step counts for `model`'s parameters. */
export function loadOptimizerState(dir: string, model: GPT, optimizer: AdamW): void {
  const path = join(dir, 'optimizer.safetensors');
  const file = readSafetensors(path);
  const steps = JSON.parse(file.metadata.steps ?? '{}') as Record<string, number>;
  for (const [name, t] of model.allNamedTensors()) {
    const m = file.tensors.get(`${name}.exp_avg`);
    const v = file.tensors.get(`${name}.exp_avg_sq`);
    if (m === undefined || v === undefined) continue; // never stepped
    if (m.data.length !== t.size || v.data.length !== t.size) throw new Error(`checkpoint: ${path}: moments of '${name}' do not match its shape [${t.shape}]`);
    optimizer.state.set(t, { m: Float32Array.from(m.data), v: Float32Array.from(v.data), step: steps[name] ?? 0 });
  }
}
