import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateRecords } from './generator.ts';
import { userText } from './format.ts';
import { GRAMMARS } from './command_grammars.ts';
import { OPENERS, CLOSERS, ZONE_ALONE, ZONE_NAMES, ZONE_BARE, ZONE_NOUNS_SINGULAR, REAR_BARE, ALL_ZONES_PHRASES, REAR_PHRASES, HEDGES, ASIDES, EVERYONE_NOUNS, IN_THE_CAR, EXCEPT_WORDS, BEHIND_WORDS, NO_SUCH_SEAT, EVERYONE_IN_LIST } from './phrases.ts';
import { withPhraseSplit, phrasesFor, isHeldOut, say, HELD_OUT_SHARE, PLAIN_PHRASES } from './phrase_split.ts';
import { makeRng } from '../engine/random.ts';

/** Does text say these words, as whole words? */
const saysWords = (text: string, words: string) => new RegExp(`(^|[^a-z'])${words.replace(/[.*+?()[\]\\]/g, '\\$&')}([^a-z']|$)`).test(text);
const plain = (template: string) => template.replace(/\{\w,?\}|\^/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase();

const LISTS = [OPENERS, CLOSERS, ALL_ZONES_PHRASES, REAR_PHRASES, ...Object.values(ZONE_ALONE), ...Object.values(ZONE_NAMES), ZONE_NOUNS_SINGULAR, REAR_BARE, HEDGES, ASIDES, EVERYONE_NOUNS, IN_THE_CAR, EXCEPT_WORDS, BEHIND_WORDS, NO_SUCH_SEAT, EVERYONE_IN_LIST];

test("split 'all' is the plain generator, draw for draw", () => {
  assert.equal(generateRecords(300, 'x', { phrases: 'all', phraseSeed: 3 }), generateRecords(300, 'x'));
});

test('seen and unseen share no phrase; the first two phrases of a list and the empty one are never held out', () => {
  for (const list of LISTS) {
    const seen = withPhraseSplit('seen', 1337, () => phrasesFor(list));
    const unseen = withPhraseSplit('unseen', 1337, () => phrasesFor(list));
    for (const p of [...new Set(list)].slice(0, PLAIN_PHRASES)) assert.ok(seen.includes(p), p);
    for (const p of unseen) if (p !== '') assert.not.ok(seen.includes(p), p);
    for (const p of list) assert.ok(seen.includes(p) || unseen.includes(p), p);
    // and say() keeps to them
    const rng = makeRng('say');
    withPhraseSplit('seen', 1337, () => { for (let i = 0; i < 200; i++) assert.ok(seen.includes(say(rng, list))); });
  }
  // about the share asked for, over every phrase of those lists
  const all = [...new Set(LISTS.flat().filter((p) => p !== ''))];
  const held = withPhraseSplit('seen', 1337, () => all.filter(isHeldOut)).length / all.length;
  assert.ok(Math.abs(held - HELD_OUT_SHARE) < 0.1, `${held}`);
});

test("the words most people use stay in training whatever the seed: \"driver's seat\", \"seat\", \"back\"", () => {
  // seed 1337 holds each of them out by its hash; as the second phrase of its list, each is kept
  for (const [list, phrase] of [[ZONE_NAMES.driver, "driver's seat"], [ZONE_NOUNS_SINGULAR, 'seat'], [ZONE_NOUNS_SINGULAR, 'zone'], [REAR_BARE, 'back']] as const) {
    assert.ok(withPhraseSplit('seen', 1337, () => isHeldOut(phrase)), `${phrase} is not held out by its hash: the test shows nothing`);
    assert.ok(withPhraseSplit('seen', 1337, () => phrasesFor(list)).includes(phrase), phrase);
    assert.not.ok(withPhraseSplit('unseen', 1337, () => phrasesFor(list)).includes(phrase), phrase);
  }
});

test('the API\'s own spellings stay in training whatever the seed: "rear-left", "rear-right"', () => {
  // the original's commands echo the calls they were written from ("in the rear-left and rear-right areas")
  for (const [seed, phrase] of [[7, 'rear-left'], [7, 'rear-right'], [11, 'rear-left']] as const) {
    assert.ok(withPhraseSplit('seen', seed, () => isHeldOut(phrase)), `${phrase} is not held out by its hash at seed ${seed}: the test shows nothing`);
    for (const list of [ZONE_NAMES[phrase], ZONE_BARE[phrase]]) {
      assert.ok(list.includes(phrase), phrase);
      assert.ok(withPhraseSplit('seen', seed, () => phrasesFor(list)).includes(phrase), `${phrase} at seed ${seed}`);
    }
  }
});

test('another phrase seed holds out other phrases', () => {
  const all = [...new Set(LISTS.flat().filter((p) => p !== ''))];
  const a = withPhraseSplit('seen', 1, () => all.filter(isHeldOut));
  const b = withPhraseSplit('seen', 2, () => all.filter(isHeldOut));
  assert.not.equal(a, b);
});

test('a held-out template never says a training command, and does say unseen ones', () => {
  const seen = generateRecords(6000, 'train', { phrases: 'seen', phraseSeed: 7 }).map((r) => userText(r).toLowerCase());
  const unseen = generateRecords(3000, 'val', { phrases: 'unseen', phraseSeed: 7 }).map((r) => userText(r).toLowerCase());
  // templates with no slot say the same words every time: find them in the commands
  const lists = sampledTemplates('args');
  const heldOut = [...new Set(withPhraseSplit('unseen', 7, () => lists.flatMap((l) => phrasesFor(l))).filter((t) => !t.includes('{')))];
  // (one inside a seen template is left out: "unlock the doors for me" is also a seen "unlock the
  // doors" with the closer "for me", "lock the car" is inside the seen "lock the car doors")
  const seenFixed = withPhraseSplit('seen', 7, () => lists.flatMap((l) => phrasesFor(l))).map(plain);
  const distinct = heldOut.filter((t) => !seenFixed.some((f) => saysWords(plain(t), f) || saysWords(f, plain(t))));
  assert.ok(distinct.length >= 5, `${distinct.length} fixed held-out templates`);
  for (const t of distinct) {
    assert.not.ok(seen.some((s) => saysWords(s, plain(t))), `held-out "${plain(t)}" in training`);
  }
  assert.ok(distinct.some((t) => unseen.some((s) => saysWords(s, plain(t)))));
  // no unseen command is a training command
  const train = new Set(seen);
  assert.is(unseen.filter((u) => train.has(u)).length, 0);
});

test('no template is another\'s polite form ("can you X?" beside "^X": the opener says it already)', () => {
  // A held-out "can you turn the fan down {a}?" said the training text "^turn the fan down {a}"
  // with the opener "can you ": the unseen val held commands the model was trained on.
  const templates = new Set(sampledTemplates('polite').flat());
  for (const t of templates) {
    const m = /^(?:can|could|would|will) you (.*?)\??$/.exec(t);
    if (m) assert.not.ok(templates.has(`^${m[1]}`), `"${t}" is "^${m[1]}" with an opener`);
  }
});

/** Every grammar's template list for 20 sampled calls (a list depends on the call's values). */
function sampledTemplates(seed: string): Array<readonly string[]> {
  const rng = makeRng(seed);
  return Object.values(GRAMMARS).flatMap((g) => Array.from({ length: 20 }, () => g.templates(g.sample(rng).args)));
}

test.run();
