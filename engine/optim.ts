// Optimisation, as PyTorch defines it: an Optimizer over parameter groups, each with its own
// weight decay, and global gradient-norm clipping. A group is updated by one of two rules:
//   AdamW (the default): Adam's moments m and v, decoupled weight decay (the adamwStep kernel)
//   Muon (muon: true):   for weight matrices, momentum orthogonalised by Newton-Schulz (engine/muon.ts)
// GPT.configureOptimizers puts the blocks' matrices in a Muon group when asked for optimizer=muon;
// everything else stays with AdamW.
//
// A step is a list of updates, one per parameter (ParamUpdate). Each reads and writes only its own
// parameter's arrays, so they can run in any order, on any thread, with the same bits: the trainer's
// threads share them out (train/parallel.ts), which is why the optimizer keeps its state in shared
// memory where the JavaScript has it.
import type { Tensor } from './tensor.ts';
import { getKernels } from './kernels.ts';
import type { AdamWStepParams } from './kernels.ts';
import { sumSquares } from './cpu/elementwise_simd.ts';
import { muonMomentum, muonApply, orthogonalise, MUON_MOMENTUM } from './muon.ts';

export interface ParamGroup {
  params: Tensor[];
  weightDecay: number;
  /** update these 2-d tensors with Muon instead of Adam (m is then Muon's momentum, v stays 0) */
  muon?: boolean;
}

export interface AdamWOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
}

interface AdamState {
  m: Float32Array;
  v: Float32Array;
  step: number;
}

/** A Muon matrix's look-ahead u and its orthogonalised form o, kept from step to step. */
interface MuonWork {
  u: Float32Array;
  o: Float32Array;
}

/** One parameter's AdamW update: the adamwStep kernel on these arrays. */
export interface AdamWUpdate {
  kind: 'adamw';
  param: Float32Array;
  grad: Float32Array;
  m: Float32Array;
  v: Float32Array;
  hp: AdamWStepParams;
}

/** One matrix's Muon update (engine/muon.ts): momentum into buffer, u orthogonalised into o, the step along o. */
export interface MuonUpdate {
  kind: 'muon';
  param: Float32Array;
  grad: Float32Array;
  buffer: Float32Array;
  u: Float32Array;
  o: Float32Array;
  rows: number;
  cols: number;
  lr: number;
  weightDecay: number;
}

export type ParamUpdate = AdamWUpdate | MuonUpdate;

export function applyUpdate(up: ParamUpdate): void {
  if (up.kind === 'adamw') return getKernels().adamwStep(up.param, up.grad, up.m, up.v, up.hp);
  muonMomentum(up.grad, up.buffer, up.u, MUON_MOMENTUM);
  orthogonalise(up.u, up.rows, up.cols, up.o);
  muonApply(up.param, up.o, up);
}

/** Runs a step's updates. The optimizer's default runs them one by one on this thread. */
export type UpdateRunner = (updates: ParamUpdate[]) => void;

export const updateHere: UpdateRunner = (updates) => {
  for (const up of updates) applyUpdate(up);
};

/** An array of optimizer state: in shared memory where there is some, so that worker threads can update it in place. */
function stateArray(n: number): Float32Array {
  return typeof SharedArrayBuffer === 'undefined' ? new Float32Array(n) : new Float32Array(new SharedArrayBuffer(4 * n));
}

export class Optimizer {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  readonly groups: ParamGroup[];
  readonly state = new Map<Tensor, AdamState>();
  /** who runs a step's updates: this thread, unless shareUpdates says otherwise */
  private runUpdates: UpdateRunner = updateHere;
  private readonly muonWork = new Map<Tensor, MuonWork>();

  constructor(groups: ParamGroup[], opts: AdamWOptions) {
    this.groups = groups;
    this.lr = opts.lr;
    [this.beta1, this.beta2] = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    for (const g of groups) {
      if (g.muon && g.params.some((p) => p.ndim !== 2)) throw new Error('optimizer: a Muon group holds only 2-d weight matrices');
    }
  }

  /**
   * Update every parameter that has a gradient; a parameter without one is left alone, as in PyTorch.
   * AdamW for most, Muon for a Muon group's matrices: one update each, run by `runUpdates`.
   */
  step(): void {
    const updates: ParamUpdate[] = [];
    for (const group of this.groups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        const s = this.stateOf(p);
        s.step++;
        updates.push(group.muon ? this.muonUpdate(p, s, group.weightDecay) : this.adamwUpdate(p, s, group.weightDecay));
      }
    }
    this.runUpdates(updates);
  }

  /** Run each step's updates with `run` (e.g. shared by a trainer's threads) instead of on this thread. */
  shareUpdates(run: UpdateRunner): void {
    this.runUpdates = run;
  }

  /** A parameter's state, as a checkpoint gives it back, m and v of p.size values (model/checkpoint.ts checks), copied into the optimizer's own arrays. */
  loadState(p: Tensor, m: Float32Array, v: Float32Array, step: number): void {
    const s = { m: stateArray(p.size), v: stateArray(p.size), step };
    s.m.set(m);
    s.v.set(v);
    this.state.set(p, s);
  }

  private stateOf(p: Tensor): AdamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = { m: stateArray(p.size), v: stateArray(p.size), step: 0 };
      this.state.set(p, s);
    }
    return s;
  }

  /** The AdamW update of p: m, v <- Adam's moments of the gradient; p <- p - lr * (m_hat / (sqrt(v_hat) + eps) + wd * p). */
  private adamwUpdate(p: Tensor, s: AdamState, weightDecay: number): AdamWUpdate {
    const hp = { lr: this.lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay, step: s.step };
    return { kind: 'adamw', param: p.data, grad: p.grad!, m: s.m, v: s.v, hp };
  }

  /** Muon: the momentum in s.m (its v stays 0), the look-ahead u and its orthogonalised o in work arrays of the matrix's own. */
  private muonUpdate(p: Tensor, s: AdamState, weightDecay: number): MuonUpdate {
    const w = this.work(p);
    return { kind: 'muon', param: p.data, grad: p.grad!, buffer: s.m, u: w.u, o: w.o, rows: p.shape[0], cols: p.shape[1], lr: this.lr, weightDecay };
  }

  private work(p: Tensor): MuonWork {
    let w = this.muonWork.get(p);
    if (w === undefined) {
      w = { u: stateArray(p.size), o: stateArray(p.size) };
      this.muonWork.set(p, w);
    }
    return w;
  }

  zeroGrad(): void {
    for (const group of this.groups) for (const p of group.params) p.zeroGrad();
  }

  params(): Tensor[] {
    return this.groups.flatMap((g) => g.params);
  }
}

/**
 * Scale all gradients together so their global L2 norm is at most maxNorm. Returns the norm
 * before clipping (what nanoGPT logs). Like PyTorch, the factor is maxNorm / (norm + 1e-6), capped at 1.
 */
export function clipGradNorm(params: Tensor[], maxNorm: number): number {
  let sq = 0;
  for (const p of params) if (p.grad !== null) sq += sumSquares(p.grad); // in SIMD, four lanes a tensor
  const norm = Math.sqrt(sq);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) {
    for (const p of params) {
      if (p.grad === null) continue;
      for (let i = 0; i < p.grad.length; i++) p.grad[i] *= coef;
    }
  }
  return norm;
}
