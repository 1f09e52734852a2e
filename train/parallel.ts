// Data parallelism across CPU cores, like PyTorch's DDP in the original train.py, with threads.
//
// Every parameter lives in one SharedArrayBuffer that all threads map, so there is nothing to
// broadcast: when the main thread's AdamW updates a weight, every worker sees it. Each training
// step, a batch is cut into shards (train/step.ts: always SHARDS a micro-batch, whatever the
// number of threads); the main thread and the workers each run forward + backward of theirs, each
// shard's gradient into a shared buffer of its own, and the main thread adds them up in shard
// order: the gradient one thread gets for the same shards, bit for bit.
//
// The optimizer's step runs on the main thread, and the workers would wait through it. Muon's
// Newton-Schulz iterations are most of that step (engine/muon.ts), so they are shared out too
// (orthogonalise below).
//
// The step each thread runs is train/step.ts's shardGradients. Dropout masks differ from a
// single-thread run (each thread has its own random stream): with dropout above 0 the loss curve
// depends on the number of threads.
import { Worker } from 'node:worker_threads';
import { getDtype } from '../engine/index.ts';
import type { GPT } from '../model/gpt.ts';
import { orthogonaliseHere } from '../engine/muon.ts';
import type { NsJob } from '../engine/muon.ts';
import { foldGradients, gradSlots, shardGradients, sum } from './step.ts';
import type { ItemsResult, ShardResult, ShardRunner, WorkItem } from './step.ts';
import type { Batch } from '../data/batch.ts';

/** A worker's Newton-Schulz job: its input at `at` in the shared buffer, its output right after it. */
export interface NsSlot {
  at: number;
  rows: number;
  cols: number;
}

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
 * with the longer ones kept the other waiting) and Muon's Newton-Schulz jobs. Returns each
 * thread's indices into costs, in increasing order.
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

/** How long the main thread waits for a worker's Newton-Schulz before it gives up. */
const NS_TIMEOUT_MS = 60_000;

export class DataParallel implements ShardRunner {
  private readonly workers: Worker[] = [];
  /** Muon's matrices for the workers, and one flag per worker: 0 working, 1 done, 2 failed */
  private nsBuffer = new Float32Array(new SharedArrayBuffer(0));
  private readonly nsDone: Int32Array;
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
    this.nsDone = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, threads - 1)));
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
   * Muon's Newton-Schulz jobs of one step, shared between the threads: each job goes to the thread
   * with the least work so far (a job costs ~ rows * cols * min(rows, cols)). A worker's matrices
   * travel through a shared buffer, and the main thread blocks (Atomics.wait) until the workers set
   * their flags, so the optimizer's step stays synchronous. Every thread runs the same kernels on the
   * same numbers, so the weights come out the same, bit for bit, as on one thread.
   */
  readonly orthogonalise = (jobs: NsJob[]): void => {
    const costs = jobs.map((j) => j.rows * j.cols * Math.min(j.rows, j.cols));
    const shares = dealByCost(costs, this.threads).map((ks) => ks.map((k) => jobs[k]));
    const size = jobs.reduce((n, j) => n + 2 * j.input.length, 0);
    if (this.nsBuffer.length < size) this.nsBuffer = new Float32Array(new SharedArrayBuffer(size * 4));
    let at = 0;
    const slots = this.workers.map((w, k) => {
      const mine = shares[k + 1].map((j) => {
        const slot = { at, rows: j.rows, cols: j.cols };
        this.nsBuffer.set(j.input, at);
        at += 2 * j.input.length;
        return slot;
      });
      Atomics.store(this.nsDone, k, 0);
      w.postMessage({ ns: mine, buffer: this.nsBuffer.buffer, done: this.nsDone.buffer, flag: k });
      return mine;
    });
    orthogonaliseHere(shares[0]);
    this.workers.forEach((_, k) => {
      if (Atomics.wait(this.nsDone, k, 0, NS_TIMEOUT_MS) === 'timed-out') throw new Error(`worker ${k + 1}: no Newton-Schulz result after ${NS_TIMEOUT_MS / 1000} s`);
      if (Atomics.load(this.nsDone, k) !== 1) throw new Error(`worker ${k + 1}: Newton-Schulz failed (its error is printed above)`);
      shares[k + 1].forEach((j, i) => {
        const out = slots[k][i].at + j.input.length;
        j.output.set(this.nsBuffer.subarray(out, out + j.output.length));
      });
    });
  };

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
