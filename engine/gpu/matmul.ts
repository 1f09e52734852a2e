// Tiled matmul on GPU.js:  C (M x N) [+]= op(A) (M x K) @ op(B) (K x N).
//
// GPU.js has no shared memory, so the tiling it allows is in registers: each thread computes a
// 1 x 4 tile of C (one row i, four columns j0..j0+3) and returns the four sums as a vec4. The
// A value of each step k is read once and used four times, and the four columns are written out
// by hand (the unrolled loop). Columns past N repeat the last one and are dropped on readback.
//
// transA / transB read A as (K, M) or B as (N, K) in place, for the backward products
//   dA = dC B^T  and  dB = A^T dC,  with no transpose ever made. They are compile-time constants:
// one shader per combination, branch-free inside the loop.
import type { GPU, IKernelRunShortcut } from 'gpu.js';
import type { MatmulOptions } from '../kernels.ts';
import { makeKernel, runKernel } from './device.ts';

interface TileThis {
  thread: { x: number };
  constants: { transA: number; transB: number };
}

function matmulTile(this: TileThis, a: number[], b: number[], c: number[], M: number, N: number, K: number, NT: number, accumulate: number): number[] {
  const i = Math.floor((this.thread.x + 0.5) / NT); // +0.5 keeps float division off the row boundary
  const j0 = (this.thread.x - i * NT) * 4;
  const j1 = Math.min(j0 + 1, N - 1);
  const j2 = Math.min(j0 + 2, N - 1);
  const j3 = Math.min(j0 + 3, N - 1);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let k = 0; k < K; k++) {
    let av = a[i * K + k];
    if (this.constants.transA === 1) av = a[k * M + i];
    if (this.constants.transB === 1) {
      s0 += av * b[j0 * K + k];
      s1 += av * b[j1 * K + k];
      s2 += av * b[j2 * K + k];
      s3 += av * b[j3 * K + k];
    } else {
      s0 += av * b[k * N + j0];
      s1 += av * b[k * N + j1];
      s2 += av * b[k * N + j2];
      s3 += av * b[k * N + j3];
    }
  }
  if (accumulate === 1) {
    s0 += c[i * N + j0];
    s1 += c[i * N + j1];
    s2 += c[i * N + j2];
    s3 += c[i * N + j3];
  }
  return [s0, s1, s2, s3];
}

const NO_C = new Float32Array(1);

export function makeMatmul(gpu: GPU) {
  const kernels = new Map<string, IKernelRunShortcut>();
  return function matmul(a: Float32Array, b: Float32Array, out: Float32Array, M: number, N: number, K: number, opts: MatmulOptions = {}): void {
    if (M === 0 || N === 0) return;
    const transA = opts.transA ? 1 : 0;
    const transB = opts.transB ? 1 : 0;
    const key = `${transA}${transB}`;
    if (!kernels.has(key)) kernels.set(key, makeKernel(gpu, matmulTile, 'Array(4)', { transA, transB }));
    const NT = Math.ceil(N / 4);
    const tiles = runKernel<Float32Array[]>(kernels.get(key)!, M * NT, a, b, opts.accumulate ? out : NO_C, M, N, K, NT, opts.accumulate ? 1 : 0);
    for (let i = 0; i < M; i++) {
      for (let t = 0; t < NT; t++) {
        const tile = tiles[i * NT + t];
        const j = t * 4;
        for (let c = 0; c < 4 && j + c < N; c++) out[i * N + j + c] = tile[c];
      }
    }
  };
}
