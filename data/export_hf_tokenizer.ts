// Our tokenizer in Hugging Face's formats, so that `AutoTokenizer.from_pretrained(dir)` reads it:
//
//   tokenizer.json           the `tokenizers` library's one file: pre-tokenizer, BPE model (vocab and
//                            merges), decoder, special tokens. It alone cuts text as we do.
//   vocab.json, merges.txt   GPT-2's two files: token string -> id, and the merges in rank order
//   tokenizer_config.json, special_tokens_map.json   what transformers reads beside them
//
// A token is a byte string. Hugging Face writes it in GPT-2's byte alphabet (gpt2ByteAlphabet: a
// space is 'Ġ', a newline 'Ċ'), and vocab.json says which id each string has, so the ids stay ours
// although ours number the bytes differently (our byte b is id b; GPT-2's '!' is 0).
//
// Cutting text into pieces as cutPieces does takes two regex splits ("Split" pre-tokenizers whose
// matches are the pieces) before "ByteLevel", which then only maps bytes to the alphabet:
//   1. the phrases (data/format.ts), longest first, are cut out whole;
//   2. every piece is cut by our pattern, except a piece that is a whole phrase: the alternative
//      \A(?:phrases)\z in front of the pattern matches it whole, so it stays one piece.
// vocab.json and merges.txt are for tools that read GPT-2's files: those tools cut text by
// GPT-2's own pattern, without our digits and phrases, so only tokenizer.json gives our ids.
import { PATTERNS, gpt2ByteAlphabet } from './tokenizer.ts';
import type { TokenizerJSON } from './tokenizer.ts';
import { SPECIAL } from './format.ts';

const ALPHABET = gpt2ByteAlphabet();

/** A token's bytes as the string Hugging Face's vocab holds: each byte a character of GPT-2's alphabet. */
export function byteLevelString(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => ALPHABET[b]).join('');
}

/**
 * Every id's string: ordinary tokens in the byte alphabet, special tokens as their text. A vocab
 * maps each string to one id, so two ids with the same string are an error.
 */
export function hfVocab(tok: TokenizerJSON): Record<string, number> {
  const specialIds = new Set(Object.values(tok.special));
  const vocab: Record<string, number> = {};
  const add = (s: string, id: number) => {
    if (s in vocab) throw new Error(`export: tokens ${vocab[s]} and ${id} are both ${JSON.stringify(s)}; a Hugging Face vocab maps a string to one id`);
    vocab[s] = id;
  };
  tok.tokens.forEach((bytes, id) => {
    if (!specialIds.has(id)) add(byteLevelString(bytes), id);
  });
  for (const [text, id] of Object.entries(tok.special).sort((a, b) => a[1] - b[1])) add(text, id);
  return vocab;
}

/** The merges in rank order as "left right" (no token string holds a space: a space is 'Ġ'). */
export function hfMerges(tok: TokenizerJSON): string[] {
  return tok.merges.map(([a, b]) => `${byteLevelString(tok.tokens[a])} ${byteLevelString(tok.tokens[b])}`);
}

// JavaScript's \s, spelled out: Hugging Face's regex engine (Oniguruma) has its own \s, which
// takes U+0085 and leaves out U+FEFF. Tabs and line ends, Unicode's space separators, U+2028,
// U+2029 and U+FEFF (the last three as the characters themselves).
const JS_SPACE = '\\t\\n\\v\\f\\r\\p{Zs}\u2028\u2029\uFEFF';

/** A pattern of data/tokenizer.ts, its \s and \S replaced by JavaScript's set, for Oniguruma. */
export function portablePattern(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const next = source[++i];
      if (next === 's') out += inClass ? JS_SPACE : `[${JS_SPACE}]`;
      else if (next === 'S' && !inClass) out += `[^${JS_SPACE}]`;
      else if (next === 'S') throw new Error('export: \\S inside a character class cannot be spelled out');
      else out += c + next;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    out += c;
  }
  return out;
}

/** The phrases as one alternation, longest first, as data/tokenizer.ts cuts them. */
function phraseAlternation(phrases: string[]): string {
  return [...phrases].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}

function splitBy(regex: string): object {
  return { type: 'Split', pattern: { Regex: regex }, behavior: 'Isolated', invert: false };
}

/** Our pre-tokenizer as Hugging Face's: the Splits described at the top, then ByteLevel without its own regex. */
export function hfPreTokenizer(tok: TokenizerJSON): object {
  const pattern = portablePattern(PATTERNS[tok.pattern].source);
  const phrases = tok.phrases ?? [];
  const splits = phrases.length === 0 ? [splitBy(pattern)] : [splitBy(phraseAlternation(phrases)), splitBy(`\\A(?:${phraseAlternation(phrases)})\\z|${pattern}`)];
  return { type: 'Sequence', pretokenizers: [...splits, { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false }] };
}

/** Special tokens as Hugging Face's added tokens: matched first, anywhere, never split. */
function addedTokens(tok: TokenizerJSON): object[] {
  return Object.entries(tok.special).sort((a, b) => a[1] - b[1])
    .map(([content, id]) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
}

/** tokenizer.json: our tokenizer, ids and all, in the `tokenizers` library's format. */
export function hfTokenizerJson(tok: TokenizerJSON): object {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens(tok),
    normalizer: null,
    pre_tokenizer: hfPreTokenizer(tok),
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false,
      vocab: hfVocab(tok), merges: hfMerges(tok),
    },
  };
}

/** GPT-2's roles for our special tokens: <|endoftext|> begins, ends (and is "unknown", never used: bytes cover all), <|pad|> pads. */
function specialRoles(tok: TokenizerJSON): Record<string, string> {
  const roles: Record<string, string> = {};
  if (SPECIAL.endoftext in tok.special) Object.assign(roles, { bos_token: SPECIAL.endoftext, eos_token: SPECIAL.endoftext, unk_token: SPECIAL.endoftext });
  if (SPECIAL.pad in tok.special) roles.pad_token = SPECIAL.pad;
  return roles;
}

/** special_tokens_map.json: the roles, and every other special token as "additional". */
export function hfSpecialTokensMap(tok: TokenizerJSON): object {
  const roles = specialRoles(tok);
  const others = Object.keys(tok.special).filter((s) => !Object.values(roles).includes(s));
  return { ...roles, additional_special_tokens: others };
}

/** tokenizer_config.json: GPT-2's tokenizer class, no BOS added, the model's context length. */
export function hfTokenizerConfig(tok: TokenizerJSON, modelMaxLength: number): object {
  const decoder: Record<string, object> = {};
  for (const t of addedTokens(tok) as Array<{ id: number }>) {
    const { id, ...rest } = t;
    decoder[String(id)] = rest;
  }
  return {
    tokenizer_class: 'GPT2Tokenizer', model_max_length: modelMaxLength, add_prefix_space: false, add_bos_token: false,
    clean_up_tokenization_spaces: false, ...hfSpecialTokensMap(tok), added_tokens_decoder: decoder,
  };
}

/** merges.txt as GPT-2 writes it: a version line, then one merge a line. */
export function mergesTxt(tok: TokenizerJSON): string {
  return ['#version: 0.2', ...hfMerges(tok)].join('\n') + '\n';
}
