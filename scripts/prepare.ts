// npm run prepare [-- --num_train=40000 --num_val=1000 --vocab_size=2048 --tokenizer_pattern=digits --copy_boost=4 --seed=1337 --data_dir=out/data]
// Generates function-calling examples in the original format and trains the tokenizer.
import './node_flags.ts'; // first: lets the engine use WebAssembly's FMA on Node 20
import { parseArgs, printConfig, runMain } from './cli.ts';
import { defaultPrepareConfig } from '../train/stage_config.ts';
import { prepareData } from '../train/fc_pipeline.ts';

runMain(() => {
  const cfg = parseArgs(defaultPrepareConfig);
  printConfig('prepare', cfg);
  prepareData(cfg, console.log);
});
