// Word banks for the command generator: numbers as words, zone phrases, places and song titles.
// Written for this project; nothing here comes from the measuring data.

import { say } from './phrase_split.ts';

export type Rng = () => number;

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

export function chance(rng: Rng, p: number): boolean {
  return rng() < p;
}

export function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen',
  'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** 0..999 in words: 42 -> "forty-two" (or "forty two"), 120 -> "one hundred twenty". */
export function numberToWords(n: number, hyphen = true): string {
  if (n < 20) return ONES[n];
  if (n < 100) return TENS[Math.floor(n / 10)] + (n % 10 ? (hyphen ? '-' : ' ') + ONES[n % 10] : '');
  const rest = n % 100;
  return `${ONES[Math.floor(n / 100)]} hundred${rest ? ' ' + numberToWords(rest, hyphen) : ''}`;
}

/** A number as a person might type it: mostly digits, sometimes words. */
export function sayNumber(rng: Rng, n: number): string {
  return chance(rng, 0.78) ? String(n) : numberToWords(n, chance(rng, 0.6));
}

/** Ways to name each single climate zone. */
export const ZONE_NAMES: Record<string, readonly string[]> = {
  'driver': ['driver', "driver's seat", 'driver side', "driver's side", 'driver seat', 'driver zone', 'front left', 'left front seat', 'front driver'],
  'front-passenger': ['front passenger', 'passenger', 'passenger side', 'passenger seat', 'front passenger seat', 'front right', 'co-driver', 'front passenger side'],
  'rear-left': ['rear left', 'back left', 'left rear', 'rear left seat', 'back left seat', 'left back', 'rear-left', 'rear left passenger', 'back left passenger',
    'left side in the back', 'left seat in the back', 'back seat on the left', 'left side of the back row', 'passenger behind the driver', 'rear driver side',
    'driver side in the back'],
  'rear-right': ['rear right', 'back right', 'right rear', 'rear right seat', 'back right seat', 'right back', 'rear-right', 'rear right passenger', 'back right passenger',
    'right side in the back', 'right seat in the back', 'back seat on the right', 'right side of the back row', 'passenger on the right in the back',
    'rear passenger side', 'passenger side in the back'],
};

/** Phrases for one zone on its own (with its preposition). */
export const ZONE_ALONE: Record<string, readonly string[]> = {
  'driver': ['for the driver', "on the driver's side", 'on my side', 'where I sit', 'for my seat', 'on the driver side', 'in the driver zone', 'for the driver seat', 'at the front left'],
  'front-passenger': ['for the front passenger', 'on the passenger side', 'for my passenger', 'for the passenger seat', 'for the person next to me', 'on the front right', 'for the co-driver', 'for the front passenger seat'],
  'rear-left': ['for the rear left', 'in the back left', 'behind the driver', 'for the left rear seat', 'in the rear left zone', 'for the back left passenger', 'on the rear left side'],
  'rear-right': ['for the rear right', 'in the back right', 'behind the passenger', 'for the right rear seat', 'in the rear right zone', 'for the back right passenger', 'on the rear right side'],
};

/**
 * Everyone, as a noun a preposition goes before, alone or before "except" (zone_grammar.ts): one list
 * for both, so that no word for the whole car is only ever heard in an exclusion. When "the whole car"
 * came only in "the whole car except ..." (228 of 234 times), a model read "in the whole car" as
 * everyone but the driver.
 */
export const EVERYONE_NOUNS = ['everyone', 'all seats', 'all passengers', 'the whole car', 'the entire car', 'everybody', 'all zones', 'every seat',
  'all the seats', 'all areas', 'every zone', 'all four seats', 'all four zones', 'all occupants', 'the whole cabin', 'the entire vehicle',
  'all the passengers', 'every passenger', 'each seat', 'all seating areas', 'the whole vehicle', 'all the zones'];
/** Where, after a noun for people or seats: "everyone in the car". */
export const IN_THE_CAR = ['in the car', 'in the vehicle', 'inside', 'in the cabin', 'inside the car', 'of the car'];
/** The words that leave someone out: "all seats except the driver". */
export const EXCEPT_WORDS = ['except', 'but', 'other than', 'apart from', 'excluding', 'except for', 'save for', 'aside from'];
/** Everyone in a phrase of its own, with no noun to leave someone out of. */
export const ALL_ZONES_PHRASES = ['everywhere', 'all around', 'front and back', 'throughout the car', 'for the driver and all passengers',
  'for both the front and rear passengers', 'for the front and back seats', 'throughout the cabin', 'in every part of the car'];
export const REAR_PHRASES = ['in the back', 'in the rear', 'for the back seats', 'for the rear passengers', 'in the back row', 'for the rear seats',
  'for the kids in the back', 'in the second row', 'for the back', 'in the rear zones', 'for the people in the back'];
export const FRONT_PHRASES = ['in the front', 'for the front seats', 'for the driver and passenger', 'in the front row', 'up front', 'for both front seats',
  'for the front', 'for me and my passenger'];

// Zone lists are also built piece by piece (zone_grammar.ts, sayList): each piece is one zone or
// a pair (both rear seats, both front seats), named either with its own noun ("the back seats")
// or bare, with one noun closing the whole list ("the driver, rear left and front passenger areas").

/** A zone's name with no noun after it. */
export const ZONE_BARE: Record<string, readonly string[]> = {
  'driver': ['driver', 'driver', 'front left', 'driver-side', 'front driver'],
  'front-passenger': ['front passenger', 'front passenger', 'passenger', 'front right', 'front-passenger', 'front-seat passenger'],
  'rear-left': ['rear left', 'rear left', 'back left', 'left rear', 'rear-left', 'back-left', 'left back'],
  'rear-right': ['rear right', 'rear right', 'back right', 'right rear', 'rear-right', 'back-right', 'right back'],
};
export const REAR_BARE = ['rear', 'back', 'both rear', 'both back', 'rear left and right', 'back left and right', 'left and right rear'];
export const FRONT_BARE = ['front', 'both front', 'front left and right'];
/** Nouns that close a bare list (plural) or name one bare zone (singular). */
export const ZONE_NOUNS_PLURAL = ['seats', 'zones', 'areas', 'sides', 'sections', 'seat areas', 'passengers', 'positions'];
export const ZONE_NOUNS_SINGULAR = ['seat', 'zone', 'area', 'side', 'section', 'seat area', 'passenger', 'position'];
/** A pair named with its own noun. */
export const REAR_NAMED = ['rear seats', 'back seats', 'both rear seats', 'rear passengers', 'back row', 'rear left and right seats', 'people in the back',
  'back seats on both sides', 'rear zones', 'both rear sides', 'rear area', 'back passengers', 'entire back row', 'whole back row', 'both sides in the back',
  'seats in the back', 'back passengers on both sides', 'everyone in the back', 'kids in the back', 'everybody in the back', 'passengers in the back',
  'folks in the back'];
export const FRONT_NAMED = ['front seats', 'both front seats', 'front row', 'front zones', 'driver and front passenger seats', 'front area',
  'two front seats', 'seats up front', 'both of us up front', 'everyone up front'];
/**
 * The driver said without an article. Never a bare "me": "for me" closes a request politely
 * (89 of the 94 real incomplete commands that say it name no zone), so it names no zone here either.
 */
export const DRIVER_PERSONAL = ['my side', 'my seat', 'myself'];
/** The speaker among other seats: "me and the front passenger" (here a bare "me" is the driver). */
export const SPEAKER_IN_LIST = ['me', 'myself', 'my seat', 'my side', 'me', 'me'];
/** The driver and the front passenger after "behind", "next to" or "except". */
export const NAMED_DRIVER = ['the driver', "the driver's seat", 'the driver seat'];
export const NAMED_PASSENGER = ['the front passenger', 'the passenger', 'the passenger seat', 'the front passenger seat'];
/** A seat by its relation to another: {x} is that other seat. */
export const BEHIND_WORDS = ['the seat behind {x}', 'whoever sits behind {x}', 'the person behind {x}', 'the one behind {x}',
  'the seat right behind {x}', 'the spot behind {x}'];
export const BESIDE_WORDS = ['the seat next to {x}', 'the person next to {x}', 'whoever sits next to {x}', 'the seat beside {x}', 'the one beside {x}',
  'the person beside {x}'];
/** The speaker after "except": "all seats except mine". */
export const SPEAKER_EXCEPTED = ['me', 'my seat', 'mine', 'myself'];
/** Seats this car does not have: "everyone except the middle seat" is everyone. */
export const NO_SUCH_SEAT = ['the middle seat', 'the rear middle seat', 'the back center seat', 'the middle row', 'the middle back seat', 'the center seat',
  'the third row'];
/** Everyone, after another seat in a list: "the driver and all passengers" is all four. */
export const EVERYONE_IN_LIST = ['all passengers', 'all the passengers', 'everyone else', 'all other passengers', 'everybody else', 'all the other seats',
  'the rest of the car'];

/** Verbs that move a seat, and those that tilt its backrest: "{v} the passenger seat {d}". */
export const SEAT_VERBS = ['move', 'adjust', 'slide', 'shift', 'set', 'push', 'put', 'bring', 'position', 'scoot', 'get', 'nudge', 'reposition'];
export const SEAT_TILT_VERBS = ['adjust', 'set', 'move', 'change', 'put', 'angle', 'shift', 'position'];
/** Where a seat goes, after its verb and the seat: "adjust the driver's seat to tilt forward". */
export const SEAT_WHERE: Record<string, readonly string[]> = {
  'forward': ['forward', 'forwards', 'to the front', 'toward the front', 'ahead', 'closer to the steering wheel', 'to a forward position',
    'further forward', 'closer to the dashboard', 'a bit forward', 'into a more forward position', 'nearer the front'],
  'backward': ['back', 'backward', 'backwards', 'toward the back', 'further back', 'to a backward position', 'away from the steering wheel',
    'a bit back', 'rearward', 'back a little', 'into a position further back', 'away from the dashboard'],
  'up': ['up', 'upward', 'higher', 'to a higher position', 'up a notch', 'a bit higher', 'upwards', 'up a little', 'to sit higher'],
  'down': ['down', 'downward', 'lower', 'to a lower position', 'down a notch', 'a bit lower', 'downwards', 'down a little', 'to sit lower'],
  'tilt-forward': ['to tilt forward', 'into a more upright position', 'to the tilt-forward position', 'more upright', 'to an upright position',
    'so it tilts forward', 'to a forward tilt', 'to lean forward', 'with the backrest tilted forward', 'to tilt forwards'],
  'tilt-backward': ['to tilt backward', 'into a reclined position', 'to the tilt-backward position', 'to recline', 'so it leans back',
    'into a more reclined position', 'to a backward tilt', 'to lean back', 'with the backrest tilted back', 'to tilt back'],
};

/** Seats and windows (underscored zone names). */
export const SEAT_NAMES: Record<string, readonly string[]> = {
  'driver': ["driver's seat", 'driver seat', 'seat on the driver side', 'driver-side seat', 'front left seat'],
  'front-passenger': ['passenger seat', 'front passenger seat', "passenger's seat", 'seat next to me', 'front-passenger seat', "front passenger's seat",
    'front right seat'],
  'rear_left': ['rear left seat', 'back left seat', 'left rear seat', 'seat behind the driver', 'rear-left seat', 'back-left seat', 'seat on the back left',
    'left seat in the back', 'rear left passenger seat'],
  'rear_right': ['rear right seat', 'back right seat', 'right rear seat', 'seat behind the passenger', 'rear-right seat', 'back-right seat',
    'seat on the back right', 'right seat in the back', 'rear right passenger seat'],
};
export const WINDOW_NAMES: Record<string, readonly string[]> = {
  'driver': ["driver's window", 'driver window', 'driver side window', 'front left window', 'driver-side window'],
  'front-passenger': ['passenger window', 'front passenger window', "passenger's window", 'front right window', 'front-passenger window',
    'passenger side window'],
  'rear_left': ['rear left window', 'back left window', 'left rear window', 'window behind the driver', 'rear-left window', 'back-left window',
    'window on the back left'],
  'rear_right': ['rear right window', 'back right window', 'right rear window', 'window behind the passenger', 'rear-right window', 'back-right window',
    'window on the back right'],
};

// Places: "<name> <kind>", "<number> <name> street", well-known kinds of destination.
const PLACE_NAMES = ['oak', 'maple', 'pine', 'cedar', 'elm', 'river', 'lake', 'hill', 'park', 'sunset', 'harbor', 'union', 'lincoln', 'washington', 'madison',
  'franklin', 'jefferson', 'liberty', 'spring', 'valley', 'meadow', 'forest', 'bay', 'ocean', 'mountain', 'north', 'south', 'east', 'west', 'central',
  'grand', 'royal', 'golden', 'silver', 'green', 'blue', 'red', 'crystal', 'riverside', 'lakeside', 'highland', 'fairview', 'westfield', 'brookside',
  'kingston', 'chelsea', 'brooklyn', 'jackson', 'monroe', 'hamilton', 'bristol', 'oxford', 'cambridge', 'victoria', 'albert', 'stanley', 'rosewood',
  'willow', 'birch', 'aspen', 'cherry', 'magnolia', 'lotus', 'sierra', 'canyon', 'coral', 'mesa', 'prairie', 'summit', 'pioneer', 'heritage', 'market',
  'mission', 'dolphin', 'eagle', 'falcon', 'phoenix', 'orchard', 'garden', 'station', 'bridge', 'castle', 'church', 'mill', 'dover', 'trinity', 'olive',
  'eden', 'joe', 'maria', 'tony', 'lucky', 'happy', 'little', 'old', 'new', 'big', 'city', 'county', 'state', 'metro', 'uptown', 'downtown', 'midtown'];
const PLACE_KINDS = ['street', 'avenue', 'road', 'boulevard', 'lane', 'drive', 'park', 'mall', 'plaza', 'square', 'market', 'center', 'station', 'airport',
  'library', 'museum', 'hospital', 'school', 'university', 'stadium', 'beach', 'harbor', 'pier', 'gym', 'cafe', 'diner', 'bakery', 'pizzeria', 'hotel',
  'theater', 'cinema', 'zoo', 'garden', 'church', 'high school', 'farmers market', 'shopping center', 'train station', 'bus terminal', 'grocery store',
  'food market', 'public library', 'medical center', 'city hall', 'post office', 'fire station', 'golf club', 'country club', 'art gallery', 'bookstore'];
const COMMON_PLACES = ['the airport', 'home', 'work', 'the office', 'the nearest gas station', 'the closest charging station', 'the beach', 'downtown',
  'the city center', 'the train station', 'the hospital', 'the mall', 'the supermarket', 'the gym', 'the nearest coffee shop', 'the school', 'the park'];

// Made-up names ("velmaro", "quistan"): a name the model has never seen can only be copied from
// the command, never recalled, so these teach it to copy destinations and titles letter by letter.
const ONSETS = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'br', 'ch', 'cl', 'dr', 'gr', 'qu', 'sh', 'st', 'tr'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'a', 'e', 'o', 'ai', 'ou', 'ee', 'y'];
const CODAS = ['', '', '', 'n', 'r', 's', 'l', 'x', 'th', 'nd', 'rt', 'ck'];

export function inventedName(rng: Rng): string {
  let word = '';
  const syllables = randInt(rng, 2, 3);
  for (let i = 0; i < syllables; i++) word += pick(rng, ONSETS) + pick(rng, VOWELS) + (i === syllables - 1 ? pick(rng, CODAS) : '');
  return word;
}

const STREET_ABBREVIATIONS = ['st', 'st.', 'ave', 'ave.', 'rd', 'rd.', 'blvd', 'dr', 'ln', 'way', 'ct', 'pkwy'];
const STATES = ['ca', 'ny', 'tx', 'wa', 'il', 'fl', 'ma', 'co', 'or', 'ga', 'az', 'nj'];

/** A postal address: "42 birch st, quistan, ca 90210" (parts after the street are optional). */
function sampleAddress(rng: Rng): string {
  const street = `${randInt(rng, 1, 9999)} ${chance(rng, 0.3) ? inventedName(rng) : say(rng, PLACE_NAMES)} ${say(rng, STREET_ABBREVIATIONS)}`;
  if (chance(rng, 0.3)) return street;
  const city = chance(rng, 0.5) ? inventedName(rng) : `${say(rng, PLACE_NAMES)}${chance(rng, 0.4) ? ` ${say(rng, ['city', 'falls', 'springs', 'heights', 'beach'])}` : ''}`;
  const state = chance(rng, 0.6) ? `, ${pick(rng, STATES)}${chance(rng, 0.5) ? ` ${randInt(rng, 10000, 99999)}` : ''}` : '';
  return `${street}, ${city}${state}`;
}

// Everyday words of any kind (nouns, verbs, adjectives, little words), of which real names and
// titles are made as often as of the banks above. A name the model copies can then hold any word
// ("hotel", "to", "out"), so it must read where a copy ends from the words around it ("at volume
// 4", "please", the end of the command), not from what the name's words are.
const NAME_WORDS = ['house', 'street', 'hotel', 'garden', 'window', 'door', 'room', 'kitchen', 'table', 'chair', 'paper', 'letter', 'book', 'story',
  'song', 'word', 'name', 'voice', 'eyes', 'hands', 'face', 'blood', 'bones', 'water', 'glass', 'stone', 'iron', 'steel', 'wood', 'sand', 'snow', 'ice',
  'wind', 'cloud', 'rose', 'tree', 'leaf', 'flower', 'apple', 'orange', 'lemon', 'sugar', 'honey', 'salt', 'bread', 'coffee', 'tea', 'wine', 'milk',
  'king', 'queen', 'prince', 'lady', 'man', 'woman', 'child', 'brother', 'sister', 'mother', 'father', 'friend', 'stranger', 'soldier', 'sailor',
  'doctor', 'teacher', 'driver', 'dancer', 'singer', 'hunter', 'farmer', 'captain', 'angels', 'devil', 'ghost', 'monster', 'hero', 'tiger', 'lion',
  'wolf', 'bird', 'horse', 'dog', 'cat', 'fox', 'bear', 'rabbit', 'butterfly', 'spider', 'whale', 'shark', 'train', 'car', 'boat', 'plane', 'rocket',
  'radio', 'video', 'camera', 'phone', 'machine', 'engine', 'wheel', 'bridge', 'tower', 'wall', 'gate', 'bell', 'clock', 'mirror', 'picture',
  'heaven', 'hell', 'earth', 'space', 'planet', 'universe', 'island', 'desert', 'jungle', 'valley', 'canyon', 'harbor', 'coast', 'shore', 'field',
  'hills', 'corner', 'place', 'town', 'village', 'country', 'kingdom', 'empire', 'nation', 'party', 'club', 'circus', 'carnival', 'fire', 'smoke',
  'money', 'gold', 'silver', 'diamond', 'pearl', 'crown', 'sword', 'gun', 'bullet', 'war', 'peace', 'freedom', 'truth', 'lies', 'hope', 'faith',
  'fear', 'pain', 'pride', 'glory', 'fortune', 'luck', 'chance', 'danger', 'trouble', 'mercy', 'grace', 'spirit', 'mind', 'memory', 'future', 'past',
  'beginning', 'end', 'edge', 'top', 'bottom', 'middle', 'side', 'way', 'line', 'circle', 'square', 'step', 'walk', 'ride', 'journey', 'trip',
  'game', 'show', 'movie', 'dream', 'sleep', 'kiss', 'touch', 'smile', 'tears', 'laugh', 'cry', 'scream', 'whisper', 'talk', 'call', 'answer',
  'question', 'reason', 'feeling', 'thought', 'wish', 'promise', 'secret', 'mystery', 'miracle', 'wonderland', 'funk', 'blues', 'jazz', 'disco',
  'born', 'running', 'falling', 'rolling', 'thinking', 'waiting', 'dancing', 'singing', 'burning', 'breaking', 'shining', 'flying', 'living',
  'dying', 'crying', 'walking', 'talking', 'watching', 'looking', 'calling', 'coming', 'going', 'staying', 'leaving', 'missing', 'holding',
  'take', 'make', 'give', 'bring', 'break', 'keep', 'let', 'get', 'go', 'come', 'see', 'look', 'feel', 'want', 'need', 'know', 'think', 'say',
  'tell', 'show', 'turn', 'change', 'wake', 'shake', 'move', 'stop', 'start', 'begin', 'open', 'close', 'save', 'lose', 'win', 'kill', 'love',
  'miss', 'kiss', 'burn', 'drive', 'walk', 'run', 'jump', 'swim', 'sing', 'play', 'work', 'live', 'die', 'believe', 'remember', 'forget',
  'big', 'small', 'long', 'short', 'high', 'low', 'hot', 'cold', 'warm', 'cool', 'dark', 'bright', 'heavy', 'soft', 'hard', 'fast', 'slow',
  'loud', 'quiet', 'strange', 'perfect', 'simple', 'easy', 'broken', 'lonely', 'empty', 'true', 'real', 'only', 'last', 'first', 'final', 'best',
  'better', 'every', 'other', 'same', 'whole', 'holy', 'dirty', 'pretty', 'funny', 'lucky', 'wicked', 'modern', 'ancient', 'famous', 'public',
  'royal', 'national', 'international', 'american', 'english', 'french', 'italian', 'mexican', 'chinese', 'indian', 'african', 'northern',
  'southern', 'eastern', 'western', 'upper', 'lower', 'inner', 'outer', 'out', 'up', 'down', 'in', 'on', 'off', 'over', 'under', 'away', 'back',
  'around', 'again', 'now', 'here', 'there', 'forever', 'never', 'always', 'still', 'just', 'all', 'no', 'one', 'two', 'three', 'seven', 'ten',
  'hundred', 'thousand', 'million', 'you', 'me', 'her', 'him', 'us', 'them', 'it', 'this', 'that', 'what', 'who', 'why', 'how', 'when', 'where'];
/** Little words inside a name: "stairway to heaven", "shape of you", "museum of modern art". */
const NAME_LINKS = ['to', 'of', 'in', 'on', 'with', 'for', 'at', 'by', 'from', 'to the', 'of the', 'in the', 'on the', 'and', 'or', 'like a'];

/** A word of a name: from the everyday words, the place or song bank, or made up. */
function nameWord(rng: Rng, bank: readonly string[]): string {
  const r = rng();
  if (r < 0.2) return inventedName(rng);
  return r < 0.55 ? say(rng, bank) : say(rng, NAME_WORDS);
}

export function samplePlace(rng: Rng): string {
  if (chance(rng, 0.15)) return sampleAddress(rng);
  if (chance(rng, 0.25)) return sampleLongPlace(rng);
  const r = rng();
  if (r < 0.15) return say(rng, COMMON_PLACES);
  if (r < 0.3) return chance(rng, 0.5) ? `${inventedName(rng)} ${say(rng, PLACE_KINDS)}` : `${randInt(rng, 1, 999)} ${inventedName(rng)} ${say(rng, ['street', 'avenue', 'road', 'lane', 'drive'])}`;
  if (r < 0.45) return `${randInt(rng, 1, 999)} ${say(rng, PLACE_NAMES)} ${say(rng, ['street', 'avenue', 'road', 'lane', 'drive', 'boulevard'])}`;
  if (r < 0.6) return `${say(rng, PLACE_NAMES)} ${say(rng, PLACE_NAMES)} ${say(rng, PLACE_KINDS)}`;
  return `${say(rng, PLACE_NAMES)} ${say(rng, PLACE_KINDS)}`;
}

/**
 * Places shaped as many real ones are: a kind after a street ("oak street cafe"), a possessive
 * ("joe's pizza"), a place on a street ("kobari on main street"), "the museum of modern art",
 * a name of everyday words ("golden gate bridge"), a name alone ("mount tahoe", "chez velmaro").
 */
function sampleLongPlace(rng: Rng): string {
  const w = () => nameWord(rng, PLACE_NAMES);
  const kind = () => say(rng, PLACE_KINDS);
  switch (Math.floor(rng() * 7)) {
    case 0: return `${w()} ${say(rng, ['street', 'avenue', 'road', 'square', 'station', 'park'])} ${kind()}`;
    case 1: return `${chance(rng, 0.5) ? inventedName(rng) : w()}'s ${kind()}`;
    case 2: return `${chance(rng, 0.6) ? inventedName(rng) : `${w()} ${kind()}`} on ${w()} ${say(rng, ['street', 'avenue', 'road', 'boulevard'])}`;
    case 3: return `the ${kind()} of ${w()}${chance(rng, 0.5) ? ` ${w()}` : ''}`;
    case 4: return `${w()} ${w()} ${kind()}`;
    case 5: return `${say(rng, ['mount', 'lake', 'port', 'fort', 'saint', 'chez', 'cafe', 'hotel', 'camp'])} ${w()}`;
    default: return `${w()} ${w()}`;
  }
}

// Song titles: a few words from a bank, like many real titles.
const SONG_WORDS = ['love', 'heart', 'night', 'day', 'dream', 'fire', 'rain', 'summer', 'winter', 'road', 'home', 'light', 'dance', 'time', 'world',
  'sky', 'star', 'moon', 'sun', 'river', 'ocean', 'wild', 'free', 'young', 'gold', 'blue', 'forever', 'tonight', 'yesterday', 'tomorrow', 'angel',
  'baby', 'girl', 'boy', 'city', 'lights', 'highway', 'dreams', 'sweet', 'shine', 'magic', 'paradise', 'thunder', 'storm', 'wonder', 'stay', 'hold',
  'run', 'fly', 'fall', 'rise', 'lost', 'found', 'together', 'alone', 'beautiful', 'crazy', 'little', 'bad', 'good', 'happy', 'sad', 'electric',
  'midnight', 'morning', 'california', 'memphis', 'roses', 'diamonds', 'rock', 'roll', 'soul', 'fever', 'secret', 'hello', 'goodbye', 'someone',
  'everything', 'nothing', 'yellow', 'purple', 'rainbow', 'mountain', 'waves', 'echo', 'shadow', 'gravity', 'believer', 'thriller', 'imagine',
  // a dropped g keeps its apostrophe, and a copy keeps it too ("Free Fallin'")
  "fallin'", "lovin'", "livin'", "rockin'", "dreamin'", "runnin'", "nothin'", "goin'", "talkin'", "believin'"];
const SONG_SHAPES: ReadonlyArray<(w: () => string) => string> = [
  (w) => w(), (w) => `${w()} ${w()}`, (w) => `the ${w()}`, (w) => `${w()} of ${w()}`, (w) => `${w()} ${w()} ${w()}`, (w) => `my ${w()}`,
  (w) => `${w()} in the ${w()}`, (w) => `don't ${w()}`, (w) => `i'm ${w()}`, (w) => `${w()} me`,
];

export function sampleTrack(rng: Rng): string {
  if (chance(rng, 0.35)) return sampleLongTrack(rng);
  return pick(rng, SONG_SHAPES)(() => (chance(rng, 0.2) ? inventedName(rng) : say(rng, SONG_WORDS)));
}

/**
 * Titles of any words, with the little words real titles have inside them ("born to run", "fly me
 * to the moon", "let it be", "hey jude", "thinking out loud"): 1 to 6 words.
 */
function sampleLongTrack(rng: Rng): string {
  const w = () => nameWord(rng, SONG_WORDS);
  switch (Math.floor(rng() * 6)) {
    case 0: return `${w()} ${say(rng, NAME_LINKS)} ${w()}`;
    case 1: return `${w()} ${w()} ${say(rng, NAME_LINKS)} ${w()}`;
    case 2: return `${w()}'s ${w()}`;
    case 3: return `${say(rng, ['hey', 'oh', 'baby', 'mr.', 'miss', 'dear', 'sweet', 'little', 'hello', 'goodbye'])} ${w()}`;
    case 4: return Array.from({ length: randInt(rng, 1, 4) }, w).join(' ');
    default: return `${w()} ${say(rng, ['me', 'it', 'you', 'us', 'her', 'him', 'them'])} ${chance(rng, 0.5) ? say(rng, NAME_LINKS) + ' ' : ''}${w()}`;
  }
}

/** Words or ways to open and close a request. */
export const OPENERS = ['', '', '', '', '', 'please ', 'can you ', 'could you ', 'could you please ', 'would you ', 'hey, ', 'hey car, ', 'i want you to ',
  "i'd like you to ", 'go ahead and ', 'quickly ', 'kindly ', 'ok, ', 'car, ', 'assistant, ', 'i need you to ', 'will you ',
  'i would like to ', "i'd like to ", 'please go ahead and '];
export const CLOSERS = ['', '', '', '', '', '', ' please', ' thanks', ' thank you', ' now', ' right now', ' for me', ', please', ' asap'];

// Words around a command that change nothing in its call (generator.ts, dress): a hedge before
// it, an aside before or after it. After a copied value an aside teaches where the copy ends
// ("navigate to Oak Street when you get a chance").
export const HEDGES = ['um, ', 'uh, ', 'so, ', 'okay so ', 'hmm, ', 'well, ', 'alright, ', 'i think ', 'oh and ', 'right, ', 'actually, '];
export const ASIDES = ['when you get a chance', "if you don't mind", 'if possible', 'real quick', 'before i forget', "while we're driving",
  'on the way home', 'if you can', 'when you can', 'for a bit', 'quickly', 'for now', 'thanks a lot', 'whenever you are ready', 'no rush',
  // words a zone could be named with, naming none: "back", "all", "whole", "front", "rest"
  'on the way back', 'for the whole ride', 'all the way home', 'before we head back', 'for the rest of the trip', 'once we get back',
  'while we wait out front'];
