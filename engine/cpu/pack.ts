// Packing for the blocked matmuls (matmul.ts, matmul_simd.ts): copy a block of A into row panels
// and a block of B into column panels, so the micro-kernel reads both with unit stride. This is
// also where transposes are absorbed: each routine reads its operand in whichever order is
// contiguous in memory. Panels past the matrix edge are zero-padded.

/**
 * dst[at + (panel*kc + k)*MR + i] = A(ic + panel*MR + i, pc + k) for a block of mc rows, kc columns.
 * A is (M, K) row-major, or (K, M) when transA.
 */
export function packA(dst: Float32Array, at: number, MR: number, a: Float32Array, transA: boolean, ic: number, pc: number, mc: number, kc: number, M: number, K: number): void {
  let panel = at;
  for (let ip = 0; ip < mc; ip += MR) {
    const rows = Math.min(MR, mc - ip);
    if (rows < MR) dst.fill(0, panel, panel + kc * MR);
    for (let i = 0; i < rows; i++) {
      const row = ic + ip + i;
      if (transA) {
        for (let k = 0; k < kc; k++) dst[panel + k * MR + i] = a[(pc + k) * M + row];
      } else {
        const src = row * K + pc; // row `row` of A is contiguous
        for (let k = 0; k < kc; k++) dst[panel + k * MR + i] = a[src + k];
      }
    }
    panel += kc * MR;
  }
}

/**
 * dst[at + (panel*kc + k)*NR + j] = B(pc + k, jc + panel*NR + j) for a block of kc rows, nc columns.
 * B is (K, N) row-major, or (N, K) when transB.
 */
export function packB(dst: Float32Array, at: number, NR: number, b: Float32Array, transB: boolean, pc: number, jc: number, kc: number, nc: number, K: number, N: number): void {
  let panel = at;
  for (let jp = 0; jp < nc; jp += NR) {
    const cols = Math.min(NR, nc - jp);
    if (cols < NR) dst.fill(0, panel, panel + kc * NR);
    for (let j = 0; j < cols; j++) {
      const col = jc + jp + j;
      if (transB) {
        const src = col * K + pc; // column `col` of B is a contiguous row of the stored (N, K)
        for (let k = 0; k < kc; k++) dst[panel + k * NR + j] = b[src + k];
      } else {
        for (let k = 0; k < kc; k++) dst[panel + k * NR + j] = b[(pc + k) * N + col];
      }
    }
    panel += kc * NR;
  }
}
