// Softmax family over the last axis, all numerically stable (the row max is subtracted first).
import { Tensor } from '../tensor.ts';
import { getKernels } from '../kernels.ts';
import { saveActivation } from '../precision.ts';
import { shapeStr } from '../shape.ts';
import { floatsToOverwrite } from '../step_buffers.ts';

function lastAxis(op: string, x: Tensor): [number, number] {
  if (x.ndim === 0) throw new Error(`${op}: needs at least one axis, got a scalar`);
  const V = x.shape[x.ndim - 1];
  return [x.size / V, V];
}

// y = exp(x - max) / sum(exp(x - max)):   dx = y * (dy - sum(dy * y))
export function softmax(x: Tensor): Tensor {
  const [rows, V] = lastAxis('softmax', x);
  const data = floatsToOverwrite(x.size);
  for (let r = 0; r < rows; r++) {
    const o = r * V;
    let max = -Infinity;
    for (let j = 0; j < V; j++) if (x.data[o + j] > max) max = x.data[o + j];
    let s = 0;
    for (let j = 0; j < V; j++) s += data[o + j] = Math.exp(x.data[o + j] - max);
    for (let j = 0; j < V; j++) data[o + j] /= s;
  }
  return Tensor.fromOp('softmax', data, x.shape.slice(), [x], (out) => {
    const g = out.grad!;
    const gx = x.gradBuffer();
    for (let r = 0; r < rows; r++) {
      const o = r * V;
      let dot = 0;
      for (let j = 0; j < V; j++) dot += g[o + j] * data[o + j];
      for (let j = 0; j < V; j++) gx[o + j] += data[o + j] * (g[o + j] - dot);
    }
  });
}

// y = x - logsumexp(x):   dx = dy - softmax(x) * sum(dy)
export function logSoftmax(x: Tensor): Tensor {
  const [rows, V] = lastAxis('logSoftmax', x);
  const data = floatsToOverwrite(x.size);
  for (let r = 0; r < rows; r++) {
    const o = r * V;
    let max = -Infinity;
    for (let j = 0; j < V; j++) if (x.data[o + j] > max) max = x.data[o + j];
    let s = 0;
    for (let j = 0; j < V; j++) s += Math.exp(x.data[o + j] - max);
    const lse = max + Math.log(s);
    for (let j = 0; j < V; j++) data[o + j] = x.data[o + j] - lse;
  }
  return Tensor.fromOp('logSoftmax', data, x.shape.slice(), [x], (out) => {
    const g = out.grad!;
    const gx = x.gradBuffer();
    for (let r = 0; r < rows; r++) {
      const o = r * V;
      let gsum = 0;
      for (let j = 0; j < V; j++) gsum += g[o + j];
      for (let j = 0; j < V; j++) gx[o + j] += g[o + j] - Math.exp(data[o + j]) * gsum;
    }
  });
}

/**
 * Mean cross-entropy of logits (..., V) against integer targets (one per row), ignoring -1.
 * With no kept position the loss is 0 and the gradient is 0 (never 0/0).
 */
export function crossEntropy(logits: Tensor, targets: Int32Array | number[]): Tensor {
  const [rows, V] = lastAxis('crossEntropy', logits);
  const t = targets instanceof Int32Array ? targets : Int32Array.from(targets);
  if (t.length !== rows) {
    throw new Error(`crossEntropy: logits ${shapeStr(logits.shape)} have ${rows} rows but there are ${t.length} targets`);
  }
  const k = getKernels();
  const record = Tensor.willRecord([logits]);
  const probs = record ? floatsToOverwrite(rows * V) : null; // softmax of each kept row (only those are read), for the backward pass
  const [sum, count] = k.crossEntropyForward(logits.data, t, rows, V, probs);
  const loss = count === 0 ? 0 : sum / count;
  const saved = record ? saveActivation(probs!) : null;
  return Tensor.fromOp('crossEntropy', new Float32Array([loss]), [], [logits], (out) => {
    if (count > 0) {
      const { grad, accumulate } = logits.gradTarget();
      k.crossEntropyBackward(saved!.get(), t, grad, rows, V, out.grad![0] / count, accumulate);
    }
    saved!.release();
  });
}
