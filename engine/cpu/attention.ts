// Causal scaled-dot-product attention for one head at a time, fused: no T x T mask tensor exists.
//
//   S = Q K^T / sqrt(D),  S[i,j] = -inf for j > i (+ offset),  P = softmax(S),  O = P V
//
// Backward (dO given):
//   dV = P^T dO,  dP = dO V^T,  dS = P * (dP - rowsum(P * dP)),  dQ = dS K / sqrt(D),  dK = dS^T Q / sqrt(D)

export function attentionForward(q: Float32Array, k: Float32Array, v: Float32Array, out: Float32Array, probs: Float32Array | null,
  BH: number, Tq: number, Tk: number, D: number, kvStride: number): void {
  const scale = 1 / Math.sqrt(D);
  const offset = Tk - Tq; // query i sits at absolute position i + offset
  const p = new Float32Array(Tk);
  for (let h = 0; h < BH; h++) {
    const qh = h * Tq * D;
    const kh = h * kvStride * D;
    for (let i = 0; i < Tq; i++) {
      const last = i + offset; // the last key this query may see
      const qi = qh + i * D;
      // scores and their max, for a numerically stable softmax
      let max = -Infinity;
      for (let j = 0; j <= last; j++) {
        const kj = kh + j * D;
        let s = 0;
        for (let d = 0; d < D; d++) s += q[qi + d] * k[kj + d];
        s *= scale;
        p[j] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let j = 0; j <= last; j++) {
        const e = Math.exp(p[j] - max);
        p[j] = e;
        sum += e;
      }
      const inv = 1 / sum;
      // out_i = sum_j p_ij v_j
      const oi = qh + i * D;
      out.fill(0, oi, oi + D);
      for (let j = 0; j <= last; j++) {
        const pj = p[j] * inv;
        p[j] = pj;
        const vj = kh + j * D;
        for (let d = 0; d < D; d++) out[oi + d] += pj * v[vj + d];
      }
      if (probs !== null) {
        const row = (h * Tq + i) * Tk;
        for (let j = 0; j < Tk; j++) probs[row + j] = j <= last ? p[j] : 0;
      }
    }
  }
}

export function attentionBackward(dout: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, probs: Float32Array,
  dq: Float32Array, dk: Float32Array, dv: Float32Array, BH: number, T: number, D: number): void {
  const scale = 1 / Math.sqrt(D);
  const dp = new Float32Array(T);
  for (let h = 0; h < BH; h++) {
    const base = h * T * D;
    for (let i = 0; i < T; i++) {
      const row = (h * T + i) * T;
      const oi = base + i * D;
      // dP_ij = dO_i . V_j and dV_j += P_ij dO_i, for the keys i can see
      let rowDot = 0;
      for (let j = 0; j <= i; j++) {
        const vj = base + j * D;
        const pij = probs[row + j];
        let s = 0;
        for (let d = 0; d < D; d++) {
          s += dout[oi + d] * v[vj + d];
          dv[vj + d] += pij * dout[oi + d];
        }
        dp[j] = s;
        rowDot += pij * s;
      }
      // dS_ij = P_ij (dP_ij - sum_j P_ij dP_ij); then dQ_i and dK_j
      for (let j = 0; j <= i; j++) {
        const ds = probs[row + j] * (dp[j] - rowDot) * scale;
        const kj = base + j * D;
        for (let d = 0; d < D; d++) {
          dq[oi + d] += ds * k[kj + d];
          dk[kj + d] += ds * q[oi + d];
        }
      }
    }
  }
}
