// npm run finetune [-- --pretrained_dir=out/pretrain --fc_data_dir=DIR --key=value ...]
// Masked fine-tuning for function calling, like the original project's train.py.
// --init_from=scratch trains without a pretrained model; --init_from=resume continues out_dir's run
// with its own settings (flags given override them). Ctrl-C (or SIGTERM) saves a checkpoint at the
// end of the current iteration, then exits 130 (143).
import './node_flags.ts'; // first: lets the engine use WebAssembly's FMA on Node 20
import { exitAfterSignal, parseTrainArgs, printConfig, runMain } from './cli.ts';
import { defaultFinetuneConfig, validateFcConfig } from '../train/stage_config.ts';
import { runFinetune } from '../train/fc_pipeline.ts';
import { formatReport } from '../train/fc_eval.ts';

runMain(async () => {
  const cfg = parseTrainArgs(defaultFinetuneConfig);
  validateFcConfig(cfg);
  printConfig('finetune', cfg);
  const { report, train } = await runFinetune(cfg, console.log);
  exitAfterSignal(train.signal);
  if (report !== null) {
    console.log(`\nexact match on ${report.n} validation examples: ${(100 * report.exactAccuracy).toFixed(1)}% (function name ${(100 * report.nameAccuracy).toFixed(1)}%)`);
    console.log(formatReport(report));
  }
});
