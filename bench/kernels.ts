// Kernel benchmarks with tinybench: median time per call, GFLOP/s (compute-bound kernels) or
// GB/s (memory-bound ones), and the speedup over the naive reference kernel of bench/naive.ts.
import { Bench } from 'tinybench';
import { matmul as matmulTs } from '../engine/cpu/matmul.ts';
import { matmulSimd, matmulSimdNoFma, simdKernel } from '../engine/cpu/matmul_simd.ts';
import { cpuKernels } from '../engine/cpu/index.ts';
import { expInPlace } from '../engine/cpu/exp_simd.ts';
import * as plainGelu from '../engine/cpu/gelu.ts';
import * as plainLayerNorm from '../engine/cpu/layernorm.ts';
import { crossEntropyForwardPlain } from '../engine/cpu/crossentropy.ts';
import { sumRowsPlain } from '../engine/cpu/elementwise_simd.ts';
import { Optimizer, Tensor } from '../engine/index.ts';
import { makeRng } from '../engine/random.ts';
import { gramNewtonSchulz, gramNewtonSchulzMultiplyAdds, newtonSchulz, newtonSchulzMultiplyAdds, orthogonaliseMultiplyAdds } from '../engine/muon.ts';
import { matmulNaive, attentionForwardNaive } from './naive.ts';

export interface BenchRow {
  suite: string;
  name: string;
  backend: string;
  shape: string;
  median_ms: number;
  gflops?: number;
  gbps?: number;
  speedup_vs_naive?: number;
}

const rng = makeRng('bench');
const random = (n: number) => new Float32Array(n).map(() => rng() * 2 - 1);

/** Median ms per call. `slow` gives kernels that take many ms per call (GPU.js here) a smaller budget. */
export async function median(fn: () => void, quick: boolean, slow = false): Promise<number> {
  const bench = slow
    ? new Bench({ time: quick ? 20 : 300, iterations: quick ? 1 : 3, warmupTime: 0, warmupIterations: 1 })
    : new Bench({ time: quick ? 40 : 400, iterations: quick ? 2 : 5, warmupTime: quick ? 10 : 100, warmupIterations: 1 });
  bench.add('x', fn);
  await bench.run();
  const r = bench.tasks[0].result as { latency?: { p50: number } };
  if (r.latency === undefined) throw new Error('bench: task did not complete');
  return r.latency.p50;
}

export async function matmulRows(quick: boolean): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const shapes: Array<[string, number, number, number]> = (quick ? [64, 256] : [64, 128, 256, 512, 1024]).map((n) => [`square`, n, n, n]);
  // GPT shapes: (B*T) x C @ C x 4C for the walkthrough / reference model (B*T = 8*128, C = 128)
  shapes.push(['mlp c_fc (B*T x C @ C x 4C)', 1024, 512, 128], ['lm_head (B*T x C @ C x V)', 1024, 512, 128]);
  if (!quick) shapes.push(['GPT-2 small c_fc', 1024, 3072, 768]);
  for (const [name, M, N, K] of shapes) {
    const a = random(M * K);
    const b = random(K * N);
    const out = new Float32Array(M * N);
    const flops = 2 * M * N * K;
    const naiveMs = M * N * K <= 512 ** 3 ? await median(() => matmulNaive(a, b, out, M, N, K), quick) : NaN;
    // cpu-wasm-simd: multiply then add; cpu-wasm-fma: relaxed SIMD's fused multiply-add (what training runs, where the runtime has it)
    const kernels = [['cpu-ts', matmulTs], ['cpu-wasm-simd', matmulSimdNoFma], ...(simdKernel === 'wasm-simd-fma' ? [['cpu-wasm-fma', matmulSimd] as const] : [])] as const;
    for (const [backend, fn] of kernels) {
      for (const [variant, opts] of [['A@B', {}], ['A@B^T (forward, dX)', { transB: true }], ['A^T@B (dW)', { transA: true }]] as const) {
        if (quick && variant !== 'A@B' && name === 'square') continue;
        const ms = await median(() => fn(a, b, out, M, N, K, opts), quick);
        rows.push({ suite: 'matmul', name: `${name} ${variant}`, backend, shape: `${M}x${K} @ ${K}x${N}`, median_ms: ms, gflops: flops / ms / 1e6, speedup_vs_naive: naiveMs / ms });
      }
    }
    if (Number.isFinite(naiveMs)) rows.push({ suite: 'matmul', name: `${name} A@B`, backend: 'naive i-k-j', shape: `${M}x${K} @ ${K}x${N}`, median_ms: naiveMs, gflops: flops / naiveMs / 1e6, speedup_vs_naive: 1 });
  }
  return rows;
}

export async function attentionRows(quick: boolean): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [B, H, T, D] of quick ? [[2, 4, 64, 32]] : [[8, 4, 128, 32], [16, 4, 96, 32], [4, 12, 256, 64]]) {
    const n = B * H * T * D;
    const [q, k, v, dout] = [random(n), random(n), random(n), random(n)];
    const out = new Float32Array(n);
    const probs = new Float32Array(B * H * T * T);
    const shape = `B${B} H${H} T${T} D${D}`;
    const naive = await median(() => attentionForwardNaive(q, k, v, out, B * H, T, D), quick);
    const fwd = await median(() => cpuKernels.attentionForward(q, k, v, out, probs, B * H, T, T, D, T), quick);
    const [dq, dk, dv] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    const bwd = await median(() => cpuKernels.attentionBackward(dout, q, k, v, probs, dq, dk, dv, B * H, T, T, D), quick);
    // FLOPs the kernels perform: forward 2 products of T x T x D, backward 4
    const f = 2 * B * H * T * T * D;
    rows.push({ suite: 'attention', name: 'causal attention forward', backend: 'cpu', shape, median_ms: fwd, gflops: (2 * f) / fwd / 1e6, speedup_vs_naive: naive / fwd });
    rows.push({ suite: 'attention', name: 'causal attention backward', backend: 'cpu', shape, median_ms: bwd, gflops: (4 * f) / bwd / 1e6 });
    rows.push({ suite: 'attention', name: 'causal attention forward', backend: 'naive loops', shape, median_ms: naive, gflops: f / naive / 1e6, speedup_vs_naive: 1 });
  }
  return rows;
}

export async function memoryBoundRows(quick: boolean): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const [R, C] = quick ? [256, 128] : [1024, 768];
  const x = random(R * C);
  const w = random(C);
  const b = random(C);
  const out = new Float32Array(R * C);
  const [mean, rstd] = [new Float32Array(R), new Float32Array(R)];
  // each element-wise kernel as training runs it (cpu-wasm-simd, engine/cpu/elementwise_simd.ts) and
  // its TypeScript reference (cpu-ts, gelu.ts / layernorm.ts / crossentropy.ts), same inputs
  const [dx, dw, db] = [new Float32Array(R * C), new Float32Array(C), new Float32Array(C)];
  for (const [backend, ln] of [['cpu-ts', plainLayerNorm], ['cpu-wasm-simd', cpuKernels]] as const) {
    const fwd = await median(() => ln.layerNormForward(x, w, b, out, mean, rstd, R, C, 1e-5), quick);
    const bwd = await median(() => ln.layerNormBackward(out, x, w, mean, rstd, dx, dw, db, R, C), quick);
    rows.push({ suite: 'layerNorm', name: 'layerNorm forward', backend, shape: `${R}x${C}`, median_ms: fwd, gbps: (2 * R * C * 4) / fwd / 1e6 });
    rows.push({ suite: 'layerNorm', name: 'layerNorm backward', backend, shape: `${R}x${C}`, median_ms: bwd, gbps: (3 * R * C * 4) / bwd / 1e6 });
  }
  const tanhU = new Float32Array(R * C);
  for (const [backend, gelu] of [['cpu-ts', plainGelu], ['cpu-wasm-simd', cpuKernels]] as const) {
    const fwd = await median(() => gelu.geluForward(x, out, tanhU, R * C), quick);
    const bwd = await median(() => gelu.geluBackward(x, x, tanhU, dx, R * C), quick);
    rows.push({ suite: 'GELU', name: 'GELU forward', backend, shape: `${R * C}`, median_ms: fwd, gbps: (3 * R * C * 4) / fwd / 1e6 });
    rows.push({ suite: 'GELU', name: 'GELU backward', backend, shape: `${R * C}`, median_ms: bwd, gbps: (4 * R * C * 4) / bwd / 1e6 });
  }
  // a Linear's bias gradient: the sum over rows of dY
  for (const [backend, sumRows] of [['cpu-ts', sumRowsPlain], ['cpu-wasm-simd', cpuKernels.sumRows]] as const) {
    const ms = await median(() => sumRows(x, R, C, db), quick);
    rows.push({ suite: 'bias gradient', name: 'sum over rows', backend, shape: `${R}x${C}`, median_ms: ms, gbps: (R * C * 4) / ms / 1e6 });
  }

  // exp over an array (the softmax of the loss, GELU): Math.exp one at a time, and the SIMD kernel
  const E = quick ? 100_000 : 1_000_000;
  const ex = new Float32Array(E).map(() => rng() * 20 - 10);
  const ey = new Float32Array(E);
  const mathExp = await median(() => { for (let i = 0; i < E; i++) ey[i] = Math.exp(ex[i]); }, quick);
  const simdExp = await median(() => { ey.set(ex); expInPlace(ey); }, quick);
  rows.push({ suite: 'exp', name: 'exp of an array', backend: 'Math.exp', shape: `${E}`, median_ms: mathExp, gbps: (2 * E * 4) / mathExp / 1e6 });
  rows.push({ suite: 'exp', name: 'exp of an array', backend: 'cpu-wasm-simd', shape: `${E}`, median_ms: simdExp, gbps: (2 * E * 4) / simdExp / 1e6 });

  const [N, V] = quick ? [256, 512] : [1024, 768];
  const logits = random(N * V);
  const targets = new Int32Array(N).map((_, i) => (i * 7) % V);
  const [probs, dlogits] = [new Float32Array(N * V), new Float32Array(N * V)];
  // the training path: the forward keeps the softmax, the backward reads it
  const cePlain = await median(() => crossEntropyForwardPlain(logits, targets, N, V, probs), quick);
  const ceF = await median(() => cpuKernels.crossEntropyForward(logits, targets, N, V, probs), quick);
  const ceB = await median(() => cpuKernels.crossEntropyBackward(probs, targets, dlogits, N, V, 1 / N), quick);
  rows.push({ suite: 'softmax + cross-entropy', name: 'cross-entropy forward', backend: 'cpu-ts', shape: `${N}x${V}`, median_ms: cePlain, gbps: (2 * N * V * 4) / cePlain / 1e6 });
  rows.push({ suite: 'softmax + cross-entropy', name: 'cross-entropy forward', backend: 'cpu-wasm-simd', shape: `${N}x${V}`, median_ms: ceF, gbps: (2 * N * V * 4) / ceF / 1e6 });
  rows.push({ suite: 'softmax + cross-entropy', name: 'cross-entropy backward', backend: 'cpu-wasm-simd', shape: `${N}x${V}`, median_ms: ceB, gbps: (2 * N * V * 4) / ceB / 1e6 });

  const P = quick ? 100_000 : 1_000_000;
  const [p, g, m, v] = [random(P), random(P), new Float32Array(P), new Float32Array(P)];
  const adam = await median(() => cpuKernels.adamwStep(p, g, m, v, { lr: 1e-3, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1, step: 10 }), quick);
  rows.push({ suite: 'AdamW', name: 'AdamW step', backend: 'cpu', shape: `${P} params`, median_ms: adam, gbps: (7 * P * 4) / adam / 1e6 });

  // Muon on one MLP matrix of the walkthrough's model (96 x 384), as the optimizer steps it
  // (engine/optim.ts): momentum, the orthogonalisation, the update; the model has 16 such matrices,
  // 12 of them long. The orthogonalisation's two forms alone: Newton-Schulz's 5 iterations (each
  // X X^T, A^2 and A X) and the Gram form's (engine/muon.ts), each counted by its own multiply-adds
  const [Rm, Cm] = [384, 96];
  const matrix = new Tensor(random(Rm * Cm), [Rm, Cm], true);
  matrix.grad = random(Rm * Cm);
  const muonOptimizer = new Optimizer([{ params: [matrix], weightDecay: 0.1, muon: true }], { lr: 1e-3 });
  const muon = await median(() => muonOptimizer.step(), quick);
  rows.push({ suite: 'Muon', name: 'Muon step (momentum, orthogonalise, update)', backend: 'cpu', shape: `${Rm}x${Cm}`, median_ms: muon, gflops: (2 * orthogonaliseMultiplyAdds(Rm, Cm)) / muon / 1e6 });
  const [u, o] = [random(Rm * Cm), new Float32Array(Rm * Cm)];
  const plainNs = await median(() => newtonSchulz(u, Rm, Cm, o), quick);
  const gramNs = await median(() => gramNewtonSchulz(u, Rm, Cm, o), quick);
  rows.push({ suite: 'Muon', name: 'Newton-Schulz (5 iterations)', backend: 'cpu', shape: `${Rm}x${Cm}`, median_ms: plainNs, gflops: (2 * newtonSchulzMultiplyAdds(Rm, Cm)) / plainNs / 1e6 });
  rows.push({ suite: 'Muon', name: 'Gram Newton-Schulz (the same, on the Gram matrix)', backend: 'cpu', shape: `${Rm}x${Cm}`, median_ms: gramNs, gflops: (2 * gramNewtonSchulzMultiplyAdds(Rm, Cm)) / gramNs / 1e6 });
  return rows;
}
