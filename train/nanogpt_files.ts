// The three text files of a nanoGPT export (train/export.ts): train_config.py, nanoGPT's
// settings for our model and data; to_ckpt.py, which turns model.safetensors into the ckpt.pt
// that train.py's init_from='resume' reads; README.txt, what each file is and the commands.
import type { TrainConfig } from './config.ts';

/** What the three files need to know. */
export interface NanogptExport {
  /** the dataset's name: nanoGPT's data/<name>/ and config/<name>.py; its run goes to out-<name> */
  name: string;
  /** nanoGPT's GPTConfig fields for our model */
  modelArgs: Record<string, number | boolean>;
  /** the settings our run trained with */
  train: TrainConfig;
  /** where it came from, for the README */
  outDir: string;
  dataDir: string;
  iteration: number;
  counts: { trainExamples: number; trainTokens: number; valExamples: number; valTokens: number };
}

/** nanoGPT's settings of float type (its configurator refuses a --key=value of another type). */
const FLOATS = new Set(['dropout', 'learning_rate', 'weight_decay', 'beta1', 'beta2', 'grad_clip', 'min_lr']);

/** A value as a Python literal: True/False, a float with its point, a quoted string. */
function py(key: string, v: unknown): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return FLOATS.has(key) && Number.isInteger(v) ? `${v}.0` : String(v);
  return JSON.stringify(v);
}

/** Our settings that nanoGPT's train.py has under the same name. */
const SHARED_TRAIN_KEYS = [
  'eval_interval', 'eval_iters', 'log_interval', 'always_save_checkpoint', 'batch_size', 'gradient_accumulation_steps',
  'learning_rate', 'max_iters', 'weight_decay', 'beta1', 'beta2', 'grad_clip', 'decay_lr', 'warmup_iters', 'lr_decay_iters', 'min_lr',
] as const;

export function trainConfigPy(e: NanogptExport): string {
  const line = (key: string, v: unknown, comment = '') => `${key} = ${py(key, v)}${comment === '' ? '' : `  # ${comment}`}`;
  return [
    `# nanoGPT settings for the model exported from ${e.outDir} (iteration ${e.iteration}): copy to nanoGPT's config/${e.name}.py`,
    `# and run  python train.py config/${e.name}.py  or  torchrun --standalone --nproc_per_node=N train.py config/${e.name}.py`,
    line('out_dir', `out-${e.name}`),
    line('init_from', 'resume', `after to_ckpt.py wrote out-${e.name}/ckpt.pt; 'scratch' trains a new model of this shape`),
    line('dataset', e.name, `data/${e.name}/train.bin, val.bin, meta.pkl`),
    ...['n_layer', 'n_head', 'n_embd', 'block_size', 'bias', 'dropout'].map((k) => line(k, e.modelArgs[k])),
    ...SHARED_TRAIN_KEYS.map((k) => line(k, e.train[k], k === 'gradient_accumulation_steps' ? 'torchrun divides it by N: make it a multiple of N' : '')),
    `# our run used the ${e.train.optimizer} optimizer; nanoGPT's train.py has AdamW only`,
    '',
  ].join('\n');
}

export function toCkptPy(e: NanogptExport): string {
  const args = Object.entries(e.modelArgs).map(([k, v]) => `${k}=${py(k, v)}`).join(', ');
  const out = `out-${e.name}`;
  return `# model.safetensors (beside this file) -> ${out}/ckpt.pt, which nanoGPT's train.py reads with
# init_from = 'resume'. Run it from nanoGPT's directory (it imports model.py):  python path/to/to_ckpt.py
import json, os, sys
import numpy as np, torch
sys.path.insert(0, os.getcwd())  # nanoGPT's model.py, from the directory this is run in
from model import GPT, GPTConfig

here = os.path.dirname(os.path.abspath(__file__))
raw = open(os.path.join(here, 'model.safetensors'), 'rb').read()
n = int.from_bytes(raw[:8], 'little')  # safetensors: header length, JSON header, then float32 data
header = json.loads(raw[8:8 + n])
state = {k: torch.from_numpy(np.frombuffer(raw, np.float32, int(np.prod(v['shape'])), 8 + n + v['data_offsets'][0]).reshape(v['shape']).copy())
         for k, v in header.items() if k != '__metadata__'}
model_args = dict(${args})
model = GPT(GPTConfig(**model_args))
missing, unexpected = model.load_state_dict(state, strict=False)
assert not unexpected and all(k.endswith('.attn.bias') for k in missing), (missing, unexpected)  # PyTorch < 2 adds a mask buffer attn.bias
optimizer = model.configure_optimizers(${py('weight_decay', e.train.weight_decay)}, ${py('learning_rate', e.train.learning_rate)}, (${py('beta1', e.train.beta1)}, ${py('beta2', e.train.beta2)}), 'cpu')
os.makedirs('${out}', exist_ok=True)
torch.save({'model': model.state_dict(), 'optimizer': optimizer.state_dict(), 'model_args': model_args,
            'iter_num': 0, 'best_val_loss': 1e9, 'config': {}}, os.path.join('${out}', 'ckpt.pt'))
print('wrote ${out}/ckpt.pt')
`;
}

export function readmeTxt(e: NanogptExport): string {
  const c = e.counts;
  return `Exported by \`npm run export -- --format=nanogpt\` from ${e.outDir} (iteration ${e.iteration}), for nanoGPT
(karpathy/nanoGPT: model.py, train.py; PyTorch 2).

train.bin, val.bin  the fine-tuning examples of ${e.dataDir}, as nanoGPT's data/*/prepare.py writes
                    token streams: uint16 little-endian ids, the examples one after another. An
                    example is its prompt (system, user, assistant header) and its answer, ending in
                    <|im_end|><|endoftext|>. train: ${c.trainExamples} examples, ${c.trainTokens} tokens;
                    val: ${c.valExamples} examples, ${c.valTokens} tokens (the split our run used).
                    nanoGPT's train.py learns every position of random windows of them (language
                    modelling, like our pretraining stage): it has no loss mask, so it does not
                    repeat our fine-tuning, where only the answers count.
meta.pkl            {'vocab_size': ${e.modelArgs.vocab_size}}: train.py reads it for a model from scratch
model.safetensors   the weights under nanoGPT's state_dict() names, lm_head.weight (= wte) included
train_config.py     train.py's settings for this model and data (our run's, where nanoGPT has them)
to_ckpt.py          model.safetensors -> out-${e.name}/ckpt.pt, to continue from our weights

Continue training with nanoGPT (from its directory; DIR is this directory):
  mkdir -p data/${e.name} && cp DIR/train.bin DIR/val.bin DIR/meta.pkl data/${e.name}/
  cp DIR/train_config.py config/${e.name}.py
  python DIR/to_ckpt.py                                   # writes out-${e.name}/ckpt.pt
  torchrun --standalone --nproc_per_node=N train.py config/${e.name}.py
(one GPU: python train.py config/${e.name}.py; no GPU: add --device=cpu --compile=False)
With more than one GPU, gradient_accumulation_steps must be a multiple of N: train.py divides it.

To read or write these ids use our tokenizer (the checkpoint's tokenizer.json), or
\`npm run export -- --format=hf\`, whose tokenizer.json Hugging Face's tokenizers library loads.
`;
}
