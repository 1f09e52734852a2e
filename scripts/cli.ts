// Shared by the entry points: parse `--key=value` overrides and report errors in one line.
import { parseOverrides } from '../train/config.ts';

export function parseArgs<T extends object>(defaults: T, argv = process.argv.slice(2)): T {
  return parseOverrides(defaults, argv);
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
