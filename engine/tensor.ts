// A Tensor is a contiguous row-major Float32Array plus a shape. Autograd is micrograd's idea at
// tensor granularity: each op returns a tensor that remembers its parents and a closure that
// pushes the output's gradient back into theirs; backward() walks a topological order once.
import { numel, shapeStr, stridesOf } from './shape.ts';
import * as rng from './random.ts';
import { floats, floatsToOverwrite } from './step_buffers.ts';

type Nested = number | Nested[];

let gradEnabled = true;

/** Run fn without recording a graph (inference, evaluation, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}

export class Tensor {
  data: Float32Array;
  shape: number[];
  grad: Float32Array | null = null;
  requiresGrad: boolean;
  /** Name of the op that made this tensor ('leaf' for created ones); shown in errors. */
  op: string;
  /** Optional human name, e.g. 'transformer.h.0.attn.c_attn.weight'. */
  name = '';
  private parents: Tensor[];
  private backwardFn: (() => void) | null;
  private graphFreed = false;

  constructor(data: Float32Array, shape: number[], requiresGrad = false) {
    if (data.length !== numel(shape)) {
      throw new Error(`tensor: ${data.length} values do not fill shape ${shapeStr(shape)}`);
    }
    if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new Error(`tensor: invalid shape ${shapeStr(shape)}`);
    }
    this.data = data;
    this.shape = shape;
    this.requiresGrad = requiresGrad;
    this.op = 'leaf';
    this.parents = [];
    this.backwardFn = null;
  }

  /**
   * The result of an op. It joins the graph only when grad mode is on and some parent needs a
   * gradient; `backward` then reads this.grad and adds into the parents' grads.
   */
  static fromOp(op: string, data: Float32Array, shape: number[], parents: Tensor[], backward: (out: Tensor) => void): Tensor {
    const out = new Tensor(data, shape);
    out.op = op;
    if (Tensor.willRecord(parents)) {
      out.requiresGrad = true;
      out.parents = parents;
      out.backwardFn = () => backward(out);
    }
    return out;
  }

  /** Whether an op on these inputs will join the graph (so it must keep what its backward needs). */
  static willRecord(parents: Tensor[]): boolean {
    return gradEnabled && parents.some((p) => p.requiresGrad);
  }

  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor of shape ${shapeStr(this.shape)} has ${this.size} values, not 1`);
    return this.data[0];
  }

  /** Nested JavaScript arrays, like PyTorch's tolist(). */
  toArray(): Nested {
    const strides = stridesOf(this.shape);
    const build = (axis: number, offset: number): Nested => {
      if (axis === this.shape.length) return this.data[offset];
      const out: Nested[] = [];
      for (let i = 0; i < this.shape[axis]; i++) out.push(build(axis + 1, offset + i * strides[axis]));
      return out;
    };
    return build(0, 0);
  }

  /** Add g into this tensor's gradient (allocating it on first use). Gradients accumulate. */
  addGrad(g: Float32Array): void {
    if (!this.requiresGrad) return;
    if (this.grad === null) {
      this.grad = this.newGrad(false);
      this.grad.set(g);
      return;
    }
    const grad = this.grad;
    for (let i = 0; i < grad.length; i++) grad[i] += g[i];
  }

  /** The gradient buffer, allocated as zeros if missing, for kernels that accumulate in place. */
  gradBuffer(): Float32Array {
    if (this.grad === null) this.grad = this.newGrad(true);
    return this.grad;
  }

  /**
   * Where a kernel that can either write a gradient whole or add into it should put this tensor's:
   * the gradient so far (accumulate: true), or, when there is none yet, a new array that is not
   * zeroed (accumulate: false) which the kernel must write every element of. Zeroing an array only
   * to add into it costs a pass over it, and the SIMD kernels would then copy those zeros into
   * their memory: ~5% of the language-model step.
   */
  gradTarget(): { grad: Float32Array; accumulate: boolean } {
    if (this.grad !== null) return { grad: this.grad, accumulate: true };
    this.grad = this.newGrad(false);
    return { grad: this.grad, accumulate: false };
  }

  /**
   * A gradient array for this tensor: an op's result may take a reused one (engine/step_buffers.ts),
   * zeroed unless the caller overwrites it whole; a parameter's gradient is always its own.
   */
  private newGrad(zeroed: boolean): Float32Array {
    if (this.op === 'leaf') return new Float32Array(this.size);
    return zeroed ? floats(this.size) : floatsToOverwrite(this.size);
  }

  /** Accumulate this tensor's gradient into g from now on (g of this.size floats, its contents kept). */
  useGrad(g: Float32Array): void {
    if (g.length !== this.size) throw new Error(`useGrad: a gradient of ${g.length} floats for a tensor of ${this.size} (shape [${this.shape.join(', ')}])`);
    this.grad = g;
  }

  zeroGrad(): void {
    this.grad = null;
  }

  /** Same values, cut from the graph. Shares memory with this tensor. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape.slice());
  }

  /**
   * Reverse-mode autodiff. The seed defaults to 1 for a scalar. The graph is freed as it is
   * walked (closures and parent links dropped), so a second backward through it is an error.
   */
  backward(seed?: Float32Array): void {
    if (this.graphFreed) {
      throw new Error(`backward: the graph behind this '${this.op}' tensor was already freed by an earlier backward(); run the forward pass again`);
    }
    if (!this.requiresGrad) throw new Error(`backward: this '${this.op}' tensor does not require grad (no parameter led to it, or it was made under noGrad)`);
    if (seed === undefined && this.size !== 1) {
      throw new Error(`backward: output of shape ${shapeStr(this.shape)} is not a scalar; pass a seed gradient of ${this.size} values`);
    }
    if (seed !== undefined && seed.length !== this.size) {
      throw new Error(`backward: seed has ${seed.length} values, output of shape ${shapeStr(this.shape)} has ${this.size}`);
    }
    const order = topologicalOrder(this);
    this.addGrad(seed ?? new Float32Array([1]));
    for (let i = order.length - 1; i >= 0; i--) {
      const node = order[i];
      if (node.backwardFn === null) continue;
      if (node.grad !== null) node.backwardFn();
      // free as we go: intermediate grads and closures are not needed again
      node.backwardFn = null;
      node.parents = [];
      node.graphFreed = true;
      if (node !== this) node.grad = null;
    }
  }

  /** Parents in the graph (empty for leaves); used by topologicalOrder. */
  inputs(): readonly Tensor[] {
    return this.parents;
  }
}

/** Depth-first post-order without recursion (graphs of deep models would overflow the stack). */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: Array<[Tensor, number]> = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [node, next] = top;
    const parents = node.inputs();
    if (next < parents.length) {
      top[1]++;
      const p = parents[next];
      if (!visited.has(p) && p.requiresGrad) {
        visited.add(p);
        stack.push([p, 0]);
      }
    } else {
      order.push(node);
      stack.pop();
    }
  }
  return order;
}

// ---------------------------------------------------------------- creation

export interface CreateOptions {
  requiresGrad?: boolean;
}

function inferShape(x: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = x;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

/** From nested arrays (shape inferred) or a flat array / typed array with an explicit shape. */
export function tensor(values: Nested | ArrayLike<number>, shape?: number[], opts: CreateOptions = {}): Tensor {
  let data: Float32Array;
  if (shape === undefined) {
    if (!Array.isArray(values) && typeof values !== 'number') {
      shape = [values.length];
      data = Float32Array.from(values);
    } else {
      shape = inferShape(values as Nested);
      const flat = typeof values === 'number' ? [values] : (values as Nested[]).flat(Infinity as 1) as number[];
      if (flat.length !== numel(shape)) throw new Error(`tensor: ragged nested array, expected shape ${shapeStr(shape)}`);
      data = Float32Array.from(flat);
    }
  } else {
    data = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  }
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

export function zeros(shape: number[], opts: CreateOptions = {}): Tensor {
  return new Tensor(new Float32Array(numel(shape)), shape, opts.requiresGrad ?? false);
}

export function full(shape: number[], value: number, opts: CreateOptions = {}): Tensor {
  return new Tensor(new Float32Array(numel(shape)).fill(value), shape, opts.requiresGrad ?? false);
}

export function ones(shape: number[], opts: CreateOptions = {}): Tensor {
  return full(shape, 1, opts);
}

/** 0, 1, ..., n-1 (or start..end by step). */
export function arange(start: number, end?: number, step = 1): Tensor {
  if (end === undefined) [start, end] = [0, start];
  const n = Math.max(0, Math.ceil((end - start) / step));
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n]);
}

/** Normal(mean, std) from the global seeded generator. */
export function randn(shape: number[], opts: CreateOptions & { std?: number; mean?: number } = {}): Tensor {
  const t = zeros(shape, opts);
  const std = opts.std ?? 1;
  const mean = opts.mean ?? 0;
  for (let i = 0; i < t.size; i++) t.data[i] = mean + std * rng.randn();
  return t;
}

/** Uniform in [low, high) from the global seeded generator. */
export function rand(shape: number[], opts: CreateOptions & { low?: number; high?: number } = {}): Tensor {
  const t = zeros(shape, opts);
  const low = opts.low ?? 0;
  const high = opts.high ?? 1;
  for (let i = 0; i < t.size; i++) t.data[i] = low + (high - low) * rng.random();
  return t;
}
