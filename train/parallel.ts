// Data parallelism across CPU cores, like PyTorch's DDP in the original train.py, with threads.
//
// Every parameter lives in one SharedArrayBuffer that all threads map, so there is nothing to
// broadcast: when the main thread's AdamW updates a weight, every worker sees it. Each training
// step, a batch is cut into shards (train/step.ts: always SHARDS a micro-batch, whatever the
// number of threads); the main thread and the workers each run forward + backward of theirs, each
// shard's gradient into a shared buffer of its own, and the main thread adds them up in shard
// order: the gradient one thread gets for the same shards, bit for bit.
//
// The optimizer's step is one update per parameter (engine/optim.ts), each on its own arrays, all
// of them in shared memory: those updates are shared out too (runUpdates below), since the workers
// would otherwise wait through Muon's Newton-Schulz iterations, most of the step.
//
// The step each thread runs is train/step.ts's shardGradients. Dropout masks differ from a
// single-thread run (each thread has its own random stream): with dropout above 0 the loss curve
// depends on the number of threads.
import { Worker } from 'node:worker_threads';
import { getDtype } from '../engine/index.ts';
import type { GPT } from '../model/gpt.ts';
import { updateHere } from '../engine/optim.ts';
import { orthogonaliseMultiplyAdds } from '../engine/muon.ts';
import type { ParamUpdate } from '../engine/optim.ts';
import { foldGradients, gradSlots, shardGradients, sum } from './step.ts';
import type { ItemsResult, ShardResult, ShardRunner, WorkItem } from './step.ts';
import type { Batch } from '../data/batch.ts';

/**
 * What a shard costs to compute, about: the positions the model runs, each row up to its last
 * counted target (a packed batch computes no more, model/packing.ts), all of them if none counts.
 */
export function shardCost(b: Batch): number {
  let positions = 0;
  for (let r = 0; r < b.B; r++) {
    let last = b.T - 1;
    while (last >= 0 && b.targets[r * b.T + last] === -1) last--;
    positions += last + 1;
  }
  return positions > 0 ? positions : b.B * b.T;
}

/**
 * Work to threads, the costliest first, each piece to the thread with the least work so far: a
 * step's shards (fine-tuning's differ by up to ~1.4x in length, and dealt round-robin the thread
 * with the longer ones kept the other waiting) and the optimizer's updates. Returns each thread's
 * indices into costs, in increasing order.
 */
export function dealByCost(costs: number[], threads: number): number[][] {
  const shares: number[][] = Array.from({ length: threads }, () => []);
  const load = new Array<number>(threads).fill(0);
  const order = costs.map((_, k) => k).sort((a, b) => costs[b] - costs[a] || a - b);
  for (const k of order) {
    const t = load.indexOf(Math.min(...load));
    shares[t].push(k);
    load[t] += costs[k];
  }
  return shares.map((ks) => ks.sort((a, b) => a - b));
}

/**
 * About what a parameter's update costs, in the matmul's multiply-adds: Muon's are its
 * orthogonalisation's products (engine/muon.ts) and a few passes over the matrix; AdamW's, a
 * square root and two divisions in doubles per float, about 100 multiply-adds' time each (on this
 * project's VM, AdamW on the 197K floats of wte took 1.04 ms, Newton-Schulz on a 96 x 384 matrix,
 * 40M multiply-adds, 1.97 ms).
 */
export function updateCost(up: ParamUpdate): number {
  if (up.kind === 'adamw') return 100 * up.param.length;
  return orthogonaliseMultiplyAdds(up.rows, up.cols) + 20 * up.param.length;
}

/** Can a worker reach every array of this update? (An optimizer keeps its state in shared memory, engine/optim.ts.) */
function inSharedMemory(up: ParamUpdate): boolean {
  const arrays = up.kind === 'adamw' ? [up.param, up.grad, up.m, up.v] : [up.param, up.grad, up.buffer, up.u, up.o];
  return arrays.every((a) => a.buffer instanceof SharedArrayBuffer);
}

/** How long the main thread waits for a worker's share of the optimizer's step before it gives up. */
const UPDATE_TIMEOUT_MS = 60_000;

export class DataParallel implements ShardRunner {
  private readonly workers: Worker[] = [];
  /** one flag per worker for its share of the optimizer's step: 0 working, 1 done, 2 failed */
  private readonly updatesDone: Int32Array;
  /** one shared gradient vector per shard of a step (gradSlots' layout), grown as needed */
  private shardGrads: Float32Array[] = [];
  private readonly params: Array<{ name: string; offset: number; size: number }> = [];
  private readonly model: GPT;

  /** Move the model's parameters into shared memory and start `threads - 1` workers. */
  /** gpuMode: null for the CPU kernels, else the GPU.js mode each worker opens its own kernels in. */
  constructor(model: GPT, threads: number, seed: number, gpuMode: string | null = null) {
    this.model = model;
    const named = model.allNamedTensors();
    let total = 0;
    for (const [name, t] of named) {
      this.params.push({ name, offset: total, size: t.size });
      total += t.size;
    }
    const paramBuffer = new SharedArrayBuffer(total * 4);
    const shared = new Float32Array(paramBuffer);
    for (const { name, offset, size } of this.params) {
      const t = named.get(name)!;
      shared.set(t.data, offset);
      t.data = shared.subarray(offset, offset + size);
    }
    this.updatesDone = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, threads - 1)));
    for (let rank = 1; rank < threads; rank++) {
      this.workers.push(new Worker(new URL('./worker-entry.mjs', import.meta.url), {
        workerData: { config: model.config, lora: model.lora, params: this.params, paramBuffer, seed: `${seed}/worker/${rank}`, dtype: getDtype(), gpuMode },
      }));
    }
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Gradients of the weighted shards into the main model's .grad. Shards are dealt so that the
   * threads' shares cost about the same (dealByCost), each one's gradient lands in its own shared
   * vector, and the vectors are added in shard order, as on one thread: which thread computed a
   * shard changes no bit of the sum.
   */
  async step(items: WorkItem[], lossScale = 1): Promise<ItemsResult> {
    const total = gradSlots(this.model).total;
    while (this.shardGrads.length < items.length) this.shardGrads.push(new Float32Array(new SharedArrayBuffer(total * 4)));
    const shares = dealByCost(items.map((item) => shardCost(item.batch)), this.threads);
    const replies = this.workers.map((w, i) => {
      const theirs = shares[i + 1];
      return new Promise<ShardResult>((resolve, reject) => {
        const onMessage = (m: Partial<ShardResult> & { error?: string }) => {
          w.off('error', onError);
          if (m.error !== undefined) reject(new Error(`worker ${i + 1}: ${m.error}`));
          else resolve(m as ShardResult);
        };
        const onError = (e: Error) => {
          w.off('message', onMessage);
          reject(e);
        };
        w.once('message', onMessage);
        w.once('error', onError);
        w.postMessage({ items: theirs.map((k) => items[k]), grads: theirs.map((k) => this.shardGrads[k].buffer), training: this.model.training, lossScale });
      });
    });
    const mine = shares[0];
    const here = shardGradients(this.model, mine.map((k) => items[k]), lossScale, mine.map((k) => this.shardGrads[k]));
    // every shard's loss in shard order; threads run at once, so the step's peak of saved activations is the sum of their peaks
    const losses = new Array<number>(items.length);
    let { savedPeak, rows } = here;
    mine.forEach((k, j) => (losses[k] = here.losses[j]));
    (await Promise.all(replies)).forEach((r, i) => {
      shares[i + 1].forEach((k, j) => (losses[k] = r.losses[j]));
      savedPeak += r.savedPeak;
      rows += r.rows;
    });
    foldGradients(this.model, this.shardGrads.slice(0, items.length));
    return { loss: sum(losses), savedPeak, rows };
  }

  /**
   * The optimizer's updates of one step, shared between the threads: each goes to the thread with
   * the least work so far (updateCost). Their arrays are in shared memory, so a worker's updates
   * land in place; the main thread blocks (Atomics.wait) until the workers set their flags, so the
   * optimizer's step stays synchronous. Each update touches only its own parameter's arrays and every
   * thread runs the same kernels, so the weights come out the same, bit for bit, as on one thread.
   * If some array is not shared (a plain Float32Array given to the optimizer), the step runs here.
   */
  readonly runUpdates = (updates: ParamUpdate[]): void => {
    if (!updates.every(inSharedMemory)) return updateHere(updates);
    const shares = dealByCost(updates.map(updateCost), this.threads).map((ks) => ks.map((k) => updates[k]));
    this.workers.forEach((w, k) => {
      Atomics.store(this.updatesDone, k, 0);
      w.postMessage({ updates: shares[k + 1], done: this.updatesDone.buffer, flag: k });
    });
    updateHere(shares[0]);
    this.workers.forEach((_, k) => {
      if (Atomics.wait(this.updatesDone, k, 0, UPDATE_TIMEOUT_MS) === 'timed-out') throw new Error(`worker ${k + 1}: its share of the optimizer's step not done after ${UPDATE_TIMEOUT_MS / 1000} s`);
      if (Atomics.load(this.updatesDone, k) !== 1) throw new Error(`worker ${k + 1}: its share of the optimizer's step failed (its error is printed above)`);
    });
  };

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
