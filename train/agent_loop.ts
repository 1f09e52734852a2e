// One turn of Thought -> Act -> Observe with a trained model and a simulated car:
//   1. the model writes (a thought and) a function call, and stops at <observation>
//   2. the car executes the call; its observation text is appended to the sequence
//   3. the model reads it and writes a short answer, up to <|endoftext|>
// A model fine-tuned without loop examples stops after the call (<|im_end|><|endoftext|>): the
// call is still executed, and the answer is the car's own words.
import type { GPT } from '../model/gpt.ts';
import { generate } from '../model/generate.ts';
import type { Tokenizer } from '../data/tokenizer.ts';
import { SPECIAL, parseFunctionCall, promptFor } from '../data/format.ts';
import type { FunctionCall } from '../data/vehicle_api.ts';
import type { Vehicle, Observation } from '../data/vehicle_sim.ts';

export interface Turn {
  thought: string | null;
  call: FunctionCall | null;
  observation: Observation | null;
  answer: string;
  /** whether the answer came from the model (true) or from the car (a model without loop training) */
  modelAnswered: boolean;
  raw: string;
}

export function runTurn(model: GPT, tok: Tokenizer, car: Vehicle, command: string, maxNewTokens = 120): Turn {
  const prompt = tok.encode(promptFor(command));
  const obsId = tok.specialId(SPECIAL.observation);
  const endId = tok.specialId(SPECIAL.endoftext);
  const room = () => Math.max(1, Math.min(maxNewTokens, model.config.block_size - 1));
  const first = generate(model, [prompt], room(), { temperature: 0, stopTokens: [obsId, endId] })[0];
  let raw = tok.decode(first);
  const thought = /<thought>\s*([\s\S]*?)\s*<functioncall>/.exec(raw)?.[1] ?? null;
  const call = parseFunctionCall(raw);
  if (call === null) return { thought, call, observation: null, answer: "Sorry, I didn't understand that as a car command.", modelAnswered: false, raw };
  const observation = car.execute(call);
  if (first[first.length - 1] !== obsId) {
    return { thought, call, observation, answer: observation.ok ? `Done: ${observation.text}.` : `Sorry: ${observation.text}.`, modelAnswered: false, raw };
  }
  const fed = tok.encode(` ${observation.text}\n`);
  const context = [...prompt, ...first, ...fed];
  const second = generate(model, [context], room(), { temperature: 0, stopTokens: [endId] })[0];
  const answerText = tok.decode(second);
  raw += ` ${observation.text}\n${answerText}`;
  const answer = answerText.replace(SPECIAL.imEnd, '').replace(SPECIAL.endoftext, '').trim();
  return { thought, call, observation, answer, modelAnswered: true, raw };
}
