// LayerNorm on GPU.js (the maths of engine/cpu/layernorm.ts), one kernel per quantity:
//
//   forward:   per row: mean                                         rowMean     (rows)
//              rstd = 1/sqrt(mean((x - mean)^2) + eps)                rowRstd     (rows)
//              y = (x - mean) * rstd * w + b                          normalize   (rows, C)
//   backward:  with g = dy*w and xhat = (x - mean)*rstd, per row:
//              a = mean(g)                                           gradMean    (rows)
//              b = mean(g * xhat)                                     gradXhatMean (rows)
//              dx += rstd * (g - a - xhat * b)                        inputGrad   (rows, C)
//              per column: dw += sum_rows dy*xhat                     weightGrad  (C)
//                          db += sum_rows dy                          biasGrad    (C)
// A row's sums run in one thread; the column sums run down the rows in one thread per column.
//
// What stays on the device: mean and rstd go from their stages straight into normalize, and a, b
// straight into inputGrad. Read back: y, mean and rstd (the engine keeps them for backward), dx,
// dw and db.
import type { GPU } from 'gpu.js';
import { makeKernel, makeStage, readBack, release, runKernel } from './device.ts';

type This = { thread: { x: number } };

function rowMean(this: This, x: number[], C: number): number {
  const o = this.thread.x * C;
  let m = 0;
  for (let c = 0; c < C; c++) m += x[o + c];
  return m / C;
}

function rowRstd(this: This, x: number[], mean: number[], C: number, eps: number): number {
  const o = this.thread.x * C;
  const m = mean[this.thread.x];
  let variance = 0;
  for (let c = 0; c < C; c++) variance += (x[o + c] - m) * (x[o + c] - m);
  return 1 / Math.sqrt(variance / C + eps);
}

function normalize(this: This, x: number[], w: number[], b: number[], mean: number[], rstd: number[], C: number, hasBias: number): number {
  const r = Math.floor((this.thread.x + 0.5) / C);
  const c = this.thread.x - r * C;
  let y = (x[this.thread.x] - mean[r]) * rstd[r] * w[c];
  if (hasBias === 1) y += b[c];
  return y;
}

function gradMean(this: This, dout: number[], w: number[], C: number): number {
  const o = this.thread.x * C;
  let a = 0;
  for (let c = 0; c < C; c++) a += dout[o + c] * w[c];
  return a / C;
}

function gradXhatMean(this: This, dout: number[], x: number[], w: number[], mean: number[], rstd: number[], C: number): number {
  const r = this.thread.x;
  let b = 0;
  for (let c = 0; c < C; c++) b += dout[r * C + c] * w[c] * (x[r * C + c] - mean[r]) * rstd[r];
  return b / C;
}

function inputGrad(this: This, dx: number[], dout: number[], x: number[], w: number[], mean: number[], rstd: number[], a: number[], b: number[], C: number): number {
  const r = Math.floor((this.thread.x + 0.5) / C);
  const c = this.thread.x - r * C;
  const xhat = (x[this.thread.x] - mean[r]) * rstd[r];
  return dx[this.thread.x] + rstd[r] * (dout[this.thread.x] * w[c] - a[r] - xhat * b[r]);
}

function weightGrad(this: This, dw: number[], dout: number[], x: number[], mean: number[], rstd: number[], rows: number, C: number): number {
  const c = this.thread.x;
  let s = 0;
  for (let r = 0; r < rows; r++) s += dout[r * C + c] * (x[r * C + c] - mean[r]) * rstd[r];
  return dw[c] + s;
}

function biasGrad(this: This, db: number[], dout: number[], rows: number, C: number): number {
  const c = this.thread.x;
  let s = 0;
  for (let r = 0; r < rows; r++) s += dout[r * C + c];
  return db[c] + s;
}

export function makeLayerNorm(gpu: GPU) {
  const k = {
    rowMean: makeStage(gpu, rowMean), rowRstd: makeStage(gpu, rowRstd), normalize: makeKernel(gpu, normalize),
    gradMean: makeStage(gpu, gradMean), gradXhatMean: makeStage(gpu, gradXhatMean), inputGrad: makeKernel(gpu, inputGrad),
    weightGrad: makeKernel(gpu, weightGrad), biasGrad: makeKernel(gpu, biasGrad),
  };
  const NO_BIAS = new Float32Array(1);

  function layerNormForward(x: Float32Array, weight: Float32Array, bias: Float32Array | null, out: Float32Array,
    mean: Float32Array, rstd: Float32Array, rows: number, C: number, eps: number): void {
    const m = runKernel(k.rowMean, rows, x, C);
    const s = runKernel(k.rowRstd, rows, x, m, C, eps);
    out.set(readBack(runKernel(k.normalize, rows * C, x, weight, bias ?? NO_BIAS, m, s, C, bias === null ? 0 : 1)));
    mean.set(readBack(m));
    rstd.set(readBack(s));
    release(m, s);
  }

  function layerNormBackward(dout: Float32Array, x: Float32Array, weight: Float32Array, mean: Float32Array, rstd: Float32Array,
    dx: Float32Array, dweight: Float32Array, dbias: Float32Array | null, rows: number, C: number): void {
    const a = runKernel(k.gradMean, rows, dout, weight, C);
    const b = runKernel(k.gradXhatMean, rows, dout, x, weight, mean, rstd, C);
    dx.set(readBack(runKernel(k.inputGrad, rows * C, dx, dout, x, weight, mean, rstd, a, b, C)));
    release(a, b);
    dweight.set(readBack(runKernel(k.weightGrad, C, dweight, dout, x, mean, rstd, rows, C)));
    if (dbias !== null) dbias.set(readBack(runKernel(k.biasGrad, C, dbias, dout, rows, C)));
  }

  return { layerNormForward, layerNormBackward };
}
