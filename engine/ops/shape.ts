// Ops that move values around without arithmetic: reshape, permute/transpose, concat, slice, split.
// Their backward moves the gradient back the same way.
import { Tensor } from '../tensor.ts';
import { normAxis, numel, shapeStr, stridesOf } from '../shape.ts';
import { floatsToOverwrite } from '../step_buffers.ts';
import { swapMiddleAxes } from '../cpu/elementwise_simd.ts';

/** Same values, new shape (one dim may be -1). Shares memory: data is contiguous. */
export function reshape(x: Tensor, shape: number[]): Tensor {
  const known = shape.filter((d) => d !== -1);
  const unknown = shape.length - known.length;
  const knownSize = numel(known);
  if (unknown > 1 || (unknown === 1 && (knownSize === 0 || x.size % knownSize !== 0)) || (unknown === 0 && knownSize !== x.size)) {
    throw new Error(`reshape: cannot view ${shapeStr(x.shape)} (${x.size} values) as ${shapeStr(shape)}`);
  }
  const newShape = shape.map((d) => (d === -1 ? x.size / knownSize : d));
  return Tensor.fromOp('reshape', x.data, newShape, [x], (out) => x.addGrad(out.grad!));
}

export const view = reshape;

/** Reorder axes: out.shape[i] = x.shape[dims[i]]. Backward applies the inverse permutation. */
export function permute(x: Tensor, dims: number[]): Tensor {
  const nd = x.ndim;
  const norm = dims.map((d) => (d < 0 ? d + nd : d));
  if (norm.length !== nd || new Set(norm).size !== nd || norm.some((d) => d < 0 || d >= nd)) {
    throw new Error(`permute: [${dims.join(',')}] is not a permutation of the axes of ${shapeStr(x.shape)}`);
  }
  const outShape = norm.map((d) => x.shape[d]);
  const data = permuteData(x.data, x.shape, norm);
  return Tensor.fromOp('permute', data, outShape, [x], (out) => {
    const inverse = new Array<number>(nd);
    norm.forEach((d, i) => (inverse[d] = i));
    x.addGrad(permuteData(out.grad!, outShape, inverse));
  });
}

/** Swap two axes. */
export function transpose(x: Tensor, a: number, b: number): Tensor {
  const dims = x.shape.map((_, i) => i);
  const i = normAxis('transpose', a, x.ndim);
  const j = normAxis('transpose', b, x.ndim);
  [dims[i], dims[j]] = [dims[j], dims[i]];
  return permute(x, dims);
}

/**
 * Copy data of `shape` into the axis order `dims`; the innermost loop runs along the output's last
 * axis. Attention's (B, T, H, D) <-> (B, H, T, D), the commonest by far, is a copy of whole rows of
 * D floats, done in WebAssembly SIMD where there is some (a JavaScript loop copies ~4 GB/s).
 */
function permuteData(src: Float32Array, shape: number[], dims: number[]): Float32Array {
  const nd = shape.length;
  const out = floatsToOverwrite(src.length);
  const middleSwap = nd === 4 && dims[0] === 0 && dims[1] === 2 && dims[2] === 1 && dims[3] === 3;
  if (middleSwap && swapMiddleAxes(src, out, shape[0], shape[1], shape[2], shape[3])) return out;
  const inStrides = stridesOf(shape);
  const outShape = dims.map((d) => shape[d]);
  const step = dims.map((d) => inStrides[d]); // input stride for each output axis
  if (nd === 0) {
    out[0] = src[0];
    return out;
  }
  const last = nd - 1;
  const lastLen = outShape[last];
  const lastStep = step[last];
  const counter = new Array<number>(nd).fill(0);
  let inOffset = 0;
  for (let o = 0; o < out.length; o += lastLen) {
    for (let j = 0; j < lastLen; j++) out[o + j] = src[inOffset + j * lastStep];
    for (let ax = last - 1; ax >= 0; ax--) {
      counter[ax]++;
      inOffset += step[ax];
      if (counter[ax] < outShape[ax]) break;
      inOffset -= step[ax] * counter[ax];
      counter[ax] = 0;
    }
  }
  return out;
}

/** View a tensor as (outer, len, inner) around `axis`, the shape every axis op below works in. */
function around(shape: number[], axis: number): [number, number, number] {
  return [numel(shape.slice(0, axis)), shape[axis], numel(shape.slice(axis + 1))];
}

/** Join tensors along an axis; all other dims must match. */
export function concat(xs: Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new Error('concat: needs at least one tensor');
  const ax = normAxis('concat', axis, xs[0].ndim);
  for (const x of xs) {
    if (x.ndim !== xs[0].ndim || x.shape.some((d, i) => i !== ax && d !== xs[0].shape[i])) {
      throw new Error(`concat: shapes ${xs.map((t) => shapeStr(t.shape)).join(', ')} differ outside axis ${axis}`);
    }
  }
  const total = xs.reduce((s, x) => s + x.shape[ax], 0);
  const outShape = xs[0].shape.slice();
  outShape[ax] = total;
  const [outer, , inner] = around(outShape, ax);
  const data = floatsToOverwrite(numel(outShape));
  let start = 0;
  for (const x of xs) {
    const chunk = x.shape[ax] * inner;
    for (let o = 0; o < outer; o++) data.set(x.data.subarray(o * chunk, (o + 1) * chunk), o * total * inner + start * inner);
    start += x.shape[ax];
  }
  return Tensor.fromOp('concat', data, outShape, xs, (out) => {
    const g = out.grad!;
    let s = 0;
    for (const x of xs) {
      const chunk = x.shape[ax] * inner;
      if (x.requiresGrad) {
        const gx = x.gradBuffer();
        for (let o = 0; o < outer; o++) {
          const from = o * total * inner + s * inner;
          for (let i = 0; i < chunk; i++) gx[o * chunk + i] += g[from + i];
        }
      }
      s += x.shape[ax];
    }
  });
}

// In (outer, len, inner) terms a slice [start, end) of the axis is `outer` chunks of (end - start) * inner
// floats, one every len * inner floats of x, the first at start * inner: slice and split copy them out
// and add their gradients back the same way.

/** The chunks of a slice, side by side in a new array. */
function gatherChunks(src: Float32Array, outer: number, stride: number, offset: number, chunk: number): Float32Array {
  const out = floatsToOverwrite(outer * chunk);
  for (let o = 0; o < outer; o++) out.set(src.subarray(o * stride + offset, o * stride + offset + chunk), o * chunk);
  return out;
}

/** The slice's gradient g (its chunks side by side) added into x's gradient dst, each chunk where it came from. */
function addChunks(dst: Float32Array, g: Float32Array, outer: number, stride: number, offset: number, chunk: number): void {
  for (let o = 0; o < outer; o++) {
    const to = o * stride + offset;
    for (let i = 0; i < chunk; i++) dst[to + i] += g[o * chunk + i];
  }
}

/** x[..., start:end, ...] along one axis. */
export function slice(x: Tensor, axis: number, start: number, end: number): Tensor {
  const ax = normAxis('slice', axis, x.ndim);
  const len = x.shape[ax];
  if (!(0 <= start && start <= end && end <= len)) {
    throw new Error(`slice: range [${start}, ${end}) is outside axis ${axis} of ${shapeStr(x.shape)}`);
  }
  const [outer, , inner] = around(x.shape, ax);
  const outShape = x.shape.slice();
  outShape[ax] = end - start;
  const chunk = (end - start) * inner;
  const data = gatherChunks(x.data, outer, len * inner, start * inner, chunk);
  return Tensor.fromOp('slice', data, outShape, [x], (out) => addChunks(x.gradBuffer(), out.grad!, outer, len * inner, start * inner, chunk));
}

/**
 * Split along an axis into pieces of the given sizes (or equal pieces of one size). Each piece is a
 * copy, as slice makes it. The backward is one pass instead of one per piece: each piece hands its
 * gradient over as it is (no copy) to a node that stands for the whole split, an empty tensor with x
 * as parent. That node runs after every piece (they are all its children) and builds x's gradient
 * from the pieces side by side: copied into a new gradient (nothing zeroed first), or added where x
 * has one already. As slices, attention's q, k, v each zeroed or added into all of x's gradient.
 */
export function split(x: Tensor, sizes: number | number[], axis: number): Tensor[] {
  const ax = normAxis('split', axis, x.ndim);
  const len = x.shape[ax];
  const parts = typeof sizes === 'number' ? Array.from({ length: Math.ceil(len / sizes) }, (_, i) => Math.min(sizes, len - i * sizes)) : sizes;
  if (parts.reduce((a, b) => a + b, 0) !== len || parts.some((p) => p <= 0)) {
    throw new Error(`split: sizes [${parts.join(',')}] do not add up to ${len} along axis ${axis} of ${shapeStr(x.shape)}`);
  }
  const [outer, , inner] = around(x.shape, ax);
  const starts = parts.map((_, i) => parts.slice(0, i).reduce((a, b) => a + b, 0));
  const pieceGrads: Array<Float32Array | null> = parts.map(() => null);
  const whole = Tensor.fromOp('split', new Float32Array(0), [0], [x], () => {
    const { grad, accumulate } = x.gradTarget();
    parts.forEach((p, i) => {
      const [g, chunk] = [pieceGrads[i], p * inner];
      if (g !== null && accumulate) return addChunks(grad, g, outer, len * inner, starts[i] * inner, chunk);
      if (g === null && accumulate) return; // a piece that got no gradient adds nothing
      for (let o = 0; o < outer; o++) { // a new gradient: each chunk written, zeros for a piece without one
        const to = (o * len + starts[i]) * inner;
        if (g === null) grad.fill(0, to, to + chunk);
        else grad.set(g.subarray(o * chunk, (o + 1) * chunk), to);
      }
    });
  });
  return parts.map((p, i) => {
    const data = gatherChunks(x.data, outer, len * inner, starts[i] * inner, p * inner);
    const shape = x.shape.slice();
    shape[ax] = p;
    return Tensor.fromOp('slice', data, shape, [whole], (out) => {
      pieceGrads[i] = out.grad!;
      whole.addGrad(whole.data); // an empty gradient: it only tells the backward pass to run whole's
    });
  });
}
