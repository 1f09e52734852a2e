import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tokenizer } from './tokenizer.ts';
import { SPECIAL_TOKENS, makeRecord, ASSISTANT_HEADER, parseFunctionCall } from './format.ts';
import { agentAnswerText, answerSegments, generateAgentRecords } from './agent.ts';
import { encodeExample, inputsAndTargets } from './dataset.ts';
import { validateCall } from './vehicle_api.ts';

const records = generateAgentRecords(300, 'agent-test');
const tok = Tokenizer.train(records.map((r) => r.system + r.user + r.assistant).join(''), 400, SPECIAL_TOKENS);

test('agent records: thought, valid call, observation, answer', () => {
  for (const r of records) {
    const call = parseFunctionCall(r.assistant);
    assert.ok(call !== null && validateCall(call).length === 0, r.assistant);
    assert.match(r.assistant, /<functioncall> .* <observation> [^\n]+\n.+<\|im_end\|><\|endoftext\|>$/s);
  }
  assert.ok(records.some((r) => r.assistant.includes('<thought>')) && records.some((r) => !r.assistant.includes('<thought>')));
});

test('the mask of a full Thought / Act / Observe example: thought, call and answer count; the observation never', () => {
  const call = { name: 'set_fan_speed', arguments: { speed: 'high' } };
  const record = makeRecord('Fan on high.', call);
  record.assistant = ASSISTANT_HEADER + agentAnswerText(call, 'the user wants to set the fan speed.', 'fan speed set to high everywhere', 'Done: fan speed set to high everywhere.');
  assert.equal(answerSegments(record.assistant.slice(ASSISTANT_HEADER.length)).map((s) => s.loss), [true, false, true]);
  const ex = encodeExample(tok, record);
  const { targets } = inputsAndTargets(ex);
  const learned = tok.decode(Array.from(targets).filter((t) => t !== -1));
  assert.is(learned, '<thought> the user wants to set the fan speed. <functioncall> {"name": "set_fan_speed", "arguments": "{\'speed\': \'high\'}"} <observation>Done: fan speed set to high everywhere.<|im_end|><|endoftext|>');
  // the observation's tokens are in the sequence but every target on them is -1
  const masked = Array.from(ex.ids.slice(1)).filter((_, i) => targets[i] === -1 && i + 1 >= ex.promptLength);
  assert.is(tok.decode(masked), ' fan speed set to high everywhere\n');
});

test.run();
