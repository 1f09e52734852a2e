// npm run -s predict [-- --out_dir=out/finetune --file=commands.txt --decoding=copy|schema|free --batch_size=32]
// (-s keeps npm's own banner off stdout, so `npm run -s predict | jq` reads only JSON.)
// One command per line (stdin or --file) -> one JSON line per input line, in the same order:
//   {"user": "...", "call": {"name": ..., "arguments": {...}} | null, "confidence": 0.97, "raw": "..."}
// confidence: the model's own probability of its call, 0..1 (train/fc_eval.ts callConfidence).
// An empty line is not run through the model: {"user": "", "call": null, "error": "empty command"}.
// stdout holds only these lines; anything else goes to stderr.
import './node_flags.ts'; // first: lets the engine use WebAssembly's FMA on Node 20
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs, runMain } from './cli.ts';
import { validateSettings } from './validate.ts';
import { loadTrained } from '../train/load_trained.ts';
import { DECODINGS, predictLines } from '../train/fc_eval.ts';
import type { Decoding } from '../train/fc_eval.ts';

const defaults = { out_dir: 'out/finetune', file: '', batch_size: 32, decoding: 'copy' as Decoding };

runMain(async () => {
  const cfg = parseArgs(defaults);
  validateSettings('predict', cfg, { batch_size: 'positive integer', decoding: DECODINGS });
  const { model, tokenizer } = loadTrained(cfg.out_dir);
  const predict = (lines: string[]) => {
    for (const line of predictLines(model, tokenizer, lines, { batchSize: cfg.batch_size, decoding: cfg.decoding })) console.log(line);
  };
  if (cfg.file !== '') {
    let text: string;
    try {
      text = readFileSync(cfg.file, 'utf8');
    } catch (e) {
      throw new Error(`predict: cannot read --file=${cfg.file}: ${(e as Error).message}`);
    }
    predict(text.replace(/\r?\n$/, '').split(/\r?\n/)); // the newline that ends the last line starts no line of its own
    return;
  }
  const rl = createInterface({ input: process.stdin, terminal: false });
  if (process.stdin.isTTY) {
    console.error('type a command per line (Ctrl-D to end):');
    for await (const line of rl) predict([line]);
    return;
  }
  // piped input: read everything, then decode in batches
  const lines: string[] = [];
  for await (const line of rl) lines.push(line);
  predict(lines);
});
