// A tokenizer file on disk (Node): the tokenizer is its JSON text (data/tokenizer.ts toText, fromText).
import { readFileSync, writeFileSync } from 'node:fs';
import { Tokenizer } from './tokenizer.ts';

export function saveTokenizer(tok: Tokenizer, path: string): void {
  writeFileSync(path, tok.toText());
}

export function loadTokenizer(path: string): Tokenizer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`tokenizer: cannot read ${path}: ${(e as Error).message}`);
  }
  return Tokenizer.fromText(text, path);
}
