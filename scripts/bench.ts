// npm run bench [-- --quick] [--suites=matmul,attention,memory,gpu,train,precision,decode]
// GPU.js's headlessgl mode needs a GL context: on a machine without a display, run it under
// xvfb-run -a -s "-screen 0 1x1x24" npm run bench. Without one, the gpu suite runs the WebAssembly mode.
// Prints markdown tables and writes bench/results/<date>-<host>.json.
import './node_flags.ts'; // first: lets the engine use WebAssembly's FMA on Node 20
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs, runMain } from './cli.ts';
import { matmulRows, attentionRows, memoryBoundRows } from '../bench/kernels.ts';
import type { BenchRow } from '../bench/kernels.ts';
import { trainStepRow, decodeRow, REFERENCE, WALKTHROUGH, WALKTHROUGH_FINETUNE } from '../bench/train_step.ts';
import type { StepRow } from '../bench/train_step.ts';
import { estimateCpuPeakFlops } from '../train/peakflops.ts';

const defaults = { quick: false, suites: 'matmul,attention,memory,gpu,train,precision,decode', out_dir: 'bench/results', workers: 2 };

function fmt(x: number | undefined, digits = 2): string {
  return x === undefined || !Number.isFinite(x) ? '' : x.toFixed(digits);
}

runMain(async () => {
  const cfg = parseArgs(defaults);
  const suites = new Set(cfg.suites.split(','));
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}`;
  console.log(`# npm run bench${cfg.quick ? ' -- --quick' : ''}\n\nmachine: ${machine}\npeak estimate: ${estimateCpuPeakFlops().description}\n`);
  const kernelRows: BenchRow[] = [];
  if (suites.has('matmul')) kernelRows.push(...(await matmulRows(cfg.quick)));
  if (suites.has('attention')) kernelRows.push(...(await attentionRows(cfg.quick)));
  if (suites.has('memory')) kernelRows.push(...(await memoryBoundRows(cfg.quick)));
  if (kernelRows.length > 0) {
    console.log('| suite | kernel | backend | shape | median ms | GFLOP/s | GB/s | x naive |\n|---|---|---|---|---:|---:|---:|---:|');
    for (const r of kernelRows) console.log(`| ${r.suite} | ${r.name} | ${r.backend} | ${r.shape} | ${fmt(r.median_ms, 3)} | ${fmt(r.gflops)} | ${fmt(r.gbps)} | ${fmt(r.speedup_vs_naive, 1)} |`);
  }
  const stepRows: StepRow[] = [];
  if (suites.has('train')) {
    // the full bench times 10 steps after 10 untimed ones (bench/train_step.ts: the JIT's warm-up)
    const [steps, warmup] = cfg.quick ? [1, 1] : [10, 10];
    for (const [name, model] of [['reference', REFERENCE], ['walkthrough', WALKTHROUGH], ['walkthrough fine-tune', WALKTHROUGH_FINETUNE]] as const) {
      if (cfg.quick && name !== 'reference') continue;
      for (const w of cfg.quick ? [1] : [1, cfg.workers]) stepRows.push(await trainStepRow(name, model, w, steps, 'float32', warmup));
    }
  }
  if (suites.has('precision')) {
    // mixed precision: what a step keeps for backward, and what the 16-bit rounding costs on a CPU
    const model = cfg.quick ? REFERENCE : WALKTHROUGH;
    for (const dtype of ['float32', 'float16', 'bfloat16'] as const) stepRows.push(await trainStepRow(cfg.quick ? 'reference' : 'walkthrough', model, 1, cfg.quick ? 1 : 3, dtype));
  }
  if (stepRows.length > 0) {
    console.log('\n| training step | model | threads | dtype | tokens/s | ms/step | MFU | saved for backward |\n|---|---|---:|---|---:|---:|---:|---:|');
    for (const r of stepRows) {
      console.log(`| ${r.name} | ${r.config} | ${r.workers} | ${r.dtype} | ${r.tokens_per_s.toFixed(0)} | ${r.ms_per_step.toFixed(0)} | ${r.mfu_percent.toFixed(2)}% | ${(r.saved_bytes / 2 ** 20).toFixed(1)} MiB |`);
    }
  }
  let decode: ReturnType<typeof decodeRow> | null = null;
  if (suites.has('decode')) {
    decode = cfg.quick ? decodeRow(WALKTHROUGH, 4, 40, 8) : decodeRow(WALKTHROUGH, 32, 60, 30);
    console.log(`\ngreedy decoding with the KV cache (walkthrough model, ${decode.config}): ${decode.tokens_per_s.toFixed(0)} tokens/s`);
  }
  // last, and loaded only here: importing gpu.js slows this process's CPU kernels by ~10% (measured)
  if (suites.has('gpu')) {
    const { gpuRows } = await import('../bench/gpu.ts');
    const rows = await gpuRows(cfg.quick);
    console.log('\n| suite | kernel | backend | shape | median ms | GFLOP/s | GB/s |\n|---|---|---|---|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.suite} | ${r.name} | ${r.backend} | ${r.shape} | ${fmt(r.median_ms, 3)} | ${fmt(r.gflops)} | ${fmt(r.gbps)} |`);
    kernelRows.push(...rows);
  }
  mkdirSync(cfg.out_dir, { recursive: true });
  const file = join(cfg.out_dir, `${new Date().toISOString().slice(0, 10)}-${hostname()}${cfg.quick ? '-quick' : ''}.json`);
  writeFileSync(file, JSON.stringify({ machine, node: process.version, date: new Date().toISOString(), quick: cfg.quick, rows: kernelRows, train_steps: stepRows, decode }, null, 1));
  console.log(`\nwrote ${file}`);
});
