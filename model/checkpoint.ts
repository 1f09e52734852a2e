// Checkpoints: a directory holding
//   model.safetensors      the weights under GPT-2 names, Linear weights (out, in)
//   optimizer.safetensors  AdamW's moments: "<param>.exp_avg", "<param>.exp_avg_sq"
//   checkpoint.json        model config, train config, iteration, best val loss, RNG state, ...
//   adapter_model.safetensors + adapter_config.json   LoRA adapters alone (PEFT's names), if any
//
// Every file of one save carries the same save id, and checkpoint.json says which id the
// checkpoint is. A save is made so that a kill at any moment leaves a loadable checkpoint:
//   1. every new file is written beside the old one as "<file>.tmp" and fsync'd;
//   2. each old file that belongs to the current checkpoint.json is kept as "<file>.prev"
//      (a hard link: no copy);
//   3. the new files are renamed into place, checkpoint.json last.
// So checkpoint.json names either the old save, whose files are all there as <file> or
// <file>.prev, or the new one, whose files are all in place. Loading takes, for each file, the one
// whose save id matches checkpoint.json, and refuses a file that belongs to no save it names.
// This file is the Node side (files on disk); model/checkpoint_info.ts parses what they hold.
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Optimizer } from '../engine/index.ts';
import { GPT } from './gpt.ts';
import { encodeSafetensors, storedTensors } from './safetensors.ts';
import { readSafetensors } from './safetensors_file.ts';
import type { SafetensorsFile, StoredTensor } from './safetensors.ts';
import type { LoraConfig } from './lora.ts';
import { applyAdapters, loadWeights, parseAdapterConfig, parseCheckpointInfo } from './checkpoint_info.ts';
import type { CheckpointInfo } from './checkpoint_info.ts';

// what reads from text and bytes lives in model/checkpoint_info.ts, so the page can load a checkpoint too
export { loadWeights, parseCheckpointInfo };
export type { CheckpointInfo };

/** Write bytes to "<path>.tmp" and fsync it: step 1 of a save. */
function writeTemp(path: string, bytes: Uint8Array | string): void {
  const fd = openSync(`${path}.tmp`, 'w');
  try {
    writeSync(fd, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The save id a checkpoint file carries, or undefined (no file, no id, unreadable). */
function fileSaveId(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return readSafetensors(path).metadata.save_id;
  } catch {
    return undefined;
  }
}

/** The save id checkpoint.json names now, if there is a readable one. */
function currentSaveId(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as CheckpointInfo).save_id;
  } catch {
    return undefined;
  }
}

/**
 * Write a checkpoint of these files (name -> bytes, checkpoint.json among them) in the three
 * steps above. Files with a save id (the .safetensors) are kept as .prev when the current
 * checkpoint.json names them; the others carry no id and are simply replaced.
 */
function writeCheckpointFiles(dir: string, files: Array<[string, Uint8Array | string]>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of files) writeTemp(join(dir, name), bytes);
  const currentId = currentSaveId(dir);
  for (const [name] of files) {
    const path = join(dir, name);
    if (!name.endsWith('.safetensors') || currentId === undefined || fileSaveId(path) !== currentId) continue; // .prev already holds the current save's file
    rmSync(`${path}.prev`, { force: true });
    linkSync(path, `${path}.prev`);
  }
  const jsonLast = [...files.filter(([n]) => n !== 'checkpoint.json'), ...files.filter(([n]) => n === 'checkpoint.json')];
  for (const [name] of jsonLast) renameSync(join(dir, `${name}.tmp`), join(dir, name));
}

export function saveCheckpoint(dir: string, model: GPT, optimizer: Optimizer | null, info: CheckpointInfo): void {
  const saveId = `${Date.now().toString(36)}-${process.pid}-${Math.floor(performance.now() * 1000).toString(36)}`;
  const meta = { format: 'pt', save_id: saveId };
  const weights = storedTensors(model.namedParameters());
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
  const files: Array<[string, Uint8Array | string]> = [
    ['optimizer.safetensors', encodeSafetensors(moments, { ...meta, steps: JSON.stringify(steps) })],
    ['model.safetensors', encodeSafetensors(weights, meta)],
  ];
  if (model.lora !== null) files.push(...adapterFiles(model, saveId));
  files.push(['checkpoint.json', JSON.stringify({ ...info, lora: model.lora, save_id: saveId }, null, 2) + '\n']);
  writeCheckpointFiles(dir, files);
}

/** adapter_model.safetensors (PEFT names) and adapter_config.json for a model with adapters. */
function adapterFiles(model: GPT, saveId: string): Array<[string, Uint8Array | string]> {
  if (model.lora === null) throw new Error('lora: this model has no adapters to save');
  const merged = [...model.namedLinears().values()].some((l) => l.lora?.merged);
  if (merged) throw new Error('lora: unmerge the adapters (mergeLora(false)) before saving them');
  const tensors = storedTensors(model.namedAdapters());
  const { rank, alpha, dropout, targets } = model.lora;
  return [
    ['adapter_model.safetensors', encodeSafetensors(tensors, { format: 'pt', save_id: saveId })],
    ['adapter_config.json', JSON.stringify({ peft_type: 'LORA', r: rank, lora_alpha: alpha, lora_dropout: dropout, target_modules: targets }, null, 2) + '\n'],
  ];
}

/** The LoRA adapters alone: adapter_model.safetensors (PEFT names) and adapter_config.json. */
export function saveAdapters(dir: string, model: GPT, saveId = ''): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of adapterFiles(model, saveId)) {
    writeTemp(join(dir, name), bytes);
    renameSync(join(dir, `${name}.tmp`), join(dir, name));
  }
}

/**
 * Read a checkpoint's file of this name: the one whose save id is checkpoint.json's, in place or
 * kept as .prev by a save that was cut short. A file of another save is an error.
 */
export function readCheckpointFile(dir: string, name: string, saveId: string | undefined): SafetensorsFile {
  const path = join(dir, name);
  const file = readSafetensors(path);
  if (saveId === undefined || file.metadata.save_id === undefined || file.metadata.save_id === saveId) return file;
  if (existsSync(`${path}.prev`)) {
    const prev = readSafetensors(`${path}.prev`);
    if (prev.metadata.save_id === saveId) return prev;
  }
  throw new Error(`checkpoint: ${path} and checkpoint.json come from different saves (save ids ${file.metadata.save_id} and ${saveId}) and no ${name}.prev matches: the checkpoint is damaged; train again or restore it`);
}

/** adapter_config.json, checked (model/checkpoint_info.ts parseAdapterConfig). */
function readAdapterConfig(dir: string): LoraConfig {
  const path = join(dir, 'adapter_config.json');
  if (!existsSync(path)) throw new Error(`lora: no adapter_config.json in ${dir}`);
  return parseAdapterConfig(readFileSync(path, 'utf8'), path);
}

/** Put saved adapters onto a (base) model: applies LoRA with the saved settings, then loads A and B. */
export function loadAdapters(model: GPT, dir: string, saveId?: string): void {
  const config = readAdapterConfig(dir);
  applyAdapters(model, config, readCheckpointFile(dir, 'adapter_model.safetensors', saveId), join(dir, 'adapter_model.safetensors'));
}

/** checkpoint.json, checked for what loading needs (model/checkpoint_info.ts parseCheckpointInfo). */
export function readCheckpointInfo(dir: string): CheckpointInfo {
  const path = join(dir, 'checkpoint.json');
  if (!existsSync(path)) throw new Error(`checkpoint: no checkpoint.json in ${dir} (train a model first, or check --out_dir)`);
  return parseCheckpointInfo(readFileSync(path, 'utf8'), path);
}

export interface LoadedCheckpoint {
  model: GPT;
  info: CheckpointInfo;
}

/** Rebuild the model of a checkpoint directory from its config and weights. */
export function loadCheckpoint(dir: string): LoadedCheckpoint {
  const info = readCheckpointInfo(dir);
  const file = readCheckpointFile(dir, 'model.safetensors', info.save_id);
  const model = new GPT(info.model_config);
  loadWeights(model, file.tensors, join(dir, 'model.safetensors'));
  if (info.lora) loadAdapters(model, dir, info.save_id);
  return { model, info };
}

/** Restore AdamW's moments and step counts for `model`'s parameters, from the same save as checkpoint.json. */
export function loadOptimizerState(dir: string, model: GPT, optimizer: Optimizer): void {
  const path = join(dir, 'optimizer.safetensors');
  const file = readCheckpointFile(dir, 'optimizer.safetensors', readCheckpointInfo(dir).save_id);
  let steps: Record<string, number>;
  try {
    steps = JSON.parse(file.metadata.steps ?? '{}') as Record<string, number>;
  } catch {
    throw new Error(`checkpoint: ${path}: its "steps" metadata is not valid JSON`);
  }
  for (const [name, t] of model.allNamedTensors()) {
    const m = file.tensors.get(`${name}.exp_avg`);
    const v = file.tensors.get(`${name}.exp_avg_sq`);
    if (m === undefined || v === undefined) continue; // never stepped
    if (m.data.length !== t.size || v.data.length !== t.size) throw new Error(`checkpoint: ${path}: moments of '${name}' do not match its shape [${t.shape}]`);
    optimizer.loadState(t, m.data, v.data, steps[name] ?? 0);
  }
}
