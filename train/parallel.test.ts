import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { splitWork } from './parallel.ts';

test('splitWork: shards weighted by their share of counted targets; weights sum to 1', () => {
  // one micro-batch of 4 rows x 2 positions; row 0 fully masked, row 3 half masked
  const batch = { idx: Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), targets: Int32Array.from([-1, -1, 1, 2, 3, 4, 5, -1]), B: 4, T: 2 };
  const items = splitWork([batch, batch], 2);
  assert.is(items.length, 4);
  assert.equal(items.map((i) => i.batch.B), [2, 2, 2, 2]);
  // shard 1 (rows 0-1) has 2 of 5 counted targets, shard 2 (rows 2-3) has 3 of 5; two micro-batches halve them
  assert.ok(Math.abs(items[0].weight - 0.2) < 1e-12 && Math.abs(items[1].weight - 0.3) < 1e-12);
  assert.ok(Math.abs(items.reduce((s, i) => s + i.weight, 0) - 1) < 1e-12);
  assert.equal(Array.from(items[1].batch.targets), [3, 4, 5, -1]);
  // a shard with nothing counted is dropped
  const masked = { ...batch, targets: Int32Array.from([-1, -1, -1, -1, 3, 4, 5, 6]) };
  assert.equal(splitWork([masked], 2).map((i) => i.weight), [1]);
});

test.run();
