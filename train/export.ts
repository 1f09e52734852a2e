// npm run export (scripts/export.ts): a trained model in the formats of bigger tools, for when it
// outgrows this machine. LoRA adapters are merged into the weights first (train/load_trained.ts).
//
//   hf       config.json + model.safetensors (GPT2LMHeadModel's layout, model/export_hf.ts) and the
//            tokenizer as tokenizer.json and GPT-2's files (data/export_hf_tokenizer.ts):
//            from_pretrained(dest) loads model and tokenizer
//   nanogpt  train.bin, val.bin, meta.pkl (a nanoGPT data directory, data/export_nanogpt.ts),
//            model.safetensors under nanoGPT's names (model/export_nanogpt.ts), and
//            train_config.py, to_ckpt.py, README.txt to continue training with its train.py
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { SPECIAL } from '../data/format.ts';
import { FcDataset } from '../data/dataset.ts';
import type { Tokenizer } from '../data/tokenizer.ts';
import { hfSpecialTokensMap, hfTokenizerConfig, hfTokenizerJson, hfVocab, mergesTxt } from '../data/export_hf_tokenizer.ts';
import { concatStreams, metaPickle, tokenBin } from '../data/export_nanogpt.ts';
import { readCheckpointInfo } from '../model/checkpoint.ts';
import type { CheckpointInfo } from '../model/checkpoint.ts';
import { hfConfig, hfStateDict } from '../model/export_hf.ts';
import { nanogptModelArgs, nanogptStateDict } from '../model/export_nanogpt.ts';
import type { GPT } from '../model/gpt.ts';
import { encodeSafetensors } from '../model/safetensors.ts';
import { ConfigCheck, EXPORT_FORMATS } from './config.ts';
import type { ExportFormat } from './config.ts';
import { loadData } from './fc_data.ts';
import type { Log } from './fc_data.ts';
import { loadTrained } from './load_trained.ts';
import { readmeTxt, toCkptPy, trainConfigPy } from './nanogpt_files.ts';
import { defaultFinetuneConfig } from './stage_config.ts';
import type { FcTrainConfig } from './stage_config.ts';

export interface ExportConfig {
  /** the checkpoint directory to export */
  out_dir: string;
  format: ExportFormat | '';
  /** the directory to write: new, or empty */
  dest: string;
  /** nanogpt: the records to write as token streams; default: the fc_data_dir the checkpoint was trained on */
  fc_data_dir: string;
}

export const defaultExportConfig: ExportConfig = { out_dir: 'out/finetune', format: '', dest: '', fc_data_dir: '' };

/** The records' directory a nanoGPT export reads: the flag's, else the one the checkpoint's run read. */
function dataDir(c: ExportConfig, info: CheckpointInfo): string {
  return c.fc_data_dir !== '' ? c.fc_data_dir : String(info.train_config?.fc_data_dir ?? '');
}

/** Check the flags and the paths before anything is read or written; one line naming the flag. */
export function validateExportConfig(c: ExportConfig): void {
  new ConfigCheck(c as unknown as Record<string, unknown>, 'export').oneOf('format', EXPORT_FORMATS);
  if (!existsSync(join(c.out_dir, 'checkpoint.json'))) throw new Error(`export: --out_dir=${c.out_dir} holds no checkpoint.json (train a model first, or check --out_dir)`);
  if (c.dest === '') throw new Error('export: --dest=DIR must name the directory to write into');
  if (existsSync(c.dest) && (!statSync(c.dest).isDirectory() || readdirSync(c.dest).length > 0)) {
    throw new Error(`export: --dest=${c.dest} exists and is not an empty directory; name a new one`);
  }
  if (c.format !== 'nanogpt') return;
  const dir = dataDir(c, readCheckpointInfo(c.out_dir));
  if (dir === '') throw new Error(`export: the checkpoint in ${c.out_dir} names no fc_data_dir: give --fc_data_dir=DIR, the records it was trained on`);
  if (!existsSync(dir)) throw new Error(`export: --fc_data_dir=${dir} does not exist (the records the model was trained on; give --fc_data_dir=DIR)`);
}

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Write the files into dest, a line each. They are all made before the first is written, so an error leaves no half export. */
function writeFiles(dest: string, files: Array<[string, Uint8Array | string]>, log: Log): void {
  mkdirSync(dest, { recursive: true });
  for (const [name, content] of files) {
    const path = join(dest, name);
    writeFileSync(path, content);
    log(`wrote ${path} (${size(typeof content === 'string' ? Buffer.byteLength(content) : content.length)})`);
  }
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';

/** The model (adapters merged) and tokenizer of a checkpoint, with a line saying what they are. */
function loadModel(outDir: string, log: Log): { model: GPT; tokenizer: Tokenizer; info: CheckpointInfo } {
  const info = readCheckpointInfo(outDir);
  const { model, tokenizer } = loadTrained(outDir);
  const c = model.config;
  const lora = model.lora === null ? '' : `, LoRA adapters (rank ${model.lora.rank} on ${model.lora.targets.join(', ')}) merged into the weights`;
  log(`export: the model of ${outDir} at iteration ${info.iter_num}: ${c.n_layer} layers, ${c.n_head} heads, ${c.n_embd} wide, context ${c.block_size}, vocabulary ${c.vocab_size}${lora}`);
  return { model, tokenizer, info };
}

export function exportHf(c: ExportConfig, log: Log): void {
  const { model, tokenizer } = loadModel(c.out_dir, log);
  const tok = tokenizer.toJSON();
  const eos = tokenizer.special.get(SPECIAL.endoftext);
  const pad = tokenizer.special.get(SPECIAL.pad);
  const special = { ...(eos === undefined ? {} : { bos_token_id: eos, eos_token_id: eos }), ...(pad === undefined ? {} : { pad_token_id: pad }) };
  writeFiles(c.dest, [
    ['config.json', json(hfConfig(model.config, special))],
    ['model.safetensors', encodeSafetensors(hfStateDict(model), { format: 'pt' })],
    ['tokenizer.json', json(hfTokenizerJson(tok))],
    ['vocab.json', JSON.stringify(hfVocab(tok)) + '\n'],
    ['merges.txt', mergesTxt(tok)],
    ['tokenizer_config.json', json(hfTokenizerConfig(tok, model.config.block_size))],
    ['special_tokens_map.json', json(hfSpecialTokensMap(tok))],
  ], log);
}

/** The dataset's name in nanoGPT (data/<name>/, config/<name>.py): dest's own name, in safe characters. */
function datasetName(dest: string): string {
  return basename(resolve(dest)).replace(/[^A-Za-z0-9_-]/g, '_') || 'fc';
}

export function exportNanogpt(c: ExportConfig, log: Log): void {
  const { model, tokenizer, info } = loadModel(c.out_dir, log);
  if (model.config.vocab_size > 65536) throw new Error(`export: vocab_size ${model.config.vocab_size} does not fit nanoGPT's uint16 .bin files (at most 65536)`);
  // the records and split of the run: its seed and val_fraction hold out the same records
  const train = { ...defaultFinetuneConfig, ...(info.train_config as Partial<FcTrainConfig> | undefined) };
  const dir = dataDir(c, info);
  const data = loadData({ ...train, init_from: 'scratch', fc_data_dir: dir, tokenizer: join(c.out_dir, info.tokenizer ?? 'tokenizer.json') }, log);
  const ds = new FcDataset(tokenizer, data.train, data.val, model.config.block_size);
  const streams = { train: concatStreams(ds.train.map((e) => e.ids)), val: concatStreams(ds.val.map((e) => e.ids)) };
  for (const split of ['train', 'val'] as const) {
    // train.py draws windows of block_size + 1 tokens: a shorter stream cannot give one
    if (streams[split].length <= model.config.block_size) throw new Error(`export: the ${split} stream has ${streams[split].length} tokens; nanoGPT's train.py needs more than block_size ${model.config.block_size}`);
  }
  if (ds.dropped.train + ds.dropped.val > 0) log(`export: left out ${ds.dropped.train} training and ${ds.dropped.val} validation examples longer than block_size ${model.config.block_size}, as fine-tuning does`);
  const e = {
    name: datasetName(c.dest), modelArgs: nanogptModelArgs(model.config), train, outDir: c.out_dir, dataDir: dir, iteration: info.iter_num,
    counts: { trainExamples: ds.train.length, trainTokens: streams.train.length, valExamples: ds.val.length, valTokens: streams.val.length },
  };
  writeFiles(c.dest, [
    ['train.bin', tokenBin(streams.train)],
    ['val.bin', tokenBin(streams.val)],
    ['meta.pkl', metaPickle(model.config.vocab_size)],
    ['model.safetensors', encodeSafetensors(nanogptStateDict(model), { format: 'pt' })],
    ['train_config.py', trainConfigPy(e)],
    ['to_ckpt.py', toCkptPy(e)],
    ['README.txt', readmeTxt(e)],
  ], log);
}

export function runExport(c: ExportConfig, log: Log): void {
  validateExportConfig(c);
  if (c.format === 'hf') exportHf(c, log);
  else exportNanogpt(c, log);
  log(`export: done; ${c.format === 'hf' ? 'from_pretrained' : 'README.txt in'} ${c.dest}`);
}
