// The test runner behind `npm test`: finds every *.test.ts next to the code it tests, runs them
// with uvu in one process, and closes with one line "N passed, N failed" for CI.
// `npm test -- engine/ops` runs only the files whose path contains that text.
// The tests' temporary files (checkpoints, data, tokenizers) all go under one directory, removed
// when the run ends, so repeated runs leave nothing behind in the system's temp folder.
import './node_flags.ts'; // first: lets the engine use WebAssembly's FMA on Node 20
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOTS = ['engine', 'model', 'data', 'train', 'bench', 'scripts'];

function findTests(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'gpt-tests-'));
for (const name of ['TMPDIR', 'TMP', 'TEMP']) process.env[name] = scratch; // what os.tmpdir() reads

const filters = process.argv.slice(2);
const files: string[] = [];
for (const root of ROOTS) findTests(root, files);
const selected = files.sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));

// Keep a copy of what uvu prints, to read its totals at the end.
let printed = '';
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  printed += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;

const g = globalThis as Record<string, unknown>;
g.UVU_DEFER = 1;
g.UVU_QUEUE = [];
const uvu = await import('uvu');
for (let i = 0; i < selected.length; i++) {
  g.UVU_INDEX = i;
  (g.UVU_QUEUE as unknown[][]).push([relative('.', selected[i])]);
  await import(pathToFileURL(resolve(selected[i])).href);
}
await uvu.exec();
rmSync(scratch, { recursive: true, force: true });

// eslint-disable-next-line no-control-regex
const plain = printed.replace(/\x1b\[[0-9;]*m/g, '');
const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const failed = total - passed - skipped;
if (selected.length === 0) {
  console.log(`no test files matched ${filters.join(' ')}`);
  process.exitCode = 1;
}
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
if (failed > 0) process.exitCode = 1;
