import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { manualSeed } from '../engine/index.ts';
import { GPT } from './gpt.ts';
import type { GPTConfig } from './config.ts';
import { decodeSafetensors, encodeSafetensors } from './safetensors.ts';
import { CONV1D_WEIGHT, HF_ACTIVATION, hfConfig, hfStateDict, transpose2d } from './export_hf.ts';
import { nanogptModelArgs, nanogptStateDict } from './export_nanogpt.ts';

const cfg: GPTConfig = { block_size: 12, vocab_size: 37, n_layer: 2, n_head: 2, n_embd: 8, dropout: 0.1, bias: true };

function model(c: GPTConfig = cfg): GPT {
  manualSeed(3);
  return new GPT(c);
}

/** Hugging Face's GPT-2 shapes for a model of config c: Conv1D weights (in, out). */
function hfShapes(c: GPTConfig): Record<string, number[]> {
  const C = c.n_embd;
  const shapes: Record<string, number[]> = { 'transformer.wte.weight': [c.vocab_size, C], 'transformer.wpe.weight': [c.block_size, C], 'transformer.ln_f.weight': [C], 'transformer.ln_f.bias': [C] };
  for (let i = 0; i < c.n_layer; i++) {
    const p = `transformer.h.${i}`;
    Object.assign(shapes, {
      [`${p}.ln_1.weight`]: [C], [`${p}.ln_1.bias`]: [C], [`${p}.ln_2.weight`]: [C], [`${p}.ln_2.bias`]: [C],
      [`${p}.attn.c_attn.weight`]: [C, 3 * C], [`${p}.attn.c_attn.bias`]: [3 * C],
      [`${p}.attn.c_proj.weight`]: [C, C], [`${p}.attn.c_proj.bias`]: [C],
      [`${p}.mlp.c_fc.weight`]: [C, 4 * C], [`${p}.mlp.c_fc.bias`]: [4 * C],
      [`${p}.mlp.c_proj.weight`]: [4 * C, C], [`${p}.mlp.c_proj.bias`]: [C],
    });
  }
  return shapes;
}

test('config.json is a GPT2Config of our shape, with tanh GELU and our special ids', () => {
  const c = hfConfig(cfg, { bos_token_id: 30, eos_token_id: 30, pad_token_id: 31 });
  assert.equal(c.architectures, ['GPT2LMHeadModel']);
  assert.is(c.model_type, 'gpt2');
  assert.equal([c.vocab_size, c.n_positions, c.n_embd, c.n_layer, c.n_head], [37, 12, 8, 2, 2]);
  assert.is(c.activation_function, 'gelu_new');
  assert.is(HF_ACTIVATION, 'gelu_new');
  assert.is(c.layer_norm_epsilon, 1e-5);
  assert.is(c.n_inner, null);
  assert.is(c.tie_word_embeddings, true);
  assert.equal([c.bos_token_id, c.eos_token_id, c.pad_token_id], [30, 30, 31]);
  assert.equal([c.resid_pdrop, c.embd_pdrop, c.attn_pdrop], [0.1, 0.1, 0.1]);
  assert.not.ok('pad_token_id' in hfConfig(cfg, {}), 'an id the tokenizer lacks is left out');
});

test("the safetensors file has Hugging Face's names and shapes, no lm_head, metadata format pt", () => {
  const file = decodeSafetensors(encodeSafetensors(hfStateDict(model()), { format: 'pt' }), 'hf');
  const got = Object.fromEntries([...file.tensors].map(([name, t]) => [name, t.shape]));
  assert.equal(got, hfShapes(cfg));
  assert.equal([...file.tensors.keys()].slice(0, 4), ['transformer.wte.weight', 'transformer.wpe.weight', 'transformer.h.0.ln_1.weight', 'transformer.h.0.ln_1.bias']);
  assert.is(file.metadata.format, 'pt');
  assert.not.ok(file.tensors.has('lm_head.weight'));
});

test('the four Conv1D weights are ours transposed, element for element; the rest are ours as they are', () => {
  const m = model();
  const ours = m.namedParameters();
  const hf = hfStateDict(m);
  let transposed = 0;
  for (const [name, t] of hf) {
    const o = ours.get(name)!;
    if (CONV1D_WEIGHT.test(name)) {
      transposed++;
      const [out, inF] = o.shape;
      assert.equal(t.shape, [inF, out], name);
      for (let r = 0; r < out; r++) for (let c = 0; c < inF; c++) assert.is(t.data[c * out + r], o.data[r * inF + c], `${name}[${c}, ${r}]`);
    } else {
      assert.equal(t.shape, o.shape, name);
      assert.equal(Array.from(t.data), Array.from(o.data), name);
    }
  }
  assert.is(transposed, 4 * cfg.n_layer);
  assert.equal(transpose2d({ shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }), { shape: [3, 2], data: Float32Array.from([1, 4, 2, 5, 3, 6]) });
});

test('a model without biases gets zero biases of the right sizes, as Hugging Face always has them', () => {
  const noBias = { ...cfg, bias: false };
  const hf = hfStateDict(model(noBias));
  assert.equal(Object.fromEntries([...hf].map(([n, t]) => [n, t.shape])), hfShapes(noBias));
  for (const [name, t] of hf) if (name.endsWith('.bias')) assert.ok(t.data.every((v) => v === 0), name);
});

test("nanoGPT's state dict: our names plus lm_head.weight, which is wte; model_args as train.py stores them", () => {
  const m = model();
  const sd = nanogptStateDict(m);
  assert.equal([...sd.keys()], [...m.namedParameters().keys(), 'lm_head.weight']);
  assert.equal(Array.from(sd.get('lm_head.weight')!.data), Array.from(m.wte.data));
  assert.equal(sd.get('transformer.h.1.attn.c_attn.weight')!.shape, [3 * cfg.n_embd, cfg.n_embd], 'Linear (out, in), not transposed');
  assert.equal(nanogptModelArgs(cfg), { n_layer: 2, n_head: 2, n_embd: 8, block_size: 12, bias: true, vocab_size: 37, dropout: 0.1 });
});

test.run();
