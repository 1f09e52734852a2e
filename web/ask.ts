// "Ask the car": a trained model answers a command, with the code `npm run predict` and
// `npm run chat` use. The page fetches the checkpoint's files and loads them as Node does
// (train/load_trained_bytes.ts); a command is tokenized (encodePrompt), the call decoded as
// predict decodes it (copy decoding, train/fc_eval.ts), and carried out on the simulated car. A
// model fine-tuned with loop examples also thinks first and answers after the car's observation
// (train/agent_loop.ts runTurn with think, as chat does).
import { encodePrompt } from '../data/format.ts';
import type { Tokenizer } from '../data/tokenizer.ts';
import { Vehicle } from '../data/vehicle_sim.ts';
import type { VehicleState } from '../data/vehicle_sim.ts';
import type { FunctionCall } from '../data/vehicle_api.ts';
import { predictCalls } from '../train/fc_eval.ts';
import { DEFAULT_MIN_CONFIDENCE, NOT_UNDERSTOOD, learntTheLoop, runTurn } from '../train/agent_loop.ts';
import { loadTrainedFromBytes, tokenizerFileName } from '../train/load_trained_bytes.ts';
import type { Trained, TrainedFiles } from '../train/load_trained_bytes.ts';
import { parseCheckpointInfo } from '../model/checkpoint_info.ts';
import { renderDashboard } from './dashboard.ts';

export interface Answer {
  command: string;
  /** the prompt as the model reads it, token by token */
  promptTokens: string[];
  answerTokens: string[];
  /** the answer's text and its call, as `npm run predict` prints them */
  raw: string;
  call: FunctionCall | null;
  confidence: number;
  /** the loop's thought and answer (a loop-trained model), or the car's words */
  thought: string | null;
  answer: string;
  observation: string | null;
  executed: boolean;
  ms: number;
}

/** Fetch a checkpoint directory's files (a URL), as the page's server lays them out (scripts/demo_site.ts). */
export async function fetchTrained(base: string): Promise<Trained> {
  const get = async (name: string): Promise<Response> => {
    const r = await fetch(`${base}/${name}`);
    if (!r.ok) throw new Error(`cannot fetch ${base}/${name}: HTTP ${r.status}`);
    return r;
  };
  const checkpoint = await (await get('checkpoint.json')).text();
  const info = parseCheckpointInfo(checkpoint, `${base}/checkpoint.json`);
  const [model, tokenizer] = await Promise.all([get('model.safetensors').then((r) => r.arrayBuffer()), get(tokenizerFileName(info)).then((r) => r.text())]);
  const files: TrainedFiles = { checkpoint, model: new Uint8Array(model), tokenizer };
  if (info.lora) {
    const [config, adapter] = await Promise.all([get('adapter_config.json').then((r) => r.text()), get('adapter_model.safetensors').then((r) => r.arrayBuffer())]);
    files.adapters = { config, model: new Uint8Array(adapter) };
  }
  return loadTrainedFromBytes(files, base);
}

const tokenTexts = (tok: Tokenizer, ids: number[]) => ids.map((id) => tok.tokenText(id));

/** One command answered: predict's call, then the car (and, for a loop-trained model, chat's thought and answer). */
export function answer(trained: Trained, car: Vehicle, command: string): Answer {
  const t0 = performance.now();
  const { model, tokenizer: tok, info } = trained;
  const [p] = predictCalls(model, tok, [command], { decoding: 'copy' });
  const base = { command, promptTokens: tokenTexts(tok, encodePrompt(tok, command)), answerTokens: tokenTexts(tok, p.ids ?? []), raw: p.raw.trim(), call: p.call, confidence: p.confidence ?? 0 };
  if (learntTheLoop(info)) {
    // as npm run chat: the answer starts with <thought>, the car's observation is read, the model answers
    const turn = runTurn(model, tok, car, command, { decoding: 'copy', think: true, minConfidence: DEFAULT_MIN_CONFIDENCE });
    return { ...base, thought: turn.thought, answer: turn.answer, observation: turn.observation?.text ?? null, executed: turn.executed, ms: performance.now() - t0 };
  }
  // a model without loop training: the call is carried out as chat would (not below its confidence), the car answers
  if (p.call === null || base.confidence < DEFAULT_MIN_CONFIDENCE) {
    return { ...base, thought: null, answer: NOT_UNDERSTOOD, observation: null, executed: false, ms: performance.now() - t0 };
  }
  const obs = car.execute(p.call);
  return { ...base, thought: null, answer: obs.ok ? `Done: ${obs.text}.` : `Sorry: ${obs.text}.`, observation: obs.text, executed: true, ms: performance.now() - t0 };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function tokenChips(tokens: string[], cls: string): string {
  return tokens.map((t) => `<span class="tok ${/^<\|?[a-z_]+\|?>$/.test(t) ? 'special' : cls}">${esc(t.replace(/\n/g, '\\n'))}</span>`).join('');
}

/** The view: a model (fetched, or handed over by "Watch it learn"), a car, and the form. */
export class AskView {
  trained: Trained | null = null;
  car = new Vehicle();
  private readonly el = (id: string) => document.getElementById(id)!;

  constructor() {
    renderDashboard(this.el('dash'), this.car.state);
    (this.el('ask-form') as HTMLFormElement).addEventListener('submit', (e) => {
      e.preventDefault();
      this.ask((this.el('ask-input') as HTMLInputElement).value);
    });
    const examples = ['turn up the heat for the driver', 'set the fan to high for the rear passengers', 'navigate to 12 oak street', 'lock the doors', 'play some jazz'];
    this.el('examples').innerHTML = examples.map((c) => `<button type="button">${esc(c)}</button>`).join('');
    this.el('examples').querySelectorAll('button').forEach((b) => b.addEventListener('click', () => this.ask(b.textContent!)));
  }

  /** Use this model from now on; the car starts afresh. */
  setModel(trained: Trained, where: string): void {
    this.trained = trained;
    this.car = new Vehicle();
    renderDashboard(this.el('dash'), this.car.state);
    const c = trained.model.config;
    const loop = learntTheLoop(trained.info) ? `; trained with ${trained.info.loop_examples} loop examples, so it thinks first and answers after the car` : '';
    this.el('model-status').textContent = `${where}: ${(trained.model.numParams() / 1e6).toFixed(2)}M parameters (${c.n_layer} layers, ${c.n_embd} wide), ${trained.tokenizer.vocabSize} tokens, iteration ${trained.info.iter_num}${loop}.`;
    (this.el('ask-go') as HTMLButtonElement).disabled = false;
  }

  showError(message: string): void {
    this.el('model-status').innerHTML = `<span class="error">${esc(message)}</span>`;
  }

  ask(command: string): Answer | null {
    if (this.trained === null || command.trim() === '') return null;
    (this.el('ask-input') as HTMLInputElement).value = command; // the box shows what was asked, however it was asked
    const before: VehicleState = structuredClone(this.car.state);
    const a = answer(this.trained, this.car, command.trim());
    this.el('ask-tokens').innerHTML = tokenChips(a.promptTokens, '');
    this.el('ask-answer-tokens').innerHTML = tokenChips(a.answerTokens, 'answer');
    this.el('ask-call').textContent = a.call === null ? `no call parsed from: ${a.raw}` : `${JSON.stringify(a.call, null, 1)}\nconfidence ${a.confidence.toFixed(3)} · ${a.ms.toFixed(0)} ms`;
    const loop = a.thought === null ? '' : `<h2 style="margin-top:.8rem">Thought</h2><p>${esc(a.thought)}</p>`;
    this.el('ask-loop').innerHTML = `${loop}<h2 style="margin-top:.8rem">Answer</h2><p>${esc(a.answer)}</p>`;
    this.el('ask-observation').textContent = a.executed ? `the car: ${a.observation}` : `not carried out (confidence ${a.confidence.toFixed(2)}, below ${DEFAULT_MIN_CONFIDENCE})`;
    renderDashboard(this.el('dash'), this.car.state, before);
    return a;
  }
}
