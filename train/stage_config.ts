// The settings of the pipeline's stages (train/fc_pipeline.ts) and the walkthrough's defaults,
// each with the reason it has its value; the measurements behind them are in bench/RESULTS.md
// ("Why the walkthrough's defaults are what they are"). Checked before any work starts.
import { SPECIAL_TOKENS } from '../data/format.ts';
import { TOKENIZER_PATTERNS } from '../data/tokenizer.ts';
import { ConfigCheck, DECODINGS, defaultTrainConfig, validateTrainConfig } from './config.ts';
import type { Decoding, TrainConfig } from './config.ts';

// ------------------------------------------------------------------ stage 1: data + tokenizer

export interface PrepareConfig {
  data_dir: string;
  num_train: number;
  num_val: number;
  /**
   * commands said only in held-out phrasings (data/phrase_split.ts), written to <data_dir>/unseen:
   * the unseen-phrasing val set. With 0, nothing is held out of training.
   */
  num_unseen: number;
  vocab_size: number;
  /** the tokenizer's pre-tokenizer pattern (data/tokenizer.ts): digits | gpt2 */
  tokenizer_pattern: string;
  incomplete_rate: number;
  /** training examples ask this many times more often for navigation and music (free text to copy); val keeps the usual mix */
  copy_boost: number;
  /** share of training examples in the Thought -> Act -> Observe format (data/agent.ts), for npm run chat */
  agent_fraction: number;
  /** share of training commands given one word of noise: an unknown word, a filler, a small word left out (data/noise.ts) */
  noise_rate: number;
  seed: number;
}

export const defaultPrepareConfig: PrepareConfig = {
  data_dir: 'out/data',
  num_train: 40000,
  num_val: 1000,
  num_unseen: 500, // language never trained on is what real commands test (issue: real commands)
  vocab_size: 2048, // with the format's phrases and the API's names kept whole: answers 22.5 -> 15.7 tokens
  tokenizer_pattern: 'digits', // numbers are copied digit by digit
  incomplete_rate: 0.06,
  copy_boost: 4, // navigation and music 4x as often in training: 90.0% vs 88.4% exact
  agent_fraction: 0.1, // a tenth of training in the loop's format: npm run chat thinks, acts, reads the car and answers
  noise_rate: 0.2, // unseen phrasings 1,475 -> 1,521 of 2,000 over four seeds; real commands not better (bench/RESULTS.md, 2026-12-07, night)
  seed: 1337,
};

/** Check the data stage's settings before anything is generated or written. */
export function validatePrepareConfig(c: PrepareConfig): void {
  const check = new ConfigCheck(c as unknown as Record<string, unknown>, 'prepare');
  if (c.data_dir === '') throw new Error('prepare: --data_dir must not be empty');
  check.int('num_train').int('num_val').int('num_unseen', 0).int('vocab_size', 256 + SPECIAL_TOKENS.length).oneOf('tokenizer_pattern', TOKENIZER_PATTERNS);
  check.range('incomplete_rate', 0, 1).range('agent_fraction', 0, 1).range('noise_rate', 0, 1).above('copy_boost', 0);
  if (!Number.isSafeInteger(c.seed)) throw new Error(`prepare: --seed must be an integer, got ${c.seed}`);
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
  decoding: Decoding;
}

/** Check a training stage's settings (the trainer's and the function-calling ones) before any data is read. */
export function validateFcConfig(c: FcTrainConfig): void {
  validateTrainConfig(c);
  const check = new ConfigCheck(c as unknown as Record<string, unknown>);
  check.oneOf('decoding', DECODINGS).range('val_fraction', 0, 1, true).above('val_fraction', 0);
  check.int('eval_examples', 0).int('sample_examples', 0).int('vocab_size', 256 + SPECIAL_TOKENS.length);
  if (c.fc_data_dir === '') throw new Error('config: --fc_data_dir must name a directory of *train*.json files');
}

const fcDefaults = {
  fc_data_dir: 'out/data', tokenizer: '', skip_bad: false, val_fraction: 0.05, eval_examples: 500, sample_examples: 20, vocab_size: 2048, decoding: 'copy' as Decoding,
};

// The walkthrough's two training stages: 6 to 9 minutes on 2 cores together (bench/RESULTS.md), most of it
// fine-tuning, since copying values out of a command is learned late (60 + 1150 steps beat 200 + 900).
export const defaultPretrainConfig: FcTrainConfig = {
  ...defaultTrainConfig, ...fcDefaults, out_dir: 'out/pretrain',
  max_iters: 60, // a short warm start: language first, then the job; more pretraining bought less than fine-tuning
  eval_interval: 60, eval_iters: 10, log_interval: 10, eval_examples: 0,
  batch_size: 16, block_size: 128,
  n_embd: 96, // at 64 wide the model erred as often on training examples as on val: too small; 96 costs 1.5x a step
  warmup_iters: 10, lr_decay_iters: 60, learning_rate: 2e-3, min_lr: 2e-4,
  workers: 0, // data parallel, a thread per core (at most train/step.ts's SHARDS): the same loss curve as one thread
  optimizer: 'muon', // the blocks' matrices: a 4x lower fine-tuning loss than AdamW alone at the same steps
};

// A fine-tune takes its width from the pretrained checkpoint (withCheckpointShape); n_embd here is
// the pretraining one, for a fine-tune from scratch and for the bench's model of this step.
export const defaultFinetuneConfig: FcTrainConfig = {
  ...defaultTrainConfig, ...fcDefaults, out_dir: 'out/finetune', init_from: 'pretrained', pretrained_dir: 'out/pretrain',
  max_iters: 2500, // 3500 scored +0 and +3 of 1,000 for 1.4x the time
  batch_size: 32, // 2500 x 32 = 5000 x 16 examples, with a step's fixed costs (Newton-Schulz, hand-offs) paid half as often
  eval_interval: 625, eval_iters: 10, log_interval: 10, sample_interval: 625,
  block_size: 128, n_embd: defaultPretrainConfig.n_embd,
  warmup_iters: 125, lr_decay_iters: 2500,
  learning_rate: 2e-3, // 3e-3 and 1.5e-3 did no better at 96 wide
  min_lr: 2e-4, workers: 0, optimizer: 'muon',
  // keep the model the schedule ends with, not the one of lowest val loss: measured on 10 batches,
  // that loss had kept step 1875's model for the default seed (bench/RESULTS.md, 2026-12-07)
  always_save_checkpoint: true,
};
