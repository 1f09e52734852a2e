// The function-calling pipeline, stage by stage. The scripts (prepare, pretrain, finetune,
// the walkthrough) are thin wrappers over these functions; their settings are in
// train/stage_config.ts, the data and tokenizer a stage reads in train/fc_data.ts.
//
//   prepareData   generate examples -> train/val JSON in the original format -> train a tokenizer
//   runPretrain   language modelling on the full text of the training examples
//   runFinetune   masked fine-tuning (loss on answers only), samples file, exact-match evaluation
import { appendFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HELD_OUT_SHARE } from '../data/phrase_split.ts';
import { generateSplits } from './fc_records.ts';
import type { Tokenizer } from '../data/tokenizer.ts';
import { saveTokenizer } from '../data/tokenizer_file.ts';
import { loopExampleCount } from '../data/agent.ts';
import type { FcRecord } from '../data/format.ts';
import { FcDataset, TextStream } from '../data/dataset.ts';
import type { GPT } from '../model/gpt.ts';
import { train, withCheckpointShape } from './trainer.ts';
import type { TrainHooks, TrainResult } from './trainer.ts';
import { evaluateRecords, formatSamples } from './fc_eval.ts';
import type { EvalReport } from './fc_eval.ts';
import { lockOutDir } from './lock.ts';
import { copyTokenizer, loadData, tokenizerFingerprint, trainFcTokenizer } from './fc_data.ts';
import type { Log } from './fc_data.ts';
import { validateFcConfig, validatePrepareConfig } from './stage_config.ts';
import type { FcTrainConfig, PrepareConfig } from './stage_config.ts';
import { loadTrained } from './load_trained.ts';

// ------------------------------------------------------------------ stage 1: data + tokenizer

export interface Prepared {
  train: FcRecord[];
  val: FcRecord[];
  /** commands in held-out phrasings only (empty when num_unseen is 0) */
  unseen: FcRecord[];
  tokenizer: Tokenizer;
  files: string[];
}

export function prepareData(cfg: PrepareConfig, log: Log): Prepared {
  validatePrepareConfig(cfg);
  mkdirSync(cfg.data_dir, { recursive: true });
  const t0 = performance.now();
  const { train: trainRecords, val: valRecords, unseen: unseenRecords } = generateSplits(cfg);
  const trainPath = join(cfg.data_dir, 'fc_generated_train.json');
  const valPath = join(cfg.data_dir, 'fc_generated_val.json');
  writeFileSync(trainPath, JSON.stringify(trainRecords, null, 1));
  writeFileSync(valPath, JSON.stringify(valRecords, null, 1));
  const files = [trainPath, valPath];
  if (cfg.noise_rate > 0) log(`${(100 * cfg.noise_rate).toFixed(0)}% of the training commands carry one word of noise (an invented word, a filler, a small word left out); val none`);
  log(`generated ${trainRecords.length} training and ${valRecords.length} validation examples in ${((performance.now() - t0) / 1000).toFixed(1)}s -> ${trainPath}, ${valPath}`);
  if (cfg.num_unseen > 0) {
    // a directory of its own, so that training never reads it and `npm run eval -- --fc_data_dir=` can
    const unseenPath = join(cfg.data_dir, 'unseen', 'fc_unseen_phrasings_val.json');
    mkdirSync(join(cfg.data_dir, 'unseen'), { recursive: true });
    writeFileSync(unseenPath, JSON.stringify(unseenRecords, null, 1));
    files.push(unseenPath);
    log(`held out ${(100 * HELD_OUT_SHARE).toFixed(0)}% of the phrasings (templates, openers, zone, seat and level words, place and song words; never a list's first two nor the API's own names) from training; ${unseenRecords.length} commands said only in them -> ${unseenPath}`);
  }
  const t1 = performance.now();
  const tokenizer = trainFcTokenizer(trainRecords, cfg.vocab_size, cfg.tokenizer_pattern);
  const tokPath = join(cfg.data_dir, 'tokenizer.json');
  saveTokenizer(tokenizer, tokPath);
  log(`trained a byte-level BPE tokenizer of ${tokenizer.vocabSize} tokens in ${((performance.now() - t1) / 1000).toFixed(1)}s -> ${tokPath}`);
  return { train: trainRecords, val: valRecords, unseen: unseenRecords, tokenizer, files: [...files, tokPath] };
}


// ------------------------------------------------------------------ stages 2 and 3: training

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
  /** the model the report scored (the checkpoint on disk: the best, or the latest with always_save_checkpoint) and its tokenizer; null with no report */
  scored: { model: GPT; tokenizer: Tokenizer } | null;
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
    const report = evaluateRecords(model, data.tokenizer, sampleRecords, { decoding: cfg.decoding });
    mkdirSync(samplesDir, { recursive: true });
    // every sample step is kept, newest last: read top to bottom, the model learns
    appendFileSync(samplePath, `${'='.repeat(78)}\n${formatSamples(report.rows, `iteration ${iter}: ${report.exact}/${report.n} exact matches`)}\n`);
    log(`samples at iteration ${iter}: ${report.exact}/${report.n} exact -> ${samplePath}`);
  };
  // how many examples teach the loop (data/agent.ts): chat starts a loop-trained model's answers with a thought
  const info = { ...stageInfo('finetune', data.tokenizer), loop_examples: loopExampleCount(data.train) };
  const result = await train(cfg, ds, { checkpointInfo: info, sample: writeSamples, title: 'fine-tuning', pace, log });
  if (cfg.eval_examples <= 0 || result.interrupted) return { train: result, report: null, scored: null };
  // score the checkpoint on disk (the best, or the latest with always_save_checkpoint), as a user of the model would get it
  const best = existsSync(join(cfg.out_dir, 'checkpoint.json')) ? loadTrained(cfg.out_dir).model : result.model;
  const records = data.val.slice(0, cfg.eval_examples);
  const t0 = performance.now();
  const report = evaluateRecords(best, data.tokenizer, records, { decoding: cfg.decoding });
  log(`evaluated ${records.length} validation examples in ${((performance.now() - t0) / 1000).toFixed(1)}s, decoding: ${cfg.decoding}`);
  if (cfg.decoding !== 'free') {
    // the same model decoding freely: what the grammar adds
    const free = evaluateRecords(best, data.tokenizer, records, { decoding: 'free' });
    log(`the same model decoding freely (no grammar): ${free.exact}/${free.n} = ${(100 * free.exactAccuracy).toFixed(1)}% exact; with ${cfg.decoding} decoding: ${report.exact}/${report.n} = ${(100 * report.exactAccuracy).toFixed(1)}%`);
  }
  return { train: result, report, scored: { model: best, tokenizer: data.tokenizer } };
}
