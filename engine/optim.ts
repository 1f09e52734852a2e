// Optimisation: AdamW with parameter groups (each with its own weight decay) and global
// gradient-norm clipping, both as PyTorch defines them. A group may instead be updated by Muon
// (engine/muon.ts), for weight matrices: GPT.configureOptimizers puts the blocks' matrices there
// when asked for optimizer=muon, and everything else stays with AdamW.
import type { Tensor } from './tensor.ts';
import { getKernels } from './kernels.ts';
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

export class AdamW {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  readonly groups: ParamGroup[];
  readonly state = new Map<Tensor, AdamState>();
  /** who runs the Newton-Schulz iterations of the Muon matrices (the trainer shares them with its workers) */
  orthogonalise: Orthogonaliser = orthogonaliseHere;
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
   * Muon matrices go in three phases: momentum for each, then all their Newton-Schulz iterations at
   * once (so they can be shared across threads), then the weight updates.
   */
  step(): void {
    const k = getKernels();
    const muon: Array<{ p: Tensor; weightDecay: number; job: NsJob }> = [];
    for (const group of this.groups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        let s = this.state.get(p);
        if (s === undefined) {
          s = { m: new Float32Array(p.size), v: new Float32Array(p.size), step: 0 };
          this.state.set(p, s);
        }
        s.step++;
        if (group.muon) {
          const w = this.work(p);
          muonMomentum(p.grad, s.m, w.u, MUON_MOMENTUM);
          muon.push({ p, weightDecay: group.weightDecay, job: { input: w.u, output: w.o, rows: p.shape[0], cols: p.shape[1] } });
          continue;
        }
        k.adamwStep(p.data, p.grad, s.m, s.v, {
          lr: this.lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: group.weightDecay, step: s.step,
        });
      }
    }
    if (muon.length === 0) return;
    this.orthogonalise(muon.map((m) => m.job));
    for (const { p, weightDecay, job } of muon) {
      muonApply(p.data, job.output, { lr: this.lr, weightDecay, rows: job.rows, cols: job.cols });
    }
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
  for (const p of params) {
    if (p.grad === null) continue;
    for (let i = 0; i < p.grad.length; i++) sq += p.grad[i] * p.grad[i];
  }
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
