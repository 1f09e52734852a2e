// Our GPT against PyTorch on the same weights and batch (fixture made by model/parity/make_fixture.py).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { GPT } from './gpt.ts';
import { readSafetensors } from './safetensors_file.ts';
import { loadWeights } from './checkpoint.ts';
import { relError } from '../engine/ops/testing.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'parity');
const batch = JSON.parse(readFileSync(join(dir, 'batch.json'), 'utf8'));
const expected = readSafetensors(join(dir, 'expected.safetensors')).tensors;

function build(): GPT {
  const model = new GPT(batch.config);
  loadWeights(model, readSafetensors(join(dir, 'weights.safetensors')).tensors, 'weights.safetensors');
  return model;
}

test('logits and loss match PyTorch within 1e-5 relative, every gradient within 1e-4', () => {
  const model = build();
  const targets = Int32Array.from(batch.targets);
  const { logits, loss } = model.forward(Int32Array.from(batch.idx), batch.B, batch.T, targets);
  // our forward returns logits only at positions whose target counts (nanoGPT returns them all)
  const V = batch.config.vocab_size;
  const all = expected.get('logits')!.data;
  const kept = [...targets.keys()].filter((i) => targets[i] !== -1);
  assert.ok(kept.length < targets.length, 'the fixture masks some targets');
  const want = Float32Array.from(kept.flatMap((i) => Array.from(all.subarray(i * V, (i + 1) * V))));
  assert.ok(relError(logits.data, want) < 1e-5, `logits ${relError(logits.data, want)}`);
  const wantLoss = expected.get('loss')!.data[0];
  assert.ok(Math.abs(loss!.item() - wantLoss) / wantLoss < 1e-5, `loss ${loss!.item()} vs ${wantLoss}`);
  loss!.backward();
  for (const [name, p] of model.namedParameters()) {
    const err = relError(p.grad!, expected.get(`grad.${name}`)!.data);
    assert.ok(err < 1e-4, `grad of ${name}: ${err}`);
  }
});

test('one AdamW step (configureOptimizers groups) matches torch.optim.AdamW', () => {
  const model = build();
  const { loss } = model.forward(Int32Array.from(batch.idx), batch.B, batch.T, Int32Array.from(batch.targets));
  loss!.backward();
  const opt = model.configureOptimizers(batch.adamw.weight_decay, batch.adamw.lr, batch.adamw.betas);
  opt.eps = batch.adamw.eps;
  opt.step();
  for (const [name, p] of model.namedParameters()) {
    const want = expected.get(`adamw.${name}`)!.data;
    let err = 0;
    for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(p.data[i] - want[i]));
    // the first Adam step moves each weight by ~lr * sign(grad): compare in units of lr
    assert.ok(err / batch.adamw.lr < 1e-2, `${name}: max diff ${err}`);
  }
});

test.run();
