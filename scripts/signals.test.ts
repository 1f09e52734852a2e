// Ctrl-C saves: a real pretraining run started the way a user starts it (npm run pretrain-lm),
// stopped mid-iteration by a signal, must save the iteration it was in and exit 128 + signal.
// Ctrl-C in a terminal signals the whole process group (npm and node); `kill PID` signals npm alone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPrepareConfig } from '../train/stage_config.ts';
import { prepareData } from '../train/fc_pipeline.ts';
import { loadCheckpoint } from '../model/checkpoint.ts';

const root = mkdtempSync(join(tmpdir(), 'signals-'));
const dataDir = join(root, 'data');
prepareData({ ...defaultPrepareConfig, data_dir: dataDir, num_train: 1500, num_val: 60, vocab_size: 400 }, () => {});

interface Stopped {
  code: number | null;
  out: string;
  outDir: string;
}

/** Start npm run pretrain-lm, wait for its "iter 10" line, send the signal, and wait for the end. */
function runAndStop(signal: NodeJS.Signals, target: 'group' | 'npm'): Promise<Stopped> {
  const outDir = join(root, `${signal}-${target}`);
  const args = ['run', '-s', 'pretrain-lm', '--', `--fc_data_dir=${dataDir}`, `--out_dir=${outDir}`, '--max_iters=1000', '--lr_decay_iters=1000', '--eval_interval=1000', '--eval_iters=2'];
  // detached: npm leads a process group of its own, as a terminal's foreground job does
  const child = spawn('npm', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
  let out = '';
  let sent = false;
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    if (!sent && /^iter 10:/m.test(out)) {
      sent = true;
      // the next iteration has begun: the signal lands in the middle of its forward/backward
      if (target === 'group') process.kill(-child.pid!, signal);
      else child.kill(signal);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 120_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, outDir });
    });
  });
}

/** The run saved the iteration it stopped at, and that checkpoint loads. */
function checkSaved(r: Stopped, message: RegExp): void {
  assert.match(r.out, message);
  const done = /training done: (\d+) iterations/.exec(r.out);
  assert.ok(done !== null, r.out);
  const info = JSON.parse(readFileSync(join(r.outDir, 'checkpoint.json'), 'utf8'));
  assert.is(info.iter_num, Number(done![1]));
  assert.ok(info.iter_num >= 11, `saved at iteration ${info.iter_num}, after iteration 10 was logged`);
  assert.match(r.out, new RegExp(`saved checkpoint to ${r.outDir} \\(stopped by SIG`));
  assert.is(loadCheckpoint(r.outDir).info.iter_num, info.iter_num);
  assert.ok(!existsSync(join(r.outDir, '.lock')), 'the lock is released');
}

test('Ctrl-C in a terminal (SIGINT to npm and node) during an iteration: the run saves that iteration and exits 130', async () => {
  const r = await runAndStop('SIGINT', 'group');
  checkSaved(r, /interrupted \(Ctrl-C\): saving a checkpoint at the end of this iteration/);
  assert.is(r.code, 130, r.out);
});

test('SIGTERM to npm alone: npm passes it on, the run saves and exits 143', async () => {
  const r = await runAndStop('SIGTERM', 'npm');
  checkSaved(r, /got SIGTERM: saving a checkpoint/);
  assert.is(r.code, 143, r.out);
});

test.run();
