import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFcDir, loadFcFile, splitOfName } from './loader.ts';
import { makeRecord } from './format.ts';

// a small fixture in the original format, written for this test
const good = [
  makeRecord('Warm up the back seats.', { name: 'adjust_temperature', arguments: { action: 'increase', area: ['rear-left', 'rear-right'] } }),
  makeRecord('Navigate to the harbor market.', { name: 'set_navigation_destination', arguments: { destination: 'harbor market' } }),
];
const malformed = { system: good[0].system, user: good[0].user, assistant: '<|im_start|>assistant\nsorry, no call' };

function fixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fc-'));
  writeFileSync(join(dir, 'fc_data_user_commands-train_small.json'), JSON.stringify([good[0], malformed, good[1]]));
  writeFileSync(join(dir, 'fc_data_user_commands-test_small.json'), JSON.stringify([good[1]]));
  writeFileSync(join(dir, 'fc_data_user_commands-val.json'), JSON.stringify([good[0]]));
  writeFileSync(join(dir, 'notes.txt'), 'ignored');
  writeFileSync(join(dir, 'measuring_dev.json'), JSON.stringify([good[0]])); // neither train nor val/test: never loaded
  return dir;
}

test('a malformed record is an error naming the file and index', () => {
  const dir = fixture();
  assert.throws(() => loadFcDir(dir), /loader: .*fc_data_user_commands-train_small.json record 1: field 'assistant' holds no parsable <functioncall> \(use --skip_bad=true/);
});

test('skip_bad skips and counts; train from *train*, val from *test* and *val*; other files ignored', () => {
  const d = loadFcDir(fixture(), true);
  assert.is(d.skipped, 1);
  assert.equal(d.train, good);
  assert.is(d.val.length, 2);
  assert.is(d.trainFiles.length, 1);
  assert.is(d.valFiles.length, 2);
});

test('bad files and directories give clear errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-'));
  writeFileSync(join(dir, 'a_train.json'), '{"not": "an array"}');
  assert.throws(() => loadFcFile(join(dir, 'a_train.json')), /must hold a JSON array/);
  writeFileSync(join(dir, 'b_train.json'), '[{"system": "x"');
  assert.throws(() => loadFcFile(join(dir, 'b_train.json')), /is not readable JSON/);
  assert.throws(() => loadFcDir(join(dir, 'missing')), /cannot read directory/);
  assert.throws(() => loadFcDir(mkdtempSync(join(tmpdir(), 'fc-'))), /no \*train\*.json file of records/);
});

test("the original layout: train and val by a word of the name; constraints.json, configs and other JSON ignored, and said so", () => {
  assert.is(splitOfName('fc_data_user_commands-train_incomplete.json'), 'train');
  assert.is(splitOfName('fc_data_user_commands-test_complete.json'), 'val');
  assert.is(splitOfName('train.json'), 'train');
  assert.is(splitOfName('TRAIN_2.json'), 'train');
  assert.is(splitOfName('fc_generated_val.json'), 'val');
  for (const name of ['constraints.json', 'restrained.json', 'interval.json', 'latest.json', 'function_config.json', 'tokenizer.json']) assert.is(splitOfName(name), null, name);
  const dir = mkdtempSync(join(tmpdir(), 'fc-'));
  writeFileSync(join(dir, 'fc_data_user_commands-train_incomplete.json'), JSON.stringify(good));
  writeFileSync(join(dir, 'constraints.json'), JSON.stringify({ temperature: { min: 16, max: 30 } }));
  writeFileSync(join(dir, 'function_config.json'), JSON.stringify({ functions: [] }));
  writeFileSync(join(dir, 'train_config.json'), JSON.stringify({ lr: 0.001 }));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify({ merges: [] })); // the directory's tokenizer: not data, not worth a line
  const d = loadFcDir(dir);
  assert.equal(d.train, good);
  assert.equal(d.trainFiles, [join(dir, 'fc_data_user_commands-train_incomplete.json')]);
  assert.equal(d.ignoredFiles, [
    { file: join(dir, 'constraints.json'), reason: 'train, test or val only inside a word of its name' },
    { file: join(dir, 'function_config.json'), reason: 'no train, test or val in its name' },
    { file: join(dir, 'train_config.json'), reason: 'not a JSON array of records' },
  ]);
});

test('a UTF-8 byte order mark before the JSON is dropped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-'));
  writeFileSync(join(dir, 'bom_train.json'), '\uFEFF' + JSON.stringify(good));
  assert.equal(loadFcFile(join(dir, 'bom_train.json')).records, good);
  assert.equal(loadFcDir(dir).train, good);
});

test('training files without records: an error that says so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-'));
  writeFileSync(join(dir, 'empty_train.json'), '[]');
  assert.throws(() => loadFcDir(dir), /loader: .*empty_train.json has no records/);
  writeFileSync(join(dir, 'bad_train.json'), JSON.stringify([malformed]));
  assert.throws(() => loadFcDir(dir, true), /bad_train.json, .*empty_train.json have no records \(1 malformed skipped\)/);
  assert.throws(() => loadFcDir(mkdtempSync(join(tmpdir(), 'fc-'))), /no \*train\*.json file of records in/);
  // evaluation reads a directory of val/test files alone
  const evalDir = mkdtempSync(join(tmpdir(), 'fc-'));
  writeFileSync(join(evalDir, 'x_test.json'), JSON.stringify(good));
  assert.equal(loadFcDir(evalDir, false, false).val, good);
});

test.run();
