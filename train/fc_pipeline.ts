// The function-calling pipeline, stage by stage. The scripts (prepare, pretrain, finetune,
// the walkthrough) are thin wrappers over these functions.
//
//   prepareData   generate examples -> train/val JSON in the original format -> train a tokenizer
//   runPretrain   language modelling on the full text of the training examples
//   runFinetune   masked fine-tuning (loss on answers only), samples file, exact-match evaluation
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateRecords } from '../data/generator.ts';
import { generateAgentRecords } from '../data/agent.ts';
import { Tokenizer } from '../data/tokenizer.ts';
import { ANSWER_PHRASES, FORMAT_PHRASES, SPECIAL_TOKENS, fullText } from '../data/format.ts';
import type { FcRecord } from '../data/format.ts';
import { loadFcDir } from '../data/loader.ts';
import { FcDataset, TextStream } from '../data/dataset.ts';
import { makeRng } from '../engine/random.ts';
import { loadCheckpoint, readCheckpointInfo } from '../model/checkpoint.ts';
import type { GPT } from '../model/gpt.ts';
import { ConfigCheck, defaultTrainConfig, validateTrainConfig } from './config.ts';
import type { TrainConfig } from './config.ts';
import { train, withCheckpointShape } from './trainer.ts';
import type { TrainHooks, TrainResult } from './trainer.ts';
import { evaluateRecords, formatSamples } from './fc_eval.ts';
import type { Decoding, EvalReport } from './fc_eval.ts';
import { DECODINGS } from './fc_eval.ts';
import { lockOutDir } from './lock.ts';

export type Log = (line: string) => void;

// ------------------------------------------------------------------ stage 1: data + tokenizer

export interface PrepareConfig {
  data_dir: string;
  num_train: number;
  num_val: number;
  vocab_size: number;
  /** the tokenizer's pre-tokenizer pattern (data/tokenizer.ts): digits | trailing | gpt2 */
  tokenizer_pattern: string;
  incomplete_rate: number;
  /** training examples ask this many times more often for navigation and music (free text to copy); val keeps the usual mix */
  copy_boost: number;
  /** share of examples in the Thought -> Act -> Observe format (data/agent.ts), for npm run chat */
  agent_fraction: number;
  seed: number;
}

export const defaultPrepareConfig: PrepareConfig = {
  data_dir: 'out/data',
  num_train: 40000,
  num_val: 1000,
  vocab_size: 2048,
  tokenizer_pattern: 'digits',
  incomplete_rate: 0.06,
  copy_boost: 4,
  agent_fraction: 0,
  seed: 1337,
};

export interface Prepared {
  train: FcRecord[];
  val: FcRecord[];
  tokenizer: Tokenizer;
  files: string[];
}

/** A tokenizer for data in the function-calling format: trained on the records' full text, with
 * the special tokens, the format's fixed phrases and the API's names (one place, so every caller agrees). */
export function trainFcTokenizer(records: FcRecord[], vocabSize: number, pattern?: string): Tokenizer {
  return Tokenizer.train(records.map(fullText).join(''), vocabSize, SPECIAL_TOKENS, [...FORMAT_PHRASES, ...ANSWER_PHRASES], pattern);
}

/** The tokenizer's pre-tokenizer patterns (data/tokenizer.ts) */
const TOKENIZER_PATTERNS = ['digits', 'trailing', 'gpt2'];

/** Check the data stage's settings before anything is generated or written. */
export function validatePrepareConfig(c: PrepareConfig): void {
  const check = new ConfigCheck(c as unknown as Record<string, unknown>, 'prepare');
  if (c.data_dir === '') throw new Error('prepare: --data_dir must not be empty');
  check.int('num_train').int('num_val').int('vocab_size', 256 + SPECIAL_TOKENS.length).oneOf('tokenizer_pattern', TOKENIZER_PATTERNS);
  check.range('incomplete_rate', 0, 1).range('agent_fraction', 0, 1).above('copy_boost', 0);
  if (!Number.isSafeInteger(c.seed)) throw new Error(`prepare: --seed must be an integer, got ${c.seed}`);
}

export function prepareData(cfg: PrepareConfig, log: Log): Prepared {
  validatePrepareConfig(cfg);
  mkdirSync(cfg.data_dir, { recursive: true });
  const t0 = performance.now();
  // train and val come from different seeds, so no example is shared by construction of the stream
  const split = (n: number, name: string) => {
    const nAgent = Math.round(n * cfg.agent_fraction);
    const copyBoost = name === 'train' ? cfg.copy_boost : 1;
    return [...generateRecords(n - nAgent, `${cfg.seed}/${name}`, { incompleteRate: cfg.incomplete_rate, copyBoost }), ...generateAgentRecords(nAgent, `${cfg.seed}/${name}`)];
  };
  const trainRecords = split(cfg.num_train, 'train');
  const valRecords = split(cfg.num_val, 'val');
  const trainPath = join(cfg.data_dir, 'fc_generated_train.json');
  const valPath = join(cfg.data_dir, 'fc_generated_val.json');
  writeFileSync(trainPath, JSON.stringify(trainRecords, null, 1));
  writeFileSync(valPath, JSON.stringify(valRecords, null, 1));
  log(`generated ${trainRecords.length} training and ${valRecords.length} validation examples in ${((performance.now() - t0) / 1000).toFixed(1)}s -> ${trainPath}, ${valPath}`);
  const t1 = performance.now();
  const tokenizer = trainFcTokenizer(trainRecords, cfg.vocab_size, cfg.tokenizer_pattern);
  const tokPath = join(cfg.data_dir, 'tokenizer.json');
  tokenizer.save(tokPath);
  log(`trained a byte-level BPE tokenizer of ${tokenizer.vocabSize} tokens in ${((performance.now() - t1) / 1000).toFixed(1)}s -> ${tokPath}`);
  return { train: trainRecords, val: valRecords, tokenizer, files: [trainPath, valPath, tokPath] };
}


// ------------------------------------------------------------------ stages 2 and 3: training

export interface FcTrainConfig extends TrainConfig {
  /** a directory in the original format: *train*.json for training, *test*.json / *val*.json for validation */
  fc_data_dir: string;
  /** tokenizer file; default: the pretrained checkpoint's, else <fc_data_dir>/tokenizer.json, else train one */
  tokenizer: string;
  skip_bad: boolean;
  /** share of training records held out for validation when the directory has no val/test file */
  val_fraction: number;
  /** validation examples scored by exact match after fine-tuning (0 = skip) */
  eval_examples: number;
  /** examples in each samples file */
  sample_examples: number;
  /** vocabulary size when a tokenizer has to be trained here */
  vocab_size: number;
  /** how evaluation decodes: free | schema | copy (train/fc_eval.ts, data/call_grammar.ts) */
  decoding: string;
}

/** Check a training stage's settings (the trainer's and the function-calling ones) before any data is read. */
export function validateFcConfig(c: FcTrainConfig): void {
  validateTrainConfig(c);
  const check = new ConfigCheck(c as unknown as Record<string, unknown>);
  check.oneOf('decoding', DECODINGS).range('val_fraction', 0, 1, true).above('val_fraction', 0);
  check.int('eval_examples', 0).int('sample_examples', 0).int('vocab_size', 256 + SPECIAL_TOKENS.length);
  if (c.fc_data_dir === '') throw new Error('config: --fc_data_dir must name a directory of *train*.json files');
}

/** A tokenizer's identity: sha256 of its merges, tokens, special tokens and pattern (not of the file's bytes). */
export function tokenizerFingerprint(tok: Tokenizer): string {
  return createHash('sha256').update(JSON.stringify(tok.toJSON())).digest('hex');
}

/** The tokenizer a checkpoint was trained with must be the one that reads for it: same size is not enough. */
function checkTokenizer(tok: Tokenizer, tokPath: string, info: { tokenizer_sha256?: string }, dir: string): void {
  if (info.tokenizer_sha256 === undefined) return; // a checkpoint from before fingerprints
  if (tokenizerFingerprint(tok) !== info.tokenizer_sha256) {
    throw new Error(`checkpoint: ${tokPath} is not the tokenizer the model in ${dir} was trained with (fingerprints differ: ${tokenizerFingerprint(tok).slice(0, 12)} vs ${info.tokenizer_sha256.slice(0, 12)}); use that model's own tokenizer.json`);
  }
}

const fcDefaults = {
  fc_data_dir: 'out/data', tokenizer: '', skip_bad: false, val_fraction: 0.05, eval_examples: 500, sample_examples: 20, vocab_size: 2048, decoding: 'copy',
};

// Sized so the walkthrough's two training stages take about 9 minutes on 2 cores (bench/RESULTS.md).
// Most of the time goes to fine-tuning: copying values out of a command is learned late, so
// fine-tuning steps buy more accuracy than pretraining steps (measured: 60 + 1150 steps beat 200 + 900).
// Navigation and music are asked for 4x more often in training (copy_boost): 90.0% vs 88.4% exact.
// The tokenizer keeps the format's fixed strings whole (FORMAT_PHRASES), which made a step about
// 35% faster, and the API's names (ANSWER_PHRASES), about 10% more: answers 22.5 -> 15.7 tokens.
// Both stages use Muon for the blocks' matrices (engine/muon.ts): at the same steps and time the
// fine-tuning loss ended about 4x lower, and our val and the real commands both scored higher.
// Fine-tuning takes 2500 steps of 32 examples: the same 80,000 examples as 5000 steps of 16, but a
// step's fixed costs (Muon's Newton-Schulz, the threads' hand-offs) are paid half as often.
// The model is 96 wide. At 64 wide it made about as many mistakes on training examples as on val
// (2.9% of 2,000, 2.7% of 1,000): too small, not short of data (80,000 training examples instead of
// 40,000 changed nothing, nor did naming more zone lists piece by piece). 96 wide instead of 64
// costs 1.5x the time per step and scored 984/981/975 of 1,000 on our val against 973/976/972
// (three seeds), the real commands 92.3/93.2/91.8% against 91.5/92.7/89.5%.
// What did less: 3500 steps instead of 2500 (+0 and +3 of 1,000, 1.4x the time); 6 layers instead
// of 4 (975 and 962 against 966 and 972 at 5000 steps of 16, 1.4x the time). Before Muon, in a fixed
// time, a narrower model that saw more examples won (64 x 4400 steps 87.6%, 96 x 3200 86.2%).
export const defaultPretrainConfig: FcTrainConfig = {
  ...defaultTrainConfig, ...fcDefaults, out_dir: 'out/pretrain', eval_interval: 60, eval_iters: 10, log_interval: 10,
  batch_size: 16, block_size: 128, n_embd: 96, max_iters: 60, warmup_iters: 10, lr_decay_iters: 60, learning_rate: 2e-3, min_lr: 2e-4,
  eval_examples: 0, workers: 2, optimizer: 'muon',
};

// A fine-tune takes its width from the pretrained checkpoint (withCheckpointShape); n_embd here is
// the pretraining one, for a fine-tune from scratch and for the bench's model of this step.
export const defaultFinetuneConfig: FcTrainConfig = {
  ...defaultTrainConfig, ...fcDefaults, out_dir: 'out/finetune', init_from: 'pretrained', pretrained_dir: 'out/pretrain',
  eval_interval: 625, eval_iters: 10, log_interval: 10, sample_interval: 625, batch_size: 32, block_size: 128, n_embd: defaultPretrainConfig.n_embd,
  max_iters: 2500, warmup_iters: 125, lr_decay_iters: 2500, learning_rate: 2e-3, min_lr: 2e-4, workers: 2, optimizer: 'muon',
};

interface FcData {
  train: FcRecord[];
  val: FcRecord[];
  tokenizer: Tokenizer;
  tokenizerPath: string;
}

/** Records from fc_data_dir and the tokenizer this run must use. */
function loadData(cfg: FcTrainConfig, log: Log): FcData {
  const data = loadFcDir(cfg.fc_data_dir, cfg.skip_bad);
  log(`data: ${data.train.length} training records from ${data.trainFiles.join(', ')}` + (data.skipped ? ` (${data.skipped} malformed records skipped)` : ''));
  for (const { file, reason } of data.ignoredFiles) log(`data: not read: ${file} (${reason})`);
  let { train: trainRecords, val: valRecords } = data;
  if (valRecords.length === 0) {
    // no validation file: hold out a seeded random share of the training records
    const rng = makeRng(`${cfg.seed}/holdout`);
    const order = trainRecords.map((r, i) => ({ r, k: rng(), i })).sort((a, b) => a.k - b.k || a.i - b.i).map((x) => x.r);
    const nVal = Math.max(1, Math.round(order.length * cfg.val_fraction));
    valRecords = order.slice(0, nVal);
    trainRecords = order.slice(nVal);
    log(`data: no *val*/*test* file in ${cfg.fc_data_dir}; holding out ${nVal} training records (val_fraction=${cfg.val_fraction}) for validation`);
  } else log(`data: ${valRecords.length} validation records from ${data.valFiles.join(', ')}`);

  let tokenizerPath = cfg.tokenizer;
  const fromCheckpoint = cfg.init_from === 'resume' ? cfg.out_dir : cfg.init_from === 'pretrained' ? cfg.pretrained_dir : '';
  const info = fromCheckpoint === '' ? null : readCheckpointInfo(fromCheckpoint);
  if (tokenizerPath === '' && info?.tokenizer) tokenizerPath = join(fromCheckpoint, info.tokenizer);
  if (tokenizerPath === '' && existsSync(join(cfg.fc_data_dir, 'tokenizer.json'))) tokenizerPath = join(cfg.fc_data_dir, 'tokenizer.json');
  let tokenizer: Tokenizer;
  if (tokenizerPath !== '') {
    tokenizer = Tokenizer.load(tokenizerPath);
    if (info !== null) checkTokenizer(tokenizer, tokenizerPath, info, fromCheckpoint);
    log(`tokenizer: ${tokenizerPath} (${tokenizer.vocabSize} tokens)`);
  } else {
    tokenizer = trainFcTokenizer(trainRecords, cfg.vocab_size);
    mkdirSync(cfg.out_dir, { recursive: true });
    tokenizerPath = join(cfg.out_dir, 'tokenizer.json');
    tokenizer.save(tokenizerPath);
    log(`tokenizer: none found, trained one of ${tokenizer.vocabSize} tokens on the training records -> ${tokenizerPath}`);
  }
  return { train: trainRecords, val: valRecords, tokenizer, tokenizerPath };
}

/** Keep a copy of the tokenizer beside the checkpoint, so the checkpoint directory is self-contained. */
function copyTokenizer(from: string, outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  const to = join(outDir, 'tokenizer.json');
  if (from !== to) copyFileSync(from, to);
}

/** What every checkpoint of these stages records besides the trainer's own fields. */
function stageInfo(stage: string, tok: Tokenizer): Record<string, unknown> {
  return { tokenizer: 'tokenizer.json', tokenizer_sha256: tokenizerFingerprint(tok), stage };
}

export async function runPretrain(config: FcTrainConfig, log: Log): Promise<TrainResult> {
  validateFcConfig(config);
  const cfg = withCheckpointShape(config, log);
  const unlock = lockOutDir(cfg.out_dir, log); // before anything is written into out_dir
  try {
    const data = loadData(cfg, log);
    const stream = new TextStream(data.tokenizer, data.train, data.val, cfg.block_size);
    log(`pretraining text: ${stream.trainTokens} tokens; every position of a ${cfg.block_size}-token window is predicted`);
    copyTokenizer(data.tokenizerPath, cfg.out_dir);
    return await train(cfg, stream, { checkpointInfo: stageInfo('pretrain', data.tokenizer), title: 'pretraining', log });
  } finally {
    unlock();
  }
}

export interface FinetuneResult {
  train: TrainResult;
  report: EvalReport | null;
}

/** pace: called once early in training with the time it still needs (TrainHooks.pace). */
export async function runFinetune(config: FcTrainConfig, log: Log, pace?: TrainHooks['pace']): Promise<FinetuneResult> {
  validateFcConfig(config);
  const cfg = withCheckpointShape(config, log);
  const unlock = lockOutDir(cfg.out_dir, log); // before anything is written into out_dir
  try {
    return await finetuneLocked(cfg, log, pace);
  } finally {
    unlock();
  }
}

async function finetuneLocked(cfg: FcTrainConfig, log: Log, pace?: TrainHooks['pace']): Promise<FinetuneResult> {
  const data = loadData(cfg, log);
  const ds = new FcDataset(data.tokenizer, data.train, data.val, cfg.block_size);
  log(`fine-tuning data: ${ds.train.length} training and ${ds.val.length} validation examples` +
    (ds.dropped.train + ds.dropped.val > 0 ? `; dropped ${ds.dropped.train} training and ${ds.dropped.val} validation examples longer than block_size ${cfg.block_size}` : ''));
  copyTokenizer(data.tokenizerPath, cfg.out_dir);
  const sampleRecords = data.val.slice(0, cfg.sample_examples);
  const samplesDir = join(cfg.out_dir, 'samples');
  const samplePath = join(samplesDir, 'val_sample.txt');
  if (cfg.init_from !== 'resume') rmSync(samplePath, { force: true }); // a new run starts a new file; a resumed one goes on
  const writeSamples = (model: GPT, iter: number) => {
    if (sampleRecords.length === 0) return;
    const report = evaluateRecords(model, data.tokenizer, sampleRecords, { decoding: cfg.decoding as Decoding });
    mkdirSync(samplesDir, { recursive: true });
    // every sample step is kept, newest last: read top to bottom, the model learns
    appendFileSync(samplePath, `${'='.repeat(78)}\n${formatSamples(report.rows, `iteration ${iter}: ${report.exact}/${report.n} exact matches`)}\n`);
    log(`samples at iteration ${iter}: ${report.exact}/${report.n} exact -> ${samplePath}`);
  };
  const result = await train(cfg, ds, { checkpointInfo: stageInfo('finetune', data.tokenizer), sample: writeSamples, title: 'fine-tuning', pace, log });
  if (cfg.eval_examples <= 0 || result.interrupted) return { train: result, report: null };
  // score the best checkpoint (the one on disk), as a user of the model would get it
  const best = existsSync(join(cfg.out_dir, 'checkpoint.json')) ? loadTrained(cfg.out_dir).model : result.model;
  const records = data.val.slice(0, cfg.eval_examples);
  const t0 = performance.now();
  const report = evaluateRecords(best, data.tokenizer, records, { decoding: cfg.decoding as Decoding });
  log(`evaluated ${records.length} validation examples in ${((performance.now() - t0) / 1000).toFixed(1)}s, decoding: ${cfg.decoding}`);
  if (cfg.decoding !== 'free') {
    // the same model decoding freely: what the grammar adds
    const free = evaluateRecords(best, data.tokenizer, records, { decoding: 'free' });
    log(`the same model decoding freely (no grammar): ${free.exact}/${free.n} = ${(100 * free.exactAccuracy).toFixed(1)}% exact; with ${cfg.decoding} decoding: ${report.exact}/${report.n} = ${(100 * report.exactAccuracy).toFixed(1)}%`);
  }
  return { train: result, report };
}

/** A trained model and its tokenizer, from a checkpoint directory (LoRA adapters merged in for speed). */
export function loadTrained(outDir: string): { model: GPT; tokenizer: Tokenizer } {
  const { model, info } = loadCheckpoint(outDir);
  if (model.lora !== null) model.mergeLora(true);
  const tokPath = join(outDir, info.tokenizer ?? 'tokenizer.json');
  if (!existsSync(tokPath)) throw new Error(`checkpoint: ${outDir} has no tokenizer file ${tokPath}`);
  const tokenizer = Tokenizer.load(tokPath);
  checkTokenizer(tokenizer, tokPath, info, outDir);
  if (tokenizer.vocabSize > model.config.vocab_size) throw new Error(`checkpoint: ${tokPath} has ${tokenizer.vocabSize} tokens but the model in ${outDir} has vocab_size ${model.config.vocab_size}`);
  return { model, tokenizer };
}
