import { loadTrained } from './train/fc_pipeline.ts';
import { predictCalls } from './train/fc_eval.ts';
const { model, tokenizer } = loadTrained(process.argv[2]);
const cmds = ['Set navigation to golden stadium', 'take me to 219 phoenix avenue', 'navigate to oak park', 'drive me to the airport', 'take me to home', 'directions to maple school', 'play summer angel', 'play love me', 'take me to love me', 'navigate to summer angel'];
for (const p of predictCalls(model, tokenizer, cmds)) console.log(p.user, '=>', p.raw.trim());
