import { openGpu } from './engine/gpu/device.ts';
import { makeMatmul } from './engine/gpu/matmul.ts';
import { cpuKernels } from './engine/cpu/index.ts';
const matmulNaive = cpuKernels.matmul;
for (const m of ['headlessgl', 'webasm', 'cpu'] as const) {
  const dev = openGpu(m);
  const mm = makeMatmul(dev.gpu);
  let worst = 0;
  for (const [M, N, K] of [[37, 24, 19], [5, 7, 3], [64, 130, 33]]) {
    for (const tA of [false, true]) for (const tB of [false, true]) for (const acc of [false, true]) {
      const a = Float32Array.from({ length: M * K }, () => Math.random() - 0.5);
      const b = Float32Array.from({ length: K * N }, () => Math.random() - 0.5);
      const init = Float32Array.from({ length: M * N }, () => Math.random() - 0.5);
      const o1 = acc ? new Float32Array(init) : new Float32Array(M * N);
      const o2 = acc ? new Float32Array(init) : new Float32Array(M * N);
      const t0 = performance.now();
      mm(a, b, o1, M, N, K, { transA: tA, transB: tB, accumulate: acc });
      matmulNaive(a, b, o2, M, N, K, { transA: tA, transB: tB, accumulate: acc });
      for (let i = 0; i < o1.length; i++) worst = Math.max(worst, Math.abs(o1[i] - o2[i]) / Math.max(1e-3, Math.abs(o2[i])));
    }
  }
  console.log(dev.mode, dev.note, 'worst rel', worst);
}
process.exit(0);
