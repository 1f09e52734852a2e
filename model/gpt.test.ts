import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import { manualSeed, ops, withDtype, savedBytes, resetSavedPeak } from '../engine/index.ts';
import type { Tensor } from '../engine/index.ts';
import { relError } from '../engine/ops/testing.ts';
import { GPT } from './gpt.ts';
import { generate } from './generate.ts';
import { newCache } from './kv_cache.ts';
import type { GPTConfig } from './config.ts';

const tiny: GPTConfig = { block_size: 16, vocab_size: 37, n_layer: 2, n_head: 2, n_embd: 24, dropout: 0, bias: true };

test('init follows nanoGPT: N(0, 0.02), zero biases, c_proj scaled by 1/sqrt(2 n_layer)', () => {
  manualSeed(0);
  const model = new GPT({ ...tiny, n_embd: 64, n_layer: 4 });
  const std = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
  assert.ok(Math.abs(std(model.wte.data) - 0.02) < 0.002);
  assert.ok(Math.abs(std(model.h[0].mlp.c_fc.weight.data) - 0.02) < 0.001);
  assert.ok(Math.abs(std(model.h[0].attn.c_proj.weight.data) - 0.02 / Math.sqrt(8)) < 0.0005);
  assert.ok(model.h[0].attn.c_attn.bias!.data.every((v) => v === 0));
  assert.ok(model.ln_f.weight.data.every((v) => v === 1));
});

test('GPT-2 parameter names, Linear weights (out, in), parameter count without wpe', () => {
  const model = new GPT(tiny);
  const p = model.namedParameters();
  assert.equal(p.get('transformer.h.1.attn.c_attn.weight')!.shape, [72, 24]);
  assert.equal(p.get('transformer.h.0.mlp.c_fc.weight')!.shape, [96, 24]);
  assert.ok(p.has('transformer.ln_f.bias') && !p.has('lm_head.weight'));
  const perLayer = 2 * 2 * 24 + (72 * 24 + 72) + (24 * 24 + 24) + (96 * 24 + 96) + (24 * 96 + 24);
  assert.is(model.numParams(), 37 * 24 + 2 * perLayer + 2 * 24);
  assert.is(model.numParams(false), model.numParams() + 16 * 24);
  assert.is(new GPT({ ...tiny, bias: false }).namedParameters().has('transformer.h.0.attn.c_attn.bias'), false);
});

test('forward: (B,T,V) logits with targets, only the last position without; too long is an error', () => {
  const model = new GPT(tiny);
  const idx = Int32Array.from({ length: 2 * 5 }, (_, i) => (i * 7) % 37);
  const withT = model.forward(idx, 2, 5, idx);
  assert.equal(withT.logits.shape, [2, 5, 37]);
  assert.ok(withT.loss!.item() > 3 && withT.loss!.item() < 4.5); // ~ln(37) at init
  const noT = model.forward(idx, 2, 5);
  assert.equal(noT.logits.shape, [2, 1, 37]);
  assert.ok(Math.abs(noT.logits.data[40] - withT.logits.data[(5 + 4) * 37 + 3]) < 1e-5);
  // masked targets: logits only where a target counts, and the same loss and gradients as the full product
  const masked = Int32Array.from(idx, (t, i) => (i % 5 < 2 ? -1 : t));
  const gathered = model.forward(idx, 2, 5, masked);
  assert.equal(gathered.logits.shape, [6, 37]);
  const want = ops.crossEntropy(model.forward(idx, 2, 5, idx).logits, masked); // every row's logits, then the mask
  assert.ok(Math.abs(gathered.loss!.item() - want.item()) < 1e-6);
  const grads = (loss: Tensor) => {
    model.parameters().forEach((p) => p.zeroGrad());
    loss.backward();
    return model.parameters().map((p) => Float32Array.from(p.grad!));
  };
  const g1 = grads(gathered.loss!);
  const g2 = grads(want);
  g1.forEach((g, i) => assert.ok(relError(g, g2[i]) < 1e-5, `gradient ${i}`));
  assert.throws(() => model.forward(new Int32Array(17), 1, 17), /sequence of length 17 exceeds block_size 16/);
  assert.throws(() => new GPT({ ...tiny, n_head: 5 }), /n_embd \(24\) must be divisible by n_head \(5\)/);
});

test('forward packs a masked batch (shared prefix, padding, a row with nothing to learn): same loss and gradients as the padded batch', () => {
  manualSeed(4);
  const model = new GPT(tiny);
  const [B, T] = [4, 9];
  const prefix = [3, 9, 27];
  const pad = 36;
  // row: the shared prefix, its own prompt, an answer (counted), then padding
  const rows = [[5, 6], [7], [8, 10, 11], [12]].map((own, b) => {
    const answer = [20 + b, 21 + b, 2];
    const ids = [...prefix, ...own, ...answer];
    const targets = [...ids.slice(1).map((t, i) => (i + 1 >= prefix.length + own.length ? t : -1)), -1];
    while (ids.length < T) {
      ids.push(pad);
      targets.push(-1);
    }
    return { ids, targets: b === 3 ? targets.map(() => -1) : targets };
  });
  const idx = Int32Array.from(rows.flatMap((r) => r.ids));
  const targets = Int32Array.from(rows.flatMap((r) => r.targets));
  const grads = (loss: Tensor) => {
    model.parameters().forEach((p) => p.zeroGrad());
    loss.backward();
    return model.parameters().map((p) => Float32Array.from(p.grad!));
  };
  const packed = model.forward(idx, B, T, targets);
  const padded = model.forward(idx, B, T, targets, false);
  assert.ok(Math.abs(packed.loss!.item() - padded.loss!.item()) < 1e-6, `${packed.loss!.item()} vs ${padded.loss!.item()}`);
  assert.equal(packed.logits.shape, padded.logits.shape);
  assert.ok(relError(packed.logits.data, padded.logits.data) < 1e-5);
  const g1 = grads(packed.loss!);
  const g2 = grads(padded.loss!);
  g1.forEach((g, i) => assert.ok(relError(g, g2[i]) < 1e-5, `gradient of ${model.parameters()[i].name}: ${relError(g, g2[i])}`));
});

test('a 2-layer model overfits one fixed batch to loss < 0.05', () => {
  manualSeed(3);
  const model = new GPT(tiny);
  const B = 4;
  const T = 16;
  const idx = Int32Array.from({ length: B * T }, (_, i) => (i * 13 + 5) % 37);
  const targets = Int32Array.from({ length: B * T }, (_, i) => (i * 11 + 2) % 37);
  const opt = model.configureOptimizers(0, 3e-3, [0.9, 0.95]);
  let loss = Infinity;
  for (let step = 0; step < 300 && loss >= 0.05; step++) {
    opt.zeroGrad();
    const out = model.forward(idx, B, T, targets);
    out.loss!.backward();
    opt.step();
    loss = out.loss!.item();
  }
  assert.ok(loss < 0.05, `loss ${loss}`);
});

test('configureOptimizers decays 2-d tensors only; flopsPerToken (the numerator of MFU) follows 6N + 12LHQT', () => {
  const model = new GPT(tiny);
  const opt = model.configureOptimizers(0.1, 1e-3, [0.9, 0.95]);
  assert.ok(opt.groups[0].params.every((p) => p.ndim >= 2) && opt.groups[0].weightDecay === 0.1);
  assert.ok(opt.groups[1].params.every((p) => p.ndim === 1) && opt.groups[1].weightDecay === 0);
  // 2 layers, 2 heads of 12, at T = 16 and at a shorter fine-tuning batch's T = 5
  assert.is(model.flopsPerToken(16), 6 * model.numParams() + 12 * 2 * 2 * 12 * 16);
  assert.is(model.flopsPerToken(5), 6 * model.numParams() + 12 * 2 * 2 * 12 * 5);
});

test('cropBlockSize shrinks the position table', () => {
  const model = new GPT(tiny);
  const row3 = Array.from(model.wpe.data.subarray(3 * 24, 4 * 24));
  model.cropBlockSize(8);
  assert.equal(model.wpe.shape, [8, 24]);
  assert.equal(Array.from(model.wpe.data.subarray(3 * 24, 4 * 24)), row3);
  assert.throws(() => model.cropBlockSize(9), /cropBlockSize: 9 is larger/);
});

test('forwardCached: a sequence fed in two pieces through the cache gives the padded forward\'s outputs', () => {
  manualSeed(4);
  const model = new GPT(tiny);
  model.eval();
  const ids = Int32Array.from([3, 1, 4, 1, 5, 9, 2, 6]);
  const whole = model.forwardCached(ids, 1, 8, Int32Array.from([0]), newCache(tiny, 1));
  const cache = newCache(tiny, 1);
  model.forwardCached(ids.subarray(0, 5), 1, 5, Int32Array.from([0]), cache);
  const rest = model.forwardCached(ids.subarray(5), 1, 3, Int32Array.from([5]), cache);
  const C = tiny.n_embd;
  assert.ok(relError(rest.data, whole.data.subarray(5 * C)) < 1e-5, 'the last three positions through the cache');
  // and the last position's logits are the padded forward's
  const logits = ops.linear(ops.slice(whole, 1, 7, 8), model.wte);
  assert.ok(relError(logits.data, model.forward(ids, 1, 8).logits.data) < 1e-6);
});

test('generate: cached equals uncached (greedy), for a batch of prompts of different lengths, past block_size', () => {
  manualSeed(5);
  const model = new GPT(tiny);
  const prompts = [[1, 2, 3], [4], [5, 6, 7, 8, 9, 10, 11], [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29]];
  const cached = generate(model, prompts, 12, { temperature: 0 });
  const uncached = generate(model, prompts, 12, { temperature: 0, useCache: false });
  assert.equal(cached, uncached);
  assert.equal(cached.map((r) => r.length), [12, 12, 12, 12]);
  // each row alone gives the same tokens as in the batch
  prompts.forEach((p, i) => assert.equal(generate(model, [p], 12, { temperature: 0 })[0], cached[i]));
});

test('generate: a row that stops at the end of the window while others go on', () => {
  manualSeed(8);
  const model = new GPT(tiny);
  const long = Array.from({ length: 15 }, (_, i) => (i * 3) % 37);
  const first = generate(model, [long], 1, { temperature: 0 })[0][0];
  // the long row stops after one token (filling all 16 positions); the short one keeps decoding
  const out = generate(model, [long, [1, 2]], 6, { temperature: 0, stopTokens: [first] });
  assert.equal(out[0], [first]);
  assert.equal(out[1], generate(model, [[1, 2]], 6, { temperature: 0, stopTokens: [first] })[0]);
});

test('generate: stop tokens end a row, sampling is seeded, topK=1 is greedy', () => {
  manualSeed(6);
  const model = new GPT(tiny);
  const greedy = generate(model, [[1, 2]], 10, { temperature: 0 })[0];
  const stopAt = greedy[3];
  const stopped = generate(model, [[1, 2]], 10, { temperature: 0, stopTokens: [stopAt] })[0];
  assert.equal(stopped, greedy.slice(0, greedy.indexOf(stopAt) + 1));
  manualSeed(9);
  const a = generate(model, [[1, 2], [3]], 8, { temperature: 1.5 });
  manualSeed(9);
  const b = generate(model, [[1, 2], [3]], 8, { temperature: 1.5 });
  assert.equal(a, b);
  assert.equal(generate(model, [[1, 2]], 10, { temperature: 2, topK: 1 })[0], greedy);
});

// ------------------------------------------------------------------ Muon for the blocks' matrices (engine/muon.ts)

test("configureOptimizers('muon') gives Muon exactly the blocks' matrices; LoRA adapters stay with AdamW", () => {
  const model = new GPT({ block_size: 8, vocab_size: 20, n_layer: 2, n_head: 2, n_embd: 8, dropout: 0, bias: true });
  const opt = model.configureOptimizers(0.1, 1e-3, [0.9, 0.99], 'muon');
  const muon = opt.groups.filter((g) => g.muon).flatMap((g) => g.params);
  assert.is(muon.length, 8);
  assert.ok(muon.every((p) => model.blockMatrices().includes(p)));
  assert.ok(!muon.includes(model.wte) && !muon.includes(model.wpe));
  assert.is(opt.params().length, model.parameters().length);
  assert.is(model.configureOptimizers(0.1, 1e-3, [0.9, 0.99]).groups.filter((g) => g.muon).length, 0);
  model.applyLora({ targets: ['c_attn'], rank: 2, alpha: 4, dropout: 0 });
  assert.is(model.configureOptimizers(0.1, 1e-3, [0.9, 0.99], 'muon').groups.filter((g) => g.muon).length, 0);
});

test('a small GPT learns a fixed batch with Muon', () => {
  const model = new GPT({ block_size: 8, vocab_size: 16, n_layer: 2, n_head: 2, n_embd: 16, dropout: 0, bias: true });
  const opt = model.configureOptimizers(0.1, 3e-3, [0.9, 0.99], 'muon');
  const rng = seedrandom('muon-batch');
  const idx = Int32Array.from({ length: 16 }, () => Math.floor(rng() * 16));
  const targets = Int32Array.from({ length: 16 }, () => Math.floor(rng() * 16));
  let first = 0;
  let last = 0;
  for (let step = 0; step < 60; step++) {
    opt.zeroGrad();
    const { loss } = model.forward(idx, 2, 8, targets);
    loss!.backward();
    opt.step();
    if (step === 0) first = loss!.data[0];
    last = loss!.data[0];
  }
  assert.ok(last < 0.3 * first, `loss ${first} -> ${last}`);
});

// ------------------------------------------------------------------ mixed precision (engine/precision.ts)

function gptStep(dtype: 'float32' | 'float16' | 'bfloat16'): { loss: number; saved: number; grads: Float32Array; live: number } {
  manualSeed(7);
  const model = new GPT({ vocab_size: 50, block_size: 16, n_layer: 2, n_head: 2, n_embd: 32, dropout: 0, bias: true });
  const B = 3;
  const T = 16;
  const idx = Int32Array.from({ length: B * T }, (_, i) => (i * 7 + 3) % 50);
  const targets = Int32Array.from({ length: B * T }, (_, i) => (i % 5 === 0 ? -1 : (i * 11 + 1) % 50));
  return withDtype(dtype, () => {
    resetSavedPeak();
    const { loss } = model.forward(idx, B, T, targets);
    loss!.backward();
    const grads = model.allNamedTensors().get('transformer.h.0.attn.c_attn.weight')!.grad!;
    return { loss: loss!.item(), saved: savedBytes.peak, grads, live: savedBytes.live };
  });
}

test('a GPT step in float16 / bfloat16: same loss and gradients as float32 to 16-bit precision, <= 60% of the saved bytes', () => {
  const f32 = gptStep('float32');
  assert.is(f32.live, 0, 'every saved activation is released by backward');
  for (const dtype of ['float16', 'bfloat16'] as const) {
    const h = gptStep(dtype);
    assert.is(h.live, 0);
    assert.ok(Math.abs(h.loss - f32.loss) < (dtype === 'float16' ? 2e-3 : 2e-2) * f32.loss, `${dtype} loss ${h.loss} vs ${f32.loss}`);
    let num = 0;
    let den = 0;
    for (let i = 0; i < f32.grads.length; i++) {
      num += (h.grads[i] - f32.grads[i]) ** 2;
      den += f32.grads[i] ** 2;
    }
    const rel = Math.sqrt(num / den);
    assert.ok(rel < (dtype === 'float16' ? 1e-2 : 5e-2), `${dtype} gradient relative error ${rel}`);
    assert.ok(rel > 0, `${dtype} must actually round something`);
    assert.ok(h.saved <= 0.6 * f32.saved, `${dtype} saved ${h.saved} bytes vs float32 ${f32.saved}`);
  }
});

test.run();
