import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import { tensor, Optimizer, Tensor } from './index.ts';
import { gramNewtonSchulz, newtonSchulz, orthogonalise, orthogonaliseMultiplyAdds } from './muon.ts';

/** n orthonormal vectors of length dim (Gram-Schmidt on random ones). */
function orthonormal(rng: () => number, n: number, dim: number): Float64Array[] {
  const out: Float64Array[] = [];
  while (out.length < n) {
    const v = Float64Array.from({ length: dim }, () => rng() - 0.5);
    for (const u of out) {
      let d = 0;
      for (let i = 0; i < dim; i++) d += u[i] * v[i];
      for (let i = 0; i < dim; i++) v[i] -= d * u[i];
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < dim; i++) v[i] /= norm;
    out.push(v);
  }
  return out;
}

/** G = sum_i s_i p_i q_i^T for orthonormal p_i, q_i and singular values s from 0.5 to 5: a spread of 10x. */
function matrixWithSpread(seed: string, rows: number, cols: number): { g: Float32Array; p: Float64Array[]; q: Float64Array[]; s: number[] } {
  const rng = seedrandom(seed);
  const r = Math.min(rows, cols);
  const p = orthonormal(rng, r, rows);
  const q = orthonormal(rng, r, cols);
  const s = Array.from({ length: r }, (_, i) => 0.5 + (4.5 * i) / (r - 1));
  const g = new Float32Array(rows * cols);
  for (let i = 0; i < r; i++) for (let a = 0; a < rows; a++) for (let b = 0; b < cols; b++) g[a * cols + b] += s[i] * p[i][a] * q[i][b];
  return { g, p, q, s };
}

const forms = { newtonSchulz, gramNewtonSchulz };
for (const [name, orthogonaliseBy] of Object.entries(forms)) {
  for (const [rows, cols] of [[12, 20], [20, 12], [16, 16], [8, 40], [40, 8]]) {
    test(`${name} keeps a ${rows}x${cols} matrix's singular vectors and pushes its singular values near 1`, () => {
      const { g, p, q, s } = matrixWithSpread(`ns${rows}x${cols}`, rows, cols);
      const o = orthogonaliseBy(g, rows, cols, new Float32Array(rows * cols));
      for (let i = 0; i < Math.min(rows, cols); i++) {
        // O q_i should be c_i p_i with c_i near 1, whatever s_i was
        const v = new Float64Array(rows);
        for (let a = 0; a < rows; a++) for (let b = 0; b < cols; b++) v[a] += o[a * cols + b] * q[i][b];
        let c = 0;
        for (let a = 0; a < rows; a++) c += v[a] * p[i][a];
        let off = 0;
        for (let a = 0; a < rows; a++) off += (v[a] - c * p[i][a]) ** 2;
        assert.ok(c > 0.6 && c < 1.25, `singular value ${i} (was ${s[i].toFixed(2)}) became ${c.toFixed(3)}`);
        assert.ok(Math.sqrt(off) < 1e-3, `direction ${i} leaked ${Math.sqrt(off)}`);
      }
    });
  }
}

/** The five iterations of the quintic in float64, on a wide X (rows <= cols): newtonSchulz's maths without float32's rounding. */
function newtonSchulz64(g: Float32Array, rows: number, cols: number): Float64Array {
  let norm = 0;
  for (const v of g) norm += v * v;
  let x = Float64Array.from(g, (v) => v / (Math.sqrt(norm) + 1e-7));
  for (let it = 0; it < 5; it++) {
    const a = new Float64Array(rows * rows); // A = X X^T
    for (let i = 0; i < rows; i++) for (let j = 0; j < rows; j++) for (let k = 0; k < cols; k++) a[i * rows + j] += x[i * cols + k] * x[j * cols + k];
    const p = new Float64Array(rows * rows); // P = aI + bA + cA^2
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < rows; j++) {
        let aa = 0;
        for (let k = 0; k < rows; k++) aa += a[i * rows + k] * a[k * rows + j];
        p[i * rows + j] = (i === j ? 3.4445 : 0) - 4.775 * a[i * rows + j] + 2.0315 * aa;
      }
    }
    const next = new Float64Array(rows * cols); // X <- P X
    for (let i = 0; i < rows; i++) for (let k = 0; k < rows; k++) for (let j = 0; j < cols; j++) next[i * cols + j] += p[i * rows + k] * x[k * cols + j];
    x = next;
  }
  return x;
}

test('the Gram form gives newtonSchulz\'s result, within a few times its distance from float64, on a gradient-like matrix (a few strong directions and noise); its restart matters', () => {
  const [rows, cols] = [24, 96];
  const rng = seedrandom('gram');
  const g = new Float32Array(rows * cols);
  for (let t = 0; t < 4; t++) {
    const [u, v] = [Array.from({ length: rows }, () => rng() - 0.5), Array.from({ length: cols }, () => rng() - 0.5)];
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) g[i * cols + j] += (10 / (t + 1)) * u[i] * v[j];
  }
  for (let i = 0; i < g.length; i++) g[i] += 0.02 * (rng() - 0.5);
  const want = newtonSchulz64(g, rows, cols);
  const maxError = (o: Float32Array): number => o.reduce((e, v, i) => Math.max(e, Math.abs(v - want[i])), 0);
  const plain = maxError(newtonSchulz(g, rows, cols, new Float32Array(rows * cols)));
  const gram = maxError(gramNewtonSchulz(g, rows, cols, new Float32Array(rows * cols)));
  const noRestart = maxError(gramNewtonSchulz(g, rows, cols, new Float32Array(rows * cols), 5, -1));
  const largest = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(gram < 1e-4 * largest, `the Gram form is off by ${gram} (largest value ${largest})`);
  assert.ok(gram < 4 * plain + 1e-7, `the Gram form's error ${gram} against newtonSchulz's ${plain}`);
  assert.ok(noRestart > gram, `without its restart the Gram form is off by ${noRestart}, with it ${gram}`);
  // the transpose: a tall matrix goes through X^T X and X Q
  const gt = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) gt[j * rows + i] = g[i * cols + j];
  const tall = gramNewtonSchulz(gt, cols, rows, new Float32Array(rows * cols));
  let tallError = 0;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) tallError = Math.max(tallError, Math.abs(tall[j * rows + i] - want[i * cols + j]));
  assert.ok(tallError < 1e-4 * largest, `tall: off by ${tallError}`);
});

test('orthogonalise takes the Gram form for a matrix twice as long as wide or more, where it does fewer multiply-adds', () => {
  const g = matrixWithSpread('choice', 8, 40).g;
  assert.equal(Array.from(orthogonalise(g, 8, 40, new Float32Array(320))), Array.from(gramNewtonSchulz(g, 8, 40, new Float32Array(320))));
  const square = matrixWithSpread('choice', 16, 16).g;
  assert.equal(Array.from(orthogonalise(square, 16, 16, new Float32Array(256))), Array.from(newtonSchulz(square, 16, 16, new Float32Array(256))));
  // the walkthrough's 96 x 384 MLP matrix: 40M multiply-adds the plain way, 27M the Gram way
  assert.equal(orthogonaliseMultiplyAdds(96, 384), 4 * 384 * 96 ** 2 + 14 * 96 ** 3);
  assert.equal(orthogonaliseMultiplyAdds(384, 96), orthogonaliseMultiplyAdds(96, 384));
  assert.ok(orthogonaliseMultiplyAdds(96, 384) < 10 * 384 * 96 ** 2 + 5 * 96 ** 3);
  assert.equal(orthogonaliseMultiplyAdds(96, 96), 15 * 96 ** 3);
});

/** The singular value s after the five Newton-Schulz iterations of the quintic. */
function quintic5(s: number): number {
  for (let i = 0; i < 5; i++) s = 3.4445 * s - 4.775 * s ** 3 + 2.0315 * s ** 5;
  return s;
}

test('a Muon step by hand on a rank-1 gradient: W(1 - lr*wd) - lr * 0.2*sqrt(max(rows, cols)) * f5(1) * u v^T', () => {
  const rows = 3;
  const cols = 4;
  const u = [1, 2, 2].map((x) => x / 3); // unit vectors
  const v = [1, 1, 1, 1].map((x) => x / 2);
  const grad = new Float32Array(rows * cols);
  for (let a = 0; a < rows; a++) for (let b = 0; b < cols; b++) grad[a * cols + b] = 7 * u[a] * v[b];
  const w0 = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i));
  const w = new Tensor(w0.slice(), [rows, cols], true);
  w.grad = grad;
  const opt = new Optimizer([{ params: [w], weightDecay: 0.1, muon: true }], { lr: 0.01 });
  opt.step();
  const buffer = opt.state.get(w)!.m;
  // a rank-1 matrix scaled to Frobenius norm 1 has the single singular value 1
  const x = quintic5(1);
  for (let a = 0; a < rows; a++) {
    for (let b = 0; b < cols; b++) {
      const i = a * cols + b;
      const want = w0[i] * (1 - 0.01 * 0.1) - 0.01 * 0.2 * Math.sqrt(4) * x * u[a] * v[b];
      assert.ok(Math.abs(w.data[i] - want) < 1e-5, `w[${a},${b}] = ${w.data[i]}, want ${want}`);
      assert.ok(Math.abs(buffer[i] - grad[i]) < 1e-6, 'the first step leaves the gradient in the momentum buffer');
    }
  }
});

test('an Optimizer with a muon group: that group takes Muon steps, the others Adam steps; only matrices allowed', () => {
  const w = tensor([[0.1, 0.2], [0.3, 0.4]], undefined, { requiresGrad: true });
  const b = tensor([0.5, -0.5], undefined, { requiresGrad: true });
  w.grad = Float32Array.from([1, 0, 0, 1]);
  b.grad = Float32Array.from([0.2, -3]);
  const opt = new Optimizer([{ params: [w], weightDecay: 0, muon: true }, { params: [b], weightDecay: 0 }], { lr: 0.01, betas: [0.9, 0.95] });
  opt.step();
  // the gradient I scaled to norm 1 is I / sqrt(2): both singular values 1 / sqrt(2)
  const step = 0.01 * 0.2 * Math.sqrt(2) * quintic5(Math.SQRT1_2);
  const wantW = [0.1 - step, 0.2, 0.3, 0.4 - step];
  wantW.forEach((want, i) => assert.ok(Math.abs(w.data[i] - want) < 1e-6, `w[${i}] = ${w.data[i]}, want ${want}`));
  // Adam's first step moves each coordinate by lr * sign(g)
  assert.ok(Math.abs(b.data[0] - (0.5 - 0.01)) < 1e-6 && Math.abs(b.data[1] - (-0.5 + 0.01)) < 1e-6);
  assert.throws(() => new Optimizer([{ params: [b], weightDecay: 0, muon: true }], { lr: 0.01 }), /only 2-d weight matrices/);
});

test.run();
