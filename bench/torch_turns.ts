// #30's ratios against PyTorch, measured in turns: PyTorch's training step, then ours, then PyTorch's
// again, so that both see the same minutes of a host whose speed drifts. On a 2-core VM whose speed
// halved now and then, four runs of run_torch.sh followed by `npm run bench` gave the LM step's ratio as
// 0.48x-1.03x (bench/RESULTS.md): each run said more about its minute than about the code.
//
// Each turn runs ../shared/peers/gpt_torch.py (Debian's python3-torch; see ../shared/peers/README.md) with
// each of its thread settings and keeps the best, as the peers' README asks, then the bench's own row
// (bench/train_step.ts, 2 threads, the same model, batch and AdamW). The ratio is ours / PyTorch's
// tokens per second, per turn; the median and quartiles over the turns are the result.
//
//   node --single-threaded-gc --import tsx bench/torch_turns.ts [--step=lm|ref] [--turns=6] [--peers=../shared/peers]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import '../scripts/node_flags.ts';
import { REFERENCE, WALKTHROUGH, trainStepRow } from './train_step.ts';
import type { StepModel } from './train_step.ts';

const PYTHON = '/usr/bin/python3'; // the apt packages are not visible to another python on PATH (run_torch.sh)
const THREAD_SETTINGS = [['1', '2'], ['2', '1']]; // torch threads, OpenBLAS threads: run_torch.sh's best rows

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const step = arg('step', 'lm');
const turns = Number(arg('turns', '6'));
const peers = resolve(arg('peers', '../shared/peers'));
if (!['lm', 'ref'].includes(step) || !(Number.isInteger(turns) && turns >= 1)) {
  throw new Error('usage: node --single-threaded-gc --import tsx bench/torch_turns.ts [--step=lm|ref] [--turns=6] [--peers=../shared/peers]');
}
const [ours, peerConfig]: [StepModel, string] = step === 'lm' ? [WALKTHROUGH, 'gpt_config_walkthrough.json'] : [REFERENCE, 'gpt_config.json'];
checkPeers(ours, join(peers, peerConfig));

/** Both sides must train the same model on the same batch, and PyTorch must be there, before any timing starts. */
function checkPeers(cfg: StepModel, file: string): void {
  if (!existsSync(file)) throw new Error(`torch_turns: ${file} not found (--peers=DIR names the folder with gpt_torch.py)`);
  const peer = JSON.parse(readFileSync(file, 'utf8'));
  const pairs: Array<[string, unknown, unknown]> = [['vocab_size', cfg.vocab_size, peer.vocab_size], ['block_size', cfg.block_size, peer.block_size],
    ['n_layer', cfg.n_layer, peer.n_layer], ['n_head', cfg.n_head, peer.n_head], ['n_embd', cfg.n_embd, peer.n_embd], ['batch', cfg.batch, peer.batch_size]];
  for (const [name, a, b] of pairs) if (a !== b) throw new Error(`torch_turns: ${name} is ${a} here and ${b} in ${file}`);
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`torch_turns: ${PYTHON} cannot import torch; install it as ${join(peers, 'run_torch.sh')} says`);
}

/** PyTorch's best tokens/s over its thread settings, one run each. */
function torchTokensPerSecond(): number {
  let best = 0;
  for (const threads of THREAD_SETTINGS) {
    const r = spawnSync(PYTHON, [join(peers, 'gpt_torch.py'), ...threads], { cwd: peers, encoding: 'utf8', env: { ...process.env, GPT_CONFIG: peerConfig } });
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    if (r.status !== 0 || line === undefined) throw new Error(`torch_turns: gpt_torch.py ${threads.join(' ')} failed: ${r.stderr.slice(-500)}`);
    best = Math.max(best, JSON.parse(line).tokens_per_s);
  }
  return best;
}

const rows: Array<{ torch: number; ours: number }> = [];
for (let turn = 0; turn < turns; turn++) {
  const torch = torchTokensPerSecond();
  // 10 timed steps after 10 untimed ones, as `npm run bench` times its rows (V8's JIT warms up)
  const row = await trainStepRow(step, ours, 2, 10, 'float32', 10);
  rows.push({ torch, ours: row.tokens_per_s });
  console.log(`turn ${turn + 1}/${turns}: PyTorch ${torch.toFixed(0)} tok/s, ours (2 threads) ${row.tokens_per_s.toFixed(0)} tok/s, ratio ${(row.tokens_per_s / torch).toFixed(3)}`);
}
const ratios = rows.map((r) => r.ours / r.torch).sort((a, b) => a - b);
const at = (q: number) => ratios[Math.min(ratios.length - 1, Math.floor(q * ratios.length))];
console.log(`${step === 'lm' ? 'walkthrough LM step' : 'reference step'}: ours / PyTorch's best, median ${at(0.5).toFixed(3)}, quartiles ${at(0.25).toFixed(3)}-${at(0.75).toFixed(3)} over ${turns} turns`);
process.exit(0); // the workers would keep the process alive
