// From records to batches.
//
// Fine-tuning (FcDataset): one example per row. The sequence is prompt (system + user +
// assistant header) followed by the answer and its end token. Inputs are the sequence without
// its last token, targets the sequence shifted by one; a target counts in the loss only if it
// is part of the answer (so the model is never trained to predict the user's words), and
// padding targets are -1 too:
//
//   tokens   <|im_start|> system ... user ... assistant\n <functioncall> {...} <|im_end|> <|endoftext|>
//   targets       -1       -1 ...  -1  ...     <functioncall>   {...}  <|im_end|> <|endoftext|>  (-1 padding)
//
// Rows are padded to block_size with <|pad|>; columns that are padding in every row of a batch
// are then cut off, which changes no result (attention is causal and those targets are -1)
// and saves their compute. Examples longer than block_size are dropped and counted.
//
// Pretraining (TextStream): every record's full text, concatenated into one token stream, and
// random windows of block_size + 1 tokens from it (all positions count), as nanoGPT does.
import type { Batch, BatchSource } from './batch.ts';
import type { Tokenizer } from './tokenizer.ts';
import type { FcRecord } from './format.ts';
import { encodeFullText, encodeRecordPrompt, promptAndAnswer, SPECIAL } from './format.ts';
import { answerSegments } from './agent.ts';

export interface EncodedExample {
  /** prompt + answer token ids */
  ids: Int32Array;
  /** number of prompt tokens */
  promptLength: number;
  /** 1 where the model is trained to produce the token (answer), 0 elsewhere (prompt, observations) */
  learn: Uint8Array;
}

/**
 * Token ids of prompt and answer. An answer from the Thought -> Act -> Observe loop is encoded
 * in segments so the simulator's observation text is not learned (data/agent.ts); the loop
 * appends observations the same way at inference, so the tokens match.
 */
export function encodeExample(tok: Tokenizer, record: FcRecord): EncodedExample {
  const { answer } = promptAndAnswer(record);
  const ids = encodeRecordPrompt(tok, record); // the user's words never as special tokens
  const learn: number[] = ids.map(() => 0);
  for (const seg of answerSegments(answer)) {
    const s = tok.encode(seg.text);
    ids.push(...s);
    learn.push(...s.map(() => (seg.loss ? 1 : 0)));
  }
  return { ids: Int32Array.from(ids), promptLength: learn.indexOf(1) === -1 ? ids.length : learn.indexOf(1), learn: Uint8Array.from(learn) };
}

/** Inputs and masked targets of one example (length = ids.length - 1): target i is token i+1, if it is learned. */
export function inputsAndTargets(ex: EncodedExample): { inputs: Int32Array; targets: Int32Array } {
  const n = ex.ids.length - 1;
  const inputs = ex.ids.slice(0, n);
  const targets = new Int32Array(n);
  for (let i = 0; i < n; i++) targets[i] = ex.learn[i + 1] ? ex.ids[i + 1] : -1;
  return { inputs, targets };
}

/**
 * No records at all is a different problem from records too long for block_size: say which. A
 * directory without a val/test file lends some of its training records to validation
 * (train/fc_pipeline.ts), so one record leaves none to train on.
 */
function checkRecordCounts(nTrain: number, nVal: number): void {
  if (nTrain === 0 && nVal === 0) throw new Error('dataset: no records: the training and validation data are empty');
  if (nTrain === 0) throw new Error(`dataset: no training records (${nVal} for validation): with no val/test file, at least 2 records are needed, at least one for each`);
  if (nVal === 0) throw new Error(`dataset: no validation records (${nTrain} for training)`);
}

export class FcDataset implements BatchSource {
  readonly vocabSize: number;
  readonly train: EncodedExample[];
  readonly val: EncodedExample[];
  readonly dropped: { train: number; val: number };
  private readonly padId: number;

  constructor(tok: Tokenizer, trainRecords: FcRecord[], valRecords: FcRecord[], readonly blockSize: number) {
    this.vocabSize = tok.vocabSize;
    this.padId = tok.specialId(SPECIAL.pad);
    checkRecordCounts(trainRecords.length, valRecords.length);
    const fits = (e: EncodedExample) => e.ids.length - 1 <= blockSize;
    const tr = trainRecords.map((r) => encodeExample(tok, r));
    const va = valRecords.map((r) => encodeExample(tok, r));
    this.train = tr.filter(fits);
    this.val = va.filter(fits);
    this.dropped = { train: tr.length - this.train.length, val: va.length - this.val.length };
    for (const [split, kept, all] of [['training', this.train, tr], ['validation', this.val, va]] as const) {
      if (kept.length === 0) throw new Error(`dataset: no ${split} example fits block_size ${blockSize}: the shortest of its ${all.length} is ${Math.min(...all.map((e) => e.ids.length - 1))} tokens`);
    }
  }

  getBatch(split: 'train' | 'val', batchSize: number, rng: () => number): Batch {
    const pool = split === 'train' ? this.train : this.val;
    const rows = Array.from({ length: batchSize }, () => pool[Math.floor(rng() * pool.length)]);
    return this.collate(rows);
  }

  /** Pad rows to block_size (pad tokens, -1 targets), then drop all-padding columns at the end. */
  collate(rows: EncodedExample[]): Batch {
    const T = Math.max(...rows.map((r) => r.ids.length - 1));
    const B = rows.length;
    const idx = new Int32Array(B * T).fill(this.padId);
    const targets = new Int32Array(B * T).fill(-1);
    rows.forEach((r, b) => {
      const { inputs, targets: t } = inputsAndTargets(r);
      idx.set(inputs, b * T);
      targets.set(t, b * T);
    });
    return { idx, targets, B, T };
  }
}

export class TextStream implements BatchSource {
  readonly vocabSize: number;
  private readonly tokens: { train: Int32Array; val: Int32Array };

  constructor(tok: Tokenizer, trainRecords: FcRecord[], valRecords: FcRecord[], readonly blockSize: number) {
    this.vocabSize = tok.vocabSize;
    checkRecordCounts(trainRecords.length, valRecords.length);
    const stream = (records: FcRecord[]) => Int32Array.from(records.flatMap((r) => encodeFullText(tok, r)));
    this.tokens = { train: stream(trainRecords), val: stream(valRecords) };
    for (const split of ['train', 'val'] as const) {
      if (this.tokens[split].length <= blockSize + 1) throw new Error(`dataset: the ${split} text has ${this.tokens[split].length} tokens, fewer than block_size + 1 = ${blockSize + 1}`);
    }
  }

  get trainTokens(): number {
    return this.tokens.train.length;
  }

  getBatch(split: 'train' | 'val', batchSize: number, rng: () => number): Batch {
    const data = this.tokens[split];
    const T = this.blockSize;
    const idx = new Int32Array(batchSize * T);
    const targets = new Int32Array(batchSize * T);
    for (let b = 0; b < batchSize; b++) {
      const start = Math.floor(rng() * (data.length - T - 1));
      idx.set(data.subarray(start, start + T), b * T);
      targets.set(data.subarray(start + 1, start + T + 1), b * T);
    }
    return { idx, targets, B: batchSize, T };
  }
}
