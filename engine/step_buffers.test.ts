import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { capacityFor, fillPooled, floats, floatsToOverwrite, pooledBytes, withStepBuffers } from './step_buffers.ts';
import { GPT } from '../model/gpt.ts';
import { manualSeed } from './random.ts';
import { packBatch } from '../model/packing.ts';
import { gradSlots, shardGradients } from '../train/step.ts';
import type { WorkItem } from '../train/step.ts';

test('capacities hold n and waste at most an eighth', () => {
  for (const n of [1, 16, 17, 100, 1000, 4097, 123457]) {
    const c = capacityFor(n);
    assert.ok(c >= n && c <= n * 1.125 + 1, `${n} -> ${c}`);
  }
});

test('outside withStepBuffers floats(n) is a fresh array of zeros; inside, arrays come back zeroed for the next call', () => {
  const a = floats(1000);
  assert.ok(a !== floats(1000));
  let first: Float32Array | null = null;
  withStepBuffers(() => {
    first = floats(1000);
    first.fill(7);
  });
  withStepBuffers(() => {
    const again = floats(1000);
    assert.is(again.buffer, first!.buffer, 'the same memory, reused');
    assert.ok(again.every((v) => v === 0), 'and zeros again');
    assert.ok(floats(1000).buffer !== again.buffer, 'two arrays in one call never share');
  });
  assert.ok(pooledBytes() > 0);
});

test('floatsToOverwrite skips the zeroing: a reused array keeps the last call\'s numbers (its caller writes them all)', () => {
  let first: Float32Array | null = null;
  withStepBuffers(() => {
    first = floatsToOverwrite(3000);
    first.fill(5);
  });
  withStepBuffers(() => {
    const again = floatsToOverwrite(3000);
    assert.is(again.buffer, first!.buffer);
    assert.ok(again.every((v) => v === 5));
  });
  assert.ok(floatsToOverwrite(3000).every((v) => v === 0), 'outside withStepBuffers: a new array');
});

test('a slightly shorter request reuses a free array of a larger capacity, cut to its length', () => {
  let big: Float32Array | null = null;
  withStepBuffers(() => {
    big = floats(1000); // capacity 1024
    big.fill(3);
  });
  withStepBuffers(() => {
    const shorter = floats(900); // capacity 960: none free, so the 1024 one
    assert.is(shorter.buffer, big!.buffer);
    assert.is(shorter.length, 900);
    assert.ok(shorter.every((v) => v === 0));
  });
});

test('an array is returned to the pool even when the function throws; nested calls belong to the outer one', () => {
  let kept: Float32Array | null = null;
  try {
    withStepBuffers(() => {
      kept = floats(5000);
      throw new Error('boom');
    });
  } catch { /* expected */ }
  withStepBuffers(() => {
    const outer = floats(5000);
    assert.is(outer.buffer, kept!.buffer);
    withStepBuffers(() => {
      assert.ok(floats(5000).buffer !== outer.buffer, 'the inner call does not hand back the outer one\'s arrays');
    });
  });
});

// targets -1 in the first positions only: every position is computed (causalAttention); with the
// first row's end padded too, the batch is packed (model/packing.ts, packedAttention)
const TARGET_KINDS: Array<[string, (i: number, T: number) => boolean]> = [
  ['padded', (i, T) => i % T < 4],
  ['packed', (i, T) => i % T < 4 || (i < T && i > 8)],
];
for (const [kind, masked] of TARGET_KINDS) {
  test(`a shard's gradients are the same bits whether its arrays are fresh or reused (${kind} batch)`, () => {
    const cfg = { vocab_size: 64, block_size: 16, n_layer: 2, n_head: 2, n_embd: 16, dropout: 0, bias: true };
    manualSeed(3);
    const model = new GPT(cfg);
    const T = 12;
    const idx = Int32Array.from({ length: 2 * T }, (_, i) => (i * 7 + 3) % 64);
    const targets = Int32Array.from({ length: 2 * T }, (_, i) => (masked(i, T) ? -1 : (i * 5 + 1) % 64));
    assert.is(packBatch(idx, targets, 2, T) !== null, kind === 'packed');
    const items: WorkItem[] = [{ batch: { idx, targets, B: 2, T }, weight: 1 }];
    const { total } = gradSlots(model);
    // three runs: the pool empty, then reused twice, its arrays first filled with NaN (an op that
    // reads an element of floatsToOverwrite's it did not write gives NaNs); a plain forward +
    // backward outside it as reference
    const runs = [0, 1, 2].map((run) => {
      if (run > 0) fillPooled(NaN);
      const g = [new Float32Array(total)];
      const r = shardGradients(model, items, 1, g);
      return { loss: r.loss, grad: g[0] };
    });
    for (const { tensor } of gradSlots(model).slots) tensor.zeroGrad();
    const out = model.forward(idx, 2, T, targets);
    out.loss!.backward();
    const want = new Float32Array(total);
    for (const { tensor, offset } of gradSlots(model).slots) if (tensor.grad !== null) want.set(tensor.grad, offset);
    for (const run of runs) {
      assert.is(run.loss, out.loss!.item());
      assert.equal([...run.grad], [...want]);
    }
    assert.ok(want.some((v) => v !== 0), 'the gradients are not all zero');
  });
}

test.run();
