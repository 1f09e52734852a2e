// npm run predict [-- --out_dir=out/finetune --file=commands.txt --decoding=copy|schema|free]
// One command per line (stdin or --file) -> one JSON line per command:
//   {"user": "...", "call": {"name": ..., "arguments": {...}} | null, "raw": "..."}
import './node_flags.ts'; // first: lets the engine use WebAssembly's FMA on Node 20
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs, runMain } from './cli.ts';
import { loadTrained } from '../train/fc_pipeline.ts';
import { predictCalls, predictionLine } from '../train/fc_eval.ts';
import type { Decoding } from '../train/fc_eval.ts';

const defaults = { out_dir: 'out/finetune', file: '', batch_size: 32, decoding: 'copy' };

runMain(async () => {
  const cfg = parseArgs(defaults);
  const { model, tokenizer } = loadTrained(cfg.out_dir);
  const predict = (lines: string[]) => {
    for (const p of predictCalls(model, tokenizer, lines, { batchSize: cfg.batch_size, decoding: cfg.decoding as Decoding })) console.log(predictionLine(p));
  };
  if (cfg.file !== '') {
    predict(readFileSync(cfg.file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean));
    return;
  }
  const rl = createInterface({ input: process.stdin, terminal: false });
  if (process.stdin.isTTY) {
    console.error('type a command per line (Ctrl-D to end):');
    for await (const line of rl) if (line.trim()) predict([line.trim()]);
    return;
  }
  // piped input: read everything, then decode in batches
  const lines: string[] = [];
  for await (const line of rl) if (line.trim()) lines.push(line.trim());
  predict(lines);
});
