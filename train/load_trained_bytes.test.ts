// The page's loader (files' contents) and Node's (a directory) give the same model, and refuse the same things.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed } from '../engine/index.ts';
import { GPT } from '../model/gpt.ts';
import { saveCheckpoint } from '../model/checkpoint.ts';
import { generateRecords } from '../data/generator.ts';
import { saveTokenizer } from '../data/tokenizer_file.ts';
import { loadTrained, loadTrainedFromBytes } from './load_trained.ts';
import { tokenizerFingerprint, trainFcTokenizer } from './fc_tokenizer.ts';
import { predictCalls } from './fc_eval.ts';

const dir = mkdtempSync(join(tmpdir(), 'load-bytes-'));
const tok = trainFcTokenizer(generateRecords(40, 'load-bytes'), 300);
manualSeed(9);
const model = new GPT({ block_size: 64, vocab_size: tok.vocabSize, n_layer: 1, n_head: 2, n_embd: 16, dropout: 0, bias: true });
saveCheckpoint(dir, model, null, { model_config: model.config, iter_num: 1, best_val_loss: 2, tokenizer: 'tokenizer.json', tokenizer_sha256: tokenizerFingerprint(tok) });
saveTokenizer(tok, join(dir, 'tokenizer.json'));
const files = () => ({ checkpoint: readFileSync(join(dir, 'checkpoint.json'), 'utf8'), model: readFileSync(join(dir, 'model.safetensors')), tokenizer: readFileSync(join(dir, 'tokenizer.json'), 'utf8') });

test('loadTrainedFromBytes gives loadTrained\'s weights, tokenizer and answers', () => {
  const a = loadTrained(dir);
  const b = loadTrainedFromBytes(files(), dir);
  for (const [name, t] of a.model.namedParameters()) assert.equal(Array.from(b.model.namedParameters().get(name)!.data), Array.from(t.data), name);
  assert.is(b.tokenizer.toText(), a.tokenizer.toText());
  const opts = { decoding: 'copy' as const, maxNewTokens: 20 };
  assert.equal(predictCalls(b.model, b.tokenizer, ['lock the doors'], opts), predictCalls(a.model, a.tokenizer, ['lock the doors'], opts));
});

test('another tokenizer, or weights of another save, are refused by name', () => {
  const other = trainFcTokenizer(generateRecords(40, 'another'), 300);
  assert.throws(() => loadTrainedFromBytes({ ...files(), tokenizer: other.toText() }, 'http://x/ckpt'), /http:\/\/x\/ckpt\/tokenizer.json is not the tokenizer the model in http:\/\/x\/ckpt was trained with/);
  const info = JSON.parse(files().checkpoint);
  assert.throws(() => loadTrainedFromBytes({ ...files(), checkpoint: JSON.stringify({ ...info, save_id: 'other' }) }, 'd'), /d\/model.safetensors and checkpoint.json come from different saves/);
});

test.run();
