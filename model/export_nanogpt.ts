// Our GPT as nanoGPT's model.py holds it. Our tensors already have nanoGPT's names and layout
// (transformer.h.0.attn.c_attn.weight, Linear weights (out, in)); nanoGPT's state_dict() also
// lists lm_head.weight, the same tensor as wte (weight tying), so load_state_dict(strict=True)
// wants it too.
import { storedTensors } from './safetensors.ts';
import type { StoredTensor } from './safetensors.ts';
import type { GPTConfig } from './config.ts';
import type { GPT } from './gpt.ts';

/** Every tensor of nanoGPT's GPT.state_dict(), in its order. */
export function nanogptStateDict(model: GPT): Map<string, StoredTensor> {
  const out = storedTensors(model.namedParameters());
  out.set('lm_head.weight', { shape: model.wte.shape, data: model.wte.data });
  return out;
}

/** nanoGPT's model_args (GPTConfig's fields), as train.py stores them in ckpt.pt. */
export function nanogptModelArgs(c: GPTConfig): Record<string, number | boolean> {
  return { n_layer: c.n_layer, n_head: c.n_head, n_embd: c.n_embd, block_size: c.block_size, bias: c.bias, vocab_size: c.vocab_size, dropout: c.dropout };
}
