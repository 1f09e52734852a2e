// Which of two checkouts trains faster? One step of the walkthrough's fine-tuning (the trainer's
// own trainStep: forward + backward of the 4 shards, clip, Muon + AdamW) on generated
// batches, one thread (or --workers=N, as the trainer runs them), measured in turns: A five steps, B five steps, forty times
// (--turns=N for another count). This VM's
// speed drifts by 15% or more within minutes, so two runs one after the other can disagree by
// more than a change is worth; turns inside one process see the same drift. Each tree is
// imported by its own path, so the two engines live side by side. Each tree trains on batches of
// its own generator, as its walkthrough does. --step=lm (or ref) times the bench's language-model
// step instead: the walkthrough's model (or the reference model) with AdamW on full batches of
// arbitrary tokens, bench/train_step.ts's "lm" (or "reference") row, which #30 compares with PyTorch.
//
//   node --single-threaded-gc --import tsx bench/compare_trees.ts /path/to/checkout-a /path/to/checkout-b   (1 thread)
//   node --import tsx bench/compare_trees.ts --workers=2 A B   (each tree with its own worker; an idle tree's worker waits, using no CPU)
//   node --single-threaded-gc --import tsx bench/compare_trees.ts --step=lm A B
import { resolve } from 'node:path';
import '../scripts/node_flags.ts';
import { randomBatch } from './train_step.ts';

interface Contender {
  root: string;
  step: () => Promise<unknown>;
  ms: number[];
}

type StepKind = 'finetune' | 'lm' | 'ref';
const STEP_KINDS: StepKind[] = ['finetune', 'lm', 'ref'];

async function contender(root: string, workers: number, kind: StepKind): Promise<Contender> {
  if (kind !== 'finetune') return lmContender(root, workers, kind);
  const { GPT } = await import(`${root}/model/gpt.ts`);
  const { manualSeed, GradScaler } = await import(`${root}/engine/index.ts`);
  const { generateRecords } = await import(`${root}/data/generator.ts`);
  const { FcDataset } = await import(`${root}/data/dataset.ts`);
  const { makeRng } = await import(`${root}/engine/random.ts`);
  // trees before the walkthrough's config and data left train/fc_pipeline.ts (7923fd1, where
  // issue #30 was filed) kept both there
  const { defaultFinetuneConfig: ft } = await import(`${root}/train/stage_config.ts`).catch(() => import(`${root}/train/fc_pipeline.ts`));
  const { trainFcTokenizer } = await import(`${root}/train/fc_data.ts`).catch(() => import(`${root}/train/fc_pipeline.ts`));
  const { trainStep } = await import(`${root}/train/step.ts`);
  const { DataParallel } = await import(`${root}/train/parallel.ts`);
  manualSeed(0);
  const model = new GPT({ vocab_size: ft.vocab_size, block_size: ft.block_size, n_layer: ft.n_layer, n_head: ft.n_head, n_embd: ft.n_embd, dropout: 0, bias: ft.bias });
  const opt = model.configureOptimizers(ft.weight_decay, ft.learning_rate, [ft.beta1, ft.beta2], ft.optimizer);
  const scaler = new GradScaler({ enabled: false });
  const parallel = workers > 1 ? new DataParallel(model, workers, 0) : null;
  if (parallel !== null) {
    // as the trainer does: the optimizer's updates shared out, or in older trees its Newton-Schulz
    // (through a method, or before that a field)
    if (typeof opt.shareUpdates === 'function') opt.shareUpdates(parallel.runUpdates);
    else if (typeof opt.shareOrthogonalisation === 'function') opt.shareOrthogonalisation(parallel.orthogonalise);
    else opt.orthogonalise = parallel.orthogonalise;
  }
  const records = generateRecords(2000, 'bench');
  const data = new FcDataset(trainFcTokenizer(records, ft.vocab_size), records, records.slice(0, 10), ft.block_size);
  const batches = Array.from({ length: 20 }, (_, s) => data.getBatch('train', ft.batch_size, makeRng(`bench/${s}`)));
  let i = 0;
  const step = () => trainStep(model, opt, scaler, [batches[i++ % batches.length]], ft.grad_clip, parallel);
  return { root, step, ms: [] };
}

/**
 * The bench's language-model step of one tree: its model config, AdamW, full batches of arbitrary
 * tokens. The batches are this checkout's randomBatch: plain arrays, the same for every tree.
 */
async function lmContender(root: string, workers: number, kind: StepKind): Promise<Contender> {
  const { GPT } = await import(`${root}/model/gpt.ts`);
  const { manualSeed, GradScaler } = await import(`${root}/engine/index.ts`);
  const { trainStep } = await import(`${root}/train/step.ts`);
  const { DataParallel } = await import(`${root}/train/parallel.ts`);
  const { REFERENCE, WALKTHROUGH } = await import(`${root}/bench/train_step.ts`);
  const cfg = kind === 'lm' ? WALKTHROUGH : REFERENCE;
  manualSeed(0);
  const model = new GPT(cfg);
  const opt = model.configureOptimizers(0.1, 1e-3, [0.9, 0.99], 'adamw');
  const scaler = new GradScaler({ enabled: false });
  const parallel = workers > 1 ? new DataParallel(model, workers, 0) : null;
  if (parallel !== null) opt.shareUpdates(parallel.runUpdates);
  let i = 0;
  const step = () => trainStep(model, opt, scaler, [randomBatch(cfg, cfg.batch, i++ % 20)], 1, parallel);
  return { root, step, ms: [] };
}

const args = process.argv.slice(2);
const workersArg = args.find((a) => a.startsWith('--workers='));
const stepArg = args.find((a) => a.startsWith('--step='));
const turnsArg = args.find((a) => a.startsWith('--turns='));
const workers = workersArg === undefined ? 1 : Number(workersArg.slice('--workers='.length));
const kind = (stepArg === undefined ? 'finetune' : stepArg.slice('--step='.length)) as StepKind;
const turns = turnsArg === undefined ? 40 : Number(turnsArg.slice('--turns='.length));
const roots = args.filter((a) => a !== workersArg && a !== stepArg && a !== turnsArg).map((r) => resolve(r));
if (roots.length < 2 || !(Number.isInteger(workers) && workers >= 1) || !STEP_KINDS.includes(kind) || !(Number.isInteger(turns) && turns >= 1)) {
  throw new Error(`usage: npx tsx bench/compare_trees.ts [--workers=N] [--step=${STEP_KINDS.join('|')}] [--turns=40] CHECKOUT_A CHECKOUT_B [...]`);
}
const contenders: Contender[] = [];
for (const root of roots) contenders.push(await contender(root, workers, kind));
for (const c of contenders) for (let w = 0; w < 10; w++) await c.step(); // warm up the JIT
for (let turn = 0; turn < turns; turn++) {
  for (const c of contenders) {
    const t0 = performance.now();
    for (let k = 0; k < 5; k++) await c.step();
    c.ms.push((performance.now() - t0) / 5);
  }
}
// each turn's ratio to the first tree: both saw the same minute of the host's drift
const ratios = contenders.map((c) => c.ms.map((ms, turn) => ms / contenders[0].ms[turn]).sort((a, b) => a - b));
for (const [n, c] of contenders.entries()) {
  const ms = c.ms.slice().sort((a, b) => a - b);
  const r = ratios[n];
  if (n > 0) console.log(`${c.root} / ${contenders[0].root}: median ratio ${r[r.length >> 1].toFixed(3)}, quartiles ${r[r.length >> 2].toFixed(3)}-${r[(3 * r.length) >> 2].toFixed(3)}`);
  console.log(`${c.root}: median ${ms[ms.length >> 1].toFixed(1)} ms/step, quartiles ${ms[ms.length >> 2].toFixed(1)}-${ms[(3 * ms.length) >> 2].toFixed(1)}`);
}
process.exit(0); // the workers would keep the process alive
