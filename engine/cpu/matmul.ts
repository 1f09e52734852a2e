// Matrix multiply on the CPU, the way BLAS libraries do it (Goto's algorithm), in plain TypeScript:
//
//   out[M,N] (+)= A[M,K] @ B[K,N]
//
// 1. Cut K and N into blocks so one packed block of B (KC x NC) stays in cache while it is reused
//    for every row of A.
// 2. Pack (pack.ts): copy a block of B into column panels of NR and a block of A into row panels
//    of MR, so the innermost loop reads both with unit stride. Packing is also where transposes
//    are handled, so A^T @ B and A @ B^T cost the same as A @ B.
// 3. The micro-kernel keeps an MR x NR tile of out in local variables (registers) and streams one
//    column of the A panel and one row of the B panel per k: 4*8 = 32 multiply-adds per 12 loads.
import type { MatmulOptions } from '../kernels.ts';
import { packA, packB } from './pack.ts';

const MR = 4;
const NR = 8;
const KC = 256;
const MC = 96;
const NC = 512;

const packedA = new Float32Array(MC * KC);
const packedB = new Float32Array(KC * NC);

export function matmul(a: Float32Array, b: Float32Array, out: Float32Array, M: number, N: number, K: number, opts: MatmulOptions = {}): void {
  const transA = opts.transA ?? false;
  const transB = opts.transB ?? false;
  if (!opts.accumulate) out.fill(0, 0, M * N);
  if (K === 0) return;
  if (M <= FEW_ROWS && !transA) {
    matmulFewRows(a, b, out, M, N, K, transB);
    return;
  }
  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      packB(packedB, 0, NR, b, transB, pc, jc, kc, nc, K, N);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        packA(packedA, 0, MR, a, transA, ic, pc, mc, kc, M, K);
        for (let jr = 0; jr < nc; jr += NR) {
          for (let ir = 0; ir < mc; ir += MR) {
            microKernel(kc, ir * kc, jr * kc, out, (ic + ir) * N + jc + jr, N, Math.min(MR, mc - ir), Math.min(NR, nc - jr));
          }
        }
      }
    }
  }
}

const edgeTile = new Float64Array(MR * NR);

/** out[tile] += packedA panel (MR x kc) @ packedB panel (kc x NR), 32 accumulators in registers. */
function microKernel(kc: number, aOff: number, bOff: number, out: Float32Array, outOff: number, ldo: number, rows: number, cols: number): void {
  const A = packedA;
  const B = packedB;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c06 = 0, c07 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0, c16 = 0, c17 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c24 = 0, c25 = 0, c26 = 0, c27 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0, c34 = 0, c35 = 0, c36 = 0, c37 = 0;
  let ai = aOff;
  let bi = bOff;
  for (let k = 0; k < kc; k++, ai += MR, bi += NR) {
    const a0 = A[ai], a1 = A[ai + 1], a2 = A[ai + 2], a3 = A[ai + 3];
    const b0 = B[bi], b1 = B[bi + 1], b2 = B[bi + 2], b3 = B[bi + 3];
    const b4 = B[bi + 4], b5 = B[bi + 5], b6 = B[bi + 6], b7 = B[bi + 7];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3; c04 += a0 * b4; c05 += a0 * b5; c06 += a0 * b6; c07 += a0 * b7;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3; c14 += a1 * b4; c15 += a1 * b5; c16 += a1 * b6; c17 += a1 * b7;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3; c24 += a2 * b4; c25 += a2 * b5; c26 += a2 * b6; c27 += a2 * b7;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3; c34 += a3 * b4; c35 += a3 * b5; c36 += a3 * b6; c37 += a3 * b7;
  }
  if (rows === MR && cols === NR) {
    let o = outOff;
    out[o] += c00; out[o + 1] += c01; out[o + 2] += c02; out[o + 3] += c03; out[o + 4] += c04; out[o + 5] += c05; out[o + 6] += c06; out[o + 7] += c07;
    o += ldo;
    out[o] += c10; out[o + 1] += c11; out[o + 2] += c12; out[o + 3] += c13; out[o + 4] += c14; out[o + 5] += c15; out[o + 6] += c16; out[o + 7] += c17;
    o += ldo;
    out[o] += c20; out[o + 1] += c21; out[o + 2] += c22; out[o + 3] += c23; out[o + 4] += c24; out[o + 5] += c25; out[o + 6] += c26; out[o + 7] += c27;
    o += ldo;
    out[o] += c30; out[o + 1] += c31; out[o + 2] += c32; out[o + 3] += c33; out[o + 4] += c34; out[o + 5] += c35; out[o + 6] += c36; out[o + 7] += c37;
    return;
  }
  // edge tile: write through a scratch tile and copy the valid part
  const t = edgeTile;
  t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03; t[4] = c04; t[5] = c05; t[6] = c06; t[7] = c07;
  t[8] = c10; t[9] = c11; t[10] = c12; t[11] = c13; t[12] = c14; t[13] = c15; t[14] = c16; t[15] = c17;
  t[16] = c20; t[17] = c21; t[18] = c22; t[19] = c23; t[20] = c24; t[21] = c25; t[22] = c26; t[23] = c27;
  t[24] = c30; t[25] = c31; t[26] = c32; t[27] = c33; t[28] = c34; t[29] = c35; t[30] = c36; t[31] = c37;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[outOff + i * ldo + j] += t[i * NR + j];
  }
}

const FEW_ROWS = 8;

/**
 * Few rows of A (decoding one token per sequence): packing B would cost as much as the product,
 * so multiply in place. A @ B^T is a dot product of two contiguous rows (four columns at a time,
 * sharing the loads of A); A @ B adds scaled rows of B into the output row.
 */
function matmulFewRows(a: Float32Array, b: Float32Array, out: Float32Array, M: number, N: number, K: number, transB: boolean): void {
  for (let i = 0; i < M; i++) {
    const ai = i * K;
    const oi = i * N;
    if (transB) {
      let j = 0;
      for (; j + 4 <= N; j += 4) {
        const b0 = j * K, b1 = b0 + K, b2 = b1 + K, b3 = b2 + K;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let k = 0; k < K; k++) {
          const x = a[ai + k];
          s0 += x * b[b0 + k]; s1 += x * b[b1 + k]; s2 += x * b[b2 + k]; s3 += x * b[b3 + k];
        }
        out[oi + j] += s0; out[oi + j + 1] += s1; out[oi + j + 2] += s2; out[oi + j + 3] += s3;
      }
      for (; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[ai + k] * b[j * K + k];
        out[oi + j] += s;
      }
    } else {
      for (let k = 0; k < K; k++) {
        const x = a[ai + k];
        const bk = k * N;
        for (let j = 0; j < N; j++) out[oi + j] += x * b[bk + j];
      }
    }
  }
}

/** The textbook triple loop (i-k-j order), kept as the reference the tests and benchmarks compare against. */
export function matmulNaive(a: Float32Array, b: Float32Array, out: Float32Array, M: number, N: number, K: number): void {
  out.fill(0, 0, M * N);
  for (let i = 0; i < M; i++) {
    for (let k = 0; k < K; k++) {
      const aik = a[i * K + k];
      for (let j = 0; j < N; j++) out[i * N + j] += aik * b[k * N + j];
    }
  }
}
