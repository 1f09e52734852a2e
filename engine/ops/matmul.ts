// Matrix products. Both go through the active Kernels' matmul, whose transposed variants give
// the two backward products without materialising a transpose:
//   C = A B   =>   dA = dC B^T,   dB = A^T dC
// In a 16-bit dtype they read rounded inputs, round their output and keep their inputs for
// backward as 16-bit values (engine/precision.ts).
import { Tensor } from '../tensor.ts';
import { getKernels } from '../kernels.ts';
import { broadcastIndex, broadcastShapes, numel, shapeStr } from '../shape.ts';
import { saveForBackward, storageCopy, toStorage } from '../precision.ts';
import { floatsToOverwrite } from '../step_buffers.ts';

/** (..., M, K) @ (..., K, N) -> (..., M, N), batch dims broadcast like NumPy. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim < 2 || b.ndim < 2 || a.shape[a.ndim - 1] !== b.shape[b.ndim - 2]) {
    throw new Error(`matmul: cannot multiply ${shapeStr(a.shape)} by ${shapeStr(b.shape)}`);
  }
  const M = a.shape[a.ndim - 2];
  const K = a.shape[a.ndim - 1];
  const N = b.shape[b.ndim - 1];
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  let batch: number[];
  try {
    batch = broadcastShapes('matmul', aBatch, bBatch);
  } catch {
    throw new Error(`matmul: cannot multiply ${shapeStr(a.shape)} by ${shapeStr(b.shape)} (batch dims do not broadcast)`);
  }
  const nBatch = numel(batch);
  const ia = broadcastIndex(batch, aBatch);
  const ib = broadcastIndex(batch, bBatch);
  const k = getKernels();
  // in a 16-bit dtype the inputs and output are rounded to it (engine/precision.ts)
  const ad = storageCopy(a.data);
  const bd = storageCopy(b.data);
  const data = floatsToOverwrite(nBatch * M * N);
  for (let i = 0; i < nBatch; i++) {
    k.matmul(ad.subarray(ia[i] * M * K, (ia[i] + 1) * M * K), bd.subarray(ib[i] * K * N, (ib[i] + 1) * K * N),
      data.subarray(i * M * N, (i + 1) * M * N), M, N, K);
  }
  toStorage(data);
  const record = Tensor.willRecord([a, b]);
  const savedA = record && b.requiresGrad ? saveForBackward(a, ad) : null;
  const savedB = record && a.requiresGrad ? saveForBackward(b, bd) : null;
  return Tensor.fromOp('matmul', data, [...batch, M, N], [a, b], (out) => {
    const g = toStorage(out.grad!);
    const av = savedA?.get();
    const bv = savedB?.get();
    for (let i = 0; i < nBatch; i++) {
      const gi = g.subarray(i * M * N, (i + 1) * M * N);
      if (a.requiresGrad) {
        // dA (M,K) += dC (M,N) @ B^T
        k.matmul(gi, bv!.subarray(ib[i] * K * N, (ib[i] + 1) * K * N), a.gradBuffer().subarray(ia[i] * M * K, (ia[i] + 1) * M * K),
          M, K, N, { transB: true, accumulate: true });
      }
      if (b.requiresGrad) {
        // dB (K,N) += A^T @ dC (M,N)
        k.matmul(av!.subarray(ia[i] * M * K, (ia[i] + 1) * M * K), gi, b.gradBuffer().subarray(ib[i] * K * N, (ib[i] + 1) * K * N),
          K, N, M, { transA: true, accumulate: true });
      }
    }
    savedA?.release();
    savedB?.release();
  });
}

/**
 * A Linear layer as PyTorch stores it: weight (out, in), optional bias (out).
 *   y = x W^T + b      dx = dy W,   dW += dy^T x,   db += sum over rows of dy
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const inF = x.shape[x.ndim - 1];
  if (weight.ndim !== 2 || weight.shape[1] !== inF || (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0]))) {
    throw new Error(`linear: input ${shapeStr(x.shape)} does not fit weight ${shapeStr(weight.shape)}` +
      (bias ? ` and bias ${shapeStr(bias.shape)}` : ''));
  }
  const outF = weight.shape[0];
  const rows = x.size / inF;
  const k = getKernels();
  const xd = storageCopy(x.data);
  const wd = storageCopy(weight.data);
  const data = floatsToOverwrite(rows * outF); // the bias in every row, or C = x W^T overwrites it
  if (bias !== null) for (let r = 0; r < rows; r++) data.set(bias.data, r * outF);
  k.matmul(xd, wd, data, rows, outF, inF, { transB: true, accumulate: bias !== null });
  toStorage(data);
  const parents = bias === null ? [x, weight] : [x, weight, bias];
  const record = Tensor.willRecord(parents);
  const savedX = record && weight.requiresGrad ? saveForBackward(x, xd) : null;
  const savedW = record && x.requiresGrad ? saveForBackward(weight, wd) : null;
  return Tensor.fromOp('linear', data, [...x.shape.slice(0, -1), outF], parents, (out) => {
    const g = toStorage(out.grad!);
    if (x.requiresGrad) {
      const { grad, accumulate } = x.gradTarget();
      k.matmul(g, savedW!.get(), grad, rows, inF, outF, { accumulate });
    }
    if (weight.requiresGrad) {
      const { grad, accumulate } = weight.gradTarget();
      k.matmul(g, savedX!.get(), grad, outF, inF, rows, { transA: true, accumulate });
    }
    if (bias !== null && bias.requiresGrad) k.sumRows(g, rows, outF, bias.gradBuffer());
    savedX?.release();
    savedW?.release();
  });
}
