// The hot paths of training, behind one interface so that two implementations can serve them:
// engine/cpu (typed arrays) and engine/gpu (GPU.js). Ops in engine/ops call these; they never
// loop over big arrays themselves for matmul, attention, layerNorm, GELU, the loss or a bias gradient.
// All arrays are contiguous row-major Float32Arrays; sizes are passed explicitly.

export interface MatmulOptions {
  /** A is stored as (K, M) and used transposed. */
  transA?: boolean;
  /** B is stored as (N, K) and used transposed. */
  transB?: boolean;
  /** Add into out instead of overwriting it. */
  accumulate?: boolean;
}

/**
 * One attention call of a packed batch (engine/ops/packed_attention.ts): the Tq query rows
 * [queries[0], queries[1]) against Tk keys, the rows of keyRanges in order (the shared prefix,
 * then the sequence's own rows). Its probabilities (H, Tq, Tk) start at probOffset.
 */
export interface AttentionPart {
  queries: [number, number];
  keyRanges: Array<[number, number]>;
  Tq: number;
  Tk: number;
  probOffset: number;
}

export interface Kernels {
  readonly name: string;

  /** out[M,N] (+)= op(A)[M,K] @ op(B)[K,N]; the transposed forms serve the two backward products. */
  matmul(a: Float32Array, b: Float32Array, out: Float32Array, M: number, N: number, K: number, opts?: MatmulOptions): void;

  /**
   * Causal attention over (B*H) independent heads. q: (BH, Tq, D); k, v: (BH, kvStride, D) of
   * which the first Tk rows are used. Query i sees keys j <= i + (Tk - Tq). Writes out (BH, Tq, D)
   * and, when given, the softmax probabilities (BH, Tq, Tk) that backward needs.
   */
  attentionForward(q: Float32Array, k: Float32Array, v: Float32Array, out: Float32Array, probs: Float32Array | null,
    BH: number, Tq: number, Tk: number, D: number, kvStride: number): void;

  /**
   * Gradients of attentionForward, accumulated into dq (BH, Tq, D), dk and dv (BH, Tk, D). Here
   * k and v are contiguous (kvStride = Tk).
   */
  attentionBackward(dout: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, probs: Float32Array,
    dq: Float32Array, dk: Float32Array, dv: Float32Array, BH: number, Tq: number, Tk: number, D: number): void;

  /**
   * Optional: attention over a packed batch's rows, q, k, v (R, H*D), every part in one call, adding
   * into out (R, H*D) and writing each part's probabilities (when given). Where a backend lacks it,
   * packedAttention gathers each part's heads and calls attentionForward.
   */
  packedAttentionForward?(q: Float32Array, k: Float32Array, v: Float32Array, out: Float32Array, probs: Float32Array | null,
    parts: AttentionPart[], R: number, H: number, D: number): void;

  /** Optional: the gradients of packedAttentionForward, added into dq, dk, dv (R, H*D). */
  packedAttentionBackward?(dout: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, probs: Float32Array,
    dq: Float32Array, dk: Float32Array, dv: Float32Array, parts: AttentionPart[], R: number, H: number, D: number): void;

  /** out = (x - mean) * rstd * weight + bias over rows of C; saves mean and rstd per row. */
  layerNormForward(x: Float32Array, weight: Float32Array, bias: Float32Array | null, out: Float32Array,
    mean: Float32Array, rstd: Float32Array, rows: number, C: number, eps: number): void;

  /** Accumulates dx, dweight, dbias. */
  layerNormBackward(dout: Float32Array, x: Float32Array, weight: Float32Array, mean: Float32Array, rstd: Float32Array,
    dx: Float32Array, dweight: Float32Array, dbias: Float32Array | null, rows: number, C: number): void;

  /** Sum over rows of -log softmax(logits)[target], skipping targets of -1; returns [sum, count].
   * With probs (rows x V), also writes softmax(logits) of the kept rows there, for the backward. */
  crossEntropyForward(logits: Float32Array, targets: Int32Array, rows: number, V: number, probs?: Float32Array | null): [number, number];

  /**
   * dlogits += scale * (probs - onehot(target)) for rows whose target is not -1 (probs from the forward).
   * accumulate false: dlogits holds no gradient yet (not even zeros) and is written whole, 0 in ignored rows.
   */
  crossEntropyBackward(probs: Float32Array, targets: Int32Array, dlogits: Float32Array, rows: number, V: number, scale: number, accumulate?: boolean): void;

  /** GELU of n values (GPT-2's tanh approximation): out = 0.5 x (1 + tanh u); tanhU receives tanh(u), which backward reads. */
  geluForward(x: Float32Array, out: Float32Array, tanhU: Float32Array, n: number): void;

  /** dx += dout * GELU'(x), from x and the forward's tanh(u); accumulate false: dx = that, dx's old contents never read. */
  geluBackward(dout: Float32Array, x: Float32Array, tanhU: Float32Array, dx: Float32Array, n: number, accumulate?: boolean): void;

  /** out[j] += the sum over rows of g[r * cols + j], rows added in order (a Linear's bias gradient). */
  sumRows(g: Float32Array, rows: number, cols: number, out: Float32Array): void;

  /** grad *= invScale in place; returns true when any value is inf or NaN (GradScaler's unscale + check, one pass). */
  unscaleGradients(grad: Float32Array, invScale: number): boolean;

  /** One AdamW step in place, exactly as torch.optim.AdamW (see engine/optim.ts). */
  adamwStep(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, hp: AdamWStepParams): void;
}

export interface AdamWStepParams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1-based step count, for bias correction. */
  step: number;
}

let active: Kernels | null = null;

/** The kernels every op uses. Defaults to the CPU set (registered by engine/index.ts). */
export function getKernels(): Kernels {
  if (active === null) throw new Error('kernels: no kernel set registered; import engine/index.ts');
  return active;
}

export function setKernels(k: Kernels): void {
  active = k;
}
