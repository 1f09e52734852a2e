import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { manualSeed, noGrad, ops } from '../engine/index.ts';
import { GPT } from './gpt.ts';
import { attentionMaps, attentionSvg } from './attention_map.ts';

const cfg = { block_size: 16, vocab_size: 29, n_layer: 2, n_head: 3, n_embd: 12, dropout: 0, bias: true };

test('attention maps: causal rows that sum to 1, and p @ v is what the fused attention kernel computes', () => {
  manualSeed(3);
  const model = new GPT(cfg);
  const ids = [5, 17, 2, 28, 9, 9, 14, 1, 0, 22, 7];
  const T = ids.length;
  const maps = attentionMaps(model, ids);
  assert.is(maps.probs.length, 2);
  assert.is(maps.probs[0].length, 3);
  for (const layer of maps.probs) for (const p of layer) for (let t = 0; t < T; t++) {
    let sum = 0;
    for (let s = 0; s < T; s++) sum += p[t * T + s];
    assert.ok(Math.abs(sum - 1) < 1e-5, `row ${t} sums to ${sum}`);
    for (let s = t + 1; s < T; s++) assert.is(p[t * T + s], 0);
  }
  // layer 0's input is the embeddings: recompute q, k, v and compare p @ v with causalAttention
  noGrad(() => {
    const x = ops.add(ops.embedding(model.wte, Int32Array.from(ids), [1, T]), ops.embedding(model.wpe, Int32Array.from({ length: T }, (_, i) => i), [1, T]));
    const [q, k, v] = model.h[0].attn.headsQKV(model.h[0].ln_1.forward(x));
    const y = ops.causalAttention(q, k, v).data;
    const D = 4;
    for (let h = 0; h < 3; h++) for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) {
      let want = 0;
      for (let s = 0; s <= t; s++) want += maps.probs[0][h][t * T + s] * v.data[h * T * D + s * D + d];
      assert.ok(Math.abs(want - y[h * T * D + t * D + d]) < 1e-5, `head ${h} t ${t} d ${d}`);
    }
  });
  const svg = attentionSvg(maps, ids.map((i) => `tok${i}<`), 1, 6, 0, 'test');
  assert.match(svg, /^<svg /);
  assert.is((svg.match(/<rect x=/g) ?? []).length, 3 * (T - 6) * T); // a cell per head, row and column
  assert.ok(svg.includes('tok22&lt;'), 'labels are escaped');
});

test.run();
