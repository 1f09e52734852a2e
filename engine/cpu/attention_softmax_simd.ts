// Attention's causal softmax and its backward (attention.ts's softmaxCausalRow and
// softmaxBackwardRow: read those first), every row of a head in one call, four floats at a time
// in WebAssembly SIMD. Why: the loops call Math.exp once per score, ~12 ns each, and the
// walkthrough's language-model step has 4 million scores a step; that was ~7% of the step.
//
// The functions work in the memory of the SIMD matmul's module (this module imports it), so that
// packed_attention_simd.ts runs them where its products leave S and dP, with no copies; for rows in
// JavaScript memory (attention.ts) the rows are copied in and back, one memcpy each.
//
// Row i of a head (counting from 0) sees its first n0 + i keys: that is causality. Rows are
// `stride` floats apart, a multiple of 4, so every vector of a row stays inside the row. A lane at
// or past a row's n is masked (a lane index compared with n): it takes no part in the max or the
// sums and ends as exactly 0, as the loops leave it.
//
//   forward:   P_j = exp((S_j - max S) * scale) / sum_j exp((S_j - max S) * scale)    j < n
//   backward:  dS_j = P_j (dP_j - sum_j P_j dP_j) * scale                               j < n
//
// Rounding: float32 throughout, each sum in four lanes added at the end, where the loops compute
// in float64 and round on store; e^x is exp_simd.ts's. The probabilities agree with the loops to a
// few parts in 10^7 (the tests say how closely), not bit for bit.
import { instantiateOnMemory, op, I32, F32, V128 } from './wasm.ts';
import { expInstructions } from './exp_simd.ts';
import { vectorLoop, rowLoop, load, at, laneSum, laneMax, zero, addInto } from './elementwise_simd.ts';
import type { Code } from './elementwise_simd.ts';
import { simdModule, reserve } from './matmul_simd.ts';
import type { SimdModule } from './matmul_simd.ts';

/** Lanes of the vector at byte i that lie before the row's n: an i32x4 mask from idx (the lanes' columns) < nv. */
const beforeN = (idx: number, nv: number): Code => [op.localGet(idx), op.localGet(nv), op.i32x4LtS()];

/** vectorLoop over the row's first nEnd bytes, with idx holding the current vector's four column numbers. */
function maskedLoop(i: number, nEnd: number, idx: number, body: Code): Code {
  return [op.i32x4Lanes(0, 1, 2, 3), op.localSet(idx),
    ...vectorLoop(i, nEnd, [...body, op.localGet(idx), op.i32x4Const(4), op.i32x4Add(), op.localSet(idx)])];
}

/** Zeros from byte nEnd of the row at px up to rowBytes (none when nEnd reaches it). */
function zeroTail(px: number, i: number, nEnd: number, rowBytes: number): Code {
  return [op.localGet(nEnd), op.localSet(i), op.block(), op.loop(),
    op.localGet(i), op.localGet(rowBytes), op.i32GeU(), op.brIf(1),
    ...at(px, i), op.f32x4Const(0), op.v128Store(0),
    op.localGet(i), op.i32Const(16), op.i32Add(), op.localSet(i), op.br(0),
    op.end(), op.end()];
}

/** At the start of each row: nEnd = the bytes of the vectors that hold its n columns, nv = n in four lanes. */
const rowStart = (n: number, nEnd: number, nv: number): Code => [
  op.localGet(n), op.i32Const(2), op.i32Shl(), op.i32Const(15), op.i32Add(), op.i32Const(-16), op.i32And(), op.localSet(nEnd),
  op.localGet(n), op.i32x4Splat(), op.localSet(nv)];

/** causalSoftmax(p, rows, rowBytes, n0, scale): each row of S at p, in place, becomes P (the maths above). */
function causalSoftmaxBody(): Code {
  const [p, rows, rowBytes, n0, scale] = [0, 1, 2, 3, 4]; // params (scale is f32)
  const [r, i, px, n, nEnd] = [5, 6, 7, 8, 9]; // i32
  const [m, s] = [10, 11]; // f32
  const [acc, mv, v, tmp, e, idx, nv, sc] = [12, 13, 14, 15, 16, 17, 18, 19]; // v128
  return [op.localGet(p), op.localSet(px), op.localGet(n0), op.localSet(n), op.localGet(scale), op.f32x4Splat(), op.localSet(sc),
    ...rowLoop(r, rows, [
      ...rowStart(n, nEnd, nv),
      // the max over the row's n scores (pmax, x86's maxps: a NaN is passed over here, as the loop does, and makes the sum NaN below)
      op.f32x4Const(-Infinity), op.localSet(acc),
      ...maskedLoop(i, nEnd, idx, [op.localGet(acc), ...load(px, i), op.f32x4Const(-Infinity), ...beforeN(idx, nv), op.v128Bitselect(),
        op.f32x4Pmax(), op.localSet(acc)]),
      ...laneMax(acc), op.localTee(m), op.f32x4Splat(), op.localSet(mv),
      // e = exp((S - max) * scale) in place (0 past n), and its sum
      ...zero(acc),
      ...maskedLoop(i, nEnd, idx, [...load(px, i), op.localGet(mv), op.f32x4Sub(), op.localGet(sc), op.f32x4Mul(), op.localSet(v),
        ...expInstructions(v, tmp, e),
        op.localGet(e), op.f32x4Const(0), ...beforeN(idx, nv), op.v128Bitselect(), op.localSet(e),
        ...at(px, i), op.localGet(e), op.v128Store(0), ...addInto(acc, [op.localGet(e)])]),
      ...laneSum(acc), op.localSet(s), op.f32Const(1), op.localGet(s), op.f32Div(), op.f32x4Splat(), op.localSet(mv), // mv = 1 / sum
      ...vectorLoop(i, nEnd, [...at(px, i), ...load(px, i), op.localGet(mv), op.f32x4Mul(), op.v128Store(0)]),
      ...zeroTail(px, i, nEnd, rowBytes),
      op.localGet(n), op.i32Const(1), op.i32Add(), op.localSet(n),
      op.localGet(px), op.localGet(rowBytes), op.i32Add(), op.localSet(px),
    ])];
}

/** causalSoftmaxBackward(p, g, rows, rowBytes, n0, scale): each row of dP at g, in place, becomes dS (the maths above). */
function causalSoftmaxBackwardBody(): Code {
  const [p, g, rows, rowBytes, n0, scale] = [0, 1, 2, 3, 4, 5]; // params (scale is f32)
  const [r, i, pp, pg, n, nEnd] = [6, 7, 8, 9, 10, 11]; // i32
  const [acc, d, idx, nv, sc] = [12, 13, 14, 15, 16]; // v128
  return [op.localGet(p), op.localSet(pp), op.localGet(g), op.localSet(pg), op.localGet(n0), op.localSet(n),
    op.localGet(scale), op.f32x4Splat(), op.localSet(sc),
    ...rowLoop(r, rows, [
      ...rowStart(n, nEnd, nv),
      // d = sum_j P_j dP_j over the row's n columns
      ...zero(acc),
      ...maskedLoop(i, nEnd, idx, addInto(acc, [...load(pp, i), ...load(pg, i), op.f32x4Mul(), op.f32x4Const(0), ...beforeN(idx, nv), op.v128Bitselect()])),
      ...laneSum(acc), op.f32x4Splat(), op.localSet(d),
      // dS = P (dP - d) * scale, 0 past n
      ...maskedLoop(i, nEnd, idx, [...at(pg, i),
        ...load(pp, i), ...load(pg, i), op.localGet(d), op.f32x4Sub(), op.f32x4Mul(), op.localGet(sc), op.f32x4Mul(),
        op.f32x4Const(0), ...beforeN(idx, nv), op.v128Bitselect(), op.v128Store(0)]),
      ...zeroTail(pg, i, nEnd, rowBytes),
      op.localGet(n), op.i32Const(1), op.i32Add(), op.localSet(n),
      op.localGet(pp), op.localGet(rowBytes), op.i32Add(), op.localSet(pp),
      op.localGet(pg), op.localGet(rowBytes), op.i32Add(), op.localSet(pg),
    ])];
}

interface SoftmaxFunctions {
  causalSoftmax: (p: number, rows: number, rowBytes: number, n0: number, scale: number) => void;
  causalSoftmaxBackward: (p: number, g: number, rows: number, rowBytes: number, n0: number, scale: number) => void;
}

/** The two functions on the matmul module's memory, or null without SIMD (then attention.ts's loops run). */
function instantiate(m: SimdModule | null): SoftmaxFunctions | null {
  if (m === null) return null;
  return instantiateOnMemory([
    { exportName: 'causalSoftmax', params: [I32, I32, I32, I32, F32], locals: [[5, I32], [2, F32], [8, V128]], body: causalSoftmaxBody().flat() },
    { exportName: 'causalSoftmaxBackward', params: [I32, I32, I32, I32, I32, F32], locals: [[6, I32], [5, V128]], body: causalSoftmaxBackwardBody().flat() },
  ], m.memory) as SoftmaxFunctions | null;
}

const fns = instantiate(simdModule);

/** Whether the softmax runs in SIMD here (else attention.ts's loops do). */
export const attentionSoftmaxSimdAvailable = fns !== null;

const pad4 = (n: number) => Math.ceil(n / 4) * 4;

/**
 * In the matmul module's memory: `rows` rows of S from float `at`, `stride` floats apart (a multiple
 * of 4), become P: row i the softmax of its first n0 + i columns times scale, 0 from there to stride.
 */
export function causalSoftmaxInModule(at: number, rows: number, stride: number, n0: number, scale: number): void {
  if (rows > 0) fns!.causalSoftmax(at * 4, rows, stride * 4, n0, scale);
}

/** The same rows' backward: dP from float gAt becomes dS, with P at pAt, both `stride` floats apart. */
export function causalSoftmaxBackwardInModule(pAt: number, gAt: number, rows: number, stride: number, n0: number, scale: number): void {
  if (rows > 0) fns!.causalSoftmaxBackward(pAt * 4, gAt * 4, rows, stride * 4, n0, scale);
}

/** rows x cols floats of x into the module at float `at`, `stride` floats apart. */
export function rowsIn(heap: Float32Array, at: number, x: Float32Array, rows: number, cols: number, stride: number): void {
  if (stride === cols) heap.set(x.subarray(0, rows * cols), at);
  else for (let i = 0; i < rows; i++) heap.set(x.subarray(i * cols, (i + 1) * cols), at + i * stride);
}

/** The inverse of rowsIn. */
export function rowsOut(heap: Float32Array, at: number, x: Float32Array, rows: number, cols: number, stride: number): void {
  if (stride === cols) x.set(heap.subarray(at, at + rows * cols));
  else for (let i = 0; i < rows; i++) x.set(heap.subarray(at + i * stride, at + i * stride + cols), i * cols);
}

/**
 * causalSoftmaxInModule for p (rows, Tk) in JavaScript memory: copied into the matmul module's
 * memory (over whatever the last product left there), done, copied back. False without SIMD.
 */
export function causalSoftmaxRows(p: Float32Array, rows: number, Tk: number, n0: number, scale: number): boolean {
  if (fns === null) return false;
  const m = simdModule!;
  const stride = pad4(Tk);
  reserve(m, rows * stride);
  rowsIn(m.heap, 0, p, rows, Tk, stride);
  causalSoftmaxInModule(0, rows, stride, n0, scale);
  rowsOut(m.heap, 0, p, rows, Tk, stride);
  return true;
}

/** causalSoftmaxBackwardInModule for p and g (rows, Tk) in JavaScript memory; g becomes dS. False without SIMD. */
export function causalSoftmaxBackwardRows(p: Float32Array, g: Float32Array, rows: number, Tk: number, n0: number, scale: number): boolean {
  if (fns === null) return false;
  const m = simdModule!;
  const stride = pad4(Tk);
  const gAt = rows * stride;
  reserve(m, 2 * rows * stride);
  rowsIn(m.heap, 0, p, rows, Tk, stride);
  rowsIn(m.heap, gAt, g, rows, Tk, stride);
  causalSoftmaxBackwardInModule(0, gAt, rows, stride, n0, scale);
  rowsOut(m.heap, gAt, g, rows, Tk, stride);
  return true;
}
