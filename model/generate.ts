// Text generation. The naive way (nanoGPT's generate) runs the whole sequence through the model
// for every new token. With a key/value cache each layer keeps the keys and values of positions
// already seen, so a new token costs one position's forward pass: O(T) per token, not O(T^2).
//
// Prompts of different lengths decode together: the batch is padded on the right for the
// first pass (causal attention means real tokens never see the padding), and from then on
// each row writes its next key/value at its own position and attends only to its own prefix.
import { Tensor, noGrad, ops } from '../engine/index.ts';
import { random } from '../engine/random.ts';
import type { GPT } from './gpt.ts';
import { newCache } from './kv_cache.ts';
import type { KVCache } from './kv_cache.ts';

export interface GenerateOptions {
  /** 0 = greedy (argmax). Default 1. */
  temperature?: number;
  /** Sample only among the k most likely tokens. */
  topK?: number;
  /** A row stops after emitting one of these. */
  stopTokens?: number[];
  /** Default true; false runs the naive full recompute (the reference the cache is tested against). */
  useCache?: boolean;
  /**
   * Constrained decoding (greedy only): row `row`, having generated `sofar`, continues with the
   * token this returns, chosen from the next-token logits (train/fc_eval.ts builds it from the
   * grammar of data/call_grammar.ts, usually with mostLikelyAllowed below).
   */
  pick?: (row: number, sofar: number[], logits: Float32Array) => number;
}

/** Continue each prompt by up to maxNewTokens tokens; returns only the new tokens of each row. */
export function generate(model: GPT, prompts: number[][], maxNewTokens: number, opts: GenerateOptions = {}): number[][] {
  if (prompts.length === 0) return [];
  if (prompts.some((p) => p.length === 0)) throw new Error('generate: every prompt needs at least one token');
  if (opts.pick !== undefined && (opts.temperature ?? 1) !== 0) throw new Error('generate: constrained decoding (pick) is greedy only: set temperature 0');
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => (opts.useCache ?? true ? generateCached(model, prompts, maxNewTokens, opts) : generateUncached(model, prompts, maxNewTokens, opts, prompts.map(() => []))));
  } finally {
    model.training = wasTraining;
  }
}

/** `before[b]`: what row b generated before this call (for `pick`); returns only the new tokens. */
function generateUncached(model: GPT, prompts: number[][], maxNewTokens: number, opts: GenerateOptions, before: number[][]): number[][] {
  const stop = new Set(opts.stopTokens ?? []);
  return prompts.map((prompt, b) => {
    const seq = prompt.slice();
    const out: number[] = [];
    for (let step = 0; step < maxNewTokens; step++) {
      const context = seq.slice(-model.config.block_size); // crop to the context window
      const { logits } = model.forward(Int32Array.from(context), 1, context.length);
      const next = pickToken(logits.data, opts, b, [...before[b], ...out]);
      seq.push(next);
      out.push(next);
      if (stop.has(next)) break;
    }
    return out;
  });
}

function generateCached(model: GPT, prompts: number[][], maxNewTokens: number, opts: GenerateOptions): number[][] {
  const { block_size: blockSize, vocab_size: V } = model.config;
  const B = prompts.length;
  const stop = new Set(opts.stopTokens ?? []);
  const out: number[][] = prompts.map(() => []);
  const done = new Array<boolean>(B).fill(false);
  // prompts longer than the window keep only their last block_size tokens, as nanoGPT crops
  const seqs = prompts.map((p) => p.slice(-blockSize));
  const cache = newCache(model.config, B);

  // first pass: all prompt tokens at once
  const T = Math.max(...seqs.map((s) => s.length));
  const idx = new Int32Array(B * T);
  seqs.forEach((s, b) => idx.set(s, b * T));
  let logits = forwardCached(model, idx, B, T, new Int32Array(B), cache, seqs.map((s) => s.length - 1));
  const lengths = Int32Array.from(seqs, (s) => s.length);

  for (let step = 0; step < maxNewTokens; step++) {
    const next = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      if (done[b]) continue;
      next[b] = pickToken(logits.subarray(b * V, (b + 1) * V), opts, b, out[b]);
      out[b].push(next[b]);
      seqs[b].push(next[b]);
      if (stop.has(next[b])) done[b] = true;
    }
    if (done.every(Boolean) || step === maxNewTokens - 1) break;
    if (lengths.some((len, b) => !done[b] && len >= blockSize)) {
      // the window is full: positions shift every step from here on, so the cache cannot be
      // reused; finish these rows the naive way on the cropped context
      const rest = generateUncached(model, seqs, maxNewTokens - step - 1, opts, out);
      rest.forEach((r, b) => { if (!done[b]) out[b].push(...r); });
      break;
    }
    // one new position per row, each at its own offset; finished rows still ride along (their
    // output is ignored), kept inside the window so their position stays a valid index
    const starts = lengths.map((len, b) => (done[b] ? Math.min(len, blockSize - 1) : len));
    logits = forwardCached(model, next, B, 1, starts, cache, new Array(B).fill(0));
    for (let b = 0; b < B; b++) lengths[b]++;
  }
  return out;
}

/**
 * T new tokens per row through the model (GPT.forwardCached); row b's sit at positions
 * start[b]..start[b]+T-1 and their keys and values go into the cache. Returns logits (B, V) at
 * position readAt[b] of each row: only the positions whose next token is wanted meet the lm_head.
 */
function forwardCached(model: GPT, idx: Int32Array, B: number, T: number, start: Int32Array, cache: KVCache, readAt: number[]): Float32Array {
  const x = model.forwardCached(idx, B, T, start, cache);
  const C = model.config.n_embd;
  const rows = new Float32Array(B * C);
  for (let b = 0; b < B; b++) rows.set(x.data.subarray((b * T + readAt[b]) * C, (b * T + readAt[b] + 1) * C), b * C);
  return ops.linear(new Tensor(rows, [B, C]), model.wte).data;
}

/** The next token of row `row`: sampleToken, or what `pick` chooses. */
function pickToken(logits: Float32Array, opts: GenerateOptions, row: number, sofar: number[]): number {
  return opts.pick === undefined ? sampleToken(logits, opts) : opts.pick(row, sofar, logits);
}

/**
 * The most likely token that `ok` accepts (argmax first: a sort only when it is refused), or
 * `fallback` when it accepts none.
 */
export function mostLikelyAllowed(logits: Float32Array, ok: (token: number) => boolean, fallback: number): number {
  const best = sampleToken(logits, { temperature: 0 });
  if (ok(best)) return best;
  const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]);
  for (const id of order) if (ok(id)) return id;
  return fallback;
}

/** Pick the next token from one row of logits: argmax at temperature 0, else top-k sampling. */
export function sampleToken(logits: Float32Array, opts: GenerateOptions): number {
  const temperature = opts.temperature ?? 1;
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
  const scaled = Array.from(logits, (l) => l / temperature);
  if (opts.topK !== undefined && opts.topK < scaled.length) {
    const kth = scaled.slice().sort((a, b) => b - a)[opts.topK - 1];
    for (let i = 0; i < scaled.length; i++) if (scaled[i] < kth) scaled[i] = -Infinity;
  }
  const max = Math.max(...scaled);
  const probs = scaled.map((s) => Math.exp(s - max));
  const total = probs.reduce((a, b) => a + b, 0);
  let r = random() * total;
  for (let i = 0; i < probs.length; i++) {
    r -= probs[i];
    if (r <= 0) return i;
  }
  return probs.length - 1;
}
