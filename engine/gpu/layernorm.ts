// LayerNorm on GPU.js (the maths of engine/cpu/layernorm.ts):
//
//   forward:   per row: mean, rstd = 1/sqrt(var + eps)            rowMoments  (rows) x 2
//              y = (x - mean) * rstd * w + b                        normalize   (rows, C)
//   backward:  per row, with g = dy*w, xhat = (x - mean)*rstd:  mean(g), mean(g*xhat)     rowGradMeans
//              dx += rstd * (g - mean(g) - xhat * mean(g*xhat))                          inputGrad
//              per column: dw += sum_rows dy*xhat, db += sum_rows dy                      paramGrads
// A row's sums run in one thread; the column sums run down the rows in one thread per column.
import type { GPU } from 'gpu.js';
import { flatPairs, makeKernel, runKernel } from './device.ts';

type This = { thread: { x: number } };

function rowMoments(this: This, x: number[], C: number, eps: number): number[] {
  const o = this.thread.x * C;
  let m = 0;
  for (let c = 0; c < C; c++) m += x[o + c];
  m = m / C;
  let variance = 0;
  for (let c2 = 0; c2 < C; c2++) variance += (x[o + c2] - m) * (x[o + c2] - m);
  return [m, 1 / Math.sqrt(variance / C + eps)];
}

function normalize(this: This, x: number[], w: number[], b: number[], moments: number[], C: number, hasBias: number): number {
  const r = Math.floor((this.thread.x + 0.5) / C);
  const c = this.thread.x - r * C;
  let y = (x[this.thread.x] - moments[r * 2]) * moments[r * 2 + 1] * w[c];
  if (hasBias === 1) y += b[c];
  return y;
}

function rowGradMeans(this: This, dout: number[], x: number[], w: number[], moments: number[], C: number): number[] {
  const r = this.thread.x;
  let gMean = 0;
  let gxMean = 0;
  for (let c = 0; c < C; c++) {
    const xhat = (x[r * C + c] - moments[r * 2]) * moments[r * 2 + 1];
    const g = dout[r * C + c] * w[c];
    gMean += g;
    gxMean += g * xhat;
  }
  return [gMean / C, gxMean / C];
}

function inputGrad(this: This, dx: number[], dout: number[], x: number[], w: number[], moments: number[], means: number[], C: number): number {
  const r = Math.floor((this.thread.x + 0.5) / C);
  const c = this.thread.x - r * C;
  const s = moments[r * 2 + 1];
  const xhat = (x[this.thread.x] - moments[r * 2]) * s;
  return dx[this.thread.x] + s * (dout[this.thread.x] * w[c] - means[r * 2] - xhat * means[r * 2 + 1]);
}

function paramGrads(this: This, dw: number[], db: number[], dout: number[], x: number[], moments: number[], rows: number, C: number): number[] {
  const c = this.thread.x;
  let sw = 0;
  let sb = 0;
  for (let r = 0; r < rows; r++) {
    const xhat = (x[r * C + c] - moments[r * 2]) * moments[r * 2 + 1];
    sw += dout[r * C + c] * xhat;
    sb += dout[r * C + c];
  }
  return [dw[c] + sw, db[c] + sb];
}

export function makeLayerNorm(gpu: GPU) {
  const k = {
    rowMoments: makeKernel(gpu, rowMoments, 'Array(2)'), normalize: makeKernel(gpu, normalize),
    rowGradMeans: makeKernel(gpu, rowGradMeans, 'Array(2)'), inputGrad: makeKernel(gpu, inputGrad), paramGrads: makeKernel(gpu, paramGrads, 'Array(2)'),
  };
  const NO_BIAS = new Float32Array(1);

  function layerNormForward(x: Float32Array, weight: Float32Array, bias: Float32Array | null, out: Float32Array,
    mean: Float32Array, rstd: Float32Array, rows: number, C: number, eps: number): void {
    const moments = flatPairs(runKernel<Float32Array[]>(k.rowMoments, rows, x, C, eps));
    out.set(runKernel(k.normalize, rows * C, x, weight, bias ?? NO_BIAS, moments, C, bias === null ? 0 : 1));
    for (let r = 0; r < rows; r++) {
      mean[r] = moments[r * 2];
      rstd[r] = moments[r * 2 + 1];
    }
  }

  function layerNormBackward(dout: Float32Array, x: Float32Array, weight: Float32Array, mean: Float32Array, rstd: Float32Array,
    dx: Float32Array, dweight: Float32Array, dbias: Float32Array | null, rows: number, C: number): void {
    const moments = new Float32Array(rows * 2);
    for (let r = 0; r < rows; r++) {
      moments[r * 2] = mean[r];
      moments[r * 2 + 1] = rstd[r];
    }
    const means = flatPairs(runKernel<Float32Array[]>(k.rowGradMeans, rows, dout, x, weight, moments, C));
    dx.set(runKernel(k.inputGrad, rows * C, dx, dout, x, weight, moments, means, C));
    const grads = runKernel<Float32Array[]>(k.paramGrads, C, dweight, dbias ?? new Float32Array(C), dout, x, moments, rows, C);
    for (let c = 0; c < C; c++) {
      dweight[c] = grads[c][0];
      if (dbias !== null) dbias[c] = grads[c][1];
    }
  }

  return { layerNormForward, layerNormBackward };
}
