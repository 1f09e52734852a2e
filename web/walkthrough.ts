// "Watch it learn" at browser size: the walkthrough's stages (scripts/train.ts) with a few hundred
// examples, a tiny model and tens of steps, so it runs in a minute or two in a page. The settings
// are the walkthrough's own (train/stage_config.ts) with these few changed; the browser test
// (scripts/test_browser.ts) trains the same way in Node and compares the losses.
import type { FcRecord } from '../data/format.ts';
import type { Tokenizer } from '../data/tokenizer.ts';
import { defaultFinetuneConfig, defaultPrepareConfig, defaultPretrainConfig } from '../train/stage_config.ts';
import type { FcTrainConfig, PrepareConfig } from '../train/stage_config.ts';
import { generateSplits } from '../train/fc_records.ts';
import { trainFcTokenizer } from '../train/fc_tokenizer.ts';

export const pagePrepare: PrepareConfig = {
  ...defaultPrepareConfig, data_dir: '(memory)',
  num_train: 600, num_val: 60, num_unseen: 0, // a few hundred examples: seconds to make and tokenize
  vocab_size: 512, // a smaller vocabulary trains in a second and fits a smaller model
};

const tiny = {
  n_layer: 2, n_head: 2, n_embd: 48, block_size: 128, batch_size: 8, workers: 1, eval_iters: 2, log_interval: 1, sample_interval: 0, out_dir: '(memory)',
};

export const pagePretrain: FcTrainConfig = {
  ...defaultPretrainConfig, ...tiny, max_iters: 30, eval_interval: 10, warmup_iters: 5, lr_decay_iters: 30,
};

export const pageFinetune: FcTrainConfig = {
  ...defaultFinetuneConfig, ...tiny, init_from: 'pretrained', pretrained_dir: '(memory)',
  max_iters: 90, eval_interval: 30, warmup_iters: 9, lr_decay_iters: 90, batch_size: 16,
  learning_rate: 3e-3, // tens of steps, not thousands: a bolder rate (val loss 3.0 -> 1.8 at 90 steps)
};

/** A stage's settings for this many steps: the schedule decays over them, warmup fits inside. */
function withSteps(stage: FcTrainConfig, steps: number): FcTrainConfig {
  return { ...stage, max_iters: steps, lr_decay_iters: steps, warmup_iters: Math.min(stage.warmup_iters, steps) };
}

export function pretrainSettings(steps = pagePretrain.max_iters): FcTrainConfig {
  return withSteps(pagePretrain, steps);
}

export function finetuneSettings(steps = pageFinetune.max_iters): FcTrainConfig {
  return withSteps(pageFinetune, steps);
}

/** Validation commands the samples table answers. */
export const SAMPLE_COMMANDS = 8;

export interface PageData {
  train: FcRecord[];
  val: FcRecord[];
  tokenizer: Tokenizer;
}

/** Stage 1 in memory: the examples prepare would write, and the tokenizer trained on them. */
export function pageData(cfg: PrepareConfig = pagePrepare): PageData {
  const { train, val } = generateSplits(cfg);
  return { train, val, tokenizer: trainFcTokenizer(train, cfg.vocab_size, cfg.tokenizer_pattern) };
}
