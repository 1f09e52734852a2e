import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import { tensor, Optimizer, Tensor } from './index.ts';
import { newtonSchulz } from './muon.ts';

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

for (const [rows, cols] of [[12, 20], [20, 12], [16, 16]]) {
  test(`newtonSchulz keeps a ${rows}x${cols} matrix's singular vectors and pushes its singular values near 1`, () => {
    const rng = seedrandom(`ns${rows}x${cols}`);
    const r = Math.min(rows, cols);
    const p = orthonormal(rng, r, rows);
    const q = orthonormal(rng, r, cols);
    const s = Array.from({ length: r }, (_, i) => 0.5 + (4.5 * i) / (r - 1)); // 0.5 .. 5: a spread of 10x
    // G = sum_i s_i p_i q_i^T
    const g = new Float32Array(rows * cols);
    for (let i = 0; i < r; i++) for (let a = 0; a < rows; a++) for (let b = 0; b < cols; b++) g[a * cols + b] += s[i] * p[i][a] * q[i][b];
    const o = newtonSchulz(g, rows, cols, new Float32Array(rows * cols));
    for (let i = 0; i < r; i++) {
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
