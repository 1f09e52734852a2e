// Optimisation, as PyTorch defines it: an Optimizer over parameter groups, each with its own
// weight decay, and global gradient-norm clipping. A group is updated by one of two rules:
//   AdamW (the default): Adam's moments m and v, decoupled weight decay (the adamwStep kernel)
//   Muon (muon: true):   for weight matrices, momentum orthogonalised by Newton-Schulz (engine/muon.ts)
// GPT.configureOptimizers puts the blocks' matrices in a Muon group when asked for optimizer=muon;
// everything else stays with AdamW.
import type { Tensor } from './tensor.ts';
import { getKernels } from './kernels.ts';
import { sumSquares } from './cpu/elementwise_simd.ts';
import { muonMomentum, muonApply, orthogonaliseHere, MUON_MOMENTUM } from './muon.ts';
import type { NsJob, Orthogonaliser } from './muon.ts';

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

export class Optimizer {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  readonly groups: ParamGroup[];
  readonly state = new Map<Tensor, AdamState>();
  /** who runs the Newton-Schulz iterations of the Muon matrices: this thread, unless shareOrthogonalisation says otherwise */
  private orthogonalise: Orthogonaliser = orthogonaliseHere;
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
   * AdamW parameters one by one; Muon matrices in three phases: momentum for each, then all their
   * Newton-Schulz iterations at once (so they can be shared across threads), then the updates.
   */
  step(): void {
    const muon: Array<{ p: Tensor; weightDecay: number; job: NsJob }> = [];
    for (const group of this.groups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        const s = this.stateOf(p);
        s.step++;
        if (group.muon) muon.push({ p, weightDecay: group.weightDecay, job: this.muonMomentum(p, s) });
        else this.adamwUpdate(p, s, group.weightDecay);
      }
    }
    if (muon.length === 0) return;
    this.orthogonalise(muon.map((m) => m.job));
    for (const { p, weightDecay, job } of muon) muonApply(p.data, job.output, { lr: this.lr, weightDecay, rows: job.rows, cols: job.cols });
  }

  /** Run the Muon matrices' Newton-Schulz iterations with `orthogonalise` (e.g. shared by a trainer's threads) instead of on this thread. */
  shareOrthogonalisation(orthogonalise: Orthogonaliser): void {
    this.orthogonalise = orthogonalise;
  }

  private stateOf(p: Tensor): AdamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = { m: new Float32Array(p.size), v: new Float32Array(p.size), step: 0 };
      this.state.set(p, s);
    }
    return s;
  }

  /** AdamW: m, v <- Adam's moments of the gradient; p <- p - lr * (m_hat / (sqrt(v_hat) + eps) + wd * p). */
  private adamwUpdate(p: Tensor, s: AdamState, weightDecay: number): void {
    getKernels().adamwStep(p.data, p.grad!, s.m, s.v, { lr: this.lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay, step: s.step });
  }

  /** Muon's first phase: momentum in s.m (its v stays 0), the look-ahead u to orthogonalise. */
  private muonMomentum(p: Tensor, s: AdamState): NsJob {
    const w = this.work(p);
    muonMomentum(p.grad!, s.m, w.u, MUON_MOMENTUM);
    return { input: w.u, output: w.o, rows: p.shape[0], cols: p.shape[1] };
  }

  private work(p: Tensor): MuonWork {
    let w = this.muonWork.get(p);
    if (w === undefined) {
      w = { u: new Float32Array(p.size), o: new Float32Array(p.size) };
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
