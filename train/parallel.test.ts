import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import { DataParallel, dealByCost, shardCost, updateCost } from './parallel.ts';
import { splitWork, trainStep } from './step.ts';
import { GradScaler, manualSeed } from '../engine/index.ts';
import type { Batch } from '../data/batch.ts';
import { updateHere } from '../engine/optim.ts';
import type { ParamUpdate } from '../engine/optim.ts';
import { GPT } from '../model/gpt.ts';

test('splitWork: shards weighted by their share of counted targets; weights sum to 1', () => {
  // one micro-batch of 4 rows x 2 positions; row 0 fully masked, row 3 half masked
  const batch = { idx: Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), targets: Int32Array.from([-1, -1, 1, 2, 3, 4, 5, -1]), B: 4, T: 2 };
  const items = splitWork([batch, batch], 2);
  assert.is(items.length, 4);
  assert.equal(items.map((i) => i.batch.B), [2, 2, 2, 2]);
  // shard 1 (rows 0-1) has 2 of 5 counted targets, shard 2 (rows 2-3) has 3 of 5; two micro-batches halve them
  assert.ok(Math.abs(items[0].weight - 0.2) < 1e-12 && Math.abs(items[1].weight - 0.3) < 1e-12);
  assert.ok(Math.abs(items.reduce((s, i) => s + i.weight, 0) - 1) < 1e-12);
  assert.equal(Array.from(items[1].batch.targets), [3, 4, 5, -1]);
  // a shard with nothing counted is dropped
  const masked = { ...batch, targets: Int32Array.from([-1, -1, -1, -1, 3, 4, 5, 6]) };
  assert.equal(splitWork([masked], 2).map((i) => i.weight), [1]);
});

test('shardCost: the positions up to each row\'s last counted target; dealByCost: even loads, every shard once, each list in shard order', () => {
  // rows of 4 positions: counted up to position 1, none counted, all counted
  const b = { idx: new Int32Array(12), targets: Int32Array.from([5, 6, -1, -1, -1, -1, -1, -1, 1, 2, 3, 4]), B: 3, T: 4 };
  assert.is(shardCost(b), 2 + 0 + 4);
  assert.is(shardCost({ ...b, targets: new Int32Array(12).fill(-1) }), 12, 'nothing counted: every position');
  // round-robin would give thread 0 shards 0 and 2 (cost 18) and thread 1 shards 1 and 3 (cost 6)
  const shares = dealByCost([10, 2, 8, 4], 2);
  assert.equal(shares, [[0, 1], [2, 3]]); // 12 and 12
  assert.equal(dealByCost([3, 3, 3], 1), [[0, 1, 2]]);
  const many = dealByCost([5, 1, 4, 2, 3, 9, 7], 3);
  assert.equal(many.flat().sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6]);
  for (const list of many) assert.equal(list, [...list].sort((x, y) => x - y));
});

test('the optimizer\'s updates shared with a worker: every array the same, bit for bit, as on one thread', async () => {
  const model = new GPT({ block_size: 8, vocab_size: 16, n_layer: 1, n_head: 2, n_embd: 8, dropout: 0, bias: true });
  const parallel = new DataParallel(model, 2, 1);
  try {
    const rng = seedrandom('updates-parallel');
    const shared = (n: number) => new Float32Array(new SharedArrayBuffer(4 * n)).map(() => rng() - 0.5);
    // Muon on wide, tall and square matrices, big and small, and AdamW on vectors: both threads get some
    const updates = (): ParamUpdate[] => [
      ...[[8, 24], [8, 8], [8, 32], [32, 8], [12, 20], [20, 12], [5, 5]].map(([rows, cols]): ParamUpdate => ({
        kind: 'muon', param: shared(rows * cols), grad: shared(rows * cols), buffer: shared(rows * cols), u: shared(rows * cols), o: shared(rows * cols),
        rows, cols, lr: 0.01, weightDecay: 0.1,
      })),
      ...[40, 7, 300].map((n, i): ParamUpdate => ({
        kind: 'adamw', param: shared(n), grad: shared(n), m: shared(n), v: shared(n).map(Math.abs), hp: { lr: 1e-3, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1, step: i + 1 },
      })),
    ];
    const arrays = (up: ParamUpdate) => (up.kind === 'adamw' ? [up.param, up.m, up.v] : [up.param, up.buffer, up.u, up.o]);
    const copy = (up: ParamUpdate): ParamUpdate => (up.kind === 'adamw'
      ? { ...up, param: up.param.slice(), m: up.m.slice(), v: up.v.slice() }
      : { ...up, param: up.param.slice(), buffer: up.buffer.slice(), u: up.u.slice(), o: up.o.slice() });
    for (let round = 0; round < 2; round++) {
      const there = updates();
      const here = there.map(copy);
      const before = there.map((up) => up.param.slice());
      parallel.runUpdates(there);
      updateHere(here);
      there.forEach((up, i) => {
        assert.ok(up.param.some((x, j) => x !== before[i][j]), `update ${i} (${up.kind}) moved its parameter`);
        arrays(up).forEach((a, k) => assert.equal(Array.from(a), Array.from(arrays(here[i])[k]), `update ${i} (${up.kind}), array ${k}`));
      });
    }
    // a plain (unshared) array: the step runs on this thread, with the same result
    const plain = updates().map((up) => ({ ...up, param: up.param.slice() }));
    const alone = plain.map(copy);
    parallel.runUpdates(plain);
    updateHere(alone);
    plain.forEach((up, i) => assert.equal(Array.from(up.param), Array.from(alone[i].param)));
    // Newton-Schulz dominates: a 96 x 96 Muon update costs ~10x AdamW on as many floats
    const [muon, adamw] = [updates()[1], updates()[9]];
    assert.ok(muon.kind === 'muon' && adamw.kind === 'adamw');
    const muonCost = updateCost({ ...muon, rows: 96, cols: 96, param: new Float32Array(96 * 96) });
    const adamwCost = updateCost({ ...adamw, param: new Float32Array(96 * 96) });
    assert.ok(muonCost > 5 * adamwCost && muonCost < 50 * adamwCost, `${muonCost} against ${adamwCost}`);
  } finally {
    await parallel.close();
  }
});

/** A few Muon steps of a small model on two masked micro-batches (rows of unequal length), on `threads` threads (1: no workers). */
async function lossCurve(threads: number): Promise<{ losses: number[]; weights: number[] }> {
  manualSeed(5);
  const model = new GPT({ block_size: 8, vocab_size: 16, n_layer: 2, n_head: 2, n_embd: 8, dropout: 0, bias: true });
  const opt = model.configureOptimizers(0.1, 3e-3, [0.9, 0.99], 'muon');
  const parallel = threads > 1 ? new DataParallel(model, threads, 5) : null;
  if (parallel !== null) opt.shareUpdates(parallel.runUpdates);
  const rng = seedrandom('same-curve');
  const batch = (): Batch => {
    const [B, T] = [7, 8];
    const idx = Int32Array.from({ length: B * T }, () => Math.floor(rng() * 16));
    // each row's targets end at a random length, as fine-tuning's padded answers do
    const targets = Int32Array.from({ length: B * T }, (_, i) => (i % T < 2 + Math.floor(rng() * 6) ? Math.floor(rng() * 16) : -1));
    return { idx, targets, B, T };
  };
  const batches = [batch(), batch()];
  const losses: number[] = [];
  try {
    for (let s = 0; s < 4; s++) losses.push((await trainStep(model, opt, new GradScaler({ enabled: false }), batches, 1, parallel)).loss);
  } finally {
    await parallel?.close();
  }
  return { losses, weights: [...model.allNamedTensors().values()].flatMap((t) => Array.from(t.data)) };
}

test('1, 2 or 3 threads: the same losses and weights, bit for bit (the shards are the same, added in the same order)', async () => {
  const one = await lossCurve(1);
  assert.ok(one.losses[3] < one.losses[0], `it learns: ${one.losses}`);
  for (const threads of [2, 3]) {
    const many = await lossCurve(threads);
    assert.equal(many.losses, one.losses, `${threads} threads: losses`);
    assert.ok(many.weights.every((w, i) => w === one.weights[i]), `${threads} threads: weights`);
  }
});

test.run();
