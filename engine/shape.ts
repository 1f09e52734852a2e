// Small helpers for shapes: sizes, strides, broadcasting and error messages.

export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides: the last axis is contiguous. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Normalise a possibly negative axis, with an error naming the op. */
export function normAxis(op: string, axis: number, ndim: number): number {
  const a = axis < 0 ? axis + ndim : axis;
  if (a < 0 || a >= ndim) throw new Error(`${op}: axis ${axis} is out of range for a ${ndim}-d tensor`);
  return a;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NumPy broadcasting: align shapes on the right; each pair of dims must be equal or contain a 1. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: cannot broadcast ${shapeStr(a)} with ${shapeStr(b)}`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * For every element of a tensor of shape `outShape`, the flat index of the element of a tensor of
 * shape `inShape` that broadcasting reads. Used forward (gather) and backward (scatter-add).
 */
export function broadcastIndex(outShape: readonly number[], inShape: readonly number[]): Int32Array {
  const n = numel(outShape);
  const index = new Int32Array(n);
  const nd = outShape.length;
  const inStrides = stridesOf(inShape);
  // stride 0 along axes where the input has size 1 (or does not exist)
  const step = outShape.map((d, i) => {
    const j = i - (nd - inShape.length);
    return j < 0 || inShape[j] === 1 ? 0 : inStrides[j];
  });
  const counter = new Array<number>(nd).fill(0);
  let offset = 0;
  for (let i = 0; i < n; i++) {
    index[i] = offset;
    for (let ax = nd - 1; ax >= 0; ax--) {
      counter[ax]++;
      offset += step[ax];
      if (counter[ax] < outShape[ax]) break;
      offset -= step[ax] * counter[ax];
      counter[ax] = 0;
    }
  }
  return index;
}
