// npm run train: the walkthrough. Six stages, each explained before it runs:
//   1 generate data   2 train the tokenizer   3 tokenize and mask
//   4 pretrain (language modelling)   5 fine-tune (function calling)   6 evaluate
//
// Override any stage's setting with --<stage>.<key>=value (stages: prepare, pretrain, finetune),
// or --<key>=value for every stage that has that key, e.g.
//   npm run train -- --finetune.max_iters=2000 --seed=7 --pretrain.n_layer=6
import './node_flags.ts'; // first: lets the engine use WebAssembly's FMA on Node 20
import { parseOverrides } from '../train/config.ts';
import { exitAfterSignal, runMain, withScaledIntervals } from './cli.ts';
import { defaultPrepareConfig, defaultPretrainConfig, defaultFinetuneConfig, validateFcConfig, validatePrepareConfig } from '../train/stage_config.ts';
import { prepareData, runPretrain, runFinetune } from '../train/fc_pipeline.ts';
import { encodeExample, inputsAndTargets } from '../data/dataset.ts';
import { promptAndAnswer, userText } from '../data/format.ts';
import { evaluateRecords, formatReport } from '../train/fc_eval.ts';
import type { GPT } from '../model/gpt.ts';
import type { Tokenizer } from '../data/tokenizer.ts';
import { attentionMaps, attentionSvg } from '../model/attention_map.ts';
import type { FcRecord } from '../data/format.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration } from '../train/progress.ts';

const STAGES = { prepare: defaultPrepareConfig, pretrain: defaultPretrainConfig, finetune: defaultFinetuneConfig };
type StageName = keyof typeof STAGES;

/** Split --stage.key=value and --key=value arguments into one override list per stage. */
function stageArgs(argv: string[]): Record<StageName, string[]> {
  const out: Record<StageName, string[]> = { prepare: [], pretrain: [], finetune: [] };
  for (const arg of argv) {
    const m = /^--(\w+)\.(\w+)=(.*)$/s.exec(arg);
    if (m !== null) {
      if (!(m[1] in STAGES)) throw new Error(`train: unknown stage '${m[1]}' in ${arg}; stages are ${Object.keys(STAGES).join(', ')}`);
      out[m[1] as StageName].push(`--${m[2]}=${m[3]}`);
      continue;
    }
    const key = /^--(\w+)=/.exec(arg)?.[1];
    const takers = (Object.keys(STAGES) as StageName[]).filter((s) => key !== undefined && key in STAGES[s]);
    if (takers.length === 0) throw new Error(`train: no stage has a setting for ${arg}. Use --prepare.KEY, --pretrain.KEY or --finetune.KEY; keys: ${[...new Set(Object.values(STAGES).flatMap((s) => Object.keys(s)))].join(', ')}`);
    for (const s of takers) out[s].push(arg);
  }
  return out;
}

const say = (text: string) => console.log(text.replace(/^\n/, '').replace(/^ {2}/gm, ''));

function stage(n: number, title: string, why: string): void {
  console.log(`\n${'='.repeat(78)}\nStage ${n}/6: ${title}\n${'='.repeat(78)}`);
  say(why);
  console.log('');
}

/**
 * The last layer's attention while the model reads one command and writes its call: a heatmap
 * per head, a row per answer token, a column per token it can look at. Returns the file's path.
 */
function writeAttentionMap(outDir: string, model: GPT, tokenizer: Tokenizer, record: FcRecord): string {
  const { prompt, answer } = promptAndAnswer(record);
  const promptIds = tokenizer.encode(prompt);
  const ids = [...promptIds, ...tokenizer.encode(answer)].slice(0, model.config.block_size);
  const maps = attentionMaps(model, ids);
  const layer = model.config.n_layer - 1;
  const path = join(outDir, 'attention.svg');
  writeFileSync(path, attentionSvg(maps, ids.map((i) => tokenizer.tokenText(i)), layer, promptIds.length - 1, 0, `"${userText(record)}": where each head of layer ${layer + 1} looks while writing the call (darker = more attention)`));
  return path;
}

/** The walkthrough's promise: the defaults finish in 15 minutes on a 2-core machine. */
const PROMISED_SECONDS = 15 * 60;
const started = performance.now();

/**
 * A few fine-tuning steps in, say when the walkthrough will end on this machine; if past the
 * promise, say so and name the flag that shortens it. The recipe itself never changes by speed.
 */
function expectTotal({ secondsLeft, secondsPerStep }: { secondsLeft: number; secondsPerStep: number }): void {
  const elapsed = (performance.now() - started) / 1000;
  console.log(`expected: fine-tuning ends in about ${formatDuration(secondsLeft)}, the walkthrough after about ${formatDuration(elapsed + secondsLeft)} in all, then the evaluation (a minute or two)`);
  if (elapsed + secondsLeft <= PROMISED_SECONDS) return;
  // leave two minutes for the evaluation; fine-tuning steps in the rest, in hundreds
  const steps = Math.max(200, Math.floor((PROMISED_SECONDS - 120 - elapsed) / secondsPerStep / 100) * 100);
  console.log(`note: at ${(secondsPerStep * 1000).toFixed(0)} ms a step this machine is slower than the ~190 ms the defaults were sized for, so this takes over ${PROMISED_SECONDS / 60} minutes.
  It runs on unchanged (same seed, same result everywhere). For a shorter walkthrough next time:
    npm run train -- --finetune.max_iters=${steps}     (about ${PROMISED_SECONDS / 60} minutes here, a little less accurate)`);
}

runMain(async () => {
  const args = stageArgs(process.argv.slice(2));
  const prepareCfg = parseOverrides(STAGES.prepare, args.prepare);
  const pretrainCfg = withScaledIntervals(STAGES.pretrain, parseOverrides(STAGES.pretrain, [`--fc_data_dir=${prepareCfg.data_dir}`, ...args.pretrain]), args.pretrain, (l) => console.log(`pretrain: ${l}`));
  const finetuneCfg = withScaledIntervals(STAGES.finetune, parseOverrides(STAGES.finetune, [`--fc_data_dir=${prepareCfg.data_dir}`, `--pretrained_dir=${pretrainCfg.out_dir}`, ...args.finetune]), args.finetune, (l) => console.log(`finetune: ${l}`));
  // every stage's settings are checked now, not when its turn comes ten minutes later
  validatePrepareConfig(prepareCfg);
  validateFcConfig(pretrainCfg);
  validateFcConfig(finetuneCfg);
  if (pretrainCfg.init_from !== 'scratch' || finetuneCfg.init_from !== 'pretrained') {
    throw new Error('train: the walkthrough pretrains from scratch and fine-tunes the pretrained model; to continue a stopped stage use npm run pretrain-lm -- --init_from=resume or npm run finetune -- --init_from=resume');
  }

  const defaultLength = pretrainCfg.max_iters === STAGES.pretrain.max_iters && finetuneCfg.max_iters === STAGES.finetune.max_iters;
  console.log(`Training a GPT to turn car commands into function calls, from scratch, in TypeScript.
Six stages: ${pretrainCfg.max_iters} pretraining and ${finetuneCfg.max_iters} fine-tuning iterations${defaultLength ? ', 6 to 15 minutes on a 2-core CPU (after 50 fine-tuning steps it tells you how long on this one)' : ''}. Ctrl-C during training saves a checkpoint.`);

  stage(1, 'generate the data', `
  A seeded generator samples a call of the vehicle API (18 functions: temperature, fan, seats,
  windows, wipers, navigation, music...) and says it the way a driver might: many phrasings,
  numbers as digits or words, zones like "the back" or "my side", the odd typo. Each example is
  written in the original project's format: system prompt, user command, and the answer
  <functioncall> {"name": ..., "arguments": ...}. The training set asks for navigation and music
  more often than the validation set does: a destination or a song title can only be copied word
  by word out of the command, and a small model needs many examples to learn to copy.
  A share of the phrasings (templates, openers, ways to name a seat or a level) is held out of
  training: the "unseen phrasings" set is said only in them. Real drivers use words the
  generator never wrote, and that set measures how the model does on language it was never shown.
  The plainest words of each list ("driver's seat", "seat") and the API's own names ("rear-left")
  are never held out: real commands say them all the time.
  For the same reason a fifth of the training commands carry one word of noise: an invented word,
  a filler ("just", "kind of"), or a small word left out, so the model learns to read past words
  it does not know. Validation commands are left as the templates say them.`);
  const prepared = prepareData(prepareCfg, console.log);
  console.log('\nthree examples:');
  for (const r of prepared.train.slice(0, 3)) console.log(`  user:      ${userText(r)}\n  assistant: ${r.assistant.split('\n')[1]}`);

  stage(2, 'train the tokenizer', `
  A model reads integers, not text. Byte-level BPE starts from the 256 bytes and keeps merging
  the most frequent neighbouring pair into a new token, so common words become one token while
  any string (emoji, typos) can still be spelled in bytes. Digits stay single tokens, so the
  model can copy a number digit by digit. Special tokens such as <functioncall> are never split.
  The format's fixed strings (the system prompt, ' {"name": "') are kept whole while merging, so
  each ends up as a single token: fewer positions to compute, none of them informative. So are
  the API's names ('set_temperature', 'rear-left') and the punctuation between arguments (', '):
  a function or a zone is one token, one choice for the model, and an answer a third shorter.`);
  const tok = prepared.tokenizer;
  const pieces = (ids: number[]) => ids.map((i) => `[${tok.tokenText(i)}]`).join('');
  const example = userText(prepared.train[0]);
  const ids = tok.encode(example);
  console.log(`"${example}"\n  -> ${ids.length} tokens: ${pieces(ids)}\n  -> ids ${ids.join(' ')}`);
  const { answer } = promptAndAnswer(prepared.train[0]);
  console.log(`its answer -> ${pieces(tok.encode(answer))}`);

  stage(3, 'tokenize and mask', `
  Each example becomes one sequence: prompt (system + user + assistant header) then answer.
  The model learns to predict every next token, but when fine-tuning we only count its errors
  on the answer: predicting the user's words is not its job. Masked targets are -1; padding is
  masked too.`);
  const ex = encodeExample(tok, prepared.train[1]);
  const { targets } = inputsAndTargets(ex);
  const shown = Array.from(ex.ids.slice(1), (id, i) => (targets[i] === -1 ? '·' : `[${tok.tokenText(id)}]`));
  console.log(`${ex.ids.length} tokens, ${targets.filter((t) => t !== -1).length} counted in the loss ('·' = masked):\n  ${shown.join('')}`);

  stage(4, 'pretrain a small GPT', `
  First the model learns the language of our data: plain next-token prediction on the full
  text of every training example, all positions counted, like nanoGPT on Shakespeare. Log lines
  show the loss, the learning rate (warmup then cosine decay), speed and MFU (the share of this
  CPU's peak FLOP/s we use; plain JavaScript reaches a few percent at most). The blocks' weight
  matrices learn with Muon, the rest with AdamW: Muon turns each matrix's momentum into an update
  of the same size along every direction of the matrix (engine/muon.ts), and here it reaches in
  the same steps a fine-tuning loss about 4x lower than AdamW alone (--optimizer=adamw to compare).`);
  const pre = await runPretrain(pretrainCfg, console.log);
  if (pre.interrupted) {
    console.log(`\nPretraining was stopped and saved in ${pretrainCfg.out_dir}. Continue it with
  npm run pretrain-lm -- --init_from=resume --out_dir=${pretrainCfg.out_dir}
then fine-tune with npm run finetune (or run npm run train again to start over).`);
    exitAfterSignal(pre.signal);
    return;
  }

  stage(5, 'fine-tune for function calling', `
  Now from the pretrained weights, on the masked examples: the loss only counts the answer.
  So only what the answer depends on is computed: every example starts with the same system
  prompt, which is computed once per batch, and padding is skipped (model/packing.ts).
  Every ${finetuneCfg.sample_interval} iterations the model answers a few validation commands and adds them to
  ${finetuneCfg.out_dir}/samples/val_sample.txt (Input / Actual / Predicted, newest last): read it
  top to bottom to watch it learn. ${finetuneCfg.out_dir}/loss.svg draws the loss curve as it goes.`);
  const { report, scored, train: ft } = await runFinetune({ ...finetuneCfg, eval_examples: Math.max(finetuneCfg.eval_examples, 1) }, console.log, expectTotal);
  if (ft.interrupted) {
    console.log(`\nFine-tuning was stopped and saved in ${finetuneCfg.out_dir}. Continue it with
  npm run finetune -- --init_from=resume --out_dir=${finetuneCfg.out_dir}`);
    exitAfterSignal(ft.signal);
    return;
  }

  stage(6, 'evaluate', `
  The fine-tuned model answers validation commands it never trained on (greedy decoding with a
  key/value cache). Decoding is held to the API's grammar (${finetuneCfg.decoding}): at each step the most likely
  token that keeps the answer a valid call, with destinations and song titles copied word for word
  from the command, a copy ending where the model more likely than not ends it
  (data/call_grammar.ts, train/fc_eval.ts; --finetune.decoding=free shows the model alone; the
  evaluation prints both). A call counts only if the function name and every argument match.`);
  if (report !== null && scored !== null) {
    console.log(formatReport(report));
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    if (prepared.unseen.length > 0) {
      // language the model never saw in training first: it says more about real commands than own val
      const unseen = evaluateRecords(scored.model, scored.tokenizer, prepared.unseen, { decoding: finetuneCfg.decoding });
      console.log(`\nunseen phrasings (${prepareCfg.data_dir}/unseen): ${unseen.exact}/${unseen.n} = ${pct(unseen.exactAccuracy)} exact  (function name: ${pct(unseen.nameAccuracy)})`);
    }
    console.log(`${prepared.unseen.length > 0 ? '' : '\n'}own val (phrasings seen in training): ${report.exact}/${report.n} = ${pct(report.exactAccuracy)} exact  (function name: ${pct(report.nameAccuracy)})`);
    console.log('\na few predictions:');
    for (const r of report.rows.slice(0, 6)) console.log(`  ${r.ok ? 'ok ' : 'BAD'} ${r.user}\n      -> ${r.call === null ? r.raw.trim() : JSON.stringify(r.call)}`);
    const attention = writeAttentionMap(finetuneCfg.out_dir, scored.model, scored.tokenizer, prepared.val[0]);
    console.log(`\nwhere the model looks: ${attention} shows, for "${userText(prepared.val[0])}", which tokens each
head of the last layer attends to as it writes each token of the call (open it in a browser).`);
  }
  console.log(`\nWhat the run left: ${pretrainCfg.out_dir}/loss.svg and ${finetuneCfg.out_dir}/loss.svg (loss curves; metrics.jsonl beside each),
${finetuneCfg.out_dir}/samples/val_sample.txt (answers at every sample step), ${finetuneCfg.out_dir}/attention.svg (attention
while writing a call), ${finetuneCfg.out_dir}/model.safetensors (the model).`);
  console.log(`\nTotal time: ${formatDuration((performance.now() - started) / 1000)}.
Next: npm run chat (the car: thought, call, observation, answer), npm run predict (type commands),
npm run eval -- --fc_file=FILE, npm run sample -- --out_dir=${pretrainCfg.out_dir}, npm run bench, npm run export.`);
});
