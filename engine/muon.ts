// Muon (Keller Jordan, 2024): momentum for weight matrices, with each update orthogonalised.
//
//   B <- mu*B + G                       momentum buffer (mu = 0.95)
//   U <- G + mu*B                       Nesterov: look one step ahead
//   O <- newtonSchulz(U)                U = P S Q^T  ->  O ~ P Q^T  (every singular value pushed to ~1)
//   W <- W*(1 - lr*wd) - lr * 0.2*sqrt(max(rows, cols)) * O
//
// Adam scales each coordinate by its own history. Muon scales each *direction* of the matrix: a
// gradient matrix is dominated by a few large singular directions, and orthogonalising gives every
// direction the same step, so the rare ones are learned as fast as the common ones. The factor
// 0.2*sqrt(max(rows, cols)) gives O the RMS of a typical AdamW update (Moonlight, Liu et al. 2025),
// so the same learning rate and weight decay serve both. Muon is for the blocks' matrices only;
// embeddings, biases and LayerNorm gains stay with AdamW, as in the original. The optimizer
// (engine/optim.ts, applyUpdate) runs muonMomentum, newtonSchulz and muonApply on each matrix.
import { getKernels } from './kernels.ts';
import { scaleAdd } from './cpu/elementwise_simd.ts';

/** mu, the momentum of every Muon group (Keller Jordan's value) */
export const MUON_MOMENTUM = 0.95;

// the quintic's coefficients, chosen to push singular values in (0, 1] up to about 0.7-1.2 fast
const NS_A = 3.4445;
const NS_B = -4.775;
const NS_C = 2.0315;

// Work buffers, kept from step to step: a step of the walkthrough's model would otherwise allocate
// ~6 MB of them, and the garbage collector would have to find and free it.
const buffers = new Map<string, Float32Array>();
function scratch(name: string, size: number): Float32Array {
  const key = `${name}/${size}`;
  let b = buffers.get(key);
  if (b === undefined) {
    b = new Float32Array(size);
    buffers.set(key, b);
  }
  return b;
}

/**
 * An approximate orthogonalisation of g (rows x cols, row-major) into out: the matrix with g's
 * singular vectors and singular values near 1. Scaled to norm 1, then iterated
 * X <- aX + (bA + cA^2)X with A = X X^T for a wide X, or X <- aX + X(bA + cA^2) with A = X^T X for a
 * tall one, so that A is always the small square (matmul's transposed forms, no copy).
 */
export function newtonSchulz(g: Float32Array, rows: number, cols: number, out: Float32Array, steps = 5): Float32Array {
  const k = getKernels();
  const tall = rows > cols;
  const m = Math.min(rows, cols);
  let norm = 0;
  for (let i = 0; i < g.length; i++) norm += g[i] * g[i];
  const s = 1 / (Math.sqrt(norm) + 1e-7);
  const x = out;
  for (let i = 0; i < g.length; i++) x[i] = g[i] * s;
  const a = scratch('a', m * m);
  const aa = scratch('aa', m * m);
  const bx = scratch('bx', rows * cols);
  for (let it = 0; it < steps; it++) {
    if (tall) k.matmul(x, x, a, m, m, rows, { transA: true }); // A = X^T X
    else k.matmul(x, x, a, m, m, cols, { transB: true }); // A = X X^T
    k.matmul(a, a, aa, m, m, m); // A^2
    scaleAdd(NS_B, a, NS_C, aa, a, a.length); // bA + cA^2
    if (tall) k.matmul(x, a, bx, rows, cols, m); // X (bA + cA^2)
    else k.matmul(a, x, bx, rows, cols, m); // (bA + cA^2) X
    scaleAdd(NS_A, x, 1, bx, x, x.length); // aX + ...
  }
  return out;
}

/** The first half of a step: the momentum buffer takes the gradient, u is the Nesterov look-ahead. */
export function muonMomentum(grad: Float32Array, buffer: Float32Array, u: Float32Array, momentum: number): void {
  scaleAdd(momentum, buffer, 1, grad, buffer, grad.length); // B <- mu*B + G
  scaleAdd(1, grad, momentum, buffer, u, grad.length); // U <- G + mu*B
}

export interface MuonApplyParams {
  lr: number;
  weightDecay: number;
  rows: number;
  cols: number;
}

/** The second half: decay the weights and step along o, the orthogonalised u. */
export function muonApply(param: Float32Array, o: Float32Array, hp: MuonApplyParams): void {
  const { lr, weightDecay, rows, cols } = hp;
  const stepSize = lr * 0.2 * Math.sqrt(Math.max(rows, cols));
  const decay = 1 - lr * weightDecay;
  scaleAdd(decay, param, -stepSize, o, param, param.length); // W <- W*(1 - lr*wd) - step*O
}
