// npm run chat [-- --out_dir=out/finetune]
// A REPL with a simulated car: each turn shows the thought, the call, the observation, the answer
// and the car's state. Reads one command per line from stdin when it is not a terminal.
import './node_flags.ts'; // first: lets the engine use WebAssembly's FMA on Node 20
import { createInterface } from 'node:readline';
import { parseArgs, runMain } from './cli.ts';
import { loadTrained } from '../train/fc_pipeline.ts';
import { runTurn } from '../train/agent_loop.ts';
import { Vehicle } from '../data/vehicle_sim.ts';

const defaults = { out_dir: 'out/finetune', max_new_tokens: 120 };

runMain(async () => {
  const cfg = parseArgs(defaults);
  const { model, tokenizer } = loadTrained(cfg.out_dir);
  const car = new Vehicle();
  const tty = Boolean(process.stdin.isTTY);
  const rl = createInterface({ input: process.stdin, output: tty ? process.stdout : undefined, terminal: tty });
  if (tty) console.log(`Talk to the car (model: ${cfg.out_dir}). Ctrl-D to quit.\n${car.summary()}\n`);
  if (tty) rl.setPrompt('you> '), rl.prompt();
  for await (const line of rl) {
    const command = line.trim();
    if (command !== '') {
      const t = runTurn(model, tokenizer, car, command, cfg.max_new_tokens);
      if (!tty) console.log(`you> ${command}`);
      if (t.thought !== null) console.log(`  thought:     ${t.thought}`);
      console.log(`  call:        ${t.call === null ? `(none) ${t.raw.trim()}` : JSON.stringify(t.call)}`);
      if (t.observation !== null) console.log(`  observation: ${t.observation.text}`);
      console.log(`  answer:      ${t.answer}${t.modelAnswered ? '' : '  (from the car: this model was not trained on the loop)'}`);
      console.log(`  car:         ${car.summary()}\n`);
    }
    if (tty) rl.prompt();
  }
});
