// The tokenizer of the function-calling stages: how it is trained, its fingerprint, and the check
// that a checkpoint is read by the tokenizer it was trained with. No files: Node and the page share it.
import { Tokenizer } from '../data/tokenizer.ts';
import { ANSWER_PHRASES, FORMAT_PHRASES, SPECIAL_TOKENS, fullText } from '../data/format.ts';
import type { FcRecord } from '../data/format.ts';
import { sha256Hex } from '../data/sha256.ts';

/** A tokenizer for data in the function-calling format: trained on the records' full text, with
 * the special tokens, the format's fixed phrases and the API's names (one place, so every caller agrees). */
export function trainFcTokenizer(records: FcRecord[], vocabSize: number, pattern?: string): Tokenizer {
  return Tokenizer.train(records.map(fullText).join(''), vocabSize, SPECIAL_TOKENS, [...FORMAT_PHRASES, ...ANSWER_PHRASES], pattern);
}

/** A tokenizer's identity: sha256 of its merges, tokens, special tokens and pattern (not of the file's bytes). */
export function tokenizerFingerprint(tok: Tokenizer): string {
  return sha256Hex(JSON.stringify(tok.toJSON()));
}

/** The tokenizer a checkpoint was trained with must be the one that reads for it: same size is not enough. */
export function checkTokenizer(tok: Tokenizer, tokPath: string, info: { tokenizer_sha256?: string }, dir: string): void {
  if (info.tokenizer_sha256 === undefined) return; // a checkpoint from before fingerprints
  if (tokenizerFingerprint(tok) !== info.tokenizer_sha256) {
    throw new Error(`checkpoint: ${tokPath} is not the tokenizer the model in ${dir} was trained with (fingerprints differ: ${tokenizerFingerprint(tok).slice(0, 12)} vs ${info.tokenizer_sha256.slice(0, 12)}); use that model's own tokenizer.json`);
  }
}
