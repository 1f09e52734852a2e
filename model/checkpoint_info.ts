// What a checkpoint's files hold, read from their text and bytes: checkpoint.json checked, the
// weights copied into a GPT, LoRA adapters put on. No file system here: model/checkpoint.ts reads
// the files in Node (and writes them), the page fetches them (web/ask.ts); both end here.
import { GPT } from './gpt.ts';
import type { GPTConfig } from './config.ts';
import type { SafetensorsFile, StoredTensor } from './safetensors.ts';
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
  /** sha256 of the tokenizer file the model was trained with (train/fc_pipeline.ts) */
  tokenizer_sha256?: string;
  /** fine-tuning examples in the Thought -> Act -> Observe format (data/agent.ts) */
  loop_examples?: number;
  [key: string]: unknown;
}

/** A JSON file's text (a UTF-8 BOM dropped) that must hold an object; `named` starts the error when it is not JSON, `bad` reports any other shape. */
function parseObject(text: string, named: string, bad: (what: string) => never): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new Error(`${named} is not valid JSON (${(e as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) bad('must hold a JSON object');
  return value as Record<string, unknown>;
}

const MODEL_CONFIG_KEYS = ['block_size', 'vocab_size', 'n_layer', 'n_head', 'n_embd'] as const;

/** checkpoint.json's text (from `path`), checked for what loading needs: a model config of positive integers, an iteration. */
export function parseCheckpointInfo(text: string, path: string): CheckpointInfo {
  const bad = (what: string): never => {
    throw new Error(`checkpoint: ${path}: ${what} (not a checkpoint written by this project?)`);
  };
  const info = parseObject(text, `checkpoint: ${path}`, bad) as CheckpointInfo;
  const m = info.model_config as unknown as Record<string, unknown> | undefined;
  if (m === null || typeof m !== 'object') bad('has no "model_config"');
  for (const key of MODEL_CONFIG_KEYS) {
    if (!Number.isInteger(m![key]) || (m![key] as number) < 1) bad(`"model_config.${key}" must be a positive integer, got ${JSON.stringify(m![key])}`);
  }
  if (!Number.isInteger(info.iter_num) || info.iter_num < 0) bad(`"iter_num" must be a non-negative integer, got ${JSON.stringify(info.iter_num)}`);
  if (typeof info.best_val_loss !== 'number' && info.best_val_loss !== null) bad(`"best_val_loss" must be a number, got ${JSON.stringify(info.best_val_loss)}`);
  if (info.best_val_loss === null) info.best_val_loss = Infinity; // JSON writes Infinity as null
  return info;
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

/** adapter_config.json, checked: PEFT's keys with the types we need, or one clear error. */
export function parseAdapterConfig(text: string, path: string): LoraConfig {
  const bad = (what: string): never => {
    throw new Error(`lora: ${path}: ${what}`);
  };
  const c = parseObject(text, `lora: ${path}`, bad);
  if (!Number.isInteger(c.r) || (c.r as number) < 1) bad(`"r" must be a positive integer, got ${JSON.stringify(c.r)}`);
  if (typeof c.lora_alpha !== 'number' || !(c.lora_alpha > 0)) bad(`"lora_alpha" must be a positive number, got ${JSON.stringify(c.lora_alpha)}`);
  if (typeof c.lora_dropout !== 'number' || !(c.lora_dropout >= 0 && c.lora_dropout < 1)) bad(`"lora_dropout" must be a number in [0, 1), got ${JSON.stringify(c.lora_dropout)}`);
  const targets = c.target_modules;
  if (!Array.isArray(targets) || targets.length === 0 || !targets.every((t) => typeof t === 'string')) bad(`"target_modules" must be a non-empty list of layer names, got ${JSON.stringify(targets)}`);
  return { rank: c.r as number, alpha: c.lora_alpha as number, dropout: c.lora_dropout as number, targets: targets as string[] };
}

/** Put saved adapters onto a (base) model: applies LoRA with the saved settings, then copies A and B. */
export function applyAdapters(model: GPT, config: LoraConfig, file: SafetensorsFile, path: string): void {
  model.applyLora(config);
  for (const [name, t] of model.namedAdapters()) {
    const stored = file.tensors.get(name);
    if (stored === undefined) throw new Error(`lora: ${path} has no tensor '${name}'`);
    if (stored.shape.join(',') !== t.shape.join(',')) throw new Error(`lora: ${path}: tensor '${name}' has shape [${stored.shape}] but the model needs [${t.shape}]`);
    t.data.set(stored.data);
  }
}

/** A checkpoint's model from what its files hold: the weights must be of the save checkpoint.json names. */
export function modelFromFiles(info: CheckpointInfo, weights: SafetensorsFile, source: string, adapters?: { config: LoraConfig; file: SafetensorsFile; source: string }): GPT {
  const id = weights.metadata.save_id;
  if (info.save_id !== undefined && id !== undefined && id !== info.save_id) {
    throw new Error(`checkpoint: ${source} and checkpoint.json come from different saves (save ids ${id} and ${info.save_id}): the checkpoint is damaged; train again or restore it`);
  }
  const model = new GPT(info.model_config);
  loadWeights(model, weights.tensors, source);
  if (info.lora) {
    if (adapters === undefined) throw new Error(`checkpoint: ${source}: the model was fine-tuned with LoRA, but no adapter files were given`);
    applyAdapters(model, adapters.config, adapters.file, adapters.source);
  }
  return model;
}
