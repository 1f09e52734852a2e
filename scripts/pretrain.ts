// npm run pretrain-lm [-- --key=value ...]: language modelling on the prepared text (out/data by default).
import { parseArgs, printConfig, runMain } from './cli.ts';
import { defaultPretrainConfig, runPretrain } from '../train/fc_pipeline.ts';

runMain(async () => {
  const cfg = parseArgs(defaultPretrainConfig);
  printConfig('pretrain', cfg);
  await runPretrain(cfg, console.log);
});
