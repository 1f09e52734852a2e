// Constrained decoding: which texts can still become a valid function call.
//
// A small model sometimes writes an answer no program can use: a zone that does not exist
// ('driver-left'), a key the function does not have, a closing quote in the wrong place. The
// schema (data/vehicle_api.ts) says exactly which answers are calls, so decoding can be held to
// them: at each step the model's most likely token is taken only if the answer so far, with it,
// is still the beginning of some valid call; otherwise the next most likely, and so on
// (train/fc_eval.ts `constrainedPick`, through model/generate.ts `pick`). The model still
// chooses every function, key and value; the grammar only removes choices that could never be
// right.
//
// The grammar is the one answerText() writes:
//
//   <functioncall> {"name": "NAME", "arguments": "{'key': VALUE, 'key': VALUE}"} <|im_end|><|endoftext|>
//
// NAME is a function or possibly_incomplete_<function>; keys are that function's parameters,
// each at most once, required ones present; VALUE is by type: 'enum value', 'free text', a
// number within bounds, true/false, or a zone list ['driver', 'rear-left'] without repeats. An
// incomplete call leaves at least one required value ''. The accepted complete texts are the
// answers of exactly the calls validateCall() accepts.
//
// Copying (option copyFrom): free-text values (a destination, a track) must be a piece of the
// command, its own characters in its own case. The model picks where the copy starts and ends; it
// can no longer make up a word ("Brepox Bakery" -> "Brex Bakery") or mix the case of one it read
// ("Oak Street" -> "OaK streEt").
import { SPECIAL } from './format.ts';
import { FUNCTION_BY_NAME, FUNCTIONS, INCOMPLETE_PREFIX } from './vehicle_api.ts';
import type { FunctionSpec, ParamSpec } from './vehicle_api.ts';

/**
 * Special tokens stand for one private-use character each in the text the grammar reads, so a
 * special token and the same characters spelled byte by byte are told apart.
 */
export const SPECIAL_MARK: Record<string, string> = Object.fromEntries(Object.values(SPECIAL).map((s, i) => [s, String.fromCharCode(0xe000 + i)]));

/** An answer's text as the grammar reads it: each special token replaced by its mark. */
export function markSpecials(text: string): string {
  let out = text;
  for (const [s, mark] of Object.entries(SPECIAL_MARK)) out = out.split(s).join(mark);
  return out;
}

export interface GrammarOptions {
  /** the command: free-text values must be copied from it, case kept */
  copyFrom?: string;
}

// an incomplete call leaves a required value blank, so only functions with one have that form
const ALL_NAMES = FUNCTIONS.flatMap((f) => (f.params.some((p) => p.required) ? [f.name, INCOMPLETE_PREFIX + f.name] : [f.name]));

// Reading stops in one of two ways: the text ran out with everything so far fitting the grammar
// (a valid prefix), or a character did not fit (not a prefix of any call).
const RAN_OUT = Symbol('ran out');
const MISFIT = Symbol('misfit');

/** Is `text` (specials marked) the beginning, or the whole, of a valid answer? */
export function isCallPrefix(text: string, opts: GrammarOptions = {}): boolean {
  const r = new Reader(text, opts.copyFrom);
  try {
    r.answer();
    return r.pos === text.length; // a complete answer with nothing after it
  } catch (e) {
    if (e === RAN_OUT) return true;
    if (e === MISFIT) return false;
    throw e;
  }
}

/**
 * If `text` (specials marked) is a valid prefix that ends inside a free-text value, the part of
 * the value written so far ('' just after the opening quote); otherwise null.
 */
export function openFreeText(text: string, opts: GrammarOptions = {}): string | null {
  const r = new Reader(text, opts.copyFrom);
  try {
    r.answer();
    return null;
  } catch (e) {
    if (e === RAN_OUT) return r.freeFrom >= 0 ? text.slice(r.freeFrom) : null;
    if (e === MISFIT) return null;
    throw e;
  }
}

class Reader {
  pos = 0;
  /** where the free-text value being read starts; -1 outside one */
  freeFrom = -1;
  constructor(readonly text: string, readonly copyFrom: string | undefined) {}

  /** The next character, without taking it; RAN_OUT at the end of the text. */
  peek(): string {
    if (this.pos >= this.text.length) throw RAN_OUT;
    return this.text[this.pos];
  }

  /** Exactly these characters. */
  lit(s: string): void {
    for (const c of s) {
      if (this.peek() !== c) throw MISFIT;
      this.pos++;
    }
  }

  /**
   * Characters up to (not including) `end`: each step the text read so far must pass `prefixOk`,
   * and the whole of it `done` when `end` comes. Returns what was read.
   */
  until(end: string, prefixOk: (s: string) => boolean, done: (s: string) => boolean): string {
    const start = this.pos;
    for (;;) {
      const read = this.text.slice(start, this.pos);
      if (!prefixOk(read)) throw MISFIT;
      const rest = this.text.slice(this.pos);
      if (rest.startsWith(end)) {
        if (!done(read)) throw MISFIT;
        return read;
      }
      if (rest !== '' && end.startsWith(rest) && done(read)) throw RAN_OUT; // the end, cut short
      this.peek();
      this.pos++;
    }
  }

  answer(): void {
    this.lit(`${SPECIAL_MARK[SPECIAL.functioncall]} {"name": "`);
    const name = this.until('"', (s) => ALL_NAMES.some((n) => n.startsWith(s)), (s) => ALL_NAMES.includes(s));
    this.lit('", "arguments": "');
    const incomplete = name.startsWith(INCOMPLETE_PREFIX);
    this.dict(FUNCTION_BY_NAME.get(incomplete ? name.slice(INCOMPLETE_PREFIX.length) : name)!, incomplete);
    this.lit(`"} ${SPECIAL_MARK[SPECIAL.imEnd]}${SPECIAL_MARK[SPECIAL.endoftext]}`);
  }

  /**
   * {'key': value, ...}: each parameter at most once, the required ones all there. Every prefix
   * allowed here can be finished: ', ' only while a parameter is left, and an incomplete call's
   * last chance at a blank must be taken.
   */
  dict(spec: FunctionSpec, incomplete: boolean): void {
    const seen = new Set<string>();
    let blanks = 0;
    const unseen = (required: boolean) => spec.params.filter((p) => !seen.has(p.name) && (p.required || !required));
    const canClose = () => unseen(true).length === 0 && (!incomplete || blanks > 0);
    this.lit('{');
    if (this.peek() === '}') {
      if (!canClose()) throw MISFIT;
      return this.lit('}');
    }
    for (;;) {
      this.lit("'");
      const free = unseen(false).map((p) => p.name);
      const key = this.until("'", (s) => free.some((k) => k.startsWith(s)), (s) => free.includes(s));
      this.lit("': ");
      seen.add(key);
      const p = spec.params.find((q) => q.name === key)!;
      const lastChance = incomplete && p.required && blanks === 0 && unseen(true).length === 0;
      // a blank: '' (for a string, '' and not the start of a value; a number has no quotes otherwise)
      if (incomplete && p.required && (lastChance || (this.peek() === "'" && (p.type !== 'string' || this.text[this.pos + 1] === "'")))) {
        this.lit("''");
        blanks++;
      } else this.value(p);
      if (this.peek() === ',' && unseen(false).length > 0) {
        this.lit(', ');
        continue;
      }
      if (this.peek() !== '}' || !canClose()) throw MISFIT;
      return this.lit('}');
    }
  }

  value(p: ParamSpec): void {
    switch (p.type) {
      case 'zones':
        return this.zones(p.enum!);
      case 'number':
      case 'integer':
        return this.number(p);
      case 'boolean':
        return this.word(['true', 'false']);
      case 'string':
        return p.enum !== undefined ? this.quoted(p.enum) : this.freeText();
    }
  }

  /** 'one of the values' */
  quoted(values: readonly string[]): void {
    this.lit("'");
    this.until("'", (s) => values.some((v) => v.startsWith(s)), (s) => values.includes(s));
    this.lit("'");
  }

  /** ['zone', 'zone'], at least one, none twice */
  zones(values: readonly string[]): void {
    const seen = new Set<string>();
    this.lit('[');
    for (;;) {
      const left = values.filter((v) => !seen.has(v));
      this.lit("'");
      seen.add(this.until("'", (s) => left.some((v) => v.startsWith(s)), (s) => left.includes(s)));
      this.lit("'");
      if (this.peek() === ']' || seen.size === values.length) return this.lit(']');
      this.lit(', ');
    }
  }

  /** An unquoted word (true, false), ended by what follows it. */
  word(words: string[]): void {
    const start = this.pos;
    while (this.pos < this.text.length && /[a-z]/.test(this.text[this.pos])) {
      this.pos++;
      if (!words.some((w) => w.startsWith(this.text.slice(start, this.pos)))) throw MISFIT;
    }
    this.peek();
    if (!words.includes(this.text.slice(start, this.pos))) throw MISFIT;
  }

  /** Digits (a number may have a fraction) that can still become a value within the bounds. */
  number(p: ParamSpec): void {
    const pattern = p.type === 'integer' ? /^-?\d*$/ : /^-?\d*(\.\d*)?$/;
    const inRange = (s: string) => /\d$/.test(s) && (p.min === undefined || Number(s) >= p.min) && (p.max === undefined || Number(s) <= p.max);
    const canGrow = (s: string) => pattern.test(s) && (s.includes('.') ? inRange(s.replace(/\.\d*$/, '')) : someInRangeStartsWith(p, s));
    const start = this.pos;
    while (this.pos < this.text.length && /[-\d.]/.test(this.text[this.pos])) {
      this.pos++;
      if (!canGrow(this.text.slice(start, this.pos))) throw MISFIT;
    }
    const read = this.text.slice(start, this.pos);
    this.peek(); // a number ends only where something else begins
    if (!pattern.test(read) || !inRange(read)) throw MISFIT;
  }

  /**
   * 'free text' (or "free text" when it holds an apostrophe). When copying, the text so far must
   * be a piece of the command that starts at a word's start, and the whole of it must also end at
   * a word's end: a copy is whole words ("9143 ca" from "9143 canyon ave" is not one), and the
   * sentence's punctuation after the last word is not part of it (an abbreviation's period is:
   * endsCopy).
   */
  freeText(): void {
    const started = (s: string) => this.copyFrom === undefined || copyStarts(this.copyFrom, s, false);
    const whole = (s: string) => s !== '' && !s.includes('\ufffd') && (this.copyFrom === undefined || copyStarts(this.copyFrom, s, true));
    const plain = (s: string) => !/[\\"\ue000-\ue0ff]/.test(s); // no backslash, no double quote, no special token
    if (this.peek() === '\\') {
      this.lit('\\"'); // Python writes "it's" for a string with an apostrophe: \"it's\" inside the JSON string
      this.freeFrom = this.pos;
      this.until('\\"', (s) => plain(s) && started(s), whole);
      this.freeFrom = -1;
      return this.lit('\\"');
    }
    this.lit("'");
    this.freeFrom = this.pos;
    this.until("'", (s) => plain(s) && started(s), whole);
    this.freeFrom = -1;
    this.lit("'");
  }
}

const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

/**
 * Does `piece` occur in `text` starting with a word and, if `toWordEnd`, ending at a word's
 * end: after a letter or digit that the text does not continue ("Reclan", not "Reclan?" or
 * "Reclan " when the command says "Reclan?")? Without `toWordEnd`, the piece must still be able
 * to grow into such a copy. A piece may end in U+FFFD, a character cut short (the first token of
 * a multi-byte character): then it must stand where the text has a character beyond ASCII.
 */
function copyStarts(text: string, piece: string, toWordEnd: boolean): boolean {
  const cut = piece.endsWith('\ufffd');
  const whole = cut ? piece.slice(0, -1) : piece;
  for (let i = text.indexOf(whole); i !== -1 && i < text.length; i = text.indexOf(whole, i + 1)) {
    const end = i + whole.length;
    const after = text[end];
    if (isWordChar(text[i - 1]) || !isWordChar(whole[0] ?? after)) continue; // a copy starts with a word
    if (cut ? after !== undefined && after.charCodeAt(0) > 127 : toWordEnd ? endsCopy(text, i, end) && !isWordChar(after) : canEndWord(text, i, end)) return true;
  }
  return false;
}

/**
 * Can a copy of text[start, end) end here? After a letter or digit; or after the mark that belongs
 * to the word before it: the apostrophe of a dropped letter ("Don't Stop Believin' at volume 4"),
 * or the period of an abbreviation, a word of at most four letters, inside the sentence ("221 Oak
 * St. please"). A period with no word after it ends the sentence: a model allowed to copy it took
 * it ("Shape of You."), so "Feel Good Inc." at a sentence's end loses its period.
 */
function endsCopy(text: string, start: number, end: number): boolean {
  const piece = text.slice(start, end);
  if (isWordChar(piece[piece.length - 1])) return true;
  if (/\p{L}['\u2019]$/u.test(piece)) return true;
  return /(^|[^\p{L}\p{N}])\p{L}{1,4}\.$/u.test(piece) && /[\p{L}\p{N}]/u.test(text.slice(end));
}

/** Can a copy that has reached `from` still end well: here (endsCopy), or at a letter or digit later in the text? */
function canEndWord(text: string, start: number, from: number): boolean {
  return endsCopy(text, start, from) || /[\p{L}\p{N}]/u.test(text.slice(from));
}

/** Is there an integer within the parameter's bounds whose digits start with s? */
function someInRangeStartsWith(p: ParamSpec, s: string): boolean {
  const lo = Math.ceil(p.min ?? 0);
  const hi = Math.floor(p.max ?? 1e6);
  if (s === '') return lo <= hi;
  for (let n = lo; n <= hi; n++) if (String(n).startsWith(s)) return true;
  return false;
}
