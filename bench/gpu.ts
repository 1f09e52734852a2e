// GPU.js kernels beside their CPU twins, in every GPU.js mode that opens here (headlessgl needs a
// GL context: run the bench under xvfb-run on a machine without a display). Each GPU.js time
// includes uploading the inputs and reading the result back, as the engine uses them.
import { GPU } from 'gpu.js';
import { createGpuKernels, openGpu } from '../engine/gpu/index.ts';
import { makeKernel, runKernel } from '../engine/gpu/device.ts';
import { cpuKernels } from '../engine/cpu/index.ts';
import { makeRng } from '../engine/random.ts';
import type { Kernels } from '../engine/kernels.ts';
import { median as medianOf } from './kernels.ts';
import type { BenchRow } from './kernels.ts';

const rng = makeRng('bench-gpu');
const random = (n: number) => new Float32Array(n).map(() => rng() * 2 - 1);

const median = (fn: () => void, quick: boolean) => medianOf(fn, quick, true);

/** The GPU.js modes that work here, fastest first. */
export function gpuModes(): Array<'headlessgl' | 'webasm'> {
  const modes: Array<'headlessgl' | 'webasm'> = [];
  if (GPU.isHeadlessGLSupported) modes.push('headlessgl');
  if (GPU.isWebAssemblySupported) modes.push('webasm');
  return modes;
}

export async function gpuRows(quick: boolean): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const backends: Array<[string, Kernels]> = [['cpu', cpuKernels], ...gpuModes().map((m) => [`gpu.js ${m}`, createGpuKernels(m).kernels] as [string, Kernels])];
  const [M, N, K] = quick ? [128, 256, 64] : [1024, 512, 128];
  const [a, b, c] = [random(M * K), random(K * N), new Float32Array(M * N)];
  const [B, H, T, D] = quick ? [2, 4, 32, 16] : [8, 4, 128, 32];
  const n = B * H * T * D;
  const [q, k, v, dout] = [random(n), random(n), random(n), random(n)];
  const [out, probs, dq, dk, dv] = [new Float32Array(n), new Float32Array(B * H * T * T), new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  const [R, C] = quick ? [256, 128] : [1024, 128];
  const [x, w, bias, y, mean, rstd, dx, dw, db] = [random(R * C), random(C), random(C), new Float32Array(R * C), new Float32Array(R), new Float32Array(R), new Float32Array(R * C), new Float32Array(C), new Float32Array(C)];
  const G = quick ? 100_000 : 1_000_000;
  const grads = random(G);
  for (const [backend, kern] of backends) {
    const mm = await median(() => kern.matmul(a, b, c, M, N, K), quick);
    rows.push({ suite: 'gpu vs cpu', name: 'matmul A@B', backend, shape: `${M}x${K} @ ${K}x${N}`, median_ms: mm, gflops: (2 * M * N * K) / mm / 1e6 });
    const af = await median(() => kern.attentionForward(q, k, v, out, probs, B * H, T, T, D, T), quick);
    const ab = await median(() => kern.attentionBackward(dout, q, k, v, probs, dq, dk, dv, B * H, T, T, D), quick);
    const f = 2 * B * H * T * T * D;
    rows.push({ suite: 'gpu vs cpu', name: 'causal attention forward', backend, shape: `B${B} H${H} T${T} D${D}`, median_ms: af, gflops: (2 * f) / af / 1e6 });
    rows.push({ suite: 'gpu vs cpu', name: 'causal attention backward', backend, shape: `B${B} H${H} T${T} D${D}`, median_ms: ab, gflops: (4 * f) / ab / 1e6 });
    const lf = await median(() => kern.layerNormForward(x, w, bias, y, mean, rstd, R, C, 1e-5), quick);
    const lb = await median(() => kern.layerNormBackward(y, x, w, mean, rstd, dx, dw, db, R, C), quick);
    rows.push({ suite: 'gpu vs cpu', name: 'layerNorm forward', backend, shape: `${R}x${C}`, median_ms: lf, gbps: (2 * R * C * 4) / lf / 1e6 });
    rows.push({ suite: 'gpu vs cpu', name: 'layerNorm backward', backend, shape: `${R}x${C}`, median_ms: lb, gbps: (3 * R * C * 4) / lb / 1e6 });
    const us = await median(() => kern.unscaleGradients(grads, 1), quick);
    rows.push({ suite: 'gpu vs cpu', name: 'unscale + finite check', backend, shape: `${G} values`, median_ms: us, gbps: (2 * G * 4) / us / 1e6 });
  }
  // Does AdamW pay on GPU.js? Its floor is moving its arrays: a kernel that only reads p, g, m, v
  // and writes one array back, against the whole CPU update.
  const [p, g, m, vv] = [random(G), random(G), random(G), random(G).map(Math.abs)];
  const cpuAdam = await median(() => cpuKernels.adamwStep(p, g, m, vv, { lr: 1e-3, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1, step: 10 }), quick);
  rows.push({ suite: 'AdamW on gpu?', name: 'AdamW step (whole update)', backend: 'cpu', shape: `${G} params`, median_ms: cpuAdam, gbps: (7 * G * 4) / cpuAdam / 1e6 });
  for (const mode of gpuModes()) {
    const { gpu } = openGpu(mode);
    const floor = makeKernel(gpu, function (this: { thread: { x: number } }, p4: number[], g4: number[], m4: number[], v4: number[]) {
      const i = this.thread.x;
      return p4[i] + g4[i] + m4[i] + v4[i];
    });
    const ms = await median(() => runKernel(floor, G, p, g, m, vv), quick);
    rows.push({ suite: 'AdamW on gpu?', name: 'transfer floor: read 4 arrays, write 1', backend: `gpu.js ${mode}`, shape: `${G} params`, median_ms: ms, gbps: (5 * G * 4) / ms / 1e6 });
  }
  return rows;
}
