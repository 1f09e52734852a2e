import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync, copyFileSync, linkSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed, noGrad } from '../engine/index.ts';
import { GPT } from './gpt.ts';
import { saveCheckpoint, loadCheckpoint, loadOptimizerState, readCheckpointInfo } from './checkpoint.ts';
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

/** Train one more step, so the next save holds other numbers. */
function step(model: GPT, opt: ReturnType<GPT['configureOptimizers']>) {
  const idx = Int32Array.from({ length: 16 }, (_, i) => (i * 7) % 19);
  opt.zeroGrad();
  model.forward(idx, 2, 8, idx).loss!.backward();
  opt.step();
}

test('a save cut short at any file: checkpoint.json names a save whose files are all there, in place or as .prev', () => {
  const { model, opt } = trainedModel();
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
  saveCheckpoint(dir, model, opt, { model_config: cfg, iter_num: 3, best_val_loss: 1.5 });
  const wteAt3 = Array.from(model.wte.data);
  const vAt3 = Array.from(opt.state.get(model.wte)!.v);
  step(model, opt);
  // the next save, done elsewhere in full; then its files moved in one by one, as a kill would leave them
  const next = mkdtempSync(join(tmpdir(), 'ckpt-next-'));
  saveCheckpoint(next, model, opt, { model_config: cfg, iter_num: 4, best_val_loss: 1.4 });
  for (const moved of [['optimizer.safetensors'], ['optimizer.safetensors', 'model.safetensors']]) {
    const d = mkdtempSync(join(tmpdir(), 'ckpt-cut-'));
    for (const f of readdirSync(dir)) copyFileSync(join(dir, f), join(d, f));
    for (const f of moved) {
      linkSync(join(d, f), join(d, `${f}.prev`)); // step 2 of a save
      copyFileSync(join(next, f), join(d, `${f}.tmp`)); // step 1
      renameSync(join(d, `${f}.tmp`), join(d, f)); // step 3, cut short before checkpoint.json
    }
    const { model: back, info } = loadCheckpoint(d);
    assert.is(info.iter_num, 3);
    assert.equal(Array.from(back.wte.data), wteAt3, `after moving ${moved}`);
    const opt2 = back.configureOptimizers(0.1, 1e-2, [0.9, 0.95]);
    loadOptimizerState(d, back, opt2);
    assert.equal(Array.from(opt2.state.get(back.wte)!.v), vAt3);
  }
  // a real second save into the same directory keeps the first as .prev and loads the second
  saveCheckpoint(dir, model, opt, { model_config: cfg, iter_num: 4, best_val_loss: 1.4 });
  assert.ok(existsSync(join(dir, 'model.safetensors.prev')));
  assert.is(loadCheckpoint(dir).info.iter_num, 4);
  assert.equal(Array.from(loadCheckpoint(dir).model.wte.data), Array.from(model.wte.data));
});

test('an optimizer file of another save, with no .prev to fall back on, is refused on resume', () => {
  const { model, opt } = trainedModel();
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
  saveCheckpoint(dir, model, opt, { model_config: cfg, iter_num: 3, best_val_loss: 1.5 });
  const other = mkdtempSync(join(tmpdir(), 'ckpt-other-'));
  step(model, opt);
  saveCheckpoint(other, model, opt, { model_config: cfg, iter_num: 4, best_val_loss: 1.4 });
  copyFileSync(join(other, 'optimizer.safetensors'), join(dir, 'optimizer.safetensors'));
  rmSync(join(dir, 'optimizer.safetensors.prev'), { force: true });
  const back = loadCheckpoint(dir).model; // the model and the json agree
  assert.throws(() => loadOptimizerState(dir, back, back.configureOptimizers(0.1, 1e-2, [0.9, 0.95])), /optimizer.safetensors and checkpoint.json come from different saves .* the checkpoint is damaged/);
});

test('checkpoint.json and adapter_config.json that parse but say nothing usable: one clear error naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
  const { model, opt } = trainedModel();
  saveCheckpoint(dir, model, opt, { model_config: cfg, iter_num: 3, best_val_loss: 1.5 });
  const json = join(dir, 'checkpoint.json');
  const good = readFileSync(json, 'utf8');
  const cases: Array<[string, RegExp]> = [
    ['{}', /checkpoint.json: has no "model_config" \(not a checkpoint written by this project\?\)/],
    ['null', /checkpoint.json: must hold a JSON object/],
    ['[1]', /checkpoint.json: must hold a JSON object/],
    [JSON.stringify({ ...JSON.parse(good), model_config: { ...cfg, n_embd: '16' } }), /"model_config.n_embd" must be a positive integer, got "16"/],
    [JSON.stringify({ ...JSON.parse(good), iter_num: -1 }), /"iter_num" must be a non-negative integer, got -1/],
  ];
  for (const [text, re] of cases) {
    writeFileSync(json, text);
    assert.throws(() => readCheckpointInfo(dir), re, text);
  }
  writeFileSync(json, '\uFEFF' + good); // a byte-order mark, as some editors write
  assert.is(readCheckpointInfo(dir).iter_num, 3);
});

test.run();
