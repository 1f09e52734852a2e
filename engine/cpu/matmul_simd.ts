// The same blocked matmul as matmul.ts (read that first), with its micro-kernel in WebAssembly
// SIMD: a 4 x 8 tile of the output lives in 8 registers of four floats each, and every k step
// does 8 vector multiply-adds (32 multiply-adds) for 4 broadcast loads of A and 2 vector loads
// of B. Plain JavaScript cannot vectorise; this is where the speed comes from. Why 4 x 8 and not
// a bigger tile: x86 has 16 vector registers, and a 4 x 16 tile needs 21 (16 sums, 4 of B, one
// of A), so V8 spills some to memory in the innermost loop; 4 x 8 needs 11 and runs ~1.4x faster
// (bench/RESULTS.md). The order of every sum is k = 0, 1, 2, ... whatever the tile, so the tile
// changes the speed and not one bit of the result.
//
// Data flow: JavaScript copies A whole into the module's memory (one memcpy), B too, and the
// output's column block when the product adds into it; one call per block runs the macro-kernel,
// which adds into the copy of the output (or, for the first block of k of a product that does not
// add, writes it), and JavaScript copies the finished columns back into `out`. The kernel reads A
// and B through strides, so it can read A in place.
// A transposed A (the weight gradient X^T @ dY) is stored (K, M): its 4 rows at one k are next to
// each other, but one k is a whole row of M floats from the next, so it is copied in whole and each
// block of it is packed there into a (kc, mc) block, one contiguous piece per k (packTransposedA).
// A transposed B, whose 8 columns at one k are 8 rows apart, is copied in whole and packed into
// panels there (packTransposedB, what pack.ts's packB does in TypeScript). Both packs are
// functions of the module: pure copies, so the same bits, at a fraction of JavaScript's time.
import type { MatmulOptions } from '../kernels.ts';
import { buildModule, op, I32, V128 } from './wasm.ts';
import { matmul as matmulPlain } from './matmul.ts';

const MR = 4; // rows of the register tile
const NV = 2; // vectors of four floats per row of the tile
const NR = 4 * NV; // its columns
const KC = 256;
const MC = 96;
// NC: the widest column block. 2048 holds the walkthrough's whole vocabulary, so its lm_head's
// (B*T, 2048) output is one block, copied out whole: 512 cut it in four blocks copied out
// row by row, 20% slower for the same bits; shapes up to 1024 wide ran the same either way
const NC = 2048;

// memory layout (bytes): packed B | C, the (M x nc) column block of the output | A (or one packed
// block of a transposed A, then the transposed A) | B. All but the first grow with the operands.
const B_BASE = 0;
const C_BASE = B_BASE + KC * NC * 4;
const PAGES = Math.ceil((C_BASE + MC * NC * 4) / 65536);

/**
 * gemmBlock(mc, nc, kc, a, rsA, csA, b, rsB, csB, c, fresh): C[mc x nc] += A[mc x kc] @ B[kc x nc],
 * with mc a multiple of 4 and nc of 8; element (i, k) of A is at byte a + i*rsA + k*csA, element
 * (k, j) of B at b + k*rsB + j*csB for the first column of each group of 8 (the next 7 follow it);
 * C is row-major with row stride nc. fresh = 1: C = A @ B, the sums start at 0 and C is never read.
 *
 *   for jr in 0..nc step 8:  for ir in 0..mc step 4:
 *     acc[r][v] = fresh ? 0 : C[ir+r, jr+4v..]      r = 0..3 rows, v = 0..1 vectors of 4 columns
 *     for k in 0..kc:  b[v] = B[k, jr+4v..]; for r: acc[r][v] += splat(A[ir+r, k]) * b[v]
 *     C[ir+r, jr+4v..] = acc[r][v]
 *
 * fma: the update is one f32x4.relaxed_madd (relaxed SIMD: a fused multiply-add on CPUs that have
 * one) instead of an f32x4.mul and an f32x4.add: half the instructions in the innermost loop.
 *
 * Why fresh: a tile's first multiply-add waits for its sums, and loading them from a C that is not in
 * the cache (the lm_head's 96 x 2048 block, rows 8 KiB apart, which no prefetcher follows) stalled every
 * tile. Zeros in registers instead: the lm_head's forward 17 -> 11.5 ms on an Intel Xeon, the same bits
 * (0 + a*b is a*b, as it was when C held zeros).
 */
function gemmBlockBody(fma: boolean): number[] {
  // params 0..10: mc nc kc a rsA csA b rsB csB c fresh; i32 locals 11..16: jr ir k pa pb pc, then one
  // per row of A, its offset r*rsA (pa walks A's MR rows along k, pb B's NR columns, pc is the tile's
  // C address); v128 locals after them: the MR x NV accumulators, NV vectors of B, one splat of A
  const [mc, nc, kc, a, rsA, csA, b, rsB, csB, c, fresh, jr, ir, k, pa, pb, pc] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
  const rowOffset = (r: number) => 17 + r;
  const acc = (r: number, v: number) => 17 + MR + r * NV + v;
  const bv = (v: number) => 17 + MR + MR * NV + v;
  const splat = 17 + MR + MR * NV + NV;
  const code: number[] = [];
  const emit = (...ins: number[][]) => ins.forEach((i) => code.push(...i));

  for (let r = 0; r < MR; r++) emit(op.localGet(rsA), op.i32Const(r), op.i32Mul(), op.localSet(rowOffset(r)));
  emit(op.i32Const(0), op.localSet(jr));
  emit(op.loop()); // jr loop
  emit(op.i32Const(0), op.localSet(ir));
  emit(op.loop()); // ir loop
  // pc = c + (ir*nc + jr)*4 bytes; row r of the tile starts at pc + r*nc*4
  emit(op.localGet(c), op.localGet(ir), op.localGet(nc), op.i32Mul(), op.localGet(jr), op.i32Add(), op.i32Const(2), op.i32Shl(), op.i32Add(), op.localSet(pc));
  const rowOfC = (r: number) => [op.localGet(pc), op.localGet(nc), op.i32Const(4 * r), op.i32Mul(), op.i32Add()];
  // the sums start as C's tile, or (fresh) as zeros: block { block { br_if fresh; load; br 1 } zeros }
  emit(op.block(), op.block(), op.localGet(fresh), op.brIf(0));
  for (let r = 0; r < MR; r++) for (let v = 0; v < NV; v++) emit(...rowOfC(r), op.v128Load(16 * v), op.localSet(acc(r, v)));
  emit(op.br(1), op.end());
  for (let r = 0; r < MR; r++) for (let v = 0; v < NV; v++) emit(op.f32x4Const(0), op.localSet(acc(r, v)));
  emit(op.end());
  // pa = a + ir*rsA (A's rows ir..ir+MR-1 at k = 0); pb = b + jr*csB (B's columns jr..jr+NR-1 at k = 0)
  emit(op.localGet(a), op.localGet(ir), op.localGet(rsA), op.i32Mul(), op.i32Add(), op.localSet(pa));
  emit(op.localGet(b), op.localGet(jr), op.localGet(csB), op.i32Mul(), op.i32Add(), op.localSet(pb));
  emit(op.localGet(kc), op.localSet(k));
  emit(op.loop()); // k loop
  for (let v = 0; v < NV; v++) emit(op.localGet(pb), op.v128Load(16 * v), op.localSet(bv(v)));
  for (let r = 0; r < MR; r++) {
    // one float of A, loaded straight into all four lanes
    emit(op.localGet(pa), op.localGet(rowOffset(r)), op.i32Add(), op.v128Load32Splat(0), op.localSet(splat));
    for (let v = 0; v < NV; v++) {
      if (fma) emit(op.localGet(splat), op.localGet(bv(v)), op.localGet(acc(r, v)), op.f32x4RelaxedMadd(), op.localSet(acc(r, v)));
      else emit(op.localGet(acc(r, v)), op.localGet(splat), op.localGet(bv(v)), op.f32x4Mul(), op.f32x4Add(), op.localSet(acc(r, v)));
    }
  }
  emit(op.localGet(pa), op.localGet(csA), op.i32Add(), op.localSet(pa));
  emit(op.localGet(pb), op.localGet(rsB), op.i32Add(), op.localSet(pb));
  emit(op.localGet(k), op.i32Const(1), op.i32Sub(), op.localSet(k));
  emit(op.i32Const(0), op.localGet(k), op.i32LtU(), op.brIf(0)); // while (0 < k)
  emit(op.end());
  // store the tile back where it was loaded from
  for (let r = 0; r < MR; r++) for (let v = 0; v < NV; v++) emit(...rowOfC(r), op.localGet(acc(r, v)), op.v128Store(16 * v));
  emit(op.localGet(ir), op.i32Const(MR), op.i32Add(), op.localSet(ir));
  emit(op.localGet(ir), op.localGet(mc), op.i32LtU(), op.brIf(0)); // while (ir < mc)
  emit(op.end());
  emit(op.localGet(jr), op.i32Const(NR), op.i32Add(), op.localSet(jr));
  emit(op.localGet(jr), op.localGet(nc), op.i32LtU(), op.brIf(0)); // while (jr < nc)
  emit(op.end());
  return code;
}

/**
 * packTransposedB(src, rowBytes, nc, kc, dst): a transposed B's block into 8-column panels, as
 * pack.ts's packB does it in TypeScript: column j of the block (row j of the stored (N, K) matrix,
 * from byte src + j*rowBytes) goes to dst[(j/8 * kc + k) * 8 + j%8] for k < kc. A pure copy, so
 * the same bits; in WebAssembly it runs at a fraction of the TypeScript loop's ~2 ns an element.
 * The caller zeroes a last panel of fewer than 8 columns first.
 */
function packTransposedBBody(): number[] {
  const [src, rowBytes, nc, kc, dst, col, k, ps, pd] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const code: number[] = [];
  const emit = (...ins: number[][]) => ins.forEach((i) => code.push(...i));
  emit(op.i32Const(0), op.localSet(col));
  emit(op.loop()); // col loop
  emit(op.localGet(src), op.localGet(col), op.localGet(rowBytes), op.i32Mul(), op.i32Add(), op.localSet(ps));
  // pd = dst + (col >> 3) * kc * 32 + (col & 7) * 4
  emit(op.localGet(dst), op.localGet(col), op.i32Const(3), op.i32ShrU(), op.localGet(kc), op.i32Mul(), op.i32Const(5), op.i32Shl(), op.i32Add());
  emit(op.localGet(col), op.i32Const(7), op.i32And(), op.i32Const(2), op.i32Shl(), op.i32Add(), op.localSet(pd));
  emit(op.localGet(kc), op.localSet(k));
  emit(op.loop()); // k loop: one float from the column's row into its panel, 8 floats apart
  emit(op.localGet(pd), op.localGet(ps), op.f32Load(0), op.f32Store(0));
  emit(op.localGet(ps), op.i32Const(4), op.i32Add(), op.localSet(ps));
  emit(op.localGet(pd), op.i32Const(4 * NR), op.i32Add(), op.localSet(pd));
  emit(op.localGet(k), op.i32Const(1), op.i32Sub(), op.localSet(k));
  emit(op.i32Const(0), op.localGet(k), op.i32LtU(), op.brIf(0)); // while (0 < k)
  emit(op.end());
  emit(op.localGet(col), op.i32Const(1), op.i32Add(), op.localSet(col));
  emit(op.localGet(col), op.localGet(nc), op.i32LtU(), op.brIf(0)); // while (col < nc)
  emit(op.end());
  return code;
}

/**
 * packTransposedA(src, rowBytes, vectors, kc, dst): a transposed A's block into a (kc, mcPad)
 * block: for each k < kc, `vectors` groups of four floats from byte src + k*rowBytes (row pc + k
 * of the stored (K, M) matrix, from column ic) to dst + k*vectors*16. A pure copy. The last group
 * may read up to 3 floats past the block's mc; they land in padding rows, whose sums are never
 * copied out.
 */
function packTransposedABody(): number[] {
  const [src, rowBytes, vectors, kc, dst, k, v, ps, pd] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const code: number[] = [];
  const emit = (...ins: number[][]) => ins.forEach((i) => code.push(...i));
  emit(op.localGet(dst), op.localSet(pd), op.localGet(kc), op.localSet(k));
  emit(op.loop()); // k loop
  emit(op.localGet(src), op.localSet(ps), op.localGet(vectors), op.localSet(v));
  emit(op.loop()); // the row's vectors, one after the other
  emit(op.localGet(pd), op.localGet(ps), op.v128Load(0), op.v128Store(0));
  emit(op.localGet(ps), op.i32Const(16), op.i32Add(), op.localSet(ps));
  emit(op.localGet(pd), op.i32Const(16), op.i32Add(), op.localSet(pd));
  emit(op.localGet(v), op.i32Const(1), op.i32Sub(), op.localSet(v));
  emit(op.i32Const(0), op.localGet(v), op.i32LtU(), op.brIf(0)); // while (0 < v)
  emit(op.end());
  emit(op.localGet(src), op.localGet(rowBytes), op.i32Add(), op.localSet(src));
  emit(op.localGet(k), op.i32Const(1), op.i32Sub(), op.localSet(k));
  emit(op.i32Const(0), op.localGet(k), op.i32LtU(), op.brIf(0)); // while (0 < k)
  emit(op.end());
  return code;
}

export interface SimdModule {
  gemmBlock: (mc: number, nc: number, kc: number, a: number, rsA: number, csA: number, b: number, rsB: number, csB: number, c: number, fresh: 0 | 1) => void;
  packTransposedA: (src: number, rowBytes: number, vectors: number, kc: number, dst: number) => void;
  packTransposedB: (src: number, rowBytes: number, nc: number, kc: number, dst: number) => void;
  memory: WebAssembly.Memory;
  heap: Float32Array;
}

/** The kernel as a module, or null where this runtime cannot run it (no SIMD, or no relaxed SIMD for fma). */
function instantiate(fma: boolean): SimdModule | null {
  try {
    const params = new Array(11).fill(I32);
    const bytes = buildModule([
      { exportName: 'gemmBlock', params, locals: [[6 + MR, I32], [MR * NV + NV + 1, V128]], body: gemmBlockBody(fma) },
      { exportName: 'packTransposedB', params: [I32, I32, I32, I32, I32], locals: [[4, I32]], body: packTransposedBBody() },
      { exportName: 'packTransposedA', params: [I32, I32, I32, I32, I32], locals: [[4, I32]], body: packTransposedABody() },
    ], PAGES);
    if (!WebAssembly.validate(bytes)) return null;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    const memory = instance.exports.memory as WebAssembly.Memory;
    const e = instance.exports;
    return {
      gemmBlock: e.gemmBlock as SimdModule['gemmBlock'], packTransposedA: e.packTransposedA as SimdModule['packTransposedA'],
      packTransposedB: e.packTransposedB as SimdModule['packTransposedB'], memory, heap: new Float32Array(memory.buffer),
    };
  } catch {
    return null; // no WebAssembly SIMD here: callers fall back to the plain kernel
  }
}

// Relaxed SIMD is on by default in Node 22+ and Chrome 114+; Node 20 has it behind a V8 flag,
// which the npm scripts set (scripts/node_flags.ts). Where it is missing, the plain SIMD kernel runs.
const plainSimd = instantiate(false);
const fmaSimd = instantiate(true);
const simd = fmaSimd ?? plainSimd;

/** The module matmulSimd runs, or null without SIMD: for kernels that keep their operands in its
 * memory between products (packed_attention_simd.ts). A matmulSimd call overwrites that memory. */
export const simdModule: SimdModule | null = simd;

/** Fewer rows than this run matmul.ts: padding them to the 4-row tile would cost more than it saves. */
export const SIMD_MIN_ROWS = 8;

/** Whether this runtime runs a SIMD kernel (Node 16.4+ does). */
export const simdAvailable = simd !== null;

/** Which micro-kernel matmulSimd runs here: for the logs and the bench. */
export const simdKernel: 'wasm-simd-fma' | 'wasm-simd' | 'typescript' = fmaSimd !== null ? 'wasm-simd-fma' : plainSimd !== null ? 'wasm-simd' : 'typescript';

/** Room for `floats` floats from byte 0; growing the memory replaces its buffer, so the view is remade. */
export function reserve(m: SimdModule, floats: number): void {
  if (floats * 4 <= m.memory.buffer.byteLength) return;
  m.memory.grow(Math.ceil((floats * 4 - m.memory.buffer.byteLength) / 65536));
  m.heap = new Float32Array(m.memory.buffer);
}

/** C = A @ B with the fastest micro-kernel this runtime has (simdKernel says which). */
export function matmulSimd(a: Float32Array, b: Float32Array, out: Float32Array, M: number, N: number, K: number, opts: MatmulOptions = {}): void {
  blockedMatmul(simd, a, b, out, M, N, K, opts);
}

/** The same with the plain SIMD micro-kernel (multiply, then add), whether or not FMA is here: for tests and the bench. */
export function matmulSimdNoFma(a: Float32Array, b: Float32Array, out: Float32Array, M: number, N: number, K: number, opts: MatmulOptions = {}): void {
  blockedMatmul(plainSimd, a, b, out, M, N, K, opts);
}

function blockedMatmul(simd: SimdModule | null, a: Float32Array, b: Float32Array, out: Float32Array, M: number, N: number, K: number, opts: MatmulOptions): void {
  if (simd === null || M < SIMD_MIN_ROWS) {
    matmulPlain(a, b, out, M, N, K, opts);
    return;
  }
  const transA = opts.transA ?? false;
  const transB = opts.transB ?? false;
  if (K === 0) {
    if (!opts.accumulate) out.fill(0, 0, M * N);
    return;
  }
  // A is (M, K) row-major: element (i, k) at i*K + k; or (K, M) when transA: at k*M + i
  const mPad = Math.ceil(M / MR) * MR;
  const c0 = C_BASE / 4;
  const a0 = c0 + mPad * Math.ceil(Math.min(N, NC) / NR) * NR;
  // A in place: the padding rows of the last tile read up to 3 rows past it. A transposed A takes
  // one packed block, then the stored (K, M) matrix, whose last pack reads up to 3 floats past it.
  // The padding columns read up to 7 floats past B. Zeros there, and their sums are never copied out.
  const aT0 = a0 + MC * KC; // the stored transposed A
  const aEnd = transA ? aT0 + K * M : a0 + M * K;
  const aSlack = transA ? 4 : (mPad - M) * K;
  const b0 = aEnd + aSlack;
  const bEnd = b0 + K * N;
  reserve(simd, bEnd + NR);
  const heap = simd.heap;
  heap.set(a.subarray(0, M * K), transA ? aT0 : a0);
  heap.fill(0, aEnd, aEnd + aSlack);
  heap.set(b.subarray(0, K * N), b0); // B, or the stored (N, K) of a transposed B, which the module packs
  heap.fill(0, bEnd, bEnd + NR);
  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    const ncPad = Math.ceil(nc / NR) * NR;
    // adding into out: C starts as its copy; else the first block of k writes C (fresh) and the rest add
    const accumulate = opts.accumulate ?? false;
    if (accumulate) loadC(heap, c0, out, M, N, jc, nc, ncPad);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      // B's block packed into 8-column panels, 8 floats apart per k and kc*8 per panel, is read by
      // the kernel in order. B^T (N, K) is always packed (packTransposedB). B (K, N) row-major can be
      // read in place, a row of N apart per k, but rows 2 KiB apart (N = 512) share cache sets and ran
      // 20-50% slower, so it is packed too (each panel kc rows of 8 floats, packTransposedA's copy)
      // where three or more row blocks read it; for fewer (attention's 128-row heads) packing cost more.
      const packB = transB || M > 2 * MC;
      if (transB) {
        const full = Math.floor(nc / NR);
        if (full * NR < nc) heap.fill(0, B_BASE / 4 + full * kc * NR, B_BASE / 4 + (full + 1) * kc * NR); // the last panel's missing columns
        simd.packTransposedB((b0 + jc * K + pc) * 4, K * 4, nc, kc, B_BASE);
      } else if (packB) {
        // a last panel of fewer than 8 columns reads on into the next row (or B's zeroed slack): padding columns
        for (let p = 0; p < ncPad / NR; p++) simd.packTransposedA((b0 + pc * N + jc + p * NR) * 4, N * 4, NV, kc, B_BASE + p * kc * NR * 4);
      }
      const [bBlock, rsB, csB] = packB ? [B_BASE, NR * 4, kc * 4] : [(b0 + pc * N + jc) * 4, N * 4, 4];
      const fresh = !accumulate && pc === 0 ? 1 : 0;
      for (let ic = 0; ic < M; ic += MC) {
        const mcPad = Math.ceil(Math.min(MC, M - ic) / MR) * MR;
        const cBlock = C_BASE + ic * ncPad * 4;
        if (transA) {
          // rows pc.. of the stored A, columns ic..ic+mcPad, into a (kc, mcPad) block at a0
          simd.packTransposedA((aT0 + pc * M + ic) * 4, M * 4, mcPad / 4, kc, a0 * 4);
          simd.gemmBlock(mcPad, ncPad, kc, a0 * 4, 4, mcPad * 4, bBlock, rsB, csB, cBlock, fresh);
        } else {
          const aBlock = (a0 + ic * K + pc) * 4; // byte address of A(ic, pc)
          simd.gemmBlock(mcPad, ncPad, kc, aBlock, K * 4, 4, bBlock, rsB, csB, cBlock, fresh);
        }
      }
    }
    storeC(heap, c0, out, M, N, jc, nc, ncPad);
  }
}

/** C (M x ncPad, at c0) = out[:, jc..jc+nc], to add into. Padding rows and columns keep whatever they
 * held: every output is its own sum, and those are never copied out. */
function loadC(heap: Float32Array, c0: number, out: Float32Array, M: number, N: number, jc: number, nc: number, ncPad: number): void {
  if (nc === N && ncPad === N) {
    heap.set(out.subarray(0, M * N), c0); // the whole output, already in C's layout
    return;
  }
  for (let i = 0; i < M; i++) heap.set(out.subarray(i * N + jc, i * N + jc + nc), c0 + i * ncPad);
}

/** out[:, jc..jc+nc] = C's valid part. */
function storeC(heap: Float32Array, c0: number, out: Float32Array, M: number, N: number, jc: number, nc: number, ncPad: number): void {
  if (nc === N && ncPad === N) {
    out.set(heap.subarray(c0, c0 + M * N));
    return;
  }
  for (let i = 0; i < M; i++) out.set(heap.subarray(c0 + i * ncPad, c0 + i * ncPad + nc), i * N + jc);
}
