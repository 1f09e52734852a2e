// The key/value cache of generation (model/generate.ts). Every layer keeps, for each row of the
// batch, the keys and values of the positions seen so far, laid out (B, H, capacity, D). A new
// token's attention reads them instead of recomputing the whole prefix: one position's work per
// new token instead of the whole sequence's.
import { Tensor, getKernels } from '../engine/index.ts';
import type { GPTConfig } from './config.ts';

export interface LayerCache {
  /** (B, H, capacity, D) */
  k: Float32Array;
  v: Float32Array;
  capacity: number;
}

export interface KVCache {
  layers: LayerCache[];
  batch: number;
}

/** An empty cache for `batch` rows of up to block_size positions. */
export function newCache(config: GPTConfig, batch: number): KVCache {
  const size = batch * config.block_size * config.n_embd;
  const layer = (): LayerCache => ({ k: new Float32Array(size), v: new Float32Array(size), capacity: config.block_size });
  return { layers: Array.from({ length: config.n_layer }, layer), batch };
}

/**
 * Attention of T new positions per row against the cache. q, k, v: (B, H, T, D), row b's new
 * positions being start[b]..start[b]+T-1. Their keys and values are written into the cache at
 * those positions; then query i of row b attends to the row's keys 0..start[b]+i (causal).
 * Returns (B, H, T, D). No gradient: generation only.
 */
export function cachedAttention(q: Tensor, k: Tensor, v: Tensor, cache: LayerCache, start: Int32Array): Tensor {
  const [B, H, T, D] = q.shape;
  const cap = cache.capacity;
  const y = new Float32Array(B * H * T * D);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const src = (b * H + h) * T * D;
      const dst = ((b * H + h) * cap + start[b]) * D;
      cache.k.set(k.data.subarray(src, src + T * D), dst);
      cache.v.set(v.data.subarray(src, src + T * D), dst);
    }
    const rowQ = q.data.subarray(b * H * T * D, (b + 1) * H * T * D);
    const rowK = cache.k.subarray(b * H * cap * D, (b + 1) * H * cap * D);
    const rowV = cache.v.subarray(b * H * cap * D, (b + 1) * H * cap * D);
    getKernels().attentionForward(rowQ, rowK, rowV, y.subarray(b * H * T * D, (b + 1) * H * T * D), null, H, T, start[b] + T, D, cap);
  }
  return new Tensor(y, [B, H, T, D]);
}
