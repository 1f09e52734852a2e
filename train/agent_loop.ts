// One turn of Thought -> Act -> Observe with a trained model and a simulated car:
//   1. the model writes (a thought and) a function call, and stops at <observation>
//   2. the car executes the call; its observation text is appended to the sequence
//   3. the model reads it and writes a short answer, up to <|endoftext|>
// A model fine-tuned without loop examples stops after the call (<|im_end|><|endoftext|>): the
// call is still executed, and the answer is the car's own words.
// A call the model is unsure of is not carried out (minConfidence): a small model maps any text,
// "asdf qwer" too, to some call, but it writes that call with low probability (callConfidence).
import type { GPT } from '../model/gpt.ts';
import type { CheckpointInfo } from '../model/checkpoint_info.ts';
import { generate } from '../model/generate.ts';
import type { Tokenizer } from '../data/tokenizer.ts';
import { SPECIAL, encodePrompt, parseFunctionCall } from '../data/format.ts';
import type { FunctionCall } from '../data/vehicle_api.ts';
import type { Vehicle, Observation } from '../data/vehicle_sim.ts';
import { callConfidence, decodeAnswers } from './fc_eval.ts';
import type { Decoding } from './fc_eval.ts';

export interface Turn {
  thought: string | null;
  call: FunctionCall | null;
  /** how sure the model is of its call, 0..1 (train/fc_eval.ts callConfidence) */
  confidence: number;
  /** whether the call was carried out: there is one and its confidence reached minConfidence */
  executed: boolean;
  observation: Observation | null;
  answer: string;
  /** whether the answer came from the model (true) or from the car (a model without loop training) */
  modelAnswered: boolean;
  raw: string;
}

export interface TurnOptions {
  /** tokens for each of the two generations; default 120 */
  maxNewTokens?: number;
  /** how the call is decoded, as in predict (train/fc_eval.ts); default free */
  decoding?: Decoding;
  /** a call with a lower confidence is not carried out; default 0 (always carried out) */
  minConfidence?: number;
  /**
   * Start the answer with <thought>: a model fine-tuned with a share of loop examples writes a
   * plain call for a plain prompt (most of its examples are plain), and the loop when its answer
   * begins with a thought. Default false.
   */
  think?: boolean;
}

/**
 * chat's default --min_confidence (scripts/chat.ts): with the walkthrough's model thinking first,
 * 0.9 turns away 7 in 200 of its val commands and 109 of 200 random letter strings (bench/RESULTS.md).
 */
export const DEFAULT_MIN_CONFIDENCE = 0.9;

/** Whether a checkpoint's model learnt the loop (its checkpoint.json's loop_examples): then chat and the page start its answers with <thought>. */
export function learntTheLoop(info: CheckpointInfo): boolean {
  return Number(info.loop_examples ?? 0) > 0;
}

export const NOT_UNDERSTOOD = "Sorry, I didn't understand that as a car command.";

export function runTurn(model: GPT, tok: Tokenizer, car: Vehicle, command: string, opts: TurnOptions = {}): Turn {
  const obsId = tok.specialId(SPECIAL.observation);
  const endId = tok.specialId(SPECIAL.endoftext);
  const room = Math.max(1, Math.min(opts.maxNewTokens ?? 120, model.config.block_size - 1));
  const prefix = opts.think === true ? [tok.specialId(SPECIAL.thought)] : [];
  const answer = decodeAnswers(model, tok, [command], { decoding: opts.decoding, maxNewTokens: room, stopTokens: [obsId, endId], loop: true, prefix })[0];
  const first = answer.ids;
  let raw = tok.decode(first);
  const thought = /<thought>\s*([\s\S]*?)\s*<functioncall>/.exec(raw)?.[1] ?? null;
  const call = parseFunctionCall(raw);
  const confidence = callConfidence(tok, answer);
  const turn = { thought, call, confidence, raw };
  if (call === null || confidence < (opts.minConfidence ?? 0)) return { ...turn, executed: false, observation: null, answer: NOT_UNDERSTOOD, modelAnswered: false };
  const observation = car.execute(call);
  if (first[first.length - 1] !== obsId) {
    return { ...turn, executed: true, observation, answer: observation.ok ? `Done: ${observation.text}.` : `Sorry: ${observation.text}.`, modelAnswered: false };
  }
  // the car's words may quote the user's: never special tokens
  const fed = tok.encodeOrdinary(` ${observation.text}\n`);
  const context = [...encodePrompt(tok, command), ...first, ...fed];
  const second = generate(model, [context], room, { temperature: 0, stopTokens: [endId] })[0];
  const answerText = tok.decode(second);
  raw += ` ${observation.text}\n${answerText}`;
  const reply = answerText.replace(SPECIAL.imEnd, '').replace(SPECIAL.endoftext, '').trim();
  return { ...turn, executed: true, observation, answer: reply, modelAnswered: true, raw };
}
