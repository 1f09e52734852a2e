import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { packBatch } from './packing.ts';

test('packBatch keeps the shared prefix once, then each row up to its last counted target', () => {
  // 3 rows of T = 7: tokens 1 2 shared; row 1 has no counted target and is left out
  const idx = Int32Array.from([1, 2, 5, 6, 7, 0, 0, /**/ 1, 2, 8, 0, 0, 0, 0, /**/ 1, 2, 3, 4, 5, 6, 7]);
  const tgt = Int32Array.from([-1, -1, 6, 7, -1, -1, -1, /**/ -1, -1, -1, -1, -1, -1, -1, /**/ -1, -1, -1, 5, 6, 7, 9]);
  const p = packBatch(idx, tgt, 3, 7)!;
  assert.equal(p.layout, { prefix: 2, lengths: [2, 5] });
  assert.equal(Array.from(p.ids), [1, 2, 5, 6, 3, 4, 5, 6, 7]);
  assert.equal(Array.from(p.positions), [0, 1, 2, 3, 2, 3, 4, 5, 6]);
  assert.equal(Array.from(p.targets), [-1, -1, 6, 7, -1, 5, 6, 7, 9]);
});

test('packBatch: the prefix stops at the first counted target, even where the tokens agree', () => {
  const idx = Int32Array.from([1, 2, 3, 4, /**/ 1, 2, 3, 9]);
  const tgt = Int32Array.from([-1, 3, 4, -1, /**/ -1, -1, 9, 5]);
  const p = packBatch(idx, tgt, 2, 4)!;
  assert.equal(p.layout, { prefix: 1, lengths: [2, 3] });
  assert.equal(Array.from(p.targets), [-1, 3, 4, -1, 9, 5]);
});

test('packBatch returns null when every position is computed anyway, or nothing counts', () => {
  const idx = Int32Array.from([1, 2, 3, 4, 5, 6]);
  assert.is(packBatch(idx, Int32Array.from([2, 3, 4, 5, 6, 7]), 2, 3), null); // pretraining: all count, rows differ
  assert.is(packBatch(idx, new Int32Array(6).fill(-1), 2, 3), null);
});

test.run();
