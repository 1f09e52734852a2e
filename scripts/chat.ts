// npm run chat [-- --out_dir=out/finetune --decoding=copy|schema|free --min_confidence=0.9 --max_new_tokens=120 --think=auto|true|false]
// A REPL with a simulated car: each turn shows the thought, the call, the observation, the answer
// and the car's state. Reads one command per line from stdin when it is not a terminal.
// --decoding: as in predict (train/fc_eval.ts); copy and schema keep a loop-trained model's
//   thought and answer too.
// --min_confidence: a call the model writes with a lower confidence (its own probability of the
//   call, 0..1, train/fc_eval.ts callConfidence) is not carried out: chat says it did not
//   understand. 0 carries out every call. How the default was measured: train/agent_loop.ts.
// --think: start each answer with <thought>, so that the model thinks, calls, reads the car's
//   observation and answers (Thought -> Act -> Observe). auto: when the model was fine-tuned with
//   loop examples (its checkpoint.json's loop_examples).
import './node_flags.ts'; // first: lets the engine use WebAssembly's FMA on Node 20
import { createInterface } from 'node:readline';
import { parseArgs, runMain } from './cli.ts';
import { validateSettings } from './validate.ts';
import { loadTrained } from '../train/load_trained.ts';
import { DEFAULT_MIN_CONFIDENCE, learntTheLoop, runTurn } from '../train/agent_loop.ts';
import { DECODINGS } from '../train/fc_eval.ts';
import type { Decoding } from '../train/fc_eval.ts';
import { Vehicle } from '../data/vehicle_sim.ts';

const THINK = ['auto', 'true', 'false'];
const defaults = { out_dir: 'out/finetune', max_new_tokens: 120, decoding: 'copy' as Decoding, min_confidence: DEFAULT_MIN_CONFIDENCE, think: 'auto' };

runMain(async () => {
  const cfg = parseArgs(defaults);
  validateSettings('chat', cfg, { max_new_tokens: 'positive integer', decoding: DECODINGS, min_confidence: 'number from 0 to 1', think: THINK });
  const { model, tokenizer, info } = loadTrained(cfg.out_dir);
  const think = cfg.think === 'auto' ? learntTheLoop(info) : cfg.think === 'true';
  const car = new Vehicle();
  const tty = Boolean(process.stdin.isTTY);
  const rl = createInterface({ input: process.stdin, output: tty ? process.stdout : undefined, terminal: tty });
  if (tty) console.log(`Talk to the car (model: ${cfg.out_dir}${think ? `, thinking first: fine-tuned with ${info.loop_examples} loop examples` : ''}). Ctrl-D to quit.\n${car.summary()}\n`);
  if (tty) rl.setPrompt('you> '), rl.prompt();
  const opts = { maxNewTokens: cfg.max_new_tokens, decoding: cfg.decoding, minConfidence: cfg.min_confidence, think };
  for await (const line of rl) {
    const command = line.trim();
    if (command !== '') {
      const t = runTurn(model, tokenizer, car, command, opts);
      if (!tty) console.log(`you> ${command}`);
      if (t.thought !== null) console.log(`  thought:     ${t.thought}`);
      const sure = `confidence ${t.confidence.toFixed(2)}`;
      const notDone = t.executed ? '' : `; not carried out: below --min_confidence=${cfg.min_confidence}`;
      console.log(`  call:        ${t.call === null ? `(none) ${t.raw.trim()}` : `${JSON.stringify(t.call)}  (${sure}${notDone})`}`);
      if (t.observation !== null) console.log(`  observation: ${t.observation.text}`);
      console.log(`  answer:      ${t.answer}${t.modelAnswered || !t.executed ? '' : '  (from the car: this model was not trained on the loop)'}`);
      console.log(`  car:         ${car.summary()}\n`);
    }
    if (tty) rl.prompt();
  }
});
