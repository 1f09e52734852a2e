// GELU, LayerNorm, the loss's softmax, a gradient's sum over rows (a Linear's bias gradient),
// alpha x + beta y (Newton-Schulz's, Muon's momentum's and the gradient fold's element-wise steps)
// a sum of squares (the gradient clip's norm) and attention's swap of a (B, T, H, D) tensor's middle
// axes in WebAssembly SIMD, four floats at a time. The maths is the plain kernels' (gelu.ts, layernorm.ts, read those
// first); they stay the readable reference and the fallback where there is no SIMD.
//
// Why: a typed-array loop in V8 costs 1.3 ns an element on our 2-core VM even when it only copies,
// and these loops ran at 4-11 ns an element, 10% of a fine-tuning step between them; a SIMD pass
// plus the copies in and out costs a fraction of that (bench/RESULTS.md). The copies are
// Float32Array.set, a memcpy, as in exp_simd.ts: the operands go into the module's memory, the
// function runs there, the outputs come back.
//
// Rounding: these compute in float32, where the TypeScript loops compute in float64 and round on
// store, and LayerNorm's sums run in four lanes and are added at the end; results agree to
// float32 rounding (the tests say how closely). sumRows adds the rows in order, one float32 add
// at a time, exactly as the TypeScript loop does: the same bits.
import { buildModule, op, I32, F32, V128 } from './wasm.ts';
import { expInstructions } from './exp_simd.ts';
import { geluForward as geluForwardPlain, geluBackward as geluBackwardPlain } from './gelu.ts';
import { layerNormForward as layerNormForwardPlain, layerNormBackward as layerNormBackwardPlain } from './layernorm.ts';

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_K = 0.044715;

export type Code = number[][];

/** `loop { body; i += 16; } while (i < end)` over a row of vectors; i and end are i32 locals (bytes). */
export function vectorLoop(i: number, end: number, body: Code): Code {
  return [op.i32Const(0), op.localSet(i), op.loop(), ...body,
    op.localGet(i), op.i32Const(16), op.i32Add(), op.localSet(i),
    op.localGet(i), op.localGet(end), op.i32LtU(), op.brIf(0), op.end()];
}

/** `loop { body; r -= 1; } while (0 < r)`: once per row. */
export function rowLoop(r: number, rows: number, body: Code): Code {
  return [op.localGet(rows), op.localSet(r), op.loop(), ...body,
    op.localGet(r), op.i32Const(1), op.i32Sub(), op.localSet(r),
    op.i32Const(0), op.localGet(r), op.i32LtU(), op.brIf(0), op.end()];
}

/** v128 at byte (base + i) */
export const load = (base: number, i: number): Code => [op.localGet(base), op.localGet(i), op.i32Add(), op.v128Load(0)];
/** push the address (base + i) for a store that follows its value */
export const at = (base: number, i: number): Code => [op.localGet(base), op.localGet(i), op.i32Add()];
/** the sum of a vector's four lanes, (l0 + l1) + (l2 + l3), as an f32 */
export const laneSum = (v: number): Code => [op.localGet(v), op.f32x4ExtractLane(0), op.localGet(v), op.f32x4ExtractLane(1), op.f32Add(),
  op.localGet(v), op.f32x4ExtractLane(2), op.localGet(v), op.f32x4ExtractLane(3), op.f32Add(), op.f32Add()];
/** the largest of a vector's four lanes, as an f32 */
export const laneMax = (v: number): Code => [op.localGet(v), op.f32x4ExtractLane(0), op.localGet(v), op.f32x4ExtractLane(1), op.f32Max(),
  op.localGet(v), op.f32x4ExtractLane(2), op.localGet(v), op.f32x4ExtractLane(3), op.f32Max(), op.f32Max()];
export const zero = (v: number): Code => [op.f32x4Const(0), op.localSet(v)];
export const addInto = (acc: number, value: Code): Code => [op.localGet(acc), ...value, op.f32x4Add(), op.localSet(acc)];

/** geluForward(x, out, t, n): for each vector of x, t = tanh(u) and out = 0.5 x (1 + t); n in bytes. */
function geluForwardBody(): Code {
  const [x, out, t, n, i, v, u, e, scratch] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  return vectorLoop(i, n, [
    ...load(x, i), op.localSet(v),
    // u = 2 sqrt(2/pi) (v + 0.044715 v^3), so that exp(u) = e^(2 * the tanh's argument)
    op.f32x4Const(2 * GELU_C), op.localGet(v), op.f32x4Const(GELU_K), op.localGet(v), op.f32x4Mul(), op.localGet(v), op.f32x4Mul(),
    op.localGet(v), op.f32x4Mul(), op.f32x4Add(), op.f32x4Mul(), op.localSet(u),
    ...expInstructions(u, scratch, e),
    // tanh = 1 - 2 / (e + 1)
    op.f32x4Const(1), op.f32x4Const(2), op.localGet(e), op.f32x4Const(1), op.f32x4Add(), op.f32x4Div(), op.f32x4Sub(), op.localSet(u),
    ...at(t, i), op.localGet(u), op.v128Store(0),
    ...at(out, i), op.f32x4Const(0.5), op.localGet(v), op.f32x4Mul(), op.f32x4Const(1), op.localGet(u), op.f32x4Add(), op.f32x4Mul(), op.v128Store(0),
  ]);
}

/** geluBackward(dout, x, t, dx, n): dx += dout * (0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2)). */
function geluBackwardBody(): Code {
  const [dout, x, t, dx, n, i, v, tt] = [0, 1, 2, 3, 4, 5, 6, 7];
  return vectorLoop(i, n, [
    ...load(x, i), op.localSet(v),
    ...load(t, i), op.localSet(tt),
    ...at(dx, i), ...load(dx, i), ...load(dout, i),
    op.f32x4Const(0.5), op.f32x4Const(1), op.localGet(tt), op.f32x4Add(), op.f32x4Mul(), // 0.5 (1 + t)
    op.f32x4Const(0.5), op.localGet(v), op.f32x4Mul(), op.f32x4Const(1), op.localGet(tt), op.localGet(tt), op.f32x4Mul(), op.f32x4Sub(), op.f32x4Mul(),
    op.f32x4Const(GELU_C), op.f32x4Mul(),
    op.f32x4Const(1), op.f32x4Const(3 * GELU_K), op.localGet(v), op.f32x4Mul(), op.localGet(v), op.f32x4Mul(), op.f32x4Add(), op.f32x4Mul(),
    op.f32x4Add(), op.f32x4Mul(), op.f32x4Add(), op.v128Store(0),
  ]);
}

/** sumRows(g, rows, rowBytes, out): out[j] += g[r][j] for r = 0, 1, 2, ... in turn. */
function sumRowsBody(): Code {
  const [g, rows, rowBytes, out, r, i, pg] = [0, 1, 2, 3, 4, 5, 6];
  return [op.localGet(g), op.localSet(pg), ...rowLoop(r, rows, [
    ...vectorLoop(i, rowBytes, [...at(out, i), ...load(out, i), ...load(pg, i), op.f32x4Add(), op.v128Store(0)]),
    op.localGet(pg), op.localGet(rowBytes), op.i32Add(), op.localSet(pg),
  ])];
}

/** layerNormForward(x, w, b, out, mean, rstd, rows, rowBytes, invC, eps): layernorm.ts's maths, a row at a time. */
function layerNormForwardBody(): Code {
  const [x, w, b, out, mean, rstd, rows, rowBytes, invC, eps] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [r, i, px, po, pm] = [10, 11, 12, 13, 14]; // i32
  const [m, s] = [15, 16]; // f32
  const [acc, mv, sv, d] = [17, 18, 19, 20]; // v128
  return [op.localGet(x), op.localSet(px), op.localGet(out), op.localSet(po), op.i32Const(0), op.localSet(pm), ...rowLoop(r, rows, [
    // mean
    ...zero(acc), ...vectorLoop(i, rowBytes, addInto(acc, load(px, i))),
    ...laneSum(acc), op.localGet(invC), op.f32Mul(), op.localTee(m), op.f32x4Splat(), op.localSet(mv),
    // 1 / sqrt(variance + eps)
    ...zero(acc), ...vectorLoop(i, rowBytes, [...load(px, i), op.localGet(mv), op.f32x4Sub(), op.localSet(d),
      ...addInto(acc, [op.localGet(d), op.localGet(d), op.f32x4Mul()])]),
    op.f32Const(1), ...laneSum(acc), op.localGet(invC), op.f32Mul(), op.localGet(eps), op.f32Add(), op.f32Sqrt(), op.f32Div(),
    op.localTee(s), op.f32x4Splat(), op.localSet(sv),
    // out = (x - mean) * rstd * w + b
    ...vectorLoop(i, rowBytes, [...at(po, i), ...load(px, i), op.localGet(mv), op.f32x4Sub(), op.localGet(sv), op.f32x4Mul(),
      ...load(w, i), op.f32x4Mul(), ...load(b, i), op.f32x4Add(), op.v128Store(0)]),
    ...at(mean, pm), op.localGet(m), op.f32Store(0),
    ...at(rstd, pm), op.localGet(s), op.f32Store(0),
    op.localGet(px), op.localGet(rowBytes), op.i32Add(), op.localSet(px),
    op.localGet(po), op.localGet(rowBytes), op.i32Add(), op.localSet(po),
    op.localGet(pm), op.i32Const(4), op.i32Add(), op.localSet(pm),
  ])];
}

/** layerNormBackward(dout, x, w, mean, rstd, dx, dw, db, rows, rowBytes, invC): with g = dout * w,
 * dx += rstd (g - mean(g) - xhat mean(g xhat)), dw += dout xhat, db += dout. */
function layerNormBackwardBody(): Code {
  const [dout, x, w, mean, rstd, dx, dw, db, rows, rowBytes, invC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [r, i, pd, px, pdx, pm] = [11, 12, 13, 14, 15, 16]; // i32
  const [mv, sv, accG, accGX, xhat, g, gm, gxm] = [17, 18, 19, 20, 21, 22, 23, 24]; // v128
  const xhatAndG: Code = [...load(px, i), op.localGet(mv), op.f32x4Sub(), op.localGet(sv), op.f32x4Mul(), op.localSet(xhat),
    ...load(pd, i), ...load(w, i), op.f32x4Mul(), op.localSet(g)];
  const meanOf = (acc: number, into: number): Code => [...laneSum(acc), op.localGet(invC), op.f32Mul(), op.f32x4Splat(), op.localSet(into)];
  return [op.localGet(dout), op.localSet(pd), op.localGet(x), op.localSet(px), op.localGet(dx), op.localSet(pdx), op.i32Const(0), op.localSet(pm),
    ...rowLoop(r, rows, [
      ...at(mean, pm), op.f32Load(0), op.f32x4Splat(), op.localSet(mv),
      ...at(rstd, pm), op.f32Load(0), op.f32x4Splat(), op.localSet(sv),
      ...zero(accG), ...zero(accGX),
      ...vectorLoop(i, rowBytes, [...xhatAndG, ...addInto(accG, [op.localGet(g)]), ...addInto(accGX, [op.localGet(g), op.localGet(xhat), op.f32x4Mul()])]),
      ...meanOf(accG, gm), ...meanOf(accGX, gxm),
      ...vectorLoop(i, rowBytes, [...xhatAndG,
        ...at(pdx, i), ...load(pdx, i), op.localGet(sv), op.localGet(g), op.localGet(gm), op.f32x4Sub(), op.localGet(xhat), op.localGet(gxm), op.f32x4Mul(),
        op.f32x4Sub(), op.f32x4Mul(), op.f32x4Add(), op.v128Store(0),
        ...at(dw, i), ...load(dw, i), ...load(pd, i), op.localGet(xhat), op.f32x4Mul(), op.f32x4Add(), op.v128Store(0),
        ...at(db, i), ...load(db, i), ...load(pd, i), op.f32x4Add(), op.v128Store(0)]),
      op.localGet(pd), op.localGet(rowBytes), op.i32Add(), op.localSet(pd),
      op.localGet(px), op.localGet(rowBytes), op.i32Add(), op.localSet(px),
      op.localGet(pdx), op.localGet(rowBytes), op.i32Add(), op.localSet(pdx),
      op.localGet(pm), op.i32Const(4), op.i32Add(), op.localSet(pm),
    ])];
}

/** scaleAdd(x, y, out, n, alpha, beta): out = alpha x + beta y, n in bytes (out may be x or y). */
function scaleAddBody(): Code {
  const [x, y, out, n, alpha, beta, i] = [0, 1, 2, 3, 4, 5, 6];
  return vectorLoop(i, n, [...at(out, i), op.localGet(alpha), op.f32x4Splat(), ...load(x, i), op.f32x4Mul(),
    op.localGet(beta), op.f32x4Splat(), ...load(y, i), op.f32x4Mul(), op.f32x4Add(), op.v128Store(0)]);
}

/**
 * softmaxRows(x, rows, rowBytes, stats): each row of x in place becomes exp(x - max) / sum, its
 * max and sum (of the exps) going to stats[2r], stats[2r + 1]: the loss's softmax (crossentropy.ts).
 */
function softmaxRowsBody(): Code {
  const [x, rows, rowBytes, stats, r, i, px, ps] = [0, 1, 2, 3, 4, 5, 6, 7]; // i32
  const [m, s] = [8, 9]; // f32
  const [acc, mv, v, n, e] = [10, 11, 12, 13, 14]; // v128
  return [op.localGet(x), op.localSet(px), op.localGet(stats), op.localSet(ps), ...rowLoop(r, rows, [
    // the row's max (pmax, x86's maxps: a NaN is passed over here, and makes the sum NaN below)
    op.f32x4Const(-Infinity), op.localSet(acc),
    ...vectorLoop(i, rowBytes, [op.localGet(acc), ...load(px, i), op.f32x4Pmax(), op.localSet(acc)]),
    ...laneMax(acc), op.localTee(m), op.f32x4Splat(), op.localSet(mv),
    // exps in place, and their sum
    ...zero(acc),
    ...vectorLoop(i, rowBytes, [...load(px, i), op.localGet(mv), op.f32x4Sub(), op.localSet(v), ...expInstructions(v, n, e),
      ...at(px, i), op.localGet(e), op.v128Store(0), ...addInto(acc, [op.localGet(e)])]),
    ...laneSum(acc), op.localSet(s), op.f32Const(1), op.localGet(s), op.f32Div(), op.f32x4Splat(), op.localSet(mv), // mv = 1 / sum
    ...vectorLoop(i, rowBytes, [...at(px, i), ...load(px, i), op.localGet(mv), op.f32x4Mul(), op.v128Store(0)]),
    op.localGet(ps), op.localGet(m), op.f32Store(0),
    op.localGet(ps), op.localGet(s), op.f32Store(4),
    op.localGet(px), op.localGet(rowBytes), op.i32Add(), op.localSet(px),
    op.localGet(ps), op.i32Const(8), op.i32Add(), op.localSet(ps),
  ])];
}

/** sumSquares(x, n, out): the four lanes' sums of x^2 over n bytes of x, stored at out. */
function sumSquaresBody(): Code {
  const [x, n, out, i, acc] = [0, 1, 2, 3, 4];
  return [...zero(acc), ...vectorLoop(i, n, addInto(acc, [...load(x, i), ...load(x, i), op.f32x4Mul()])),
    op.localGet(out), op.localGet(acc), op.v128Store(0)];
}

/**
 * swapMiddleAxes(src, dst, B, T, H, runBytes): dst (B, H, T, run) = src (B, T, H, run), each run of
 * floats (a head's D values) copied whole, four at a time. dst is written in order; src is read a
 * run at a time, H runs apart.
 */
function swapMiddleAxesBody(): Code {
  const [src, dst, B, T, H, runBytes, i, b, h, t, pd, pb, ph, ps, stride] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
  return [op.localGet(dst), op.localSet(pd), op.localGet(src), op.localSet(pb),
    op.localGet(H), op.localGet(runBytes), op.i32Mul(), op.localSet(stride), // from one t to the next in src
    ...rowLoop(b, B, [op.localGet(pb), op.localSet(ph),
      ...rowLoop(h, H, [op.localGet(ph), op.localSet(ps),
        ...rowLoop(t, T, [
          ...vectorLoop(i, runBytes, [...at(pd, i), ...load(ps, i), op.v128Store(0)]),
          op.localGet(pd), op.localGet(runBytes), op.i32Add(), op.localSet(pd),
          op.localGet(ps), op.localGet(stride), op.i32Add(), op.localSet(ps),
        ]),
        op.localGet(ph), op.localGet(runBytes), op.i32Add(), op.localSet(ph),
      ]),
      op.localGet(pb), op.localGet(T), op.localGet(stride), op.i32Mul(), op.i32Add(), op.localSet(pb),
    ])];
}

interface ElementwiseModule {
  geluForward: (x: number, out: number, t: number, n: number) => void;
  geluBackward: (dout: number, x: number, t: number, dx: number, n: number) => void;
  sumRows: (g: number, rows: number, rowBytes: number, out: number) => void;
  scaleAdd: (x: number, y: number, out: number, n: number, alpha: number, beta: number) => void;
  softmaxRows: (x: number, rows: number, rowBytes: number, stats: number) => void;
  sumSquares: (x: number, n: number, out: number) => void;
  swapMiddleAxes: (src: number, dst: number, B: number, T: number, H: number, runBytes: number) => void;
  layerNormForward: (x: number, w: number, b: number, out: number, mean: number, rstd: number, rows: number, rowBytes: number, invC: number, eps: number) => void;
  layerNormBackward: (dout: number, x: number, w: number, mean: number, rstd: number, dx: number, dw: number, db: number, rows: number, rowBytes: number, invC: number) => void;
  memory: WebAssembly.Memory;
  heap: Float32Array;
}

function instantiate(): ElementwiseModule | null {
  try {
    const bytes = buildModule([
      { exportName: 'geluForward', params: [I32, I32, I32, I32], locals: [[1, I32], [4, V128]], body: geluForwardBody().flat() },
      { exportName: 'geluBackward', params: [I32, I32, I32, I32, I32], locals: [[1, I32], [2, V128]], body: geluBackwardBody().flat() },
      { exportName: 'sumRows', params: [I32, I32, I32, I32], locals: [[3, I32]], body: sumRowsBody().flat() },
      { exportName: 'softmaxRows', params: [I32, I32, I32, I32], locals: [[4, I32], [2, F32], [5, V128]], body: softmaxRowsBody().flat() },
      { exportName: 'sumSquares', params: [I32, I32, I32], locals: [[1, I32], [1, V128]], body: sumSquaresBody().flat() },
      { exportName: 'scaleAdd', params: [I32, I32, I32, I32, F32, F32], locals: [[1, I32]], body: scaleAddBody().flat() },
      { exportName: 'swapMiddleAxes', params: [I32, I32, I32, I32, I32, I32], locals: [[9, I32]], body: swapMiddleAxesBody().flat() },
      { exportName: 'layerNormForward', params: [I32, I32, I32, I32, I32, I32, I32, I32, F32, F32], locals: [[5, I32], [2, F32], [4, V128]], body: layerNormForwardBody().flat() },
      { exportName: 'layerNormBackward', params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, F32], locals: [[6, I32], [8, V128]], body: layerNormBackwardBody().flat() },
    ], 1);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    const e = instance.exports as unknown as Omit<ElementwiseModule, 'heap'>;
    return { ...e, memory: e.memory, heap: new Float32Array(e.memory.buffer) };
  } catch {
    return null; // no WebAssembly SIMD here: the TypeScript kernels run
  }
}

const simd = instantiate();

/** Whether these kernels run in SIMD here (else the TypeScript ones do). */
export const elementwiseSimdAvailable = simd !== null;

/**
 * Byte offsets of consecutive regions of these many floats in the module's memory, each rounded
 * up to whole vectors (the last vector's spare lanes are computed and never copied back); the
 * memory grows to hold them.
 */
function regions(m: ElementwiseModule, ...floats: number[]): number[] {
  const offsets: number[] = [];
  let end = 0;
  for (const n of floats) {
    offsets.push(end * 4);
    end += Math.ceil(n / 4) * 4;
  }
  if (end * 4 > m.memory.buffer.byteLength) {
    m.memory.grow(Math.ceil((end * 4 - m.memory.buffer.byteLength) / 65536));
    m.heap = new Float32Array(m.memory.buffer);
  }
  return offsets;
}

/** Copy a into the module's memory at byte offset `at`. */
function put(m: ElementwiseModule, at: number, a: Float32Array, n: number = a.length): void {
  m.heap.set(a.subarray(0, n), at / 4);
}

/** Copy n floats from byte offset `at` back into a. */
function take(m: ElementwiseModule, at: number, a: Float32Array, n: number = a.length): void {
  a.set(m.heap.subarray(at / 4, at / 4 + n));
}

export function geluForward(x: Float32Array, out: Float32Array, tanhU: Float32Array, n: number): void {
  if (simd === null || n === 0) return geluForwardPlain(x, out, tanhU, n);
  const [px, po, pt] = regions(simd, n, n, n);
  put(simd, px, x, n);
  simd.geluForward(px, po, pt, Math.ceil(n / 4) * 16);
  take(simd, po, out, n);
  take(simd, pt, tanhU, n);
}

export function geluBackward(dout: Float32Array, x: Float32Array, tanhU: Float32Array, dx: Float32Array, n: number, accumulate = true): void {
  if (simd === null || n === 0) return geluBackwardPlain(dout, x, tanhU, dx, n, accumulate);
  const [pd, px, pt, pdx] = regions(simd, n, n, n, n);
  put(simd, pd, dout, n);
  put(simd, px, x, n);
  put(simd, pt, tanhU, n);
  putOrZeros(simd, pdx, accumulate ? dx : null, n); // a new gradient: the kernel adds into zeros, dx's contents unread
  simd.geluBackward(pd, px, pt, pdx, Math.ceil(n / 4) * 16);
  take(simd, pdx, dx, n);
}

/** sumRows in TypeScript: the reference, and the fallback. */
export function sumRowsPlain(g: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) out[j] += g[r * cols + j];
}

/** out[j] += sum over r of g[r * cols + j], the rows added in order (a Linear's bias gradient). */
export function sumRows(g: Float32Array, rows: number, cols: number, out: Float32Array): void {
  if (simd === null || cols % 4 !== 0 || rows === 0 || cols === 0) return sumRowsPlain(g, rows, cols, out);
  const [pg, po] = regions(simd, rows * cols, cols);
  put(simd, pg, g, rows * cols);
  put(simd, po, out, cols);
  simd.sumRows(pg, rows, cols * 4, po);
  take(simd, po, out, cols);
}

/**
 * out[i] = alpha x[i] + beta y[i] for i < n, in float32 (out may be x or y). With alpha = beta = 1
 * it is x + y, the same bits as a TypeScript loop: one float32 add, correctly rounded either way.
 * Alpha and beta are rounded to float32 first.
 */
export function scaleAdd(alpha: number, x: Float32Array, beta: number, y: Float32Array, out: Float32Array, n: number): void {
  if (simd === null || n === 0) {
    const [a, b] = [Math.fround(alpha), Math.fround(beta)];
    for (let i = 0; i < n; i++) out[i] = Math.fround(a * x[i]) + Math.fround(b * y[i]);
    return;
  }
  const [px, py] = regions(simd, n, n);
  put(simd, px, x, n);
  put(simd, py, y, n);
  simd.scaleAdd(px, py, px, Math.ceil(n / 4) * 16, alpha, beta);
  take(simd, px, out, n);
}

/**
 * out (B, H, T, D) = x (B, T, H, D), the two middle axes swapped (attention's heads taken out of a
 * (B, T, C) tensor, and put back: the swap is its own inverse). A pure copy, so the same bits as
 * shape.ts's permute, which runs where this returns false: no SIMD, or D not a multiple of 4.
 */
export function swapMiddleAxes(x: Float32Array, out: Float32Array, B: number, T: number, H: number, D: number): boolean {
  const n = B * T * H * D;
  if (simd === null || D % 4 !== 0 || n === 0) return false;
  const [px, po] = regions(simd, n, n);
  put(simd, px, x, n);
  simd.swapMiddleAxes(px, po, B, T, H, D * 4);
  take(simd, po, out, n);
  return true;
}

/**
 * Each of the rows (V wide) of x, softmaxed: into probs (rows x V) when given; returns each row's
 * max and sum of exp(x - max), at [2r] and [2r + 1], from which the loss is log(sum) + max - x[t].
 * Null where V is not a multiple of 4 or there is no SIMD: crossentropy.ts then does it itself.
 */
export function softmaxRows(x: Float32Array, rows: number, V: number, probs: Float32Array | null): Float32Array | null {
  if (simd === null || V % 4 !== 0 || rows === 0 || V === 0) return null;
  const [px, ps] = regions(simd, rows * V, 2 * rows);
  put(simd, px, x, rows * V);
  simd.softmaxRows(px, rows, V * 4, ps);
  if (probs !== null) take(simd, px, probs, rows * V);
  const stats = new Float32Array(2 * rows);
  take(simd, ps, stats);
  return stats;
}

/** The sum of x[i]^2 for i < n: four float32 sums, one per lane, added in float64 at the end. */
export function sumSquares(x: Float32Array, n: number = x.length): number {
  if (simd === null || n === 0) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i] * x[i];
    return s;
  }
  const [px, po] = regions(simd, n, 4);
  put(simd, px, x, n);
  simd.heap.fill(0, px / 4 + n, px / 4 + Math.ceil(n / 4) * 4); // the last vector's spare lanes add nothing
  simd.sumSquares(px, Math.ceil(n / 4) * 16, po);
  const h = simd.heap;
  return h[po / 4] + h[po / 4 + 1] + h[po / 4 + 2] + h[po / 4 + 3];
}

/** Copy a bias (or a gradient) in, or zeros where a LayerNorm has none (or a gradient is new). */
function putOrZeros(m: ElementwiseModule, at: number, a: Float32Array | null, n: number): void {
  if (a === null) m.heap.fill(0, at / 4, at / 4 + n);
  else put(m, at, a, n);
}

export function layerNormForward(x: Float32Array, weight: Float32Array, bias: Float32Array | null, out: Float32Array,
  mean: Float32Array, rstd: Float32Array, rows: number, C: number, eps: number): void {
  if (simd === null || C % 4 !== 0 || rows === 0 || C === 0) return layerNormForwardPlain(x, weight, bias, out, mean, rstd, rows, C, eps);
  const [px, pw, pb, po, pm, ps] = regions(simd, rows * C, C, C, rows * C, rows, rows);
  put(simd, px, x, rows * C);
  put(simd, pw, weight, C);
  putOrZeros(simd, pb, bias, C);
  simd.layerNormForward(px, pw, pb, po, pm, ps, rows, C * 4, 1 / C, eps);
  take(simd, po, out, rows * C);
  take(simd, pm, mean, rows);
  take(simd, ps, rstd, rows);
}

export function layerNormBackward(dout: Float32Array, x: Float32Array, weight: Float32Array, mean: Float32Array, rstd: Float32Array,
  dx: Float32Array, dweight: Float32Array, dbias: Float32Array | null, rows: number, C: number): void {
  if (simd === null || C % 4 !== 0 || rows === 0 || C === 0) return layerNormBackwardPlain(dout, x, weight, mean, rstd, dx, dweight, dbias, rows, C);
  const [pd, px, pw, pm, ps, pdx, pdw, pdb] = regions(simd, rows * C, rows * C, C, rows, rows, rows * C, C, C);
  put(simd, pd, dout, rows * C);
  put(simd, px, x, rows * C);
  put(simd, pw, weight, C);
  put(simd, pm, mean, rows);
  put(simd, ps, rstd, rows);
  put(simd, pdx, dx, rows * C);
  put(simd, pdw, dweight, C);
  putOrZeros(simd, pdb, dbias, C);
  simd.layerNormBackward(pd, px, pw, pm, ps, pdx, pdw, pdb, rows, C * 4, 1 / C);
  take(simd, pdx, dx, rows * C);
  take(simd, pdw, dweight, C);
  if (dbias !== null) take(simd, pdb, dbias, C);
}
