import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed, noGrad } from '../engine/index.ts';
import { GPT } from './gpt.ts';
import { saveCheckpoint, loadCheckpoint, loadOptimizerState } from './checkpoint.ts';
import type { GPTConfig } from './config.ts';

const cfg: GPTConfig = { block_size: 8, vocab_size: 19, n_layer: 2, n_head: 2, n_embd: 16, dropout: 0, bias: true };

function trainedModel() {
  manualSeed(1);
  const model = new GPT(cfg);
  const opt = model.configureOptimizers(0.1, 1e-2, [0.9, 0.95]);
  const idx = Int32Array.from({ length: 16 }, (_, i) => (i * 5) % 19);
  for (let i = 0; i < 3; i++) {
    opt.zeroGrad();
    model.forward(idx, 2, 8, idx).loss!.backward();
    opt.step();
  }
  return { model, opt, idx };
}

test('save -> load gives identical logits and optimizer state; no temp files left', () => {
  const { model, opt, idx } = trainedModel();
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
  saveCheckpoint(dir, model, opt, { model_config: cfg, iter_num: 3, best_val_loss: 1.5 });
  assert.equal(readdirSync(dir).sort(), ['checkpoint.json', 'model.safetensors', 'optimizer.safetensors']);
  const { model: back, info } = loadCheckpoint(dir);
  assert.is(info.iter_num, 3);
  const a = noGrad(() => model.forward(idx, 2, 8).logits.data);
  const b = noGrad(() => back.forward(idx, 2, 8).logits.data);
  assert.equal(Array.from(a), Array.from(b));
  const opt2 = back.configureOptimizers(0.1, 1e-2, [0.9, 0.95]);
  loadOptimizerState(dir, back, opt2);
  const s1 = opt.state.get(model.wte)!;
  const s2 = opt2.state.get(back.wte)!;
  assert.is(s2.step, 3);
  assert.equal(Array.from(s2.v), Array.from(s1.v));
});

test('a checkpoint file cut short, a missing tensor, a wrong shape: one clear error each', () => {
  const { model, opt } = trainedModel();
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
  saveCheckpoint(dir, model, opt, { model_config: cfg, iter_num: 3, best_val_loss: 1.5 });
  const path = join(dir, 'model.safetensors');
  const full = readFileSync(path);
  writeFileSync(path, full.subarray(0, full.length - 100));
  assert.throws(() => loadCheckpoint(dir), /safetensors: .*model.safetensors: tensor '.*' lies at bytes .* \(truncated/);
  writeFileSync(path, full);
  const info = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
  writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify({ ...info, model_config: { ...cfg, n_layer: 3 } }));
  assert.throws(() => loadCheckpoint(dir), /model.safetensors has no tensor 'transformer.h.2.ln_1.weight'/);
  writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify({ ...info, model_config: { ...cfg, vocab_size: 20 } }));
  assert.throws(() => loadCheckpoint(dir), /tensor 'transformer.wte.weight' has shape \[19,16\] but the config needs \[20,16\]/);
  writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify({ ...info, save_id: 'other' }));
  assert.throws(() => loadCheckpoint(dir), /different saves/);
  assert.throws(() => loadCheckpoint(join(dir, 'nope')), /no checkpoint.json in/);
  assert.ok(!existsSync(join(dir, 'model.safetensors.tmp')));
});

test.run();
