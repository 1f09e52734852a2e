// Load function-calling data in the original project's format from a directory, like its
// train.py: every *train*.json is training data, every *test*.json / *val*.json validation.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FcRecord } from './format.ts';
import { parseFunctionCall } from './format.ts';

export interface LoadedData {
  train: FcRecord[];
  val: FcRecord[];
  trainFiles: string[];
  valFiles: string[];
  /** records skipped as malformed (only with skipBad) */
  skipped: number;
}

/** Why a record is malformed, or null when it is fine. */
export function recordProblem(r: unknown): string | null {
  if (r === null || typeof r !== 'object') return 'not an object';
  const rec = r as Record<string, unknown>;
  for (const key of ['system', 'user', 'assistant']) {
    if (typeof rec[key] !== 'string') return `field '${key}' is missing or not a string`;
  }
  if (!(rec.user as string).includes('<|im_start|>user')) return "field 'user' lacks <|im_start|>user";
  if (!(rec.assistant as string).startsWith('<|im_start|>assistant\n')) return "field 'assistant' does not start with <|im_start|>assistant";
  if (parseFunctionCall(rec.assistant as string) === null) return "field 'assistant' holds no parsable <functioncall>";
  return null;
}

/** Read one file of records; a malformed record is an error naming the file and index unless skipBad. */
export function loadFcFile(path: string, skipBad = false): { records: FcRecord[]; skipped: number } {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`loader: ${path} is not readable JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(data)) throw new Error(`loader: ${path} must hold a JSON array of {system, user, assistant} records`);
  const records: FcRecord[] = [];
  let skipped = 0;
  data.forEach((r, i) => {
    const problem = recordProblem(r);
    if (problem === null) records.push(r as FcRecord);
    else if (skipBad) skipped++;
    else throw new Error(`loader: ${path} record ${i}: ${problem} (use --skip_bad=true to skip such records)`);
  });
  return { records, skipped };
}

export function loadFcDir(dir: string, skipBad = false): LoadedData {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json') && statSync(join(dir, n)).isFile()).sort();
  } catch (e) {
    throw new Error(`loader: cannot read directory ${dir}: ${(e as Error).message}`);
  }
  const trainFiles = names.filter((n) => n.includes('train')).map((n) => join(dir, n));
  const valFiles = names.filter((n) => !n.includes('train') && (n.includes('test') || n.includes('val'))).map((n) => join(dir, n));
  if (trainFiles.length === 0) throw new Error(`loader: no *train*.json file in ${dir}`);
  const out: LoadedData = { train: [], val: [], trainFiles, valFiles, skipped: 0 };
  for (const f of trainFiles) {
    const { records, skipped } = loadFcFile(f, skipBad);
    out.train.push(...records);
    out.skipped += skipped;
  }
  for (const f of valFiles) {
    const { records, skipped } = loadFcFile(f, skipBad);
    out.val.push(...records);
    out.skipped += skipped;
  }
  return out;
}
