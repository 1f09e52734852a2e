// npm run pretrain-lm [-- --key=value ...]: language modelling on the prepared text (out/data by default).
// --init_from=resume --out_dir=DIR continues DIR's run with its own settings (flags given override them).
// Ctrl-C (or SIGTERM) saves a checkpoint at the end of the current iteration, then exits 130 (143).
import './node_flags.ts'; // first: lets the engine use WebAssembly's FMA on Node 20
import { exitAfterSignal, parseTrainArgs, printConfig, runMain } from './cli.ts';
import { defaultPretrainConfig, validateFcConfig } from '../train/stage_config.ts';
import { runPretrain } from '../train/fc_pipeline.ts';

runMain(async () => {
  const cfg = parseTrainArgs(defaultPretrainConfig);
  validateFcConfig(cfg);
  printConfig('pretrain', cfg);
  const result = await runPretrain(cfg, console.log);
  exitAfterSignal(result.signal);
});
