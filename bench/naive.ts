// The textbook kernels every benchmark row is compared against ("speedup over naive").
import { matmulNaive } from '../engine/cpu/matmul.ts';

export { matmulNaive };

/** Causal attention forward, one query row at a time, as the formula reads (no blocking). */
export function attentionForwardNaive(q: Float32Array, k: Float32Array, v: Float32Array, out: Float32Array, BH: number, T: number, D: number): void {
  const scale = 1 / Math.sqrt(D);
  const p = new Float32Array(T);
  for (let h = 0; h < BH; h++) {
    const base = h * T * D;
    for (let i = 0; i < T; i++) {
      let max = -Infinity;
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let d = 0; d < D; d++) s += q[base + i * D + d] * k[base + j * D + d];
        p[j] = s * scale;
        if (p[j] > max) max = p[j];
      }
      let sum = 0;
      for (let j = 0; j <= i; j++) sum += p[j] = Math.exp(p[j] - max);
      for (let d = 0; d < D; d++) {
        let o = 0;
        for (let j = 0; j <= i; j++) o += (p[j] / sum) * v[base + j * D + d];
        out[base + i * D + d] = o;
      }
    }
  }
}
