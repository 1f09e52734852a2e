// GPT-2, ported from nanoGPT's model.py. Read it top to bottom: LayerNorm, attention, MLP, a
// Block of both with residual connections, then the GPT that stacks Blocks between token +
// position embeddings and a language-model head tied to the token embedding.
//
// Parameter names are GPT-2's (transformer.h.0.attn.c_attn.weight, ...) and Linear weights are
// stored (out, in) like PyTorch's nn.Linear, so checkpoints interoperate with nanoGPT.
import { Tensor, zeros, ones, randn, ops, Optimizer } from '../engine/index.ts';
import type { ParamGroup } from '../engine/index.ts';
import type { GPTConfig } from './config.ts';
import { validateGPTConfig } from './config.ts';
import { LoraAdapter } from './lora.ts';
import type { LoraConfig } from './lora.ts';
import { packBatch } from './packing.ts';
import type { PackedLayout } from '../engine/ops/packed_attention.ts';
import { cachedAttention } from './kv_cache.ts';
import type { KVCache, LayerCache } from './kv_cache.ts';

export class Linear {
  weight: Tensor;
  bias: Tensor | null;
  /** a low-rank adapter (model/lora.ts), when this layer is fine-tuned with LoRA */
  lora: LoraAdapter | null = null;

  constructor(inFeatures: number, outFeatures: number, bias: boolean, std = 0.02) {
    this.weight = randn([outFeatures, inFeatures], { std, requiresGrad: true });
    this.bias = bias ? zeros([outFeatures], { requiresGrad: true }) : null;
  }

  forward(x: Tensor, training = false): Tensor {
    const y = ops.linear(x, this.weight, this.bias);
    return this.lora === null || this.lora.merged ? y : ops.add(y, this.lora.forward(x, training));
  }
}

/** LayerNorm's epsilon, as GPT-2 and nanoGPT (Hugging Face's layer_norm_epsilon). */
export const LAYER_NORM_EPS = 1e-5;

export class LayerNorm {
  weight: Tensor;
  bias: Tensor | null;

  constructor(dim: number, bias: boolean) {
    this.weight = ones([dim], { requiresGrad: true });
    this.bias = bias ? zeros([dim], { requiresGrad: true }) : null;
  }

  forward(x: Tensor): Tensor {
    return ops.layerNorm(x, this.weight, this.bias, LAYER_NORM_EPS);
  }
}

/**
 * What the positions of a batch attend to, in every layer:
 * - padded: a (B, T) batch, each row to its own earlier positions (inference, unpacked training);
 * - packed: the (R, C) rows of a packed batch, each sequence to itself (model/packing.ts);
 * - cached: a few new positions per row, to their row's keys and values in the cache, which keeps
 *   theirs for the next step (generation, model/kv_cache.ts).
 */
export type AttentionInput = { kind: 'padded' } | { kind: 'packed'; layout: PackedLayout } | { kind: 'cached'; cache: LayerCache; start: Int32Array };
const PADDED: AttentionInput = { kind: 'padded' };

export class CausalSelfAttention {
  c_attn: Linear;
  c_proj: Linear;
  nHead: number;
  nEmbd: number;
  dropout: number;

  constructor(config: GPTConfig) {
    // key, query, value projections for all heads, in one batch
    this.c_attn = new Linear(config.n_embd, 3 * config.n_embd, config.bias);
    // output projection, scaled at init by 1/sqrt(2*n_layer) (it feeds the residual stream)
    this.c_proj = new Linear(config.n_embd, config.n_embd, config.bias, 0.02 / Math.sqrt(2 * config.n_layer));
    this.nHead = config.n_head;
    this.nEmbd = config.n_embd;
    this.dropout = config.dropout;
  }

  /** x: (B, T, C), or the (R, C) rows of a packed batch; `input` says what each position attends to. */
  forward(x: Tensor, training: boolean, input: AttentionInput = PADDED): Tensor {
    if (input.kind === 'packed') {
      // packed rows: the op splits the columns into heads and keeps each sequence to itself
      const [q, k, v] = ops.split(this.c_attn.forward(x, training), this.nEmbd, 1);
      return ops.dropout(this.c_proj.forward(ops.packedAttention(q, k, v, this.nHead, input.layout), training), this.dropout, training);
    }
    const [B, T, C] = x.shape;
    const [q, k, v] = this.headsQKV(x, training);
    // causal self-attention: (B, H, T, D) x (B, H, T, D) -> (B, H, T, D), fused, mask inside;
    // or, generating, the new positions against the keys and values cached before them
    const y = input.kind === 'cached' ? cachedAttention(q, k, v, input.cache, input.start) : ops.causalAttention(q, k, v);
    // re-assemble all head outputs side by side, then project
    const merged = ops.reshape(ops.transpose(y, 1, 2), [B, T, C]);
    return ops.dropout(this.c_proj.forward(merged, training), this.dropout, training);
  }

  /** q, k, v as (B, H, T, D) from one projection of x (B, T, C). */
  headsQKV(x: Tensor, training = false): Tensor[] {
    const [B, T, C] = x.shape;
    const H = this.nHead;
    return ops.split(this.c_attn.forward(x, training), C, 2).map((t) => ops.transpose(ops.reshape(t, [B, T, H, C / H]), 1, 2));
  }
}

export class MLP {
  c_fc: Linear;
  c_proj: Linear;
  dropout: number;

  constructor(config: GPTConfig) {
    this.c_fc = new Linear(config.n_embd, 4 * config.n_embd, config.bias);
    this.c_proj = new Linear(4 * config.n_embd, config.n_embd, config.bias, 0.02 / Math.sqrt(2 * config.n_layer));
    this.dropout = config.dropout;
  }

  forward(x: Tensor, training: boolean): Tensor {
    return ops.dropout(this.c_proj.forward(ops.gelu(this.c_fc.forward(x, training)), training), this.dropout, training);
  }
}

export class Block {
  ln_1: LayerNorm;
  attn: CausalSelfAttention;
  ln_2: LayerNorm;
  mlp: MLP;

  constructor(config: GPTConfig) {
    this.ln_1 = new LayerNorm(config.n_embd, config.bias);
    this.attn = new CausalSelfAttention(config);
    this.ln_2 = new LayerNorm(config.n_embd, config.bias);
    this.mlp = new MLP(config);
  }

  // pre-norm residual block:  x = x + attn(ln_1(x));  x = x + mlp(ln_2(x))
  forward(x: Tensor, training: boolean, input: AttentionInput = PADDED): Tensor {
    x = ops.add(x, this.attn.forward(this.ln_1.forward(x), training, input));
    return ops.add(x, this.mlp.forward(this.ln_2.forward(x), training));
  }
}

export interface ForwardResult {
  /**
   * With targets: (B, T, V) when every position has a target, else (K, V) for the K positions that
   * have one, in order. Without targets: (B, 1, V), only the last position, as nanoGPT.
   */
  logits: Tensor;
  loss: Tensor | null;
  /** positions the transformer computed: B*T, or fewer for a packed batch (model/packing.ts) */
  rows: number;
}

/** Indices of the targets that count (not -1). */
function keptPositions(targets: Int32Array): Int32Array {
  let n = 0;
  for (let i = 0; i < targets.length; i++) if (targets[i] !== -1) n++;
  const kept = new Int32Array(n);
  for (let i = 0, k = 0; i < targets.length; i++) if (targets[i] !== -1) kept[k++] = i;
  return kept;
}

export class GPT {
  config: GPTConfig;
  wte: Tensor;
  wpe: Tensor;
  h: Block[];
  ln_f: LayerNorm;
  /** Dropout is active only in training mode; train() / eval() switch it, as in PyTorch. */
  training = true;
  /** set by applyLora: the adapters' settings */
  lora: LoraConfig | null = null;

  constructor(config: GPTConfig) {
    validateGPTConfig(config);
    this.config = { ...config };
    this.wte = randn([config.vocab_size, config.n_embd], { std: 0.02, requiresGrad: true });
    this.wpe = randn([config.block_size, config.n_embd], { std: 0.02, requiresGrad: true });
    this.h = Array.from({ length: config.n_layer }, () => new Block(config));
    this.ln_f = new LayerNorm(config.n_embd, config.bias);
    // the lm_head is wte itself (weight tying): logits = x @ wte^T
  }

  train(): void {
    this.training = true;
  }

  eval(): void {
    this.training = false;
  }

  /**
   * idx: token ids (B*T, row-major) of a (B, T) batch. targets: the same shape, -1 = ignore.
   * Returns logits and, given targets, the mean cross-entropy over the kept positions.
   * With targets the batch is packed first (model/packing.ts) unless `pack` is false; the loss
   * and every gradient are the same either way.
   */
  forward(idx: Int32Array, B: number, T: number, targets?: Int32Array, pack = true): ForwardResult {
    if (T > this.config.block_size) throw new Error(`GPT.forward: sequence of length ${T} exceeds block_size ${this.config.block_size}`);
    if (idx.length !== B * T) throw new Error(`GPT.forward: ${idx.length} ids do not form a (${B}, ${T}) batch`);
    if (targets !== undefined && pack) {
      const packed = packBatch(idx, targets, B, T);
      if (packed !== null) {
        const input: AttentionInput = { kind: 'packed', layout: packed.layout };
        return this.headAndLoss(this.trunk(packed.ids, packed.positions, [packed.ids.length], () => input), packed.targets);
      }
    }
    const positions = new Int32Array(B * T).map((_, i) => i % T);
    const x = this.trunk(idx, positions, [B, T], () => PADDED);
    if (targets !== undefined) return this.headAndLoss(x, targets);
    // inference: only the last position's logits are needed
    const last = ops.slice(x, 1, T - 1, T);
    return { logits: ops.linear(last, this.wte), loss: null, rows: B * T };
  }

  /**
   * Generation's forward (model/generate.ts): T new tokens per row, row b's at positions
   * start[b]..start[b]+T-1, attending to what the cache holds before them; the cache keeps their
   * keys and values for the next call. Returns the final LayerNorm's output (B, T, C).
   */
  forwardCached(idx: Int32Array, B: number, T: number, start: Int32Array, cache: KVCache): Tensor {
    const positions = new Int32Array(B * T).map((_, i) => start[Math.floor(i / T)] + (i % T));
    return this.trunk(idx, positions, [B, T], (layer) => ({ kind: 'cached', cache: cache.layers[layer], start }));
  }

  /**
   * Token + position embeddings, the blocks and the final LayerNorm: (...shape, C) for the ids at
   * their positions. shape is (B, T), or (R) for the rows of a packed batch; attention(layer)
   * says what that layer's positions attend to.
   */
  private trunk(ids: Int32Array, positions: Int32Array, shape: number[], attention: (layer: number) => AttentionInput): Tensor {
    let x = ops.add(ops.embedding(this.wte, ids, shape), ops.embedding(this.wpe, positions, shape));
    x = ops.dropout(x, this.config.dropout, this.training);
    this.h.forEach((block, layer) => {
      x = block.forward(x, this.training, attention(layer));
    });
    return this.ln_f.forward(x);
  }

  /**
   * lm_head and cross-entropy for x (..., C), one row per target. Only rows with a target need logits: fine-tuning
   * masks the prompt, so gathering the kept rows first (embedding is a row gather, and its
   * backward scatters the gradient back) skips their lm_head product and softmax. The loss and
   * every gradient are the same: a masked row contributes nothing.
   */
  private headAndLoss(x: Tensor, targets: Int32Array): ForwardResult {
    const kept = keptPositions(targets);
    const rows = targets.length;
    if (kept.length === rows || kept.length === 0) {
      const logits = ops.linear(x, this.wte);
      return { logits, loss: ops.crossEntropy(logits, targets), rows };
    }
    const logits = ops.linear(ops.embedding(ops.reshape(x, [rows, this.config.n_embd]), kept), this.wte);
    return { logits, loss: ops.crossEntropy(logits, kept.map((i) => targets[i])), rows };
  }

  /** Every parameter under its GPT-2 name (lm_head.weight is wte, so it is not listed twice). */
  namedParameters(): Map<string, Tensor> {
    const p = new Map<string, Tensor>();
    p.set('transformer.wte.weight', this.wte);
    p.set('transformer.wpe.weight', this.wpe);
    const addLinear = (name: string, l: Linear | LayerNorm) => {
      p.set(`${name}.weight`, l.weight);
      if (l.bias !== null) p.set(`${name}.bias`, l.bias);
    };
    this.h.forEach((b, i) => {
      const pre = `transformer.h.${i}`;
      addLinear(`${pre}.ln_1`, b.ln_1);
      addLinear(`${pre}.attn.c_attn`, b.attn.c_attn);
      addLinear(`${pre}.attn.c_proj`, b.attn.c_proj);
      addLinear(`${pre}.ln_2`, b.ln_2);
      addLinear(`${pre}.mlp.c_fc`, b.mlp.c_fc);
      addLinear(`${pre}.mlp.c_proj`, b.mlp.c_proj);
    });
    addLinear('transformer.ln_f', this.ln_f);
    for (const [name, t] of p) t.name = name;
    return p;
  }

  parameters(): Tensor[] {
    return [...this.namedParameters().values()];
  }

  /** Every Linear with its GPT-2 name (for LoRA). */
  namedLinears(): Map<string, Linear> {
    const out = new Map<string, Linear>();
    this.h.forEach((b, i) => {
      out.set(`transformer.h.${i}.attn.c_attn`, b.attn.c_attn);
      out.set(`transformer.h.${i}.attn.c_proj`, b.attn.c_proj);
      out.set(`transformer.h.${i}.mlp.c_fc`, b.mlp.c_fc);
      out.set(`transformer.h.${i}.mlp.c_proj`, b.mlp.c_proj);
    });
    return out;
  }

  /**
   * LoRA: freeze every base weight and attach adapters to the Linears whose name ends in one of
   * config.targets (model/lora.ts). Only the adapters will receive gradients.
   */
  applyLora(config: LoraConfig): void {
    if (this.lora !== null) throw new Error('lora: this model already has adapters');
    for (const p of this.parameters()) p.requiresGrad = false;
    for (const [name, linear] of this.namedLinears()) {
      if (!config.targets.some((t) => name.endsWith(`.${t}`))) continue;
      linear.lora = new LoraAdapter(linear.weight.shape[1], linear.weight.shape[0], config);
    }
    this.lora = { ...config };
  }

  /** The adapters under PEFT's names: base_model.model.<layer>.lora_A.weight (r, in) and lora_B.weight (out, r). */
  namedAdapters(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [name, linear] of this.namedLinears()) {
      if (linear.lora === null) continue;
      out.set(`base_model.model.${name}.lora_A.weight`, linear.lora.A);
      out.set(`base_model.model.${name}.lora_B.weight`, linear.lora.B);
    }
    return out;
  }

  /** Fold every adapter into its base weight (fast inference), or take it back out. */
  mergeLora(merge = true): void {
    for (const linear of this.namedLinears().values()) {
      const a = linear.lora;
      if (a === null || a.merged === merge) continue;
      a.addTo(linear.weight, merge ? 1 : -1);
      a.merged = merge;
    }
  }

  /** Base weights and adapters: everything a data-parallel worker must share. */
  allNamedTensors(): Map<string, Tensor> {
    return new Map([...this.namedParameters(), ...this.namedAdapters()]);
  }

  /** Parameter count; by default without position embeddings, as nanoGPT reports it. */
  numParams(nonEmbedding = true): number {
    let n = 0;
    for (const t of this.parameters()) n += t.size;
    return nonEmbedding ? n - this.wpe.size : n;
  }

  /** A new dropout rate for the embeddings, every attention and every MLP (nanoGPT allows it when fine-tuning). */
  setDropout(p: number): void {
    this.config.dropout = p;
    for (const b of this.h) {
      b.attn.dropout = p;
      b.mlp.dropout = p;
    }
  }

  /** Shrink the context window (e.g. to fine-tune a model pretrained with a longer one). */
  cropBlockSize(blockSize: number): void {
    if (blockSize > this.config.block_size) throw new Error(`cropBlockSize: ${blockSize} is larger than the current block_size ${this.config.block_size}`);
    this.config.block_size = blockSize;
    this.wpe = new Tensor(this.wpe.data.slice(0, blockSize * this.config.n_embd), [blockSize, this.config.n_embd], true);
  }

  /**
   * AdamW with weight decay on every tensor of 2+ dims (matmul weights, embeddings), none on
   * biases and LayerNorm gains. With optimizer 'muon', the blocks' weight matrices (attention and
   * MLP) are updated by Muon instead (engine/muon.ts), with the same learning rate and decay.
   * With LoRA, only the adapters are optimised, always by AdamW.
   */
  configureOptimizers(weightDecay: number, learningRate: number, betas: [number, number], optimizer: 'adamw' | 'muon' = 'adamw'): Optimizer {
    const params = this.lora === null ? this.parameters() : [...this.namedAdapters().values()];
    const matrices = optimizer === 'muon' && this.lora === null ? this.blockMatrices() : [];
    const decay = params.filter((p) => p.ndim >= 2 && !matrices.includes(p));
    const noDecay = params.filter((p) => p.ndim < 2);
    const groups: ParamGroup[] = [{ params: decay, weightDecay }, { params: noDecay, weightDecay: 0 }];
    if (matrices.length > 0) groups.unshift({ params: matrices, weightDecay, muon: true });
    return new Optimizer(groups, { lr: learningRate, betas });
  }

  /** The weight matrices inside the blocks: attention's c_attn and c_proj, the MLP's c_fc and c_proj. */
  blockMatrices(): Tensor[] {
    return this.h.flatMap((b) => [b.attn.c_attn.weight, b.attn.c_proj.weight, b.mlp.c_fc.weight, b.mlp.c_proj.weight]);
  }

  /**
   * Forward + backward FLOPs per token at context length T, as nanoGPT counts them for MFU (PaLM
   * paper, appendix B): 6N + 12*L*H*Q*T, N the parameter count, Q the head size. The numerator of
   * the MFU the trainer logs and the bench reports (train/step.ts sums it over a step's positions).
   */
  flopsPerToken(T: number): number {
    const { n_layer: L, n_head: H, n_embd } = this.config;
    return 6 * this.numParams() + 12 * L * H * (n_embd / H) * T;
  }
}
