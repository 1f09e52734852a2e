// LoRA (Hu et al. 2021): instead of updating a frozen weight W (out x in), learn a low-rank
// update B A with A (r x in) and B (out x r), r small:
//
//   y = x W^T + b + (alpha / r) * dropout(x) A^T B^T
//
// B starts at zero, so at step 0 the model is exactly the base model. Only A and B train (a few
// thousand numbers instead of the whole matrix); for inference they can be merged into W
// (W += (alpha/r) B A) and unmerged again. Adapters save on their own under PEFT's names.
import { Tensor, rand, zeros, ops, getKernels } from '../engine/index.ts';

export interface LoraConfig {
  /** Linear layers to adapt, by the last part of their name: c_attn, c_proj (attention and MLP), c_fc */
  targets: string[];
  rank: number;
  alpha: number;
  dropout: number;
}

export class LoraAdapter {
  A: Tensor;
  B: Tensor;
  readonly scale: number;
  merged = false;

  constructor(inFeatures: number, outFeatures: number, readonly config: LoraConfig) {
    if (!Number.isInteger(config.rank) || config.rank <= 0) throw new Error(`lora: rank must be a positive integer, got ${config.rank}`);
    // A like PEFT's kaiming-uniform init, B zero
    const bound = 1 / Math.sqrt(inFeatures);
    this.A = rand([config.rank, inFeatures], { low: -bound, high: bound, requiresGrad: true });
    this.B = zeros([outFeatures, config.rank], { requiresGrad: true });
    this.scale = config.alpha / config.rank;
  }

  /** The low-rank update for input x: (alpha / r) * dropout(x) A^T B^T. */
  forward(x: Tensor, training: boolean): Tensor {
    const h = ops.linear(ops.dropout(x, this.config.dropout, training), this.A);
    return ops.mul(ops.linear(h, this.B), this.scale);
  }

  /** W += sign * (alpha / r) * B A, in place. */
  addTo(weight: Tensor, sign: 1 | -1): void {
    const [out, r] = this.B.shape;
    const inF = this.A.shape[1];
    const delta = new Float32Array(out * inF);
    getKernels().matmul(this.B.data, this.A.data, delta, out, inF, r);
    const s = sign * this.scale;
    for (let i = 0; i < delta.length; i++) weight.data[i] += s * delta[i];
  }
}

export function parseTargets(list: string): string[] {
  const targets = list.split(',').map((t) => t.trim()).filter(Boolean);
  const known = ['c_attn', 'c_proj', 'c_fc'];
  for (const t of targets) if (!known.includes(t)) throw new Error(`lora: unknown target '${t}'; choose from ${known.join(', ')}`);
  if (targets.length === 0) throw new Error('lora: lora_targets names no layer');
  return targets;
}
