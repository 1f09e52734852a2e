// A trained model and its tokenizer from what a checkpoint directory's files hold (their text and
// bytes): the page fetches them, Node reads them (train/load_trained.ts). Both end in withTokenizer.
import { Tokenizer } from '../data/tokenizer.ts';
import { decodeSafetensors } from '../model/safetensors.ts';
import { modelFromFiles, parseAdapterConfig, parseCheckpointInfo } from '../model/checkpoint_info.ts';
import type { CheckpointInfo } from '../model/checkpoint_info.ts';
import type { GPT } from '../model/gpt.ts';
import { checkTokenizer } from './fc_tokenizer.ts';

export interface TrainedFiles {
  /** checkpoint.json's text */
  checkpoint: string;
  /** model.safetensors */
  model: Uint8Array;
  /** the tokenizer file's text (checkpoint.json's "tokenizer", tokenizer.json) */
  tokenizer: string;
  /** adapter_config.json's text and adapter_model.safetensors, for a model fine-tuned with LoRA */
  adapters?: { config: string; model: Uint8Array };
}

export interface Trained {
  model: GPT;
  tokenizer: Tokenizer;
  info: CheckpointInfo;
}

/** The file names a checkpoint's info asks for, besides checkpoint.json and model.safetensors. */
export function tokenizerFileName(info: CheckpointInfo): string {
  return info.tokenizer ?? 'tokenizer.json';
}

/** The model's tokenizer, checked against the checkpoint (fingerprint, size); LoRA adapters merged in for speed. */
export function withTokenizer(model: GPT, info: CheckpointInfo, tokenizer: Tokenizer, tokPath: string, dir: string): Trained {
  if (model.lora !== null) model.mergeLora(true);
  checkTokenizer(tokenizer, tokPath, info, dir);
  if (tokenizer.vocabSize > model.config.vocab_size) throw new Error(`checkpoint: ${tokPath} has ${tokenizer.vocabSize} tokens but the model in ${dir} has vocab_size ${model.config.vocab_size}`);
  return { model, tokenizer, info };
}

/** A trained model from its files' contents; `dir` (a path or URL) names them in errors. */
export function loadTrainedFromBytes(files: TrainedFiles, dir: string): Trained {
  const info = parseCheckpointInfo(files.checkpoint, `${dir}/checkpoint.json`);
  const weights = decodeSafetensors(files.model, `${dir}/model.safetensors`);
  const adapters = files.adapters === undefined ? undefined : {
    config: parseAdapterConfig(files.adapters.config, `${dir}/adapter_config.json`),
    file: decodeSafetensors(files.adapters.model, `${dir}/adapter_model.safetensors`),
    source: `${dir}/adapter_model.safetensors`,
  };
  const model = modelFromFiles(info, weights, `${dir}/model.safetensors`, adapters);
  const tokPath = `${dir}/${tokenizerFileName(info)}`;
  return withTokenizer(model, info, Tokenizer.fromText(files.tokenizer, tokPath), tokPath, dir);
}
