// Data parallelism across CPU cores, like PyTorch's DDP in the original train.py, with threads.
//
// Every parameter lives in one SharedArrayBuffer that all threads map, so there is nothing to
// broadcast: when the main thread's AdamW updates a weight, every worker sees it. Each training
// step, a batch is cut into shards; the main thread and the workers each run forward + backward
// on theirs, workers copy their gradients into their own shared buffer, and the main thread adds
// them into its own. That sum is the gradient one thread would get for the whole batch.
//
// The optimizer's step runs on the main thread, and the workers would wait through it. Muon's
// Newton-Schulz iterations are most of that step (engine/muon.ts), so they are shared out too
// (orthogonalise below).
//
// The step each thread runs is train/step.ts's forwardBackward. Dropout masks differ from a
// single-thread run (each thread has its own random stream).
import { Worker } from 'node:worker_threads';
import { getDtype } from '../engine/index.ts';
import type { GPT } from '../model/gpt.ts';
import { orthogonaliseHere } from '../engine/muon.ts';
import type { NsJob } from '../engine/muon.ts';
import { forwardBackward } from './step.ts';
import type { ItemsResult, ShardRunner, WorkItem } from './step.ts';

/** A worker's Newton-Schulz job: its input at `at` in the shared buffer, its output right after it. */
export interface NsSlot {
  at: number;
  rows: number;
  cols: number;
}

/** How long the main thread waits for a worker's Newton-Schulz before it gives up. */
const NS_TIMEOUT_MS = 60_000;

export class DataParallel implements ShardRunner {
  private readonly workers: Worker[] = [];
  /** Muon's matrices for the workers, and one flag per worker: 0 working, 1 done, 2 failed */
  private nsBuffer = new Float32Array(new SharedArrayBuffer(0));
  private readonly nsDone: Int32Array;
  private readonly gradViews: Float32Array[] = [];
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
      const gradBuffer = new SharedArrayBuffer(total * 4);
      this.gradViews.push(new Float32Array(gradBuffer));
      this.workers.push(new Worker(new URL('./worker-entry.mjs', import.meta.url), {
        workerData: { config: model.config, lora: model.lora, params: this.params, paramBuffer, gradBuffer, seed: `${seed}/worker/${rank}`, dtype: getDtype(), gpuMode },
      }));
    }
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Gradients of the weighted shards into the main model's .grad (summed over threads).
   * Shards are dealt round-robin: thread k takes items k, k + threads, ...
   */
  async step(items: WorkItem[], lossScale = 1): Promise<ItemsResult> {
    const mine = items.filter((_, i) => i % this.threads === 0);
    const replies = this.workers.map((w, k) => {
      const theirs = items.filter((_, i) => i % this.threads === k + 1);
      return new Promise<ItemsResult>((resolve, reject) => {
        const onMessage = (m: Partial<ItemsResult> & { error?: string }) => {
          w.off('error', onError);
          if (m.error !== undefined) reject(new Error(`worker ${k + 1}: ${m.error}`));
          else resolve({ loss: m.loss!, savedPeak: m.savedPeak!, rows: m.rows! });
        };
        const onError = (e: Error) => {
          w.off('message', onMessage);
          reject(e);
        };
        w.once('message', onMessage);
        w.once('error', onError);
        w.postMessage({ items: theirs, training: this.model.training, lossScale });
      });
    });
    // threads run at once, so the step's peak of saved activations is the sum of their peaks
    let { loss, savedPeak, rows } = forwardBackward(this.model, mine, lossScale);
    for (const r of await Promise.all(replies)) {
      loss += r.loss;
      savedPeak += r.savedPeak;
      rows += r.rows;
    }
    // add every worker's gradients into the main model's
    const named = this.model.allNamedTensors();
    for (const { name, offset, size } of this.params) {
      const p = named.get(name)!;
      if (!p.requiresGrad) continue;
      const g = p.gradBuffer();
      for (const view of this.gradViews) {
        for (let i = 0; i < size; i++) g[i] += view[offset + i];
      }
    }
    return { loss, savedPeak, rows };
  }

  /**
   * Muon's Newton-Schulz jobs of one step, shared between the threads: each job goes to the thread
   * with the least work so far (a job costs ~ rows * cols * min(rows, cols)). A worker's matrices
   * travel through a shared buffer, and the main thread blocks (Atomics.wait) until the workers set
   * their flags, so the optimizer's step stays synchronous. Every thread runs the same kernels on the
   * same numbers, so the weights come out the same, bit for bit, as on one thread.
   */
  readonly orthogonalise = (jobs: NsJob[]): void => {
    const cost = (j: NsJob) => j.rows * j.cols * Math.min(j.rows, j.cols);
    const shares: NsJob[][] = Array.from({ length: this.threads }, () => []);
    const load = new Array<number>(this.threads).fill(0);
    for (const j of [...jobs].sort((a, b) => cost(b) - cost(a))) {
      const t = load.indexOf(Math.min(...load));
      shares[t].push(j);
      load[t] += cost(j);
    }
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
