import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { callsMatch, givenValuesMatch, callConfidence, constrainedPick, decodeAnswers, evaluateRecords, logProb, predictCalls, predictLines, predictionLine, scorePredictions, formatReport, mismatchKind, formatMismatchKinds } from './fc_eval.ts';
import type { Prediction } from './fc_eval.ts';
import { trainFcTokenizer } from './fc_data.ts';
import { SPECIAL, parseFunctionCall, userText } from '../data/format.ts';
import { SPECIAL_MARK, isCallPrefix } from '../data/call_grammar.ts';
import { generateRecords } from '../data/generator.ts';
import { validateCall } from '../data/vehicle_api.ts';
import type { FunctionCall } from '../data/vehicle_api.ts';
import { manualSeed } from '../engine/index.ts';
import { GPT } from '../model/gpt.ts';

test('exact match: names, keys and values; zone lists as sets; strings ignore case', () => {
  const e = { name: 'set_temperature', arguments: { temperature: 21, area: ['driver', 'rear-left'], unit: 'celsius' } };
  assert.ok(callsMatch(e, { name: 'set_temperature', arguments: { unit: 'Celsius', area: ['rear-left', 'driver'], temperature: 21 } }));
  assert.not.ok(callsMatch(e, { name: 'set_temperature', arguments: { temperature: 22, area: ['driver', 'rear-left'], unit: 'celsius' } }));
  assert.not.ok(callsMatch(e, { name: 'set_temperature', arguments: { temperature: 21, area: ['driver'], unit: 'celsius' } }));
  assert.not.ok(callsMatch(e, { name: 'set_temperature', arguments: { temperature: 21, area: ['driver', 'rear-left'] } }));
  assert.not.ok(callsMatch(e, { name: 'adjust_temperature', arguments: e.arguments }));
  assert.not.ok(callsMatch(e, null));
  assert.not.ok(callsMatch({ name: 'x', arguments: { n: 21 } }, { name: 'x', arguments: { n: '21' } }));
});

test('given values: what the command gives must be right, the name and the values left out are not scored', () => {
  const expected: FunctionCall = { name: 'possibly_incomplete_adjust_fan_speed', arguments: { speed: '', area: ['rear-left', 'driver'] } };
  assert.ok(givenValuesMatch(expected, { name: 'set_fan_speed', arguments: { speed: 'high', area: ['driver', 'rear-left'] } }));
  assert.not.ok(givenValuesMatch(expected, { name: 'possibly_incomplete_adjust_fan_speed', arguments: { speed: '', area: ['driver'] } }));
  assert.not.ok(givenValuesMatch(expected, { name: 'possibly_incomplete_adjust_fan_speed', arguments: { speed: '' } }));
  assert.not.ok(givenValuesMatch(expected, null));
  assert.ok(givenValuesMatch({ name: 'possibly_incomplete_set_cruise_control', arguments: { speed: '' } }, { name: 'set_cruise_control', arguments: { speed: 80 } }));
});

test("predict's JSON line: arguments as an object, call null for a generation that does not parse", () => {
  const ok = JSON.parse(predictionLine({ user: 'Fan high', raw: `<functioncall> {"name": "set_fan_speed", "arguments": "{'speed': 'high'}"} <|im_end|>`, call: parseFunctionCall(`<functioncall> {"name": "set_fan_speed", "arguments": "{'speed': 'high'}"} <|im_end|>`) }));
  assert.equal(ok.call, { name: 'set_fan_speed', arguments: { speed: 'high' } });
  const raw = '<functioncall> {"name": "set_fan_speed", "arguments": "{\'speed\': ';
  const bad = JSON.parse(predictionLine({ user: 'Fan high', raw, call: parseFunctionCall(raw) }));
  assert.is(bad.call, null);
  assert.is(bad.raw, raw.trim());
  assert.is(bad.user, 'Fan high');
});

test('scores and the per-function table', () => {
  const expected: FunctionCall[] = [{ name: 'a', arguments: {} }, { name: 'a', arguments: { x: 1 } }, { name: 'b', arguments: {} }];
  const preds: Prediction[] = [{ user: '1', raw: '', call: { name: 'a', arguments: {} } }, { user: '2', raw: '', call: { name: 'a', arguments: { x: 2 } } }, { user: '3', raw: 'junk', call: null }];
  const r = scorePredictions(expected, preds);
  assert.is(r.exact, 1);
  assert.ok(Math.abs(r.nameAccuracy - 2 / 3) < 1e-12);
  assert.equal(r.perFunction.get('a'), { n: 2, exact: 1, name: 2 });
  assert.match(formatReport(r), /all\s+3\s+33.3%\s+66.7%/);
});

test('mismatch kinds name the function and the arguments, never a value', () => {
  const e: FunctionCall = { name: 'set_temperature', arguments: { temperature: 21, area: ['driver', 'rear-left'] } };
  assert.is(mismatchKind(e, null), 'unparsed');
  assert.is(mismatchKind(e, { name: 'adjust_temperature', arguments: {} }), 'name -> adjust_temperature');
  assert.is(mismatchKind(e, { name: 'set_temperature', arguments: { temperature: 22, unit: 'celsius' } }), '-area ~temperature +unit');
  assert.is(mismatchKind(e, { name: 'set_temperature', arguments: { temperature: 21, area: ['rear-left', 'Driver'] } }), '');
  const expected: FunctionCall[] = [e, e, e, { name: 'play_music', arguments: { track: 'secret song' } }];
  const preds: Prediction[] = [
    { user: 'a', raw: '', call: null },
    { user: 'b', raw: '', call: { name: 'set_temperature', arguments: { temperature: 20, area: ['driver', 'rear-left'] } } },
    { user: 'c', raw: '', call: { name: 'set_temperature', arguments: { temperature: 19, area: ['driver', 'rear-left'] } } },
    { user: 'd', raw: '', call: { name: 'play_music', arguments: { track: 'other song' } } },
  ];
  const table = formatMismatchKinds(scorePredictions(expected, preds).rows);
  assert.is(table, '    2  set_temperature: ~temperature\n    1  play_music: ~track\n    1  set_temperature: unparsed');
  assert.not.match(table, /secret|other/);
});

test('constrained decoding: an untrained model still answers with valid calls, copying free text; free decoding does not', () => {
  manualSeed(3);
  const records = generateRecords(300, 'decoding', { copyBoost: 4 });
  const tok = trainFcTokenizer(records, 400);
  const model = new GPT({ block_size: 512, vocab_size: tok.vocabSize, n_layer: 1, n_head: 2, n_embd: 16, dropout: 0, bias: true });
  const commands = records.slice(0, 8).map(userText);
  const copied = predictCalls(model, tok, commands, { decoding: 'copy', maxNewTokens: 400 });
  copied.forEach((p, i) => {
    assert.ok(p.call !== null, p.raw);
    assert.equal(validateCall(p.call!), [], p.raw);
    for (const key of ['destination', 'track']) {
      const v = p.call!.arguments[key];
      if (typeof v === 'string' && v !== '') assert.ok(commands[i].toLowerCase().includes(v.toLowerCase()), `${v} not in ${commands[i]}`);
    }
  });
  const free = predictCalls(model, tok, commands, { decoding: 'free', maxNewTokens: 30 });
  assert.ok(free.every((p) => p.call === null));
  assert.throws(() => predictCalls(model, tok, commands, { decoding: 'strict' as never }), /decoding must be one of free, schema, copy/);
});

test('copy decoding ends a copy only when the model gives ending half its probability', () => {
  const tok = trainFcTokenizer(generateRecords(300, 'ending', { copyBoost: 4 }), 400);
  const command = 'navigate to oak street please';
  const pick = constrainedPick(tok, 'copy', 0)!;
  const sofar = tok.encode(`<functioncall> {"name": "set_navigation_destination", "arguments": "{'destination': 'oak`);
  const quote = tok.encode("'")[0];
  const street = tok.encode(' street')[0]; // the command's next word: the only way to go on
  const avenue = tok.encode(' avenue')[0]; // not in the command
  assert.is(new Set([quote, street, avenue]).size, 3);
  const logits = (p: Record<number, number>) => {
    const l = new Float32Array(tok.vocabSize).fill(-30);
    for (const [id, prob] of Object.entries(p)) l[Number(id)] = Math.log(prob);
    return l;
  };
  // the quote is the most likely single token, but most of the probability goes on: copy on
  assert.is(pick(command, sofar, logits({ [quote]: 0.4, [street]: 0.25, [avenue]: 0.35 })), street);
  assert.is(pick(command, sofar, logits({ [quote]: 0.55, [street]: 0.05, [avenue]: 0.4 })), quote);
  // schema decoding (nothing copied) keeps plain greedy: the most likely allowed token
  assert.is(constrainedPick(tok, 'schema', 0)!(command, sofar, logits({ [quote]: 0.4, [street]: 0.25, [avenue]: 0.35 })), quote);
});

function tinyModel(seed: string) {
  manualSeed(5);
  const records = generateRecords(200, seed);
  const tok = trainFcTokenizer(records, 400);
  const model = new GPT({ block_size: 256, vocab_size: tok.vocabSize, n_layer: 1, n_head: 2, n_embd: 16, dropout: 0, bias: true });
  return { records, tok, model };
}

test('a batch size below 1 is an error, not a loop that never ends', () => {
  const { records, tok, model } = tinyModel('batch');
  for (const batchSize of [0, -1, 1.5]) {
    assert.throws(() => predictCalls(model, tok, ['lock the doors'], { batchSize }), new RegExp(`predict: batch size must be a positive integer, got ${batchSize}`));
    assert.throws(() => evaluateRecords(model, tok, records.slice(0, 2), { batchSize }), /batch size must be a positive integer/);
  }
  assert.throws(() => predictCalls(model, tok, ['lock the doors'], { maxNewTokens: 0 }), /max new tokens must be a positive integer, got 0/);
});

test("predict's lines: one per input line, in order; an empty line is an error line, not a model run", () => {
  const { tok, model } = tinyModel('lines');
  const lines = ['lock the doors', '', '   ', 'turn on the fan'];
  // room for any answer: an untrained model may write the longest call there is (all four zones, a level)
  const out = predictLines(model, tok, lines, { decoding: 'copy', maxNewTokens: 200 }).map((l) => JSON.parse(l));
  assert.is(out.length, 4);
  assert.equal(out.map((o) => o.user), ['lock the doors', '', '', 'turn on the fan']);
  assert.equal(out[1], { user: '', call: null, error: 'empty command' });
  assert.equal(out[2], out[1]);
  assert.ok(out[0].call !== null && typeof out[0].confidence === 'number' && out[0].confidence > 0 && out[0].confidence <= 1);
  // the same answers as predicting the non-empty lines alone
  const alone = predictCalls(model, tok, ['lock the doors', 'turn on the fan'], { decoding: 'copy', maxNewTokens: 200 });
  assert.equal([out[0].raw, out[3].raw], alone.map((p) => p.raw.trim()));
});

test("confidence: each chosen token's log-probability under the model, averaged over the tokens the model chose", () => {
  const l = Float32Array.from([1, 2, 3]);
  const z = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
  assert.ok(Math.abs(logProb(l, 2) - (3 - z)) < 1e-6);
  assert.ok(Math.abs(logProb(Float32Array.from([1000, 0]), 1) + 1000) < 1e-3, 'stable for large logits');
  const fc = tok0.specialId(SPECIAL.functioncall);
  // every token the model chose counts, a thought's too; a token written for it (forced) does not
  assert.ok(Math.abs(callConfidence(tok0, { ids: [5, fc, 7], logprobs: [Math.log(0.125), Math.log(0.25), Math.log(0.5)], forced: 0 }) - 0.25) < 1e-9);
  assert.ok(Math.abs(callConfidence(tok0, { ids: [5, fc, 7], logprobs: [0, Math.log(0.5), Math.log(0.5)], forced: 1 }) - 0.5) < 1e-9);
  assert.is(callConfidence(tok0, { ids: [5, 6], logprobs: [0, 0], forced: 0 }), 0);
  // decodeAnswers' log-probabilities are those of the tokens written, one per token
  const { tok, model } = tinyModel('logprobs');
  const [a] = decodeAnswers(model, tok, ['lock the doors'], { decoding: 'schema', maxNewTokens: 40 });
  assert.is(a.logprobs.length, a.ids.length);
  assert.ok(a.logprobs.every((x) => x <= 0 && Number.isFinite(x)));
});

const tok0 = trainFcTokenizer(generateRecords(100, 'tok0'), 330);

test("the loop's grammar: a thought first, and <observation> where a whole call's end would be", () => {
  const { tok } = tinyModel('loop');
  const m = (s: string) => s.replace(/<thought>/g, SPECIAL_MARK[SPECIAL.thought]).replace(/<functioncall>/g, SPECIAL_MARK[SPECIAL.functioncall])
    .replace(/<observation>/g, SPECIAL_MARK[SPECIAL.observation]);
  const call = `<functioncall> {"name": "lock_doors", "arguments": "{'lock_state': 'lock'}"} `;
  assert.not.ok(isCallPrefix(m(`<thought> the user wants it locked ${call}`)), 'the plain grammar has no thought');
  const obs = tok.specialId(SPECIAL.observation);
  const pick = constrainedPick(tok, 'schema', 0, true)!;
  const only = (id: number) => { const l = new Float32Array(tok.vocabSize).fill(-30); l[id] = 0; return l; };
  const thought = tok.specialId(SPECIAL.thought);
  assert.is(pick('lock the doors', [], only(thought)), thought, 'a thought may open the answer');
  assert.is(pick('lock the doors', [thought, ...tok.encode(' locking ')], only(tok.specialId(SPECIAL.imEnd))) === tok.specialId(SPECIAL.imEnd), false, 'no other special token inside a thought');
  const whole = tok.encode(call);
  assert.is(pick('lock the doors', [thought, ...tok.encode(' locking '), ...whole], only(obs)), obs, '<observation> after a whole call');
  assert.is(pick('lock the doors', whole.slice(0, -4), only(obs)) === obs, false, 'not inside a call');
});

test.run();
