import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { matmul, matmulNaive } from './matmul.ts';
import { makeRng } from '../random.ts';

const rng = makeRng('matmul-test');
const randomArray = (n: number) => new Float32Array(n).map(() => rng() * 2 - 1);

/** out = op(A) op(B) in float64, the reference. */
function reference(a: Float32Array, b: Float32Array, M: number, N: number, K: number, transA: boolean, transB: boolean): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (transA ? a[k * M + i] : a[i * K + k]) * (transB ? b[j * K + k] : b[k * N + j]);
      out[i * N + j] = s;
    }
  }
  return out;
}

function maxRelError(got: Float32Array, want: Float64Array): number {
  let err = 0;
  let scale = 1e-12;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return err / scale;
}

for (const n of [1, 7, 33, 129]) {
  test(`matmul ${n}x${n}x${n} in all transpose variants matches float64`, () => {
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
      const a = randomArray(n * n);
      const b = randomArray(n * n);
      const out = new Float32Array(n * n);
      matmul(a, b, out, n, n, n, { transA, transB });
      const err = maxRelError(out, reference(a, b, n, n, n, transA, transB));
      assert.ok(err < 1e-5, `transA=${transA} transB=${transB}: error ${err}`);
    }
  });
}

test('matmul on odd rectangular shapes, blocks larger than the cache tiles, and accumulate', () => {
  for (const [M, N, K] of [[5, 300, 3], [97, 13, 300], [130, 520, 261], [1, 9, 1], [3, 7, 5], [8, 130, 33]]) {
    const a = randomArray(M * K);
    const b = randomArray(K * N);
    const out = randomArray(M * N);
    const before = Float64Array.from(out);
    matmul(a, b, out, M, N, K, { accumulate: true });
    const want = reference(a, b, M, N, K, false, false).map((v, i) => v + before[i]);
    assert.ok(maxRelError(out, want) < 1e-5, `${M}x${N}x${K}`);
  }
});

test('few-row products (the decoding path) in every transpose variant', () => {
  for (const [M, N, K] of [[1, 13, 7], [3, 130, 33], [8, 5, 300]]) {
    for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]]) {
      const a = randomArray(M * K);
      const b = randomArray(K * N);
      const out = new Float32Array(M * N);
      matmul(a, b, out, M, N, K, { transA, transB });
      assert.ok(maxRelError(out, reference(a, b, M, N, K, transA, transB)) < 1e-5, `${M}x${N}x${K} ${transA} ${transB}`);
    }
  }
});

test('the naive reference kernel agrees', () => {
  const a = randomArray(6 * 4);
  const b = randomArray(4 * 5);
  const out = new Float32Array(30);
  matmulNaive(a, b, out, 6, 5, 4);
  assert.ok(maxRelError(out, reference(a, b, 6, 5, 4, false, false)) < 1e-6);
});

test.run();
