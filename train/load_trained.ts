// What every script that uses a trained model starts with: the model of a checkpoint directory
// and the tokenizer it was trained with (refused if it is another one). The files are read here;
// what they hold is checked by train/load_trained_bytes.ts, which the page uses too.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadTokenizer } from '../data/tokenizer_file.ts';
import { loadCheckpoint } from '../model/checkpoint.ts';
import { tokenizerFileName, withTokenizer } from './load_trained_bytes.ts';
import type { Trained } from './load_trained_bytes.ts';

export { loadTrainedFromBytes } from './load_trained_bytes.ts';

/** A trained model, its tokenizer and checkpoint.json's info, from a checkpoint directory (LoRA adapters merged in for speed). */
export function loadTrained(outDir: string): Trained {
  const { model, info } = loadCheckpoint(outDir);
  const tokPath = join(outDir, tokenizerFileName(info));
  if (!existsSync(tokPath)) throw new Error(`checkpoint: ${outDir} has no tokenizer file ${tokPath}`);
  return withTokenizer(model, info, loadTokenizer(tokPath), tokPath, outDir);
}
