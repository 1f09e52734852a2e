// exp over an array, four floats at a time in WebAssembly SIMD. Math.exp costs about 12 ns a call
// in V8, and the loss's softmax over a 2048-token vocabulary and every MLP's GELU call it millions
// of times a step; this does the same work in about a tenth of the time.
//
//   exp(x) = 2^n * e^r,   n = round(x / ln2),   r = x - n*ln2  in [-ln2/2, ln2/2]
//   e^r    = 1 + r + r^2/2! + ... + r^6/6!      (Horner; the next term, r^7/7!, is < 1e-7 of e^r)
//   2^n    = the float whose exponent bits are n + 127, i.e. the int (n + 127) << 23
//
// n*ln2 is subtracted in two parts (ln2 = LN2_HI + LN2_LO, LN2_HI with few mantissa bits, so n*LN2_HI
// is exact in float32): r keeps its low bits. x is clamped to [-87.3, 88.3] first, where 2^n stays a
// normal float: exp of anything below is 1e-38 instead of 0, which no sum here can tell apart. The
// clamp uses pmax and pmin (x86's maxps and minps): WebAssembly's max and min must also order NaN
// and -0, which costs V8 about seven instructions each, and a clamp to two constants needs neither
// (NaN stays NaN either way). That alone made the loss's softmax ~1.3x faster.
import { buildModule, op, I32, V128 } from './wasm.ts';

const LOG2E = 1.4426950408889634;
const LN2_HI = 0.693359375;
const LN2_LO = -2.12194440e-4;
const TAYLOR = [1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1, 1]; // highest power first, for Horner

/**
 * The instructions that set v128 local p = exp(local x), four lanes at once (the maths above);
 * x is overwritten (it ends holding r) and n is a scratch local. Shared with elementwise_simd.ts.
 */
export function expInstructions(x: number, n: number, p: number): number[][] {
  const code: number[][] = [];
  // x = clamp(x, -87.3, 88.3)
  code.push(op.localGet(x), op.f32x4Const(-87.3), op.f32x4Pmax(), op.f32x4Const(88.3), op.f32x4Pmin(), op.localSet(x));
  // n = nearest(x * log2e); r = x - n*LN2_HI - n*LN2_LO (kept in x)
  code.push(op.localGet(x), op.f32x4Const(LOG2E), op.f32x4Mul(), op.f32x4Nearest(), op.localSet(n));
  code.push(op.localGet(x), op.localGet(n), op.f32x4Const(LN2_HI), op.f32x4Mul(), op.f32x4Sub());
  code.push(op.localGet(n), op.f32x4Const(LN2_LO), op.f32x4Mul(), op.f32x4Sub(), op.localSet(x));
  // p = e^r by Horner
  code.push(op.f32x4Const(TAYLOR[0]), op.localSet(p));
  for (const c of TAYLOR.slice(1)) code.push(op.localGet(p), op.localGet(x), op.f32x4Mul(), op.f32x4Const(c), op.f32x4Add(), op.localSet(p));
  // p *= 2^n, 2^n built from its bits
  code.push(op.localGet(p));
  code.push(op.localGet(n), op.i32x4TruncSatF32x4S(), op.i32x4Const(127), op.i32x4Add(), op.i32Const(23), op.i32x4Shl());
  code.push(op.f32x4Mul(), op.localSet(p));
  return code;
}

/** expInPlace(ptr, end): for each 4 floats from byte ptr up to end, x = exp(x). */
function expBody(): number[] {
  const [ptr, end, x, n, p] = [0, 1, 2, 3, 4]; // params ptr end; v128 locals x n p
  const code: number[] = [];
  const emit = (...ins: number[][]) => ins.forEach((i) => code.push(...i));
  emit(op.loop());
  emit(op.localGet(ptr), op.v128Load(0), op.localSet(x));
  emit(...expInstructions(x, n, p));
  emit(op.localGet(ptr), op.localGet(p), op.v128Store(0));
  emit(op.localGet(ptr), op.i32Const(16), op.i32Add(), op.localSet(ptr));
  emit(op.localGet(ptr), op.localGet(end), op.i32LtU(), op.brIf(0)); // while (ptr < end)
  emit(op.end());
  return code;
}

interface ExpModule {
  exp: (ptr: number, end: number) => void;
  memory: WebAssembly.Memory;
  heap: Float32Array;
}

function instantiate(): ExpModule | null {
  try {
    const bytes = buildModule([{ exportName: 'exp', params: [I32, I32], locals: [[3, V128]], body: expBody() }], 1);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    const memory = instance.exports.memory as WebAssembly.Memory;
    return { exp: instance.exports.exp as ExpModule['exp'], memory, heap: new Float32Array(memory.buffer) };
  } catch {
    return null; // no WebAssembly SIMD here: Math.exp it is
  }
}

const simd = instantiate();

/** x[i] = exp(x[i]) for i < n: copied into the module's memory, exponentiated there, copied back. */
export function expInPlace(x: Float32Array, n: number = x.length): void {
  if (n === 0) return;
  if (simd === null) {
    for (let i = 0; i < n; i++) x[i] = Math.exp(x[i]);
    return;
  }
  const padded = Math.ceil(n / 4) * 4; // the last vector's extra lanes are computed and never copied back
  if (padded * 4 > simd.memory.buffer.byteLength) {
    simd.memory.grow(Math.ceil((padded * 4 - simd.memory.buffer.byteLength) / 65536));
    simd.heap = new Float32Array(simd.memory.buffer);
  }
  simd.heap.set(x.subarray(0, n));
  simd.exp(0, padded * 4);
  x.set(simd.heap.subarray(0, n));
}
