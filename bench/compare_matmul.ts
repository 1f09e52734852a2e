// Which of two checkouts' SIMD matmul (engine/cpu/matmul_simd.ts) is faster on a shape, and do they give
// the same bits? Both are imported by path into one process and run in turns, A then B, 30 times per
// shape: on a VM whose speed drifts, turns see the same minutes where two runs would not.
//
//   node --import tsx bench/compare_matmul.ts ../other-checkout .                      (the shapes below)
//   node --import tsx bench/compare_matmul.ts ../other-checkout . 1024x2048x96:tB 512x512x512
import { resolve } from 'node:path';
import '../scripts/node_flags.ts';
import type { MatmulOptions } from '../engine/kernels.ts';

/** M x N x K, and :tA / :tB for the transposed forms (the weight gradient and the forward of a Linear) */
const DEFAULT_SHAPES = ['1024x2048x96:tB', '1024x96x2048', '1024x96x384', '1024x384x96', '512x512x512'];
const TURNS = 30;

function parseShape(s: string): { M: number; N: number; K: number; opts: MatmulOptions } {
  const m = /^(\d+)x(\d+)x(\d+)(:tA|:tB)?$/.exec(s);
  if (m === null) throw new Error(`compare_matmul: shape '${s}' is not MxNxK, MxNxK:tA or MxNxK:tB`);
  return { M: Number(m[1]), N: Number(m[2]), K: Number(m[3]), opts: { transA: m[4] === ':tA', transB: m[4] === ':tB' } };
}

const args = process.argv.slice(2);
if (args.length < 2) throw new Error('usage: node --import tsx bench/compare_matmul.ts CHECKOUT_A CHECKOUT_B [MxNxK[:tA|:tB] ...]');
const [a, b] = [resolve(args[0]), resolve(args[1])];
const shapes = (args.length > 2 ? args.slice(2) : DEFAULT_SHAPES).map(parseShape); // every shape checked before any timing
const kernelA = (await import(`${a}/engine/cpu/matmul_simd.ts`)).matmulSimd;
const kernelB = (await import(`${b}/engine/cpu/matmul_simd.ts`)).matmulSimd;

console.log(`| M x N x K | A: ${a} (ms) | B: ${b} (ms) | B / A, median (quartiles) | same bits |`);
console.log('|---|---:|---:|---:|---|');
for (const { M, N, K, opts } of shapes) {
  const x = new Float32Array(M * K).map(() => Math.random() - 0.5);
  const y = new Float32Array(K * N).map(() => Math.random() - 0.5);
  const [outA, outB] = [new Float32Array(M * N), new Float32Array(M * N)];
  const [msA, msB]: [number[], number[]] = [[], []];
  for (let turn = 0; turn < TURNS; turn++) {
    let t0 = performance.now();
    kernelA(x, y, outA, M, N, K, opts);
    msA.push(performance.now() - t0);
    t0 = performance.now();
    kernelB(x, y, outB, M, N, K, opts);
    msB.push(performance.now() - t0);
  }
  const ratios = msB.map((ms, i) => ms / msA[i]).sort((p, q) => p - q);
  const median = (v: number[]) => v.slice().sort((p, q) => p - q)[v.length >> 1];
  const same = outA.every((v, i) => Object.is(v, outB[i]));
  const form = opts.transA ? ' (A^T)' : opts.transB ? ' (B^T)' : '';
  console.log(`| ${M} x ${N} x ${K}${form} | ${median(msA).toFixed(2)} | ${median(msB).toFixed(2)} | ${ratios[TURNS >> 1].toFixed(3)} (${ratios[TURNS >> 2].toFixed(3)}-${ratios[(3 * TURNS) >> 2].toFixed(3)}) | ${same ? 'yes' : 'no'} |`);
}
