import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addNoise } from './noise.ts';
import { generateRecords } from './generator.ts';
import { generateSplits } from '../train/fc_records.ts';
import { parseFunctionCall, userText } from './format.ts';
import { makeRng } from '../engine/random.ts';

const words = (s: string) => s.split(' ');

test('each kind of noise: one word in, or one small word out, the rest in order', () => {
  const rng = makeRng('noise-kinds');
  const text = 'please set the temperature to 22 for the driver';
  for (let i = 0; i < 50; i++) {
    const dropped = addNoise(rng, text, [], ['drop']);
    assert.is(words(dropped).length, words(text).length - 1);
    const gone = words(text).find((w, j) => w !== words(dropped)[j])!;
    assert.ok(['please', 'the', 'to', 'for'].includes(gone), `dropped '${gone}'`);
    for (const kind of ['unknown', 'filler'] as const) {
      const added = words(addNoise(rng, text, [], [kind]));
      const at = added.findIndex((w, j) => w !== words(text)[j]);
      assert.ok(at > 0, 'nothing goes before the first word');
      assert.equal([...added.slice(0, at), ...added.slice(at + (added.length - words(text).length))], words(text));
    }
  }
});

test('noise keeps copied values whole, numbers, and the call', () => {
  const plain = generateRecords(3000, 'noise-calls', { copyBoost: 4 });
  const noisy = generateRecords(3000, 'noise-calls', { copyBoost: 4, noiseRate: 0.5 });
  let changed = 0;
  for (let i = 0; i < plain.length; i++) {
    assert.is(noisy[i].assistant, plain[i].assistant);
    const before = userText(plain[i]);
    const after = userText(noisy[i]);
    if (before === after) continue;
    changed++;
    const call = parseFunctionCall(noisy[i].assistant)!;
    for (const key of ['destination', 'track']) {
      const v = call.arguments[key];
      if (typeof v === 'string' && v !== '') assert.ok(after.includes(v), `'${v}' cut in '${after}'`);
    }
    const numbers = (s: string) => s.match(/\d+(\.\d+)?/g) ?? [];
    assert.equal(numbers(after), numbers(before));
  }
  assert.ok(changed > 1200 && changed < 1800, `${changed} of 3000 noised at rate 0.5`);
});

test('rate 0 draws nothing: the records are those of the plain generator', () => {
  assert.equal(generateRecords(500, 'noise-zero', { noiseRate: 0 }), generateRecords(500, 'noise-zero'));
});

test('only training is noised: val and the unseen-phrasing val are the same with or without noise', () => {
  const cfg = { num_train: 300, num_val: 100, num_unseen: 100, incomplete_rate: 0.06, copy_boost: 4, agent_fraction: 0.1, seed: 5 };
  const clean = generateSplits({ ...cfg, noise_rate: 0 });
  const noisy = generateSplits({ ...cfg, noise_rate: 0.5 });
  assert.equal(noisy.val, clean.val);
  assert.equal(noisy.unseen, clean.unseen);
  assert.not.equal(noisy.train.map(userText), clean.train.map(userText));
});

test('noiseRate outside [0, 1] is refused before anything is generated', () => {
  assert.throws(() => generateRecords(10, 's', { noiseRate: 1.5 }), /noiseRate must be in \[0, 1\]/);
});

test.run();
