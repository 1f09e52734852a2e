import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tokenizer } from './tokenizer.ts';
import { SPECIAL_TOKENS, makeRecord } from './format.ts';
import { FcDataset, TextStream, encodeExample, inputsAndTargets } from './dataset.ts';
import { generateRecords } from './generator.ts';

const records = generateRecords(300, 'dataset-test');
const tok = Tokenizer.train(records.map((r) => r.system + r.user + r.assistant).join(''), 400, SPECIAL_TOKENS);

test('the mask on a hand-written example: only the answer and its end token count', () => {
  const r = makeRecord('Lights on.', { name: 'toggle_headlights', arguments: { light_state: 'on' } });
  const ex = encodeExample(tok, r);
  const { inputs, targets } = inputsAndTargets(ex);
  assert.is(inputs.length, ex.ids.length - 1);
  // targets are the inputs shifted by one
  for (let i = 0; i < targets.length; i++) if (targets[i] !== -1) assert.is(targets[i], ex.ids[i + 1]);
  // the first counted target is <functioncall>, predicted from the last prompt token (the header's newline)
  const first = targets.findIndex((t) => t !== -1);
  assert.is(first, ex.promptLength - 1);
  assert.is(targets[first], tok.specialId('<functioncall>'));
  assert.is(tok.decode(ex.ids.slice(0, ex.promptLength)), r.system + r.user + '<|im_start|>assistant\n');
  // the last counted target is the end token, and every target after the prompt counts
  assert.is(targets[targets.length - 1], tok.specialId('<|endoftext|>'));
  assert.ok(targets.slice(first).every((t) => t !== -1));
  assert.ok(targets.slice(0, first).every((t) => t === -1));
  assert.is(tok.decode(ex.ids.slice(ex.promptLength)), r.assistant.replace('<|im_start|>assistant\n', ''));
});

test('batches pad with <|pad|> and -1 targets, and are seeded', () => {
  const ds = new FcDataset(tok, records, records.slice(0, 20), 128);
  let s = 0.5;
  const rng = () => (s = (s * 9301 + 49297) % 233280) / 233280;
  const b = ds.getBatch('train', 8, rng);
  assert.is(b.idx.length, b.B * b.T);
  assert.ok(b.T <= 128);
  const pad = tok.specialId('<|pad|>');
  for (let r = 0; r < b.B; r++) {
    for (let t = 0; t < b.T; t++) {
      if (b.idx[r * b.T + t] === pad) assert.is(b.targets[r * b.T + t], -1);
    }
  }
  s = 0.5;
  assert.equal(ds.getBatch('train', 8, rng), b);
});

test('examples longer than block_size are dropped and counted', () => {
  const lengths = records.map((r) => encodeExample(tok, r).ids.length - 1).sort((a, b) => a - b);
  const median = lengths[lengths.length >> 1];
  const ds = new FcDataset(tok, records, records, median);
  assert.ok(ds.dropped.train > 0 && ds.train.length + ds.dropped.train === records.length);
  assert.ok(ds.train.every((e) => e.ids.length - 1 <= median));
  assert.throws(() => new FcDataset(tok, records, records, 5), /no training example fits block_size 5: the shortest of its 300 is \d+ tokens/);
});

test('no records is its own error, not "no example fits block_size"', () => {
  for (const make of [(t: typeof records, v: typeof records) => new FcDataset(tok, t, v, 128), (t: typeof records, v: typeof records) => new TextStream(tok, t, v, 32)]) {
    assert.throws(() => make([], []), /dataset: no records: the training and validation data are empty/);
    // one record in a directory without a val file: held out for validation, none left to train on
    assert.throws(() => make([], records.slice(0, 1)), /dataset: no training records \(1 for validation\): with no val\/test file, at least 2 records are needed/);
    assert.throws(() => make(records.slice(0, 1), []), /dataset: no validation records \(1 for training\)/);
  }
});

test('the pretraining stream: windows of block_size, targets shifted by one, all counted', () => {
  const ts = new TextStream(tok, records, records.slice(0, 30), 32);
  const b = ts.getBatch('train', 4, () => 0.25);
  assert.is(b.T, 32);
  for (let r = 0; r < 4; r++) {
    for (let t = 0; t < 31; t++) assert.is(b.targets[r * 32 + t], b.idx[r * 32 + t + 1]);
  }
  assert.ok(b.targets.every((t) => t >= 0));
});

test.run();
