// The data and the tokenizer a training stage uses: records from a directory in the original
// format (a seeded share held out for validation when there is no val file), and the tokenizer
// that must read them, checked against the checkpoint it continues (its sha256 fingerprint).
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Tokenizer } from '../data/tokenizer.ts';
import { loadTokenizer, saveTokenizer } from '../data/tokenizer_file.ts';
import type { FcRecord } from '../data/format.ts';
import { loadFcDir } from '../data/loader.ts';
import { makeRng } from '../engine/random.ts';
import { readCheckpointInfo } from '../model/checkpoint.ts';
import type { FcTrainConfig } from './stage_config.ts';
import { checkTokenizer, tokenizerFingerprint, trainFcTokenizer } from './fc_tokenizer.ts';

// the tokenizer's own functions need no files (train/fc_tokenizer.ts): the page uses them too
export { checkTokenizer, tokenizerFingerprint, trainFcTokenizer };

export type Log = (line: string) => void;

export interface FcData {
  train: FcRecord[];
  val: FcRecord[];
  tokenizer: Tokenizer;
  tokenizerPath: string;
}

/** Records from fc_data_dir and the tokenizer this run must use. */
export function loadData(cfg: FcTrainConfig, log: Log): FcData {
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
    tokenizer = loadTokenizer(tokenizerPath);
    if (info !== null) checkTokenizer(tokenizer, tokenizerPath, info, fromCheckpoint);
    log(`tokenizer: ${tokenizerPath} (${tokenizer.vocabSize} tokens)`);
  } else {
    tokenizer = trainFcTokenizer(trainRecords, cfg.vocab_size);
    mkdirSync(cfg.out_dir, { recursive: true });
    tokenizerPath = join(cfg.out_dir, 'tokenizer.json');
    saveTokenizer(tokenizer, tokenizerPath);
    log(`tokenizer: none found, trained one of ${tokenizer.vocabSize} tokens on the training records -> ${tokenizerPath}`);
  }
  return { train: trainRecords, val: valRecords, tokenizer, tokenizerPath };
}

/** Keep a copy of the tokenizer beside the checkpoint, so the checkpoint directory is self-contained. */
export function copyTokenizer(from: string, outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  const to = join(outDir, 'tokenizer.json');
  if (from !== to) copyFileSync(from, to);
}
