import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer, gpt2ByteAlphabet } from './tokenizer.ts';
import { SPECIAL_TOKENS } from './format.ts';
import { loadTokenizer, saveTokenizer } from './tokenizer_file.ts';

const corpus = Array.from({ length: 200 }, (_, i) => `set the temperature to ${i % 40} degrees<|endoftext|>turn up the fan for the driver<|endoftext|>`).join('\n');
const tok = Tokenizer.train(corpus, 280, SPECIAL_TOKENS);

test('decode(encode(s)) === s for any string: accents, emoji, CJK, newlines, specials', () => {
  for (const s of ['', 'plain text', 'café naïve résumé', '🚗💨 emoji 👍🏽', '東京へ行きます。温度を上げて', 'line one\nline two\r\n\ttab',
    'mixed <|endoftext|> special <functioncall> {"a": 1}', '  leading and trailing  ', "it's 22°C isn't it", '\u0000\u0001 control']) {
    assert.is(tok.decode(tok.encode(s)), s, JSON.stringify(s));
  }
});

test('merges happen, digits stay single tokens, training is deterministic', () => {
  assert.is(tok.vocabSize, 280);
  const ids = tok.encode(' the temperature');
  assert.ok(ids.length < ' the temperature'.length, 'frequent words merge');
  assert.equal(tok.encode('1234').map((i) => tok.tokenText(i)), ['1', '2', '3', '4']);
  const again = Tokenizer.train(corpus, 280, SPECIAL_TOKENS);
  assert.equal(again.toJSON(), tok.toJSON());
  assert.throws(() => Tokenizer.train(corpus, 280, SPECIAL_TOKENS, [], 'trailing'), /unknown pattern 'trailing'; patterns are gpt2, digits/);
});

test('special tokens are single ids that merges never produce or split', () => {
  for (const s of SPECIAL_TOKENS) {
    const ids = tok.encode(s);
    assert.is(ids.length, 1, s);
    assert.is(ids[0], tok.specialId(s));
  }
  // the text of a special token never comes out of ordinary merges
  const plain = tok.encode('<|endoftext').concat(tok.encode('|>'));
  assert.ok(!plain.includes(tok.specialId('<|endoftext|>')));
  assert.equal(tok.encode('a<|pad|>b').length, 3);
  assert.throws(() => tok.specialId('<nope>'), /no special token <nope>/);
});

test('encodeOrdinary: special-token text is bytes, never a control id; ordinary text encodes as encode does', () => {
  const typed = 'lights on <|im_end|><functioncall> {"name": "x"}';
  const ids = tok.encodeOrdinary(typed);
  assert.ok(ids.every((id) => !tok.isSpecial(id)), 'no special id');
  assert.is(tok.decode(ids), typed);
  assert.ok(tok.encode(typed).includes(tok.specialId('<|im_end|>')), 'encode still makes it a control token');
  for (const s of ['set the temperature to 21 degrees', '', 'café 🚗']) assert.equal(tok.encodeOrdinary(s), tok.encode(s));
});

test('save and load give the same encodings', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'tok-')), 'tok.json');
  saveTokenizer(tok, path);
  const back = loadTokenizer(path);
  const s = 'turn up the fan for the driver, 21 degrees <|im_end|>';
  assert.equal(back.encode(s), tok.encode(s));
  assert.throws(() => loadTokenizer(join(tmpdir(), 'missing-tokenizer.json')), /tokenizer: cannot read/);
});

test('a phrase is cut out whole, so its merges cross spaces; round trip and save/load keep it', () => {
  const phrase = 'You are a helpful assistant.';
  const text = Array.from({ length: 100 }, (_, i) => `${phrase} turn up the fan ${i}<|endoftext|>`).join('');
  const withPhrase = Tokenizer.train(text, 320, SPECIAL_TOKENS, [phrase]);
  const without = Tokenizer.train(text, 320, SPECIAL_TOKENS);
  assert.is(withPhrase.encode(phrase).length, 1, 'a frequent phrase becomes one token');
  assert.ok(without.encode(phrase).length >= 5, 'without it, merges stop at each word');
  for (const s of [`${phrase} and ${phrase}`, `x${phrase}y`, 'You are a helpful', '']) assert.is(withPhrase.decode(withPhrase.encode(s)), s);
  const path = join(mkdtempSync(join(tmpdir(), 'tok-')), 'tok.json');
  saveTokenizer(withPhrase, path);
  assert.equal(loadTokenizer(path).encode(`${phrase} now`), withPhrase.encode(`${phrase} now`));
  assert.throws(() => Tokenizer.train(text, 300, SPECIAL_TOKENS, ['']), /phrase must not be empty/);
});

test("loads GPT-2's vocab.json + merges.txt (a tiny hand-made pair)", () => {
  const A = gpt2ByteAlphabet();
  assert.is(A[32], 'Ġ'); // space
  assert.is(A[10], 'Ċ'); // newline
  const vocab: Record<string, number> = {};
  ['h', 'e', 'l', 'o', 'Ġ', 'w', 'r', 'd', 'he', 'll', 'hell', 'hello', 'Ġw', '<|endoftext|>'].forEach((t, i) => (vocab[t] = i));
  const merges = '#version: 0.2\nh e\nl l\nhe ll\nhell o\nĠ w\n';
  const g = Tokenizer.fromGPT2(JSON.stringify(vocab), merges);
  assert.equal(g.encode('hello world'), [11, 12, 3, 6, 2, 7]); // [hello][Ġw][o][r][l][d]
  assert.equal(g.encode('hello<|endoftext|>'), [11, 13]);
  assert.is(g.decode([11, 12, 3, 6, 2, 7, 13]), 'hello world<|endoftext|>');
  assert.throws(() => g.encode('hi'), /byte 105 of "hi" has no token/);
  assert.throws(() => Tokenizer.fromGPT2(JSON.stringify(vocab), 'x y\n'), /merges.txt line 1 \(x y\) names tokens missing/);
});

test.run();
