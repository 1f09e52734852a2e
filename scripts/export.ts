// npm run export -- --out_dir=out/finetune --format=hf|nanogpt --dest=DIR [--fc_data_dir=DIR]
// A trained model in the formats of bigger tools (train/export.ts): hf writes what Hugging Face's
// from_pretrained(DIR) loads (model and tokenizer); nanogpt writes a nanoGPT data directory, the
// weights under nanoGPT's names and the commands to continue training with its train.py.
// DIR must be new or empty; every flag is checked before anything is read or written.
import './node_flags.ts'; // first: lets the engine use WebAssembly's FMA on Node 20
import { parseArgs, printConfig, runMain } from './cli.ts';
import { defaultExportConfig, runExport, validateExportConfig } from '../train/export.ts';

runMain(() => {
  const cfg = parseArgs(defaultExportConfig);
  validateExportConfig(cfg);
  printConfig('export', cfg);
  runExport(cfg, console.log);
});
