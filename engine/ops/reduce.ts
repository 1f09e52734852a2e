// Reductions over one axis (or all values): sum, mean, max.
import { Tensor } from '../tensor.ts';
import { normAxis, numel } from '../shape.ts';
import { floats } from '../step_buffers.ts';

function reducedShape(shape: number[], axis: number, keepdim: boolean): number[] {
  const out = shape.slice();
  if (keepdim) out[axis] = 1;
  else out.splice(axis, 1);
  return out;
}

/** Treat all values as one axis when no axis is given. */
function layout(x: Tensor, axis: number | undefined, op: string): { outer: number; len: number; inner: number; shape: (keep: boolean) => number[] } {
  if (axis === undefined) return { outer: 1, len: x.size, inner: 1, shape: (keep) => (keep ? x.shape.map(() => 1) : []) };
  const ax = normAxis(op, axis, x.ndim);
  return { outer: numel(x.shape.slice(0, ax)), len: x.shape[ax], inner: numel(x.shape.slice(ax + 1)), shape: (keep) => reducedShape(x.shape, ax, keep) };
}

// y = sum_i x_i:  dx_i = dy
export function sum(x: Tensor, axis?: number, keepdim = false): Tensor {
  const { outer, len, inner, shape } = layout(x, axis, 'sum');
  const data = floats(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let l = 0; l < len; l++) {
      const from = (o * len + l) * inner;
      for (let i = 0; i < inner; i++) data[o * inner + i] += x.data[from + i];
    }
  }
  return Tensor.fromOp('sum', data, shape(keepdim), [x], (out) => {
    const g = out.grad!;
    const gx = x.gradBuffer();
    for (let o = 0; o < outer; o++) {
      for (let l = 0; l < len; l++) {
        const to = (o * len + l) * inner;
        for (let i = 0; i < inner; i++) gx[to + i] += g[o * inner + i];
      }
    }
  });
}

// y = sum_i x_i / n:  dx_i = dy / n
export function mean(x: Tensor, axis?: number, keepdim = false): Tensor {
  const n = axis === undefined ? x.size : x.shape[normAxis('mean', axis, x.ndim)];
  const s = sum(x, axis, keepdim);
  const data = s.data.map((v) => v / n);
  return Tensor.fromOp('mean', data, s.shape, [s], (out) => s.addGrad(out.grad!.map((g) => g / n)));
}

// y = max_i x_i:  dx_i = dy at the (first) argmax, 0 elsewhere
export function max(x: Tensor, axis?: number, keepdim = false): Tensor {
  const { outer, len, inner, shape } = layout(x, axis, 'max');
  if (len === 0) throw new Error('max: cannot reduce an empty axis');
  const data = floats(outer * inner).fill(-Infinity);
  const argmax = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let l = 0; l < len; l++) {
      const from = (o * len + l) * inner;
      for (let i = 0; i < inner; i++) {
        if (x.data[from + i] > data[o * inner + i]) {
          data[o * inner + i] = x.data[from + i];
          argmax[o * inner + i] = l;
        }
      }
    }
  }
  return Tensor.fromOp('max', data, shape(keepdim), [x], (out) => {
    const g = out.grad!;
    const gx = x.gradBuffer();
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) gx[(o * len + argmax[o * inner + i]) * inner + i] += g[o * inner + i];
    }
  });
}
