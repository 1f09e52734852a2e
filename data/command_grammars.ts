// The command grammars: for each of the API's 18 functions, how to sample its arguments, templates
// that say them, and templates for an "incomplete" command that leaves a required value out
// (answered with possibly_incomplete_<name> and '' for the missing value, as the original data
// does). The generator (generator.ts) picks a function, samples, and fills a template.
// Template marks: {x} is a slot; a leading ^ means an opener ("please", "can you") may go first.
import { SEATS } from './vehicle_api.ts';
import type { ArgValue } from './vehicle_api.ts';
import { pick, chance, randInt, sayNumber, samplePlace, sampleTrack, SEAT_NAMES, WINDOW_NAMES, SEAT_VERBS, SEAT_TILT_VERBS, SEAT_WHERE } from './phrases.ts';
import type { Rng } from './phrases.ts';
import { say } from './phrase_split.ts';
import { sampleZones } from './zone_grammar.ts';

export type Args = Record<string, ArgValue>;
export type Slots = Record<string, string>;

export interface Grammar {
  /** sample arguments; slots carries the words chosen for them (zone phrases are chosen with the zones) */
  sample(rng: Rng): { args: Args; slots: Slots };
  templates: (args: Args) => readonly string[];
  /** templates for a command that leaves the required values out (absent for functions without one) */
  incomplete?: (args: Args) => readonly string[];
}

// ------------------------------------------------------------------ shared pieces

/**
 * Optional zones: present with probability p. The climate commands name zones 60-65% of the time,
 * more than the real training calls do (52%): zone lists are the largest kind of error on real
 * commands, and a model that sees more of them reads them better (bench/RESULTS.md, 2026-12-07, night).
 */
function maybeZones(rng: Rng, p: number): { args: Args; slots: Slots } {
  // no zone named; now and then the place is said anyway ("in the car" is no zone list, "in the whole car" is)
  if (!chance(rng, p)) return { args: {}, slots: { a: chance(rng, 0.15) ? say(rng, ['in the car', 'in the vehicle', 'inside the car', 'in the cabin', 'in here']) : '' } };
  const { zones, phrase } = sampleZones(rng);
  return { args: { area: zones }, slots: { a: phrase } };
}

const UNIT_WORDS: Record<string, readonly string[]> = {
  celsius: ['degrees celsius', 'celsius', '°C', 'degrees C', 'C', 'degrees centigrade', 'centigrade', 'deg C'],
  fahrenheit: ['degrees fahrenheit', 'fahrenheit', '°F', 'degrees F', 'F', 'deg F'],
};

function sayUnit(rng: Rng, unit: string): string {
  return say(rng, UNIT_WORDS[unit]);
}

// ------------------------------------------------------------------ the 18 grammars

/** A change of the fan said as a comparative: "make the air gentler", "i want the blower a bit stronger". */
const FAN_NOUNS = ['fan', 'airflow', 'air', 'fan speed', 'blower', 'ventilation', 'air flow', 'breeze', 'fan setting'];
const FAN_STRONGER = ['stronger', 'faster', 'higher', 'more powerful', 'harder', 'more intense', 'louder', 'heavier'];
const FAN_WEAKER = ['weaker', 'slower', 'lower', 'softer', 'gentler', 'quieter', 'lighter', 'milder', 'less intense', 'calmer'];
const FAN_CHANGES = ['^make the {f} {c} {a}', 'i want the {f} {c} {a}', '^make the {f} a bit {c} {a}', 'the {f} should be {c} {a}', '{f} {c} {a}, please',
  '^can you make the {f} {c} {a}?', '^get the {f} {c} {a}', '^make the {f} a little {c} {a}'];

const LEVELS: Record<string, readonly string[]> = {
  low: ['low', 'low', 'low speed', 'the lowest setting', 'minimum', 'the low setting'],
  medium: ['medium', 'medium', 'medium speed', 'the middle setting', 'moderate', 'mid', 'the medium setting'],
  high: ['high', 'high', 'high speed', 'max', 'maximum', 'full blast', 'the highest setting', 'the high setting'],
};

/** Every function's grammar, by name. */
export const GRAMMARS: Record<string, Grammar> = {
  set_temperature: {
    sample(rng) {
      const whole = chance(rng, 0.7) ? randInt(rng, 16, 30) : randInt(rng, 1, 79);
      const temperature = chance(rng, 0.08) ? whole + 0.5 : whole;
      const z = maybeZones(rng, 0.65);
      const args: Args = { temperature, ...z.args };
      let t = Number.isInteger(temperature) ? sayNumber(rng, temperature) : String(temperature);
      if (chance(rng, 0.35)) {
        args.unit = chance(rng, 0.5) ? 'celsius' : 'fahrenheit';
        const u = sayUnit(rng, args.unit as string);
        t = u.startsWith('°') && chance(rng, 0.5) ? `${t}${u}` : `${t} ${u}`;
      } else if (chance(rng, 0.5)) t = `${t} degrees`;
      return { args, slots: { ...z.slots, t, u: args.unit ? sayUnit(rng, args.unit as string) : '' } };
    },
    templates: () => [
      '^set the temperature to {t} {a}', '^set the temperature {a} to {t}', '^change the temp to {t} {a}', '^make it {t} {a}',
      '^adjust the temperature to {t} {a}', '^put the temperature at {t} {a}', '^bring the temperature to {t} {a}', '^turn the heat to {t} {a}',
      '^set the climate to {t} {a}', '^heat the car to {t} {a}', '^cool the cabin down to {t} {a}', '{a,} ^set the temperature to {t}',
      'i want it {t} {a}', '{t} {a} please', 'temperature {t} {a}', "i'd like the temperature at {t} {a}",
      "it's too cold, ^set it to {t} {a}", "it's too hot, ^set it to {t} {a}", '^warm it up to {t} {a}', '^cool it down to {t} {a}',
      'the temperature {a} should be {t}', '^keep the temperature at {t} {a}', '^change the temperature {a} to {t}', 'set temp {t} {a}',
      'could the temperature {a} be {t}?', '^make the cabin {t} {a}', '^set the thermostat to {t} {a}', '^go to {t} {a}', '{a,} make it {t}',
      '^modify the temperature {a} to {t}', '^alter the temperature to {t} {a}', '^update the temperature to {t} {a}', '^adjust the climate {a} to {t}',
      '^change the climate control to {t} {a}', '^set the air temperature to {t} {a}',
      // "back" that goes back to a setting names no seat: "set the temperature back to 21"
      '^set the temperature back to {t} {a}', '^put the temperature back to {t} {a}', '^turn the heat back to {t} {a}', '^change it back to {t} {a}',
    ],
    incomplete: (args) => args.unit
      // the complete templates' verbs with a unit and no number: "adjust the temperature to 22" is a set, so is "... to celsius"
      ? ['^set the temperature in {u} {a}', '^use {u} for the temperature {a}', '^switch the temperature to {u} {a}', '^set it to {u} {a}',
        '^change the temperature to {u} {a}', '^make it {u} {a}', '^adjust the temperature to {u} {a}', '^put the temperature at {u} {a}',
        '^make the temperature {u} {a}']
      : ['^set the temperature {a}', '^set the temp {a}', '^change the temperature setting {a}', 'i want to set a temperature {a}', '^set a new temperature {a}'],
  },

  adjust_temperature: {
    sample(rng) {
      const action = pick(rng, ['increase', 'decrease']);
      const z = maybeZones(rng, 0.65);
      return { args: { action, ...z.args }, slots: z.slots };
    },
    templates: (args) => args.action === 'increase'
      ? ['^turn up the heat {a}', '^raise the temperature {a}', '^increase the temperature {a}', '^make it warmer {a}', '^warm it up {a}',
        '^heat things up {a}', '^bump up the temperature {a}', '^crank up the heat {a}', '^turn the temperature up {a}', '^make it a bit warmer {a}',
        '^increase the heat {a}', '^warm up the cabin {a}', "it's cold {a}", "i'm freezing {a}", "it's chilly {a}", "it's too cold {a}, ^warm it up",
        '{a,} ^make it warmer', 'warmer {a} please', 'more heat {a}', 'temperature up {a}', '^heat up {a}', '^make it hotter {a}', '^up the temperature {a}',
        "we're cold {a}", '^raise the heat {a}', '^turn up the temperature {a}', '^increase the warmth {a}',
        '^set the temperature higher {a}', '^adjust the temperature upward {a}', '^make the temperature higher {a}', '^increase the climate control {a}',
        '^adjust the temperature to be warmer {a}', '^modify the temperature to increase it {a}', '^adjust the temperature to increase {a}',
        'temperature: increase {a}', '^increase the heat setting {a}', '^turn the heat back up {a}', '^bring the temperature back up {a}']
      : ['^turn down the heat {a}', '^lower the temperature {a}', '^decrease the temperature {a}', '^make it cooler {a}', '^cool it down {a}',
        '^cool things off {a}', '^bring the temperature down {a}', '^turn the temperature down {a}', '^make it a bit cooler {a}', '^reduce the heat {a}',
        '^cool down the cabin {a}', '^make it colder {a}', "it's too hot {a}", "i'm sweating {a}", "it's boiling {a}", "it's too warm {a}, ^cool it down",
        '{a,} ^make it cooler', 'cooler {a} please', 'less heat {a}', 'temperature down {a}', '^chill it {a}', '^reduce the temperature {a}',
        "we're too hot {a}", '^lower the heat {a}', '^turn down the temperature {a}', '^drop the temperature {a}',
        '^set the temperature lower {a}', '^adjust the temperature downward {a}', '^make the temperature lower {a}', '^decrease the climate control {a}',
        '^adjust the temperature to be cooler {a}', '^modify the temperature to decrease it {a}', '^adjust the temperature to decrease {a}',
        'temperature: decrease {a}', '^decrease the heat setting {a}', '^turn the heat back down {a}', '^bring the temperature back down {a}'],
    incomplete: () => ['^adjust the temperature {a}', '^tweak the heat {a}', '^modify the climate {a}', '^change how warm it is {a}', '^adjust the climate {a}'],
  },

  adjust_fan_speed: {
    sample(rng) {
      const speed = pick(rng, ['increase', 'decrease']);
      const z = maybeZones(rng, 0.6);
      // "make the {f} {c}": any word for the fan with any word for the change ("the blower softer")
      return { args: { speed, ...z.args }, slots: { ...z.slots, f: say(rng, FAN_NOUNS), c: say(rng, speed === 'increase' ? FAN_STRONGER : FAN_WEAKER) } };
    },
    templates: (args) => args.speed === 'increase'
      ? ['^turn up the fan {a}', '^increase the fan speed {a}', '^speed up the fan {a}', 'more air {a}', '^boost the airflow {a}', '^raise the fan speed {a}',
        '^make the fan faster {a}', '^blow more air {a}', 'fan up {a}', '^crank up the fan {a}', '^increase the airflow {a}', '^turn the fan up {a}',
        '{a,} ^turn up the fan', '^bump up the fan {a}', 'i need more airflow {a}', 'stronger fan {a} please', '^up the fan speed {a}', '^increase the blower {a}',
        '^make the air stronger {a}', '^ramp up the ventilation {a}', 'the fan is too weak {a}',
        '^set the fan speed higher {a}', '^set the fan to a higher speed {a}', '^adjust the fan speed upward {a}', '^make the fan speed higher {a}',
        'higher fan speed {a}', '^increase the air circulation {a}', '^adjust the airflow to increase {a}', '^adjust the fan speed to increase {a}',
        'fan speed: increase {a}', '^change the fan speed to increase {a}', '^turn the fan back up {a}', ...FAN_CHANGES]
      : ['^turn down the fan {a}', '^decrease the fan speed {a}', '^slow down the fan {a}', 'less air {a}', '^reduce the airflow {a}', '^lower the fan speed {a}',
        '^make the fan slower {a}', 'fan down {a}', 'the fan is too strong {a}, ^turn it down', '^quiet the fan {a}', '^turn the fan down {a}',
        '^ease off the fan {a}', '{a,} ^turn down the fan', '^reduce the fan speed {a}', 'weaker fan {a} please', '^lower the blower {a}',
        '^make the air gentler {a}', '^decrease the airflow {a}', 'the fan is too loud {a}', '^tone down the fan {a}',
        '^set the fan speed lower {a}', '^set the fan to a lower speed {a}', '^adjust the fan speed downward {a}', '^make the fan speed lower {a}',
        'lower fan speed {a}', '^decrease the air circulation {a}', '^adjust the airflow to decrease {a}', '^adjust the fan speed to decrease {a}',
        'fan speed: decrease {a}', '^change the fan speed to decrease {a}', '^turn the fan back down {a}', '^dial the fan back {a}', '^dial back the fan {a}',
        ...FAN_CHANGES],
    incomplete: () => ['^adjust the fan {a}', '^change the fan {a}', '^modify the airflow {a}', '^adjust the fan speed {a}', '^tweak the fan {a}'],
  },

  set_fan_speed: {
    sample(rng) {
      const speed = pick(rng, ['low', 'medium', 'high']);
      const z = maybeZones(rng, 0.6);
      return { args: { speed, ...z.args }, slots: { ...z.slots, l: say(rng, LEVELS[speed]) } };
    },
    templates: (args) => ['^set the fan speed to {l} {a}', '^set the fan to {l} {a}', '^put the fan on {l} {a}', 'fan on {l} {a}', '^switch the blower to {l} {a}',
      '^run the fan at {l} {a}', '^change the fan speed to {l} {a}', '{l} fan {a}', '^make the fan speed {l} {a}', 'can you set the ventilation to {l} {a}?',
      'i want the fan on {l} {a}', '^turn the fan to {l} {a}', 'airflow {l} {a}', '^set the air to {l} {a}', '{a,} ^set the fan to {l}',
      'fan speed {l} {a}', '^put the ventilation on {l} {a}', '^set the blower to {l} {a}', '^switch the fan to {l} {a}',
      '^adjust the fan speed to {l} {a}', '^change the airflow to {l} {a}', '^modify the fan speed {a} to {l}', '^update the fan setting to {l} {a}',
      '^set the air circulation to {l} {a}', '^alter the fan speed to {l} {a}', '^adjust the airflow {a} to {l}', '^set the fan speed {a} to {l}',
      'fan speed: {l} {a}', '^set the fan back to {l} {a}', '^put the fan back on {l} {a}', '^turn the fan back to {l} {a}', '^switch the fan back to {l} {a}',
      ...(args.speed === 'high' ? ['^turn the fan all the way up {a}'] : args.speed === 'low' ? ['^turn the fan all the way down {a}'] : []),
      // a verb of change with a level is still a set: "turn the fan up to high"
      ...(args.speed === 'low' ? [] : ['^increase the fan speed to {l} {a}', '^turn the fan up to {l} {a}', '^raise the fan {a} to {l}']),
      ...(args.speed === 'high' ? [] : ['^reduce the fan speed to {l} {a}', '^turn the fan down to {l} {a}', '^lower the airflow to {l} {a}'])],
    incomplete: () => ['^set the fan speed {a}', '^choose a fan level {a}', '^pick a fan setting {a}', '^set the fan level {a}', '^select a fan speed {a}'],
  },

  adjust_seat: {
    sample(rng) {
      const position = pick(rng, ['forward', 'backward', 'up', 'down', 'tilt-forward', 'tilt-backward']);
      // v and d: a verb and where to, for the template '^{v} {s} {d}' ("slide my seat closer to the wheel")
      const move = { v: say(rng, position.startsWith('tilt') ? SEAT_TILT_VERBS : SEAT_VERBS), d: say(rng, SEAT_WHERE[position]) };
      if (chance(rng, 0.5)) {
        const seat = pick(rng, SEATS);
        return { args: { position, seat_type: seat }, slots: { ...move, s: `the ${say(rng, SEAT_NAMES[seat])}` } };
      }
      return { args: { position } as Args, slots: { ...move, s: say(rng, ['the seat', 'my seat', 'the seat', 'this seat']) } };
    },
    // a verb, the seat and where to, from lists of their own (a third of the time), or a whole template
    templates: (args) => Array<string>(6).fill('^{v} {s} {d}').concat(({
      'forward': ['^move {s} forward', '^slide {s} forward', '^push {s} forward', '^bring {s} forward', '{s} forward', '^move {s} up front', '^shift {s} forward'],
      'backward': ['^move {s} back', '^move {s} backward', '^slide {s} back', '^push {s} back', '{s} back a bit', '^shift {s} backward', '^move {s} backwards'],
      'up': ['^raise {s}', '^move {s} up', '^lift {s}', '{s} up', '^make {s} higher', '^bring {s} up', '^raise {s} a little'],
      'down': ['^lower {s}', '^move {s} down', '^drop {s}', '{s} down', '^make {s} lower', '^bring {s} down', '^lower {s} a little'],
      'tilt-forward': ['^tilt {s} forward', '^tilt the backrest of {s} forward', '^bring the backrest of {s} upright', '^lean {s} forward', '^tilt {s} forwards'],
      'tilt-backward': ['^tilt {s} back', '^recline {s}', '^lean {s} back', '^tilt the backrest of {s} backward', '^tilt {s} backward', '^recline {s} a bit'],
    } as Record<string, string[]>)[args.position as string].concat(({
      'forward': ['^adjust {s} forward', '^move {s} toward the front', '^slide {s} closer to the wheel', '^adjust {s} to move forward'],
      'backward': ['^adjust {s} backward', '^move {s} toward the back', '^give me more legroom by moving {s} back', '^adjust {s} to move back'],
      'up': ['^adjust {s} upward', '^raise the height of {s}', '^move {s} higher', '^adjust {s} to go up', '^shift {s} upward'],
      'down': ['^adjust {s} downward', '^lower the height of {s}', '^move {s} lower', '^adjust {s} to go down', '^shift {s} downward'],
      'tilt-forward': ['^adjust {s} to tilt forward', '^tilt the back of {s} forward', '^make {s} more upright', '^incline {s} forward'],
      'tilt-backward': ['^adjust {s} to tilt backward', '^tilt the back of {s} backward', '^lean the backrest of {s} back', '^incline {s} backward'],
    } as Record<string, string[]>)[args.position as string])),
    // "set" with a seat and no direction is a seat with no position yet, not a temperature
    incomplete: () => ['^adjust {s}', '^move {s}', '^reposition {s}', '^change the position of {s}', '^adjust the position of {s}',
      '^set the position of {s}', '^set a new position for {s}', '^move {s} to a new position', '^change the placement of {s}', '^set {s} where it is comfortable'],
  },

  control_window: {
    sample(rng) {
      const windowPosition = pick(rng, ['open', 'close']);
      if (chance(rng, 0.55)) {
        const loc = pick(rng, SEATS);
        return { args: { window_position: windowPosition, window_location: loc }, slots: { w: `the ${say(rng, WINDOW_NAMES[loc])}` } };
      }
      return { args: { window_position: windowPosition } as Args, slots: { w: say(rng, ['the windows', 'all the windows', 'the window', 'all windows']) } };
    },
    templates: (args) => args.window_position === 'open'
      ? ['^open {w}', '^roll down {w}', '^lower {w}', '^crack {w} open', '^put {w} down', '^open up {w}', '{w} down', '^let some air in through {w}',
        '^slide {w} open', '^wind down {w}', '^bring {w} down']
      : ['^close {w}', '^roll up {w}', '^raise {w}', '^shut {w}', '^put {w} up', '{w} up', '^close up {w}', '^seal {w}', '^wind up {w}', '^bring {w} up',
        '^slide {w} shut'],
    incomplete: () => ['^operate {w}', '^control {w}', '^adjust {w}', '^do something with {w}', '^change {w}'],
  },

  adjust_wiper_speed: {
    sample(rng) {
      return { args: { speed: pick(rng, ['increase', 'decrease']) }, slots: {} };
    },
    templates: (args) => args.speed === 'increase'
      ? ['^speed up the wipers', '^make the wipers faster', '^increase the wiper speed', 'wipers faster', '^turn up the wipers', 'faster wipers',
        '^raise the wiper speed', 'the wipers are too slow', '^bump up the wipers', '^increase the wipers', '^increase the speed of the wipers',
        '^increase the windshield wiper speed', '^make the windshield wipers go faster', '^speed up the front wipers', '^adjust the wipers to a faster speed',
        '^turn up the windshield wipers', '^set the wipers faster']
      : ['^slow down the wipers', '^make the wipers slower', '^decrease the wiper speed', 'wipers slower', '^turn down the wipers', 'slower wipers',
        '^reduce the wiper speed', 'the wipers are too fast', '^lower the wiper speed', '^decrease the wipers', '^decrease the speed of the wipers',
        '^decrease the windshield wiper speed', '^make the windshield wipers go slower', '^slow the front wipers', '^adjust the wipers to a slower speed',
        '^turn down the windshield wipers', '^set the wipers slower'],
    incomplete: () => ['^adjust the wipers', '^change the wiper speed', '^modify the wipers', '^adjust the wiper speed', '^tweak the wipers'],
  },

  set_wiper_speed: {
    sample(rng) {
      const speed = pick(rng, ['high', 'medium', 'low']);
      const words: Record<string, readonly string[]> = {
        high: ['high', 'high', 'max', 'the highest speed', 'full speed', 'high speed', 'the high setting'],
        medium: ['medium', 'medium', 'the middle speed', 'moderate', 'medium speed', 'the medium setting'],
        low: ['low', 'low', 'the lowest speed', 'minimum', 'low speed', 'the low setting'],
      };
      return { args: { speed }, slots: { l: say(rng, words[speed]) } };
    },
    templates: (args) => ['^set the wipers to {l}', 'wipers on {l}', '^put the wipers on {l}', '{l} wiper speed', '^run the wipers at {l}', '^change the wiper speed to {l}',
      'wiper speed {l}', '^set the wiper speed to {l}', '^switch the wipers to {l}', 'i want the wipers on {l}', '^set the windshield wipers to {l}',
      '^turn the wipers on {l}', '^activate the wipers at {l}', '^activate the windshield wipers on {l}', '^switch the front wipers to {l}',
      '^start the wipers on {l}', '^turn on the windshield wipers at {l}',
      ...(args.speed === 'low' ? [] : ['^increase the wipers to {l}']), ...(args.speed === 'high' ? [] : ['^lower the wipers to {l}'])],
    incomplete: () => ['^set the wiper speed', '^pick a wiper setting', '^choose a wiper level', '^set the wipers', '^select a wiper speed'],
  },

  activate_defroster: {
    sample(rng) {
      const args: Args = {};
      const slots: Slots = { z: '', d: '' };
      if (chance(rng, 0.6)) {
        const zone = pick(rng, ['front', 'rear', 'all']);
        args.defroster_zone = zone;
        slots.z = say(rng, ({
          front: ['the windshield', 'the front', 'the front window', 'the front windshield'],
          rear: ['the rear window', 'the back window', 'the rear', 'the back glass'],
          all: ['all windows', 'everything', 'all the windows', 'front and rear'],
        } as Record<string, string[]>)[zone]);
      }
      if (chance(rng, 0.5)) {
        args.duration_minutes = randInt(rng, 1, 30);
        slots.d = `for ${sayNumber(rng, args.duration_minutes as number)} ${say(rng, ['minutes', 'min', 'mins', 'minutes'])}`;
      }
      return { args, slots };
    },
    templates: (args) => args.defroster_zone
      ? ['^defrost {z} {d}', '^start defrosting {z} {d}', '^clear the fog on {z} {d}', '^defog {z} {d}', '^turn on the defroster for {z} {d}', '^activate the defroster on {z} {d}',
        '^run the defroster on {z} {d}', '{z} needs defrosting {d}', '^melt the ice on {z} {d}']
      : ['^turn on the defroster {d}', '^activate the defroster {d}', 'defroster on {d}', '^start the defroster {d}', "i can't see, ^defrost {d}", '^run the defrost {d}',
        '^switch on the defroster {d}', '^defrost {d}'],
  },

  start_engine: {
    sample(rng) {
      return chance(rng, 0.45) ? { args: { method: pick(rng, ['remote', 'keyless', 'keyed']) } as Args, slots: {} } : { args: {} as Args, slots: {} };
    },
    templates: (args) => ({
      none: ['^start the engine', '^start the car', '^turn on the engine', '^fire up the engine', '^get the engine running', '^crank the engine', '^start her up',
        'ignition on', "^let's start the car", '^turn the car on', '^start the vehicle', '^power on the car', '^ignite the engine', '^get the car going'],
      remote: ['^start the engine remotely', '^remote start the car', '^use remote start', '^start the car from here', '^start the engine with the remote',
        '^start the vehicle remotely', '^start the engine using the remote starter', '^use the remote to start the engine', '^start the car via remote'],
      keyless: ['^start the engine keyless', '^use keyless start', '^start the car without the key', '^start the engine with the push button', '^do a keyless start',
        '^start the vehicle using keyless ignition', '^use push-button start', '^start the engine with keyless entry', '^start the car keylessly'],
      keyed: ['^start the engine with the key', '^use the key to start the car', '^do a key start', '^start the car with my key', '^start it with the key',
        '^start the vehicle with the ignition key', '^use the physical key to start the engine', '^turn the key to start the car', '^start the engine using a key'],
    } as Record<string, string[]>)[(args.method as string | undefined) ?? 'none'],
  },

  lock_doors: {
    sample(rng) {
      return { args: { lock_state: pick(rng, ['lock', 'unlock']) }, slots: {} };
    },
    templates: (args) => args.lock_state === 'lock'
      ? ['^lock the doors', '^lock the car', '^lock up', '^lock all doors', '^secure the doors', 'doors locked', '^lock all the doors', '^make sure the doors are locked',
        '^lock the vehicle', '^engage the door locks', '^lock every door', '^activate the door locks', '^secure the car', '^lock the car doors']
      : ['^unlock the doors', '^unlock the car', '^open the locks', '^unlock all doors', '^let me in', '^release the door locks', '^unlock all the doors', 'doors unlocked',
        '^unlock the vehicle', '^disengage the door locks', '^unlock every door', '^deactivate the door locks', '^unlock the car doors', '^unlock the doors for me'],
    incomplete: () => ['^do something with the door locks', '^change the lock state', '^operate the door locks', '^toggle the locks'],
  },

  play_music: {
    sample(rng) {
      const args: Args = {};
      const slots: Slots = { v: '', k: '' };
      if (chance(rng, 0.6)) {
        // the call keeps the title as said (capitals too): copying is easier to learn than copying and lowercasing
        const track = sampleTrack(rng);
        args.track = chance(rng, 0.45) ? titleCase(track) : track;
        slots.k = chance(rng, 0.3) ? `"${args.track}"` : (args.track as string);
      }
      if (chance(rng, 0.5)) {
        args.volume = randInt(rng, 1, 10);
        slots.v = `${say(rng, ['at volume', 'with volume', 'at volume level', 'volume', 'at level', 'with the volume at', 'at a volume of', 'with volume set to', 'and set the volume to',
          'and turn the volume to', 'with the sound at', 'volume at'])} ${sayNumber(rng, args.volume as number)}`;
      }
      return { args, slots };
    },
    templates: (args) => args.track
      ? ['^play {k} {v}', '^put on {k} {v}', 'i want to hear {k} {v}', '^play the song {k} {v}', '^queue up {k} {v}', '^start playing {k} {v}',
        '{v,} ^play {k}', '^play {k} for me {v}', 'music: {k} {v}', '^play the track {k} {v}', '^play the song titled {k} {v}', '^put on the song {k} {v}',
        '^start the song {k} {v}', "i'd like to listen to {k} {v}"]
      : ['^play some music {v}', '^play music {v}', '^turn on the music {v}', '^put some music on {v}', '^start the music {v}', 'i want some music {v}',
        '^play something {v}', 'music {v} please'],
  },

  toggle_headlights: {
    sample(rng) {
      return { args: { light_state: pick(rng, ['on', 'off']) }, slots: {} };
    },
    templates: (args) => args.light_state === 'on'
      ? ['^turn on the headlights', 'headlights on', '^switch on the headlights', 'lights on', '^turn the headlights on', '^put the headlights on', 'i need the headlights',
        "it's dark, ^turn on the lights", '^switch the lights on', '^activate the headlights', '^turn on the headlamps', '^switch the headlights on',
        '^turn the car lights on', '^turn on the front lights', '^put the lights on']
      : ['^turn off the headlights', 'headlights off', '^switch off the headlights', 'lights off', '^kill the headlights', '^turn the headlights off',
        '^switch the lights off', '^shut off the headlights', '^deactivate the headlights', '^turn off the headlamps', '^switch the headlights off',
        '^turn the car lights off', '^turn off the front lights', '^put the lights off'],
    incomplete: () => ['^toggle the headlights', '^do something with the headlights', '^switch the headlights', '^flip the headlights'],
  },

  set_navigation_destination: {
    sample(rng) {
      const place = samplePlace(rng);
      const destination = chance(rng, 0.45) ? titleCase(place) : place; // kept as said, as the track is
      return { args: { destination }, slots: { p: destination } };
    },
    templates: () => ['^navigate to {p}', '^take me to {p}', 'directions to {p}', '^set the destination to {p}', 'how do i get to {p}?', '^drive me to {p}',
      'route to {p}', "let's go to {p}", '^find the way to {p}', '^set navigation to {p}', 'i need to get to {p}', '^go to {p}', '^plot a course to {p}',
      '^guide me to {p}', 'navigate {p}', '^get me to {p}', '^set the navigation destination to {p}', '^set the gps to {p}', '^navigate me to {p}',
      '^start navigation to {p}', '^find a route to {p}', '^program the navigation for {p}', 'i want to go to {p}'],
    incomplete: () => ['^start navigation', '^set a destination', 'i need directions', '^open the navigation', '^start the navigation system'],
  },

  control_ambient_lighting: {
    sample(rng) {
      const color = pick(rng, ['warm', 'red', 'blue', 'dark', 'white']);
      const args: Args = { color };
      const slots: Slots = { i: '' };
      if (chance(rng, 0.55)) {
        args.intensity = randInt(rng, 1, 10);
        slots.i = `${say(rng, ['with intensity', 'at level', 'at brightness', 'intensity', 'at', 'at intensity', 'with an intensity of', 'at an intensity of',
          'at brightness level', 'with brightness', 'at a level of', 'intensity level'])} ${sayNumber(rng, args.intensity as number)}`;
      }
      return { args, slots: { ...slots, c: color } };
    },
    templates: () => ['^set the ambient lighting to {c} {i}', '^make the cabin lights {c} {i}', '^change the interior light color to {c} {i}', '{c} ambient light {i}',
      '^switch the mood lighting to {c} {i}', 'i want {c} lighting {i}', '^turn the ambient lights {c} {i}', '^set the interior lights to {c} {i}',
      '^make the ambient light {c} {i}', 'ambient lighting {c} {i}', '^set the ambient lighting color to {c} {i}', '^adjust the ambient lighting to {c} {i}',
      '^switch the interior ambient lights to {c} {i}', "i'd like {c} ambient lighting {i}", '^change the cabin lighting to {c} {i}', '^set the mood lighting to {c} {i}'],
    incomplete: (args) => ['^change the ambient lighting {i}', '^set the mood lights {i}', '^adjust the cabin light color {i}', '^change the interior lighting {i}']
      .map((t) => (args.intensity ? t : t.replace(' {i}', ''))),
  },

  set_cruise_control: {
    sample(rng) {
      const speed = randInt(rng, 10, 150);
      const n = sayNumber(rng, speed);
      return { args: { speed }, slots: { s: chance(rng, 0.5) ? n : `${n} ${say(rng, ['km/h', 'kilometers per hour', 'kph', 'km per hour', 'kmh'])}` } };
    },
    templates: () => ['^set cruise control to {s}', 'cruise at {s}', '^set the cruise speed to {s}', '^keep the speed at {s}', 'cruise control {s}', '^hold {s}',
      '^activate cruise control at {s}', '^turn on cruise control at {s}', '^maintain {s}', '^set the cruise control at {s}', 'cruise control at {s} please'],
    incomplete: () => ['^turn on cruise control', '^set cruise control', '^activate cruise control', '^use cruise control', '^adjust the cruise speed'],
  },

  check_battery_health: {
    sample(rng) {
      return chance(rng, 0.4) ? { args: { include_history: chance(rng, 0.5) } as Args, slots: {} } : { args: {} as Args, slots: {} };
    },
    templates: (args) => args.include_history === undefined
      ? ['^check the battery', 'how is the battery?', 'battery health', '^check the battery health', "what's the battery status?", 'is the battery ok?', '^run a battery check',
        '^show me the battery health', '^check the battery status', '^run a battery health check', '^give me a battery health report', '^check the health of the battery',
        '^check the car battery']
      : args.include_history
        ? ['^check the battery health with history', '^show me the battery history', 'battery health including history', '^check the battery and include the history',
          "^give me the battery's health history", '^check the battery health and include historical data', '^show the battery health along with its history',
          '^run a battery health check including past data', '^check the battery, including history']
        : ['^check the battery health without history', 'battery status, no history', 'just the current battery health, no history', '^check the battery but skip the history',
          '^check the battery health, no history needed', '^run a battery check without the history', '^check the battery health excluding history',
          "^check the battery health but don't include the history"],
  },

  toggle_sport_mode: {
    sample(rng) {
      return { args: { action: pick(rng, ['activate', 'deactivate']) }, slots: {} };
    },
    templates: (args) => args.action === 'activate'
      ? ['^turn on sport mode', '^activate sport mode', '^enable sport mode', '^switch to sport mode', 'sport mode on', '^go into sport mode', "let's go sporty", '^engage sport mode']
      : ['^turn off sport mode', '^deactivate sport mode', '^disable sport mode', '^exit sport mode', 'sport mode off', '^go back to normal mode', '^leave sport mode', '^switch off sport mode'],
    incomplete: () => ['^toggle sport mode', '^change the sport mode', '^do something with sport mode', '^switch sport mode'],
  },
};

function titleCase(s: string): string {
  return s.replace(/(^|\s)[a-z]/g, (c) => c.toUpperCase()); // "don't stop" -> "Don't Stop"
}
