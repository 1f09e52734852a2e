import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateRecords, COPY_FUNCTIONS } from './generator.ts';
import { parseFunctionCall, userText } from './format.ts';
import { FUNCTIONS, validateCall, INCOMPLETE_PREFIX, ZONES } from './vehicle_api.ts';
import { SEAT_WHERE, SEAT_TILT_VERBS } from './phrases.ts';

const records = generateRecords(6000, 'test');
/** Each record's call and command, parsed once for the tests that read both. */
const pairs = records.map((r) => [parseFunctionCall(r.assistant)!, userText(r)] as const);
/**
 * More of them, for the tests of rare commands (a seat's tilt is 0.4% of commands, a unit without a
 * number 0.3%): enough to hear every rare word whatever the draws before it.
 */
const manyPairs = generateRecords(30000, 'many').map((r) => [parseFunctionCall(r.assistant)!, userText(r)] as const);

test('the same seed gives the same records; another seed different ones', () => {
  assert.equal(generateRecords(50, 'test'), records.slice(0, 50));
  assert.not.equal(generateRecords(50, 'other'), records.slice(0, 50));
});

test('every generated call parses back and is valid against the schema', () => {
  for (const r of records) {
    const call = parseFunctionCall(r.assistant);
    assert.ok(call !== null, r.assistant);
    assert.equal(validateCall(call!), [], `${userText(r)} -> ${JSON.stringify(call)}`);
  }
});

test('all 18 functions, incomplete commands, zone lists and varied phrasings appear', () => {
  const calls = records.map((r) => parseFunctionCall(r.assistant)!);
  const names = new Set(calls.map((c) => c.name.replace(INCOMPLETE_PREFIX, '')));
  assert.equal([...names].sort(), FUNCTIONS.map((f) => f.name).sort());
  const incomplete = calls.filter((c) => c.name.startsWith(INCOMPLETE_PREFIX));
  assert.ok(incomplete.length > 100 && incomplete.length < 600, `${incomplete.length} incomplete`);
  assert.ok(incomplete.every((c) => Object.values(c.arguments).includes('')));
  assert.ok(calls.some((c) => Array.isArray(c.arguments.area) && c.arguments.area.length === 4));
  const users = records.map(userText);
  assert.ok(new Set(users).size > 0.8 * users.length, 'mostly distinct commands');
  assert.ok(users.some((u) => /twenty|thirty|forty/.test(u)), 'numbers as words');
  assert.ok(users.some((u) => /\?$/.test(u)), 'questions');
});

test('a change of the fan said as a comparative: softer and gentler lower it, stronger raises it', () => {
  const fanChanges = pairs.filter(([call]) => call.name === 'adjust_fan_speed');
  const said = (speed: string) => fanChanges.filter(([call]) => call.arguments.speed === speed).map(([, user]) => user);
  const fan = '\\b(fan|blower|breeze|ventilation|airflow|air flow|fan speed|fan setting) (a bit |a little |should be )?';
  assert.ok(said('decrease').some((u) => new RegExp(`${fan}(softer|gentler|quieter|milder|calmer)\\b`, 'i').test(u)), 'a gentler fan');
  assert.ok(said('increase').some((u) => new RegExp(`${fan}(stronger|harder|more powerful|more intense)\\b`, 'i').test(u)), 'a stronger fan');
  assert.not.ok(said('increase').some((u) => /\b(softer|gentler|quieter|milder|calmer|weaker)\b/i.test(u)), 'never a gentler fan for more air');
});

test('a seat move as a verb, the seat and where to: every way of saying where is heard, and means one position only', () => {
  // "slide my seat closer to the steering wheel", "set the passenger seat to tilt forward"
  const moves = manyPairs.filter(([call]) => call.name === 'adjust_seat').map(([call, user]) => [call, user.toLowerCase()] as const);
  const where = Object.entries(SEAT_WHERE);
  for (const [position, phrases] of where) {
    const said = moves.filter(([call]) => call.arguments.position === position).map(([, user]) => user);
    const heard = phrases.filter((w) => said.some((u) => u.includes(` ${w}`)));
    assert.ok(heard.length >= phrases.length / 2, `${position}: only ${heard.join(', ')}`);
    // no phrase for where a seat goes is also another position's
    for (const [other, others] of where) if (other !== position) for (const w of phrases) assert.not.ok(others.includes(w), `${w}: ${position} and ${other}`);
  }
  // a tilt is said with a verb that can tilt: never "scoot the seat to recline"
  const tilts = moves.filter(([call]) => String(call.arguments.position).startsWith('tilt')).map(([, user]) => user);
  // (the verb of the seat's own clause: "once we get back, i'd like to recline my seat" is a tilt)
  assert.not.ok(tilts.some((u) => /\b(scoot|nudge|slide|push|get) (my|the) [^,.]*\b(to tilt|to recline|upright|reclined)\b/.test(u)), 'a slide verb before a tilt');
  assert.ok(SEAT_TILT_VERBS.every((v) => tilts.some((u) => u.includes(`${v} `))), 'every tilt verb heard');
});

test('"back", "whole" and "all" that name no seat: "set the fan back to low" has no zone list', () => {
  // A model that met "back" only as the back row read "turn the heat back up" as the rear seats.
  const climate = /^(set|adjust)_(temperature|fan_speed)$/;
  const zoneless = pairs.filter(([call]) => climate.test(call.name) && call.arguments.area === undefined).map(([call, user]) => [call, user.toLowerCase()] as const);
  const says = (re: RegExp) => zoneless.filter(([, user]) => re.test(user)).length;
  assert.ok(says(/\bback (to|on|up|down)\b/) > 20, 'a setting gone back to');
  assert.ok(says(/\b(on the way back|head back|get back|whole ride|all the way)\b/) > 5, 'an aside with a zone word');
});

test('"adjust the temperature to" sets it, with a number or with a unit alone ("adjust the temperature to degrees Celsius")', () => {
  // the real incomplete commands say it so; a model that met "adjust the temperature" only as a change read them as one
  const said = manyPairs.filter(([, user]) => /\badjust the temperature to (\d|degrees|celsius|fahrenheit|°|deg\b)/i.test(user));
  assert.ok(said.length > 20, `${said.length}`);
  for (const [call, user] of said) assert.ok(call.name.endsWith('set_temperature'), `${user} -> ${call.name}`);
  assert.ok(said.some(([call]) => call.name === `${INCOMPLETE_PREFIX}set_temperature` && call.arguments.unit !== undefined), 'a unit without a number');
});

test('numbers in a command are the ones in its call', () => {
  for (const r of records.slice(0, 2000)) {
    const call = parseFunctionCall(r.assistant)!;
    const t = call.arguments.temperature;
    if (call.name === 'set_temperature' && typeof t === 'number' && /\d/.test(userText(r))) assert.ok(userText(r).includes(String(t)), userText(r));
  }
});

test('zone lists: no zone twice, pairs said as one piece among single zones, every size', () => {
  const lists = records.map((r) => [userText(r), parseFunctionCall(r.assistant)!.arguments.area] as const).filter(([, a]) => Array.isArray(a)) as Array<[string, string[]]>;
  for (const [u, a] of lists) assert.is(new Set(a).size, a.length, u);
  // in the API's order whatever order they were said in: "rear left and the driver" -> [driver, rear-left]
  for (const [u, a] of lists) assert.equal(a, ZONES.filter((z) => a.includes(z)), u);
  assert.ok(lists.some(([u, a]) => a[0] === 'driver' && a.length > 1 && u.indexOf('driver') > u.search(/rear|back|passenger/)), 'said in another order');
  for (const n of [1, 2, 3, 4]) assert.ok(lists.filter(([, a]) => a.length === n).length > 100, `lists of ${n}`);
  // "the driver and both rear seats": three zones, one of them named by a pair phrase
  assert.ok(lists.some(([u, a]) => a.length === 3 && /(rear|back) seats|both rear|rear left and right/.test(u)), 'a pair inside a longer list');
  // "front passenger, rear left and driver areas": bare names closed by one noun
  assert.ok(lists.some(([u, a]) => a.length >= 3 && /(areas|zones|sections)\b/.test(u)), 'bare names with one noun');
});

test('"for me" is politeness, never a zone: a call names the driver only where the command does', () => {
  // every other way the generator names the driver, typos included ("dirver", "my seaat")
  const driverWords = /driv|dirv|drvi|drier|drver|drivr|my s[a-z]{2,4}\b|myself|where I sit|left front|front left|the front|front (seats|row|zones|areas?|passengers|sections|sides|positions|seat areas)|up front|two front|(next to|beside) the (front )?passenger|all|every|each|whole|entire|both|around|cabin|throughout|front and/i;
  // the words for the whole car with the generator's one typo (addTypo: swap, drop or double a
  // letter, never the first): "for evey seat in the car for me", "for evreyone" (a word's start)
  const wholeCarTypos = new RegExp(`\\b(${['every', 'each', 'whole', 'entire', 'both', 'around', 'cabin', 'throughout'].flatMap(oneTypo).join('|')})`, 'i');
  // in a list the speaker is a seat ("for me and my passenger", "for me, the back seats"; a typo
  // never touches "and", "my" or a first letter): the "for me" of politeness ends the request
  const forMe = records.filter((r) => /\bfor me\b/.test(userText(r)) && !/\bme(,| and| as well as)|(\band|,|as well as) me\b/.test(userText(r)));
  assert.ok(forMe.length > 50, 'commands that say "for me"');
  for (const r of forMe) {
    const area = parseFunctionCall(r.assistant)!.arguments.area;
    if (Array.isArray(area) && area.includes('driver')) assert.ok(driverWords.test(userText(r)) || wholeCarTypos.test(userText(r)), userText(r));
  }
});

/** Every spelling of w that addTypo can make. */
function oneTypo(w: string): string[] {
  const out: string[] = [];
  for (let p = 1; p <= w.length - 2; p++) {
    out.push(w.slice(0, p) + w[p + 1] + w[p] + w.slice(p + 2), w.slice(0, p) + w.slice(p + 1), w.slice(0, p) + w[p] + w.slice(p));
  }
  return out;
}

test('apostrophes: now and then typed as ’, never inside a copied value', () => {
  const users = records.map(userText);
  const curly = users.filter((u) => u.includes('’'));
  const straight = users.filter((u) => u.includes("'"));
  assert.ok(curly.length > 10 && curly.length < straight.length, `${curly.length} with ’, ${straight.length} with '`);
  for (const u of curly) assert.not.ok(u.includes("'"), `one command, one kind of apostrophe: ${u}`);
  for (const r of records) {
    const c = parseFunctionCall(r.assistant)!;
    const v = c.arguments.destination ?? c.arguments.track;
    if (typeof v === 'string') assert.not.ok(v.includes('’'), v);
  }
});

test('destinations and track titles are in the call exactly as said (capitals too, never a typo), so they can be copied', () => {
  const copied = records.map((r) => [userText(r), parseFunctionCall(r.assistant)!] as const)
    .map(([u, c]) => [u, c.arguments.destination ?? c.arguments.track] as const).filter(([, v]) => typeof v === 'string' && v !== '') as Array<[string, string]>;
  assert.ok(copied.length > 150, `${copied.length} values to copy`);
  // verbatim, except that a command starting with the value has its first letter upper-cased
  for (const [u, v] of copied) assert.ok(u.includes(v) || u.startsWith(v.charAt(0).toUpperCase() + v.slice(1)), `"${v}" is not in "${u}"`);
  assert.ok(copied.some(([, v]) => /[A-Z]/.test(v)), 'some said in title case');
  // words after the value teach where a copy ends: "play Blue Sky at volume 4", "... Oak Street when you get a chance"
  const after = copied.map(([u, v]) => u.slice(u.indexOf(v) + v.length)).filter((rest) => /^,? [a-z]/i.test(rest));
  assert.ok(after.some((rest) => /^,? (please|now|thanks|thank you)\b/.test(rest)), 'a closer after the value');
  assert.ok(after.some((rest) => /^,? (at|with) (the )?volume/.test(rest)), 'a volume after the title');
  assert.ok(after.some((rest) => /^,? (when you|if you|before i|on the way|no rush|for now)/.test(rest)), 'an aside after the value');
});

test('names to copy are made of any words: little words, possessives and several words inside them', () => {
  // where a copy ends must be read from the words around it, not from what the name's words are
  const text = (v: unknown): v is string => typeof v === 'string' && v !== '';
  const args = records.map((r) => parseFunctionCall(r.assistant)!.arguments);
  const places = args.map((a) => a.destination).filter(text).map((v) => v.toLowerCase());
  const values = [...places, ...args.map((a) => a.track).filter(text).map((v) => v.toLowerCase())];
  assert.ok(values.some((v) => /\w (to|of|with|on|at|in) (the )?\w/.test(v)), 'a little word inside a name: "born to run"');
  assert.ok(values.some((v) => /\w'\w/.test(v)), 'an apostrophe inside a name: "joe\'s pizza"');
  assert.ok(places.some((v) => /\b(street|avenue|road) [a-z]/.test(v)), 'a place after a street: "oak street cafe"');
  assert.ok(values.some((v) => v.split(' ').length >= 4), 'names of four words or more');
});

test('copyBoost asks more often for the functions whose values are copied word by word', () => {
  const share = (recs: typeof records) => recs.filter((r) => COPY_FUNCTIONS.includes(parseFunctionCall(r.assistant)!.name.replace(INCOMPLETE_PREFIX, ''))).length / recs.length;
  const usual = share(records);
  const boosted = share(generateRecords(6000, 'test', { copyBoost: 4 }));
  assert.ok(usual > 0.04 && usual < 0.09, `usual share ${usual}`);
  assert.ok(boosted > 3 * usual, `boosted share ${boosted} vs ${usual}`);
  assert.throws(() => generateRecords(10, 'test', { copyBoost: -1 }), /copyBoost/);
});

test('validateCall catches unknown functions, missing or out-of-range values', () => {
  assert.equal(validateCall({ name: 'fly', arguments: {} }), ["unknown function 'fly'"]);
  assert.equal(validateCall({ name: 'set_temperature', arguments: {} }), ["set_temperature: missing required 'temperature'"]);
  assert.equal(validateCall({ name: 'set_temperature', arguments: { temperature: 99 } }), ['set_temperature.temperature = 99 is outside [1, 80]']);
  assert.equal(validateCall({ name: 'set_fan_speed', arguments: { speed: 'turbo' } }), ["set_fan_speed.speed = 'turbo' is not one of low, medium, high"]);
  assert.equal(validateCall({ name: 'set_fan_speed', arguments: { speed: 'low', area: ['roof'] } }), ["set_fan_speed.area: unknown zone 'roof'"]);
  assert.equal(validateCall({ name: 'possibly_incomplete_set_fan_speed', arguments: { speed: 'low' } }), ['possibly_incomplete_set_fan_speed: an incomplete call must leave a required value \'\'']);
});

test.run();
