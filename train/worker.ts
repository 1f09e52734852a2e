// A data-parallel worker (see parallel.ts): a model whose weights are views of the shared
// parameter buffer; each shard it is given, its gradient into that shard's shared vector.
import { parentPort, workerData } from 'node:worker_threads';
import { manualSeed, setDtype, setKernels } from '../engine/index.ts';
import type { GpuMode } from '../engine/gpu/index.ts';
import type { Dtype } from '../engine/index.ts';
import { GPT } from '../model/gpt.ts';
import { updateHere } from '../engine/optim.ts';
import type { ParamUpdate } from '../engine/optim.ts';
import { shardGradients } from './step.ts';
import type { WorkItem } from './step.ts';
import type { LoraConfig } from '../model/lora.ts';

const { config, lora, params, paramBuffer, seed, dtype, gpuMode } = workerData as {
  config: ConstructorParameters<typeof GPT>[0];
  lora: LoraConfig | null;
  params: Array<{ name: string; offset: number; size: number }>;
  paramBuffer: SharedArrayBuffer;
  seed: string;
  dtype: Dtype;
  gpuMode: GpuMode | null;
};

manualSeed(seed); // this thread's dropout stream
setDtype(dtype); // the main thread's storage dtype (mixed precision)
if (gpuMode !== null) {
  // device=gpu: a GPU.js context of this thread's own (gpu.js is loaded only when asked for)
  const { createGpuKernels } = await import('../engine/gpu/index.ts');
  setKernels(createGpuKernels(gpuMode).kernels);
}
const model = new GPT(config);
if (lora !== null) model.applyLora(lora);
const shared = new Float32Array(paramBuffer);
const named = model.allNamedTensors();
for (const { name, offset, size } of params) named.get(name)!.data = shared.subarray(offset, offset + size);

/** A share of a training step: forward + backward of these shards, shard j's gradient into grads[j]. */
interface ItemsMessage {
  items: WorkItem[];
  grads: SharedArrayBuffer[];
  training: boolean;
  lossScale: number;
}

/** A share of the optimizer's step: these updates, on arrays in shared memory; then set our flag and wake the main thread. */
interface UpdatesMessage {
  updates: ParamUpdate[];
  done: SharedArrayBuffer;
  flag: number;
}

function update(msg: UpdatesMessage): void {
  const done = new Int32Array(msg.done);
  let state = 1;
  try {
    updateHere(msg.updates);
  } catch (e) {
    console.error(`worker ${msg.flag + 1}: the optimizer's step failed: ${(e as Error).stack ?? e}`);
    state = 2;
  }
  Atomics.store(done, msg.flag, state);
  Atomics.notify(done, msg.flag);
}

parentPort!.on('message', (msg: ItemsMessage | UpdatesMessage) => {
  if ('updates' in msg) return update(msg);
  try {
    model.training = msg.training;
    const result = shardGradients(model, msg.items, msg.lossScale, msg.grads.map((b) => new Float32Array(b)));
    parentPort!.postMessage(result);
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message });
  }
});
