import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import { SPECIAL_MARK, isCallPrefix, markSpecials, openFreeText } from './call_grammar.ts';
import { ASSISTANT_HEADER, answerText, parseFunctionCall } from './format.ts';
import { generateRecords } from './generator.ts';
import { validateCall } from './vehicle_api.ts';
import type { FunctionCall } from './vehicle_api.ts';

const answer = (call: FunctionCall) => markSpecials(answerText(call));
const every = (text: string, opts = {}) => Array.from({ length: text.length + 1 }, (_, i) => i).every((i) => isCallPrefix(text.slice(0, i), opts));

test('every prefix of every generated answer is accepted, complete and incomplete calls alike', () => {
  const records = generateRecords(1500, 'grammar', { incompleteRate: 0.2, copyBoost: 2 });
  for (const r of records) {
    const text = markSpecials(r.assistant.slice(ASSISTANT_HEADER.length));
    assert.ok(every(text), text);
  }
});

test('answers the schema forbids are rejected', () => {
  const bad: string[] = [
    answer({ name: 'set_temprature', arguments: { temperature: 21 } }), // unknown function
    answer({ name: 'set_fan_speed', arguments: { speed: 'high', area: ['driver-left'] } }), // unknown zone
    answer({ name: 'set_fan_speed', arguments: { speed: 'high', area: ['driver', 'driver'] } }), // a zone twice
    answer({ name: 'set_fan_speed', arguments: { speed: 'fast' } }), // not in the enum
    answer({ name: 'set_temperature', arguments: { temperature: 99 } }), // above max
    answer({ name: 'set_cruise_control', arguments: { speed: 5 } }), // below min
    answer({ name: 'play_music', arguments: { volume: 2.5 } }), // an integer parameter
    answer({ name: 'set_temperature', arguments: { unit: 'celsius' } }), // required temperature missing
    answer({ name: 'set_wiper_speed', arguments: { speed: 'high', mode: 'x' } }), // no such parameter
    answer({ name: 'possibly_incomplete_set_wiper_speed', arguments: { speed: 'high' } }), // incomplete, nothing left blank
    answer({ name: 'play_music', arguments: { track: '' } }), // empty free text in a complete call
    answer({ name: 'check_battery_health', arguments: { include_history: true } }) + 'x', // text after the end
    answerText({ name: 'lock_doors', arguments: { lock_state: 'lock' } }), // special tokens spelled out, not marked
  ];
  for (const text of bad) assert.not.ok(isCallPrefix(text), text);
  const repeated = markSpecials(`<functioncall> {"name": "lock_doors", "arguments": "{'lock_state': 'lock', 'lock_state'`);
  assert.not.ok(isCallPrefix(repeated));
  // the valid twins of some of them
  assert.ok(every(answer({ name: 'set_fan_speed', arguments: { speed: 'high', area: ['driver', 'rear-left'] } })));
  assert.ok(every(answer({ name: 'possibly_incomplete_set_temperature', arguments: { temperature: '', area: ['driver'] } })));
  assert.ok(every(answer({ name: 'play_music', arguments: { track: "don't stop", volume: 10 } }))); // "..." because of the apostrophe
  assert.ok(every(answer({ name: 'set_temperature', arguments: { temperature: 21.5 } })));
});

const unmark = (text: string) => Object.entries(SPECIAL_MARK).reduce((t, [s, mark]) => t.split(mark).join(s), text);

/** Characters a walk may choose from: printable ASCII and the special tokens' marks. */
const WALKS = Number(process.env.GRAMMAR_WALKS ?? 60);
const ALPHABET = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), ...markSpecials('<functioncall><|im_end|><|endoftext|><|pad|>')];

/** Grow a text one random allowed character at a time; fails if it ever gets stuck before the end. */
function randomWalk(rng: () => number, opts: { copyFrom?: string }): string {
  let text = '';
  for (let step = 0; step < 5000; step++) {
    const next = ALPHABET.filter((c) => isCallPrefix(text + c, opts));
    if (next.length === 0) return text;
    // lean towards ending things (quotes, brackets), so walks finish in a few hundred characters
    const enders = next.filter((c) => /['\]}"\ue000-\ue0ff,]/.test(c));
    const pool = enders.length > 0 && rng() < 0.3 ? enders : next;
    text += pool[Math.floor(rng() * pool.length)];
  }
  throw new Error(`walk did not end: ${text.slice(0, 200)}`);
}

test('no dead ends: random walks through the grammar always finish as valid calls', () => {
  const rng = seedrandom('walks');
  const command = 'please take me to 9143 Canyon Ave, Dolphin Falls and play the song Storm Midnight?!';
  for (let i = 0; i < WALKS; i++) {
    const copyFrom = i % 2 === 0 ? command : undefined;
    const text = randomWalk(rng, { copyFrom });
    // a walk stops only at a complete answer: it parses, and the schema accepts the call
    const call = parseFunctionCall(unmark(text));
    assert.ok(call !== null, text);
    assert.equal(validateCall(call!), [], text);
    if (copyFrom !== undefined) {
      for (const v of Object.values(call!.arguments)) {
        if (typeof v === 'string' && v !== '' && !/^[a-z_-]+$/.test(v)) assert.ok(command.includes(v), v);
      }
    }
  }
});

test('copying: a free-text value is whole words of the command, in the command\'s own case', () => {
  const command = 'Navigate to 9143 Canyon Ave, Dolphin Falls please.';
  const dest = (d: string) => answer({ name: 'set_navigation_destination', arguments: { destination: d } });
  const opts = { copyFrom: command };
  for (const d of ['9143 Canyon Ave, Dolphin Falls', '9143 Canyon Ave', 'Canyon Ave', 'Dolphin Falls']) assert.ok(every(dest(d), opts), d);
  // the copy keeps the command's case: a small model that half-remembers lowercase names must not mix them
  for (const d of ['9143 canyon ave', 'CANYON AVE', 'CanYon Ave', 'dolphin Falls']) assert.not.ok(isCallPrefix(dest(d), opts), d);
  for (const d of ['9143 Ca', 'anyon Ave', 'Canyon Avenue', 'Dolphin Springs', 'Falls please.', ' Canyon Ave', 'Canyon Ave,']) assert.not.ok(isCallPrefix(dest(d), opts), d);
  // a copy starts and ends with a word: the sentence's punctuation is not part of it, so a copy
  // that took in the final '.' cannot be finished at all, while one that took a comma can go on
  const begun = (s: string) => markSpecials(`<functioncall> {"name": "set_navigation_destination", "arguments": "{'destination': '${s}`);
  assert.not.ok(isCallPrefix(begun('Falls please.'), opts));
  assert.ok(isCallPrefix(begun('Canyon Ave,'), opts));
  assert.not.ok(isCallPrefix(begun(' '), opts));
  // "9143 Ca" is a fine beginning (it may go on to "9143 Canyon"), just not a whole value
  assert.ok(isCallPrefix(markSpecials(`<functioncall> {"name": "set_navigation_destination", "arguments": "{'destination': '9143 Ca`), opts));
  // an abbreviation keeps its period inside the sentence, a dropped letter its apostrophe anywhere
  const address = { copyFrom: 'Take me to 221 Oak St. please' };
  assert.ok(every(dest('221 Oak St.'), address));
  assert.ok(every(dest('221 Oak St'), address));
  const song = (t: string) => answer({ name: 'play_music', arguments: { track: t } });
  assert.ok(every(song('Feel Good Inc.'), { copyFrom: 'Play Feel Good Inc. please' }));
  assert.not.ok(isCallPrefix(song('Feel Good Inc.'), { copyFrom: 'Play Feel Good Inc.' })); // the sentence's period
  assert.ok(every(song("Free Fallin'"), { copyFrom: "Play Free Fallin'" }));
  assert.ok(every(song("Don't Stop Believin'"), { copyFrom: "Play Don't Stop Believin' at volume 4" }));
  assert.not.ok(isCallPrefix(song("the driver'"), { copyFrom: "Play the driver's song" }));
  assert.not.ok(isCallPrefix(song('Yesterday.'), { copyFrom: 'Play Yesterday. now' })); // no abbreviation
  // without copying, any text is a destination
  assert.ok(every(dest('Canyon Avenue')));
});

test('openFreeText: the part of a free-text value written so far, null outside one', () => {
  const start = markSpecials(`<functioncall> {"name": "play_music", "arguments": "{'track': `);
  assert.is(openFreeText(start), null);
  assert.is(openFreeText(`${start}'`), '');
  assert.is(openFreeText(`${start}'Blue Sky`), 'Blue Sky');
  assert.is(openFreeText(`${start}\\"it's`), "it's");
  assert.is(openFreeText(`${start}'Blue Sky'`), null);
  assert.is(openFreeText(`${start}'Blue Sky', 'volume': `), null);
  assert.is(openFreeText(`${start}'Blue Sky`, { copyFrom: 'play Blue Sky now' }), 'Blue Sky');
  assert.is(openFreeText(`${start}'Blue Sky`, { copyFrom: 'play blue sky now' }), null); // not in the command's case
  assert.is(openFreeText(`${start}'Red Sky`, { copyFrom: 'play blue sky now' }), null); // not a prefix at all
  assert.is(openFreeText(markSpecials(`<functioncall> {"name": "set_fan_speed", "arguments": "{'speed': 'hi`)), null); // an enum, not free text
});

test.run();
