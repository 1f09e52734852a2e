import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { matmul } from './matmul.ts';
import { matmulSimd, matmulSimdNoFma, simdAvailable, simdKernel } from './matmul_simd.ts';
import { uleb, sleb } from './wasm.ts';
import { makeRng } from '../random.ts';

const rng = makeRng('simd-test');
const randomArray = (n: number) => new Float32Array(n).map(() => rng() * 2 - 1);

test('this runtime has WebAssembly SIMD, and relaxed SIMD\'s FMA (scripts/node_flags.ts on Node 20): the fast kernel is the one tested', () => {
  assert.ok(simdAvailable);
  assert.is(simdKernel, 'wasm-simd-fma');
});

test('the FMA and the multiply-add micro-kernels agree with the TypeScript kernel on random odd shapes; FMA rounds once, so it may differ in the last bits', () => {
  for (const [M, N, K] of [[9, 17, 5], [37, 29, 300], [130, 520, 261], [200, 33, 600]]) {
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
      const a = randomArray(M * K);
      const b = randomArray(K * N);
      const want = new Float32Array(M * N);
      matmul(a, b, want, M, N, K, { transA, transB });
      for (const kernel of [matmulSimd, matmulSimdNoFma]) {
        const got = new Float32Array(M * N);
        kernel(a, b, got, M, N, K, { transA, transB });
        // a sum of K products of numbers in [-1, 1]: rounding errors grow like sqrt(K) x 2^-24
        let err = 0;
        for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
        assert.ok(err < 1e-5 * Math.sqrt(K) + 1e-6, `${kernel.name} ${M}x${N}x${K} transA=${transA} transB=${transB}: max error ${err}`);
      }
    }
  }
});

test('LEB128 encodings of the emitter', () => {
  assert.equal(uleb(0), [0]);
  assert.equal(uleb(228), [0xe4, 0x01]);
  assert.equal(uleb(624485), [0xe5, 0x8e, 0x26]);
  assert.equal(sleb(-1), [0x7f]);
  assert.equal(sleb(64), [0xc0, 0x00]);
  assert.equal(sleb(-123456), [0xc0, 0xbb, 0x78]);
});

test('SIMD matmul equals the plain TypeScript kernel on random odd shapes, all transposes, with and without accumulate', () => {
  // N = 64 and 48 fill whole column blocks (out is copied in and out in one piece); M = 3001 makes
  // the kernel's memory grow; the others cut every block and panel short
  const shapes = [[8, 1, 1], [9, 17, 5], [37, 29, 300], [97, 513, 7], [130, 520, 261], [200, 33, 600], [130, 64, 300], [3001, 48, 20]];
  for (const [M, N, K] of shapes) {
    for (const [transA, transB, accumulate] of [[false, false, true], [true, false, true], [false, true, true], [true, true, true], [false, false, false], [true, true, false]]) {
      const a = randomArray(M * K);
      const b = randomArray(K * N);
      const start = randomArray(M * N);
      const got = Float32Array.from(start);
      const want = Float32Array.from(start);
      matmulSimd(a, b, got, M, N, K, { transA, transB, accumulate });
      matmul(a, b, want, M, N, K, { transA, transB, accumulate });
      let err = 0;
      let scale = 1e-12;
      for (let i = 0; i < want.length; i++) {
        err = Math.max(err, Math.abs(got[i] - want[i]));
        scale = Math.max(scale, Math.abs(want[i]));
      }
      assert.ok(err / scale < 1e-5, `${M}x${N}x${K} transA=${transA} transB=${transB} accumulate=${accumulate}: ${err / scale}`);
    }
  }
});

test.run();
