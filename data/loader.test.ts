import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFcDir, loadFcFile } from './loader.ts';
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
  assert.throws(() => loadFcDir(mkdtempSync(join(tmpdir(), 'fc-'))), /no \*train\*.json file/);
});

test.run();
