// The shape of a GPT, as nanoGPT's GPTConfig. The defaults (train/config.ts) are a small model that
// trains on a laptop CPU in minutes; GPT-2 small would be block 1024, vocab 50304, 12 layers, 12
// heads, 768 wide.
export interface GPTConfig {
  block_size: number;
  vocab_size: number;
  n_layer: number;
  n_head: number;
  n_embd: number;
  dropout: number;
  /** Biases in Linears and LayerNorms, like GPT-2. false is a bit better and faster. */
  bias: boolean;
}

/** The shape a training run chooses (train/config.ts): the vocabulary's size comes from the data's tokenizer. */
export type ModelShape = Omit<GPTConfig, 'vocab_size'>;

export function validateGPTConfig(c: GPTConfig): void {
  for (const key of ['block_size', 'vocab_size', 'n_layer', 'n_head', 'n_embd'] as const) {
    if (!Number.isInteger(c[key]) || c[key] <= 0) throw new Error(`GPTConfig: ${key} must be a positive integer, got ${c[key]}`);
  }
  if (c.n_embd % c.n_head !== 0) throw new Error(`GPTConfig: n_embd (${c.n_embd}) must be divisible by n_head (${c.n_head})`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new Error(`GPTConfig: dropout must be in [0, 1), got ${c.dropout}`);
}
