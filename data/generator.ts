// A seeded generator of function-calling examples: sample a valid call, then say it the way a
// driver might. Volume and variety are what teach a small model to map words to functions and
// to copy values (numbers, zones, places, titles) into the call.
//
// Each function has a grammar (command_grammars.ts): how to sample its arguments, templates that
// say them, and templates for an "incomplete" command. This file picks a function, fills one of
// its templates, and dresses the sentence: an opener or closer, case, punctuation, now and then
// a typo. The word banks are in phrases.ts, the zone language in zone_grammar.ts.
import { FUNCTIONS, FUNCTION_BY_NAME, INCOMPLETE_PREFIX, validateCall } from './vehicle_api.ts';
import type { FunctionCall } from './vehicle_api.ts';
import { makeRecord } from './format.ts';
import type { FcRecord } from './format.ts';
import { pick, chance, randInt, OPENERS, CLOSERS, HEDGES, ASIDES } from './phrases.ts';
import type { Rng } from './phrases.ts';
import { GRAMMARS } from './command_grammars.ts';
import { say, withPhraseSplit, NO_UNSEEN_PHRASE } from './phrase_split.ts';
import { maybeNoise } from './noise.ts';
import type { PhraseSplit } from './phrase_split.ts';
import type { Args, Slots } from './command_grammars.ts';
import { makeRng } from '../engine/random.ts';

// ------------------------------------------------------------------ rendering

/**
 * Fill slots, add an opener/closer, dress the sentence (a hedge, an aside, a dropped "the"), tidy
 * spaces and punctuation, vary case, maybe add a typo or a typographic apostrophe.
 * `copied`: the values the call copies word for word (a destination, a track); no typo and no
 * dropped word goes into their words, or the call would hold words the command does not.
 */
function realise(rng: Rng, template: string, slots: Slots, copied: string[] = []): string {
  let t = template;
  const polite = t.startsWith('^');
  if (polite) t = t.slice(1);
  t = t.replace(/\{(\w)(,?)\}/g, (_, name: string, comma: string) => {
    const v = slots[name] ?? '';
    return comma && v ? `${v},` : v;
  });
  t = t.replace(/\^/g, '');
  if (polite) t = say(rng, OPENERS) + t;
  const question = t.endsWith('?') || /^(can|could|would|will) you /.test(t);
  t = t.replace(/\?$/, '');
  t = dress(rng, t, question);
  if (!question) t += say(rng, CLOSERS);
  t = t.replace(/\s+/g, ' ').replace(/ ,/g, ',').replace(/,+/g, ',').replace(/^[, ]+|[, ]+$/g, '');
  const kept = new Set(copied.flatMap((v) => v.split(' ')));
  if (chance(rng, 0.05)) t = dropThe(rng, t, kept);
  if (chance(rng, 0.07)) t = addTypo(rng, t, kept);
  // many keyboards and language models type the apostrophe as ’ (never inside a copied value)
  if (t.includes("'") && !copied.some((v) => v.includes("'")) && chance(rng, 0.15)) t = t.replace(/'/g, '’');
  if (chance(rng, 0.75)) t = t.charAt(0).toUpperCase() + t.slice(1);
  if (question) return t + (chance(rng, 0.85) ? '?' : '');
  return t + pick(rng, ['.', '.', '', '', '!']);
}

/** Now and then a hedge before the command ("um, ") or an aside before or after it ("..., if you don't mind"). */
function dress(rng: Rng, t: string, question: boolean): string {
  if (chance(rng, 0.06)) t = say(rng, HEDGES) + t;
  const r = rng();
  if (r < 0.03) t = `${say(rng, ASIDES)}, ${t}`;
  else if (r < 0.1 && !question) t = `${t}${chance(rng, 0.5) ? ',' : ''} ${say(rng, ASIDES)}`;
  return t;
}

/** Drop one "the" (never from a copied value): commands are often said that way ("set fan speed for driver"). */
function dropThe(rng: Rng, text: string, kept: Set<string>): string {
  if (kept.has('the') || kept.has('The')) return text;
  const words = text.split(' ');
  const at = words.map((w, i) => (w === 'the' ? i : -1)).filter((i) => i >= 0);
  if (at.length === 0) return text;
  words.splice(pick(rng, at), 1);
  return words.join(' ');
}

/** One small typo in a word of letters only (never in a number, never in a `kept` word): swap, drop or double a letter. */
function addTypo(rng: Rng, text: string, kept: Set<string>): string {
  const words = text.split(' ');
  const candidates = words.map((w, i) => (/^[a-z]{4,}$/.test(w) && !kept.has(w) ? i : -1)).filter((i) => i >= 0);
  if (candidates.length === 0) return text;
  const i = pick(rng, candidates);
  const w = words[i];
  const p = randInt(rng, 1, w.length - 2);
  const kind = rng();
  words[i] = kind < 0.4 ? w.slice(0, p) + w[p + 1] + w[p] + w.slice(p + 2) : kind < 0.7 ? w.slice(0, p) + w.slice(p + 1) : w.slice(0, p) + w[p] + w.slice(p);
  return words.join(' ');
}

/** The free-text values of a call (a string with no enum: a destination, a track): copied word for word from the command. */
function copiedValues(call: FunctionCall): string[] {
  const spec = FUNCTION_BY_NAME.get(call.name.replace(INCOMPLETE_PREFIX, ''))!;
  return spec.params.filter((p) => p.type === 'string' && p.enum === undefined)
    .map((p) => call.arguments[p.name]).filter((v): v is string => typeof v === 'string' && v !== '');
}

/** The canonical argument order: the schema's order. */
function ordered(name: string, args: Args): Args {
  const spec = FUNCTION_BY_NAME.get(name)!;
  const out: Args = {};
  for (const p of spec.params) if (args[p.name] !== undefined) out[p.name] = args[p.name];
  return out;
}

// ------------------------------------------------------------------ the public generator

export interface GeneratedExample {
  user: string;
  call: FunctionCall;
}

export interface GeneratorOptions {
  /** share of commands that leave a required value out (default 0.06) */
  incompleteRate?: number;
  /**
   * How many times more often than usual to ask for the functions whose values are free text copied
   * word by word from the command (destination, track); default 1. Copying is learned from these.
   */
  copyBoost?: number;
  /**
   * Which phrasings to say (data/phrase_split.ts): all (default), seen (none held out: training
   * data), unseen (only held-out ones: the unseen-phrasing val set), held out by phraseSeed.
   */
  phrases?: PhraseSplit;
  phraseSeed?: number | string;
  /** share of commands given one word of noise (data/noise.ts): for training only; default 0 */
  noiseRate?: number;
}

/** How often each function is asked for: the climate controls most, like the original data. */
const WEIGHTS: Record<string, number> = {
  set_temperature: 0.14, adjust_temperature: 0.14, set_fan_speed: 0.14, adjust_fan_speed: 0.14,
};
const OTHER_WEIGHT = (1 - 0.56) / (FUNCTIONS.length - 4);

/** Functions with a free-text value (destination, track) that can only be copied from the command. */
export const COPY_FUNCTIONS = ['set_navigation_destination', 'play_music'];

function pickFunction(rng: Rng, copyBoost: number): string {
  const weight = (name: string) => (WEIGHTS[name] ?? OTHER_WEIGHT) * (COPY_FUNCTIONS.includes(name) ? copyBoost : 1);
  let r = rng() * FUNCTIONS.reduce((sum, f) => sum + weight(f.name), 0);
  for (const f of FUNCTIONS) {
    r -= weight(f.name);
    if (r < 0) return f.name;
  }
  return FUNCTIONS[FUNCTIONS.length - 1].name;
}

/** Draws before `unseen` gives up on finding a command all of whose phrases are held out. */
const MAX_DRAWS = 1000;

/**
 * One example from a seeded stream. Under the `unseen` phrase split a command with a slot that has
 * no held-out phrase is drawn again (data/phrase_split.ts), from the same stream.
 */
export function generateExample(rng: Rng, opts: GeneratorOptions = {}): GeneratedExample {
  for (let draw = 1; ; draw++) {
    try {
      return drawExample(rng, opts);
    } catch (e) {
      if (e !== NO_UNSEEN_PHRASE) throw e;
      if (draw >= MAX_DRAWS) throw new Error(`generator: no command with only held-out phrases in ${MAX_DRAWS} draws`);
    }
  }
}

function drawExample(rng: Rng, opts: GeneratorOptions): GeneratedExample {
  const name = pickFunction(rng, opts.copyBoost ?? 1);
  const g = GRAMMARS[name];
  const { args, slots } = g.sample(rng);
  const spec = FUNCTION_BY_NAME.get(name)!;
  if (g.incomplete && chance(rng, opts.incompleteRate ?? 0.06)) {
    // leave the required values out: the call names them with ''
    const partial: Args = { ...args };
    for (const p of spec.params) if (p.required) partial[p.name] = '';
    return { user: realise(rng, say(rng, g.incomplete(args)), slots), call: { name: INCOMPLETE_PREFIX + name, arguments: ordered(name, partial) } };
  }
  const copied = copiedValues({ name, arguments: args });
  return { user: realise(rng, say(rng, g.templates(args)), slots, copied), call: { name, arguments: ordered(name, args) } };
}

/** n examples as records of the original format, from a seed. Every call is checked against the schema. */
export function generateRecords(n: number, seed: number | string, opts: GeneratorOptions = {}): FcRecord[] {
  if (!((opts.copyBoost ?? 1) >= 0)) throw new Error(`generator: copyBoost must be a number >= 0, got ${opts.copyBoost}`);
  if (!((opts.noiseRate ?? 0) >= 0 && (opts.noiseRate ?? 0) <= 1)) throw new Error(`generator: noiseRate must be in [0, 1], got ${opts.noiseRate}`);
  return withPhraseSplit(opts.phrases ?? 'all', opts.phraseSeed ?? '', () => {
    const rng = makeRng(`generator/${seed}`);
    // noise draws from a stream of its own, so the commands drawn are the same with or without it
    const noiseRng = makeRng(`noise/${seed}`);
    const out: FcRecord[] = [];
    for (let i = 0; i < n; i++) {
      const ex = generateExample(rng, opts);
      ex.user = maybeNoise(noiseRng, opts.noiseRate ?? 0, ex.user, copiedValues(ex.call));
      const problems = validateCall(ex.call);
      if (problems.length > 0) throw new Error(`generator: produced an invalid call ${JSON.stringify(ex.call)}: ${problems.join('; ')}`);
      out.push(makeRecord(ex.user, ex.call));
    }
    return out;
  });
}
