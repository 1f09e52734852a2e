// Noise for training commands only: words a real command may hold that no template of ours
// says. A real driver's command has words the model never saw ("circulation", "comfy") and
// leaves out words our templates always say ("set fan speed driver"). A model that has only seen
// clean templates can read an unknown word as a cue. Now and then (noise rate) one of:
//   an unknown word    an invented word put between two words: "set the quistan fan to high"
//   a filler           "just", "really", "kind of" put between two words
//   a dropped word     one small word that carries no value left out ("the", "to", "for")
// No value the call holds changes: the words of a copied value (a destination, a track) and
// every number stay as they are, and nothing is put inside a copied value. Val and the
// unseen-phrasing val are never noised: they measure commands as templates say them.
import { chance, inventedName, pick } from './phrases.ts';
import type { Rng } from './phrases.ts';

/** Small words that name no value: leaving one out changes nothing in the call. */
const DROPPABLE = new Set(['the', 'a', 'an', 'to', 'for', 'in', 'of', 'and', 'please', 'it', 'at', 'with', 'is', 'can', 'you']);
const FILLERS = ['just', 'really', 'maybe', 'actually', 'also', 'basically', 'simply', 'like', 'kind of', 'sort of', 'you know', 'um', 'uh'];

export type NoiseKind = 'unknown' | 'filler' | 'drop';
export const NOISE_KINDS: readonly NoiseKind[] = ['unknown', 'filler', 'drop'];

/** For each word of `text` (split at spaces): may it be touched? Not when it holds a digit or a piece of a copied value. */
function movableWords(text: string, copied: string[]): boolean[] {
  const inCopy = new Uint8Array(text.length);
  const lower = text.toLowerCase();
  for (const v of copied) {
    const at = lower.indexOf(v.toLowerCase());
    if (at >= 0) inCopy.fill(1, at, at + v.length);
  }
  const out: boolean[] = [];
  let start = 0;
  for (const w of text.split(' ')) {
    out.push(!/\d/.test(w) && !inCopy.subarray(start, start + w.length).includes(1));
    start += w.length + 1;
  }
  return out;
}

/**
 * The text with one kind of noise, or as it was when no place suits. `copied`: the values the call
 * copies word for word; no word goes in next to one of their words.
 */
export function addNoise(rng: Rng, text: string, copied: string[], kinds: readonly NoiseKind[] = NOISE_KINDS): string {
  const words = text.split(' ');
  const movable = movableWords(text, copied);
  const kind = pick(rng, kinds);
  if (kind === 'drop') {
    const at = words.map((w, i) => (DROPPABLE.has(w.toLowerCase()) && movable[i] ? i : -1)).filter((i) => i >= 0);
    if (at.length === 0 || words.length < 3) return text;
    words.splice(pick(rng, at), 1);
    return words.join(' ');
  }
  // a gap between word i-1 and word i (1 <= i < words.length), neither of them a copied value's:
  // an invented word next to a copied name could be read as part of it
  const gaps: number[] = [];
  for (let i = 1; i < words.length; i++) if (movable[i - 1] && movable[i]) gaps.push(i);
  if (gaps.length === 0) return text;
  const word = kind === 'unknown' ? inventedName(rng) : pick(rng, FILLERS);
  words.splice(pick(rng, gaps), 0, word);
  return words.join(' ');
}

/** With probability `rate`, addNoise; else the text as it is. */
export function maybeNoise(rng: Rng, rate: number, text: string, copied: string[]): string {
  return rate > 0 && chance(rng, rate) ? addNoise(rng, text, copied) : text;
}
