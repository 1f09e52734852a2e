// Shared by the entry points: parse `--key=value` overrides and report errors in one line.
import { constants } from 'node:os';
import { parseOverrides, resumeOverrides, scaleWithMaxIters } from '../train/config.ts';
import type { TrainConfig } from '../train/config.ts';
import { readCheckpointInfo } from '../model/checkpoint.ts';

export function parseArgs<T extends object>(defaults: T, argv = process.argv.slice(2)): T {
  return parseOverrides(defaults, argv);
}

/**
 * A training script's settings. With --init_from=resume they are the resumed run's own (from its
 * checkpoint.json), with the command line's flags on top; the log says which came from where.
 * Otherwise --max_iters alone scales the intervals with it.
 */
export function parseTrainArgs<T extends TrainConfig>(defaults: T, log: (s: string) => void = console.log, argv = process.argv.slice(2)): T {
  const cfg = parseOverrides(defaults, argv);
  if (cfg.init_from !== 'resume') return withScaledIntervals(defaults, cfg, argv, log);
  const saved = readCheckpointInfo(cfg.out_dir).train_config ?? {};
  const { config, fromCheckpoint, fromCommandLine } = resumeOverrides(defaults, saved, argv);
  log(`resume: settings of the run saved in ${cfg.out_dir}/checkpoint.json${fromCheckpoint.length > 0 ? ` (${fromCheckpoint.join(' ')})` : ''}; from the command line: ${fromCommandLine.join(' ')}`);
  return config;
}

/** --max_iters=N alone: the intervals, warmup and decay follow it (train/config.ts); the log says to what. */
export function withScaledIntervals<T extends TrainConfig>(defaults: T, cfg: T, argv: string[], log: (s: string) => void): T {
  const { config, scaled } = scaleWithMaxIters(defaults, cfg, argv);
  if (scaled.length > 0) log(`max_iters=${cfg.max_iters} instead of ${defaults.max_iters}: ${scaled.join(' ')} (give them to choose)`);
  return config;
}

/** A run stopped by a signal saves, then ends as the signal would have ended it: 128 + its number (130 for Ctrl-C). */
export function exitAfterSignal(signal: NodeJS.Signals | null): void {
  if (signal !== null) process.exitCode = 128 + constants.signals[signal];
}

/** Run a script's main; an error prints as one line (the stack only with DEBUG=1) and exits 1. */
export function runMain(main: () => Promise<void> | void): void {
  Promise.resolve()
    .then(main)
    .catch((e: unknown) => {
      const err = e as Error;
      console.error(`error: ${err.message}`);
      if (process.env.DEBUG) console.error(err.stack);
      process.exit(1);
    });
}

export function printConfig(title: string, cfg: object): void {
  console.log(`${title}: ${Object.entries(cfg).map(([k, v]) => `${k}=${v}`).join(' ')}`);
}
