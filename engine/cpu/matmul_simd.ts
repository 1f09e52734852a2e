// The same blocked matmul as matmul.ts (read that first), with its micro-kernel in WebAssembly
// SIMD: a 4 x 16 tile of the output lives in 16 registers of four floats each, and every k step
// does 16 vector multiply-adds (64 multiply-adds) for 4 broadcast loads of A and 4 vector loads
// of B. Plain JavaScript cannot vectorise; this is where the speed comes from.
//
// Data flow: JavaScript packs the panels of A and B straight into the module's memory, one call
// runs the whole macro-kernel over the block, and JavaScript adds the block result into `out`.
import type { MatmulOptions } from '../kernels.ts';
import { buildModule, op, I32, V128 } from './wasm.ts';
import { matmul as matmulPlain } from './matmul.ts';
import { packA, packB } from './pack.ts';

const MR = 4;
const NR = 16;
const KC = 256;
const MC = 96;
const NC = 512;

// memory layout (bytes): packed A | packed B | C block
const A_BASE = 0;
const B_BASE = A_BASE + MC * KC * 4;
const C_BASE = B_BASE + KC * NC * 4;
const PAGES = Math.ceil((C_BASE + MC * NC * 4) / 65536);

/**
 * gemmBlock(mc, nc, kc, a, b, c): C[mc x nc] = packedA[mc x kc] @ packedB[kc x nc], with mc a
 * multiple of 4 and nc of 16 (the panels are zero-padded), C row-major with row stride nc.
 *
 *   for jr in 0..nc step 16:  for ir in 0..mc step 4:
 *     acc[r][v] = 0                          r = 0..3 rows, v = 0..3 vectors of 4 columns
 *     for k in 0..kc:  b[v] = B[k, jr+4v..]; for r: acc[r][v] += splat(A[ir+r, k]) * b[v]
 *     C[ir+r, jr+4v..] = acc[r][v]
 */
function gemmBlockBody(): number[] {
  // params 0..5: mc nc kc a b c; i32 locals 6..10: jr ir k pa pb; v128 locals: acc 11..26, b 27..30, splat 31
  const [mc, nc, kc, a, b, c, jr, ir, k, pa, pb] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const acc = (r: number, v: number) => 11 + r * 4 + v;
  const bv = (v: number) => 27 + v;
  const splat = 31;
  const code: number[] = [];
  const emit = (...ins: number[][]) => ins.forEach((i) => code.push(...i));

  emit(op.i32Const(0), op.localSet(jr));
  emit(op.loop()); // jr loop
  emit(op.i32Const(0), op.localSet(ir));
  emit(op.loop()); // ir loop
  for (let r = 0; r < MR; r++) for (let v = 0; v < 4; v++) emit(op.v128Zero(), op.localSet(acc(r, v)));
  // pa = a + ir*kc*4 bytes (the A panel of rows ir..ir+3); pb = b + jr*kc*4 bytes (B panel jr..jr+15)
  emit(op.localGet(a), op.localGet(ir), op.localGet(kc), op.i32Mul(), op.i32Const(2), op.i32Shl(), op.i32Add(), op.localSet(pa));
  emit(op.localGet(b), op.localGet(jr), op.localGet(kc), op.i32Mul(), op.i32Const(2), op.i32Shl(), op.i32Add(), op.localSet(pb));
  emit(op.localGet(kc), op.localSet(k));
  emit(op.loop()); // k loop
  for (let v = 0; v < 4; v++) emit(op.localGet(pb), op.v128Load(16 * v), op.localSet(bv(v)));
  for (let r = 0; r < MR; r++) {
    emit(op.localGet(pa), op.f32Load(4 * r), op.f32x4Splat(), op.localSet(splat));
    for (let v = 0; v < 4; v++) {
      emit(op.localGet(acc(r, v)), op.localGet(splat), op.localGet(bv(v)), op.f32x4Mul(), op.f32x4Add(), op.localSet(acc(r, v)));
    }
  }
  emit(op.localGet(pa), op.i32Const(MR * 4), op.i32Add(), op.localSet(pa));
  emit(op.localGet(pb), op.i32Const(NR * 4), op.i32Add(), op.localSet(pb));
  emit(op.localGet(k), op.i32Const(1), op.i32Sub(), op.localSet(k));
  emit(op.i32Const(0), op.localGet(k), op.i32LtU(), op.brIf(0)); // while (0 < k)
  emit(op.end());
  // store the tile: row r at c + ((ir + r) * nc + jr) * 4
  for (let r = 0; r < MR; r++) {
    for (let v = 0; v < 4; v++) {
      emit(op.localGet(c), op.localGet(ir), op.i32Const(r), op.i32Add(), op.localGet(nc), op.i32Mul(), op.localGet(jr), op.i32Add(),
        op.i32Const(2), op.i32Shl(), op.i32Add(), op.localGet(acc(r, v)), op.v128Store(16 * v));
    }
  }
  emit(op.localGet(ir), op.i32Const(MR), op.i32Add(), op.localSet(ir));
  emit(op.localGet(ir), op.localGet(mc), op.i32LtU(), op.brIf(0)); // while (ir < mc)
  emit(op.end());
  emit(op.localGet(jr), op.i32Const(NR), op.i32Add(), op.localSet(jr));
  emit(op.localGet(jr), op.localGet(nc), op.i32LtU(), op.brIf(0)); // while (jr < nc)
  emit(op.end());
  return code;
}

interface SimdModule {
  gemmBlock: (mc: number, nc: number, kc: number, a: number, b: number, c: number) => void;
  heap: Float32Array;
}

function instantiate(): SimdModule | null {
  try {
    const bytes = buildModule([{ exportName: 'gemmBlock', params: [I32, I32, I32, I32, I32, I32], locals: [[5, I32], [21, V128]], body: gemmBlockBody() }], PAGES);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    const memory = instance.exports.memory as WebAssembly.Memory;
    return { gemmBlock: instance.exports.gemmBlock as SimdModule['gemmBlock'], heap: new Float32Array(memory.buffer) };
  } catch {
    return null; // no WebAssembly SIMD here: callers fall back to the plain kernel
  }
}

const simd = instantiate();

/** Whether this runtime runs the SIMD kernel (Node 16.4+ does). */
export const simdAvailable = simd !== null;

export function matmulSimd(a: Float32Array, b: Float32Array, out: Float32Array, M: number, N: number, K: number, opts: MatmulOptions = {}): void {
  if (simd === null || M < 8) {
    matmulPlain(a, b, out, M, N, K, opts);
    return;
  }
  const transA = opts.transA ?? false;
  const transB = opts.transB ?? false;
  if (!opts.accumulate) out.fill(0, 0, M * N);
  if (K === 0) return;
  const heap = simd.heap;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    const ncPad = Math.ceil(nc / NR) * NR;
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      packB(heap, B_BASE / 4, NR, b, transB, pc, jc, kc, nc, K, N);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        const mcPad = Math.ceil(mc / MR) * MR;
        packA(heap, A_BASE / 4, MR, a, transA, ic, pc, mc, kc, M, K);
        simd.gemmBlock(mcPad, ncPad, kc, A_BASE, B_BASE, C_BASE);
        // out[ic.., jc..] += C block (valid part only)
        const c0 = C_BASE / 4;
        for (let i = 0; i < mc; i++) {
          const src = c0 + i * ncPad;
          const dst = (ic + i) * N + jc;
          for (let j = 0; j < nc; j++) out[dst + j] += heap[src + j];
        }
      }
    }
  }
}
