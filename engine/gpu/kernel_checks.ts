// Every GPU.js kernel against its CPU twin on random inputs of odd sizes: the checks themselves,
// without a test runner, so that engine/gpu/kernels.test.ts (Node, every GPU.js mode) and the
// browser test (the page's WebGL) run the same ones. A check throws an Error saying what differs.
import type { Kernels } from '../kernels.ts';
import { makeRng } from '../random.ts';
import { relError } from '../ops/testing.ts';

export interface KernelCheck {
  name: string;
  run: () => void;
}

const assert = {
  is(got: unknown, want: unknown, what = ''): void {
    if (got !== want) throw new Error(`${what}: got ${String(got)}, want ${String(want)}`);
  },
  ok(cond: boolean, what: string): void {
    if (!cond) throw new Error(what);
  },
};

/** The checks of `gpu` against `cpuKernels` (the engine's CPU twins), their inputs from one seeded stream. */
export function kernelChecks(gpu: Kernels, cpuKernels: Kernels, seed = 'gpu-kernels'): KernelCheck[] {
  const rng = makeRng(seed);
  const rand = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (rng() - 0.5) * 2 * scale);
  const close = (name: string, got: Float32Array, want: Float32Array, tol = 1e-4): void => {
    assert.is(got.length, want.length, name);
    const e = relError(got, want);
    assert.ok(e <= tol && Number.isFinite(e), `${name}: relative error ${e.toExponential(2)}`);
  };
  return [
    { name: `tiled matmul, all four transpose forms, with and without accumulate`, run: () => {
      for (const [M, N, K] of [[37, 24, 19], [5, 7, 3], [64, 130, 33], [1, 1, 1]]) {
        for (const transA of [false, true]) {
          for (const transB of [false, true]) {
            for (const accumulate of [false, true]) {
              const a = rand(M * K);
              const b = rand(K * N);
              const init = rand(M * N);
              const got = accumulate ? new Float32Array(init) : rand(M * N); // non-accumulating must overwrite
              const want = accumulate ? new Float32Array(init) : new Float32Array(M * N);
              gpu.matmul(a, b, got, M, N, K, { transA, transB, accumulate });
              cpuKernels.matmul(a, b, want, M, N, K, { transA, transB, accumulate });
              close(`matmul ${M}x${N}x${K} transA=${transA} transB=${transB} accumulate=${accumulate}`, got, want);
            }
          }
        }
      }
    } },

    { name: `causal attention forward and backward (BH=3, D=24; Tq x Tk = 37x37, 5x5, 9x30 (queries after a 21-row prefix), 41x41: stage outputs shrink and grow), and decoding with a KV window`, run: () => {
      const [BH, D] = [3, 24];
      for (const [Tq, Tk] of [[37, 37], [5, 5], [9, 30], [41, 41]]) {
        const q = rand(BH * Tq * D);
        const k = rand(BH * Tk * D);
        const v = rand(BH * Tk * D);
        const dout = rand(BH * Tq * D);
        const run = (kern: Kernels) => {
          const out = new Float32Array(BH * Tq * D);
          const probs = new Float32Array(BH * Tq * Tk);
          kern.attentionForward(q, k, v, out, probs, BH, Tq, Tk, D, Tk);
          // accumulated into: dq (BH, Tq, D), dk and dv (BH, Tk, D)
          const grads = [Tq, Tk, Tk].map((T, s) => Float32Array.from({ length: BH * T * D }, (_, i) => ((i * (s + 3)) % 7) / 7 - 0.4));
          kern.attentionBackward(dout, q, k, v, probs, grads[0], grads[1], grads[2], BH, Tq, Tk, D);
          return { out, probs, grads };
        };
        const got = run(gpu);
        const want = run(cpuKernels);
        const at = `Tq=${Tq} Tk=${Tk}`;
        close(`attention out ${at}`, got.out, want.out);
        close(`attention probs ${at}`, got.probs, want.probs);
        ['dq', 'dk', 'dv'].forEach((name, i) => close(`attention ${name} ${at}`, got.grads[i], want.grads[i]));
      }
      // 3 new queries against a cache window of 11 of 16 rows: query i sees keys j <= i + 8
      const [Tq, Tk, stride] = [3, 11, 16];
      const q2 = rand(BH * Tq * D);
      const k2 = rand(BH * stride * D);
      const v2 = rand(BH * stride * D);
      const outs = [gpu, cpuKernels].map((kern) => {
        const out = new Float32Array(BH * Tq * D);
        kern.attentionForward(q2, k2, v2, out, null, BH, Tq, Tk, D, stride);
        return out;
      });
      close('attention with a KV window', outs[0], outs[1]);
    } },

    { name: `layerNorm forward and backward (C=24, rows 37, 6, 45, 37), with and without bias`, run: () => {
      const C = 24;
      for (const [rows, withBias] of [[37, true], [6, false], [45, true], [37, false]] as const) {
        const x = rand(rows * C, 3);
        const w = rand(C);
        const b = withBias ? rand(C) : null;
        const dout = rand(rows * C);
        const run = (kern: Kernels) => {
          const out = new Float32Array(rows * C);
          const mean = new Float32Array(rows);
          const rstd = new Float32Array(rows);
          kern.layerNormForward(x, w, b, out, mean, rstd, rows, C, 1e-5);
          const dx = Float32Array.from({ length: rows * C }, (_, i) => (i % 5) * 0.1);
          const dw = Float32Array.from({ length: C }, (_, i) => (i % 3) * 0.2);
          const db = withBias ? Float32Array.from({ length: C }, (_, i) => (i % 4) * 0.3) : null;
          kern.layerNormBackward(dout, x, w, mean, rstd, dx, dw, db, rows, C);
          return { out, mean, rstd, dx, dw, db };
        };
        const got = run(gpu);
        const want = run(cpuKernels);
        for (const key of ['out', 'mean', 'rstd', 'dx', 'dw'] as const) close(`layerNorm ${key} (rows ${rows}, bias ${withBias})`, got[key], want[key]);
        if (withBias) close('layerNorm db', got.db!, want.db!);
      }
    } },

    { name: `unscale + finite check in one pass`, run: () => {
      const g = rand(1001, 1000);
      const want = new Float32Array(g);
      const got = new Float32Array(g);
      assert.is(gpu.unscaleGradients(got, 1 / 65536), false);
      assert.is(cpuKernels.unscaleGradients(want, 1 / 65536), false);
      close('unscaled gradients', got, want, 1e-6);
      for (const bad of [Infinity, -Infinity, NaN]) {
        const h = rand(37);
        h[20] = bad;
        assert.is(gpu.unscaleGradients(h, 0.5), true, `found ${bad}`);
      }
    } },
  ];
}
