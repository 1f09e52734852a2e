import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { manualSeed } from '../engine/index.ts';
import { GPT } from '../model/gpt.ts';
import { Tokenizer } from '../data/tokenizer.ts';
import { SPECIAL_TOKENS } from '../data/format.ts';
import { generateAgentRecords } from '../data/agent.ts';
import { Vehicle } from '../data/vehicle_sim.ts';
import { NOT_UNDERSTOOD, runTurn } from './agent_loop.ts';
import { prepareData, runFinetune } from './fc_pipeline.ts';
import { defaultFinetuneConfig } from './stage_config.ts';

/** A tokenizer for loop examples and an untrained one-layer model (seeded), for turns that must not crash. */
function untrained(seed: number, blockSize: number): { tok: Tokenizer; model: GPT } {
  const records = generateAgentRecords(100, 'loop');
  const tok = Tokenizer.train(records.map((r) => r.system + r.user + r.assistant).join(''), 300, SPECIAL_TOKENS);
  manualSeed(seed);
  return { tok, model: new GPT({ block_size: blockSize, vocab_size: tok.vocabSize, n_layer: 1, n_head: 2, n_embd: 16, dropout: 0, bias: true }) };
}

test('a turn with an untrained model never crashes: no call, or a call the car rejects', () => {
  const { tok, model } = untrained(1, 128);
  const car = new Vehicle();
  const t = runTurn(model, tok, car, 'turn on the headlights', { maxNewTokens: 30 });
  assert.ok(typeof t.answer === 'string' && t.answer.length > 0);
  assert.is(t.modelAnswered, false);
});

test('a call below min_confidence is not carried out; with copy decoding even an untrained model calls', () => {
  const { tok, model } = untrained(2, 256);
  const car = new Vehicle();
  const before = car.summary();
  const unsure = runTurn(model, tok, car, 'asdf qwer', { decoding: 'copy', maxNewTokens: 200, minConfidence: 1 });
  assert.ok(unsure.call !== null, unsure.raw);
  assert.ok(unsure.confidence > 0 && unsure.confidence < 1);
  assert.is(unsure.executed, false);
  assert.is(unsure.observation, null);
  assert.is(unsure.answer, NOT_UNDERSTOOD);
  assert.is(car.summary(), before, 'the car is untouched');
  const sure = runTurn(model, tok, car, 'asdf qwer', { decoding: 'copy', maxNewTokens: 200, minConfidence: 0 });
  assert.equal(sure.call, unsure.call);
  assert.is(sure.executed, true);
  assert.ok(sure.observation !== null);
});

test('think: the answer starts with <thought>, its confidence counts only the call', () => {
  const { tok, model } = untrained(3, 256);
  const plain = runTurn(model, tok, new Vehicle(), 'turn on the headlights', { decoding: 'copy', maxNewTokens: 60 });
  const thinking = runTurn(model, tok, new Vehicle(), 'turn on the headlights', { decoding: 'copy', maxNewTokens: 60, think: true });
  assert.ok(thinking.raw.startsWith('<thought>'), thinking.raw);
  assert.not.ok(plain.raw.startsWith('<thought>'), plain.raw);
  // an untrained model rambles in its thought: no call yet, so nothing is carried out
  assert.is(thinking.call === null ? thinking.confidence : -1, thinking.call === null ? 0 : -1);
  // the loop's grammar held the thought to words: no special token in it but the one that starts it
  assert.not.ok(/<\|(im_start|im_end|endoftext|pad)\|>|<observation>/.test(thinking.raw), thinking.raw);
});

test('a scripted chat session against a small trained fixture runs without error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chat-'));
  const log = () => {};
  prepareData({ data_dir: join(dir, 'data'), num_train: 400, num_val: 20, num_unseen: 0, vocab_size: 320, tokenizer_pattern: 'digits', incomplete_rate: 0.05, copy_boost: 1, agent_fraction: 1, noise_rate: 0, seed: 3 }, log);
  await runFinetune({
    ...defaultFinetuneConfig, init_from: 'scratch', fc_data_dir: join(dir, 'data'), out_dir: join(dir, 'model'), block_size: 192,
    n_layer: 1, n_head: 2, n_embd: 32, max_iters: 4, eval_interval: 4, eval_iters: 1, batch_size: 4, sample_interval: 0, eval_examples: 0,
  }, log);
  const chat = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/chat.ts', `--out_dir=${join(dir, 'model')}`, '--max_new_tokens=40'], {
    input: 'turn up the fan\nnavigate to oak street\n\nlock the doors\n', encoding: 'utf8', timeout: 60_000,
  });
  assert.is(chat.status, 0, chat.stderr);
  assert.is((chat.stdout.match(/^you> /gm) ?? []).length, 3);
  assert.is((chat.stdout.match(/^ {2}car: {9}temperature/gm) ?? []).length, 3);
  // trained on loop examples only: chat thinks first (--think=auto reads the checkpoint's loop_examples)
  assert.is(JSON.parse(readFileSync(join(dir, 'model', 'checkpoint.json'), 'utf8')).loop_examples, 400);
  assert.is((chat.stdout.match(/^ {2}thought: |^ {2}call: {8}\(none\) <thought>/gm) ?? []).length, 3, chat.stdout);
  for (const decoding of ['free', 'schema']) {
    const other = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/chat.ts', `--out_dir=${join(dir, 'model')}`, '--max_new_tokens=40', `--decoding=${decoding}`, '--min_confidence=1'], {
      input: 'turn up the fan\n', encoding: 'utf8', timeout: 60_000,
    });
    assert.is(other.status, 0, other.stderr);
    assert.match(other.stdout, `answer:      ${NOT_UNDERSTOOD}`);
  }
});

test.run();
