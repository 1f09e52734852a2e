// What every script that uses a trained model starts with: the model of a checkpoint directory
// and the tokenizer it was trained with (refused if it is another one).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '../data/tokenizer.ts';
import { loadCheckpoint } from '../model/checkpoint.ts';
import type { GPT } from '../model/gpt.ts';
import { checkTokenizer } from './fc_data.ts';

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
