// One training run per out_dir. Two runs writing the same checkpoint would race: each save
// replaces the other's, and for a moment the directory holds files of both. So a run takes
// <out_dir>/.lock (created with O_EXCL: exactly one process can create it) and removes it when
// it ends. A lock left by a run that was killed names a process that no longer exists: it is
// taken over, and the log says so.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

interface LockInfo {
  pid: number;
  host: string;
  started: string;
  command: string;
}

/** Locks this process holds, by directory, with a count (a pipeline and its trainer both take it). */
const held = new Map<string, number>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, but belongs to someone else
  }
}

function readLock(path: string): LockInfo | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
  } catch {
    return null; // half-written by a process killed while creating it
  }
}

/** Take out_dir's lock, or throw naming the run that holds it. Returns the function that releases it. */
export function lockOutDir(dir: string, log: (s: string) => void = () => {}): () => void {
  const path = join(dir, '.lock');
  const count = held.get(path) ?? 0;
  if (count === 0) {
    mkdirSync(dir, { recursive: true });
    const info: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command: process.argv.slice(1).join(' ') };
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, JSON.stringify(info) + '\n');
        closeSync(fd);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
        const other = readLock(path);
        if (other !== null && other.host === info.host && isAlive(other.pid)) {
          throw new Error(`train: ${dir} is in use by another training run (pid ${other.pid}, started ${other.started}: ${other.command}); wait for it to finish, or train into another --out_dir`);
        }
        if (other !== null && other.host !== info.host) {
          throw new Error(`train: ${dir} is locked by a run on ${other.host} (pid ${other.pid}, started ${other.started}); if no run is using it, delete ${path}`);
        }
        log(`taking over ${path}: the run that left it (pid ${other?.pid ?? '?'}) is no longer running`);
        rmSync(path, { force: true });
      }
    }
  }
  held.set(path, count + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (held.get(path) ?? 1) - 1;
    if (left > 0) held.set(path, left);
    else {
      held.delete(path);
      rmSync(path, { force: true });
    }
  };
}

// a process that exits (an error, process.exit) removes the locks it still holds
process.on('exit', () => {
  for (const path of held.keys()) rmSync(path, { force: true });
});
