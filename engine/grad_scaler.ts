// Dynamic loss scaling, with the semantics of PyTorch's torch.cuda.amp.GradScaler.
//
// In float16 a gradient below 2^-24 (~6e-8) rounds to zero. Multiplying the loss by a large
// scale S multiplies every gradient by S (the chain rule is linear), lifting small ones into
// range; dividing the weight gradients by S before the optimizer undoes it exactly. Too large an
// S overflows to inf instead, so S adapts:
//   - a step whose gradients hold an inf or NaN is skipped and S *= backoff_factor (0.5);
//   - after growth_interval clean steps in a row, S *= growth_factor (2).
//
// Use, per optimisation step:
//   backward with a seed of scaler.scale (instead of 1); scaler.unscale(params) before clipping;
//   if (scaler.step(() => opt.step())) ...; scaler.update().
import type { Tensor } from './tensor.ts';
import { getKernels } from './kernels.ts';

export interface GradScalerOptions {
  initScale?: number;
  growthFactor?: number;
  backoffFactor?: number;
  growthInterval?: number;
  /** A disabled scaler has scale 1 and never skips (float32 and bfloat16 runs). */
  enabled?: boolean;
}

export interface GradScalerState {
  scale: number;
  growthTracker: number;
  skipped: number;
}

export class GradScaler {
  scale: number;
  readonly growthFactor: number;
  readonly backoffFactor: number;
  readonly growthInterval: number;
  readonly enabled: boolean;
  /** Clean steps in a row since the scale last changed. */
  growthTracker = 0;
  /** Steps skipped so far because of inf/NaN gradients. */
  skipped = 0;
  private foundInf: boolean | null = null;

  constructor(opts: GradScalerOptions = {}) {
    this.enabled = opts.enabled ?? true;
    this.scale = this.enabled ? opts.initScale ?? 65536 : 1;
    this.growthFactor = opts.growthFactor ?? 2;
    this.backoffFactor = opts.backoffFactor ?? 0.5;
    this.growthInterval = opts.growthInterval ?? 2000;
    if (!(this.scale > 0) || !(this.growthFactor > 1) || !(this.backoffFactor > 0 && this.backoffFactor < 1) || !(this.growthInterval >= 1)) {
      throw new Error(`GradScaler: need init_scale > 0, growth_factor > 1, 0 < backoff_factor < 1, growth_interval >= 1; got ${this.scale}, ${this.growthFactor}, ${this.backoffFactor}, ${this.growthInterval}`);
    }
  }

  /** Divide every gradient by the scale and note whether any is inf/NaN. Call once per step, before clipping. */
  unscale(params: Tensor[]): boolean {
    if (this.foundInf !== null) throw new Error('GradScaler: unscale() was already called for this step; call update() after the step');
    // a disabled scaler's scale is 1 and it never skips a step: nothing to divide, nothing to find
    // (this pass over every gradient was 1.3% of a fine-tuning step, on the thread the others wait for)
    if (!this.enabled) {
      this.foundInf = false;
      return false;
    }
    const k = getKernels();
    let found = false;
    for (const p of params) {
      if (p.grad === null) continue;
      if (k.unscaleGradients(p.grad, 1 / this.scale)) found = true;
    }
    this.foundInf = found;
    return found;
  }

  /** Run the optimizer step unless the unscaled gradients held an inf or NaN. Returns whether it ran. */
  step(optimizerStep: () => void): boolean {
    if (this.foundInf === null) throw new Error('GradScaler: call unscale(params) before step()');
    if (this.enabled && this.foundInf) return false;
    optimizerStep();
    return true;
  }

  /** Adapt the scale after a step: back off on overflow, grow after growthInterval clean steps. */
  update(): void {
    if (this.foundInf === null) throw new Error('GradScaler: call unscale(params) before update()');
    const found = this.foundInf;
    this.foundInf = null;
    if (!this.enabled) return;
    if (found) {
      this.scale *= this.backoffFactor;
      this.growthTracker = 0;
      this.skipped++;
      return;
    }
    this.growthTracker++;
    if (this.growthTracker === this.growthInterval) {
      this.scale *= this.growthFactor;
      this.growthTracker = 0;
    }
  }

  state(): GradScalerState {
    return { scale: this.scale, growthTracker: this.growthTracker, skipped: this.skipped };
  }

  loadState(s: GradScalerState): void {
    this.scale = s.scale;
    this.growthTracker = s.growthTracker;
    this.skipped = s.skipped;
  }
}
