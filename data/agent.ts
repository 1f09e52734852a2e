// Examples for the Thought -> Act -> Observe loop. The assistant's turn is
//
//   <thought> why this call <functioncall> {"name": ..., "arguments": ...} <observation> what the car says\n a short answer <|im_end|><|endoftext|>
//
// The model writes the thought, the call and the answer; the observation is written by the car
// simulator (data/vehicle_sim.ts), so it is masked out of the loss (see answerSegments).
import { ASSISTANT_HEADER, SPECIAL, makeRecord, pythonRepr } from './format.ts';
import type { FcRecord } from './format.ts';
import { generateExample } from './generator.ts';
import type { GeneratorOptions } from './generator.ts';
import { withPhraseSplit } from './phrase_split.ts';
import { INCOMPLETE_PREFIX } from './vehicle_api.ts';
import type { FunctionCall } from './vehicle_api.ts';
import { Vehicle } from './vehicle_sim.ts';
import { pick, chance } from './phrases.ts';
import type { Rng } from './phrases.ts';
import { makeRng } from '../engine/random.ts';

const SUBJECT: Record<string, string> = {
  set_temperature: 'set the temperature', adjust_temperature: 'change how warm it is', set_fan_speed: 'set the fan speed',
  adjust_fan_speed: 'change the fan speed', adjust_seat: 'move a seat', control_window: 'open or close a window',
  adjust_wiper_speed: 'change the wiper speed', set_wiper_speed: 'set the wiper speed', activate_defroster: 'defrost the windows',
  start_engine: 'start the engine', lock_doors: 'lock or unlock the doors', play_music: 'play music', toggle_headlights: 'switch the headlights',
  set_navigation_destination: 'navigate somewhere', control_ambient_lighting: 'change the ambient light', set_cruise_control: 'set cruise control',
  check_battery_health: 'know the battery health', toggle_sport_mode: 'switch sport mode',
};

export function thoughtFor(rng: Rng, call: FunctionCall): string {
  const name = call.name.replace(INCOMPLETE_PREFIX, '');
  const wants = `the user wants to ${SUBJECT[name] ?? name}`;
  if (call.name.startsWith(INCOMPLETE_PREFIX)) return `${wants}, but a value is missing, so I pass an empty one.`;
  return pick(rng, [`${wants}, so I call ${name}.`, `${wants}.`, `I will use ${name}.`, `${wants}; ${name} does that.`]);
}

export function replyFor(rng: Rng, ok: boolean, observation: string): string {
  if (!ok) return observation.includes('needs a value') ? `Sure, which ${observation.split('needs a value for ')[1]?.split(';')[0] ?? 'value'} would you like?` : "Sorry, I couldn't do that.";
  return `${pick(rng, ['Done', 'Okay', 'All set', 'Sure'])}: ${observation}.`;
}

/** The assistant text of one loop: thought (optional), call, observation, answer. */
export function agentAnswerText(call: FunctionCall, thought: string | null, observation: string, reply: string): string {
  const json = `{"name": ${JSON.stringify(call.name)}, "arguments": ${JSON.stringify(pythonRepr(call.arguments))}}`;
  const t = thought === null ? '' : `${SPECIAL.thought} ${thought} `;
  return `${t}${SPECIAL.functioncall} ${json} ${SPECIAL.observation} ${observation}\n${reply}${SPECIAL.imEnd}${SPECIAL.endoftext}`;
}

/**
 * Agent-format records: each command is executed on a simulated car to get its observation. The
 * commands are said in the phrasings `split` allows (data/phrase_split.ts; default all).
 */
export function generateAgentRecords(n: number, seed: number | string, thoughtRate = 0.7, split: Pick<GeneratorOptions, 'phrases' | 'phraseSeed'> = {}): FcRecord[] {
  return withPhraseSplit(split.phrases ?? 'all', split.phraseSeed ?? '', () => {
    const rng = makeRng(`agent/${seed}`);
    const car = new Vehicle();
    const out: FcRecord[] = [];
    for (let i = 0; i < n; i++) {
      const ex = generateExample(rng);
      const obs = car.execute(ex.call);
      const thought = chance(rng, thoughtRate) ? thoughtFor(rng, ex.call) : null;
      const record = makeRecord(ex.user, ex.call);
      record.assistant = ASSISTANT_HEADER + agentAnswerText(ex.call, thought, obs.text, replyFor(rng, obs.ok, obs.text));
      out.push(record);
    }
    return out;
  });
}

/** How many records are in the loop's format (an <observation> in the answer): a model trained on some writes the loop when asked to think. */
export function loopExampleCount(records: FcRecord[]): number {
  return records.filter((r) => r.assistant.includes(SPECIAL.observation)).length;
}

export interface Segment {
  text: string;
  /** whether the model is trained to produce this text */
  loss: boolean;
}

/** Split an answer into what the model writes (loss) and what the simulator writes (no loss). */
export function answerSegments(answer: string): Segment[] {
  const segments: Segment[] = [];
  const re = new RegExp(`${SPECIAL.observation}([^\\n]*\\n)`, 'g');
  let last = 0;
  for (let m = re.exec(answer); m !== null; m = re.exec(answer)) {
    const bodyStart = m.index + SPECIAL.observation.length;
    segments.push({ text: answer.slice(last, bodyStart), loss: true });
    segments.push({ text: m[1], loss: false });
    last = bodyStart + m[1].length;
  }
  segments.push({ text: answer.slice(last), loss: true });
  return segments.filter((s) => s.text.length > 0);
}
