import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expInPlace } from './exp_simd.ts';
import { makeRng } from '../random.ts';

const rng = makeRng('exp-simd-test');

test('expInPlace matches Math.exp to 1e-6 relative on random x in [-87, 88], any length', () => {
  // 100_003 floats: more than the module's first 64 KiB page (it grows) and not a multiple of 4
  for (const n of [1, 3, 4, 7, 100_003]) {
    const x = new Float32Array(n + 1).map(() => rng() * 175 - 87);
    const y = Float32Array.from(x);
    expInPlace(y, n);
    for (let i = 0; i < n; i++) {
      const want = Math.exp(x[i]);
      assert.ok(Math.abs(y[i] - want) / want < 1e-6, `n=${n}: exp(${x[i]}) = ${y[i]}, want ${want}`);
    }
    assert.is(y[n], x[n], 'past n nothing is written');
  }
});

test('expInPlace: exp(0) is 1, NaN stays NaN, far below float range is ~0 and never negative', () => {
  const x = new Float32Array([0, NaN, -1e4, -Infinity, 1]);
  expInPlace(x);
  assert.is(x[0], 1);
  assert.ok(Number.isNaN(x[1]));
  assert.ok(x[2] >= 0 && x[2] < 1e-37);
  assert.ok(x[3] >= 0 && x[3] < 1e-37);
  assert.ok(Math.abs(x[4] - Math.E) < 1e-6);
});

test.run();
