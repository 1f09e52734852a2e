// Function-calling evaluation: generate a call for each command (greedy, batched, KV cache)
// and compare it with the expected one.
//
// Exact match: same function name, same argument keys, equal values, where zone lists compare
// as sets and strings ignore case (the original data is lowercase, a model may not be).
import type { GPT } from '../model/gpt.ts';
import { generate, mostLikelyAllowed, sampleToken } from '../model/generate.ts';
import { Tensor, ops } from '../engine/index.ts';
import type { Tokenizer } from '../data/tokenizer.ts';
import type { FcRecord } from '../data/format.ts';
import { SPECIAL, answerText, encodePrompt, parseFunctionCall, userText } from '../data/format.ts';
import type { ArgValue, FunctionCall } from '../data/vehicle_api.ts';
import { SPECIAL_MARK, isCallPrefix, openFreeText } from '../data/call_grammar.ts';

function valuesEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    const norm = (xs: unknown[]) => new Set(xs.map((x) => (typeof x === 'string' ? x.toLowerCase() : JSON.stringify(x))));
    const sa = norm(a);
    const sb = norm(b);
    return sa.size === sb.size && [...sa].every((x) => sb.has(x));
  }
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

/**
 * Whether a call has right the values the command gives: every value of the expected call that is
 * not '' (a value left out) equal in the predicted one, the function name and the rest ignored.
 * For data whose names cannot be trusted: the original project's incomplete commands, whose
 * set_/adjust_ is the sampled call's, not the words' (bench/RESULTS.md).
 */
export function givenValuesMatch(expected: FunctionCall, predicted: FunctionCall | null): boolean {
  if (predicted === null) return false;
  return Object.entries(expected.arguments).every(([k, v]) => v === '' || (Array.isArray(v) && v.length === 0) || valuesEqual(v, predicted.arguments[k]));
}

/** A call matches when there is nothing wrong with it (see mismatchKind below). */
export function callsMatch(expected: FunctionCall, predicted: FunctionCall | null): boolean {
  return mismatchKind(expected, predicted) === '';
}

export interface Prediction {
  user: string;
  /** the generated answer text, up to and including the end token if produced */
  raw: string;
  call: FunctionCall | null;
  /** how sure the model is of its call, 0..1 (callConfidence); 0 when nothing was called */
  confidence?: number;
  /** the answer's token ids, as the model wrote them (the page shows them) */
  ids?: number[];
}

// How answers are decoded: the settings' choices live with the other settings (train/config.ts).
import { DECODINGS } from './config.ts';
import type { Decoding } from './config.ts';
export { DECODINGS };
export type { Decoding };

export interface PredictOptions {
  batchSize?: number;
  decoding?: Decoding;
  maxNewTokens?: number;
  /** called after each batch with the number done */
  onProgress?: (done: number, total: number) => void;
}

/** Greedy function calls for many commands, decoded in batches with the KV cache. */
export function predictCalls(model: GPT, tok: Tokenizer, commands: string[], opts: PredictOptions = {}): Prediction[] {
  const batchSize = opts.batchSize ?? 32;
  // a batch of 0 would never advance the loop below: predict and eval would hang
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`predict: batch size must be a positive integer, got ${batchSize}`);
  const out: Prediction[] = [];
  for (let i = 0; i < commands.length; i += batchSize) {
    const chunk = commands.slice(i, i + batchSize);
    const answers = decodeAnswers(model, tok, chunk, { decoding: opts.decoding, maxNewTokens: opts.maxNewTokens });
    answers.forEach((a, j) => {
      const raw = tok.decode(a.ids);
      out.push({ user: chunk[j], raw, call: parseFunctionCall(raw), confidence: callConfidence(tok, a), ids: a.ids });
    });
    opts.onProgress?.(Math.min(i + batchSize, commands.length), commands.length);
  }
  return out;
}

export interface DecodeOptions {
  decoding?: Decoding;
  maxNewTokens?: number;
  /** a row stops after one of these; default <|endoftext|> */
  stopTokens?: number[];
  /** the Thought -> Act -> Observe format: a thought may come first, <observation> ends the call (constrainedPick) */
  loop?: boolean;
  /** tokens every answer starts with, written for the model (chat: <thought>, so that a loop-trained model thinks first) */
  prefix?: number[];
}

/** One decoded answer: its token ids, and each one's log-probability under the model. */
export interface Answer {
  ids: number[];
  logprobs: number[];
  /** how many of the first ids were written for the model (DecodeOptions.prefix), not by it */
  forced: number;
}

/**
 * Greedy answers to commands (one batch), each token chosen as the decoding says. Each chosen
 * token's log-probability is read from the model's own distribution, before any constraint:
 * how likely the model itself finds what was written (callConfidence).
 */
export function decodeAnswers(model: GPT, tok: Tokenizer, commands: string[], opts: DecodeOptions = {}): Answer[] {
  const maxNew = opts.maxNewTokens ?? 96;
  if (!Number.isInteger(maxNew) || maxNew < 1) throw new Error(`predict: max new tokens must be a positive integer, got ${maxNew}`);
  const stop = opts.stopTokens ?? [tok.specialId(SPECIAL.endoftext)];
  const choose = constrainedPick(tok, opts.decoding ?? 'free', tok.specialId(SPECIAL.endoftext), opts.loop ?? false);
  const prefix = opts.prefix ?? [];
  // the prefix is part of the answer: the grammar reads it, and its tokens count as certain (log-probability 0)
  const logprobs = commands.map((): number[] => prefix.map(() => 0));
  const pick = (row: number, sofar: number[], logits: Float32Array) => {
    const id = choose === undefined ? sampleToken(logits, { temperature: 0 }) : choose(commands[row], [...prefix, ...sofar], logits);
    logprobs[row].push(logProb(logits, id));
    return id;
  };
  const generated = generate(model, commands.map((c) => [...encodePrompt(tok, c), ...prefix]), maxNew, { temperature: 0, stopTokens: stop, pick });
  // a finished row can still be run along (generate's window-full path): its extra picks come after its own
  return generated.map((ids, row) => ({ ids: [...prefix, ...ids], logprobs: logprobs[row].slice(0, prefix.length + ids.length), forced: prefix.length }));
}

/** log softmax(logits)[id], computed stably (max subtracted). */
export function logProb(logits: Float32Array, id: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  return logits[id] - max - Math.log(sum);
}

/**
 * How sure the model is of the answer it wrote: the geometric mean of its tokens' probabilities,
 * exp(mean log-probability), over every token it chose (a thought before the call too; not the
 * tokens written for it). 1 when every token was certain; a command that is no car command makes
 * the model unsure what to think and which function and values to write. 0 when there is no
 * <functioncall>. With chat's forced <thought>, the thought counts: gibberish gets an unsure
 * thought, then a sure call (bench/RESULTS.md).
 */
export function callConfidence(tok: Tokenizer, a: Answer): number {
  if (!a.ids.includes(tok.specialId(SPECIAL.functioncall))) return 0;
  const lp = a.logprobs.slice(a.forced);
  return lp.length === 0 ? 0 : Math.exp(lp.reduce((x, y) => x + y, 0) / lp.length);
}

/**
 * The next-token choice of constrained decoding for one command's answer (undefined when free):
 * the most likely token the grammar allows, except where a copied value could end. There every
 * token the model might write either ends the copy (a closing quote) or goes on, and any way of
 * going on must be the command's next word. So the copy ends only if the model gives ending at
 * least half its probability. Greedy alone ends it whenever the quote beats the single most
 * likely next token, and a small model unsure how a long name goes on ("Falls"? "Fork"?) spreads
 * its probability over several and cuts "9143 Canyon Ave, Dolphin Falls" short.
 * With `loop` the answer may be the Thought -> Act -> Observe loop's first part (loopCallText).
 */
export function constrainedPick(tok: Tokenizer, decoding: Decoding, stop: number, loop = false): ((command: string, sofar: number[], logits: Float32Array) => number) | undefined {
  if (!DECODINGS.includes(decoding)) throw new Error(`decoding must be one of ${DECODINGS.join(', ')}, got '${decoding}'`);
  if (decoding === 'free') return undefined;
  const closers = closingTokens(tok);
  return (command, sofar, logits) => {
    const g = { copyFrom: decoding === 'copy' ? command : undefined };
    const fits = (text: string) => (loop ? loopFits(text, g) : isCallPrefix(text, g));
    const ok = (id: number) => fits(grammarText(tok, [...sofar, id]));
    if (decoding !== 'copy') return mostLikelyAllowed(logits, ok, stop);
    const text = loop ? loopCallText(grammarText(tok, sofar)) : grammarText(tok, sofar);
    const copied = text === null ? null : openFreeText(text, g);
    if (text === null || copied === null || copied === '') return mostLikelyAllowed(logits, ok, stop); // not inside a copy, or nothing copied yet
    const ends = closers.get(text[text.length - copied.length - 1] === "'" ? "'" : '\\')!;
    const p = ops.softmax(new Tensor(logits, [logits.length])).data;
    let endMass = 0;
    for (const id of ends) if (ok(id)) endMass += p[id];
    const ending = endMass >= 0.5;
    const way = mostLikelyAllowed(logits, (id) => ends.has(id) === ending && ok(id), -1);
    return way !== -1 ? way : mostLikelyAllowed(logits, ok, stop); // nothing goes on: the command ends here
  };
}

const MARK = {
  thought: SPECIAL_MARK[SPECIAL.thought], functioncall: SPECIAL_MARK[SPECIAL.functioncall], observation: SPECIAL_MARK[SPECIAL.observation],
  end: SPECIAL_MARK[SPECIAL.imEnd] + SPECIAL_MARK[SPECIAL.endoftext],
};

/**
 * The loop's answer (data/agent.ts) starts "<thought> words <functioncall> ...": the text from
 * <functioncall> on, which the call grammar reads; null while still in the thought.
 */
function loopCallText(text: string): string | null {
  if (!text.startsWith(MARK.thought)) return text;
  const at = text.indexOf(MARK.functioncall);
  return at === -1 ? null : text.slice(at);
}

/**
 * Does an answer so far fit the loop's first part: an optional thought (words, no special token
 * but the <functioncall> that ends it), then a call whose <|im_end|><|endoftext|> may be
 * <observation> instead (the car answers there, and generation stops)?
 */
function loopFits(text: string, g: { copyFrom?: string }): boolean {
  const call = loopCallText(text);
  const thought = call === null ? text.slice(1) : text.slice(1, text.length - call.length);
  if (call !== text && /[\ue000-\ue0ff\uffff]/.test(thought)) return false;
  if (call === null) return true;
  const obs = call.indexOf(MARK.observation);
  if (obs === -1) return isCallPrefix(call, g);
  // the end token can only close a whole call: the call before <observation> must be complete
  return obs === call.length - 1 && isCallPrefix(call.slice(0, obs) + MARK.end, g);
}

/** Token ids whose text starts a free-text value's closing quote, ' or \", by that first character. */
function closingTokens(tok: Tokenizer): Map<string, Set<number>> {
  const out = new Map([["'", new Set<number>()], ['\\', new Set<number>()]]);
  for (let id = 0; id < tok.vocabSize; id++) if (!tok.isSpecial(id)) out.get(tok.decode([id])[0])?.add(id);
  return out;
}

/** Tokens as the grammar reads them: special tokens as their marks, the others as text. */
function grammarText(tok: Tokenizer, ids: number[]): string {
  let text = '';
  let run: number[] = [];
  for (const id of ids) {
    if (!tok.isSpecial(id)) {
      run.push(id);
      continue;
    }
    text += tok.decode(run) + (SPECIAL_MARK[tok.tokenText(id)] ?? '\uffff');
    run = [];
  }
  return text + tok.decode(run);
}

export interface FunctionScore {
  n: number;
  exact: number;
  name: number;
}

export interface EvalReport {
  n: number;
  exact: number;
  nameAccuracy: number;
  exactAccuracy: number;
  perFunction: Map<string, FunctionScore>;
  rows: Array<Prediction & { expected: FunctionCall; ok: boolean }>;
}

export function evaluateRecords(model: GPT, tok: Tokenizer, records: FcRecord[], opts: PredictOptions = {}): EvalReport {
  const expected = records.map((r) => {
    const c = parseFunctionCall(r.assistant);
    if (c === null) throw new Error(`eval: a record's expected answer does not parse: ${r.assistant.slice(0, 120)}`);
    return c;
  });
  const preds = predictCalls(model, tok, records.map(userText), opts);
  return scorePredictions(expected, preds);
}

export function scorePredictions(expected: FunctionCall[], preds: Prediction[]): EvalReport {
  const perFunction = new Map<string, FunctionScore>();
  let exact = 0;
  let name = 0;
  const rows = preds.map((p, i) => {
    const e = expected[i];
    const ok = callsMatch(e, p.call);
    const nameOk = p.call !== null && p.call.name === e.name;
    const s = perFunction.get(e.name) ?? { n: 0, exact: 0, name: 0 };
    s.n++;
    s.exact += ok ? 1 : 0;
    s.name += nameOk ? 1 : 0;
    perFunction.set(e.name, s);
    exact += ok ? 1 : 0;
    name += nameOk ? 1 : 0;
    return { ...p, expected: e, ok };
  });
  const n = preds.length;
  return { n, exact, exactAccuracy: n ? exact / n : 0, nameAccuracy: n ? name / n : 0, perFunction, rows };
}

/** A plain-text table: function | examples | exact match | name match. */
export function formatReport(r: EvalReport): string {
  const names = [...r.perFunction.keys()].sort();
  const width = Math.max(8, ...names.map((n) => n.length));
  const pct = (a: number, b: number) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`).padStart(7);
  const lines = [`${'function'.padEnd(width)}  ${'n'.padStart(5)}  ${'exact'.padStart(7)}  ${'name'.padStart(7)}`];
  for (const n of names) {
    const s = r.perFunction.get(n)!;
    lines.push(`${n.padEnd(width)}  ${String(s.n).padStart(5)}  ${pct(s.exact, s.n)}  ${pct(s.name, s.n)}`);
  }
  lines.push(`${'all'.padEnd(width)}  ${String(r.n).padStart(5)}  ${pct(r.exact, r.n)}  ${pct(r.nameAccuracy * r.n, r.n)}`);
  return lines.join('\n');
}

/**
 * What kind of mistake a prediction is, in words that name no value from the command:
 * "unparsed", "name -> other_function", or the arguments that differ: "+key" (added),
 * "-key" (left out), "~key" (wrong value); '' for a match. Lets a held-out file be studied
 * without reading it.
 */
export function mismatchKind(expected: FunctionCall, predicted: FunctionCall | null): string {
  if (predicted === null) return 'unparsed';
  if (predicted.name !== expected.name) return `name -> ${predicted.name}`;
  const keys = [...new Set([...Object.keys(expected.arguments), ...Object.keys(predicted.arguments)])].sort();
  const diffs: string[] = [];
  for (const k of keys) {
    const e = expected.arguments[k];
    const p = predicted.arguments[k] as ArgValue | undefined;
    if (e === undefined) diffs.push(`+${k}`);
    else if (p === undefined) diffs.push(`-${k}`);
    else if (!valuesEqual(e, p)) diffs.push(`~${k}`);
  }
  return diffs.join(' ');
}

/** Mismatches counted by function and kind, most frequent first. */
export function formatMismatchKinds(rows: EvalReport['rows']): string {
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (r.ok) continue;
    const key = `${r.expected.name}: ${mismatchKind(r.expected, r.call)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return sorted.map(([k, n]) => `${String(n).padStart(5)}  ${k}`).join('\n');
}

/** The samples file: Input / Actual / Predicted for each example. */
export function formatSamples(rows: EvalReport['rows'], header: string): string {
  const blocks = rows.map((r) => `Input: ${r.user}\nActual: ${answerText(r.expected)}\nPredicted: ${r.raw.trim()}\nMatch: ${r.ok ? 'yes' : 'no'}\n`);
  return `${header}\n\n${blocks.join('\n')}`;
}

/** One line of `npm run predict`: the arguments as a real JSON object, call null when nothing parsed. */
export function predictionLine(p: Prediction): string {
  const confidence = p.confidence === undefined ? {} : { confidence: Number(p.confidence.toFixed(4)) };
  return JSON.stringify({ user: p.user, call: p.call, ...confidence, raw: p.raw.trim() });
}

/**
 * `npm run predict`'s output for input lines: one JSON line per line, in order, so output line n
 * answers input line n. An empty line is not run through the model: call null and an error.
 */
export function predictLines(model: GPT, tok: Tokenizer, lines: string[], opts: PredictOptions = {}): string[] {
  const commands = lines.map((l) => l.trim());
  const preds = predictCalls(model, tok, commands.filter((c) => c !== ''), opts);
  let next = 0;
  return commands.map((c) => (c === '' ? JSON.stringify({ user: '', call: null, error: 'empty command' }) : predictionLine(preds[next++])));
}
