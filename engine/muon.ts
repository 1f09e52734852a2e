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
// (engine/optim.ts, applyUpdate) runs muonMomentum, orthogonalise and muonApply on each matrix.
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

/** x = g / ||g|| (Frobenius; + 1e-7 so that a zero gradient stays zero), the iterations' X_0. */
function normalisedInto(g: Float32Array, x: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < g.length; i++) norm += g[i] * g[i];
  const s = 1 / (Math.sqrt(norm) + 1e-7);
  for (let i = 0; i < g.length; i++) x[i] = g[i] * s;
  return x;
}

/** A = X X^T for a wide X (rows <= cols), X^T X for a tall one: always the small m x m square (matmul's transposed forms, no copy). */
function gramInto(x: Float32Array, rows: number, cols: number, a: Float32Array): void {
  const [k, m] = [getKernels(), Math.min(rows, cols)];
  if (rows > cols) k.matmul(x, x, a, m, m, rows, { transA: true });
  else k.matmul(x, x, a, m, m, cols, { transB: true });
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
  const x = normalisedInto(g, out);
  const a = scratch('a', m * m);
  const aa = scratch('aa', m * m);
  const bx = scratch('bx', rows * cols);
  for (let it = 0; it < steps; it++) {
    gramInto(x, rows, cols, a); // A = X X^T (X^T X when tall)
    k.matmul(a, a, aa, m, m, m); // A^2
    scaleAdd(NS_B, a, NS_C, aa, a, a.length); // bA + cA^2
    if (tall) k.matmul(x, a, bx, rows, cols, m); // X (bA + cA^2)
    else k.matmul(a, x, bx, rows, cols, m); // (bA + cA^2) X
    scaleAdd(NS_A, x, 1, bx, x, x.length); // aX + ...
  }
  return out;
}

/**
 * newtonSchulz's iterations, with a third less work for a matrix twice as long as wide or more:
 * Gram Newton-Schulz (Dao AI Lab, 2026). For a wide X (m x n, m < n), every iterate is
 * X_k = Q_k X_0 with Q_k an m x m polynomial in the Gram matrix A_0 = X_0 X_0^T, since
 *
 *   X_k+1 = P_k X_k,   P_k = aI + bA_k + cA_k^2,   A_k+1 = X_k+1 X_k+1^T = P_k A_k P_k
 *
 * (P_k is symmetric). So the iterations run on m x m matrices, A_k+1 = P_k A_k P_k and
 * Q_k+1 = P_k Q_k, and X is touched only to form A_0 and, at the end, Q X_0: 4 n m^2 + 14 m^3
 * multiply-adds instead of 10 n m^2 + 5 m^3 (the walkthrough's 96 x 384 matrices: 27M instead of
 * 40M). A tall X is the transpose of a wide one: A = X^T X and X_k = X_0 Q_k.
 *
 * The same maths, other rounding: Q_k's largest values (~3.4^k, in the directions of the tiny
 * singular values that get pushed up) magnify float32's rounding. Restarting once, from
 * X_2 = Q_2 X_0 (the blog's remedy), keeps the result within ~2e-5 (relative, Frobenius) of a
 * float64 computation on the walkthrough's momentum matrices; newtonSchulz is within ~2e-6, and
 * without the restart the Gram form was off by ~2e-4.
 */
export function gramNewtonSchulz(g: Float32Array, rows: number, cols: number, out: Float32Array, steps = 5, restartAt = 2): Float32Array {
  const k = getKernels();
  const tall = rows > cols;
  const m = Math.min(rows, cols);
  let x = normalisedInto(g, scratch('gx', rows * cols));
  let spare = scratch('gx2', rows * cols);
  const [a, aa, p, pa] = ['ga', 'gaa', 'gp', 'gpa'].map((name) => scratch(name, m * m));
  let [q, q2] = [scratch('gq', m * m), scratch('gq2', m * m)];
  // into = Q X (X Q when tall)
  const applyQ = (into: Float32Array): void => (tall ? k.matmul(x, q, into, rows, cols, m) : k.matmul(q, x, into, rows, cols, m));
  gramInto(x, rows, cols, a);
  let qIsIdentity = true;
  for (let it = 0; it < steps; it++) {
    if (it === restartAt && !qIsIdentity) {
      applyQ(spare); // X_it = Q X: start again from it
      [x, spare] = [spare, x];
      gramInto(x, rows, cols, a);
      qIsIdentity = true;
    }
    k.matmul(a, a, aa, m, m, m); // A^2
    scaleAdd(NS_B, a, NS_C, aa, p, p.length); // P = bA + cA^2 ...
    for (let i = 0; i < m; i++) p[i * m + i] += NS_A; // ... + aI
    if (qIsIdentity) q.set(p);
    else {
      k.matmul(p, q, q2, m, m, m); // Q <- P Q
      [q, q2] = [q2, q];
    }
    qIsIdentity = false;
    const needA = it + 1 < steps && it + 1 !== restartAt; // the last iteration, and one before a restart, need no A
    if (needA) {
      k.matmul(p, a, pa, m, m, m);
      k.matmul(pa, p, a, m, m, m); // A <- P A P
    }
  }
  if (qIsIdentity) out.set(x);
  else applyQ(out);
  return out;
}

/** Is a rows x cols matrix long enough for gramNewtonSchulz's form to pay? (Below ~1.5x as long as wide it costs more.) */
function isLong(rows: number, cols: number): boolean {
  return Math.max(rows, cols) >= 2 * Math.min(rows, cols);
}

/** Muon's orthogonalisation of g into out: newtonSchulz, in its Gram form for a long matrix (the same maths, less work). */
export function orthogonalise(g: Float32Array, rows: number, cols: number, out: Float32Array): Float32Array {
  return isLong(rows, cols) ? gramNewtonSchulz(g, rows, cols, out) : newtonSchulz(g, rows, cols, out);
}

/** The matrix products of a rows x cols matrix's orthogonalisation, in multiply-adds, with m = min(rows, cols) and n = max(rows, cols). */
export function newtonSchulzMultiplyAdds(rows: number, cols: number): number {
  const [m, n] = [Math.min(rows, cols), Math.max(rows, cols)];
  return 10 * n * m * m + 5 * m ** 3; // 5 x (X X^T, A^2, B X)
}

export function gramNewtonSchulzMultiplyAdds(rows: number, cols: number): number {
  const [m, n] = [Math.min(rows, cols), Math.max(rows, cols)];
  return 4 * n * m * m + 14 * m ** 3; // two Gram matrices, two products with X, 14 of m x m
}

export function orthogonaliseMultiplyAdds(rows: number, cols: number): number {
  return isLong(rows, cols) ? gramNewtonSchulzMultiplyAdds(rows, cols) : newtonSchulzMultiplyAdds(rows, cols);
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
