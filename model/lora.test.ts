import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed, noGrad } from '../engine/index.ts';
import { GPT } from './gpt.ts';
import { saveAdapters, loadAdapters, saveCheckpoint, loadCheckpoint } from './checkpoint.ts';
import { parseTargets } from './lora.ts';
import type { GPTConfig } from './config.ts';

const cfg: GPTConfig = { block_size: 16, vocab_size: 29, n_layer: 2, n_head: 2, n_embd: 24, dropout: 0, bias: true };
const lora = { targets: ['c_attn', 'c_proj', 'c_fc'], rank: 4, alpha: 8, dropout: 0 };
const idx = Int32Array.from({ length: 2 * 12 }, (_, i) => (i * 5 + 3) % 29);
const targets = Int32Array.from({ length: 2 * 12 }, (_, i) => (i * 7 + 1) % 29);
const logits = (m: GPT) => noGrad(() => Array.from(m.forward(idx, 2, 12, targets).logits.data));

function trainSteps(m: GPT, n: number): number[] {
  const opt = m.configureOptimizers(0, 1e-2, [0.9, 0.99]);
  const losses: number[] = [];
  for (let i = 0; i < n; i++) {
    opt.zeroGrad();
    const { loss } = m.forward(idx, 2, 12, targets);
    loss!.backward();
    opt.step();
    losses.push(loss!.item());
  }
  return losses;
}

test("at init the LoRA model's logits equal the base model's (B = 0)", () => {
  manualSeed(1);
  const m = new GPT(cfg);
  const before = logits(m);
  m.applyLora(lora);
  assert.equal(logits(m), before);
  assert.is(m.namedAdapters().size, 2 * 4 * 2); // 2 layers x 4 linears x (A, B)
  assert.equal(m.namedAdapters().get('base_model.model.transformer.h.0.attn.c_attn.lora_A.weight')!.shape, [4, 24]);
  assert.equal(m.namedAdapters().get('base_model.model.transformer.h.1.mlp.c_fc.lora_B.weight')!.shape, [96, 4]);
});

test('only adapter tensors receive gradients, and a LoRA fine-tune lowers the loss', () => {
  manualSeed(2);
  const m = new GPT(cfg);
  m.applyLora(lora);
  const base = logits(m);
  const losses = trainSteps(m, 30);
  assert.ok(losses[29] < losses[0] - 0.2, `${losses[0]} -> ${losses[29]}`);
  for (const p of m.parameters()) assert.is(p.grad, null, p.name);
  for (const a of m.namedAdapters().values()) assert.ok(a.grad !== null);
  assert.not.equal(logits(m), base);
});

test('merged and unmerged logits agree; unmerge restores the base weights', () => {
  manualSeed(3);
  const m = new GPT(cfg);
  const w0 = Float32Array.from(m.h[0].attn.c_attn.weight.data);
  m.applyLora({ ...lora, targets: ['c_attn'] });
  trainSteps(m, 5);
  const unmerged = logits(m);
  m.mergeLora(true);
  const merged = logits(m);
  merged.forEach((v, i) => assert.ok(Math.abs(v - unmerged[i]) < 1e-4));
  m.mergeLora(false);
  m.h[0].attn.c_attn.weight.data.forEach((v, i) => assert.ok(Math.abs(v - w0[i]) < 1e-6));
});

test('adapters save alone (a few KB, PEFT names) and load onto a base checkpoint', () => {
  manualSeed(4);
  const base = new GPT(cfg);
  const baseDir = mkdtempSync(join(tmpdir(), 'base-'));
  saveCheckpoint(baseDir, base, null, { model_config: cfg, iter_num: 0, best_val_loss: 0 });
  base.applyLora(lora);
  trainSteps(base, 5);
  const tuned = logits(base);
  const adapterDir = mkdtempSync(join(tmpdir(), 'adapter-'));
  saveAdapters(adapterDir, base);
  assert.equal(readdirSync(adapterDir).sort(), ['adapter_config.json', 'adapter_model.safetensors']);
  assert.ok(statSync(join(adapterDir, 'adapter_model.safetensors')).size < 20_000);
  const fresh = loadCheckpoint(baseDir).model;
  loadAdapters(fresh, adapterDir);
  assert.equal(logits(fresh), tuned);
  assert.throws(() => parseTargets('c_attn,wte'), /unknown target 'wte'/);
});

test('a checkpoint of a LoRA model round-trips with its adapters', () => {
  manualSeed(5);
  const m = new GPT(cfg);
  m.applyLora(lora);
  trainSteps(m, 3);
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-lora-'));
  saveCheckpoint(dir, m, null, { model_config: cfg, iter_num: 3, best_val_loss: 0 });
  assert.equal(logits(loadCheckpoint(dir).model), logits(m));
});

test.run();
