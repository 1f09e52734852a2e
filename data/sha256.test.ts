import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { sha256Hex } from './sha256.ts';

test("sha256Hex equals node:crypto's on empty, short, block-edge, multi-byte and long inputs", () => {
  const inputs = ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'a'.repeat(119), 'héllo wörld ☃ 🚗', 'x'.repeat(100_003)];
  for (const s of inputs) assert.is(sha256Hex(s), createHash('sha256').update(s).digest('hex'), `length ${s.length}`);
  assert.is(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'); // FIPS 180-4's example
});

test.run();
