import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { elementwiseSimdAvailable, geluForward, geluBackward, layerNormForward, layerNormBackward, scaleAdd, sumRows, sumSquares, swapMiddleAxes } from './elementwise_simd.ts';
import * as plainGelu from './gelu.ts';
import * as plainLayerNorm from './layernorm.ts';
import { crossEntropyForward, crossEntropyForwardPlain, crossEntropyBackward } from './crossentropy.ts';
import { makeRng } from '../random.ts';

const rng = makeRng('elementwise-simd-test');
const randomArray = (n: number, scale = 1) => new Float32Array(n).map(() => (rng() * 2 - 1) * scale);

/** the largest |a - b| / (1 + |b|) */
function maxError(a: Float32Array, b: Float32Array): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return e;
}

test('this runtime runs the SIMD kernels (a broken module would fall back silently)', () => {
  assert.ok(elementwiseSimdAvailable);
});

test('swapMiddleAxes: (B, T, H, D) -> (B, H, T, D), every value where the index formula puts it; no SIMD copy where D is not a multiple of 4', () => {
  // sizes of one, odd sizes, the walkthrough's heads (D = 24) and the reference's (D = 32), one past the first page
  for (const [B, T, H, D] of [[1, 1, 1, 4], [2, 3, 5, 8], [3, 7, 2, 12], [2, 50, 4, 24], [8, 128, 4, 32], [1, 1, 9, 4]]) {
    const x = randomArray(B * T * H * D);
    const out = new Float32Array(x.length + 1);
    out[x.length] = 42;
    assert.ok(swapMiddleAxes(x, out, B, T, H, D));
    for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) {
      const got = out[((b * H + h) * T + t) * D + d];
      const want = x[((b * T + t) * H + h) * D + d];
      if (got !== want) assert.unreachable(`[${B}, ${T}, ${H}, ${D}]: out[${b}, ${h}, ${t}, ${d}] = ${got}, want ${want}`);
    }
    assert.is(out[x.length], 42, 'nothing written past the end');
  }
  assert.not.ok(swapMiddleAxes(randomArray(30), new Float32Array(30), 1, 2, 3, 5));
});

test('GELU forward and backward in SIMD agree with the TypeScript kernels on random x, any length', () => {
  // lengths not a multiple of 4, and more than the module's first 64 KiB page (it grows)
  for (const n of [1, 3, 4, 7, 97, 50_001]) {
    const x = randomArray(n, 6);
    const [out, t, wantOut, wantT] = [new Float32Array(n + 1), new Float32Array(n + 1), new Float32Array(n + 1), new Float32Array(n + 1)];
    out[n] = t[n] = 42;
    geluForward(x, out, t, n);
    plainGelu.geluForward(x, wantOut, wantT, n);
    assert.ok(maxError(out.subarray(0, n), wantOut.subarray(0, n)) < 2e-6, `n=${n}: out ${maxError(out, wantOut)}`);
    assert.ok(maxError(t.subarray(0, n), wantT.subarray(0, n)) < 2e-6, `n=${n}: tanh ${maxError(t, wantT)}`);
    assert.is(out[n], 42, 'past n nothing is written');
    assert.is(t[n], 42);

    const dout = randomArray(n);
    const dx = randomArray(n + 1); // backward adds into what is there
    const wantDx = Float32Array.from(dx);
    geluBackward(dout, x, wantT, dx, n);
    plainGelu.geluBackward(dout, x, wantT, wantDx, n);
    assert.ok(maxError(dx, wantDx) < 2e-6, `n=${n}: dx ${maxError(dx, wantDx)}`);
    assert.is(dx[n], wantDx[n], 'past n dx is untouched');
  }
});

test('GELU backward into a new gradient (accumulate false) writes every element, never reads one: the bits of adding into zeros, in SIMD and TypeScript', () => {
  for (const n of [1, 7, 50_001]) {
    const [x, dout] = [randomArray(n, 6), randomArray(n)];
    const t = new Float32Array(n);
    plainGelu.geluForward(x, new Float32Array(n), t, n);
    for (const kernel of [geluBackward, plainGelu.geluBackward]) {
      const want = new Float32Array(n); // zeros, added into
      kernel(dout, x, t, want, n);
      const got = new Float32Array(n).fill(NaN); // a reused array's old numbers: never read
      kernel(dout, x, t, got, n, false);
      assert.equal([...got], [...want], `${kernel === geluBackward ? 'SIMD' : 'TypeScript'} n=${n}`);
    }
  }
});

test('LayerNorm forward and backward in SIMD agree with the TypeScript kernels, with and without bias', () => {
  for (const [rows, C] of [[1, 4], [3, 12], [37, 96], [129, 388]]) {
    for (const withBias of [true, false]) {
      // rows off a common mean, as a residual stream has them
      const x = randomArray(rows * C, 3).map((v, i) => v + (i % 7) - 3);
      const w = randomArray(C).map((v) => 1 + 0.5 * v);
      const b = withBias ? randomArray(C) : null;
      const [out, mean, rstd] = [new Float32Array(rows * C), new Float32Array(rows), new Float32Array(rows)];
      const [wantOut, wantMean, wantRstd] = [new Float32Array(rows * C), new Float32Array(rows), new Float32Array(rows)];
      layerNormForward(x, w, b, out, mean, rstd, rows, C, 1e-5);
      plainLayerNorm.layerNormForward(x, w, b, wantOut, wantMean, wantRstd, rows, C, 1e-5);
      const where = `${rows}x${C} bias=${withBias}`;
      assert.ok(maxError(out, wantOut) < 1e-5, `${where}: out ${maxError(out, wantOut)}`);
      assert.ok(maxError(mean, wantMean) < 1e-5, `${where}: mean`);
      assert.ok(maxError(rstd, wantRstd) < 1e-5, `${where}: rstd`);

      const dout = randomArray(rows * C);
      const [dx, dw, db] = [randomArray(rows * C), randomArray(C), withBias ? randomArray(C) : null];
      const [wantDx, wantDw, wantDb] = [Float32Array.from(dx), Float32Array.from(dw), db === null ? null : Float32Array.from(db)];
      layerNormBackward(dout, x, w, wantMean, wantRstd, dx, dw, db, rows, C);
      plainLayerNorm.layerNormBackward(dout, x, w, wantMean, wantRstd, wantDx, wantDw, wantDb, rows, C);
      // dw and db are sums over rows: their rounding grows with the rows
      assert.ok(maxError(dx, wantDx) < 1e-5, `${where}: dx ${maxError(dx, wantDx)}`);
      assert.ok(maxError(dw, wantDw) < 1e-6 * rows + 1e-6, `${where}: dw ${maxError(dw, wantDw)}`);
      if (db !== null) assert.ok(maxError(db, wantDb!) < 1e-6 * rows + 1e-6, `${where}: db`);
    }
  }
});

test('LayerNorm with C not a multiple of 4 falls back to the TypeScript kernel: the same bits', () => {
  const [rows, C] = [5, 7];
  const x = randomArray(rows * C, 2);
  const w = randomArray(C);
  const [out, mean, rstd, wantOut, wantMean, wantRstd] = [rows * C, rows, rows, rows * C, rows, rows].map((n) => new Float32Array(n));
  layerNormForward(x, w, null, out, mean, rstd, rows, C, 1e-5);
  plainLayerNorm.layerNormForward(x, w, null, wantOut, wantMean, wantRstd, rows, C, 1e-5);
  assert.equal([...out], [...wantOut]);
});

test('sumRows adds the rows in order, bit for bit as a TypeScript loop, for any number of columns', () => {
  for (const [rows, cols] of [[1, 4], [5, 3], [33, 96], [320, 384], [17, 1030]]) {
    const g = randomArray(rows * cols, 10);
    const out = randomArray(cols);
    const want = Float32Array.from(out);
    for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) want[j] += g[r * cols + j];
    sumRows(g, rows, cols, out);
    assert.equal([...out], [...want], `${rows}x${cols}`);
  }
});

test('scaleAdd is alpha x + beta y in float32, in place or not; with alpha = beta = 1 the bits of x + y', () => {
  for (const n of [1, 6, 33, 40_003]) {
    const [x, y] = [randomArray(n + 1, 5), randomArray(n + 1, 5)];
    const out = new Float32Array(n + 1);
    out[n] = 7;
    scaleAdd(3.4445, x, -4.775, y, out, n);
    for (let i = 0; i < n; i++) {
      const want = Math.fround(Math.fround(Math.fround(3.4445) * x[i]) + Math.fround(Math.fround(-4.775) * y[i]));
      assert.is(out[i], want, `n=${n}, i=${i}`);
    }
    assert.is(out[n], 7, 'past n nothing is written');
    const sum = Float32Array.from(x);
    scaleAdd(1, sum, 1, y, sum, n);
    for (let i = 0; i < n; i++) assert.is(sum[i], Math.fround(x[i] + y[i]));
  }
});

test('the loss\'s softmax in SIMD agrees with the TypeScript one: loss, count and probabilities, -1 rows skipped', () => {
  for (const [rows, V] of [[1, 4], [7, 2048], [13, 6]]) { // V = 6: not a multiple of 4, the TypeScript path
    const logits = randomArray(rows * V, 8);
    const targets = Int32Array.from({ length: rows }, (_, r) => (r % 3 === 1 ? -1 : (r * 37) % V));
    const [probs, wantProbs] = [new Float32Array(rows * V), new Float32Array(rows * V)];
    const [loss, count] = crossEntropyForward(logits, targets, rows, V, probs);
    const [wantLoss, wantCount] = crossEntropyForwardPlain(logits, targets, rows, V, wantProbs);
    assert.is(count, wantCount);
    assert.ok(Math.abs(loss - wantLoss) < 1e-5 * (1 + Math.abs(wantLoss)), `${rows}x${V}: loss ${loss} vs ${wantLoss}`);
    for (let r = 0; r < rows; r++) {
      if (targets[r] === -1) continue; // the reference leaves those rows alone; nothing reads them
      const [a, b] = [probs.subarray(r * V, (r + 1) * V), wantProbs.subarray(r * V, (r + 1) * V)];
      assert.ok(maxError(a, b) < 1e-6, `${rows}x${V} row ${r}: ${maxError(a, b)}`);
    }
    // backward with every row counted takes the one-pass path; compare it with the row-by-row one
    const all = targets.map((t, r) => (t === -1 ? r % V : t));
    const d = randomArray(rows * V);
    const want = Float32Array.from(d);
    crossEntropyBackward(wantProbs, all, d, rows, V, 0.25);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < V; j++) want[r * V + j] += 0.25 * wantProbs[r * V + j];
      want[r * V + all[r]] -= 0.25;
    }
    assert.ok(maxError(d, want) < 1e-6, `${rows}x${V}: backward ${maxError(d, want)}`);
    // into a new gradient (accumulate false): every element written, none read (NaN stays out), the
    // bits of adding into zeros; with -1 rows (the row-by-row path) those rows are 0
    for (const ts of [all, targets]) {
      const zerosAdded = new Float32Array(rows * V);
      crossEntropyBackward(wantProbs, ts, zerosAdded, rows, V, 0.25);
      const written = new Float32Array(rows * V).fill(NaN);
      crossEntropyBackward(wantProbs, ts, written, rows, V, 0.25, false);
      assert.equal([...written], [...zerosAdded], `${rows}x${V}${ts === targets ? ', -1 rows' : ''}: a new gradient`);
    }
  }
  assert.throws(() => crossEntropyForward(new Float32Array(8), Int32Array.of(9, 0), 2, 4), /target 9 at row 0/);
});

test('sumSquares agrees with a float64 sum of squares, any length', () => {
  for (const n of [1, 5, 1000, 196_611]) {
    const x = randomArray(n + 3, 4);
    let want = 0;
    for (let i = 0; i < n; i++) want += x[i] * x[i];
    const got = sumSquares(x, n);
    assert.ok(Math.abs(got - want) < 1e-5 * want, `n=${n}: ${got} vs ${want}`);
  }
  assert.is(sumSquares(Float32Array.of(3, 4)), 25);
});

test.run();
