// The records stage 1 generates, without writing them: the same draw for prepare (train/fc_pipeline.ts)
// and the page's walkthrough (web/walkthrough.ts), so the same settings give the same examples.
import { generateRecords } from '../data/generator.ts';
import { generateAgentRecords } from '../data/agent.ts';
import type { FcRecord } from '../data/format.ts';
import type { PrepareConfig } from './stage_config.ts';

export type SplitSettings = Pick<PrepareConfig, 'num_train' | 'num_val' | 'num_unseen' | 'incomplete_rate' | 'copy_boost' | 'agent_fraction' | 'noise_rate' | 'seed'>;

export function generateSplits(cfg: SplitSettings): { train: FcRecord[]; val: FcRecord[]; unseen: FcRecord[] } {
  // with an unseen-phrasing set, train and val say only the phrases not held out (data/phrase_split.ts)
  const phrases = cfg.num_unseen > 0 ? 'seen' : 'all';
  // train and val come from different seeds, so no example is shared by construction of the stream
  // loop examples teach chat's Thought -> Act -> Observe; val stays plain calls, what eval scores
  const split = (n: number, name: string) => {
    const nAgent = name === 'train' ? Math.round(n * cfg.agent_fraction) : 0;
    const copyBoost = name === 'train' ? cfg.copy_boost : 1;
    const noiseRate = name === 'train' ? cfg.noise_rate : 0; // val measures commands as the templates say them
    const opts = { incompleteRate: cfg.incomplete_rate, copyBoost, noiseRate, phrases, phraseSeed: cfg.seed } as const;
    return [...generateRecords(n - nAgent, `${cfg.seed}/${name}`, opts), ...generateAgentRecords(nAgent, `${cfg.seed}/${name}`, undefined, opts)];
  };
  const train = split(cfg.num_train, 'train');
  const val = split(cfg.num_val, 'val');
  const unseen = generateRecords(cfg.num_unseen, `${cfg.seed}/unseen`, { incompleteRate: cfg.incomplete_rate, phrases: 'unseen', phraseSeed: cfg.seed });
  return { train, val, unseen };
}
