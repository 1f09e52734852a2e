// Elementwise ops. Binary ops broadcast like NumPy; their backward sums the gradient back down to
// each input's shape (an input broadcast along an axis receives the sum over that axis).
import { Tensor } from '../tensor.ts';
import { broadcastIndex, broadcastShapes, numel, sameShape } from '../shape.ts';
import { saveActivation, saveForBackward } from '../precision.ts';
import { getKernels } from '../kernels.ts';
import { floatsToOverwrite } from '../step_buffers.ts';

export type Operand = Tensor | number;

function asTensor(x: Operand): Tensor {
  return typeof x === 'number' ? new Tensor(new Float32Array([x]), []) : x;
}

/**
 * out = f(a, b) elementwise with broadcasting. dfa / dfb give d out / d a and d out / d b at one
 * element, so the backward is   grad_a[ia] += dfa(a, b, out) * grad_out   (and the same for b).
 */
function broadcastBinary(op: string, aIn: Operand, bIn: Operand,
  f: (x: number, y: number) => number,
  dfa: (x: number, y: number, out: number) => number,
  dfb: (x: number, y: number, out: number) => number): Tensor {
  const a = asTensor(aIn);
  const b = asTensor(bIn);
  const shape = broadcastShapes(op, a.shape, b.shape);
  const n = numel(shape);
  const ia = sameShape(a.shape, shape) ? null : broadcastIndex(shape, a.shape);
  const ib = sameShape(b.shape, shape) ? null : broadcastIndex(shape, b.shape);
  const ad = a.data;
  const bd = b.data;
  const data = floatsToOverwrite(n);
  for (let i = 0; i < n; i++) data[i] = f(ad[ia === null ? i : ia[i]], bd[ib === null ? i : ib[i]]);
  return Tensor.fromOp(op, data, shape, [a, b], (out) => {
    const g = out.grad!;
    if (a.requiresGrad) {
      const ga = a.gradBuffer();
      for (let i = 0; i < n; i++) {
        const j = ia === null ? i : ia[i];
        ga[j] += dfa(ad[j], bd[ib === null ? i : ib[i]], data[i]) * g[i];
      }
    }
    if (b.requiresGrad) {
      const gb = b.gradBuffer();
      for (let i = 0; i < n; i++) {
        const j = ib === null ? i : ib[i];
        gb[j] += dfb(ad[ia === null ? i : ia[i]], bd[j], data[i]) * g[i];
      }
    }
  });
}

// a + b:  d/da = 1, d/db = 1
export function add(a: Operand, b: Operand): Tensor {
  if (typeof a !== 'number' && typeof b !== 'number' && sameShape(a.shape, b.shape)) return addSameShape(a, b);
  return broadcastBinary('add', a, b, (x, y) => x + y, () => 1, () => 1);
}

/** The residual stream's add: no broadcasting, so plain loops (the gradient passes through unchanged). */
function addSameShape(a: Tensor, b: Tensor): Tensor {
  const data = floatsToOverwrite(a.size);
  const [x, y] = [a.data, b.data]; // locals: V8 reloads a.data from the object on every pass otherwise
  for (let i = 0; i < data.length; i++) data[i] = x[i] + y[i];
  return Tensor.fromOp('add', data, a.shape.slice(), [a, b], (out) => {
    a.addGrad(out.grad!);
    b.addGrad(out.grad!);
  });
}

// a - b:  d/da = 1, d/db = -1
export function sub(a: Operand, b: Operand): Tensor {
  return broadcastBinary('sub', a, b, (x, y) => x - y, () => 1, () => -1);
}

// a * b:  d/da = b, d/db = a
export function mul(a: Operand, b: Operand): Tensor {
  return broadcastBinary('mul', a, b, (x, y) => x * y, (_x, y) => y, (x) => x);
}

// a / b:  d/da = 1/b, d/db = -a/b^2
export function div(a: Operand, b: Operand): Tensor {
  return broadcastBinary('div', a, b, (x, y) => x / y, (_x, y) => 1 / y, (x, y) => -x / (y * y));
}

/** out = f(x) elementwise; df(x, out) is d out / d x. */
function unary(op: string, x: Tensor, f: (v: number) => number, df: (v: number, out: number) => number): Tensor {
  const xd = x.data;
  const data = floatsToOverwrite(xd.length);
  for (let i = 0; i < xd.length; i++) data[i] = f(xd[i]);
  return Tensor.fromOp(op, data, x.shape.slice(), [x], (out) => {
    const g = out.grad!;
    const gx = x.gradBuffer();
    for (let i = 0; i < xd.length; i++) gx[i] += df(xd[i], data[i]) * g[i];
  });
}

// -x: d/dx = -1
export function neg(x: Tensor): Tensor {
  return unary('neg', x, (v) => -v, () => -1);
}

// x^p for a constant p: d/dx = p x^(p-1)
export function pow(x: Tensor, p: number): Tensor {
  return unary('pow', x, (v) => v ** p, (v) => p * v ** (p - 1));
}

// e^x: d/dx = e^x
export function exp(x: Tensor): Tensor {
  return unary('exp', x, Math.exp, (_v, out) => out);
}

// ln x: d/dx = 1/x
export function log(x: Tensor): Tensor {
  return unary('log', x, Math.log, (v) => 1 / v);
}

// tanh x: d/dx = 1 - tanh^2 x
export function tanh(x: Tensor): Tensor {
  return unary('tanh', x, Math.tanh, (_v, out) => 1 - out * out);
}

// sqrt x: d/dx = 1 / (2 sqrt x)
export function sqrt(x: Tensor): Tensor {
  return unary('sqrt', x, Math.sqrt, (_v, out) => 0.5 / out);
}

// max(0, x): d/dx = [x > 0]
export function relu(x: Tensor): Tensor {
  return unary('relu', x, (v) => (v > 0 ? v : 0), (v) => (v > 0 ? 1 : 0));
}

// GELU, tanh approximation as in GPT-2:  0.5 x (1 + tanh(u)),  u = sqrt(2/pi) (x + 0.044715 x^3)
//   d/dx = 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) sqrt(2/pi) (1 + 3 * 0.044715 x^2)
// x and tanh(u) are kept for backward (16-bit in a half dtype): keeping tanh(u) costs memory
// and saves an exp per element in backward, a step ~10% faster (bench/RESULTS.md). On the hot
// path of every MLP, so both directions are kernels (engine/cpu/gelu.ts).
export function gelu(x: Tensor): Tensor {
  const n = x.data.length;
  const data = floatsToOverwrite(n);
  const tanhU = floatsToOverwrite(n);
  getKernels().geluForward(x.data, data, tanhU, n);
  const saved = Tensor.willRecord([x]) ? [saveForBackward(x), saveActivation(tanhU)] : [];
  return Tensor.fromOp('gelu', data, x.shape.slice(), [x], (out) => {
    const g = out.grad!;
    const { grad: gx, accumulate } = x.gradTarget();
    const [xs, ts] = saved.map((s) => s.get());
    getKernels().geluBackward(g, xs, ts, gx, xs.length, accumulate);
    for (const s of saved) s.release();
  });
}
