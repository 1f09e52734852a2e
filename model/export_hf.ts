// Our GPT in Hugging Face's GPT-2 layout, so that `GPT2LMHeadModel.from_pretrained(dir)` loads it:
//
//   config.json        a GPT2Config
//   model.safetensors  the weights under GPT2LMHeadModel's names (transformer.h.0.attn.c_attn.weight, ...)
//
// GPT-2's original code, and so Hugging Face's, keeps the four projections of a block (c_attn,
// attn.c_proj, c_fc, mlp.c_proj) as "Conv1D" weights W of shape (in, out) and computes y = x W + b;
// PyTorch's Linear, ours and nanoGPT's, keeps (out, in) and computes y = x W^T + b. So those four are
// written transposed; embeddings, LayerNorms and biases are the same in both. lm_head.weight is
// not written: it is wte (tie_word_embeddings), as save_pretrained leaves it out too.
import type { StoredTensor } from './safetensors.ts';
import type { GPTConfig } from './config.ts';
import { LAYER_NORM_EPS } from './gpt.ts';
import type { GPT } from './gpt.ts';

/**
 * Our GELU is GPT-2's tanh approximation, 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
 * (engine/ops/elementwise.ts): Hugging Face calls it "gelu_new"; its "gelu" is the exact erf form.
 */
export const HF_ACTIVATION = 'gelu_new';

/** The ids GPT-2's config names: begin and end of text, padding (absent ones left out). */
export interface SpecialIds {
  bos_token_id?: number;
  eos_token_id?: number;
  pad_token_id?: number;
}

/** config.json: a GPT2Config of our shape. Dropout is the model's; inference turns it off anyway. */
export function hfConfig(c: GPTConfig, special: SpecialIds): Record<string, unknown> {
  return {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: c.vocab_size,
    n_positions: c.block_size,
    n_ctx: c.block_size, // the name older transformers read
    n_embd: c.n_embd,
    n_layer: c.n_layer,
    n_head: c.n_head,
    n_inner: null, // 4 * n_embd, as ours
    activation_function: HF_ACTIVATION,
    resid_pdrop: c.dropout,
    embd_pdrop: c.dropout,
    attn_pdrop: c.dropout,
    layer_norm_epsilon: LAYER_NORM_EPS,
    initializer_range: 0.02,
    scale_attn_weights: true, // scores / sqrt(head size), as ours
    scale_attn_by_inverse_layer_idx: false,
    reorder_and_upcast_attn: false,
    tie_word_embeddings: true,
    use_cache: true,
    torch_dtype: 'float32',
    ...special,
  };
}

/** A block's tensors as Hugging Face names and orders them. */
const BLOCK_TENSORS = [
  'ln_1.weight', 'ln_1.bias', 'attn.c_attn.weight', 'attn.c_attn.bias', 'attn.c_proj.weight', 'attn.c_proj.bias',
  'ln_2.weight', 'ln_2.bias', 'mlp.c_fc.weight', 'mlp.c_fc.bias', 'mlp.c_proj.weight', 'mlp.c_proj.bias',
];

/** The Conv1D weights: stored (in, out). */
export const CONV1D_WEIGHT = /\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$/;

/** (rows, cols) -> (cols, rows): W^T, row-major. */
export function transpose2d(t: StoredTensor): StoredTensor {
  const [rows, cols] = t.shape;
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[c * rows + r] = t.data[r * cols + c];
  return { shape: [cols, rows], data };
}

/** Every tensor GPT2LMHeadModel loads, in its order and layout. */
export function hfStateDict(model: GPT): Map<string, StoredTensor> {
  const ours = model.namedParameters();
  const names = [
    'transformer.wte.weight', 'transformer.wpe.weight',
    ...model.h.flatMap((_, i) => BLOCK_TENSORS.map((n) => `transformer.h.${i}.${n}`)),
    'transformer.ln_f.weight', 'transformer.ln_f.bias',
  ];
  const out = new Map<string, StoredTensor>();
  for (const name of names) {
    const t = ours.get(name);
    if (t === undefined) {
      // a model trained with bias=false: Hugging Face's GPT-2 always has biases, and zeros add nothing
      const rows = ours.get(name.replace(/\.bias$/, '.weight'))!.shape[0];
      out.set(name, { shape: [rows], data: new Float32Array(rows) });
    } else out.set(name, CONV1D_WEIGHT.test(name) ? transpose2d(t) : { shape: t.shape, data: t.data });
  }
  return out;
}
