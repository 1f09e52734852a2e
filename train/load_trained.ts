// What every script that uses a trained model starts with: the model of a checkpoint directory
// and the tokenizer it was trained with (refused if it is another one). The files are read here;
// what they hold is checked by train/load_trained_bytes.ts, which the page uses too.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Tokenizer } from '../data/tokenizer.ts';
import { loadTokenizer } from '../data/tokenizer_file.ts';
import { loadCheckpoint } from '../model/checkpoint.ts';
import type { GPT } from '../model/gpt.ts';
import { tokenizerFileName, withTokenizer } from './load_trained_bytes.ts';

export { loadTrainedFromBytes } from './load_trained_bytes.ts';

/** A trained model and its tokenizer, from a checkpoint directory (LoRA adapters merged in for speed). */
export function loadTrained(outDir: string): { model: GPT; tokenizer: Tokenizer } {
  const { model, info } = loadCheckpoint(outDir);
  const tokPath = join(outDir, tokenizerFileName(info));
  if (!existsSync(tokPath)) throw new Error(`checkpoint: ${outDir} has no tokenizer file ${tokPath}`);
  const { tokenizer } = withTokenizer(model, info, loadTokenizer(tokPath), tokPath, outDir);
  return { model, tokenizer };
}
