// Saying a set of climate zones: a zone list sampled with the words that name it, one zone, a pair,
// three or all four, as one phrase ("in the back") or piece by piece ("for the driver and both rear
// seats"). The word banks are in phrases.ts; the command grammars (command_grammars.ts) call
// sampleZones for every function that takes an area.
import { ZONES } from './vehicle_api.ts';
import {
  pick, chance, ZONE_NAMES, ZONE_ALONE, ALL_ZONES_PHRASES, REAR_PHRASES, FRONT_PHRASES,
  ZONE_BARE, REAR_BARE, FRONT_BARE, ZONE_NOUNS_PLURAL, ZONE_NOUNS_SINGULAR, REAR_NAMED, FRONT_NAMED, DRIVER_PERSONAL,
} from './phrases.ts';
import type { Rng } from './phrases.ts';
import { say } from './phrase_split.ts';

/**
 * Sample a zone list together with the words that name it; the list is in the API's order.
 * Sizes as in the real data: one zone, a pair, three, or all four.
 */
export function sampleZones(rng: Rng): { zones: string[]; phrase: string } {
  const r = rng();
  if (r < 0.2) {
    if (chance(rng, 0.45)) return { zones: [...ZONES], phrase: say(rng, ALL_ZONES_PHRASES) };
    return sayZoneList(rng, shuffle(rng, [...ZONES]));
  }
  if (r < 0.3) return chance(rng, 0.5) ? { zones: ['rear-left', 'rear-right'], phrase: say(rng, REAR_PHRASES) } : sayZoneList(rng, ['rear-left', 'rear-right']);
  if (r < 0.37) return chance(rng, 0.5) ? { zones: ['driver', 'front-passenger'], phrase: say(rng, FRONT_PHRASES) } : sayZoneList(rng, ['driver', 'front-passenger']);
  if (r < 0.67) {
    const z = pick(rng, ZONES);
    return chance(rng, 0.5) ? { zones: [z], phrase: say(rng, ZONE_ALONE[z]) } : sayZoneList(rng, [z]);
  }
  return sayZoneList(rng, shuffle(rng, [...ZONES]).slice(0, chance(rng, 0.45) ? 2 : 3));
}

const REAR_PAIR = ['rear-left', 'rear-right'];
const FRONT_PAIR = ['driver', 'front-passenger'];

/**
 * Name a set of zones piece by piece: "the driver and both rear seats" -> [driver, rear-left, rear-right].
 * Both rear (or both front) zones may be named as one piece; the pieces are said in random order.
 */
function sayZoneList(rng: Rng, zones: string[]): { zones: string[]; phrase: string } {
  const has = (pair: string[]) => pair.every((z) => zones.includes(z));
  const pieces: string[][] = [];
  let rest = zones;
  for (const pair of [REAR_PAIR, FRONT_PAIR]) {
    if (has(pair) && chance(rng, 0.5)) {
      pieces.push(pair);
      rest = rest.filter((z) => !pair.includes(z));
    }
  }
  pieces.push(...rest.map((z) => [z]));
  shuffle(rng, pieces);
  const prep = say(rng, ['for', 'for', 'in', 'on', 'at']);
  const the = (name: string) => (chance(rng, 0.75) && !name.startsWith('both') ? `the ${name}` : name);
  let phrase: string;
  if (chance(rng, 0.45)) {
    // bare names, one noun at the end: "for the driver, rear left and front passenger areas"
    const names = pieces.map((p) => (p.length === 2 ? say(rng, p[0] === 'rear-left' ? REAR_BARE : FRONT_BARE) : say(rng, ZONE_BARE[p[0]])));
    const plural = pieces.length > 1 || pieces[0].length > 1;
    // "the driver passenger" is not said
    const nouns = plural ? ZONE_NOUNS_PLURAL : ZONE_NOUNS_SINGULAR.filter((n) => zones[0] !== 'driver' || n !== 'passenger');
    phrase = `${prep} ${the(joinList(rng, names))} ${say(rng, nouns)}`;
  } else {
    // each piece with its own noun: "for my side and the back seats"
    const names = pieces.map((p) => {
      if (p.length === 2) return the(say(rng, p[0] === 'rear-left' ? REAR_NAMED : FRONT_NAMED));
      if (p[0] === 'driver' && prep === 'for' && chance(rng, 0.2)) return say(rng, DRIVER_PERSONAL);
      return the(say(rng, ZONE_NAMES[p[0]]));
    });
    phrase = `${prep} ${joinList(rng, names)}`;
  }
  return { zones: inApiOrder(pieces.flat()), phrase };
}

/**
 * The call lists zones in the API's order (driver, front-passenger, rear-left, rear-right), not in
 * the order they were said: then each place in the answer asks one question of the command ("is the
 * driver named?") instead of "which zone was named after the one I just wrote?".
 */
function inApiOrder(zones: string[]): string[] {
  return ZONES.filter((z) => zones.includes(z));
}

/** "a", "a and b", "a, b and c", "a, b, and c", "both a and b" */
function joinList(rng: Rng, names: string[]): string {
  if (names.length === 1) return names[0];
  if (names.length === 2) return `${chance(rng, 0.1) && !names[0].startsWith('both') ? 'both ' : ''}${names[0]} ${chance(rng, 0.1) ? 'as well as' : 'and'} ${names[1]}`;
  const head = names.slice(0, -1).join(', ');
  return `${head}${chance(rng, 0.4) ? ',' : ''} and ${names[names.length - 1]}`;
}

function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
