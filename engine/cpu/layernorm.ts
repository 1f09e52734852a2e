// LayerNorm over the last axis of size C, for each of `rows` rows:
//
//   mean = sum(x)/C,  rstd = 1/sqrt(sum((x-mean)^2)/C + eps),  xhat = (x-mean)*rstd,  y = xhat*w + b
//
// Backward, with g = dy*w:  dx = rstd * (g - mean(g) - xhat * mean(g*xhat)),  dw += dy*xhat,  db += dy

export function layerNormForward(x: Float32Array, weight: Float32Array, bias: Float32Array | null, out: Float32Array,
  mean: Float32Array, rstd: Float32Array, rows: number, C: number, eps: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    let m = 0;
    for (let c = 0; c < C; c++) m += x[o + c];
    m /= C;
    let variance = 0;
    for (let c = 0; c < C; c++) {
      const d = x[o + c] - m;
      variance += d * d;
    }
    const s = 1 / Math.sqrt(variance / C + eps);
    for (let c = 0; c < C; c++) {
      out[o + c] = (x[o + c] - m) * s * weight[c] + (bias === null ? 0 : bias[c]);
    }
    mean[r] = m;
    rstd[r] = s;
  }
}

export function layerNormBackward(dout: Float32Array, x: Float32Array, weight: Float32Array, mean: Float32Array, rstd: Float32Array,
  dx: Float32Array, dweight: Float32Array, dbias: Float32Array | null, rows: number, C: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    const m = mean[r];
    const s = rstd[r];
    let gMean = 0;
    let gxMean = 0;
    for (let c = 0; c < C; c++) {
      const xhat = (x[o + c] - m) * s;
      const g = dout[o + c] * weight[c];
      gMean += g;
      gxMean += g * xhat;
    }
    gMean /= C;
    gxMean /= C;
    for (let c = 0; c < C; c++) {
      const xhat = (x[o + c] - m) * s;
      const g = dout[o + c] * weight[c];
      dx[o + c] += s * (g - gMean - xhat * gxMean);
      dweight[c] += dout[o + c] * xhat;
      if (dbias !== null) dbias[c] += dout[o + c];
    }
  }
}
