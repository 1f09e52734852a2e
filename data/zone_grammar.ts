// Zone language as a small grammar. The car has four climate zones in two rows, and the speaker
// drives (a left-hand-drive car):
//
//              left        right
//     front    driver      front-passenger
//     rear     rear-left   rear-right
//
// A description of zones is a tree (ZoneDescription): a seat by role or position ("the driver",
// "the back left seat"), the speaker ("me", "my seat"), a seat by its relation to another ("the
// seat behind me", "the person next to the driver"), a row ("the back row"), everyone, everyone
// but someone ("all seats except the driver", "everyone but the middle seat": there is none), and
// lists of these ("me and whoever sits behind me").
//
//   zonesOf      the one place that says which zones a description means
//   describe     a description for a set of zones, drawn at random
//   sayZones     a description in words, its preposition included ("for the driver and ...")
//   sampleZones  a zone set as the real data's calls have them, with words for it
//
// The word banks are in phrases.ts; every list is said through say() (phrase_split.ts), so the
// held-out phrasings are held out here too.
import { ZONES } from './vehicle_api.ts';
import {
  chance, ZONE_NAMES, ZONE_ALONE, ALL_ZONES_PHRASES, EVERYONE_NOUNS, IN_THE_CAR, EXCEPT_WORDS, REAR_PHRASES, FRONT_PHRASES, ZONE_BARE, REAR_BARE, FRONT_BARE,
  ZONE_NOUNS_PLURAL, ZONE_NOUNS_SINGULAR, REAR_NAMED, FRONT_NAMED, DRIVER_PERSONAL, SPEAKER_IN_LIST, BEHIND_WORDS, BESIDE_WORDS,
  SPEAKER_EXCEPTED, NO_SUCH_SEAT, EVERYONE_IN_LIST, NAMED_DRIVER, NAMED_PASSENGER,
} from './phrases.ts';
import type { Rng } from './phrases.ts';
import { say } from './phrase_split.ts';

export type Zone = (typeof ZONES)[number];
export type Row = 'front' | 'rear';

export type ZoneDescription =
  | { kind: 'seat'; zone: Zone } // "the driver", "the back left seat"
  | { kind: 'me' } // the speaker, who drives: "me", "my seat"
  | { kind: 'behind'; of: ZoneDescription } // "the seat behind the driver": of is a front seat
  | { kind: 'beside'; of: ZoneDescription } // "the person next to me": the other seat of the row
  | { kind: 'row'; row: Row } // "the back row", "both front seats"
  | { kind: 'everyone' } // "the whole car", "all passengers"
  | { kind: 'nowhere' } // "the middle seat": named, but no such zone
  | { kind: 'but'; except: ZoneDescription } // "everyone but the driver"
  | { kind: 'list'; items: ZoneDescription[] }; // "the driver and the back seats"

const ROWS: Record<Row, Zone[]> = { front: ['driver', 'front-passenger'], rear: ['rear-left', 'rear-right'] };
const BEHIND: Partial<Record<Zone, Zone>> = { 'driver': 'rear-left', 'front-passenger': 'rear-right' };
const BESIDE: Record<Zone, Zone> = { 'driver': 'front-passenger', 'front-passenger': 'driver', 'rear-left': 'rear-right', 'rear-right': 'rear-left' };

/** The zones a description means, in the API's order (driver, front-passenger, rear-left, rear-right). */
export function zonesOf(d: ZoneDescription): Zone[] {
  const set = new Set<Zone>(meaning(d));
  return ZONES.filter((z) => set.has(z));
}

function meaning(d: ZoneDescription): Zone[] {
  switch (d.kind) {
    case 'seat': return [d.zone];
    case 'me': return ['driver'];
    case 'behind': return meaning(d.of).map((z) => {
      const back = BEHIND[z];
      if (back === undefined) throw new Error(`zone grammar: nothing is behind ${z}`);
      return back;
    });
    case 'beside': return meaning(d.of).map((z) => BESIDE[z]);
    case 'row': return ROWS[d.row];
    case 'everyone': return [...ZONES];
    case 'nowhere': return [];
    case 'but': {
      const left = new Set(meaning(d.except));
      return ZONES.filter((z) => !left.has(z));
    }
    case 'list': return d.items.flatMap(meaning);
  }
}

// ------------------------------------------------------------------ choosing a description

const EVERYONE: ZoneDescription = { kind: 'everyone' };

/**
 * A description of exactly these zones, drawn at random: all four as everyone (or everyone but a
 * seat that is not there), three as everyone but the fourth or piece by piece, a row as the row,
 * single seats by name, position, relation or as the speaker.
 */
export function describe(rng: Rng, zones: readonly Zone[]): ZoneDescription {
  const missing = ZONES.filter((z) => !zones.includes(z));
  const row = (Object.keys(ROWS) as Row[]).find((r) => sameSet(ROWS[r], zones));
  if (zones.length === 4) {
    const r = rng();
    if (r < 0.45) return EVERYONE;
    if (r < 0.5) return { kind: 'but', except: { kind: 'nowhere' } };
    if (r < 0.58) return { kind: 'list', items: [chance(rng, 0.7) ? { kind: 'seat', zone: 'driver' } : { kind: 'me' }, EVERYONE] };
    return inPieces(rng, zones);
  }
  // everyone but one seat, often: a model that saw it a quarter of the time read "everyone except me" as all four
  if (zones.length === 3 && chance(rng, 0.4)) return { kind: 'but', except: seatWords(rng, missing[0]) };
  if (row !== undefined) {
    if (chance(rng, 0.15)) return { kind: 'but', except: { kind: 'row', row: row === 'front' ? 'rear' : 'front' } };
    if (chance(rng, 0.5)) return { kind: 'row', row };
  }
  if (zones.length === 1) return seatWords(rng, zones[0]);
  return inPieces(rng, zones);
}

/** Piece by piece: a full row may be one piece ("the back seats"), the other seats one each. */
function inPieces(rng: Rng, zones: readonly Zone[]): ZoneDescription {
  const items: ZoneDescription[] = [];
  let rest = [...zones];
  for (const row of ['rear', 'front'] as Row[]) {
    if (ROWS[row].every((z) => rest.includes(z)) && chance(rng, 0.5)) {
      items.push({ kind: 'row', row });
      rest = rest.filter((z) => !ROWS[row].includes(z));
    }
  }
  items.push(...rest.map((z) => seatWords(rng, z)));
  return { kind: 'list', items: shuffle(rng, items) };
}

/**
 * How often the driver is the speaker ("me and the back seats", "everyone except me"). Real speakers
 * drive: a bare "for me" names no zone (phrases.ts, DRIVER_PERSONAL), so a "me" among other seats,
 * or after "except", must be common enough to be learned against the thousands of "for me" that
 * mean nothing. At 15% a model read "for me and the passenger" as the passenger alone.
 */
const SPEAKER_SHARE = 0.35;

/**
 * One seat: mostly by name or position, sometimes as the speaker or by its relation to a front
 * seat. The driver is never "the seat next to the passenger": nobody says it, and a model taught
 * it read "the passenger" in it as the passenger too.
 */
function seatWords(rng: Rng, zone: Zone): ZoneDescription {
  if (!chance(rng, zone === 'driver' ? SPEAKER_SHARE : 0.15)) return { kind: 'seat', zone };
  const front = (z: Zone): ZoneDescription => (z === 'driver' && chance(rng, 0.5) ? { kind: 'me' } : { kind: 'seat', zone: z });
  switch (zone) {
    case 'driver': return { kind: 'me' };
    case 'front-passenger': return { kind: 'beside', of: front('driver') };
    case 'rear-left': return { kind: 'behind', of: front('driver') };
    case 'rear-right': return { kind: 'behind', of: front('front-passenger') };
  }
}

// ------------------------------------------------------------------ saying a description

/** A description in words, with its preposition: "for me and the seat behind me". */
export function sayZones(rng: Rng, d: ZoneDescription): string {
  switch (d.kind) {
    case 'seat': {
      // by a phrase of its own, by a name, or by its bare name and a noun ("in the rear-left area")
      const r = rng();
      if (r < 0.4) return say(rng, ZONE_ALONE[d.zone]);
      if (r < 0.8) return withPrep(rng, the(rng, say(rng, ZONE_NAMES[d.zone])));
      return withPrep(rng, the(rng, `${say(rng, ZONE_BARE[d.zone])} ${zoneNoun(rng, false, d.zone)}`));
    }
    case 'me':
      return `for ${say(rng, DRIVER_PERSONAL)}`;
    case 'behind':
      return chance(rng, 0.35) ? `behind ${nounPhrase(rng, d.of, true)}` : `for ${nounPhrase(rng, d, false)}`;
    case 'beside':
      return `for ${nounPhrase(rng, d, false)}`;
    case 'row':
      return chance(rng, 0.5) ? say(rng, d.row === 'rear' ? REAR_PHRASES : FRONT_PHRASES) : withPrep(rng, nounPhrase(rng, d, false));
    case 'everyone':
      return chance(rng, 0.25) ? say(rng, ALL_ZONES_PHRASES) : everyone(rng);
    case 'nowhere':
      throw new Error('zone grammar: "nowhere" is said only after "except"');
    case 'but': {
      const left = d.except.kind === 'me' ? say(rng, SPEAKER_EXCEPTED) : nounPhrase(rng, d.except, true);
      return `${chance(rng, 0.1) ? 'everywhere' : everyone(rng)} ${say(rng, EXCEPT_WORDS)} ${left}`;
    }
    case 'list':
      return sayList(rng, d.items);
  }
}

/**
 * A description as a noun phrase, no preposition: "the rear left seat", "whoever sits behind me".
 * object: it follows a preposition or "except", where the speaker is plain "me".
 */
function nounPhrase(rng: Rng, d: ZoneDescription, object: boolean): string {
  switch (d.kind) {
    case 'seat':
      if (d.zone === 'driver' && object) return say(rng, NAMED_DRIVER);
      if (d.zone === 'front-passenger' && object) return say(rng, NAMED_PASSENGER);
      return the(rng, say(rng, ZONE_NAMES[d.zone]));
    case 'me': return object ? say(rng, ['me', 'my seat']) : say(rng, SPEAKER_IN_LIST);
    case 'behind': return say(rng, BEHIND_WORDS).replace('{x}', nounPhrase(rng, d.of, true));
    case 'beside': return say(rng, BESIDE_WORDS).replace('{x}', nounPhrase(rng, d.of, true));
    case 'row': return the(rng, say(rng, d.row === 'rear' ? REAR_NAMED : FRONT_NAMED));
    case 'everyone': return say(rng, EVERYONE_IN_LIST);
    case 'nowhere': return say(rng, NO_SUCH_SEAT);
    case 'but': return `${say(rng, EVERYONE_NOUNS)} ${say(rng, EXCEPT_WORDS)} ${nounPhrase(rng, d.except, true)}`;
    case 'list': return joinList(rng, d.items.map((item) => nounPhrase(rng, item, false)));
  }
}

/**
 * A list: places alone may share one noun at the end ("for the driver, rear left and front
 * passenger areas"), otherwise each piece has its own ("for me and the back seats").
 */
function sayList(rng: Rng, items: ZoneDescription[]): string {
  const places = items.every((i) => i.kind === 'seat' || i.kind === 'row');
  if (places && chance(rng, 0.45)) {
    const names = items.map((i) => (i.kind === 'seat' ? say(rng, ZONE_BARE[i.zone]) : say(rng, i.kind === 'row' && i.row === 'rear' ? REAR_BARE : FRONT_BARE)));
    const plural = items.length > 1 || items[0].kind === 'row';
    const lone = items[0].kind === 'seat' ? items[0].zone : null;
    const list = joinList(rng, names);
    return withPrep(rng, `${the(rng, list)} ${zoneNoun(rng, plural, lone, /\bfront$/.test(list))}`);
  }
  const words = joinList(rng, items.map((i) => nounPhrase(rng, i, false)));
  return places ? withPrep(rng, words) : `for ${words}`;
}

/**
 * The noun after bare zone names: "areas" after a list, "area" after one zone; never "the driver
 * passenger" or "the passenger passenger". Never "passengers" after a list ending in "front":
 * real speakers say "front passenger" for the one seat (420 times in the training calls), so
 * "the rear left and front passengers" would teach a reading they do not mean.
 */
function zoneNoun(rng: Rng, plural: boolean, lone: Zone | null, afterFront = false): string {
  const front = lone === 'driver' || lone === 'front-passenger';
  if (plural) return say(rng, ZONE_NOUNS_PLURAL.filter((n) => !afterFront || n !== 'passengers'));
  return say(rng, ZONE_NOUNS_SINGULAR.filter((n) => !front || n !== 'passenger'));
}

/**
 * Everyone, with its preposition: "for everyone in the car", "throughout the whole cabin", "in all
 * zones". People take "for"; the car, any of in, for, throughout, across.
 */
function everyone(rng: Rng): string {
  const noun = say(rng, EVERYONE_NOUNS);
  if (/\b(car|cabin|vehicle)$/.test(noun)) return `${say(rng, ['in', 'for', 'throughout', 'across'])} ${noun}`;
  const where = chance(rng, 0.25) ? ` ${say(rng, IN_THE_CAR)}` : '';
  const person = /^(every(one|body)|all (the )?passengers|all occupants|every passenger)$/.test(noun);
  return `${person ? 'for' : say(rng, ['for', 'for', 'in'])} ${noun}${where}`;
}

/** A preposition before a place: for, in, on or at; "for" before a person ("for the rear left passenger"). */
function withPrep(rng: Rng, words: string): string {
  const person = /\b(passengers?|driver|me|myself|people|person|kids|else)$/.test(words);
  return `${person ? 'for' : say(rng, ['for', 'for', 'in', 'on', 'at'])} ${words}`;
}

/** Mostly with "the": "the rear left seat"; never "the both rear seats". */
function the(rng: Rng, name: string): string {
  return chance(rng, 0.75) && !/^(both|my|me|all|every|everyone|everybody|whoever)\b/.test(name) ? `the ${name}` : name;
}

/** "a", "a and b", "a, b and c", "a, b, and c", "both a and b" */
function joinList(rng: Rng, names: string[]): string {
  if (names.length === 1) return names[0];
  if (names.length === 2) return `${chance(rng, 0.1) && !/^(both|all|every)\b/.test(names[0]) ? 'both ' : ''}${names[0]} ${chance(rng, 0.1) ? 'as well as' : 'and'} ${names[1]}`;
  const head = names.slice(0, -1).join(', ');
  return `${head}${chance(rng, 0.4) ? ',' : ''} and ${names[names.length - 1]}`;
}

// ------------------------------------------------------------------ sampling

/**
 * A zone list together with the words that name it; the list is in the API's order. Its size as in
 * the 993 zone lists of the real training calls (one zone 30%, two 20%, three 28%, all four 22%),
 * its zones any of that size, uniformly: describe() finds the rows among the pairs.
 */
export function sampleZones(rng: Rng): { zones: Zone[]; phrase: string } {
  const r = rng();
  const size = r < 0.22 ? 4 : r < 0.52 ? 1 : r < 0.72 ? 2 : 3;
  const zones = shuffle(rng, [...ZONES]).slice(0, size);
  const d = describe(rng, zones);
  return { zones: zonesOf(d), phrase: sayZones(rng, d) };
}

function sameSet(a: readonly Zone[], b: readonly Zone[]): boolean {
  return a.length === b.length && a.every((z) => b.includes(z));
}

function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
