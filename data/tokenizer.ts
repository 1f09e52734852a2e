// A byte-level BPE tokenizer, as GPT-2's, written from scratch.
//
// Text is UTF-8 bytes, so any string can be encoded (no unknown token). Training starts from the
// 256 byte tokens and repeatedly merges the most frequent adjacent pair into a new token until the
// vocabulary is full. Encoding replays the merges in the order they were learned.
//
// Before merging, text is cut into pieces (words with their leading space, punctuation runs,
// spaces) so merges never cross a word boundary. Our pattern also cuts every digit on its own:
// "72" is always "7","2", so the model copies numbers digit by digit instead of having to learn
// one token per number. Special tokens ("<|endoftext|>", ...) are cut out first and each is one
// id that merges never produce or split.
//
// Phrases are the exception to word boundaries: fixed strings of the data format that appear in
// every example (the system prompt, ' {"name": "'). Each is cut out as one piece, so its merges can
// cross spaces and it ends up as a token or two instead of thirty: the model computes and predicts
// fewer positions that carry no information. The text and decode(encode(s)) are unchanged.
//
// A tokenizer is its JSON (toJSON, fromText): reading and writing the file is data/tokenizer_file.ts's (Node).

/**
 * Pre-tokenizer patterns. gpt2: GPT-2's own (a word takes the space before it). digits (the
 * default): the same with digits one at a time. A third, a word keeping the space after it, copied
 * destinations better but scored lower on real commands and was removed (bench/RESULTS.md).
 */
export const PATTERNS: Record<string, RegExp> = {
  gpt2: /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu,
  digits: /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu,
};

/** The pre-tokenizer patterns a tokenizer can be trained with (--tokenizer_pattern). */
export const TOKENIZER_PATTERNS: readonly string[] = Object.keys(PATTERNS);

export interface TokenizerJSON {
  type: 'byte-bpe';
  pattern: string;
  /** id -> bytes, as arrays of numbers */
  tokens: number[][];
  /** merges in rank order: [left id, right id, merged id] */
  merges: [number, number, number][];
  special: Record<string, number>;
  /** strings cut out as whole pieces before the pattern (absent in older files: none) */
  phrases?: string[];
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder(); // bytes that are no whole character decode as U+FFFD, as Buffer's do

/** UTF-8 bytes to text; ASCII (nearly every token) without TextDecoder, which costs more on short arrays. */
function bytesToText(bytes: ArrayLike<number>): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] >= 0x80) return fromUtf8.decode(Uint8Array.from(bytes));
    text += String.fromCharCode(bytes[i]);
  }
  return text;
}

/** A regex that splits text around any of the phrases (longest first), keeping them; null for none. */
function phraseRegExp(phrases: string[]): RegExp | null {
  if (phrases.length === 0) return null;
  const escaped = [...phrases].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(${escaped.join('|')})`);
}

/** Text (with no special tokens) cut into pieces: each phrase whole, the rest by the pattern. */
function cutPieces(text: string, pattern: RegExp, phraseSplit: RegExp | null): string[] {
  if (phraseSplit === null) return text.match(pattern) ?? [];
  const pieces: string[] = [];
  text.split(phraseSplit).forEach((part, i) => {
    if (i % 2 === 1) pieces.push(part); // split() puts the captured phrases at odd indices
    else if (part !== '') pieces.push(...(part.match(pattern) ?? []));
  });
  return pieces;
}

export class Tokenizer {
  private readonly tokens: Uint8Array[];
  private readonly byteToId = new Int32Array(256).fill(-1);
  /** "left,right" -> [rank, merged id] */
  private readonly mergeRank = new Map<string, [number, number]>();
  private readonly merges: [number, number, number][];
  readonly special: ReadonlyMap<string, number>;
  private readonly specialById = new Map<number, string>();
  private readonly specialSplit: RegExp | null;
  private readonly pattern: string;
  private readonly phrases: string[];
  private readonly phraseSplit: RegExp | null;
  private readonly cache = new Map<string, number[]>();

  constructor(json: TokenizerJSON) {
    if (json.type !== 'byte-bpe' || !(json.pattern in PATTERNS)) throw new Error(`tokenizer: unsupported tokenizer file (type ${json.type}, pattern ${json.pattern})`);
    this.pattern = json.pattern;
    this.tokens = json.tokens.map((b) => Uint8Array.from(b));
    this.tokens.forEach((b, id) => {
      if (b.length === 1 && this.byteToId[b[0]] === -1) this.byteToId[b[0]] = id;
    });
    this.merges = json.merges;
    json.merges.forEach(([a, b, m], rank) => this.mergeRank.set(`${a},${b}`, [rank, m]));
    this.special = new Map(Object.entries(json.special));
    for (const [s, id] of this.special) this.specialById.set(id, s);
    const escaped = [...this.special.keys()].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.specialSplit = escaped.length > 0 ? new RegExp(`(${escaped.join('|')})`) : null;
    this.phrases = json.phrases ?? [];
    this.phraseSplit = phraseRegExp(this.phrases);
  }

  get vocabSize(): number {
    return Math.max(this.tokens.length, ...[...this.special.values()].map((id) => id + 1));
  }

  /** The id of a special token; an error if this tokenizer does not have it. */
  specialId(token: string): number {
    const id = this.special.get(token);
    if (id === undefined) throw new Error(`tokenizer: no special token ${token}`);
    return id;
  }

  /** Text to ids; special-token text ("<|im_end|>") becomes its control id. For text we write ourselves. */
  encode(text: string): number[] {
    const ids: number[] = [];
    const parts = this.specialSplit === null ? [text] : text.split(this.specialSplit);
    for (const part of parts) {
      if (part === '') continue;
      const special = this.special.get(part);
      if (special !== undefined) ids.push(special);
      else ids.push(...this.encodeOrdinary(part));
    }
    return ids;
  }

  /**
   * Text to ids, never a special id: "<|im_end|>" typed by a user is its bytes, so a user cannot
   * end their own turn or forge a call (tiktoken's encode_ordinary). For text that is not ours.
   */
  encodeOrdinary(text: string): number[] {
    const ids: number[] = [];
    for (const piece of cutPieces(text, PATTERNS[this.pattern], this.phraseSplit)) ids.push(...this.encodePiece(piece));
    return ids;
  }

  /** Bytes of one piece, merged pair by pair in the order the merges were learned. */
  private encodePiece(piece: string): number[] {
    const cached = this.cache.get(piece);
    if (cached !== undefined) return cached;
    let ids = Array.from(utf8.encode(piece), (b) => {
      if (this.byteToId[b] === -1) throw new Error(`tokenizer: byte ${b} of ${JSON.stringify(piece)} has no token in this vocabulary`);
      return this.byteToId[b];
    });
    while (ids.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < ids.length - 1; i++) {
        const r = this.mergeRank.get(`${ids[i]},${ids[i + 1]}`);
        if (r !== undefined && r[0] < bestRank) {
          bestRank = r[0];
          best = i;
        }
      }
      if (best === -1) break;
      const [, merged] = this.mergeRank.get(`${ids[best]},${ids[best + 1]}`)!;
      const [a, b] = [ids[best], ids[best + 1]];
      const next: number[] = [];
      for (let i = 0; i < ids.length; i++) {
        if (i < ids.length - 1 && ids[i] === a && ids[i + 1] === b) {
          next.push(merged);
          i++;
        } else next.push(ids[i]);
      }
      ids = next;
    }
    if (this.cache.size < 100_000) this.cache.set(piece, ids);
    return ids;
  }

  decode(ids: ArrayLike<number>): string {
    let out = '';
    let bytes: number[] = [];
    const flush = () => {
      out += bytesToText(bytes);
      bytes = [];
    };
    for (let i = 0; i < ids.length; i++) {
      const special = this.specialById.get(ids[i]);
      if (special !== undefined) {
        flush();
        out += special;
        continue;
      }
      const t = this.tokens[ids[i]];
      if (t === undefined) throw new Error(`tokenizer: id ${ids[i]} is not in the vocabulary of ${this.vocabSize}`);
      for (const b of t) bytes.push(b);
    }
    flush();
    return out;
  }

  /** Is this id a special token? */
  isSpecial(id: number): boolean {
    return this.specialById.has(id);
  }

  /** One token's text, for showing how a string splits (bytes that are not whole characters show as �). */
  tokenText(id: number): string {
    return this.specialById.get(id) ?? bytesToText(this.tokens[id]);
  }

  toJSON(): TokenizerJSON {
    return {
      type: 'byte-bpe', pattern: this.pattern, tokens: this.tokens.map((t) => Array.from(t)), merges: this.merges, special: Object.fromEntries(this.special),
      phrases: this.phrases,
    };
  }

  /** The tokenizer file's text. */
  toText(): string {
    return JSON.stringify(this.toJSON());
  }

  /** A tokenizer from its file's text; `source` (a path or URL) names it in an error. */
  static fromText(text: string, source: string): Tokenizer {
    let json: TokenizerJSON;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Error(`tokenizer: cannot read ${source}: ${(e as Error).message}`);
    }
    return new Tokenizer(json);
  }

  /**
   * Learn merges from text until the vocabulary (bytes + merges + special tokens) has vocabSize
   * entries. Ties between equally frequent pairs go to the smaller ids, so training is deterministic.
   * Phrases are kept whole when cutting the text into pieces (see the top of this file).
   */
  static train(text: string, vocabSize: number, specialTokens: string[] = [], phrases: string[] = [], pattern = 'digits'): Tokenizer {
    if (phrases.some((p) => p === '')) throw new Error('tokenizer: a phrase must not be empty');
    if (!(pattern in PATTERNS)) throw new Error(`tokenizer: unknown pattern '${pattern}'; patterns are ${Object.keys(PATTERNS).join(', ')}`);
    const nMerges = vocabSize - 256 - specialTokens.length;
    if (nMerges < 0) throw new Error(`tokenizer: vocab size ${vocabSize} is smaller than 256 bytes + ${specialTokens.length} special tokens`);
    // count each distinct piece once, with its frequency
    const counts = new Map<string, number>();
    const escaped = specialTokens.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    const parts = escaped.length > 0 ? text.split(new RegExp(escaped.join('|'))) : [text];
    const phraseSplit = phraseRegExp(phrases);
    for (const part of parts) for (const piece of cutPieces(part, PATTERNS[pattern], phraseSplit)) counts.set(piece, (counts.get(piece) ?? 0) + 1);
    const words = [...counts.entries()].map(([piece, count]) => ({ ids: Array.from(utf8.encode(piece)), count }));

    const tokens: number[][] = Array.from({ length: 256 }, (_, b) => [b]);
    const merges: [number, number, number][] = [];
    for (let m = 0; m < nMerges; m++) {
      const pairs = new Map<number, number>(); // key a * 65536 + b
      for (const w of words) {
        for (let i = 0; i < w.ids.length - 1; i++) {
          const key = w.ids[i] * 65536 + w.ids[i + 1];
          pairs.set(key, (pairs.get(key) ?? 0) + w.count);
        }
      }
      let bestKey = -1;
      let bestCount = 0;
      for (const [key, c] of pairs) {
        if (c > bestCount || (c === bestCount && key < bestKey)) {
          bestCount = c;
          bestKey = key;
        }
      }
      if (bestKey === -1 || bestCount < 2) break; // nothing left worth merging
      const a = Math.floor(bestKey / 65536);
      const b = bestKey % 65536;
      const id = tokens.length;
      tokens.push([...tokens[a], ...tokens[b]]);
      merges.push([a, b, id]);
      for (const w of words) {
        for (let i = 0; i < w.ids.length - 1; i++) {
          if (w.ids[i] === a && w.ids[i + 1] === b) w.ids.splice(i, 2, id);
        }
      }
    }
    const special: Record<string, number> = {};
    specialTokens.forEach((s, i) => (special[s] = tokens.length + i));
    return new Tokenizer({ type: 'byte-bpe', pattern, tokens, merges, special, phrases });
  }

  /**
   * GPT-2's own files: vocab.json (token string -> id, in GPT-2's bytes-to-unicode alphabet) and
   * merges.txt (one "left right" pair per line, in rank order, after a #version line).
   */
  static fromGPT2(vocabJson: string, mergesTxt: string, specialTokens: string[] = ['<|endoftext|>']): Tokenizer {
    const vocab = JSON.parse(vocabJson) as Record<string, number>;
    const unicodeToByte = new Map<string, number>();
    gpt2ByteAlphabet().forEach((ch, byte) => unicodeToByte.set(ch, byte));
    const size = Math.max(...Object.values(vocab)) + 1;
    const tokens: number[][] = new Array(size).fill(null).map(() => []);
    const special: Record<string, number> = {};
    for (const [str, id] of Object.entries(vocab)) {
      if (specialTokens.includes(str)) {
        special[str] = id;
        continue;
      }
      tokens[id] = [...str].map((ch) => {
        const b = unicodeToByte.get(ch);
        if (b === undefined) throw new Error(`tokenizer: vocab.json token ${JSON.stringify(str)} has a character outside GPT-2's byte alphabet`);
        return b;
      });
    }
    const merges: [number, number, number][] = [];
    mergesTxt.split('\n').forEach((line, n) => {
      if (line.startsWith('#version') || line.trim() === '') return;
      const [a, b] = line.split(' ');
      const [ia, ib, im] = [vocab[a], vocab[b], vocab[a + b]];
      if (ia === undefined || ib === undefined || im === undefined) throw new Error(`tokenizer: merges.txt line ${n + 1} (${line}) names tokens missing from vocab.json`);
      merges.push([ia, ib, im]);
    });
    return new Tokenizer({ type: 'byte-bpe', pattern: 'gpt2', tokens, merges, special });
  }
}

/**
 * GPT-2 shows each byte as a printable character: printable Latin-1 bytes stand for themselves,
 * the others are shifted to 256 and up (so a space is 'Ġ', a newline 'Ċ').
 */
export function gpt2ByteAlphabet(): string[] {
  const printable = new Set<number>();
  for (let b = 33; b <= 126; b++) printable.add(b);
  for (let b = 161; b <= 172; b++) printable.add(b);
  for (let b = 174; b <= 255; b++) printable.add(b);
  const out: string[] = [];
  let shift = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCodePoint(printable.has(b) ? b : 256 + shift++);
  return out;
}
