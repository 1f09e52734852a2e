import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tokenizer, gpt2ByteAlphabet } from './tokenizer.ts';
import type { TokenizerJSON } from './tokenizer.ts';
import { ANSWER_PHRASES, FORMAT_PHRASES, SPECIAL_TOKENS, fullText } from './format.ts';
import { generateRecords } from './generator.ts';
import { hfSpecialTokensMap, hfTokenizerConfig, hfTokenizerJson, hfVocab, mergesTxt, portablePattern } from './export_hf_tokenizer.ts';

const records = generateRecords(150, 'export-tokenizer');
const tok = Tokenizer.train(records.map(fullText).join(''), 420, SPECIAL_TOKENS, [...FORMAT_PHRASES, ...ANSWER_PHRASES]);
const ours: TokenizerJSON = tok.toJSON();

interface HfJson {
  added_tokens: Array<{ id: number; content: string; special: boolean; normalized: boolean }>;
  pre_tokenizer: { type: string; pretokenizers: Array<{ type: string; pattern?: { Regex: string }; behavior?: string; use_regex?: boolean }> };
  decoder: { type: string };
  model: { type: string; vocab: Record<string, number>; merges: string[] };
}
const hf = JSON.parse(JSON.stringify(hfTokenizerJson(ours))) as HfJson;
const fromAlphabet = new Map(gpt2ByteAlphabet().map((ch, b) => [ch, b]));
const bytesOf = (s: string) => [...s].map((ch) => fromAlphabet.get(ch)!);

// ---- Hugging Face's tokenizers, re-done from tokenizer.json alone (not from our Tokenizer):
// added tokens cut out first, then each Split ("Isolated": the matches and the text between them
// are the pieces), ByteLevel (UTF-8 bytes in GPT-2's alphabet), BPE (the lowest-ranked merge first).

/** Oniguruma's anchors in JavaScript's spelling; the rest of our patterns reads the same in both. */
const jsRegex = (onig: string) => new RegExp(onig.replace('\\A', '^').replace('\\z', '$'), 'gu');

function splitIsolated(piece: string, re: RegExp): string[] {
  const out: string[] = [];
  let last = 0;
  for (const m of piece.matchAll(re)) {
    if (m.index > last) out.push(piece.slice(last, m.index));
    out.push(m[0]);
    last = m.index + m[0].length;
  }
  if (last < piece.length) out.push(piece.slice(last));
  return out.filter((s) => s !== '');
}

function bpe(word: string[], ranks: Map<string, number>): string[] {
  for (;;) {
    let best = -1;
    for (let i = 0; i < word.length - 1; i++) {
      const r = ranks.get(`${word[i]} ${word[i + 1]}`);
      if (r !== undefined && (best === -1 || r < ranks.get(`${word[best]} ${word[best + 1]}`)!)) best = i;
    }
    if (best === -1) return word;
    const [a, b] = [word[best], word[best + 1]];
    const next: string[] = [];
    for (let i = 0; i < word.length; i++) {
      if (i < word.length - 1 && word[i] === a && word[i + 1] === b) next.push(a + b), i++;
      else next.push(word[i]);
    }
    word = next;
  }
}

function hfEncode(json: HfJson, text: string): number[] {
  const ranks = new Map(json.model.merges.map((m, r) => [m, r]));
  const splits = json.pre_tokenizer.pretokenizers.filter((p) => p.type === 'Split').map((p) => jsRegex(p.pattern!.Regex));
  const added = [...json.added_tokens].sort((a, b) => b.content.length - a.content.length);
  const addedRe = new RegExp(`(${added.map((t) => t.content.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`);
  const ids: number[] = [];
  for (const section of text.split(addedRe)) {
    const special = added.find((t) => t.content === section);
    if (special !== undefined) {
      ids.push(special.id);
      continue;
    }
    let pieces = section === '' ? [] : [section];
    for (const re of splits) pieces = pieces.flatMap((p) => splitIsolated(p, re));
    for (const p of pieces) {
      const chars = Array.from(new TextEncoder().encode(p), (b) => gpt2ByteAlphabet()[b]);
      for (const t of bpe(chars, ranks)) ids.push(json.model.vocab[t]);
    }
  }
  return ids;
}

const samples = [
  ...records.slice(0, 40).map(fullText),
  'set the temperature to 21 degrees', 'xset_fan_speedy and rear-leftover', "it's 22°C, isn't it?", 'café 🚗 東京 ٣ ²',
  '  two  spaces\n\n\ttab ', 'user\nassistant\n', ` {"name": "set_fan_speed", "arguments": "{'speed': 'high'}"}`, 'a\u0085b \ufeffc\u00a0d\u3000e', '',
];

test("a re-implementation of Hugging Face's tokenizers, reading only tokenizer.json, gives our ids", () => {
  for (const s of samples) assert.equal(hfEncode(hf, s), tok.encode(s), JSON.stringify(s).slice(0, 80));
  // the phrase split matters: without its alternative the system prompt is cut into words
  const noPhrases: HfJson = { ...hf, pre_tokenizer: { ...hf.pre_tokenizer, pretokenizers: hf.pre_tokenizer.pretokenizers.slice(1) } };
  noPhrases.pre_tokenizer.pretokenizers[0] = { ...noPhrases.pre_tokenizer.pretokenizers[0], pattern: { Regex: portablePattern(/'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/u.source) } };
  assert.ok(hfEncode(noPhrases, samples[0]).length > tok.encode(samples[0]).length);
});

test('phrases that begin alike are tried longest first, as our tokenizer cuts them', () => {
  const text = Array.from({ length: 30 }, (_, i) => `turn the fan up ${i} and the fan speed down<|endoftext|>`).join('');
  const small = Tokenizer.train(text, 300, SPECIAL_TOKENS, ['the fan', 'the fan speed']);
  const json = JSON.parse(JSON.stringify(hfTokenizerJson(small.toJSON()))) as HfJson;
  for (const s of ['the fan speed up', 'the fan speedy', 'the fa']) assert.equal(hfEncode(json, s), small.encode(s), s);
});

test('every id keeps its number: vocab strings are our tokens in GPT-2’s byte alphabet, specials as text', () => {
  const vocab = hf.model.vocab;
  assert.is(Object.keys(vocab).length, tok.vocabSize);
  const specials = new Map(Object.entries(ours.special).map(([s, id]) => [id, s]));
  const seen = new Set<number>();
  for (const [s, id] of Object.entries(vocab)) {
    seen.add(id);
    if (specials.has(id)) assert.is(s, specials.get(id));
    else assert.equal(bytesOf(s), ours.tokens[id], `id ${id}`);
  }
  assert.is(seen.size, tok.vocabSize, 'no id twice, none missing');
  assert.is(vocab['Ġ'], 32, 'our byte b is id b: a space is 32, not GPT-2\'s 220');
  assert.is(vocab['!'], 33);
});

test('merges: as many as ours, in our rank order, each the two strings whose join is the merged token', () => {
  assert.is(hf.model.merges.length, ours.merges.length);
  ours.merges.forEach(([a, b, m], rank) => {
    const [left, right] = hf.model.merges[rank].split(' ');
    assert.equal([hf.model.vocab[left], hf.model.vocab[right], hf.model.vocab[left + right]], [a, b, m], `merge ${rank}`);
  });
  const txt = mergesTxt(ours).split('\n');
  assert.is(txt[0], '#version: 0.2');
  assert.equal(txt.slice(1, -1), hf.model.merges);
});

test('added tokens are our special tokens with our ids; the pipeline is Split(s), ByteLevel without regex; decoder ByteLevel', () => {
  assert.equal(hf.added_tokens.map((t) => [t.content, t.id]), Object.entries(ours.special).sort((a, b) => a[1] - b[1]));
  assert.ok(hf.added_tokens.every((t) => t.special && !t.normalized));
  assert.equal(hf.pre_tokenizer.pretokenizers.map((p) => p.type), ['Split', 'Split', 'ByteLevel']);
  assert.ok(hf.pre_tokenizer.pretokenizers.slice(0, 2).every((p) => p.behavior === 'Isolated'));
  assert.is(hf.pre_tokenizer.pretokenizers[2].use_regex, false);
  assert.is(hf.decoder.type, 'ByteLevel');
  assert.is(hf.model.type, 'BPE');
  const noPhrase = JSON.parse(JSON.stringify(hfTokenizerJson({ ...ours, phrases: [] }))) as HfJson;
  assert.equal(noPhrase.pre_tokenizer.pretokenizers.map((p) => p.type), ['Split', 'ByteLevel'], 'no phrases: one Split');
});

test("JavaScript's \\s is spelled out (Oniguruma's differs in U+0085 and U+FEFF); other escapes stay", () => {
  const p = portablePattern('\\s+(?!\\S)|[^\\s\\p{L}]+|\\p{N}');
  assert.not.match(p, /\\s|\\S/);
  assert.match(p, /\\p\{Zs\}/);
  assert.ok(p.includes('\uFEFF') && !p.includes('\u0085'));
  const space = new RegExp(`^${portablePattern('\\s')}$`, 'u');
  for (const ch of [' ', '\t', '\n', '\u00a0', '\u2028', '\u3000', '\ufeff', 'a', '_', '\u0085']) assert.is(space.test(ch), /^\s$/u.test(ch), JSON.stringify(ch));
  for (const s of ['a  b', 'x\u0085!y', 'a \ufeffb', 'a\u3000\u3000b']) assert.equal(s.match(new RegExp(p, 'gu')), s.match(/\s+(?!\S)|[^\s\p{L}]+|\p{N}/gu), JSON.stringify(s));
});

test('two ids with the same bytes cannot both be in a vocab: a clear error', () => {
  const dup: TokenizerJSON = { ...ours, tokens: [...ours.tokens, [104, 105], [104, 105]], merges: [], special: {} };
  assert.throws(() => hfVocab(dup), /tokens \d+ and \d+ are both "hi"/);
});

test('tokenizer_config.json and special_tokens_map.json: GPT-2 roles for <|endoftext|> and <|pad|>, the others additional', () => {
  const map = hfSpecialTokensMap(ours) as Record<string, unknown>;
  assert.equal(map, {
    bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', unk_token: '<|endoftext|>', pad_token: '<|pad|>',
    additional_special_tokens: ['<|im_start|>', '<|im_end|>', '<functioncall>', '<thought>', '<observation>'],
  });
  const config = hfTokenizerConfig(ours, 128) as Record<string, unknown>;
  assert.is(config.tokenizer_class, 'GPT2Tokenizer');
  assert.is(config.model_max_length, 128);
  assert.is(config.add_bos_token, false);
  const decoder = config.added_tokens_decoder as Record<string, { content: string }>;
  assert.equal(Object.entries(decoder).map(([id, t]) => [t.content, Number(id)]), Object.entries(ours.special));
});

test.run();
